import { domainPrefixOf, domainRequestPath } from "../gateway/domainRequests";
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, validateHeaderName, validateHeaderValue } from "node:http";
import { performance } from "node:perf_hooks";
import { GatewayMetrics } from "../restGateway/metrics";
import { invocationHeaders, pairsFromRawHeaders, withForwardedHeaders } from "../gateway/headers";
import { mediaType } from "../gateway/mediaTypes";
import { requestTrace } from "../gateway/traceId";
import { ClientGone, PayloadTooLarge, awsRequestTime, readBody, sourceIpOf, splitUrl } from "../gateway/incomingRequest";
import type { LambdaInvoker } from "../gateway/lambdaInvoker";
import type { InvokeResult } from "../lambda/lambdaRuntime";
import { compileAccessLogFormat, DEFAULT_HTTP_ACCESS_LOG_FORMAT, type AccessLogRenderer } from "../logs/accessLogFormat";
import { httpAccessLogContext, type ServedHttpRequest } from "./accessLog";
import { ThrottleChain, TokenBucket } from "../restGateway/tokenBucket";
import type { HttpApiModel, HttpCorsModel, HttpRouteModel, JwtAuthorizerModel } from "./httpApiModel";
import { AwsJwtVerifier, type JwtVerifier } from "./jwtVerifier";
import { RouteMatcher } from "./routeMatcher";

export interface HttpGatewayOptions {
  model: HttpApiModel;
  lambda: LambdaInvoker;
  accountId: string;
  region: string;
  /**
   * Checks the tokens of JWT authorizers.
   * @default AwsJwtVerifier: aws-jwt-verify against `${issuer}/.well-known/jwks.json`
   */
  jwt?: JwtVerifier;
  /** Clock for token buckets, in ms. @default performance.now */
  now?: () => number;
  /** @default AWS's default account quota: 10,000 requests/second, burst 5,000 */
  accountThrottle?: { rate: number; burst: number };
  /**
   * Receives each request's access-log line once its answer is sent: the stage's
   * `accessLogSettings.format` (or, without one, the console's CLF) with the request's
   * `$context` filled (local/logs/accessLogFormat.ts). Its `$context.requestId` is the answer's
   * `apigw-requestid`, the gateway's own error answers included.
   * @default none: no line is rendered
   */
  accessLog?: (line: string) => void;
}

/** HTTP API payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_ACCOUNT_THROTTLE = { rate: 10_000, burst: 5_000 };

/**
 * Request bodies of these types reach the function as text; every other body (and one without
 * a Content-Type) is base64-encoded with `isBase64Encoded: true`. HTTP APIs have no
 * binaryMediaTypes: they infer the encoding from the Content-Type alone.
 */
const TEXT_MEDIA_TYPE = /^(text\/[^;]+|application\/(json|javascript|ecmascript|xml|graphql|[a-z0-9.+-]+\+(json|xml)))$/;

/** The gateway's own answers (apigw-behavior.md, HTTP API rows, and the notes on each). */
const ERRORS = {
  notFound: { status: 404, message: "Not Found" },
  unauthorized: { status: 401, message: "Unauthorized" },
  forbidden: { status: 403, message: "Forbidden" },
  throttled: { status: 429, message: "Too Many Requests" },
  tooLarge: { status: 413, message: "Request Entity Too Large" },
  // Lambda errors, malformed results and Lambda throttling all answer 500 on HTTP APIs (REST
  // answers 502 for the first two).
  integrationFailure: { status: 500, message: "Internal Server Error" },
  // An integration past its timeout (30 s at most) answers 503, not REST's 504.
  integrationTimeout: { status: 503, message: "Service Unavailable" },
} as const;

/** A request as the gateway sees it after parsing. */
interface HttpRequest {
  requestId: string;
  startedAt: Date;
  method: string;
  /** The path as sent, stage included. */
  rawPath: string;
  /**
   * The event's `rawPath`: `rawPath`, or through a custom domain the path as the caller sent
   * it, API mapping key included ("prefixes ... injected into the path regardless of which type
   * of API Gateway you're using", Powertools for AWS Lambda, event handler docs, "Custom Domain
   * API Mappings"; local/gateway/domainRequests.ts).
   */
  sentPath: string;
  /** The path after the stage. */
  path: string;
  rawQueryString: string;
  /** Lower-cased names, repeated headers joined with commas; cookies apart. */
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
  sourceIp: string;
}

/** A response ready to be written. */
interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** A preflight answered by the gateway: its CORS headers are final. */
  preflight?: boolean;
  /** The gateway's own error message, when the gateway answered (`$context.error.message`). */
  errorMessage?: string;
}

/** How a request was served: the answer, and what the access log and metrics tell of it (ServedHttpRequest's fields). */
interface ServeOutcome extends Pick<ServedHttpRequest, "routeKey" | "integrationLatencyMs" | "lambdaStatus" | "functionStatus" | "integrationError" | "claims" | "authorizerError"> {
  answer: HttpAnswer;
}

/**
 * The local HTTP API (API Gateway v2) data plane: serves one stage of an HTTP API from its
 * recorded resources: route keys with path parameters, greedy paths, ANY and `$default`; JWT
 * authorizers with scopes; Lambda proxy integrations with payload format 2.0; CORS answered by
 * the gateway; route and stage throttling; metrics.
 */
export class HttpGateway {
  readonly metrics = new GatewayMetrics();
  private readonly model: HttpApiModel;
  private readonly matcher: RouteMatcher;
  private readonly jwt: JwtVerifier;
  private readonly now: () => number;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly accountBucket: TokenBucket;
  /** The stage's access-log format, compiled; only when access lines are asked for. */
  private readonly accessLogLine?: AccessLogRenderer;

  constructor(private readonly options: HttpGatewayOptions) {
    this.model = options.model;
    this.now = options.now ?? (() => performance.now());
    this.jwt = options.jwt ?? new AwsJwtVerifier();
    this.matcher = new RouteMatcher(this.model.routes.keys());
    const account = options.accountThrottle ?? DEFAULT_ACCOUNT_THROTTLE;
    this.accountBucket = new TokenBucket(account.rate, account.burst, this.now);
    for (const route of this.model.routes.values()) checkServable(route, this.model);
    if (options.accessLog) this.accessLogLine = compileAccessLogFormat(this.model.accessLogFormat ?? DEFAULT_HTTP_ACCESS_LOG_FORMAT);
  }

  /** Serves one HTTP request. Never throws: failures become gateway answers. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let outcome: ServeOutcome;
    let request: HttpRequest | undefined;
    try {
      request = await readRequest(req);
      outcome = await this.serve(request);
    } catch (err) {
      // A client gone mid-body has nobody to answer.
      if (err instanceof ClientGone) return;
      if (!(err instanceof PayloadTooLarge)) process.stderr.write(`[http-gateway] ${(err as Error).stack ?? err}\n`);
      outcome = { answer: errorAnswer(err instanceof PayloadTooLarge ? ERRORS.tooLarge : ERRORS.integrationFailure) };
    }
    const { answer } = outcome;
    if (request) this.addCorsHeaders(request, answer);
    const requestId = request?.requestId ?? newRequestId();
    res.writeHead(answer.status, { ...answer.headers, "apigw-requestid": requestId, "content-length": String(answer.body.length) });
    res.end(req.method === "HEAD" ? undefined : answer.body);
    const latencyMs = performance.now() - started;
    this.metrics.record({ route: outcome.routeKey ?? "-", status: answer.status, latencyMs, integrationLatencyMs: outcome.integrationLatencyMs });
    if (this.accessLogLine) {
      const receivedAt = request?.startedAt ?? new Date(Date.now() - latencyMs);
      this.writeAccessLog(this.accessLogLine, {
        ...outcome,
        req,
        requestId,
        receivedAt,
        status: answer.status,
        responseLength: answer.body.length,
        latencyMs,
        errorMessage: answer.errorMessage,
      });
    }
  }

  /**
   * The request's access-log line, in the stage's format, to the `accessLog` option. A failure
   * to log is said, never thrown: the answer is already sent.
   */
  private writeAccessLog(render: AccessLogRenderer, served: ServedHttpRequest): void {
    try {
      this.options.accessLog!(render(httpAccessLogContext(served, this.model, this.options.accountId)));
    } catch (err) {
      process.stderr.write(`[http-gateway] access log: ${(err as Error)?.message ?? err}\n`);
    }
  }

  private async serve(request: HttpRequest): Promise<ServeOutcome> {
    // A named stage is the first path segment; `$default` is served at the root.
    if (this.model.stageName !== "$default") {
      const prefix = `/${this.model.stageName}`;
      if (request.rawPath !== prefix && !request.rawPath.startsWith(`${prefix}/`)) return { answer: errorAnswer(ERRORS.notFound) };
      request.path = request.rawPath.slice(prefix.length) || "/";
    }

    // A route for the path (the method's own, then ANY), then $default, then a CORS preflight
    // answered by the gateway. `$default` and ANY routes catch OPTIONS too, authorizer included:
    // AWS's advice is an open `OPTIONS /{proxy+}` route.
    const match = this.matcher.match(request.method, request.path);
    const route = (match ? this.model.routes.get(match.routeKey) : undefined) ?? this.model.routes.get("$default");
    if (!route && this.model.cors && isPreflight(request)) return { answer: this.preflight(request, this.model.cors) };
    if (!route || !route.integration) return { answer: errorAnswer(ERRORS.notFound) };
    const pathParameters = match?.pathParameters ?? {};

    if (!this.admit(route.routeKey)) return { routeKey: route.routeKey, answer: errorAnswer(ERRORS.throttled) };

    let authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } | undefined;
    if (route.authorizationType === "JWT") {
      const outcome = await this.authorize(route, request);
      if ("answer" in outcome) return { routeKey: route.routeKey, answer: outcome.answer, authorizerError: outcome.error };
      authorizer = outcome.authorizer;
    }

    const event = this.event(request, route, pathParameters, authorizer);
    const integrationStarted = performance.now();
    const result = await this.options.lambda.invoke(route.integration.functionArn ?? "", event, { timeoutMs: route.integration.timeoutMs });
    const integrationLatencyMs = performance.now() - integrationStarted;
    const { routeKey } = route;
    const claims = authorizer?.jwt.claims;
    const lambdaStatus = lambdaStatusOf(result);
    if (result.kind === "timeout") return { routeKey, integrationLatencyMs, claims, lambdaStatus, answer: errorAnswer(ERRORS.integrationTimeout) };
    const answer = result.kind === "ok" ? parseLambdaResult(result.value) : undefined;
    const integrationError = result.kind === "ok" ? undefined : "errorMessage" in result ? result.errorMessage : `Lambda answered ${result.kind}`;
    return { routeKey, integrationLatencyMs, claims, lambdaStatus, answer: answer ?? errorAnswer(ERRORS.integrationFailure), functionStatus: answer?.status, integrationError };
  }

  /** JWT authorizer: the token, its verification, then the route's scopes. */
  private async authorize(
    route: HttpRouteModel,
    request: HttpRequest,
  ): Promise<{ authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } } | { answer: HttpAnswer; error: string }> {
    const authorizer = this.model.authorizers.get(route.authorizerId ?? "") as JwtAuthorizerModel;
    const raw = identity(request, authorizer.identitySource)?.trim();
    // Tokens are taken with or without the `Bearer ` scheme.
    const token = raw?.replace(/^bearer(\s+|$)/i, "");
    if (!token) return refusedToken("the token is missing");
    const verified = await this.jwt.verify(authorizer, token);
    if (!verified.ok) return refusedToken(verified.error);
    const scopes = tokenScopes(verified.claims);
    if (route.authorizationScopes.length > 0 && !route.authorizationScopes.some((s) => scopes.includes(s))) {
      const required = route.authorizationScopes.join(" ");
      return {
        answer: errorAnswer(ERRORS.forbidden, {
          "www-authenticate": `Bearer scope="${required}" error="insufficient_scope" error_description="expected scopes: [${required}]"`,
        }),
        error: `expected scopes: [${required}]`,
      };
    }
    return { authorizer: { jwt: { claims: stringClaims(verified.claims), scopes: route.authorizationScopes.length > 0 ? scopes : null } } };
  }

  /** The payload format 2.0 event. Empty cookies, query, path parameters and body are left out. */
  private event(request: HttpRequest, route: HttpRouteModel, pathParameters: Record<string, string>, authorizer?: Record<string, unknown>) {
    // The headers AWS adds (local/gateway/headers.ts): X-Forwarded-For appended to, Port and
    // Proto as AWS says them (443, https: HTTP API endpoints are HTTPS only), the caller's trace
    // continued or a new one. Payload format 2.0 spells every name in lower case.
    const trace = requestTrace(request.headers["x-amzn-trace-id"], request.startedAt.getTime());
    const added = withForwardedHeaders(Object.entries(request.headers), { sourceIp: request.sourceIp, port: 443, proto: "https" }, trace.integration);
    const headers: Record<string, string> = Object.fromEntries(added.map(([name, value]) => [name.toLowerCase(), value]));
    const query = queryParameters(request.rawQueryString);
    const binary = !TEXT_MEDIA_TYPE.test(mediaType(headers["content-type"]) ?? "");
    const domainName = headers.host ?? "127.0.0.1";
    const event: Record<string, unknown> = {
      version: "2.0",
      routeKey: route.routeKey,
      rawPath: request.sentPath,
      rawQueryString: request.rawQueryString,
    };
    if (request.cookies.length > 0) event.cookies = request.cookies;
    event.headers = headers;
    if (Object.keys(query).length > 0) event.queryStringParameters = query;
    event.requestContext = {
      accountId: this.options.accountId,
      apiId: this.model.apiId,
      ...(authorizer ? { authorizer } : {}),
      domainName,
      domainPrefix: request.sentPath === request.rawPath ? this.model.apiId : domainPrefixOf(domainName),
      http: {
        method: request.method,
        path: request.sentPath,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: request.requestId,
      routeKey: route.routeKey,
      stage: this.model.stageName,
      time: awsRequestTime(request.startedAt),
      timeEpoch: request.startedAt.getTime(),
    };
    if (request.body.length > 0) event.body = binary ? request.body.toString("base64") : request.body.toString("utf8");
    if (Object.keys(pathParameters).length > 0) event.pathParameters = pathParameters;
    event.isBase64Encoded = request.body.length > 0 && binary;
    if (Object.keys(this.model.stageVariables).length > 0) event.stageVariables = this.model.stageVariables;
    return event;
  }

  /**
   * A preflight no route took: 204, with the configured headers only when the origin, the
   * method and every requested header are allowed (a browser then refuses the request).
   */
  private preflight(request: HttpRequest, cors: HttpCorsModel): HttpAnswer {
    const origin = request.headers.origin;
    const method = request.headers["access-control-request-method"] ?? "";
    const requested = (request.headers["access-control-request-headers"] ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
    const allowedHeaders = cors.allowHeaders.map((h) => h.toLowerCase());
    const allowed =
      originAllowed(cors, origin) &&
      cors.allowMethods.some((m) => m === "*" || m.toUpperCase() === method.toUpperCase()) &&
      requested.every((h) => allowedHeaders.includes("*") || allowedHeaders.includes(h));
    const headers: Record<string, string> = {};
    if (allowed) {
      headers["access-control-allow-origin"] = allowOriginValue(cors, origin!);
      headers["access-control-allow-methods"] = cors.allowMethods.join(",");
      if (cors.allowHeaders.length > 0) headers["access-control-allow-headers"] = cors.allowHeaders.join(",");
      if (cors.allowCredentials) headers["access-control-allow-credentials"] = "true";
      if (cors.maxAgeSeconds !== undefined) headers["access-control-max-age"] = String(cors.maxAgeSeconds);
    }
    return { status: 204, headers, body: Buffer.alloc(0), preflight: true };
  }

  /**
   * With a corsConfiguration, API Gateway owns the CORS headers: the integration's are dropped,
   * and an allowed origin gets the configured ones, on error answers too.
   */
  private addCorsHeaders(request: HttpRequest, answer: HttpAnswer): void {
    const cors = this.model.cors;
    if (!cors || answer.preflight) return;
    for (const name of Object.keys(answer.headers)) if (/^access-control-/i.test(name)) delete answer.headers[name];
    const origin = request.headers.origin;
    if (!originAllowed(cors, origin)) return;
    answer.headers["access-control-allow-origin"] = allowOriginValue(cors, origin!);
    if (cors.allowCredentials) answer.headers["access-control-allow-credentials"] = "true";
    if (cors.exposeHeaders.length > 0) answer.headers["access-control-expose-headers"] = cors.exposeHeaders.join(",");
  }

  /** Takes a token from the route's bucket (its routeSettings over the stage default) and the account's. */
  private admit(routeKey: string): boolean {
    const limits = { ...this.model.defaultThrottle, ...definedOnly(this.model.routeThrottles[routeKey] ?? {}) };
    const buckets = [this.accountBucket];
    if (limits.rateLimit !== undefined && limits.burstLimit !== undefined) {
      let bucket = this.buckets.get(routeKey);
      if (!bucket) {
        bucket = new TokenBucket(limits.rateLimit, limits.burstLimit, this.now);
        this.buckets.set(routeKey, bucket);
      }
      buckets.unshift(bucket);
    }
    return ThrottleChain.tryAll(buckets);
  }
}

/** Refuses, at start, routes this gateway would serve differently from AWS. */
function checkServable(route: HttpRouteModel, model: HttpApiModel): void {
  const where = `local HTTP gateway: route ${route.routeKey} of API ${model.apiId}`;
  if (route.authorizationType !== "NONE" && route.authorizationType !== "JWT") {
    throw new Error(`${where} uses ${route.authorizationType} authorization, which this gateway does not enforce yet`);
  }
  if (route.authorizationType === "JWT" && !model.authorizers.has(route.authorizerId ?? "")) {
    throw new Error(`${where}: authorizer ${route.authorizerId} is not a JWT authorizer of the API`);
  }
  const integration = route.integration;
  if (integration && (integration.type !== "AWS_PROXY" || !integration.functionArn)) {
    throw new Error(`${where}: only Lambda proxy (AWS_PROXY) integrations are served (got ${integration.type})`);
  }
  if (integration && integration.payloadFormatVersion !== "2.0") {
    throw new Error(`${where}: payload format ${integration.payloadFormatVersion} is not served; use 2.0`);
  }
}

/**
 * A Lambda result of payload format 2.0 as the client's answer; undefined when malformed.
 * Without `statusCode`, API Gateway infers the response: 200, `application/json`, and the
 * result as the body (a string as-is, anything else as JSON). With it, `statusCode`, `headers`,
 * `cookies`, `body` and `isBase64Encoded` are read; other keys (`multiValueHeaders` is a 1.0
 * field) are ignored.
 */
export function parseLambdaResult(value: unknown): HttpAnswer | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("statusCode" in value)) {
    const body = typeof value === "string" ? value : JSON.stringify(value ?? null);
    return { status: 200, headers: { "content-type": "application/json" }, body: Buffer.from(body) };
  }
  const result = value as Record<string, unknown>;
  const status =
    typeof result.statusCode === "number" ? result.statusCode : typeof result.statusCode === "string" && /^\d+$/.test(result.statusCode) ? Number(result.statusCode) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers: Record<string, string | string[]> = {};
  if (result.headers !== undefined && result.headers !== null) {
    if (typeof result.headers !== "object" || Array.isArray(result.headers)) return undefined;
    for (const [name, v] of Object.entries(result.headers as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      if (typeof v === "object" || !sendable(name, String(v))) return undefined;
      headers[name.toLowerCase()] = String(v);
    }
  }
  if (result.cookies !== undefined && result.cookies !== null) {
    if (!Array.isArray(result.cookies) || result.cookies.some((c) => typeof c !== "string" || !sendable("set-cookie", c))) return undefined;
    // Each cookie becomes its own set-cookie header.
    if (result.cookies.length > 0) headers["set-cookie"] = [...(result.cookies as string[])];
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== "string") return undefined;
  const text = (result.body as string | undefined) ?? "";
  const body = result.isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text);
  // [observed, not documented] a result with statusCode and no content-type is answered as text.
  if (headers["content-type"] === undefined && body.length > 0) headers["content-type"] = "text/plain; charset=utf-8";
  return { status, headers, body };
}

/** Whether a header can go on the wire at all (a newline in a value cannot). */
function sendable(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

async function readRequest(req: IncomingMessage): Promise<HttpRequest> {
  const body = await readBody(req, MAX_BODY_BYTES);
  const { rawPath, rawQuery } = splitUrl(req.url);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  // Hop-by-hop headers never reach an HTTP API's integrations (local/gateway/headers.ts).
  for (const [rawName, value] of invocationHeaders(pairsFromRawHeaders(req.rawHeaders), "HTTP")) {
    const name = rawName.toLowerCase();
    if (name === "cookie") {
      cookies.push(...value.split(";").map((c) => c.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return {
    requestId: newRequestId(),
    startedAt: new Date(),
    method: (req.method ?? "GET").toUpperCase(),
    rawPath,
    sentPath: domainRequestPath(req) ?? rawPath,
    path: rawPath,
    rawQueryString: rawQuery,
    headers,
    cookies,
    body,
    sourceIp: sourceIpOf(req),
  };
}

/** Query parameters, URL-decoded, repeated names joined with commas. */
function queryParameters(rawQueryString: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) out[name] = name in out ? `${out[name]},${value}` : value;
  return out;
}

/** The value an identity source (`$request.header.X` / `$request.querystring.x`) names. */
function identity(request: HttpRequest, source: string): string | undefined {
  const match = /^\$request\.(header|querystring)\.(.+)$/.exec(source);
  if (!match) return undefined;
  if (match[1] === "header") return request.headers[match[2].toLowerCase()];
  return queryParameters(request.rawQueryString)[match[2]];
}

/** The token's scopes: `scope` (space-separated) or `scp` (a list or space-separated). */
export function tokenScopes(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (Array.isArray(raw)) return raw.map(String);
  return typeof raw === "string" ? raw.split(" ").filter(Boolean) : [];
}

/**
 * Claims as HTTP APIs pass them in `requestContext.authorizer.jwt.claims`: every value a
 * string; numbers and booleans printed, lists as `[a b]`, objects as JSON.
 */
export function stringClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [k, typeof v === "string" ? v : Array.isArray(v) ? `[${v.join(" ")}]` : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)]),
  );
}

function isPreflight(request: HttpRequest): boolean {
  return request.method === "OPTIONS" && request.headers.origin !== undefined && request.headers["access-control-request-method"] !== undefined;
}

function originAllowed(cors: HttpCorsModel, origin: string | undefined): boolean {
  return origin !== undefined && (cors.allowOrigins.includes("*") || cors.allowOrigins.includes(origin));
}

function allowOriginValue(cors: HttpCorsModel, origin: string): string {
  return cors.allowOrigins.includes("*") && !cors.allowCredentials ? "*" : origin;
}

/** A JWT authorizer's 401, and why (`$context.authorizer.error`). */
function refusedToken(description: string): { answer: HttpAnswer; error: string } {
  const answer = errorAnswer(ERRORS.unauthorized, {
    "www-authenticate": `Bearer scope="" error="invalid_token" error_description="${description.replace(/"/g, "'")}"`,
  });
  return { answer, error: description };
}

function errorAnswer(error: { status: number; message: string }, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status: error.status,
    headers: { "content-type": "application/json", ...headers },
    body: Buffer.from(JSON.stringify({ message: error.message })),
    errorMessage: error.message,
  };
}

/**
 * The status of Lambda's Invoke API for an invocation: 200 when the function ran (whatever it
 * answered), the refusal's own otherwise (404 for no such function); undefined when Lambda did
 * not answer in time.
 */
function lambdaStatusOf(result: InvokeResult): number | undefined {
  switch (result.kind) {
    case "ok":
      return 200;
    case "error":
      return result.errorType === "ResourceNotFoundException" ? 404 : 200;
    case "throttled":
      return 429;
    case "rejected":
      return result.statusCode;
    default:
      return undefined;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** HTTP API request ids look like `Mc7UVioPPHcEKPA=`. */
function newRequestId(): string {
  return randomBytes(11).toString("base64");
}
