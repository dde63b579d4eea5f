/**
 * Prints the local cloud's logs, written by `npm start` under `.local/<stack>/logs/` (or
 * `<state-dir>/logs/`): the access log (one line per request, in each stage's format), or one
 * function's log (its output and Lambda's START / END / REPORT lines):
 *
 *     npm run logs
 *     npm run logs -- --function data-handler --follow
 *     npm run logs -- --stack prod --lines 200
 *
 * Exit codes: 0, 1 when there is no such log, 2 for a usage error.
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ACCESS_LOG_FILE, functionLogFileName } from "../local/logs/localLogs";
import { followFile, lastLines } from "../local/logs/logFileTail";
import { UsageError, stateDirOf, readCommandLine, type Output, splitFlag } from "./localCloudFiles";

export { UsageError };

export const USAGE = "usage: npm run logs -- [--stack <stack>] [--state-dir <dir>] [--function <name>] [--follow] [--lines <n>]";

const HELP = `${USAGE}

Prints the last lines of the local cloud's access log (a line per request), or, with
--function, of that function's log (its output, and Lambda's START, END and REPORT lines).
The logs are under .local/<stack>/logs/, or <state-dir>/logs/.

Options:
  --stack STACK      the local cloud's stack (default dev)
  --state-dir DIR    the state folder npm start was given (default .local/<stack>)
  --function NAME    a function's log instead of the access log (a unique prefix of its name will do)
  --follow, -f       keep printing lines as they are appended, until Ctrl-C
  --lines N, -n N    how many of the last lines to print first (default 50)
  -h, --help         show this help`;

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
const DEFAULT_LINES = 50;

/** There is no such log (exit 1). */
export class LogsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LogsError";
  }
}

export interface LogsOptions {
  help: boolean;
  /** @default "dev" */
  stack: string;
  /** @default none: `.local/<stack>` */
  stateDir?: string;
  /** A function's log instead of the access log. @default none */
  functionName?: string;
  /** @default false */
  follow: boolean;
  /** @default 50 */
  lines: number;
}

/** The flags that take a value, by spelling, and the option each sets. */
const VALUE_FLAGS: Record<string, "stack" | "stateDir" | "functionName" | "lines"> = {
  "--stack": "stack",
  "--state-dir": "stateDir",
  "--function": "functionName",
  "--lines": "lines",
  "-n": "lines",
};

/**
 * Parses the arguments after the script name; `--flag value` and `--flag=value` both work.
 *
 * @param argv - The arguments.
 * @throws UsageError naming the flag.
 */
export function parseLogsArgs(argv: readonly string[]): LogsOptions {
  const options: LogsOptions = { help: false, stack: "dev", follow: false, lines: DEFAULT_LINES };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const { name: flag, inline } = splitFlag(arg);
    if (flag === "--help" || flag === "-h") return { ...options, help: true };
    if (flag === "--follow" || flag === "-f") {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      options.follow = true;
      continue;
    }
    const option = VALUE_FLAGS[flag];
    if (option === undefined) throw new UsageError(arg.startsWith("-") ? `unknown flag ${flag}` : `unexpected argument ${JSON.stringify(arg)}`);
    if (given.has(option)) throw new UsageError(`${flag} may be given once`);
    given.add(option);
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith("-")) throw new UsageError(`${flag} needs a value`);
      i++;
    }
    setOption(options, flag, option, value);
  }
  return options;
}

/** Checks and sets one flag's value. */
function setOption(options: LogsOptions, flag: string, option: (typeof VALUE_FLAGS)[string], value: string): void {
  if (value === "") throw new UsageError(`${flag} needs a value`);
  switch (option) {
    case "stack":
      if (!STACK_NAME.test(value)) throw new UsageError(`--stack must be a stack name (letters, digits, _ . -; got ${JSON.stringify(value)})`);
      options.stack = value;
      return;
    case "lines":
      if (!/^\d{1,9}$/.test(value)) throw new UsageError(`${flag} needs a whole number of lines (got ${JSON.stringify(value)})`);
      options.lines = Number(value);
      return;
    default:
      options[option] = value;
  }
}

/**
 * The log file to print: the access log, or the function's (by name, or by a prefix of one
 * name only).
 *
 * @param dir - The logs folder.
 * @param functionName - The function. @default none: the access log
 * @throws LogsError when the folder or the function's log does not exist, listing the functions that have one.
 */
export function logFileOf(dir: string, functionName?: string): string {
  if (!fs.existsSync(dir)) {
    throw new LogsError(`no logs at ${dir}: the local cloud has not run for this stack (npm start -- --stack <stack>), or was given another --state-dir`);
  }
  if (functionName === undefined) return path.join(dir, ACCESS_LOG_FILE);
  const logged = functionLogs(dir);
  const exact = functionLogFileName(functionName);
  if (logged.includes(exact)) return path.join(dir, exact);
  const prefixed = logged.filter((file) => file.startsWith(exact.slice(0, -".log".length)));
  if (prefixed.length === 1) return path.join(dir, prefixed[0]);
  const names = logged.map((file) => file.slice(0, -".log".length));
  const known = names.length > 0 ? `functions with a log: ${names.join(", ")}` : "no function has logged yet";
  const problem = prefixed.length > 1 ? `"${functionName}" names several functions` : `no log for function "${functionName}"`;
  throw new LogsError(`${problem} in ${dir}; ${known}`);
}

/** The function log files of the folder, by name. */
function functionLogs(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".log") && file !== ACCESS_LOG_FILE)
    .sort();
}

/** Minimal writable sink, so tests can capture output without a child process. */
/** What main needs besides the arguments; tests replace it. */
export interface LogsEnvironment {
  /** @default this project */
  projectDir?: string;
  /** Ends `--follow`. @default SIGINT / SIGTERM */
  stopFollowing?: AbortSignal;
  /** How often a followed file is looked at, in ms. @default 200 */
  pollMs?: number;
}

/** Runs the CLI; resolves with the exit code (when following: once stopped). */
export async function main(argv: readonly string[], stdout: Output = process.stdout, stderr: Output = process.stderr, env: LogsEnvironment = {}): Promise<number> {
  const options = readCommandLine(parseLogsArgs, argv, { usage: USAGE, help: HELP }, stdout, stderr);
  if (typeof options === "number") return options;
  let file: string;
  try {
    file = logFileOf(path.join(stateDirOf(options.stack, options.stateDir, env.projectDir), "logs"), options.functionName);
  } catch (err) {
    if (!(err instanceof LogsError)) throw err;
    stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  // The access log appears with the first request: until then there is nothing to print.
  const { lines, size } = fs.existsSync(file) ? lastLines(file, options.lines) : { lines: [], size: 0 };
  for (const line of lines) stdout.write(`${line}\n`);
  if (options.follow) await follow(file, size, stdout, env);
  return 0;
}

/** Prints the lines appended to the file until stopped. */
async function follow(file: string, from: number, stdout: Output, env: LogsEnvironment): Promise<void> {
  const following = followFile(file, from, (line) => stdout.write(`${line}\n`), env.pollMs);
  await new Promise<void>((resolve) => {
    if (env.stopFollowing) {
      if (env.stopFollowing.aborted) return resolve();
      env.stopFollowing.addEventListener("abort", () => resolve(), { once: true });
      return;
    }
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  following.stop();
}

if (require.main === module) {
  // exitCode rather than process.exit() so buffered stdout is flushed when piped.
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
