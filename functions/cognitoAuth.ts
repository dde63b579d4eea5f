import { JwtVerifier } from "aws-jwt-verify";
import { FetchError, JwksValidationError, NonRetryableFetchError } from "aws-jwt-verify/error";
import { SimpleFetcher, type Fetcher } from "aws-jwt-verify/https";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { JwtHeader, JwtPayload } from "aws-jwt-verify/jwt-model";
import { corsPolicyFromEnv, headerValue, jsonResponse, type CorsPolicy } from "./proxyResponse";
import type { LambdaContext, ProxyEvent, ProxyResult } from "./proxyTypes";

/** Which user pool's tokens a function accepts, and where its signing keys are. */
export interface CognitoVerifierSettings {
  userPoolId: string;
  /** The app client: ID tokens must name it in `aud`, access tokens in `client_id`. */
  clientId: string;
  /** The `iss` tokens must carry. */
  issuer: string;
  /** Where the pool's JWKS (public signing keys) is fetched from. */
  jwksUri: string;
}

export interface CognitoAuthOptions {
  /**
   * The caller must be in at least one of these groups (`cognito:groups` claim); otherwise 403.
   * @default none (any signed-in user)
   */
  groups?: string[];
  /**
   * The token expected: an ID token (`aud` = the app client) or an access token
   * (`client_id` = the app client).
   * @default "id"
   */
  tokenUse?: "id" | "access";
  /** @default read from `USER_POOL_ID`, `USER_POOL_CLIENT_ID`, `AWS_REGION`, `COGNITO_ISSUER`, `COGNITO_JWKS_URI` */
  settings?: CognitoVerifierSettings;
  /** @default read from `CORS_ALLOW_ORIGINS` / `CORS_ALLOW_CREDENTIALS` */
  cors?: CorsPolicy;
  /**
   * Where the reason a token was refused goes (one JSON line; never the token itself).
   * @default console.warn (CloudWatch Logs)
   */
  log?: (line: string) => void;
}

/** Claims as API Gateway's Cognito authorizer hands them to integrations: every value a string. */
export type ApiGatewayClaims = Record<string, string>;

type ProxyHandler = (event: ProxyEvent, context: LambdaContext) => Promise<ProxyResult>;

/**
 * Guards a Lambda proxy handler with a Cognito user pool token, for functions that check the
 * caller themselves (behind an open method, or as defence in depth behind the gateway's
 * authorizer). The token comes from the `Authorization` header, with or without `Bearer `;
 * its RS256 signature is checked against the pool's JWKS, and its `iss`, `exp`, `nbf`,
 * `token_use` and audience (`aud` for ID tokens, `client_id` for access tokens). A caller
 * outside `groups` gets 403 `{"error":"Insufficient permissions"}`; any other failure 401
 * `{"message":"Unauthorized"}` (the gateway's wording). The handler then sees the verified
 * claims under `requestContext.authorizer.claims`, as strings in the shape API Gateway's
 * Cognito authorizer delivers them (see {@link apiGatewayClaims}).
 *
 * Call it inside the handler factory: the verifier, and with it the JWKS it downloads on first
 * use, lives as long as the container.
 *
 * Reads `USER_POOL_ID`, `USER_POOL_CLIENT_ID`, `AWS_REGION`, optional `COGNITO_ISSUER` /
 * `COGNITO_JWKS_URI` (the local cloud's cognito-local), `CORS_ALLOW_ORIGINS`,
 * `CORS_ALLOW_CREDENTIALS`.
 *
 * @example handlerFactory: () => withCognitoAuth({ groups: ["admins"] }, createGetUserHandler())
 */
export function withCognitoAuth(options: CognitoAuthOptions, handler: ProxyHandler): ProxyHandler {
  const settings = options.settings ?? cognitoSettingsFromEnv();
  const tokenUse = options.tokenUse ?? "id";
  if (tokenUse !== "id" && tokenUse !== "access") {
    throw new Error(`withCognitoAuth: tokenUse must be "id" or "access" (got ${JSON.stringify(tokenUse)})`);
  }
  const groups = options.groups;
  if (groups !== undefined && (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== "string" || g === ""))) {
    throw new Error(`withCognitoAuth: groups must list at least one group name when given (got ${JSON.stringify(groups)})`);
  }
  const cors = options.cors ?? corsPolicyFromEnv();
  const log = options.log ?? ((line: string) => console.warn(line));
  const verify = createCognitoTokenVerifier(settings, tokenUse);

  return async (event: ProxyEvent, context: LambdaContext): Promise<ProxyResult> => {
    const token = bearerToken(headerValue(event, "Authorization"));
    if (token === undefined) {
      logRefusal(log, event, "MissingToken");
      return jsonResponse(401, { message: "Unauthorized" }, event, cors);
    }
    let payload: JwtPayload;
    try {
      payload = await verify(token);
    } catch (error) {
      // The JWKS could not be fetched or read: the pool's keys are unreachable, not the
      // caller's fault. Fail loudly (a 502 and an error in the logs) rather than turn an
      // outage into a stream of 401s.
      if (error instanceof FetchError || error instanceof JwksValidationError) throw error;
      logRefusal(log, event, errorKind(error));
      return jsonResponse(401, { message: "Unauthorized" }, event, cors);
    }
    if (groups !== undefined && !callerGroups(payload).some((group) => groups.includes(group))) {
      logRefusal(log, event, "NotInGroup", payload.sub);
      return jsonResponse(403, { error: "Insufficient permissions" }, event, cors);
    }
    const authorized: ProxyEvent = {
      ...event,
      requestContext: {
        ...event.requestContext,
        authorizer: { ...(event.requestContext.authorizer ?? {}), claims: apiGatewayClaims(payload) },
      },
    };
    return handler(authorized, context);
  };
}

/**
 * Whether the caller may read a record owned by `ownerSub`: its owner may, and so may members
 * of `adminGroup`. Used by GET /users/{id}: someone else's user needs the admins group.
 * `claims` may come from the gateway (strings, groups comma-separated), an HTTP API
 * (`[a b]`) or a decoded token (an array).
 */
export function isCallerAllowedToRead(
  claims: Record<string, unknown> | null | undefined,
  ownerSub: string | null | undefined,
  adminGroup = "admins",
): boolean {
  if (!claims) return false;
  const sub = claims.sub;
  if (typeof sub === "string" && sub !== "" && sub === ownerSub) return true;
  return callerGroups(claims).includes(adminGroup);
}

/**
 * The caller's groups from a `cognito:groups` claim in any of its shapes: an array (the token),
 * `a,b` (REST API Cognito authorizer) or `[a b]` (HTTP API JWT authorizer).
 */
export function callerGroups(claims: Record<string, unknown>): string[] {
  const value = claims["cognito:groups"];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string" && g !== "");
  if (typeof value !== "string") return [];
  const text = value.trim();
  const parts = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1).split(/\s+/) : text.split(",");
  return parts.map((g) => g.trim()).filter((g) => g !== "");
}

/**
 * A verified payload as API Gateway's REST Cognito authorizer passes it on
 * (`requestContext.authorizer.claims`, `$context.authorizer.claims.*`): every value a string.
 * Arrays of plain values are comma-joined (`cognito:groups`: `admins,users`), booleans and
 * numbers printed (`auth_time`: `1700000000`), objects as JSON, and the registered times `exp`,
 * `iat` and `nbf` as Java prints a date (`Mon Jun 15 05:56:21 UTC 2026`) — that is what AWS
 * sends [observed].
 */
export function apiGatewayClaims(payload: Record<string, unknown>): ApiGatewayClaims {
  const claims: ApiGatewayClaims = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if ((name === "exp" || name === "iat" || name === "nbf") && typeof value === "number") {
      claims[name] = javaDateString(value);
    } else if (typeof value === "string") {
      claims[name] = value;
    } else if (typeof value === "number" || typeof value === "boolean") {
      claims[name] = String(value);
    } else if (Array.isArray(value) && value.every((v) => ["string", "number", "boolean"].includes(typeof v))) {
      claims[name] = value.join(",");
    } else {
      claims[name] = JSON.stringify(value);
    }
  }
  return claims;
}

/**
 * The settings from the environment. The issuer defaults to the pool's AWS issuer; the local
 * cloud sets `COGNITO_ISSUER` and `COGNITO_JWKS_URI` to its cognito-local's. Throws at cold
 * start when something is missing, naming the variable.
 */
export function cognitoSettingsFromEnv(env: Record<string, string | undefined> = process.env): CognitoVerifierSettings {
  const required = (name: string, what: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`${name} environment variable is required (${what})`);
    return value;
  };
  const userPoolId = required("USER_POOL_ID", "the Cognito user pool whose tokens are accepted");
  const clientId = required("USER_POOL_CLIENT_ID", "the app client tokens must be issued to");
  const issuerOverride = env.COGNITO_ISSUER?.trim();
  const issuer = issuerOverride
    ? issuerOverride.replace(/\/+$/, "")
    : `https://cognito-idp.${required("AWS_REGION", "the user pool's region")}.amazonaws.com/${userPoolId}`;
  const jwksUri = env.COGNITO_JWKS_URI?.trim() || `${issuer}/.well-known/jwks.json`;
  checkJwksUri(jwksUri, env.COGNITO_JWKS_URI?.trim() ? "COGNITO_JWKS_URI" : "COGNITO_ISSUER");
  return { userPoolId, clientId, issuer, jwksUri };
}

/**
 * One verifier for one pool and token use, created once per container: the JWKS it fetches on
 * first use is cached and reused (fetched again only for a key id it does not know, at most
 * once per 10 s: aws-jwt-verify's penalty box). `CognitoJwtVerifier` accepts only AWS issuers,
 * so the generic verifier is used for both AWS and the local cloud, with Cognito's own checks
 * (`token_use`, `client_id`) added; one code path for both.
 */
export function createCognitoTokenVerifier(
  settings: CognitoVerifierSettings,
  tokenUse: "id" | "access",
): (token: string) => Promise<JwtPayload> {
  checkJwksUri(settings.jwksUri, "jwksUri");
  const verifier = JwtVerifier.create(
    {
      issuer: settings.issuer,
      jwksUri: settings.jwksUri,
      // Access tokens carry no `aud`; their app client is `client_id`, checked below.
      audience: tokenUse === "id" ? settings.clientId : null,
      customJwtCheck: ({ header, payload }: { header: JwtHeader; payload: JwtPayload }) =>
        checkCognitoFields(header, payload, tokenUse, [settings.clientId]),
    },
    { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher() }) },
  );
  return (token: string) => verifier.verify(token);
}

/**
 * What Cognito's own verifier adds to the generic JWT checks, and what API Gateway checks:
 * RS256 only (Cognito signs nothing else; a JWKS key without `alg` must not admit other
 * algorithms), `token_use`, the app client of an access token, and an `exp` at all (a token
 * without one would never expire).
 */
export function checkCognitoFields(header: JwtHeader, payload: JwtPayload, tokenUse: "id" | "access", clientIds: string[]): void {
  if (header.alg !== "RS256") throw namedError("JwtInvalidSignatureAlgorithmError", `alg must be RS256 (got ${JSON.stringify(header.alg)})`);
  if (payload.token_use !== tokenUse) throw namedError("CognitoJwtInvalidTokenUseError", `token_use must be ${tokenUse} (got ${JSON.stringify(payload.token_use)})`);
  if (tokenUse === "access" && (typeof payload.client_id !== "string" || !clientIds.includes(payload.client_id))) {
    throw namedError("CognitoJwtInvalidClientIdError", "client_id is not an app client of the pool");
  }
  if (typeof payload.exp !== "number") throw namedError("JwtExpiredError", "the token has no exp");
}

/**
 * Fetches JWKS documents: over HTTPS with aws-jwt-verify's fetcher (timeouts, one retry), and
 * over plain HTTP (which that fetcher refuses) with Node's fetch, for the local cloud's
 * cognito-local on 127.0.0.1. Plain HTTP is only ever configured for loopback addresses.
 */
export function jwksFetcher(): Fetcher {
  const https = new SimpleFetcher();
  return {
    fetch: async (uri, requestOptions, data) => {
      if (!uri.startsWith("http://")) return https.fetch(uri, requestOptions, data);
      let response: Response;
      try {
        response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
      } catch (error) {
        throw new FetchError(uri, (error as Error).message);
      }
      if (response.status !== 200) throw new NonRetryableFetchError(uri, `Status code is ${response.status}, expected 200`);
      return response.arrayBuffer();
    },
  };
}

/** The token of an `Authorization` header: the whole value, or what follows `Bearer `. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const token = header.trim().replace(/^Bearer(\s+|$)/i, "").trim();
  return token === "" ? undefined : token;
}

function checkJwksUri(uri: string, field: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`${field}: the JWKS URI ${JSON.stringify(uri)} is not a URL`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  // Keys fetched over plain HTTP could be swapped by anyone on the path: only the local cloud,
  // on this machine, may serve them that way.
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new Error(`${field}: the JWKS must be fetched over https (plain http only from a loopback address); got ${JSON.stringify(uri)}`);
  }
}

/** aws-jwt-verify's errors keep the name "Error"; their class says what failed. */
function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return "InvalidToken";
  return error.name !== "Error" ? error.name : error.constructor?.name ?? "Error";
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function logRefusal(log: (line: string) => void, event: ProxyEvent, reason: string, sub?: unknown): void {
  log(
    JSON.stringify({
      level: "warn",
      message: "request refused by withCognitoAuth",
      reason,
      ...(typeof sub === "string" ? { sub } : {}),
      requestId: event.requestContext?.requestId,
      path: event.path,
    }),
  );
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Seconds since the epoch as `java.util.Date#toString()` prints them in UTC: `Mon Jun 15 05:56:21 UTC 2026`. */
export function javaDateString(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
  );
}
