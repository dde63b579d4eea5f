/**
 * AWS Lambda's sizing limits (Lambda developer guide, "Lambda quotas": memory 128 MB to
 * 10,240 MB, timeout up to 900 s), checked in one place by HandlerFunction, the components
 * that size their own functions, and the stack config reader.
 */
import { shown } from "./apigateway/shownValue";

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
