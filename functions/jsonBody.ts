import type { ProxyEvent } from "./proxyTypes";

/**
 * Parses a proxy event's JSON body, decoding base64 first when API Gateway encoded it. Its own
 * module, so that a handler reading JSON bodies bundles nothing else of the users handlers.
 */
export function parseJsonBody(event: Pick<ProxyEvent, "body" | "isBase64Encoded">):
  | { ok: true; value: unknown }
  | { ok: false } {
  if (event.body === null || event.body === undefined) return { ok: false };
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

