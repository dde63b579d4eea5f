/**
 * Security suite (issue 6), against the dev stack running in the local cloud — one cloud for
 * the whole file, its stage cache on (Pulumi.dev.yaml), two HMAC clients configured:
 *
 * - JWTs: every forgery of forgedTokens.ts is refused, and a real ID token accepted, at each
 *   place that decides access with a Cognito token: the REST gateway's COGNITO_USER_POOLS
 *   authorizer (over HTTP), the handler-side check (withCognitoAuth inside the deployed
 *   get-user archive), the HTTP API flavour's JWT authorizer (with the handler behind it), and
 *   the WebSocket $connect REQUEST authorizer (over a real upgrade);
 * - HMAC client tokens (GET /partner/status): replayed after the window (the authorizer's
 *   result cache included), from the future, tampered, unknown client, another client's secret;
 * - cache isolation: with two Cognito users and two HMAC clients, no per-caller route answers
 *   one caller with another's response, while the stage cache demonstrably serves GET /data;
 * - CORS: a disallowed Origin gets no Access-Control-Allow-Origin on normal routes, function
 *   errors and preflights (cache hits included), and never its own origin or `*` on gateway
 *   errors; an allowed origin gets it (the control).
 *
 * The per-component details are pinned beside the components (tests/functions/cognitoAuth.spec.ts,
 * tests/local/restGateway/cognitoAuthorizer.spec.ts, tests/local/httpGateway/jwtAuthorizer.spec.ts,
 * tests/functions/hmacAuthorizer.spec.ts, tests/local/integration/auth.spec.ts); this file is
 * the one place that runs the complete list end to end.
 */
import { CognitoIdentityProviderClient, CreateUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { expect } from "chai";
import * as path from "node:path";
import { createHmacToken, DEFAULT_WINDOW_SECONDS } from "../../functions/hmacToken";
import type { ProxyResult } from "../../functions/proxyTypes";
import { AwsJwtVerifier } from "../../local/httpGateway/jwtVerifier";
import type { JwtAuthorizerModel } from "../../local/httpGateway/httpApiModel";
import { loadStackConfig } from "../../local/stackConfig";
import { startLocal, type LocalCloud } from "../../local/startLocal";
import { proxyEvent } from "../functions/proxyEvent";
import { LocalUserPool, decodeJwt, type SignedInUser } from "../local/integration/cognitoUsers";
import { call, expectGatewayError, removeDir, stateDirFor, type Reply } from "../local/integration/httpClient";
import { Client, refusal } from "../local/webSocketClient";
import { FORGED_TOKEN_CASES, forgeTokens, type ForgedToken } from "./forgedTokens";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
const UNAUTHORIZED = `{"message":"Unauthorized"}`;
const FORBIDDEN = `{"message":"Forbidden"}`;
const PARTNERS = ["partner-demo", "partner-two"] as const;
const ALLOWED_ORIGIN = "http://localhost:3000";
const OTHER_ALLOWED_ORIGIN = "http://127.0.0.1:3000";
const DISALLOWED_ORIGIN = "https://evil.example.com";

const DEV = loadStackConfig(PROJECT_ROOT, "dev").config;
/**
 * The dev stack as it is (stage cache on, TTL 30 s, CORS with two origins and credentials),
 * with a second HMAC client, and the stage throttle raised so that no 429 stands in for a
 * refusal this file is looking for.
 */
const CONFIG_OVERRIDES = {
  "apigw-kit:tokenAuthorizer": { clients: PARTNERS.map((id) => ({ id })) },
  "apigw-kit:stage": { ...JSON.parse(DEV["apigw-kit:stage"]), throttle: { rateLimit: 1000, burstLimit: 2000 } },
};

describe("security: the dev stack in the local cloud (issue 6)", function () {
  this.timeout(30_000);
  const stateDir = stateDirFor("security");
  const functionLines: string[] = [];
  let cloud: LocalCloud;
  let base: string;
  let pool: LocalUserPool;
  let owner: SignedInUser;
  let other: SignedInUser;
  let ownersRecord: { id: string; createdBy: string };
  let othersRecord: { id: string; createdBy: string };
  let forged: ForgedToken[];

  const fnName = (logicalName: string) => cloud.run.graph.get("aws:lambda/function:Function", logicalName).state.name as string;
  const cacheHits = () => cloud.gateway!.cache!.stats.hits;
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  /** An HMAC token of a client of this cloud (its secret from the tokenClients output), issued `age` seconds ago. */
  const hmacToken = (client: string, age: number, secretOf: string = client) =>
    createHmacToken(client, (cloud.outputs.tokenClients as Record<string, string>)[secretOf] ?? "no-such-secret", nowSeconds() - age);

  before(async function () {
    // Starting the local cloud, signing two users up and creating the forgery material takes
    // seconds, far more on a loaded CI machine: more than the 30 s the tests here get.
    this.timeout(90_000);
    cloud = await startLocal({ stack: "dev", port: 0, stateDir, configOverrides: CONFIG_OVERRIDES, functionLog: (fn, line) => functionLines.push(`${fn}: ${line}`) });
    base = cloud.endpoints.restApi;
    pool = LocalUserPool.of(cloud);
    [owner, other] = await Promise.all([pool.signUp("sec-owner"), pool.signUp("sec-other")]);
    [ownersRecord, othersRecord] = await Promise.all([createRecord(owner), createRecord(other)]);

    // Forgery material: the JWKS anyone can read, a real token of another app client, and
    // the issuer of another pool of the same emulator (created for real: same signing key).
    const issuer = decodeJwt(owner.idToken).payload.iss as string;
    const jwks = (await call(`${issuer}/.well-known/jwks.json`)).json();
    const otherClient = await pool.createAppClient("security-other-client");
    const otherClientIdToken = (await pool.signIn(owner.email, owner.password, otherClient)).idToken;
    const admin = new CognitoIdentityProviderClient({ endpoint: cloud.endpoints.cognito, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    const otherPoolId = (await admin.send(new CreateUserPoolCommand({ PoolName: "security-other-pool" }))).UserPool?.Id;
    admin.destroy();
    expect(otherPoolId).to.be.a("string").and.not.equal(pool.userPoolId);
    forged = forgeTokens({ user: owner, victim: other, otherClientIdToken, otherPoolIssuer: `${cloud.endpoints.cognito}/${otherPoolId}`, jwks });
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && functionLines.length > 0) {
      process.stderr.write(`function output during the test:\n${functionLines.slice(-30).join("\n")}\n`);
    }
    functionLines.length = 0;
  });

  after(async () => {
    try {
      pool?.destroy();
      await cloud?.stop();
    } finally {
      removeDir(stateDir);
    }
  });

  async function createRecord(user: SignedInUser): Promise<{ id: string; createdBy: string }> {
    const r = await call(`${base}/users`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: user.idToken },
      body: JSON.stringify({ email: user.email, name: "Security" }),
    });
    expect(r.status, r.text).to.equal(201);
    return r.json();
  }

  const getUser = (id: string, authorization?: string, headers: Record<string, string> = {}) =>
    call(`${base}/users/${id}`, { headers: { ...headers, ...(authorization === undefined ? {} : { Authorization: authorization }) } });
  const forgery = (name: string) => forged.find((f) => f.name === name)!.token;

  describe("JWTs: forged tokens are refused, a valid one accepted, wherever a Cognito token decides access", () => {
    it("the forgeries are what their names say (header and claims checked)", () => {
      const real = decodeJwt(owner.idToken);
      expect(real.header).to.include({ alg: "RS256" });
      expect(real.payload).to.include({ token_use: "id", aud: pool.appClientId, sub: owner.sub });
      const claims = (name: string) => decodeJwt(forgery(name)).payload;
      const header = (name: string) => decodeJwt(forgery(name)).header;
      expect(header("alg none, unsigned").alg).to.equal("none");
      expect(forgery("alg none, unsigned").endsWith(".")).to.equal(true);
      expect(header("HS256 keyed with the pool's RSA public key (SPKI PEM from the JWKS)").alg).to.equal("HS256");
      expect(header("signed with a stranger's RSA key under the pool's kid").kid).to.equal(real.header.kid);
      expect(claims("expired (exp an hour ago, signed with the pool's key)").exp).to.be.below(Date.now() / 1000);
      expect(claims("not yet valid (nbf in 10 minutes, signed with the pool's key)").nbf).to.be.above(Date.now() / 1000);
      expect(claims("without exp (would never expire; signed with the pool's key)")).not.to.have.property("exp");
      expect(claims("wrong issuer (another pool of the same emulator, signed with the pool's key)").iss).not.to.equal(real.payload.iss);
      expect(claims("wrong audience (a real ID token of another app client of the pool)")).to.include({ token_use: "id", iss: real.payload.iss, sub: owner.sub });
      expect(claims("wrong audience (a real ID token of another app client of the pool)").aud).not.to.equal(pool.appClientId);
      expect(claims("an access token where an ID token is required (real, from InitiateAuth)")).to.include({ token_use: "access", client_id: pool.appClientId });
      expect(claims("tampered payload (sub and groups changed, signature kept)")).to.include({ sub: other.sub });
    });

    describe("REST API: the COGNITO_USER_POOLS authorizer of GET /users/{id}, over HTTP", () => {
      it("accepts the real ID token: 200 with the caller's own record", async () => {
        const r = await getUser(ownersRecord.id, owner.idToken);
        expect(r.status, r.text).to.equal(200);
        expect(r.json()).to.deep.equal(ownersRecord);
      });
      for (const name of FORGED_TOKEN_CASES) {
        it(`refuses ${name}: 401 Unauthorized from the gateway, the function not invoked`, async () => {
          const before = cloud.lambda.stats(fnName("get-user")).invocations;
          expectGatewayError(await getUser(ownersRecord.id, forgery(name)), 401, UNAUTHORIZED, "UnauthorizedException");
          // With Bearer, too.
          expectGatewayError(await getUser(ownersRecord.id, `Bearer ${forgery(name)}`), 401, UNAUTHORIZED, "UnauthorizedException");
          expect(cloud.lambda.stats(fnName("get-user")).invocations - before).to.equal(0);
        });
      }
    });

    describe("the handler-side check: withCognitoAuth in the deployed get-user archive, invoked directly", () => {
      /** GET /users/{id} as a direct invocation (or an open method) would deliver it: no gateway claims. */
      async function invokeGetUser(token: string): Promise<ProxyResult> {
        const event = proxyEvent({
          resource: "/users/{id}",
          path: `/users/${ownersRecord.id}`,
          pathParameters: { id: ownersRecord.id },
          headers: { Authorization: `Bearer ${token}` },
        });
        const result = await cloud.lambda.invoke(fnName("get-user"), event);
        expect(result.kind, JSON.stringify(result)).to.equal("ok");
        return (result as { value: ProxyResult }).value;
      }

      it("accepts the real ID token: 200 with the caller's own record", async () => {
        const result = await invokeGetUser(owner.idToken);
        expect(result.statusCode, result.body).to.equal(200);
        expect(JSON.parse(result.body)).to.deep.equal(ownersRecord);
      });
      for (const name of FORGED_TOKEN_CASES) {
        it(`refuses ${name}: 401 {"message":"Unauthorized"}`, async () => {
          const result = await invokeGetUser(forgery(name));
          expect({ status: result.statusCode, body: result.body }).to.deep.equal({ status: 401, body: UNAUTHORIZED });
        });
      }
    });

    describe("HTTP API flavour: the JWT authorizer (local/httpGateway/jwtVerifier.ts) on the pool's issuer and app client, the handler behind it", () => {
      const verifier = new AwsJwtVerifier();
      let authorizer: JwtAuthorizerModel;
      before(() => {
        // What the program configures (index.ts buildHttpApi): the pool's issuer and the app
        // client as audience; the local cloud answers for the pool's issuer with its emulator's.
        authorizer = { id: "cognito", name: "cognito", issuer: decodeJwt(owner.idToken).payload.iss, audiences: [pool.appClientId], identitySource: "$request.header.Authorization" };
      });

      it("accepts the real ID token", async () => {
        const verdict = await verifier.verify(authorizer, owner.idToken);
        expect(verdict.ok, JSON.stringify(verdict)).to.equal(true);
      });
      for (const name of FORGED_TOKEN_CASES) {
        if (name === "an access token where an ID token is required (real, from InitiateAuth)") {
          it(`refuses ${name}: AWS's JWT authorizer takes client_id as the audience and lets it pass, the handler answers 401`, async () => {
            // The gateway behaves as AWS documents (aud, or client_id when there is no aud)...
            expect((await verifier.verify(authorizer, forgery(name))).ok).to.equal(true);
            // ...so the route is closed by withCognitoAuth, which wants an ID token (tokenUse "id").
            const event = proxyEvent({ resource: "/users/{id}", path: `/users/${ownersRecord.id}`, pathParameters: { id: ownersRecord.id }, headers: { authorization: `Bearer ${forgery(name)}` } });
            const result = await cloud.lambda.invoke(fnName("get-user"), event);
            expect(result.kind).to.equal("ok");
            expect((result as { value: ProxyResult }).value.statusCode).to.equal(401);
          });
          continue;
        }
        it(`refuses ${name}`, async () => {
          const verdict = await verifier.verify(authorizer, forgery(name));
          expect(verdict.ok, JSON.stringify(verdict)).to.equal(false);
        });
      }
    });

    describe("WebSocket API: the $connect REQUEST authorizer (?token=), over a real upgrade", () => {
      const wsUrl = (token: string) => `${cloud.outputs.websocketUrl}?token=${encodeURIComponent(token)}`;

      it("accepts the real ID token: the upgrade succeeds", async () => {
        const client = await Client.open(wsUrl(owner.idToken));
        client.ws.close();
      });
      for (const name of FORGED_TOKEN_CASES) {
        it(`refuses ${name}: the upgrade answered 401`, async () => {
          expect(await refusal(wsUrl(forgery(name)))).to.equal(401);
        });
      }
    });
  });

  describe("HMAC client tokens (GET /partner/status, behind the cached TOKEN authorizer)", () => {
    const status = (authorization: string) => call(`${base}/partner/status`, { headers: { Authorization: authorization } });
    /**
     * A token no earlier request used (the authorizer's result cache is keyed by the whole
     * token): issued at least 21 s ago, and each strictly earlier than the one before, whatever
     * the clock did in between (`now - ++age` would repeat a time when a second passes between
     * two calls). The few calls here stay far younger than the window less the cache TTL.
     */
    let lastIssued = Infinity;
    const freshToken = (client: string) => {
      lastIssued = Math.min(lastIssued - 1, nowSeconds() - 21);
      return createHmacToken(client, (cloud.outputs.tokenClients as Record<string, string>)[client] ?? "no-such-secret", lastIssued);
    };
    const expectRefused = async (token: string) => expectGatewayError(await status(token), 401, UNAUTHORIZED, "UnauthorizedException");
    /** How long the gateway caches the authorizer's answer per token (the program's TokenAuthorizer). */
    let resultTtl: number;

    before(() => {
      expect(Object.keys(cloud.outputs.tokenClients as object).sort()).to.deep.equal([...PARTNERS].sort());
      expect(cloud.secretOutputs).to.include("tokenClients");
      const [authorizer] = cloud.run.graph.ofType("aws:apigateway/authorizer:Authorizer").filter((a) => a.inputs.type === "TOKEN");
      resultTtl = authorizer.inputs.authorizerResultTtlInSeconds;
      expect(resultTtl, "the TOKEN authorizer caches its answers").to.be.within(1, DEFAULT_WINDOW_SECONDS - 1);
    });

    it("accepts a fresh token of each client (the control)", async () => {
      for (const client of PARTNERS) {
        const r = await status(freshToken(client));
        expect(r.status, r.text).to.equal(200);
        expect(r.json().principalId).to.equal(client);
      }
    });

    it(`refuses a token replayed after the window (${DEFAULT_WINDOW_SECONDS} s)`, async () => {
      await expectRefused(hmacToken("partner-demo", DEFAULT_WINDOW_SECONDS + 5));
      await expectRefused(hmacToken("partner-demo", DEFAULT_WINDOW_SECONDS + 3600));
    });

    it("never lets the authorizer's result cache outlive a token: a token is admitted only while the cache TTL fits in what is left of its window", async () => {
      // API Gateway serves a cached answer for the whole TTL without asking the authorizer: had
      // this token (TTL - 3 s left) been admitted, its replays would be answered 200 until 3 s
      // after its window. Admitted with TTL + 10 s left, its cached answer ends inside the window
      // (10 s, not less: the token ages while the request travels on a loaded machine).
      await expectRefused(hmacToken("partner-demo", DEFAULT_WINDOW_SECONDS - resultTtl + 3));
      const admitted = await status(hmacToken("partner-demo", DEFAULT_WINDOW_SECONDS - resultTtl - 10));
      expect(admitted.status, admitted.text).to.equal(200);
    });

    it(`refuses a token from the future (more than ${DEFAULT_WINDOW_SECONDS} s ahead)`, async () => {
      await expectRefused(hmacToken("partner-demo", -(DEFAULT_WINDOW_SECONDS + 60)));
    });

    it("refuses tampered tokens — signature changed, time changed, client changed — even right after the genuine one was accepted and cached", async () => {
      const genuine = freshToken("partner-demo");
      expect((await status(genuine)).status).to.equal(200);
      const [client, time, signature] = genuine.split(".");
      const flipped = signature.slice(-1) === "0" ? "1" : "0";
      for (const tampered of [
        `${client}.${time}.${signature.slice(0, -1)}${flipped}`,
        `${client}.${Number(time) + 1}.${signature}`,
        `partner-two.${time}.${signature}`,
      ]) {
        await expectRefused(tampered);
      }
    });

    it("refuses an unknown client, and a client's token signed with another client's secret", async () => {
      await expectRefused(hmacToken("nobody-knows-me", 1, "partner-demo"));
      await expectRefused(hmacToken("partner-two", 2, "partner-demo"));
    });
  });

  describe("cache isolation: no route that answers per caller serves one caller's response to another", () => {
    it("the stage cache is on and serving: GET /data twice with one key answers the same requestId from the cache", async () => {
      const key = (cloud.outputs.apiKeys as Record<string, string>).acme;
      const hits = cacheHits();
      const first = await call(`${base}/data?category=isolation`, { headers: { "x-api-key": key } });
      const second = await call(`${base}/data?category=isolation`, { headers: { "x-api-key": key } });
      expect([first.status, second.status]).to.deep.equal([200, 200]);
      expect(second.json().requestId).to.equal(first.json().requestId);
      expect(cacheHits() - hits).to.equal(1);
    });

    it("…but not to a caller without a valid API key: 403 Forbidden before the cache is looked at", async () => {
      const hits = cacheHits();
      expectGatewayError(await call(`${base}/data?category=isolation`), 403, FORBIDDEN, "ForbiddenException");
      expectGatewayError(await call(`${base}/data?category=isolation`, { headers: { "x-api-key": "x".repeat(40) } }), 403, FORBIDDEN, "ForbiddenException");
      expect(cacheHits() - hits).to.equal(0);
    });

    it("GET /users/{id} with two users: each reads their own record, never the other's, in any order, after repeated reads", async () => {
      const hits = cacheHits();
      const seen: Array<[string, number, unknown]> = [];
      for (const [who, user, id] of [
        ["owner", owner, ownersRecord.id],
        ["owner", owner, ownersRecord.id],
        ["other", other, ownersRecord.id],
        ["other", other, othersRecord.id],
        ["owner", owner, othersRecord.id],
        ["owner", owner, ownersRecord.id],
        ["other", other, othersRecord.id],
      ] as const) {
        const r = await getUser(id, user.idToken);
        seen.push([`${who} reads ${id === ownersRecord.id ? "owner's" : "other's"}`, r.status, r.json()]);
      }
      const insufficient = { error: "Insufficient permissions" };
      expect(seen).to.deep.equal([
        ["owner reads owner's", 200, ownersRecord],
        ["owner reads owner's", 200, ownersRecord],
        ["other reads owner's", 403, insufficient],
        ["other reads other's", 200, othersRecord],
        ["owner reads other's", 403, insufficient],
        ["owner reads owner's", 200, ownersRecord],
        ["other reads other's", 200, othersRecord],
      ]);
      expect(cacheHits() - hits, "no answer of GET /users/{id} came from the stage cache").to.equal(0);
    });

    it("GET /partner/status with two HMAC clients: each gets its own principal, never the other's", async () => {
      const hits = cacheHits();
      const tokens = { "partner-demo": hmacToken("partner-demo", 3), "partner-two": hmacToken("partner-two", 3) };
      const answers: Reply[] = [];
      for (const client of ["partner-demo", "partner-two", "partner-demo", "partner-two"] as const) {
        const r = await call(`${base}/partner/status`, { headers: { Authorization: tokens[client] } });
        expect(r.status, r.text).to.equal(200);
        expect(r.json(), client).to.include({ principalId: client });
        expect(r.json().context, client).to.include({ clientId: client });
        answers.push(r);
      }
      expect(new Set(answers.map((r) => r.json().requestId)).size, "four answers, none replayed").to.equal(4);
      expect(cacheHits() - hits).to.equal(0);
    });
  });

  describe("CORS: a disallowed origin gets no Access-Control-Allow-Origin; an allowed one does", () => {
    let apiKey: string;
    before(() => {
      apiKey = (cloud.outputs.apiKeys as Record<string, string>).globex;
    });

    /** The requests a browser page could make, by kind of answer. */
    const requests: Record<string, (origin: string) => Promise<Reply>> = {
      "a MOCK route (GET /health)": (origin) => call(`${base}/health`, { headers: { Origin: origin } }),
      "a Lambda proxy route (GET /data)": (origin) => call(`${base}/data?category=cors`, { headers: { Origin: origin, "x-api-key": apiKey } }),
      "a Lambda proxy route behind Cognito (GET /users/{id})": (origin) => getUser(ownersRecord.id, owner.idToken, { Origin: origin }),
      "a Lambda proxy route behind the HMAC authorizer (GET /partner/status)": (origin) =>
        call(`${base}/partner/status`, { headers: { Origin: origin, Authorization: hmacToken("partner-two", 4) } }),
      "a non-proxy Lambda route (POST /transform)": (origin) =>
        call(`${base}/transform`, { method: "POST", headers: { Origin: origin, "Content-Type": "application/json" }, body: JSON.stringify({ text: "a", operation: "uppercase" }) }),
      "an error from a function (GET /users/{id} of someone else: 403)": (origin) => getUser(othersRecord.id, owner.idToken, { Origin: origin }),
      "an error from a non-proxy integration's error template (POST /transform: 400)": (origin) =>
        call(`${base}/transform`, { method: "POST", headers: { Origin: origin, "Content-Type": "application/json" }, body: JSON.stringify({ text: "a", operation: "explode" }) }),
      "a preflight (OPTIONS /users)": (origin) =>
        call(`${base}/users`, { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" } }),
    };

    for (const [what, request] of Object.entries(requests)) {
      it(`${what}: none for ${DISALLOWED_ORIGIN}, even after an allowed origin's answer was cached; each allowed origin gets its own`, async () => {
        // In this order, so that whatever the stage cache keeps from the allowed origin is there
        // when the disallowed one asks.
        const allowed = await request(ALLOWED_ORIGIN);
        const disallowed = await request(DISALLOWED_ORIGIN);
        const otherAllowed = await request(OTHER_ALLOWED_ORIGIN);
        expect(allowed.status, allowed.text).to.be.within(200, 499);
        expect(disallowed.status, "same status for both origins").to.equal(allowed.status);
        expect(allowed.headers["access-control-allow-origin"], "the control: an allowed origin is announced").to.equal(ALLOWED_ORIGIN);
        expect(allowed.headers["access-control-allow-credentials"]).to.equal("true");
        expect(disallowed.headers, `${DISALLOWED_ORIGIN}: ${JSON.stringify(disallowed.headers)}`).not.to.have.property("access-control-allow-origin");
        expect(disallowed.headers["vary"] ?? "", "Vary names Origin").to.match(/\bOrigin\b/);
        expect(otherAllowed.headers["access-control-allow-origin"], "the second allowed origin gets its own").to.equal(OTHER_ALLOWED_ORIGIN);
      });
    }

    it(`gateway errors (401, 403 Forbidden, 403 Missing Authentication Token, 400): never ${DISALLOWED_ORIGIN} or *, only the configured first origin (API Gateway's gateway responses cannot look at the Origin)`, async () => {
      const errors: Record<string, (origin: string) => Promise<Reply>> = {
        "401 no token": (origin) => getUser(ownersRecord.id, undefined, { Origin: origin }),
        "403 no API key": (origin) => call(`${base}/data?category=cors`, { headers: { Origin: origin } }),
        "403 no such route": (origin) => call(`${base}/nope`, { headers: { Origin: origin } }),
        "400 invalid body": (origin) => call(`${base}/users`, { method: "POST", headers: { Origin: origin, Authorization: owner.idToken, "Content-Type": "application/json" }, body: "{}" }),
      };
      for (const [what, request] of Object.entries(errors)) {
        const r = await request(DISALLOWED_ORIGIN);
        expect(r.status, `${what}: ${r.text}`).to.be.within(400, 499);
        expect(r.headers["x-amzn-errortype"], what).to.be.a("string");
        const announced = r.headers["access-control-allow-origin"];
        expect(announced, what).not.to.equal(DISALLOWED_ORIGIN);
        expect(announced, what).not.to.equal("*");
        expect([undefined, ALLOWED_ORIGIN], what).to.include(announced);
      }
    });
  });
});
