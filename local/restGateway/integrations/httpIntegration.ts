import * as http from "node:http";
import * as https from "node:https";
import { proxiedRequestHeaders, restIntegrationRequestHeaders, type ClientConnection } from "../../gateway/headers";
import { GatewayError } from "../gatewayError";
import type { TemplateResult } from "../mappingTemplate";
import type { IntegrationModel } from "../restApiModel";
import type { EndpointResponse, HeaderPair, IntegrationRequest } from "./integrationTypes";
import { assertHeadersMappable, mapIntegrationRequestParameters, type MappingVariables, type MethodRequest } from "./parameterMapping";

/**
 * HTTP and HTTP_PROXY integrations of REST APIs ("HTTP integrations for REST APIs in API
 * Gateway", developer guide): building the integration request from the method request, and
 * sending it to the endpoint for real. Header handling follows what AWS was recorded doing
 * (LocalStack test_apigateway_integrations.py::TestApiGatewayHeaderRemapping and
 * test_apigateway_http.py snapshots, cited below as [recorded: header remapping] and
 * [recorded: http]); LocalStack's next_gen handlers/integration_request.py and
 * integrations/http.py are the model where nothing was recorded.
 */

/**
 * The REST payload limit ("Amazon API Gateway quotas": payload size 10 MB). An endpoint
 * answering more fails the request with 500 (AWS knowledge center, "How do I troubleshoot 5xx
 * errors for API Gateway?": "Backend payload size exceeding 10 MB" is among the 500 causes).
 */
export const MAX_ENDPOINT_RESPONSE_BYTES = 10 * 1024 * 1024;

/** Methods whose body API Gateway does not send (LocalStack integrations/http.py NO_BODY_METHODS). */
const NO_BODY_METHODS = ["GET", "HEAD", "OPTIONS"];

/** What {@link buildHttpIntegrationRequest} builds from. */
export interface HttpIntegrationRequestInput {
  /** The method's integration (type HTTP or HTTP_PROXY). */
  integration: Pick<IntegrationModel, "type" | "uri" | "integrationHttpMethod" | "requestParameters">;
  /** The method request. */
  request: MethodRequest;
  /** `context` and `stageVariables`, for mappings and the URI's `${stageVariables.x}`. */
  variables: MappingVariables;
  /** The REST API's id: `X-Amzn-Apigateway-Api-Id`, and the default `User-Agent: AmazonAPIGateway_<apiId>`. */
  apiId: string;
  /** The request's X-Ray trace header value (`Root=1-...`), sent as `X-Amzn-Trace-Id`. */
  traceId: string;
  /** The caller's connection: X-Forwarded-* of an HTTP_PROXY request. */
  client: ClientConnection;
  /**
   * HTTP only: the body the request template rendered (or the passthrough body). HTTP_PROXY always
   * sends the client's body.
   * @default the client's body
   */
  body?: Buffer;
  /**
   * HTTP only: `$context.requestOverride` as the request template set it; it overrides the
   * parameter mappings (header, query parameter, path placeholder).
   * @default none
   */
  requestOverride?: TemplateResult["requestOverride"];
}

/**
 * Builds the request an HTTP or HTTP_PROXY integration sends.
 *
 * - URI: `{name}` placeholders (also `{name+}`) take the `integration.request.path.<name>`
 *   mappings, URL-encoded segment by segment (a greedy `{proxy}` keeps its slashes); a placeholder
 *   no mapping fills is left empty, as AWS does (aws/aws-cdk#28545: a proxy resource without
 *   `integration.request.path.proxy` always reached `/api/`). `${stageVariables.x}` takes the
 *   stage variable.
 * - HTTP_PROXY: the client's method (unless `integrationHttpMethod` names one), headers (less
 *   those AWS drops), query string and body, with the mapped headers replacing and mapped query
 *   parameters added [recorded: http, test_http_proxy_integration_request_data_mappings].
 * - HTTP: only mapped headers and query parameters, and the given body.
 * - Every request: `Accept: application/json` and `User-Agent: AmazonAPIGateway_<apiId>` unless
 *   set, the client's Content-Type for a method with a body, `X-Amzn-Apigateway-Api-Id` and
 *   `X-Amzn-Trace-Id` [recorded: header remapping, HTTP without mappings].
 *
 * @param input - The integration, the method request and what mappings read.
 * @returns The integration request: `uri` is the URL (its own query string kept), `query` the
 *   parameters to append to it.
 * @throws GatewayError API_CONFIGURATION_ERROR for a restricted header mapping, a stage variable
 *   the URI names but the stage lacks, or a URI that is not an http(s) URL on a port API Gateway
 *   allows [recorded: 8-integration-failure, `https://${stageVariables.url}` without the variable].
 */
export function buildHttpIntegrationRequest(input: HttpIntegrationRequestInput): IntegrationRequest {
  const { integration, request, variables } = input;
  const proxy = integration.type === "HTTP_PROXY";
  const mapping = mapIntegrationRequestParameters(integration.requestParameters, request, variables, integration.type);
  if (!proxy && input.requestOverride) {
    const override = input.requestOverride;
    assertHeadersMappable(Object.keys(override.headers), integration.type);
    Object.assign(mapping.header, override.headers);
    for (const [name, value] of Object.entries(override.querystring)) mapping.querystring[name] = [value];
    Object.assign(mapping.path, override.path);
  }

  const uri = renderIntegrationUri(integration.uri ?? "", mapping.path, variables.stageVariables);

  // The request's headers start from the caller's (HTTP_PROXY) or from nothing (HTTP), then
  // the mappings; the rules every REST integration shares (dropped after mapping, default
  // Accept and User-Agent, trace, X-Forwarded-*, api id) are local/gateway/headers.ts's.
  let headers: HeaderPair[] = proxy ? proxiedRequestHeaders(request.headers) : [];
  for (const [name, value] of Object.entries(mapping.header)) headers = setHeader(headers, name, value);
  const clientContentType = request.headers.find(([name]) => name.toLowerCase() === "content-type")?.[1];
  if (clientContentType !== undefined && !NO_BODY_METHODS.includes(request.httpMethod.toUpperCase()) && !hasHeader(headers, "Content-Type")) {
    headers.push(["Content-Type", clientContentType]);
  }
  headers = restIntegrationRequestHeaders(headers, { integrationType: integration.type as "HTTP" | "HTTP_PROXY", apiId: input.apiId, traceHeader: input.traceId, client: input.client });

  const mappedQuery = Object.entries(mapping.querystring).flatMap(([name, values]) => values.map((value) => [name, value] as [string, string]));
  const method = integration.integrationHttpMethod && integration.integrationHttpMethod.toUpperCase() !== "ANY" ? integration.integrationHttpMethod.toUpperCase() : request.httpMethod.toUpperCase();
  return {
    httpMethod: method,
    uri,
    // HTTP_PROXY appends mapped parameters after the client's, even under the same name
    // (recorded: the URI's testQs=bar and the mapped testQs=foo arrived as "bar,foo").
    query: proxy ? [...request.query, ...mappedQuery] : mappedQuery,
    headers,
    body: proxy ? request.body : input.body ?? request.body,
  };
}

/**
 * Fills an HTTP integration URI: `{name}` / `{name+}` placeholders from the path mappings, then
 * `${stageVariables.name}` ("Use stage variables for a REST API in API Gateway": stage variables
 * in an HTTP integration URL), and checks the result is a URL API Gateway can call.
 *
 * @param uri - The integration URI as declared.
 * @param pathParameters - `integration.request.path.<name>` values (decoded).
 * @param stageVariables - The stage's variables.
 * @returns The URL, its own query string kept.
 * @throws GatewayError API_CONFIGURATION_ERROR ("Invalid endpoint address", as AWS logs it) for an
 *   undefined stage variable, a URL that does not parse or is not http(s), or a port other than
 *   80, 443 and 1024-65535 ("API Gateway supports the following endpoint ports: 80, 443 and
 *   1024-65535", "HTTP integrations for REST APIs").
 */
export function renderIntegrationUri(uri: string, pathParameters: Record<string, string>, stageVariables: Record<string, string>): string {
  const withPath = uri.replace(/(?<!\$)\{([A-Za-z0-9._-]+?)\+?\}/g, (_, name: string) => encodePathValue(pathParameters[name] ?? ""));
  const rendered = withPath.replace(/\$\{stageVariables\.([A-Za-z0-9._-]+)\}/g, (_, name: string) => {
    const value = stageVariables[name];
    if (value === undefined) throw new GatewayError("API_CONFIGURATION_ERROR", `Invalid endpoint address: ${uri} names stage variable ${name}, which the stage does not define`);
    return value;
  });
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    throw new GatewayError("API_CONFIGURATION_ERROR", `Invalid endpoint address: ${rendered}`);
  }
  const port = url.port === "" ? undefined : Number(url.port);
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "" || (port !== undefined && port !== 80 && port !== 443 && port < 1024)) {
    throw new GatewayError("API_CONFIGURATION_ERROR", `Invalid endpoint address: ${rendered}`);
  }
  return rendered;
}

/** Options of {@link sendHttpIntegrationRequest}. */
export interface SendHttpOptions {
  /** The integration's `timeoutMilliseconds`: the whole exchange, connection to last byte. */
  timeoutMs: number;
  /**
   * The largest endpoint body accepted.
   * @default MAX_ENDPOINT_RESPONSE_BYTES (10 MB)
   */
  maxResponseBytes?: number;
  /**
   * Whether an https endpoint's certificate must be valid, as API Gateway requires of HTTP
   * integrations (`tlsConfig.insecureSkipVerification` turns it off).
   * @default true
   */
  rejectUnauthorized?: boolean;
}

/**
 * Sends an integration request over the network (node:http / node:https, one connection per
 * request) and reads the whole answer. Anything the endpoint does is an answer or a
 * GatewayError, never a crash.
 *
 * @param request - The integration request: `uri` an http(s) URL, `query` appended to its query
 *   string. A GET, HEAD or OPTIONS request carries no body.
 * @param options - Timeout and limits.
 * @returns The endpoint's status, its headers exactly as received (`rawHeaders`: spelling, order
 *   and repeats kept) and its body.
 * @throws GatewayError INTEGRATION_TIMEOUT (504 `Endpoint request timed out`) when the exchange
 *   outlasts `timeoutMs` ("Amazon API Gateway quotas": integration timeout); API_CONFIGURATION_ERROR
 *   (500 `Internal server error`) when the endpoint cannot be reached (refused, unknown host,
 *   TLS failure), closes or resets before its answer is complete, answers something that is not
 *   HTTP, answers more than `maxResponseBytes`, or when a header of the request is not valid HTTP.
 *   AWS answers an unreachable endpoint 500 with "Execution failed due to configuration error"
 *   (AWS knowledge center, "api-gateway-500-error-vpc": "The target isn't listening on the target
 *   ports"), and LocalStack's validated integrations/http.py answers connection errors 500.
 */
export function sendHttpIntegrationRequest(request: IntegrationRequest, options: SendHttpOptions): Promise<EndpointResponse> {
  const maxResponseBytes = options.maxResponseBytes ?? MAX_ENDPOINT_RESPONSE_BYTES;
  return new Promise<EndpointResponse>((resolve, reject) => {
    let settled = false;
    // Set once the request is valid; fail() may run before that (an unreachable endpoint).
    let timer: NodeJS.Timeout | undefined = undefined;
    let outgoing: http.ClientRequest | undefined;
    const fail = (error: GatewayError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing?.destroy();
      reject(error);
    };
    const unreachable = (why: string) => fail(new GatewayError("API_CONFIGURATION_ERROR", `HTTP integration ${request.httpMethod} ${request.uri}: ${why}`));

    let url: URL;
    let headers: http.OutgoingHttpHeaders;
    try {
      url = new URL(request.uri);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`unsupported protocol ${url.protocol}`);
      headers = outgoingHeaders(request.headers);
    } catch (error) {
      unreachable((error as Error).message);
      return;
    }
    const method = request.httpMethod.toUpperCase();
    const body = NO_BODY_METHODS.includes(method) ? undefined : request.body;
    if (body !== undefined) headers["Content-Length"] = String(body.length);

    timer = setTimeout(() => fail(new GatewayError("INTEGRATION_TIMEOUT", `HTTP integration ${method} ${request.uri}: no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const transport = url.protocol === "https:" ? https : http;
    try {
      outgoing = transport.request({
        method,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || undefined,
        path: `${url.pathname}${withQuery(url.search, request.query)}`,
        headers,
        agent: false,
        rejectUnauthorized: options.rejectUnauthorized ?? true,
      });
    } catch (error) {
      unreachable((error as Error).message);
      return;
    }
    // No Connection header reaches the endpoint (recorded: the echo backends of
    // TestApiGatewayHeaderRemapping, 11-12-2024, saw none); node would add `Connection: close`.
    // The connection is still closed after the answer (one per request).
    outgoing.removeHeader("Connection");
    outgoing.on("error", (error: NodeJS.ErrnoException) => unreachable(`${error.code ?? "error"}: ${error.message}`));
    // A 101 answer hands the connection over; API Gateway's integrations speak plain HTTP.
    outgoing.on("upgrade", (_response, socket) => {
      socket.destroy();
      unreachable("the endpoint switched protocols (101)");
    });
    outgoing.on("response", (response) => {
      // A final answer has a status from 200 to 599 (a 1xx is interim, and node's parser takes
      // any three digits, `000` included): anything else is no answer.
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 599) {
        response.destroy();
        unreachable(`the endpoint answered status ${status}`);
        return;
      }
      const declared = Number(response.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxResponseBytes) {
        response.destroy();
        unreachable(`the endpoint's body (${declared} bytes) exceeds ${maxResponseBytes} bytes`);
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxResponseBytes) {
          response.destroy();
          unreachable(`the endpoint's body exceeds ${maxResponseBytes} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", (error: NodeJS.ErrnoException) => unreachable(`${error.code ?? "error"} while reading the answer: ${error.message}`));
      response.on("close", () => {
        if (!response.complete) unreachable("the endpoint closed the connection before its answer was complete");
      });
      response.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ statusCode: response.statusCode ?? 502, headers: headerPairs(response.rawHeaders), body: Buffer.concat(chunks, received) });
      });
    });
    try {
      outgoing.end(body);
    } catch (error) {
      // node validates some headers only as it writes them.
      unreachable((error as Error).message);
    }
  });
}

/** The URL's own query string followed by the request's parameters, each RFC 3986-encoded. */
function withQuery(search: string, query: Array<[string, string]>): string {
  if (query.length === 0) return search;
  const added = query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&");
  return search === "" || search === "?" ? `?${added}` : `${search}&${added}`;
}

/**
 * Header pairs as node sends them: grouped by name (first spelling kept), repeats as arrays; a
 * name or value that is not valid HTTP (a mapped value with a line break) throws.
 */
function outgoingHeaders(pairs: HeaderPair[]): http.OutgoingHttpHeaders {
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    // Framing is node's: it writes Content-Length for the body it sends. node also refuses to
    // announce trailers (Trailer) on a request it does not send chunked, and none are sent: a
    // mapped Trailer header, which AWS passes on [recorded: header remapping, full], is dropped.
    if (lower === "content-length" || lower === "transfer-encoding" || lower === "trailer") continue;
    http.validateHeaderName(name);
    http.validateHeaderValue(name, value);
    const group = grouped.get(lower);
    if (group) group.values.push(value);
    else grouped.set(lower, { name, values: [value] });
  }
  const headers: http.OutgoingHttpHeaders = {};
  for (const { name, values } of grouped.values()) headers[name] = values.length === 1 ? values[0] : values;
  return headers;
}

/** node's `rawHeaders` (name, value, name, value, ...) as pairs. */
function headerPairs(raw: string[]): HeaderPair[] {
  const pairs: HeaderPair[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}

/** Replaces every header of that name (any case) with one, spelled as given. */
function setHeader(headers: HeaderPair[], name: string, value: string): HeaderPair[] {
  const lower = name.toLowerCase();
  return [...headers.filter(([n]) => n.toLowerCase() !== lower), [name, value]];
}

function hasHeader(headers: HeaderPair[], name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some(([n]) => n.toLowerCase() === lower);
}

/** A path value in a URI: each segment percent-encoded, slashes kept (a greedy `{proxy+}` value spans segments). */
function encodePathValue(value: string): string {
  return value.split("/").map(encodeURIComponent).join("/");
}
