import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import {
  type DropReason,
  gatewayResponseHeaders,
  type HeaderPair,
  REST_DROPPED_REQUEST_HEADERS,
  REST_DROPPED_RESPONSE_HEADERS_PROXY,
  REST_REMAPPED_RESPONSE_HEADERS_NON_PROXY,
  type RestIntegrationType,
  restResponseHeaders,
  toWritableHeaders,
} from "../../../local/gateway/headers";

/**
 * Arbitrary backend header sets, through the REST remapping and toWritableHeaders, written by a
 * real node HTTP server to a real client: every answer must arrive whole (status, body, and the
 * headers that were written), and the server must never see an error. Seeded, so a failure
 * names a case that can be replayed.
 */
const SEED = 0x5eed_2025;
const CASES = 3000;
const CONCURRENCY = 16;

/** mulberry32: a small, fast, seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)];

const SPECIAL_NAMES = [
  ...REST_DROPPED_REQUEST_HEADERS,
  ...REST_REMAPPED_RESPONSE_HEADERS_NON_PROXY,
  ...REST_DROPPED_RESPONSE_HEADERS_PROXY,
  "Content-Type",
  "Set-Cookie",
  "Keep-Alive",
  "Proxy-Connection",
  "x-amzn-RequestId",
  "x-amz-apigw-id",
  "X-Amzn-Trace-Id",
  "x-amzn-Remapped-Date",
  "Location",
  "Cache-Control",
];
const HOSTILE_NAMES = ["", " ", "a b", ":status", "x:y", "naïve", "名前", "x\r\ny", "x\u0000", "\t", "(x)", "__proto__", "constructor", "hasOwnProperty", "toString", "x-\u00ff"];
const STATUSES = [200, 201, 202, 203, 206, 301, 302, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504];
const INTEGRATIONS: readonly RestIntegrationType[] = ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"];
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A header name: a known one in a random case, a random token, or a hostile one. */
function fuzzName(rng: Rng): string {
  const kind = rng();
  if (kind < 0.45) {
    const name = pick(rng, SPECIAL_NAMES);
    return [...name].map((c) => (rng() < 0.5 ? c.toLowerCase() : c.toUpperCase())).join("");
  }
  if (kind < 0.8) return Array.from({ length: 1 + int(rng, 20) }, () => pick(rng, [...TOKEN_CHARS])).join("");
  return pick(rng, HOSTILE_NAMES);
}

/** A string value: plain, empty, padded, Latin-1, astral, control characters, CRLF injection. */
function fuzzText(rng: Rng): string {
  const length = int(rng, 60);
  switch (int(rng, 8)) {
    case 0:
      return "";
    case 1:
      return ` ${Array.from({ length }, () => String.fromCharCode(0x20 + int(rng, 95))).join("")}\t`;
    case 2:
      return Array.from({ length }, () => String.fromCharCode(0x80 + int(rng, 128))).join("");
    case 3:
      return `v\u{1F600}${String.fromCharCode(0x100 + int(rng, 0xd700))}`;
    case 4:
      return `a${String.fromCharCode(int(rng, 32))}b`;
    case 5:
      return "ok\r\nSet-Cookie: injected=1\r\n\r\nHTTP/1.1 200 OK";
    case 6:
      return String(int(rng, 1e6));
    default:
      return Array.from({ length }, () => String.fromCharCode(0x20 + int(rng, 95))).join("");
  }
}

/** Any value a Lambda proxy answer's JSON (or a careless backend) could hold. */
function fuzzValue(rng: Rng): unknown {
  const kind = rng();
  if (kind < 0.7) return fuzzText(rng);
  if (kind < 0.76) return rng() < 0.5;
  if (kind < 0.82) return pick(rng, [0, -1, 3.5, NaN, Infinity, 1e21]);
  if (kind < 0.86) return pick(rng, [null, undefined, {}, { a: 1 }, Symbol("s"), 10n]);
  return Array.from({ length: int(rng, 4) }, () => (rng() < 0.9 ? fuzzText(rng) : [fuzzText(rng)]));
}

/** One generated case. */
interface FuzzCase {
  index: number;
  status: number;
  body: Buffer;
  /** The flat header list the server writes. */
  flat: string[];
}

/**
 * A case: either string pairs through the REST remapping plus the gateway's own headers (what
 * the REST gateway does with an endpoint response), or a raw shape (object, null-prototype
 * object, Map, flat list) straight into toWritableHeaders.
 */
function fuzzCase(rng: Rng, index: number, drops: Map<DropReason, number>): FuzzCase {
  const count = int(rng, 24);
  const status = pick(rng, STATUSES);
  const body = Buffer.from(Array.from({ length: int(rng, 1500) }, () => int(rng, 256)));
  let input: unknown;
  const shape = int(rng, 5);
  if (shape <= 1) {
    const pairs: HeaderPair[] = Array.from({ length: count }, () => [fuzzName(rng), fuzzText(rng)]);
    const type = pick(rng, INTEGRATIONS);
    input = [...restResponseHeaders(pairs, type), ...gatewayResponseHeaders({ requestId: `req-${index}`, apigwId: "B4LtEG0EoAMF33Q=", traceHeader: "Root=1-67891233-abcdef012345678912345678" })];
  } else if (shape === 2) {
    const object: Record<string, unknown> = rng() < 0.5 ? Object.create(null) : {};
    for (let i = 0; i < count; i++) Object.defineProperty(object, fuzzName(rng), { value: fuzzValue(rng), enumerable: true, configurable: true, writable: true });
    input = object;
  } else if (shape === 3) {
    input = new Map(Array.from({ length: count }, () => [rng() < 0.95 ? fuzzName(rng) : int(rng, 9), fuzzValue(rng)]));
  } else {
    input = Array.from({ length: count }, () => [fuzzName(rng), fuzzValue(rng)]).flat();
  }
  const onDrop = (_name: string, reason: DropReason) => drops.set(reason, (drops.get(reason) ?? 0) + 1);
  return { index, status, body, flat: toWritableHeaders(input, { contentLength: body.length, onDrop }) };
}

/** Headers the HTTP server writes on its own, left out of the comparison. */
const SERVER_ADDED = new Set(["date", "connection", "keep-alive"]);

/** The flat list as `name: value` lines, server-added names left out, values trimmed as parsers do. */
function comparable(flat: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (!SERVER_ADDED.has(flat[i].toLowerCase())) lines.push(`${flat[i]}: ${flat[i + 1].replace(/^[ \t]+|[ \t]+$/g, "")}`);
  }
  return lines;
}

describe("gateway header fuzz: arbitrary backend headers through a real HTTP server", function () {
  this.timeout(20_000);

  it(`delivers ${CASES} answers whole and the server never errs (seed ${SEED.toString(16)})`, async () => {
    const rng = prng(SEED);
    const drops = new Map<DropReason, number>();
    const cases = Array.from({ length: CASES }, (_, i) => fuzzCase(rng, i, drops));
    // The generator must exercise both sides: plenty written, every kind of drop.
    const written = cases.reduce((sum, c) => sum + c.flat.length / 2, 0);
    expect(written).to.be.above(CASES * 4);
    for (const reason of ["invalid-name", "invalid-value", "framing"] as const) expect(drops.get(reason) ?? 0, reason).to.be.above(CASES / 10);
    const serverErrors: string[] = [];
    const server = http.createServer((req, res) => {
      const fuzz = cases[Number(req.url?.slice(1))];
      res.on("error", (err) => serverErrors.push(`case ${fuzz.index}: response error ${err.message}`));
      try {
        res.writeHead(fuzz.status, fuzz.flat);
        res.end(fuzz.body);
      } catch (err) {
        serverErrors.push(`case ${fuzz.index}: writeHead threw ${(err as Error).message}`);
        res.destroy();
      }
    });
    server.on("clientError", (err) => serverErrors.push(`clientError ${err.message}`));
    server.on("error", (err) => serverErrors.push(`server error ${err.message}`));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const started = performance.now();
    try {
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const fuzz = cases[next++];
          const answer = await fetchCase(agent, port, fuzz.index);
          expect(answer.status, `case ${fuzz.index}`).to.equal(fuzz.status);
          expect(answer.body.equals(fuzz.body), `case ${fuzz.index}: body`).to.equal(true);
          expect(comparable(answer.rawHeaders), `case ${fuzz.index}: headers`).to.deep.equal(comparable(fuzz.flat));
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(serverErrors).to.deep.equal([]);
    expect(performance.now() - started).to.be.below(5000);
  });
});

/**
 * GET /<index>: the answer's status, raw headers and whole body.
 *
 * @param agent - The keep-alive agent.
 * @param port - The server's port.
 * @param index - The case.
 */
function fetchCase(agent: http.Agent, port: number, index: number): Promise<{ status: number; rawHeaders: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: `/${index}`, agent, maxHeaderSize: 1 << 20 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", (err) => reject(new Error(`case ${index}: ${err.message}`)));
  });
}
