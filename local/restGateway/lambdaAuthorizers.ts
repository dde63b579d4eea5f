/**
 * Lambda authorizers (TOKEN and REQUEST) of the local REST gateway, as API Gateway runs them
 * (apigw-behavior.md, "Lambda authorizers"):
 *
 * - The identity source is read first: missing or empty (any of them, for REQUEST), or a
 *   TOKEN failing `identityValidationExpression` (matched against the whole token), is a 401
 *   without invoking the function.
 * - The function throwing `Unauthorized` (errorMessage exactly that) is a 401; any other
 *   error, a timeout, a throttle, or output that is not a valid authorizer result (no
 *   principalId, no policyDocument, context values other than string/number/boolean, over
 *   8 KB) is a 500.
 * - The result is cached per authorizer for `resultTtlSeconds` (0 = off), keyed by the token
 *   (TOKEN) or by every identity source's value together (REQUEST). What is cached is the
 *   policy, not the decision: each request evaluates it against its own methodArn, so a policy
 *   naming one method denies the others for the TTL.
 * - Only policies are cached. AWS documents caching "the returned IAM policy"; an
 *   `Unauthorized` answer or an error is not cached here, so each such request invokes the
 *   function again.
 * - Policy evaluation follows IAM: an explicit Deny matching the methodArn wins (403 "explicit
 *   deny"), then an Allow matching it; otherwise 403. Resource patterns take `*` and `?`.
 */
import { performance } from "node:perf_hooks";
import type { InvokeResult } from "../lambda/lambdaRuntime";
import type { AuthorizerModel } from "./restApiModel";

/** What the authorizers need of the Lambda runtime. */
export interface AuthorizerInvoker {
  invoke(nameOrArn: string, event: unknown, options?: { timeoutMs?: number }): Promise<InvokeResult>;
}

type StringMap = Record<string, string>;
type MultiValueMap = Record<string, string[]>;

/** The request as a REQUEST authorizer sees it (the proxy event's fields, without the body). */
export interface AuthorizationRequest {
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`; see {@link executeApiMethodArn}. */
  methodArn: string;
  headers: StringMap | null;
  multiValueHeaders: MultiValueMap | null;
  queryStringParameters: StringMap | null;
  multiValueQueryStringParameters: MultiValueMap | null;
  pathParameters: StringMap | null;
  stageVariables: StringMap | null;
  requestContext: Record<string, unknown>;
  /** The resource path, e.g. `/users/{id}`. */
  resource: string;
  /** The request path after the stage, e.g. `/users/42`. */
  path: string;
  httpMethod: string;
}

export type AuthorizerContextValue = string | number | boolean;

/** How the gateway answers: allow → integration; unauthorized → 401; denied* → 403; error → 500. */
export type AuthorizerOutcome =
  | { kind: "allow"; principalId: string; context: Record<string, AuthorizerContextValue>; usageIdentifierKey?: string }
  /** 401 `{"message":"Unauthorized"}` (UNAUTHORIZED). */
  | { kind: "unauthorized" }
  /** 403 `{"Message":"User is not authorized to access this resource with an explicit deny"}` (ACCESS_DENIED). */
  | { kind: "denied-explicit" }
  /** 403 `{"Message":"User is not authorized to access this resource"}` (ACCESS_DENIED). */
  | { kind: "denied" }
  /** 500 `{"message":null}` (AUTHORIZER_CONFIGURATION_ERROR); `detail` is for the gateway's log only. */
  | { kind: "error"; detail: string };

export interface LambdaAuthorizersOptions {
  lambda: AuthorizerInvoker;
  /** Clock for the result cache, in ms. @default performance.now */
  now?: () => number;
  /**
   * Time limit of an authorizer invocation, besides the function's own timeout.
   * @default 29000 (AWS documents no separate limit; the REST integration timeout is used)
   */
  timeoutMs?: number;
  /** Cached results kept at most; the oldest go first. @default 10000 */
  maxCacheEntries?: number;
}

export interface PolicyStatement {
  Effect: "Allow" | "Deny";
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
}

/** A valid authorizer result, normalised (single strings become lists). */
export interface AuthorizerResult {
  principalId: string;
  statements: PolicyStatement[];
  context: Record<string, AuthorizerContextValue>;
  usageIdentifierKey?: string;
}

interface CachedResult {
  result: AuthorizerResult;
  expiresAt: number;
}

const DEFAULT_TIMEOUT_MS = 29_000;
const DEFAULT_MAX_CACHE_ENTRIES = 10_000;
/** API Gateway's quota: "Lambda authorizer result size". */
const MAX_RESULT_BYTES = 8 * 1024;
const INVOKE_ACTION = "execute-api:Invoke";

export class LambdaAuthorizers {
  private readonly cache = new Map<string, CachedResult>();
  private readonly counts = new Map<string, number>();
  private readonly expressions = new Map<string, RegExp | undefined>();
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxCacheEntries: number;

  constructor(private readonly options: LambdaAuthorizersOptions) {
    this.now = options.now ?? (() => performance.now());
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxCacheEntries = options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
  }

  /** Decides one request. Never throws. */
  async authorize(authorizer: AuthorizerModel, request: AuthorizationRequest): Promise<AuthorizerOutcome> {
    if (authorizer.type !== "TOKEN" && authorizer.type !== "REQUEST") {
      return { kind: "error", detail: `authorizer ${authorizer.name} is ${authorizer.type}, not a Lambda authorizer` };
    }
    if (!authorizer.functionArn) return { kind: "error", detail: `authorizer ${authorizer.name} has no function` };

    const identity = identityValues(authorizer, request);
    if ("error" in identity) return { kind: "error", detail: `authorizer ${authorizer.name}: ${identity.error}` };
    if (identity.values === undefined) return { kind: "unauthorized" };
    if (authorizer.type === "TOKEN" && authorizer.identityValidationExpression) {
      const expression = this.compiled(authorizer.identityValidationExpression);
      if (!expression) return { kind: "error", detail: `authorizer ${authorizer.name}: identityValidationExpression is not a regular expression` };
      if (!expression.test(identity.values[0])) return { kind: "unauthorized" };
    }

    const ttlMs = authorizer.resultTtlSeconds * 1000;
    const key = JSON.stringify([authorizer.id, ...identity.values]);
    const cached = ttlMs > 0 ? this.cached(key) : undefined;
    if (cached) return decide(cached, request.methodArn);

    const event =
      authorizer.type === "TOKEN"
        ? { type: "TOKEN", authorizationToken: identity.values[0], methodArn: request.methodArn }
        : {
            type: "REQUEST",
            methodArn: request.methodArn,
            resource: request.resource,
            path: request.path,
            httpMethod: request.httpMethod,
            headers: request.headers,
            multiValueHeaders: request.multiValueHeaders,
            queryStringParameters: request.queryStringParameters,
            multiValueQueryStringParameters: request.multiValueQueryStringParameters,
            pathParameters: request.pathParameters,
            stageVariables: request.stageVariables,
            requestContext: request.requestContext,
          };
    this.counts.set(authorizer.id, (this.counts.get(authorizer.id) ?? 0) + 1);
    let invoked: InvokeResult;
    try {
      invoked = await this.options.lambda.invoke(authorizer.functionArn, event, { timeoutMs: this.timeoutMs });
    } catch (err) {
      return { kind: "error", detail: `authorizer ${authorizer.name}: invoke failed: ${(err as Error).message}` };
    }
    if (invoked.kind === "error" && invoked.errorMessage === "Unauthorized") return { kind: "unauthorized" };
    if (invoked.kind !== "ok") {
      const why = invoked.kind === "error" ? `${invoked.errorType}: ${invoked.errorMessage}` : invoked.kind;
      return { kind: "error", detail: `authorizer ${authorizer.name} failed (${why})` };
    }
    const parsed = parseAuthorizerResult(invoked.value);
    if ("error" in parsed) return { kind: "error", detail: `authorizer ${authorizer.name} answered a malformed result: ${parsed.error}` };
    if (ttlMs > 0) this.remember(key, { result: parsed, expiresAt: this.now() + ttlMs });
    return decide(parsed, request.methodArn);
  }

  /** How many times an authorizer's function was invoked (cache hits and 401s before invoking excluded). */
  invocations(authorizerId: string): number {
    return this.counts.get(authorizerId) ?? 0;
  }

  /** Forgets every cached result. */
  flush(): void {
    this.cache.clear();
  }

  private cached(key: string): AuthorizerResult | undefined {
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    if (this.now() < entry.expiresAt) return entry.result;
    this.cache.delete(key);
    return undefined;
  }

  private remember(key: string, entry: CachedResult): void {
    this.cache.delete(key);
    if (this.cache.size >= this.maxCacheEntries) {
      const now = this.now();
      for (const [k, e] of this.cache) if (e.expiresAt <= now) this.cache.delete(k);
      // Still full: the oldest entry goes (Map keeps insertion order).
      if (this.cache.size >= this.maxCacheEntries) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(key, entry);
  }

  private compiled(expression: string): RegExp | undefined {
    if (!this.expressions.has(expression)) {
      let compiled: RegExp | undefined;
      try {
        // Matched against the whole token, as Java's String.matches would (API Gateway's
        // wording is ambiguous; an anchored expression, like HMAC_TOKEN_PATTERN, means the
        // same either way).
        compiled = new RegExp(`^(?:${expression})$`);
      } catch {
        compiled = undefined;
      }
      this.expressions.set(expression, compiled);
    }
    return this.expressions.get(expression);
  }
}

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}{path}`, the methodArn of a request. */
export function executeApiMethodArn(parts: { region: string; accountId: string; apiId: string; stage: string; httpMethod: string; path: string }): string {
  const path = parts.path.startsWith("/") ? parts.path : `/${parts.path}`;
  return `arn:aws:execute-api:${parts.region}:${parts.accountId}:${parts.apiId}/${parts.stage}/${parts.httpMethod}${path}`;
}

/**
 * The identity sources' values: undefined when any is missing or empty; an error for an
 * expression API Gateway would not have accepted.
 */
function identityValues(authorizer: Pick<AuthorizerModel, "type" | "identitySource">, request: AuthorizationRequest): { values?: string[] } | { error: string } {
  const expressions = authorizer.identitySource.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (expressions.length === 0) {
    // A REQUEST authorizer without identity sources (allowed when caching is off) always runs.
    return authorizer.type === "REQUEST" ? { values: [] } : { error: "a TOKEN authorizer needs an identity source" };
  }
  if (authorizer.type === "TOKEN" && (expressions.length !== 1 || !/^method\.request\.header\./.test(expressions[0]))) {
    return { error: `a TOKEN authorizer's identity source must be one method.request.header.<name> (got ${authorizer.identitySource})` };
  }
  const values: string[] = [];
  for (const expression of expressions) {
    const value = identityValue(expression, request);
    if (value === UNSUPPORTED) return { error: `unsupported identity source ${expression}` };
    if (value === undefined || value === "") return { values: undefined };
    values.push(value);
  }
  return { values };
}

const UNSUPPORTED = Symbol("unsupported");

function identityValue(expression: string, request: AuthorizationRequest): string | undefined | typeof UNSUPPORTED {
  const parameter = /^method\.request\.(header|multivalueheader|querystring|multivaluequerystring|path)\.(.+)$/.exec(expression);
  if (parameter) {
    const [, location, name] = parameter;
    switch (location) {
      case "header":
        return caseInsensitive(request.headers, name);
      case "multivalueheader":
        return caseInsensitive(request.multiValueHeaders, name)?.join(",");
      case "querystring":
        return own(request.queryStringParameters, name);
      case "multivaluequerystring":
        return own(request.multiValueQueryStringParameters, name)?.join(",");
      default:
        return own(request.pathParameters, name);
    }
  }
  const stageVariable = /^stageVariables\.(.+)$/.exec(expression);
  if (stageVariable) return own(request.stageVariables, stageVariable[1]);
  const context = /^context\.(.+)$/.exec(expression);
  if (context) {
    let value: unknown = request.requestContext;
    for (const key of context[1].split(".")) {
      value = value !== null && typeof value === "object" && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    }
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
  }
  return UNSUPPORTED;
}

/** HTTP header names are case-insensitive. */
function caseInsensitive<T>(map: Record<string, T> | null, name: string): T | undefined {
  if (!map) return undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(map)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function own<T>(map: Record<string, T> | null, name: string): T | undefined {
  return map && Object.hasOwn(map, name) ? map[name] : undefined;
}

/**
 * Checks and normalises what an authorizer function returned. Anything API Gateway would
 * refuse (AuthorizerConfigurationException) is an error naming the first problem.
 */
export function parseAuthorizerResult(value: unknown): AuthorizerResult | { error: string } {
  if (!isObject(value)) return { error: "the result is not an object" };
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > MAX_RESULT_BYTES) return { error: `the result is ${size} bytes, over the 8 KB limit` };
  if (typeof value.principalId !== "string") return { error: "principalId is missing or not a string" };
  const policy = value.policyDocument;
  if (!isObject(policy)) return { error: "policyDocument is missing or not an object" };
  const rawStatements = Array.isArray(policy.Statement) ? policy.Statement : isObject(policy.Statement) ? [policy.Statement] : undefined;
  if (!rawStatements) return { error: "policyDocument.Statement is missing" };
  const statements: PolicyStatement[] = [];
  for (const [i, raw] of rawStatements.entries()) {
    if (!isObject(raw)) return { error: `Statement[${i}] is not an object` };
    if (raw.Effect !== "Allow" && raw.Effect !== "Deny") return { error: `Statement[${i}].Effect must be Allow or Deny` };
    const statement: PolicyStatement = { Effect: raw.Effect };
    for (const field of ["Action", "NotAction", "Resource", "NotResource"] as const) {
      if (raw[field] === undefined) continue;
      const list = typeof raw[field] === "string" ? [raw[field]] : raw[field];
      if (!Array.isArray(list) || !list.every((item) => typeof item === "string")) return { error: `Statement[${i}].${field} must be a string or a list of strings` };
      statement[field] = list as string[];
    }
    if ((statement.Action === undefined) === (statement.NotAction === undefined)) return { error: `Statement[${i}] needs Action or NotAction` };
    if ((statement.Resource === undefined) === (statement.NotResource === undefined)) return { error: `Statement[${i}] needs Resource or NotResource` };
    statements.push(statement);
  }
  const context: Record<string, AuthorizerContextValue> = {};
  if (value.context !== undefined && value.context !== null) {
    if (!isObject(value.context)) return { error: "context must be an object" };
    for (const [key, item] of Object.entries(value.context)) {
      if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
        return { error: `context.${key} must be a string, number or boolean (objects, arrays and null are refused)` };
      }
      context[key] = item;
    }
  }
  if (value.usageIdentifierKey !== undefined && typeof value.usageIdentifierKey !== "string") {
    return { error: "usageIdentifierKey must be a string" };
  }
  return {
    principalId: value.principalId,
    statements,
    context,
    ...(value.usageIdentifierKey !== undefined ? { usageIdentifierKey: value.usageIdentifierKey as string } : {}),
  };
}

/** The decision for one request: an explicit Deny wins, then an Allow; otherwise denied. */
export function evaluatePolicy(statements: PolicyStatement[], methodArn: string): "allow" | "denied-explicit" | "denied" {
  let allowed = false;
  for (const statement of statements) {
    const actionMatches = statement.Action
      ? statement.Action.some((pattern) => actionPatternMatches(pattern, INVOKE_ACTION))
      : !statement.NotAction!.some((pattern) => actionPatternMatches(pattern, INVOKE_ACTION));
    if (!actionMatches) continue;
    const resourceMatches = statement.Resource
      ? statement.Resource.some((pattern) => arnPatternMatches(pattern, methodArn))
      : !statement.NotResource!.some((pattern) => arnPatternMatches(pattern, methodArn));
    if (!resourceMatches) continue;
    if (statement.Effect === "Deny") return "denied-explicit";
    allowed = true;
  }
  return allowed ? "allow" : "denied";
}

/**
 * IAM resource matching: `?` is one character and `*` any run of characters within an ARN
 * segment (the parts between colons; the execute-api resource `api/stage/METHOD/path` is one
 * segment, so `*` there matches across `/`). A `*` that ends a segment may run past its colons,
 * as IAM allows. Case-sensitive.
 */
export function arnPatternMatches(pattern: string, arn: string): boolean {
  let expression = arnPatterns.get(pattern);
  if (!expression) {
    let source = "";
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === "*") source += i === pattern.length - 1 || pattern[i + 1] === ":" ? ".*" : "[^:]*";
      else if (c === "?") source += "[^:]";
      else source += c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
    }
    expression = new RegExp(`^${source}$`, "s");
    remember(arnPatterns, pattern, expression);
  }
  return expression.test(arn);
}

/** IAM action matching: wildcards anywhere, case-insensitive (`execute-api:*`, `*`). */
function actionPatternMatches(pattern: string, action: string): boolean {
  let expression = actionPatterns.get(pattern);
  if (!expression) {
    const source = pattern.replace(/[.+^${}()|[\]\\/-]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    expression = new RegExp(`^${source}$`, "i");
    remember(actionPatterns, pattern, expression);
  }
  return expression.test(action);
}

/**
 * Compiled policy patterns. A cached policy is evaluated on every request it answers, with
 * the same few patterns each time; bounded, as the patterns come from authorizer functions.
 */
const arnPatterns = new Map<string, RegExp>();
const actionPatterns = new Map<string, RegExp>();
const MAX_COMPILED_PATTERNS = 10_000;

function remember(cache: Map<string, RegExp>, pattern: string, expression: RegExp): void {
  if (cache.size >= MAX_COMPILED_PATTERNS) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, expression);
}

function decide(result: AuthorizerResult, methodArn: string): AuthorizerOutcome {
  const decision = evaluatePolicy(result.statements, methodArn);
  if (decision !== "allow") return { kind: decision };
  return {
    kind: "allow",
    principalId: result.principalId,
    context: { ...result.context },
    ...(result.usageIdentifierKey !== undefined ? { usageIdentifierKey: result.usageIdentifierKey } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
