/**
 * Who may call the demo API (index.ts, dev stack), over real HTTP against the local cloud
 * (apigw-behavior.md: gateway error responses, Lambda authorizers, Cognito user pool
 * authorizer, throttling and quotas):
 *
 * - the COGNITO_USER_POOLS authorizer of the /users routes, with users signed in through the
 *   local user pool, and the handler's owner / admins rule behind it;
 * - the HMAC TOKEN authorizer of GET /partner/status: what is refused before the function
 *   runs, what the function refuses, and its result cache;
 * - `npm run token` (bin/token.ts) against the outputs.json this cloud wrote;
 * - API keys and usage tiers of GET /data: unknown keys, the basic tier's burst and quota.
 *
 * Explicit-deny and no-Allow policies are covered by tests/local/restGateway/lambdaAuthorizers.spec.ts.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, createSign, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { main as tokenMain, outputsFileOf, formatToken, tokenClientsOf } from "../../../bin/token";
import { createHmacToken, DEFAULT_WINDOW_SECONDS } from "../../../functions/hmacToken";
import { LocalUserPool, decodeJwt, resignedToken, tamperedToken, type SignedInUser } from "./cognitoUsers";
import { PROJECT_ROOT, call, expectGatewayError, expectRequestIds, rawRequest, sleep, statusCounts, type Reply } from "./httpClient";
import { useLocalCloud } from "./localCloudFixture";

const UNAUTHORIZED = `{"message":"Unauthorized"}`;
const FORBIDDEN = `{"message":"Forbidden"}`;
const TOO_MANY = `{"message":"Too Many Requests"}`;
const LIMIT_EXCEEDED = `{"message":"Limit Exceeded"}`;
const JSON_HEADERS = { "Content-Type": "application/json" };
const DAY_MS = 86_400_000;
/** The dev stack's one TokenAuthorizer client (the config default). */
const PARTNER = "partner-demo";

/**
 * The basic tier made small enough to exhaust in a test: bursts of 5 at 1 rps and 8 requests a
 * day; premium keeps its defaults (the dev customers are acme: basic, globex: premium). The dev
 * stack's GET /data throttle (5 rps, burst 10) is raised so that only the plan limits GET
 * /data, and the stage cache is off, so that no cached answer stands in for the function.
 */
const BASIC = { rateLimit: 1, burstLimit: 5, quota: 8 };
const CONFIG_OVERRIDES = {
  "apigw-kit:tiers": [
    { name: "basic", throttle: { rateLimit: BASIC.rateLimit, burstLimit: BASIC.burstLimit }, quota: { limit: BASIC.quota, period: "DAY" } },
    { name: "premium", throttle: { rateLimit: 100, burstLimit: 200 }, quota: { limit: 10000, period: "DAY" } },
  ],
  "apigw-kit:methodOverrides": { "data/GET": { throttle: { rateLimit: 1000, burstLimit: 1000 } } },
  "apigw-kit:cache": undefined,
};

describe("local cloud: authorizers, tokens and API keys (dev stack)", function () {
  const fixture = useLocalCloud("auth", { stack: "dev", configOverrides: CONFIG_OVERRIDES });
  let base = "";
  let pool: LocalUserPool | undefined;

  before(() => {
    base = fixture.cloud.endpoints.restApi;
    pool = LocalUserPool.of(fixture.cloud);
  });

  after(() => pool?.destroy());

  describe("Cognito user pool authorizer (POST /users, GET /users/{id})", () => {
    let owner: SignedInUser;
    let other: SignedInUser;
    let admin: SignedInUser;
    let ownersUser: { id: string; createdBy: string };

    before(async () => {
      owner = await pool!.signUp("owner");
      other = await pool!.signUp("other");
      admin = await pool!.signUp("admin", ["admins"]);
      const r = await call(`${base}/users`, {
        method: "POST",
        headers: { ...JSON_HEADERS, Authorization: owner.idToken },
        body: JSON.stringify({ email: owner.email, name: "Owner" }),
      });
      expect(r.status, r.text).to.equal(201);
      ownersUser = r.json();
      expect(ownersUser.createdBy).to.equal(owner.sub);
    });

    const getUser = (id: string, authorization?: string) =>
      call(`${base}/users/${id}`, { headers: authorization === undefined ? {} : { Authorization: authorization } });

    it("answers a request without a token 401 Unauthorized (UnauthorizedException), on both routes", async () => {
      expectGatewayError(await getUser(ownersUser.id), 401, UNAUTHORIZED, "UnauthorizedException");
      const post = await call(`${base}/users`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ email: "x@example.com", name: "X" }) });
      expectGatewayError(post, 401, UNAUTHORIZED, "UnauthorizedException");
    });

    it("answers garbage in Authorization 401 Unauthorized", async () => {
      const garbage = ["not-a-jwt", "a.b.c", `${randomBytes(20).toString("base64url")}.${randomBytes(40).toString("base64url")}.${randomBytes(64).toString("base64url")}`, "Bearer"];
      for (const token of garbage) {
        const r = await getUser(ownersUser.id, token);
        expect(r.status, `${token}: ${r.text}`).to.equal(401);
        expectGatewayError(r, 401, UNAUTHORIZED, "UnauthorizedException");
      }
    });

    it("answers a tampered ID token (another user's claims, the original signature) 401", async () => {
      // The other user dresses up as the owner, and as an admin for good measure.
      const forged = tamperedToken(other.idToken, { sub: owner.sub, "cognito:groups": ["admins"] });
      expect(decodeJwt(forged).payload).to.include({ sub: owner.sub });
      expectGatewayError(await getUser(ownersUser.id, forged), 401, UNAUTHORIZED, "UnauthorizedException");
    });

    it("answers an expired ID token 401, while the same token re-signed with a future exp is accepted", async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = resignedToken(owner.idToken, { iat: now - 3700, auth_time: now - 3700, exp: now - 100 });
      expectGatewayError(await getUser(ownersUser.id, expired), 401, UNAUTHORIZED, "UnauthorizedException");
      // The control: re-signing itself yields tokens the authorizer accepts, so exp alone made the difference.
      const fresh = resignedToken(owner.idToken, { exp: now + 600 });
      const accepted = await getUser(ownersUser.id, fresh);
      expect(accepted.status, accepted.text).to.equal(200);
    });

    it("answers a token signed with a key outside the pool's JWKS (same kid) 401", async () => {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const [header, payload] = owner.idToken.split(".");
      const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(privateKey).toString("base64url");
      expectGatewayError(await getUser(ownersUser.id, `${header}.${payload}.${signature}`), 401, UNAUTHORIZED, "UnauthorizedException");
    });

    it("answers an access token 401 (a method without OAuth scopes takes ID tokens only)", async () => {
      expect(decodeJwt(owner.accessToken).payload.token_use).to.equal("access");
      expectGatewayError(await getUser(ownersUser.id, owner.accessToken), 401, UNAUTHORIZED, "UnauthorizedException");
    });

    it("lets the owner read their own user: 200", async () => {
      const r = await getUser(ownersUser.id, owner.idToken);
      expect(r.status, r.text).to.equal(200);
      expect(r.json()).to.deep.equal(ownersUser);
    });

    it("answers another signed-in user 403 {\"error\":\"Insufficient permissions\"} (from the handler, not the gateway)", async () => {
      const r = await getUser(ownersUser.id, other.idToken);
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 403, body: `{"error":"Insufficient permissions"}` });
      expect(r.headers).not.to.have.property("x-amzn-errortype");
      expectRequestIds(r);
    });

    it("lets a member of the admins group read it: 200", async () => {
      expect(decodeJwt(admin.idToken).payload["cognito:groups"]).to.deep.equal(["admins"]);
      const r = await getUser(ownersUser.id, admin.idToken);
      expect(r.status, r.text).to.equal(200);
      expect(r.json()).to.deep.equal(ownersUser);
    });
  });

  describe("HMAC TOKEN authorizer (GET /partner/status)", () => {
    let secret: string;
    let authorizerId: string;
    /** The issued time of the last {@link freshToken}. */
    let lastIssued = Infinity;
    /**
     * A token of the partner no earlier test used (a fresh cache key): issued at least 10 s ago,
     * and strictly earlier than the one before, whatever the clock did in between (`now - ++skew`
     * repeats a time when a second boundary passes between two calls). The few tokens made here
     * stay far younger than the window less the result TTL, which the authorizer requires.
     */
    const freshToken = () => createHmacToken(PARTNER, secret, (lastIssued = Math.min(lastIssued - 1, Math.floor(Date.now() / 1000) - 10)));
    const invocations = () => fixture.cloud.gateway!.lambdaAuthorizers.invocations(authorizerId);
    const status = (authorization?: string) =>
      rawRequest(`${base}/partner/status`, { headers: authorization === undefined ? {} : { Authorization: authorization } });

    before(() => {
      const clients = fixture.cloud.outputs.tokenClients as Record<string, string>;
      expect(clients).to.have.property(PARTNER).that.is.a("string");
      secret = clients[PARTNER];
      const tokenAuthorizers = fixture.cloud.run.graph.ofType("aws:apigateway/authorizer:Authorizer").filter((a) => a.inputs.type === "TOKEN");
      expect(tokenAuthorizers, "one TOKEN authorizer in the graph").to.have.length(1);
      authorizerId = tokenAuthorizers[0].id as string;
    });

    /** The request's answer and how many times the authorizer function ran for it. */
    async function withInvocations(authorization: string | undefined): Promise<{ r: Reply; invoked: number }> {
      const before = invocations();
      const r = await status(authorization);
      return { r, invoked: invocations() - before };
    }

    it("answers a request without Authorization (or with an empty one) 401 without invoking the authorizer", async () => {
      for (const authorization of [undefined, ""]) {
        const { r, invoked } = await withInvocations(authorization);
        expectGatewayError(r, 401, UNAUTHORIZED, "UnauthorizedException");
        expect(invoked, JSON.stringify(authorization)).to.equal(0);
      }
    });

    it("answers tokens failing identityValidationExpression 401 without invoking the authorizer", async () => {
      const good = freshToken();
      const [client, time, signature] = good.split(".");
      for (const malformed of [
        "garbage",
        `Bearer ${good}`,
        `${client}.${time.slice(1)}.${signature}`, // 9-digit time
        `${client}.${time}.${signature.toUpperCase()}`, // hex in upper case
        `${client}.${time}.${signature.slice(1)}`, // 63 hex digits
        `${client}!.${time}.${signature}`, // not a client id
      ]) {
        const { r, invoked } = await withInvocations(malformed);
        expectGatewayError(r, 401, UNAUTHORIZED, "UnauthorizedException");
        expect(invoked, malformed).to.equal(0);
      }
    });

    it("answers well-formed tokens the function refuses 401, invoking it once each: unknown client, bad signature, stale, future", async () => {
      const now = Math.floor(Date.now() / 1000);
      const good = freshToken();
      const lastHex = good.slice(-1) === "0" ? "1" : "0";
      const cases: Array<[string, string]> = [
        ["unknown client", createHmacToken("nobody-knows-me", secret, now)],
        ["bad signature", `${good.slice(0, -1)}${lastHex}`],
        ["signed with a wrong secret", createHmacToken(PARTNER, `${secret}x`, now - 1)],
        [`stale (400 s old, window ${DEFAULT_WINDOW_SECONDS})`, createHmacToken(PARTNER, secret, now - 400)],
        ["future (400 s ahead)", createHmacToken(PARTNER, secret, now + 400)],
      ];
      for (const [what, token] of cases) {
        const { r, invoked } = await withInvocations(token);
        expect(r.status, `${what}: ${r.text}`).to.equal(401);
        expectGatewayError(r, 401, UNAUTHORIZED, "UnauthorizedException");
        expect(invoked, what).to.equal(1);
      }
    });

    it("answers a valid token 200 with the principal and context the authorizer returned", async () => {
      const issuedAt = Math.floor(Date.now() / 1000) - 1;
      const token = createHmacToken(PARTNER, secret, issuedAt);
      const { r, invoked } = await withInvocations(token);
      expect(r.status, r.text).to.equal(200);
      expect(invoked).to.equal(1);
      expect(r.json()).to.deep.equal({
        status: "ok",
        principalId: PARTNER,
        context: { clientId: PARTNER, expiresAt: issuedAt + DEFAULT_WINDOW_SECONDS },
        requestId: r.headers["x-amzn-requestid"],
      });
    });

    it("invokes the authorizer once per token within its TTL, and again for another token", async () => {
      const token = freshToken();
      const first = await withInvocations(token);
      const second = await withInvocations(token);
      expect([first.r.status, second.r.status]).to.deep.equal([200, 200]);
      expect([first.invoked, second.invoked], "the second answer comes from the result cache").to.deep.equal([1, 0]);
      expect(second.r.json().principalId).to.equal(PARTNER);

      const another = freshToken();
      expect(another).not.to.equal(token);
      const third = await withInvocations(another);
      expect(third.r.status, third.r.text).to.equal(200);
      expect(third.invoked).to.equal(1);
    });
  });

  describe("npm run token (bin/token.ts) against this cloud's outputs.json", () => {
    // The cloud's state directory is .local/<name>: the CLI reads it as the stack <name>, so
    // neither the test nor the CLI touches .local/dev.
    const stack = path.basename(fixture.stateDir);

    it("outputsFileOf(<the state directory's name>) is the outputs.json the cloud wrote", () => {
      expect(fixture.cloud.outputsFile).to.equal(path.join(fixture.stateDir, "outputs.json"));
      expect(outputsFileOf(stack)).to.equal(fixture.cloud.outputsFile);
    });

    it("reads tokenClients from it, and formatToken's token is accepted by GET /partner/status", async () => {
      const clients = tokenClientsOf(fs.readFileSync(fixture.cloud.outputsFile, "utf8"), stack);
      expect(clients).to.deep.equal(fixture.cloud.outputs.tokenClients);
      const r = await call(`${base}/partner/status`, { headers: { Authorization: formatToken(clients, PARTNER) } });
      expect(r.status, r.text).to.equal(200);
      expect(r.json()).to.include({ status: "ok", principalId: PARTNER });
    });

    it("main() prints one line, a token GET /partner/status accepts", async () => {
      let stdout = "";
      let stderr = "";
      const code = tokenMain(["--client", PARTNER, "--stack", stack], { write: (t: string) => (stdout += t) }, { write: (t: string) => (stderr += t) });
      expect({ code, stderr }).to.deep.equal({ code: 0, stderr: "" });
      expect(stdout).to.match(/^[^\n]+\n$/);
      const r = await call(`${base}/partner/status`, { headers: { Authorization: stdout.trim() } });
      expect(r.status, r.text).to.equal(200);
      expect(r.json().principalId).to.equal(PARTNER);
    });

    it("`npm run -s token -- --client partner-demo --stack <stack>` prints a token GET /partner/status accepts", async function () {
      this.timeout(20_000);
      const { stdout } = await promisify(execFile)("npm", ["run", "-s", "token", "--", "--client", PARTNER, "--stack", stack], {
        cwd: PROJECT_ROOT,
      });
      expect(stdout).to.match(/^[^\n]+\n$/);
      const r = await call(`${base}/partner/status`, { headers: { Authorization: stdout.trim() } });
      expect(r.status, r.text).to.equal(200);
      expect(r.json().principalId).to.equal(PARTNER);
    });
  });

  describe("API keys and usage tiers (GET /data)", () => {
    let keys: { acme: string; globex: string };
    const getData = (key?: string) => call(`${base}/data?category=tiers`, { headers: key === undefined ? {} : { "x-api-key": key } });

    before(() => {
      keys = fixture.cloud.outputs.apiKeys as typeof keys;
      expect(keys.acme).to.be.a("string").with.length.of.at.least(20);
      expect(keys.globex).to.be.a("string").with.length.of.at.least(20);
    });

    it("answers no key, an unknown short key and a well-formed key in no plan 403 Forbidden (ForbiddenException)", async () => {
      const stranger = randomBytes(30).toString("base64url").slice(0, 40);
      expect(stranger.length).to.be.at.least(20);
      expect(Object.values(keys)).not.to.include(stranger);
      // Key values are case-sensitive: the acme key in another case is just another unknown key.
      const otherCase = keys.acme.toLowerCase() === keys.acme ? keys.acme.toUpperCase() : keys.acme.toLowerCase();
      const candidates = [undefined, "nope", stranger, ...(otherCase !== keys.acme ? [otherCase] : [])];
      for (const key of candidates) {
        const r = await getData(key);
        expect(r.status, `${JSON.stringify(key)}: ${r.text}`).to.equal(403);
        expectGatewayError(r, 403, FORBIDDEN, "ForbiddenException");
      }
      const admitted = await getData(keys.globex);
      expect(admitted.status, admitted.text).to.equal(200);
    });

    /** How many of the basic key's requests the burst test admitted: what it used of the quota. */
    let burstAdmitted: number | undefined;

    it(`admits burstLimit (${BASIC.burstLimit}) concurrent requests of a basic key, and no more than its bucket refilled meanwhile, then answers 429 Too Many Requests`, async function () {
      // The quota is per UTC day (usagePlans.ts counts per calendar period of Date.now): this
      // test, the paced one and the premium one after it must all run within one day, or the
      // count restarts midway and the key is admitted where it must be refused. Close to UTC
      // midnight, wait until just after it (they take seconds; 120 s leaves a wide margin).
      const msToMidnight = DAY_MS - (Date.now() % DAY_MS);
      if (msToMidnight < 120_000) {
        this.timeout(msToMidnight + 1_000 + 60_000);
        await sleep(msToMidnight + 1_000);
      }
      const requests = BASIC.burstLimit + 4;
      // The plan's bucket (TokenBucket on Date.now, made full at the key's first request, which
      // is the first of these) holds burstLimit tokens and refills rateLimit a second, in whole
      // milliseconds: while these requests are answered it can have refilled at most
      // floor(elapsed × rate) tokens, elapsed measured on the same clock around all of them.
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: requests }, () => getData(keys.acme)));
      const elapsedMs = Date.now() - started;
      const counts = statusCounts(replies);
      const admitted = counts[200] ?? 0;
      burstAdmitted = admitted;
      const refilled = Math.floor((elapsedMs * BASIC.rateLimit) / 1000);
      const detail = `${JSON.stringify(counts)} in ${elapsedMs} ms`;
      expect(admitted, detail).to.be.within(BASIC.burstLimit, Math.min(BASIC.burstLimit + refilled, BASIC.quota));
      expect(counts[429] ?? 0, detail).to.equal(requests - admitted);
      for (const r of replies.filter((x) => x.status === 429)) {
        // Throttled, unless refills stretched the admissions to the whole quota (over 3 s at
        // 1 rps), after which a request with a token is refused for the quota.
        if (admitted === BASIC.quota && r.text === LIMIT_EXCEEDED) expectGatewayError(r, 429, LIMIT_EXCEEDED, "LimitExceededException");
        else expectGatewayError(r, 429, TOO_MANY, "TooManyRequestsException");
      }
    });

    it(`admits paced requests until the quota (${BASIC.quota}/DAY) is used, then answers 429 Limit Exceeded (LimitExceededException)`, async function () {
      this.timeout(15_000);
      // The burst above used what it admitted of the quota; a throttled request uses none.
      expect(burstAdmitted, "the burst test's admitted requests").to.be.a("number");
      let admitted = burstAdmitted!;
      while (admitted < BASIC.quota) {
        await sleep(1100); // one token at 1 rps: the throttle never refuses these
        const r = await getData(keys.acme);
        expect(r.status, `request ${admitted + 1}: ${r.text}`).to.equal(200);
        admitted++;
      }
      await sleep(1100);
      expectGatewayError(await getData(keys.acme), 429, LIMIT_EXCEEDED, "LimitExceededException");
    });

    it("leaves the premium key unaffected by the basic key's usage", async () => {
      const replies = await Promise.all(Array.from({ length: 10 }, () => getData(keys.globex)));
      expect(statusCounts(replies)).to.deep.equal({ 200: 10 });
      // And the basic key is still refused.
      expect((await getData(keys.acme)).status).to.equal(429);
    });
  });
});
