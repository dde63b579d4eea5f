import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CLIENT_ID_PATTERN, DEFAULT_WINDOW_SECONDS, verifyHmacToken, type HmacTokenRejection } from "./hmacToken";

/** What API Gateway sends a TOKEN authorizer. */
export interface TokenAuthorizerEvent {
  type: "TOKEN";
  /** The identity source's value (the `Authorization` header). */
  authorizationToken?: string;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{resource path}` */
  methodArn: string;
}

/** What a Lambda authorizer answers API Gateway. */
export interface AuthorizerResult {
  principalId: string;
  policyDocument: {
    Version: "2012-10-17";
    Statement: Array<{ Action: "execute-api:Invoke"; Effect: "Allow" | "Deny"; Resource: string }>;
  };
  /** Reaches the integration as `$context.authorizer.<key>` / `requestContext.authorizer`. */
  context: { clientId: string; expiresAt: number };
  /** The client's API key, for APIs whose `apiKeySource` is AUTHORIZER. */
  usageIdentifierKey?: string;
}

/** One client as stored in the secret: its HMAC secret and, optionally, its API key. */
export interface TokenClient {
  secret: string;
  apiKey?: string;
}

/** The part of the Secrets Manager client the authorizer uses. */
export interface SecretsReader {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string }>;
}

export interface HmacAuthorizerOptions {
  /** @default the `TOKEN_CLIENTS_SECRET_ID` environment variable (required when not given) */
  secretId?: string;
  /** @default a SecretsManagerClient created once per container */
  client?: SecretsReader;
  /** The clock, in unix seconds. @default Date.now() / 1000 */
  now?: () => number;
  /** @default 300 */
  windowSeconds?: number;
  /**
   * How long API Gateway caches this authorizer's answer per token (the authorizer's
   * `authorizerResultTtlInSeconds`). A token is accepted only while at least this long is left
   * of its window, so that no cached answer outlives the token.
   * @default the `TOKEN_RESULT_TTL_SECONDS` environment variable, else 0
   */
  resultTtlSeconds?: number;
}

/**
 * The TOKEN authorizer of HMAC client tokens (`functions/hmacToken.ts`). The clients' secrets
 * are read from Secrets Manager once per container, on the first call (a failed read is tried
 * again on the next call). The secret string is JSON: client id -> secret, or
 * client id -> `{ secret, apiKey? }`.
 *
 * A token that does not verify is answered by throwing `Unauthorized`, API Gateway's contract
 * for a 401. A failure to read the secrets throws anything else: API Gateway answers 500 and
 * caches nothing, so clients retry instead of believing their tokens are wrong.
 *
 * Reads `TOKEN_CLIENTS_SECRET_ID`. Never logs a token or a secret.
 */
export function createHmacAuthorizer(options: HmacAuthorizerOptions = {}) {
  const secretId = options.secretId ?? tokenClientsSecretIdFromEnv();
  const client: SecretsReader = options.client ?? new SecretsManagerClient({});
  const now = options.now ?? (() => Date.now() / 1000);
  const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const resultTtlSeconds = options.resultTtlSeconds ?? resultTtlSecondsFromEnv();
  if (!Number.isInteger(resultTtlSeconds) || resultTtlSeconds < 0 || resultTtlSeconds >= windowSeconds) {
    throw new Error(`the result TTL must be an integer from 0 to ${windowSeconds - 1} s, less than the token window (got ${resultTtlSeconds})`);
  }

  let clients: Promise<Map<string, TokenClient>> | undefined;
  const loadClients = () => {
    // Concurrent first calls share one read; a failed read is forgotten, to be tried again.
    clients ??= readTokenClients(client, secretId).catch((error: unknown) => {
      clients = undefined;
      throw error;
    });
    return clients;
  };

  return async (event: TokenAuthorizerEvent): Promise<AuthorizerResult> => {
    const resource = stageWildcard(event.methodArn);
    let table: Map<string, TokenClient>;
    try {
      table = await loadClients();
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      console.error(JSON.stringify({ level: "error", message: "cannot read the token clients", secretId, errorName: err.name, errorMessage: err.message }));
      throw new Error("token clients unavailable");
    }
    const secrets: Record<string, string> = {};
    for (const [id, entry] of table) secrets[id] = entry.secret;
    const clock = now();
    const verdict = verifyHmacToken(event.authorizationToken, secrets, clock, windowSeconds);
    if (!verdict.ok) {
      logRefusal(verdict.reason, event.authorizationToken);
      throw new Error("Unauthorized");
    }
    // API Gateway caches the answer for the token and serves it, unasked, for the whole TTL:
    // accepted with less than that left of its window, a token would stay usable after it.
    if (Math.floor(clock) - verdict.issuedAt > windowSeconds - resultTtlSeconds) {
      logRefusal("stale", event.authorizationToken);
      throw new Error("Unauthorized");
    }
    const apiKey = table.get(verdict.clientId)?.apiKey;
    return {
      principalId: verdict.clientId,
      policyDocument: {
        Version: "2012-10-17",
        // API Gateway caches the policy for the token, not the decision, and evaluates the
        // cached policy against every later request's methodArn: naming only this method would
        // deny the client every other method for the cache TTL. The token proves who the client
        // is, not which method it may call, so the whole stage is allowed.
        Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: resource }],
      },
      context: { clientId: verdict.clientId, expiresAt: verdict.expiresAt },
      ...(apiKey !== undefined ? { usageIdentifierKey: apiKey } : {}),
    };
  };
}

/** `TOKEN_RESULT_TTL_SECONDS` (set by the TokenAuthorizer component); 0 when not set. */
export function resultTtlSecondsFromEnv(env: Record<string, string | undefined> = process.env): number {
  const value = env.TOKEN_RESULT_TTL_SECONDS?.trim();
  if (value === undefined || value === "") return 0;
  if (!/^[0-9]+$/.test(value)) throw new Error(`TOKEN_RESULT_TTL_SECONDS must be a whole number of seconds (got ${JSON.stringify(env.TOKEN_RESULT_TTL_SECONDS)})`);
  return Number(value);
}

/** The token clients' secret id (name or ARN) from `TOKEN_CLIENTS_SECRET_ID`; throws at cold start when it is not set. */
export function tokenClientsSecretIdFromEnv(env: Record<string, string | undefined> = process.env): string {
  const secretId = env.TOKEN_CLIENTS_SECRET_ID;
  if (secretId === undefined || secretId.trim() === "") {
    throw new Error("TOKEN_CLIENTS_SECRET_ID environment variable is required (the Secrets Manager secret holding the token clients)");
  }
  return secretId;
}

/**
 * Parses the token clients' secret string: `{ "<clientId>": "<secret>" }` or
 * `{ "<clientId>": { "secret": "<secret>", "apiKey": "<key>" } }`, mixed freely. Throws
 * naming the first bad entry (never its secret).
 */
export function parseTokenClients(secretString: string): Map<string, TokenClient> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error("the token clients secret is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("the token clients secret must be a JSON object of client id -> secret");
  }
  const clients = new Map<string, TokenClient>();
  for (const [id, entry] of Object.entries(parsed)) {
    if (!CLIENT_ID_PATTERN.test(id)) throw new Error(`token client id ${JSON.stringify(id)} must match ${CLIENT_ID_PATTERN.source}`);
    if (typeof entry === "string" && entry !== "") {
      clients.set(id, { secret: entry });
    } else if (typeof entry === "object" && entry !== null && typeof entry.secret === "string" && entry.secret !== "") {
      if (entry.apiKey !== undefined && typeof entry.apiKey !== "string") throw new Error(`token client ${id}: apiKey must be a string`);
      clients.set(id, entry.apiKey === undefined ? { secret: entry.secret } : { secret: entry.secret, apiKey: entry.apiKey });
    } else {
      throw new Error(`token client ${id}: must be a non-empty secret string or { secret, apiKey? }`);
    }
  }
  return clients;
}

/** `arn:aws:execute-api:r:a:api/stage/GET/x` -> `arn:aws:execute-api:r:a:api/stage/*` */
export function stageWildcard(methodArn: string): string {
  const match = /^(arn:[^:]+:execute-api:[^:]+:[^:]+:[^/:]+\/[^/]+)\//.exec(typeof methodArn === "string" ? methodArn : "");
  if (!match) throw new Error(`methodArn ${JSON.stringify(methodArn)} is not an execute-api method ARN`);
  return `${match[1]}/*`;
}

async function readTokenClients(client: SecretsReader, secretId: string): Promise<Map<string, TokenClient>> {
  const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (typeof result.SecretString !== "string") throw new Error(`secret ${secretId} has no SecretString`);
  return parseTokenClients(result.SecretString);
}

/** One line per refusal: the reason, and the client id when the token had one. Never the token. */
function logRefusal(reason: HmacTokenRejection, token: unknown): void {
  const clientId = reason === "malformed" ? undefined : String(token).split(".")[0];
  console.log(JSON.stringify({ level: "info", message: "token refused", reason, clientId }));
}
