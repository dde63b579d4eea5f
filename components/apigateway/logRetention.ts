/**
 * CloudWatch Logs retention: the only values PutRetentionPolicy accepts (CloudWatch Logs API
 * reference, PutRetentionPolicy, `retentionInDays`). Any other number is refused at deploy.
 */
import { shown } from "./shownValue";
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Access-log retention of the API stages. */
export const DEFAULT_ACCESS_LOG_RETENTION_DAYS = 30;

/** Retention of each function's log group. */
export const DEFAULT_FUNCTION_LOG_RETENTION_DAYS = 14;

/**
 * Why a value is not a retention CloudWatch accepts, naming it `at`; undefined when it is one.
 *
 * @param value - The value read.
 * @param at - The argument path or config key, e.g. `stage.accessLogRetentionDays`.
 */
export function logRetentionProblem(value: unknown, at: string): string | undefined {
  if ((LOG_RETENTION_DAYS as readonly unknown[]).includes(value)) return undefined;
  return `${at} must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${shown(value)})`;
}
