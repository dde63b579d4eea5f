import { expect } from "chai";
import * as fc from "fast-check";
import type { InvokeResult } from "../../../local/lambda/lambdaRuntime";
import {
  AuthorizationRequest,
  AuthorizerResult,
  AuthorizerOutcome,
  LambdaAuthorizers,
  arnPatternMatches,
  evaluatePolicy,
  executeApiMethodArn,
  parseAuthorizerResult,
} from "../../../local/restGateway/lambdaAuthorizers";
import type { AuthorizerModel } from "../../../local/restGateway/restApiModel";
import type { JsonDocument } from "../../jsonDocument";

const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:authorizer";
const API = "arn:aws:execute-api:us-east-1:123456789012:abc123defg";
const GET_USERS = `${API}/dev/GET/users`;
const POST_USERS = `${API}/dev/POST/users`;

type Answer = InvokeResult | ((event: JsonDocument) => InvokeResult);

/** A Lambda runtime double: records each invocation and answers what the test queued. */
class FakeLambda {
  events: JsonDocument[] = [];
  options: Array<{ timeoutMs?: number } | undefined> = [];
  constructor(public answer: Answer) {}
  async invoke(arn: string, event: unknown, options?: { timeoutMs?: number }): Promise<InvokeResult> {
    expect(arn).to.equal(FUNCTION_ARN);
    this.events.push(event);
    this.options.push(options);
    return typeof this.answer === "function" ? this.answer(event) : this.answer;
  }
}

const ok = (value: unknown): InvokeResult => ({ kind: "ok", value, durationMs: 1, coldStart: false });
const failed = (errorMessage: string, errorType = "Error"): InvokeResult => ({ kind: "error", errorType, errorMessage, trace: [], durationMs: 1 });

function policy(effect: "Allow" | "Deny", resource: string | string[], extra: Record<string, unknown> = {}) {
  return {
    principalId: "alice",
    policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] },
    ...extra,
  };
}

function tokenAuthorizer(overrides: Partial<AuthorizerModel> = {}): AuthorizerModel {
  return {
    id: "auth1",
    name: "hmac",
    type: "TOKEN",
    identitySource: "method.request.header.Authorization",
    resultTtlSeconds: 300,
    functionArn: FUNCTION_ARN,
    providerArns: [],
    ...overrides,
  };
}

function requestAuthorizer(overrides: Partial<AuthorizerModel> = {}): AuthorizerModel {
  return tokenAuthorizer({ id: "auth2", name: "req", type: "REQUEST", identitySource: "method.request.header.X-Tenant, method.request.querystring.y", ...overrides });
}

function request(overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  const headers = overrides.headers ?? { authorization: "token-1", "x-tenant": "acme" };
  const query = overrides.queryStringParameters ?? { y: "1" };
  return {
    methodArn: GET_USERS,
    headers,
    multiValueHeaders: headers && Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    pathParameters: null,
    stageVariables: { env: "dev" },
    requestContext: { requestId: "r-1", identity: { sourceIp: "127.0.0.1" } },
    resource: "/users",
    path: "/users",
    httpMethod: "GET",
    ...overrides,
  };
}

describe("local/restGateway/lambdaAuthorizers", () => {
  let clock: number;
  let lambda: FakeLambda;
  let authorizers: LambdaAuthorizers;
  const authorize = (authorizer: AuthorizerModel, req: AuthorizationRequest = request()) => authorizers.authorize(authorizer, req);

  beforeEach(() => {
    clock = 1_000_000;
    lambda = new FakeLambda(ok(policy("Allow", `${API}/dev/*`, { context: { clientId: "alice", expiresAt: 1764000300, admin: false } })));
    authorizers = new LambdaAuthorizers({ lambda, now: () => clock });
  });

  describe("outcomes", () => {
    it("allow: principal, context and usageIdentifierKey from the function's result", async () => {
      lambda.answer = ok(policy("Allow", GET_USERS, { context: { clientId: "alice", n: 1, admin: false }, usageIdentifierKey: "key-123" }));
      expect(await authorize(tokenAuthorizer())).to.deep.equal({
        kind: "allow",
        principalId: "alice",
        context: { clientId: "alice", n: 1, admin: false },
        usageIdentifierKey: "key-123",
      });
    });

    it("sends a TOKEN authorizer {type, authorizationToken, methodArn} and nothing else", async () => {
      await authorize(tokenAuthorizer(), request({ headers: { AUTHORIZATION: "the-token" } }));
      expect(lambda.events).to.deep.equal([{ type: "TOKEN", authorizationToken: "the-token", methodArn: GET_USERS }]);
      expect(lambda.options[0]).to.deep.equal({ timeoutMs: 29_000 });
    });

    it("sends a REQUEST authorizer the request's fields", async () => {
      const req = request({ pathParameters: { id: "42" } });
      await authorize(requestAuthorizer(), req);
      expect(lambda.events).to.deep.equal([
        {
          type: "REQUEST",
          methodArn: GET_USERS,
          resource: "/users",
          path: "/users",
          httpMethod: "GET",
          headers: req.headers,
          multiValueHeaders: req.multiValueHeaders,
          queryStringParameters: req.queryStringParameters,
          multiValueQueryStringParameters: req.multiValueQueryStringParameters,
          pathParameters: { id: "42" },
          stageVariables: { env: "dev" },
          requestContext: req.requestContext,
        },
      ]);
    });

    it("unauthorized without invoking: token header missing or empty", async () => {
      expect(await authorize(tokenAuthorizer(), request({ headers: { other: "x" } }))).to.deep.equal({ kind: "unauthorized" });
      expect(await authorize(tokenAuthorizer(), request({ headers: { Authorization: "" } }))).to.deep.equal({ kind: "unauthorized" });
      expect(await authorize(tokenAuthorizer(), request({ headers: null }))).to.deep.equal({ kind: "unauthorized" });
      expect(authorizers.invocations("auth1")).to.equal(0);
    });

    it("unauthorized without invoking: a token failing identityValidationExpression (matched whole)", async () => {
      const authorizer = tokenAuthorizer({ identityValidationExpression: "[a-z]+\\.[0-9]+" });
      expect(await authorize(authorizer, request({ headers: { Authorization: "Bearer abc.123" } }))).to.deep.equal({ kind: "unauthorized" });
      expect(await authorize(authorizer, request({ headers: { Authorization: "abc.123x" } }))).to.deep.equal({ kind: "unauthorized" });
      expect(authorizers.invocations("auth1")).to.equal(0);
      expect((await authorize(authorizer, request({ headers: { Authorization: "abc.123" } }))).kind).to.equal("allow");
      expect(authorizers.invocations("auth1")).to.equal(1);
    });

    it("unauthorized without invoking: any REQUEST identity source missing or empty", async () => {
      expect(await authorize(requestAuthorizer(), request({ queryStringParameters: {} }))).to.deep.equal({ kind: "unauthorized" });
      expect(await authorize(requestAuthorizer(), request({ headers: { "x-tenant": "" } }))).to.deep.equal({ kind: "unauthorized" });
      expect(authorizers.invocations("auth2")).to.equal(0);
    });

    it('unauthorized when the function throws "Unauthorized", exactly', async () => {
      lambda.answer = failed("Unauthorized");
      expect(await authorize(tokenAuthorizer())).to.deep.equal({ kind: "unauthorized" });
      lambda.answer = failed("unauthorized");
      expect((await authorize(tokenAuthorizer({ id: "other" }))).kind).to.equal("error");
    });

    it("denied-explicit when a matching statement denies, even beside an Allow", async () => {
      lambda.answer = ok({
        principalId: "alice",
        policyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Action: "execute-api:Invoke", Effect: "Allow", Resource: `${API}/dev/*` },
            { Action: "execute-api:*", Effect: "Deny", Resource: [`${API}/dev/POST/*`, GET_USERS] },
          ],
        },
      });
      expect(await authorize(tokenAuthorizer())).to.deep.equal({ kind: "denied-explicit" });
    });

    it("denied when no Allow matches the methodArn", async () => {
      lambda.answer = ok(policy("Allow", POST_USERS));
      expect(await authorize(tokenAuthorizer())).to.deep.equal({ kind: "denied" });
    });

    const errors: Array<[string, InvokeResult]> = [
      ["the function throws anything else", failed("boom")],
      ["the function times out", { kind: "timeout", durationMs: 5 }],
      ["the function is throttled", { kind: "throttled", durationMs: 0 }],
      ["the result has no principalId", ok({ policyDocument: policy("Allow", GET_USERS).policyDocument })],
      ["the result has no policyDocument", ok({ principalId: "alice" })],
      ["a statement has no Effect", ok({ principalId: "a", policyDocument: { Statement: [{ Action: "execute-api:Invoke", Resource: "*" }] } })],
      ["a context value is an object", ok(policy("Allow", GET_USERS, { context: { nested: { a: 1 } } }))],
      ["a context value is an array", ok(policy("Allow", GET_USERS, { context: { list: [1] } }))],
      ["a context value is null", ok(policy("Allow", GET_USERS, { context: { none: null } }))],
      ["the result is over 8 KB", ok(policy("Allow", GET_USERS, { context: { big: "x".repeat(8200) } }))],
      ["the result is a bare string", ok("Allow")],
    ];
    for (const [what, answer] of errors) {
      it(`error when ${what}`, async () => {
        lambda.answer = answer;
        const outcome = await authorize(tokenAuthorizer());
        expect(outcome.kind).to.equal("error");
        expect((outcome as Extract<AuthorizerOutcome, { kind: "error" }>).detail).to.be.a("string").and.not.equal("");
      });
    }

    it("error, without invoking, for an identity source API Gateway would refuse", async () => {
      expect((await authorize(tokenAuthorizer({ identitySource: "method.request.querystring.token" }))).kind).to.equal("error");
      expect((await authorize(requestAuthorizer({ identitySource: "method.request.body.x" }))).kind).to.equal("error");
      expect(lambda.events).to.have.length(0);
    });
  });

  describe("result cache", () => {
    it("serves a cached policy for the same token without invoking", async () => {
      for (let i = 0; i < 5; i++) expect((await authorize(tokenAuthorizer())).kind).to.equal("allow");
      expect(authorizers.invocations("auth1")).to.equal(1);
      await authorize(tokenAuthorizer(), request({ headers: { authorization: "token-2" } }));
      expect(authorizers.invocations("auth1")).to.equal(2);
    });

    it("returns the cached context and principal on a hit", async () => {
      const first = await authorize(tokenAuthorizer());
      lambda.answer = ok(policy("Allow", `${API}/dev/*`, { principalId: "someone-else" }));
      expect(await authorize(tokenAuthorizer())).to.deep.equal(first);
    });

    it("expires after resultTtlSeconds on the injected clock", async () => {
      const authorizer = tokenAuthorizer({ resultTtlSeconds: 60 });
      await authorize(authorizer);
      clock += 59_999;
      await authorize(authorizer);
      expect(authorizers.invocations("auth1")).to.equal(1);
      clock += 1;
      await authorize(authorizer);
      expect(authorizers.invocations("auth1")).to.equal(2);
    });

    it("is off when resultTtlSeconds is 0", async () => {
      const authorizer = tokenAuthorizer({ resultTtlSeconds: 0 });
      await authorize(authorizer);
      await authorize(authorizer);
      expect(authorizers.invocations("auth1")).to.equal(2);
    });

    it("evaluates a cached policy naming one method against each request: another method is denied", async () => {
      lambda.answer = ok(policy("Allow", GET_USERS));
      expect((await authorize(tokenAuthorizer(), request({ methodArn: GET_USERS }))).kind).to.equal("allow");
      expect(await authorize(tokenAuthorizer(), request({ methodArn: POST_USERS, httpMethod: "POST" }))).to.deep.equal({ kind: "denied" });
      expect(authorizers.invocations("auth1")).to.equal(1);
    });

    it("keys REQUEST results by every identity source together", async () => {
      const authorizer = requestAuthorizer();
      await authorize(authorizer, request({ headers: { "X-Tenant": "acme" }, queryStringParameters: { y: "1" } }));
      await authorize(authorizer, request({ headers: { "x-tenant": "acme", other: "ignored" }, queryStringParameters: { y: "1", z: "ignored" } }));
      expect(authorizers.invocations("auth2")).to.equal(1);
      await authorize(authorizer, request({ headers: { "x-tenant": "acme" }, queryStringParameters: { y: "2" } }));
      await authorize(authorizer, request({ headers: { "x-tenant": "globex" }, queryStringParameters: { y: "1" } }));
      expect(authorizers.invocations("auth2")).to.equal(3);
    });

    it("keeps each authorizer's entries apart", async () => {
      await authorize(tokenAuthorizer());
      await authorize(tokenAuthorizer({ id: "auth9" }));
      expect([authorizers.invocations("auth1"), authorizers.invocations("auth9")]).to.deep.equal([1, 1]);
    });

    it('caches neither "Unauthorized" nor errors', async () => {
      lambda.answer = failed("Unauthorized");
      await authorize(tokenAuthorizer());
      lambda.answer = failed("boom");
      await authorize(tokenAuthorizer());
      lambda.answer = ok(policy("Allow", GET_USERS));
      expect((await authorize(tokenAuthorizer())).kind).to.equal("allow");
      expect(authorizers.invocations("auth1")).to.equal(3);
    });

    it("drops the oldest entry beyond maxCacheEntries", async () => {
      authorizers = new LambdaAuthorizers({ lambda, now: () => clock, maxCacheEntries: 2 });
      for (const token of ["t1", "t2", "t3", "t1"]) await authorize(tokenAuthorizer(), request({ headers: { authorization: token } }));
      expect(authorizers.invocations("auth1")).to.equal(4);
      await authorize(tokenAuthorizer(), request({ headers: { authorization: "t3" } }));
      expect(authorizers.invocations("auth1")).to.equal(4);
    });
  });

  describe("policy matching", () => {
    it("matches ARN wildcards as IAM does", () => {
      const arn = `${API}/dev/GET/users/42`;
      const cases: Array<[string, boolean]> = [
        ["*", true],
        [`${API}/*`, true],
        [`${API}/dev/*/users/*`, true],
        [`${API}/dev/GET/users/4?`, true],
        [`${API}/dev/GET/users/?`, false],
        [`${API}/dev/GET/users`, false],
        [`${API}/dev/POST/*`, false],
        [`${API}/prod/*`, false],
        ["arn:aws:execute-api:*:123456789012:abc123defg/dev/*", true],
        ["arn:aws:execute-api:us-east-1:*:*/dev/GET/*", true],
        ["arn:aws:execute-api:us-*-1:123456789012:abc123defg/*", true],
        // A `*` inside a segment does not cross a colon.
        ["arn:aws:execute-api:us*123456789012:abc123defg/*", false],
        ["arn:aws:execute-api:us-east-1:123456789012:ABC123DEFG/*", false],
        [`${API}/dev/GET/users/4.`, false],
      ];
      for (const [pattern, expected] of cases) expect(arnPatternMatches(pattern, arn), pattern).to.equal(expected);
    });

    it("property: a pattern with one path segment replaced by * matches, and the same pattern fails for another stage", () => {
      const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
      fc.assert(
        fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.nat(), (segments, at) => {
          const arn = `${API}/dev/GET/${segments.join("/")}`;
          const wild = segments.map((s, i) => (i === at % segments.length ? "*" : s)).join("/");
          expect(arnPatternMatches(`${API}/dev/GET/${wild}`, arn)).to.equal(true);
          expect(arnPatternMatches(`${API}/dev/GET/${wild}`, `${API}/prod/GET/${segments.join("/")}`)).to.equal(false);
        }),
        { numRuns: 200 },
      );
    });

    it("matches actions case-insensitively with wildcards, and honours NotAction / NotResource", () => {
      const statements = (s: object) => (parseAuthorizerResult({ principalId: "p", policyDocument: { Statement: s } }) as AuthorizerResult).statements;
      expect(evaluatePolicy(statements({ Effect: "Allow", Action: "EXECUTE-API:invoke", Resource: "*" }), GET_USERS)).to.equal("allow");
      expect(evaluatePolicy(statements({ Effect: "Allow", Action: "execute-api:InvalidateCache", Resource: "*" }), GET_USERS)).to.equal("denied");
      expect(evaluatePolicy(statements({ Effect: "Allow", Action: "*", NotResource: POST_USERS }), GET_USERS)).to.equal("allow");
      expect(evaluatePolicy(statements({ Effect: "Allow", Action: "*", NotResource: GET_USERS }), GET_USERS)).to.equal("denied");
      expect(evaluatePolicy(statements([{ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", NotAction: "s3:*", Resource: GET_USERS }]), GET_USERS)).to.equal("denied-explicit");
    });

    it("builds a request's methodArn as API Gateway does", () => {
      const parts = { region: "us-east-1", accountId: "123456789012", apiId: "abc123defg", stage: "dev" };
      expect(executeApiMethodArn({ ...parts, httpMethod: "GET", path: "/users/42" })).to.equal(`${API}/dev/GET/users/42`);
      expect(executeApiMethodArn({ ...parts, httpMethod: "GET", path: "/" })).to.equal(`${API}/dev/GET/`);
    });
  });
});
