import * as path from "node:path";
import { expect } from "chai";
import type { JsonDocument } from "../../jsonDocument";
import { Client } from "../webSocketClient";
import { useLocalCloud } from "../integration/localCloudFixture";
import { call, rawRequest, type Reply } from "../integration/httpClient";

const PROGRAM = path.join(__dirname, "programs", "multiApiProgram.ts");

/**
 * A request to a URL whose host resolves to the loopback address (`*.localhost`, a custom
 * domain pointed at the machine): sent to 127.0.0.1 with the URL's Host, as curl and browsers
 * send it. Node's resolver does not resolve `*.localhost` on every system.
 */
function viaHost(url: string, host?: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const target = new URL(url);
  const sentHost = host ?? target.host;
  target.hostname = "127.0.0.1";
  return rawRequest(target.toString(), { ...init, headers: { ...init.headers, Host: sentHost } });
}

const json = (r: Reply): JsonDocument => JSON.parse(r.body.toString("utf8"));

/**
 * Issue 15, "every API at once": a program with two REST APIs (one with two stages whose stage
 * variables differ), an HTTP API, a WebSocket API and a custom domain mapping `/v1` and `/v2` to
 * two of them, every route called through the URLs the outputs give, the Host form and the domain.
 */
describe("local cloud: every API and stage of a program at once", function () {
  this.timeout(60_000);
  const fixture = useLocalCloud("multi-api", { stack: "dev", program: PROGRAM });
  const out = () => fixture.cloud.outputs as Record<string, string> & { domainUrls: Record<string, string> };
  const port = () => new URL(fixture.cloud.endpoints.metrics).port;
  const apiIdOf = (url: string) => /\/_aws\/execute-api\/([a-z0-9]+)/.exec(url)![1];

  it("gives every stage its own local URL in the outputs (path form)", () => {
    const o = out();
    const base = `http://127.0.0.1:${port()}/_aws/execute-api/`;
    for (const key of ["ordersDevUrl", "ordersCanaryUrl", "catalogUrl", "httpApiUrl", "httpApiEndpoint"]) expect(o[key], key).to.match(new RegExp(`^${base}[a-z0-9]{10}`));
    expect(o.webSocketUrl).to.match(new RegExp(`^ws://127\\.0\\.0\\.1:${port()}/_aws/execute-api/[a-z0-9]{10}/prod$`));
    expect(apiIdOf(o.ordersDevUrl)).to.equal(apiIdOf(o.ordersCanaryUrl));
    expect(new Set([o.ordersDevUrl, o.catalogUrl, o.httpApiEndpoint, o.webSocketUrl].map(apiIdOf)).size).to.equal(4);
    expect(fixture.cloud.run.graph.ofType("aws:apigateway/stage:Stage")).to.have.length(3);
    expect(fixture.cloud.stages.map((s) => `${s.protocol} ${s.stageName}`)).to.deep.equal(["REST dev", "REST canary", "REST live", "HTTP $default", "WEBSOCKET prod"]);
  });

  it("serves both stages of one REST API, each with its stage variables", async () => {
    for (const [url, stage] of [
      [out().ordersDevUrl, "dev"],
      [out().ordersCanaryUrl, "canary"],
    ]) {
      const event = json(await call(`${url}/orders?x=1`));
      expect(event.requestContext.stage).to.equal(stage);
      expect(event.requestContext.path).to.equal(`/${stage}/orders`);
      expect(event.path).to.equal("/orders");
      expect(event.stageVariables).to.deep.equal({ greeting: `hello from ${stage}` });
      expect(json(await call(`${url}/stage-info`))).to.deep.equal({ api: "orders", stage, greeting: `hello from ${stage}` });
    }
  });

  it("serves the second REST API, the HTTP API ($default stage) and the WebSocket API", async () => {
    expect(json(await call(`${out().catalogUrl}/items`))).to.deep.equal({ api: "catalog", stage: "live", path: "/live/items" });
    const viaStage = json(await call(`${out().httpApiUrl.replace(/\/$/, "")}/ping`));
    expect(viaStage).to.include({ version: "2.0", routeKey: "GET /ping", rawPath: "/ping" });
    expect(json(await call(`${out().httpApiEndpoint}/ping`)).requestContext.stage).to.equal("$default");
    const client = await Client.open(out().webSocketUrl);
    try {
      client.ws.send(JSON.stringify({ action: "anything", n: 1 }));
      expect(await client.next("the route response")).to.deep.equal({ api: "ws", stage: "prod", received: JSON.stringify({ action: "anything", n: 1 }) });
    } finally {
      client.ws.close();
    }
  });

  it("answers the Host form <apiId>.execute-api.localhost:<port>/<stage> as the path form", async () => {
    const id = apiIdOf(out().ordersCanaryUrl);
    const r = await viaHost(`http://${id}.execute-api.localhost:${port()}/canary/stage-info`);
    expect(r.status).to.equal(200);
    expect(json(r)).to.deep.equal({ api: "orders", stage: "canary", greeting: "hello from canary" });
    // An AWS URL with its Host sent to the local port works too.
    const aws = await viaHost(`http://127.0.0.1:${port()}/live/items`, `${apiIdOf(out().catalogUrl)}.execute-api.us-east-1.amazonaws.com`);
    expect(json(aws).api).to.equal("catalog");
  });

  it("routes the custom domain by its base path mappings: Host api.example.com (with or without the port) or api.example.com.localhost", async () => {
    expect(out().domainUrl).to.equal(`http://api.example.com.localhost:${port()}/v1`);
    expect(out().domainUrls).to.deep.equal({ "/v1": `http://api.example.com.localhost:${port()}/v1`, "/v2": `http://api.example.com.localhost:${port()}/v2` });

    const v1 = json(await viaHost(`${out().domainUrls["/v1"]}/orders`));
    // Through a custom domain AWS reports the path as requested, base path included.
    expect(v1.requestContext).to.include({ stage: "dev", path: "/v1/orders", resourcePath: "/orders", domainName: `api.example.com.localhost:${port()}`, domainPrefix: "api" });
    expect(v1.path).to.equal("/v1/orders");
    expect(v1.stageVariables).to.deep.equal({ greeting: "hello from dev" });

    expect(json(await viaHost(`http://127.0.0.1:${port()}/v2/items`, "api.example.com"))).to.deep.equal({ api: "catalog", stage: "live", path: "/v2/items" });
    expect(json(await viaHost(`http://127.0.0.1:${port()}/v1/stage-info`, `api.example.com:${port()}`)).greeting).to.equal("hello from dev");
    // Host names are case-insensitive.
    expect((await viaHost(`http://127.0.0.1:${port()}/v2/items`, "API.Example.COM")).status).to.equal(200);
  });

  it("routes an API Gateway v2 domain by its API mappings to the HTTP API, the mapping key kept in rawPath", async () => {
    const event = json(await viaHost(`http://127.0.0.1:${port()}/v3/ping?q=1`, "http.example.com"));
    expect(event).to.include({ routeKey: "GET /ping", rawPath: "/v3/ping", rawQueryString: "q=1" });
    expect(event.requestContext).to.include({ stage: "$default", domainName: "http.example.com", domainPrefix: "http" });
    expect(event.requestContext.http.path).to.equal("/v3/ping");
    expect((await viaHost(`http://127.0.0.1:${port()}/ping`, "http.example.com")).status).to.equal(403);
  });

  it("answers 403 Forbidden for a domain path no mapping takes, and AWS's 403 for an unknown resource under a mapping", async () => {
    for (const p of ["/v3/items", "/", "/v10/items", "/items"]) {
      const r = await viaHost(`http://127.0.0.1:${port()}${p}`, "api.example.com");
      expect(r.status, p).to.equal(403);
      expect(json(r), p).to.deep.equal({ message: "Forbidden" });
    }
    const missing = await viaHost(`http://127.0.0.1:${port()}/v2/nothing-here`, "api.example.com");
    expect(missing.status).to.equal(403);
    expect(json(missing)).to.deep.equal({ message: "Missing Authentication Token" });
  });

  it("answers an unknown API id with 404 naming the APIs, and the root of a several-API port with the addresses to use", async () => {
    const unknown = await call(`http://127.0.0.1:${port()}/_aws/execute-api/nosuchapi0/dev/orders`);
    expect(unknown.status).to.equal(404);
    expect(json(unknown).message).to.contain("nosuchapi0").and.contain(apiIdOf(out().ordersDevUrl));
    const root = await call(`http://127.0.0.1:${port()}/dev/orders`);
    expect(root.status).to.equal(404);
    expect(json(root).apis).to.include.members([apiIdOf(out().ordersDevUrl), apiIdOf(out().catalogUrl), apiIdOf(out().httpApiEndpoint)]);
    // A REST API's unknown stage is its own 403, as on AWS.
    const noStage = await call(`${out().ordersDevUrl.replace(/\/dev$/, "/nope")}/orders`);
    expect(noStage.status).to.equal(403);
  });

  it("answers odd Host headers without failing, and keeps serving", async () => {
    for (const host of ["[", "[::1", ".execute-api.", "x.execute-api.", "API.EXAMPLE.COM.", "api.example.com.localhost.localhost", "a".repeat(2000), "%00", "api.example.com:99999"]) {
      const r = await viaHost(`http://127.0.0.1:${port()}/v1/orders`, host);
      expect(r.status, host).to.be.within(200, 499);
    }
    expect((await call(`${out().catalogUrl}/items`)).status).to.equal(200);
  });

  it("counts metrics per API and stage", async () => {
    await call(`${out().ordersCanaryUrl}/stage-info`);
    const count = (apiName: string, stage: string) =>
      fixture.cloud.metricsStore.query({ namespace: "AWS/ApiGateway", metricName: "Count", dimensions: { ApiName: apiName, Stage: stage }, stat: "Sum", periodSeconds: 3600, since: 0 }).reduce((n, d) => n + (d.value ?? 0), 0);
    const names = Object.fromEntries(fixture.cloud.run.graph.ofType("aws:apigateway/restApi:RestApi").map((r) => [r.name, r.state.name as string]));
    expect(count(names["multi-orders"], "canary")).to.be.greaterThan(0);
    expect(count(names["multi-orders"], "dev")).to.be.greaterThan(0);
    expect(count(names["multi-catalog"], "live")).to.be.greaterThan(0);
    expect(count(names["multi-orders"], "nostage")).to.equal(0);
  });
});
