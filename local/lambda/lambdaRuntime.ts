/**
 * The Lambda runtime of the local cloud: runs each function from its own unpacked deployment
 * package (a task root, see taskRoots.ts), one execution environment per concurrent
 * invocation, on the Node.js major its runtime names (nodeBinaries.ts), with the function's own
 * environment variables, timeout, memory limit and a per-function concurrency limit with a
 * wait queue.
 *
 * What follows AWS, and what is local:
 * - A function can load only what its archive holds, Node's builtins and what the runtime
 *   provides (the AWS SDK v3, on NODE_PATH: providedPackages.ts); the task roots live outside
 *   any project, so nothing else is found by walking up.
 * - The environment variables are Lambda's (AWS_EXECUTION_ENV=AWS_Lambda_<runtime>, _HANDLER,
 *   LAMBDA_TASK_ROOT, NODE_PATH, TZ=:UTC, ...), under the function's own; there is no Runtime
 *   API, so AWS_LAMBDA_RUNTIME_API is not set.
 * - Payload limits: an event of 6,291,456 bytes or more is refused before any environment sees
 *   it (RequestEntityTooLargeException, 413); a result over 6,291,556 bytes is the function
 *   error Function.ResponseSizeTooLarge.
 * - An execution environment serves one invocation at a time and is reused warm; the first
 *   invocation it serves is its cold start (INIT: the module is required once).
 * - INIT failures (missing module, syntax error, missing handler, a throwing module) fail the
 *   invocation and the environment is discarded; the next invocation starts a fresh one.
 * - A handler error keeps the environment (Lambda does too); a timeout, a crash (uncaught
 *   exception, unhandled rejection, `process.exit`) or running out of memory ends it.
 * - Over the concurrency limit AWS throttles at once (429); here invocations wait FIFO in a
 *   bounded queue, and only beyond it are throttled. The caller's `timeoutMs` covers the
 *   wait, INIT and the run; the function's timeout covers the run; INIT alone is limited to
 *   10 s, Lambda's INIT limit for on-demand environments.
 * - Results and events cross as JSON text, as through the Invoke API.
 * - An unknown function, or an invocation after `stop()`, resolves as an error
 *   (ResourceNotFoundException, Runtime.ExitError) rather than rejecting, so a gateway maps it
 *   like any other integration failure.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { pooledRandom } from "../randomPool";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { ArchiveFiles } from "./codeArchive";
import { ExecutionEnvironment, type ErrorShape } from "./executionEnvironment";
import { InvocationLog } from "./invocationLog";
import { missingNodeAdvice, nodeForMajor, type NodeForMajor } from "./nodeBinaries";
import { createRuntimeDir } from "./providedPackages";
import { TaskRoots } from "./taskRoots";

export interface FunctionSpec {
  /** The physical function name (`[A-Za-z0-9_-]{1,64}`, as Lambda allows). */
  name: string;
  arn: string;
  /** The deployment package's files (codeArchive.ts), unpacked into the function's task root. */
  files: ArchiveFiles;
  /**
   * Lambda's handler setting, `[path/]<module>.<export>`.
   * @default "__index.handler" (CallbackFunction's)
   */
  handler?: string;
  /**
   * A Node.js runtime; the function runs on its major.
   * @default "nodejs24.x"
   */
  runtime?: string;
  /** The function's own variables; Lambda's reserved keys (AWS_REGION, ...) are refused. */
  environment: Record<string, string>;
  /** Lambda's timeout, in seconds (AWS's default is 3); fractions are allowed locally. */
  timeoutSeconds: number;
  /**
   * Lambda's memory size in MB; the V8 heap of each environment is capped at 90 % of it.
   * @default 128
   */
  memorySize?: number;
}

export type InvokeResult =
  | { kind: "ok"; value: unknown; durationMs: number; coldStart: boolean }
  /**
   * The function failed; `timedOut` when it ran past its own timeout, which Lambda answers as an
   * error (`Sandbox.Timedout`, "Task timed out after N seconds") like any unhandled one.
   */
  | { kind: "error"; errorType: string; errorMessage: string; trace: string[]; durationMs: number; timedOut?: true }
  /** The caller's `timeoutMs` passed before the function answered (API Gateway's integration timeout). */
  | { kind: "timeout"; durationMs: number }
  /**
   * The Invoke API refused the request before any environment saw it (an event of 6,291,456
   * bytes or more: RequestEntityTooLargeException, HTTP 413).
   */
  | { kind: "rejected"; statusCode: number; errorType: string; errorMessage: string; durationMs: number }
  /** The concurrency limit was reached and the wait queue is full. */
  | { kind: "throttled"; durationMs: number };

export interface InvokeOptions {
  /**
   * How long the caller waits, in ms (API Gateway's integration timeout).
   * @default as long as the function runs
   */
  timeoutMs?: number;
  /**
   * The X-Ray trace header the caller passes on (`Root=1-...;Parent=...;Sampled=0`), which the
   * function reads as `_X_AMZN_TRACE_ID` while the invocation runs.
   * @default a new trace
   */
  traceId?: string;
}

export interface LambdaRuntimeOptions {
  /**
   * Where task roots are unpacked (`<workDir>/<function name>-<deployment>/`) beside the
   * runtime's own folder: a new or empty folder outside any project (no `node_modules` or
   * `package.json` above it), which the runtime owns and removes on `stop()`.
   */
  workDir: string;
  /**
   * Variables every function gets (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_REGION`, dummy
   * credentials), merged under Lambda's own and each function's variables.
   */
  baseEnvironment: Record<string, string>;
  /**
   * Execution environments per function busy at once.
   * @default 10
   */
  maxConcurrency?: number;
  /**
   * Invocations per function waiting for an environment; beyond it they are throttled.
   * @default 1000
   */
  maxQueue?: number;
  /**
   * Where execution environments of a function whose Node.js major is the host's run: worker
   * threads of this process (cheap to start and to call; the process's timezone is then set to
   * UTC, as Lambda's, since threads share it), or child processes like any other major (as
   * isolated as Lambda's: their own working directory, the task root, and their own process
   * state). Other majors always run in child processes.
   * @default "threads"
   */
  hostMajorIn?: "threads" | "processes";
  /**
   * Receives each line a function writes to stdout or stderr, with where it came from: the
   * stream, and the request id of the invocation it was written during (none during INIT).
   * @default written to process.stderr, prefixed with `[function name]`
   */
  log?: (functionName: string, line: string, origin: FunctionLogOrigin) => void;
  /**
   * Receives the lines Lambda itself writes to a function's log stream, per invocation, in
   * CloudWatch's text format: `START RequestId: <id> Version: $LATEST`, `END RequestId: <id>`,
   * `REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128
   * MB\tMax Memory Used: 60 MB\t` (with `Init Duration` on a cold start, `Status: timeout` or
   * `Status: error\tError Type: ...` when the invocation or the runtime failed), and
   * `INIT_REPORT ...` for a failed INIT (local/lambda/lifecycleLines.ts). With it, environments
   * also measure their memory.
   * @default none: nothing is timed or measured
   */
  lifecycleLog?: (functionName: string, line: string) => void;
}

/** Where a function's output line came from. */
export interface FunctionLogOrigin {
  stream: "stdout" | "stderr";
  /** The invocation running when the line was written. @default none: written during INIT or between invocations */
  requestId?: string;
}

/** Counters of one function; `running` = environments busy now, `warm` = idle ones. */
export interface FunctionStats {
  /** Invocations admitted (throttled ones are not counted, as in CloudWatch). */
  invocations: number;
  coldStarts: number;
  /** Results of kind "error" (timeouts are counted apart). */
  errors: number;
  timeouts: number;
  throttles: number;
  running: number;
  warm: number;
}

const DEFAULT_MAX_CONCURRENCY = 10;
const DEFAULT_MAX_QUEUE = 1000;
const DEFAULT_MEMORY_MB = 128;
// Lambda gives an on-demand environment 10 s to initialise, apart from the function timeout.
const INIT_TIMEOUT_MS = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
// CallbackFunction's handler setting: the `handler` export of `__index.js`.
const DEFAULT_HANDLER = "__index.handler";
const DEFAULT_RUNTIME = "nodejs24.x";
/**
 * Lambda's synchronous Invoke limits: the request must be smaller than 6 MiB (recorded:
 * "Request must be smaller than 6291456 bytes for the InvokeFunction operation", 413
 * RequestEntityTooLargeException), the response at most 6 MiB + 100 bytes (recorded in
 * LocalStack's AWS-validated test_lambda.snapshot.json, test_lambda_too_large_response,
 * 24-11-2025). Both are measured on the JSON text.
 */
const MAX_REQUEST_BYTES = 6_291_456;
const MAX_RESPONSE_BYTES = 6_291_556;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
// "Defined runtime environment variables" of the Lambda developer guide: CreateFunction
// refuses these in a function's configuration.
const RESERVED_VARIABLES = new Set([
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);

type Admission = "admitted" | "throttled" | "timeout" | "stopped";

interface DeployedFunction {
  spec: FunctionSpec;
  /** Bumped by each deploy: environments of an older generation are not reused. */
  generation: number;
  /** The task root of the current deployment. */
  taskRoot: string;
  handler: string;
  runtime: string;
  node: NodeForMajor;
  env: Record<string, string>;
  /** Warm environments, most recently used last. */
  idle: ExecutionEnvironment[];
  environments: Set<ExecutionEnvironment>;
  /** Concurrency slots in use: environments starting or busy. */
  busy: number;
  queue: Array<(admission: Admission) => void>;
  counters: Omit<FunctionStats, "running" | "warm">;
}

export class LambdaRuntime {
  private readonly functions = new Map<string, DeployedFunction>();
  private readonly maxConcurrency: number;
  private readonly maxQueue: number;
  private readonly log: (functionName: string, line: string, origin: FunctionLogOrigin) => void;
  private readonly taskRoots: TaskRoots;
  /** The runtime's folder (`/var/runtime`) and NODE_PATH's folder of provided packages. */
  private readonly runtimeDir: string;
  private readonly providedPackages: string;
  private stopped = false;

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    if (!Number.isInteger(this.maxConcurrency) || this.maxConcurrency < 1) throw new Error(`maxConcurrency must be an integer >= 1 (got ${options.maxConcurrency})`);
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 0) throw new Error(`maxQueue must be an integer >= 0 (got ${options.maxQueue})`);
    this.log = options.log ?? ((name, line) => process.stderr.write(`[${name}] ${line}\n`));
    // Lambda runs functions in UTC (TZ=:UTC). A worker thread cannot have a timezone of its
    // own: it has the process's, which follows process.env.TZ set here, in the main thread.
    if (options.hostMajorIn !== "processes" && process.env.TZ !== "UTC") process.env.TZ = "UTC";
    this.taskRoots = new TaskRoots(options.workDir);
    this.runtimeDir = path.join(options.workDir, ".runtime");
    this.providedPackages = createRuntimeDir(this.runtimeDir);
  }

  /**
   * Unpacks the function's deployment package into a new task root and makes it invokable; a
   * redeploy ends the old version's idle environments (busy ones finish first). Throws, naming
   * the function, for a configuration Lambda would refuse or the local cloud cannot run.
   */
  async deploy(spec: FunctionSpec): Promise<void> {
    if (this.stopped) throw new Error("the Lambda runtime is stopped");
    validateSpec(spec);
    const runtime = spec.runtime ?? DEFAULT_RUNTIME;
    const handler = spec.handler ?? DEFAULT_HANDLER;
    const node = this.nodeFor(spec.name, runtime);
    const taskRoot = this.taskRoots.create(spec.name, spec.files);
    const env = this.environmentOf(spec, { taskRoot, handler, runtime, node });
    const existing = this.functions.get(spec.name);
    if (existing) {
      Object.assign(existing, { spec, taskRoot, handler, runtime, node, env });
      existing.generation += 1;
      for (const environment of existing.idle.splice(0)) void environment.terminate();
      return;
    }
    this.functions.set(spec.name, {
      spec,
      generation: 0,
      taskRoot,
      handler,
      runtime,
      node,
      env,
      idle: [],
      environments: new Set(),
      busy: 0,
      queue: [],
      counters: { invocations: 0, coldStarts: 0, errors: 0, timeouts: 0, throttles: 0 },
    });
  }

  /** The Node.js that runs a runtime's functions; throws, naming the function, when there is none. */
  private nodeFor(functionName: string, runtime: string): NodeForMajor {
    const major = Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);
    if (!major) throw new Error(`function ${functionName}: runtime ${runtime} is not a Node.js runtime; the local cloud runs Node.js functions only`);
    const node = nodeForMajor(major);
    if (!node) throw new Error(`function ${functionName} (${runtime}): ${missingNodeAdvice(major)}`);
    if (node.kind === "thread" && this.options.hostMajorIn === "processes") return { kind: "process", binary: process.execPath, version: process.versions.node };
    return node;
  }

  /**
   * Invokes a function by name or ARN (optionally qualified `:$LATEST`), synchronously
   * (RequestResponse). Resolves in every case; rejects only for an event that is not JSON.
   * The caller waits at most `options.timeoutMs`; the function itself runs to its end or its
   * own timeout either way (holding its concurrency slot), as Lambda does when API Gateway
   * stops waiting.
   */
  async invoke(nameOrArn: string, event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    const started = performance.now();
    const durationMs = () => Math.round((performance.now() - started) * 1000) / 1000;
    const payload = event === undefined ? "{}" : JSON.stringify(event);
    if (payload === undefined) throw new TypeError("the event must be JSON-serializable");
    const callerDeadline = options.timeoutMs === undefined ? Infinity : started + options.timeoutMs;

    const fn = this.find(nameOrArn);
    if (!fn) {
      const arn = nameOrArn.startsWith("arn:") ? nameOrArn : `function ${nameOrArn}`;
      return { kind: "error", errorType: "ResourceNotFoundException", errorMessage: `Function not found: ${arn}`, trace: [], durationMs: durationMs() };
    }
    if (mayReach(payload, MAX_REQUEST_BYTES) && Buffer.byteLength(payload) >= MAX_REQUEST_BYTES) {
      // Refused by the Invoke API itself: no invocation, nothing in the function's counters.
      return {
        kind: "rejected",
        statusCode: 413,
        errorType: "RequestEntityTooLargeException",
        errorMessage: `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`,
        durationMs: durationMs(),
      };
    }
    const admission = await this.admit(fn, callerDeadline);
    if (admission === "throttled") {
      fn.counters.throttles += 1;
      return { kind: "throttled", durationMs: durationMs() };
    }
    if (admission === "stopped") return { kind: "error", ...stoppedError(), durationMs: durationMs() };
    fn.counters.invocations += 1;
    if (admission === "timeout") {
      fn.counters.timeouts += 1;
      return { kind: "timeout", durationMs: durationMs() };
    }
    // The concurrency slot is freed when the environment is, which may be after the caller
    // has its answer (a caller that stopped waiting leaves the function running).
    let environmentFree: Promise<void> = Promise.resolve();
    try {
      const ran = await this.run(fn, payload, callerDeadline, options.traceId);
      environmentFree = ran.environmentFree;
      const result = ran.result;
      if (result.kind === "error") fn.counters.errors += 1;
      if (result.kind === "timeout" || (result.kind === "error" && result.timedOut)) fn.counters.timeouts += 1;
      return { ...result, durationMs: durationMs() } as InvokeResult;
    } finally {
      void environmentFree.then(() => this.release(fn));
    }
  }

  /**
   * Deletes a function, as DeleteFunction does: it is no longer invokable
   * (ResourceNotFoundException), its idle environments end, busy ones end when their
   * invocation does, and invocations still waiting for a slot fail. Answers false for a name
   * that is not deployed.
   *
   * @param name - The function's name.
   */
  remove(name: string): boolean {
    const fn = this.functions.get(name);
    if (!fn) return false;
    this.functions.delete(name);
    // A newer generation: release() ends each busy environment once it is free.
    fn.generation += 1;
    for (const admit of fn.queue.splice(0)) admit("stopped");
    for (const environment of fn.idle.splice(0)) void environment.terminate();
    return true;
  }

  /** Counters of a function by name; throws for an unknown one. */
  stats(name: string): FunctionStats {
    const fn = this.find(name);
    if (!fn) throw new Error(`no function named "${name}" is deployed`);
    return { ...fn.counters, running: fn.busy, warm: fn.idle.length };
  }

  /**
   * Ends every environment; invocations running or waiting resolve as errors. Until then,
   * environments (idle ones too: their captured stdout/stderr) keep the process alive.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const exits: Array<Promise<void>> = [];
    for (const fn of this.functions.values()) {
      for (const admit of fn.queue.splice(0)) admit("stopped");
      fn.idle.length = 0;
      for (const environment of fn.environments) exits.push(environment.terminate(stoppedError()));
    }
    await Promise.all(exits);
    this.taskRoots.remove();
  }

  private find(nameOrArn: string): DeployedFunction | undefined {
    const unqualified = nameOrArn.replace(/:\$LATEST$/, "");
    const byName = this.functions.get(unqualified);
    if (byName) return byName;
    for (const fn of this.functions.values()) if (fn.spec.arn === unqualified) return fn;
    return undefined;
  }

  /** Takes a concurrency slot: at once, after waiting in the queue, or not at all. */
  private admit(fn: DeployedFunction, callerDeadline: number): Promise<Admission> | Admission {
    if (this.stopped) return "stopped";
    if (fn.busy < this.maxConcurrency) {
      fn.busy += 1;
      return "admitted";
    }
    if (fn.queue.length >= this.maxQueue) return "throttled";
    return new Promise<Admission>((resolve) => {
      let timer: { current?: NodeJS.Timeout } | undefined;
      const admit = (admission: Admission) => {
        clearTimeout(timer?.current);
        resolve(admission);
      };
      fn.queue.push(admit);
      if (callerDeadline !== Infinity) {
        timer = atDeadline(callerDeadline, () => {
          const at = fn.queue.indexOf(admit);
          if (at >= 0) fn.queue.splice(at, 1);
          resolve("timeout");
        });
      }
    });
  }

  /** Hands the slot to the first invocation waiting, or frees it. */
  private release(fn: DeployedFunction): void {
    const next = fn.queue.shift();
    if (next) next("admitted");
    else fn.busy -= 1;
  }

  /**
   * Runs one invocation. Answers when the function does, when it passes its own timeout, or
   * when the caller's deadline passes first; in that last case the function runs on, as on
   * AWS (API Gateway stops waiting, Lambda does not), and `environmentFree` settles when it
   * ends or reaches its own timeout.
   */
  private async run(
    fn: DeployedFunction,
    payload: string,
    callerDeadline: number,
    traceId: string | undefined,
  ): Promise<{ result: DistributiveOmit<InvokeResult, "durationMs">; environmentFree: Promise<void> }> {
    const settled = (result: DistributiveOmit<InvokeResult, "durationMs">) => ({ result, environmentFree: Promise.resolve() });
    let environment = fn.idle.pop();
    // One that crashed while idle (a timer's uncaught exception) is on its way out.
    while (environment && !environment.alive) environment = fn.idle.pop();
    const coldStart = environment === undefined;
    const log = this.invocationLog(fn);
    const requestId = randomUUID();
    if (!environment) {
      environment = this.startEnvironment(fn);
      fn.counters.coldStarts += 1;
      const init = await withDeadline(environment.ready, Math.min(performance.now() + INIT_TIMEOUT_MS, callerDeadline));
      if (init === "timeout" || !init.ok) {
        void environment.terminate();
        log?.initFailed(init === "timeout" ? "timeout" : init.error, environment, requestId);
        return settled(init === "timeout" ? { kind: "timeout" } : { kind: "error", ...init.error });
      }
      log?.initialized();
    }
    // The function's clock (getRemainingTimeInMillis) is its own timeout, whatever the caller waits.
    const functionDeadline = performance.now() + fn.spec.timeoutSeconds * 1000;
    log?.started(requestId);
    const invocation = environment.invoke({ requestId, payload, deadline: functionDeadline, arn: fn.spec.arn, traceId: traceId ?? newTraceId() });
    const outcome = await withDeadline(invocation, Math.min(functionDeadline, callerDeadline));
    if (outcome === "timeout" && callerDeadline < functionDeadline) {
      // The caller gave up first (API Gateway's 504); the function runs on to its end.
      const running = environment;
      const environmentFree = withDeadline(invocation, functionDeadline).then((late) => {
        if (late === "timeout") void running.terminate();
        else this.keepOrEnd(fn, running);
        log?.ended(late === "timeout" ? { kind: "timeout" } : late.ok ? { kind: "ok" } : { kind: "error", error: late.error }, running);
      });
      return { result: { kind: "timeout" }, environmentFree };
    }
    if (outcome === "timeout") {
      // Past its own timeout. It may be stuck in a busy loop: only ending the thread stops it.
      void environment.terminate();
      log?.ended({ kind: "timeout" }, environment);
      // Lambda answers the invocation with an error (behind a proxy integration, API Gateway's 502).
      return settled({
        kind: "error",
        errorType: "Sandbox.Timedout",
        errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.spec.timeoutSeconds.toFixed(2)} seconds`,
        trace: [],
        timedOut: true,
      });
    }
    this.keepOrEnd(fn, environment);
    log?.ended(outcome.ok ? { kind: "ok" } : { kind: "error", error: outcome.error }, environment);
    if (!outcome.ok) return settled({ kind: "error", ...outcome.error });
    if (mayReach(outcome.payload, MAX_RESPONSE_BYTES + 1) && Buffer.byteLength(outcome.payload) > MAX_RESPONSE_BYTES) {
      // A function error; the environment stays warm (the recorded second invoke succeeds too).
      return settled({ kind: "error", errorType: "Function.ResponseSizeTooLarge", errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, trace: [] });
    }
    return settled({ kind: "ok", value: JSON.parse(outcome.payload), coldStart });
  }

  /** The invocation's platform lines, when someone reads them. */
  private invocationLog(fn: DeployedFunction): InvocationLog | undefined {
    const lifecycleLog = this.options.lifecycleLog;
    if (!lifecycleLog) return undefined;
    const name = fn.spec.name;
    return new InvocationLog((line) => lifecycleLog(name, line), { memorySizeMb: fn.spec.memorySize ?? DEFAULT_MEMORY_MB, timeoutSeconds: fn.spec.timeoutSeconds });
  }

  /** After an invocation: the environment waits for the next one, or ends (crashed, redeployed, stopping). */
  private keepOrEnd(fn: DeployedFunction, environment: ExecutionEnvironment): void {
    if (environment.alive && environment.generation === fn.generation && !this.stopped) {
      fn.idle.push(environment);
    } else {
      void environment.terminate();
    }
  }

  private startEnvironment(fn: DeployedFunction): ExecutionEnvironment {
    const name = fn.spec.name;
    const environment = new ExecutionEnvironment({
      taskRoot: fn.taskRoot,
      handler: fn.handler,
      runtime: fn.runtime,
      nodeBinary: fn.node.kind === "process" ? fn.node.binary : undefined,
      generation: fn.generation,
      env: { ...fn.env, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName() },
      memorySize: fn.spec.memorySize ?? DEFAULT_MEMORY_MB,
      reportMemory: this.options.lifecycleLog !== undefined,
      log: (line, stream, requestId) => this.log(name, line, { stream, requestId }),
      onExit: () => {
        fn.environments.delete(environment);
        const at = fn.idle.indexOf(environment);
        if (at >= 0) fn.idle.splice(at, 1);
      },
    });
    fn.environments.add(environment);
    return environment;
  }

  /**
   * The base environment, under Lambda's defined variables, under the function's own. The
   * defined variables are those a nodejs24.x function reads from `process.env` on AWS (recorded
   * in LocalStack's AWS-validated test_lambda_common.snapshot.json, test_introspection_invoke,
   * 12-01-2026), with local paths in place of /var/task and /var/runtime.
   */
  private environmentOf(
    spec: FunctionSpec,
    deployment: { taskRoot: string; handler: string; runtime: string; node: NodeForMajor },
  ): Record<string, string> {
    const base = this.options.baseEnvironment;
    const region = base.AWS_REGION ?? spec.arn.split(":")[3] ?? "us-east-1";
    const memory = String(spec.memorySize ?? DEFAULT_MEMORY_MB);
    const nodeBin = path.dirname(deployment.node.kind === "process" ? deployment.node.binary : process.execPath);
    return {
      ...base,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: base.AWS_DEFAULT_REGION ?? region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${deployment.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: spec.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
      AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
      LAMBDA_TASK_ROOT: deployment.taskRoot,
      LAMBDA_RUNTIME_DIR: this.runtimeDir,
      LANG: "en_US.UTF-8",
      // As Lambda's bootstrap: the runtime's packages, the runtime folder, the task root.
      NODE_PATH: [this.providedPackages, this.runtimeDir, deployment.taskRoot].join(path.delimiter),
      PATH: [nodeBin, "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
      TZ: ":UTC",
      _HANDLER: deployment.handler,
      ...spec.environment,
    };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function validateSpec(spec: FunctionSpec): void {
  if (!FUNCTION_NAME.test(spec.name)) throw new Error(`name must match ${FUNCTION_NAME} (got ${JSON.stringify(spec.name)})`);
  if (!(spec.timeoutSeconds > 0 && spec.timeoutSeconds <= 900)) throw new Error(`${spec.name}: timeoutSeconds must be > 0 and <= 900 (got ${spec.timeoutSeconds})`);
  if (spec.memorySize !== undefined && !(Number.isInteger(spec.memorySize) && spec.memorySize >= 128 && spec.memorySize <= 10240)) {
    throw new Error(`${spec.name}: memorySize must be an integer from 128 to 10240 MB (got ${spec.memorySize})`);
  }
  const reserved = Object.keys(spec.environment).filter((key) => RESERVED_VARIABLES.has(key));
  if (reserved.length > 0) {
    // CreateFunction's InvalidParameterValueException.
    throw new Error(
      `${spec.name}: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
}

/** Settles with the promise's value, or "timeout" at the deadline (performance.now() ms). */
function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | "timeout"> {
  if (deadline === Infinity) return promise;
  return new Promise((resolve) => {
    const timer = atDeadline(deadline, () => resolve("timeout"));
    void promise.then((value) => {
      clearTimeout(timer.current);
      resolve(value);
    });
  });
}

/**
 * Calls `fire` once performance.now() has reached `deadline`. Node timers run on the event
 * loop's cached millisecond clock and may fire a little early: re-armed until really due, so
 * a timeout never reports less time than it allowed.
 */
function atDeadline(deadline: number, fire: () => void): { current?: NodeJS.Timeout } {
  const timer: { current?: NodeJS.Timeout } = {};
  const arm = () => {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return fire();
    timer.current = setTimeout(arm, Math.min(Math.ceil(remaining), MAX_TIMER_MS));
  };
  arm();
  return timer;
}

function stoppedError(): ErrorShape {
  return { errorType: "Runtime.ExitError", errorMessage: "Error: Runtime exited: the local Lambda runtime was stopped", trace: [] };
}

/**
 * Whether a string's UTF-8 form may be `bytes` long: at most 3 bytes per UTF-16 code unit, so
 * the usual small event skips counting its bytes.
 */
function mayReach(text: string, bytes: number): boolean {
  return text.length * 3 >= bytes;
}

/**
 * A new X-Ray trace header, `Root=1-<epoch seconds, 8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0`
 * (the X-Ray developer guide's "Tracing header").
 */
function newTraceId(): string {
  const random = pooledRandom(20, "hex");
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0");
  return `Root=1-${seconds}-${random.slice(0, 24)};Parent=${random.slice(24, 40)};Sampled=0`;
}

/** `2025/11/25/[$LATEST]<32 hex>`, Lambda's log stream name for an environment. */
function logStreamName(): string {
  const now = new Date();
  const day = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, "0")}/${String(now.getUTCDate()).padStart(2, "0")}`;
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}
