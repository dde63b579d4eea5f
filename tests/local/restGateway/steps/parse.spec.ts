import { expect } from "chai";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { FixedAnswer } from "../../../../local/restGateway/gatewayError";
import type { GatewayRequest } from "../../../../local/restGateway/invocation";
import { MAX_BODY_BYTES, parseRequest, requestFrom } from "../../../../local/restGateway/steps/parse";

/** What the server saw of one request: the parse step's result or error, and the `data` listeners left on it. */
interface Parsed {
  request?: GatewayRequest;
  error?: unknown;
  dataListeners: number;
}

/**
 * A real node:http server whose handler runs the parse step; each request's outcome is handed
 * to the waiting `parsed()` promise.
 */
class ParseServer {
  private readonly server: Server;
  private waiting: Array<(p: Parsed) => void> = [];

  constructor(readonly host: string) {
    this.server = createServer((req, res) => {
      void this.handle(req).then((parsed) => {
        res.writeHead(parsed.error ? 413 : 200, { "Content-Length": "0" });
        res.end();
        this.waiting.shift()?.(parsed);
      });
    });
  }

  private async handle(req: IncomingMessage): Promise<Parsed> {
    try {
      const request = await parseRequest(req);
      return { request, dataListeners: req.listenerCount("data") };
    } catch (error) {
      return { error, dataListeners: req.listenerCount("data") };
    }
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, this.host, () => resolve());
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The outcome of the next request the server handles. */
  parsed(): Promise<Parsed> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Sends `head` (request line and header lines, CRLF-separated, no blank line) and `body` over a raw socket. */
  async raw(head: string, body = "", connectHost = "127.0.0.1"): Promise<Parsed> {
    const parsed = this.parsed();
    const socket = connect(this.port, connectHost);
    socket.on("data", () => socket.end());
    socket.on("error", () => undefined);
    socket.write(`${head}\r\n\r\n${body}`);
    try {
      return await parsed;
    } finally {
      socket.destroy();
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A request through node's own HTTP client; resolves with the status and what the server parsed. */
async function post(server: ParseServer, body: Buffer, options: { chunked?: boolean } = {}): Promise<{ status: number; parsed: Parsed }> {
  const parsed = server.parsed();
  const status = await new Promise<number>((resolve, reject) => {
    const headers: Record<string, string> = options.chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": String(body.length) };
    const req = httpRequest({ host: "127.0.0.1", port: server.port, method: "POST", path: "/dev/upload", headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    if (options.chunked) {
      // Two chunks, to go through the streaming path.
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else {
      req.end(body);
    }
  });
  return { status, parsed: await parsed };
}

describe("REST gateway steps: parse", () => {
  let server: ParseServer;

  before(async () => {
    server = new ParseServer("127.0.0.1");
    await server.listen();
  });

  after(() => server.close());

  it("keeps the first spelling of a header name, the last value in headers and every value in multiValueHeaders", async () => {
    const { request } = await server.raw(["GET /dev/things HTTP/1.1", "Host: localhost", "X-Tenant: a", "x-TENANT: b", "X-Tenant: c", "Connection: close"].join("\r\n"));
    expect(request!.headers["X-Tenant"]).to.equal("c");
    expect(request!.headers).to.not.have.property("x-TENANT");
    expect(request!.multiValueHeaders["X-Tenant"]).to.deep.equal(["a", "b", "c"]);
    expect(request!.headersByLowerName.get("x-tenant")).to.equal("c");
    expect(Object.keys(request!.headers).slice(0, 2)).to.deep.equal(["Host", "X-Tenant"]);
  });

  it("keeps a comma inside one header value as one value", async () => {
    const { request } = await server.raw(["GET /dev/things HTTP/1.1", "Host: localhost", "Accept: text/html, application/json", "Connection: close"].join("\r\n"));
    expect(request!.multiValueHeaders.Accept).to.deep.equal(["text/html, application/json"]);
  });

  it("treats __proto__ and constructor as ordinary header and query names (null-prototype maps)", async () => {
    const { request } = await server.raw(
      ["GET /dev/things?__proto__=x&constructor=y&toString=z HTTP/1.1", "Host: localhost", "__proto__: polluted", "constructor: c", "Connection: close"].join("\r\n"),
    );
    for (const map of [request!.headers, request!.multiValueHeaders, request!.query, request!.multiValueQuery]) {
      expect(Object.getPrototypeOf(map)).to.equal(null);
    }
    expect(Object.hasOwn(request!.headers, "__proto__")).to.equal(true);
    expect(request!.headers.__proto__).to.equal("polluted");
    expect(request!.headers.constructor).to.equal("c");
    expect(request!.multiValueHeaders.__proto__).to.deep.equal(["polluted"]);
    expect(request!.query.__proto__).to.equal("x");
    expect(request!.query.constructor).to.equal("y");
    expect(request!.query.toString).to.equal("z");
    expect(request!.multiValueQuery.constructor).to.deep.equal(["y"]);
    // Nothing leaked onto ordinary objects.
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it("parses the query string: decoded names and values, repeated names last-wins and all kept in order", async () => {
    const { request } = await server.raw(["GET /dev/search?tag=a&q=hello%20world&tag=b&empty=&flag&tag=c HTTP/1.1", "Host: localhost", "Connection: close"].join("\r\n"));
    expect(request!.rawQuery).to.equal("tag=a&q=hello%20world&tag=b&empty=&flag&tag=c");
    expect({ ...request!.query }).to.deep.equal({ tag: "c", q: "hello world", empty: "", flag: "" });
    expect({ ...request!.multiValueQuery }).to.deep.equal({ tag: ["a", "b", "c"], q: ["hello world"], empty: [""], flag: [""] });
    expect(request!.path).to.equal("/dev/search");
    expect(request!.requestPath).to.equal("/dev/search");
  });

  it("has empty query maps without a query string, and keeps the raw path undecoded", async () => {
    const { request } = await server.raw(["DELETE /dev/a%20b/c HTTP/1.1", "Host: localhost", "Connection: close"].join("\r\n"));
    expect(request!.rawQuery).to.equal("");
    expect(Object.keys(request!.query)).to.deep.equal([]);
    expect(Object.keys(request!.multiValueQuery)).to.deep.equal([]);
    expect(request!.httpMethod).to.equal("DELETE");
    expect(request!.path).to.equal("/dev/a%20b/c");
  });

  it("reads no stream for a request without a body (no Content-Length, or Content-Length: 0)", async () => {
    const none = await server.raw(["GET /dev/things HTTP/1.1", "Host: localhost", "Connection: close"].join("\r\n"));
    expect(none.request!.body.length).to.equal(0);
    expect(none.dataListeners).to.equal(0);
    const zero = await server.raw(["POST /dev/things HTTP/1.1", "Host: localhost", "Content-Length: 0", "Connection: close"].join("\r\n"));
    expect(zero.request!.body.length).to.equal(0);
    expect(zero.dataListeners).to.equal(0);
  });

  it("reads a body by Content-Length and by chunked transfer", async () => {
    const sized = await server.raw(["POST /dev/things HTTP/1.1", "Host: localhost", "Content-Length: 11", "Connection: close"].join("\r\n"), '{"a":"éb"}');
    expect(sized.request!.body.toString("utf8")).to.equal('{"a":"éb"}');
    const chunked = await post(server, Buffer.from("0123456789abcdef"), { chunked: true });
    expect(chunked.status).to.equal(200);
    expect(chunked.parsed.request!.body.toString()).to.equal("0123456789abcdef");
  });

  it("accepts a body of exactly 10 MB", async () => {
    const { status, parsed } = await post(server, Buffer.alloc(MAX_BODY_BYTES, 0x61));
    expect(status).to.equal(200);
    expect(parsed.request!.body.length).to.equal(MAX_BODY_BYTES);
  });

  it("refuses a body over 10 MB with AWS's fixed 413 plain-text answer, after reading it to the end", async () => {
    const { status, parsed } = await post(server, Buffer.alloc(MAX_BODY_BYTES + 1, 0x61));
    expect(parsed.error).to.be.instanceOf(FixedAnswer);
    expect((parsed.error as FixedAnswer).answer).to.deep.equal({ status: 413, headers: { "Content-Type": "text; charset=utf-8" }, body: "HTTP content length exceeded 10485760 bytes." });
    // The client got the server's answer rather than a reset.
    expect(status).to.equal(413);
  });

  it("refuses a chunked body over 10 MB the same way", async () => {
    const { parsed } = await post(server, Buffer.alloc(MAX_BODY_BYTES + 1024, 0x62), { chunked: true });
    expect((parsed.error as FixedAnswer).answer.status).to.equal(413);
  });

  it("gives each request its own requestId and a 16-character extendedRequestId", async () => {
    const head = ["GET /dev/things HTTP/1.1", "Host: localhost", "Connection: close"].join("\r\n");
    const a = (await server.raw(head)).request!;
    const b = (await server.raw(head)).request!;
    expect(a.requestId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.requestId).to.not.equal(b.requestId);
    expect(a.extendedRequestId).to.match(/^[A-Za-z0-9_-]{16}$/);
    expect(a.extendedRequestId).to.not.equal(b.extendedRequestId);
  });

  it("reports an IPv4 caller of a dual-stack server without the ::ffff: prefix", async function () {
    const dual = new ParseServer("::");
    try {
      await dual.listen();
    } catch {
      this.skip();
    }
    try {
      const { request } = await dual.raw(["GET /dev/things HTTP/1.1", "Host: localhost", "Connection: close"].join("\r\n"), "", "127.0.0.1");
      expect(request!.sourceIp).to.equal("127.0.0.1");
    } finally {
      await dual.close();
    }
  });

  it("strips ::ffff: from any IPv4-mapped address and keeps a plain IPv6 one (requestFrom)", () => {
    const fake = (remoteAddress: string) =>
      ({ url: "/dev/x", method: "get", rawHeaders: [], headers: {}, socket: { remoteAddress } }) as unknown as IncomingMessage;
    expect(requestFrom(fake("::ffff:10.1.2.3"), Buffer.alloc(0)).sourceIp).to.equal("10.1.2.3");
    expect(requestFrom(fake("2001:db8::1"), Buffer.alloc(0)).sourceIp).to.equal("2001:db8::1");
    expect(requestFrom(fake("::ffff:10.1.2.3"), Buffer.alloc(0)).httpMethod).to.equal("GET");
  });
});
