/**
 * The seed of a stack's local physical names and ids (`CloudIdentity.randomSeed` in
 * local/awsAttributes.ts), kept in the state folder: every start of the same stack answers
 * the same table names, API ids and API keys, so a table's items are found under its name.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
/** 32 random bytes as 64 hex digits. */
const SEED_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The stack's seed: read from `<stateDir>/seed`, which is created (32 random bytes, hex,
 * mode 0600: API key values derive from it) when absent. Without a state folder, a fresh
 * random seed: names stay stable within the process (watch mode's reloads), not across starts.
 *
 * @param stateDir - The stack's state folder (created when missing). @default none: a fresh seed
 * @throws Error naming the file when it holds something else than a seed, suggesting --fresh
 */
export function stateSeed(stateDir?: string): string {
  if (stateDir === undefined) return newSeed();
  const file = path.join(stateDir, "seed");
  fs.mkdirSync(stateDir, { recursive: true });
  try {
    // "wx": of two processes creating the folder at once, one writes, the other reads its seed.
    fs.writeFileSync(file, `${newSeed()}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const seed = fs.readFileSync(file, "utf8").trim();
  if (!SEED_PATTERN.test(seed)) {
    throw new Error(`${file} does not hold a seed (64 hex digits): delete it, or start with --fresh to begin with an empty state`);
  }
  return seed;
}

function newSeed(): string {
  return randomBytes(32).toString("hex");
}
