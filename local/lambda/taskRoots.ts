/**
 * Task roots: the folder each function runs from, its deployment package unpacked, as
 * Lambda's `/var/task`.
 *
 * Every file's bytes are written once into a content-addressed store beside the task roots and
 * hard-linked into each task root that holds them: the default CallbackFunction archive (the
 * program's whole dependency tree in every function) costs one copy for all functions, while
 * each function still sees only the files of its own archive at their own paths (a hard link,
 * unlike a symbolic link, does not lead module resolution back to where the bytes came from).
 * Stored files are read-only, as `/var/task` is, so that no function can change what another
 * runs. Where hard links are impossible (another file system), files are copied.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ArchiveFiles, FileSource } from "./codeArchive";

const STORE = ".store";
const READ_ONLY = 0o444;

export class TaskRoots {
  private readonly store: string;
  /** Content hashes of files on disk, by path, size and modification time. */
  private readonly hashes = new Map<string, string>();
  private readonly created = new Map<string, number>();

  /**
   * @param root An empty or new folder outside any project: module resolution walks up from a
   *   task root, so a `node_modules` or `package.json` above it would let functions load what
   *   their archives do not hold (checked here).
   */
  constructor(private readonly root: string) {
    assertIsolated(root);
    this.store = path.join(root, STORE);
    fs.mkdirSync(this.store, { recursive: true });
  }

  /** Unpacks a function's files into a new task root and returns its path. */
  create(functionName: string, files: ArchiveFiles): string {
    const generation = (this.created.get(functionName) ?? 0) + 1;
    this.created.set(functionName, generation);
    // A new folder per deployment: environments of the previous one keep the files they run.
    const dir = path.join(this.root, `${functionName}-${generation}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const folders = new Set<string>();
    for (const [name, source] of files) {
      const to = path.join(dir, ...name.split("/"));
      const folder = path.dirname(to);
      if (!folders.has(folder)) {
        fs.mkdirSync(folder, { recursive: true });
        folders.add(folder);
      }
      linkOrCopy(this.stored(source), to);
    }
    return dir;
  }

  /** Removes every task root and the store. */
  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** The store's file holding these bytes, written on first use. */
  private stored(source: FileSource): string {
    const bytes = source.kind === "bytes" ? source.bytes : undefined;
    const hash = bytes ? sha256(bytes) : this.hashOfFile(source.kind === "file" ? source.path : "");
    const file = path.join(this.store, hash);
    if (!fs.existsSync(file)) {
      const partial = `${file}.${process.pid}.tmp`;
      if (bytes) fs.writeFileSync(partial, bytes, { mode: READ_ONLY });
      else {
        fs.copyFileSync((source as { path: string }).path, partial);
        fs.chmodSync(partial, READ_ONLY);
      }
      fs.renameSync(partial, file);
    }
    return file;
  }

  private hashOfFile(file: string): string {
    const stat = fs.statSync(file);
    const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
    let hash = this.hashes.get(key);
    if (!hash) {
      hash = sha256(fs.readFileSync(file));
      this.hashes.set(key, hash);
    }
    return hash;
  }
}

const WORK_DIR_PREFIX = "apigw-kit-lambda-";

/**
 * A new folder for a Lambda runtime's task roots under the system's temporary folder, named
 * for this process. Folders left by processes that no longer run (killed before they could
 * clean up) are removed on the way.
 */
export function createWorkDir(tmp = os.tmpdir()): string {
  for (const name of fs.readdirSync(tmp)) {
    const pid = Number(new RegExp(`^${WORK_DIR_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (pid && pid !== process.pid && !isRunning(pid)) fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
  }
  return fs.mkdtempSync(path.join(tmp, `${WORK_DIR_PREFIX}${process.pid}-`));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw error;
    fs.copyFileSync(from, to);
  }
}

/**
 * Refuses a root below a folder holding `node_modules` or `package.json`: Node would resolve a
 * function's `require("x")` from there, or take `"type"` from it, where Lambda finds nothing
 * above `/var/task`.
 */
export function assertIsolated(root: string): void {
  for (let dir = path.dirname(path.resolve(root)); ; dir = path.dirname(dir)) {
    for (const name of ["node_modules", "package.json"]) {
      if (fs.existsSync(path.join(dir, name))) {
        throw new Error(`Lambda task roots cannot live in ${root}: ${path.join(dir, name)} above it would be visible to every function's module resolution; use a folder outside any project (e.g. under ${os.tmpdir()})`);
      }
    }
    if (path.dirname(dir) === dir) return;
  }
}
