import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { domainRequestPath } from "../../gateway/domainRequests";
import { isDroppedRequestHeader } from "../../gateway/headers";
import { PayloadTooLarge, hasNoBody, readBody, sourceIpOf, splitUrl } from "../../gateway/incomingRequest";
import { pooledRandom } from "../../randomPool";
import { FixedAnswer } from "../gatewayError";
import type { HeaderPair } from "../integrations/integrationTypes";
import type { GatewayAnswer, GatewayRequest } from "../invocation";

/** REST API payload limit (apigw-behavior.md, Limits: 10 MB). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Step 1, parse: reads the request into the gateway's view of it. A body over the payload
 * limit is refused before any API sees it: 413 with a plain-text body, `HTTP content length
 * exceeded 10485760 bytes.` (recorded from REST APIs: koki-develop/lgtm-generator#10,
 * 2021-09-12, `content-type: text; charset=utf-8`; the same text asserted by NHS England's
 * national-document-repository e2e tests and others), not the REQUEST_TOO_LARGE gateway
 * response, which customisations cannot change here.
 *
 * @param req - The incoming request, not yet read.
 */
export function parseRequest(req: IncomingMessage): GatewayRequest | Promise<GatewayRequest> {
  // Most requests (GETs) have no body: parsed at once, without a promise.
  if (hasNoBody(req)) {
    req.resume();
    return requestFrom(req, EMPTY_BODY);
  }
  return readBody(req, MAX_BODY_BYTES).then(
    (body) => requestFrom(req, body),
    (err: unknown) => {
      if (err instanceof PayloadTooLarge) throw new FixedAnswer(payloadTooLarge(), err.message);
      throw err;
    },
  );
}

const EMPTY_BODY = Buffer.alloc(0);

/** AWS's answer to a body over the 10 MB payload limit (see {@link parseRequest}). */
function payloadTooLarge(): GatewayAnswer {
  return { status: 413, headers: { "Content-Type": "text; charset=utf-8" }, body: `HTTP content length exceeded ${MAX_BODY_BYTES} bytes.` };
}

/**
 * The gateway's view of a request whose body has been read.
 *
 * @param req - The request (headers, URL, socket).
 * @param body - Its body.
 */
export function requestFrom(req: IncomingMessage, body: Buffer): GatewayRequest {
  const { rawPath, rawQuery } = splitUrl(req.url);
  // Headers AWS drops (hop-by-hop and others) are gone before anything reads them.
  const { headerPairs, headers, headersByLowerName, multiValueHeaders } = requestHeaders(req.rawHeaders);
  const query: Record<string, string> = Object.create(null);
  const multiValueQuery: Record<string, string[]> = Object.create(null);
  if (rawQuery !== "") {
    for (const [name, value] of new URLSearchParams(rawQuery)) {
      query[name] = value;
      (multiValueQuery[name] ??= []).push(value);
    }
  }
  const sourceIp = sourceIpOf(req);
  return {
    requestId: randomUUID(),
    extendedRequestId: extendedRequestId(),
    startedAt: new Date(),
    httpMethod: (req.method ?? "GET").toUpperCase(),
    headerPairs,
    path: rawPath,
    requestPath: rawPath,
    domainPath: domainRequestPath(req),
    rawQuery,
    headers,
    headersByLowerName,
    multiValueHeaders,
    query,
    multiValueQuery,
    body,
    sourceIp,
    client: callerConnection(sourceIp),
  };
}

/**
 * The caller's connection as integrations are told of it (X-Forwarded-Port/-Proto,
 * CloudFront-Forwarded-Proto): what AWS tells them, HTTPS on 443, since API Gateway endpoints
 * serve HTTPS only (recorded: `CloudFront-Forwarded-Proto: https` in the EDGE proxy events of
 * tests/fixtures/aws-recorded/lambda-proxy-event.json; `X-Forwarded-Port: 443` and
 * `X-Forwarded-Proto: https` whatever the caller sent, ustayready/fireprox#12). The local
 * gateway listens on plain HTTP and another port, but code behind it then behaves as deployed
 * (no http -> https redirect loop, secure cookies kept).
 *
 * @param sourceIp - The caller's address.
 */
function callerConnection(sourceIp: string): GatewayRequest["client"] {
  return { sourceIp, port: 443, proto: "https" };
}

/**
 * The caller's headers less those AWS drops, as pairs and as {@link headerMaps}'s maps, in one
 * pass over node's `rawHeaders` (every request takes this path).
 *
 * @param rawHeaders - `IncomingMessage.rawHeaders`.
 */
function requestHeaders(rawHeaders: readonly string[]): Pick<GatewayRequest, "headerPairs" | "headers" | "headersByLowerName" | "multiValueHeaders"> {
  const headerPairs: HeaderPair[] = [];
  const headers: Record<string, string> = Object.create(null);
  const headersByLowerName = new Map<string, string>();
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  const spelling = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const rawName = rawHeaders[i];
    const value = rawHeaders[i + 1];
    const lower = rawName.toLowerCase();
    if (isDroppedRequestHeader(lower)) continue;
    headerPairs.push([rawName, value]);
    const name = spelling.get(lower) ?? rawName;
    spelling.set(lower, name);
    headers[name] = value;
    headersByLowerName.set(lower, value);
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headerPairs, headers, headersByLowerName, multiValueHeaders };
}

/**
 * The request's headers as the gateway reads them: by name (the client's first spelling, the
 * last value, as API Gateway keeps them), by lower-case name, and every value by name.
 * Null-prototype maps: names such as `constructor` or `__proto__` are ordinary names here.
 *
 * @param pairs - The headers, in order.
 */
export function headerMaps(pairs: readonly HeaderPair[]): Pick<GatewayRequest, "headers" | "headersByLowerName" | "multiValueHeaders"> {
  const headers: Record<string, string> = Object.create(null);
  const headersByLowerName = new Map<string, string>();
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  const spelling = new Map<string, string>();
  for (const [rawName, value] of pairs) {
    const lower = rawName.toLowerCase();
    const name = spelling.get(lower) ?? rawName;
    spelling.set(lower, name);
    headers[name] = value;
    headersByLowerName.set(lower, value);
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, headersByLowerName, multiValueHeaders };
}

/** `$context.extendedRequestId`: 16 characters of random base64url, as AWS's `x-amz-apigw-id`. */
export function extendedRequestId(): string {
  return pooledRandom(12, "base64url");
}
