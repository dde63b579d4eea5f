/**
 * Times one invocation and writes its platform lines (lifecycleLines.ts) as Lambda does: START
 * when the handler is called (after a cold start's INIT, whose output comes first), END and
 * REPORT when it is done, `INIT_REPORT` when the INIT failed. Made only when someone reads the
 * lines (LambdaRuntimeOptions.lifecycleLog): otherwise the runtime times nothing.
 */
import { performance } from "node:perf_hooks";
import type { ErrorShape } from "./executionEnvironment";
import { endLine, initReportLine, reportLine, startLine, timedOutLine, type InvocationStatus } from "./lifecycleLines";

/** What the log reads of the environment that served the invocation. */
export interface ServingEnvironment {
  readonly alive: boolean;
  readonly maxMemoryUsedMb: number;
}

/** How an invocation ended, as the runtime saw it. */
export type InvocationEnd = { kind: "ok" } | { kind: "timeout" } | { kind: "error"; error: ErrorShape };

export class InvocationLog {
  private readonly createdAt = performance.now();
  private initDurationMs?: number;
  private requestId = "";
  private startedAt = 0;

  /**
   * @param emit - Writes one line to the function's log.
   * @param fn - The function's memory size (MB) and timeout (s).
   */
  constructor(
    private readonly emit: (line: string) => void,
    private readonly fn: { memorySizeMb: number; timeoutSeconds: number },
  ) {}

  /** A cold start's INIT is done: its duration goes on the first REPORT. */
  initialized(): void {
    this.initDurationMs = performance.now() - this.createdAt;
  }

  /**
   * A cold start's INIT failed or timed out: no handler runs. Written as Lambda writes an INIT
   * it ran as part of the invocation (INIT_REPORT, `Phase: invoke`), then, for a failure, the
   * invocation's START / END / REPORT with the INIT's time and error; a timed-out INIT leaves
   * the caller without an invocation (its INIT_REPORT only).
   *
   * @param failure - "timeout", or the INIT's error.
   * @param environment - The environment that failed.
   * @param requestId - The invocation's id.
   */
  initFailed(failure: "timeout" | ErrorShape, environment: ServingEnvironment, requestId: string): void {
    const initDurationMs = performance.now() - this.createdAt;
    if (failure === "timeout") {
      this.emit(initReportLine(initDurationMs, "init", { kind: "timeout" }));
      return;
    }
    // A module that throws its own error while loading is Runtime.Unknown (captured 2026-02-09).
    const status: InvocationStatus = { kind: "error", errorType: runtimeErrorType(failure.errorType, "Runtime.Unknown") };
    this.emit(initReportLine(initDurationMs, "invoke", status));
    this.emit(startLine(requestId));
    this.emit(endLine(requestId));
    this.emit(reportLine({ requestId, durationMs: initDurationMs, memorySizeMb: this.fn.memorySizeMb, maxMemoryUsedMb: environment.maxMemoryUsedMb, status }));
  }

  /** The handler is called: START. */
  started(requestId: string): void {
    this.requestId = requestId;
    this.startedAt = performance.now();
    this.emit(startLine(requestId));
  }

  /**
   * The invocation is over: END and REPORT (a timeout's `Task timed out` line first).
   *
   * @param end - How it ended.
   * @param environment - The environment that served it (its memory; whether it survived).
   */
  ended(end: InvocationEnd, environment: ServingEnvironment): void {
    const durationMs = performance.now() - this.startedAt;
    const status = this.statusOf(end, environment);
    if (status.kind === "timeout") this.emit(timedOutLine(this.requestId, this.fn.timeoutSeconds, new Date()));
    this.emit(endLine(this.requestId));
    const memorySizeMb = this.fn.memorySizeMb;
    // Out of memory: the environment reached its size (what Lambda reports then).
    const maxMemoryUsedMb = status.kind === "error" && status.errorType === "Runtime.OutOfMemory" ? memorySizeMb : environment.maxMemoryUsedMb;
    this.emit(reportLine({ requestId: this.requestId, durationMs, memorySizeMb, maxMemoryUsedMb, initDurationMs: this.initDurationMs, status }));
  }

  /**
   * The REPORT's status: a handler's own error is a completed invocation (its REPORT reads as
   * any other); `Status: error` is for the runtime failing (it exited, ran out of memory),
   * which ends the environment.
   */
  private statusOf(end: InvocationEnd, environment: ServingEnvironment): InvocationStatus {
    if (end.kind === "timeout") return { kind: "timeout" };
    if (end.kind === "ok" || (environment.alive && !end.error.errorType.startsWith("Runtime."))) return { kind: "success" };
    return { kind: "error", errorType: runtimeErrorType(end.error.errorType, "Runtime.ExitError") };
  }
}

/**
 * The error type of a runtime failure: the runtime's own (`Runtime.ExitError`,
 * `Runtime.OutOfMemory`, `Runtime.ImportModuleError`, ...), or `otherwise` for the function's
 * own error that failed the runtime (an uncaught exception, reported under its own name).
 */
function runtimeErrorType(errorType: string, otherwise: string): string {
  return errorType.startsWith("Runtime.") ? errorType : otherwise;
}
