import * as http from "node:http";
import { expect } from "chai";
import {
  forwardedFor,
  gatewayResponseHeaders,
  gatewaySetsTraceHeader,
  type HeaderPair,
  invocationHeaders,
  pairsFromRawHeaders,
  proxiedRequestHeaders,
  restIntegrationRequestHeaders,
  restResponseHeaders,
  toWritableHeaders,
  withForwardedHeaders,
} from "../../../local/gateway/headers";
import { REMAPPING_TEST_REQUEST } from "./recordedHeaders";

const names = (pairs: readonly HeaderPair[]) => pairs.map(([name]) => name);
const CLIENT = { sourceIp: "203.0.113.7", port: 3000 };


describe("gateway headers", () => {
  describe("request headers dropped (REST)", () => {
    it("drops what AWS dropped from $input.params() and the AWS_PROXY event (recorded 11-12-2024), order and spelling kept", () => {
      const kept = invocationHeaders(REMAPPING_TEST_REQUEST);
      expect(names(kept)).to.deep.equal([
        "Accept",
        "Accept-Charset",
        "Accept-Encoding",
        "Age",
        "Authorization",
        "Content-Encoding",
        "Content-Type",
        "Date",
        "Pragma",
        "Range",
        "Referer",
        "User-Agent",
        "Via",
        "Warn",
      ]);
    });

    it("compares names case-insensitively and keeps repeats", () => {
      const kept = invocationHeaders([
        ["content-length", "3"],
        ["x-a", "1"],
        ["CONNECTION", "keep-alive"],
        ["X-A", "2"],
      ]);
      expect(kept).to.deep.equal([
        ["x-a", "1"],
        ["X-A", "2"],
      ]);
    });

    it("HTTP APIs keep Content-Length (captured HTTP API event) and drop hop-by-hop headers", () => {
      const kept = invocationHeaders(
        [
          ["Content-Length", "0"],
          ["Connection", "keep-alive"],
          ["Keep-Alive", "timeout=5"],
          ["Expect", "100-continue"],
        ],
        "HTTP",
      );
      expect(names(kept)).to.deep.equal(["Content-Length", "Expect"]);
    });

    it("WebSocket $connect loses Connection and Upgrade (captured events)", () => {
      const kept = invocationHeaders(
        [
          ["Host", "abc.execute-api.us-east-1.amazonaws.com"],
          ["Connection", "Upgrade"],
          ["Upgrade", "websocket"],
          ["Sec-WebSocket-Version", "13"],
          ["Sec-WebSocket-Key", "nyFkmXo0UsT0eOnfg/hXnw=="],
        ],
        "WEBSOCKET",
      );
      expect(names(kept)).to.deep.equal(["Host", "Sec-WebSocket-Version", "Sec-WebSocket-Key"]);
    });

    it("pairsFromRawHeaders keeps node's rawHeaders order and spelling", () => {
      expect(pairsFromRawHeaders(["Host", "a", "x-Y", "1", "X-y", "2"])).to.deep.equal([
        ["Host", "a"],
        ["x-Y", "1"],
        ["X-y", "2"],
      ]);
    });
  });

  describe("headers added for integrations", () => {
    it("appends X-Amzn-Trace-Id, X-Forwarded-For, -Port, -Proto in that order", () => {
      const headers = withForwardedHeaders([["Host", "h"]], CLIENT, "Root=1-5dacbfed-d5234ec043b49350f3ca5048");
      expect(headers).to.deep.equal([
        ["Host", "h"],
        ["X-Amzn-Trace-Id", "Root=1-5dacbfed-d5234ec043b49350f3ca5048"],
        ["X-Forwarded-For", "203.0.113.7"],
        ["X-Forwarded-Port", "3000"],
        ["X-Forwarded-Proto", "http"],
      ]);
    });

    it("appends the caller's address to its X-Forwarded-For and overwrites -Port and -Proto (fireprox#12)", () => {
      const headers = withForwardedHeaders(
        [
          ["x-forwarded-for", "1.1.1.1"],
          ["X-Forwarded-Port", "4431"],
          ["X-Forwarded-Proto", "http"],
          ["x-amzn-trace-id", "Root=caller"],
        ],
        { ...CLIENT, port: 443, proto: "https" },
        "Root=1-3152b799-8954dae64eda91bc9a23a7e8",
      );
      expect(headers).to.deep.equal([
        ["X-Amzn-Trace-Id", "Root=1-3152b799-8954dae64eda91bc9a23a7e8"],
        ["X-Forwarded-For", "1.1.1.1, 203.0.113.7"],
        ["X-Forwarded-Port", "443"],
        ["X-Forwarded-Proto", "https"],
      ]);
    });

    it("joins repeated X-Forwarded-For headers before the caller's address", () => {
      expect(
        forwardedFor(
          [
            ["X-Forwarded-For", "10.0.0.1, 10.0.0.2"],
            ["X-Forwarded-For", " "],
            ["X-FORWARDED-FOR", "10.0.0.3"],
          ],
          "127.0.0.1",
        ),
      ).to.equal("10.0.0.1, 10.0.0.2, 10.0.0.3, 127.0.0.1");
    });

    const context = { apiId: "a1b2c3d4e5", traceHeader: "Root=1-67891233-abcdef012345678912345678", client: CLIENT };

    it("AWS_PROXY: trace and X-Forwarded-*, no api id header", () => {
      const headers = restIntegrationRequestHeaders([["Accept", "*/*"]], { ...context, integrationType: "AWS_PROXY" });
      expect(names(headers)).to.deep.equal(["Accept", "X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto"]);
    });

    it("HTTP_PROXY: the caller's Host, Via, Content-Encoding dropped; caller's Accept and User-Agent kept; api id last", () => {
      const headers = restIntegrationRequestHeaders(
        proxiedRequestHeaders([
          ["Host", "abc.execute-api"],
          ["Accept", "application/xml"],
          ["user-Agent", "test/integration"],
          ["Via", "p.example.net"],
          ["Content-Encoding", "deflate"],
        ]),
        { ...context, integrationType: "HTTP_PROXY" },
      );
      expect(headers).to.deep.equal([
        ["Accept", "application/xml"],
        ["user-Agent", "test/integration"],
        ["X-Amzn-Trace-Id", context.traceHeader],
        ["X-Forwarded-For", "203.0.113.7"],
        ["X-Forwarded-Port", "3000"],
        ["X-Forwarded-Proto", "http"],
        ["x-amzn-apigateway-api-id", "a1b2c3d4e5"],
      ]);
    });

    it("HTTP: default Accept and User-Agent (recorded 07-08-2024), trace and api id, no X-Forwarded-*", () => {
      const headers = restIntegrationRequestHeaders([["Content-Type", "application/json"]], { ...context, integrationType: "HTTP" });
      expect(headers).to.deep.equal([
        ["Content-Type", "application/json"],
        ["Accept", "application/json"],
        ["User-Agent", "AmazonAPIGateway_a1b2c3d4e5"],
        ["X-Amzn-Trace-Id", context.traceHeader],
        ["x-amzn-apigateway-api-id", "a1b2c3d4e5"],
      ]);
    });

    it("AWS: mapped Referer, Expect, TE dropped; a mapped trace header replaced", () => {
      const headers = restIntegrationRequestHeaders(
        [
          ["Referer", "r"],
          ["Expect", "100-continue"],
          ["TE", "trailers"],
          ["X-Amz-Target", "DynamoDB_20120810.PutItem"],
          ["x-amzn-trace-id", "mapped"],
        ],
        { ...context, integrationType: "AWS" },
      );
      expect(headers).to.deep.equal([
        ["X-Amz-Target", "DynamoDB_20120810.PutItem"],
        ["X-Amzn-Trace-Id", context.traceHeader],
      ]);
    });

    it("MOCK: nothing added", () => {
      expect(restIntegrationRequestHeaders([["a", "1"]], { ...context, integrationType: "MOCK" })).to.deep.equal([["a", "1"]]);
    });
  });

  describe("REST integration response headers", () => {
    // What the non-proxy integration responses of TestApiGatewayHeaderRemapping mapped, each
    // `method.response.header.<name>` = 'response_param_<name>' (recorded 11-12-2024).
    const MAPPED: HeaderPair[] = [...REMAPPING_TEST_REQUEST, ["Content-Length", "0"] as HeaderPair, ["Host", "h"] as HeaderPair].map(([name]) => [name, `response_param_${name}`]);
    // The x-amzn-Remapped-<name> headers of those answers.
    const REMAPPED_NON_PROXY = ["Authorization", "Connection", "Content-Length", "Content-MD5", "Date", "Expect", "Host", "Max-Forwards", "Proxy-Authenticate", "Server", "Trailer", "Upgrade", "User-Agent", "WWW-Authenticate"];

    for (const type of ["HTTP", "AWS"] as const) {
      it(`${type}: remaps and drops exactly as recorded (11-12-2024)`, () => {
        const answered = new Map(restResponseHeaders(MAPPED, type));
        const remapped = [...answered.keys()].filter((n) => n.startsWith("x-amzn-Remapped-"));
        expect(remapped.sort()).to.deep.equal(REMAPPED_NON_PROXY.map((n) => `x-amzn-Remapped-${n}`).sort());
        for (const name of REMAPPED_NON_PROXY) {
          expect(answered.get(`x-amzn-Remapped-${name}`), name).to.equal(`response_param_${name}`);
          expect(answered.has(name), name).to.equal(false);
        }
        for (const name of ["Accept", "Accept-Charset", "Accept-Encoding", "Age", "Content-Encoding", "Content-Type", "Pragma", "Range", "Referer", "TE", "Via", "Warn"]) {
          expect(answered.get(name), name).to.equal(`response_param_${name}`);
        }
        expect(answered.has("Transfer-Encoding")).to.equal(false);
        expect(answered.has("x-amzn-Remapped-Transfer-Encoding")).to.equal(false);
      });
    }

    it("HTTP_PROXY: the backend's Connection, Content-Length, Date, Server remapped (recorded 11-12-2024), in place", () => {
      const answered = restResponseHeaders(
        [
          ["Date", "Wed, 11 Dec 2024 15:29:02 GMT"],
          ["Content-Type", "application/json"],
          ["Content-Length", "790"],
          ["Connection", "keep-alive"],
          ["Server", "gunicorn/19.9.0"],
          ["Access-Control-Allow-Origin", "*"],
          ["Access-Control-Allow-Credentials", "true"],
        ],
        "HTTP_PROXY",
      );
      expect(answered).to.deep.equal([
        ["x-amzn-Remapped-Date", "Wed, 11 Dec 2024 15:29:02 GMT"],
        ["Content-Type", "application/json"],
        ["x-amzn-Remapped-Content-Length", "790"],
        ["x-amzn-Remapped-Connection", "keep-alive"],
        ["x-amzn-Remapped-Server", "gunicorn/19.9.0"],
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Credentials", "true"],
      ]);
    });

    it("HTTP_PROXY: a backend's x-amzn-RequestId remapped, its X-Amzn-Trace-Id passed (recorded 07-08-2024)", () => {
      const answered = restResponseHeaders(
        [
          ["x-amzn-RequestId", "f6a2c8a0-0000-4000-8000-000000000000"],
          ["X-Amzn-Trace-Id", "Root=1-00000000-000000000000000000000000"],
        ],
        "HTTP_PROXY",
      );
      expect(names(answered)).to.deep.equal(["x-amzn-Remapped-x-amzn-RequestId", "X-Amzn-Trace-Id"]);
    });

    it("AWS_PROXY: WWW-Authenticate remapped (guide table; serverless-offline#236), Transfer-Encoding, Trailer, Upgrade, Via dropped", () => {
      const answered = restResponseHeaders(
        [
          ["WWW-Authenticate", 'Basic realm="x"'],
          ["transfer-encoding", "chunked"],
          ["Trailer", "Expires"],
          ["Upgrade", "h2c"],
          ["Via", "1.1 proxy"],
          ["Set-Cookie", "a=1"],
          ["Set-Cookie", "b=2"],
          ["X-Amzn-Trace-Id", "from the function"],
        ],
        "AWS_PROXY",
      );
      expect(answered).to.deep.equal([
        ["x-amzn-Remapped-WWW-Authenticate", 'Basic realm="x"'],
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
        ["x-amzn-Remapped-X-Amzn-Trace-Id", "from the function"],
      ]);
    });

    it("sets its own X-Amzn-Trace-Id for AWS, AWS_PROXY and HTTP only (recorded 07-08-2024 and 11-12-2024)", () => {
      expect((["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"] as const).filter(gatewaySetsTraceHeader)).to.deep.equal(["AWS", "AWS_PROXY", "HTTP"]);
    });

    it("gatewayResponseHeaders spells them as AWS does", () => {
      expect(gatewayResponseHeaders({ requestId: "r", apigwId: "B4LtEG0EoAMF33Q=", traceHeader: "Root=t" })).to.deep.equal([
        ["x-amzn-RequestId", "r"],
        ["x-amz-apigw-id", "B4LtEG0EoAMF33Q="],
        ["X-Amzn-Trace-Id", "Root=t"],
      ]);
      expect(gatewayResponseHeaders({ requestId: "r", apigwId: "i" })).to.have.length(2);
    });
  });

  describe("toWritableHeaders", () => {
    it("keeps order, spelling and repeats as a flat list, with the real Content-Length", () => {
      expect(
        toWritableHeaders(
          [
            ["Content-Type", "text/plain"],
            ["set-cookie", "a=1"],
            ["Set-Cookie", "b=2"],
          ],
          { contentLength: 5 },
        ),
      ).to.deep.equal(["Content-Type", "text/plain", "set-cookie", "a=1", "Set-Cookie", "b=2", "Content-Length", "5"]);
    });

    it("reads objects (own __proto__ and constructor are names), Maps, arrays of values and rawHeaders", () => {
      const parsed = JSON.parse('{"__proto__": "p", "constructor": "c", "multi": ["1", "2"], "n": 3, "b": false}');
      expect(toWritableHeaders(parsed)).to.deep.equal(["__proto__", "p", "constructor", "c", "multi", "1", "multi", "2", "n", "3", "b", "false"]);
      expect(toWritableHeaders(new Map([["x", "1"]]))).to.deep.equal(["x", "1"]);
      expect(toWritableHeaders(["x", "1", "y", "2"])).to.deep.equal(["x", "1", "y", "2"]);
    });

    it("drops invalid names and values, and framing headers, and says why", () => {
      const dropped: string[] = [];
      const flat = toWritableHeaders(
        [
          ["", "empty name"],
          ["a b", "space"],
          [":status", "200"],
          ["naïve", "non-ascii name"],
          ["x-crlf", "a\r\nSet-Cookie: evil=1"],
          ["x-nul", "a\u0000b"],
          ["x-emoji", "\u{1F600}"],
          ["x-latin1", "caf\u00e9"],
          ["x-null", null],
          ["x-object", { a: 1 }],
          ["x-nested", [["a"]]],
          ["x-nan", NaN],
          ["Content-Length", "999"],
          ["transfer-encoding", "chunked"],
          ["Trailer", "Expires"],
          ["x-ok", ""],
        ],
        { onDrop: (name, reason) => dropped.push(`${name}:${reason}`) },
      );
      expect(flat).to.deep.equal(["x-ok", ""]);
      expect(dropped).to.deep.equal([
        ":invalid-name",
        "a b:invalid-name",
        ":status:invalid-name",
        "naïve:invalid-name",
        "x-crlf:invalid-value",
        "x-nul:invalid-value",
        "x-emoji:invalid-value",
        "x-latin1:invalid-value",
        "x-null:invalid-value",
        "x-object:invalid-value",
        "x-nested:invalid-value",
        "x-nan:invalid-value",
        "Content-Length:framing",
        "transfer-encoding:framing",
        "Trailer:framing",
      ]);
    });

    it("never throws, whatever the input", () => {
      const hostile = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error("no keys");
          },
        },
      );
      const throwingGetter = Object.defineProperty({ ok: "1" }, "bad", {
        enumerable: true,
        get() {
          throw new Error("getter");
        },
      });
      for (const input of [undefined, null, 42, "x", Symbol("s"), hostile, throwingGetter, [[1, 2]], [["x"]], [null], ["odd"], new Map<unknown, unknown>([[{}, "v"]])]) {
        expect(() => toWritableHeaders(input)).to.not.throw();
      }
      expect(toWritableHeaders(throwingGetter)).to.deep.equal(["ok", "1"]);
    });

    it("whatever it returns, node's writeHead accepts", () => {
      const res = new http.ServerResponse(new http.IncomingMessage(null as never));
      const flat = toWritableHeaders({ "x-a": "1", "bad name": "2", "x-b": "\r\n", Trailer: "x" }, { contentLength: 0 });
      expect(() => res.writeHead(200, flat)).to.not.throw();
    });
  });
});
