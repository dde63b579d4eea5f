import { GatewayError } from "../gatewayError";
import { requestHeader, type RestInvocation } from "../invocation";
import type { StageRuntime } from "../stageRuntime";
import { ThrottleChain } from "../tokenBucket";

/**
 * Step 4, API key and plan: for a method requiring a key, the key (from `x-api-key` or the
 * authorizer, per the API's apiKeySource), its usage plan's per-method limit, plan limit and
 * quota; then, for every method, the method's stage limit and the account's. AWS's order;
 * tokens are taken only if all admit.
 *
 * @param inv - The invocation; authorized.
 * @param stage - The stage being served.
 */
export function checkApiKeyAndThrottle(inv: RestInvocation, stage: StageRuntime): void {
  const method = inv.method!;
  const buckets = stage.throttleBuckets(method, inv.settings);
  if (!method.apiKeyRequired) {
    if (!ThrottleChain.tryAll(buckets)) throw new GatewayError("THROTTLED", `${inv.route}: stage or account limit`);
    return;
  }
  const { model } = stage;
  const key = model.apiKeySource === "AUTHORIZER" ? inv.authorized?.usageIdentifierKey : requestHeader(inv.request, "x-api-key");
  const check = stage.options.usagePlans?.check(model.apiId, model.stageName, method.resourcePath, method.httpMethod, key, { alsoThrottle: buckets }) ?? {
    ok: false as const,
    response: "INVALID_API_KEY" as const,
  };
  if (!check.ok) throw new GatewayError(check.response, `${inv.route}: API key or plan`);
  const identity = inv.context.identity as Record<string, unknown>;
  identity.apiKey = key;
  identity.apiKeyId = check.keyId;
}
