import { requestHeader, type RestInvocation } from "../invocation";
import { functionErrorMessage } from "../integrations/lambda";
import type { EndpointResponse } from "../integrations/integrationTypes";
import { renderMappingTemplate } from "../mappingTemplate";
import { mappingValue } from "../gatewayResponses";
import { mediaType } from "../mediaTypes";
import type { IntegrationModel, IntegrationResponseModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";

/**
 * Step 9, integration response: the endpoint response becomes the method response. A proxy
 * integration's answer passes through; the others select an integration response (a Lambda
 * error by its errorMessage, a MOCK by its status code, matched against selection patterns;
 * else the default response) and map it: status, header mappings, the template for the
 * Accept type and its `$context.responseOverride`.
 *
 * @param inv - The invocation, with its endpoint response.
 * @param _stage - The stage being served.
 */
export function mapIntegrationResponse(inv: RestInvocation, _stage: StageRuntime): void {
  const integration = inv.method!.integration!;
  const endpoint = inv.endpointResponse!;
  if (integration.type === "AWS_PROXY") {
    inv.answer = proxyAnswer(endpoint);
    return;
  }
  const selector = integration.type === "AWS" ? functionErrorMessage(endpoint) : String(endpoint.statusCode);
  const response = (selector !== undefined ? selectResponse(integration, selector) : undefined) ?? defaultResponse(integration);
  inv.answer = mapResponse(response, endpoint.body.toString("utf8"), inv);
}

/** A Lambda proxy's answer, as the function gave it (application/json when it set no Content-Type). */
function proxyAnswer(endpoint: EndpointResponse): NonNullable<RestInvocation["answer"]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of endpoint.headers) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
  return { status: endpoint.statusCode, headers, body: endpoint.body };
}

/** Renders an integration response: status, header mappings, template and overrides. */
function mapResponse(response: IntegrationResponseModel | undefined, body: string, inv: RestInvocation): NonNullable<RestInvocation["answer"]> {
  if (!response) return { status: 200, headers: { "Content-Type": "application/json" }, body };
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  for (const [key, expression] of Object.entries(response.responseParameters)) {
    const value = mappingValue(expression, inv.templateInput);
    if (value !== undefined) headers[key.replace(/^method\.response\.header\./, "")] = value;
  }
  let status = Number(response.statusCode);
  let out = body;
  const accept = mediaType(requestHeader(inv.request, "accept")?.split(",")[0]);
  const templateType = accept && response.responseTemplates[accept] !== undefined ? accept : Object.keys(response.responseTemplates)[0];
  if (templateType !== undefined) {
    const rendered = renderMappingTemplate(response.responseTemplates[templateType], { ...inv.templateInput, body });
    out = rendered.output;
    headers["Content-Type"] = templateType;
    if (rendered.responseOverride.status !== undefined) status = rendered.responseOverride.status;
    Object.assign(headers, rendered.responseOverride.headers);
  }
  return { status, headers, body: out };
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
