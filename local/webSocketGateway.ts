/**
 * The local WebSocket gateway: serves one WebSocket API stage on `ws`, as API Gateway does
 * (apigw-behavior.md "WebSocket APIs"):
 * - `$connect` runs on the upgrade request: the REQUEST authorizer first (missing identity
 *   source or "Unauthorized" -> 401, a policy that does not allow -> 403), then the route's
 *   integration; a non-2xx result refuses the upgrade with that status.
 * - Messages pick a route by the API's `routeSelectionExpression` (`$request.body.<field>`),
 *   fall back to `$default`, and without one the caller gets
 *   `{"message":"Forbidden","connectionId":...,"requestId":...}`.
 * - Limits: 128 KB messages (larger ones close the connection with 1009, as AWS does), 10 min
 *   idle, 2 h per connection; `$disconnect` is invoked best effort after any close.
 * - The @connections management API (`POST|GET|DELETE /{stage}/@connections/{id}`) is served
 *   on the same HTTP server as the API, under the stage's path: see {@link WebSocketGateway.handleManagement}.
 * What is local: no SigV4 check on @connections, no 32 KB frame limit, no route throttling.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { InvokeResult } from "./lambda/lambdaRuntime";
import { PayloadTooLarge, awsRequestTime, readBody } from "./gateway/incomingRequest";
import type { LambdaInvoker } from "./gateway/lambdaInvoker";
import type { WebSocketApiModel, WebSocketRouteModel } from "./webSocket/webSocketApiModel";

export { webSocketApiModels } from "./webSocket/webSocketApiModel";
export type { WebSocketApiModel, WebSocketAuthorizerModel, WebSocketRouteModel } from "./webSocket/webSocketApiModel";

export interface WebSocketLimits {
  /** @default 131072 (128 KB) */
  maxMessageBytes?: number;
  /** @default 600000 (10 min) */
  idleTimeoutMs?: number;
  /** @default 7200000 (2 h) */
  maxConnectionMs?: number;
}

export interface WebSocketGatewayOptions {
  model: WebSocketApiModel;
  lambda: LambdaInvoker;
  accountId: string;
  region: string;
  limits?: WebSocketLimits;
  /** @default Date.now */
  now?: () => number;
  /** Told of every metric counted (the local metrics store). @default none */
  onMetric?: (name: keyof WebSocketMetrics) => void;
}

/** CloudWatch's WebSocket metrics of the stage (namespace AWS/ApiGateway), as counters. */
export interface WebSocketMetrics {
  ConnectCount: number;
  MessageCount: number;
  ClientError: number;
  ExecutionError: number;
  IntegrationError: number;
}

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  domainName: string;
  authorizer?: Record<string, unknown>;
  idleTimer?: NodeJS.Timeout;
  lifeTimer?: NodeJS.Timeout;
}

const DEFAULT_LIMITS: Required<WebSocketLimits> = {
  maxMessageBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60 * 1000,
  maxConnectionMs: 2 * 60 * 60 * 1000,
};

export class WebSocketGateway {
  private currentModel: WebSocketApiModel;
  readonly metrics: WebSocketMetrics = { ConnectCount: 0, MessageCount: 0, ClientError: 0, ExecutionError: 0, IntegrationError: 0 };
  /**
   * The @connections API as a request listener of its own (404 for every other path), for a
   * server of its own; on the API's server use {@link handleManagement} instead.
   */
  readonly managementEndpoint: (req: IncomingMessage, res: ServerResponse) => void;
  private readonly limits: Required<WebSocketLimits>;
  private readonly connections = new Map<string, Connection>();
  private readonly pendingDisconnects = new Set<Promise<unknown>>();
  private readonly wss: WebSocketServer;
  private readonly now: () => number;

  constructor(private readonly options: WebSocketGatewayOptions) {
    this.currentModel = options.model;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    // ws closes with 1009 ("Message Too Big") past maxPayload, as API Gateway does past 128 KB.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes, perMessageDeflate: false });
    this.now = options.now ?? Date.now;
    this.managementEndpoint = (req, res) => {
      if (!this.handleManagement(req, res)) sendJson(res, 404, { message: "Not Found" });
    };
  }

  /** The stage served: routes, authorizers and integrations as last deployed. */
  get model(): WebSocketApiModel {
    return this.currentModel;
  }

  /**
   * Serves a new deployment of the same API stage (a watch-mode reload): open connections
   * stay open, and their next messages use the new routes and integrations, as a stage
   * redeployed on AWS keeps its connections. Throws for another API or stage, whose clients
   * would connect elsewhere.
   *
   * @param model - The stage as the new program run declares it.
   */
  replaceModel(model: WebSocketApiModel): void {
    if (model.apiId !== this.currentModel.apiId || model.stageName !== this.currentModel.stageName) {
      throw new Error(`a WebSocket gateway serves ${this.currentModel.apiId}/${this.currentModel.stageName}, not ${model.apiId}/${model.stageName}`);
    }
    this.currentModel = model;
  }

  /** The path clients connect to: `/{stage}` (`/` for `$default`). */
  get path(): string {
    return this.model.stageName === "$default" ? "/" : `/${this.model.stageName}`;
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** The `upgrade` listener of the API's HTTP server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.connect(req, socket, head).catch((error) => {
      console.error(`[websocket] $connect failed: ${(error as Error).stack}`);
      refuseUpgrade(socket, 500);
    });
  }

  /**
   * Serves `POST|GET|DELETE /{stage}/@connections/{connectionId}` and answers true; answers
   * false (leaving `res` alone) for any other path, so the API's own handler takes it.
   */
  handleManagement(req: IncomingMessage, res: ServerResponse): boolean {
    // Every request on the API's port passes here first: a target the URL parser refuses
    // (`//`, `http://[::1/x`) is not @connections, and must not throw out of the server's handler.
    let pathname: string;
    try {
      pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    } catch {
      return false;
    }
    const prefix = this.model.stageName === "$default" ? "/@connections/" : `/${this.model.stageName}/@connections/`;
    if (!pathname.startsWith(prefix)) return false;
    let id: string;
    try {
      id = decodeURIComponent(pathname.slice(prefix.length));
    } catch {
      sendError(res, 400, "BadRequestException", "Invalid connection id");
      return true;
    }
    void this.manage(req, res, id).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { message: (error as Error).message });
    });
    return true;
  }

  /** Closes every connection (each gets its `$disconnect`) and waits for those invocations. */
  private count(name: keyof WebSocketMetrics): void {
    this.metrics[name]++;
    this.options.onMetric?.(name);
  }

  async close(): Promise<void> {
    for (const connection of this.connections.values()) connection.socket.close(1001, "Going away");
    // A socket that does not answer the close handshake is dropped after a moment.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const connection of this.connections.values()) connection.socket.terminate();
    await Promise.all(this.pendingDisconnects);
    this.wss.close();
  }

  // -------------------------------------------------------------------------------------------
  // $connect

  private async connect(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.replace(/\/+$/, "") !== this.path.replace(/\/+$/, "")) return refuseUpgrade(socket, 404);

    const connectedAt = this.now();
    const connection: Omit<Connection, "socket"> = {
      id: newConnectionId(),
      connectedAt,
      lastActiveAt: connectedAt,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1",
      userAgent: header(req, "user-agent") ?? "",
      domainName: header(req, "host") ?? "localhost",
    };
    const query = Object.fromEntries(url.searchParams);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]));
    const route = this.model.routes.get("$connect");

    if (route?.authorizationType === "CUSTOM") {
      const decision = await this.authorize(route, connection, headers, query);
      if (decision.status !== 200) {
        this.count("ClientError");
        return refuseUpgrade(socket, decision.status);
      }
      connection.authorizer = decision.context;
    }
    if (route?.functionArn) {
      const event = {
        headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
        multiValueQueryStringParameters: Object.keys(query).length > 0 ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : undefined,
        requestContext: this.requestContext(connection, "$connect", "CONNECT"),
        isBase64Encoded: false,
      };
      const result = await this.options.lambda.invoke(route.functionArn, event, { timeoutMs: route.timeoutMs });
      const failure = this.integrationFailure(result);
      if (failure) return refuseUpgrade(socket, failure.status);
      const statusCode = statusOf((result as { value: unknown }).value);
      if (statusCode < 200 || statusCode > 299) {
        this.count("ClientError");
        return refuseUpgrade(socket, statusCode >= 400 && statusCode <= 599 ? statusCode : 403);
      }
    }
    if (socket.destroyed) return this.disconnectLater(connection, 1006, "Connection closed during $connect");

    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept({ ...connection, socket: ws }));
  }

  /** Runs the `$connect` route's REQUEST authorizer: 200 with its context, or the status refusing the upgrade. */
  private async authorize(
    route: WebSocketRouteModel,
    connection: Omit<Connection, "socket">,
    headers: Record<string, string>,
    query: Record<string, string>,
  ): Promise<{ status: number; context?: Record<string, unknown> }> {
    const authorizer = route.authorizerId ? this.model.authorizers.get(route.authorizerId) : undefined;
    if (!authorizer?.functionArn) return { status: 500 };
    // Every identity source must be present, or API Gateway answers 401 without invoking.
    for (const source of authorizer.identitySources) {
      const match = /^route\.request\.(querystring|header)\.(.+)$/.exec(source);
      const value = match?.[1] === "querystring" ? query[match[2]] : match ? headers[match[2].toLowerCase()] : undefined;
      if (!value) return { status: 401 };
    }
    const methodArn = `arn:aws:execute-api:${this.options.region}:${this.options.accountId}:${this.model.apiId}/${this.model.stageName}/$connect`;
    const result = await this.options.lambda.invoke(
      authorizer.functionArn,
      { type: "REQUEST", methodArn, headers, queryStringParameters: query, stageVariables: {}, requestContext: this.requestContext(connection, "$connect", "CONNECT") },
      { timeoutMs: 10_000 },
    );
    if (result.kind === "error" && result.errorMessage === "Unauthorized") return { status: 401 };
    if (result.kind !== "ok") {
      this.count("ExecutionError");
      return { status: 500 };
    }
    const policy = result.value as { principalId?: string; policyDocument?: { Statement?: Array<{ Effect?: string; Action?: unknown }> }; context?: Record<string, unknown> };
    const statements = policy?.policyDocument?.Statement ?? [];
    const allowed = statements.some((s) => s.Effect === "Allow") && !statements.some((s) => s.Effect === "Deny");
    if (!allowed) return { status: 403 };
    return { status: 200, context: { ...(policy.context ?? {}), principalId: policy.principalId } };
  }

  private accept(connection: Connection): void {
    this.connections.set(connection.id, connection);
    this.count("ConnectCount");
    this.touch(connection);
    connection.lifeTimer = setTimeout(() => connection.socket.close(1001, "Going away"), this.limits.maxConnectionMs);
    connection.lifeTimer.unref();
    connection.socket.on("message", (data, isBinary) => {
      this.touch(connection);
      void this.message(connection, data, isBinary);
    });
    connection.socket.on("ping", () => this.touch(connection));
    connection.socket.on("error", () => undefined);
    connection.socket.on("close", (code, reason) => {
      clearTimeout(connection.idleTimer);
      clearTimeout(connection.lifeTimer);
      this.connections.delete(connection.id);
      this.disconnectLater(connection, code, reason.toString());
    });
  }

  private touch(connection: Connection): void {
    connection.lastActiveAt = this.now();
    clearTimeout(connection.idleTimer);
    connection.idleTimer = setTimeout(() => connection.socket.close(1001, "Going away"), this.limits.idleTimeoutMs);
    connection.idleTimer.unref();
  }

  // -------------------------------------------------------------------------------------------
  // Messages

  private async message(connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    this.count("MessageCount");
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const requestId = newRequestId();
    const route = this.selectRoute(isBinary ? undefined : bytes.toString("utf8"));
    if (!route) {
      this.count("ClientError");
      return this.sendTo(connection, { message: "Forbidden", connectionId: connection.id, requestId });
    }
    if (!route.functionArn) return;
    const event = {
      requestContext: { ...this.requestContext(connection, route.routeKey, "MESSAGE"), requestId, messageId: newRequestId() },
      body: isBinary ? bytes.toString("base64") : bytes.toString("utf8"),
      isBase64Encoded: isBinary,
    };
    const result = await this.options.lambda.invoke(route.functionArn, event, { timeoutMs: route.timeoutMs });
    const failure = this.integrationFailure(result);
    if (failure) {
      return this.sendTo(connection, { message: failure.message, connectionId: connection.id, requestId });
    }
    // Only a route with a route response sends the integration's body back (two-way routes).
    const body = (result as { value?: { body?: unknown } }).value?.body;
    if (route.routeResponseSelectionExpression && typeof body === "string") this.sendRaw(connection, body);
  }

  /** The route for a message: the expression's value when a route has that key, else `$default`. */
  private selectRoute(text: string | undefined): WebSocketRouteModel | undefined {
    const field = /^\$request\.body\.(.+)$/.exec(this.model.routeSelectionExpression)?.[1];
    let key: unknown;
    if (field !== undefined && text !== undefined) {
      try {
        key = field.split(".").reduce<unknown>((value, part) => (value && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined), JSON.parse(text));
      } catch {
        key = undefined;
      }
    }
    const custom = typeof key === "string" && !key.startsWith("$") ? this.model.routes.get(key) : undefined;
    return custom ?? this.model.routes.get("$default");
  }

  private integrationFailure(result: InvokeResult): { status: number; message: string } | undefined {
    if (result.kind === "ok") return undefined;
    if (result.kind === "error") {
      this.count("ExecutionError");
      return { status: 500, message: "Internal server error" };
    }
    this.count("IntegrationError");
    if (result.kind === "timeout") return { status: 504, message: "Endpoint request timed out" };
    // The Invoke API refused the event (too large): an integration failure, not a throttle.
    if (result.kind === "rejected") return { status: 500, message: "Internal server error" };
    return { status: 429, message: "Too Many Requests" };
  }

  private requestContext(connection: Omit<Connection, "socket">, routeKey: string, eventType: "CONNECT" | "MESSAGE" | "DISCONNECT") {
    const time = new Date(this.now());
    return {
      routeKey,
      eventType,
      extendedRequestId: newRequestId(),
      requestTime: awsRequestTime(time),
      messageDirection: "IN",
      stage: this.model.stageName,
      connectedAt: connection.connectedAt,
      requestTimeEpoch: time.getTime(),
      identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      requestId: newRequestId(),
      domainName: connection.domainName,
      connectionId: connection.id,
      apiId: this.model.apiId,
      ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
    };
  }

  /** `$disconnect`, best effort: its result and failures change nothing. */
  private disconnectLater(connection: Omit<Connection, "socket">, code: number, reason: string): void {
    const route = this.model.routes.get("$disconnect");
    if (!route?.functionArn) return;
    const event = {
      headers: {},
      requestContext: { ...this.requestContext(connection, "$disconnect", "DISCONNECT"), disconnectStatusCode: code, disconnectReason: reason },
      isBase64Encoded: false,
    };
    const invocation = this.options.lambda
      .invoke(route.functionArn, event, { timeoutMs: route.timeoutMs })
      .then((result) => this.integrationFailure(result))
      .catch(() => undefined)
      .finally(() => this.pendingDisconnects.delete(invocation));
    this.pendingDisconnects.add(invocation);
  }

  private sendTo(connection: Connection, message: unknown): void {
    this.sendRaw(connection, JSON.stringify(message));
  }

  private sendRaw(connection: Connection, text: string | Buffer): void {
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(text, { binary: false });
  }

  // -------------------------------------------------------------------------------------------
  // @connections

  private async manage(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const connection = this.connections.get(id);
    const open = connection && connection.socket.readyState === WebSocket.OPEN;
    switch (req.method) {
      case "POST": {
        let body: Buffer;
        try {
          body = await readBody(req, this.limits.maxMessageBytes);
        } catch (err) {
          if (err instanceof PayloadTooLarge) return sendError(res, 413, "PayloadTooLargeException", "Request entity too large");
          throw err;
        }
        if (!open) return sendError(res, 410, "GoneException", `Connection ${id} is gone`);
        await new Promise<void>((resolve) =>
          connection.socket.send(body, { binary: false }, (error) => {
            if (error) sendError(res, 410, "GoneException", `Connection ${id} is gone`);
            else {
              res.writeHead(200, { "Content-Length": "0" });
              res.end();
            }
            resolve();
          }),
        );
        return;
      }
      case "GET":
        if (!open) return sendError(res, 410, "GoneException", `Connection ${id} is gone`);
        return sendJson(res, 200, {
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
      case "DELETE":
        if (!open) return sendError(res, 410, "GoneException", `Connection ${id} is gone`);
        connection.socket.close(1000, "Disconnected by the @connections API");
        res.writeHead(204);
        res.end();
        return;
      default:
        return sendJson(res, 405, { message: `Method ${req.method} not allowed on @connections` });
    }
  }
}

/** Answers an upgrade request with a plain HTTP status and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const reason = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 504: "Gateway Timeout" }[status] ?? "Error";
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function statusOf(value: unknown): number {
  const statusCode = (value as { statusCode?: unknown } | null)?.statusCode;
  // A result without a status code is a success, as AWS reads a Lambda proxy result.
  return typeof statusCode === "number" ? statusCode : typeof statusCode === "string" ? Number(statusCode) : 200;
}

/** AWS's ids look like `L0SM9cOFvHcCIhw=`; `+` and `/` are left out so ids need no escaping in paths. */
function newConnectionId(): string {
  return randomBytes(11).toString("base64").replace(/\+/g, "A").replace(/\//g, "B");
}

function newRequestId(): string {
  return randomUUID();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** An error as the management API answers it: the SDK reads its name from `x-amzn-errortype`. */
function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ message });
  res.writeHead(status, { "Content-Type": "application/json", "x-amzn-errortype": type, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
