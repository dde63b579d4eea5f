/**
 * The demo program built as an HTTP API (`apigw-kit:api.type: http`, REST-only config removed),
 * served by the local cloud and exercised over real HTTP (apigw-behavior.md: HTTP API errors,
 * JWT authorizer, CORS): routing, the Cognito JWT authorizer in front of the same user
 * handlers (payload format 2.0), GET /data without keys, and CORS answered by the gateway.
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { LocalUserPool, decodeJwt, tamperedToken, type SignedInUser } from "./cognitoUsers";
import { call, type Reply } from "./httpClient";
import { useLocalCloud } from "./localCloudFixture";

const NOT_FOUND = `{"message":"Not Found"}`;
const UNAUTHORIZED = `{"message":"Unauthorized"}`;
const ALLOWED_ORIGIN = "http://localhost:3000";
const EVIL_ORIGIN = "https://evil.example";
const JSON_HEADERS = { "Content-Type": "application/json" };

/** An HTTP API error: status, exact body, JSON, and the gateway's request id. */
function expectHttpApiError(r: Reply, status: number, body: string): void {
  expect({ status: r.status, body: r.text }).to.deep.equal({ status, body });
  expect(r.headers["content-type"]).to.equal("application/json");
  expect(r.headers["apigw-requestid"], "apigw-requestid").to.be.a("string").and.not.equal("");
}

/** The JWT authorizer's refusal: 401 with `WWW-Authenticate: Bearer ... error="invalid_token"`. */
function expectInvalidToken(r: Reply): void {
  expectHttpApiError(r, 401, UNAUTHORIZED);
  expect(r.headers["www-authenticate"], "www-authenticate").to.be.a("string").and.match(/^Bearer /).and.include(`error="invalid_token"`);
}

describe("local cloud: demo API as an HTTP API (dev stack, api.type http)", function () {
  const fixture = useLocalCloud("http-api", {
    stack: "dev",
    // HTTP APIs have no caching, API keys or usage plans: the config reader refuses them.
    configOverrides: {
      "apigw-kit:api": { type: "http" },
      "apigw-kit:cache": undefined,
      "apigw-kit:customers": undefined,
      "apigw-kit:methodOverrides": undefined,
    },
  });
  let base = "";
  let pool: LocalUserPool | undefined;
  let owner: SignedInUser;

  before(async function () {
    this.timeout(30_000);
    base = fixture.cloud.endpoints.httpApi;
    pool = LocalUserPool.of(fixture.cloud);
    owner = await pool.signUp("http-owner");
  });

  after(() => pool?.destroy());

  const postUser = (body: unknown, authorization?: string, headers: Record<string, string> = {}) =>
    call(`${base}/users`, {
      method: "POST",
      headers: { ...JSON_HEADERS, ...headers, ...(authorization === undefined ? {} : { Authorization: authorization }) },
      body: JSON.stringify(body),
    });
  const getUser = (id: string, authorization?: string) =>
    call(`${base}/users/${id}`, { headers: authorization === undefined ? {} : { Authorization: authorization } });

  it("is an HTTP API: outputs.apiType HTTP, served at the apiUrl output, no REST-only outputs", () => {
    expect(fixture.cloud.outputs.apiType).to.equal("HTTP");
    expect(fixture.cloud.httpGateway, "an HTTP gateway").to.exist;
    expect(fixture.cloud.gateway, "no REST gateway").to.equal(undefined);
    expect(base).to.match(/^http:\/\/127\.0\.0\.1:\d+\/_aws\/execute-api\/[a-z0-9]{10}\/dev$/);
    expect(fixture.cloud.outputs.apiUrl).to.equal(base);
    expect(fixture.cloud.outputs).not.to.have.any.keys("apiKeys", "tokenClients");
  });

  describe("routing", () => {
    it("GET /health answers 200 {\"status\":\"ok\"} (a Lambda here: HTTP APIs have no MOCK)", async () => {
      const r = await call(`${base}/health`);
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 200, body: `{"status":"ok"}` });
      expect(r.headers["apigw-requestid"]).to.be.a("string").and.not.equal("");
    });

    for (const [what, method, url] of [
      ["an unknown path", "GET", "/nothing/here"],
      ["a known path with a method it lacks (DELETE /users)", "DELETE", "/users"],
      ["a REST-only route (POST /transform)", "POST", "/transform"],
      ["a REST-only route (GET /partner/status)", "GET", "/partner/status"],
    ] as const) {
      it(`answers ${what} 404 {"message":"Not Found"}`, async () => {
        expectHttpApiError(await call(`${base}${url}`, { method }), 404, NOT_FOUND);
      });
    }

    it("answers an unknown stage (/nope/health) 404 Not Found", async () => {
      expectHttpApiError(await call(`${base.replace(/\/dev$/, "/nope")}/health`), 404, NOT_FOUND);
    });

    it("GET /data works without an API key; the function sees the payload 2.0 request id", async () => {
      const r = await call(`${base}/data?category=books`, { headers: { "Accept-Language": "de-DE" } });
      expect(r.status, r.text).to.equal(200);
      expect(r.json()).to.include({ category: "books", language: "de-DE", requestId: r.headers["apigw-requestid"] });
    });
  });

  describe("JWT authorizer (Cognito issuer and app client) in front of the user handlers", () => {
    let created: { id: string; email: string; name: string; createdAt: string; createdBy: string };

    it("answers POST /users without a token 401 Unauthorized with WWW-Authenticate error=\"invalid_token\"", async () => {
      expectInvalidToken(await postUser({ email: "no-token@example.com", name: "No Token" }));
      expectInvalidToken(await getUser(randomUUID()));
    });

    it("creates a user with a Cognito ID token: 201, the caller's sub recorded, a Location", async () => {
      const email = `http-${randomUUID()}@example.com`;
      const r = await postUser({ email, name: "Hedy Lamarr", age: 85 }, owner.idToken);
      expect(r.status, r.text).to.equal(201);
      created = r.json();
      expect(created).to.include({ email, name: "Hedy Lamarr", age: 85, createdBy: owner.sub });
      expect(r.headers.location).to.equal(`/users/${created.id}`);
    });

    it("reads it back with GET /users/{id}: 200, the same user (path parameters of payload 2.0)", async () => {
      expect(created, "the POST test ran").to.exist;
      const r = await getUser(created.id, owner.idToken);
      expect(r.status, r.text).to.equal(200);
      expect(r.json()).to.deep.equal(created);
    });

    it("answers another user 403 {\"error\":\"Insufficient permissions\"} and an admin 200", async () => {
      expect(created, "the POST test ran").to.exist;
      const other = await pool!.signUp("http-other");
      const admin = await pool!.signUp("http-admin", ["admins"]);
      const refused = await getUser(created.id, other.idToken);
      expect({ status: refused.status, body: refused.text }).to.deep.equal({ status: 403, body: `{"error":"Insufficient permissions"}` });
      const allowed = await getUser(created.id, admin.idToken);
      expect(allowed.status, allowed.text).to.equal(200);
      expect(allowed.json()).to.deep.equal(created);
    });

    it("answers GET /users/{id} of an unknown id 404 {\"message\":\"User not found\"} (from the function)", async () => {
      const r = await getUser(randomUUID(), owner.idToken);
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 404, body: `{"message":"User not found"}` });
    });

    it("answers an ID token issued to another app client of the pool (wrong audience) 401 invalid_token", async () => {
      const otherClient = await pool!.createAppClient(`not-the-api-${randomUUID().slice(0, 8)}`);
      const signedIn = await pool!.signIn(owner.email, owner.password, otherClient);
      expect(decodeJwt(signedIn.idToken).payload.aud).to.equal(otherClient).and.not.equal(pool!.appClientId);
      expectInvalidToken(await postUser({ email: "aud@example.com", name: "Aud" }, signedIn.idToken));
      expectInvalidToken(await getUser(created?.id ?? randomUUID(), signedIn.idToken));
    });

    it("answers a tampered ID token (claims changed, signature kept) 401 invalid_token", async () => {
      const forged = tamperedToken(owner.idToken, { email: "someone-else@example.com" });
      expectInvalidToken(await postUser({ email: "t@example.com", name: "T" }, forged));
      expectInvalidToken(await postUser({ email: "t@example.com", name: "T" }, "not-a-jwt"));
    });

    it("takes the token with the Bearer scheme too", async () => {
      const r = await postUser({ email: `bearer-${randomUUID()}@example.com`, name: "Bearer" }, `Bearer ${owner.idToken}`);
      expect(r.status, r.text).to.equal(201);
    });

    it("lets an access token through the gateway (client_id), but the handler wants an ID token: 401 without WWW-Authenticate", async () => {
      const r = await postUser({ email: "access@example.com", name: "Access" }, owner.accessToken);
      expectHttpApiError(r, 401, UNAUTHORIZED);
      expect(r.headers, "the function's answer, not the authorizer's").not.to.have.property("www-authenticate");
    });
  });

  describe("CORS (corsConfiguration: the gateway answers)", () => {
    const preflight = (origin: string) =>
      call(`${base}/users`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization" },
      });

    it("answers the preflight of an allowed origin with the configured headers", async () => {
      const r = await preflight(ALLOWED_ORIGIN);
      expect(r.status).to.equal(204);
      expect(r.text).to.equal("");
      expect(r.headers["access-control-allow-origin"]).to.equal(ALLOWED_ORIGIN);
      expect(r.headers["access-control-allow-methods"].split(",").map((m) => m.trim())).to.include("POST");
      expect(r.headers["access-control-allow-headers"].split(",").map((h) => h.trim().toLowerCase())).to.include.members(["content-type", "authorization"]);
      expect(r.headers["access-control-allow-credentials"]).to.equal("true");
      expect(r.headers["access-control-max-age"]).to.equal("300");
    });

    it("gives another origin's preflight no Access-Control-Allow-Origin", async () => {
      const r = await preflight(EVIL_ORIGIN);
      expect(r.headers).not.to.have.any.keys("access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods");
    });

    it("adds Access-Control-Allow-Origin to responses for an allowed origin only, gateway errors included", async () => {
      const ok = await call(`${base}/health`, { headers: { Origin: ALLOWED_ORIGIN } });
      expect(ok.status).to.equal(200);
      expect(ok.headers["access-control-allow-origin"]).to.equal(ALLOWED_ORIGIN);
      expect(ok.headers["access-control-allow-credentials"]).to.equal("true");
      const refused = await postUser({ email: "cors@example.com", name: "Cors" }, undefined, { Origin: ALLOWED_ORIGIN });
      expect(refused.status).to.equal(401);
      expect(refused.headers["access-control-allow-origin"]).to.equal(ALLOWED_ORIGIN);
      const foreign = await call(`${base}/health`, { headers: { Origin: EVIL_ORIGIN } });
      expect(foreign.status).to.equal(200);
      expect(foreign.headers).not.to.have.property("access-control-allow-origin");
    });
  });
});
