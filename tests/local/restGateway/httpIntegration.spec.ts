import { expect } from "chai";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { ResourceGraph, type RecordedResource } from "../../../local/controlPlane";
import { invocationHeaders } from "../../../local/gateway/headers";
import { GatewayError } from "../../../local/restGateway/gatewayError";
import {
  buildHttpIntegrationRequest,
  MAX_ENDPOINT_RESPONSE_BYTES,
  renderIntegrationUri,
  sendHttpIntegrationRequest,
  type HttpIntegrationRequestInput,
} from "../../../local/restGateway/integrations/httpIntegration";
import type { IntegrationRequest } from "../../../local/restGateway/integrations/integrationTypes";
import type { MethodRequest } from "../../../local/restGateway/integrations/parameterMapping";
import { restApiModels } from "../../../local/restGateway/restApiModel";
import { REMAPPING_TEST_REQUEST as RECORDED_CLIENT_HEADERS } from "../gateway/recordedHeaders";

/** What an echo endpoint saw. */
interface Echoed {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: string;
}

interface TestServer {
  url: string;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  const url = await listen(server);
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that answers each connection with raw bytes (or nothing), for what HTTP servers will not send. */
async function startRawServer(onConnection: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => sockets.delete(socket));
    onConnection(socket);
  });
  const url = await listen(server);
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function echoServer(): Promise<TestServer> {
  return startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const echoed: Echoed = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString() };
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(echoed));
    });
  });
}

async function send(request: IntegrationRequest, timeoutMs = 5000): Promise<{ status: number; echoed: Echoed }> {
  const response = await sendHttpIntegrationRequest(request, { timeoutMs });
  return { status: response.statusCode, echoed: JSON.parse(response.body.toString()) as Echoed };
}

async function gatewayErrorOf(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error("expected a GatewayError");
}

function methodRequest(overrides: Partial<MethodRequest> = {}): MethodRequest {
  return { httpMethod: "GET", path: {}, query: [], headers: [], body: Buffer.alloc(0), ...overrides };
}

function buildInput(overrides: Partial<HttpIntegrationRequestInput> & { integration: HttpIntegrationRequestInput["integration"] }): HttpIntegrationRequestInput {
  return { request: methodRequest(), variables: { context: {}, stageVariables: {} }, apiId: "abc123", traceId: "Root=1-abc", client: { sourceIp: "203.0.113.7", port: 443, proto: "https" }, ...overrides };
}

/** Header names the endpoint saw, lower-cased and sorted, without those node adds to every request. */
function seenHeaderNames(echoed: Echoed): string[] {
  return Object.keys(echoed.headers)
    .filter((name) => name !== "connection" && name !== "host")
    .sort();
}


describe("HTTP integrations (REST)", () => {
  let echo: TestServer;
  before(async () => {
    echo = await echoServer();
  });
  after(() => echo.close());

  describe("building the integration request, sent to a real endpoint", () => {
    it("HTTP_PROXY passes the client's headers less those AWS drops, and adds the API's [recorded: header remapping, HTTP_PROXY no-param]", async () => {
      const request = buildHttpIntegrationRequest(
        // The caller's headers as the parse step leaves them (those AWS drops are gone).
        buildInput({ integration: { type: "HTTP_PROXY", uri: `${echo.url}/post`, integrationHttpMethod: "POST", requestParameters: {} }, request: methodRequest({ headers: invocationHeaders(RECORDED_CLIENT_HEADERS) }), traceId: "Root=1-abc" }),
      );
      const { echoed } = await send(request);
      // The recorded endpoint saw these (and Host, Content-Length for the empty POST body).
      // X-Forwarded-* too: the recording's endpoint (httpbin.org) hides them from its echo, a
      // raw capture at an HTTP_PROXY endpoint has them (ustayready/fireprox#39, 2024-11-27).
      expect(seenHeaderNames(echoed)).to.deep.equal(
        ["accept", "accept-charset", "accept-encoding", "age", "authorization", "content-length", "content-type", "date", "pragma", "range", "referer", "user-agent", "warn", "x-amzn-apigateway-api-id", "x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"].sort(),
      );
      expect(echoed.headers["user-agent"]).to.equal("localStack/0.0");
      expect(echoed.headers["x-amzn-apigateway-api-id"]).to.equal("abc123");
      expect(echoed.headers["x-amzn-trace-id"]).to.equal("Root=1-abc");
      expect(echoed.headers["content-length"]).to.equal("0");
      expect(echoed.headers.host).to.equal(new URL(echo.url).host);
      expect(echoed.method).to.equal("POST");
    });

    it("HTTP sends only mapped headers and API Gateway's own [recorded: header remapping, HTTP no-param]", async () => {
      const request = buildHttpIntegrationRequest(
        buildInput({ integration: { type: "HTTP", uri: `${echo.url}/post`, integrationHttpMethod: "POST", requestParameters: {} }, request: methodRequest({ headers: invocationHeaders(RECORDED_CLIENT_HEADERS) }), traceId: "Root=1-abc" }),
      );
      const { echoed } = await send(request);
      expect(seenHeaderNames(echoed)).to.deep.equal(["accept", "content-length", "user-agent", "x-amzn-apigateway-api-id", "x-amzn-trace-id"]);
      expect(echoed.headers.accept).to.equal("application/json");
      expect(echoed.headers["user-agent"]).to.equal("AmazonAPIGateway_abc123");
    });

    it("a full header mapping reaches the endpoint except Expect, Proxy-Authenticate, TE, Via and Connection; a mapped Host replaces the endpoint's [recorded: header remapping, full]", async () => {
      const requestParameters = {
        "integration.request.header.Accept": "'text/html'",
        "integration.request.header.Authorization": "'request_params_authorization'",
        "integration.request.header.Content-Encoding": "'compress'",
        "integration.request.header.Content-MD5": "'request_params_Content-MD5'",
        "integration.request.header.Expect": "'200-ok'",
        "integration.request.header.Host": "method.request.header.Host",
        "integration.request.header.Max-Forwards": "'2'",
        "integration.request.header.Server": "'https://example.com/page'",
        "integration.request.header.Trailer": "'user-agent'",
        "integration.request.header.Upgrade": "'HTTP/2.0'",
        "integration.request.header.User-Agent": "'Override-Agent'",
        "integration.request.header.WWW-Authenticate": "'Basic YWxhZGRpbjpvcGVuc2VzYW1l'",
        "integration.request.header.Connection": "'keep-alive'",
        "integration.request.header.Proxy-Authenticate": "'Basic realm=\"Access to the internal site\"'",
        "integration.request.header.TE": "'gzip'",
        "integration.request.header.Via": "'othersite.net'",
      };
      for (const type of ["HTTP", "HTTP_PROXY"] as const) {
        const request = buildHttpIntegrationRequest(
          buildInput({
            integration: { type, uri: `${echo.url}/post`, integrationHttpMethod: "POST", requestParameters },
            request: methodRequest({ headers: [["Host", "api.example.com"], ...RECORDED_CLIENT_HEADERS] }),
          }),
        );
        const { echoed } = await send(request);
        expect(echoed.headers, type).to.include({
          accept: "text/html",
          authorization: "request_params_authorization",
          "content-encoding": "compress",
          "content-md5": "request_params_Content-MD5",
          host: "api.example.com",
          "max-forwards": "2",
          server: "https://example.com/page",
          upgrade: "HTTP/2.0",
          "user-agent": "Override-Agent",
          "www-authenticate": "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
        });
        // Trailer reached the recorded endpoint; node will not send it on a request with a length.
        // No Connection either: the recorded endpoint saw none (the local one closes after the answer).
        expect(echoed.headers, type).not.to.have.any.keys("expect", "proxy-authenticate", "te", "via", "trailer", "connection");
      }
    });

    it("fills URI placeholders from path mappings, appends the client's then the mapped query parameters [recorded: http, test_http_proxy_integration_request_data_mappings]", async () => {
      const request = buildHttpIntegrationRequest(
        buildInput({
          integration: {
            type: "HTTP_PROXY",
            uri: `${echo.url}/?testVar={pathVar}&testQs={qsVar}`,
            integrationHttpMethod: "POST",
            requestParameters: {
              "integration.request.header.headerVar": "method.request.header.foobar",
              "integration.request.path.qsVar": "method.request.querystring.testVar",
              "integration.request.path.pathVar": "method.request.path.pathVariable",
              "integration.request.querystring.queryString": "method.request.querystring.testQueryString",
              "integration.request.querystring.testQs": "method.request.querystring.testQueryString",
              "integration.request.querystring.testEmptyQs": "method.request.header.emptyheader",
            },
          },
          request: methodRequest({
            httpMethod: "POST",
            path: { pathVariable: "foobar" },
            query: [
              ["testQueryString", "foo"],
              ["testVar", "bar"],
            ],
            headers: [
              ["Content-Type", "application/json"],
              ["Accept", "application/json"],
              ["foobar", "mapped-value"],
              ["user-Agent", "test/integration"],
              ["headerVar", "request-value"],
            ],
            body: Buffer.from('{"message": "hello world"}'),
          }),
        }),
      );
      const { echoed } = await send(request);
      const args = new URL(echoed.url, "http://x").searchParams;
      // The recorded endpoint (httpbin) joined repeats: testVar "foobar,bar", testQs "bar,foo".
      expect(args.getAll("testVar")).to.deep.equal(["foobar", "bar"]);
      expect(args.getAll("testQs")).to.deep.equal(["bar", "foo"]);
      expect(args.getAll("queryString")).to.deep.equal(["foo"]);
      expect(args.getAll("testQueryString")).to.deep.equal(["foo"]);
      expect(args.has("testEmptyQs")).to.equal(false);
      expect(echoed.headers).to.include({ headervar: "mapped-value", foobar: "mapped-value", "user-agent": "test/integration", "content-type": "application/json", "content-length": "26" });
      expect(echoed.body).to.equal('{"message": "hello world"}');
      expect(echoed.method).to.equal("POST");
    });

    it("fills a greedy {proxy} with its slashes, encodes each segment, and leaves an unmapped placeholder empty (aws/aws-cdk#28545)", async () => {
      const mapped = buildHttpIntegrationRequest(
        buildInput({
          integration: { type: "HTTP_PROXY", uri: `${echo.url}/api/{proxy}`, integrationHttpMethod: "ANY", requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" } },
          request: methodRequest({ path: { proxy: "pets/a b/ü" }, query: [["q", "x y&z"]] }),
        }),
      );
      expect((await send(mapped)).echoed.url).to.equal("/api/pets/a%20b/%C3%BC?q=x%20y%26z");

      const unmapped = buildHttpIntegrationRequest(
        buildInput({ integration: { type: "HTTP_PROXY", uri: `${echo.url}/api/{proxy+}`, integrationHttpMethod: "ANY", requestParameters: {} }, request: methodRequest({ path: { proxy: "pets/1" } }) }),
      );
      expect((await send(unmapped)).echoed.url).to.equal("/api/");
    });

    it("uses the client's method for ANY (or none), integrationHttpMethod otherwise; sends no body with GET", async () => {
      const build = (integrationHttpMethod: string | undefined, httpMethod: string) =>
        buildHttpIntegrationRequest(
          buildInput({ integration: { type: "HTTP_PROXY", uri: echo.url, integrationHttpMethod, requestParameters: {} }, request: methodRequest({ httpMethod, body: Buffer.from("data") }) }),
        );
      expect(build("ANY", "delete").httpMethod).to.equal("DELETE");
      expect(build(undefined, "PATCH").httpMethod).to.equal("PATCH");
      expect(build("POST", "GET").httpMethod).to.equal("POST");
      const get = await send(build("GET", "POST"));
      expect(get.echoed.method).to.equal("GET");
      expect(get.echoed.body).to.equal("");
      expect(get.echoed.headers).not.to.have.any.keys("content-length", "transfer-encoding");
    });

    it("HTTP sends the rendered body, and the request template's overrides over the mappings", async () => {
      const request = buildHttpIntegrationRequest(
        buildInput({
          integration: { type: "HTTP", uri: `${echo.url}/{id}`, integrationHttpMethod: "PUT", requestParameters: { "integration.request.header.X-A": "'mapped'", "integration.request.path.id": "'1'" } },
          request: methodRequest({ httpMethod: "POST", headers: [["Content-Type", "text/plain"]], body: Buffer.from("client body") }),
          body: Buffer.from("rendered"),
          requestOverride: { headers: { "X-A": "override", "X-B": "b" }, querystring: { page: "2" }, path: { id: "42" } },
        }),
      );
      const { echoed } = await send(request);
      expect(echoed).to.include({ method: "PUT", url: "/42?page=2", body: "rendered" });
      expect(echoed.headers).to.include({ "x-a": "override", "x-b": "b", "content-type": "text/plain" });
      // An override is a mapping like any other: restricted headers fail the request.
      expect(() =>
        buildHttpIntegrationRequest(
          buildInput({ integration: { type: "HTTP", uri: echo.url, requestParameters: {} }, requestOverride: { headers: { "Content-Length": "1" }, querystring: {}, path: {} } }),
        ),
      ).to.throw(GatewayError);
    });

    it("answers 500 for a mapped restricted header [recorded: 8-internal-error-header-mapping, HTTP and HTTP_PROXY]", () => {
      for (const type of ["HTTP", "HTTP_PROXY"] as const) {
        for (const header of ["Content-Length", "Transfer-Encoding"]) {
          expect(() => buildHttpIntegrationRequest(buildInput({ integration: { type, uri: echo.url, requestParameters: { [`integration.request.header.${header}`]: "'0'" } } })))
            .to.throw(GatewayError)
            .with.property("type", "API_CONFIGURATION_ERROR");
        }
      }
    });
  });

  describe("the integration URI", () => {
    it("substitutes stage variables, after path placeholders", () => {
      expect(renderIntegrationUri("https://${stageVariables.host}/v1/{id}", { id: "7" }, { host: "api.example.com" })).to.equal("https://api.example.com/v1/7");
    });

    it("answers 500 for a stage variable the stage lacks [recorded: 8-integration-failure, HTTP and HTTP_PROXY]", () => {
      expect(() => renderIntegrationUri("https://${stageVariables.url}", {}, {}))
        .to.throw(GatewayError)
        .with.property("type", "API_CONFIGURATION_ERROR");
    });

    it("answers 500 for what is not an http(s) URL on a port API Gateway allows (80, 443, 1024-65535)", () => {
      for (const uri of ["not a url", "ftp://example.com/", "http://example.com:22/", "http://:8080/"]) {
        expect(() => renderIntegrationUri(uri, {}, {}), uri).to.throw(GatewayError);
      }
      for (const uri of ["http://example.com/", "http://example.com:80/", "https://example.com:443/", "http://127.0.0.1:1024/", "http://[::1]:65535/"]) {
        expect(renderIntegrationUri(uri, {}, {}), uri).to.equal(uri);
      }
    });
  });

  describe("sending", () => {
    const get = (uri: string): IntegrationRequest => ({ httpMethod: "GET", uri, query: [], headers: [], body: Buffer.alloc(0) });

    it("returns the endpoint's status, headers as received (spelling, order, repeats) and body", async () => {
      const server = await startServer((_req, res) => {
        res.writeHead(400, [
          ["X-CuStOm", "one"],
          ["Set-Cookie", "a=1"],
          ["Set-Cookie", "b=2"],
          ["Content-Type", "text/plain"],
        ] as unknown as http.OutgoingHttpHeaders);
        res.end("bad request");
      });
      try {
        const response = await sendHttpIntegrationRequest(get(server.url), { timeoutMs: 5000 });
        expect(response.statusCode).to.equal(400);
        expect(response.headers.filter(([name]) => !["Date", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length"].includes(name))).to.deep.equal([
          ["X-CuStOm", "one"],
          ["Set-Cookie", "a=1"],
          ["Set-Cookie", "b=2"],
          ["Content-Type", "text/plain"],
        ]);
        expect(response.body.toString()).to.equal("bad request");
      } finally {
        await server.close();
      }
    });

    it("answers 504 Endpoint request timed out when the endpoint outlasts the timeout, headers sent or not", async () => {
      const silent = await startServer(() => undefined);
      const trickle = await startServer((_req, res) => {
        res.writeHead(200, { "Content-Length": "10" });
        res.write("12345");
      });
      try {
        for (const server of [silent, trickle]) {
          const started = Date.now();
          const error = await gatewayErrorOf(sendHttpIntegrationRequest(get(server.url), { timeoutMs: 150 }));
          expect(error.type).to.equal("INTEGRATION_TIMEOUT");
          expect(Date.now() - started).to.be.within(140, 2000);
        }
      } finally {
        await Promise.all([silent.close(), trickle.close()]);
      }
    });

    it("answers 500 when the connection is refused or the host does not resolve", async () => {
      const server = await startServer(() => undefined);
      const url = server.url;
      await server.close();
      expect((await gatewayErrorOf(sendHttpIntegrationRequest(get(url), { timeoutMs: 5000 }))).type).to.equal("API_CONFIGURATION_ERROR");
      expect((await gatewayErrorOf(sendHttpIntegrationRequest(get("http://no-such-host.invalid/"), { timeoutMs: 10_000 }))).type).to.equal("API_CONFIGURATION_ERROR");
    });

    it("answers 500 when the endpoint resets, closes early, sends garbage, invalid headers or switches protocols", async () => {
      const behaviours: Array<[string, (socket: net.Socket) => void]> = [
        ["reset before answering", (socket) => socket.resetAndDestroy()],
        ["close before answering", (socket) => socket.end()],
        ["close mid-body", (socket) => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")],
        ["reset mid-body", (socket) => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", () => socket.resetAndDestroy())],
        ["garbage", (socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n")],
        ["invalid header", (socket) => socket.end("HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 0\r\n\r\n")],
        ["line break in a header value", (socket) => socket.end("HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n")],
        ["101 Switching Protocols", (socket) => socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")],
      ];
      for (const [name, behaviour] of behaviours) {
        const server = await startRawServer((socket) => socket.once("data", () => behaviour(socket)));
        try {
          const error = await gatewayErrorOf(sendHttpIntegrationRequest(get(server.url), { timeoutMs: 3000 }));
          expect(error.type, name).to.equal("API_CONFIGURATION_ERROR");
        } finally {
          await server.close();
        }
      }
    });

    it("caps the endpoint's body at 10 MB: over it (declared or streamed) answers 500", async () => {
      const exact = await startServer((_req, res) => res.end(Buffer.alloc(MAX_ENDPOINT_RESPONSE_BYTES, 97)));
      const declared = await startServer((_req, res) => {
        res.writeHead(200, { "Content-Length": String(MAX_ENDPOINT_RESPONSE_BYTES + 1) });
        res.write("x");
      });
      const streamed = await startServer((_req, res) => {
        // Chunked, no length declared: the cap is found while reading.
        const chunk = Buffer.alloc(1024 * 1024, 98);
        for (let i = 0; i < 10; i++) res.write(chunk);
        res.end("!");
      });
      try {
        expect((await sendHttpIntegrationRequest(get(exact.url), { timeoutMs: 10_000 })).body.length).to.equal(MAX_ENDPOINT_RESPONSE_BYTES);
        expect((await gatewayErrorOf(sendHttpIntegrationRequest(get(declared.url), { timeoutMs: 10_000 }))).type).to.equal("API_CONFIGURATION_ERROR");
        expect((await gatewayErrorOf(sendHttpIntegrationRequest(get(streamed.url), { timeoutMs: 10_000 }))).type).to.equal("API_CONFIGURATION_ERROR");
      } finally {
        await Promise.all([exact.close(), declared.close(), streamed.close()]);
      }
    });

    it("answers 500 for a request header that is not valid HTTP (a mapped value with a line break) without sending anything", async () => {
      let requests = 0;
      const server = await startServer((_req, res) => {
        requests++;
        res.end();
      });
      try {
        const request = { ...get(server.url), headers: [["X-Body", "line one\nline two"]] as Array<[string, string]> };
        expect((await gatewayErrorOf(sendHttpIntegrationRequest(request, { timeoutMs: 5000 }))).type).to.equal("API_CONFIGURATION_ERROR");
        expect(requests).to.equal(0);
      } finally {
        await server.close();
      }
    });
  });

  describe("the model of HTTP integrations", () => {
    function graphWith(integrationInputs: Record<string, unknown>): ResourceGraph {
      const graph = new ResourceGraph();
      const add = (type: string, name: string, id: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}) =>
        graph.add({ urn: `urn:${name}`, type, name, dependencies: [], custom: true, id, inputs, state: { ...inputs, ...state } } as RecordedResource);
      add("aws:apigateway/restApi:RestApi", "api", "api1", { name: "api" }, { rootResourceId: "root" });
      add("aws:apigateway/resource:Resource", "things", "res1", { restApi: "api1", parentId: "root", pathPart: "things" }, { path: "/things" });
      add("aws:apigateway/method:Method", "get", "m1", { restApi: "api1", resourceId: "res1", httpMethod: "GET", authorization: "NONE" });
      add("aws:apigateway/integration:Integration", "integration", "i1", { restApi: "api1", resourceId: "res1", httpMethod: "GET", ...integrationInputs });
      add("aws:apigateway/integrationResponse:IntegrationResponse", "ir", "ir1", { restApi: "api1", resourceId: "res1", httpMethod: "GET", statusCode: "200", contentHandling: "CONVERT_TO_TEXT" });
      add("aws:apigateway/stage:Stage", "stage", "s1", { restApi: "api1", stageName: "dev" });
      return graph;
    }

    it("carries what the integration declares", () => {
      const [model] = restApiModels(
        graphWith({ type: "HTTP_PROXY", uri: "https://example.com/{proxy}", integrationHttpMethod: "ANY", requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" }, timeoutMilliseconds: 5000 }),
      );
      expect(model.methods.get("GET /things")?.integration).to.deep.include({
        type: "HTTP_PROXY",
        uri: "https://example.com/{proxy}",
        integrationHttpMethod: "ANY",
        requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" },
        connectionType: "INTERNET",
        contentHandling: undefined,
        timeoutMs: 5000,
      });
      expect(model.methods.get("GET /things")?.integration?.responses[0].contentHandling).to.equal("CONVERT_TO_TEXT");
    });

    it("refuses an HTTP integration through a VPC link, naming the method", () => {
      for (const type of ["HTTP", "HTTP_PROXY"]) {
        expect(() => restApiModels(graphWith({ type, uri: "http://nlb.internal/", connectionType: "VPC_LINK", connectionId: "vpcl-1" }))).to.throw(
          `GET /things: ${type} integration through a VPC link (connectionType VPC_LINK) is not emulated by the local cloud`,
        );
      }
    });
  });
});
