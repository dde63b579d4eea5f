/**
 * Stage method settings: the `*\/*` stage defaults and per-method overrides, validated and
 * merged so that each method path gets one complete settings object.
 */
import {
  ALL_METHODS_KEY,
  CACHE_TTL_SECONDS,
  DEFAULT_UNAUTHORIZED_CACHE_CONTROL_STRATEGY,
  type ThrottleArgs,
  UNAUTHORIZED_CACHE_CONTROL_STRATEGIES,
  type UnauthorizedCacheControlStrategy,
  cacheTtlProblem,
  parseSettingsKey,
  throttleProblem,
  toMethodPath,
  toSettingsKey,
} from "./apigateway";
import { refuse } from "./argumentErrors";
import { pathSlug } from "./resourcePaths";

export type { ThrottleArgs, UnauthorizedCacheControlStrategy };

/** Response caching of a method (needs the stage's cache cluster). */
export interface CachingArgs {
  /** @default false */
  enabled?: boolean;
  /**
   * Seconds a cached response is served (0..3600; 0 disables caching).
   * @default 300
   */
  ttlSeconds?: number;
  /** Encrypt cached responses at rest. @default false */
  encrypted?: boolean;
  /**
   * Only callers allowed `execute-api:InvalidateCache` may bypass the cache with
   * `Cache-Control: max-age=0`.
   * @default true
   */
  requireAuthorizationForCacheControl?: boolean;
  /**
   * What other callers sending `Cache-Control: max-age=0` get.
   * @default "SUCCEED_WITH_RESPONSE_HEADER"
   */
  unauthorizedCacheControlHeaderStrategy?: UnauthorizedCacheControlStrategy;
}

/** Settings for the stage (`*\/*`) or one method. */
export interface MethodSettingArgs {
  /** CloudWatch metrics per method. @default true for `*\/*` */
  metricsEnabled?: boolean;
  /** Execution logging. @default "INFO" for `*\/*` */
  loggingLevel?: "OFF" | "ERROR" | "INFO";
  /** Log full requests and responses (never in production: it logs bodies and tokens). @default false */
  dataTraceEnabled?: boolean;
  /** @default none (only the account limit applies) */
  throttle?: ThrottleArgs;
  /** @default caching off */
  caching?: CachingArgs;
}

/** A setting ready for `aws.apigateway.MethodSettings`. */
export interface ResolvedMethodSetting {
  /** The key as given: `*\/*`, `data/GET`, `users/{id}/GET`. */
  key: string;
  /** AWS's methodPath: the resource path with each `/` escaped as `~1`, then `/METHOD`. */
  methodPath: string;
  /** A name fragment for the resource: `all`, `data-GET`. */
  slug: string;
  settings: {
    metricsEnabled: boolean;
    loggingLevel: string;
    dataTraceEnabled: boolean;
    throttlingRateLimit?: number;
    throttlingBurstLimit?: number;
    cachingEnabled: boolean;
    cacheTtlInSeconds?: number;
    cacheDataEncrypted?: boolean;
    requireAuthorizationForCacheControl?: boolean;
    unauthorizedCacheControlHeaderStrategy?: UnauthorizedCacheControlStrategy;
  };
}


/**
 * Validates the settings and merges every override over `*\/*`. AWS resets the fields an
 * override leaves out to their defaults (an override that only throttles would turn caching
 * off), so each override here carries the full stage defaults under its own values.
 */
export function resolveMethodSettings(
  settings: Record<string, MethodSettingArgs>,
  api: {
    routes: { method: string; path: string }[];
    cacheClusterSize?: string;
    /** How errors name the settings: the argument, or the config key they came from. @default "methodSettings" */
    field?: string;
  },
): ResolvedMethodSetting[] {
  const name = api.field ?? "methodSettings";
  const stageDefaults = settings[ALL_METHODS_KEY] ?? {};
  const resolved: ResolvedMethodSetting[] = [];
  for (const [key, override] of Object.entries(settings)) {
    const field = `${name}["${key}"]`;
    if (typeof override !== "object" || override === null) throw new Error(`${field} must be an object`);
    let methodPath = ALL_METHODS_KEY;
    let slug = "all";
    if (key !== ALL_METHODS_KEY) {
      const method = parseSettingsKey(key);
      if ("problem" in method) throw new Error(`${field}: ${method.problem}`);
      if (!api.routes.some((r) => r.path === method.path && r.method === method.method)) {
        const known = api.routes.map((r) => toSettingsKey({ path: r.path, method: r.method as typeof method.method })).join(", ");
        throw new Error(`${field}: there is no route ${method.method} ${method.path} (routes: ${known})`);
      }
      methodPath = toMethodPath(method);
      slug = `${pathSlug(method.path)}-${method.method}`;
    }
    // Keys present but undefined (optional config passed through) must not erase a default.
    const merged: MethodSettingArgs = {
      ...definedOnly(stageDefaults),
      ...definedOnly(override),
      caching: { ...definedOnly(stageDefaults.caching ?? {}), ...definedOnly(override.caching ?? {}) },
    };
    resolved.push({ key, methodPath, slug, settings: toAwsSettings(merged, field, api.cacheClusterSize) });
  }
  if (!resolved.some((r) => r.key === ALL_METHODS_KEY)) {
    resolved.unshift({ key: ALL_METHODS_KEY, methodPath: ALL_METHODS_KEY, slug: "all", settings: toAwsSettings({}, `${name}["*/*"]`, api.cacheClusterSize) });
  }
  return resolved;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toAwsSettings(s: MethodSettingArgs, field: string, cacheClusterSize: string | undefined): ResolvedMethodSetting["settings"] {
  const loggingLevel = s.loggingLevel ?? "INFO";
  if (!["OFF", "ERROR", "INFO"].includes(loggingLevel)) {
    throw new Error(`${field}.loggingLevel must be OFF, ERROR or INFO (got ${JSON.stringify(s.loggingLevel)})`);
  }
  const out: ResolvedMethodSetting["settings"] = {
    metricsEnabled: s.metricsEnabled ?? true,
    loggingLevel,
    dataTraceEnabled: s.dataTraceEnabled ?? false,
    cachingEnabled: false,
  };
  if (s.throttle) {
    refuse(throttleProblem(s.throttle, `${field}.throttle`));
    out.throttlingRateLimit = s.throttle.rateLimit;
    out.throttlingBurstLimit = s.throttle.burstLimit;
  }
  const caching = s.caching ?? {};
  if (caching.enabled) {
    if (cacheClusterSize === undefined) {
      throw new Error(`${field}.caching.enabled needs a cache cluster: set stage.cacheClusterSize`);
    }
    const ttl = caching.ttlSeconds ?? CACHE_TTL_SECONDS.default;
    refuse(cacheTtlProblem(ttl, `${field}.caching.ttlSeconds`));
    const strategy = caching.unauthorizedCacheControlHeaderStrategy ?? DEFAULT_UNAUTHORIZED_CACHE_CONTROL_STRATEGY;
    if (!UNAUTHORIZED_CACHE_CONTROL_STRATEGIES.includes(strategy)) {
      throw new Error(`${field}.caching.unauthorizedCacheControlHeaderStrategy must be one of ${UNAUTHORIZED_CACHE_CONTROL_STRATEGIES.join(", ")} (got ${JSON.stringify(strategy)})`);
    }
    out.cachingEnabled = true;
    out.cacheTtlInSeconds = ttl;
    out.cacheDataEncrypted = caching.encrypted ?? false;
    out.requireAuthorizationForCacheControl = caching.requireAuthorizationForCacheControl ?? true;
    out.unauthorizedCacheControlHeaderStrategy = strategy;
  }
  return out;
}
