/**
 * The REST gateway's access log: one line per request, in the stage's format, whose request id
 * is the answer's `x-amzn-RequestId`, for integration answers and gateway responses alike.
 * Served through RestGateway.handle on a real node:http server, as a client sees it.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ACCESS_LOG_FORMAT } from "../../../components/restApi/stage";
import type { RestApiModel } from "../../../local/restGateway/restApiModel";
import { RestGateway } from "../../../local/restGateway/restGateway";
import type { RestGatewayOptions } from "../../../local/restGateway/stageRuntime";
import { waitFor } from "../../waitFor";
import { ACCOUNT, FUNCTION_ARN, FakeLambda, FakeUsagePlans, REGION, STAGE, apiModel, integration, lambdaOk, method } from "../restGateway/steps/stepHarness";

const METHODS = [
  method("GET", "/proxy", {
    integration: integration({ type: "AWS_PROXY", integrationHttpMethod: "POST", functionArn: FUNCTION_ARN, awsTarget: { kind: "lambda", region: REGION, functionArn: FUNCTION_ARN } }),
  }),
  method("GET", "/keyed", { apiKeyRequired: true }),
  method("GET", "/limited"),
];

/** The stage of METHODS, /limited at one request per second. */
function stageModel(extra: Partial<RestApiModel> = {}): RestApiModel {
  return apiModel(METHODS, { methodSettings: { "~1limited/GET": { throttlingRateLimit: 1, throttlingBurstLimit: 1 } }, ...extra });
}

/** A gateway over a stage model (a proxy answering 201; keys all refused), logging to `lines`. */
class Served {
  readonly lines: string[] = [];
  readonly lambda = new FakeLambda(lambdaOk({ statusCode: 201, body: "made" }));
  private readonly server: Server;
  url = "";

  constructor(model: RestApiModel = stageModel(), options: Partial<RestGatewayOptions> = {}) {
    const gateway = new RestGateway({
      model,
      lambda: this.lambda,
      accountId: ACCOUNT,
      region: REGION,
      usagePlans: new FakeUsagePlans({ ok: false, response: "INVALID_API_KEY" }).enforcer,
      accessLog: (line) => this.lines.push(line),
      ...options,
    });
    this.server = createServer((req, res) => void gateway.handle(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Sends a request; its answer, and the access line it was logged with (parsed when JSON). */
  async send(path: string, init: RequestInit = {}): Promise<{ response: Response; line: string }> {
    const before = this.lines.length;
    const response = await fetch(`${this.url}${path}`, init);
    await response.arrayBuffer();
    await waitFor(() => this.lines.length > before, "the access line");
    expect(this.lines).to.have.length(before + 1);
    return { response, line: this.lines[before] };
  }
}

describe("REST gateway access log", () => {
  let served: Served;

  afterEach(() => served?.close());

  describe("in the stage's format (our RestApi's JSON)", () => {
    beforeEach(async () => {
      served = await new Served(stageModel({ accessLogFormat: ACCESS_LOG_FORMAT })).listen();
    });

    it("logs an integration's answer with the request id of x-amzn-RequestId, its latencies and statuses", async () => {
      const { response, line } = await served.send(`/${STAGE}/proxy`, { headers: { "User-Agent": 'tester "quoted"' } });
      expect(response.status).to.equal(201);
      const entry = JSON.parse(line);
      expect(entry.requestId).to.equal(response.headers.get("x-amzn-RequestId")).and.to.match(/^[0-9a-f-]{36}$/);
      expect(entry.extendedRequestId).to.equal(response.headers.get("x-amz-apigw-id"));
      expect(entry).to.include({
        ip: "127.0.0.1",
        httpMethod: "GET",
        resourcePath: "/proxy",
        path: `/${STAGE}/proxy`,
        status: "201",
        protocol: "HTTP/1.1",
        responseLength: "4",
        integrationStatus: "200",
        errorMessage: "-",
        errorType: "-",
        caller: "-",
        apiKeyId: "-",
      });
      expect(entry.requestTime).to.match(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
      expect(Number(entry.responseLatency)).to.be.at.least(Number(entry.integrationLatency)).and.at.least(0);
    });

    it("logs a gateway response (403, no key) with the id of its x-amzn-RequestId and the error", async () => {
      const { response, line } = await served.send(`/${STAGE}/keyed`);
      expect(response.status).to.equal(403);
      const entry = JSON.parse(line);
      expect(entry.requestId).to.equal(response.headers.get("x-amzn-RequestId"));
      expect(entry).to.include({ status: "403", errorMessage: "Forbidden", errorType: "INVALID_API_KEY", resourcePath: "/keyed", integrationLatency: "-", integrationStatus: "-" });
    });

    it("logs a throttled request (429) and a path with no method (403 before routing)", async () => {
      await served.send(`/${STAGE}/limited`);
      const throttled = await served.send(`/${STAGE}/limited`);
      expect(throttled.response.status).to.equal(429);
      expect(JSON.parse(throttled.line)).to.include({ requestId: throttled.response.headers.get("x-amzn-RequestId"), status: "429", errorType: "THROTTLED", errorMessage: "Too Many Requests" });

      const unknown = await served.send(`/${STAGE}/nowhere`);
      expect(unknown.response.status).to.equal(403);
      expect(JSON.parse(unknown.line)).to.include({
        requestId: unknown.response.headers.get("x-amzn-RequestId"),
        status: "403",
        errorType: "MISSING_AUTHENTICATION_TOKEN",
        errorMessage: "Missing Authentication Token",
        resourcePath: "-",
        path: `/${STAGE}/nowhere`,
      });
    });

    it("logs a request refused while it was read (413) with the ids its answer carried", async () => {
      const { response, line } = await served.send(`/${STAGE}/proxy`, { method: "POST", body: Buffer.alloc(10 * 1024 * 1024 + 1) });
      expect(response.status).to.equal(413);
      const entry = JSON.parse(line);
      expect(entry.requestId).to.equal(response.headers.get("x-amzn-RequestId")).and.to.match(/^[0-9a-f-]{36}$/);
      expect(entry.extendedRequestId).to.equal(response.headers.get("x-amz-apigw-id"));
      expect(entry).to.include({ status: "413", httpMethod: "POST", path: `/${STAGE}/proxy`, resourcePath: "-" });
    });
  });

  it("logs the console's CLF when the stage declares no format", async () => {
    served = await new Served().listen();
    const { response, line } = await served.send(`/${STAGE}/proxy`);
    const requestId = response.headers.get("x-amzn-RequestId");
    expect(line).to.match(new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\]"GET /proxy HTTP/1\\.1" 201 4 ${requestId} ${response.headers.get("x-amz-apigw-id")}$`));
  });

  for (const logging of [true, false]) {
    it(logging ? "reads the stage's format once, not per request" : "reads no format and renders nothing without the option", async () => {
      let reads = 0;
      const model = stageModel();
      Object.defineProperty(model, "accessLogFormat", { enumerable: true, get: () => (reads++, "$context.requestId") });
      served = await new Served(model, logging ? {} : { accessLog: undefined }).listen();
      for (let i = 0; i < 3; i++) expect((await fetch(`${served.url}/${STAGE}/proxy`)).status).to.equal(201);
      await waitFor(() => served.lines.length === (logging ? 3 : 0), "the access lines");
      expect(reads).to.equal(logging ? 1 : 0);
    });
  }
});
