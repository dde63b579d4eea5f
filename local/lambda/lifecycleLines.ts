/**
 * The platform lines Lambda writes to a function's log stream around each invocation, in the
 * text log format ("Log and monitor Node.js Lambda functions",
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html):
 *
 *   START RequestId: <id> Version: $LATEST
 *   END RequestId: <id>
 *   REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t
 *
 * with `Init Duration: <ms> ms` after Max Memory Used on an environment's first invocation,
 * and, for an invocation that failed, `Status: timeout` or `Status: error\tError Type: <type>`
 * (the `status` and `errorType` of the platform.report event). A successful REPORT ends with a
 * tab, a failed one with its status: both as captured from CloudWatch (a success,
 * DataBiosphere/azul#5720, 2023-12-07; `Status: error\tError Type: Runtime.Unknown` with an
 * `INIT_REPORT Init Duration: 998.15 ms\tPhase: invoke\tStatus: error\tError Type:
 * Runtime.Unknown` line before START, 2026-02-09).
 */

/** How an invocation ended, as its REPORT line says it. */
export type InvocationStatus = { kind: "success" } | { kind: "timeout" } | { kind: "error"; errorType: string };

/** The figures of a REPORT line. */
export interface InvocationReport {
  requestId: string;
  /** The invocation's duration, in ms. */
  durationMs: number;
  /** The function's memory size, in MB. */
  memorySizeMb: number;
  /** The environment's peak memory use so far, in MB. */
  maxMemoryUsedMb: number;
  /** The environment's INIT, on its first invocation only. @default none: a warm start */
  initDurationMs?: number;
  /** @default success */
  status?: InvocationStatus;
}

/** `START RequestId: <id> Version: $LATEST` */
export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: $LATEST`;
}

/** `END RequestId: <id>` */
export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/**
 * The REPORT line. Billed Duration is the duration rounded up to the millisecond (1 ms
 * billing, since December 2020) plus, on a cold start, the INIT phase, which Lambda bills for
 * on-demand functions of managed runtimes since August 2025 ("AWS Lambda standardizes billing
 * for the INIT phase").
 *
 * @param report - The invocation's figures.
 */
export function reportLine(report: InvocationReport): string {
  const billed = Math.ceil(report.durationMs + (report.initDurationMs ?? 0));
  let line = `REPORT RequestId: ${report.requestId}\tDuration: ${report.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms`;
  line += `\tMemory Size: ${report.memorySizeMb} MB\tMax Memory Used: ${report.maxMemoryUsedMb} MB`;
  if (report.initDurationMs !== undefined) line += `\tInit Duration: ${report.initDurationMs.toFixed(2)} ms`;
  return line + statusText(report.status ?? { kind: "success" });
}

/**
 * `INIT_REPORT Init Duration: <ms> ms\tPhase: <phase>\tStatus: <status>[\tError Type: <type>]`:
 * Lambda's line for an INIT that failed or timed out.
 *
 * @param initDurationMs - How long the INIT ran.
 * @param phase - `init`, or `invoke` when the INIT ran as part of an invocation.
 * @param status - How it ended.
 */
export function initReportLine(initDurationMs: number, phase: "init" | "invoke", status: Exclude<InvocationStatus, { kind: "success" }>): string {
  return `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: ${phase}` + statusText(status);
}

/**
 * `<ISO time> <id> Task timed out after 3.00 seconds`: the line Lambda writes for an invocation
 * past its timeout.
 *
 * @param requestId - The invocation.
 * @param timeoutSeconds - The function's timeout.
 * @param at - When it timed out.
 */
export function timedOutLine(requestId: string, timeoutSeconds: number, at: Date): string {
  return `${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

function statusText(status: InvocationStatus): string {
  switch (status.kind) {
    case "success":
      return "\t";
    case "timeout":
      return "\tStatus: timeout";
    default:
      return `\tStatus: error\tError Type: ${status.errorType}`;
  }
}
