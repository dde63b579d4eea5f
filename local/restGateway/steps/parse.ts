import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { PayloadTooLarge, readBody, sourceIpOf, splitUrl } from "../../gateway/incomingRequest";
import { pooledRandom } from "../../randomPool";
import { GatewayError } from "../gatewayError";
import type { GatewayRequest } from "../invocation";

/** REST API payload limit (apigw-behavior.md, Limits: 10 MB). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Step 1, parse: reads the request into the gateway's view of it. A body over the payload
 * limit is a REQUEST_TOO_LARGE gateway error.
 *
 * @param req - The incoming request, not yet read.
 */
export async function parseRequest(req: IncomingMessage): Promise<GatewayRequest> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof PayloadTooLarge) throw new GatewayError("REQUEST_TOO_LARGE", err.message);
    throw err;
  }
  return requestFrom(req, body);
}

/**
 * The gateway's view of a request whose body has been read.
 *
 * @param req - The request (headers, URL, socket).
 * @param body - Its body.
 */
export function requestFrom(req: IncomingMessage, body: Buffer): GatewayRequest {
  const { rawPath, rawQuery } = splitUrl(req.url);
  // Null-prototype maps: names such as `constructor` or `__proto__` are ordinary names here.
  const headers: Record<string, string> = Object.create(null);
  const headersByLowerName = new Map<string, string>();
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  // API Gateway keeps the client's header case (the first spelling seen); the last value wins
  // in `headers`.
  const spelling = new Map<string, string>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const value = req.rawHeaders[i + 1];
    const lower = req.rawHeaders[i].toLowerCase();
    const name = spelling.get(lower) ?? req.rawHeaders[i];
    spelling.set(lower, name);
    headers[name] = value;
    headersByLowerName.set(lower, value);
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = Object.create(null);
  const multiValueQuery: Record<string, string[]> = Object.create(null);
  if (rawQuery !== "") {
    for (const [name, value] of new URLSearchParams(rawQuery)) {
      query[name] = value;
      (multiValueQuery[name] ??= []).push(value);
    }
  }
  return {
    requestId: randomUUID(),
    extendedRequestId: extendedRequestId(),
    startedAt: new Date(),
    httpMethod: (req.method ?? "GET").toUpperCase(),
    path: rawPath,
    requestPath: rawPath,
    rawQuery,
    headers,
    headersByLowerName,
    multiValueHeaders,
    query,
    multiValueQuery,
    body,
    sourceIp: sourceIpOf(req),
  };
}

/** `$context.extendedRequestId`: 16 characters of random base64url, as AWS's `x-amz-apigw-id`. */
export function extendedRequestId(): string {
  return pooledRandom(12, "base64url");
}
