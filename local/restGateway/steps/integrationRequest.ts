import { integrationRequestPayload, isBinaryRequest, templateText, type Payload } from "../contentHandling";
import { GatewayError } from "../gatewayError";
import { requestHeader, traceOf, type RestInvocation } from "../invocation";
import { buildHttpIntegrationRequest } from "../integrations/httpIntegration";
import { lambdaProxyEvent } from "../integrations/lambda";
import { mapIntegrationRequestParameters, type MappingVariables, type MethodRequest } from "../integrations/parameterMapping";
import { renderMappingTemplate, type TemplateResult } from "../mappingTemplate";
import { mediaType } from "../../gateway/mediaTypes";
import type { IntegrationModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";

/**
 * Step 7, integration request: what the integration sends.
 * - AWS_PROXY: the Lambda proxy event.
 * - HTTP_PROXY: the client's request, sent on to the integration URI with the parameter
 *   mappings applied.
 * - AWS, HTTP, MOCK: the body the request template for the Content-Type renders (or the
 *   passthrough behaviour allows: without a template, WHEN_NO_MATCH passes the body through,
 *   WHEN_NO_TEMPLATES only when the integration has no templates at all, NEVER refuses with
 *   415), the parameter mappings, and the template's `$context.requestOverride`. The template's
 *   `$context.requestOverride` / `responseOverride` are kept for the response template. The body
 *   is first converted as `contentHandling` and the binary media types say (contentHandling.ts).
 * Mapping a header API Gateway reserves fails with 500 for every type (recorded).
 *
 * @param inv - The invocation; past the cache lookup.
 * @param stage - The stage being served.
 */
export function buildIntegrationRequest(inv: RestInvocation, stage: StageRuntime): void {
  const integration = inv.method!.integration;
  if (!integration) throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route} has no integration`);
  const { model } = stage;
  const hasMappings = Object.keys(integration.requestParameters).length > 0;
  switch (integration.type) {
    case "AWS_PROXY":
      // The Lambda event ignores mappings, but a mapping AWS refuses still fails the request.
      if (hasMappings) mapIntegrationRequestParameters(integration.requestParameters, methodRequest(inv), variables(inv, stage), integration.type);
      inv.lambdaEvent = lambdaProxyEvent(inv, stage);
      return;
    case "HTTP_PROXY":
      inv.integrationRequest = buildHttpIntegrationRequest({ integration, request: methodRequest(inv), variables: variables(inv, stage), apiId: model.apiId, traceId: traceOf(inv.request).integration, client: inv.request.client });
      return;
    case "HTTP": {
      const body = asBytes(mappedBody(inv, integration, model.binaryMediaTypes));
      const requestOverride = inv.requestOverride;
      inv.integrationRequest = buildHttpIntegrationRequest({ integration, request: methodRequest(inv), variables: variables(inv, stage), apiId: model.apiId, traceId: traceOf(inv.request).integration, client: inv.request.client, body, requestOverride });
      return;
    }
    default: {
      const body = asBytes(mappedBody(inv, integration, model.binaryMediaTypes));
      const mapping = hasMappings ? mapIntegrationRequestParameters(integration.requestParameters, methodRequest(inv), variables(inv, stage), integration.type) : undefined;
      inv.integrationRequest = {
        httpMethod: integration.integrationHttpMethod ?? inv.request.httpMethod,
        uri: integration.uri ?? "",
        query: Object.entries(mapping?.querystring ?? {}).flatMap(([name, values]) => values.map((value): [string, string] => [name, value])),
        headers: Object.entries(mapping?.header ?? {}),
        body,
      };
    }
  }
}

/**
 * The request template's output for the request's Content-Type, or the passthrough body, both
 * from the body as `contentHandling` converts it. Keeps what the template set in
 * `$context.requestOverride` / `responseOverride`.
 */
function mappedBody(inv: RestInvocation, integration: IntegrationModel, binaryMediaTypes: string[]): Payload {
  const contentTypeHeader = requestHeader(inv.request, "content-type");
  // No Content-Type means application/json.
  const contentType = mediaType(contentTypeHeader) ?? "application/json";
  const template = integration.requestTemplates[contentType];
  if (template === undefined) {
    const hasTemplates = Object.keys(integration.requestTemplates).length > 0;
    const passes = integration.passthroughBehavior === "WHEN_NO_MATCH" || (integration.passthroughBehavior === "WHEN_NO_TEMPLATES" && !hasTemplates);
    if (!passes) throw new GatewayError("UNSUPPORTED_MEDIA_TYPE", `${inv.route}: no request template for ${contentType} and passthrough ${integration.passthroughBehavior}`);
  }
  // Most APIs have no binary media types and no contentHandling: the body is UTF-8 text, as the route step decoded it.
  const converting = binaryMediaTypes.length > 0 || integration.contentHandling !== undefined;
  const text = inv.templateInput.body;
  const payload = converting ? integrationRequestPayload({ body: inv.request.body, text }, isBinaryRequest(contentTypeHeader, binaryMediaTypes), integration.contentHandling) : text;
  if (template === undefined) {
    inv.requestTemplateApplied = false;
    return payload;
  }
  const input = payload === text ? inv.templateInput : { ...inv.templateInput, body: templateText(payload, "request") };
  inv.requestTemplateApplied = true;
  const rendered = renderMappingTemplate(template, input);
  inv.overrides = contextOverrides(rendered);
  inv.requestOverride = rendered.requestOverride;
  inv.requestTemplateResponseOverride = rendered.responseOverride;
  return rendered.output;
}

/** A payload as the bytes an integration sends: text as UTF-8. */
function asBytes(payload: Payload): Buffer {
  return typeof payload === "string" ? Buffer.from(payload) : payload;
}

/**
 * A request template's overrides in `$context`'s shape, for the response template to start
 * from ("the overrides a request template sets are visible to the response template": LocalStack
 * handlers/integration_request.py `context_variable_overrides`, AWS-validated).
 */
function contextOverrides(rendered: TemplateResult): RestInvocation["overrides"] {
  const { requestOverride, responseOverride } = rendered.contextOverrides;
  // Nothing set (most templates, every static one): nothing to hand on, and the response
  // template keeps its fast path.
  const untouched = Object.keys(responseOverride).every((key) => key === "header" && isEmptyMap(responseOverride.header)) && Object.values(requestOverride).every(isEmptyMap);
  return untouched ? undefined : rendered.contextOverrides;
}

function isEmptyMap(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

/** The method request as parameter mappings read it. */
function methodRequest(inv: RestInvocation): MethodRequest {
  const { request } = inv;
  const query: Array<[string, string]> = [];
  for (const [name, values] of Object.entries(request.multiValueQuery)) for (const value of values) query.push([name, value]);
  return { httpMethod: request.httpMethod, path: decodedPathParameters(inv.pathParameters), query, headers: request.headerPairs, body: request.body };
}

/** Path parameters reach integration URIs decoded (the URI builder encodes them again). */
function decodedPathParameters(raw: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      decoded[name] = value;
    }
  }
  return decoded;
}

function variables(inv: RestInvocation, stage: StageRuntime): MappingVariables {
  return { context: inv.context, stageVariables: stage.model.stageVariables };
}
