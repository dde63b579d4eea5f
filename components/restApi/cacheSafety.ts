/**
 * Configurations where the stage cache would hand one caller's answer to another: refused
 * before anything is created.
 */
import { ALL_METHODS_KEY, isMethodCached, toMethodPath, toSettingsKey } from "../apigateway";
import { type CorsPolicy, hasSingleOrigin } from "../cors";
import type { ResolvedMethodSetting } from "../methodSettings";
import type { AuthorizerSpec, ValidatedRoute } from "./spec";
import { keysCacheByParameters } from "./validateIntegration";

/**
 * A method behind an authorizer answers per caller; the stage cache keys on method, path and
 * the declared cache key parameters only, so unless the caller's identity is one of them, one
 * caller's cached response would be served to the next. Refuse that configuration.
 *
 * @param routes - The validated routes.
 * @param settings - The resolved method settings.
 * @param authorizers - The validated authorizers, by name.
 */
export function refuseSharedCachingOfCallerResponses(routes: ValidatedRoute[], settings: ResolvedMethodSetting[], authorizers: Record<string, AuthorizerSpec>): void {
  for (const route of routes) {
    if (!route.authorizer || !isCached(route, settings)) continue;
    const identity = authorizers[route.authorizer].identitySource.split(",").map((s) => s.trim());
    if (!identity.every((parameter) => route.cacheKeys.includes(parameter))) {
      throw new Error(
        `routes (${route.method} ${route.path}): the stage cache would serve one caller's response to another; ` +
          `disable caching for "${toSettingsKey(route)}" in methodSettings or add ${identity.map((p) => p.replace("method.request.", "")).join(", ")} to its cacheKeyParameters`,
      );
    }
  }
}

/**
 * With several allowed origins, Access-Control-Allow-Origin depends on the request's Origin (the
 * origin check of MOCK and non-proxy responses, the proxies' own echo). The stage cache keys on
 * method, path and the cache key parameters only: unless Origin is one of them, the first
 * caller's header is served to every later origin — announcing an origin to a site that is not
 * it, and withholding it from the other allowed ones. Refuse that configuration. (One origin or
 * `*` is a static header, the same for everybody.)
 *
 * @param routes - The validated routes.
 * @param settings - The resolved method settings.
 * @param cors - The CORS policy, if any.
 */
export function refuseSharedCachingAcrossOrigins(routes: ValidatedRoute[], settings: ResolvedMethodSetting[], cors: CorsPolicy | undefined): void {
  if (!cors || hasSingleOrigin(cors)) return;
  for (const route of routes) {
    if (!isCached(route, settings)) continue;
    if (route.cacheKeys.some((key) => key.toLowerCase() === "method.request.header.origin")) continue;
    const remedy = keysCacheByParameters(route.integration)
      ? "or add header.Origin to its cacheKeyParameters"
      : "(a MOCK integration cannot key its cache by header.Origin)";
    throw new Error(
      `routes (${route.method} ${route.path}): with several CORS origins the stage cache would serve one origin's Access-Control-Allow-Origin to the others; ` +
        `disable caching for "${toSettingsKey(route)}" in methodSettings ${remedy}`,
    );
  }
}

/** Whether the stage caches a route's responses (see {@link isMethodCached}). */
function isCached(route: ValidatedRoute, settings: ResolvedMethodSetting[]): boolean {
  const own = settings.find((s) => s.methodPath === toMethodPath(route));
  const effective = own ?? settings.find((s) => s.methodPath === ALL_METHODS_KEY);
  return isMethodCached(route.method, effective?.settings.cachingEnabled, own?.settings.cachingEnabled);
}
