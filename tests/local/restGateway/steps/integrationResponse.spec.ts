import { expect } from "chai";
import type { EndpointResponse, HeaderPair } from "../../../../local/restGateway/integrations/integrationTypes";
import type { RestInvocation } from "../../../../local/restGateway/invocation";
import type { IntegrationModel, IntegrationResponseModel } from "../../../../local/restGateway/restApiModel";
import { buildIntegrationRequest } from "../../../../local/restGateway/steps/integrationRequest";
import { mapIntegrationResponse } from "../../../../local/restGateway/steps/integrationResponse";
import { FUNCTION_ARN, gatewayErrorOf, harness, integration, method, request, type HarnessOptions, type RequestSpec } from "./stepHarness";

const LAMBDA_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;
const AWS_LAMBDA: Partial<IntegrationModel> = { type: "AWS", integrationHttpMethod: "POST", functionArn: FUNCTION_ARN, uri: LAMBDA_URI, awsTarget: { kind: "lambda", region: "us-east-1", functionArn: FUNCTION_ARN } };
const DYNAMO: Partial<IntegrationModel> = { type: "AWS", integrationHttpMethod: "POST", uri: "arn:aws:apigateway:us-east-1:dynamodb:action/Query", awsTarget: { kind: "dynamodb", region: "us-east-1", action: "Query" } };

/** An integration response; `statusCode` and optional parts. */
function response(statusCode: string, overrides: Partial<IntegrationResponseModel> = {}): IntegrationResponseModel {
  return { statusCode, responseTemplates: {}, responseParameters: {}, ...overrides };
}

/**
 * `GET /things/{id}` on `integration`, routed for `spec`, its integration request built, the
 * endpoint response set to `endpoint`, then the step run: the invocation.
 */
function mapped(integrationOverrides: Partial<IntegrationModel>, endpoint: Partial<EndpointResponse>, spec: RequestSpec = {}, model: HarnessOptions["model"] = {}): RestInvocation {
  const h = harness({ methods: [method("GET", "/things/{id}", { integration: integration(integrationOverrides) })], model });
  const inv = h.invocation("GET /things/{id}", request({ path: "/things/7", ...spec }));
  buildIntegrationRequest(inv, h.stage);
  inv.endpointResponse = { statusCode: 200, headers: [], body: Buffer.alloc(0), ...endpoint };
  mapIntegrationResponse(inv, h.stage);
  return inv;
}

/** A failed non-proxy Lambda's endpoint response, as the integrate step leaves it. */
function lambdaFailure(errorMessage: string): Partial<EndpointResponse> {
  return { statusCode: 200, headers: [["X-Amz-Function-Error", "Unhandled"]], body: Buffer.from(JSON.stringify({ errorMessage, errorType: "Error", stackTrace: [] })) };
}

const body = (inv: RestInvocation) => inv.answer!.body.toString();

describe("REST gateway steps: integration response", () => {
  describe("proxy integrations", () => {
    const BACKEND_HEADERS: HeaderPair[] = [
      ["Date", "Mon, 01 Jan 2024 00:00:00 GMT"],
      ["Server", "backend"],
      ["Connection", "keep-alive"],
      ["Content-Length", "5"],
      ["x-amzn-RequestId", "backend-id"],
      ["WWW-Authenticate", "Bearer"],
      ["Transfer-Encoding", "chunked"],
      ["Via", "1.1 proxy"],
      ["Host", "backend.local"],
      ["Upgrade", "h2c"],
      ["X-Custom", "1"],
      ["X-Custom", "2"],
    ];

    it("AWS_PROXY: passes status and body through, reserved headers remapped, dropped ones gone, repeats kept", () => {
      const inv = mapped({ type: "AWS_PROXY", functionArn: FUNCTION_ARN, integrationHttpMethod: "POST" }, { statusCode: 418, headers: [...BACKEND_HEADERS, ["X-Amzn-Trace-Id", "Root=backend"]], body: Buffer.from("teapot") });
      expect(inv.answer!.status).to.equal(418);
      expect(body(inv)).to.equal("teapot");
      expect(inv.answer!.fromIntegration).to.equal(true);
      expect({ ...inv.answer!.headers }).to.deep.equal({
        "x-amzn-Remapped-Date": "Mon, 01 Jan 2024 00:00:00 GMT",
        "x-amzn-Remapped-Server": "backend",
        "x-amzn-Remapped-Connection": "keep-alive",
        "x-amzn-Remapped-Content-Length": "5",
        "x-amzn-Remapped-x-amzn-RequestId": "backend-id",
        "x-amzn-Remapped-WWW-Authenticate": "Bearer",
        "x-amzn-Remapped-X-Amzn-Trace-Id": "Root=backend",
        "X-Custom": ["1", "2"],
        "Content-Type": "application/json",
      });
    });

    it("HTTP_PROXY: the same rules, its X-Amzn-Trace-Id passed on (the gateway sets none for it), its own Content-Type kept", () => {
      const inv = mapped({ type: "HTTP_PROXY", uri: "http://backend.local:8080/x", integrationHttpMethod: "GET" }, { statusCode: 503, headers: [...BACKEND_HEADERS, ["X-Amzn-Trace-Id", "Root=backend"], ["content-type", "text/html"]], body: Buffer.from("<p>") });
      expect(inv.answer!.status).to.equal(503);
      const headers = { ...inv.answer!.headers };
      expect(headers).to.include({ "x-amzn-Remapped-Date": "Mon, 01 Jan 2024 00:00:00 GMT", "x-amzn-Remapped-Content-Length": "5", "X-Amzn-Trace-Id": "Root=backend", "content-type": "text/html" });
      expect(headers).to.not.have.any.keys("Content-Type", "Transfer-Encoding", "Via", "Host", "Upgrade", "Date", "Server");
    });
  });

  describe("selecting the integration response", () => {
    const LAMBDA_RESPONSES = [response("200"), response("404", { selectionPattern: ".*not found.*" }), response("400", { selectionPattern: "Bad" }), response("409", { selectionPattern: "(" })];

    it("selects a Lambda error by its errorMessage, the whole message matching", () => {
      expect(mapped({ ...AWS_LAMBDA, responses: LAMBDA_RESPONSES }, lambdaFailure("Item not found here")).answer!.status).to.equal(404);
      // "Bad" matches a prefix only: the default response answers.
      expect(mapped({ ...AWS_LAMBDA, responses: LAMBDA_RESPONSES }, lambdaFailure("Bad request")).answer!.status).to.equal(200);
      expect(mapped({ ...AWS_LAMBDA, responses: LAMBDA_RESPONSES }, lambdaFailure("Bad")).answer!.status).to.equal(400);
    });

    it("ignores an invalid selection pattern", () => {
      const inv = mapped({ ...AWS_LAMBDA, responses: [response("409", { selectionPattern: "(" }), response("201")] }, lambdaFailure("("));
      expect(inv.answer!.status).to.equal(201);
    });

    it("answers a Lambda that succeeded with the default response, whatever the patterns", () => {
      const inv = mapped({ ...AWS_LAMBDA, responses: [response("500", { selectionPattern: ".*" }), response("200")] }, { statusCode: 200, body: Buffer.from(`{"ok":true}`) });
      expect(inv.answer!.status).to.equal(200);
      expect(body(inv)).to.equal(`{"ok":true}`);
      expect(inv.answer!.headers).to.deep.include({ "Content-Type": "application/json" });
    });

    it("passes a Lambda error through the default response when no pattern matches", () => {
      const inv = mapped({ ...AWS_LAMBDA, responses: [response("200")] }, lambdaFailure("boom"));
      expect(inv.answer!.status).to.equal(200);
      expect(JSON.parse(body(inv)).errorMessage).to.equal("boom");
    });

    it("selects by status code for MOCK, HTTP and DynamoDB", () => {
      const responses = [response("200"), response("404", { selectionPattern: "4\\d{2}" }), response("502", { selectionPattern: "5\\d{2}" })];
      expect(mapped({ type: "MOCK", responses }, { statusCode: 404 }).answer!.status).to.equal(404);
      expect(mapped({ type: "HTTP", uri: "http://backend.local:8080/x", integrationHttpMethod: "GET", responses }, { statusCode: 503 }).answer!.status).to.equal(502);
      expect(mapped({ ...DYNAMO, responses }, { statusCode: 400, body: Buffer.from(`{"__type":"x#ValidationException"}`) }).answer!.status).to.equal(404);
      // An unmatched status answers the default response (an HTTP 301 becomes 200).
      expect(mapped({ type: "HTTP", uri: "http://backend.local:8080/x", integrationHttpMethod: "GET", responses }, { statusCode: 301 }).answer!.status).to.equal(200);
    });

    it("selects a MOCK's response by status code, never by a Lambda-style errorMessage in its body", () => {
      const inv = mapped({ type: "MOCK", responses: [response("200"), response("500", { selectionPattern: "boom" })] }, lambdaFailure("boom"));
      expect(inv.answer!.status).to.equal(200);
    });
  });

  // with no integration response matching and no default one, AWS fails the
  // request with 500 ("Execution failed due to configuration error: No match for output mapping
  // and no default output mapping configured. Endpoint Response Status Code: 200"; LocalStack
  // handlers/integration_response.py select_integration_response raises ApiConfigurationError).
  it("fails with API_CONFIGURATION_ERROR when no response matches and there is no default", async () => {
    for (const responses of [[], [response("404", { selectionPattern: "404" })]]) {
      const error = await gatewayErrorOf(() => mapped({ type: "MOCK", responses }, { statusCode: 200 }));
      expect(error.type).to.equal("API_CONFIGURATION_ERROR");
    }
  });

  describe("response parameters", () => {
    it("maps literals, integration response headers and body JSONPaths onto the method response", () => {
      const inv = mapped(
        {
          type: "HTTP",
          uri: "http://backend.local:8080/x",
          integrationHttpMethod: "GET",
          responses: [
            response("200", {
              responseParameters: {
                "method.response.header.X-Literal": "'fixed'",
                "method.response.header.X-From-Header": "integration.response.header.x-backend",
                "method.response.header.X-Multi": "integration.response.multivalueheader.X-Backend",
                "method.response.header.X-From-Body": "integration.response.body.item.name",
                "method.response.header.X-Object": "integration.response.body.item",
                "method.response.header.X-Absent": "integration.response.header.X-None",
                "method.response.header.Server": "'mapped'",
              },
            }),
          ],
        },
        { statusCode: 200, headers: [["X-Backend", "b1"], ["X-Backend", "b2"]], body: Buffer.from(`{"item":{"name":"widget","n":1}}`) },
      );
      expect({ ...inv.answer!.headers }).to.deep.equal({
        "Content-Type": "application/json",
        "X-Literal": "fixed",
        "X-From-Header": "b2",
        "X-Multi": "b1,b2",
        "X-From-Body": "widget",
        "X-Object": `{"name":"widget","n":1}`,
        // A reserved header mapped comes back remapped.
        "x-amzn-Remapped-Server": "mapped",
      });
    });
  });

  describe("response templates and overrides", () => {
    const TEMPLATES = { "application/xml": "<v>$input.path('$.v')</v>", "application/json": `{"v":"$input.path('$.v')"}` };
    const ENDPOINT = { statusCode: 200, body: Buffer.from(`{"v":"x"}`) };

    it("renders the template for the Accept type, its Content-Type answered", () => {
      const inv = mapped({ type: "MOCK", responses: [response("200", { responseTemplates: TEMPLATES })] }, ENDPOINT, { headers: [["Accept", "application/json, text/plain"]] });
      expect(body(inv)).to.equal(`{"v":"x"}`);
      expect(inv.answer!.headers["Content-Type"]).to.equal("application/json");
    });

    it("renders the first template when none matches Accept or there is no Accept", () => {
      for (const headers of [[["Accept", "text/csv"]] as Array<[string, string]>, []]) {
        const inv = mapped({ type: "MOCK", responses: [response("200", { responseTemplates: TEMPLATES })] }, ENDPOINT, { headers });
        expect(body(inv)).to.equal("<v>x</v>");
        expect(inv.answer!.headers["Content-Type"]).to.equal("application/xml");
      }
    });

    it("applies the response template's $context.responseOverride (status and headers)", () => {
      const template = `#set($context.responseOverride.status = 202)#set($context.responseOverride.header.XTpl = "t")ok`;
      const inv = mapped({ type: "MOCK", responses: [response("200", { responseTemplates: { "application/json": template } })] }, ENDPOINT);
      expect(inv.answer!.status).to.equal(202);
      expect(inv.answer!.headers).to.deep.include({ XTpl: "t" });
      expect(body(inv)).to.equal("ok");
    });

    it("applies the request template's responseOverride when the response has no template", () => {
      const requestTemplate = `#set($context.responseOverride.status = 201)#set($context.responseOverride.header.XReq = "r"){"statusCode": 200}`;
      const inv = mapped({ type: "MOCK", requestTemplates: { "application/json": requestTemplate }, responses: [response("200")] }, { statusCode: 200, body: Buffer.from("raw") });
      expect(inv.answer!.status).to.equal(201);
      expect(inv.answer!.headers).to.deep.include({ XReq: "r" });
      expect(body(inv)).to.equal("raw");
    });

    it("lets the response template see, and change, what the request template put in $context.responseOverride", () => {
      const requestTemplate = `#set($context.responseOverride.custom = "from-request")#set($context.responseOverride.status = 201){"statusCode": 200}`;
      const responseTemplate = `$context.responseOverride.custom/$context.responseOverride.status#set($context.responseOverride.status = 203)`;
      const inv = mapped({ type: "MOCK", requestTemplates: { "application/json": requestTemplate }, responses: [response("200", { responseTemplates: { "application/json": responseTemplate } })] }, ENDPOINT);
      expect(body(inv)).to.equal("from-request/201");
      expect(inv.answer!.status).to.equal(203);
    });

    it("keeps the request template's status when the response template sets none", () => {
      const requestTemplate = `#set($context.responseOverride.status = 201){"statusCode": 200}`;
      const inv = mapped({ type: "MOCK", requestTemplates: { "application/json": requestTemplate }, responses: [response("200", { responseTemplates: { "application/json": "done" } })] }, ENDPOINT);
      expect(inv.answer!.status).to.equal(201);
      expect(body(inv)).to.equal("done");
    });

    it("lets a response override replace a mapped header", () => {
      const inv = mapped(
        { type: "MOCK", responses: [response("200", { responseParameters: { "method.response.header.XH": "'mapped'" }, responseTemplates: { "application/json": `#set($context.responseOverride.header.XH = "override")` } })] },
        ENDPOINT,
      );
      expect(inv.answer!.headers.XH).to.equal("override");
    });
  });
});
