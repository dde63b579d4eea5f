/**
 * AWS Lambda's sizing limits (Lambda developer guide, "Lambda quotas": memory 128 MB to
 * 10,240 MB, timeout up to 900 s), checked in one place by HandlerFunction, the components
 * that size their own functions, and the stack config reader; and the one check of all of a
 * function's settings.
 */
import { logRetentionProblem } from "./apigateway/logRetention";
import { shown } from "./apigateway/shownValue";
import { lambdaRuntimeProblem } from "./lambdaRuntime";

/** Memory in MB: 128 to 10,240. */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;

/** Timeout in s: 1 to 900. */
export const LAMBDA_TIMEOUT_SECONDS = { min: 1, max: 900 } as const;

/**
 * Why a value is not a memory size Lambda accepts, naming it `at`; undefined when it is one.
 *
 * @param value - The value read.
 * @param at - The argument path or config key, e.g. `flushFunction.memorySize`.
 */
export function memorySizeProblem(value: unknown, at: string): string | undefined {
  return integerProblem(value, at, LAMBDA_MEMORY_MB, " MB");
}

/**
 * Why a value is not a timeout Lambda accepts, naming it `at`; undefined when it is one.
 *
 * @param value - The value read.
 * @param at - The argument path or config key, e.g. `apigw-kit:lambda.timeoutSeconds`.
 */
export function timeoutProblem(value: unknown, at: string): string | undefined {
  return integerProblem(value, at, LAMBDA_TIMEOUT_SECONDS, "");
}

function integerProblem(value: unknown, at: string, range: { min: number; max: number }, unit: string): string | undefined {
  if (Number.isInteger(value) && (value as number) >= range.min && (value as number) <= range.max) return undefined;
  return `${at} must be an integer from ${range.min} to ${range.max}${unit} (got ${shown(value)})`;
}

/** The settings a component may give each function it creates (all optional). */
export interface FunctionSettings {
  memorySize?: number;
  timeoutSeconds?: number;
  logRetentionDays?: number;
  runtime?: unknown;
}

/**
 * The first problem with a function's settings (runtime, memory, timeout, log retention, each
 * checked only when set), naming it with `prefix` + the field; undefined when there is none.
 * HandlerFunction and every component that sizes its own functions call this one check.
 *
 * @param settings - The settings given.
 * @param prefix - What starts each name: `fn: `, `ApiCache: flushFunction.`.
 */
export function functionSettingsProblem(settings: FunctionSettings, prefix: string): string | undefined {
  const runtime = settings.runtime === undefined ? undefined : lambdaRuntimeProblem(settings.runtime);
  if (runtime !== undefined) return `${prefix}runtime ${runtime}`;
  const checks: Array<[unknown, string, (value: unknown, at: string) => string | undefined]> = [
    [settings.memorySize, "memorySize", memorySizeProblem],
    [settings.timeoutSeconds, "timeoutSeconds", timeoutProblem],
    [settings.logRetentionDays, "logRetentionDays", logRetentionProblem],
  ];
  for (const [value, field, problem] of checks) {
    const found = value === undefined ? undefined : problem(value, `${prefix}${field}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
