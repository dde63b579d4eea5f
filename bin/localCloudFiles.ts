/**
 * What the command-line tools share: the usage error (exit 2 with a usage line), reading the
 * command line, and where the local cloud writes a stack's outputs.
 */
import * as path from "node:path";

/** A problem with the command line: the tools answer it with exit code 2 and their usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A command-line argument split as the tools read flags: `--name=value` gives the name and
 * its inline value; anything else (`--name`, `-h`, a positional) is the name alone.
 *
 * @param arg - One argument.
 */
export function splitFlag(arg: string): { name: string; inline?: string } {
  const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
  return eq === -1 ? { name: arg } : { name: arg.slice(0, eq), inline: arg.slice(eq + 1) };
}

/** Where a tool writes (process.stdout, process.stderr; tests give their own). */
export interface Output {
  write(text: string): unknown;
}

/** A tool's usage line and, for those with `--help`, its help text. */
export interface CommandLineText {
  usage: string;
  /** @default none: the tool has no --help */
  help?: string;
}

/**
 * Reads a tool's command line with its parser: the options, or the exit code when the tool is
 * done already: 2 after a usage error (written with the usage line), 0 after `--help`.
 *
 * @param parse - The tool's parser; throws UsageError for a bad command line.
 * @param argv - The arguments after the command.
 * @param text - The usage line and help text.
 * @param stdout - Where the help goes. @default process.stdout
 * @param stderr - Where a usage error goes. @default process.stderr
 */
export function readCommandLine<T extends object, A extends readonly string[]>(
  parse: (argv: A) => T,
  argv: A,
  text: CommandLineText,
  stdout: Output = process.stdout,
  stderr: Output = process.stderr,
): T | number {
  let options: T;
  try {
    options = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    stderr.write(`error: ${err.message}\n${text.usage}\n`);
    return 2;
  }
  if (text.help !== undefined && (options as { help?: boolean }).help === true) {
    stdout.write(`${text.help}\n`);
    return 0;
  }
  return options;
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
