import { methodResponsePayload, templateText, type Payload } from "../contentHandling";
import { GatewayError } from "../gatewayError";
import { requestHeader, type RestInvocation } from "../invocation";
import { functionErrorMessage } from "../integrations/lambda";
import { restResponseHeaderRecord, restResponseHeaders } from "../../gateway/headers";
import type { EndpointResponse, HeaderPair } from "../integrations/integrationTypes";
import { renderMappingTemplate } from "../mappingTemplate";
import { mapMethodResponseParameters } from "../integrations/parameterMapping";
import { matchesBinaryMediaType, mediaType } from "../../gateway/mediaTypes";
import type { IntegrationModel, IntegrationResponseModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";

/**
 * Step 9, integration response: the endpoint response becomes the method response. A proxy
 * integration's answer passes through; the others select an integration response (a Lambda
 * error by its errorMessage, a MOCK or HTTP endpoint by its status code, matched against selection patterns;
 * else the default response) and map it: status, header mappings, the template for the
 * Accept type and its `$context.responseOverride`.
 *
 * @param inv - The invocation, with its endpoint response.
 * @param stage - The stage being served.
 */
export function mapIntegrationResponse(inv: RestInvocation, stage: StageRuntime): void {
  const integration = inv.method!.integration!;
  const endpoint = inv.endpointResponse!;
  if (integration.type === "AWS_PROXY" || integration.type === "HTTP_PROXY") {
    inv.answer = proxyAnswer(endpoint, integration.type);
    return;
  }
  // A Lambda's error message, else the endpoint's status code, is what selection patterns match.
  const selector = integration.type === "AWS" && integration.awsTarget?.kind !== "dynamodb" ? functionErrorMessage(endpoint) : String(endpoint.statusCode);
  const response = (selector !== undefined ? selectResponse(integration, selector) : undefined) ?? defaultResponse(integration);
  const answer = mapResponse(response, endpoint, inv, stage);
  // Mapped method response headers AWS reserves come back as x-amzn-Remapped-<name>.
  answer.headers = restResponseHeaderRecord(answer.headers, integration.type);
  inv.answer = answer;
}

/**
 * A proxy integration's answer, as the endpoint gave it, with the headers AWS reserves
 * remapped or dropped (application/json when it set no Content-Type).
 */
function proxyAnswer(endpoint: EndpointResponse, type: "AWS_PROXY" | "HTTP_PROXY"): NonNullable<RestInvocation["answer"]> {
  const headers = headersFromPairs(restResponseHeaders(endpoint.headers, type));
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
  return { status: endpoint.statusCode, headers, body: endpoint.body, fromIntegration: true };
}

/** Header pairs as an answer's headers: repeated names (same spelling) become a list. */
function headersFromPairs(pairs: readonly HeaderPair[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of pairs) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return headers;
}

/**
 * Renders an integration response: the body as `contentHandling` converts it, status, header
 * mappings, the template for the Accept type (which starts from the request template's
 * overrides), and `$context.responseOverride`. With
 * no response template, the request template's responseOverride still applies (LocalStack
 * handlers/integration_response.py, AWS-validated).
 */
function mapResponse(response: IntegrationResponseModel | undefined, endpoint: EndpointResponse, inv: RestInvocation, stage: StageRuntime): NonNullable<RestInvocation["answer"]> {
  // AWS: "Execution failed due to configuration error: No match for output mapping and no
  // default output mapping configured" (LocalStack handlers/integration_response.py raises
  // ApiConfigurationError the same way).
  if (!response) throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: no integration response matches ${endpoint.statusCode} and there is no default`);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (Object.keys(response.responseParameters).length > 0) {
    Object.assign(headers, mapMethodResponseParameters(response.responseParameters, endpoint, { context: inv.context, stageVariables: stage.model.stageVariables }));
  }
  const payload = responsePayload(endpoint, response, inv, stage);
  let status = Number(response.statusCode);
  let out: Payload = payload;
  let override = inv.requestTemplateResponseOverride ?? { headers: {} };
  const accept = mediaType(requestHeader(inv.request, "accept")?.split(",")[0]);
  const templateType = accept && response.responseTemplates[accept] !== undefined ? accept : Object.keys(response.responseTemplates)[0];
  if (templateType !== undefined) {
    const context = inv.overrides ? { ...inv.context, ...inv.overrides } : inv.context;
    const rendered = renderMappingTemplate(response.responseTemplates[templateType], { ...inv.templateInput, context, body: templateText(payload, "response") });
    out = rendered.output;
    headers["Content-Type"] = templateType;
    override = rendered.responseOverride;
  }
  if (override.status !== undefined) status = override.status;
  Object.assign(headers, override.headers);
  return { status, headers, body: out, fromIntegration: true };
}

/**
 * The endpoint's body as the method response carries it (contentHandling.ts): most APIs have no
 * binary media types and no contentHandling, and get the body as UTF-8 text at once.
 */
function responsePayload(endpoint: EndpointResponse, response: IntegrationResponseModel, inv: RestInvocation, stage: StageRuntime): Payload {
  const { binaryMediaTypes } = stage.model;
  if (binaryMediaTypes.length === 0 && response.contentHandling === undefined) return endpoint.body.toString("utf8");
  const binaryPayload = matchesBinaryMediaType(endpointContentType(endpoint, inv.method!.integration!), binaryMediaTypes);
  const binaryAccept = matchesBinaryMediaType(requestHeader(inv.request, "accept"), binaryMediaTypes);
  return methodResponsePayload(endpoint.body, binaryPayload, binaryAccept, response.contentHandling);
}

/**
 * The endpoint response's Content-Type. A non-proxy Lambda's endpoint response is the answer of
 * Lambda's Invoke API, headers included (LocalStack integrations/aws.py sends the call to the
 * Lambda API and keeps its headers), and Invoke answers `Content-Type: application/json`: under
 * `*\/*` or `application/*` a function's result is a binary payload (base64-encoded for a text
 * Accept). A MOCK, or an endpoint that sets none: no type, a text payload (LocalStack's reading;
 * unrecorded choice).
 */
function endpointContentType(endpoint: EndpointResponse, integration: IntegrationModel): string | undefined {
  const header = endpoint.headers.find(([name]) => name.toLowerCase() === "content-type");
  if (header) return header[1];
  return integration.type === "AWS" && integration.awsTarget?.kind !== "dynamodb" ? "application/json" : undefined;
}

/** The integration response whose selectionPattern matches the whole text (Java `matches`). */
function selectResponse(integration: IntegrationModel, text: string): IntegrationResponseModel | undefined {
  return integration.responses.find((r) => {
    if (!r.selectionPattern) return false;
    try {
      return new RegExp(`^(?:${r.selectionPattern})$`).test(text);
    } catch {
      return false;
    }
  });
}

function defaultResponse(integration: IntegrationModel): IntegrationResponseModel | undefined {
  return integration.responses.find((r) => !r.selectionPattern);
}
