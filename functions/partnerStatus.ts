import { corsPolicyFromEnv, jsonResponse, type CorsPolicy } from "./proxyResponse";
import type { ProxyEvent, ProxyResult } from "./proxyTypes";

export interface PartnerStatusOptions {
  /** @default read from `CORS_ALLOW_ORIGINS` / `CORS_ALLOW_CREDENTIALS` */
  cors?: CorsPolicy;
}

/**
 * GET /partner/status (Lambda proxy behind the HMAC token authorizer): answers who the
 * authorizer said the caller is — its principal and the context it attached — so a partner
 * can check its token end to end.
 */
export function createPartnerStatusHandler(options: PartnerStatusOptions = {}) {
  const cors = options.cors ?? corsPolicyFromEnv();
  return async (event: ProxyEvent): Promise<ProxyResult> => {
    const { principalId, ...context } = (event.requestContext.authorizer ?? {}) as Record<string, unknown>;
    return jsonResponse(200, { status: "ok", principalId: principalId ?? null, context, requestId: event.requestContext.requestId }, event, cors);
  };
}
