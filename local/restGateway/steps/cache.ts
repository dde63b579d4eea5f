import { GatewayError } from "../gatewayError";
import { requestHeader, type GatewayAnswer, type RestInvocation } from "../invocation";
import type { TemplateInput } from "../mappingTemplate";
import { cacheKey } from "../responseCache";
import type { MethodModel, MethodSettingModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";
import { CACHE_TTL_SECONDS, isMethodCached } from "../../../components/apigateway";

/**
 * Step 6, cache lookup: for a method the stage cache applies to, the entry for this request's
 * cache key. A hit is the answer. `Cache-Control: max-age=0` skips the lookup for callers
 * allowed to refresh (the entry is then rewritten by the cache store step); others are
 * ignored or refused, per the stage's unauthorizedCacheControlHeaderStrategy.
 *
 * @param inv - The invocation; validated.
 * @param stage - The stage being served.
 */
export function lookUpCache(inv: RestInvocation, stage: StageRuntime): void {
  const method = inv.method!;
  const caching = cachingFor(method, inv.request.httpMethod, inv.settings, stage);
  if (!caching || !stage.cache) return;
  const { model } = stage;
  const key = cacheKey({
    apiId: model.apiId,
    stage: model.stageName,
    // The request's method, not the declared one: an ANY method must not answer a DELETE
    // with a GET's entry.
    method: inv.request.httpMethod,
    resourcePath: method.resourcePath,
    keyParameters: (method.integration?.cacheKeyParameters ?? []).map((p) => [p, requestParameter(p, inv.templateInput)]),
  });
  inv.cache = { key, ttlSeconds: caching.ttlSeconds, result: "miss" };
  const wantsFresh = /(^|,)\s*max-age\s*=\s*0\s*(,|$)/i.test(requestHeader(inv.request, "cache-control") ?? "");
  if (wantsFresh && mayRefresh(inv, stage)) return;
  if (wantsFresh && inv.settings.unauthorizedCacheControlHeaderStrategy === "FAIL_WITH_403") {
    throw new GatewayError("ACCESS_DENIED", `${inv.route}: Cache-Control: max-age=0 without execute-api:InvalidateCache`);
  }
  const hit = stage.cache.get(key);
  if (!hit) return;
  inv.cache.result = "hit";
  inv.answer = { status: hit.statusCode, headers: hit.headers, body: hit.body, fromIntegration: true };
}

/**
 * Step 11, cache store: a 2XX answer of a cached method is kept for the method's TTL.
 *
 * @param inv - The invocation, answered by its integration.
 * @param stage - The stage being served.
 */
export function storeInCache(inv: RestInvocation, stage: StageRuntime): void {
  const answer = inv.answer;
  if (!inv.cache || inv.cache.result === "hit" || !stage.cache || !answer || answer.status < 200 || answer.status >= 300) return;
  const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
  stage.cache.set(inv.cache.key, { statusCode: answer.status, headers: flattenHeaders(answer.headers), body }, inv.cache.ttlSeconds);
}

/**
 * When authorization is required, only callers allowed execute-api:InvalidateCache on this
 * method may refresh (ApiCache's invalidator roles).
 */
function mayRefresh(inv: RestInvocation, stage: StageRuntime): boolean {
  if (!inv.settings.requireAuthorizationForCacheControl) return true;
  const methodArn = stage.methodArn(inv.request.httpMethod, inv.request.path);
  return stage.options.mayInvalidateCache?.(inv.context.authorizer as Record<string, unknown> | undefined, methodArn) ?? false;
}

/**
 * Caching applies to GET requests by default (an ANY method's GETs included), to other methods
 * only when the method's own setting says so.
 */
function cachingFor(method: MethodModel, requestMethod: string, settings: MethodSettingModel, stage: StageRuntime): { ttlSeconds: number } | undefined {
  if (!isMethodCached(requestMethod, settings.cachingEnabled, stage.ownSettingsFor(method)?.cachingEnabled)) return undefined;
  const ttlSeconds = settings.cacheTtlInSeconds ?? CACHE_TTL_SECONDS.default;
  return ttlSeconds > 0 ? { ttlSeconds } : undefined;
}

/** `method.request.querystring.category` -> the request's value. */
function requestParameter(parameter: string, input: TemplateInput): string | undefined {
  const m = /^method\.request\.(querystring|header|path)\.(.+)$/.exec(parameter);
  if (!m) return undefined;
  if (m[1] === "header") return headerValue(input.params.header, m[2]);
  return input.params[m[1] as "querystring" | "path"][m[2]];
}

/**
 * A header by name, case-insensitively.
 *
 * @param headers - Headers by name as sent.
 * @param name - The name in any case.
 */
export function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}

function flattenHeaders(headers: GatewayAnswer["headers"]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]));
}
