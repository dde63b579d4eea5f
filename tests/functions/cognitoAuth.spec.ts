import { createHmac, generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { expect } from "chai";
import { HandlerFunction } from "../../components/HandlerFunction";
import {
  apiGatewayClaims,
  callerGroups,
  cognitoSettingsFromEnv,
  isCallerAllowedToRead,
  javaDateString,
  withCognitoAuth,
  type CognitoAuthOptions,
} from "../../functions/cognitoAuth";
import type { LambdaContext, ProxyEvent, ProxyResult } from "../../functions/proxyTypes";
import { runProgram } from "../../local/controlPlane";
import { expectRejection } from "./expectRejection";
import { lambdaContext, proxyEvent } from "./proxyEvent";
import { CLIENT_ID, KID, POOL_ID, TestIssuer, b64url } from "./testIssuer";
import { withEnv } from "./withEnv";

const UNAUTHORIZED = { message: "Unauthorized" };
const FORBIDDEN = { error: "Insufficient permissions" };

/** A handler that records what it was called with. */
function recordingHandler() {
  const calls: ProxyEvent[] = [];
  const handler = async (event: ProxyEvent, _context: LambdaContext): Promise<ProxyResult> => {
    calls.push(event);
    return { statusCode: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ok: true }) };
  };
  return { calls, handler };
}

function withToken(token: string | undefined, header = "Authorization", extraHeaders: Record<string, string> = {}): ProxyEvent {
  return proxyEvent({ resource: "/users/{id}", path: "/users/abc", headers: { ...(token === undefined ? {} : { [header]: token }), ...extraHeaders } });
}

describe("withCognitoAuth", () => {
  const idp = new TestIssuer();
  const logs: string[] = [];
  before(() => idp.start());
  after(() => idp.stop());
  beforeEach(() => (logs.length = 0));

  function guard(options: Partial<CognitoAuthOptions> = {}) {
    const recorded = recordingHandler();
    const wrapped = withCognitoAuth({ settings: idp.settings, log: (l) => logs.push(l), cors: { allowOrigins: [], allowCredentials: false }, ...options }, recorded.handler);
    return { ...recorded, call: (event: ProxyEvent) => wrapped(event, lambdaContext()) };
  }

  async function expectRefused(token: string | undefined, options: Partial<CognitoAuthOptions> = {}, reason?: string) {
    const { calls, call } = guard(options);
    logs.length = 0;
    const result = await call(withToken(token));
    expect(result.statusCode).to.equal(401);
    expect(JSON.parse(result.body)).to.deep.equal(UNAUTHORIZED);
    expect(result.headers?.["Content-Type"]).to.equal("application/json");
    expect(calls, "the handler must not run").to.have.length(0);
    if (reason) expect(logs.map((l) => JSON.parse(l).reason)).to.deep.equal([reason]);
  }

  it("passes a valid ID token and hands the verified claims to the handler as API Gateway does", async () => {
    const { calls, call } = guard();
    const claims = idp.idClaims({ "cognito:groups": ["users", "admins"] });
    const result = await call(withToken(`Bearer ${idp.sign(claims)}`));
    expect(result.statusCode).to.equal(200);
    expect(calls).to.have.length(1);
    const delivered = calls[0].requestContext.authorizer?.claims;
    expect(delivered).to.include({
      sub: claims.sub,
      aud: CLIENT_ID,
      iss: idp.issuer,
      token_use: "id",
      email: "ada@example.com",
      email_verified: "true",
      "cognito:groups": "users,admins",
      auth_time: String(claims.auth_time),
      exp: javaDateString(claims.exp as number),
      iat: javaDateString(claims.iat as number),
    });
    // The rest of the event is untouched.
    expect(calls[0].pathParameters).to.equal(null);
    expect(calls[0].path).to.equal("/users/abc");
    expect(calls[0].requestContext.identity.sourceIp).to.equal("203.0.113.10");
  });

  it("takes the token with or without the Bearer prefix, from any spelling of the header", async () => {
    const { calls, call } = guard();
    const token = idp.sign(idp.idClaims());
    for (const event of [withToken(token), withToken(`bearer ${token}`), withToken(`Bearer ${token}`, "authorization")]) {
      expect((await call(event)).statusCode).to.equal(200);
    }
    expect(calls).to.have.length(3);
  });

  it("refuses a request without a token (401, handler not called)", async () => {
    await expectRefused(undefined, {}, "MissingToken");
    await expectRefused("Bearer ", {}, "MissingToken");
    await expectRefused("Bearer", {}, "MissingToken");
  });

  it("refuses an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(idp.sign(idp.idClaims({ iat: now - 7200, exp: now - 60 })), {}, "JwtExpiredError");
  });

  it("refuses a token that is not valid yet (nbf in the future)", async () => {
    await expectRefused(idp.sign(idp.idClaims({ nbf: Math.floor(Date.now() / 1000) + 600 })), {}, "JwtNotBeforeError");
  });

  it("refuses a token without exp (it would never expire)", async () => {
    const { exp: _exp, ...claims } = idp.idClaims();
    await expectRefused(idp.sign(claims), {}, "JwtExpiredError");
  });

  it("refuses an ID token issued to another app client", async () => {
    await expectRefused(idp.sign(idp.idClaims({ aud: "someotherclientid0000000000" })), {}, "JwtInvalidAudienceError");
  });

  it("refuses a token from another issuer, even signed with the right key", async () => {
    await expectRefused(idp.sign(idp.idClaims({ iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" })), {}, "JwtInvalidIssuerError");
  });

  it("refuses an access token where an ID token is required", async () => {
    await expectRefused(idp.sign(idp.accessClaims({ aud: CLIENT_ID })), {}, "CognitoJwtInvalidTokenUseError");
  });

  it("with tokenUse access, passes an access token of the app client and refuses one of another client or an ID token", async () => {
    const { calls, call } = guard({ tokenUse: "access" });
    expect((await call(withToken(idp.sign(idp.accessClaims())))).statusCode).to.equal(200);
    expect(calls[0].requestContext.authorizer?.claims?.client_id).to.equal(CLIENT_ID);
    await expectRefused(idp.sign(idp.accessClaims({ client_id: "someotherclientid0000000000" })), { tokenUse: "access" }, "CognitoJwtInvalidClientIdError");
    await expectRefused(idp.sign(idp.idClaims()), { tokenUse: "access" }, "CognitoJwtInvalidTokenUseError");
  });

  it("refuses an unsigned token (alg none)", async () => {
    const unsigned = `${b64url(JSON.stringify({ alg: "none", kid: KID, typ: "JWT" }))}.${b64url(JSON.stringify(idp.idClaims()))}.`;
    await expectRefused(unsigned);
    await expectRefused(`${unsigned.slice(0, -1)}`);
  });

  it("refuses an HS256 token whose secret is the public key (algorithm confusion)", async () => {
    const secret = idp.keys.publicKey.export({ type: "spki", format: "pem" });
    const signingInput = `${b64url(JSON.stringify({ alg: "HS256", kid: KID, typ: "JWT" }))}.${b64url(JSON.stringify(idp.idClaims()))}`;
    const token = `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
    await expectRefused(token, {}, "JwtInvalidSignatureAlgorithmError");
  });

  it("refuses a token signed with a key id the JWKS lacks, and one signed by another key under the right kid", async () => {
    await expectRefused(idp.sign(idp.idClaims(), { kid: "not-in-the-jwks" }), {}, "KidNotFoundInJwksError");
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await expectRefused(idp.sign(idp.idClaims(), {}, stranger.privateKey), {}, "JwtInvalidSignatureError");
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const [header, , signature] = idp.sign(idp.idClaims()).split(".");
    const forged = b64url(JSON.stringify(idp.idClaims({ sub: "someone-else", "cognito:groups": ["admins"] })));
    await expectRefused(`${header}.${forged}.${signature}`, {}, "JwtInvalidSignatureError");
  });

  it("answers 403 with the permissions error to a caller outside the required groups", async () => {
    const { calls, call } = guard({ groups: ["admins"] });
    const result = await call(withToken(idp.sign(idp.idClaims({ "cognito:groups": ["users"] }))));
    expect(result.statusCode).to.equal(403);
    expect(JSON.parse(result.body)).to.deep.equal(FORBIDDEN);
    const noGroups = idp.idClaims();
    delete noGroups["cognito:groups"];
    expect((await call(withToken(idp.sign(noGroups)))).statusCode).to.equal(403);
    expect(calls).to.have.length(0);
    expect(JSON.parse(logs[0])).to.include({ reason: "NotInGroup", sub: noGroups.sub });

    expect((await call(withToken(idp.sign(idp.idClaims({ "cognito:groups": ["users", "admins"] }))))).statusCode).to.equal(200);
    expect(calls).to.have.length(1);
  });

  it("puts the CORS headers on its 401 and 403 answers", async () => {
    const cors = { allowOrigins: ["https://app.example.com"], allowCredentials: true };
    const { call } = guard({ cors, groups: ["admins"] });
    const origin = { Origin: "https://app.example.com" };
    for (const event of [withToken(undefined, "Authorization", origin), withToken(idp.sign(idp.idClaims()), "Authorization", origin)]) {
      const result = await call(event);
      expect(result.statusCode).to.be.oneOf([401, 403]);
      expect(result.headers).to.include({ "Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Credentials": "true", Vary: "Origin" });
    }
  });

  it("fetches the JWKS once per container, however many requests (sequential and concurrent)", async () => {
    const { call } = guard();
    const before = idp.jwksRequests;
    await Promise.all(Array.from({ length: 10 }, () => call(withToken(idp.sign(idp.idClaims())))));
    for (let i = 0; i < 20; i++) expect((await call(withToken(idp.sign(idp.idClaims())))).statusCode).to.equal(200);
    expect(idp.jwksRequests - before).to.equal(1);
  });

  it("fails loudly (rejects, so the gateway answers 502) when the JWKS cannot be fetched", async () => {
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const { call } = guard({ settings: { ...idp.settings, jwksUri: `http://127.0.0.1:${port}/${POOL_ID}/.well-known/jwks.json` } });
    const error = await expectRejection(call(withToken(idp.sign(idp.idClaims()))));
    expect(error.constructor.name).to.equal("FetchError");
  });

  it("reads its settings from the environment when the wrapper is created", async () => {
    const recorded = recordingHandler();
    const wrapped = withEnv(
      { USER_POOL_ID: POOL_ID, USER_POOL_CLIENT_ID: CLIENT_ID, AWS_REGION: "eu-west-1", COGNITO_ISSUER: idp.issuer, COGNITO_JWKS_URI: idp.jwksUri, CORS_ALLOW_ORIGINS: "*" },
      () => withCognitoAuth({ log: () => undefined }, recorded.handler),
    );
    const ok = await wrapped(withToken(idp.sign(idp.idClaims())), lambdaContext());
    expect(ok.statusCode).to.equal(200);
    const refused = await wrapped(withToken(undefined), lambdaContext());
    expect(refused.headers?.["Access-Control-Allow-Origin"]).to.equal("*");
  });

  it("refuses bad options when the wrapper is created", () => {
    const { handler } = recordingHandler();
    expect(() => withCognitoAuth({ settings: idp.settings, tokenUse: "refresh" as "id" }, handler)).to.throw('withCognitoAuth: tokenUse must be "id" or "access" (got "refresh")');
    expect(() => withCognitoAuth({ settings: idp.settings, groups: [] }, handler)).to.throw("withCognitoAuth: groups must list at least one group name when given (got [])");
  });
});

describe("cognitoSettingsFromEnv", () => {
  it("defaults to the pool's AWS issuer and its JWKS", () => {
    expect(cognitoSettingsFromEnv({ USER_POOL_ID: "eu-west-1_AbC", USER_POOL_CLIENT_ID: "client", AWS_REGION: "eu-west-1" })).to.deep.equal({
      userPoolId: "eu-west-1_AbC",
      clientId: "client",
      issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
      jwksUri: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json",
    });
  });

  it("takes COGNITO_ISSUER and COGNITO_JWKS_URI over the AWS issuer (the local cloud's cognito-local)", () => {
    const env = { USER_POOL_ID: "local_abc", USER_POOL_CLIENT_ID: "client", COGNITO_ISSUER: "http://127.0.0.1:9229/local_abc/" };
    expect(cognitoSettingsFromEnv(env)).to.include({ issuer: "http://127.0.0.1:9229/local_abc", jwksUri: "http://127.0.0.1:9229/local_abc/.well-known/jwks.json" });
    expect(cognitoSettingsFromEnv({ ...env, COGNITO_JWKS_URI: "http://localhost:9229/keys" }).jwksUri).to.equal("http://localhost:9229/keys");
  });

  it("names the missing variable", () => {
    expect(() => cognitoSettingsFromEnv({ USER_POOL_CLIENT_ID: "c", AWS_REGION: "us-east-1" })).to.throw(
      "USER_POOL_ID environment variable is required (the Cognito user pool whose tokens are accepted)",
    );
    expect(() => cognitoSettingsFromEnv({ USER_POOL_ID: "p", AWS_REGION: "us-east-1" })).to.throw(
      "USER_POOL_CLIENT_ID environment variable is required (the app client tokens must be issued to)",
    );
    expect(() => cognitoSettingsFromEnv({ USER_POOL_ID: "p", USER_POOL_CLIENT_ID: "c" })).to.throw("AWS_REGION environment variable is required (the user pool's region)");
  });

  it("refuses keys over plain http from anywhere but a loopback address", () => {
    expect(() =>
      cognitoSettingsFromEnv({ USER_POOL_ID: "p", USER_POOL_CLIENT_ID: "c", COGNITO_ISSUER: "http://idp.example.com/p" }),
    ).to.throw('COGNITO_ISSUER: the JWKS must be fetched over https (plain http only from a loopback address); got "http://idp.example.com/p/.well-known/jwks.json"');
  });
});

describe("isCallerAllowedToRead", () => {
  const owner = "11111111-2222-3333-4444-555555555555";
  it("lets the owner read their own record", () => {
    expect(isCallerAllowedToRead({ sub: owner, "cognito:groups": "users" }, owner)).to.equal(true);
  });
  it("lets an admin read anyone's, whatever shape the groups claim has", () => {
    expect(isCallerAllowedToRead({ sub: "other", "cognito:groups": "users,admins" }, owner)).to.equal(true);
    expect(isCallerAllowedToRead({ sub: "other", "cognito:groups": ["admins"] }, owner)).to.equal(true);
    expect(isCallerAllowedToRead({ sub: "other", "cognito:groups": "[users admins]" }, owner)).to.equal(true);
    expect(isCallerAllowedToRead({ sub: "other", "cognito:groups": "staff" }, owner, "staff")).to.equal(true);
  });
  it("refuses anyone else, a record without owner to non-admins, and missing claims", () => {
    expect(isCallerAllowedToRead({ sub: "other", "cognito:groups": "users" }, owner)).to.equal(false);
    expect(isCallerAllowedToRead({ sub: "other", "cognito:groups": "administrators" }, owner)).to.equal(false);
    expect(isCallerAllowedToRead({ sub: "other" }, owner)).to.equal(false);
    expect(isCallerAllowedToRead({ sub: "" }, "")).to.equal(false);
    expect(isCallerAllowedToRead({ sub: "other" }, undefined)).to.equal(false);
    expect(isCallerAllowedToRead(undefined, owner)).to.equal(false);
    expect(isCallerAllowedToRead({ sub: "other", "cognito:groups": "admins" }, owner, "auditors")).to.equal(false);
  });
});

describe("apiGatewayClaims", () => {
  it("prints claims as AWS's REST Cognito authorizer does (values recorded from AWS)", () => {
    expect(
      apiGatewayClaims({
        sub: "e30f3f66",
        "cognito:groups": ["admin", "users"],
        email_verified: true,
        auth_time: 1664798016,
        iat: 1664798016,
        exp: 1664798016 + 3600,
        identities: [{ providerName: "Google" }],
        ignored: null,
      }),
    ).to.deep.equal({
      sub: "e30f3f66",
      "cognito:groups": "admin,users",
      email_verified: "true",
      auth_time: "1664798016",
      iat: "Mon Oct 03 11:53:36 UTC 2022",
      exp: "Mon Oct 03 12:53:36 UTC 2022",
      identities: '[{"providerName":"Google"}]',
    });
    expect(javaDateString(1781499381)).to.equal("Mon Jun 15 04:56:21 UTC 2026");
  });
  it("reads groups back from every shape", () => {
    expect(callerGroups({ "cognito:groups": " a , b " })).to.deep.equal(["a", "b"]);
    expect(callerGroups({ "cognito:groups": "[a b]" })).to.deep.equal(["a", "b"]);
    expect(callerGroups({ "cognito:groups": ["a", 3, ""] })).to.deep.equal(["a"]);
    expect(callerGroups({})).to.deep.equal([]);
  });
});

// Where the serialized handler is loaded from (aws-jwt-verify is bundled into it).
const LOAD_DIR = path.resolve(__dirname, "../../.local/test-archives-cognito", String(process.pid));

describe("withCognitoAuth inside a Lambda archive", () => {
  const idp = new TestIssuer();
  let handler: (event: ProxyEvent, context: LambdaContext) => Promise<ProxyResult>;
  let files: string[];

  before(async () => {
    await idp.start();
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const fn = new HandlerFunction("guarded", {
          handlerFactory: () =>
            withCognitoAuth({ groups: ["admins"] }, async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer?.claims ?? null) })),
          packages: ["aws-jwt-verify"],
        });
        return { name: fn.function.name };
      },
    });
    const [fn] = run.graph.ofType("aws:lambda/function:Function");
    const assets = await fn.inputs.code.assets;
    files = Object.keys(assets);
    const file = path.join(LOAD_DIR, "__index.js");
    fs.mkdirSync(LOAD_DIR, { recursive: true });
    fs.writeFileSync(file, await assets["__index.js"].text);
    const env = { USER_POOL_ID: POOL_ID, USER_POOL_CLIENT_ID: CLIENT_ID, AWS_REGION: "us-east-1", COGNITO_ISSUER: idp.issuer, COGNITO_JWKS_URI: idp.jwksUri, CORS_ALLOW_ORIGINS: undefined };
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundled handler just written, loaded while its environment is set (its factory reads it at load)
    handler = (withEnv(env, () => require(file)) as { handler: typeof handler }).handler;
  });

  after(async () => {
    await idp.stop();
    for (const key of Object.keys(require.cache)) if (key.startsWith(LOAD_DIR + path.sep)) delete require.cache[key];
    fs.rmSync(LOAD_DIR, { recursive: true, force: true });
    const parent = path.dirname(LOAD_DIR);
    if (fs.existsSync(parent) && fs.readdirSync(parent).length === 0) fs.rmdirSync(parent);
  });

  it("bundles aws-jwt-verify into the handler's one file and verifies tokens after Pulumi's closure serialization", async () => {
    expect(files.sort()).to.deep.equal(["__index.js", "__index.js.LEGAL.txt"]);
    const quiet = console.warn;
    console.warn = () => undefined;
    try {
      expect((await handler(withToken(idp.sign(idp.idClaims({ "cognito:groups": ["admins"] }))), lambdaContext())).statusCode).to.equal(200);
      expect((await handler(withToken(idp.sign(idp.idClaims())), lambdaContext())).statusCode).to.equal(403);
      expect((await handler(withToken(idp.sign(idp.idClaims({ aud: "other" }))), lambdaContext())).statusCode).to.equal(401);
    } finally {
      console.warn = quiet;
    }
    expect(idp.jwksRequests).to.equal(1);
  });
});
