/**
 * The demo API (index.ts, dev stack) served by the local cloud, exercised over real HTTP:
 * routing and gateway errors, the users table, request validation, the non-proxy transform
 * route, binary uploads, CORS, the stage cache, throttling and metrics (apigw-behavior.md).
 * The /users routes sit behind the Cognito authorizer: each cloud signs a user in through its
 * local user pool and sends the ID token (the authorizers themselves: auth.spec.ts).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { startLocal, type LocalCloud, type StartLocalOptions } from "../../../local/startLocal";
import type { RouteMetrics } from "../../../local/restGateway/metrics";
import { LocalUserPool, type SignedInUser } from "./cognitoUsers";
import {
  UUID,
  call,
  expectGatewayError,
  expectRequestIds,
  rawRequest,
  removeDir,
  sleep,
  stateDirFor,
  statusCounts,
  type Reply,
} from "./httpClient";

const MISSING_TOKEN = `{"message":"Missing Authentication Token"}`;
const INVALID_BODY = `{"message": "Invalid request body"}`;
const TOO_MANY = `{"message":"Too Many Requests"}`;
const ALLOWED_ORIGIN = "http://localhost:3000";
const OTHER_ALLOWED_ORIGIN = "http://127.0.0.1:3000";
const EVIL_ORIGIN = "https://evil.example";
const REQUEST_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;
const JSON_HEADERS = { "Content-Type": "application/json" };

/**
 * Starts a cloud of the dev stack for one describe block, with a user signed in through its
 * user pool, and stops it (and removes its state directory) after, whatever happened.
 * Function output is kept, and shown when a test fails.
 */
function useCloud(name: string, options: Partial<StartLocalOptions> = {}) {
  const state: {
    cloud?: LocalCloud;
    base: string;
    functionLines: string[];
    apiKey?: string;
    keyHeaders: Record<string, string>;
    pool?: LocalUserPool;
    user?: SignedInUser;
    /** `Authorization: <the user's ID token>`, for the /users routes. */
    authHeaders: Record<string, string>;
  } = {
    base: "",
    functionLines: [],
    keyHeaders: {},
    authHeaders: {},
  };
  const stateDir = stateDirFor(name);
  before(async function () {
    // Starting a local cloud (emulators, program run, workers, sign-ups) takes seconds, far
    // more on a loaded CI machine.
    this.timeout(90_000);
    state.cloud = await startLocal({
      stack: "dev",
      port: 0,
      stateDir,
      functionLog: (fn, line) => state.functionLines.push(`${fn}: ${line}`),
      ...options,
    });
    state.base = state.cloud.endpoints.restApi;
    state.apiKey = pickApiKey(state.cloud.outputs);
    state.keyHeaders = state.apiKey ? { "x-api-key": state.apiKey } : {};
    state.pool = LocalUserPool.of(state.cloud);
    state.user = await state.pool.signUp(`demo-${name}`);
    state.authHeaders = { Authorization: state.user.idToken };
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed" && state.functionLines.length > 0) {
      process.stderr.write(`function output so far:\n${state.functionLines.slice(-30).join("\n")}\n`);
    }
  });
  after(async function () {
    this.timeout(30_000);
    try {
      state.pool?.destroy();
      await state.cloud?.stop();
    } finally {
      removeDir(stateDir);
    }
  });
  return state;
}

/**
 * An API key for the methods that require one (GET /data, POST /files): the `apiKeys` output
 * (customer id -> key), preferring the premium customer, whose plan limits are far above the
 * method limits tested here. Undefined when the program issues no keys.
 */
function pickApiKey(outputs: Record<string, unknown>): string | undefined {
  const keys = outputs.apiKeys as Record<string, string> | undefined;
  if (!keys || Object.keys(keys).length === 0) return undefined;
  return keys.globex ?? Object.values(keys)[0];
}

const ZERO: Pick<RouteMetrics, "Count" | "4XXError" | "5XXError" | "CacheHitCount" | "CacheMissCount"> = {
  Count: 0,
  "4XXError": 0,
  "5XXError": 0,
  CacheHitCount: 0,
  CacheMissCount: 0,
};

function routeMetrics(cloud: LocalCloud, route: string) {
  const m = cloud.gateway!.metrics.snapshot()[route];
  return m ? { Count: m.Count, "4XXError": m["4XXError"], "5XXError": m["5XXError"], CacheHitCount: m.CacheHitCount, CacheMissCount: m.CacheMissCount } : { ...ZERO };
}

function metricsDelta(before: typeof ZERO, after: typeof ZERO): typeof ZERO {
  return {
    Count: after.Count - before.Count,
    "4XXError": after["4XXError"] - before["4XXError"],
    "5XXError": after["5XXError"] - before["5XXError"],
    CacheHitCount: after.CacheHitCount - before.CacheHitCount,
    CacheMissCount: after.CacheMissCount - before.CacheMissCount,
  };
}

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return call(url, { method: "POST", headers: { ...JSON_HEADERS, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

describe("local cloud: demo API (dev stack)", function () {
  const env = useCloud("demo");

  describe("routing and gateway errors", () => {
    it("GET /health answers the MOCK integration's 200 {\"status\":\"ok\"}", async () => {
      const r = await call(`${env.base}/health`);
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 200, body: `{"status":"ok"}` });
      expect(r.headers["content-type"]).to.equal("application/json");
      expectRequestIds(r);
    });

    it("gives every response its own x-amzn-RequestId (a UUID) and an x-amz-apigw-id", async () => {
      const replies = [
        await call(`${env.base}/health`),
        await call(`${env.base}/health`),
        await call(`${env.base}/nothing`),
        await postJson(`${env.base}/users`, { name: "no email" }, env.authHeaders),
        await postJson(`${env.base}/users`, { name: "no token" }),
        await call(`${env.base}/users`, { method: "OPTIONS", headers: { Origin: ALLOWED_ORIGIN } }),
      ];
      expect(replies.map((r) => r.status)).to.deep.equal([200, 200, 403, 400, 401, 200]);
      replies.forEach(expectRequestIds);
      const ids = replies.map((r) => r.headers["x-amzn-requestid"]);
      expect(new Set(ids).size, ids.join(" ")).to.equal(ids.length);
    });

    for (const [what, method, path] of [
      ["an unknown path", "GET", "/nothing/here"],
      ["a known path with a method it lacks (POST /health)", "POST", "/health"],
      ["a known path with a method it lacks (DELETE /users)", "DELETE", "/users"],
      ["a path differing only in case", "GET", "/HEALTH"],
      ["the stage root, which has no method", "GET", ""],
      ["a path below a leaf resource", "GET", "/health/extra"],
    ] as const) {
      it(`answers ${what} with 403 Missing Authentication Token`, async () => {
        const r = await call(`${env.base}${path}`, { method });
        expectGatewayError(r, 403, MISSING_TOKEN, "MissingAuthenticationTokenException");
      });
    }

    it("answers GET /data without an API key, or with an unknown one, 403 Forbidden (when the program issues keys)", async function () {
      if (!env.apiKey) this.skip();
      expectGatewayError(await call(`${env.base}/data?category=k`), 403, `{"message":"Forbidden"}`, "ForbiddenException");
      expectGatewayError(await call(`${env.base}/data?category=k`, { headers: { "x-api-key": `x${env.apiKey}` } }), 403, `{"message":"Forbidden"}`, "ForbiddenException");
      const admitted = await call(`${env.base}/data?category=k`, { headers: env.keyHeaders });
      expect(admitted.status, admitted.text).to.equal(200);
    });

    it("answers an unknown stage (/nope/health) with 403 Missing Authentication Token", async () => {
      const r = await call(`${env.base.replace(/\/dev$/, "/nope")}/health`);
      expectGatewayError(r, 403, MISSING_TOKEN, "MissingAuthenticationTokenException");
    });
  });

  describe("users (Lambda proxy + DynamoDB, behind the Cognito authorizer)", () => {
    let created: { id: string; email: string; name: string; age?: number; createdAt: string; createdBy?: string };

    it("POST /users stores the user: 201 with an id, a Location and the caller's sub, and the item is in the users table", async () => {
      const email = `ada-${randomUUID()}@example.com`;
      const r = await postJson(`${env.base}/users`, { email, name: "Ada Lovelace", age: 36 }, env.authHeaders);
      expect(r.status, r.text).to.equal(201);
      created = r.json();
      // The claims of the token reached the function: it records who created the user.
      expect(created).to.include({ email, name: "Ada Lovelace", age: 36, createdBy: env.user!.sub });
      expect(created.id).to.match(UUID);
      expect(r.headers.location).to.equal(`/users/${created.id}`);
      expectRequestIds(r);

      const dynamodb = new DynamoDBClient({
        endpoint: env.cloud!.endpoints.dynamodb,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      try {
        const tableName = env.cloud!.outputs.usersTableName as string;
        expect(tableName).to.be.a("string").and.not.equal("");
        const item = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: created.id } }, ConsistentRead: true }));
        expect(item.Item, "item in DynamoDB").to.deep.equal({
          id: { S: created.id },
          email: { S: email },
          name: { S: "Ada Lovelace" },
          age: { N: "36" },
          createdAt: { S: created.createdAt },
          createdBy: { S: env.user!.sub },
        });
      } finally {
        dynamodb.destroy();
      }
    });

    it("GET /users/{id} answers its creator 200 with the same user", async () => {
      expect(created, "the POST test ran").to.exist;
      const r = await call(`${env.base}/users/${created.id}`, { headers: env.authHeaders });
      expect(r.status, r.text).to.equal(200);
      expect(r.json()).to.deep.equal(created);
    });

    it("GET /users/{id} of an unknown id answers 404 {\"message\":\"User not found\"}", async () => {
      const r = await call(`${env.base}/users/${randomUUID()}`, { headers: env.authHeaders });
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 404, body: `{"message":"User not found"}` });
      expectRequestIds(r);
    });
  });

  describe("request validation of POST /users (User model, BODY_AND_PARAMETERS)", () => {
    const valid = { email: "grace@example.com", name: "Grace Hopper" };
    const invalid: Array<[string, unknown]> = [
      ["email missing", { name: "Grace" }],
      ["name missing", { email: "grace@example.com" }],
      ["email not an email address", { ...valid, email: "not-an-email" }],
      ["name longer than 100", { ...valid, name: "x".repeat(101) }],
      ["name empty", { ...valid, name: "" }],
      ["age 151", { ...valid, age: 151 }],
      ["age -1", { ...valid, age: -1 }],
      ["age 1.5", { ...valid, age: 1.5 }],
      ["age a string", { ...valid, age: "36" }],
      ["a JSON array", [valid]],
      ["not JSON", "{not json"],
      ["an empty body", ""],
    ];
    for (const [what, body] of invalid) {
      it(`refuses ${what} with 400 {"message": "Invalid request body"} before the function runs`, async () => {
        const r = await postJson(`${env.base}/users`, body, env.authHeaders);
        // The function's own answers differ (other messages, no space after the colon).
        expectGatewayError(r, 400, INVALID_BODY, "BadRequestException");
      });
    }

    it("accepts the model's boundary values (age 0 and 150, a 100-character name, charset in Content-Type)", async () => {
      for (const [body, contentType] of [
        [{ ...valid, age: 0 }, "application/json"],
        [{ ...valid, age: 150 }, "application/json"],
        [{ ...valid, name: "y".repeat(100) }, "application/json; charset=utf-8"],
      ] as const) {
        const r = await postJson(`${env.base}/users`, body, { ...env.authHeaders, "Content-Type": contentType });
        expect(r.status, `${JSON.stringify(body).slice(0, 60)}: ${r.text}`).to.equal(201);
      }
    });

    it("refuses a request without Content-Type (a required header) with 400 Missing required request parameters: [Content-Type]", async () => {
      const r = await rawRequest(`${env.base}/users`, { method: "POST", headers: env.authHeaders, body: JSON.stringify(valid) });
      expectGatewayError(r, 400, `{"message": "Missing required request parameters: [Content-Type]"}`, "BadRequestException");
    });
  });

  describe("POST /transform (Lambda non-proxy, mapping templates, passthrough NEVER)", () => {
    it("answers the success envelope with the transformed text", async () => {
      const r = await postJson(`${env.base}/transform`, { text: "hello world", operation: "uppercase" }, { "User-Agent": "transform-spec" });
      expect(r.status, r.text).to.equal(200);
      const body = r.json();
      expect(Object.keys(body)).to.deep.equal(["success", "data", "metadata"]);
      expect(body.success).to.equal(true);
      expect(body.data).to.deep.include({ operation: "uppercase", input: "hello world", output: "HELLO WORLD", length: 11 });
      expect(body.data.requestedBy).to.deep.equal({ sourceIp: "127.0.0.1", userAgent: "transform-spec" });
      expect(body.metadata.timestamp).to.match(REQUEST_TIME);
      expect(body.metadata.requestId).to.equal(r.headers["x-amzn-requestid"]);
      expect(body.data.requestId).to.equal(r.headers["x-amzn-requestid"]);
    });

    it("passes numbers through the templates (wordcount)", async () => {
      const r = await postJson(`${env.base}/transform`, { text: "one two  three", operation: "wordcount" });
      expect(r.status, r.text).to.equal(200);
      expect(r.json().data).to.deep.include({ output: 3, length: 3 });
    });

    it("maps a [BadRequest] error to 400 with the error envelope", async () => {
      const r = await postJson(`${env.base}/transform`, { text: "x", operation: "nope" });
      expect(r.status, r.text).to.equal(400);
      expect(r.json()).to.deep.equal({
        success: false,
        error: {
          message: `Unknown operation "nope"; allowed: uppercase, lowercase, reverse, wordcount`,
          type: "BadRequest",
          requestId: r.headers["x-amzn-requestid"],
        },
      });
    });

    it("keeps text with quotes, apostrophes and backslashes intact through the templates", async () => {
      const text = `it's a "quoted" \\ back'slash' — ünïcödé`;
      const r = await postJson(`${env.base}/transform`, { text, operation: "reverse" });
      expect(r.status, r.text).to.equal(200);
      expect(r.json().data).to.deep.include({ input: text, output: Array.from(text).reverse().join("") });
      // The user agent goes through $util.escapeJavaScript too.
      const agent = `probe 'single' "double"`;
      const r2 = await postJson(`${env.base}/transform`, { text: "a", operation: "uppercase" }, { "User-Agent": agent });
      expect(r2.status, r2.text).to.equal(200);
      expect(r2.json().data.requestedBy.userAgent).to.equal(agent);
    });

    it("treats a request without Content-Type as application/json", async () => {
      const r = await rawRequest(`${env.base}/transform`, { method: "POST", body: JSON.stringify({ text: "Abc", operation: "lowercase" }) });
      expect(r.status, r.text).to.equal(200);
      expect(r.json().data.output).to.equal("abc");
    });

    it("refuses text/plain with 415 {\"message\": \"Unsupported Media Type\"}", async () => {
      const r = await call(`${env.base}/transform`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: `{"text":"x","operation":"uppercase"}` });
      expectGatewayError(r, 415, `{"message": "Unsupported Media Type"}`, "UnsupportedMediaTypeException");
    });
  });

  describe("POST /files (binary media types)", () => {
    async function upload(bytes: Buffer, contentType: string) {
      const r = await call(`${env.base}/files`, { method: "POST", headers: { ...env.keyHeaders, "Content-Type": contentType }, body: bytes });
      expect(r.status, r.text).to.equal(200);
      return r.json();
    }
    const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

    it("receives image/png bytes 0..255 unchanged", async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      expect(await upload(bytes, "image/png")).to.deep.equal({ bytes: 256, sha256: sha256(bytes), contentType: "image/png" });
    });

    it("receives 1 MB of random application/octet-stream unchanged", async () => {
      const bytes = randomBytes(1024 * 1024);
      expect(await upload(bytes, "application/octet-stream")).to.deep.equal({ bytes: bytes.length, sha256: sha256(bytes), contentType: "application/octet-stream" });
    });
  });

  describe("CORS", () => {
    async function preflight(origin: string): Promise<Reply> {
      return call(`${env.base}/users`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
      });
    }

    it("answers the preflight of an allowed origin by echoing it, with methods, headers, max-age and credentials", async () => {
      const r = await preflight(ALLOWED_ORIGIN);
      expect(r.status).to.equal(200);
      expect(r.headers["access-control-allow-origin"]).to.equal(ALLOWED_ORIGIN);
      const methods = r.headers["access-control-allow-methods"].split(",").map((m) => m.trim());
      expect(methods).to.include.members(["POST", "OPTIONS"]);
      expect(r.headers["access-control-allow-headers"].split(",").map((h) => h.trim().toLowerCase())).to.include("content-type");
      expect(r.headers["access-control-max-age"]).to.equal("300");
      expect(r.headers["access-control-allow-credentials"]).to.equal("true");
      expectRequestIds(r);
    });

    it("echoes the other allowed origin (http://127.0.0.1:3000)", async () => {
      const r = await preflight(OTHER_ALLOWED_ORIGIN);
      expect(r.status).to.equal(200);
      expect(r.headers["access-control-allow-origin"]).to.equal(OTHER_ALLOWED_ORIGIN);
    });

    it("gives a foreign origin no Access-Control-Allow-Origin", async () => {
      const r = await preflight(EVIL_ORIGIN);
      expect(r.headers).not.to.have.property("access-control-allow-origin");
    });

    it("adds Access-Control-Allow-Origin to a real GET /users/{id} for an allowed origin only (the function does)", async () => {
      const allowed = await call(`${env.base}/users/${randomUUID()}`, { headers: { ...env.authHeaders, Origin: OTHER_ALLOWED_ORIGIN } });
      expect(allowed.status).to.equal(404);
      expect(allowed.headers["access-control-allow-origin"]).to.equal(OTHER_ALLOWED_ORIGIN);
      expect(allowed.headers["access-control-allow-credentials"]).to.equal("true");
      const foreign = await call(`${env.base}/users/${randomUUID()}`, { headers: { ...env.authHeaders, Origin: EVIL_ORIGIN } });
      expect(foreign.status).to.equal(404);
      expect(foreign.headers).not.to.have.property("access-control-allow-origin");
    });

    it("puts the DEFAULT_4XX CORS headers on gateway errors (403 Missing Authentication Token, 400 validation, 401 no token)", async () => {
      const replies = [
        await call(`${env.base}/nothing`, { headers: { Origin: ALLOWED_ORIGIN } }),
        await postJson(`${env.base}/users`, { name: "no email" }, { ...env.authHeaders, Origin: ALLOWED_ORIGIN }),
        await postJson(`${env.base}/users`, { name: "no email" }, { Origin: ALLOWED_ORIGIN }),
      ];
      expect(replies.map((r) => r.status)).to.deep.equal([403, 400, 401]);
      for (const r of replies) {
        expect(r.headers["access-control-allow-origin"], r.text).to.equal(ALLOWED_ORIGIN);
        expect(r.headers["access-control-allow-credentials"]).to.equal("true");
        expect(r.headers["access-control-allow-headers"]).to.include("Content-Type");
      }
    });
  });

  describe("metrics", () => {
    it("counts Count, 4XXError and 5XXError per route", async () => {
      const routes = ["GET /health", "-", "GET /users/{id}", "POST /users", "POST /transform", "OPTIONS /users"];
      const before = Object.fromEntries(routes.map((route) => [route, routeMetrics(env.cloud!, route)]));

      await call(`${env.base}/health`);
      await call(`${env.base}/health`);
      await call(`${env.base}/health`, { method: "POST" }); // no method: counted under no route
      await call(`${env.base}/nope`);
      await call(`${env.base}/users/${randomUUID()}`, { headers: env.authHeaders }); // 404 from the function
      await call(`${env.base}/users/${randomUUID()}`); // 401 from the authorizer: no token
      await postJson(`${env.base}/users`, { name: "no email" }, env.authHeaders); // 400 from the validator
      await postJson(`${env.base}/users`, { email: "m@example.com", name: "M" }, env.authHeaders); // 201
      await postJson(`${env.base}/transform`, { text: "x", operation: "nope" }); // 400 from the template
      await call(`${env.base}/transform`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" }); // 415
      await call(`${env.base}/users`, { method: "OPTIONS", headers: { Origin: ALLOWED_ORIGIN } });

      const delta = (route: string) => {
        const d = metricsDelta(before[route], routeMetrics(env.cloud!, route));
        return { Count: d.Count, "4XXError": d["4XXError"], "5XXError": d["5XXError"] };
      };
      expect(delta("GET /health")).to.deep.equal({ Count: 2, "4XXError": 0, "5XXError": 0 });
      expect(delta("-")).to.deep.equal({ Count: 2, "4XXError": 2, "5XXError": 0 });
      expect(delta("GET /users/{id}")).to.deep.equal({ Count: 2, "4XXError": 2, "5XXError": 0 });
      expect(delta("POST /users")).to.deep.equal({ Count: 2, "4XXError": 1, "5XXError": 0 });
      expect(delta("POST /transform")).to.deep.equal({ Count: 2, "4XXError": 2, "5XXError": 0 });
      expect(delta("OPTIONS /users")).to.deep.equal({ Count: 1, "4XXError": 0, "5XXError": 0 });

      // Nothing in this suite failed on the server side, and every request is in some route's Count.
      const snapshot = env.cloud!.gateway!.metrics.snapshot();
      for (const [route, m] of Object.entries(snapshot)) {
        expect(m["5XXError"], route).to.equal(0);
        expect(m.Latency.count, route).to.equal(m.Count);
        expect(m["4XXError"], route).to.be.at.most(m.Count);
      }
      // GET /users/{id} is never cached (its method setting turns caching off).
      expect(snapshot["GET /users/{id}"]).to.include({ CacheHitCount: 0, CacheMissCount: 0 });
    });
  });
});

describe("local cloud: demo API stage cache (GET /data)", function () {
  // The dev data/GET throttle (5 rps, burst 10) would refuse some of these requests; this
  // cloud raises it and keeps the dev cache settings (TTL 60).
  const env = useCloud("cache", {
    configOverrides: {
      "apigw-kit:methodOverrides": { "data/GET": { throttle: { rateLimit: 1000, burstLimit: 1000 }, caching: { ttlSeconds: 60 } } },
    },
  });
  let counter = 0;
  const freshCategory = () => `cat-${process.pid}-${++counter}`;

  async function getData(query: string, headers: Record<string, string> = {}): Promise<{ r: Reply; body: { category: string; language: string; generatedAt: string; requestId: string } }> {
    const r = await call(`${env.base}/data?${query}`, { headers: { ...env.keyHeaders, ...headers } });
    expect(r.status, r.text).to.equal(200);
    return { r, body: r.json() };
  }

  it("serves a repeated request from the cache (same body and requestId, a new x-amzn-RequestId)", async () => {
    const category = freshCategory();
    const before = routeMetrics(env.cloud!, "GET /data");
    const first = await getData(`category=${category}`, { "Accept-Language": "fr-CH" });
    expect(first.body).to.have.all.keys("category", "language", "generatedAt", "requestId");
    expect(first.body).to.include({ category, language: "fr-CH" });
    expect(new Date(first.body.generatedAt).toISOString()).to.equal(first.body.generatedAt);
    // A miss: the function ran for this very request.
    expect(first.body.requestId).to.equal(first.r.headers["x-amzn-requestid"]);
    expect(first.r.headers["cache-control"]).to.equal("max-age=60");

    const second = await getData(`category=${category}`, { "Accept-Language": "fr-CH" });
    expect(second.r.text).to.equal(first.r.text);
    expect(second.r.headers["x-amzn-requestid"]).to.match(UUID).and.not.equal(first.body.requestId);
    expect(second.r.headers["cache-control"]).to.equal("max-age=60");

    expect(metricsDelta(before, routeMetrics(env.cloud!, "GET /data"))).to.deep.equal({ Count: 2, "4XXError": 0, "5XXError": 0, CacheHitCount: 1, CacheMissCount: 1 });
  });

  it("keys on the category query parameter", async () => {
    const [a, b] = [freshCategory(), freshCategory()];
    const first = await getData(`category=${a}`, { "Accept-Language": "fr-CH" });
    const other = await getData(`category=${b}`, { "Accept-Language": "fr-CH" });
    expect(other.body.category).to.equal(b);
    expect(other.body.requestId).to.equal(other.r.headers["x-amzn-requestid"]).and.not.equal(first.body.requestId);
    // Both entries stay.
    expect((await getData(`category=${a}`, { "Accept-Language": "fr-CH" })).body).to.deep.equal(first.body);
    expect((await getData(`category=${b}`, { "Accept-Language": "fr-CH" })).body).to.deep.equal(other.body);
  });

  it("keys on the Accept-Language header, whatever the header name's case", async () => {
    const category = freshCategory();
    const fr = await getData(`category=${category}`, { "Accept-Language": "fr-CH" });
    const de = await getData(`category=${category}`, { "Accept-Language": "de-DE" });
    expect(de.body.language).to.equal("de-DE");
    expect(de.body.requestId).to.not.equal(fr.body.requestId);
    const upper = await rawRequest(`${env.base}/data?category=${category}`, { headers: { ...env.keyHeaders, "ACCEPT-LANGUAGE": "fr-CH" } });
    expect(upper.status).to.equal(200);
    expect(upper.json()).to.deep.equal(fr.body);
  });

  it("ignores headers and query parameters that are not cache keys", async () => {
    const category = freshCategory();
    const first = await getData(`category=${category}`, { "Accept-Language": "fr-CH", "X-Trace": "one" });
    const otherHeader = await getData(`category=${category}`, { "Accept-Language": "fr-CH", "X-Trace": "two", "User-Agent": "someone-else" });
    const otherQuery = await getData(`category=${category}&page=2&sort=desc`, { "Accept-Language": "fr-CH" });
    expect(otherHeader.body).to.deep.equal(first.body);
    expect(otherQuery.body).to.deep.equal(first.body);
  });

  it("refreshes the entry on Cache-Control: max-age=0 (allowed in dev), and later hits get the refreshed one", async () => {
    const category = freshCategory();
    const first = await getData(`category=${category}`, { "Accept-Language": "fr-CH" });
    const fresh = await getData(`category=${category}`, { "Accept-Language": "fr-CH", "Cache-Control": "max-age=0" });
    expect(fresh.body.requestId).to.equal(fresh.r.headers["x-amzn-requestid"]).and.not.equal(first.body.requestId);
    const later = await getData(`category=${category}`, { "Accept-Language": "fr-CH" });
    expect(later.body).to.deep.equal(fresh.body);
  });

  it("flushCache() empties the stage cache: the next request is a miss", async () => {
    const category = freshCategory();
    const first = await getData(`category=${category}`, { "Accept-Language": "fr-CH" });
    expect((await getData(`category=${category}`, { "Accept-Language": "fr-CH" })).body).to.deep.equal(first.body);
    env.cloud!.gateway!.flushCache();
    const afterFlush = await getData(`category=${category}`, { "Accept-Language": "fr-CH" });
    expect(afterFlush.body.requestId).to.equal(afterFlush.r.headers["x-amzn-requestid"]).and.not.equal(first.body.requestId);
    expect((await getData(`category=${category}`, { "Accept-Language": "fr-CH" })).body).to.deep.equal(afterFlush.body);
  });

  it("does not cache POST (POST /transform runs each time)", async () => {
    const one = await postJson(`${env.base}/transform`, { text: "same", operation: "uppercase" });
    const two = await postJson(`${env.base}/transform`, { text: "same", operation: "uppercase" });
    expect([one.status, two.status]).to.deep.equal([200, 200]);
    expect(two.json().data.requestId).to.equal(two.headers["x-amzn-requestid"]).and.not.equal(one.json().data.requestId);
  });
});

describe("local cloud: demo API throttling", function () {
  // data/GET: rate 2, burst 3; the stage's */*: rate 1, burst 4 (per method).
  const env = useCloud("throttle", {
    configOverrides: {
      "apigw-kit:methodOverrides": { "data/GET": { throttle: { rateLimit: 2, burstLimit: 3 }, caching: { ttlSeconds: 60 } } },
      "apigw-kit:stage": { accessLogRetentionDays: 7, loggingLevel: "INFO", dataTraceEnabled: true, throttle: { rateLimit: 1, burstLimit: 4 } },
    },
  });

  /**
   * `n` concurrent requests, and the milliseconds from before the first was sent to after the
   * last was answered, on performance.now: the clock of the gateway's buckets (in this process).
   */
  async function fire(n: number, url: string, init?: RequestInit): Promise<{ replies: Reply[]; elapsedMs: number }> {
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: n }, () => call(url, init)));
    return { replies, elapsedMs: performance.now() - started };
  }

  /**
   * The method's bucket holds at most `burst` tokens when the requests start and refills `rate`
   * a second while they are checked, all within `elapsedMs`: it admits `burst`, plus at most
   * floor(elapsed × rate) refilled tokens (however slowly a loaded machine sends them).
   */
  function expectThrottled({ replies, elapsedMs }: { replies: Reply[]; elapsedMs: number }, burst: number, rate: number): void {
    const counts = statusCounts(replies);
    const admitted = counts[200] ?? 0;
    const detail = `${JSON.stringify(counts)} in ${Math.round(elapsedMs)} ms`;
    expect(admitted, detail).to.be.within(burst, burst + Math.floor((elapsedMs / 1000) * rate));
    expect(counts[429] ?? 0, detail).to.equal(replies.length - admitted);
    for (const r of replies.filter((x) => x.status === 429)) {
      expectGatewayError(r, 429, TOO_MANY, "TooManyRequestsException");
      // TOO_MANY_REQUESTS inherits the DEFAULT_4XX CORS headers.
      expect(r.headers["access-control-allow-origin"]).to.equal(ALLOWED_ORIGIN);
    }
  }

  it("admits a burst of GET /data, answers the rest 429 Too Many Requests, and admits again after a refill", async () => {
    const before = routeMetrics(env.cloud!, "GET /data");
    const burst = await fire(8, `${env.base}/data?category=burst`, { headers: env.keyHeaders });
    expectThrottled(burst, 3, 2);
    const { replies } = burst;
    const throttled = replies.filter((r) => r.status === 429).length;
    expect(metricsDelta(before, routeMetrics(env.cloud!, "GET /data"))).to.include({ Count: 8, "4XXError": throttled });

    // Another method is not throttled by /data's limit.
    expect((await call(`${env.base}/health`)).status).to.equal(200);

    await sleep(1100); // 2 tokens at 2 rps
    const again = await call(`${env.base}/data?category=burst`, { headers: env.keyHeaders });
    expect(again.status, again.text).to.equal(200);
  });

  it("applies the stage-wide */* limit per method: exhausting GET /health leaves other methods their own bucket", async () => {
    await sleep(1100); // let /health's bucket refill after the previous test's request
    expectThrottled(await fire(7, `${env.base}/health`), 4, 1);

    const preflight = await call(`${env.base}/users`, { method: "OPTIONS", headers: { Origin: ALLOWED_ORIGIN } });
    expect(preflight.status).to.equal(200);
    const user = await call(`${env.base}/users/${randomUUID()}`, { headers: env.authHeaders });
    expect(user.status, user.text).to.equal(404);

    await sleep(1100); // 1 token at 1 rps
    expect((await call(`${env.base}/health`)).status).to.equal(200);
  });
});
