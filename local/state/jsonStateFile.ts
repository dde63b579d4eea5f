/**
 * A JSON file of the state folder (usage.json, apikeys.json, ...): read back at start, where
 * a file that is not what it should be stops the start with its name and the way out, and
 * written atomically, mode 0600 (such files hold key values and counts).
 */
import * as fs from "node:fs";
import { writeFileAtomically } from "./atomicFile";

/**
 * Reads a state file written by {@link writeJsonStateFile}.
 *
 * @param file - The file.
 * @param holds - What it holds, for the error ("usage counters").
 * @param problemOf - What makes a parsed value not such content; undefined when it is.
 * @returns the content, or undefined when there is no such file (a first start)
 * @throws Error naming the file when it is not JSON or not such content, suggesting --fresh
 */
export function readJsonStateFile<T>(file: string, holds: string, problemOf: (value: unknown) => string | undefined): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, holds, (err as Error).message);
  }
  const problem = problemOf(parsed);
  if (problem) throw corrupt(file, holds, problem);
  return parsed as T;
}

/**
 * Writes a state file atomically (a temporary file renamed over the old one, so a stop
 * mid-write leaves the previous content), mode 0600.
 *
 * @param file - The file (its folder is created when missing).
 * @param value - The content, as JSON.
 */
export function writeJsonStateFile(file: string, value: unknown): void {
  writeFileAtomically(file, `${JSON.stringify(value, null, 2)}\n`, 0o600);
}

function corrupt(file: string, holds: string, reason: string): Error {
  return new Error(`${file} does not hold ${holds} (${reason}): delete it, or start with --fresh to begin with an empty state`);
}
