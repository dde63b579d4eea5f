import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { CreateTableCommand, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  createBroadcastHandler,
  createConnectAuthorizer,
  createConnectHandler,
  createDefaultHandler,
  createDirectHandler,
  createDisconnectHandler,
  createWhoamiHandler,
  forEachBounded,
  managementEndpointFor,
  parseMessage,
  type WebSocketEvent,
} from "../../functions/webSocket";
import { startDynamoEmulator, type DynamoEmulator } from "./dynamoEmulator";
import { waitForTableActive } from "../../local/emulators";
import { withEnv } from "./withEnv";
import type { JsonDocument } from "../jsonDocument";

/** A fake @connections API: POST records, GET describes, DELETE forgets; unknown ids answer 410. */
class FakeManagementApi {
  readonly open = new Set<string>();
  readonly received = new Map<string, string[]>();
  inFlight = 0;
  maxInFlight = 0;
  posts = 0;
  delayMs = 0;
  /**
   * When set, POSTs are held (before their `delayMs`) until this many are in flight at once,
   * then all go on; the gate stays open after. So a client that keeps that many calls in flight
   * is seen doing so however slowly its calls arrive. A client that cannot reach it (no new POST
   * for `holdFallbackMs`) is let go, to fail its assertion rather than hang.
   */
  holdUntilInFlight = 0;
  holdFallbackMs = 2000;
  private held: Array<() => void> = [];
  private holdTimer?: NodeJS.Timeout;
  endpoint = "";
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/test`;
  }

  /** Back to no delay, no gate (held POSTs go on). */
  reset(): void {
    this.delayMs = 0;
    this.holdUntilInFlight = 0;
    this.openGate();
  }

  async stop(): Promise<void> {
    this.openGate();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  messagesOf(id: string): JsonDocument[] {
    return (this.received.get(id) ?? []).map((m) => JSON.parse(m));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const id = decodeURIComponent(/^\/test\/@connections\/(.+)$/.exec(req.url ?? "")?.[1] ?? "");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!this.open.has(id)) {
      res.writeHead(410, { "Content-Type": "application/json", "x-amzn-errortype": "GoneException" });
      res.end(JSON.stringify({ message: "gone" }));
      return;
    }
    if (req.method === "POST") {
      this.posts++;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      if (this.holdUntilInFlight > 0) {
        if (this.inFlight >= this.holdUntilInFlight) this.openGate();
        else {
          clearTimeout(this.holdTimer);
          this.holdTimer = setTimeout(() => this.openGate(), this.holdFallbackMs);
          await new Promise<void>((resolve) => this.held.push(resolve));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      this.inFlight--;
      this.received.set(id, [...(this.received.get(id) ?? []), Buffer.concat(chunks).toString("utf8")]);
      res.writeHead(200);
      res.end();
    } else {
      res.writeHead(204);
      res.end();
    }
  }

  private openGate(): void {
    this.holdUntilInFlight = 0;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    for (const release of this.held.splice(0)) release();
  }
}

function event(connectionId: string, routeKey: string, body?: string, extra: Partial<WebSocketEvent["requestContext"]> = {}): WebSocketEvent {
  return {
    requestContext: {
      connectionId,
      routeKey,
      eventType: routeKey === "$connect" ? "CONNECT" : routeKey === "$disconnect" ? "DISCONNECT" : "MESSAGE",
      connectedAt: 1_700_000_000_000,
      domainName: "abc123.execute-api.us-east-1.amazonaws.com",
      stage: "test",
      apiId: "abc123",
      requestId: randomUUID(),
      identity: { sourceIp: "203.0.113.9", userAgent: "spec" },
      ...extra,
    },
    body,
  };
}

describe("functions/webSocket", function () {
  let dynamo: DynamoEmulator;
  let tableName: string;
  let doc: DynamoDBDocumentClient;
  const management = new FakeManagementApi();

  before(async () => {
    dynamo = await startDynamoEmulator();
    await management.start();
    tableName = `connections-${randomUUID()}`;
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "connectionId", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "connectionId", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await waitForTableActive(dynamo.client, tableName);
    doc = DynamoDBDocumentClient.from(dynamo.client);
  });
  after(async () => {
    await management.stop();
    await dynamo.stop();
  });
  beforeEach(async () => {
    management.open.clear();
    management.received.clear();
    management.maxInFlight = 0;
    management.posts = 0;
    management.reset();
    const { Items } = await dynamo.client.send(new ScanCommand({ TableName: tableName }));
    const { DeleteItemCommand } = await import("@aws-sdk/client-dynamodb");
    for (const item of Items ?? []) await dynamo.client.send(new DeleteItemCommand({ TableName: tableName, Key: { connectionId: item.connectionId } }));
  });

  const options = () => ({ tableName, managementEndpoint: management.endpoint });
  async function addConnections(ids: string[], open = true) {
    for (const id of ids) {
      await doc.send(new PutCommand({ TableName: tableName, Item: { connectionId: id, connectedAt: 1, ttl: 2 } }));
      if (open) management.open.add(id);
    }
  }
  async function storedIds(): Promise<string[]> {
    const { Items } = await dynamo.client.send(new ScanCommand({ TableName: tableName }));
    return (Items ?? []).map((i) => i.connectionId.S!).sort();
  }

  describe("connect / disconnect", () => {
    it("stores the connection with source ip, user agent, a 24 h TTL and the authorizer's identity", async () => {
      const now = 1_700_000_123_000;
      const connect = createConnectHandler({ tableName, now: () => now });
      const result = await connect(event("c-1", "$connect", undefined, { authorizer: { principalId: "sub-1", sub: "sub-1", email: "a@example.com" } }));
      expect(result.statusCode).to.equal(200);
      const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: tableName, Key: { connectionId: { S: "c-1" } } }));
      expect(Item).to.deep.equal({
        connectionId: { S: "c-1" },
        connectedAt: { N: "1700000000000" },
        sourceIp: { S: "203.0.113.9" },
        userAgent: { S: "spec" },
        ttl: { N: String(Math.floor(now / 1000) + 86400) },
        sub: { S: "sub-1" },
        email: { S: "a@example.com" },
      });
    });

    it("stores no identity without an authorizer, and disconnect deletes the record", async () => {
      await createConnectHandler({ tableName })(event("c-2", "$connect"));
      const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: tableName, Key: { connectionId: { S: "c-2" } } }));
      expect(Item).to.not.have.property("sub");
      expect(await createDisconnectHandler({ tableName })(event("c-2", "$disconnect"))).to.deep.equal({ statusCode: 200 });
      expect(await storedIds()).to.deep.equal([]);
    });

    it("refuses to start without CONNECTIONS_TABLE, naming the variable", () => {
      const saved = process.env.CONNECTIONS_TABLE;
      delete process.env.CONNECTIONS_TABLE;
      try {
        expect(() => createConnectHandler()).to.throw("CONNECTIONS_TABLE environment variable is required");
      } finally {
        if (saved !== undefined) process.env.CONNECTIONS_TABLE = saved;
      }
    });
  });

  describe("broadcast", () => {
    it("reaches every other connection across several Scan pages, and reports to the sender", async () => {
      const ids = Array.from({ length: 23 }, (_, i) => `b-${String(i).padStart(2, "0")}`);
      await addConnections(ids);
      const broadcast = createBroadcastHandler({ ...options(), scanPageSize: 5 });
      await broadcast(event("b-00", "broadcast", JSON.stringify({ action: "broadcast", message: { text: "hi" } })));
      for (const id of ids.slice(1)) {
        expect(management.messagesOf(id), id).to.deep.equal([{ type: "broadcast", from: "b-00", message: { text: "hi" } }]);
      }
      expect(management.messagesOf("b-00")).to.deep.equal([{ type: "broadcastResult", sent: 22, gone: 0, failed: 0 }]);
    });

    it("deletes connections answering 410 GoneException and carries on", async () => {
      await addConnections(["s", "live-1", "live-2"]);
      await addConnections(["dead-1", "dead-2"], false);
      await createBroadcastHandler({ ...options(), scanPageSize: 2 })(event("s", "broadcast", JSON.stringify({ action: "broadcast", message: "x" })));
      expect(management.messagesOf("s")).to.deep.equal([{ type: "broadcastResult", sent: 2, gone: 2, failed: 0 }]);
      expect(await storedIds()).to.deep.equal(["live-1", "live-2", "s"]);
      expect(management.messagesOf("live-2")).to.have.length(1);
    });

    it("keeps at most `concurrency` posts in flight", async () => {
      const ids = Array.from({ length: 40 }, (_, i) => `k-${i}`);
      await addConnections(["sender", ...ids]);
      management.delayMs = 20;
      management.holdUntilInFlight = 7;
      await createBroadcastHandler({ ...options(), concurrency: 7, scanPageSize: 9 })(event("sender", "broadcast", JSON.stringify({ action: "broadcast", message: 1 })));
      expect(management.messagesOf("sender")[0]).to.include({ sent: 40 });
      // Reaches the limit (the gate holds posts until 7 are in flight) and never passes it.
      expect(management.maxInFlight).to.equal(7);
    });

    it("sizes its socket pool to `concurrency`: 80 posts in flight, past the SDK's default pool of 50", async () => {
      const ids = Array.from({ length: 100 }, (_, i) => `p-${i}`);
      await addConnections(["sender", ...ids]);
      management.delayMs = 50;
      management.holdUntilInFlight = 80;
      await createBroadcastHandler({ ...options(), concurrency: 80 })(event("sender", "broadcast", JSON.stringify({ action: "broadcast", message: 1 })));
      expect(management.messagesOf("sender")[0]).to.include({ sent: 100 });
      // Reaches 80 (the gate holds posts until 80 are in flight; a pool of 50 would stall at
      // 50 until the fallback) and never passes it.
      expect(management.maxInFlight).to.equal(80);
    });

    it("reads the table as parallel Scan segments, reaching every connection once", async () => {
      const ids = Array.from({ length: 30 }, (_, i) => `g-${String(i).padStart(2, "0")}`);
      await addConnections(ids);
      const scans: Array<Record<string, unknown>> = [];
      const recording = { send: (command: { input: Record<string, unknown> }) => (scans.push(command.input), doc.send(command as never)) };
      await createBroadcastHandler({ ...options(), client: recording as unknown as DynamoDBDocumentClient, scanSegments: 3, scanPageSize: 4 })(
        event("g-00", "broadcast", JSON.stringify({ action: "broadcast", message: "seg" })),
      );
      for (const id of ids.slice(1)) expect(management.messagesOf(id), id).to.deep.equal([{ type: "broadcast", from: "g-00", message: "seg" }]);
      expect(management.messagesOf("g-00")).to.deep.equal([{ type: "broadcastResult", sent: 29, gone: 0, failed: 0 }]);
      const firstPages = scans.filter((s) => s.ExclusiveStartKey === undefined);
      expect(firstPages.map((s) => [s.Segment, s.TotalSegments]).sort()).to.deep.equal([[0, 3], [1, 3], [2, 3]]);
      expect(scans.length, "30 records in pages of 4 over 3 segments").to.be.at.least(9);
    });

    it("refuses a concurrency outside 1..100, naming where it came from", () => {
      expect(() => createBroadcastHandler({ ...options(), concurrency: 101 })).to.throw("concurrency must be an integer from 1 to 100 (got 101)");
      expect(() => withEnv({ BROADCAST_CONCURRENCY: "0" }, () => createBroadcastHandler(options()))).to.throw(
        "BROADCAST_CONCURRENCY must be an integer from 1 to 100 (got 0)",
      );
      expect(() => withEnv({ BROADCAST_CONCURRENCY: "many" }, () => createBroadcastHandler(options()))).to.throw(
        "BROADCAST_CONCURRENCY must be an integer from 1 to 100 (got many)",
      );
    });

    it("answers an error for a broadcast without message", async () => {
      await addConnections(["s", "other"]);
      await createBroadcastHandler(options())(event("s", "broadcast", JSON.stringify({ action: "broadcast" })));
      expect(management.messagesOf("s")).to.deep.equal([{ error: "broadcast needs a message" }]);
      expect(management.messagesOf("other")).to.deep.equal([]);
    });
  });

  describe("direct, whoami, $default", () => {
    it("direct reaches the target only and confirms to the caller", async () => {
      await addConnections(["a", "b", "c"]);
      await createDirectHandler(options())(event("a", "direct", JSON.stringify({ action: "direct", targetId: "b", message: "psst" })));
      expect(management.messagesOf("b")).to.deep.equal([{ type: "direct", from: "a", message: "psst" }]);
      expect(management.messagesOf("c")).to.deep.equal([]);
      expect(management.messagesOf("a")).to.deep.equal([{ type: "directResult", targetId: "b", delivered: true }]);
    });

    it("direct to a gone connection deletes it and tells the caller", async () => {
      await addConnections(["a"]);
      await addConnections(["ghost"], false);
      await createDirectHandler(options())(event("a", "direct", JSON.stringify({ action: "direct", targetId: "ghost", message: "x" })));
      expect(management.messagesOf("a")).to.deep.equal([{ error: "Connection ghost is gone" }]);
      expect(await storedIds()).to.deep.equal(["a"]);
    });

    it("direct without targetId answers an error", async () => {
      await addConnections(["a"]);
      await createDirectHandler(options())(event("a", "direct", JSON.stringify({ action: "direct", message: "x" })));
      expect(management.messagesOf("a")).to.deep.equal([{ error: "direct needs a targetId (a connection id)" }]);
    });

    it("whoami answers the caller's connection id", async () => {
      management.open.add("me=");
      await createWhoamiHandler(options())(event("me=", "whoami", JSON.stringify({ action: "whoami" })));
      expect(management.messagesOf("me=")).to.deep.equal([{ type: "whoami", connectionId: "me=" }]);
    });

    it("$default answers bad JSON, non-objects and unknown actions with an error, never throwing", async () => {
      management.open.add("x");
      const handler = createDefaultHandler(options());
      for (const body of ["{not json", "[1,2]", JSON.stringify({ action: "dance" }), ""]) {
        expect(await handler(event("x", "$default", body))).to.deep.equal({ statusCode: 200 });
      }
      expect(management.messagesOf("x")).to.deep.equal([
        { error: 'Invalid JSON; send JSON like {"action":"whoami"}' },
        { error: "The message must be a JSON object with an action" },
        { error: 'Unknown action "dance"; use broadcast, direct or whoami' },
        { error: 'Empty message; send JSON like {"action":"whoami"}' },
      ]);
    });

    it("a caller gone before the answer is no error of the route", async () => {
      expect(await createWhoamiHandler(options())(event("left", "whoami", "{}"))).to.deep.equal({ statusCode: 200 });
    });
  });

  describe("helpers", () => {
    it("builds the management endpoint from the event, unless WEBSOCKET_MANAGEMENT_ENDPOINT overrides it", () => {
      expect(managementEndpointFor(event("a", "whoami"), {})).to.equal("https://abc123.execute-api.us-east-1.amazonaws.com/test");
      expect(managementEndpointFor(event("a", "whoami"), { WEBSOCKET_MANAGEMENT_ENDPOINT: "http://127.0.0.1:9/test/" })).to.equal("http://127.0.0.1:9/test");
    });

    it("decodes base64 bodies", () => {
      expect(parseMessage({ body: Buffer.from('{"action":"whoami"}').toString("base64"), isBase64Encoded: true })).to.deep.include({ action: "whoami" });
    });

    it("forEachBounded shares its limit among several sources read side by side", async () => {
      let running = 0;
      let max = 0;
      const done: string[] = [];
      async function* letters(prefix: string, count: number) {
        for (let i = 0; i < count; i++) {
          if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          yield `${prefix}${i}`;
        }
      }
      await forEachBounded([letters("a", 20), letters("b", 7), letters("c", 13)], 5, async (item) => {
        running++;
        max = Math.max(max, running);
        await new Promise((resolve) => setTimeout(resolve, item.length % 3));
        running--;
        done.push(item);
      });
      expect(max).to.equal(5);
      expect(done).to.have.length(40);
      expect(new Set(done).size).to.equal(40);
      expect(running).to.equal(0);
    });

    it("forEachBounded: the first source that fails stops the others, aborts, and rejects only once nothing it started is still running", async () => {
      const abort = new AbortController();
      const events: string[] = [];
      // Fails on its second read, while the slow source waits on a "request".
      async function* failing() {
        yield "f0";
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error("Scan failed: ECONNREFUSED");
      }
      // A source blocked on a request that ignores the abort and answers afterwards (as an SDK
      // call in its retry back-off does): its items must not be worked on any more.
      async function* slow() {
        yield "s0";
        await new Promise((resolve) => setTimeout(resolve, 40));
        events.push("slow source answered");
        yield "s1";
        yield "s2";
      }
      const outcome = forEachBounded(
        [failing(), slow()],
        4,
        async (item) => {
          events.push(`start ${item}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          events.push(`end ${item}`);
        },
        { abort },
      ).then(
        () => "resolved",
        (error: Error) => {
          events.push("rejected");
          return error.message;
        },
      );
      expect(await outcome).to.equal("Scan failed: ECONNREFUSED");
      expect(abort.signal.aborted, "the abort signal").to.equal(true);
      expect(events.filter((e) => e.startsWith("start")).sort()).to.deep.equal(["start f0", "start s0"]);
      expect(events.at(-1), "rejected last").to.equal("rejected");
      expect(events).to.include.members(["end f0", "end s0", "slow source answered"]);
    });

    it("forEachBounded never exceeds its limit and runs everything", async () => {
      let running = 0;
      let max = 0;
      const done: number[] = [];
      async function* numbers() {
        for (let i = 0; i < 30; i++) yield i;
      }
      await forEachBounded(numbers(), 4, async (n) => {
        running++;
        max = Math.max(max, running);
        await new Promise((resolve) => setTimeout(resolve, (n % 3) * 3));
        running--;
        done.push(n);
      });
      expect(max).to.equal(4);
      expect(done.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i));
    });
  });

  describe("connect authorizer", () => {
    const methodArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/ws/$connect";
    it("allows a valid token with sub and email as context", async () => {
      const authorize = createConnectAuthorizer({ verify: async (t) => (t === "good" ? { sub: "u-1", email: "u@example.com" } : Promise.reject(new Error("bad"))) });
      expect(await authorize({ methodArn, queryStringParameters: { token: "good" } })).to.deep.equal({
        principalId: "u-1",
        policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: methodArn }] },
        context: { sub: "u-1", email: "u@example.com" },
      });
    });

    it("answers Unauthorized for a missing or invalid token", async () => {
      const authorize = createConnectAuthorizer({ verify: async () => Promise.reject(new Error("expired")) });
      for (const query of [null, {}, { token: "bad" }] as Array<Record<string, string> | null>) {
        let message = "";
        await authorize({ methodArn, queryStringParameters: query }).catch((e: Error) => (message = e.message));
        expect(message).to.equal("Unauthorized");
      }
    });
  });
});
