/**
 * One Lambda execution environment of the local cloud: a worker thread running
 * lambdaWorker.js, which holds the function's module between invocations.
 */
import * as path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { Worker } from "node:worker_threads";

const WORKER_SCRIPT = path.join(__dirname, "lambdaWorker.js");

export interface ErrorShape {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** How an environment answered: INIT done / an invocation's JSON result, or an error. */
export type Outcome = { ok: true; payload: string } | { ok: false; error: ErrorShape };

/** One execution environment: a worker thread holding the function's module. */
export class ExecutionEnvironment {
  readonly generation: number;
  /** Settles when INIT is done (ok) or failed. */
  readonly ready: Promise<Outcome>;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly stdout: LineSplitter;
  private readonly stderr: LineSplitter;
  /** The INIT or invocation waiting for the worker's answer. */
  private pending?: { requestId?: string; settle: (outcome: Outcome) => void };
  private dying = false;
  private dead = false;

  constructor(options: {
    file: string;
    /** The function's handler setting, `<module>.<export>`. */
    handler: string;
    generation: number;
    env: Record<string, string>;
    memorySize: number;
    log: (line: string) => void;
    onExit: () => void;
  }) {
    this.generation = options.generation;
    this.ready = new Promise<Outcome>((settle) => (this.pending = { settle }));
    this.worker = new Worker(WORKER_SCRIPT, {
      env: options.env,
      workerData: { file: options.file, handlerName: options.handler },
      // Not the parent's flags: a `-r ts-node/register` would make every cold start compile TypeScript.
      execArgv: [],
      stdout: true,
      stderr: true,
      // Lambda's Node.js bootstrap caps V8's old space at about 90 % of the memory size.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(16, Math.floor(options.memorySize * 0.9)) },
    });
    this.stdout = new LineSplitter(options.log);
    this.stderr = new LineSplitter(options.log);
    this.worker.stdout.on("data", (chunk: Buffer) => this.stdout.write(chunk));
    this.worker.stderr.on("data", (chunk: Buffer) => this.stderr.write(chunk));
    this.worker.on("message", (message: WorkerMessage) => this.onMessage(message));
    this.worker.on("error", (error: Error & { code?: string }) => {
      this.dying = true;
      this.settle(
        (error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? { errorType: "Runtime.OutOfMemory", errorMessage: `${this.requestPrefix()}Error: Runtime exited with error: ${error.message}`, trace: [] }
          : { errorType: error.name || "Error", errorMessage: error.message, trace: String(error.stack ?? "").split("\n") }),
      );
    });
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", (code) => {
        this.dead = true;
        this.stdout.end();
        this.stderr.end();
        this.settle({
          errorType: "Runtime.ExitError",
          errorMessage: `${this.requestPrefix()}Error: Runtime exited ${code === 0 ? "without providing a reason" : `with error: exit status ${code}`}`,
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

  invoke(requestId: string, payload: string, deadline: number, arn: string): Promise<Outcome> {
    if (!this.alive) return Promise.resolve({ ok: false, error: { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited`, trace: [] } });
    return new Promise<Outcome>((settle) => {
      this.pending = { requestId, settle };
      // The worker's getRemainingTimeInMillis counts down to an epoch time, as in Lambda.
      const epochDeadline = Math.round(Date.now() + (deadline - performance.now()));
      this.worker.postMessage({ type: "invoke", requestId, payload, deadline: epochDeadline, arn });
    });
  }

  /** Ends the thread; whoever waits for it gets `reason` (or the exit error). */
  terminate(reason?: ErrorShape): Promise<void> {
    this.dying = true;
    if (reason) this.settle(reason);
    else this.pending = undefined;
    if (!this.dead) void this.worker.terminate();
    return this.exited;
  }

  private onMessage(message: WorkerMessage): void {
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

type WorkerMessage =
  | { type: "ready" }
  | { type: "init-error"; error: ErrorShape }
  | { type: "exiting" }
  | { type: "result"; requestId: string; ok: true; payload: string; fatal?: boolean }
  | { type: "result"; requestId: string; ok: false; error: ErrorShape; fatal?: boolean };

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
