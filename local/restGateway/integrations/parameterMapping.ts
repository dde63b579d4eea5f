import { GatewayError } from "../gatewayError";
import { MappingTemplateError, renderMappingTemplate } from "../mappingTemplate";
import type { IntegrationModel } from "../restApiModel";
import type { EndpointResponse, HeaderPair } from "./integrationTypes";

/**
 * API Gateway's parameter mapping for REST APIs ("Parameter mapping for REST APIs in API
 * Gateway", developer guide): the integration's `requestParameters` build the integration
 * request's headers, query string and path from the method request, and an integration
 * response's `responseParameters` build the method response's headers from the endpoint's
 * answer. Pure functions; LocalStack's next_gen `parameters_mapping.py` is the model, its
 * AWS-validated snapshots the test vectors.
 */

/** The method request as the client sent it (after routing): what request mappings read. */
export interface MethodRequest {
  /** The client's HTTP method. */
  httpMethod: string;
  /** The matched resource's path parameters, decoded (`{proxy+}`'s value may hold slashes). */
  path: Record<string, string>;
  /** Query string parameters in the order sent, decoded, each possibly repeated. */
  query: Array<[name: string, value: string]>;
  /** Headers as received, names as spelled, repeated headers as separate pairs. */
  headers: HeaderPair[];
  /** The body as received ("" when none). */
  body: Buffer;
}

/** What a mapping may read besides the request or response: `context.*` and `stageVariables.*`. */
export interface MappingVariables {
  /** `$context` as the mapping templates see it (nested: `identity.sourceIp`, `authorizer.claims.sub`). */
  context: Record<string, unknown>;
  /** The stage's variables. */
  stageVariables: Record<string, string>;
}

/** The integration request parameters the mappings produced, by location. */
export interface IntegrationRequestMapping {
  /** Header name as spelled in the mapping key -> value (multi-valued sources joined with `,`). */
  header: Record<string, string>;
  /** Query parameter -> values (a `multivaluequerystring` source repeats the parameter). */
  querystring: Record<string, string[]>;
  /** Path placeholder of the integration URI -> value (multi-valued sources joined with `,`). */
  path: Record<string, string>;
}

/**
 * Headers a request mapping may not set: API Gateway fails the request with 500 `Internal
 * server error` (`InternalServerErrorException`) when one of them is mapped.
 * Content-Length and Transfer-Encoding for every type [recorded: LocalStack
 * test_apigateway_integrations.py::TestApiGatewayHeaderRemapping, HTTP / HTTP_PROXY / AWS /
 * AWS_PROXY, 11-12-2024]; X-Amzn-Trace-Id and X-Amzn-Apigateway-Api-Id (which API Gateway sets
 * itself) after LocalStack's handlers/integration_request.py, unrecorded.
 */
const RESTRICTED_REQUEST_HEADERS: readonly string[] = ["content-length", "transfer-encoding", "x-amzn-trace-id", "x-amzn-apigateway-api-id"];

/**
 * Headers AWS and AWS_PROXY integrations also refuse (the request is signed for the service)
 * [recorded: same test, AWS and AWS_PROXY: Authorization, Connection, Expect,
 * Proxy-Authenticate, TE, 11-12-2024].
 */
const RESTRICTED_AWS_REQUEST_HEADERS: readonly string[] = [...RESTRICTED_REQUEST_HEADERS, "authorization", "connection", "expect", "proxy-authenticate", "te"];

/**
 * Evaluates an integration's request parameter mappings against the method request.
 * A mapping whose source is absent or empty sets nothing (as LocalStack's validated mapper).
 *
 * @param requestParameters - The integration's `requestParameters`:
 *   `integration.request.{header,querystring,path}.<name>` -> `method.request.{path,querystring,
 *   multivaluequerystring,header,multivalueheader}.<name>`, `method.request.body`,
 *   `method.request.body.<JSONPath>`, `'literal'`, `stageVariables.<name>` or `context.<path>`.
 *   Keys or expressions of any other shape are ignored (AWS refuses them at PutIntegration).
 * @param request - The method request.
 * @param variables - `context` and `stageVariables`.
 * @param integrationType - The integration's type: AWS and AWS_PROXY refuse more headers.
 * @returns The mapped headers, query parameters and path placeholders.
 * @throws GatewayError API_CONFIGURATION_ERROR when a restricted header is mapped
 *   ({@link assertHeadersMappable}) or an expression's JSONPath cannot be read;
 *   BAD_REQUEST_BODY ("Invalid JSON in request body") when a `method.request.body.*` mapping
 *   meets a body that starts like JSON but is not.
 */
export function mapIntegrationRequestParameters(
  requestParameters: Record<string, string>,
  request: MethodRequest,
  variables: MappingVariables,
  integrationType: IntegrationModel["type"],
): IntegrationRequestMapping {
  const mapping: IntegrationRequestMapping = { header: {}, querystring: {}, path: {} };
  for (const [target, expression] of Object.entries(requestParameters)) {
    const key = /^integration\.request\.(header|querystring|path)\.(.+)$/s.exec(target);
    if (!key || typeof expression !== "string") continue;
    const [, location, name] = key;
    const values = methodRequestValues(expression, request, variables);
    if (values === undefined || values.length === 0 || values.every((v) => v === "")) continue;
    if (location === "querystring") mapping.querystring[name] = values;
    else if (location === "header") mapping.header[name] = values.join(",");
    else mapping.path[name] = values.join(",");
  }
  assertHeadersMappable(Object.keys(mapping.header), integrationType);
  return mapping;
}

/**
 * Refuses a mapping (parameter mapping or `$context.requestOverride.header`) that sets a header
 * API Gateway does not let one set: the request fails with 500 `Internal server error`
 * [recorded: 8-internal-error-header-mapping in the shared recordings].
 *
 * @param headerNames - The header names a mapping set, any case.
 * @param integrationType - The integration's type: AWS and AWS_PROXY refuse more headers.
 * @throws GatewayError API_CONFIGURATION_ERROR naming the header.
 */
export function assertHeadersMappable(headerNames: Iterable<string>, integrationType: IntegrationModel["type"]): void {
  const restricted = integrationType === "AWS" || integrationType === "AWS_PROXY" ? RESTRICTED_AWS_REQUEST_HEADERS : RESTRICTED_REQUEST_HEADERS;
  for (const name of headerNames) {
    if (restricted.includes(name.toLowerCase())) {
      // AWS logs "Execution failed due to configuration error: <header> header already present".
      throw new GatewayError("API_CONFIGURATION_ERROR", `integration request header ${name} cannot be mapped for a ${integrationType} integration`);
    }
  }
}

/**
 * Evaluates an integration response's `responseParameters` against the endpoint's answer.
 * A mapping whose source is absent or empty sets nothing.
 *
 * @param responseParameters - `method.response.header.<name>` -> `integration.response.header.<name>`,
 *   `integration.response.multivalueheader.<name>` (values joined with `,`),
 *   `integration.response.body`, `integration.response.body.<JSONPath>`, `'literal'`,
 *   `stageVariables.<name>` or `context.<path>`. Other shapes are ignored.
 * @param response - What the endpoint answered.
 * @param variables - `context` and `stageVariables`.
 * @returns Method response header name (as spelled in the key) -> value.
 * @throws GatewayError API_CONFIGURATION_ERROR when a body mapping meets a body that starts
 *   like JSON but is not (LocalStack: InternalFailureException, "Internal server error").
 */
export function mapMethodResponseParameters(
  responseParameters: Record<string, string>,
  response: EndpointResponse,
  variables: MappingVariables,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [target, expression] of Object.entries(responseParameters)) {
    const key = /^method\.response\.header\.(.+)$/s.exec(target);
    if (!key || typeof expression !== "string") continue;
    const value = integrationResponseValue(expression, response, variables);
    if (value !== undefined && value !== "") headers[key[1]] = value;
  }
  return headers;
}

/** The values a request-side expression reads; undefined when its source is absent. */
function methodRequestValues(expression: string, request: MethodRequest, variables: MappingVariables): string[] | undefined {
  if (expression === "method.request.body" || expression.startsWith("method.request.body.")) {
    const value = bodyValue(request.body, expression.slice("method.request.body".length), () => {
      throw new GatewayError("BAD_REQUEST_BODY", "a method.request.body mapping met a body that is not valid JSON", { message: "Invalid JSON in request body" });
    });
    return value === undefined ? undefined : [value];
  }
  const parameter = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/s.exec(expression);
  if (parameter) {
    const [, location, name] = parameter;
    switch (location) {
      case "path":
        return request.path[name] === undefined ? undefined : [request.path[name]];
      case "querystring":
      case "multivaluequerystring": {
        const values = request.query.filter(([n]) => n === name).map(([, v]) => v);
        if (values.length === 0) return undefined;
        // A repeated parameter reads as its last value ("method.request.querystring" holds one
        // value per name, as the Lambda proxy event's queryStringParameters).
        return location === "querystring" ? [values[values.length - 1]] : values;
      }
      default: {
        const values = headerValues(request.headers, name);
        if (values.length === 0) return undefined;
        return location === "header" ? [values[values.length - 1]] : [values.join(",")];
      }
    }
  }
  const value = variableValue(expression, variables);
  return value === undefined ? undefined : [value];
}

/** The value a response-side expression reads; undefined when its source is absent. */
function integrationResponseValue(expression: string, response: EndpointResponse, variables: MappingVariables): string | undefined {
  if (expression === "integration.response.body" || expression.startsWith("integration.response.body.")) {
    return bodyValue(response.body, expression.slice("integration.response.body".length), () => {
      throw new GatewayError("API_CONFIGURATION_ERROR", "an integration.response.body mapping met an endpoint body that is not valid JSON");
    });
  }
  const header = /^integration\.response\.(header|multivalueheader)\.(.+)$/s.exec(expression);
  if (header) {
    const values = headerValues(response.headers, header[2]);
    if (values.length === 0) return undefined;
    return header[1] === "header" ? values[values.length - 1] : values.join(",");
  }
  return variableValue(expression, variables);
}

/** `'literal'`, `stageVariables.<name>` or `context.<path>`; undefined for anything else. */
function variableValue(expression: string, variables: MappingVariables): string | undefined {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal) return literal[1];
  if (expression.startsWith("stageVariables.")) return variables.stageVariables[expression.slice("stageVariables.".length)];
  if (expression.startsWith("context.")) {
    let node: unknown = variables.context;
    for (const step of expression.slice("context.".length).split(".")) {
      node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[step] : undefined;
    }
    return typeof node === "string" || typeof node === "number" || typeof node === "boolean" ? String(node) : undefined;
  }
  return undefined;
}

/** Every value of a header, matched without regard to case, in the order received. */
function headerValues(headers: HeaderPair[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/**
 * The body (`suffix` "") or a JSONPath into it (`suffix` ".a.b[0]"). API Gateway reads a body as
 * JSON only when it starts with `{`, `[`, `"` or `'`; any other body has no fields (LocalStack's
 * validated mapper, `_json_load`).
 */
function bodyValue(body: Buffer, suffix: string, invalidJson: () => never): string | undefined {
  const text = body.toString("utf8").trim();
  const looksLikeJson = /^[{["']/.test(text);
  if (looksLikeJson) {
    try {
      JSON.parse(text);
    } catch {
      invalidJson();
    }
  }
  if (suffix === "") return text;
  if (!looksLikeJson) return undefined;
  return jsonPathValue(text, `$${suffix}`);
}

/**
 * A JSONPath's value in a JSON text, through the mapping template engine's JSONPath (the same
 * `$input.json` reads): a string is its text, a number or boolean its JSON, an object or list
 * its JSON text, null or nothing undefined. The path goes in as a stage variable, so no quoting
 * of it into the template is needed.
 */
function jsonPathValue(json: string, path: string): string | undefined {
  let output: string;
  try {
    output = renderMappingTemplate("$input.json($stageVariables.path)", {
      body: json,
      params: { path: {}, querystring: {}, header: {} },
      context: {},
      stageVariables: { path },
    }).output;
  } catch (error) {
    if (error instanceof MappingTemplateError) throw new GatewayError("API_CONFIGURATION_ERROR", `mapping expression JSONPath ${path}: ${error.message}`);
    throw error;
  }
  if (output === "") return undefined;
  const value: unknown = JSON.parse(output);
  if (value === null) return undefined;
  return typeof value === "string" ? value : typeof value === "object" ? output : String(value);
}
