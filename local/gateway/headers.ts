/**
 * Headers between a caller, API Gateway and an integration, the way AWS handles them, for the
 * three local gateways (REST, HTTP API, WebSocket):
 *
 * 1. the request headers AWS drops before an integration (and `$input.params()`) sees them;
 * 2. the headers AWS adds for the integration (X-Amzn-Trace-Id, X-Forwarded-*, ...);
 * 3. for REST APIs, the integration response headers AWS remaps to `x-amzn-Remapped-<name>`
 *    or drops, and the ones the gateway sets itself;
 * 4. {@link toWritableHeaders}: whatever is left, made acceptable to node's
 *    `ServerResponse.writeHead` without ever throwing.
 *
 * Headers travel as ordered `[name, value]` pairs, spelled as sent: AWS keeps a client's and a
 * backend's spelling, and a header may repeat.
 *
 * Sources, cited where each rule is: LocalStack's next_gen REST implementation
 * (localstack-core/localstack/services/apigateway/next_gen/execute_api/) and its snapshots
 * recorded against AWS (tests/aws/services/apigateway/*.snapshot.json), the API Gateway
 * developer guide ("Amazon API Gateway important notes for REST APIs", header table), and
 * captures of real traffic quoted in public issues.
 */
import { types } from "node:util";
import type { HeaderPair } from "../restGateway/integrations/integrationTypes";

export type { HeaderPair };

/** The three API types, whose request headers are not treated alike. */
export type ApiKind = "REST" | "HTTP" | "WEBSOCKET";

/** REST integration types (`Integration.type`). */
export type RestIntegrationType = "AWS" | "AWS_PROXY" | "HTTP" | "HTTP_PROXY" | "MOCK";

/** The caller's side of the connection, as the integration is told of it. */
export interface ClientConnection {
  /** The caller's IP address (`$context.identity.sourceIp`). */
  sourceIp: string;
  /** The port the caller connected to (AWS: 443). */
  port: number;
  /** The scheme the caller used. @default "http" (the local gateways listen without TLS; AWS says "https") */
  proto?: "http" | "https";
}

// ---------------------------------------------------------------------------------------
// 1. Request headers dropped before the integration sees them
// ---------------------------------------------------------------------------------------

/**
 * REST APIs: request headers dropped when the request is parsed. No integration receives them
 * (not even a proxy one) and `$input.params()` does not see them.
 * - LocalStack header_utils.py `DROPPED_FROM_REQUEST_COMMON`, applied in handlers/parse.py;
 * - recorded from AWS, test_apigateway_integrations.py::TestApiGatewayHeaderRemapping
 *   (11-12-2024): a caller sent all of them; `$input.params('<name>')` was "" for each in
 *   HTTP and AWS integrations, and the AWS_PROXY Lambda event had none of them;
 * - developer guide header table: Content-MD5, Expect, Max-Forwards, Proxy-Authenticate,
 *   Server, TE, Trailer, Upgrade, WWW-Authenticate "Dropped"; Connection dropped for Lambda.
 */
export const REST_DROPPED_REQUEST_HEADERS: readonly string[] = [
  "Connection",
  "Content-Length",
  "Content-MD5",
  "Expect",
  "Max-Forwards",
  "Proxy-Authenticate",
  "Server",
  "TE",
  "Transfer-Encoding",
  "Trailer",
  "Upgrade",
  "WWW-Authenticate",
];

/**
 * WebSocket APIs (`$connect`): the REST list. Captured `$connect` Lambda events carry only Host,
 * the Sec-WebSocket-* headers, X-Amzn-Trace-Id and X-Forwarded-*: the handshake's
 * `Connection: Upgrade` and `Upgrade: websocket` are gone (gists noid11/4aa8933d, 2020-12-13,
 * and ran-isenberg/7c73a1db, 2024-11-12, from a ws/wscat client). WebSocket events use the REST
 * (v1) event shape and no capture shows any other difference. The developer guide's REQUEST
 * authorizer input example for WebSocket lists Connection, Upgrade and content-length: it is an
 * example, not a capture, and concerns the authorizer, not the integration.
 */
const WEBSOCKET_DROPPED_REQUEST_HEADERS: readonly string[] = REST_DROPPED_REQUEST_HEADERS;

/**
 * HTTP APIs: only the connection-level headers. HTTP APIs differ from REST here: their Lambda
 * events keep Content-Length (a captured event for `curl` GET shows `Content-Length: 0`, gist
 * kenjij/35085553, 2020-02-07), so it is not dropped; with no recorded list, the hop-by-hop
 * headers of RFC 9110 §7.6.1 (which a proxy must not forward) are dropped. The developer guide
 * says only that HTTP APIs "translate incoming X-Forwarded-* headers to a standard Forwarded
 * header" for HTTP integrations ("Amazon API Gateway important notes for HTTP APIs").
 */
const HTTP_API_DROPPED_REQUEST_HEADERS: readonly string[] = [
  "Connection",
  "Keep-Alive",
  "Proxy-Connection",
  "TE",
  "Trailer",
  "Transfer-Encoding",
  "Upgrade",
];

/** Lower-cased name sets, built once. */
const DROPPED_REQUEST: Record<ApiKind, ReadonlySet<string>> = {
  REST: lowerSet(REST_DROPPED_REQUEST_HEADERS),
  WEBSOCKET: lowerSet(WEBSOCKET_DROPPED_REQUEST_HEADERS),
  HTTP: lowerSet(HTTP_API_DROPPED_REQUEST_HEADERS),
};

/**
 * Whether AWS drops a request header before this API type's integrations see it.
 *
 * @param lowerName - The header's name in lower case.
 * @param api - The API type. @default "REST"
 */
export function isDroppedRequestHeader(lowerName: string, api: ApiKind = "REST"): boolean {
  return DROPPED_REQUEST[api].has(lowerName);
}

/**
 * node's `req.rawHeaders` (`[name, value, name, value, ...]`) as pairs, spelling and order kept.
 *
 * @param rawHeaders - `IncomingMessage.rawHeaders`.
 */
export function pairsFromRawHeaders(rawHeaders: readonly string[]): HeaderPair[] {
  const pairs: HeaderPair[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i], rawHeaders[i + 1]]);
  return pairs;
}

/**
 * The pairs without the named headers (names compared case-insensitively), order kept.
 *
 * @param pairs - The headers.
 * @param names - Lower-cased names to leave out.
 */
function withoutHeaders(pairs: readonly HeaderPair[], names: ReadonlySet<string>): HeaderPair[] {
  return pairs.filter(([name]) => !names.has(name.toLowerCase()));
}

/**
 * The caller's headers as the API sees them after parsing: the ones AWS drops for this API type
 * are gone, the rest keep the caller's spelling and order. For REST this is what
 * `$input.params()`, `method.request.header.*` and the proxy event start from.
 *
 * @param pairs - The caller's headers, as received.
 * @param api - The API type. @default "REST"
 */
export function invocationHeaders(pairs: readonly HeaderPair[], api: ApiKind = "REST"): HeaderPair[] {
  return withoutHeaders(pairs, DROPPED_REQUEST[api]);
}

// ---------------------------------------------------------------------------------------
// 2. Headers added for the integration
// ---------------------------------------------------------------------------------------

/** AWS's spelling of the headers it adds (captures quoted below). */
const TRACE_HEADER = "X-Amzn-Trace-Id";
const FORWARDED_FOR = "X-Forwarded-For";
const FORWARDED_PORT = "X-Forwarded-Port";
const FORWARDED_PROTO = "X-Forwarded-Proto";
/** Lower case on the wire: ustayready/fireprox#12 (2020-02-21) and #39 (2024-11-27). */
const API_ID_HEADER = "x-amzn-apigateway-api-id";
const ADDED_FOR_INTEGRATION = lowerSet([TRACE_HEADER, FORWARDED_FOR, FORWARDED_PORT, FORWARDED_PROTO]);

/**
 * The `X-Forwarded-For` value AWS sends: the client's own X-Forwarded-For (all of them, in
 * order) with the caller's address appended after `, `; the caller's address alone otherwise.
 * Recorded: a client sending `X-Forwarded-For: 1.1.1.1` reached an HTTP_PROXY backend as
 * `X-Forwarded-For: 1.1.1.1, <real ip>` (ustayready/fireprox#12, 2020-02-21); an edge API's
 * Lambda event had `2.3.4.5, <real ip>, <CloudFront ip>` for a spoofed 2.3.4.5
 * (aws-solutions/aws-waf-security-automations#123, 2020-02-25; no CloudFront hop locally).
 *
 * @param pairs - The caller's headers.
 * @param sourceIp - The caller's address.
 */
export function forwardedFor(pairs: readonly HeaderPair[], sourceIp: string): string {
  const sent = pairs.filter(([name]) => name.toLowerCase() === "x-forwarded-for").map(([, value]) => value.trim());
  return [...sent.filter((value) => value !== ""), sourceIp].join(", ");
}

/**
 * The headers with the ones AWS adds for an integration: `X-Amzn-Trace-Id`, then
 * `X-Forwarded-For`, `X-Forwarded-Port`, `X-Forwarded-Proto`, appended in that order and spelling
 * (the order of a netcat capture at an HTTP_PROXY backend, ustayready/fireprox#39, 2024-11-27,
 * and of captured WebSocket and HTTP API Lambda events). The caller's own copies are removed
 * first: the trace header is replaced by the one given (built by `requestTrace` in
 * ./traceId.ts, which continues a valid caller trace), X-Forwarded-For is appended to, and
 * X-Forwarded-Port and -Proto are overwritten (a client's `X-Forwarded-Port: 4431` and
 * `X-Forwarded-Proto: http` arrived as `443` and `https`, ustayready/fireprox#12, 2020-02-21).
 * Used for REST AWS_PROXY and HTTP_PROXY (via {@link restIntegrationRequestHeaders}), HTTP API
 * Lambda events and WebSocket events.
 *
 * @param pairs - The headers so far.
 * @param client - The caller's address, port and scheme.
 * @param traceHeader - The integration's `X-Amzn-Trace-Id` value (`RequestTrace.integration`).
 */
export function withForwardedHeaders(pairs: readonly HeaderPair[], client: ClientConnection, traceHeader: string): HeaderPair[] {
  const kept = withoutHeaders(pairs, ADDED_FOR_INTEGRATION);
  kept.push(
    [TRACE_HEADER, traceHeader],
    [FORWARDED_FOR, forwardedFor(pairs, client.sourceIp)],
    [FORWARDED_PORT, String(client.port)],
    [FORWARDED_PROTO, client.proto ?? "http"],
  );
  return kept;
}

/**
 * The headers CloudFront adds in front of an EDGE-optimized REST API, which every integration
 * and `$input.params()` then see (recorded in Lambda proxy events of an EDGE API: LocalStack
 * test_apigateway_lambda.py::test_lambda_aws_proxy_integration, 2024-08-02:
 * CloudFront-Forwarded-Proto, CloudFront-Is-{Desktop,Mobile,SmartTV,Tablet}-Viewer,
 * CloudFront-Viewer-ASN, CloudFront-Viewer-Country, Via, X-Amz-Cf-Id). There is no CloudFront
 * locally, so the values describe a local viewer: the scheme the caller used, a desktop viewer
 * (what CloudFront reported for the recorded non-browser client), ASN `0` and country `ZZ`
 * ("unknown": the local cloud has no viewer location), a `Via` in CloudFront's shape and a
 * request id of X-Amz-Cf-Id's length. Existing copies from the caller are replaced, as
 * CloudFront does.
 *
 * @param pairs - The caller's headers.
 * @param client - The caller's connection.
 * @param cloudFrontId - A random 40-byte id, base64 (X-Amz-Cf-Id; its first 16 bytes name the Via host).
 */
export function withEdgeViewerHeaders(pairs: readonly HeaderPair[], client: ClientConnection, cloudFrontId: string): HeaderPair[] {
  const added: HeaderPair[] = [
    ["CloudFront-Forwarded-Proto", client.proto ?? "http"],
    ["CloudFront-Is-Desktop-Viewer", "true"],
    ["CloudFront-Is-Mobile-Viewer", "false"],
    ["CloudFront-Is-SmartTV-Viewer", "false"],
    ["CloudFront-Is-Tablet-Viewer", "false"],
    ["CloudFront-Viewer-ASN", "0"],
    ["CloudFront-Viewer-Country", "ZZ"],
    ["Via", `1.1 ${Buffer.from(cloudFrontId, "base64").subarray(0, 16).toString("hex")}.cloudfront.net (CloudFront)`],
    ["X-Amz-Cf-Id", cloudFrontId],
  ];
  const kept = withoutHeaders(pairs, lowerSet(added.map(([name]) => name)));
  kept.push(...added);
  return kept;
}

/**
 * Dropped from a REST integration request after mapping (what request parameters or a
 * template set included), per integration type: LocalStack handlers/integration_request.py
 * `DROPPED_FROM_INTEGRATION_REQUESTS_*`; the developer guide table agrees (Expect,
 * Proxy-Authenticate, TE "Dropped"; Via dropped for http and http_proxy). For HTTP and
 * HTTP_PROXY the recording is explicit: a full header mapping reached the endpoint except
 * Expect, Proxy-Authenticate, TE and Via (test_apigateway_integrations.py::
 * TestApiGatewayHeaderRemapping, 11-12-2024); Connection and Keep-Alive describe API Gateway's
 * own connection to the endpoint, which the recorded endpoints never saw.
 */
const DROPPED_AFTER_MAPPING: Record<RestIntegrationType, ReadonlySet<string>> = {
  AWS: lowerSet(["Expect", "Proxy-Authenticate", "TE", "Referer"]),
  AWS_PROXY: lowerSet(["Expect", "Proxy-Authenticate", "TE"]),
  HTTP: lowerSet(["Expect", "Proxy-Authenticate", "TE", "Via", "Connection", "Keep-Alive"]),
  HTTP_PROXY: lowerSet(["Expect", "Proxy-Authenticate", "TE", "Via", "Connection", "Keep-Alive"]),
  MOCK: lowerSet(["Expect", "Proxy-Authenticate", "TE"]),
};

/**
 * The caller's headers HTTP_PROXY does not pass on, though a mapping may still set them: Host
 * (the endpoint's is used) and Content-Encoding (LocalStack "undocumented but validated
 * behavior"; developer guide table, Content-Encoding request "Dropped" for http_proxy, Host
 * "Overwritten to the integration endpoint"; recorded: a mapped Host replaced the endpoint's,
 * TestApiGatewayHeaderRemapping 11-12-2024).
 */
const REST_NOT_PROXIED_REQUEST_HEADERS: readonly string[] = ["Host", "Content-Encoding"];
const NOT_PROXIED = lowerSet(REST_NOT_PROXIED_REQUEST_HEADERS);

/**
 * The caller's headers an HTTP_PROXY integration starts from (before its mappings).
 *
 * @param pairs - The caller's headers after parsing ({@link invocationHeaders}).
 */
export function proxiedRequestHeaders(pairs: readonly HeaderPair[]): HeaderPair[] {
  return withoutHeaders(pairs, NOT_PROXIED);
}

/** What {@link restIntegrationRequestHeaders} needs besides the headers. */
export interface RestIntegrationRequestContext {
  /** The integration's type. */
  integrationType: RestIntegrationType;
  /** The REST API's id (`x-amzn-apigateway-api-id`, the default User-Agent). */
  apiId: string;
  /** The integration's `X-Amzn-Trace-Id` (`RequestTrace.integration` from ./traceId.ts). */
  traceHeader: string;
  /** The caller's connection (X-Forwarded-* for proxy integrations). */
  client: ClientConnection;
}

/**
 * The headers a REST integration request carries, from the headers it was built with (the
 * caller's {@link invocationHeaders} for a proxy integration, the mapped ones otherwise):
 * - dropped per type (see `DROPPED_AFTER_MAPPING`);
 * - HTTP and HTTP_PROXY: `Accept: application/json` and `User-Agent: AmazonAPIGateway_<apiId>`
 *   when absent (recorded: test_apigateway_http.py::test_http_integration_with_lambda,
 *   07-08-2024: an HTTP integration's backend got both, an HTTP_PROXY one kept the caller's);
 * - X-Amzn-Trace-Id for every type but MOCK (recorded at the backend for HTTP, HTTP_PROXY and in
 *   the AWS_PROXY event, TestApiGatewayHeaderRemapping 11-12-2024);
 * - X-Forwarded-For/-Port/-Proto for AWS_PROXY (recorded, same test) and HTTP_PROXY
 *   (ustayready/fireprox#12 and #39); not for HTTP or AWS, whose request is built from mappings
 *   alone (LocalStack sets them only in the proxy branch; not recorded either way);
 * - `x-amzn-apigateway-api-id: <apiId>` for HTTP and HTTP_PROXY (recorded, same tests; spelled
 *   in lower case on the wire, fireprox#12/#39).
 *
 * @param pairs - The integration request's headers before these transforms.
 * @param context - Integration type, API id, trace header and caller.
 */
export function restIntegrationRequestHeaders(pairs: readonly HeaderPair[], context: RestIntegrationRequestContext): HeaderPair[] {
  const { integrationType: type } = context;
  let headers = withoutHeaders(pairs, DROPPED_AFTER_MAPPING[type]);
  if (type === "MOCK") return headers;
  if (type === "HTTP" || type === "HTTP_PROXY") {
    headers = withDefault(headers, "Accept", "application/json");
    headers = withDefault(headers, "User-Agent", `AmazonAPIGateway_${context.apiId}`);
  }
  if (type === "AWS_PROXY" || type === "HTTP_PROXY") {
    headers = withForwardedHeaders(headers, context.client, context.traceHeader);
  } else {
    headers = withoutHeaders(headers, lowerSet([TRACE_HEADER]));
    headers.push([TRACE_HEADER, context.traceHeader]);
  }
  if (type === "HTTP" || type === "HTTP_PROXY") {
    headers = withoutHeaders(headers, lowerSet([API_ID_HEADER]));
    headers.push([API_ID_HEADER, context.apiId]);
  }
  return headers;
}

/**
 * The pairs with `name: value` appended when no header of that name is present.
 *
 * @param pairs - The headers.
 * @param name - The header's name.
 * @param value - Its default value.
 */
function withDefault(pairs: HeaderPair[], name: string, value: string): HeaderPair[] {
  const lower = name.toLowerCase();
  if (!pairs.some(([n]) => n.toLowerCase() === lower)) pairs.push([name, value]);
  return pairs;
}

// ---------------------------------------------------------------------------------------
// 3. REST integration response headers
// ---------------------------------------------------------------------------------------

/** The prefix of a remapped header, spelled as AWS answers it (recorded, below). */
const REMAPPED_PREFIX = "x-amzn-Remapped-";

/**
 * Remapped to `x-amzn-Remapped-<name>` in every REST integration's answer: the gateway answers
 * these itself. Recorded: HTTP_PROXY, TestApiGatewayHeaderRemapping (11-12-2024):
 * `x-amzn-Remapped-Connection`, `-Content-Length`, `-Date`, `-Server` from the backend's own;
 * test_apigateway_http.py::test_http_integration_with_lambda[HTTP_PROXY] (07-08-2024): the
 * backend's `x-amzn-RequestId` came back as `x-amzn-remapped-x-amzn-requestid` (LocalStack
 * does not do that one yet). LocalStack handlers/method_response.py
 * `REMAPPED_FROM_INTEGRATION_RESPONSE_COMMON`.
 */
const REST_REMAPPED_RESPONSE_HEADERS_COMMON: readonly string[] = ["Connection", "Content-Length", "Date", "Server", "x-amzn-RequestId"];

/**
 * Also remapped for non-proxy integrations (HTTP, AWS; MOCK answers through the same method
 * response mapping, so it is treated alike). Recorded: TestApiGatewayHeaderRemapping
 * ::test_apigateway_header_remapping_http[HTTP] and ..._aws[AWS] (11-12-2024): each mapped
 * `method.response.header.<name>` came back as `x-amzn-Remapped-<name>`. LocalStack
 * `REMAPPED_FROM_INTEGRATION_RESPONSE_NON_PROXY`. (The developer guide table says Expect,
 * Proxy-Authenticate, Trailer, Upgrade and Host are dropped: the recording says otherwise.)
 */
export const REST_REMAPPED_RESPONSE_HEADERS_NON_PROXY: readonly string[] = [
  ...REST_REMAPPED_RESPONSE_HEADERS_COMMON,
  "Authorization",
  "Content-MD5",
  "Expect",
  "Host",
  "Max-Forwards",
  "Proxy-Authenticate",
  "Trailer",
  "Upgrade",
  "User-Agent",
  "WWW-Authenticate",
];

/**
 * Also remapped for proxy integrations (AWS_PROXY, HTTP_PROXY). Not in LocalStack's list (its
 * recording backend never sent them); the developer guide table marks them "Remapped" for the
 * response of every integration type, and Lambda proxy users report `WWW-Authenticate` arriving
 * as `x-amzn-Remapped-WWW-Authenticate` (dherault/serverless-offline#236, 2017-04-17;
 * modelix/modelix.core#1658, 2025-05-28).
 */
export const REST_REMAPPED_RESPONSE_HEADERS_PROXY: readonly string[] = [
  ...REST_REMAPPED_RESPONSE_HEADERS_COMMON,
  "Authorization",
  "Content-MD5",
  "Max-Forwards",
  "User-Agent",
  "WWW-Authenticate",
];

/**
 * Dropped from non-proxy answers: Transfer-Encoding (recorded: no `Transfer-Encoding` nor
 * remapped copy in the HTTP/AWS answers of TestApiGatewayHeaderRemapping, 11-12-2024; LocalStack
 * `DROPPED_FROM_INTEGRATION_RESPONSES_COMMON`). TE and Via passed through in that recording.
 */
const REST_DROPPED_RESPONSE_HEADERS_NON_PROXY: readonly string[] = ["Transfer-Encoding"];

/**
 * Dropped from proxy answers: the developer guide table's "Dropped" response headers
 * (Expect, Host, Proxy-Authenticate, TE, Trailer, Transfer-Encoding, Upgrade; Via for http_proxy
 * and lambda). Not recorded beyond Transfer-Encoding. LocalStack also drops Content-Encoding
 * from HTTP_PROXY answers; the guide says it passes through, and the local HTTP_PROXY returns
 * the backend's body bytes unchanged, so it is kept.
 */
export const REST_DROPPED_RESPONSE_HEADERS_PROXY: readonly string[] = ["Expect", "Host", "Proxy-Authenticate", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Via"];

/**
 * Whether the gateway adds its own `X-Amzn-Trace-Id` to a successful answer of this integration
 * type: for AWS, AWS_PROXY and HTTP, not for MOCK or HTTP_PROXY (recorded:
 * test_apigateway_common.py::test_invocation_trace_id, 07-08-2024, MOCK answers had none even
 * when the caller sent one; TestApiGatewayHeaderRemapping 11-12-2024: HTTP_PROXY none, HTTP and
 * AWS and AWS_PROXY one; LocalStack handlers/response_enricher.py). Gateway error answers carry
 * none (same recordings, the 500 answers).
 *
 * @param integrationType - The integration's type.
 */
export function gatewaySetsTraceHeader(integrationType: RestIntegrationType): boolean {
  return integrationType === "AWS" || integrationType === "AWS_PROXY" || integrationType === "HTTP";
}

/** Lower-cased remap and drop sets per integration type, built once. */
const RESPONSE_RULES: Record<RestIntegrationType, { remap: ReadonlySet<string>; drop: ReadonlySet<string> }> = {
  AWS: responseRules(REST_REMAPPED_RESPONSE_HEADERS_NON_PROXY, REST_DROPPED_RESPONSE_HEADERS_NON_PROXY, true),
  HTTP: responseRules(REST_REMAPPED_RESPONSE_HEADERS_NON_PROXY, REST_DROPPED_RESPONSE_HEADERS_NON_PROXY, true),
  MOCK: responseRules(REST_REMAPPED_RESPONSE_HEADERS_NON_PROXY, REST_DROPPED_RESPONSE_HEADERS_NON_PROXY, false),
  AWS_PROXY: responseRules(REST_REMAPPED_RESPONSE_HEADERS_PROXY, REST_DROPPED_RESPONSE_HEADERS_PROXY, true),
  HTTP_PROXY: responseRules(REST_REMAPPED_RESPONSE_HEADERS_PROXY, REST_DROPPED_RESPONSE_HEADERS_PROXY, false),
};

/**
 * The remap and drop sets of one integration type. The gateway's own `x-amz-apigw-id`, and its
 * `X-Amzn-Trace-Id` where it sets one, are remapped too: by analogy with the recorded
 * `x-amzn-RequestId` (a header the gateway sets is never overwritten silently; not recorded).
 *
 * @param remap - The names remapped.
 * @param drop - The names dropped.
 * @param setsTrace - Whether the gateway answers its own X-Amzn-Trace-Id for this type.
 */
function responseRules(remap: readonly string[], drop: readonly string[], setsTrace: boolean) {
  const remapped = [...remap, "x-amz-apigw-id", ...(setsTrace ? [TRACE_HEADER] : [])];
  return { remap: lowerSet(remapped), drop: lowerSet(drop) };
}

/**
 * A REST integration's answer headers (a proxy integration's own, or what a non-proxy
 * integration response mapped into the method response) as API Gateway passes them on: the
 * reserved ones renamed `x-amzn-Remapped-<name as sent>` in place, the dropped ones gone, the
 * rest unchanged, in order. The gateway's own headers are added afterwards
 * ({@link gatewayResponseHeaders}).
 *
 * @param pairs - The answer's headers, names as the backend spelled them.
 * @param integrationType - The integration's type.
 */
export function restResponseHeaders(pairs: readonly HeaderPair[], integrationType: RestIntegrationType): HeaderPair[] {
  const rules = RESPONSE_RULES[integrationType];
  const result: HeaderPair[] = [];
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (rules.drop.has(lower)) continue;
    result.push(rules.remap.has(lower) ? [REMAPPED_PREFIX + name, value] : [name, value]);
  }
  return result;
}

/**
 * {@link restResponseHeaders} for an answer's header record: the same record when no header in
 * it is remapped or dropped (the usual case), else a new one.
 *
 * @param headers - The answer's headers by name.
 * @param integrationType - The integration's type.
 */
export function restResponseHeaderRecord(headers: Record<string, string | string[]>, integrationType: RestIntegrationType): Record<string, string | string[]> {
  const rules = RESPONSE_RULES[integrationType];
  let untouched = true;
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (rules.drop.has(lower) || rules.remap.has(lower)) {
      untouched = false;
      break;
    }
  }
  if (untouched) return headers;
  const result: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (rules.drop.has(lower)) continue;
    result[rules.remap.has(lower) ? REMAPPED_PREFIX + name : name] = value;
  }
  return result;
}

/** The headers the REST gateway adds to an answer itself. */
export interface GatewayResponseIds {
  /** `$context.requestId`, a UUID: answered as `x-amzn-RequestId`. */
  requestId: string;
  /** `$context.extendedRequestId`: answered as `x-amz-apigw-id`. */
  apigwId: string;
  /** `RequestTrace.response` when {@link gatewaySetsTraceHeader} is true. @default none */
  traceHeader?: string;
}

/**
 * The headers the REST gateway adds itself, in AWS's spelling (recorded in every answer of
 * TestApiGatewayHeaderRemapping, 11-12-2024): `x-amzn-RequestId`, `x-amz-apigw-id` and, when
 * given, `X-Amzn-Trace-Id`. Content-Length, Date and Connection are the HTTP server's (node sets
 * Date and Connection; pass the body's length to {@link toWritableHeaders}).
 *
 * @param ids - The request's ids and trace header.
 */
export function gatewayResponseHeaders(ids: GatewayResponseIds): HeaderPair[] {
  const headers: HeaderPair[] = [
    ["x-amzn-RequestId", ids.requestId],
    ["x-amz-apigw-id", ids.apigwId],
  ];
  if (ids.traceHeader !== undefined) headers.push([TRACE_HEADER, ids.traceHeader]);
  return headers;
}

// ---------------------------------------------------------------------------------------
// 4. Headers node can write
// ---------------------------------------------------------------------------------------

/** An RFC 9110 token: the only header names node's `writeHead` accepts. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * A field value written as is: HTAB, space and visible ASCII. node also accepts U+0080-U+00FF
 * but puts them on the wire as Latin-1 or as UTF-8 depending on how the body is written (a
 * Buffer body sent them UTF-8-encoded in the fuzz spec), so they are not written either.
 */
const WRITABLE_VALUE = /^[\t\x20-\x7e]*$/;
/**
 * Framing headers node derives itself and that a backend cannot be trusted with: a wrong
 * Content-Length truncates or stalls the body, Transfer-Encoding changes how it is framed, and
 * a `Trailer` header with a Content-Length makes `writeHead` throw ERR_HTTP_TRAILER_INVALID.
 * API Gateway sets its own Content-Length and drops or remaps the other two (section 3).
 */
const FRAMING = lowerSet(["Content-Length", "Transfer-Encoding", "Trailer"]);

/** Names already checked against TOKEN: answers repeat the same few names. */
const checkedNames = new Map<string, boolean>();

function isToken(name: string): boolean {
  let valid = checkedNames.get(name);
  if (valid === undefined) {
    valid = TOKEN.test(name);
    if (checkedNames.size >= 1024) checkedNames.clear();
    checkedNames.set(name, valid);
  }
  return valid;
}

/** Why {@link toWritableHeaders} left a header out. */
export type DropReason = "invalid-name" | "invalid-value" | "framing";

/** Options of {@link toWritableHeaders}. */
export interface WritableOptions {
  /** The body's length in bytes: written as `Content-Length`. @default none (node frames the body itself) */
  contentLength?: number;
  /** Told of each header left out, e.g. to log it. @default none */
  onDrop?: (name: string, reason: DropReason) => void;
}

/**
 * Any header collection a backend may produce, made into the flat `[name, value, name, value,
 * ...]` list node's `res.writeHead(status, list)` takes: order, spelling and repeats kept
 * (one line per value), and never a throw, whatever the input.
 *
 * Accepted shapes: pairs (`[name, value][]`), node's flat rawHeaders (`string[]`), a Map, a
 * plain or null-prototype object (`__proto__`, `constructor` are ordinary names). Anything
 * else (null, a number, ...) is no headers.
 *
 * Per header, where AWS is known the earlier sections already applied it; the rest is decided
 * here:
 * - a value that is a string is kept; a boolean becomes `"true"`/`"false"` (recorded: a Lambda
 *   proxy's `"header-bool": true` answered `header-bool: true`, test_apigateway_lambda.py
 *   ::test_aws_proxy_response_payload_format_validation, 15-11-2024); a finite number or a
 *   bigint its decimal text; an array one header line per element (as `multiValueHeaders`);
 *   anything else (null, undefined, objects, symbols, nested arrays, NaN) is dropped:
 *   AWS rejects such a Lambda answer before this point, so there is nothing to match;
 * - a name that is not an RFC 9110 token (empty, spaces, `:status`, non-ASCII, CR/LF) is
 *   dropped: what AWS answers for one is not recorded and node cannot write it;
 * - a value with CR, LF, NUL or another control character (header injection, or a throw) or
 *   any non-ASCII character is dropped. What AWS answers for a non-ASCII value is not recorded;
 *   node throws above U+00FF and writes U+0080-U+00FF inconsistently (see `WRITABLE_VALUE`);
 * - Content-Length, Transfer-Encoding and Trailer are dropped (see `FRAMING`);
 *   `options.contentLength` writes the real length instead.
 *
 * @param input - The headers, in any shape.
 * @param options - The body's length, and a callback for dropped headers. @default {}
 */
export function toWritableHeaders(input: unknown, options: WritableOptions = {}): string[] {
  const flat: string[] = [];
  for (const [name, value] of isPlainRecord(input) ? Object.entries(input) : safeEntries(input)) {
    for (const text of valueTexts(value)) {
      const reason = dropReason(name, text);
      if (reason === undefined) flat.push(name as string, text as string);
      else options.onDrop?.(typeof name === "string" ? name : String(typeof name), reason);
    }
  }
  if (options.contentLength !== undefined && Number.isSafeInteger(options.contentLength) && options.contentLength >= 0) {
    flat.push("Content-Length", String(options.contentLength));
  }
  return flat;
}

/**
 * A plain (or null-prototype) object without accessors: its entries can be read directly
 * (every answer the gateway builds itself), anything else goes through `safeEntries`.
 *
 * @param input - The headers.
 */
function isPlainRecord(input: unknown): input is Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input) || input instanceof Map || types.isProxy(input)) return false;
  try {
    // A Proxy may throw from any of these: then it is not plain.
    const proto = Object.getPrototypeOf(input);
    if (proto !== null && proto !== Object.prototype) return false;
    for (const key in input) {
      const descriptor = Object.getOwnPropertyDescriptor(input, key);
      if (descriptor === undefined || !("value" in descriptor)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a header cannot be written, or undefined when it can.
 *
 * @param name - The header's name, any value.
 * @param text - Its value as text, or undefined when it had no usable text.
 */
function dropReason(name: unknown, text: string | undefined): DropReason | undefined {
  if (typeof name !== "string" || !isToken(name)) return "invalid-name";
  if (text === undefined || !WRITABLE_VALUE.test(text)) return "invalid-value";
  if (FRAMING.has(name.toLowerCase())) return "framing";
  return undefined;
}

/**
 * The text of each header line a value makes: one for a scalar, one per element of an array,
 * `[undefined]` for a value with no usable text (so that it is reported, not silently lost).
 *
 * @param value - The value, any type.
 */
function valueTexts(value: unknown): Array<string | undefined> {
  if (!Array.isArray(value)) return [scalarText(value)];
  return value.length === 0 ? [] : value.map(scalarText);
}

/**
 * A scalar header value as text, or undefined.
 *
 * @param value - The value, any type.
 */
function scalarText(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
    case "bigint":
      return String(value);
    case "number":
      return Number.isFinite(value) ? String(value) : undefined;
    default:
      return undefined;
  }
}

/**
 * `[name, value]` entries of any header collection, never throwing: a getter that throws or a
 * hostile Proxy loses the entries it could not give.
 *
 * @param input - Pairs, a flat rawHeaders list, a Map, an object, or anything else.
 */
function safeEntries(input: unknown): Array<[unknown, unknown]> {
  const entries: Array<[unknown, unknown]> = [];
  try {
    if (input instanceof Map) {
      for (const entry of input) entries.push([entry[0], entry[1]]);
    } else if (Array.isArray(input)) {
      arrayEntries(input, entries);
    } else if (typeof input === "object" && input !== null) {
      for (const key of Object.keys(input)) entries.push([key, readProperty(input, key)]);
    }
  } catch {
    // Keep what was read before the failure.
  }
  return entries;
}

/**
 * Entries of an array: pairs when its first element is an array, node's flat rawHeaders
 * otherwise. A pair that is not a two-element array is read as far as it goes.
 *
 * @param input - The array.
 * @param entries - Where the entries go.
 */
function arrayEntries(input: unknown[], entries: Array<[unknown, unknown]>): void {
  if (Array.isArray(input[0])) {
    for (const pair of input) if (Array.isArray(pair)) entries.push([pair[0], pair[1]]);
    return;
  }
  for (let i = 0; i + 1 < input.length; i += 2) entries.push([input[i], input[i + 1]]);
}

/**
 * `object[key]`, or undefined when reading it throws.
 *
 * @param object - Any object.
 * @param key - An own key of it.
 */
function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * The lower-cased names as a set.
 *
 * @param names - Header names.
 */
function lowerSet(names: readonly string[]): ReadonlySet<string> {
  return new Set(names.map((name) => name.toLowerCase()));
}
