/**
 * The local cloud's log files, under `.local/<stack>/logs/` (or `<state-dir>/logs/`): what
 * CloudWatch Logs would hold for the stack.
 * - `access.log`: one access-log line per request, in each stage's format (the stage's access
 *   log group);
 * - `<function name>.log`: what each function wrote, as its CloudWatch log stream holds it
 *   (`<time>\t<request id>\tINFO\t<message>`), with Lambda's START / END / REPORT lines.
 * Each file has one buffered append stream, opened when its first line comes: no synchronous
 * write per request. `npm run logs` reads them (bin/logs.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FunctionLogOrigin } from "../lambda/lambdaRuntime";

/** Where lines shown on a terminal go. */
export interface LogTerminal {
  /** Access lines. */
  out: (line: string) => void;
  /** Function output, `[function name] line`; and the logs' own problems. */
  err: (line: string) => void;
}

export interface LocalLogsOptions {
  /** The logs folder; created (with its parents) if missing. */
  dir: string;
  /**
   * Whether access lines stay off the terminal (they are written to access.log all the same).
   * Function output is shown either way.
   * @default false
   */
  quiet?: boolean;
  /**
   * Where lines are shown as well as written.
   * @default none: the files only
   */
  terminal?: LogTerminal;
}

/** The open log files of one local cloud. */
export interface LocalLogs {
  /** One request's access-log line: appended to access.log, and shown on the terminal's `out` unless quiet. */
  access(line: string): void;
  /**
   * One line a function wrote: appended to `<function>.log` as CloudWatch holds it (time,
   * request id and level when the invocation is known, else time and line), and shown on the
   * terminal's `err` as `[function] line`.
   */
  function(functionName: string, line: string, origin?: FunctionLogOrigin): void;
  /** One of Lambda's own lines (START, END, REPORT, INIT_REPORT): appended to `<function>.log` only. */
  lifecycle(functionName: string, line: string): void;
  /** Flushes and closes every file; lines after it are dropped. */
  close(): Promise<void>;
}

/** The access log's file name in the logs folder. */
export const ACCESS_LOG_FILE = "access.log";

/**
 * Opens the logs folder for writing.
 *
 * @param options - The folder, and the terminal lines are shown on.
 * @example
 * const logs = openLocalLogs({ dir: ".local/dev/logs", terminal: { out: console.log, err: console.error } });
 * logs.access('{"requestId":"..."}');
 * await logs.close();
 */
export function openLocalLogs(options: LocalLogsOptions): LocalLogs {
  fs.mkdirSync(options.dir, { recursive: true });
  const files = new AppendFiles(options.dir, (problem) => (options.terminal?.err ?? writeStderr)(problem));
  const terminal = options.terminal;
  const showAccess = terminal && !options.quiet ? terminal.out : undefined;
  return {
    access(line) {
      files.append(ACCESS_LOG_FILE, line);
      showAccess?.(line);
    },
    function(functionName, line, origin) {
      files.append(functionLogFileName(functionName), functionLogLine(line, origin, new Date()));
      terminal?.err(`[${functionName}] ${line}`);
    },
    lifecycle(functionName, line) {
      files.append(functionLogFileName(functionName), line);
    },
    close: () => files.close(),
  };
}

/**
 * A function's log file name: its name made safe as a file name (letters, digits, `_`, `-`,
 * `.`; never `..` or the access log's name). Lambda's names (`[A-Za-z0-9_-]{1,64}`) are kept.
 *
 * @param functionName - The function's physical name.
 */
export function functionLogFileName(functionName: string): string {
  let base = functionName.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, (dots) => "_".repeat(dots.length));
  if (base === "" || `${base}.log` === ACCESS_LOG_FILE) base = `_${base}`;
  return `${base}.log`;
}

/**
 * A function's output line as its log stream holds it: Lambda's Node.js runtime writes console
 * output as `<ISO time>\t<request id>\t<LEVEL>\t<message>` ("Log and monitor Node.js Lambda
 * functions", nodejs-logging.html). The level is told from the stream: stdout is INFO, stderr
 * ERROR (console.warn also writes to stderr, so it is ERROR here, WARN on AWS). Without a
 * request id (INIT output), the time and the line.
 *
 * @param line - What the function wrote.
 * @param origin - Its stream and invocation. @default unknown: time and line
 * @param at - When it was written.
 */
export function functionLogLine(line: string, origin: FunctionLogOrigin | undefined, at: Date): string {
  const time = at.toISOString();
  if (!origin?.requestId) return `${time}\t${line}`;
  return `${time}\t${origin.requestId}\t${origin.stream === "stderr" ? "ERROR" : "INFO"}\t${line}`;
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** One buffered append stream per file of a folder, opened at its first line. */
class AppendFiles {
  private readonly streams = new Map<string, fs.WriteStream>();
  /** Files that failed: their lines are dropped (said once). */
  private readonly failed = new Set<string>();
  private closed = false;

  /**
   * @param dir - The folder.
   * @param warn - Told when a file cannot be written.
   */
  constructor(
    private readonly dir: string,
    private readonly warn: (problem: string) => void,
  ) {}

  append(file: string, line: string): void {
    if (this.closed || this.failed.has(file)) return;
    this.streamOf(file).write(`${line}\n`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const streams = [...this.streams.values()];
    this.streams.clear();
    await Promise.all(streams.map((stream) => new Promise<void>((resolve) => (stream.closed || stream.destroyed ? resolve() : stream.end(() => resolve())))));
  }

  private streamOf(file: string): fs.WriteStream {
    let stream = this.streams.get(file);
    if (!stream) {
      const opened = fs.createWriteStream(path.join(this.dir, file), { flags: "a" });
      opened.on("error", (err) => {
        if (this.failed.has(file)) return;
        this.failed.add(file);
        this.streams.delete(file);
        this.warn(`[logs] cannot write ${path.join(this.dir, file)}: ${err.message}; its lines are dropped`);
      });
      this.streams.set(file, opened);
      stream = opened;
    }
    return stream;
  }
}
