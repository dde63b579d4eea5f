/**
 * The lock of a state folder: two local clouds writing one DynamoDB store (LevelDB), one
 * Cognito database and one usage file would corrupt them, so the second `npm start` of a
 * stack is refused, naming the first. The lock is a file created exclusively (`wx`) holding
 * the owner's pid and address; a lock whose pid no longer runs (a killed cloud) is stale and
 * taken over.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isProcessRunning } from "../processes";

/** Lock files held by local clouds of this process (a test may start several). */
const heldInThisProcess = new Set<string>();

/** Who holds a lock, as written in its file. */
export interface LockOwner {
  pid: number;
  /** Where the owner serves, when it said. */
  url?: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** A held lock. */
export interface StateLock {
  /** The lock file. */
  file: string;
  /** Tells the lock file where this cloud serves (known only once it listens). */
  describe(url: string): void;
  /** Removes the lock file; safe to call twice. */
  release(): void;
}

/** The state folder is locked by another running local cloud. */
export class StateLockedError extends Error {
  constructor(
    readonly stateDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the state folder ${stateDir} is in use by another local cloud (pid ${owner.pid}${owner.url ? `, serving ${owner.url}` : ""}, since ${owner.since}); ` +
        "stop it first, or give this one its own folder with --state-dir",
    );
    this.name = "StateLockedError";
  }
}

/**
 * Takes the lock of a state folder (creating the folder), or throws {@link StateLockedError}
 * naming the process that holds it. The lock is also released when the process exits.
 *
 * @param stateDir - The state folder.
 */
export function lockStateDir(stateDir: string): StateLock {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, "lock");
  let owner: LockOwner = { pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(owner) + "\n", { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw err;
      const holder = readOwner(file);
      const heldHere = holder?.pid === process.pid && heldInThisProcess.has(file);
      if (holder && (heldHere || (holder.pid !== process.pid && isProcessRunning(holder.pid)))) throw new StateLockedError(stateDir, holder);
      // Stale (its process is gone) or unreadable (a crash while writing it): take it over.
      fs.rmSync(file, { force: true });
    }
  }
  heldInThisProcess.add(file);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldInThisProcess.delete(file);
    // Only our own lock: a lock taken over after ours went stale is not ours to remove.
    if (readOwner(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    process.removeListener("exit", release);
  };
  process.on("exit", release);
  return {
    file,
    describe(url) {
      owner = { ...owner, url };
      fs.writeFileSync(file, JSON.stringify(owner) + "\n");
    },
    release,
  };
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, "utf8")) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}
