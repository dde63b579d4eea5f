/**
 * The rows of apigw-behavior.md the demo API cannot show, served by the local cloud from
 * tests/local/fixtures/behaviourProgram.ts and exercised over real HTTP. Cases marked
 * [recorded] follow /work/shared/aws-recorded/apigateway-responses.json (responses of real AWS).
 */
import { performance } from "node:perf_hooks";
import { expect } from "chai";
import { call, expectGatewayError, expectRequestIds, rawRequest, type Reply } from "./httpClient";
import { useLocalCloud } from "./localCloudFixture";

// The fixture itself also exports its RestApi component, which startLocal cannot write to
// outputs.json (see behaviourProgramOutputs.ts); this module runs the same program.
const BEHAVIOUR_PROGRAM = require.resolve("./behaviourProgramOutputs");

const INTERNAL_ERROR = `{"message": "Internal server error"}`;
const BYTES_0_255 = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe("local cloud: gateway behaviour (behaviour fixture program)", function () {
  const fixture = useLocalCloud("behaviour", { stack: "dev", program: BEHAVIOUR_PROGRAM });
  let base = "";

  before(() => {
    base = fixture.cloud.endpoints.restApi;
  });

  const mode = (m: string, init?: RequestInit) => call(`${base}/proxy/x?mode=${m}`, init);

  it("serves the test stage at the program's URL output", () => {
    expect(base).to.match(/^http:\/\/127\.0\.0\.1:\d+\/_aws\/execute-api\/[a-z0-9]{10}\/test$/);
    expect(fixture.cloud.outputs.url).to.equal(base);
  });

  describe("Lambda proxy results [recorded]", () => {
    it('statusCode "201" (a numeric string) answers 201 with an empty body', async () => {
      const r = await mode("status-string", { method: "POST" });
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 201, body: "" });
      expect(r.headers["content-type"]).to.equal("application/json");
      expectRequestIds(r);
    });

    it("no statusCode answers 200 with an empty body and the result's headers", async () => {
      const r = await mode("no-status", { method: "POST" });
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 200, body: "" });
      expect(r.headers["test-header"]).to.equal("value");
    });

    it("headers: null is fine (200, empty body)", async () => {
      const r = await mode("headers-null", { method: "POST" });
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 200, body: "" });
    });

    for (const [m, what] of [
      ["unknown-key", "a result with an unknown key"],
      ["bare-string", "a bare string result"],
      ["bad-status", 'statusCode "test"'],
      ["multi-invalid", "a multiValueHeaders value that is not a list"],
      ["throw", "a function that throws"],
    ] as const) {
      it(`${what} answers 502 {"message": "Internal server error"}`, async () => {
        const r = await mode(m, { method: "POST" });
        expect({ status: r.status, body: r.text }).to.deep.equal({ status: 502, body: INTERNAL_ERROR });
        expect(r.headers["content-type"]).to.equal("application/json");
        expectRequestIds(r);
        // A 5XX: the DEFAULT_4XX customisation does not apply.
        expect(r.headers).not.to.have.property("x-custom-4xx");
      });
    }

    it("merges multiValueHeaders and headers of the same name as `multi, solo`", async () => {
      const r = await mode("multi", { method: "POST" });
      expect(r.status).to.equal(200);
      expect(r.headers["test-multi"]).to.equal("value-multi, value-solo");
    });

    it("returns a base64 body as-is unless the first Accept type is a binary media type", async () => {
      for (const accept of [undefined, "*/*", "application/json", "text/html, image/png"]) {
        const r = await mode("base64", accept ? { headers: { Accept: accept } } : {});
        expect({ status: r.status, body: r.text }, `Accept: ${accept}`).to.deep.equal({ status: 200, body: "dGVzdC1kYXRh" });
      }
      const decoded = await mode("base64", { headers: { Accept: "image/png" } });
      expect(decoded.status).to.equal(200);
      expect(decoded.body.equals(Buffer.from("test-data")), decoded.text).to.equal(true);
      expect(decoded.headers["content-type"]).to.equal("image/png");
    });

    it("hands the function the REST proxy event", async () => {
      const startedAt = Date.now();
      const r = await rawRequest(`${base}/proxy/a/b?mode=echo&x=1&x=2`, {
        headers: { "X-Mixed-Case": "Value", "x-repeated": ["one", "two"], "User-Agent": "integration-spec" },
      });
      const finishedAt = Date.now();
      expect(r.status, r.text).to.equal(200);
      const event = r.json();
      expect(event).to.include({ resource: "/proxy/{proxy+}", path: "/proxy/a/b", httpMethod: "GET", body: null, isBase64Encoded: false });
      // Header names keep the client's case; `headers` holds the last value of a repeated header.
      expect(event.headers).to.include({ "X-Mixed-Case": "Value", "x-repeated": "two", "User-Agent": "integration-spec" });
      expect(event.multiValueHeaders).to.deep.include({ "X-Mixed-Case": ["Value"], "x-repeated": ["one", "two"] });
      expect(event.queryStringParameters).to.deep.equal({ mode: "echo", x: "2" });
      expect(event.multiValueQueryStringParameters).to.deep.equal({ mode: ["echo"], x: ["1", "2"] });
      expect(event.pathParameters).to.deep.equal({ proxy: "a/b" });
      expect(event.stageVariables).to.equal(null);

      const context = event.requestContext;
      expect(context).to.include({
        requestId: r.headers["x-amzn-requestid"],
        extendedRequestId: r.headers["x-amz-apigw-id"],
        stage: "test",
        resourcePath: "/proxy/{proxy+}",
        httpMethod: "GET",
        path: "/test/proxy/a/b",
        accountId: "123456789012",
      });
      expect(context.identity).to.include({ sourceIp: "127.0.0.1", userAgent: "integration-spec" });
      expect(context.requestTimeEpoch).to.be.a("number").within(startedAt - 5, finishedAt + 5);
      expect(context.apiId).to.be.a("string").and.match(/^[a-z0-9]+$/);
      expect(context.resourceId).to.be.a("string").and.not.equal("");
    });

    it("hands a text body over as text, a binary media type base64-encoded", async () => {
      const text = await mode("echo", { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"a":"ü"}` });
      expect(text.json()).to.include({ httpMethod: "POST", body: `{"a":"ü"}`, isBase64Encoded: false });
      const binary = await mode("echo", { method: "POST", headers: { "Content-Type": "image/png" }, body: BYTES_0_255 });
      expect(binary.json()).to.include({ body: BYTES_0_255.toString("base64"), isBase64Encoded: true });
    });

    it("round-trips all 256 byte values (application/octet-stream in, decoded out for a binary Accept)", async () => {
      const r = await mode("echo-binary", {
        method: "POST",
        headers: { "Content-Type": "application/octet-stream", Accept: "application/octet-stream" },
        body: BYTES_0_255,
      });
      expect(r.status).to.equal(200);
      expect(r.headers["content-type"]).to.equal("application/octet-stream");
      expect(r.body.length).to.equal(256);
      expect(r.body.equals(BYTES_0_255)).to.equal(true);
      // Without a binary Accept the client gets the base64 text.
      const asText = await mode("echo-binary", { method: "POST", headers: { "Content-Type": "application/octet-stream", Accept: "application/json" }, body: BYTES_0_255 });
      expect(asText.text).to.equal(BYTES_0_255.toString("base64"));
    });
  });

  describe("timeouts", () => {
    it('answers a function past its own 1 s timeout as a Lambda error: 502 {"message": "Internal server error"}, and the function recovers', async function () {
      this.timeout(15_000);
      const started = performance.now();
      const r = await mode("hang");
      const elapsed = performance.now() - started;
      // Lambda ends the function and answers the invocation with Sandbox.Timedout; behind a
      // proxy integration that is a malformed result like any other function error.
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 502, body: `{"message": "Internal server error"}` });
      expectRequestIds(r);
      // At least the function's 1 s timeout (less timer slack); the upper bound only catches a
      // hang far past it: a loaded machine can take seconds to end the function and answer.
      expect(elapsed, "ms until the 502").to.be.within(900, 10_000);

      const next = await mode("status-string");
      expect(next.status, next.text).to.equal(201);
    });

    it('answers 504 {"message": "Endpoint request timed out"} when the integration timeout (300 ms) passes before the function\'s own', async function () {
      this.timeout(15_000);
      const started = performance.now();
      const r = await call(`${base}/impatient/x?mode=hang`);
      const elapsed = performance.now() - started;
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 504, body: `{"message": "Endpoint request timed out"}` });
      expectRequestIds(r);
      // At least the 300 ms integration timeout (less timer slack); the 504 body, not the upper
      // bound, says which timeout fired (the function's own would answer 502). The upper bound
      // only catches a hang far past it: a loaded machine can take seconds to answer.
      expect(elapsed, "ms until the 504").to.be.within(250, 5_000);
    });
  });

  describe("Lambda non-proxy selection patterns [recorded]", () => {
    it("maps an error whose message matches .*four hundred.* to 405 with the Lambda error JSON as body", async () => {
      const r = await call(`${base}/nonproxy/400`);
      expect(r.status, r.text).to.equal(405);
      const body = r.json();
      expect(body).to.include({ errorMessage: "Error: Raising four hundred from within the Lambda function", errorType: "Error" });
      expect(body.stackTrace).to.be.an("array");
    });

    it("maps an error matching .*five hundred.* to 502 with the Lambda error JSON", async () => {
      const r = await call(`${base}/nonproxy/500`);
      expect(r.status, r.text).to.equal(502);
      expect(r.json()).to.include({ errorMessage: "Error: Raising five hundred from within the Lambda function", errorType: "Error" });
    });

    it('answers a success with the default response (200, the JSON string "Pass"): selectionPattern "200" is not matched', async () => {
      const r = await call(`${base}/nonproxy/200`);
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 200, body: `"Pass"` });
    });
  });

  describe("passthrough behaviours (MOCK, template for application/json only)", () => {
    for (const behaviour of ["when_no_match", "when_no_templates", "never"]) {
      it(`${behaviour}: application/json uses the template, 200 {"id": 42, "statusCode": 200} [recorded]`, async () => {
        const r = await call(`${base}/passthrough/${behaviour}/42`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
        expect({ status: r.status, body: r.text }).to.deep.equal({ status: 200, body: `{"id": 42, "statusCode": 200}` });
      });
    }

    it("when_no_match: text/plain passes through (200)", async () => {
      const r = await call(`${base}/passthrough/when_no_match/42`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "hello" });
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 200, body: `{"id": 42, "statusCode": 200}` });
    });

    for (const behaviour of ["when_no_templates", "never"]) {
      it(`${behaviour}: text/plain is refused with 415 {"message": "Unsupported Media Type"}`, async () => {
        const r = await call(`${base}/passthrough/${behaviour}/42`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "hello" });
        expectGatewayError(r, 415, `{"message": "Unsupported Media Type"}`, "UnsupportedMediaTypeException");
        expect(r.headers["x-custom-4xx"]).to.equal("four");
      });
    }

    it("never: no Content-Type counts as application/json (200)", async () => {
      const r = await rawRequest(`${base}/passthrough/never/7`, { method: "POST", body: "{}" });
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 200, body: `{"id": 7, "statusCode": 200}` });
    });
  });

  describe("responseOverride", () => {
    it("GET /override answers status 444 with header X-Foo: bar", async () => {
      const r = await call(`${base}/override`);
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 444, body: `{"statusOverride": "444"}` });
      expect(r.headers["x-foo"]).to.equal("bar");
    });
  });

  describe("method throttle (/limited: rate 1, burst 2)", () => {
    it("admits two immediate requests and answers the third 429 Too Many Requests with the DEFAULT_4XX header", async () => {
      const statuses: number[] = [];
      let last: Reply | undefined;
      for (let i = 0; i < 3; i++) {
        last = await call(`${base}/limited`);
        statuses.push(last.status);
      }
      expect(statuses).to.deep.equal([200, 200, 429]);
      expectGatewayError(last!, 429, `{"message":"Too Many Requests"}`, "TooManyRequestsException");
      expect(last!.headers["x-custom-4xx"]).to.equal("four");
    });
  });

  describe("customised gateway responses", () => {
    it("MISSING_AUTHENTICATION_TOKEN → 404 with the custom template, $context.path filled in", async () => {
      const r = await call(`${base}/nothing/here`);
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 404, body: `{"error":"no route","path":"/test/nothing/here"}` });
      expect(r.headers["content-type"]).to.equal("application/json");
      expect(r.headers["x-amzn-errortype"]).to.equal("MissingAuthenticationTokenException");
      expectRequestIds(r);
      // A customised type does not take DEFAULT_4XX's settings.
      expect(r.headers).not.to.have.property("x-custom-4xx");
    });

    it("applies to a method the resource lacks too (DELETE /override)", async () => {
      const r = await call(`${base}/override`, { method: "DELETE" });
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 404, body: `{"error":"no route","path":"/test/override"}` });
    });
  });

  describe("required request parameters (AWS's recorded /nested/{test} case)", () => {
    const missing = (names: string) => `{"message": "Missing required request parameters: [${names}]"}`;

    it("nothing sent → [x-header-param, issuer, qs1] (headers, then path, then querystring) [recorded]", async () => {
      const r = await call(`${base}/nested/value`);
      expectGatewayError(r, 400, missing("x-header-param, issuer, qs1"), "BadRequestException");
      // BAD_REQUEST_PARAMETERS is not customised: it inherits DEFAULT_4XX.
      expect(r.headers["x-custom-4xx"]).to.equal("four");
    });

    // issuer is never present: it is not in the resource path. The recorded GET vectors
    // ([x-header-param] and [qs1]) come from a method that required path.test instead of
    // path.issuer; with issuer required, the same rule gives these lists.
    it("?qs1=test → [x-header-param, issuer]", async () => {
      expectGatewayError(await call(`${base}/nested/value?qs1=test`), 400, missing("x-header-param, issuer"), "BadRequestException");
    });

    it("x-header-param only → [issuer, qs1]", async () => {
      expectGatewayError(await call(`${base}/nested/value`, { headers: { "x-header-param": "h" } }), 400, missing("issuer, qs1"), "BadRequestException");
    });

    it("header and qs1 → [issuer]", async () => {
      expectGatewayError(await call(`${base}/nested/value?qs1=test`, { headers: { "X-Header-Param": "h" } }), 400, missing("issuer"), "BadRequestException");
    });

    it("blank values count as missing", async () => {
      const r = await rawRequest(`${base}/nested/value?qs1=`, { headers: { "x-header-param": "" } });
      expectGatewayError(r, 400, missing("x-header-param, issuer, qs1"), "BadRequestException");
    });
  });

  describe("payload limit", () => {
    it("answers a body over 10 MB with 413 and AWS's plain-text refusal, which gateway responses do not change [recorded]", async function () {
      this.timeout(20_000);
      const r = await rawRequest(`${base}/proxy/x?mode=echo`, {
        method: "POST",
        headers: { "Content-Type": "application/octet-stream" },
        body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61),
      });
      expect({ status: r.status, body: r.text }).to.deep.equal({ status: 413, body: "HTTP content length exceeded 10485760 bytes." });
      expect(r.headers["content-type"]).to.equal("text; charset=utf-8");
      expectRequestIds(r);
      // The API's DEFAULT_4XX customisation does not apply: the refusal comes before the API.
      expect(r.headers["x-custom-4xx"]).to.equal(undefined);
    });
  });

  describe("metrics", () => {
    it("counts Count, 4XXError and 5XXError for ANY /proxy/{proxy+}", async () => {
      const route = "ANY /proxy/{proxy+}";
      const before = fixture.cloud.gateway!.metrics.snapshot()[route];
      expect(before, "the proxy route has metrics by now").to.exist;
      await mode("status-string"); // 201
      await mode("no-such-mode"); // 400 from the function
      await mode("bare-string"); // 502
      await mode("throw"); // 502
      const after = fixture.cloud.gateway!.metrics.snapshot()[route];
      expect({
        Count: after.Count - before.Count,
        "4XXError": after["4XXError"] - before["4XXError"],
        "5XXError": after["5XXError"] - before["5XXError"],
      }).to.deep.equal({ Count: 4, "4XXError": 1, "5XXError": 2 });
    });
  });

  describe("after all of the above", () => {
    it("keeps serving: GET /proxy/x?mode=echo → 200", async () => {
      const r = await mode("echo");
      expect(r.status, r.text).to.equal(200);
      expect(r.json()).to.include({ resource: "/proxy/{proxy+}", path: "/proxy/x" });
    });
  });
});
