/**
 * HTTP, HTTP_PROXY and DynamoDB integrations, as deployed: the local cloud serving
 * tests/local/fixtures/integrationsProgram.ts (plain `@pulumi/aws` resources), called over real
 * HTTP, its HTTP integrations reaching a server this spec runs on 127.0.0.1 and recording every
 * request it receives, its DynamoDB integration writing to the emulator's table.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { LOCAL_CREDENTIALS } from "../../../local/emulators";
import { call, expectGatewayError, expectRequestIds, rawRequest, UUID } from "./httpClient";
import { useLocalCloud } from "./localCloudFixture";

const INTEGRATIONS_PROGRAM = require.resolve("../fixtures/integrationsProgram");

/** One request as the backend received it. */
interface Received {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  /** rawHeaders names, as spelled on the wire. */
  headerNames: string[];
  body: string;
}

const QUOTE = { id: "7", text: 'Simplicity is prerequisite for "reliability".', author: "Edsger W. Dijkstra" };
const BACKEND_DATE = "Tue, 01 Apr 2025 10:00:00 GMT";

/** The backend: records each request, answers by path. */
function startBackend(): Promise<{ server: http.Server; host: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const [path, query = ""] = (req.url ?? "").split(/\?(.*)/s);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      const headerNames = req.rawHeaders.filter((_, i) => i % 2 === 0);
      received.push({ method: req.method ?? "", path, query, headers, headerNames, body: Buffer.concat(chunks).toString("utf8") });

      if (path === "/backend-v1/slow") {
        // Answers after the integration's 1,500 ms timeout.
        setTimeout(() => res.writableEnded || res.destroyed || res.end("too late"), 4000).unref();
        return;
      }
      if (path.startsWith("/quotes/")) {
        const id = decodeURIComponent(path.slice("/quotes/".length));
        const found = id === QUOTE.id;
        res.writeHead(found ? 200 : 404, { "Content-Type": "application/json", "X-Backend-Name": "quotes-backend" });
        res.end(JSON.stringify(found ? QUOTE : { id, reason: "unknown" }));
        return;
      }
      const created = Buffer.from(JSON.stringify({ created: true, path }));
      res.writeHead(201, { "Content-Type": "application/json", "Content-Length": created.length, Server: "tiny-backend/1.0", Date: BACKEND_DATE, "X-Backend-Name": "orders-backend", "Set-Cookie": "session=abc" });
      res.end(created);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, received }));
  });
}

describe("local cloud: HTTP, HTTP_PROXY and DynamoDB integrations (plain @pulumi/aws program)", function () {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let base = "";

  // Before useLocalCloud's hook: the program reads the backend's host:port when it runs.
  before(async () => {
    backend = await startBackend();
    process.env.INTEGRATIONS_BACKEND_HOST = backend.host;
  });
  const fixture = useLocalCloud("integrations", { stack: "dev", program: INTEGRATIONS_PROGRAM });
  before(() => {
    delete process.env.INTEGRATIONS_BACKEND_HOST;
    base = fixture.cloud.endpoints.restApi;
  });
  after(async () => {
    if (!backend?.server.listening) return;
    backend.server.closeAllConnections();
    await new Promise((resolve) => backend.server.close(resolve));
  });

  /** The requests the backend received while `action` ran. */
  async function receivedDuring<T>(action: () => Promise<T>): Promise<{ result: T; requests: Received[] }> {
    const from = backend.received.length;
    const result = await action();
    return { result, requests: backend.received.slice(from) };
  }

  describe("ANY /proxy/{proxy+}: HTTP_PROXY to http://${stageVariables.backendHost}/${stageVariables.basePath}/{proxy}", () => {
    it("sends the client's method, greedy path, query string and body to the stage variables' host and base path, with the mapped query strings after the client's", async () => {
      const body = JSON.stringify({ line: 3, sku: "A-1" });
      const { result: r, requests } = await receivedDuring(() =>
        call(`${base}/proxy/orders/42/lines?q=blue%20shoes&page=2`, { method: "POST", headers: { "Content-Type": "application/json", "x-tenant-id": "tenant-9" }, body }),
      );
      expect(requests, "requests at the backend").to.have.length(1);
      const [got] = requests;
      expect({ method: got.method, path: got.path, body: got.body }).to.deep.equal({ method: "POST", path: "/backend-v1/orders/42/lines", body });
      // The client's parameters first, then the mapped ones [recorded: test_http_proxy_integration_request_data_mappings]
      // (the mapped ones in no particular order: requestParameters is a map).
      const pairs = got.query.split("&");
      expect(pairs.slice(0, 2)).to.deep.equal(["q=blue%20shoes", "page=2"]);
      expect(pairs.slice(2).sort()).to.deep.equal(["search=blue%20shoes", "source=apigw"]);
      expect(got.headers["content-type"]).to.equal("application/json");
      expect(r.status).to.equal(201);
    });

    it("adds the mapped headers (from a method request header, a literal, context.requestId and a stage variable) beside the client's, and the gateway's own", async () => {
      const { result: r, requests } = await receivedDuring(() => call(`${base}/proxy/orders/1`, { headers: { "x-tenant-id": "tenant-9", "X-Custom": "kept" } }));
      const [got] = requests;
      expect(got.method).to.equal("GET");
      expect(got.headers).to.include({
        "x-tenant": "tenant-9",
        "x-gateway": "apigw-kit-local",
        "x-request-id": r.headers["x-amzn-requestid"],
        "x-stage-label": "blue",
        // HTTP_PROXY passes the client's headers on.
        "x-tenant-id": "tenant-9",
        "x-custom": "kept",
        // The caller's Host is not passed on: the endpoint's own.
        host: backend.host,
      });
      expect(got.headers["x-request-id"]).to.match(UUID);
      expect(got.headers["x-amzn-trace-id"]).to.match(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(got.headers["x-amzn-apigateway-api-id"]).to.be.a("string").and.not.empty;
      // X-Forwarded-* for HTTP_PROXY, as AWS tells a backend (ustayready/fireprox#12: 443, https;
      // the caller's address in X-Forwarded-For), after the trace header (fireprox#39).
      expect(got.headers).to.include({ "x-forwarded-for": "127.0.0.1", "x-forwarded-port": "443", "x-forwarded-proto": "https" });
      const names = got.headerNames.map((n) => n.toLowerCase());
      expect(names.indexOf("x-forwarded-for")).to.be.greaterThan(names.indexOf("x-amzn-trace-id"));
      // GET carries no body.
      expect(got.body).to.equal("");
    });

    it("maps nothing for an absent source: no X-Tenant header, no search parameter", async () => {
      const { requests } = await receivedDuring(() => call(`${base}/proxy/plain`));
      const [got] = requests;
      expect(got.path).to.equal("/backend-v1/plain");
      expect(got.query).to.equal("source=apigw");
      expect(got.headers).not.to.have.property("x-tenant");
      expect(got.headers["x-gateway"]).to.equal("apigw-kit-local");
    });

    it("maps the last value of a repeated query parameter, and re-encodes the greedy path's segments", async () => {
      const { requests } = await receivedDuring(() => call(`${base}/proxy/files/a%20b/c?q=one&q=two`));
      const [got] = requests;
      expect(got.path).to.equal("/backend-v1/files/a%20b/c");
      const pairs = got.query.split("&");
      expect(pairs.slice(0, 2)).to.deep.equal(["q=one", "q=two"]);
      expect(pairs.slice(2).sort()).to.deep.equal(["search=two", "source=apigw"]);
    });

    it("answers the backend's status, body and headers, its Date and Server remapped to x-amzn-Remapped-*", async () => {
      const r = await rawRequest(`${base}/proxy/orders/5`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: "{}" });
      expect({ status: r.status, body: r.json() }).to.deep.equal({ status: 201, body: { created: true, path: "/backend-v1/orders/5" } });
      expect(r.headers).to.include({
        "content-type": "application/json",
        "x-backend-name": "orders-backend",
        "set-cookie": "session=abc",
        "x-amzn-remapped-server": "tiny-backend/1.0",
        "x-amzn-remapped-date": BACKEND_DATE,
      });
      // The backend's Content-Length and Connection too [recorded: header remapping, HTTP_PROXY].
      expect(r.headers["x-amzn-remapped-content-length"]).to.equal(String(r.body.length));
      expect(r.headers).to.have.property("x-amzn-remapped-connection");
      expect(r.headers["server"], "the backend's Server is not the answer's").not.to.equal("tiny-backend/1.0");
      expect(r.headers["date"], "the answer's Date is the gateway's").not.to.equal(BACKEND_DATE);
      expectRequestIds(r);
      // No trace header on an HTTP_PROXY answer [recorded: header remapping, HTTP_PROXY].
      expect(r.headers).not.to.have.property("x-amzn-trace-id");
    });

    it("answers a backend slower than timeoutMilliseconds (1,500) with 504 Endpoint request timed out", async function () {
      this.timeout(10_000);
      const started = Date.now();
      const { result: r, requests } = await receivedDuring(() => call(`${base}/proxy/slow`));
      const took = Date.now() - started;
      expect(requests.map((q) => q.path)).to.deep.equal(["/backend-v1/slow"]);
      // (Whether AWS sends an x-amzn-ErrorType with it is not recorded: not asserted.)
      expect({ status: r.status, body: r.text, contentType: r.headers["content-type"] }).to.deep.equal({ status: 504, body: `{"message": "Endpoint request timed out"}`, contentType: "application/json" });
      expectRequestIds(r);
      expect(took, "answered after the timeout, not after the backend").to.be.within(1400, 3500);
    });
  });

  describe("GET /quote/{id}: HTTP (non-proxy), responses mapped by templates", () => {
    it("sends only the mapped path and the gateway's headers to the backend", async () => {
      const { requests } = await receivedDuring(() => call(`${base}/quote/7?ignored=1`, { headers: { "x-tenant-id": "tenant-9" } }));
      const [got] = requests;
      expect({ method: got.method, path: got.path, query: got.query }).to.deep.equal({ method: "GET", path: "/quotes/7", query: "" });
      expect(got.headers).not.to.have.property("x-tenant-id");
      expect(got.headers).to.include({ accept: "application/json", host: backend.host });
      expect(got.headers["user-agent"]).to.match(/^AmazonAPIGateway_/);
    });

    it("answers 200 with the template's reshaping of the backend's JSON and X-Backend from the backend's X-Backend-Name", async () => {
      const r = await call(`${base}/quote/7`);
      expect(r.status, r.text).to.equal(200);
      expect(r.json()).to.deep.equal({ quote: QUOTE.text, by: QUOTE.author });
      expect(r.headers["x-backend"]).to.equal("quotes-backend");
      expect(r.headers["content-type"]).to.equal("application/json");
      // An HTTP integration's answer carries the trace header [recorded: header remapping, HTTP].
      expect(r.headers["x-amzn-trace-id"]).to.match(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$/);
      // Not mapped: the backend's own header is not passed on by a non-proxy integration.
      expect(r.headers).not.to.have.property("x-backend-name");
    });

    it("selects the 404 integration response for the backend's 404 and renders its template", async () => {
      const r = await call(`${base}/quote/unknown-99`);
      expect({ status: r.status, body: r.json() }).to.deep.equal({ status: 404, body: { error: "no such quote", id: "unknown-99" } });
      // The 404 method response maps no header.
      expect(r.headers).not.to.have.property("x-backend");
    });
  });

  describe("POST /items (DynamoDB PutItem) and GET /items/{id} (Lambda GetItem)", () => {
    let dynamodb: DynamoDBClient;
    before(() => {
      dynamodb = new DynamoDBClient({ endpoint: fixture.cloud.endpoints.dynamodb, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
    });
    after(() => dynamodb?.destroy());
    let savedId = "";

    it('answers the mapped 200 {"saved": "<request id>"} and the item is in the table', async () => {
      const r = await call(`${base}/items`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: 'Widget "XL"', qty: 3 }) });
      expect(r.status, r.text).to.equal(200);
      savedId = r.json<{ saved: string }>().saved;
      expect(savedId).to.equal(r.headers["x-amzn-requestid"]).and.match(UUID);
      const tableName = fixture.cloud.outputs.tableName as string;
      expect(tableName).to.match(/^items-/);
      const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: savedId } }, ConsistentRead: true }));
      expect(Item).to.deep.equal({ id: { S: savedId }, name: { S: 'Widget "XL"' }, qty: { N: "3" }, createdBy: { S: "127.0.0.1" } });
    });

    it("reads the item back through the Lambda route", async () => {
      expect(savedId, "the POST test saved an item").to.match(UUID);
      const r = await call(`${base}/items/${savedId}`);
      expect({ status: r.status, body: r.json() }).to.deep.equal({ status: 200, body: { item: { id: savedId, name: 'Widget "XL"', qty: 3, createdBy: "127.0.0.1" } } });
    });

    it("answers the Lambda's 404 for an id never saved", async () => {
      const r = await call(`${base}/items/never-saved`);
      expect({ status: r.status, body: r.json() }).to.deep.equal({ status: 404, body: { missing: "never-saved" } });
    });
  });

  describe("the backend down", () => {
    before(async () => {
      backend.server.closeAllConnections();
      await new Promise((resolve) => backend.server.close(resolve));
    });

    it('answers HTTP_PROXY and HTTP routes 500 {"message": "Internal server error"} when the backend refuses connections', async () => {
      // API_CONFIGURATION_ERROR, with the error type AWS sends for it [recorded: http.undefined-stage-variable-in-uri].
      expectGatewayError(await call(`${base}/proxy/orders/1`), 500, `{"message": "Internal server error"}`, "InternalServerErrorException");
      expectGatewayError(await call(`${base}/quote/7`), 500, `{"message": "Internal server error"}`, "InternalServerErrorException");
    });

    it("still serves the DynamoDB route", async () => {
      const r = await call(`${base}/items`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "after", qty: 1 }) });
      expect(r.status, r.text).to.equal(200);
      expect(r.json<{ saved: string }>().saved).to.match(UUID);
    });
  });
});
