/**
 * Issue 6, overload: POST /users (Cognito authorizer, Lambda proxy writing to DynamoDB) is
 * offered five times its throttle for 30 s by several clients at once. API Gateway's answer
 * to excess is a 429 and nothing else [apigw-behavior.md, Throttling]: no 5xx, every 201 is
 * a user that really is in the table, every refusal is `429 {"message":"Too Many Requests"}`,
 * and the token bucket admits no more than its burst plus its rate over the time it ran.
 *
 * POST /users has no usage plan: the limit that applies is the stage's method setting for
 * `users/POST`, set on the shared dev cloud with `apigw-kit:methodOverrides` (program/config.ts,
 * reliabilityCloud.ts). The cloud is shared: this spec counts only the users its own clients
 * created, and the metrics' growth during its run.
 */
import { performance } from "node:perf_hooks";
import { expect } from "chai";
import { LocalUserPool, type SignedInUser } from "../local/integration/cognitoUsers";
import { UUID, call, expectGatewayError, sleep, statusCounts, type Reply } from "../local/integration/httpClient";
import { USERS_POST_THROTTLE, dynamoDbClientOf, scanAll, sharedCloud, type ReliabilityCloud } from "./reliabilityCloud";

const RATE = USERS_POST_THROTTLE.rateLimit; // requests per second refilled
const BURST = USERS_POST_THROTTLE.burstLimit; // bucket size
const OVERLOAD = 5; // offered / allowed rate
const SECONDS = 30;
const CLIENTS = 5;
/** Each client's share of the offered rate, one request every this many ms. */
const CLIENT_INTERVAL_MS = (1000 * CLIENTS) / (RATE * OVERLOAD);
const REQUESTS_PER_CLIENT = (SECONDS * RATE * OVERLOAD) / CLIENTS;

interface Sent {
  client: number;
  index: number;
  body: { email: string; name: string; age: number };
  reply: Reply;
}

describe("reliability: POST /users offered 5x its throttle for 30 s (dev stack)", function () {
  let env: ReliabilityCloud;
  let pool: LocalUserPool;
  let users: SignedInUser[];
  let base: string;

  before(async function () {
    this.timeout(60_000);
    env = await sharedCloud("dev");
    base = env.cloud.endpoints.restApi;
    pool = LocalUserPool.of(env.cloud);
    users = await Promise.all(Array.from({ length: CLIENTS }, (_, k) => pool.signUp(`overload-${k}`)));
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") env?.dumpFunctionLines();
  });

  after(() => pool?.destroy());

  it("answers only 201 or 429 Too Many Requests, admits at most burst + rate x time, and every 201 is an item of the users table", async function () {
    this.timeout((SECONDS + 60) * 1000);
    // Whatever POST /users saw before on the shared cloud, its bucket is full again after this.
    await sleep((1000 * BURST) / RATE);
    const metricsBefore = env.cloud.gateway!.metrics.snapshot()["POST /users"] ?? { Count: 0, "4XXError": 0, "5XXError": 0 };
    const started = performance.now();
    let loadRunning = true;

    // Open loop: each client sends on its own schedule whether or not earlier answers came
    // back, so the offered rate stays 5x the limit however slowly the gateway answers.
    const clients = users.map(async (user, client) => {
      const inFlight: Array<Promise<Sent>> = [];
      for (let index = 0; index < REQUESTS_PER_CLIENT; index++) {
        const due = started + client * (CLIENT_INTERVAL_MS / CLIENTS) + index * CLIENT_INTERVAL_MS;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const body = { email: `load-${client}-${index}@example.com`, name: `Load ${client}/${index}`, age: index % 151 };
        inFlight.push(
          call(`${base}/users`, {
            method: "POST",
            headers: { Authorization: user.idToken, "Content-Type": "application/json" },
            body: JSON.stringify(body),
          }).then((reply) => ({ client, index, body, reply })),
        );
      }
      return Promise.all(inFlight);
    });
    // Meanwhile another route of the stage keeps answering: throttles are per method.
    const health: Reply[] = [];
    const prober = (async () => {
      while (loadRunning) {
        health.push(await call(`${base}/health`));
        await sleep(500);
      }
    })();

    const sent = (await Promise.all(clients)).flat();
    const elapsedSeconds = (performance.now() - started) / 1000;
    loadRunning = false;
    await prober;

    const replies = sent.map((s) => s.reply);
    const counts = statusCounts(replies);
    const created = sent.filter((s) => s.reply.status === 201);
    const refused = sent.filter((s) => s.reply.status === 429);
    process.stdout.write(
      `      offered ${sent.length} in ${elapsedSeconds.toFixed(1)} s: ${JSON.stringify(counts)}; health probes ${health.length}\n`,
    );

    // Nothing but 201 and 429: in particular no 5xx.
    const unexpected = sent.filter((s) => s.reply.status !== 201 && s.reply.status !== 429).map((s) => `${s.reply.status} ${s.reply.text.slice(0, 200)}`);
    expect(unexpected, "answers other than 201 / 429").to.deep.equal([]);
    expect(sent).to.have.length(CLIENTS * REQUESTS_PER_CLIENT);

    // Every refusal is API Gateway's throttled response.
    for (const { reply } of refused) expectGatewayError(reply, 429, `{"message":"Too Many Requests"}`, "TooManyRequestsException");

    // The token bucket: full at the start (the first BURST all pass), then RATE per second.
    expect(created.length, "admitted").to.be.at.least(BURST);
    expect(created.length, `admitted in ${elapsedSeconds.toFixed(1)} s`).to.be.at.most(Math.floor(BURST + RATE * elapsedSeconds));
    expect(refused.length, "refused").to.be.greaterThan(0);

    // Every 201 is the user that was sent, created by its client.
    const byId = new Map<string, Sent>();
    for (const s of created) {
      const user = s.reply.json();
      expect(user.id, "id").to.match(UUID);
      expect(user).to.include({ email: s.body.email, name: s.body.name, age: s.body.age, createdBy: users[s.client].sub });
      expect(s.reply.headers.location).to.equal(`/users/${user.id}`);
      expect(byId.has(user.id), `id ${user.id} answered twice`).to.equal(false);
      byId.set(user.id, s);
    }

    // The table holds exactly the users answered 201: none lost, none written for a 429.
    const client = dynamoDbClientOf(env.cloud);
    try {
      const { items, pages } = await scanAll(client, env.cloud.outputs.usersTableName as string);
      const subs = new Set(users.map((u) => u.sub));
      const ours = items.filter((item) => subs.has(item.createdBy?.S as string));
      process.stdout.write(`      users table: ${items.length} items in ${pages} Scan pages, ${ours.length} created by this spec's clients\n`);
      const stored = new Map(ours.map((item) => [item.id.S as string, item]));
      expect(stored.size, "distinct ids in the table").to.equal(ours.length);
      expect([...stored.keys()].sort()).to.deep.equal([...byId.keys()].sort());
      for (const [id, s] of byId) {
        const item = stored.get(id)!;
        expect({ email: item.email.S, name: item.name.S, age: item.age.N, createdBy: item.createdBy.S }, id).to.deep.equal({
          email: s.body.email,
          name: s.body.name,
          age: String(s.body.age),
          createdBy: users[s.client].sub,
        });
      }
    } finally {
      client.destroy();
    }

    // The gateway's own metrics agree.
    const metrics = env.cloud.gateway!.metrics.snapshot()["POST /users"];
    expect({
      Count: metrics.Count - metricsBefore.Count,
      "4XXError": metrics["4XXError"] - metricsBefore["4XXError"],
      "5XXError": metrics["5XXError"] - metricsBefore["5XXError"],
    }).to.deep.equal({
      Count: sent.length,
      "4XXError": refused.length,
      "5XXError": 0,
    });

    // Other routes went on answering all along: the throttle is per method.
    expect(health.length, "health probes").to.be.greaterThan(0);
    expect(statusCounts(health)).to.deep.equal({ 200: health.length });
  });
});
