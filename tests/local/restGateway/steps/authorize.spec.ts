import { expect } from "chai";
import { authorize } from "../../../../local/restGateway/steps/authorize";
import { ACCOUNT, API_ID, FUNCTION_ARN, FakeCognito, REGION, STAGE, authorizer, gatewayErrorOf, harness, lambdaError, lambdaOk, method, request } from "./stepHarness";

const ARN_PREFIX = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/${STAGE}`;
const GET_USER_42 = `${ARN_PREFIX}/GET/users/42`;

/** An authorizer result whose one statement has `effect` on `resource`. */
function policy(effect: "Allow" | "Deny", resource: string, extra: Record<string, unknown> = {}) {
  return { principalId: "alice", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] }, ...extra };
}

function setup() {
  const cognito = new FakeCognito();
  const h = harness({
    cognito,
    methods: [
      method("GET", "/open"),
      method("GET", "/lost", { authorization: "CUSTOM", authorizerId: "gone" }),
      method("GET", "/users/{id}", { authorization: "CUSTOM", authorizerId: "auth1" }),
      method("POST", "/users/{id}", { authorization: "CUSTOM", authorizerId: "req1" }),
      method("GET", "/me", { authorization: "COGNITO_USER_POOLS", authorizerId: "pool", authorizationScopes: ["profile/read"] }),
    ],
    model: {
      authorizers: [
        authorizer(),
        authorizer({ id: "req1", name: "requests", type: "REQUEST", identitySource: "method.request.header.X-Tenant" }),
        authorizer({ id: "pool", name: "users", type: "COGNITO_USER_POOLS", identitySource: "method.request.header.X-Id-Token", functionArn: undefined }),
      ],
    },
  });
  return { ...h, cognito };
}

describe("REST gateway steps: authorize", () => {
  it("does nothing for a method without authorization", async () => {
    const h = setup();
    const inv = h.invocation("GET /open", request({ path: "/open", headers: [["Authorization", "t"]] }));
    await authorize(inv, h.stage);
    expect(inv.context.authorizer).to.equal(undefined);
    expect(inv.authorized).to.equal(undefined);
    expect(h.lambda.calls).to.have.length(0);
    expect(h.cognito.calls).to.have.length(0);
  });

  it("refuses a method whose authorizer is not part of the API with API_CONFIGURATION_ERROR", async () => {
    const h = setup();
    const inv = h.invocation("GET /lost", request({ path: "/lost", headers: [["Authorization", "t"]] }));
    const error = await gatewayErrorOf(() => authorize(inv, h.stage));
    expect(error.type).to.equal("API_CONFIGURATION_ERROR");
    expect(error.message).to.include("gone");
    expect(h.lambda.calls).to.have.length(0);
  });

  describe("Cognito user pools", () => {
    it("passes the identity source header (any case) and the method's scopes to the checker", async () => {
      const h = setup();
      h.cognito.answer = { ok: true, claims: { sub: "u-1" } };
      await authorize(h.invocation("GET /me", request({ path: "/me", headers: [["x-id-TOKEN", "jwt-1"], ["Authorization", "other"]] })), h.stage);
      expect(h.cognito.calls).to.deep.equal([{ authorizerId: "pool", token: "jwt-1", scopes: ["profile/read"] }]);
    });

    it("puts the claims in $context.authorizer.claims as strings, arrays joined with ','", async () => {
      const h = setup();
      h.cognito.answer = { ok: true, claims: { sub: "u-1", "cognito:groups": ["admin", "dev"], email_verified: true, exp: 1_700_000_000 } };
      const inv = h.invocation("GET /me", request({ path: "/me", headers: [["X-Id-Token", "jwt-1"]] }));
      await authorize(inv, h.stage);
      expect(inv.context.authorizer).to.deep.equal({ claims: { sub: "u-1", "cognito:groups": "admin,dev", email_verified: "true", exp: "1700000000" } });
      expect(inv.authorized).to.equal(undefined);
    });

    it("answers a refused token with UNAUTHORIZED and leaves $context.authorizer unset", async () => {
      const h = setup();
      h.cognito.answer = { ok: false };
      const inv = h.invocation("GET /me", request({ path: "/me" }));
      const error = await gatewayErrorOf(() => authorize(inv, h.stage));
      expect(error.type).to.equal("UNAUTHORIZED");
      expect(error.options).to.deep.equal({});
      expect(h.cognito.calls[0].token).to.equal(undefined);
      expect(inv.context.authorizer).to.equal(undefined);
    });
  });

  describe("Lambda authorizers", () => {
    it("allow: $context.authorizer holds principalId and the context; inv.authorized the outcome", async () => {
      const h = setup();
      h.lambda.answer = lambdaOk(policy("Allow", `${ARN_PREFIX}/GET/users/*`, { context: { tenant: "acme", level: 3, admin: false }, usageIdentifierKey: "K".repeat(30) }));
      const inv = h.invocation("GET /users/{id}", request({ path: "/users/42", headers: [["Authorization", "Bearer abc"]] }));
      await authorize(inv, h.stage);
      expect(h.lambda.calls).to.deep.equal([{ nameOrArn: FUNCTION_ARN, event: { type: "TOKEN", authorizationToken: "Bearer abc", methodArn: GET_USER_42 } }]);
      expect(inv.context.authorizer).to.deep.equal({ principalId: "alice", tenant: "acme", level: 3, admin: false });
      expect(inv.authorized).to.deep.equal({ kind: "allow", principalId: "alice", context: { tenant: "acme", level: 3, admin: false }, usageIdentifierKey: "K".repeat(30) });
    });

    it("keeps the policy's principalId when the context has a key of that name: a context cannot impersonate", async () => {
      const h = setup();
      h.lambda.answer = lambdaOk(policy("Allow", `${ARN_PREFIX}/GET/users/*`, { context: { principalId: "mallory", tenant: "acme" } }));
      const inv = h.invocation("GET /users/{id}", request({ path: "/users/42", headers: [["Authorization", "Bearer abc"]] }));
      await authorize(inv, h.stage);
      expect(inv.context.authorizer).to.deep.equal({ principalId: "alice", tenant: "acme" });
    });

    it("sends a REQUEST authorizer the routed request: path parameters, query, headers, $context", async () => {
      const h = setup();
      h.lambda.answer = lambdaOk(policy("Allow", `${ARN_PREFIX}/POST/users/7`));
      const inv = h.invocation("POST /users/{id}", request({ httpMethod: "POST", path: "/users/7", query: "a=1&a=2", headers: [["X-Tenant", "acme"]] }));
      await authorize(inv, h.stage);
      const event = h.lambda.calls[0].event;
      expect(event.type).to.equal("REQUEST");
      expect(event.methodArn).to.equal(`${ARN_PREFIX}/POST/users/7`);
      expect(event.resource).to.equal("/users/{id}");
      expect(event.path).to.equal("/users/7");
      expect(event.pathParameters).to.deep.equal({ id: "7" });
      expect({ ...event.queryStringParameters }).to.deep.equal({ a: "2" });
      expect({ ...event.multiValueQueryStringParameters }).to.deep.equal({ a: ["1", "2"] });
      expect(event.headers["X-Tenant"]).to.equal("acme");
      expect(event.requestContext.requestId).to.equal(inv.request.requestId);
      expect(inv.context.authorizer).to.deep.equal({ principalId: "alice" });
    });

    it("unauthorized: the function's 'Unauthorized' error is UNAUTHORIZED", async () => {
      const h = setup();
      h.lambda.answer = lambdaError("Unauthorized");
      const inv = h.invocation("GET /users/{id}", request({ path: "/users/42", headers: [["Authorization", "bad"]] }));
      const error = await gatewayErrorOf(() => authorize(inv, h.stage));
      expect(error.type).to.equal("UNAUTHORIZED");
      expect(error.options.message).to.equal(undefined);
      expect(h.lambda.calls).to.have.length(1);
      expect(inv.authorized).to.equal(undefined);
    });

    it("unauthorized: a missing token is UNAUTHORIZED without invoking the function", async () => {
      const h = setup();
      const error = await gatewayErrorOf(() => authorize(h.invocation("GET /users/{id}", request({ path: "/users/42" })), h.stage));
      expect(error.type).to.equal("UNAUTHORIZED");
      expect(h.lambda.calls).to.have.length(0);
    });

    it("denied: a policy with no Allow for the method is ACCESS_DENIED with the type's own message", async () => {
      const h = setup();
      h.lambda.answer = lambdaOk(policy("Allow", `${ARN_PREFIX}/GET/users/41`));
      const inv = h.invocation("GET /users/{id}", request({ path: "/users/42", headers: [["Authorization", "t"]] }));
      const error = await gatewayErrorOf(() => authorize(inv, h.stage));
      expect(error.type).to.equal("ACCESS_DENIED");
      expect(error.options.message).to.equal(undefined);
      expect(inv.context.authorizer).to.equal(undefined);
    });

    it("denied-explicit: a Deny for the method is ACCESS_DENIED with the explicit-deny message", async () => {
      const h = setup();
      h.lambda.answer = lambdaOk({
        principalId: "alice",
        policyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Action: "execute-api:Invoke", Effect: "Allow", Resource: `${ARN_PREFIX}/*` },
            { Action: "execute-api:Invoke", Effect: "Deny", Resource: GET_USER_42 },
          ],
        },
      });
      const inv = h.invocation("GET /users/{id}", request({ path: "/users/42", headers: [["Authorization", "t"]] }));
      const error = await gatewayErrorOf(() => authorize(inv, h.stage));
      expect(error.type).to.equal("ACCESS_DENIED");
      expect(error.options.message).to.equal("User is not authorized to access this resource with an explicit deny");
      expect(inv.authorized).to.equal(undefined);
    });

    it("error: any other function error is AUTHORIZER_CONFIGURATION_ERROR", async () => {
      const h = setup();
      h.lambda.answer = lambdaError("boom");
      const error = await gatewayErrorOf(() => authorize(h.invocation("GET /users/{id}", request({ path: "/users/42", headers: [["Authorization", "t"]] })), h.stage));
      expect(error.type).to.equal("AUTHORIZER_CONFIGURATION_ERROR");
      expect(error.message).to.include("boom");
      expect(error.options.message).to.equal(undefined);
    });

    it("error: a malformed result (no policyDocument) is AUTHORIZER_CONFIGURATION_ERROR", async () => {
      const h = setup();
      h.lambda.answer = lambdaOk({ principalId: "alice" });
      const error = await gatewayErrorOf(() => authorize(h.invocation("GET /users/{id}", request({ path: "/users/42", headers: [["Authorization", "t"]] })), h.stage));
      expect(error.type).to.equal("AUTHORIZER_CONFIGURATION_ERROR");
      expect(error.message).to.include("policyDocument");
    });
  });
});
