import type { IncomingMessage } from "node:http";

/**
 * Reading an HTTP request the way the three local gateways (REST, HTTP API, WebSocket's
 * @connections and upgrade requests) all need it: the body up to a payload limit, the URL
 * split into raw path and raw query, the caller's address.
 */

/** A body larger than the gateway's payload limit (each gateway answers it its own way). */
export class PayloadTooLarge extends Error {
  /** @param limitBytes - The limit the body went past. */
  constructor(readonly limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes`);
    this.name = "PayloadTooLarge";
  }
}

/** A client that went away before the end of its body: there is nobody to answer. */
export class ClientGone extends Error {
  constructor() {
    super("the client closed the connection before the end of the body");
    this.name = "ClientGone";
  }
}

const EMPTY_BODY = Buffer.alloc(0);

/**
 * The request body, read to the end. Past `limitBytes` it keeps reading (so that the client
 * gets the answer rather than a reset) but stops keeping, and rejects with
 * {@link PayloadTooLarge} at the end.
 *
 * @param req - The request, not yet read.
 * @param limitBytes - The largest body kept (API Gateway's payload limit for the API type).
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  // Most requests (GETs) take this path, without a stream read per request.
  if (hasNoBody(req)) {
    req.resume();
    return Promise.resolve(EMPTY_BODY);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
    });
    req.once("end", () => (size > limitBytes ? reject(new PayloadTooLarge(limitBytes)) : resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
    req.once("error", reject);
    req.once("close", () => {
      if (!req.complete) reject(new ClientGone());
    });
  });
}

/**
 * HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding has no body (nor one
 * with `Content-Length: 0`).
 *
 * @param req - The request.
 */
export function hasNoBody(req: IncomingMessage): boolean {
  const declaredLength = req.headers["content-length"];
  return req.headers["transfer-encoding"] === undefined && (declaredLength === undefined || declaredLength === "0");
}

/**
 * `/a/b?x=1` -> `{ rawPath: "/a/b", rawQuery: "x=1" }`, neither decoded.
 *
 * @param url - The request target as received (`req.url`). @default "/" when absent
 */
export function splitUrl(url: string | undefined): { rawPath: string; rawQuery: string } {
  const target = url ?? "/";
  const queryAt = target.indexOf("?");
  return queryAt >= 0 ? { rawPath: target.slice(0, queryAt), rawQuery: target.slice(queryAt + 1) } : { rawPath: target, rawQuery: "" };
}

/**
 * The caller's IPv4 address as API Gateway reports it (`$context.identity.sourceIp`): an
 * IPv4-mapped IPv6 address loses its `::ffff:` prefix.
 *
 * @param req - The request.
 */
export function sourceIpOf(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `dd/MMM/yyyy:HH:mm:ss +0000`, as `$context.requestTime` is formatted.
 *
 * @param date - The moment the request arrived.
 */
export function awsRequestTime(date: Date): string {
  // Thousands of requests share a second: format it once.
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    const pad = (n: number) => String(n).padStart(2, "0");
    lastSecond = second;
    lastRequestTime = `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
  }
  return lastRequestTime;
}

let lastSecond = Number.NaN;
let lastRequestTime = "";
