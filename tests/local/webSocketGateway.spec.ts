import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { WebSocketApi } from "../../components/WebSocketApi";
import { runProgram } from "../../local/controlPlane";
import { LOCAL_CREDENTIALS, createTableFromInputs, startDynamoDb, type RunningEmulator } from "../../local/emulators";
import type { InvokeResult } from "../../local/lambda/lambdaRuntime";
import { LambdaRuntime } from "../../local/lambda/lambdaRuntime";
import { programFunctions } from "../../local/lambda/programFunctions";
import { createWorkDir } from "../../local/lambda/taskRoots";
import { Client, refusal } from "./webSocketClient";
import { WebSocketGateway, webSocketApiModels, type WebSocketApiModel, type WebSocketLimits } from "../../local/webSocketGateway";
import type { JsonDocument } from "../jsonDocument";

type Handler = (event: JsonDocument) => unknown;

/** Invokes in-process handlers by ARN; a thrown error is a function error, as Lambda reports it. */
class FakeLambda {
  readonly events: Array<{ arn: string; event: JsonDocument }> = [];
  constructor(readonly handlers: Record<string, Handler>) {}
  async invoke(arn: string, event: unknown): Promise<InvokeResult> {
    this.events.push({ arn, event: JSON.parse(JSON.stringify(event)) });
    const handler = this.handlers[arn];
    if (!handler) return { kind: "error", errorType: "ResourceNotFoundException", errorMessage: arn, trace: [], durationMs: 0 };
    try {
      return { kind: "ok", value: await handler(event), durationMs: 1, coldStart: false };
    } catch (error) {
      return { kind: "error", errorType: "Error", errorMessage: (error as Error).message, trace: [], durationMs: 1 };
    }
  }
  eventsOf(arn: string): JsonDocument[] {
    return this.events.filter((e) => e.arn === arn).map((e) => e.event);
  }
}

const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

function model(routes: Record<string, Partial<{ authorizerId: string; routeResponseSelectionExpression: string }>>, withAuthorizer = false): WebSocketApiModel {
  return {
    apiId: "wsapi12345",
    name: "chat",
    stageName: "ws",
    routeSelectionExpression: "$request.body.action",
    routes: new Map(
      Object.entries(routes).map(([routeKey, extra]) => [
        routeKey,
        { routeKey, functionArn: arn(routeKey.replace("$", "")), timeoutMs: 5000, authorizationType: extra.authorizerId ? "CUSTOM" : "NONE", ...extra },
      ]),
    ),
    authorizers: new Map(withAuthorizer ? [["auth1", { id: "auth1", name: "cognito", functionArn: arn("authorizer"), identitySources: ["route.request.querystring.token"] }]] : []),
    throttle: {},
  };
}

interface Running {
  gateway: WebSocketGateway;
  url: string;
  managementUrl: string;
  server: http.Server;
  stop(): Promise<void>;
}

/** One http server on 127.0.0.1:0: upgrades go to the gateway, @connections to its management API. */
async function serve(gateway: WebSocketGateway): Promise<Running> {
  const server = http.createServer((req, res) => {
    if (!gateway.handleManagement(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  server.on("upgrade", (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    gateway,
    server,
    url: `ws://127.0.0.1:${port}/ws`,
    managementUrl: `http://127.0.0.1:${port}/ws`,
    stop: async () => {
      await gateway.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}


describe("local/webSocketGateway", function () {
  describe("with a fake Lambda", () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.stop();
      running = undefined;
    });
    async function start(m: WebSocketApiModel, handlers: Record<string, Handler>, limits?: WebSocketLimits) {
      const lambda = new FakeLambda(handlers);
      running = await serve(new WebSocketGateway({ model: m, lambda, accountId: "123456789012", region: "us-east-1", limits }));
      return { lambda, ...running };
    }

    it("sends $connect, MESSAGE and $disconnect events of AWS's shape", async () => {
      const { lambda, url, gateway } = await start(model({ $connect: {}, $disconnect: {}, echo: {} }), {
        [arn("connect")]: () => ({ statusCode: 200 }),
        [arn("disconnect")]: () => ({ statusCode: 200 }),
        [arn("echo")]: () => ({ statusCode: 200 }),
      });
      const client = await Client.open(`${url}?room=1`, { "User-Agent": "spec-agent" });
      client.send({ action: "echo", n: 1 });
      await client.until(() => lambda.eventsOf(arn("echo"))[0], "the echo event");
      client.ws.close(1000, "bye");
      await client.until(() => lambda.eventsOf(arn("disconnect"))[0], "the $disconnect event");

      const [connect] = lambda.eventsOf(arn("connect"));
      const [message] = lambda.eventsOf(arn("echo"));
      const [disconnect] = lambda.eventsOf(arn("disconnect"));
      expect(connect.queryStringParameters).to.deep.equal({ room: "1" });
      expect(connect.requestContext).to.include({ routeKey: "$connect", eventType: "CONNECT", stage: "ws", apiId: "wsapi12345" });
      expect(connect.requestContext.identity).to.deep.equal({ sourceIp: "127.0.0.1", userAgent: "spec-agent" });
      expect(connect.requestContext.domainName).to.match(/^127\.0\.0\.1:\d+$/);
      expect(message).to.include({ body: '{"action":"echo","n":1}', isBase64Encoded: false });
      expect(message.requestContext).to.include({ routeKey: "echo", eventType: "MESSAGE", connectionId: connect.requestContext.connectionId, connectedAt: connect.requestContext.connectedAt });
      expect(message.requestContext.requestId).to.be.a("string");
      expect(disconnect.requestContext).to.include({ routeKey: "$disconnect", eventType: "DISCONNECT", disconnectStatusCode: 1000, disconnectReason: "bye" });
      expect(gateway.metrics).to.include({ ConnectCount: 1, MessageCount: 1 });
    });

    it("refuses the upgrade when $connect answers non-2xx, and 404 on another path", async () => {
      const { url } = await start(model({ $connect: {} }), { [arn("connect")]: (e: JsonDocument) => ({ statusCode: e.queryStringParameters?.deny ? 403 : 200 }) });
      expect(await refusal(`${url}?deny=1`)).to.equal(403);
      expect(await refusal(url.replace(/\/ws$/, "/other"))).to.equal(404);
      (await Client.open(url)).ws.close();
    });

    it("runs the REQUEST authorizer: 401 without token or for Unauthorized, 403 on Deny, its context on $connect", async () => {
      const { url, lambda } = await start(model({ $connect: { authorizerId: "auth1" } }, true), {
        [arn("authorizer")]: (e: JsonDocument) => {
          if (e.queryStringParameters.token === "bad") throw new Error("Unauthorized");
          const effect = e.queryStringParameters.token === "good" ? "Allow" : "Deny";
          return { principalId: "u-1", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: e.methodArn }] }, context: { sub: "u-1", email: "u@example.com" } };
        },
        [arn("connect")]: () => ({ statusCode: 200 }),
      });
      expect(await refusal(url)).to.equal(401);
      expect(lambda.eventsOf(arn("authorizer"))).to.have.length(0);
      expect(await refusal(`${url}?token=bad`)).to.equal(401);
      expect(await refusal(`${url}?token=other`)).to.equal(403);
      const client = await Client.open(`${url}?token=good`);
      const [auth] = lambda.eventsOf(arn("authorizer"));
      expect(auth).to.include({ type: "REQUEST", methodArn: "arn:aws:execute-api:us-east-1:123456789012:wsapi12345/ws/$connect" });
      expect(lambda.eventsOf(arn("connect"))[0].requestContext.authorizer).to.deep.equal({ sub: "u-1", email: "u@example.com", principalId: "u-1" });
      client.ws.close();
    });

    it("selects routes by $request.body.action, falls back to $default, else answers Forbidden", async () => {
      const { lambda, url, gateway } = await start(model({ $default: {}, ping: {} }), { [arn("default")]: () => ({}), [arn("ping")]: () => ({}) });
      const client = await Client.open(url);
      for (const m of [{ action: "ping" }, { action: "nope" }, "not json", { action: "$connect" }]) client.send(m);
      await client.until(() => lambda.eventsOf(arn("default")).length === 3 || undefined, "3 $default events");
      expect(lambda.eventsOf(arn("ping"))).to.have.length(1);
      client.ws.close();

      await running!.stop();
      const second = await start(model({ ping: {} }), { [arn("ping")]: () => ({}) });
      const lonely = await Client.open(second.url);
      lonely.send({ action: "other" });
      const answer = await lonely.next();
      expect(answer).to.have.keys("message", "connectionId", "requestId");
      expect(answer.message).to.equal("Forbidden");
      expect(second.gateway.metrics.ClientError).to.equal(1);
      expect(gateway.metrics.MessageCount).to.equal(4);
      lonely.ws.close();
    });

    it("answers Internal server error when the integration fails, and sends the body back on two-way routes", async () => {
      const { url, gateway } = await start(model({ boom: {}, echo: { routeResponseSelectionExpression: "$default" } }), {
        [arn("boom")]: () => {
          throw new Error("kaput");
        },
        [arn("echo")]: (e: JsonDocument) => ({ statusCode: 200, body: `echo:${e.body}` }),
      });
      const client = await Client.open(url);
      client.send({ action: "boom" });
      expect(await client.next()).to.include({ message: "Internal server error" });
      client.send({ action: "echo" });
      expect(await client.next()).to.equal('echo:{"action":"echo"}');
      expect(gateway.metrics.ExecutionError).to.equal(1);
      client.ws.close();
    });

    it("closes a connection over the message size limit (1009) and an idle one (1001), invoking $disconnect", async () => {
      const { url, lambda } = await start(model({ $default: {}, $disconnect: {} }), { [arn("default")]: () => ({}), [arn("disconnect")]: () => ({}) }, { maxMessageBytes: 1024, idleTimeoutMs: 1000 });
      const big = await Client.open(url);
      big.send("x".repeat(1025));
      expect((await big.until(() => big.closed, "the close")).code).to.equal(1009);

      const idle = await Client.open(url);
      idle.send("keep me");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stillHereAt = Date.now();
      idle.send("still here");
      expect((await idle.until(() => idle.closed, "the idle close")).code).to.equal(1001);
      // The second message restarted the 1 s idle timer: the close comes a full timeout after
      // it was sent (the server reads it later still), not ~700 ms after as from "keep me"
      // (less some slack for a timer started on the event loop's cached clock).
      expect(Date.now() - stillHereAt).to.be.at.least(900);
      await big.until(() => (lambda.eventsOf(arn("disconnect")).length === 2 ? true : undefined), "two $disconnect events");
    });

    it("serves @connections: POST sends (200), 410 for unknown ids, 413 over the limit, GET describes, DELETE disconnects (204)", async () => {
      const { url, managementUrl, lambda } = await start(model({ $connect: {}, whoami: {} }), { [arn("connect")]: () => ({ statusCode: 200 }), [arn("whoami")]: () => ({}) });
      const client = await Client.open(url, { "User-Agent": "ua-1" });
      const id = lambda.eventsOf(arn("connect"))[0].requestContext.connectionId as string;
      const at = (connectionId: string) => `${managementUrl}/@connections/${encodeURIComponent(connectionId)}`;

      const post = await fetch(at(id), { method: "POST", body: "hello" });
      expect(post.status).to.equal(200);
      expect(await client.next()).to.equal("hello");

      const gone = await fetch(at("nobody="), { method: "POST", body: "x" });
      expect(gone.status).to.equal(410);
      expect(gone.headers.get("x-amzn-errortype")).to.equal("GoneException");
      expect((await fetch(at(id), { method: "POST", body: "y".repeat(128 * 1024 + 1) })).status).to.equal(413);

      const described = (await (await fetch(at(id))).json()) as { identity: unknown };
      expect(described).to.have.keys("connectedAt", "lastActiveAt", "identity");
      expect(described.identity).to.deep.equal({ sourceIp: "127.0.0.1", userAgent: "ua-1" });

      expect((await fetch(at(id), { method: "DELETE" })).status).to.equal(204);
      await client.until(() => client.closed, "the close");
      expect((await fetch(at(id), { method: "POST", body: "late" })).status).to.equal(410);
    });
  });

  describe("the WebSocketApi component on the real Lambda runtime and dynalite", function () {
    let dynamodb: RunningEmulator;
    let lambda: LambdaRuntime;
    let running: Running;
    let m: WebSocketApiModel;
    const server = http.createServer();

    before(async function () {
      this.timeout(120_000);
      dynamodb = await startDynamoDb();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      const run = await runProgram({
        stack: "dev",
        cloud: { invokeUrl: (_apiId, stage, protocol) => `${protocol === "wss" ? "ws" : "http"}://127.0.0.1:${port}/${stage}` },
        onCreate: async (type, _name, inputs, computed) => {
          if (type === "aws:dynamodb/table:Table") await createTableFromInputs(dynamodb.url, "us-east-1", computed.name, inputs);
        },
        define: () => {
          const api = new WebSocketApi("chat", { stage: { name: "ws" } });
          return { websocketUrl: api.websocketUrl, managementEndpoint: api.managementEndpoint, connectionsTableName: api.connectionsTableName };
        },
      });
      expect(run.outputs.websocketUrl.value).to.equal(`ws://127.0.0.1:${port}/ws`);
      lambda = new LambdaRuntime({
        workDir: createWorkDir(),
        baseEnvironment: {
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
        },
        log: () => undefined,
      });
      for (const fn of await programFunctions(run.graph.resources)) {
        await lambda.deploy({ ...fn, environment: { ...fn.environment, WEBSOCKET_MANAGEMENT_ENDPOINT: run.outputs.managementEndpoint.value as string } });
      }
      [m] = webSocketApiModels(run.graph);
      // $disconnect is best effort on AWS: without it, a vanished client stays in the table
      // until a post to it answers 410, which is the path the spec pins.
      m.routes.delete("$disconnect");
      const gateway = new WebSocketGateway({ model: m, lambda, accountId: "123456789012", region: "us-east-1" });
      server.on("request", (req, res) => {
        if (!gateway.handleManagement(req, res)) {
          res.writeHead(404);
          res.end();
        }
      });
      server.on("upgrade", (req, socket, head) => gateway.handleUpgrade(req, socket, head));
      running = {
        gateway,
        server,
        url: run.outputs.websocketUrl.value as string,
        managementUrl: run.outputs.managementEndpoint.value as string,
        stop: async () => {
          await gateway.close();
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        },
      };
    });
    after(async () => {
      await running?.stop();
      await lambda?.stop();
      await dynamodb?.stop();
    });

    it("reads the model from the graph: the routes ($disconnect left out here), $request.body.action, stage ws", () => {
      expect(m.routeSelectionExpression).to.equal("$request.body.action");
      expect([...m.routes.keys()].sort()).to.deep.equal(["$connect", "$default", "broadcast", "direct", "whoami"]);
      expect(m.stageName).to.equal("ws");
      expect(m.routes.get("broadcast")!.functionArn).to.match(/^arn:aws:lambda:us-east-1:123456789012:function:chat-broadcast/);
    });

    it("three clients: whoami, broadcast to the other two, direct to one, bad JSON, and a vanished client cleaned up by 410", async () => {
      const [a, b, c] = await Promise.all([Client.open(running.url), Client.open(running.url), Client.open(running.url)]);
      const ids: string[] = [];
      for (const client of [a, b, c]) {
        client.send({ action: "whoami" });
        const answer = await client.next("whoami");
        expect(answer.type).to.equal("whoami");
        ids.push(answer.connectionId);
      }
      expect(new Set(ids).size).to.equal(3);

      a.send({ action: "broadcast", message: "hello all" });
      expect(await b.next()).to.deep.equal({ type: "broadcast", from: ids[0], message: "hello all" });
      expect(await c.next()).to.deep.equal({ type: "broadcast", from: ids[0], message: "hello all" });
      expect(await a.next()).to.deep.equal({ type: "broadcastResult", sent: 2, gone: 0, failed: 0 });

      b.send({ action: "direct", targetId: ids[2], message: "just you" });
      expect(await c.next()).to.deep.equal({ type: "direct", from: ids[1], message: "just you" });
      expect(await b.next()).to.deep.equal({ type: "directResult", targetId: ids[2], delivered: true });

      a.send("{not json");
      expect(await a.next()).to.deep.equal({ error: 'Invalid JSON; send JSON like {"action":"whoami"}' });
      a.send({ action: "dance" });
      expect(await a.next()).to.deep.equal({ error: 'Unknown action "dance"; use broadcast, direct or whoami' });

      c.ws.terminate();
      await c.until(() => c.closed, "c's close");
      a.send({ action: "broadcast", message: "who is left?" });
      expect(await b.next()).to.deep.include({ message: "who is left?" });
      expect(await a.next()).to.deep.equal({ type: "broadcastResult", sent: 1, gone: 1, failed: 0 });

      a.send({ action: "broadcast", message: "again" });
      expect(await a.next()).to.deep.equal({ type: "broadcastResult", sent: 1, gone: 0, failed: 0 });
      expect(c.messages).to.have.length(3);
      a.ws.close();
      b.ws.close();
    });
  });
});
