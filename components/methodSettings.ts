/**
 * Stage method settings: the `*\/*` stage defaults and per-method overrides, validated and
 * merged so that each method path gets one complete settings object.
 */
import type { ThrottleArgs, UnauthorizedCacheControlStrategy } from "./apigateway";

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

const STRATEGIES: UnauthorizedCacheControlStrategy[] = ["FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];

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
  const stageDefaults = settings["*/*"] ?? {};
  const resolved: ResolvedMethodSetting[] = [];
  for (const [key, override] of Object.entries(settings)) {
    const field = `${name}["${key}"]`;
    if (typeof override !== "object" || override === null) throw new Error(`${field} must be an object`);
    let methodPath = "*/*";
    let slug = "all";
    if (key !== "*/*") {
      const cut = key.lastIndexOf("/");
      const method = key.slice(cut + 1);
      if (cut < 0 || !METHODS.includes(method)) {
        throw new Error(`${field}: keys are "*/*" or "<resource path>/<METHOD>", like "data/GET", "users/{id}/GET" or "/GET" for the root`);
      }
      if (cut > 0 && key.startsWith("/")) {
        throw new Error(`${field}: write the resource path without its leading slash ("${key.slice(1)}")`);
      }
      const path = "/" + key.slice(0, cut);
      if (!api.routes.some((r) => r.path === path && r.method === method)) {
        const known = api.routes.map((r) => `${r.path.slice(1)}/${r.method}`).join(", ");
        throw new Error(`${field}: there is no route ${method} ${path} (routes: ${known})`);
      }
      // AWS keys method settings by the resource path with every "/" (the leading one too)
      // escaped as "~1": GET /users/{id} is "~1users~1{id}/GET", GET / is "~1/GET".
      methodPath = `${path.replace(/\//g, "~1")}/${method}`;
      slug = `${path === "/" ? "root" : path.slice(1).replace(/[{}+]/g, "").replace(/[^A-Za-z0-9]+/g, "-")}-${method}`;
    }
    // Keys present but undefined (optional config passed through) must not erase a default.
    const merged: MethodSettingArgs = {
      ...definedOnly(stageDefaults),
      ...definedOnly(override),
      caching: { ...definedOnly(stageDefaults.caching ?? {}), ...definedOnly(override.caching ?? {}) },
    };
    resolved.push({ key, methodPath, slug, settings: toAwsSettings(merged, field, api.cacheClusterSize) });
  }
  if (!resolved.some((r) => r.key === "*/*")) {
    resolved.unshift({ key: "*/*", methodPath: "*/*", slug: "all", settings: toAwsSettings({}, `${name}["*/*"]`, api.cacheClusterSize) });
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
    const { rateLimit, burstLimit } = s.throttle;
    if (typeof rateLimit !== "number" || !(rateLimit >= 0)) {
      throw new Error(`${field}.throttle.rateLimit must be a number >= 0 (got ${JSON.stringify(rateLimit)})`);
    }
    if (!Number.isInteger(burstLimit) || burstLimit < 0) {
      throw new Error(`${field}.throttle.burstLimit must be an integer >= 0 (got ${JSON.stringify(burstLimit)})`);
    }
    if (rateLimit > 0 && burstLimit === 0) {
      throw new Error(`${field}.throttle.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing`);
    }
    out.throttlingRateLimit = rateLimit;
    out.throttlingBurstLimit = burstLimit;
  }
  const caching = s.caching ?? {};
  if (caching.enabled) {
    if (cacheClusterSize === undefined) {
      throw new Error(`${field}.caching.enabled needs a cache cluster: set stage.cacheClusterSize`);
    }
    const ttl = caching.ttlSeconds ?? 300;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) {
      throw new Error(`${field}.caching.ttlSeconds must be an integer from 0 to 3600 (got ${JSON.stringify(caching.ttlSeconds)})`);
    }
    const strategy = caching.unauthorizedCacheControlHeaderStrategy ?? "SUCCEED_WITH_RESPONSE_HEADER";
    if (!STRATEGIES.includes(strategy)) {
      throw new Error(`${field}.caching.unauthorizedCacheControlHeaderStrategy must be one of ${STRATEGIES.join(", ")} (got ${JSON.stringify(strategy)})`);
    }
    out.cachingEnabled = true;
    out.cacheTtlInSeconds = ttl;
    out.cacheDataEncrypted = caching.encrypted ?? false;
    out.requireAuthorizationForCacheControl = caching.requireAuthorizationForCacheControl ?? true;
    out.unauthorizedCacheControlHeaderStrategy = strategy;
  }
  return out;
}
