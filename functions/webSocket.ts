import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { emitMetric } from "./businessMetrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { cognitoSettingsFromEnv, createCognitoTokenVerifier } from "./cognitoAuth";

/** The event API Gateway sends a WebSocket route's Lambda proxy integration. */
export interface WebSocketEvent {
  requestContext: {
    connectionId: string;
    routeKey: string;
    eventType: "CONNECT" | "MESSAGE" | "DISCONNECT";
    connectedAt: number;
    domainName: string;
    stage: string;
    apiId: string;
    requestId: string;
    identity?: { sourceIp?: string; userAgent?: string };
    /** `$connect` behind a REQUEST authorizer: its `principalId` and context values (strings). */
    authorizer?: Record<string, unknown>;
    [key: string]: unknown;
  };
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  queryStringParameters?: Record<string, string> | null;
}

/** What a route integration answers; for `$connect`, a non-2xx status refuses the connection. */
export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

/** A connection as stored in the connections table. */
export interface ConnectionRecord {
  connectionId: string;
  /** Epoch ms, API Gateway's `connectedAt`. */
  connectedAt: number;
  sourceIp?: string;
  userAgent?: string;
  /** Epoch seconds after which DynamoDB's TTL may delete a record whose `$disconnect` was lost. */
  ttl: number;
  /** The Cognito identity the `$connect` authorizer passed on. */
  sub?: string;
  email?: string;
}

/** The result a broadcast reports to its sender. */
export interface BroadcastReport {
  type: "broadcastResult";
  sent: number;
  gone: number;
  failed: number;
}

export interface WebSocketHandlerOptions {
  /** @default the `CONNECTIONS_TABLE` environment variable (required when not given) */
  tableName?: string;
  /** @default a DynamoDBDocumentClient created once per container */
  client?: DynamoDBDocumentClient;
  /**
   * The @connections endpoint (`https://{domainName}/{stage}`) for every event.
   * @default `WEBSOCKET_MANAGEMENT_ENDPOINT`, else built from the event
   */
  managementEndpoint?: string;
  /**
   * PostToConnection calls in flight at once during a broadcast, 1 to
   * {@link MAX_BROADCAST_CONCURRENCY}.
   * @default `BROADCAST_CONCURRENCY`, else {@link DEFAULT_BROADCAST_CONCURRENCY}
   */
  concurrency?: number;
  /** Items per Scan page; tests force several pages with it. @default none (DynamoDB's 1 MB pages) */
  scanPageSize?: number;
  /** Parallel Scan segments a broadcast reads the table in. @default {@link BROADCAST_SCAN_SEGMENTS} */
  scanSegments?: number;
  /** @default Date.now */
  now?: () => number;
}

/** Connection records live a day at most, past the 2 h a connection may last, as a safety net. */
const CONNECTION_TTL_SECONDS = 24 * 60 * 60;

/**
 * PostToConnection calls a broadcast keeps in flight. Each call is one HTTPS round trip to the
 * stage's @connections endpoint, so a broadcast sends about `concurrency / round trip` messages
 * a second, and that is what makes it fast: awaited one at a time, 5,000 connections at a
 * 10 ms round trip would take 50 s, past the 29 s a WebSocket integration may take. The
 * calls count against the account's API Gateway throttle in the Region (10,000 requests/s,
 * burst 5,000, shared by every REST, HTTP and WebSocket API and @connections call of the
 * account; past it AWS answers 429 and the SDK retries), so the default keeps one broadcast
 * at half of it with round trips of 10 ms or more, leaving the rest to the APIs' own traffic.
 */
export const DEFAULT_BROADCAST_CONCURRENCY = 50;
/** The most a stack may configure: at 10 ms round trips, the account's whole 10,000 calls/s. */
export const MAX_BROADCAST_CONCURRENCY = 100;

/**
 * A broadcast reads the connections table as this many parallel Scan segments. Posting starts
 * with the first page of any segment rather than after a whole 1 MB page, and no page boundary
 * stalls the posts: while one segment waits for its next page, the others keep the slots busy.
 */
export const BROADCAST_SCAN_SEGMENTS = 4;

// ---------------------------------------------------------------------------------------------
// Route handlers.

/** `$connect`: stores the connection, with the authorizer's identity when there is one. */
export function createConnectHandler(options: WebSocketHandlerOptions = {}) {
  const tableName = options.tableName ?? connectionsTableFromEnv();
  const client = options.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const now = options.now ?? Date.now;

  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const context = event.requestContext;
    const record: ConnectionRecord = {
      connectionId: context.connectionId,
      connectedAt: context.connectedAt ?? now(),
      ttl: Math.floor(now() / 1000) + CONNECTION_TTL_SECONDS,
    };
    if (context.identity?.sourceIp) record.sourceIp = context.identity.sourceIp;
    if (context.identity?.userAgent) record.userAgent = context.identity.userAgent;
    const authorizer = context.authorizer ?? {};
    const sub = authorizer.sub ?? authorizer.principalId;
    if (typeof sub === "string" && sub !== "") record.sub = sub;
    if (typeof authorizer.email === "string" && authorizer.email !== "") record.email = authorizer.email;
    await client.send(new PutCommand({ TableName: tableName, Item: record }));
    return { statusCode: 200 };
  };
}

/** `$disconnect`: forgets the connection. API Gateway sends it best effort; the TTL covers the rest. */
export function createDisconnectHandler(options: WebSocketHandlerOptions = {}) {
  const tableName = options.tableName ?? connectionsTableFromEnv();
  const client = options.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));

  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    await client.send(new DeleteCommand({ TableName: tableName, Key: { connectionId: event.requestContext.connectionId } }));
    return { statusCode: 200 };
  };
}

/** `$default`: bad JSON, a body without `action`, or an action no route has. */
export function createDefaultHandler(options: WebSocketHandlerOptions = {}) {
  const management = managementClients(options);

  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const parsed = parseMessage(event);
    const error = "error" in parsed ? parsed.error : `Unknown action ${JSON.stringify(parsed.action)}; use broadcast, direct or whoami`;
    await answerCaller(management, event, { error });
    return { statusCode: 200 };
  };
}

/**
 * `broadcast`: `{"action":"broadcast","message":...}` to every other connection. Scans every
 * page of the table, posts with at most `concurrency` calls in flight, deletes connections
 * that answer 410 GoneException and carries on, then reports `{sent, gone, failed}` to the
 * sender.
 */
export function createBroadcastHandler(options: WebSocketHandlerOptions = {}) {
  const tableName = options.tableName ?? connectionsTableFromEnv();
  const client = options.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const concurrency = options.concurrency === undefined ? concurrencyFromEnv() : checkedConcurrency(options.concurrency, "concurrency");
  const management = managementClients(options, concurrency);
  const segments = options.scanSegments ?? BROADCAST_SCAN_SEGMENTS;
  if (!Number.isInteger(segments) || segments < 1) throw new Error(`scanSegments must be a positive integer (got ${segments})`);

  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const parsed = parseMessage(event);
    if ("error" in parsed) return answerError(management, event, parsed.error);
    if (!("message" in parsed.body)) return answerError(management, event, "broadcast needs a message");
    const sender = event.requestContext.connectionId;
    const api = management(event);
    const payload = Buffer.from(JSON.stringify({ type: "broadcast", from: sender, message: parsed.body.message }));
    const report: BroadcastReport = { type: "broadcastResult", sent: 0, gone: 0, failed: 0 };

    // One segment failing (its Scan's retries spent) ends the broadcast: the others stop too.
    const stopScans = new AbortController();
    const sources = Array.from({ length: segments }, (_, segment) =>
      connectionIds(client, tableName, { segment, segments, pageSize: options.scanPageSize, abortSignal: stopScans.signal }),
    );
    await forEachBounded(sources, concurrency, async (connectionId) => {
      if (connectionId === sender) return;
      const outcome = await postToConnection(api, connectionId, payload);
      if (outcome === "gone") {
        report.gone++;
        await forgetConnection(client, tableName, connectionId);
      } else if (outcome === "sent") report.sent++;
      else {
        report.failed++;
        logPostFailure(event, connectionId, outcome.error);
      }
    }, { abort: stopScans });
    // Business metrics for the dashboard (embedded metric format: a log line, no API call).
    emitMetric("BroadcastsSent", 1);
    await answerCaller(management, event, report);
    return { statusCode: 200 };
  };
}

/** `direct`: `{"action":"direct","targetId":"...","message":...}` to one connection. */
export function createDirectHandler(options: WebSocketHandlerOptions = {}) {
  const tableName = options.tableName ?? connectionsTableFromEnv();
  const client = options.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const management = managementClients(options);

  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const parsed = parseMessage(event);
    if ("error" in parsed) return answerError(management, event, parsed.error);
    const { targetId } = parsed.body;
    if (typeof targetId !== "string" || targetId === "") return answerError(management, event, "direct needs a targetId (a connection id)");
    if (!("message" in parsed.body)) return answerError(management, event, "direct needs a message");
    const payload = JSON.stringify({ type: "direct", from: event.requestContext.connectionId, message: parsed.body.message });
    const outcome = await postToConnection(management(event), targetId, payload);
    if (outcome === "gone") {
      await forgetConnection(client, tableName, targetId);
      return answerError(management, event, `Connection ${targetId} is gone`);
    }
    if (outcome !== "sent") {
      logPostFailure(event, targetId, outcome.error);
      return answerError(management, event, `Could not deliver to ${targetId}`);
    }
    await answerCaller(management, event, { type: "directResult", targetId, delivered: true });
    return { statusCode: 200 };
  };
}

/** `whoami`: answers the caller's connection id. */
export function createWhoamiHandler(options: WebSocketHandlerOptions = {}) {
  const management = managementClients(options);
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    await answerCaller(management, event, { type: "whoami", connectionId: event.requestContext.connectionId });
    return { statusCode: 200 };
  };
}

/**
 * The `$connect` REQUEST authorizer: verifies the Cognito ID token of the `token` query
 * parameter (browsers cannot set headers on a WebSocket upgrade) and passes `sub` and `email`
 * on as context. WebSocket APIs have no Cognito or JWT authorizer type, hence a Lambda.
 *
 * Reads `USER_POOL_ID`, `USER_POOL_CLIENT_ID`, `AWS_REGION`, and `COGNITO_ISSUER` /
 * `COGNITO_JWKS_URI` (set by the local cloud).
 */
export function createConnectAuthorizer(options: { verify?: (token: string) => Promise<Record<string, unknown>> } = {}) {
  const verify = options.verify ?? createCognitoTokenVerifier(cognitoSettingsFromEnv(), "id");
  return async (event: { methodArn: string; queryStringParameters?: Record<string, string> | null }) => {
    const token = event.queryStringParameters?.token;
    // "Unauthorized" is the message API Gateway maps to 401; any other error would be a 500.
    if (!token) throw new Error("Unauthorized");
    let claims: Record<string, unknown>;
    try {
      claims = await verify(token);
    } catch {
      throw new Error("Unauthorized");
    }
    const sub = String(claims.sub ?? "");
    return {
      principalId: sub,
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }],
      },
      context: { sub, ...(typeof claims.email === "string" ? { email: claims.email } : {}) },
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers of the handlers above.

/** The connections table name from `CONNECTIONS_TABLE`; throws at cold start when it is not set. */
export function connectionsTableFromEnv(env: Record<string, string | undefined> = process.env): string {
  const tableName = env.CONNECTIONS_TABLE;
  if (tableName === undefined || tableName.trim() === "") {
    throw new Error("CONNECTIONS_TABLE environment variable is required (the DynamoDB table of WebSocket connections)");
  }
  return tableName;
}

function concurrencyFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.BROADCAST_CONCURRENCY;
  if (raw === undefined || raw.trim() === "") return DEFAULT_BROADCAST_CONCURRENCY;
  return checkedConcurrency(Number(raw), "BROADCAST_CONCURRENCY", raw);
}

function checkedConcurrency(value: number, name: string, raw: unknown = value): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_BROADCAST_CONCURRENCY) {
    throw new Error(`${name} must be an integer from 1 to ${MAX_BROADCAST_CONCURRENCY} (got ${raw})`);
  }
  return value;
}

/**
 * The @connections endpoint of the API and stage an event came through:
 * `https://{domainName}/{stage}`. `WEBSOCKET_MANAGEMENT_ENDPOINT` replaces it: the SDK's
 * `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` cannot, because the endpoint is per API and
 * stage, so every client is built with an explicit `endpoint`, which wins over that variable.
 */
export function managementEndpointFor(event: WebSocketEvent, env: Record<string, string | undefined> = process.env): string {
  const override = env.WEBSOCKET_MANAGEMENT_ENDPOINT?.trim();
  if (override) return override.replace(/\/+$/, "");
  const { domainName, stage } = event.requestContext;
  return `https://${domainName}/${stage}`;
}

type ManagementClients = (event: WebSocketEvent) => ApiGatewayManagementApiClient;

/**
 * One client per endpoint, kept for the container's life: its keep-alive sockets stay open
 * between calls and invocations. `maxSockets` sizes its socket pool (the SDK's default is 50)
 * so that `concurrency` calls in flight each have a socket rather than queue for one.
 * `cacheMiddleware` resolves the SDK's middleware stack once per command type instead of on
 * every call (nothing here changes the stack after the first call): a broadcast makes
 * thousands of identical calls, and that work was a measurable part of each.
 */
function managementClients(options: WebSocketHandlerOptions, maxSockets?: number): ManagementClients {
  const clients = new Map<string, ApiGatewayManagementApiClient>();
  const agent = maxSockets === undefined ? undefined : { keepAlive: true, maxSockets };
  return (event) => {
    const endpoint = options.managementEndpoint ?? managementEndpointFor(event);
    let client = clients.get(endpoint);
    if (!client) {
      client = new ApiGatewayManagementApiClient({
        endpoint,
        cacheMiddleware: true,
        ...(agent ? { requestHandler: { httpsAgent: agent, httpAgent: agent } } : {}),
      });
      clients.set(endpoint, client);
    }
    return client;
  };
}

type ParsedMessage = { action: unknown; body: Record<string, unknown> } | { error: string };

/** The JSON object a message carries; an error text for anything else. */
export function parseMessage(event: Pick<WebSocketEvent, "body" | "isBase64Encoded">): ParsedMessage {
  if (event.body === undefined || event.body === null || event.body === "") return { error: "Empty message; send JSON like {\"action\":\"whoami\"}" };
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: "Invalid JSON; send JSON like {\"action\":\"whoami\"}" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { error: "The message must be a JSON object with an action" };
  const body = value as Record<string, unknown>;
  return { action: body.action, body };
}

type PostOutcome = "sent" | "gone" | { error: unknown };

async function postToConnection(api: ApiGatewayManagementApiClient, connectionId: string, payload: string | Uint8Array): Promise<PostOutcome> {
  try {
    await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: typeof payload === "string" ? Buffer.from(payload) : payload }));
    return "sent";
  } catch (error) {
    if (isGone(error)) return "gone";
    return { error };
  }
}

function isGone(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "GoneException" || e?.$metadata?.httpStatusCode === 410;
}

async function forgetConnection(client: DynamoDBDocumentClient, tableName: string, connectionId: string): Promise<void> {
  await client.send(new DeleteCommand({ TableName: tableName, Key: { connectionId } }));
}

/** Sends the caller a JSON message; a caller gone meanwhile is no error of the route. */
async function answerCaller(management: ManagementClients, event: WebSocketEvent, message: unknown): Promise<void> {
  const outcome = await postToConnection(management(event), event.requestContext.connectionId, JSON.stringify(message));
  if (typeof outcome === "object") logPostFailure(event, event.requestContext.connectionId, outcome.error);
}

async function answerError(management: ManagementClients, event: WebSocketEvent, error: string): Promise<WebSocketResult> {
  await answerCaller(management, event, { error });
  return { statusCode: 200 };
}

/**
 * Every connection id of one Scan segment, page after page: a Scan page stops at 1 MB (or
 * `Limit`), never at the end.
 */
async function* connectionIds(
  client: DynamoDBDocumentClient,
  tableName: string,
  scan: { segment: number; segments: number; pageSize?: number; abortSignal?: AbortSignal },
): AsyncGenerator<string> {
  // One segment is a plain Scan.
  const segment = scan.segments > 1 ? { Segment: scan.segment, TotalSegments: scan.segments } : {};
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ProjectionExpression: "connectionId", ExclusiveStartKey: startKey, Limit: scan.pageSize, ...segment }),
      { abortSignal: scan.abortSignal },
    );
    for (const item of page.Items ?? []) yield item.connectionId as string;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Runs `work` for each item of the sources, read side by side, with at most `limit` in flight
 * in all; reads each source only as fast as slots free up. `work` must not reject.
 *
 * A finished item hands its slot to the first reader waiting (a FIFO queue), so each item
 * costs the same whatever the limit: racing every item against all those in flight would cost
 * `limit` promise reactions per item, which at thousands of items was a visible share of a
 * broadcast's CPU.
 *
 * The first source that fails stops them all: no further item is read or worked on, `abort`
 * (when given) is aborted so that sources blocked on a request can give up, and the promise
 * rejects with that first error only once every source has stopped and every item in flight
 * has finished. Nothing it started outlives it: a Lambda handler that returned its error must
 * not go on posting a broadcast it reported as failed (Lambda would run that work on, frozen
 * and thawed, inside later invocations).
 */
export async function forEachBounded<T>(
  sources: AsyncIterable<T> | Array<AsyncIterable<T>>,
  limit: number,
  work: (item: T) => Promise<void>,
  options: { abort?: AbortController } = {},
): Promise<void> {
  let running = 0;
  const waiting: Array<() => void> = [];
  let allDone: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  const release = () => {
    const next = waiting.shift();
    if (next) return next();
    running--;
    if (running === 0) allDone?.();
  };
  const drain = async (source: AsyncIterable<T>) => {
    try {
      for await (const item of source) {
        if (failure) break;
        if (running < limit) running++;
        else await new Promise<void>((resolve) => waiting.push(resolve));
        // Another source failed while this one waited for a slot: hand the slot on unused.
        if (failure) {
          release();
          break;
        }
        work(item).then(release, release);
      }
    } catch (error) {
      if (!failure) {
        failure = { error };
        options.abort?.abort(error);
      }
    }
  };
  await Promise.all((Array.isArray(sources) ? sources : [sources]).map(drain));
  if (running > 0) await new Promise<void>((resolve) => (allDone = resolve));
  if (failure) throw failure.error;
}

function logPostFailure(event: WebSocketEvent, connectionId: string, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  console.error(
    JSON.stringify({
      level: "error",
      message: "PostToConnection failed",
      connectionId,
      requestId: event.requestContext.requestId,
      errorName: err.name,
      errorMessage: err.message,
    }),
  );
}
