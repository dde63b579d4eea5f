/**
 * The local API Gateway control plane, as far as the functions and CLIs call it: the
 * REST-JSON operations of local/apiGateway/routes.ts (FlushStageCache; API keys, usage plans,
 * plan keys, GetUsage and tags over the same keys and plans the REST gateway enforces), so
 * the real `@aws-sdk/client-api-gateway` and the AWS CLI reach it through
 * `AWS_ENDPOINT_URL_API_GATEWAY`. Errors are AWS's REST-JSON ones: the exception's name in
 * `x-amzn-ErrorType` and a `{"message": ...}` body. Credentials are not checked.
 *
 * Also here: {@link CacheInvalidationPolicy}, which reads from the recorded IAM resources who
 * is allowed `execute-api:InvalidateCache`, so the REST gateway can honour
 * `Cache-Control: max-age=0` for those callers only.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { ApiGatewayError, badRequest, MESSAGES } from "./apiGateway/apiGatewayErrors";
import { ApiGatewayResources } from "./apiGateway/apiGatewayResources";
import type { ApiGatewayControl, OperationAnswer } from "./apiGateway/operation";
import { routeOf } from "./apiGateway/routes";
import { serveOnLoopback } from "./emulators";
import type { ResourceGraph } from "./controlPlane";

export interface ApiGatewayManagementOptions {
  /**
   * Empties the cache of a deployed stage; answers false when the cloud has no such API
   * and stage (the endpoint then answers NotFoundException).
   */
  flush(apiId: string, stage: string): boolean;
  /**
   * The API keys, usage plans and usage the key and plan operations answer from and change.
   * @default a control plane of its own: no usage plans; keys created live in memory
   */
  resources?: ApiGatewayResources;
}

/** A running local API Gateway management endpoint. */
export interface LocalApiGatewayManagement {
  /** The endpoint, for `AWS_ENDPOINT_URL_API_GATEWAY` or a client's `endpoint`. */
  url: string;
  stop(): Promise<void>;
}

/** The largest request body read; API Gateway's own requests are a few KB. */
const MAX_BODY_BYTES = 1024 * 1024;

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** Starts the endpoint on 127.0.0.1, on a free port. */
export async function startApiGatewayManagement(options: ApiGatewayManagementOptions): Promise<LocalApiGatewayManagement> {
  const control: ApiGatewayControl = { flush: options.flush, resources: options.resources ?? new ApiGatewayResources() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // The whole body is read (kept up to the limit), so keep-alive connections stay usable.
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => answer(control, req, size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks), res));
  });
  return serveOnLoopback(server);
}

/** Runs the operation the request names and sends its answer, or the error it raised. */
function answer(control: ApiGatewayControl, req: http.IncomingMessage, body: Buffer | undefined, res: http.ServerResponse): void {
  const requestId = randomUUID();
  let name = "(no operation)";
  try {
    const url = requestUrl(req.url);
    const route = routeOf(req.method ?? "GET", url.pathname, url.searchParams);
    name = route.name;
    if (body === undefined) throw badRequest(MESSAGES.bodyTooLarge);
    // Operations bound to GET and DELETE take no body: one sent is ignored.
    const json = BODY_METHODS.has(req.method ?? "") ? jsonBodyOf(body) : {};
    send(res, requestId, route.operation(control, { params: route.params, query: url.searchParams, body: json }));
  } catch (err) {
    if (err instanceof ApiGatewayError) return sendError(res, requestId, err);
    process.stderr.write(`[apigateway] ${name} ${req.method} ${req.url}: ${(err as Error).stack ?? err}\n`);
    sendError(res, requestId, new ApiGatewayError("InternalFailure", 500, "Internal server error"));
  }
}

/** The request target as a URL; a target the URL parser refuses (`//`, `http://[::1/x`) names no operation. */
function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? "/", "http://localhost");
  } catch {
    return new URL("http://localhost/");
  }
}

/** The JSON object a body holds; {} for none. */
function jsonBodyOf(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw badRequest(MESSAGES.invalidBody);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badRequest(MESSAGES.invalidBody);
  return parsed as Record<string, unknown>;
}

function send(res: http.ServerResponse, requestId: string, answer: OperationAnswer): void {
  if (answer.body === undefined) {
    res.writeHead(answer.status, { "x-amzn-RequestId": requestId, "Content-Length": "0" });
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)), "x-amzn-RequestId": requestId });
  res.end(text);
}

function sendError(res: http.ServerResponse, requestId: string, error: ApiGatewayError): void {
  const body = JSON.stringify({ message: error.bodyMessage });
  res.writeHead(error.status, {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(body)),
    "x-amzn-RequestId": requestId,
    "x-amzn-ErrorType": error.type,
  });
  res.end(body);
}

/** Who is asking, as far as IAM is concerned. */
export interface InvalidationPrincipal {
  /** The IAM role the caller acts as; undefined for a caller with no role. */
  roleName?: string;
}

interface PolicyStatement {
  effect: "Allow" | "Deny";
  actions: string[];
  resources: string[];
}

const INVALIDATE_CACHE = "execute-api:InvalidateCache";

/**
 * Who may send `Cache-Control: max-age=0`: the roles that the recorded IAM resources allow
 * `execute-api:InvalidateCache` on a method ARN. Read once from the resource graph:
 * managed policies (`aws:iam/policy:Policy`) attached to roles by
 * `aws:iam/rolePolicyAttachment:RolePolicyAttachment`, and roles' inline policies
 * (`aws:iam/rolePolicy:RolePolicy`). As in IAM, an explicit Deny wins, and `*` / `?` in
 * actions and resources are wildcards (`*` crosses `/`).
 */
export class CacheInvalidationPolicy {
  private readonly statementsByRole = new Map<string, PolicyStatement[]>();

  constructor(graph: Pick<ResourceGraph, "ofType">) {
    const policiesByArn = new Map<string, PolicyStatement[]>();
    for (const policy of graph.ofType("aws:iam/policy:Policy")) {
      policiesByArn.set(String(policy.state.arn ?? policy.id), statementsOf(policy.inputs.policy));
    }
    for (const attachment of graph.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
      const statements = policiesByArn.get(String(attachment.inputs.policyArn));
      if (statements) this.add(roleNameOf(attachment.inputs.role), statements);
    }
    for (const inline of graph.ofType("aws:iam/rolePolicy:RolePolicy")) {
      this.add(roleNameOf(inline.inputs.role), statementsOf(inline.inputs.policy));
    }
  }

  /** Whether `principal` may invalidate the cache entry of `methodArn` (`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`). */
  allows(principal: InvalidationPrincipal, methodArn: string): boolean {
    if (!principal.roleName) return false;
    const statements = (this.statementsByRole.get(principal.roleName) ?? []).filter(
      (s) => s.actions.some((a) => wildcardMatch(a, INVALIDATE_CACHE, true)) && s.resources.some((r) => wildcardMatch(r, methodArn, false)),
    );
    return statements.some((s) => s.effect === "Allow") && !statements.some((s) => s.effect === "Deny");
  }

  /** The roles granted InvalidateCache on some resource, for logs. */
  roleNames(): string[] {
    return [...this.statementsByRole]
      .filter(([, statements]) => statements.some((s) => s.effect === "Allow" && s.actions.some((a) => wildcardMatch(a, INVALIDATE_CACHE, true))))
      .map(([role]) => role)
      .sort();
  }

  private add(roleName: string | undefined, statements: PolicyStatement[]): void {
    if (!roleName || statements.length === 0) return;
    this.statementsByRole.set(roleName, [...(this.statementsByRole.get(roleName) ?? []), ...statements]);
  }
}

/** A role input may be its name or its ARN (`arn:aws:iam::{account}:role/{path}{name}`). */
function roleNameOf(role: unknown): string | undefined {
  if (typeof role !== "string" || role === "") return undefined;
  return role.startsWith("arn:") ? role.slice(role.lastIndexOf("/") + 1) : role;
}

/** The statements of a policy document (JSON text or object); an unreadable document grants nothing. */
function statementsOf(document: unknown): PolicyStatement[] {
  let parsed: unknown = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch {
      return [];
    }
  }
  const raw = isRecord(parsed) ? parsed.Statement : undefined;
  const list: unknown[] = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const asList = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
  return list
    .filter(isRecord)
    // Conditions are not evaluated locally. To err on the side of refusing, a conditional
    // Allow grants nothing and a conditional Deny always applies. NotAction / NotResource
    // read as empty lists: such statements match nothing.
    .filter((s): s is Record<string, unknown> & { Effect: "Allow" | "Deny" } => s.Effect === "Deny" || (s.Effect === "Allow" && s.Condition === undefined))
    .map((s) => ({ effect: s.Effect, actions: asList(s.Action), resources: asList(s.Resource) }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** IAM wildcard matching: `*` any run of characters, `?` one character. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

/**
 * The local cloud's stand-in for SigV4: the roles a caller acts as, from what its authorizer
 * put in `$context.authorizer`. In AWS, `Cache-Control: max-age=0` is authorized for callers
 * signing with credentials of a role; locally:
 * - a Cognito user acts as the role of its `cognito:preferred_role` claim (what AWS puts in
 *   tokens of a group with a RoleArn), else as each role named like one of its
 *   `cognito:groups` (cognito-local has no group roles, so a group named like the role
 *   stands for one);
 * - a Lambda authorizer (e.g. HMAC token clients) names the role in its context as `roleName`.
 * Callers with none of these act as no role.
 */
export function invalidationPrincipalsOf(authorizer: Record<string, unknown> | undefined): InvalidationPrincipal[] {
  if (!authorizer) return [];
  const claims = authorizer.claims as Record<string, unknown> | undefined;
  if (claims) {
    const preferred = claims["cognito:preferred_role"];
    if (typeof preferred === "string" && preferred !== "") return [{ roleName: roleNameOf(preferred) }];
    const groups = claims["cognito:groups"];
    // Claims reach the gateway's context as strings: a list is comma-joined.
    const names = Array.isArray(groups) ? groups : typeof groups === "string" ? groups.split(",") : [];
    return names.map((g) => String(g).trim()).filter((g) => g !== "").map((roleName) => ({ roleName }));
  }
  return typeof authorizer.roleName === "string" && authorizer.roleName !== "" ? [{ roleName: authorizer.roleName }] : [];
}
