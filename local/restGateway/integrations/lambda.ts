import { restIntegrationRequestHeaders } from "../../gateway/headers";
import type { InvokeResult } from "../../lambda/lambdaRuntime";
import { decodeBase64 } from "../contentHandling";
import { FixedAnswer, GatewayError } from "../gatewayError";
import { requestHeader, traceOf, type GatewayAnswer, type RestInvocation } from "../invocation";
import { matchesBinaryMediaType } from "../../gateway/mediaTypes";
import type { IntegrationModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";
import { headerMaps } from "../steps/parse";
import type { EndpointResponse, HeaderPair } from "./integrationTypes";

/** Proxy results may only carry these keys; any other makes the result malformed (502). */
const PROXY_RESULT_KEYS = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"]);

/** The header a non-proxy Lambda endpoint response carries when the function failed (as Lambda's Invoke API answers). */
const FUNCTION_ERROR_HEADER = "X-Amz-Function-Error";

/**
 * The Lambda proxy event of a routed request (AWS_PROXY).
 *
 * @param inv - The invocation; routed and authorized.
 * @param stage - The stage being served.
 */
export function lambdaProxyEvent(inv: RestInvocation, stage: StageRuntime): Record<string, unknown> {
  const { request } = inv;
  const binary = matchesBinaryMediaType(requestHeader(request, "content-type"), stage.model.binaryMediaTypes);
  // The caller's headers plus those AWS adds (X-Amzn-Trace-Id, X-Forwarded-For/-Port/-Proto).
  const pairs = restIntegrationRequestHeaders(request.headerPairs, { integrationType: "AWS_PROXY", apiId: stage.model.apiId, traceHeader: traceOf(request).integration, client: request.client });
  const { headers, multiValueHeaders } = eventHeaders(pairs.map(capitalizedProxyHeader));
  return {
    resource: inv.method!.resourcePath,
    path: request.domainPath ?? request.path,
    httpMethod: request.httpMethod,
    headers,
    multiValueHeaders,
    queryStringParameters: nullIfEmpty(request.query),
    multiValueQueryStringParameters: nullIfEmpty(request.multiValueQuery),
    pathParameters: nullIfEmpty(inv.pathParameters),
    stageVariables: nullIfEmpty(stage.model.stageVariables),
    requestContext: inv.context,
    body: request.body.length === 0 ? null : binary ? request.body.toString("base64") : request.body.toString("utf8"),
    isBase64Encoded: binary && request.body.length > 0,
  };
}

/**
 * Invokes the function of an AWS_PROXY integration with the invocation's event and reads its
 * result as API Gateway does. A function error or a malformed result is INTEGRATION_FAILURE
 * (502); a result too large for Invoke is a function error too ("If the function runs but
 * returns an error ... API Gateway returns a 502", Lambda developer guide, "Handling Lambda
 * errors with an API Gateway API"); an event too large is answered 413 (see
 * {@link lambdaRequestTooLarge}).
 *
 * @param inv - The invocation, with its `lambdaEvent`.
 * @param integration - The method's integration.
 * @param stage - The stage being served.
 */
export async function invokeLambdaProxy(inv: RestInvocation, integration: IntegrationModel, stage: StageRuntime): Promise<void> {
  // Lambda is invoked with POST only: an AWS_PROXY integration declared with another method
  // fails every request with 500 [recorded: LocalStack test_apigateway_lambda.py::
  // test_lambda_aws_proxy_integration_non_post_method, 2024-03-20].
  if (integration.integrationHttpMethod !== undefined && integration.integrationHttpMethod.toUpperCase() !== "POST") {
    throw new GatewayError("INTEGRATION_FAILURE", `${inv.route}: AWS_PROXY integrations invoke Lambda with POST, not ${integration.integrationHttpMethod}`, { statusCode: 500 });
  }
  const result = await stage.options.lambda.invoke(integration.functionArn ?? "", inv.lambdaEvent, { timeoutMs: integration.timeoutMs, traceId: traceOf(inv.request).integration });
  if (result.kind === "timeout") throw new GatewayError("INTEGRATION_TIMEOUT", `${integration.functionArn} timed out`);
  if (result.kind === "rejected") throw new FixedAnswer(lambdaRequestTooLarge(), `${integration.functionArn}: ${result.errorMessage}`);
  // Lambda's Invoke API refusing the call (throttling) is a 500 ("If the Lambda API rejects the
  // invocation request, API Gateway returns a 500 error code", Lambda developer guide, "Handling
  // Lambda errors with an API Gateway API"); a function that fails is a 502 [recorded].
  if (result.kind === "throttled") throw new GatewayError("INTEGRATION_FAILURE", `${integration.functionArn} throttled`, { statusCode: 500 });
  if (result.kind !== "ok") throw new GatewayError("INTEGRATION_FAILURE", failureDetail(result), { statusCode: 502 });
  const parsed = parseProxyResult(result.value);
  if (!parsed) throw new GatewayError("INTEGRATION_FAILURE", `${integration.functionArn} answered a malformed proxy result`, { statusCode: 502 });
  let body: Buffer = Buffer.from(parsed.body);
  const accept = requestHeader(inv.request, "accept")?.split(",")[0]?.trim();
  if (parsed.isBase64Encoded && matchesBinaryMediaType(accept, stage.model.binaryMediaTypes)) body = decodeProxyBody(parsed.body, inv.route);
  const headers: HeaderPair[] = [];
  for (const [name, value] of Object.entries(parsed.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.push([name, v]);
    else headers.push([name, value]);
  }
  inv.endpointResponse = { statusCode: parsed.statusCode, headers, body };
}

/**
 * Invokes the function of an AWS (non-proxy) Lambda integration with the mapped request body,
 * which must be JSON (a template or passthrough body that is not fails with 500). The endpoint
 * response is the function's JSON result, or, when the function failed, Lambda's error
 * document with {@link FUNCTION_ERROR_HEADER} set.
 *
 * @param inv - The invocation, with its `integrationRequest`.
 * @param integration - The method's integration.
 * @param stage - The stage being served.
 */
export async function invokeLambda(inv: RestInvocation, integration: IntegrationModel, stage: StageRuntime): Promise<void> {
  const payload = inv.integrationRequest!.body.toString("utf8");
  let event: unknown;
  try {
    event = payload.trim() === "" ? {} : JSON.parse(payload);
  } catch {
    throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: the mapped body is not JSON, which Lambda requires`);
  }
  const result = await stage.options.lambda.invoke(integration.functionArn ?? "", event, { timeoutMs: integration.timeoutMs, traceId: traceOf(inv.request).integration });
  if (result.kind === "timeout") throw new GatewayError("INTEGRATION_TIMEOUT", `${integration.functionArn} timed out`);
  if (result.kind === "rejected") throw new FixedAnswer(lambdaRequestTooLarge(), `${integration.functionArn}: ${result.errorMessage}`);
  if (result.kind === "throttled") throw new GatewayError("API_CONFIGURATION_ERROR", `${integration.functionArn} throttled`);
  if (result.kind === "error") {
    const errorBody = JSON.stringify({ errorMessage: result.errorMessage, errorType: result.errorType, requestId: inv.context.requestId, stackTrace: result.trace });
    inv.endpointResponse = { statusCode: 200, headers: [[FUNCTION_ERROR_HEADER, "Unhandled"]], body: Buffer.from(errorBody) };
    return;
  }
  // The function's result is a JSON payload: a returned string arrives quoted (`"Pass"`) [recorded].
  inv.endpointResponse = { statusCode: 200, headers: [], body: Buffer.from(JSON.stringify(result.value ?? null)) };
}

/**
 * The error message of a failed non-proxy Lambda endpoint response (what selection patterns
 * match), or undefined when the function succeeded.
 *
 * @param response - The endpoint response of an AWS Lambda integration.
 */
export function functionErrorMessage(response: EndpointResponse): string | undefined {
  if (!response.headers.some(([name]) => name === FUNCTION_ERROR_HEADER)) return undefined;
  return String((JSON.parse(response.body.toString("utf8")) as { errorMessage?: unknown }).errorMessage ?? "");
}

/**
 * An event the Invoke API refused as too large (6,291,456 bytes or more): 413
 * `{"message": "Request Too Long"}` with `x-amzn-ErrorType: BadRequestException`, as recorded
 * from a REST API in front of Lambda (koki-develop/lgtm-generator#10, 2021-09-12; the
 * developer guide's general "If the Lambda API rejects the invocation request, API Gateway
 * returns a 500" does not hold for this case). The recorder found that the REQUEST_TOO_LARGE
 * gateway response does not change it, so customisations do not apply here.
 */
function lambdaRequestTooLarge(): GatewayAnswer {
  return { status: 413, headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "BadRequestException" }, body: `{"message": "Request Too Long"}` };
}

/**
 * Validates a Lambda proxy result the way API Gateway does; undefined when malformed.
 *
 * @param value - What the function returned.
 */
function parseProxyResult(value: unknown): { statusCode: number; headers: Record<string, string | string[]>; body: string; isBase64Encoded: boolean } | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const result = value as Record<string, unknown>;
  if (Object.keys(result).some((k) => !PROXY_RESULT_KEYS.has(k))) return undefined;
  let statusCode = 200;
  if (result.statusCode !== undefined) {
    const numeric = typeof result.statusCode === "number" ? result.statusCode : typeof result.statusCode === "string" && /^\d+$/.test(result.statusCode) ? Number(result.statusCode) : NaN;
    // A 1xx is an interim answer: it cannot end an exchange (RFC 9110 15.2), so it is as
    // malformed as a status outside HTTP's range.
    if (!Number.isInteger(numeric) || numeric < 200 || numeric > 599) return undefined;
    statusCode = numeric;
  }
  // Null-prototype: `__proto__` is a header name like any other.
  const headers: Record<string, string | string[]> = Object.create(null);
  const spellingOf = new Map<string, string>();
  const add = (name: string, values: string[], solo: boolean) => {
    const existing = spellingOf.get(name.toLowerCase());
    if (existing === undefined) {
      spellingOf.set(name.toLowerCase(), name);
      headers[name] = solo ? values[0] : values;
      return;
    }
    // Two spellings of one name, or `multiValueHeaders` and `headers` both: AWS answers
    // "multi, solo" [recorded: test_aws_proxy_response_payload_format_validation].
    const merged = [...([] as string[]).concat(headers[existing]), ...values];
    headers[existing] = merged.length === 0 ? [] : merged.join(", ");
  };
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (typeof result.multiValueHeaders !== "object" || Array.isArray(result.multiValueHeaders)) return undefined;
    for (const [name, values] of Object.entries(result.multiValueHeaders as Record<string, unknown>)) {
      if (!Array.isArray(values)) return undefined;
      add(name, values.map(String), false);
    }
  }
  if (result.headers !== undefined && result.headers !== null) {
    if (typeof result.headers !== "object" || Array.isArray(result.headers)) return undefined;
    for (const [name, value] of Object.entries(result.headers as Record<string, unknown>)) {
      // Strings and booleans only (LocalStack's AWS-validated parser answers 502 otherwise);
      // a boolean answers as `true` / `false` [recorded, same test].
      if (typeof value !== "string" && typeof value !== "boolean") return undefined;
      add(name, [String(value)], true);
    }
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== "string") return undefined;
  return { statusCode, headers, body: (result.body as string | undefined) ?? "", isBase64Encoded: result.isBase64Encoded === true };
}

/**
 * A proxy result's base64 body, decoded for a binary answer. A body that is not base64 fails
 * with 500 [recorded: LocalStack test_apigateway_lambda.py::test_aws_proxy_binary_response,
 * validated 29-01-2025: `isBase64Encoded: true` with "èé+à)(" answered 500]. Decoded as every
 * base64 payload is (contentHandling.ts `decodeBase64`: Python's b64decode rule).
 *
 * @param body - The result's body.
 * @param route - The route, for the log.
 */
function decodeProxyBody(body: string, route: string): Buffer {
  const decoded = decodeBase64(body);
  if (decoded === undefined) throw new GatewayError("API_CONFIGURATION_ERROR", `${route}: the proxy result says isBase64Encoded but its body is not base64`);
  return decoded;
}

function failureDetail(result: Exclude<InvokeResult, { kind: "ok" | "timeout" | "rejected" | "throttled" }>): string {
  return result.kind === "error" ? `${result.errorType}: ${result.errorMessage}` : result.kind;
}

/** Lower-case names of the headers a Lambda proxy event spells in title case. */
const TITLE_CASED = new Map([
  ["authorization", "Authorization"],
  ["user-agent", "User-Agent"],
]);

/**
 * A header as the proxy event spells it: `authorization` and `user-agent` arrive title-cased,
 * as CloudFront forwards them (recorded: LocalStack test_apigateway_lambda.py::
 * test_lambda_aws_proxy_integration, 2024-08-02, `authorization` sent, `Authorization` in the
 * event; LocalStack integrations/aws.py `_format_headers`).
 */
function capitalizedProxyHeader(pair: HeaderPair): HeaderPair {
  const spelled = TITLE_CASED.get(pair[0].toLowerCase());
  return spelled === undefined || spelled === pair[0] ? pair : [spelled, pair[1]];
}

/**
 * The proxy event's `headers` (the last value of each name, first spelling) and
 * `multiValueHeaders` (every value), from header pairs; null when there are none.
 */
function eventHeaders(pairs: readonly HeaderPair[]): { headers: Record<string, string> | null; multiValueHeaders: Record<string, string[]> | null } {
  if (pairs.length === 0) return { headers: null, multiValueHeaders: null };
  const { headers, multiValueHeaders } = headerMaps(pairs);
  return { headers, multiValueHeaders };
}

function nullIfEmpty<T extends object>(value: T): T | null {
  return Object.keys(value).length === 0 ? null : value;
}
