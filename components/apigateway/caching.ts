/**
 * Stage caching: cluster sizes, TTLs, the Cache-Control strategies, and which methods a
 * stage caches (API Gateway developer guide, "Enable API caching": "only GET methods have
 * caching enabled" by the stage setting; another method is cached when its own method
 * setting enables caching).
 */
import { shown } from "./shownValue";

/** The stage cache cluster sizes API Gateway offers, in GB (CreateStage `cacheClusterSize`). */
export const CACHE_CLUSTER_SIZES = ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"] as const;
export type CacheClusterSize = (typeof CACHE_CLUSTER_SIZES)[number];

/** Seconds a cached response is served: 0 (off) to 3600, 300 when not set (MethodSetting `cacheTtlInSeconds`). */
export const CACHE_TTL_SECONDS = { min: 0, max: 3600, default: 300 } as const;

/** What a caller without `execute-api:InvalidateCache` sending `Cache-Control: max-age=0` gets. */
export const UNAUTHORIZED_CACHE_CONTROL_STRATEGIES = ["FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"] as const;
export type UnauthorizedCacheControlStrategy = (typeof UNAUTHORIZED_CACHE_CONTROL_STRATEGIES)[number];

/** @default strategy when caching is enabled and none is set. */
export const DEFAULT_UNAUTHORIZED_CACHE_CONTROL_STRATEGY: UnauthorizedCacheControlStrategy = "SUCCEED_WITH_RESPONSE_HEADER";

/**
 * Whether a stage caches a method's responses: caching must be on in the method's effective
 * settings, and a method other than GET must enable it in its own setting (the stage-wide
 * `*\/*` setting caches GET only).
 *
 * @param method - The method (`GET`, `POST`, ...; for a request, the request's method).
 * @param effectiveCachingEnabled - `cachingEnabled` of the method's own setting merged over `*\/*`.
 * @param ownCachingEnabled - `cachingEnabled` of the method's own setting, undefined when it has none.
 */
export function isMethodCached(method: string, effectiveCachingEnabled: boolean | undefined, ownCachingEnabled: boolean | undefined): boolean {
  return Boolean(effectiveCachingEnabled && (method === "GET" || ownCachingEnabled));
}

/**
 * Why a value is not a cache cluster size, naming it `at`; undefined when it is one.
 *
 * @param value - The value read (config may give a number).
 * @param at - The argument path or config key.
 */
export function cacheClusterSizeProblem(value: unknown, at: string): string | undefined {
  if ((CACHE_CLUSTER_SIZES as readonly unknown[]).includes(value)) return undefined;
  return `${at} must be one of ${CACHE_CLUSTER_SIZES.join(", ")} GB (got ${shown(value)})`;
}

/**
 * Why a value is not a cache TTL, naming it `at`; undefined when it is one.
 *
 * @param value - The value read.
 * @param at - The argument path or config key.
 */
export function cacheTtlProblem(value: unknown, at: string): string | undefined {
  if (Number.isInteger(value) && (value as number) >= CACHE_TTL_SECONDS.min && (value as number) <= CACHE_TTL_SECONDS.max) return undefined;
  return `${at} must be an integer from ${CACHE_TTL_SECONDS.min} to ${CACHE_TTL_SECONDS.max} (got ${shown(value)})`;
}
