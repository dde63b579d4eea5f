/**
 * The local API Gateway control plane, as far as the functions and CLIs call it: the
 * REST-JSON operation FlushStageCache (`DELETE /restapis/{id}/stages/{stage}/cache/data`,
 * 202 with an empty body), so the real `@aws-sdk/client-api-gateway` reaches it through
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
import { serveOnLoopback } from "./emulators";
import type { ResourceGraph } from "./controlPlane";

export interface ApiGatewayManagementOptions {
  /**
   * Empties the cache of a deployed stage; answers false when the cloud has no such API
   * and stage (the endpoint then answers NotFoundException).
   */
  flush(apiId: string, stage: string): boolean;
}

/** A running local API Gateway management endpoint. */
export interface LocalApiGatewayManagement {
  /** The endpoint, for `AWS_ENDPOINT_URL_API_GATEWAY` or a client's `endpoint`. */
  url: string;
  stop(): Promise<void>;
}

const FLUSH_STAGE_CACHE = /^\/restapis\/([^/]+)\/stages\/([^/]+)\/cache\/data\/?$/;

/** Starts the endpoint on 127.0.0.1, on a free port. */
export async function startApiGatewayManagement(options: ApiGatewayManagementOptions): Promise<LocalApiGatewayManagement> {
  const server = http.createServer((req, res) => {
    // The request body (none for FlushStageCache) is drained so keep-alive connections stay usable.
    req.resume();
    req.on("end", () => answer(options, req, res));
  });
  return serveOnLoopback(server);
}

function answer(options: ApiGatewayManagementOptions, req: http.IncomingMessage, res: http.ServerResponse): void {
  const requestId = randomUUID();
  let path: string | undefined;
  try {
    path = new URL(req.url ?? "/", "http://localhost").pathname;
  } catch {
    // A target the URL parser refuses (`//`, `http://[::1/x`) names no operation.
  }
  const flush = path === undefined ? null : FLUSH_STAGE_CACHE.exec(path);
  if (!flush || req.method !== "DELETE") {
    // What API Gateway answers for a path or verb that is no operation.
    return sendError(res, requestId, 404, "UnknownOperationException", null);
  }
  let apiId: string;
  let stage: string;
  try {
    apiId = decodeURIComponent(flush[1]);
    stage = decodeURIComponent(flush[2]);
  } catch {
    return sendError(res, requestId, 400, "BadRequestException", "Invalid path encoding");
  }
  let flushed: boolean;
  try {
    flushed = options.flush(apiId, stage);
  } catch (err) {
    process.stderr.write(`[apigateway] FlushStageCache ${apiId}/${stage}: ${(err as Error).stack ?? err}\n`);
    return sendError(res, requestId, 500, "InternalFailure", "Internal server error");
  }
  // AWS answers an unknown API id with the same message as an unknown stage [recorded].
  if (!flushed) return sendError(res, requestId, 404, "NotFoundException", "Invalid stage identifier specified");
  res.writeHead(202, { "x-amzn-RequestId": requestId, "Content-Length": "0" });
  res.end();
}

function sendError(res: http.ServerResponse, requestId: string, status: number, type: string, message: string | null): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(body)),
    "x-amzn-RequestId": requestId,
    "x-amzn-ErrorType": type,
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
