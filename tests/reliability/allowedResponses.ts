/**
 * What the fuzz properties allow a response to be: apigw-behavior.md turned into predicates.
 * Every REST gateway answer carries the request ids; a gateway error must be the documented
 * status, exact JSON body, `Content-Type: application/json` and `x-amzn-ErrorType` of its row
 * of the error table; a route's own answer is checked by what that route documents.
 */
import { UUID, type Reply } from "../local/integration/httpClient";

/** One acceptable answer. */
export type Outcome =
  | { kind: "gateway"; status: number; body: string; errorType?: string; headers?: Record<string, string> }
  | { kind: "route"; status: number; what: string; check?: (reply: Reply) => string | undefined }
  /**
   * Served by one of the local cloud's own endpoints, not the REST gateway: the status, a JSON
   * `{"message"}` body for errors, and with `errorTypes` the `x-amzn-ErrorType` AWS's APIs send.
   */
  | { kind: "local"; statuses: number[]; what: string; errorTypes?: boolean };

const gateway = (status: number, body: string, errorType?: string): Outcome => ({ kind: "gateway", status, body, errorType });

// Rows of apigw-behavior.md's "Gateway error responses (REST)" table, default templates.
export const MISSING_AUTHENTICATION_TOKEN = gateway(403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException");
export const FORBIDDEN = gateway(403, `{"message":"Forbidden"}`, "ForbiddenException");
export const TOO_MANY_REQUESTS = gateway(429, `{"message":"Too Many Requests"}`, "TooManyRequestsException");
export const UNAUTHORIZED = gateway(401, `{"message":"Unauthorized"}`, "UnauthorizedException");
export const UNSUPPORTED_MEDIA_TYPE = gateway(415, `{"message": "Unsupported Media Type"}`, "UnsupportedMediaTypeException");
export const CONFIGURATION_ERROR = gateway(500, `{"message": "Internal server error"}`, "InternalServerErrorException");

/** A route's own answer with this status, checked by `check` (a mismatch description, or undefined). */
export function route(status: number, what: string, check?: (reply: Reply) => string | undefined): Outcome {
  return { kind: "route", status, what, check };
}

/** The reason `reply` is none of `outcomes`, or undefined when it is one of them. */
export function mismatch(reply: Reply, outcomes: Outcome[], method: string): string | undefined {
  const reasons: string[] = [];
  for (const outcome of outcomes) {
    const reason = why(reply, outcome, method);
    if (reason === undefined) return undefined;
    reasons.push(reason);
  }
  return `${reply.status} ${JSON.stringify(reply.text.slice(0, 300))} (${JSON.stringify(pick(reply.headers, ["content-type", "x-amzn-errortype"]))}) is none of the allowed answers:\n  - ${reasons.join("\n  - ")}`;
}

function why(reply: Reply, outcome: Outcome, method: string): string | undefined {
  if (outcome.kind === "local") {
    if (!outcome.statuses.includes(reply.status)) return `${outcome.what}: status one of ${outcome.statuses.join(", ")}`;
    if (method !== "HEAD" && reply.status >= 400 && !isJsonMessage(reply.text)) return `${outcome.what}: a JSON {"message"} body`;
    if (outcome.errorTypes && reply.status >= 400 && !reply.headers["x-amzn-errortype"]) return `${outcome.what}: an x-amzn-ErrorType`;
    return undefined;
  }
  const ids = requestIdsProblem(reply);
  if (outcome.kind === "route") {
    if (reply.status !== outcome.status) return `${outcome.what}: status ${outcome.status}`;
    if (ids) return `${outcome.what}: ${ids}`;
    const detail = method === "HEAD" ? undefined : outcome.check?.(reply);
    return detail === undefined ? undefined : `${outcome.what}: ${detail}`;
  }
  const expected = `${outcome.status} ${outcome.body}${outcome.errorType ? ` (${outcome.errorType})` : ""}`;
  if (reply.status !== outcome.status) return expected;
  // HEAD answers carry no body.
  if (method !== "HEAD" && reply.text !== outcome.body) return `${expected}: exact body`;
  if (reply.headers["content-type"] !== "application/json") return `${expected}: Content-Type application/json`;
  if (reply.headers["x-amzn-errortype"] !== outcome.errorType) return `${expected}: x-amzn-ErrorType ${outcome.errorType ?? "absent"}`;
  for (const [name, value] of Object.entries(outcome.headers ?? {})) {
    if (reply.headers[name] !== value) return `${expected}: header ${name}: ${value}`;
  }
  return ids ? `${expected}: ${ids}` : undefined;
}

function requestIdsProblem(reply: Reply): string | undefined {
  if (!UUID.test(reply.headers["x-amzn-requestid"] ?? "")) return "x-amzn-RequestId is a UUID";
  if (!/^[A-Za-z0-9+/=_-]{8,}$/.test(reply.headers["x-amz-apigw-id"] ?? "")) return "x-amz-apigw-id is set";
  return undefined;
}

/** `{"message": <string or null>, ...}`: the REST-JSON error shape of AWS's APIs. */
function isJsonMessage(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && (typeof value.message === "string" || value.message === null);
  } catch {
    return false;
  }
}

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => n in headers).map((n) => [n, headers[n]]));
}

// ---------------------------------------------------------------------------------------------
// Routing: which resource a request target addresses [apigw-behavior.md: routing on the
// resource tree, stage in the path, 403 Missing Authentication Token otherwise].

/**
 * The resource paths a request target may address, under every reading the behaviour spec
 * leaves open: whether percent-escapes in literal segments are decoded before matching,
 * whether `.`/`..` segments are resolved (RFC 3986 §5.2.4) before routing, and whether empty
 * segments (`//`, a trailing `/`) are ignored. For a plain path all readings agree; where they
 * differ, the gateway may answer as any of them. `undefined` in the set: no resource (403).
 * The stage must be the first segment.
 */
export function addressedResources(target: string, stage: string, resourcePaths: string[]): Set<string | undefined> {
  const found = new Set<string | undefined>();
  const paths = [target.split("?")[0]];
  // An absolute-form target (RFC 9112 §3.2.2) names its path after the authority.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*(\/[^?]*)?/i.exec(target);
  if (absolute) paths.push(absolute[1] ?? "/");
  for (const path of paths) {
    for (const decode of [true, false]) {
      for (const resolveDots of [true, false]) {
        for (const dropEmpty of [true, false]) {
          found.add(matchResource(readSegments(path, { decode, resolveDots, dropEmpty }), stage, resourcePaths));
        }
      }
    }
  }
  return found;
}

function readSegments(path: string, how: { decode: boolean; resolveDots: boolean; dropEmpty: boolean }): string[] | undefined {
  if (!path.startsWith("/")) return undefined;
  let segments = path.slice(1).split("/");
  if (how.decode) {
    try {
      segments = segments.map((s) => decodeURIComponent(s));
    } catch {
      return undefined;
    }
  }
  if (how.resolveDots) {
    const out: string[] = [];
    for (const s of segments) {
      if (s === ".") continue;
      if (s === "..") out.pop();
      else out.push(s);
    }
    segments = out;
  }
  if (how.dropEmpty) segments = segments.filter((s) => s !== "");
  return segments;
}

/** Literal segments win over `{param}` (no greedy resources in the demo API or these checks). */
function matchResource(segments: string[] | undefined, stage: string, resourcePaths: string[]): string | undefined {
  if (!segments || segments[0] !== stage) return undefined;
  const rest = segments.slice(1);
  if (rest.some((s) => s === "")) return undefined;
  const candidates = resourcePaths
    .map((p) => ({ path: p, parts: p.split("/").filter((s) => s !== "") }))
    .filter((r) => r.parts.length === rest.length && r.parts.every((part, i) => part === rest[i] || /^\{[^+]+\}$/.test(part)));
  // The most literal segments, earliest, wins.
  candidates.sort((a, b) => literalRank(b.parts) - literalRank(a.parts));
  return candidates[0]?.path;
}

function literalRank(parts: string[]): number {
  return parts.reduce((rank, part, i) => rank + (/^\{.*\}$/.test(part) ? 0 : 2 ** (parts.length - i)), 0);
}
