/**
 * Throttles and quotas: one rule wherever API Gateway takes a token bucket (stage and method
 * settings, HTTP and WebSocket route settings, usage plans and their per-method throttles).
 *
 * AWS types the rate as a double >= 0 and the burst as an integer >= 0 (API Gateway API
 * reference: ThrottleSettings; MethodSetting `throttlingRateLimit` / `throttlingBurstLimit`;
 * CloudFormation `AWS::ApiGateway::UsagePlan ThrottleSettings`, Minimum 0 for both). On top
 * of that, a bucket of 0 with a rate above 0 is refused here: it admits no request at all,
 * which is never what a rate above 0 means (rate 0 with burst 0 blocks on purpose and is
 * allowed).
 */
import { shown } from "./shownValue";

/** A token bucket: `burstLimit` tokens, refilled at `rateLimit` per second. */
export interface ThrottleArgs {
  /** Steady-state requests per second (>= 0, may be fractional). */
  rateLimit: number;
  /** Bucket size: the most requests admitted at once (an integer >= 0; >= 1 when `rateLimit` > 0). */
  burstLimit: number;
}

/** The periods a usage plan quota counts over. */
export const QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

/** A usage plan quota: requests per key per period. */
export interface QuotaArgs {
  /** Requests each key may make per period (a positive integer). */
  limit: number;
  /** The period, counted in UTC. */
  period: QuotaPeriod;
  /**
   * Requests taken off the limit in the first period (0 to limit - 1).
   * @default 0
   */
  offset?: number;
}

/**
 * Why a value is not a throttle AWS accepts, naming the field `at`; undefined when it is one.
 *
 * @param value - The value read (from arguments or config).
 * @param at - The argument path or config key, e.g. `routes[0].throttle`.
 */
export function throttleProblem(value: unknown, at: string): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `${at} must be { rateLimit, burstLimit }`;
  const { rateLimit, burstLimit } = value as Partial<ThrottleArgs>;
  if (typeof rateLimit !== "number" || !Number.isFinite(rateLimit) || rateLimit < 0) {
    return `${at}.rateLimit must be a number >= 0 (got ${shown(rateLimit)})`;
  }
  if (typeof burstLimit !== "number" || !Number.isInteger(burstLimit) || burstLimit < 0) {
    return `${at}.burstLimit must be an integer >= 0 (got ${shown(burstLimit)})`;
  }
  if (rateLimit > 0 && burstLimit === 0) {
    return `${at}.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing`;
  }
  return undefined;
}

/**
 * Why a value is not a quota AWS accepts, naming the field `at`; undefined when it is one.
 *
 * @param value - The value read.
 * @param at - The argument path or config key, e.g. `tiers[0] (basic).quota`.
 */
export function quotaProblem(value: unknown, at: string): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `${at} must be { limit, period, offset? }`;
  const quota = value as Partial<QuotaArgs>;
  if (typeof quota.limit !== "number" || !Number.isInteger(quota.limit) || quota.limit < 1) {
    return `${at}.limit must be a positive integer (got ${shown(quota.limit)})`;
  }
  if (!(QUOTA_PERIODS as readonly unknown[]).includes(quota.period)) {
    return `${at}.period must be DAY, WEEK or MONTH (got ${JSON.stringify(quota.period)})`;
  }
  // offset is the number of requests taken off the limit in the first period (QuotaSettings,
  // API Gateway API reference): an offset of `limit` or more would refuse every request.
  const offset = quota.offset;
  if (offset !== undefined && (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset >= quota.limit)) {
    return `${at}.offset must be an integer from 0 to ${quota.limit - 1} (limit - 1) (got ${shown(offset)})`;
  }
  return undefined;
}
