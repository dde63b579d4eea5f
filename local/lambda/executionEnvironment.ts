/**
 * One Lambda execution environment of the local cloud: lambdaWorker.js holding the function's
 * module between invocations, in a worker thread when the function's Node.js major is the
 * host's (cheap to start and to call), or else in a child process of that major's binary.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { Worker } from "node:worker_threads";

const WORKER_SCRIPT = path.join(__dirname, "lambdaWorker.js");

export interface ErrorShape {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** One invocation, as the runtime hands it to an environment. */
export interface Invocation {
  requestId: string;
  /** The event as JSON text. */
  payload: string;
  /** When the function's own timeout passes, in performance.now() milliseconds. */
  deadline: number;
  /** The function ARN the caller invoked (`context.invokedFunctionArn`). */
  arn: string;
  /** The X-Ray trace header of the invocation (`_X_AMZN_TRACE_ID` while it runs). */
  traceId: string;
}

/** How an environment answered: INIT done / an invocation's JSON result, or an error. */
export type Outcome = { ok: true; payload: string } | { ok: false; error: ErrorShape };

export interface ExecutionEnvironmentOptions {
  /** The function's unpacked archive (`LAMBDA_TASK_ROOT`). */
  taskRoot: string;
  /** The function's handler setting, `[path/]<module>.<export>`. */
  handler: string;
  /** The function's runtime, e.g. `nodejs24.x`. */
  runtime: string;
  /**
   * The Node.js binary of the runtime's major.
   * @default none: a worker thread of this process (whose major must be the runtime's)
   */
  nodeBinary?: string;
  /** Bumped by each deploy of the function: environments of an older generation are not reused. */
  generation: number;
  /** The whole environment of the function (Lambda's variables and its own). */
  env: Record<string, string>;
  /** Lambda's memory size in MB. */
  memorySize: number;
  /**
   * Each line the function writes, with the stream it came from and the invocation it belongs
   * to (undefined for lines written during INIT or between invocations).
   */
  log: (line: string, stream: "stdout" | "stderr", requestId: string | undefined) => void;
  onExit: () => void;
  /**
   * Whether the environment measures the memory it uses ({@link ExecutionEnvironment.maxMemoryUsedMb}).
   * @default false
   */
  reportMemory?: boolean;
}

/** What the environment runs in: a thread or a process, seen the same way. */
interface Host {
  stdout: Readable;
  stderr: Readable;
  post(message: unknown): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** An error of the host itself (a thread out of memory, a binary that cannot start). */
  onError(listener: (error: Error & { code?: string }) => void): void;
  onExit(listener: (exit: { code: number | null; signal: NodeJS.Signals | null }) => void): void;
  kill(): void;
}

/** One execution environment, serving one invocation at a time. */
export class ExecutionEnvironment {
  readonly generation: number;
  /** Settles when INIT is done (ok) or failed. */
  readonly ready: Promise<Outcome>;
  private readonly host: Host;
  private readonly exited: Promise<void>;
  private readonly stdout: LineSplitter;
  private readonly stderr: LineSplitter;
  /** The INIT or invocation waiting for the worker's answer. */
  private pending?: { requestId?: string; settle: (outcome: Outcome) => void };
  private dying = false;
  private dead = false;
  /** V8 reported reaching its heap limit (a child process prints it before it aborts). */
  private outOfMemory = false;
  private peakMemoryMb = 0;

  constructor(options: ExecutionEnvironmentOptions) {
    this.generation = options.generation;
    this.ready = new Promise<Outcome>((settle) => (this.pending = { settle }));
    this.host = options.nodeBinary ? startProcess(options.nodeBinary, options) : startThread(options);
    this.stdout = new LineSplitter((line) => options.log(line, "stdout", this.pending?.requestId));
    this.stderr = new LineSplitter((line) => {
      if (line.startsWith("FATAL ERROR:") && line.includes("heap limit")) this.outOfMemory = true;
      options.log(line, "stderr", this.pending?.requestId);
    });
    this.host.stdout.on("data", (chunk: Buffer) => this.stdout.write(chunk));
    this.host.stderr.on("data", (chunk: Buffer) => this.stderr.write(chunk));
    this.host.onMessage((message) => this.onMessage(message));
    this.host.onError((error) => {
      this.dying = true;
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") this.outOfMemory = true;
      this.settle(
        this.outOfMemory
          ? { errorType: "Runtime.OutOfMemory", errorMessage: `${this.requestPrefix()}Error: Runtime exited with error: ${error.message}`, trace: [] }
          : { errorType: error.name || "Error", errorMessage: error.message, trace: String(error.stack ?? "").split("\n") },
      );
    });
    this.exited = new Promise((resolve) =>
      this.host.onExit(({ code, signal }) => {
        this.dead = true;
        this.stdout.end();
        this.stderr.end();
        this.settle({
          errorType: this.outOfMemory ? "Runtime.OutOfMemory" : "Runtime.ExitError",
          errorMessage: `${this.requestPrefix()}Error: Runtime exited ${exitReason(code, signal)}`,
          trace: [],
        });
        options.onExit();
        resolve();
      }),
    );
  }

  /** Neither ended nor about to end. */
  get alive(): boolean {
    return !this.dead && !this.dying;
  }

  /**
   * The most memory the environment was seen using, in whole MB, over its life (Lambda reports
   * the peak over every invocation an environment served); 0 until measured, and without the
   * `reportMemory` option.
   */
  get maxMemoryUsedMb(): number {
    return Math.ceil(this.peakMemoryMb);
  }

  /** Runs one invocation; `deadline` is in performance.now() milliseconds. */
  invoke({ requestId, deadline, ...invocation }: Invocation): Promise<Outcome> {
    if (!this.alive) return Promise.resolve({ ok: false, error: { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited`, trace: [] } });
    return new Promise<Outcome>((settle) => {
      this.pending = { requestId, settle };
      // The worker's getRemainingTimeInMillis counts down to an epoch time, as in Lambda.
      const epochDeadline = Math.round(Date.now() + (deadline - performance.now()));
      this.host.post({ type: "invoke", requestId, deadline: epochDeadline, ...invocation });
    });
  }

  /** Ends the thread or process; whoever waits for it gets `reason` (or the exit error). */
  terminate(reason?: ErrorShape): Promise<void> {
    this.dying = true;
    if (reason) this.settle(reason);
    else this.pending = undefined;
    if (!this.dead) this.host.kill();
    return this.exited;
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type !== "exiting" && message.memoryMb !== undefined && message.memoryMb > this.peakMemoryMb) this.peakMemoryMb = message.memoryMb;
    switch (message.type) {
      case "ready":
        return this.resolvePending({ ok: true, payload: "" });
      case "init-error":
        this.dying = true;
        return this.resolvePending({ ok: false, error: message.error });
      case "exiting":
        this.dying = true;
        return;
      case "result":
        if (message.fatal) this.dying = true;
        if (this.pending?.requestId !== message.requestId) return;
        return this.resolvePending(message.ok ? { ok: true, payload: message.payload } : { ok: false, error: message.error });
    }
  }

  private settle(error: ErrorShape): void {
    this.resolvePending({ ok: false, error });
  }

  private resolvePending(outcome: Outcome): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.settle(outcome);
  }

  private requestPrefix(): string {
    return this.pending?.requestId ? `RequestId: ${this.pending.requestId} ` : "";
  }
}

/** How Lambda words a runtime's exit: `exit status 3`, `signal: killed` (Go's names of signals). */
function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `with error: signal: ${SIGNAL_NAMES[signal] ?? signal}`;
  return code === 0 ? "without providing a reason" : `with error: exit status ${code}`;
}

const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = { SIGKILL: "killed", SIGABRT: "aborted", SIGSEGV: "segmentation fault", SIGTERM: "terminated" };

/** Lambda's Node.js bootstrap caps V8's old space at about 90 % of the memory size. */
function heapLimitMb(memorySize: number): number {
  return Math.max(16, Math.floor(memorySize * 0.9));
}

/** What lambdaWorker.js is told at start (workerData, or a child's argv[2]). */
function workerSettings(options: ExecutionEnvironmentOptions): Record<string, unknown> {
  return { taskRoot: options.taskRoot, handlerName: options.handler, runtime: options.runtime, ...(options.reportMemory ? { reportMemory: true } : {}) };
}

function startThread(options: ExecutionEnvironmentOptions): Host {
  const worker = new Worker(WORKER_SCRIPT, {
    env: options.env,
    workerData: workerSettings(options),
    // Not the parent's flags: a `-r ts-node/register` would make every cold start compile TypeScript.
    execArgv: [],
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: heapLimitMb(options.memorySize) },
  });
  return {
    stdout: worker.stdout,
    stderr: worker.stderr,
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on("message", listener),
    onError: (listener) => worker.on("error", listener),
    onExit: (listener) => worker.once("exit", (code) => listener({ code, signal: null })),
    kill: () => void worker.terminate(),
  };
}

function startProcess(nodeBinary: string, options: ExecutionEnvironmentOptions): Host {
  const child = spawn(nodeBinary, [`--max-old-space-size=${heapLimitMb(options.memorySize)}`, WORKER_SCRIPT, JSON.stringify(workerSettings(options))], {
    env: options.env,
    // Lambda starts the runtime in the task root.
    cwd: options.taskRoot,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let exited = false;
  child.once("exit", () => (exited = true));
  return {
    stdout: child.stdout!,
    stderr: child.stderr!,
    post: (message) => {
      // A message to a process going away is lost; its exit answers whoever waits.
      if (child.connected) child.send(message as object, () => undefined);
    },
    onMessage: (listener) => child.on("message", listener as (message: unknown) => void),
    onError: (listener) => child.on("error", listener),
    // "close": the exit, and every line the process wrote before it.
    onExit: (listener) => child.once("close", (code, signal) => listener({ code, signal })),
    kill: () => {
      if (!exited) child.kill("SIGKILL");
    },
  };
}

/** `memoryMb`: the memory in use, when the worker was asked to report it. */
type WorkerMessage =
  | { type: "ready"; memoryMb?: number }
  | { type: "init-error"; error: ErrorShape; memoryMb?: number }
  | { type: "exiting" }
  | { type: "result"; requestId: string; ok: true; payload: string; fatal?: boolean; memoryMb?: number }
  | { type: "result"; requestId: string; ok: false; error: ErrorShape; fatal?: boolean; memoryMb?: number };

/** Cuts a stream of UTF-8 chunks into lines; what is left when it ends is a line too. */
class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly emit: (line: string) => void) {}

  write(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.emit(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    if (rest !== "") this.emit(rest);
  }
}
