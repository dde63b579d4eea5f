import { expect } from "chai";
import * as http from "node:http";
import type { HttpApiModel, HttpRouteModel } from "../../../local/httpGateway/httpApiModel";
import { HttpGateway, parseLambdaResult } from "../../../local/httpGateway/httpGateway";
import { ACCOUNT, API_ID, FakeLambda, ServedGateway, functionArn, httpModel, route, serveGateway } from "./gatewayHarness";

describe("HttpGateway", () => {
  let served: ServedGateway | undefined;
  let lambda: FakeLambda;

  /** Serves `routes` (and model overrides) with a fresh fake Lambda. */
  async function start(routes: HttpRouteModel[], extra: Partial<HttpApiModel> = {}, options: { now?: () => number; accountThrottle?: { rate: number; burst: number } } = {}) {
    await served?.close();
    lambda = new FakeLambda();
    served = await serveGateway({ model: httpModel(routes, extra), lambda, ...options });
    return served;
  }

  const get = (path: string, init?: RequestInit) => fetch(`${served!.url}${path}`, init);

  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  describe("routing", () => {
    beforeEach(async () => {
      await start([
        route("GET /users/me", "me"),
        route("GET /users/{id}", "user"),
        route("POST /orders/latest", "latest"),
        route("GET /orders/{id}", "order"),
        route("ANY /items", "anyItem"),
        route("DELETE /items", "deleteItem"),
        route("ANY /files/{proxy+}", "files"),
        route("GET /", "home"),
      ]);
      for (const fn of ["me", "user", "latest", "order", "anyItem", "deleteItem", "files", "home"]) lambda.returns(fn, () => fn);
    });

    const answeredBy = async (method: string, path: string) => {
      const response = await get(path, { method });
      return { status: response.status, body: await response.text(), event: lambda.calls.length > 0 ? lambda.lastEvent() : undefined };
    };

    it("matches path parameters and prefers literal segments", async () => {
      expect((await answeredBy("GET", "/users/me")).body).to.equal("me");
      const user = await answeredBy("GET", "/users/42");
      expect(user.body).to.equal("user");
      expect(user.event.routeKey).to.equal("GET /users/{id}");
      expect(user.event.pathParameters).to.deep.equal({ id: "42" });
      expect((await answeredBy("GET", "/users/J%C3%BCrgen%20K")).event.pathParameters).to.deep.equal({ id: "Jürgen K" });
    });

    it("skips a literal path without a route for the method", async () => {
      expect((await answeredBy("GET", "/orders/latest")).body).to.equal("order");
      expect((await answeredBy("POST", "/orders/latest")).body).to.equal("latest");
    });

    it("prefers the method's own route over ANY on the same path", async () => {
      expect((await answeredBy("DELETE", "/items")).body).to.equal("deleteItem");
      expect((await answeredBy("PATCH", "/items")).body).to.equal("anyItem");
      expect((await answeredBy("GET", "/items")).event.routeKey).to.equal("ANY /items");
    });

    it("gives a greedy parameter the rest of the path, but never an empty one", async () => {
      const files = await answeredBy("PUT", "/files/a/b/c.txt");
      expect(files.body).to.equal("files");
      expect(files.event.pathParameters).to.deep.equal({ proxy: "a/b/c.txt" });
      const bare = await answeredBy("GET", "/files");
      expect(bare.status).to.equal(404);
    });

    it("serves the root route", async () => {
      const home = await answeredBy("GET", "/");
      expect(home.body).to.equal("home");
      expect(home.event.pathParameters).to.equal(undefined);
    });

    it("answers 404 Not Found, as JSON with a request id, when nothing matches and there is no $default", async () => {
      for (const [method, path] of [["GET", "/nothing"], ["POST", "/users/42"], ["GET", "/users/1/2"]]) {
        const response = await get(path, { method });
        expect(response.status, `${method} ${path}`).to.equal(404);
        expect(await response.text()).to.equal('{"message":"Not Found"}');
        expect(response.headers.get("content-type")).to.equal("application/json");
        expect(response.headers.get("apigw-requestid")).to.match(/^[A-Za-z0-9+/]{15}=$/);
      }
      expect(lambda.calls).to.deep.equal([]);
    });

    it("sends what no route matches to $default", async () => {
      await start([route("GET /users/{id}", "user"), route("$default", "fallback")]);
      lambda.returns("user", () => "user").returns("fallback", () => "fallback");
      const response = await get("/anything/else?x=1", { method: "PATCH" });
      expect(await response.text()).to.equal("fallback");
      expect(lambda.lastEvent()).to.deep.include({ routeKey: "$default", rawPath: "/anything/else", rawQueryString: "x=1" });
      expect(lambda.lastEvent().pathParameters).to.equal(undefined);
      expect(await (await get("/users/7")).text()).to.equal("user");
    });

    it("serves a named stage under its own path segment only", async () => {
      await start([route("GET /users/{id}", "user")], { stageName: "dev" });
      lambda.returns("user", () => "user");
      const response = await get("/dev/users/7");
      expect(response.status).to.equal(200);
      expect(lambda.lastEvent()).to.deep.include({ rawPath: "/dev/users/7", routeKey: "GET /users/{id}" });
      expect(lambda.lastEvent().requestContext).to.deep.include({ stage: "dev" });
      expect(lambda.lastEvent().requestContext.http.path).to.equal("/dev/users/7");
      for (const path of ["/users/7", "/development/users/7", "/prod/users/7", "/dev"]) {
        const miss = await get(path);
        expect(miss.status, path).to.equal(404);
        expect(await miss.text()).to.equal('{"message":"Not Found"}');
      }
      expect(lambda.calls).to.have.length(1);
    });

    it("refuses at start what it cannot serve as AWS would", () => {
      const lambdaStub = new FakeLambda();
      const construct = (r: HttpRouteModel, extra: Partial<HttpApiModel> = {}) => () =>
        new HttpGateway({ model: httpModel([r], extra), lambda: lambdaStub, accountId: ACCOUNT, region: "us-east-1" });
      expect(construct(route("GET /a", "a", { authorizationType: "AWS_IAM" }))).to.throw(
        `local HTTP gateway: route GET /a of API ${API_ID} uses AWS_IAM authorization, which this gateway does not enforce yet`,
      );
      expect(construct(route("GET /a", "a", { authorizationType: "JWT", authorizerId: "nope" }))).to.throw(
        `local HTTP gateway: route GET /a of API ${API_ID}: authorizer nope is not a JWT authorizer of the API`,
      );
      const v1 = route("GET /a", "a");
      v1.integration!.payloadFormatVersion = "1.0";
      expect(construct(v1)).to.throw(`local HTTP gateway: route GET /a of API ${API_ID}: payload format 1.0 is not served; use 2.0`);
      const httpProxy = route("GET /a", "a");
      httpProxy.integration = { ...httpProxy.integration!, type: "HTTP_PROXY", functionArn: undefined };
      expect(construct(httpProxy)).to.throw(`local HTTP gateway: route GET /a of API ${API_ID}: only Lambda proxy (AWS_PROXY) integrations are served (got HTTP_PROXY)`);
    });
  });

  describe("the payload format 2.0 event", () => {
    beforeEach(async () => {
      await start([route("GET /users/{id}", "user"), route("POST /upload", "upload")]);
      lambda.returns("user", () => ({ ok: true })).returns("upload", () => ({ ok: true }));
    });

    /** Sends with node:http, which can repeat a header (fetch would join them). */
    function rawRequest(path: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
      return new Promise((resolve, reject) => {
        const req = http.request(`${served!.url}${path}`, { method: "GET", headers }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers }));
        });
        req.on("error", reject);
        req.end();
      });
    }

    it("carries the request as AWS describes it", async () => {
      const before = Date.now();
      const response = await rawRequest("/users/42?b=2&a=1&a=x%20y", {
        "X-Custom": ["one", "two"],
        "User-Agent": "spec-agent/1.0",
        Cookie: ["session=abc; theme=dark", "extra=1"],
      });
      expect(response.status).to.equal(200);
      const event = lambda.lastEvent();
      expect(Object.keys(event)).to.deep.equal([
        "version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters", "requestContext", "pathParameters", "isBase64Encoded",
      ]);
      expect(event).to.deep.include({
        version: "2.0",
        routeKey: "GET /users/{id}",
        rawPath: "/users/42",
        rawQueryString: "b=2&a=1&a=x%20y",
        cookies: ["session=abc", "theme=dark", "extra=1"],
        queryStringParameters: { b: "2", a: "1,x y" },
        pathParameters: { id: "42" },
        isBase64Encoded: false,
      });
      // Names lower-cased, repeats joined with commas, cookies only in `cookies`.
      expect(event.headers).to.include({ "x-custom": "one,two", "user-agent": "spec-agent/1.0", host: served!.url.slice("http://".length) });
      expect(event.headers).to.not.have.property("cookie");
      expect(event.headers["x-forwarded-for"]).to.equal("127.0.0.1");
      // What AWS tells integrations: HTTPS on 443, whatever the local listener is.
      expect(event.headers).to.include({ "x-forwarded-port": "443", "x-forwarded-proto": "https" });
      expect(event.headers["x-amzn-trace-id"]).to.match(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(event.body).to.equal(undefined);

      const context = event.requestContext;
      expect(context).to.deep.include({
        accountId: ACCOUNT,
        apiId: API_ID,
        domainName: served!.url.slice("http://".length),
        domainPrefix: API_ID,
        http: { method: "GET", path: "/users/42", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "spec-agent/1.0" },
        routeKey: "GET /users/{id}",
        stage: "$default",
      });
      expect(context).to.not.have.property("authorizer");
      expect(context.requestId).to.equal(response.headers["apigw-requestid"]);
      expect(context.time).to.match(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
      expect(context.timeEpoch).to.be.within(before, Date.now());
      expect(lambda.calls[0].arn).to.equal(functionArn("user"));
      expect(lambda.calls[0].timeoutMs).to.equal(30000);
    });

    it("leaves out cookies and query parameters when there are none", async () => {
      await get("/users/1");
      const event = lambda.lastEvent();
      expect(event).to.not.have.property("cookies");
      expect(event).to.not.have.property("queryStringParameters");
      expect(event.rawQueryString).to.equal("");
    });

    it("passes text bodies as text and base64-encodes the others", async () => {
      const upload = async (body: string | Buffer, contentType?: string) => {
        await get("/upload", { method: "POST", body, headers: contentType ? { "content-type": contentType } : {} });
        return lambda.lastEvent();
      };
      expect(await upload('{"name":"Ada"}', "application/json; charset=utf-8")).to.deep.include({ body: '{"name":"Ada"}', isBase64Encoded: false });
      expect(await upload("hello", "text/plain")).to.deep.include({ body: "hello", isBase64Encoded: false });
      expect(await upload("<a/>", "application/atom+xml")).to.deep.include({ body: "<a/>", isBase64Encoded: false });
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
      expect(await upload(png, "image/png")).to.deep.include({ body: png.toString("base64"), isBase64Encoded: true });
      // HTTP APIs base64-encode form posts.
      expect(await upload("a=1&b=2", "application/x-www-form-urlencoded")).to.deep.include({ body: Buffer.from("a=1&b=2").toString("base64"), isBase64Encoded: true });
    });
  });

  describe("Lambda results", () => {
    const answer = async (result: unknown, init?: RequestInit) => {
      await start([route("ANY /r", "fn")]);
      lambda.returns("fn", () => result);
      return get("/r", init);
    };

    it("answers a string without statusCode as a 200 JSON body, as-is", async () => {
      const response = await answer("Hello from Lambda!");
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.equal("application/json");
      expect(await response.text()).to.equal("Hello from Lambda!");
    });

    it("answers an object (or anything else) without statusCode as 200 JSON", async () => {
      const object = await answer({ message: "hi", n: 1 });
      expect(object.status).to.equal(200);
      expect(object.headers.get("content-type")).to.equal("application/json");
      expect(await object.text()).to.equal('{"message":"hi","n":1}');
      expect(await (await answer([1, 2])).text()).to.equal("[1,2]");
      expect(await (await answer(null)).text()).to.equal("null");
    });

    it("answers statusCode, headers, cookies and body as given", async () => {
      const response = await answer({
        statusCode: 201,
        headers: { "Content-Type": "application/vnd.api+json", "X-Count": 3, "X-Ok": true },
        cookies: ["a=1; Path=/", "b=2; HttpOnly"],
        body: '{"id":"7"}',
        multiValueHeaders: { "X-Ignored": ["1.0 format only"] },
      });
      expect(response.status).to.equal(201);
      expect(response.headers.get("content-type")).to.equal("application/vnd.api+json");
      expect(response.headers.get("x-count")).to.equal("3");
      expect(response.headers.get("x-ok")).to.equal("true");
      expect(response.headers.has("x-ignored")).to.equal(false);
      expect(response.headers.getSetCookie()).to.deep.equal(["a=1; Path=/", "b=2; HttpOnly"]);
      expect(await response.text()).to.equal('{"id":"7"}');
    });

    it("takes a numeric string status, decodes base64 bodies, and answers text when no type is given", async () => {
      const accepted = await answer({ statusCode: "202", body: "queued" });
      expect(accepted.status).to.equal(202);
      expect(accepted.headers.get("content-type")).to.equal("text/plain; charset=utf-8");
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      const binary = await answer({ statusCode: 200, headers: { "content-type": "application/octet-stream" }, body: bytes.toString("base64"), isBase64Encoded: true });
      expect(Buffer.from(await binary.arrayBuffer())).to.deep.equal(bytes);
      const empty = await answer({ statusCode: 204 });
      expect(empty.status).to.equal(204);
      expect(empty.headers.get("content-type")).to.equal(null);
    });

    it("answers HEAD without a body", async () => {
      const response = await answer({ statusCode: 200, body: "not sent" }, { method: "HEAD" });
      expect(response.status).to.equal(200);
      expect(await response.text()).to.equal("");
      expect(response.headers.get("content-length")).to.equal("8");
    });

    it("parses results without a server too", () => {
      expect(parseLambdaResult({ statusCode: 99 })).to.equal(undefined);
      expect(parseLambdaResult({ statusCode: 600 })).to.equal(undefined);
      expect(parseLambdaResult({ statusCode: 200, headers: { a: null } })?.headers).to.deep.equal({});
    });
  });

  describe("integration failures", () => {
    const INTERNAL = '{"message":"Internal Server Error"}';
    const failing = async (setup: (l: FakeLambda) => void) => {
      await start([route("GET /r", "fn")]);
      setup(lambda);
      const response = await get("/r");
      return { status: response.status, body: await response.text(), type: response.headers.get("content-type"), id: response.headers.get("apigw-requestid") };
    };

    it("answers 500 Internal Server Error when the function throws or is throttled", async () => {
      const thrown = await failing((l) => l.ends("fn", { kind: "error", errorType: "Error", errorMessage: "boom", trace: [], durationMs: 1 }));
      expect(thrown).to.deep.include({ status: 500, body: INTERNAL, type: "application/json" });
      expect(thrown.id).to.be.a("string");
      expect(await failing((l) => l.ends("fn", { kind: "throttled", durationMs: 0 }))).to.deep.include({ status: 500, body: INTERNAL });
      // No function behind the ARN at all.
      expect(await failing(() => undefined)).to.deep.include({ status: 500, body: INTERNAL });
    });

    it("answers 500 for malformed results", async () => {
      for (const result of [
        { statusCode: "abc" },
        { statusCode: 200, body: { not: "a string" } },
        { statusCode: 200, headers: ["x"] },
        { statusCode: 200, headers: { a: { b: 1 } } },
        { statusCode: 200, cookies: "a=1" },
        { statusCode: 200, headers: { "x-bad": "line\nbreak" } },
        { statusCode: 200, headers: { "bad name": "x" } },
        { statusCode: 200, cookies: ["a=1\r\nx-injected: y"] },
      ]) {
        expect(await failing((l) => l.returns("fn", () => result)), JSON.stringify(result)).to.deep.include({ status: 500, body: INTERNAL });
      }
    });

    it("answers 503 Service Unavailable when the integration times out", async () => {
      expect(await failing((l) => l.ends("fn", { kind: "timeout", durationMs: 30000 }))).to.deep.include({
        status: 503,
        body: '{"message":"Service Unavailable"}',
        type: "application/json",
      });
    });

    it("answers 413 to a body over 10 MB without invoking the function", async () => {
      await start([route("POST /r", "fn")]);
      lambda.returns("fn", () => "ok");
      const response = await get("/r", { method: "POST", body: Buffer.alloc(10 * 1024 * 1024 + 1, 97), headers: { "content-type": "text/plain" } });
      expect(response.status).to.equal(413);
      expect(await response.text()).to.equal('{"message":"Request Entity Too Large"}');
      expect(lambda.calls).to.deep.equal([]);
    });
  });

  describe("CORS", () => {
    const cors = {
      allowOrigins: ["https://app.example.com"],
      allowHeaders: ["Content-Type", "Authorization"],
      allowMethods: ["GET", "POST", "OPTIONS"],
      exposeHeaders: ["X-Request-Id"],
      allowCredentials: true,
      maxAgeSeconds: 300,
    };
    const preflight = (path: string, origin: string, method = "POST", headers = "content-type") =>
      get(path, { method: "OPTIONS", headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers } });

    beforeEach(async () => {
      await start([route("POST /orders", "orders"), route("GET /orders/{id}", "order")], { cors });
      lambda.returns("orders", () => ({ statusCode: 200, headers: { "access-control-allow-origin": "*", "x-request-id": "r1" }, body: "{}" }));
      lambda.returns("order", () => "order");
    });

    it("answers a preflight itself for an allowed origin, method and headers", async () => {
      const response = await preflight("/orders", "https://app.example.com", "POST", "Content-Type, authorization");
      expect(response.status).to.equal(204);
      expect(await response.text()).to.equal("");
      expect(Object.fromEntries([...response.headers].filter(([k]) => k.startsWith("access-control-")))).to.deep.equal({
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-methods": "GET,POST,OPTIONS",
        "access-control-allow-headers": "Content-Type,Authorization",
        "access-control-allow-credentials": "true",
        "access-control-max-age": "300",
      });
      expect(lambda.calls).to.deep.equal([]);
    });

    it("answers a refused preflight without CORS headers", async () => {
      for (const [origin, method, headers] of [
        ["https://evil.example.com", "POST", "content-type"],
        ["https://app.example.com", "DELETE", "content-type"],
        ["https://app.example.com", "POST", "x-secret"],
      ]) {
        const response = await preflight("/orders", origin, method, headers);
        expect(response.status, `${origin} ${method} ${headers}`).to.equal(204);
        expect([...response.headers.keys()].filter((k) => k.startsWith("access-control-")), `${origin} ${method} ${headers}`).to.deep.equal([]);
      }
      expect(lambda.calls).to.deep.equal([]);
    });

    it("lets a matching route take OPTIONS: an OPTIONS or ANY route, or $default", async () => {
      for (const catcher of [route("OPTIONS /orders", "catcher"), route("ANY /orders", "catcher"), route("$default", "catcher")]) {
        await start([route("POST /orders", "orders"), catcher], { cors });
        lambda.returns("catcher", () => ({ statusCode: 200, body: "caught" }));
        const response = await preflight("/orders", "https://app.example.com");
        expect(await response.text(), catcher.routeKey).to.equal("caught");
        expect(response.headers.get("access-control-allow-origin")).to.equal("https://app.example.com");
      }
    });

    it("adds the configured headers to responses for an allowed origin, replacing the function's", async () => {
      const response = await get("/orders", { method: "POST", headers: { origin: "https://app.example.com" }, body: "{}" });
      expect(response.status).to.equal(200);
      expect(response.headers.get("access-control-allow-origin")).to.equal("https://app.example.com");
      expect(response.headers.get("access-control-allow-credentials")).to.equal("true");
      expect(response.headers.get("access-control-expose-headers")).to.equal("X-Request-Id");
      expect(response.headers.get("x-request-id")).to.equal("r1");
    });

    it("adds none for another origin, or without one, and drops the function's", async () => {
      for (const headers of [{ origin: "https://evil.example.com" }, {}] as Record<string, string>[]) {
        const response = await get("/orders", { method: "POST", headers, body: "{}" });
        expect(response.status).to.equal(200);
        expect([...response.headers.keys()].filter((k) => k.startsWith("access-control-")), JSON.stringify(headers)).to.deep.equal([]);
      }
    });

    it("adds them to the gateway's own errors too", async () => {
      const response = await get("/missing", { headers: { origin: "https://app.example.com" } });
      expect(response.status).to.equal(404);
      expect(response.headers.get("access-control-allow-origin")).to.equal("https://app.example.com");
    });

    it("answers * for any origin when every origin is allowed without credentials", async () => {
      await start([route("GET /orders/{id}", "order")], { cors: { ...cors, allowOrigins: ["*"], allowCredentials: false, allowMethods: ["*"] } });
      lambda.returns("order", () => "order");
      const response = await get("/orders/1", { headers: { origin: "https://anyone.example.org" } });
      expect(response.headers.get("access-control-allow-origin")).to.equal("*");
      expect(response.headers.get("access-control-allow-credentials")).to.equal(null);
      const pre = await preflight("/orders/1", "https://anyone.example.org", "PUT", "content-type");
      expect(pre.headers.get("access-control-allow-origin")).to.equal("*");
      expect(pre.headers.get("access-control-allow-methods")).to.equal("*");
    });

    it("passes the function's CORS headers through when the API has no CORS configuration", async () => {
      await start([route("POST /orders", "orders")]);
      lambda.returns("orders", () => ({ statusCode: 200, headers: { "access-control-allow-origin": "*" }, body: "{}" }));
      const response = await get("/orders", { method: "POST", headers: { origin: "https://app.example.com" } });
      expect(response.headers.get("access-control-allow-origin")).to.equal("*");
      const pre = await preflight("/orders", "https://app.example.com");
      expect(pre.status).to.equal(404);
    });
  });

  describe("throttling", () => {
    let clock = 0;
    const now = () => clock;
    const TOO_MANY = '{"message":"Too Many Requests"}';
    const statuses = async (paths: string[]) => {
      const out: number[] = [];
      for (const path of paths) {
        const response = await get(path);
        out.push(response.status);
        if (response.status === 429) expect(await response.text()).to.equal(TOO_MANY);
        else await response.arrayBuffer();
      }
      return out;
    };

    beforeEach(() => {
      clock = 0;
    });

    async function startThrottled(extra: Partial<HttpApiModel>, accountThrottle?: { rate: number; burst: number }) {
      await start([route("GET /a", "a"), route("GET /b", "b"), route("$default", "c")], extra, { now, accountThrottle });
      lambda.returns("a", () => "a").returns("b", () => "b").returns("c", () => "c");
    }

    it("throttles a route by its routeSettings bucket, leaving the others alone", async () => {
      await startThrottled({ routeThrottles: { "GET /a": { rateLimit: 1, burstLimit: 2 } } });
      expect(await statuses(["/a", "/a", "/a", "/b", "/b", "/b"])).to.deep.equal([200, 200, 429, 200, 200, 200]);
      expect(lambda.calls.filter((c) => c.arn === functionArn("a"))).to.have.length(2);
      clock += 1000;
      expect(await statuses(["/a", "/a"])).to.deep.equal([200, 429]);
    });

    it("gives every route its own bucket of the stage's default limits, $default included", async () => {
      await startThrottled({ defaultThrottle: { rateLimit: 0, burstLimit: 1 } });
      expect(await statuses(["/a", "/a", "/b", "/b", "/x", "/y"])).to.deep.equal([200, 429, 200, 429, 200, 429]);
    });

    it("lets routeSettings override the default for their route", async () => {
      await startThrottled({ defaultThrottle: { rateLimit: 0, burstLimit: 1 }, routeThrottles: { "GET /a": { rateLimit: 0, burstLimit: 3 } } });
      expect(await statuses(["/a", "/a", "/a", "/a", "/b", "/b"])).to.deep.equal([200, 200, 200, 429, 200, 429]);
    });

    it("takes from the account's limit on every route", async () => {
      await startThrottled({}, { rate: 0, burst: 2 });
      expect(await statuses(["/a", "/b", "/x", "/a"])).to.deep.equal([200, 200, 429, 429]);
    });

    it("counts requests per route in the metrics", async () => {
      await startThrottled({ routeThrottles: { "GET /a": { rateLimit: 0, burstLimit: 1 } } });
      await statuses(["/a", "/a", "/x"]);
      const metrics = served!.gateway.metrics.snapshot();
      expect(metrics["GET /a"]).to.deep.include({ Count: 2, "4XXError": 1, "5XXError": 0 });
      expect(metrics.$default).to.deep.include({ Count: 1, "4XXError": 0 });
      expect(metrics["GET /a"].IntegrationLatency.count).to.equal(1);
    });
  });
});
