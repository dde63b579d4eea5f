/**
 * Issue 6, faults: each is answered as AWS answers it [apigw-behavior.md], the gateway keeps
 * serving meanwhile, and it recovers without a restart.
 * - a Lambda proxy function that throws: 502 `{"message": "Internal server error"}`;
 * - one that hangs past its own timeout: Lambda answers Sandbox.Timedout, so 502
 *   `{"message": "Internal server error"}`; past the integration's timeout first: 504
 *   `{"message": "Endpoint request timed out"}`, while the function runs on to its own timeout;
 * - the DynamoDB emulator going down mid-run and coming back (local/emulators.ts pause/resume,
 *   tables kept, as a regional outage that recovers): the routes that use it answer 5xx, the
 *   others go on answering 200, and afterwards everything answers 2xx again;
 * - a WebSocket client that vanishes without a close frame, and a connection row whose
 *   `$disconnect` the gateway never ran: @connections answers 410 GoneException and the
 *   handlers delete the stale row [WebSocket APIs, Use @connections commands].
 */
import { randomBytes } from "node:crypto";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { dynamoDbEmulatorAt, type RunningDynamoDb } from "../../local/emulators";
import { LocalUserPool, type SignedInUser } from "../local/integration/cognitoUsers";
import { UUID, call, expectGatewayError, sleep, type Reply } from "../local/integration/httpClient";
import { Client, refusal } from "../local/webSocketClient";
import { waitFor } from "../waitFor";
import { dynamoDbClientOf, functionNamed, scanAll, sharedCloud, tableKeyedBy, type ReliabilityCloud } from "./reliabilityCloud";

const INTERNAL_ERROR = `{"message": "Internal server error"}`;
const TIMED_OUT = `{"message": "Endpoint request timed out"}`;

describe("reliability: failing functions (behaviour fixture program)", function () {
  let env: ReliabilityCloud;
  let base: string;
  let modes: string;

  before(async function () {
    this.timeout(60_000);
    env = await sharedCloud("behaviour");
    base = env.cloud.endpoints.restApi;
    modes = functionNamed(env.cloud, "modes");
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") env?.dumpFunctionLines();
  });

  it('answers a function that throws with 502 {"message": "Internal server error"}, serves other requests meanwhile, and the next invocation succeeds', async () => {
    const errorsBefore = env.cloud.lambda.stats(modes).errors;
    const linesBefore = env.functionLines.length;
    const [thrown, served] = await Promise.all([
      Promise.all(Array.from({ length: 5 }, () => call(`${base}/proxy/x?mode=throw`, { method: "POST" }))),
      Promise.all(Array.from({ length: 5 }, (_, i) => call(`${base}/proxy/other/${i}?mode=echo`))),
    ]);
    // A Lambda proxy error is a 502 without an error type [recorded]; the function's message stays in its logs.
    for (const r of thrown) expectGatewayError(r, 502, INTERNAL_ERROR);
    expect(served.map((r) => [r.status, r.status === 200 ? r.json().path : r.text])).to.deep.equal(
      Array.from({ length: 5 }, (_, i) => [200, `/proxy/other/${i}`]),
    );
    const logged = env.functionLines.slice(linesBefore).filter((line) => line.startsWith(`${modes}: `) && line.includes("boom"));
    expect(logged.length, "the errors are in the function's log").to.be.at.least(5);

    const next = await call(`${base}/proxy/x?mode=status-string`, { method: "POST" });
    expect({ status: next.status, body: next.text }).to.deep.equal({ status: 201, body: "" });
    const stats = env.cloud.lambda.stats(modes);
    expect(stats.errors - errorsBefore, "errors counted").to.equal(5);
    expect(stats.running, "concurrency slots still taken").to.equal(0);
  });

  it('answers functions hanging past their 1 s timeout with 502 (Lambda\'s Sandbox.Timedout) and past the 300 ms integration timeout with 504, serves other requests while they hang, and the function recovers', async function () {
    this.timeout(30_000);
    const timeoutsBefore = env.cloud.lambda.stats(modes).timeouts;
    let hangsAnswered = false;
    const hangs = Promise.all([
      ...Array.from({ length: 2 }, () => call(`${base}/proxy/x?mode=hang`)),
      call(`${base}/impatient/x?mode=hang`),
    ]).finally(() => (hangsAnswered = true));
    // Three environments busy-loop in their threads; the gateway's own thread is free.
    const first = await call(`${base}/override`);
    const answeredWhileHanging = !hangsAnswered;
    const meanwhile: Reply[] = [first];
    for (let i = 0; i < 4; i++) meanwhile.push(await call(`${base}/proxy/meanwhile?mode=status-string`, { method: "POST" }));

    const hung = await hangs;
    for (const r of hung.slice(0, 2)) expectGatewayError(r, 502, INTERNAL_ERROR);
    expectGatewayError(hung[2], 504, TIMED_OUT);
    expect(answeredWhileHanging, "a request to another route was answered while the functions hung").to.equal(true);
    expect(meanwhile.map((r) => r.status)).to.deep.equal([444, 201, 201, 201, 201]);

    const stats = env.cloud.lambda.stats(modes);
    expect(stats.timeouts - timeoutsBefore, "timeouts counted").to.equal(3);
    // The one API Gateway stopped waiting for runs on to its own 1 s timeout (as on AWS), then
    // every slot is free again.
    await waitFor(() => env.cloud.lambda.stats(modes).running === 0, "every concurrency slot freed", 3000);
    // The timed-out environments were ended; the function answers from fresh ones.
    const again = await Promise.all(Array.from({ length: 3 }, () => call(`${base}/proxy/again?mode=echo`)));
    expect(again.map((r) => r.status)).to.deep.equal([200, 200, 200]);
  });
});

describe("reliability: DynamoDB outage and vanished WebSocket clients (dev stack)", function () {
  let env: ReliabilityCloud;
  let pool: LocalUserPool;
  let user: SignedInUser;
  let base: string;
  let wsUrl: string;
  let connectionsTable: string;
  const clients: Client[] = [];

  before(async function () {
    this.timeout(60_000);
    env = await sharedCloud("dev");
    base = env.cloud.endpoints.restApi;
    wsUrl = `${env.cloud.outputs.websocketUrl}`;
    connectionsTable = tableKeyedBy(env.cloud, "connectionId");
    pool = LocalUserPool.of(env.cloud);
    user = await pool.signUp("faults");
  });

  beforeEach(async () => {
    // Each test starts from an empty connections table: the clients of the last one have gone,
    // and their $disconnect has deleted their rows.
    await waitFor(async () => (await connectionRows()).length === 0, "the connections table to empty");
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") env?.dumpFunctionLines();
    for (const client of clients.splice(0)) client.ws.terminate();
  });

  after(() => pool?.destroy());

  const withToken = () => `${wsUrl}?token=${encodeURIComponent(user.idToken)}`;

  async function connect(count: number): Promise<{ clients: Client[]; ids: string[] }> {
    const opened = await Promise.all(Array.from({ length: count }, () => Client.open(withToken())));
    clients.push(...opened);
    const ids: string[] = [];
    for (const client of opened) {
      client.send({ action: "whoami" });
      ids.push((await client.next("whoami")).connectionId);
    }
    return { clients: opened, ids };
  }

  async function connectionRows(): Promise<string[]> {
    const client = dynamoDbClientOf(env.cloud);
    try {
      return (await scanAll(client, connectionsTable)).items.map((item) => item.connectionId.S as string);
    } finally {
      client.destroy();
    }
  }

  async function putConnectionRow(connectionId: string): Promise<void> {
    const client = dynamoDbClientOf(env.cloud);
    try {
      const now = Date.now();
      await client.send(
        new PutItemCommand({
          TableName: connectionsTable,
          Item: { connectionId: { S: connectionId }, connectedAt: { N: String(now - 60_000) }, ttl: { N: String(Math.floor(now / 1000) + 86_400) } },
        }),
      );
    } finally {
      client.destroy();
    }
  }

  async function hasConnectionRow(connectionId: string): Promise<boolean> {
    const client = dynamoDbClientOf(env.cloud);
    try {
      const found = await client.send(new GetItemCommand({ TableName: connectionsTable, Key: { connectionId: { S: connectionId } }, ConsistentRead: true }));
      return found.Item !== undefined;
    } finally {
      client.destroy();
    }
  }

  const management = (id: string) => call(`${env.cloud.endpoints.webSocketManagement}/@connections/${encodeURIComponent(id)}`);

  it("a WebSocket client whose TCP connection drops without a close frame: its row is deleted, @connections answers 410 GoneException, a direct message to it reports it gone", async () => {
    const { clients: [a, b, c], ids } = await connect(3);
    expect((await connectionRows()).sort()).to.deep.equal([...ids].sort());

    // The socket goes away under the client: no close frame, as when a phone loses its network.
    (c.ws as unknown as { _socket: import("node:net").Socket })._socket.destroy();
    await c.until(() => c.closed, "c's close");
    expect(c.closed!.code, "closed abnormally").to.equal(1006);
    await waitFor(async () => (await management(ids[2])).status === 410, "@connections to answer 410 for the vanished client");
    const gone = await management(ids[2]);
    expect(gone.status).to.equal(410);
    expect(gone.headers["x-amzn-errortype"]).to.equal("GoneException");

    a.send({ action: "direct", targetId: ids[2], message: "still there?" });
    expect(await a.next("a's answer")).to.deep.equal({ error: `Connection ${ids[2]} is gone` });
    expect(await hasConnectionRow(ids[2]), "the vanished client's row").to.equal(false);

    // The others carry on.
    a.send({ action: "broadcast", message: "after the drop" });
    expect(await b.next("b's broadcast")).to.deep.equal({ type: "broadcast", from: ids[0], message: "after the drop" });
    expect(await a.next("a's report")).to.deep.equal({ type: "broadcastResult", sent: 1, gone: 0, failed: 0 });
    expect((await connectionRows()).sort()).to.deep.equal([ids[0], ids[1]].sort());
    expect([a.closed, b.closed]).to.deep.equal([undefined, undefined]);
  });

  it("a connection row whose $disconnect never ran: a broadcast gets 410 for it, counts it gone and deletes it; a direct message to one does the same", async () => {
    const { clients: [a, b], ids } = await connect(2);
    const stale = [`Stale${randomBytes(6).toString("hex")}=`, `Stale${randomBytes(6).toString("hex")}=`];
    await putConnectionRow(stale[0]);
    expect((await management(stale[0])).status, "@connections for the stale row").to.equal(410);

    a.send({ action: "broadcast", message: "roll call" });
    expect(await b.next("b's broadcast")).to.deep.equal({ type: "broadcast", from: ids[0], message: "roll call" });
    expect(await a.next("a's report")).to.deep.equal({ type: "broadcastResult", sent: 1, gone: 1, failed: 0 });
    expect(await hasConnectionRow(stale[0]), "the stale row after the broadcast").to.equal(false);

    await putConnectionRow(stale[1]);
    a.send({ action: "direct", targetId: stale[1], message: "hello?" });
    expect(await a.next("a's answer")).to.deep.equal({ error: `Connection ${stale[1]} is gone` });
    expect(await hasConnectionRow(stale[1]), "the stale row after the direct message").to.equal(false);
    expect((await connectionRows()).sort()).to.deep.equal([...ids].sort());
  });

  it("DynamoDB going down mid-run and coming back: its routes answer 502 while it is down, the others 200 throughout; afterwards everything answers again and no table lost anything", async function () {
    this.timeout(60_000);
    const dynamodb: RunningDynamoDb | undefined = dynamoDbEmulatorAt(env.cloud.endpoints.dynamodb);
    expect(dynamodb, "the cloud's DynamoDB emulator").to.exist;
    const createUser = (name: string) =>
      call(`${base}/users`, { method: "POST", headers: { Authorization: user.idToken, "Content-Type": "application/json" }, body: JSON.stringify({ email: `${name}@example.com`, name }) });
    const getUser = (id: string) => call(`${base}/users/${id}`, { headers: { Authorization: user.idToken } });

    // Routes that never touch DynamoDB, called all along: the MOCK health check and the
    // non-proxy transform function.
    let phase: "before" | "down" | "after" = "before";
    let running = true;
    const background: Array<{ phase: string; route: string; reply: Reply }> = [];
    const backgroundLoop = (async () => {
      while (running) {
        const at = phase;
        background.push({ phase: at, route: "GET /health", reply: await call(`${base}/health`) });
        background.push({
          phase: at,
          route: "POST /transform",
          reply: await call(`${base}/transform`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: "outage", operation: "reverse" }) }),
        });
        await sleep(50);
      }
    })();

    try {
      // Before: a user is stored and read back; three WebSocket clients connect (a row each).
      const first = await createUser("before-outage");
      expect(first.status, first.text).to.equal(201);
      const u0 = first.json();
      expect((await getUser(u0.id)).status).to.equal(200);
      const { clients: [a, b, d], ids } = await connect(3);
      const disconnectFunction = functionNamed(env.cloud, "realtime-disconnect");
      const disconnectErrors = env.cloud.lambda.stats(disconnectFunction).errors;

      const linesBeforeOutage = env.functionLines.length;
      await dynamodb!.pause();
      phase = "down";
      expect(dynamodb!.serving).to.equal(false);

      // The handlers rethrow the SDK's error once its retries are spent: a Lambda proxy error,
      // 502 without detail (functions/users.ts logs the detail instead).
      const refused = [await createUser("during-outage-1"), await createUser("during-outage-2"), await getUser(u0.id)];
      for (const r of refused) expectGatewayError(r, 502, INTERNAL_ERROR);
      expect(env.functionLines.slice(linesBeforeOutage).some((line) => /DynamoDB PutItem failed.*ECONNRESET/.test(line)), "the handler logged the connection error").to.equal(true);

      // $connect stores the connection: the upgrade is refused with a 5xx.
      const connectStatus = await refusal(withToken());
      expect(connectStatus, "$connect during the outage").to.be.within(500, 599);
      // A broadcast cannot read the table: the sender gets the integration failure, stays connected.
      a.send({ action: "broadcast", message: "anyone?" });
      const failure = await a.next("a's failure");
      expect(failure).to.have.all.keys("message", "connectionId", "requestId");
      expect(failure).to.include({ message: "Internal server error", connectionId: ids[0] });
      expect(failure.requestId).to.match(UUID);
      expect(a.closed).to.equal(undefined);
      // d leaves cleanly, but its $disconnect cannot delete its row: the row goes stale.
      d.ws.close(1000, "bye");
      await d.until(() => d.closed, "d's close");
      await waitFor(() => env.cloud.lambda.stats(disconnectFunction).errors > disconnectErrors, "d's $disconnect to fail", 15_000);

      await dynamodb!.resume();
      phase = "after";
      expect(dynamodb!.serving).to.equal(true);

      // After: the first request of each kind succeeds; what was stored before is still there.
      const second = await createUser("after-outage");
      expect(second.status, second.text).to.equal(201);
      const u1 = second.json();
      const again = await getUser(u0.id);
      expect({ status: again.status, body: again.json() }).to.deep.equal({ status: 200, body: u0 });
      expect((await getUser(u1.id)).status).to.equal(200);
      const users = dynamoDbClientOf(env.cloud);
      try {
        // The table is shared with other specs: this test's user created only these.
        const stored = (await scanAll(users, env.cloud.outputs.usersTableName as string)).items.filter((item) => item.createdBy?.S === user.sub).map((item) => item.id.S);
        expect(stored.sort(), "users: the two answered 201, none of the refused").to.deep.equal([u0.id, u1.id].sort());
      } finally {
        users.destroy();
      }
      const { clients: [e] } = await connect(1);
      // d's stale row is found by the next broadcast: 410, counted gone, deleted.
      expect(await hasConnectionRow(ids[2]), "d's row survived its failed $disconnect").to.equal(true);
      a.send({ action: "broadcast", message: "back" });
      expect(await b.next("b's broadcast")).to.deep.equal({ type: "broadcast", from: ids[0], message: "back" });
      expect(await e.next("e's broadcast")).to.deep.equal({ type: "broadcast", from: ids[0], message: "back" });
      expect(await a.next("a's report")).to.deep.equal({ type: "broadcastResult", sent: 2, gone: 1, failed: 0 });
      expect(await hasConnectionRow(ids[2]), "d's row after the broadcast").to.equal(false);
    } finally {
      running = false;
      await backgroundLoop;
      if (!dynamodb!.serving) await dynamodb!.resume();
    }

    const notOk = background.filter((r) => r.reply.status !== 200).map((r) => `${r.phase} ${r.route}: ${r.reply.status} ${r.reply.text.slice(0, 120)}`);
    expect(notOk, "routes without DynamoDB").to.deep.equal([]);
    expect(background.filter((r) => r.phase === "down").length, "requests to them while DynamoDB was down").to.be.greaterThan(0);
  });
});
