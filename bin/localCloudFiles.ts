/**
 * What the command-line tools share: the usage error (exit 2 with a usage line) and where the
 * local cloud writes a stack's outputs.
 */
import * as path from "node:path";

/** A problem with the command line: the tools answer it with exit code 2 and their usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const PROJECT_ROOT = path.resolve(__dirname, "..");

/** `.local/<stack>/outputs.json`, which `npm start` writes once the stack serves. */
export function outputsFileOf(stack: string, projectDir: string = PROJECT_ROOT): string {
  return path.join(projectDir, ".local", stack, "outputs.json");
}

/**
 * A stack's state folder (state, lock, outputs and logs): the `--state-dir` given, else
 * `.local/<stack>` in the project, as `npm start` uses it.
 *
 * @param stack - The stack's name.
 * @param stateDir - `--state-dir`, relative to the working directory. @default none
 * @param projectDir - The project's folder. @default this project
 */
export function stateDirOf(stack: string, stateDir?: string, projectDir: string = PROJECT_ROOT): string {
  return path.resolve(stateDir ?? path.join(projectDir, ".local", stack));
}
