import { expect } from "chai";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { GatewayResponseModel, IntegrationModel, MethodModel } from "../../../../local/restGateway/restApiModel";
import { RestGateway } from "../../../../local/restGateway/restGateway";
import { ACCOUNT, FUNCTION_ARN, FakeLambda, REGION, STAGE, apiModel, integration, lambdaError, lambdaOk, method } from "./stepHarness";

/**
 * The respond step and error rendering are the gateway's private methods: these specs serve a
 * stage through `RestGateway.handle` on a real node:http server (port 0) and read what arrives.
 */

const PROXY: Partial<IntegrationModel> = { type: "AWS_PROXY", integrationHttpMethod: "POST", functionArn: FUNCTION_ARN, awsTarget: { kind: "lambda", region: REGION, functionArn: FUNCTION_ARN } };
const AWS_LAMBDA: Partial<IntegrationModel> = { ...PROXY, type: "AWS", responses: [{ statusCode: "200", responseTemplates: {}, responseParameters: {} }] };
const MOCK_200: Partial<IntegrationModel> = {
  type: "MOCK",
  requestTemplates: { "application/json": `{"statusCode": 200}` },
  responses: [{ statusCode: "200", responseTemplates: { "application/json": `{"mock":true}` }, responseParameters: {} }],
};

const USER_SCHEMA = JSON.stringify({ type: "object", required: ["name"], properties: { name: { type: "string" } } });

const METHODS: MethodModel[] = [
  method("GET", "/proxy", { integration: integration(PROXY) }),
  method("GET", "/aws", { integration: integration(AWS_LAMBDA) }),
  method("GET", "/mock", { integration: integration(MOCK_200) }),
  method("HEAD", "/mock", { integration: integration(MOCK_200) }),
  method("GET", "/http-proxy", { integration: integration({ type: "HTTP_PROXY", integrationHttpMethod: "GET", uri: "http://127.0.0.1:1/placeholder" }) }),
  method("GET", "/http", { integration: integration({ type: "HTTP", integrationHttpMethod: "GET", uri: "http://127.0.0.1:1/placeholder", responses: [{ statusCode: "200", responseTemplates: {}, responseParameters: {} }] }) }),
  method("GET", "/params", { validator: { validateRequestBody: false, validateRequestParameters: true }, requestParameters: { "method.request.querystring.q": true, "method.request.header.X-Need": true } }),
  method("POST", "/users", { validator: { validateRequestBody: true, validateRequestParameters: false }, requestModels: { "application/json": "User" } }),
];

interface Received {
  status: number;
  headers: Record<string, string>;
  rawHeaders: string[];
  body: string;
}

/** A gateway over `METHODS` (HTTP URIs pointed at `backendUrl`), served on 127.0.0.1:0. */
class Served {
  readonly lambda = new FakeLambda();
  readonly gateway: RestGateway;
  private readonly server: Server;

  constructor(gatewayResponses: Record<string, GatewayResponseModel> = {}, backendUrl = "http://127.0.0.1:1") {
    const methods = METHODS.map((m) => (m.integration?.uri?.startsWith("http://127.0.0.1:1/") ? { ...m, integration: { ...m.integration, uri: `${backendUrl}/echo` } } : m));
    const model = apiModel(methods, { gatewayResponses, models: [{ name: "User", contentType: "application/json", schema: USER_SCHEMA }] });
    this.gateway = new RestGateway({ model, lambda: this.lambda, accountId: ACCOUNT, region: REGION });
    this.server = createServer((req, res) => void this.gateway.handle(req, res));
  }

  listen(): Promise<this> {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => resolve(this)));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A request to `path` under the stage; resolves with what arrived. */
  send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Received> {
    const { port } = this.server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, method: options.method ?? "GET", path: `/${STAGE}${path}`, headers: options.headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(options.body);
    });
  }
}

/** Runs `fn` with a Served gateway, closed afterwards. */
async function withGateway<T>(gatewayResponses: Record<string, GatewayResponseModel>, fn: (s: Served) => Promise<T>, backendUrl?: string): Promise<T> {
  const s = await new Served(gatewayResponses, backendUrl).listen();
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** Runs `fn` with process.stderr silenced; resolves with what it returned and what was written. */
async function quietly<T>(fn: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const original = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await fn(), stderr };
  } finally {
    process.stderr.write = original;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("REST gateway steps: respond and error rendering", () => {
  let s: Served;
  before(async () => {
    s = await new Served().listen();
  });
  after(() => s.close());

  describe("gateway errors", () => {
    it("renders a GatewayError's type: its status, body and error type", async () => {
      const r = await s.send("/nowhere");
      expect(r.status).to.equal(403);
      expect(r.body).to.equal(`{"message":"Missing Authentication Token"}`);
      expect(r.headers["x-amzn-errortype"]).to.equal("MissingAuthenticationTokenException");
      expect(r.headers["content-type"]).to.equal("application/json");
    });

    it("renders a GatewayError's message override in the default body", async () => {
      const r = await s.send("/params");
      expect(r.status).to.equal(400);
      expect(r.body).to.equal(`{"message": "Missing required request parameters: [X-Need, q]"}`);
      expect(r.headers["x-amzn-errortype"]).to.equal("BadRequestException");
    });

    it("answers a failure's own status (a Lambda proxy error: 502) unless the API customises the type's status", async () => {
      s.lambda.answer = lambdaError("boom");
      const plain = await s.send("/proxy");
      expect(plain.status).to.equal(502);
      expect(plain.body).to.equal(`{"message": "Internal server error"}`);
      const headersOnly = await withGateway({ INTEGRATION_FAILURE: { responseParameters: { "gatewayresponse.header.X-Custom": "'c'" }, responseTemplates: {} } }, async (g) => {
        g.lambda.answer = lambdaError("boom");
        return g.send("/proxy");
      });
      expect(headersOnly.status).to.equal(502);
      expect(headersOnly.headers["x-custom"]).to.equal("c");
      const customised = await withGateway({ INTEGRATION_FAILURE: { statusCode: "599", responseParameters: {}, responseTemplates: {} } }, async (g) => {
        g.lambda.answer = lambdaError("boom");
        return g.send("/proxy");
      });
      expect(customised.status).to.equal(599);
      const viaDefault5xx = await withGateway({ DEFAULT_5XX: { statusCode: "590", responseParameters: {}, responseTemplates: {} } }, async (g) => {
        g.lambda.answer = lambdaError("boom");
        return g.send("/proxy");
      });
      expect(viaDefault5xx.status).to.equal(590);
    });

    it("hands a validationErrorString and the message to a customised template", async () => {
      const template = `msg=$context.error.message|why=$context.error.validationErrorString|type=$context.error.responseType`;
      const r = await withGateway({ BAD_REQUEST_BODY: { responseParameters: {}, responseTemplates: { "application/json": template } } }, (g) =>
        g.send("/users", { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"nope":1}` }),
      );
      expect(r.status).to.equal(400);
      expect(r.body).to.equal(`msg=Invalid request body|why=[object has missing required properties (["name"])]|type=BAD_REQUEST_BODY`);
    });

    it("answers 500 Internal server error when a customised template fails to render", async () => {
      const r = await withGateway({ MISSING_AUTHENTICATION_TOKEN: { responseParameters: {}, responseTemplates: { "application/json": "#if($x) never closed" } } }, (g) => g.send("/nowhere"));
      expect(r.status).to.equal(500);
      expect(r.body).to.equal(`{"message": "Internal server error"}`);
      expect(r.headers["x-amzn-errortype"]).to.equal("InternalServerErrorException");
      expect(r.headers["x-amzn-requestid"]).to.match(UUID);
    });
  });

  describe("the gateway's own headers", () => {
    it("sends x-amzn-RequestId and x-amz-apigw-id, spelled as AWS does, on answers and errors", async () => {
      for (const path of ["/mock", "/nowhere"]) {
        const r = await s.send(path);
        const names = r.rawHeaders.filter((_, i) => i % 2 === 0);
        expect(names, path).to.include.members(["x-amzn-RequestId", "x-amz-apigw-id"]);
        expect(r.headers["x-amzn-requestid"], path).to.match(UUID);
        expect(r.headers["x-amz-apigw-id"], path).to.match(/^[A-Za-z0-9_-]{16}$/);
      }
      const [a, b] = [await s.send("/mock"), await s.send("/mock")];
      expect(a.headers["x-amzn-requestid"]).to.not.equal(b.headers["x-amzn-requestid"]);
    });

    it("sends X-Amzn-Trace-Id on AWS_PROXY and AWS answers, continuing the caller's trace", async () => {
      s.lambda.answer = lambdaOk({ statusCode: 200, body: "ok" });
      const caller = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
      const proxy = await s.send("/proxy", { headers: { "X-Amzn-Trace-Id": caller } });
      expect(proxy.status).to.equal(200);
      expect(proxy.headers["x-amzn-trace-id"]).to.match(/^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$/);
      s.lambda.answer = lambdaOk({ done: true });
      const aws = await s.send("/aws");
      expect(aws.status).to.equal(200);
      expect(aws.body).to.equal(`{"done":true}`);
      expect(aws.headers["x-amzn-trace-id"]).to.match(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$/);
    });

    it("sends no X-Amzn-Trace-Id on MOCK answers or on gateway errors, even when the caller sent one", async () => {
      const caller = { "X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793" };
      const mock = await s.send("/mock", { headers: caller });
      expect(mock.status).to.equal(200);
      expect(mock.body).to.equal(`{"mock":true}`);
      expect(mock.headers).to.not.have.property("x-amzn-trace-id");
      s.lambda.answer = lambdaError("boom");
      const failed = await s.send("/proxy", { headers: caller });
      expect(failed.status).to.equal(502);
      expect(failed.headers).to.not.have.property("x-amzn-trace-id");
      expect((await s.send("/nowhere", { headers: caller })).headers).to.not.have.property("x-amzn-trace-id");
    });

    it("sends X-Amzn-Trace-Id on HTTP answers but not on HTTP_PROXY ones", async () => {
      const backend = createServer((_req, res) => {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("from backend");
      });
      await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", () => resolve()));
      try {
        const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
        await withGateway(
          {},
          async (g) => {
            const http = await g.send("/http");
            expect(http.status).to.equal(200);
            expect(http.body).to.equal("from backend");
            expect(http.headers["x-amzn-trace-id"]).to.match(/^Root=1-/);
            const proxy = await g.send("/http-proxy");
            expect(proxy.status).to.equal(200);
            expect(proxy.body).to.equal("from backend");
            expect(proxy.headers).to.not.have.property("x-amzn-trace-id");
          },
          url,
        );
      } finally {
        backend.closeAllConnections();
        await new Promise((resolve) => backend.close(resolve));
      }
    });
  });

  describe("what goes on the wire", () => {
    it("answers Content-Length as the real length, whatever the function claimed", async () => {
      const body = "héllo wörld";
      s.lambda.answer = lambdaOk({ statusCode: 200, headers: { "Content-Length": "999", "Content-Type": "text/plain" }, body });
      const r = await s.send("/proxy");
      expect(r.body).to.equal(body);
      expect(r.headers["content-length"]).to.equal(String(Buffer.byteLength(body)));
      expect(r.headers["x-amzn-remapped-content-length"]).to.equal("999");
      const error = await s.send("/nowhere");
      expect(error.headers["content-length"]).to.equal(String(Buffer.byteLength(error.body)));
      expect(error.headers).to.not.have.property("transfer-encoding");
    });

    it("answers HEAD without a body, with the length the body would have had", async () => {
      const r = await s.send("/mock", { method: "HEAD" });
      expect(r.status).to.equal(200);
      expect(r.body).to.equal("");
      expect(r.headers["content-length"]).to.equal(String(Buffer.byteLength(`{"mock":true}`)));
    });

    it("leaves out a header node cannot write, logs it, and still answers", async () => {
      s.lambda.answer = lambdaOk({ statusCode: 201, headers: { "X-Good": "1", "X-Bad-Value": "a\r\nInjected: yes", "Bad Name": "x", "X-Latin": "caf\u00e9" }, body: "made" });
      const { result: r, stderr } = await quietly(() => s.send("/proxy"));
      expect(r.status).to.equal(201);
      expect(r.body).to.equal("made");
      expect(r.headers["x-good"]).to.equal("1");
      expect(r.headers).to.not.have.any.keys("x-bad-value", "injected", "bad name", "x-latin");
      expect(stderr).to.include("X-Bad-Value").and.include("Bad Name");
    });
  });
});
