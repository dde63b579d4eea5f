import { createHmac, generateKeyPairSync, sign as rsaSign, type KeyObject } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { javaDateString } from "../../../functions/cognitoAuth";
import { CognitoUserPoolAuthorizer } from "../../../local/restGateway/cognitoAuthorizer";
import type { AuthorizerModel } from "../../../local/restGateway/restApiModel";

const POOLS = {
  main: { id: "us-east-1_MainPool1", clients: ["mainclient000000000000000a", "mainclient000000000000000b"] },
  partner: { id: "us-east-1_Partner22", clients: ["partnerclient0000000000000"] },
  empty: { id: "us-east-1_NoClients", clients: [] as string[] },
};
type PoolName = keyof typeof POOLS;
const arnOf = (pool: PoolName) => `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOLS[pool].id}`;

/** One RSA key per pool, each pool's JWKS served on 127.0.0.1 with its requests counted. */
class TestPools {
  readonly keys = Object.fromEntries(Object.keys(POOLS).map((p) => [p, generateKeyPairSync("rsa", { modulusLength: 2048 })])) as Record<PoolName, ReturnType<typeof generateKeyPairSync>>;
  readonly jwksRequests: Record<string, number> = {};
  private server?: http.Server;
  base = "";

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const pool = (Object.keys(POOLS) as PoolName[]).find((p) => req.url === `/${POOLS[p].id}/.well-known/jwks.json`);
      if (!pool) return void res.writeHead(404).end();
      this.jwksRequests[pool] = (this.jwksRequests[pool] ?? 0) + 1;
      const jwk = { ...this.keys[pool].publicKey.export({ format: "jwk" }), kid: `${pool}-key`, alg: "RS256", use: "sig" };
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  issuer(pool: PoolName): string {
    return `${this.base}/${POOLS[pool].id}`;
  }

  /** A fresh authorizer that knows the main, partner and empty pools (not "unknown" ones). */
  authorizer(): CognitoUserPoolAuthorizer {
    return new CognitoUserPoolAuthorizer({
      issuerFor: (arn) => {
        const pool = (Object.keys(POOLS) as PoolName[]).find((p) => arnOf(p) === arn);
        return pool ? { issuer: this.issuer(pool), jwksUri: `${this.issuer(pool)}/.well-known/jwks.json` } : undefined;
      },
      clientIdsFor: (arn) => (Object.keys(POOLS) as PoolName[]).filter((p) => arnOf(p) === arn).flatMap((p) => POOLS[p].clients),
    });
  }

  idToken(pool: PoolName = "main", claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key?: KeyObject): string {
    const now = Math.floor(Date.now() / 1000);
    return this.sign(pool, { sub: "5a1e-sub", "cognito:groups": ["users", "admins"], email_verified: true, iss: this.issuer(pool), aud: POOLS[pool].clients[0] ?? "noclient", token_use: "id", auth_time: now, iat: now, exp: now + 3600, email: "ada@example.com", ...claims }, header, key);
  }

  accessToken(pool: PoolName = "main", claims: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return this.sign(pool, { sub: "5a1e-sub", iss: this.issuer(pool), client_id: POOLS[pool].clients[0], token_use: "access", scope: "orders/read profile", auth_time: now, iat: now, exp: now + 3600, username: "ada", ...claims });
  }

  /** A JWT built by hand: base64url header and payload, RS256 over them with the pool's key. */
  sign(pool: PoolName, payload: Record<string, unknown>, header: Record<string, unknown> = {}, key: KeyObject = this.keys[pool].privateKey): string {
    const input = `${b64url({ alg: "RS256", kid: `${pool}-key`, typ: "JWT", ...header })}.${b64url(payload)}`;
    return `${input}.${rsaSign("sha256", Buffer.from(input), key).toString("base64url")}`;
  }
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function model(...pools: Array<PoolName | "unknown">): AuthorizerModel {
  return {
    id: "auth123",
    name: "cognito",
    type: "COGNITO_USER_POOLS",
    identitySource: "method.request.header.Authorization",
    resultTtlSeconds: 300,
    providerArns: pools.map((p) => (p === "unknown" ? "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Unknown" : arnOf(p))),
  };
}

describe("CognitoUserPoolAuthorizer (REST gateway)", () => {
  const pools = new TestPools();
  let authorizer: CognitoUserPoolAuthorizer;
  before(() => pools.start());
  after(() => pools.stop());
  beforeEach(() => (authorizer = pools.authorizer()));

  const refused = async (token: string | undefined, scopes?: string[], on = model("main")) => {
    const result = await authorizer.authorize(on, token, scopes);
    expect(result.ok, JSON.stringify(result)).to.equal(false);
    return result.ok ? "" : result.reason;
  };

  describe("methods without scopes (ID tokens)", () => {
    it("accepts an ID token issued to one of the pool's app clients, with claims as strings", async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = pools.idToken("main", { aud: POOLS.main.clients[1], iat: now, exp: now + 600, auth_time: now });
      const result = await authorizer.authorize(model("main"), token, undefined);
      expect(result.ok).to.equal(true);
      if (!result.ok) return;
      expect(result.claims).to.deep.equal({
        sub: "5a1e-sub",
        "cognito:groups": "users,admins",
        email_verified: "true",
        iss: pools.issuer("main"),
        aud: POOLS.main.clients[1],
        token_use: "id",
        auth_time: String(now),
        iat: javaDateString(now),
        exp: javaDateString(now + 600),
        email: "ada@example.com",
      });
      for (const value of Object.values(result.claims)) expect(value).to.be.a("string");
    });

    it("accepts the token with a Bearer prefix too, and treats an empty scope list as none", async () => {
      expect((await authorizer.authorize(model("main"), `Bearer ${pools.idToken()}`, undefined)).ok).to.equal(true);
      expect((await authorizer.authorize(model("main"), pools.idToken(), [])).ok).to.equal(true);
    });

    it("refuses a missing or empty token", async () => {
      expect(await refused(undefined)).to.equal("MissingToken");
      expect(await refused("")).to.equal("MissingToken");
      expect(await refused("Bearer ")).to.equal("MissingToken");
    });

    it("refuses an ID token whose aud is not an app client of the pool", async () => {
      expect(await refused(pools.idToken("main", { aud: POOLS.partner.clients[0] }))).to.equal("JwtInvalidAudienceError");
      expect(await refused(pools.idToken("empty"), undefined, model("empty"))).to.equal("JwtInvalidAudienceError");
    });

    it("refuses an access token", async () => {
      expect(await refused(pools.accessToken())).to.be.oneOf(["JwtInvalidAudienceError", "CognitoJwtInvalidTokenUseError"]);
      // Even one that names a client in aud: token_use decides.
      expect(await refused(pools.accessToken("main", { aud: POOLS.main.clients[0] }))).to.equal("CognitoJwtInvalidTokenUseError");
    });

    it("refuses expired and not-yet-valid tokens", async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(await refused(pools.idToken("main", { iat: now - 7200, exp: now - 1 }))).to.equal("JwtExpiredError");
      expect(await refused(pools.idToken("main", { nbf: now + 300 }))).to.equal("JwtNotBeforeError");
      expect(await refused(pools.idToken("main", { exp: undefined }))).to.equal("JwtExpiredError");
    });

    it("refuses a token of a pool the authorizer does not name, or of no known pool", async () => {
      expect(await refused(pools.idToken("partner"))).to.equal("UnknownIssuer");
      expect(await refused(pools.idToken("main", { iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_MainPool1" }))).to.equal("UnknownIssuer");
      expect(await refused(pools.idToken("main"), undefined, model("unknown"))).to.equal("UnknownIssuer");
      expect(await refused("not-a-jwt")).to.equal("JwtParseError");
    });

    it("refuses forged signatures: tampered payload, alg none, HS256 keyed with the public key, unknown kid, another pool's key", async () => {
      const [header, , signature] = pools.idToken().split(".");
      expect(await refused(`${header}.${b64url({ sub: "admin", iss: pools.issuer("main"), aud: POOLS.main.clients[0], token_use: "id", exp: 9999999999 })}.${signature}`)).to.equal(
        "JwtInvalidSignatureError",
      );
      const claims = { sub: "x", iss: pools.issuer("main"), aud: POOLS.main.clients[0], token_use: "id", exp: 9999999999 };
      // alg none: unsigned (aws-jwt-verify refuses an empty signature as unparsable) or with any signature.
    expect(await refused(`${b64url({ alg: "none", kid: "main-key" })}.${b64url(claims)}.`)).to.equal("JwtParseError");
    expect(await refused(`${b64url({ alg: "none", kid: "main-key" })}.${b64url(claims)}.${signature}`)).to.equal("JwtInvalidSignatureAlgorithmError");
      const input = `${b64url({ alg: "HS256", kid: "main-key" })}.${b64url(claims)}`;
      const hmac = createHmac("sha256", pools.keys.main.publicKey.export({ type: "spki", format: "pem" })).update(input).digest("base64url");
      expect(await refused(`${input}.${hmac}`)).to.equal("JwtInvalidSignatureAlgorithmError");
      expect(await refused(pools.idToken("main", {}, { kid: "rotated-away" }))).to.equal("KidNotFoundInJwksError");
      expect(await refused(pools.idToken("main", {}, {}, pools.keys.partner.privateKey))).to.equal("JwtInvalidSignatureError");
    });
  });

  describe("methods with scopes (access tokens)", () => {
    it("accepts an access token carrying one of the method's scopes", async () => {
      const result = await authorizer.authorize(model("main"), pools.accessToken(), ["orders/write", "orders/read"]);
      expect(result.ok).to.equal(true);
      if (result.ok) expect(result.claims).to.include({ scope: "orders/read profile", client_id: POOLS.main.clients[0], token_use: "access" });
    });

    it("refuses an access token without any of the scopes", async () => {
      expect(await refused(pools.accessToken(), ["orders/write"])).to.equal("JwtInvalidScopeError");
      expect(await refused(pools.accessToken("main", { scope: undefined }), ["orders/read"])).to.equal("JwtInvalidScopeError");
      // A scope is a whole word: "orders/read" does not grant "orders".
      expect(await refused(pools.accessToken(), ["orders"])).to.equal("JwtInvalidScopeError");
    });

    it("refuses an ID token, and an access token of a client outside the pool", async () => {
      expect(await refused(pools.idToken("main", { scope: "orders/read" }), ["orders/read"])).to.equal("CognitoJwtInvalidTokenUseError");
      expect(await refused(pools.accessToken("main", { client_id: POOLS.partner.clients[0] }), ["orders/read"])).to.equal("CognitoJwtInvalidClientIdError");
    });
  });

  it("accepts the tokens of every pool it names, each checked against its own pool", async () => {
    const both = model("main", "partner");
    expect((await authorizer.authorize(both, pools.idToken("main"), undefined)).ok).to.equal(true);
    expect((await authorizer.authorize(both, pools.idToken("partner"), undefined)).ok).to.equal(true);
    // The partner pool's key does not sign for the main pool.
    expect(await refused(pools.idToken("main", {}, { kid: "partner-key" }, pools.keys.partner.privateKey), undefined, both)).to.equal("KidNotFoundInJwksError");
  });

  it("fetches each pool's JWKS once, however many requests", async () => {
    const before = { ...pools.jwksRequests };
    const both = model("main", "partner");
    await Promise.all(Array.from({ length: 10 }, () => authorizer.authorize(both, pools.idToken("main"), undefined)));
    for (let i = 0; i < 20; i++) {
      expect((await authorizer.authorize(both, pools.idToken(i % 2 ? "main" : "partner"), undefined)).ok).to.equal(true);
      expect((await authorizer.authorize(model("main"), pools.accessToken(), ["profile"])).ok).to.equal(true);
    }
    expect((pools.jwksRequests.main ?? 0) - (before.main ?? 0)).to.equal(1);
    expect((pools.jwksRequests.partner ?? 0) - (before.partner ?? 0)).to.equal(1);
  });
});
