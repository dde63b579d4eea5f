import { expect } from "chai";
import { KeyObject, generateKeyPairSync, sign } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { JwtAuthorizerModel } from "../../../local/httpGateway/httpApiModel";
import { stringClaims, tokenScopes } from "../../../local/httpGateway/httpGateway";
import type { JwtVerification, JwtVerifier } from "../../../local/httpGateway/jwtVerifier";
import { FakeLambda, ServedGateway, httpModel, json, jwtAuthorizer, route, serveGateway } from "./gatewayHarness";

const UNAUTHORIZED = '{"message":"Unauthorized"}';

/** A verifier that accepts the tokens it knows, with their claims. */
class FakeJwt implements JwtVerifier {
  readonly calls: Array<{ authorizer: JwtAuthorizerModel; token: string }> = [];
  constructor(private readonly tokens: Record<string, Record<string, unknown>>) {}
  async verify(authorizer: JwtAuthorizerModel, token: string): Promise<JwtVerification> {
    this.calls.push({ authorizer, token });
    const claims = this.tokens[token];
    return claims ? { ok: true, claims } : { ok: false, error: "the token does not have a valid audience" };
  }
}

describe("HttpGateway JWT authorizers", () => {
  let served: ServedGateway | undefined;
  let lambda: FakeLambda;

  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  describe("with a stand-in verifier", () => {
    let jwt: FakeJwt;
    const claims = { sub: "user-1", aud: "client-1", exp: 1900000000, email_verified: true, groups: ["admin", "ops"], scope: "orders/read profile" };

    beforeEach(async () => {
      jwt = new FakeJwt({ "good.token": claims, "scp.token": { sub: "user-2", scp: ["orders/write"] }, "bare.token": { sub: "user-3" } });
      lambda = new FakeLambda().returns("fn", () => "ok");
      served = await serveGateway({
        lambda,
        jwt,
        model: httpModel(
          [
            route("GET /me", "fn", { authorizationType: "JWT", authorizerId: "users" }),
            route("GET /orders", "fn", { authorizationType: "JWT", authorizerId: "users", authorizationScopes: ["orders/read", "orders/admin"] }),
            route("POST /orders", "fn", { authorizationType: "JWT", authorizerId: "users", authorizationScopes: ["orders/write"] }),
            route("GET /partner", "fn", { authorizationType: "JWT", authorizerId: "partners" }),
            route("GET /link", "fn", { authorizationType: "JWT", authorizerId: "links" }),
            route("GET /open", "fn"),
          ],
          {
            authorizers: new Map([
              ["users", jwtAuthorizer("users")],
              ["partners", jwtAuthorizer("partners", { identitySource: "$request.header.X-Partner-Token" })],
              ["links", jwtAuthorizer("links", { identitySource: "$request.querystring.token" })],
            ]),
          },
        ),
      });
    });

    const call = (path: string, headers: Record<string, string> = {}, method = "GET") => fetch(`${served!.url}${path}`, { method, headers });

    it("answers 401 without a token, before calling the verifier or the function", async () => {
      const attempts: Record<string, string>[] = [{}, { authorization: "" }, { authorization: "Bearer " }];
      for (const headers of attempts) {
        const response = await call("/me", headers);
        expect(response.status, JSON.stringify(headers)).to.equal(401);
        expect(await response.text()).to.equal(UNAUTHORIZED);
        expect(response.headers.get("www-authenticate")).to.equal('Bearer scope="" error="invalid_token" error_description="the token is missing"');
      }
      expect(jwt.calls).to.deep.equal([]);
      expect(lambda.calls).to.deep.equal([]);
    });

    it("answers 401 with the verifier's reason for a token it refuses", async () => {
      const response = await call("/me", { authorization: "Bearer forged.token" });
      expect(response.status).to.equal(401);
      expect(response.headers.get("content-type")).to.equal("application/json");
      expect(await response.text()).to.equal(UNAUTHORIZED);
      expect(response.headers.get("www-authenticate")).to.equal('Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"');
      expect(jwt.calls.map((c) => c.token)).to.deep.equal(["forged.token"]);
      expect(lambda.calls).to.deep.equal([]);
    });

    it("passes a valid token's claims, all as strings, to the function", async () => {
      const response = await call("/me", { authorization: "Bearer good.token" });
      expect(response.status).to.equal(200);
      expect(jwt.calls[0].token).to.equal("good.token");
      expect(jwt.calls[0].authorizer.id).to.equal("users");
      expect(lambda.lastEvent().requestContext.authorizer).to.deep.equal({
        jwt: {
          claims: { sub: "user-1", aud: "client-1", exp: "1900000000", email_verified: "true", groups: "[admin ops]", scope: "orders/read profile" },
          scopes: null,
        },
      });
    });

    it("takes the token without the Bearer scheme too", async () => {
      expect((await call("/me", { authorization: "good.token" })).status).to.equal(200);
      expect((await call("/me", { authorization: "bearer   good.token" })).status).to.equal(200);
      expect(jwt.calls.map((c) => c.token)).to.deep.equal(["good.token", "good.token"]);
    });

    it("requires one of the route's scopes from `scope` or `scp`, else 403 Forbidden", async () => {
      const read = await call("/orders", { authorization: "good.token" });
      expect(read.status).to.equal(200);
      expect(lambda.lastEvent().requestContext.authorizer.jwt.scopes).to.deep.equal(["orders/read", "profile"]);
      expect((await call("/orders", { authorization: "scp.token" }, "POST")).status).to.equal(200);
      expect(lambda.lastEvent().requestContext.authorizer.jwt.scopes).to.deep.equal(["orders/write"]);

      const calls = lambda.calls.length;
      for (const [method, token] of [["POST", "good.token"], ["GET", "scp.token"], ["GET", "bare.token"]]) {
        const refused = await call("/orders", { authorization: token }, method);
        expect(refused.status, `${method} ${token}`).to.equal(403);
        expect(await refused.text()).to.equal('{"message":"Forbidden"}');
        expect(refused.headers.get("www-authenticate")).to.match(/^Bearer scope="orders\/(read orders\/admin|write)" error="insufficient_scope" error_description="expected scopes: \[.+\]"$/);
      }
      expect(lambda.calls).to.have.length(calls);
    });

    it("reads the token from the authorizer's identity source", async () => {
      expect((await call("/partner", { authorization: "good.token" })).status).to.equal(401);
      expect((await call("/partner", { "x-partner-token": "good.token" })).status).to.equal(200);
      expect((await call("/link?token=good.token")).status).to.equal(200);
      expect((await call("/link", { authorization: "good.token" })).status).to.equal(401);
      expect(jwt.calls.map((c) => c.authorizer.id)).to.deep.equal(["partners", "links"]);
    });

    it("leaves open routes open", async () => {
      expect((await call("/open")).status).to.equal(200);
      expect(lambda.lastEvent().requestContext).to.not.have.property("authorizer");
      expect(jwt.calls).to.deep.equal([]);
    });

    it("reads scopes and prints claims as AWS does", () => {
      expect(tokenScopes({ scope: "a  b" })).to.deep.equal(["a", "b"]);
      expect(tokenScopes({ scp: "c d" })).to.deep.equal(["c", "d"]);
      expect(tokenScopes({ scope: 7 })).to.deep.equal([]);
      expect(stringClaims({ n: 1.5, o: { a: 1 }, x: null })).to.deep.equal({ n: "1.5", o: '{"a":1}', x: "null" });
    });
  });

  describe("with aws-jwt-verify against a local JWKS", () => {
    let jwks: http.Server;
    let issuer: string;
    let jwksFetches = 0;
    let privateKey: KeyObject;
    let otherKey: KeyObject;
    const KID = "local-key-1";

    before(async () => {
      const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
      privateKey = pair.privateKey;
      otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
      const jwk = { ...pair.publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" };
      jwks = http.createServer((req, res) => {
        if (req.url !== "/.well-known/jwks.json") {
          res.writeHead(404).end();
          return;
        }
        jwksFetches++;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", () => resolve()));
      issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    });

    after(async () => {
      jwks.closeAllConnections();
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
    });

    beforeEach(async () => {
      jwksFetches = 0;
      lambda = new FakeLambda().returns("fn", () => "ok");
      served = await serveGateway({
        lambda,
        model: httpModel([route("GET /me", "fn", { authorizationType: "JWT", authorizerId: "pool", authorizationScopes: ["me/read"] })], {
          authorizers: new Map([["pool", jwtAuthorizer("pool", { issuer, audiences: ["client-1", "client-2"] })]]),
        }),
      });
    });

    /** Signs a token by hand: RS256 over base64url(header).base64url(payload). */
    function token(payload: Record<string, unknown>, options: { key?: KeyObject; kid?: string; alg?: string } = {}): string {
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const input = `${b64({ alg: options.alg ?? "RS256", typ: "JWT", kid: options.kid ?? KID })}.${b64(payload)}`;
      return `${input}.${sign("RSA-SHA256", Buffer.from(input), options.key ?? privateKey).toString("base64url")}`;
    }
    const now = () => Math.floor(Date.now() / 1000);
    const valid = () => ({ iss: issuer, aud: "client-2", sub: "user-9", iat: now() - 10, exp: now() + 600, scope: "me/read" });
    const call = (jwtToken: string) => fetch(`${served!.url}/me`, { headers: { authorization: `Bearer ${jwtToken}` } });
    const refusal = async (jwtToken: string) => {
      const response = await call(jwtToken);
      expect(response.status).to.equal(401);
      expect(await json(response)).to.deep.equal({ message: "Unauthorized" });
      return /error_description="(.*)"$/.exec(response.headers.get("www-authenticate") ?? "")?.[1];
    };

    it("accepts a token signed with the issuer's key, fetching the JWKS once", async () => {
      const response = await call(token(valid()));
      expect(response.status).to.equal(200);
      expect(lambda.lastEvent().requestContext.authorizer.jwt.claims).to.include({ iss: issuer, aud: "client-2", sub: "user-9" });
      expect((await call(token(valid()))).status).to.equal(200);
      expect(jwksFetches).to.equal(1);
    });

    it("takes client_id as the audience only when there is no aud", async () => {
      const { aud: _aud, ...accessToken } = valid();
      expect((await call(token({ ...accessToken, client_id: "client-1" }))).status).to.equal(200);
      expect(await refusal(token({ ...accessToken, client_id: "client-9" }))).to.equal("the token does not have a valid audience");
      expect(await refusal(token({ ...valid(), aud: "client-9", client_id: "client-1" }))).to.equal("the token does not have a valid audience");
    });

    it("refuses expired, premature, foreign or forged tokens", async () => {
      expect(await refusal(token({ ...valid(), exp: now() - 5 }))).to.equal("the token has expired");
      expect(await refusal(token({ ...valid(), nbf: now() + 300 }))).to.equal("the token is not valid yet");
      expect(await refusal(token({ ...valid(), iat: now() + 300 }))).to.equal("the token was issued in the future");
      const { exp: _exp, ...forever } = valid();
      expect(await refusal(token(forever))).to.equal("the token has no exp claim");
      expect(await refusal(token({ ...valid(), iss: "https://other.example.com" }))).to.equal("the token does not have a valid issuer");
      expect(await refusal(token(valid(), { key: otherKey }))).to.equal("the token signature is invalid");
      expect(await refusal(token(valid(), { kid: "unknown-kid" }))).to.equal("the token's kid is not in the issuer's JWKS");
      // Again within aws-jwt-verify's 10 s wait before the next JWKS fetch.
      expect(await refusal(token(valid(), { kid: "unknown-kid" }))).to.equal("the token's kid is not in the issuer's JWKS");
      expect(await refusal("not-a-jwt")).to.equal("the token is not a valid JWT");
      expect(lambda.calls).to.deep.equal([]);
    });

    it("checks the route's scopes on a verified token", async () => {
      const response = await call(token({ ...valid(), scope: "other" }));
      expect(response.status).to.equal(403);
      expect(await response.text()).to.equal('{"message":"Forbidden"}');
    });
  });
});
