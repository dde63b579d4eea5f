import { expect } from "chai";
import * as fc from "fast-check";
import { HTTP_ACCESS_LOG_FORMAT } from "../../../components/httpApi/stage";
import { ACCESS_LOG_FORMAT } from "../../../components/restApi/stage";
import {
  DEFAULT_HTTP_ACCESS_LOG_FORMAT,
  DEFAULT_REST_ACCESS_LOG_FORMAT,
  compileAccessLogFormat,
  renderAccessLog,
} from "../../../local/logs/accessLogFormat";

/** A REST request's `$context` as the gateway hands it over. */
const REST_CONTEXT = {
  requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
  extendedRequestId: "ZQ8bTFxuoAMFbKA=",
  identity: { sourceIp: "203.0.113.7", caller: null, user: null, apiKeyId: "k3y1d", userAgent: "curl/8.5.0" },
  requestTime: "06/Dec/2026:18:33:01 +0000",
  httpMethod: "GET",
  resourcePath: "/users/{id}",
  path: "/dev/users/42",
  status: 200,
  protocol: "HTTP/1.1",
  responseLength: 17,
  responseLatency: 12,
  integrationLatency: 9,
  integrationStatus: 200,
};

describe("access-log formats", () => {
  it("fills our REST stage's JSON format, a missing value as -", () => {
    const line = JSON.parse(renderAccessLog(ACCESS_LOG_FORMAT, REST_CONTEXT));
    expect(line).to.deep.equal({
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      extendedRequestId: "ZQ8bTFxuoAMFbKA=",
      ip: "203.0.113.7",
      caller: "-",
      user: "-",
      apiKeyId: "k3y1d",
      requestTime: "06/Dec/2026:18:33:01 +0000",
      httpMethod: "GET",
      resourcePath: "/users/{id}",
      path: "/dev/users/42",
      status: "200",
      protocol: "HTTP/1.1",
      responseLength: "17",
      responseLatency: "12",
      integrationLatency: "9",
      integrationStatus: "200",
      errorMessage: "-",
      errorType: "-",
      authorizerError: "-",
    });
  });

  it("fills our HTTP API stage's JSON format", () => {
    const line = JSON.parse(
      renderAccessLog(HTTP_ACCESS_LOG_FORMAT, { requestId: "Mc7UVioPPHcEKPA=", routeKey: "GET /users/{id}", status: 404, error: { message: "Not Found" }, identity: { userAgent: "ua" } }),
    );
    expect(line).to.include({ requestId: "Mc7UVioPPHcEKPA=", routeKey: "GET /users/{id}", status: "404", errorMessage: "Not Found", userAgent: "ua", ip: "-", integrationError: "-" });
  });

  it("JSON-escapes values inside a JSON format's strings: a quote in a user agent keeps the line valid", () => {
    const render = compileAccessLogFormat('{ "ua":"$context.identity.userAgent", "msg": "$context.error.messageString" }');
    const userAgent = 'evil "agent" \\ with\ttab and \u2028 line separator';
    const line = render({ identity: { userAgent }, error: { messageString: '"Missing Authentication Token"' } });
    expect(JSON.parse(line)).to.deep.equal({ ua: userAgent, msg: '"Missing Authentication Token"' });
  });

  it("keeps our format's line valid JSON whatever the values (property)", () => {
    const render = compileAccessLogFormat(ACCESS_LOG_FORMAT);
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (userAgent, message) => {
        const line = render({ ...REST_CONTEXT, identity: { ...REST_CONTEXT.identity, sourceIp: userAgent }, error: { message } });
        const parsed = JSON.parse(line);
        expect(parsed.ip).to.equal(userAgent === "" ? "-" : userAgent);
        expect(parsed.errorMessage).to.equal(message === "" ? "-" : message);
      }),
    );
  });

  it("writes values as they are outside a JSON format's strings, and in a non-JSON format", () => {
    expect(renderAccessLog('{"status": $context.status, "ip": "$context.identity.sourceIp"}', { status: 429, identity: { sourceIp: 'a"b' } })).to.equal(
      '{"status": 429, "ip": "a\\"b"}',
    );
    expect(renderAccessLog('$context.identity.userAgent "$context.httpMethod"', { identity: { userAgent: 'x"y' }, httpMethod: "GET" })).to.equal('x"y "GET"');
  });

  it("writes - for what has no value: absent, null, empty, an object, not a number", () => {
    const render = compileAccessLogFormat("$context.a $context.b $context.c $context.authorizer.claims $context.e $context.f.g.h $context.constructor");
    expect(render({ b: null, c: "", authorizer: { claims: { sub: "1" } }, e: Number.NaN, f: "flat" })).to.equal("- - - - - - -");
  });

  it("reads nested variables: authorizer claims and the integration's", () => {
    const render = compileAccessLogFormat("$context.authorizer.claims.sub $context.authorizer.principalId $context.integration.latency $context.integration.status");
    expect(render({ authorizer: { claims: { sub: "u-1" }, principalId: "me" }, integration: { latency: 3, status: 201 } })).to.equal("u-1 me 3 201");
  });

  it("ends a variable at a character that is not part of a name", () => {
    expect(renderAccessLog("[$context.status]. ($context.requestId)-$context.stage/$context.stage.", { status: 200, requestId: "r", stage: "dev" })).to.equal("[200]. (r)-dev/dev.");
  });

  it("has the consoles' CLF formats as the defaults", () => {
    const context = { ...REST_CONTEXT, routeKey: "GET /users/{id}" };
    expect(renderAccessLog(DEFAULT_REST_ACCESS_LOG_FORMAT, context)).to.equal(
      '203.0.113.7 - - [06/Dec/2026:18:33:01 +0000]"GET /users/{id} HTTP/1.1" 200 17 c6af9ac6-7b61-11e6-9a41-93e8deadbeef ZQ8bTFxuoAMFbKA=',
    );
    expect(renderAccessLog(DEFAULT_HTTP_ACCESS_LOG_FORMAT, context)).to.equal(
      '203.0.113.7 - - [06/Dec/2026:18:33:01 +0000] "GET GET /users/{id} HTTP/1.1" 200 17 c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    );
  });
});
