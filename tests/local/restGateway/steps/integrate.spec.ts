import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InvokeResult } from "../../../../local/lambda/lambdaRuntime";
import { FixedAnswer } from "../../../../local/restGateway/gatewayError";
import type { IntegrationModel } from "../../../../local/restGateway/restApiModel";
import { integrate } from "../../../../local/restGateway/steps/integrate";
import { buildIntegrationRequest } from "../../../../local/restGateway/steps/integrationRequest";
import { FUNCTION_ARN, gatewayErrorOf, harness, integration, lambdaError, lambdaOk, method, request, type HarnessOptions, type RequestSpec } from "./stepHarness";

const LAMBDA_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;
const PROXY: Partial<IntegrationModel> = { type: "AWS_PROXY", integrationHttpMethod: "POST", functionArn: FUNCTION_ARN, uri: LAMBDA_URI, awsTarget: { kind: "lambda", region: "us-east-1", functionArn: FUNCTION_ARN } };
const AWS_LAMBDA: Partial<IntegrationModel> = { ...PROXY, type: "AWS" };

/**
 * A stage with `POST /things/{id}` on `integration`, an invocation of it for `spec` with its
 * integration request built, and a runner of the integrate step.
 */
function setup(integrationOverrides: Partial<IntegrationModel>, spec: RequestSpec = {}, options: Partial<HarnessOptions> = {}) {
  const h = harness({ methods: [method("POST", "/things/{id}", { integration: integration(integrationOverrides) })], ...options });
  const inv = h.invocation("POST /things/{id}", request({ httpMethod: "POST", path: "/things/7", ...spec }));
  buildIntegrationRequest(inv, h.stage);
  return { ...h, inv, run: async () => integrate(inv, h.stage) };
}

/** The GatewayError the integrate step threw: type and options. */
async function failure(s: ReturnType<typeof setup>) {
  const error = await gatewayErrorOf(s.run);
  return { type: error.type, statusCode: error.options.statusCode };
}

/** A real HTTP server on 127.0.0.1, port 0, answering with `handler`; records what it received. */
class Backend {
  readonly received: Array<{ method: string; url: string; rawHeaders: string[]; body: string }> = [];
  private readonly server: Server;
  constructor(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        this.received.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body });
        handler(req, res, body);
      });
    });
  }
  listen(): Promise<this> {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => resolve(this)));
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe("REST gateway steps: integrate", () => {
  describe("AWS_PROXY", () => {
    it("invokes the function with the proxy event and keeps its answer as the endpoint response", async () => {
      const s = setup(PROXY, { body: "hi" });
      s.lambda.answer = lambdaOk({ statusCode: 201, headers: { "X-One": "1" }, multiValueHeaders: { "X-Many": ["a", "b"] }, body: "created" });
      await s.run();
      expect(s.lambda.calls).to.have.length(1);
      expect(s.lambda.calls[0].nameOrArn).to.equal(FUNCTION_ARN);
      expect(s.lambda.calls[0].event).to.equal(s.inv.lambdaEvent);
      expect(s.inv.endpointResponse!.statusCode).to.equal(201);
      expect(s.inv.endpointResponse!.headers).to.deep.equal([
        ["X-Many", "a"],
        ["X-Many", "b"],
        ["X-One", "1"],
      ]);
      expect(s.inv.endpointResponse!.body.toString()).to.equal("created");
      expect(s.inv.answer).to.equal(undefined);
    });

    it("reads a numeric-string statusCode, no statusCode as 200, and merges headers with multiValueHeaders as 'multi, solo'", async () => {
      const s = setup(PROXY);
      s.lambda.answer = lambdaOk({ statusCode: "202" });
      await s.run();
      expect(s.inv.endpointResponse!.statusCode).to.equal(202);
      expect(s.inv.endpointResponse!.body.toString()).to.equal("");
      s.lambda.answer = lambdaOk({ headers: { "x-h": "solo" }, multiValueHeaders: { "X-H": ["m1", "m2"] } });
      await s.run();
      expect(s.inv.endpointResponse!.statusCode).to.equal(200);
      expect(s.inv.endpointResponse!.headers).to.deep.equal([["X-H", "m1, m2, solo"]]);
    });

    it("decodes a base64 body only when the Accept type is a binary media type", async () => {
      const bytes = Buffer.from([0xff, 0xd8, 0x00]);
      const answer = lambdaOk({ statusCode: 200, body: bytes.toString("base64"), isBase64Encoded: true });
      const binary = setup(PROXY, { headers: [["Accept", "image/jpeg"]] }, { model: { binaryMediaTypes: ["image/jpeg"] } });
      binary.lambda.answer = answer;
      await binary.run();
      expect(binary.inv.endpointResponse!.body.equals(bytes)).to.equal(true);
      const text = setup(PROXY, { headers: [["Accept", "application/json"]] }, { model: { binaryMediaTypes: ["image/jpeg"] } });
      text.lambda.answer = answer;
      await text.run();
      expect(text.inv.endpointResponse!.body.toString()).to.equal(bytes.toString("base64"));
    });

    it("answers a function error with INTEGRATION_FAILURE, status 502", async () => {
      const s = setup(PROXY);
      s.lambda.answer = lambdaError("boom");
      expect(await failure(s)).to.deep.equal({ type: "INTEGRATION_FAILURE", statusCode: 502 });
      expect(s.inv.endpointResponse).to.equal(undefined);
    });

    it("answers a timeout with INTEGRATION_TIMEOUT", async () => {
      const s = setup(PROXY);
      s.lambda.answer = { kind: "timeout", durationMs: 29_000 };
      expect((await failure(s)).type).to.equal("INTEGRATION_TIMEOUT");
    });

    it("answers an event Lambda rejects as too large with the fixed 413, not a gateway response", async () => {
      const s = setup(PROXY);
      s.lambda.answer = { kind: "rejected", statusCode: 413, errorType: "RequestEntityTooLargeException", errorMessage: "Request must be smaller than 6291456 bytes", durationMs: 1 };
      let thrown: unknown;
      await s.run().catch((err: unknown) => (thrown = err));
      expect(thrown).to.be.instanceOf(FixedAnswer);
      const { answer } = thrown as FixedAnswer;
      expect(answer.status).to.equal(413);
      expect(answer.body).to.equal(`{"message": "Request Too Long"}`);
      expect(answer.headers).to.deep.include({ "x-amzn-ErrorType": "BadRequestException" });
    });

    it("answers a throttled invocation with a gateway error, never an endpoint response", async () => {
      const s = setup(PROXY);
      s.lambda.answer = { kind: "throttled", durationMs: 1 };
      const { type } = await failure(s);
      expect(type).to.be.oneOf(["INTEGRATION_FAILURE", "API_CONFIGURATION_ERROR"]);
      expect(s.inv.endpointResponse).to.equal(undefined);
    });

    // Lambda's Invoke API refusing the call (429 throttling) is answered 500 by
    // API Gateway ("If the Lambda API rejects the invocation request, API Gateway returns a 500
    // error code", Lambda developer guide, "Handling Lambda errors with an API Gateway API";
    // re:Post QUfI6bsdd0SOiPeyimzxSkfQ: proxy integration, client sees 500).
    it("answers a throttled invocation 500 as AWS does (Lambda API rejected the call)", async () => {
      const s = setup(PROXY);
      s.lambda.answer = { kind: "throttled", durationMs: 1 };
      const { type, statusCode } = await failure(s);
      expect(type === "API_CONFIGURATION_ERROR" || statusCode === 500).to.equal(true);
    });

    it("answers a malformed result with INTEGRATION_FAILURE, status 502", async () => {
      const malformed: unknown[] = ["bare string", 42, null, [1], { statusCode: 200, extra: 1 }, { statusCode: "abc" }, { statusCode: 99 }, { body: { not: "a string" } }, { headers: "x" }, { multiValueHeaders: { a: "not a list" } }];
      for (const value of malformed) {
        const s = setup(PROXY);
        s.lambda.answer = lambdaOk(value);
        expect(await failure(s), JSON.stringify(value)).to.deep.equal({ type: "INTEGRATION_FAILURE", statusCode: 502 });
      }
    });

    it("fails an integration declared with another method than POST with status 500, without invoking", async () => {
      const s = setup({ ...PROXY, integrationHttpMethod: "GET" });
      s.lambda.answer = lambdaOk({ statusCode: 200 });
      expect(await failure(s)).to.deep.equal({ type: "INTEGRATION_FAILURE", statusCode: 500 });
      expect(s.lambda.calls).to.have.length(0);
    });

    it("times the invocation in integrationLatencyMs, also when it fails", async () => {
      const s = setup(PROXY);
      const answerLater = (result: InvokeResult) => async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return result;
      };
      s.lambda.invoke = answerLater(lambdaOk({ statusCode: 200 }));
      await s.run();
      expect(s.inv.integrationLatencyMs).to.be.a("number").and.at.least(25).and.below(1000);
      const f = setup(PROXY);
      f.lambda.invoke = answerLater(lambdaError("late"));
      await gatewayErrorOf(f.run);
      expect(f.inv.integrationLatencyMs).to.be.at.least(25);
    });
  });

  describe("AWS (Lambda, non-proxy)", () => {
    it("invokes the function with the mapped JSON body and keeps its JSON result", async () => {
      const s = setup({ ...AWS_LAMBDA, requestTemplates: { "application/json": `{"id": "$input.params('id')"}` } });
      s.lambda.answer = lambdaOk("Pass");
      await s.run();
      expect(s.lambda.calls[0].event).to.deep.equal({ id: "7" });
      expect(s.inv.endpointResponse).to.deep.equal({ statusCode: 200, headers: [], body: Buffer.from(`"Pass"`) });
    });

    it("sends {} for an empty mapped body", async () => {
      const s = setup(AWS_LAMBDA);
      s.lambda.answer = lambdaOk({ ok: true });
      await s.run();
      expect(s.lambda.calls[0].event).to.deep.equal({});
      expect(s.inv.endpointResponse!.body.toString()).to.equal(`{"ok":true}`);
    });

    it("fails a mapped body that is not JSON with API_CONFIGURATION_ERROR, without invoking", async () => {
      const s = setup(AWS_LAMBDA, { body: "not json", headers: [["Content-Type", "text/plain"]] });
      expect((await failure(s)).type).to.equal("API_CONFIGURATION_ERROR");
      expect(s.lambda.calls).to.have.length(0);
    });

    it("keeps a function error as an endpoint response carrying X-Amz-Function-Error", async () => {
      const s = setup(AWS_LAMBDA);
      s.lambda.answer = { kind: "error", errorType: "NotFound", errorMessage: "[404] no such thing", trace: ["at x"], durationMs: 1 };
      await s.run();
      const response = s.inv.endpointResponse!;
      expect(response.statusCode).to.equal(200);
      expect(response.headers).to.deep.equal([["X-Amz-Function-Error", "Unhandled"]]);
      expect(JSON.parse(response.body.toString())).to.deep.equal({ errorMessage: "[404] no such thing", errorType: "NotFound", requestId: s.inv.context.requestId, stackTrace: ["at x"] });
    });

    it("answers a timeout with INTEGRATION_TIMEOUT and a throttled invocation with API_CONFIGURATION_ERROR", async () => {
      const s = setup(AWS_LAMBDA);
      s.lambda.answer = { kind: "timeout", durationMs: 1 };
      expect((await failure(s)).type).to.equal("INTEGRATION_TIMEOUT");
      s.lambda.answer = { kind: "throttled", durationMs: 1 };
      expect((await failure(s)).type).to.equal("API_CONFIGURATION_ERROR");
    });
  });

  describe("MOCK", () => {
    const mock = (template?: string) => setup({ type: "MOCK", requestTemplates: template === undefined ? {} : { "application/json": template } });

    it("answers the statusCode the request template rendered, with an empty body", async () => {
      const s = mock(`{"statusCode": $input.params('id')04}`);
      await s.run();
      expect(s.inv.endpointResponse).to.deep.equal({ statusCode: 704, headers: [], body: Buffer.alloc(0) });
      const plain = mock(`{"statusCode": 404}`);
      await plain.run();
      expect(plain.inv.endpointResponse!.statusCode).to.equal(404);
    });

    it("reads CDK's {statusCode: 200}, which is not JSON", async () => {
      const s = mock(`{statusCode: 201}`);
      await s.run();
      expect(s.inv.endpointResponse!.statusCode).to.equal(201);
    });

    it("answers 200 when no request template applied", async () => {
      const s = mock();
      await s.run();
      expect(s.inv.requestTemplateApplied).to.equal(false);
      expect(s.inv.endpointResponse!.statusCode).to.equal(200);
    });

    it("fails a template that renders no statusCode with API_CONFIGURATION_ERROR (500)", async () => {
      for (const template of ["hello", "", `{"statusCode": "abc"}`, `{statusCode: x}`, `{"statusCode": 2.5}`]) {
        expect((await failure(mock(template))).type, template).to.equal("API_CONFIGURATION_ERROR");
      }
    });

    // AWS refuses a statusCode that is a JSON string ("statusCode should be an
    // integer which defined in request template", aws/aws-cdk#5997; LocalStack mock.py checks
    // isinstance(int)).
    it("fails a JSON string statusCode (\"200\") with API_CONFIGURATION_ERROR, as AWS does", async () => {
      expect((await failure(mock(`{"statusCode": "200"}`))).type).to.equal("API_CONFIGURATION_ERROR");
    });
  });

  describe("HTTP and HTTP_PROXY", () => {
    let backend: Backend;
    before(async () => {
      backend = await new Backend((req, res, body) => {
        if (req.url!.startsWith("/slow")) return; // never answers
        res.writeHead(req.url!.startsWith("/missing") ? 404 : 201, [["X-Backend", "b1"], ["X-Backend", "b2"], ["Content-Type", "text/plain"]]);
        res.end(`${req.method} ${req.url} ${body}`);
      }).listen();
    });
    after(() => backend.close());

    it("HTTP: sends the mapped request to the endpoint and keeps its status, headers as received and body", async () => {
      const s = setup({ type: "HTTP", integrationHttpMethod: "PUT", uri: `${backend.url}/items/{id}`, requestParameters: { "integration.request.path.id": "method.request.path.id", "integration.request.querystring.q": "'v'" }, requestTemplates: { "application/json": `{"id":"$input.params('id')"}` } });
      await s.run();
      const sent = backend.received.at(-1)!;
      expect(sent.method).to.equal("PUT");
      expect(sent.url).to.equal("/items/7?q=v");
      expect(sent.body).to.equal(`{"id":"7"}`);
      const response = s.inv.endpointResponse!;
      expect(response.statusCode).to.equal(201);
      expect(response.headers.filter(([n]) => n === "X-Backend")).to.deep.equal([
        ["X-Backend", "b1"],
        ["X-Backend", "b2"],
      ]);
      expect(response.body.toString()).to.equal(`PUT /items/7?q=v {"id":"7"}`);
      expect(s.inv.integrationLatencyMs).to.be.a("number").and.at.least(0);
    });

    it("HTTP_PROXY: passes a 404 on as an endpoint response, not an error", async () => {
      const s = setup({ type: "HTTP_PROXY", integrationHttpMethod: "ANY", uri: `${backend.url}/missing/{id}`, requestParameters: { "integration.request.path.id": "method.request.path.id" } }, { body: "raw", query: "a=1" });
      await s.run();
      expect(s.inv.endpointResponse!.statusCode).to.equal(404);
      expect(s.inv.endpointResponse!.body.toString()).to.equal("POST /missing/7?a=1 raw");
    });

    it("answers an endpoint slower than the integration timeout with INTEGRATION_TIMEOUT", async () => {
      const s = setup({ type: "HTTP_PROXY", integrationHttpMethod: "GET", uri: `${backend.url}/slow`, timeoutMs: 50 });
      expect((await failure(s)).type).to.equal("INTEGRATION_TIMEOUT");
      expect(s.inv.integrationLatencyMs).to.be.at.least(45);
    });

    it("answers an endpoint that refuses connections with API_CONFIGURATION_ERROR", async () => {
      const closed = await new Backend(() => undefined).listen();
      const url = closed.url;
      await closed.close();
      const s = setup({ type: "HTTP_PROXY", integrationHttpMethod: "GET", uri: `${url}/x` });
      expect((await failure(s)).type).to.equal("API_CONFIGURATION_ERROR");
    });
  });

  describe("DynamoDB (AWS service integration)", () => {
    const DYNAMO: Partial<IntegrationModel> = {
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
      awsTarget: { kind: "dynamodb", region: "us-east-1", action: "PutItem" },
      requestTemplates: { "application/json": `{"TableName":"t","Item":{"id":{"S":"$input.params('id')"}}}` },
    };

    it("fails with API_CONFIGURATION_ERROR when the stage has no DynamoDB endpoint", async () => {
      const s = setup(DYNAMO);
      expect((await failure(s)).type).to.equal("API_CONFIGURATION_ERROR");
      expect(s.inv.endpointResponse).to.equal(undefined);
      expect(s.inv.integrationLatencyMs).to.be.a("number");
    });

    it("posts the rendered input to the endpoint as the action and keeps its answer, errors included", async () => {
      const dynamo = await new Backend((_req, res) => {
        res.writeHead(400, { "Content-Type": "application/x-amz-json-1.0" });
        res.end(`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}`);
      }).listen();
      try {
        const s = setup(DYNAMO, {}, { dynamoDbEndpoint: dynamo.url });
        await s.run();
        const sent = dynamo.received[0];
        expect(sent.method).to.equal("POST");
        expect(sent.url).to.equal("/");
        expect(JSON.parse(sent.body)).to.deep.equal({ TableName: "t", Item: { id: { S: "7" } } });
        const headers = Object.fromEntries(Array.from({ length: sent.rawHeaders.length / 2 }, (_, i) => [sent.rawHeaders[2 * i].toLowerCase(), sent.rawHeaders[2 * i + 1]]));
        expect(headers["x-amz-target"]).to.equal("DynamoDB_20120810.PutItem");
        expect(headers["content-type"]).to.equal("application/x-amz-json-1.0");
        expect(s.inv.endpointResponse!.statusCode).to.equal(400);
        expect(JSON.parse(s.inv.endpointResponse!.body.toString()).message).to.equal("no table");
        expect(s.lambda.calls).to.have.length(0);
      } finally {
        await dynamo.close();
      }
    });
  });
});
