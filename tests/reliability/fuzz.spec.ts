/**
 * Issue 6, fuzz: fast-check properties over real HTTP to running local clouds (the demo API of
 * the dev stack, and the behaviour fixture program). Random request targets (percent-escapes,
 * malformed ones, dot segments, empty segments, very long, unicode, absolute-form), header
 * names and values (what Node's HTTP client lets through), query strings, bodies, Content-Types
 * and the inputs of the mapping templates; and any target on the local API Gateway endpoint
 * (FlushStageCache), which runs in the same process. Each property asserts:
 * - the process never meets an uncaught exception or unhandled rejection (under `npm start`
 *   either would end it: see crashWatch.ts), and GET /health still answers 200 after;
 * - every answer is one apigw-behavior.md allows for the route addressed (allowedResponses.ts),
 *   gateway errors with their exact AWS JSON bodies and error types.
 * Fixed `numRuns` keep each property bounded; on failure fast-check prints the seed and the
 * (shrunk) counterexample: replay with `fc.assert(..., { seed, path })`. Counterexamples found
 * so far are kept as `examples`, which run first every time. For a deeper search than
 * `npm test` affords, multiply every `numRuns` (and the time allowed):
 * `FUZZ_SCALE=20 npx mocha tests/reliability/fuzz.spec.ts`.
 */
import { createHash } from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import { TRANSFORM_OPERATIONS, applyTransform, type TransformOperation } from "../../functions/transform";
import { REST_DROPPED_REQUEST_HEADERS } from "../../local/gateway/headers";
import { restApiModels } from "../../local/restGateway/restApiModel";
import type { Reply } from "../local/integration/httpClient";
import {
  CONFIGURATION_ERROR,
  FORBIDDEN,
  MISSING_AUTHENTICATION_TOKEN,
  TOO_MANY_REQUESTS,
  UNAUTHORIZED,
  UNSUPPORTED_MEDIA_TYPE,
  addressedResources,
  mismatch,
  route,
  type Outcome,
} from "./allowedResponses";
import { CrashWatch } from "./crashWatch";
import { ExactClient, type ExactRequest } from "./exactHttp";
import { sharedCloud, type ReliabilityCloud } from "./reliabilityCloud";
import type { JsonDocument } from "../jsonDocument";

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

/** FUZZ_SCALE multiplies each property's runs and each suite's time; 1 in `npm test`. */
const FUZZ_SCALE = fuzzScaleFromEnv(process.env.FUZZ_SCALE);

function fuzzScaleFromEnv(value: string | undefined): number {
  if (value === undefined || value === "") return 1;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`FUZZ_SCALE must be a positive number (got "${value}")`);
  return scale;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries shared by both clouds.

/** Header names Node's client sends (RFC 9110 tokens), minus those that frame or route the message. */
const FRAMING_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade", "expect", "proxy-connection", "http2-settings"]);
const headerName = fc
  .oneof(
    fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,30}$/),
    fc.constantFrom("Accept", "Accept-Language", "Authorization", "x-api-key", "Cache-Control", "Origin", "Cookie", "X-Forwarded-For", "x-amzn-requestid", "X-Amz-Date", "If-None-Match", "Range", "Referer", "x-header-param"),
  )
  .filter((name) => !FRAMING_HEADERS.has(name.toLowerCase()) && name.toLowerCase() !== "content-type" && name.toLowerCase() !== "user-agent");
/** Header values Node's client sends: tab, visible ASCII and space, and the Latin-1 range (sent as single bytes). */
const headerValueChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constant("\t") },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('"', "\\", "'", "$", "#", "{", "}", "%", "\\u0000", "${x}", "#set($a=1)") },
);
const headerValue = fc.string({ unit: headerValueChar, maxLength: 120 });
const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 12 });

/** Content-Types: JSON and its look-alikes, text, forms, binary types, wildcards, odd casing, parameters, junk. */
const mediaType = fc.constantFrom(
  "application/json", "application/JSON", "Application/Json", "application/json-patch+json", "application/vnd.api+json", "text/json",
  "text/plain", "text/html", "text/csv", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data",
  "image/png", "image/jpeg", "IMAGE/GIF", "image/svg+xml", "image/*", "application/octet-stream", "Application/Octet-Stream", "application/pdf",
  "audio/mpeg", "video/mp4", "*/*", "application/*", "json", "application/", "/", "",
);
const mediaTypeParameter = fc.oneof(
  fc.constantFrom("charset=utf-8", "charset=UTF-8", "charset=iso-8859-1", 'charset="utf-8"', "charset=utf-16le", "boundary=----fuzz", "q=0.5", "version=2"),
  fc.stringMatching(/^[a-z]{1,6}=[A-Za-z0-9.-]{0,8}$/),
);
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(mediaType, fc.array(mediaTypeParameter, { maxLength: 2 }), fc.constantFrom("; ", ";", " ; ")).map(([t, ps, sep]) => [t, ...ps].join(sep)) },
  { weight: 1, arbitrary: headerValue },
);
const optionalContentType = fc.option(contentType, { nil: undefined, freq: 6 });

/** Bodies: empty, text, JSON, random bytes (invalid UTF-8 included), now and then 64 KB. */
const body = fc.oneof(
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 200 }).map((s) => Buffer.from(s, "utf8")) },
  { weight: 2, arbitrary: fc.json().map((s) => Buffer.from(s, "utf8")) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 60_000, maxLength: 65_536 }).map((a) => Buffer.from(a)) },
);

/** A query-string parameter name or value as a client encodes it (no lone surrogates: they cannot be encoded). */
const queryText = fc.string({ unit: "grapheme", maxLength: 12 });
/** Raw query strings as they come: malformed escapes, `+`, bare keys, repeated `&` and `=`. */
const rawQuery = fc.string({
  unit: fc.oneof(fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "%2B", "%26", "%3D", "+", "&", "=", "&&", "==", "?", "/", "'", '"'), fc.stringMatching(/^[A-Za-z0-9._~-]{1,4}$/)),
  maxLength: 12,
});

/** The media type of a Content-Type header as API Gateway selects templates by it: no header (or an empty one) means application/json. */
function mediaTypeOf(value: string | undefined): string {
  const type = (value ?? "").split(";")[0].trim().toLowerCase();
  return type === "" ? "application/json" : type;
}

function matchesBinary(value: string | undefined, binaryMediaTypes: string[]): boolean {
  const type = (value ?? "").split(";")[0].trim().toLowerCase();
  if (type === "") return false;
  const [major, minor] = type.split("/");
  return binaryMediaTypes.some((pattern) => {
    const [pMajor, pMinor] = pattern.split("/");
    return (pMajor === "*" || pMajor === major) && (pMinor === "*" || pMinor === minor);
  });
}

/** Node's HTTP server drops leading and trailing spaces and tabs of a header value (RFC 9110 §5.5). */
const trimmed = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, "");

// ---------------------------------------------------------------------------------------------
// Running a property against a cloud.

interface Target {
  env: ReliabilityCloud;
  client: ExactClient;
  watch: CrashWatch;
}

/**
 * Sends one request, failing as soon as the process meets an uncaught exception (the gateway
 * then never answers) or when the answer does not come within 10 s.
 */
async function send(target: Target, request: ExactRequest): Promise<Reply> {
  const before = target.watch.crashes.length;
  let reply: Reply;
  try {
    reply = await target.watch.race(target.client.send(request));
  } catch (error) {
    throw new Error(`${request.method} ${request.target.slice(0, 300)}: ${(error as Error).message}`);
  }
  const crashes = target.watch.since(before);
  if (crashes.length > 0) throw new Error(`${request.method} ${request.target.slice(0, 300)} crashed the process:\n${crashes.join("\n")}`);
  return reply;
}

function expectAllowed(reply: Reply, outcomes: Outcome[], request: ExactRequest): void {
  const problem = mismatch(reply, outcomes, request.method);
  if (problem) throw new Error(`${request.method} ${request.target.slice(0, 300)}: ${problem}`);
}

/**
 * Runs a property with the crash watch on, then checks that the cloud still serves its health
 * check. `examples` run first, every time: the counterexamples fuzzing has found, kept.
 */
async function holds<T extends unknown[]>(
  target: Target,
  property: fc.IAsyncPropertyWithHooks<T>,
  options: { numRuns: number; examples?: T[] },
  healthTarget: string,
  healthClient: ExactClient = target.client,
): Promise<void> {
  target.watch.start();
  try {
    await fc.assert(property, { numRuns: Math.ceil(options.numRuns * FUZZ_SCALE), examples: options.examples });
  } finally {
    target.watch.stop();
  }
  const health = await healthClient.send({ method: "GET", target: healthTarget });
  expect(health.status, `GET ${healthTarget} after the property: ${health.text}`).to.equal(200);
}

function useCloud(kind: "dev" | "behaviour"): Target {
  const target = {} as Target;
  before(async function () {
    this.timeout(60_000);
    target.env = await sharedCloud(kind);
    target.client = new ExactClient(target.env.cloud.endpoints.restApi);
    target.watch = new CrashWatch();
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") target.env?.dumpFunctionLines(20);
  });
  after(() => {
    target.watch?.stop();
    target.client?.destroy();
  });
  return target;
}

// ---------------------------------------------------------------------------------------------

describe("reliability: fuzzing the demo API (dev stack)", function () {
  this.timeout(120_000 * FUZZ_SCALE);
  // The shared dev cloud (reliabilityCloud.ts): stage limits far above what a sequential
  // property sends, and an API key in an unlimited plan. A 429 is then never an allowed answer
  // where no method limit applies, so it cannot hide another one.
  const target = useCloud("dev");
  const stage = "dev";
  // README (configuration reference): the default binaryMediaTypes of the dev stack.
  const BINARY_MEDIA_TYPES = ["image/*", "application/pdf", "application/octet-stream"];
  const transformBody = Buffer.from(JSON.stringify({ text: "fuzz", operation: "uppercase" }));

  /** A 400 from the transform function: the `[BadRequest]` integration response's envelope. */
  const transformBadRequest = (reply: Reply): string | undefined => {
    const body = parse(reply.text);
    if (body?.success !== false || body?.error?.type !== "BadRequest" || typeof body?.error?.message !== "string") return `the BadRequest envelope, got ${reply.text.slice(0, 200)}`;
    return body.error.requestId === reply.headers["x-amzn-requestid"] ? undefined : "error.requestId is the request's id";
  };
  const transformSuccess = (text: string, operation: TransformOperation, userAgent?: string) => (reply: Reply): string | undefined => {
    const body = parse(reply.text);
    const expected = { operation, input: text, output: applyTransform(operation, text) };
    if (body?.success !== true) return `success: true, got ${reply.text.slice(0, 200)}`;
    const got = { operation: body.data?.operation, input: body.data?.input, output: body.data?.output };
    if (JSON.stringify(got) !== JSON.stringify(expected)) return `data ${JSON.stringify(expected).slice(0, 300)}, got ${JSON.stringify(got).slice(0, 300)}`;
    if (userAgent !== undefined && body.data.requestedBy?.userAgent !== userAgent) return `requestedBy.userAgent ${JSON.stringify(userAgent)}, got ${JSON.stringify(body.data.requestedBy?.userAgent)}`;
    return body.metadata?.requestId === reply.headers["x-amzn-requestid"] ? undefined : "metadata.requestId is the request's id";
  };

  /**
   * What a request without credentials or body may get from each method of the demo API
   * (program/demoApi.ts; apigw-behavior.md). Checked against the deployed methods below.
   */
  const ANONYMOUS: Record<string, Outcome[]> = {
    // MOCK integration, no authorization.
    "GET /health": [route(200, "the health check", (r) => (r.text === `{"status":"ok"}` ? undefined : `{"status":"ok"}`))],
    // Cognito user pool authorizer: token missing → 401 Unauthorized. POST /users also has a
    // method throttle (10 rps, the overload spec's), and the spec does not say whether the
    // authorizer or the throttle refuses first: 429 Too Many Requests is allowed too.
    "POST /users": [UNAUTHORIZED, TOO_MANY_REQUESTS],
    "GET /users/{id}": [UNAUTHORIZED],
    // The customers API (components/CustomersApi.ts): the same Cognito authorizer.
    ...Object.fromEntries(
      ["POST /customers", "GET /customers", "GET /customers/{id}/usage", "PUT /customers/{id}/tier", "POST /customers/{id}/rotate", "POST /customers/{id}/disable", "POST /customers/{id}/enable", "DELETE /customers/{id}"].map((m) => [m, [UNAUTHORIZED]]),
    ),
    // HMAC TOKEN authorizer: identity source (Authorization) missing → 401 without invoking it.
    "GET /partner/status": [UNAUTHORIZED],
    // API key required, none sent → 403 Forbidden.
    "GET /data": [FORBIDDEN],
    "POST /files": [FORBIDDEN],
    // No authorization; an empty body renders as {} (no text): the function's [BadRequest] → 400.
    "POST /transform": [route(400, "the transform's BadRequest", transformBadRequest)],
    // CORS preflights: MOCK integrations answering 200 with an empty body.
    ...Object.fromEntries(
      ["/data", "/files", "/health", "/transform", "/users", "/users/{id}", "/partner/status", "/customers", "/customers/{id}", ...["usage", "tier", "rotate", "disable", "enable"].map((action) => `/customers/{id}/${action}`)].map((p) => [
        `OPTIONS ${p}`,
        [route(200, "a CORS preflight", (r) => (r.text === "" ? undefined : "an empty body"))],
      ]),
    ),
  };

  it("knows every method the stack deploys (the table the properties check against)", () => {
    const model = restApiModels(target.env.cloud.run.graph)[0];
    expect(Object.keys(ANONYMOUS).sort()).to.deep.equal([...model.methods.keys()].sort());
  });

  it("request targets: answers each as the resource it addresses (or 403 Missing Authentication Token), never crashing", async () => {
    const resourcePaths = [...new Set(restApiModels(target.env.cloud.run.graph)[0].resourcePaths)];
    const literal = fc.constantFrom("dev", "health", "users", "data", "transform", "partner", "status", "files", "customers", "usage", "@connections", "_local", "metrics", "DEV", "Health", "test");
    const segment = fc.oneof(
      { weight: 6, arbitrary: literal },
      // A literal with one character percent-encoded (%68ealth).
      { weight: 2, arbitrary: fc.tuple(literal, fc.nat()).map(([s, i]) => { const at = i % s.length; return s.slice(0, at) + "%" + s.charCodeAt(at).toString(16).toUpperCase().padStart(2, "0") + s.slice(at + 1); }) },
      { weight: 2, arbitrary: fc.constantFrom(".", "..", "%2e", "%2E%2e", "", "%2F", "%5C", "%3F", "%23", "%00", "%20", "+") },
      { weight: 2, arbitrary: fc.constantFrom("%", "%%", "%zz", "%E0%A4%A", "%ED%A0%80", "%C3", "%C0%AF", "%FF") },
      { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{1,16}$/) },
      // Unicode, as clients send it: UTF-8, percent-encoded.
      { weight: 3, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }).map(encodeURIComponent) },
      // Very long segments.
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 256, max: 4000 }), fc.constantFrom("a", "%41", "%E2%82%AC", "-")).map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length))) },
    );
    const randomPath = fc.tuple(fc.boolean(), fc.array(segment, { maxLength: 8 }), fc.boolean()).map(
      ([staged, segments, trailingSlash]) => `/${[...(staged ? [stage] : []), ...segments].join("/")}${trailingSlash ? "/" : ""}`,
    );
    // A method of the API on its resource (the path parameter filled in), then a few of the
    // changes clients and proxies make to paths; or any method on a random path. Most random
    // paths address nothing: the first kind reaches every route.
    const change = fc.constantFrom("encode", "trailing-slash", "dot", "dot-dot", "empty", "upper-case", "append", "stage");
    const routed = fc
      .tuple(fc.constantFrom(...Object.keys(ANONYMOUS)), fc.oneof(fc.uuid(), segment), fc.array(fc.tuple(change, fc.nat()), { maxLength: 2 }))
      .map(([key, parameter, changes]) => {
        const [method, resource] = key.split(" ");
        let segments = [stage, ...resource.split("/").filter((p) => p !== "").map((p) => (/^\{.*\}$/.test(p) ? parameter : p))];
        for (const [kind, n] of changes) segments = changed(segments, kind, n);
        return { method, path: `/${segments.join("/")}` };
      });
    const anyMethod = fc.tuple(fc.constantFrom(...METHODS), randomPath).map(([method, path]) => ({ method, path }));
    const request = fc
      .tuple(
        fc.oneof({ weight: 3, arbitrary: routed }, { weight: 2, arbitrary: anyMethod }),
        fc.oneof({ weight: 12, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.constantFrom("http://127.0.0.1", "http://localhost:4010", "https://example.com", "http://[", "http://[::1", "http://a:b@c", "//") }),
        fc.option(fc.oneof(rawQuery, fc.webQueryParameters()), { nil: undefined }),
      )
      .map(([{ method, path }, origin, query]): ExactRequest => ({ method, target: `${origin}${path}${query === undefined ? "" : `?${query}`}` }))
      .filter((r) => r.target.length <= 8192);

    await holds(
      target,
      fc.asyncProperty(request, async (sent) => {
        const reply = await send(target, sent);
        expectAllowed(reply, anonymousOutcomes(sent.method, sent.target, resourcePaths), sent);
      }),
      {
        numRuns: 2000,
        examples: [
          // Found by this property: each ends the process (webSocketGateway.ts handleManagement,
          // called for every request: `new URL` / `decodeURIComponent` throw in the request listener).
          [{ method: "GET", target: "//" }],
          [{ method: "GET", target: "http://[::1/dev/health" }],
          [{ method: "GET", target: "/dev/@connections/%E0%A4%A" }],
          // Found by this property: a query parameter named like an Object.prototype member is a 500.
          [{ method: "GET", target: "/dev/health?valueOf" }],
        ],
      },
      `/${stage}/health`,
    );
  });

  it("the local API Gateway endpoint (FlushStageCache, same process): any method and target, never crashing, AWS's JSON errors", async () => {
    const apiId = restApiModels(target.env.cloud.run.graph)[0].apiId;
    const endpoint = { ...target, client: new ExactClient(target.env.cloud.endpoints.apiGateway) };
    const part = fc.oneof(fc.constantFrom(apiId, stage, "restapis", "stages", "cache", "data", "", ".", "..", "%", "%zz", "%2F"), fc.stringMatching(/^[A-Za-z0-9%._~-]{1,12}$/));
    const flushPath = fc.tuple(fc.oneof(fc.constant(apiId), part), fc.oneof(fc.constant(stage), part), fc.constantFrom("", "/")).map(([id, s, slash]) => `/restapis/${id}/stages/${s}/cache/data${slash}`);
    const otherPath = fc.array(part, { maxLength: 7 }).map((parts) => `/${parts.join("/")}`);
    const request = fc
      .tuple(fc.constantFrom(...METHODS), fc.oneof(flushPath, otherPath), fc.option(rawQuery, { nil: undefined }))
      .map(([method, path, query]): ExactRequest => ({ method, target: query === undefined ? path : `${path}?${query}` }));
    try {
      await holds(
        endpoint,
        fc.asyncProperty(request, async (sent) => {
          // 202 flushed; 404 NotFoundException (no such API or stage) or UnknownOperationException
          // (no such operation); 400 BadRequestException for an undecodable id.
          expectAllowed(await send(endpoint, sent), [{ kind: "local", statuses: [202, 400, 404], what: "the API Gateway endpoint", errorTypes: true }], sent);
        }),
        {
          numRuns: 500,
          // Found by this property: `new URL` throws in the endpoint's request listener
          // (apiGatewayManagement.ts answer()): the process ends.
          examples: [[{ method: "DELETE", target: "//" }]],
        },
        `/${stage}/health`,
        target.client,
      );
    } finally {
      endpoint.client.destroy();
    }
  });

  /** Every answer a request target may get; the local cloud's own endpoints share the port. */
  function anonymousOutcomes(method: string, requestTarget: string, resourcePaths: string[]): Outcome[] {
    const rawPath = requestTarget.split("?")[0];
    // The local CloudWatch (startLocal.ts), on exact paths outside any stage.
    if (rawPath === "/_local/metrics" || rawPath === "/_local/dashboard") {
      return [{ kind: "local", statuses: method === "GET" || method === "HEAD" ? [200] : [405], what: "the local CloudWatch" }];
    }
    // The @connections API of the WebSocket stage shares the port and the stage name (on AWS it
    // has a domain of its own): an unknown connection is gone (410 GoneException); the spec says
    // nothing of other methods or ids that cannot be decoded, so any JSON 4xx is allowed there.
    let pathname: string | undefined;
    try {
      pathname = new URL(requestTarget, "http://localhost").pathname;
    } catch {
      pathname = undefined;
    }
    if (pathname?.startsWith(`/${stage}/@connections/`)) {
      return [{ kind: "local", statuses: [400, 403, 404, 405, 410], what: "the @connections API" }];
    }
    const outcomes: Outcome[] = [];
    for (const resource of addressedResources(requestTarget, stage, resourcePaths)) {
      const methodOutcomes = resource === undefined ? undefined : ANONYMOUS[`${method} ${resource}`];
      // No resource, or a method the resource lacks (HEAD included): not 404/405 but 403.
      outcomes.push(...(methodOutcomes ?? [MISSING_AUTHENTICATION_TOKEN]));
    }
    return outcomes;
  }

  it("mapping-template inputs, bodies: POST /transform renders every JSON body to the function intact (200), anything else is a 400, never a 5xx", async () => {
    const operation = fc.constantFrom(...TRANSFORM_OPERATIONS);
    const extra = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    const valid = fc.tuple(extra, fc.string({ unit: "binary", maxLength: 200 }), operation, fc.constantFrom(undefined, 0, 2, "\t")).map(([more, text, op, indent]) => JSON.stringify({ ...more, text, operation: op }, null, indent));
    const requestBody = fc.oneof(
      { weight: 5, arbitrary: valid },
      // Wrong types and missing fields.
      { weight: 2, arbitrary: fc.record({ text: fc.jsonValue({ maxDepth: 2 }), operation: fc.oneof(operation, fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
      // Not JSON at all, or JSON with VTL in it.
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
      { weight: 1, arbitrary: fc.constantFrom("", " ", "{", "}", "[", '{"text":', "$input.body", "#set($x = 1)", '{"text":"$context.requestId","operation":"reverse"}', '{"text":"#foreach($i in [1..3])$i#end","operation":"uppercase"}') },
      // The text length limit: 10,000 code points pass, one more does not.
      // (Not "reverse": the function's grapheme segmentation of 10,000 characters takes ~50 ms.)
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(10_000, 10_001), fc.constantFrom("a", "é", "😀"), fc.constantFrom("uppercase", "lowercase", "wordcount")).map(([n, c, op]) => JSON.stringify({ text: c.repeat(n), operation: op })) },
    );

    await holds(
      target,
      fc.asyncProperty(requestBody, async (text) => {
        const bytes = Buffer.from(text, "utf8");
        const request: ExactRequest = { method: "POST", target: `/${stage}/transform`, headers: [["Content-Type", "application/json"]], body: bytes };
        const reply = await send(target, request);
        expectAllowed(reply, transformOutcomes(bytes.toString("utf8")), request);
      }),
      { numRuns: 1500 },
      `/${stage}/health`,
    );
  });

  /**
   * POST /transform with application/json: the request template hands the function the parsed
   * body; the function answers `{text, operation}` objects (200) and throws `[BadRequest]` for
   * anything else (400). A body that is not JSON at all is also a 400, either the function's
   * (the template passes it as a string) or API Gateway's own parse error: the spec leaves it open.
   */
  function transformOutcomes(received: string): Outcome[] {
    let document: unknown;
    try {
      document = received === "" ? {} : JSON.parse(received);
    } catch {
      return [route(400, "a BadRequest for a body that is not JSON", (r) => (transformBadRequest(r) === undefined || isMessageJson(r.text) ? undefined : "a JSON error body"))];
    }
    const input = document as { text?: unknown; operation?: unknown };
    const ok =
      typeof document === "object" && document !== null && !Array.isArray(document) &&
      typeof input.text === "string" && (TRANSFORM_OPERATIONS as readonly unknown[]).includes(input.operation) && Array.from(input.text).length <= 10_000;
    if (!ok) return [route(400, "the transform's BadRequest", transformBadRequest)];
    return [route(200, "the transformed text", transformSuccess(input.text as string, input.operation as TransformOperation))];
  }

  it("mapping-template inputs, headers and query strings: POST /transform still renders valid JSON (200, the User-Agent intact), GET /health answers 200", async () => {
    const userAgent = fc.option(headerValue, { nil: undefined });
    const query = fc.oneof(
      fc.array(fc.tuple(queryText, queryText), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")),
      rawQuery,
      fc.webQueryParameters(),
    );
    await holds(
      target,
      fc.asyncProperty(headers, userAgent, fc.option(query, { nil: undefined }), async (extraHeaders, agent, queryString) => {
        const suffix = queryString === undefined ? "" : `?${queryString}`;
        const sent: Array<[string, string]> = [...extraHeaders, ...(agent === undefined ? [] : ([["User-Agent", agent]] as Array<[string, string]>))];
        const transform: ExactRequest = {
          method: "POST",
          target: `/${stage}/transform${suffix}`,
          headers: [["Content-Type", "application/json"], ...sent],
          body: transformBody,
        };
        expectAllowed(await send(target, transform), [route(200, "the transformed text", transformSuccess("fuzz", "uppercase", agent === undefined ? "" : trimmed(agent)))], transform);
        const health: ExactRequest = { method: "GET", target: `/${stage}/health${suffix}`, headers: sent };
        expectAllowed(await send(target, health), ANONYMOUS["GET /health"], health);
      }),
      {
        numRuns: 1000,
        examples: [
          // Found by this property: header and parameter names that are Object.prototype members
          // (restGateway.ts readRequest) answer 500 instead of reaching the template.
          [[["constructor", "x"]], undefined, undefined],
          [[], undefined, "toString=1"],
          [[], undefined, "__proto__=x"],
        ],
      },
      `/${stage}/health`,
    );
  });

  it("Content-Types and bodies: POST /transform takes only application/json (else 415), POST /files receives exactly the bytes sent, binary or text", async () => {
    const apiKey = (target.env.cloud.outputs.apiKeys as Record<string, string>).fuzz;
    expect(apiKey, "outputs.apiKeys.fuzz").to.be.a("string");
    await holds(
      target,
      fc.asyncProperty(optionalContentType, body, async (type, bytes) => {
        const typeHeader: Array<[string, string]> = type === undefined ? [] : [["Content-Type", type]];
        // The request template exists for application/json only, and passthrough is NEVER.
        const transform: ExactRequest = { method: "POST", target: `/${stage}/transform`, headers: typeHeader, body: transformBody };
        const transformAllowed = mediaTypeOf(type) === "application/json" ? [route(200, "the transformed text", transformSuccess("fuzz", "uppercase"))] : [UNSUPPORTED_MEDIA_TYPE];
        expectAllowed(await send(target, transform), transformAllowed, transform);

        // A binary media type arrives base64-encoded and is decoded by the function; any other
        // body arrives as the UTF-8 text API Gateway read (invalid sequences replaced).
        const files: ExactRequest = { method: "POST", target: `/${stage}/files`, headers: [["x-api-key", apiKey], ...typeHeader], body: bytes };
        const received = matchesBinary(type, BINARY_MEDIA_TYPES) ? bytes : Buffer.from(bytes.toString("utf8"), "utf8");
        const filesAllowed =
          bytes.length === 0
            ? [route(400, "Empty file", (r) => (r.text === `{"message":"Empty file"}` ? undefined : `{"message":"Empty file"}`))]
            : [
                route(200, "the receipt", (r) => {
                  const expected = { bytes: received.length, sha256: createHash("sha256").update(received).digest("hex"), contentType: type === undefined ? "application/octet-stream" : trimmed(type) };
                  return JSON.stringify(parse(r.text)) === JSON.stringify(expected) ? undefined : `${JSON.stringify(expected)}`;
                }),
              ];
        expectAllowed(await send(target, files), filesAllowed, files);
      }),
      { numRuns: 1000 },
      `/${stage}/health`,
    );
  });
});

describe("reliability: fuzzing the behaviour fixture program", function () {
  this.timeout(120_000 * FUZZ_SCALE);
  const target = useCloud("behaviour");
  const stage = "test";
  // tests/local/fixtures/behaviourProgram.ts
  const BINARY_MEDIA_TYPES = ["image/*", "application/octet-stream"];
  /** The fixture customises DEFAULT_4XX with this header: every 4XX gateway response carries it. */
  const custom4xx = (outcome: Outcome): Outcome => (outcome.kind === "gateway" ? { ...outcome, headers: { "x-custom-4xx": "four" } } : outcome);
  const echoed = (check: (event: JsonDocument) => string | undefined) => route(200, "the echoed proxy event", (r) => check(parse(r.text) ?? {}));
  const segmentText = fc.string({ unit: "grapheme", minLength: 1, maxLength: 16 }).filter((s) => s !== "." && s !== "..");

  it("bodies and Content-Types through a Lambda proxy: the event carries the body as text, or base64 for a binary media type, whatever the method", async () => {
    await holds(
      target,
      fc.asyncProperty(fc.constantFrom("POST", "PUT", "PATCH", "DELETE"), optionalContentType, body, async (method, type, bytes) => {
        const request: ExactRequest = { method, target: `/${stage}/proxy/fuzz?mode=echo`, headers: type === undefined ? [] : [["Content-Type", type]], body: bytes };
        const binary = matchesBinary(type, BINARY_MEDIA_TYPES);
        const expected = bytes.length === 0 ? { body: null, isBase64Encoded: false } : { body: binary ? bytes.toString("base64") : bytes.toString("utf8"), isBase64Encoded: binary };
        expectAllowed(
          await send(target, request),
          [
            echoed((event) => {
              const got = { body: event.body, isBase64Encoded: event.isBase64Encoded };
              if (event.httpMethod !== method) return `httpMethod ${method}`;
              return JSON.stringify(got) === JSON.stringify(expected) ? undefined : `${JSON.stringify(expected).slice(0, 200)}, got ${JSON.stringify(got).slice(0, 200)}`;
            }),
          ],
          request,
        );
      }),
      { numRuns: 1000 },
      `/${stage}/proxy/health?mode=echo`,
    );
  });

  it("headers and query strings through a Lambda proxy: every header (first spelling, last value) but those AWS drops, and every parameter, reaches the event", async () => {
    const DROPPED = new Set(REST_DROPPED_REQUEST_HEADERS.map((name) => name.toLowerCase()));
    const ADDED = new Set(["x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"]);
    const queryPairs = fc.array(fc.tuple(queryText.filter((k) => k !== "" && k !== "mode"), queryText), { maxLength: 8 });
    await holds(
      target,
      fc.asyncProperty(headers, queryPairs, async (sentHeaders, pairs) => {
        const query = ["mode=echo", ...pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)].join("&");
        const request: ExactRequest = { method: "GET", target: `/${stage}/proxy/fuzz?${query}`, headers: sentHeaders };
        // Header names keep the client's first spelling; `headers` has the last value. (Maps:
        // names such as "constructor" or "__proto__" are names like any other.)
        const multi = new Map<string, string[]>();
        const spelling = new Map<string, string>();
        for (const [name, value] of sentHeaders) {
          const key = spelling.get(name.toLowerCase()) ?? name;
          spelling.set(name.toLowerCase(), key);
          multi.set(key, [...(multi.get(key) ?? []), trimmed(value)]);
        }
        const multiQuery = new Map<string, string[]>([["mode", ["echo"]]]);
        for (const [k, v] of pairs) multiQuery.set(k, [...(multiQuery.get(k) ?? []), v]);
        const own = (object: unknown, key: string): unknown =>
          typeof object === "object" && object !== null && Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
        const sameKeys = (object: unknown, keys: Iterable<string>) =>
          typeof object === "object" && object !== null && JSON.stringify(Object.keys(object).sort()) === JSON.stringify([...keys].sort());

        expectAllowed(
          await send(target, request),
          [
            echoed((event) => {
              for (const [key, values] of multi) {
                // Headers AWS drops never reach the event; those it adds are its own values.
                if (DROPPED.has(key.toLowerCase())) {
                  if (own(event.headers, key) !== undefined) return `headers[${JSON.stringify(key)}] is dropped by AWS, got ${JSON.stringify(own(event.headers, key))}`;
                  continue;
                }
                if (ADDED.has(key.toLowerCase())) continue;
                const last = values[values.length - 1];
                if (own(event.headers, key) !== last) return `headers[${JSON.stringify(key)}] = ${JSON.stringify(last)}, got ${JSON.stringify(own(event.headers, key))}`;
                if (JSON.stringify(own(event.multiValueHeaders, key)) !== JSON.stringify(values)) {
                  return `multiValueHeaders[${JSON.stringify(key)}] = ${JSON.stringify(values)}, got ${JSON.stringify(own(event.multiValueHeaders, key))}`;
                }
              }
              if (!sameKeys(event.multiValueQueryStringParameters, multiQuery.keys()) || !sameKeys(event.queryStringParameters, multiQuery.keys())) {
                return `query parameters ${JSON.stringify([...multiQuery.keys()])}, got ${JSON.stringify(Object.keys(event.multiValueQueryStringParameters ?? {}))}`;
              }
              for (const [key, values] of multiQuery) {
                if (JSON.stringify(own(event.multiValueQueryStringParameters, key)) !== JSON.stringify(values)) {
                  return `multiValueQueryStringParameters[${JSON.stringify(key)}] = ${JSON.stringify(values)}, got ${JSON.stringify(own(event.multiValueQueryStringParameters, key))}`;
                }
                if (own(event.queryStringParameters, key) !== values[values.length - 1]) {
                  return `queryStringParameters[${JSON.stringify(key)}] = ${JSON.stringify(values[values.length - 1])}, got ${JSON.stringify(own(event.queryStringParameters, key))}`;
                }
              }
              return undefined;
            }),
          ],
          request,
        );
      }),
      {
        numRuns: 1500,
        examples: [
          // Found by the dev-stack header and query property: Object.prototype member names.
          [[["__proto__", "a"]], []],
          [[["hasOwnProperty", "b"]], []],
          [[], [["valueOf", "1"]]],
          [[], [["constructor", ""]]],
        ],
      },
      `/${stage}/proxy/health?mode=echo`,
    );
  });

  it('mapping-template inputs, Lambda non-proxy: {"outcome": "$input.params(\'outcome\')"} for any path parameter is passed on, or refused as invalid JSON (500)', async () => {
    const outcome = fc.oneof({ weight: 1, arbitrary: fc.constantFrom("200", "400", "500", "400\", \"x\": \"y", 'a", "outcome": "400', "\\", "\"", "$context.requestId", "#set($x = 1)$x") }, { weight: 6, arbitrary: segmentText });
    await holds(
      target,
      fc.asyncProperty(outcome, async (value) => {
        const request: ExactRequest = { method: "GET", target: `/${stage}/nonproxy/${encodeURIComponent(value)}` };
        // Path parameters reach templates raw, as requested (AWS does not URL-decode them).
        expectAllowed(await send(target, request), nonProxyOutcomes(encodeURIComponent(value)), request);
      }),
      { numRuns: 1000 },
      `/${stage}/proxy/health?mode=echo`,
    );
  });

  /**
   * The template's output is the function's event: when it is not JSON, Lambda refuses the
   * payload and API Gateway answers 500 Internal server error [configuration failure]. Otherwise
   * the function throws for "400" / "500" (selection patterns → 405 / 502, the Lambda error
   * JSON as body) and answers "Pass" (200) for anything else.
   */
  function nonProxyOutcomes(value: string): Outcome[] {
    let event: { outcome?: unknown };
    try {
      event = JSON.parse(`{"outcome": "${value}"}`);
    } catch {
      return [CONFIGURATION_ERROR];
    }
    const lambdaError = (status: number, message: string) =>
      route(status, `the Lambda error JSON (${message})`, (r) => (parse(r.text)?.errorMessage === `Error: Raising ${message} from within the Lambda function` ? undefined : `errorMessage about ${message}`));
    if (event.outcome === "400") return [lambdaError(405, "four hundred")];
    if (event.outcome === "500") return [lambdaError(502, "five hundred")];
    return [route(200, `"Pass"`, (r) => (r.text === `"Pass"` ? undefined : `"Pass"`))];
  }

  it("mapping-template inputs, MOCK passthrough: a Content-Type without a template passes (WHEN_NO_MATCH) or is refused 415; path parameters render literally, VTL in them included", async () => {
    await holds(
      target,
      fc.asyncProperty(fc.constantFrom("when_no_match", "when_no_templates", "never"), segmentText, optionalContentType, body, async (behaviour, id, type, bytes) => {
        const request: ExactRequest = {
          method: "POST",
          target: `/${stage}/passthrough/${behaviour}/${encodeURIComponent(id)}`,
          headers: type === undefined ? [] : [["Content-Type", type]],
          body: bytes,
        };
        const templated = mediaTypeOf(type) === "application/json";
        const allowed =
          templated || behaviour === "when_no_match"
            ? [route(200, "the response template", (r) => (r.text === `{"id": ${encodeURIComponent(id)}, "statusCode": 200}` ? undefined : `{"id": ${encodeURIComponent(id)}, "statusCode": 200}`))]
            : [custom4xx(UNSUPPORTED_MEDIA_TYPE)];
        expectAllowed(await send(target, request), allowed, request);
      }),
      { numRuns: 1000 },
      `/${stage}/proxy/health?mode=echo`,
    );
  });
});

/** A path (as segments) after one change of `kind`, at a position picked by `n`. */
function changed(segments: string[], kind: string, n: number): string[] {
  const at = n % segments.length;
  const out = [...segments];
  switch (kind) {
    case "encode": {
      // One unreserved character as a percent-escape: `health` → `h%65alth`.
      const segment = out[at];
      if (segment === "" || !/^[A-Za-z0-9._~-]/.test(segment[n % segment.length] ?? "")) return out;
      const i = n % segment.length;
      out[at] = `${segment.slice(0, i)}%${segment.charCodeAt(i).toString(16).toUpperCase()}${segment.slice(i + 1)}`;
      return out;
    }
    case "trailing-slash":
      return [...out, ""];
    case "dot":
      out.splice(at + 1, 0, ".");
      return out;
    case "dot-dot":
      out.splice(at + 1, 0, "x", "..");
      return out;
    case "empty":
      out.splice(at + 1, 0, "");
      return out;
    case "upper-case":
      out[at] = out[at].toUpperCase();
      return out;
    case "append":
      return [...out, "extra"];
    default:
      // Another stage, or none.
      out[0] = ["Dev", "prod", "", "test"][n % 4];
      return out;
  }
}

function parse(text: string): JsonDocument {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isMessageJson(text: string): boolean {
  const value = parse(text);
  return typeof value === "object" && value !== null && typeof value.message === "string";
}
