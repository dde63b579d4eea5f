import { GatewayError } from "../gatewayError";
import { requestHeader, type RestInvocation } from "../invocation";
import { lambdaProxyEvent } from "../integrations/lambda";
import { renderMappingTemplate } from "../mappingTemplate";
import { mediaType } from "../mediaTypes";
import type { IntegrationModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";

/**
 * Step 7, integration request: what the integration sends. For a Lambda proxy, the proxy
 * event; for the other types, the body the request template for the Content-Type renders (or
 * the passthrough behaviour allows: without a template, WHEN_NO_MATCH passes the body through,
 * WHEN_NO_TEMPLATES only when the integration has no templates at all, NEVER refuses with 415).
 *
 * @param inv - The invocation; past the cache lookup.
 * @param stage - The stage being served.
 */
export function buildIntegrationRequest(inv: RestInvocation, stage: StageRuntime): void {
  const integration = inv.method!.integration;
  if (!integration) throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route} has no integration`);
  if (integration.type === "AWS_PROXY") {
    inv.lambdaEvent = lambdaProxyEvent(inv, stage);
    return;
  }
  const body = mappedBody(inv, integration);
  inv.integrationRequest = { httpMethod: inv.request.httpMethod, uri: "", query: [], headers: [], body: Buffer.from(body) };
}

/** The request template's output for the request's Content-Type, or the passthrough body. */
function mappedBody(inv: RestInvocation, integration: IntegrationModel): string {
  // No Content-Type means application/json.
  const contentType = mediaType(requestHeader(inv.request, "content-type")) ?? "application/json";
  const template = integration.requestTemplates[contentType];
  if (template !== undefined) {
    inv.requestTemplateApplied = true;
    return renderMappingTemplate(template, inv.templateInput).output;
  }
  const hasTemplates = Object.keys(integration.requestTemplates).length > 0;
  const passes = integration.passthroughBehavior === "WHEN_NO_MATCH" || (integration.passthroughBehavior === "WHEN_NO_TEMPLATES" && !hasTemplates);
  if (!passes) throw new GatewayError("UNSUPPORTED_MEDIA_TYPE", `${inv.route}: no request template for ${contentType} and passthrough ${integration.passthroughBehavior}`);
  inv.requestTemplateApplied = false;
  return inv.request.body.toString("utf8");
}
