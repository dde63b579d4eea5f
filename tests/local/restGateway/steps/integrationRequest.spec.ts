import { expect } from "chai";
import { traceOf, type RestInvocation } from "../../../../local/restGateway/invocation";
import type { IntegrationModel } from "../../../../local/restGateway/restApiModel";
import { buildIntegrationRequest } from "../../../../local/restGateway/steps/integrationRequest";
import { API_ID, FUNCTION_ARN, gatewayErrorOf, harness, integration, method, request, type HarnessOptions, type RequestSpec } from "./stepHarness";
import type { JsonDocument } from "../../../jsonDocument";

/** One method `POST /items/{id}` with `integration`, routed for `spec`, then the step run on it. */
function built(integrationOverrides: Partial<IntegrationModel>, spec: RequestSpec = {}, model: HarnessOptions["model"] = {}, httpMethod = "POST"): RestInvocation {
  const inv = routed(integrationOverrides, spec, model, httpMethod);
  buildIntegrationRequest(inv, harnessFor(integrationOverrides, model, httpMethod).stage);
  return inv;
}

function harnessFor(integrationOverrides: Partial<IntegrationModel>, model: HarnessOptions["model"], httpMethod: string) {
  return harness({ methods: [method(httpMethod, "/items/{id}", { integration: integration(integrationOverrides) })], model });
}

function routed(integrationOverrides: Partial<IntegrationModel>, spec: RequestSpec = {}, model: HarnessOptions["model"] = {}, httpMethod = "POST"): RestInvocation {
  const h = harnessFor(integrationOverrides, model, httpMethod);
  return h.invocation(`${httpMethod} /items/{id}`, request({ httpMethod, path: "/items/42", ...spec }));
}

const LAMBDA: Partial<IntegrationModel> = { type: "AWS_PROXY", integrationHttpMethod: "POST", functionArn: FUNCTION_ARN, uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations` };

/** Two templates, by media type. */
const TEMPLATES = { "application/json": `{"kind":"json","id":"$input.params('id')"}`, "text/plain": "plain:$input.body" };

type ProxyEvent = Record<string, JsonDocument>;

/** Header pairs by lower-case name (the last value): names are case-insensitive on the wire. */
const byLowerName = (pairs: Array<[string, string]>): Record<string, string> => Object.fromEntries(pairs.map(([n, v]) => [n.toLowerCase(), v]));

describe("REST gateway steps: integration request", () => {
  it("fails a method without an integration with API_CONFIGURATION_ERROR", async () => {
    const h = harness({ methods: [method("GET", "/bare", { integration: undefined })] });
    const inv = h.invocation("GET /bare", request({ path: "/bare" }));
    const error = await gatewayErrorOf(() => buildIntegrationRequest(inv, h.stage));
    expect(error.type).to.equal("API_CONFIGURATION_ERROR");
    expect(inv.integrationRequest).to.equal(undefined);
  });

  describe("AWS_PROXY: the Lambda proxy event", () => {
    it("carries the request, with null maps where it has nothing", () => {
      const inv = built(LAMBDA, { httpMethod: "POST" });
      const event = inv.lambdaEvent as ProxyEvent;
      expect(event.resource).to.equal("/items/{id}");
      expect(event.path).to.equal("/items/42");
      expect(event.httpMethod).to.equal("POST");
      expect(event.pathParameters).to.deep.equal({ id: "42" });
      expect(event.queryStringParameters).to.equal(null);
      expect(event.multiValueQueryStringParameters).to.equal(null);
      expect(event.stageVariables).to.equal(null);
      expect(event.body).to.equal(null);
      expect(event.isBase64Encoded).to.equal(false);
      expect(event.requestContext).to.equal(inv.context);
      expect(inv.integrationRequest).to.equal(undefined);
    });

    it("fills query, stage variables and a text body", () => {
      const inv = built(LAMBDA, { query: "a=1&a=2&b=x%20y", body: `{"n":1}`, headers: [["Content-Type", "application/json"]] }, { stageVariables: { env: "test" } });
      const event = inv.lambdaEvent as ProxyEvent;
      expect({ ...event.queryStringParameters }).to.deep.equal({ a: "2", b: "x y" });
      expect({ ...event.multiValueQueryStringParameters }).to.deep.equal({ a: ["1", "2"], b: ["x y"] });
      expect(event.stageVariables).to.deep.equal({ env: "test" });
      expect(event.body).to.equal(`{"n":1}`);
      expect(event.isBase64Encoded).to.equal(false);
    });

    it("adds X-Amzn-Trace-Id and X-Forwarded-* to the caller's headers and title-cases Authorization and User-Agent", () => {
      const inv = built(LAMBDA, {
        headers: [
          ["host", "api.example.com"],
          ["authorization", "Bearer t"],
          ["user-agent", "curl/8"],
          ["x-forwarded-for", "1.1.1.1"],
          ["X-Forwarded-Port", "4431"],
          ["x-custom", "a"],
          ["x-custom", "b"],
          ["Connection", "keep-alive"],
        ],
        sourceIp: "10.0.0.9",
      });
      const event = inv.lambdaEvent as ProxyEvent;
      expect({ ...event.headers }).to.deep.equal({
        host: "api.example.com",
        Authorization: "Bearer t",
        "User-Agent": "curl/8",
        "x-custom": "b",
        "X-Amzn-Trace-Id": traceOf(inv.request).integration,
        "X-Forwarded-For": "1.1.1.1, 10.0.0.9",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
      });
      expect(event.multiValueHeaders["x-custom"]).to.deep.equal(["a", "b"]);
      expect(event.multiValueHeaders.Authorization).to.deep.equal(["Bearer t"]);
      expect(event.multiValueHeaders["X-Forwarded-For"]).to.deep.equal(["1.1.1.1, 10.0.0.9"]);
      expect(traceOf(inv.request).integration).to.match(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}/);
    });

    it("base64-encodes a body of a binary media type, keeps text otherwise", () => {
      const bytes = Buffer.from([0xff, 0x00, 0x80, 0x41]);
      const binary = built(LAMBDA, { body: bytes, headers: [["Content-Type", "image/png"]] }, { binaryMediaTypes: ["image/*"] });
      expect((binary.lambdaEvent as ProxyEvent).body).to.equal(bytes.toString("base64"));
      expect((binary.lambdaEvent as ProxyEvent).isBase64Encoded).to.equal(true);
      const text = built(LAMBDA, { body: "plain text", headers: [["Content-Type", "text/plain"]] }, { binaryMediaTypes: ["image/*"] });
      expect((text.lambdaEvent as ProxyEvent).body).to.equal("plain text");
      expect((text.lambdaEvent as ProxyEvent).isBase64Encoded).to.equal(false);
    });

    it("refuses a restricted header mapping with API_CONFIGURATION_ERROR, though the event ignores mappings", async () => {
      for (const header of ["Authorization", "Content-Length", "X-Amzn-Trace-Id", "TE"]) {
        const inv = routed({ ...LAMBDA, requestParameters: { [`integration.request.header.${header}`]: "'x'" } });
        const error = await gatewayErrorOf(() => buildIntegrationRequest(inv, harnessFor(LAMBDA, {}, "POST").stage));
        expect(error.type, header).to.equal("API_CONFIGURATION_ERROR");
        expect(inv.lambdaEvent, header).to.equal(undefined);
      }
      const allowed = built({ ...LAMBDA, requestParameters: { "integration.request.header.X-Ok": "'x'" } });
      expect((allowed.lambdaEvent as ProxyEvent).headers).to.not.have.property("X-Ok");
    });
  });

  describe("request templates and passthrough", () => {
    it("renders the template of the request's Content-Type, parameters ignored", () => {
      const inv = built({ requestTemplates: TEMPLATES }, { body: "hi", headers: [["Content-Type", "text/plain; charset=utf-8"]] });
      expect(inv.integrationRequest!.body.toString()).to.equal("plain:hi");
      expect(inv.requestTemplateApplied).to.equal(true);
    });

    it("reads a request without Content-Type as application/json", () => {
      const inv = built({ requestTemplates: TEMPLATES }, { body: "hi" });
      expect(inv.integrationRequest!.body.toString()).to.equal(`{"kind":"json","id":"42"}`);
      expect(inv.requestTemplateApplied).to.equal(true);
    });

    it("WHEN_NO_MATCH passes an unmatched body through untouched", () => {
      const inv = built({ requestTemplates: TEMPLATES, passthroughBehavior: "WHEN_NO_MATCH" }, { body: "<a/>", headers: [["Content-Type", "application/xml"]] });
      expect(inv.integrationRequest!.body.toString()).to.equal("<a/>");
      expect(inv.requestTemplateApplied).to.equal(false);
      expect(inv.overrides).to.equal(undefined);
    });

    it("WHEN_NO_TEMPLATES passes the body through only when there are no templates at all", async () => {
      const open = built({ requestTemplates: {}, passthroughBehavior: "WHEN_NO_TEMPLATES" }, { body: "<a/>", headers: [["Content-Type", "application/xml"]] });
      expect(open.integrationRequest!.body.toString()).to.equal("<a/>");
      const inv = routed({ requestTemplates: TEMPLATES, passthroughBehavior: "WHEN_NO_TEMPLATES" }, { body: "<a/>", headers: [["Content-Type", "application/xml"]] });
      const error = await gatewayErrorOf(() => buildIntegrationRequest(inv, harnessFor({}, {}, "POST").stage));
      expect(error.type).to.equal("UNSUPPORTED_MEDIA_TYPE");
      expect(inv.integrationRequest).to.equal(undefined);
    });

    it("NEVER refuses an unmatched Content-Type (415) even with no templates, and renders a matched one", async () => {
      for (const templates of [{}, TEMPLATES]) {
        const inv = routed({ requestTemplates: templates, passthroughBehavior: "NEVER" }, { body: "<a/>", headers: [["Content-Type", "application/xml"]] });
        const error = await gatewayErrorOf(() => buildIntegrationRequest(inv, harnessFor({}, {}, "POST").stage));
        expect(error.type).to.equal("UNSUPPORTED_MEDIA_TYPE");
      }
      const matched = built({ requestTemplates: TEMPLATES, passthroughBehavior: "NEVER" }, { body: "x", headers: [["Content-Type", "text/plain"]] });
      expect(matched.integrationRequest!.body.toString()).to.equal("plain:x");
    });

    it("keeps what the request template set in $context.requestOverride and responseOverride", () => {
      const template = [
        `#set($context.requestOverride.header.XOne = "one")`,
        `#set($context.requestOverride.querystring.q = "v")`,
        `#set($context.responseOverride.status = 201)`,
        `#set($context.responseOverride.header.XResp = "r")`,
        `#set($context.responseOverride.custom = "kept")`,
        `body`,
      ].join("\n");
      const inv = built({ requestTemplates: { "application/json": template } });
      expect(inv.integrationRequest!.body.toString().trim()).to.equal("body");
      expect(inv.requestOverride).to.deep.equal({ headers: { XOne: "one" }, querystring: { q: "v" }, path: {} });
      expect(inv.requestTemplateResponseOverride).to.deep.equal({ status: 201, headers: { XResp: "r" } });
      expect(inv.overrides!.responseOverride).to.deep.include({ custom: "kept", status: 201 });
      expect(inv.overrides!.responseOverride.header).to.deep.equal({ XResp: "r" });
      expect(inv.overrides!.requestOverride.header).to.deep.equal({ XOne: "one" });
    });

    it("builds a MOCK or AWS request with the integration's method and URI and the mapped headers and query", () => {
      const inv = built(
        {
          type: "AWS",
          integrationHttpMethod: "POST",
          uri: "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
          requestTemplates: TEMPLATES,
          requestParameters: { "integration.request.header.X-Id": "method.request.path.id", "integration.request.querystring.tag": "method.request.multivaluequerystring.tag" },
        },
        { query: "tag=a&tag=b" },
        {},
        "PUT",
      );
      expect(inv.integrationRequest).to.deep.equal({
        httpMethod: "POST",
        uri: "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
        query: [
          ["tag", "a"],
          ["tag", "b"],
        ],
        headers: [["X-Id", "42"]],
        body: Buffer.from(`{"kind":"json","id":"42"}`),
      });
      const mock = built({ type: "MOCK" }, {}, {}, "GET");
      expect(mock.integrationRequest).to.deep.include({ httpMethod: "GET", uri: "", query: [], headers: [] });
    });
  });

  describe("HTTP and HTTP_PROXY", () => {
    it("HTTP: the URI with stage variable and path mapping, mapped headers and query, the rendered body", () => {
      const inv = built(
        {
          type: "HTTP",
          integrationHttpMethod: "PUT",
          uri: "http://${stageVariables.host}/backend/{id}",
          requestTemplates: TEMPLATES,
          requestParameters: {
            "integration.request.path.id": "method.request.path.id",
            "integration.request.header.X-Id": "method.request.path.id",
            "integration.request.querystring.q": "method.request.querystring.q",
          },
        },
        { path: "/items/a%20b", query: "q=1&other=2", headers: [["X-Unmapped", "u"]] },
        { stageVariables: { host: "backend.local:8080" } },
      );
      const req = inv.integrationRequest!;
      expect(req.httpMethod).to.equal("PUT");
      expect(req.uri).to.equal("http://backend.local:8080/backend/a%20b");
      expect(req.query).to.deep.equal([["q", "1"]]);
      expect(req.body.toString()).to.equal(`{"kind":"json","id":"a%20b"}`);
      expect(byLowerName(req.headers)).to.deep.equal({
        "x-id": "a b",
        accept: "application/json",
        "user-agent": `AmazonAPIGateway_${API_ID}`,
        "x-amzn-trace-id": traceOf(inv.request).integration,
        "x-amzn-apigateway-api-id": API_ID,
      });
    });

    it("HTTP: the request template's requestOverride replaces the mappings", () => {
      const inv = built({
        type: "HTTP",
        integrationHttpMethod: "POST",
        uri: "http://backend.local:8080/x",
        requestParameters: { "integration.request.header.X-A": "'mapped'" },
        requestTemplates: { "application/json": `#set($context.requestOverride.header.X-A = "override")` },
      });
      expect(byLowerName(inv.integrationRequest!.headers)["x-a"]).to.equal("override");
    });

    it("HTTP: an undefined stage variable in the URI is API_CONFIGURATION_ERROR", async () => {
      const spec = { type: "HTTP" as const, integrationHttpMethod: "GET", uri: "http://${stageVariables.missing}/x" };
      const inv = routed(spec);
      expect((await gatewayErrorOf(() => buildIntegrationRequest(inv, harnessFor(spec, {}, "POST").stage))).type).to.equal("API_CONFIGURATION_ERROR");
    });

    it("HTTP_PROXY: the caller's method, headers (less Host), query and body, plus the mappings", () => {
      const inv = built(
        {
          type: "HTTP_PROXY",
          integrationHttpMethod: "ANY",
          uri: "http://${stageVariables.host}/proxy/{id}?fixed=1",
          requestParameters: { "integration.request.path.id": "method.request.path.id", "integration.request.querystring.added": "'yes'", "integration.request.header.X-Mapped": "'m'" },
        },
        { query: "a=1", body: "raw body", headers: [["Host", "api.example.com"], ["X-Caller", "c"], ["Content-Type", "text/plain"], ["X-Forwarded-For", "1.1.1.1"]], sourceIp: "10.0.0.9" },
        { stageVariables: { host: "127.0.0.1:9999" } },
      );
      const req = inv.integrationRequest!;
      expect(req.httpMethod).to.equal("POST");
      expect(req.uri).to.equal("http://127.0.0.1:9999/proxy/42?fixed=1");
      expect(req.query).to.deep.equal([
        ["a", "1"],
        ["added", "yes"],
      ]);
      expect(req.body.toString()).to.equal("raw body");
      const headers = byLowerName(req.headers);
      expect(headers).to.not.have.property("host");
      expect(headers).to.include({
        "x-caller": "c",
        "content-type": "text/plain",
        "x-mapped": "m",
        "x-amzn-apigateway-api-id": API_ID,
        "x-amzn-trace-id": traceOf(inv.request).integration,
        // As AWS sends them to an HTTP_PROXY backend (ustayready/fireprox#12): the caller's XFF appended to.
        "x-forwarded-for": "1.1.1.1, 10.0.0.9",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
      });
    });
  });
});
