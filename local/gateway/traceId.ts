/**
 * The X-Ray trace header (`X-Amzn-Trace-Id`) as the local gateways hand it on: a new trace for
 * a caller that sent none, the caller's own trace continued when it sent a valid one.
 *
 * Format: `Root=1-<8 hex: epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=<0|1|?>` (X-Ray
 * developer guide, "Tracing header"). Keys are read case-insensitively, as LocalStack's
 * `parse_trace_id` (next_gen/execute_api/helpers.py) does.
 */
import { pooledRandom } from "../randomPool";

/** `1-<8 hex>-<24 hex>`: version 1, epoch seconds of the request, 96 random bits. */
const ROOT = /^1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}$/;
/** The caller's segment id: 64 bits in hex. */
const PARENT = /^[0-9a-fA-F]{16}$/;
/** `1` sampled, `0` not, `?` let the next hop decide (X-Ray "Tracing header"). */
const SAMPLED = /^[01?]$/;

/** The three fields of a trace header the gateways use; absent fields are undefined. */
export interface TraceHeader {
  /** `1-<8 hex>-<24 hex>`. */
  root: string;
  /** The caller's segment id, 16 hex. */
  parent?: string;
  /** `0`, `1` or `?`. */
  sampled?: string;
}

/** The trace of one request through a gateway. */
export interface RequestTrace {
  /** The trace id, `1-<8 hex>-<24 hex>` (the caller's, or new). */
  root: string;
  /**
   * `X-Amzn-Trace-Id` as the integration receives it. Without a caller trace it is `Root=`
   * alone: recorded from AWS in Lambda proxy events (WebSocket `$connect` events captured
   * 2020-12-13 gist noid11/4aa8933d, 2024-11-12 gist ran-isenberg/7c73a1db; HTTP API event
   * gist kenjij/35085553, 2020-02-07) and on the wire to an HTTP_PROXY backend
   * (ustayready/fireprox#39, netcat capture, 2024-11-27: `X-Amzn-Trace-Id: Root=XXX`).
   * With a valid caller trace, the caller's Root, Parent and Sampled are passed on (AWS
   * continues the caller's trace; inferred, the exact value an integration sees then is not
   * recorded).
   */
  integration: string;
  /**
   * `X-Amzn-Trace-Id` of the REST answer when the gateway sets one (AWS, AWS_PROXY and HTTP
   * integrations): `Root=<root>;Parent=<parent>;Sampled=<sampled>`. A caller's Parent is kept,
   * otherwise a new one is drawn (LocalStack test_apigateway_common.py::test_invocation_trace_id,
   * recorded 07-08-2024: with `Root=..;Parent=7fa8c0f79203be72;Sampled=1` sent, the answer
   * contains it with that Parent second; with `Root=` alone, the answer has another Parent).
   * Sampled: the caller's, else `1` when it sent a Parent and `0` otherwise (LocalStack
   * handlers/parse.py `populate_trace_id`; not recorded).
   */
  response: string;
}

/**
 * A new trace id, `1-<epoch seconds, 8 hex>-<24 random hex>`.
 *
 * @param nowMs - The request's time, in milliseconds since the epoch. @default Date.now()
 */
export function newTraceRoot(nowMs: number = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000).toString(16).padStart(8, "0").slice(-8);
  return `1-${seconds}-${pooledRandom(12, "hex")}`;
}

/**
 * A new segment id for the Parent field: 16 random hex.
 */
function newTraceParent(): string {
  return pooledRandom(8, "hex");
}

/**
 * A new full trace header, `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0`: what the
 * Lambda runtime puts in `_X_AMZN_TRACE_ID` for an invoke that brings none (the same value as
 * `newTraceId()` in local/lambda/lambdaRuntime.ts, so that module can import this one).
 *
 * @param nowMs - The invoke's time, in milliseconds since the epoch. @default Date.now()
 */
export function newTraceId(nowMs: number = Date.now()): string {
  return `Root=${newTraceRoot(nowMs)};Parent=${newTraceParent()};Sampled=0`;
}

/**
 * The Root, Parent and Sampled fields of a trace header, or undefined when it has no valid
 * Root (X-Ray ignores a malformed header and starts a new trace; how API Gateway treats one is
 * not recorded, so the local gateways do the same). An invalid Parent or Sampled is left out
 * rather than failing the whole header. Other fields (Lineage, Self, ...) are ignored.
 *
 * @param value - The header value, e.g. `Root=1-5e66d96f-7491f09xmpl79d18acf3d050;Sampled=1`.
 */
export function parseTraceHeader(value: string | undefined): TraceHeader | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const fields = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    // The first occurrence counts, so that a later duplicate cannot override it.
    if (!fields.has(key)) fields.set(key, part.slice(eq + 1).trim());
  }
  const root = fields.get("root");
  if (root === undefined || !ROOT.test(root)) return undefined;
  const parent = fields.get("parent");
  const sampled = fields.get("sampled");
  return {
    root,
    ...(parent !== undefined && PARENT.test(parent) ? { parent } : {}),
    ...(sampled !== undefined && SAMPLED.test(sampled) ? { sampled } : {}),
  };
}

/**
 * The caller's trace, from the first valid `X-Amzn-Trace-Id` it sent.
 *
 * @param callerHeader - The header's value(s) as received: one string, several (a repeated
 *   header), or undefined when the caller sent none.
 */
export function callerTrace(callerHeader: string | readonly string[] | undefined): TraceHeader | undefined {
  const values = typeof callerHeader === "string" ? [callerHeader] : (callerHeader ?? []);
  for (const value of values) {
    const parsed = parseTraceHeader(value);
    if (parsed) return parsed;
  }
  return undefined;
}

/**
 * The trace of one request: the caller's continued when it sent a valid `X-Amzn-Trace-Id`,
 * a new one otherwise. See {@link RequestTrace} for the two header values and their sources.
 *
 * @param callerHeader - The caller's `X-Amzn-Trace-Id` value(s). @default none: a new trace
 * @param nowMs - The request's arrival, in milliseconds since the epoch (a new Root's time). @default Date.now()
 */
export function requestTrace(callerHeader?: string | readonly string[], nowMs: number = Date.now()): RequestTrace {
  const caller = callerTrace(callerHeader);
  const root = caller?.root ?? newTraceRoot(nowMs);
  let integration = `Root=${root}`;
  if (caller?.parent !== undefined) integration += `;Parent=${caller.parent}`;
  if (caller?.sampled !== undefined) integration += `;Sampled=${caller.sampled}`;
  const parent = caller?.parent ?? newTraceParent();
  const sampled = caller?.sampled ?? (caller?.parent !== undefined ? "1" : "0");
  return { root, integration, response: `Root=${root};Parent=${parent};Sampled=${sampled}` };
}
