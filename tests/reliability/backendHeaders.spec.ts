/**
 * "A backend that answers any header (reserved, hop-by-hop, trailer-like) never breaks a
 * response": fast-check properties through a running local cloud (backendHeadersProgram.ts),
 * end to end over real HTTP. The unit-level fuzz of the header functions is
 * tests/local/gateway/headerFuzz.spec.ts; this one goes through the whole gateway.
 *
 * Two backends:
 * 1. AWS_PROXY: a Lambda function whose result is the request's body, so the spec chooses the
 *    proxy result: statusCode, `headers` and `multiValueHeaders` with any names (reserved,
 *    hop-by-hop, invalid tokens, empty, `__proto__`, case variants of one another) and any JSON
 *    values (CR/LF/NUL, non-ASCII, huge, numbers, booleans, null, objects), many of them;
 * 2. HTTP_PROXY: a raw TCP backend (node:net) writing the bytes the spec scripted: any status
 *    line, header lines (duplicate Content-Length, Transfer-Encoding with or without a proper
 *    chunked body, obs-fold, bare LF or CR, obs-text, no colon...), any framing. What the
 *    gateway's HTTP client makes of those bytes is decided by node's parser: the spec reads the
 *    same bytes with the same client settings first (the oracle) and expects the gateway to pass
 *    on what it read (reserved headers remapped) or, when it could not read it, to answer
 *    500 Internal server error.
 *
 * Every property asserts, for every request:
 * - a complete HTTP answer within 10 s (no reset, no hang, no interim 1xx without a final
 *   answer), framed by exactly one Content-Length equal to the body received, no
 *   Transfer-Encoding; the connection stays usable (one keep-alive socket for all requests);
 * - the status is the backend's when its answer was a valid proxy result / HTTP answer, or the
 *   AWS gateway error (502 for a malformed Lambda proxy result, 500 for an unreadable HTTP
 *   answer) with its exact body; where AWS's answer is not recorded, either;
 * - the body is the backend's, byte for byte, when the backend's status went through;
 * - headers (docs/aws-behaviour.md, "REST response"): none the proxy rules drop, a remapped
 *   one only as `x-amzn-Remapped-<name>`, the gateway's own (Content-Length, Date,
 *   x-amzn-RequestId, x-amz-apigw-id, and X-Amzn-Trace-Id for AWS_PROXY) exactly once, and
 *   every other header the backend answered that HTTP can carry (token name, value of visible
 *   ASCII, space and tab) passed on with its value; nothing else;
 * - no uncaught exception or unhandled rejection in the process (CrashWatch), and no internal
 *   error logged by the gateway (a `[rest-gateway]` line other than a header left out);
 * - after each property, the cloud still answers a plain request.
 *
 * Reproducible: a fixed seed per property (BACKEND_HEADERS_SEED replaces it), fixed numRuns
 * (FUZZ_SCALE multiplies them, as in fuzz.spec.ts) and a time budget per property that only
 * stops early on a slow machine. Counterexamples found so far run first, as `examples`.
 */
import * as http from "node:http";
import * as net from "node:net";
import { expect } from "chai";
import fc from "fast-check";
import { REST_DROPPED_RESPONSE_HEADERS_PROXY, REST_REMAPPED_RESPONSE_HEADERS_PROXY } from "../../local/gateway/headers";
import { useLocalCloud } from "../local/integration/localCloudFixture";
import { CrashWatch } from "./crashWatch";

const PROGRAM = require.resolve("./backendHeadersProgram");
const SEED = seedFromEnv(process.env.BACKEND_HEADERS_SEED) ?? 0x4ead_e25;
const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? "1") || 1;
/** Per property; only a slow machine reaches it (then fewer runs are made, in the same order). */
const TIME_BUDGET_MS = 10_000 * FUZZ_SCALE;
const INTERNAL_SERVER_ERROR = `{"message": "Internal server error"}`;

function seedFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const seed = Number(value);
  if (!Number.isInteger(seed)) throw new Error(`BACKEND_HEADERS_SEED must be an integer (got "${value}")`);
  return seed;
}

// ---------------------------------------------------------------------------------------------
// The header rules the answers are checked against (docs/aws-behaviour.md, "Headers between caller, gateway and integration").

type ProxyType = "AWS_PROXY" | "HTTP_PROXY";
const lower = (names: readonly string[]) => new Set(names.map((n) => n.toLowerCase()));
const DROPPED = lower(REST_DROPPED_RESPONSE_HEADERS_PROXY);
/** Remapped to x-amzn-Remapped-<name>: the proxy list, and the headers the gateway sets itself. */
const REMAPPED: Record<ProxyType, Set<string>> = {
  AWS_PROXY: lower([...REST_REMAPPED_RESPONSE_HEADERS_PROXY, "x-amz-apigw-id", "X-Amzn-Trace-Id"]),
  HTTP_PROXY: lower([...REST_REMAPPED_RESPONSE_HEADERS_PROXY, "x-amz-apigw-id"]),
};
/** Written once by the gateway (or its HTTP server) on every answer. */
const OWN_ONCE = ["content-length", "date", "x-amzn-requestid", "x-amz-apigw-id"];
/** The gateway's HTTP server's own connection headers; a backend's Keep-Alive passes through too (not asserted). */
const CONNECTION_HEADERS = new Set(["connection", "keep-alive"]);
/** The only headers of a gateway error answer. */
const GATEWAY_ERROR_HEADERS = new Set([...OWN_ONCE, ...CONNECTION_HEADERS, "content-type", "x-amzn-errortype"]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What the gateway writes as is (headers.ts WRITABLE_VALUE): anything else is left out. */
const WRITABLE_VALUE = /^[\t\x20-\x7e]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A header value as comparable pieces: split at commas, each trimmed. A header sent as several
 * lines or merged into one (`a, b`) gives the same pieces, and so does the trimming of each
 * line's whitespace by the client.
 */
const pieces = (value: string) => value.split(",").map((p) => p.replace(/^[ \t]+|[ \t]+$/g, ""));
const sorted = (values: string[]) => [...values].sort();

/**
 * What a backend's headers may become, by the lower-cased name the caller receives: each entry
 * lists the piece multisets allowed (one per way AWS might combine case variants), or is
 * "any" when AWS's answer is not known for one of the headers that land there.
 */
type Expected = Map<string, string[][] | "any">;

/** One backend header group (one lower-cased name), with the piece multisets it may give. */
interface Group {
  name: string;
  /** Allowed piece lists; undefined when what it gives is not asserted. */
  allowed?: string[][];
}

function addGroup(expected: Expected, type: ProxyType, group: Group): void {
  const name = group.name.toLowerCase();
  if (DROPPED.has(name)) return;
  const final = REMAPPED[type].has(name) ? `x-amzn-remapped-${name}` : name;
  const current = expected.get(final);
  if (group.allowed === undefined || current === "any") {
    expected.set(final, "any");
    return;
  }
  const base = current ?? [[]];
  expected.set(final, base.flatMap((a) => group.allowed!.map((b) => [...a, ...b])));
}

// ---------------------------------------------------------------------------------------------
// Talking to the gateway: one keep-alive connection, raw header lines kept, a deadline.

interface Answer {
  status: number;
  /** Header lines as received, in order, names as spelled. */
  lines: Array<[string, string]>;
  body: Buffer;
}

class GatewayClient {
  private agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(private readonly origin: URL) {}

  async send(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
    try {
      return await this.attempt(method, path, body, headers);
    } catch (error) {
      // A keep-alive connection the server closed just before it was reused: send again once.
      const failure = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
      if (failure.reusedSocket && (failure.code === "ECONNRESET" || failure.message === "socket hang up")) return this.attempt(method, path, body, headers);
      throw error;
    }
  }

  destroy(): void {
    this.agent.destroy();
  }

  /** A fresh connection: after a request the gateway never answered, the next must not queue behind it. */
  reset(): void {
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  private attempt(method: string, path: string, body: Buffer | undefined, headers: Record<string, string>, timeoutMs = 10_000): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        {
          host: this.origin.hostname,
          port: this.origin.port,
          method,
          path,
          agent: this.agent,
          // Whatever the gateway writes must be readable; what a backend's huge header costs is not the question here.
          maxHeaderSize: 16 * 1024 * 1024,
          headers: body === undefined ? headers : { ...headers, "Content-Length": String(body.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", fail);
          res.on("end", () => {
            clearTimeout(timer);
            const lines: Array<[string, string]> = [];
            for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
            resolve({ status: res.statusCode ?? 0, lines, body: Buffer.concat(chunks) });
          });
        },
      );
      function fail(error: Error) {
        clearTimeout(timer);
        req.destroy();
        reject(Object.assign(error, { reusedSocket: req.reusedSocket }));
      }
      // An interim answer is not an answer: the gateway must send a final one, and never does after it.
      req.on("information", (info) => fail(new Error(`the gateway answered an interim ${info.statusCode} ${JSON.stringify(info.rawHeaders).slice(0, 300)} as its answer`)));
      req.on("upgrade", (res) => fail(new Error(`the gateway switched protocols (${res.statusCode})`)));
      req.on("error", fail);
      const timer = setTimeout(() => fail(new Error(`no complete answer to ${method} ${path} within ${timeoutMs} ms`)), timeoutMs);
      req.end(body);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The raw HTTP backend: serves `GET /r/<id>` with the bytes scripted under <id>, then closes.

class RawBackend {
  private readonly scripts = new Map<string, Buffer>();
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => this.serve(socket));
  private next = 0;

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Registers bytes to answer; returns their id. */
  script(bytes: Buffer): string {
    const id = `s${this.next++}`;
    this.scripts.set(id, bytes);
    return id;
  }

  forget(id: string): void {
    this.scripts.delete(id);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    let head = "";
    socket.on("data", (chunk: Buffer) => {
      if (head.includes("\r\n\r\n")) return;
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const id = /^GET \/r\/([A-Za-z0-9]+)[ ?]/.exec(head)?.[1];
      const bytes = id === undefined ? undefined : this.scripts.get(id);
      socket.end(bytes ?? Buffer.from("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    });
  }
}

/** What node's HTTP client, as the gateway's HTTP integration sets it up, reads from the backend. */
type Reading = { ok: true; status: number; lines: Array<[string, string]>; body: Buffer } | { ok: false; why: string };

/** Reads `url` as sendHttpIntegrationRequest does (agent: false, no Connection header, an answer is one that ended complete). */
function nodeReads(url: string): Promise<Reading> {
  return new Promise<Reading>((resolve) => {
    let settled = false;
    const done = (reading: Reading) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(reading);
    };
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, why: "timeout" });
    }, 5_000);
    const req = http.request(url, { method: "GET", agent: false });
    req.removeHeader("Connection");
    req.on("error", (error: NodeJS.ErrnoException) => done({ ok: false, why: `${error.code}: ${error.message}` }));
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      done({ ok: false, why: "upgrade" });
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error: NodeJS.ErrnoException) => done({ ok: false, why: `${error.code}: ${error.message}` }));
      res.on("close", () => {
        if (!res.complete) done({ ok: false, why: "incomplete" });
      });
      res.on("end", () => {
        const lines: Array<[string, string]> = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        done({ ok: true, status: res.statusCode ?? 0, lines, body: Buffer.concat(chunks) });
      });
    });
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Checking one answer.

interface Expectation {
  type: ProxyType;
  /** The backend's status when its answer can go through; undefined when it cannot. */
  status?: number;
  /** Whether the gateway error is allowed instead of (or, with no status, as) the answer. */
  gatewayError: { status: number } | undefined;
  /** The body the caller gets with the backend's status. */
  body?: Buffer;
  /** The backend's headers as the caller may get them; undefined: only the general rules. */
  headers?: Expected;
  /** Whether the backend set a Content-Type of its own (else application/json is added). */
  contentType: "set" | "none" | "unknown";
}

/** What is wrong with an answer, or undefined. */
function problemWith(answer: Answer, expected: Expectation): string | undefined {
  const byName = new Map<string, string[]>();
  for (const [name, value] of answer.lines) byName.set(name.toLowerCase(), [...(byName.get(name.toLowerCase()) ?? []), value]);
  const values = (name: string) => byName.get(name) ?? [];

  // Framing: node's client read it to the end; it must be one Content-Length, the body's.
  if (values("transfer-encoding").length > 0) return `Transfer-Encoding ${JSON.stringify(values("transfer-encoding"))} on the answer`;
  if (values("trailer").length > 0) return `Trailer ${JSON.stringify(values("trailer"))} on the answer`;
  const bodiless = answer.status === 204 || answer.status === 304;
  for (const name of OWN_ONCE) {
    if (values(name).length !== 1) return `one ${name} header, got ${JSON.stringify(values(name))}`;
  }
  if (!bodiless && values("content-length")[0] !== String(answer.body.length)) return `Content-Length ${JSON.stringify(values("content-length"))} for a body of ${answer.body.length} bytes`;
  if (!UUID.test(values("x-amzn-requestid")[0])) return `x-amzn-RequestId ${JSON.stringify(values("x-amzn-requestid"))} is the gateway's UUID`;
  if (values("connection").length > 1) return `Connection ${JSON.stringify(values("connection"))}`;

  if (expected.gatewayError !== undefined && answer.status === expected.gatewayError.status) {
    const foreign = [...byName.keys()].filter((name) => !GATEWAY_ERROR_HEADERS.has(name));
    const problem =
      answer.body.toString("utf8") !== INTERNAL_SERVER_ERROR
        ? `the gateway error's body ${INTERNAL_SERVER_ERROR}, got ${JSON.stringify(answer.body.toString("utf8").slice(0, 300))}`
        : foreign.length > 0
          ? `no backend header on a gateway error, got ${JSON.stringify(foreign)}`
          : undefined;
    // The backend's own status may be the same (a function answering 502): then its answer is checked below.
    if (problem === undefined || answer.status !== expected.status) return problem;
  }
  if (answer.status !== expected.status) {
    const allowed = [expected.status, expected.gatewayError?.status].filter((s) => s !== undefined);
    return `status ${allowed.join(" or ")}, got ${answer.status} ${JSON.stringify(answer.body.toString("utf8").slice(0, 200))}`;
  }
  if (expected.body !== undefined) {
    const want = bodiless ? Buffer.alloc(0) : expected.body;
    if (!answer.body.equals(want)) return `the backend's body (${want.length} bytes) ${JSON.stringify(want.toString("utf8").slice(0, 120))}, got ${answer.body.length} bytes ${JSON.stringify(answer.body.toString("utf8").slice(0, 120))}`;
  }
  if (expected.type === "AWS_PROXY") {
    const trace = values("x-amzn-trace-id");
    if (trace.length !== 1 || !trace[0].startsWith("Root=")) return `one X-Amzn-Trace-Id of the gateway's, got ${JSON.stringify(trace)}`;
  }

  // Every header received is the gateway's or one the backend sent (as the rules make it).
  for (const [name, got] of byName) {
    if (OWN_ONCE.includes(name) || CONNECTION_HEADERS.has(name)) continue;
    if (expected.type === "AWS_PROXY" && name === "x-amzn-trace-id") continue;
    if (DROPPED.has(name)) return `${name} (dropped from proxy answers) on the answer: ${JSON.stringify(got)}`;
    if (REMAPPED[expected.type].has(name)) return `${name} (remapped from proxy answers) on the answer: ${JSON.stringify(got)}`;
    if (expected.headers === undefined) continue;
    const want = expected.headers.get(name);
    if (name === "content-type" && want === undefined) {
      if (expected.contentType === "none" && (got.length !== 1 || got[0] !== "application/json")) return `Content-Type application/json (the backend set none), got ${JSON.stringify(got)}`;
      continue;
    }
    if (want === "any") continue;
    if (want === undefined) return `header ${name} ${JSON.stringify(got).slice(0, 200)}, which the backend did not send`;
    const gotPieces = JSON.stringify(sorted(got.flatMap(pieces)));
    if (!want.some((w) => JSON.stringify(sorted(w)) === gotPieces)) return `header ${name}: ${JSON.stringify(want.map(sorted)).slice(0, 300)}, got ${JSON.stringify(got).slice(0, 300)}`;
  }
  // ... and every header the backend sent that HTTP can carry arrived.
  for (const [name, want] of expected.headers ?? []) {
    if (want === "any" || byName.has(name)) continue;
    if (want.some((w) => w.length === 0)) continue;
    return `header ${name} ${JSON.stringify(want).slice(0, 200)} (the backend's) is missing`;
  }
  if (expected.headers !== undefined && expected.contentType === "none" && !byName.has("content-type")) return "Content-Type application/json (the backend set none) is missing";
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries: header names and values.

const RESERVED_NAMES = [
  "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "Date", "Server", "Trailer", "TE", "Upgrade", "Host", "Expect", "Via",
  "Max-Forwards", "Content-MD5", "Authorization", "User-Agent", "WWW-Authenticate", "Proxy-Authenticate", "x-amzn-RequestId", "x-amz-apigw-id", "X-Amzn-Trace-Id",
  "x-amzn-ErrorType", "x-amzn-Remapped-Content-Length", "x-amzn-Remapped-Date", "Content-Type", "Content-Encoding", "Set-Cookie", "Location", "Cache-Control", "Vary", "ETag",
  "Access-Control-Allow-Origin", "Content-Range", "Accept-Ranges", "Age", "Retry-After", "Warning", "Status", "HTTP2-Settings", "Alt-Svc", "Strict-Transport-Security",
] as const;
const caseVariant = (name: string) => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase());
const reservedName = fc.constantFrom(...RESERVED_NAMES).chain(caseVariant);
const tokenName = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,24}$/);
/** Not RFC 9110 tokens: the gateway cannot write them (what AWS does is not recorded). */
const invalidName = fc.constantFrom("", " ", "a b", " x", "x ", ":status", "x:y", "x\r\ny", "x\nSet-Cookie: evil=1", "x\r", "\u0000", "x\u0000", "é", "名前", 'x"y', "(x)", "x/y", "x@y", "[x]", "\t", "x\u007f", "\u{1f600}", "\ud800");
/** Names an object or Map implementation might trip on. */
const objectName = fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype", "__defineGetter__", "0", "123", "length");
const headerName = fc.oneof({ weight: 5, arbitrary: reservedName }, { weight: 4, arbitrary: tokenName }, { weight: 2, arbitrary: invalidName }, { weight: 1, arbitrary: objectName });

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
/** Strings as a backend may put anything in them: controls (header injection), obs-text, unicode, lone surrogates. */
const anyText = fc.oneof(
  { weight: 6, arbitrary: printable },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "  padded\t", "\t", "a, b", ",", "5", "0", "-1", "chunked", "close", "keep-alive", "gzip, chunked", "Thu, 01 Jan 1970 00:00:00 GMT", "Root=1-00000000-000000000000000000000000") },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), fc.constantFrom("\r", "\n", "\r\n", "\u0000", "\u007f", "\u001b", "\r\nSet-Cookie: evil=1", "\r\n\r\n<html>")), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 10 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 8_000, max: 70_000 }), fc.constantFrom("v", "ab,", "\u00e9", "x\r\n")).map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length))) },
);

// ---------------------------------------------------------------------------------------------
// The Lambda proxy result, and what API Gateway makes of it.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A `headers` value: mostly text, and the other JSON values a function may return. */
const soloValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 10, arbitrary: anyText },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constantFrom(0, -0, 1.5, 1e21, -1e-7, Number.MAX_SAFE_INTEGER)) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, {}, { a: "b" }, [], ["a", "b"], [["x"]]) },
);
const multiValue: fc.Arbitrary<Json> = fc.array(fc.oneof({ weight: 8, arbitrary: anyText }, { weight: 1, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.integer() }, { weight: 1, arbitrary: fc.constantFrom<Json>(null, {}) }), { maxLength: 4 });
/** An object with these entries, `__proto__` an own key like any other (as JSON.parse makes it). */
const entriesObject = (entries: Array<[string, Json]>): { [key: string]: Json } => Object.fromEntries(entries);
const headerEntries = (value: fc.Arbitrary<Json>) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.array(fc.tuple(headerName, value), { maxLength: 10 }) },
    // Case variants of one name, in both maps.
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...RESERVED_NAMES, "X-Custom", "Set-Cookie"), fc.array(value, { minLength: 2, maxLength: 3 })).map(([name, vs]) => vs.map((v, i): [string, Json] => [[name, name.toLowerCase(), name.toUpperCase()][i], v])) },
    // Many headers.
    { weight: 1, arbitrary: fc.array(fc.tuple(tokenName, value), { minLength: 100, maxLength: 300 }) },
  );
const statusCode: fc.Arbitrary<Json | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom<Json>(200, 201, 202, 204, 206, 301, 302, 304, 400, 401, 403, 404, 418, 429, 500, 502, 503, 599) },
  { weight: 2, arbitrary: fc.constantFrom<Json | undefined>(undefined, "200", "404", "0200") },
  { weight: 2, arbitrary: fc.constantFrom<Json>(100, 101, 103, 199, 99, 0, -1, 600, 999, 1000, 200.5, "abc", "", null, true) },
);

interface ProxyResult {
  statusCode?: Json;
  headers?: Json;
  multiValueHeaders?: Json;
  body?: Json;
  [extra: string]: Json | undefined;
}

const proxyResult: fc.Arbitrary<ProxyResult> = fc
  .record(
    {
      statusCode,
      headers: fc.oneof({ weight: 12, arbitrary: headerEntries(soloValue).map(entriesObject) }, { weight: 1, arbitrary: fc.constantFrom<Json>(null, "x-a: b", ["a"], 1) }),
      multiValueHeaders: fc.oneof(
        { weight: 12, arbitrary: headerEntries(multiValue).map(entriesObject) },
        { weight: 1, arbitrary: fc.constantFrom<Json>(null, "x", ["a"]) },
        // One value that is not a list: malformed (recorded: 502).
        { weight: 1, arbitrary: fc.tuple(headerEntries(multiValue), headerName, fc.oneof(anyText, fc.constantFrom<Json>(null, {}, 1, true))).map(([entries, name, value]) => entriesObject([...entries, [name, value]])) },
      ),
      body: fc.oneof(
        { weight: 8, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
        { weight: 1, arbitrary: fc.constant<Json>(null) },
        { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 200_000 }).map((n) => "b\r\n0\r\n\r\n".repeat(Math.ceil(n / 10))) },
      ),
      // Now and then a key a proxy result may not have (malformed: 502).
      wrongKey: fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant("x") }),
    },
    { requiredKeys: [] },
  )
  .map(({ wrongKey, ...result }) => printedShort(wrongKey === undefined ? (result as ProxyResult) : { ...result, wrongKey }));

/** Long strings cut in what fast-check prints of a value (replay a failure with its seed and path). */
function printedShort<T extends object>(value: T): T {
  const short = (v: unknown): unknown =>
    typeof v === "string" && v.length > 80 ? `${v.slice(0, 40)}...<${v.length} chars>` : Array.isArray(v) ? v.map(short) : typeof v === "object" && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [short(k), short(x)])) : v;
  Object.defineProperty(value, fc.toStringMethod, { value: () => JSON.stringify(short(value)), enumerable: false });
  return value;
}

/** Header value types API Gateway takes as they are (str, bool: LocalStack's AWS-validated check; numbers not recorded). */
function scalarText(value: Json): { text: string; known: boolean } | undefined {
  if (typeof value === "string") return { text: value, known: true };
  if (typeof value === "boolean") return { text: String(value), known: true };
  if (typeof value === "number") return { text: String(value), known: false };
  return undefined;
}

const isObject = (value: unknown): value is { [key: string]: Json } => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * What API Gateway answers for a proxy result (AWS-recorded rules: LocalStack
 * test_aws_proxy_response_payload_format_validation, 15-11-2024, and its validated parser):
 * only the known keys; statusCode an integer or a string of digits; multiValueHeaders lists;
 * `headers` and `multiValueHeaders` merged case-insensitively as "multi, solo"; booleans as
 * "true"/"false". Cases AWS has not been recorded on allow the 502 as well as the answer.
 */
function lambdaExpectation(result: ProxyResult): Expectation {
  const malformed: Expectation = { type: "AWS_PROXY", gatewayError: { status: 502 }, contentType: "unknown" };
  const known = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"]);
  if (Object.keys(result).some((key) => !known.has(key))) return malformed;
  let status = 200;
  let recorded = true;
  if (result.statusCode !== undefined) {
    const code = result.statusCode;
    const numeric = typeof code === "number" ? code : typeof code === "string" && /^\d+$/.test(code) ? Number(code) : NaN;
    // int() of it fails: malformed (recorded for "test").
    if (!Number.isInteger(numeric)) return malformed;
    // Not a final HTTP status: no answer can carry it.
    if (numeric < 200 || numeric > 599) return malformed;
    status = numeric;
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== "string") return malformed;
  const multi = result.multiValueHeaders;
  if (multi !== undefined && multi !== null) {
    if (!isObject(multi)) recorded = false;
    else if (Object.values(multi).some((v) => !Array.isArray(v))) return malformed;
  }
  const solo = result.headers;
  // `headers` that is no object (a string, a list): malformed for LocalStack's parser, not recorded.
  const shapeKnown = solo === undefined || solo === null || isObject(solo);
  if (!shapeKnown) recorded = false;

  const groups = new Map<string, { names: string[]; multi: Json[][]; solo: Json[] }>();
  const group = (name: string) => {
    const key = name.toLowerCase();
    const g = groups.get(key) ?? { names: [], multi: [], solo: [] };
    groups.set(key, g);
    g.names.push(name);
    return g;
  };
  if (isObject(multi)) for (const [name, values] of Object.entries(multi)) if (Array.isArray(values)) group(name).multi.push(values);
  if (isObject(solo)) for (const [name, value] of Object.entries(solo)) group(name).solo.push(value);

  const expected: Expected = new Map();
  let contentType: Expectation["contentType"] = "none";
  for (const [key, g] of groups) {
    const multiTexts = g.multi.flat().map(scalarText);
    const soloTexts = g.solo.map(scalarText);
    const all = [...multiTexts, ...soloTexts];
    if (soloTexts.some((t) => t === undefined || !t.known)) recorded = false;
    const asserted = all.every((t) => t !== undefined && t.known && WRITABLE_VALUE.test(t.text)) && g.names.every((n) => TOKEN.test(n));
    if (key === "content-type") contentType = asserted && all.length > 0 ? "set" : "unknown";
    if (!asserted) {
      addGroup(expected, "AWS_PROXY", { name: key });
      continue;
    }
    const multiPieces = multiTexts.flatMap((t) => pieces(t!.text));
    // Several `headers` spellings of one name: AWS may merge them or keep one (not recorded).
    const soloOptions = soloTexts.length <= 1 ? [soloTexts.flatMap((t) => pieces(t!.text))] : [soloTexts.flatMap((t) => pieces(t!.text)), ...soloTexts.map((t) => pieces(t!.text))];
    if (all.length === 0) continue;
    addGroup(expected, "AWS_PROXY", { name: key, allowed: soloOptions.map((s) => [...multiPieces, ...s]) });
  }
  return {
    type: "AWS_PROXY",
    status,
    gatewayError: recorded ? undefined : { status: 502 },
    body: Buffer.from(typeof result.body === "string" ? result.body : "", "utf8"),
    headers: shapeKnown ? expected : undefined,
    contentType: shapeKnown ? contentType : "unknown",
  };
}

// ---------------------------------------------------------------------------------------------
// The raw HTTP answer, and what the gateway makes of what node read of it.

const EOL = fc.oneof({ weight: 12, arbitrary: fc.constant("\r\n") }, { weight: 1, arbitrary: fc.constantFrom("\n", "\r", "\n\r") });
/** Latin-1 text (one byte per character on the wire). */
const obsText = fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 6 });
const cleanRawValue = fc.oneof(
  { weight: 10, arbitrary: printable },
  { weight: 2, arbitrary: fc.constantFrom("", " ", "\tx\t", "a, b", "5", "0", "chunked", "gzip, chunked", "close", "keep-alive", "upgrade", "h2c", "trailers", "X-Trailer", "100-continue") },
  { weight: 1, arbitrary: obsText },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 4_000 }).map((n) => "h".repeat(n)) },
);
const rawValue = fc.oneof(
  { weight: 6, arbitrary: cleanRawValue },
  { weight: 1, arbitrary: fc.constantFrom("a\u0000b", "a\u0001b", "a\u007fb", "\u001b[31m") },
  { weight: 1, arbitrary: fc.integer({ min: 8_000, max: 20_000 }).map((n) => "h".repeat(n)) },
);
/** Framing is the `framing` part's: these names go out with other values only in dirty answers. */
const FRAMING_NAMES = new Set(["content-length", "transfer-encoding"]);
const cleanRawName = fc.oneof(reservedName, tokenName).filter((n) => !FRAMING_NAMES.has(n.toLowerCase()));
const separator = fc.constantFrom(": ", ":", ":  ", ":\t");
const cleanRawLine = fc.tuple(cleanRawName, separator, cleanRawValue).map(([n, sep, v]) => `${n}${sep}${v}`);
const rawHeaderLine = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(fc.oneof(reservedName, tokenName), separator, rawValue).map(([n, sep, v]) => `${n}${sep}${v}`) },
  { weight: 1, arbitrary: fc.constantFrom(" obs-fold continuation", "\tfolded", "NoColon", ": no name", "X-Space : before colon", "X Bad: name", "X-Nul\u0000: x", "\u00e9t\u00e9: latin1 name", "X-Empty:", "Content-Length: 5, 5", "Content-Length: +1", "Content-Length: -1", "Content-Length: 1e2", "Content-Length: 99999999999999999999", "Transfer-Encoding: gzip", "Transfer-Encoding: chunked, gzip", "Transfer-Encoding: identity") },
);
const cleanStatusLine = fc.constantFrom(200, 201, 202, 204, 206, 301, 302, 304, 400, 401, 404, 418, 429, 500, 502, 503, 504, 599, 600, 999).map((s) => `HTTP/1.1 ${s} Reason`);
const rawStatusLine = fc.oneof(
  { weight: 4, arbitrary: cleanStatusLine },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 999 }).map((s) => `HTTP/1.1 ${String(s).padStart(3, "0")} X`) },
  { weight: 2, arbitrary: fc.constantFrom("HTTP/1.0 200 OK", "HTTP/1.1 200", "HTTP/1.1 200 ", "HTTP/1.1 200 \u00e9", "HTTP/2 200", "HTTP/1.1 2000 X", "HTTP/1.1 20 X", "ICY 200 OK", "http/1.1 200 OK", "HTTP/1.1  200 OK", "", "HTTP/1.1 101 Switching Protocols", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK", "HTTP/1.1 100 Continue") },
);
type Framing = "length" | "close" | "chunked" | "chunked-trailers" | "chunked-broken" | "length-short" | "length-long" | "length-twice" | "length-conflict" | "length-and-chunked" | "chunked-twice";
const cleanFraming = fc.oneof({ weight: 3, arbitrary: fc.constant<Framing>("length") }, { weight: 2, arbitrary: fc.constantFrom<Framing>("close", "chunked", "chunked-trailers") });
const framing = fc.oneof(
  { weight: 3, arbitrary: cleanFraming },
  { weight: 1, arbitrary: fc.constantFrom<Framing>("length-twice", "chunked-broken", "length-short", "length-long", "length-conflict", "length-and-chunked", "chunked-twice") },
);
const rawBody = fc.oneof({ weight: 6, arbitrary: fc.uint8Array({ maxLength: 512 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 30_000, maxLength: 70_000 }) }).map((a) => Buffer.from(a));

interface RawAnswer {
  statusLine: string;
  lines: string[];
  eol: string;
  framing: Framing;
  body: Buffer;
}
/** Clean answers (what node reads, with any names and values it allows) three times as often as dirty ones. */
const rawAnswer: fc.Arbitrary<RawAnswer> = fc
  .oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        statusLine: cleanStatusLine,
        lines: fc.oneof({ weight: 8, arbitrary: fc.array(cleanRawLine, { maxLength: 12 }) }, { weight: 1, arbitrary: fc.array(cleanRawLine.filter((l) => l.length < 100), { minLength: 60, maxLength: 120 }) }),
        eol: fc.constant("\r\n"),
        framing: cleanFraming,
        body: rawBody,
      })
      // A 204 or 304 has no body: bytes after its head are the next answer, which node may or may not read as garbage first.
      .map((answer) => (/^HTTP\/1\.1 (204|304) /.test(answer.statusLine) ? { ...answer, body: Buffer.alloc(0) } : answer)),
    },
    { weight: 1, arbitrary: fc.record({ statusLine: rawStatusLine, lines: fc.array(rawHeaderLine, { maxLength: 8 }), eol: EOL, framing, body: rawBody }) },
  )
  .map((answer) => printedShort(answer));

function chunked(body: Buffer, trailers: string[] = []): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += 1000) {
    const chunk = body.subarray(at, at + 1000);
    parts.push(Buffer.from(`${chunk.length.toString(16)}${at === 0 ? ";ext=1" : ""}\r\n`), chunk, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`0\r\n${trailers.map((t) => `${t}\r\n`).join("")}\r\n`));
  return Buffer.concat(parts);
}

/** The bytes the backend writes. Header text goes out as Latin-1, one byte per character. */
function rawBytes(answer: RawAnswer): Buffer {
  const { body, eol } = answer;
  const framingLines: Record<Framing, string[]> = {
    length: [`Content-Length: ${body.length}`],
    close: [],
    chunked: ["Transfer-Encoding: chunked"],
    "chunked-trailers": ["Transfer-Encoding: chunked", "Trailer: X-Checksum, Server"],
    "chunked-broken": ["Transfer-Encoding: chunked"],
    "length-short": [`Content-Length: ${Math.max(0, body.length - 1)}`],
    "length-long": [`Content-Length: ${body.length + 3}`],
    "length-twice": [`Content-Length: ${body.length}`, `Content-Length: ${body.length}`],
    "length-conflict": [`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`],
    "length-and-chunked": [`Content-Length: ${body.length}`, "Transfer-Encoding: chunked"],
    "chunked-twice": ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"],
  };
  const payload: Record<Framing, Buffer> = {
    length: body,
    close: body,
    chunked: chunked(body),
    "chunked-trailers": chunked(body, ["X-Checksum: 1", "Server: trailer"]),
    "chunked-broken": Buffer.concat([Buffer.from(`zz${body.length.toString(16)}\r\n`), body]),
    "length-short": body,
    "length-long": body,
    "length-twice": body,
    "length-conflict": body,
    "length-and-chunked": chunked(body),
    "chunked-twice": chunked(body),
  };
  const head = [answer.statusLine, ...answer.lines, ...framingLines[answer.framing]].map((line) => line + eol).join("") + eol;
  return Buffer.concat([Buffer.from(head, "latin1"), payload[answer.framing]]);
}

/** What the gateway must answer for what node read of the backend's answer. */
function httpExpectation(reading: Reading): Expectation {
  // Not HTTP, or not a complete answer: API_CONFIGURATION_ERROR, 500 Internal server error.
  if (!reading.ok) return { type: "HTTP_PROXY", gatewayError: { status: 500 }, contentType: "unknown" };
  const expected: Expected = new Map();
  const groups = new Map<string, string[]>();
  for (const [name, value] of reading.lines) groups.set(name.toLowerCase(), [...(groups.get(name.toLowerCase()) ?? []), value]);
  let contentType: Expectation["contentType"] = "none";
  for (const [key, values] of groups) {
    const asserted = values.every((v) => WRITABLE_VALUE.test(v));
    if (key === "content-type") contentType = asserted ? "set" : "unknown";
    addGroup(expected, "HTTP_PROXY", asserted ? { name: key, allowed: [values.flatMap(pieces)] } : { name: key });
  }
  // A status HTTP cannot carry to the caller (below 100; 1xx never is a final answer here):
  // AWS's answer is not recorded; the gateway must still answer.
  const carried = reading.status >= 200 && reading.status <= 999;
  return {
    type: "HTTP_PROXY",
    status: carried ? reading.status : undefined,
    gatewayError: carried && reading.status <= 599 ? undefined : { status: 500 },
    body: reading.body,
    headers: expected,
    contentType,
  };
}

// ---------------------------------------------------------------------------------------------

describe("reliability: any backend header through the running local cloud (AWS_PROXY and HTTP_PROXY)", function () {
  this.timeout(60_000 * FUZZ_SCALE);
  const backend = new RawBackend();
  before(async () => {
    // Read by backendHeadersProgram.ts when the cloud runs it (the fixture's `before` comes next).
    process.env.BACKEND_HEADERS_RAW_URL = await backend.start();
  });
  const fixture = useLocalCloud("backend-headers", { stack: "dev", program: PROGRAM });
  const watch = new CrashWatch();
  let client: GatewayClient;
  let base = "";
  /** What the gateway wrote to stderr while a property ran: internal errors must not be among it. */
  const gatewayLog: string[] = [];
  let restoreStderr: (() => void) | undefined;

  before(() => {
    const url = new URL(fixture.cloud.endpoints.restApi);
    base = url.pathname.replace(/\/$/, "");
    client = new GatewayClient(url);
  });
  after(async () => {
    restoreStderr?.();
    watch.stop();
    client?.destroy();
    await backend.close();
    delete process.env.BACKEND_HEADERS_RAW_URL;
  });

  /** Captures stderr (the gateway logs each header it leaves out: hundreds of lines) while `work` runs. */
  async function quietly<T>(work: () => Promise<T>): Promise<T> {
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      gatewayLog.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stderr.write;
    restoreStderr = () => (process.stderr.write = write);
    try {
      return await work();
    } finally {
      restoreStderr();
      restoreStderr = undefined;
    }
  }

  /** Sends, failing at once on an uncaught error in the process or an internal error the gateway logged. */
  async function send(method: string, path: string, body?: Buffer, headers?: Record<string, string>): Promise<Answer> {
    const crashes = watch.crashes.length;
    const logged = gatewayLog.length;
    let answer: Answer;
    try {
      answer = await watch.race(client.send(method, path, body, headers));
    } catch (error) {
      client.reset();
      throw error;
    }
    const crashed = watch.since(crashes);
    if (crashed.length > 0) throw new Error(`the process met an uncaught error:\n${crashed.join("\n")}`);
    const internal = gatewayLog.slice(logged).filter((line) => line.startsWith("[rest-gateway]") && !/: response header .* left out \((invalid-name|invalid-value)\)\n?$/.test(line));
    if (internal.length > 0) throw new Error(`the gateway logged an internal error:\n${internal.join("").slice(0, 2000)}`);
    return answer;
  }

  async function holds<T extends unknown[]>(property: fc.IAsyncPropertyWithHooks<T>, numRuns: number, examples: T[] = []): Promise<void> {
    watch.start();
    try {
      await quietly(() =>
        fc.assert(property, { seed: SEED, numRuns: Math.ceil(numRuns * FUZZ_SCALE), examples, interruptAfterTimeLimit: TIME_BUDGET_MS, markInterruptAsFailure: false }),
      );
    } finally {
      watch.stop();
    }
    // The cloud keeps serving: a plain answer through each backend.
    const lambda = await client.send("POST", `${base}/lambda`, Buffer.from(JSON.stringify({ statusCode: 200, body: "alive" })), { "Content-Type": "application/json" });
    expect([lambda.status, lambda.body.toString()], "POST /lambda after the property").to.deep.equal([200, "alive"]);
    const id = backend.script(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nalive"));
    const raw = await client.send("GET", `${base}/http/${id}`);
    expect([raw.status, raw.body.toString()], "GET /http after the property").to.deep.equal([200, "alive"]);
  }

  it("a Lambda proxy answering any headers and multiValueHeaders: its status, body and passable headers, reserved ones remapped or dropped, or 502", async () => {
    await holds(
      fc.asyncProperty(proxyResult, async (result) => {
        const answer = await send("POST", `${base}/lambda`, Buffer.from(JSON.stringify(result)), { "Content-Type": "application/json" });
        const expectation = lambdaExpectation(result);
        const problem = problemWith(answer, expectation);
        if (problem) throw new Error(`${problem}\n  answer: ${answer.status} ${JSON.stringify(answer.lines).slice(0, 1500)}`);
      }),
      600,
      [
        // Reserved and framing headers with values that would break the answer if written.
        [{ statusCode: 200, headers: { "Content-Length": "5", "Transfer-Encoding": "chunked", Trailer: "X-A", Connection: "close", Date: "x", Server: "s", TE: "trailers", Upgrade: "h2c", Host: "h", "x-amzn-RequestId": "r", "X-Amzn-Trace-Id": "t", "WWW-Authenticate": "Basic" }, body: "hello" }],
        [{ statusCode: 200, headers: { "X-Injected": "a\r\nSet-Cookie: evil=1", "X-Nul": "a\u0000b", "X-Latin": "\u00e9", "X-Emoji": "\u{1f600}", "bad name": "v", "": "empty", "x:y": "v" }, body: "b" }],
        [{ statusCode: 201, headers: { "X-Number": 1, "X-Bool": true, "X-Null": null, "X-Object": { a: 1 } }, multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"], "content-length": ["1", "2"] }, body: "" }],
        // Found by this property: a `__proto__` header, a valid RFC 9110
        // token that AWS passes like any other, was lost, in `headers` and in `multiValueHeaders`.
        [JSON.parse(`{"headers": {"__proto__": "p", "X-Ok": "1"}}`)],
        [JSON.parse(`{"multiValueHeaders": {"__proto__": ["a"], "X-Ok": ["1"]}}`)],
        // Two spellings of one name in `headers`: came back as "a, b, cd" (the first value spread
        // into its characters). AWS merges `headers` into `multiValueHeaders` case-insensitively
        // ("multi, solo", recorded); for two `headers` spellings either both values or one is allowed.
        [{ headers: { "X-Custom": "ab", "x-custom": "cd" } }],
        // An informational status: the gateway answered it as its final answer (HTTP/1.1 100
        // Continue with headers and no body), the caller waits for an answer that never comes.
        // No interim status can be a final answer: the gateway's 502 for a result it cannot serve.
        [{ statusCode: 100, body: "x" }],
        [{ statusCode: 101, body: "x" }],
      ].map(([result]) => [printedShort(result as ProxyResult)] as [ProxyResult]),
    );
  });

  it("an HTTP_PROXY backend answering any status line, header lines and framing: what node reads of it passes, reserved headers remapped or dropped, else 500", async () => {
    await holds(
      fc.asyncProperty(rawAnswer, async (raw) => {
        const id = backend.script(rawBytes(raw));
        try {
          const reading = await nodeReads(`${(process.env.BACKEND_HEADERS_RAW_URL as string)}/r/${id}`);
          const answer = await send("GET", `${base}/http/${id}`);
          const problem = problemWith(answer, httpExpectation(reading));
          const read = reading.ok ? `${reading.status} ${JSON.stringify(reading.lines).slice(0, 600)}` : reading.why;
          if (problem) throw new Error(`${problem}\n  node read: ${read}\n  answer: ${answer.status} ${JSON.stringify(answer.lines).slice(0, 1500)}`);
        } finally {
          backend.forget(id);
        }
      }),
      800,
      [
        [{ statusLine: "HTTP/1.1 200 OK", lines: ["Content-Length: 5", "Server: raw", "Date: x", "Connection: close", "x-amzn-RequestId: r", "Via: 1.1 x", "Keep-Alive: timeout=1"], eol: "\r\n", framing: "close", body: Buffer.from("hello") }],
        [{ statusLine: "HTTP/1.1 200 OK", lines: ["X-A: 1"], eol: "\r\n", framing: "chunked-trailers", body: Buffer.from("chunked body") }],
        // Found by this property: node's parser reads a status below 100 (`042`, `000`), the
        // gateway's writeHead throws RangeError ERR_HTTP_INVALID_STATUS_CODE outside any try: an
        // unhandled rejection (the end of the process under `npm start`), the caller never answered.
        [{ statusLine: "HTTP/1.1 042 X", lines: [], eol: "\r\n", framing: "length", body: Buffer.from("x") }],
        // A 101 without Upgrade is read as an answer and was passed on as the final answer: the
        // caller's connection "switches protocols" to nothing. Not an answer: 500.
        [{ statusLine: "HTTP/1.1 101 Switching Protocols", lines: [], eol: "\r\n", framing: "close", body: Buffer.alloc(0) }],
      ],
    );
  });
});
