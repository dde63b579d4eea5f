import type { IntegrationModel } from "../restGateway/restApiModel";
import { withoutUndefined } from "./document";

/**
 * A method's `x-amazon-apigateway-integration` as GetExport writes it with
 * `extensions=apigateway`: type and passthroughBehavior in lower case, the integration's
 * `integrationHttpMethod` as `httpMethod`, and the integration responses keyed by their
 * selection pattern, `default` for the one without [recorded: LocalStack
 * test_apigateway_extended.snapshot.json, test_export_oas30_openapi "get-export-with-extensions":
 * `"type": "http"`, `"passthroughBehavior": "when_no_match"`, `"responses": {"default":
 * {"statusCode": "200", "responseParameters": {...}}}`; AWS docs "x-amazon-apigateway-integration
 * object" and "x-amazon-apigateway-integration.responses object"].
 *
 * @param integration - The method's integration.
 */
export function integrationExtension(integration: IntegrationModel): Record<string, unknown> {
  return withoutUndefined({
    type: integration.type.toLowerCase(),
    httpMethod: integration.integrationHttpMethod,
    uri: integration.uri,
    responses: integrationResponses(integration),
    requestParameters: nonEmpty(integration.requestParameters),
    requestTemplates: nonEmpty(integration.requestTemplates),
    passthroughBehavior: integration.passthroughBehavior.toLowerCase(),
    contentHandling: integration.contentHandling,
    timeoutInMillis: integration.timeoutMs,
    cacheKeyParameters: integration.cacheKeyParameters.length > 0 ? integration.cacheKeyParameters : undefined,
  });
}

function integrationResponses(integration: IntegrationModel): Record<string, unknown> | undefined {
  if (integration.responses.length === 0) return undefined;
  return Object.fromEntries(
    integration.responses.map((response) => [
      response.selectionPattern ?? "default",
      withoutUndefined({
        statusCode: response.statusCode,
        responseParameters: nonEmpty(response.responseParameters),
        responseTemplates: nonEmpty(response.responseTemplates),
        contentHandling: response.contentHandling,
      }),
    ]),
  );
}

function nonEmpty<T extends object>(object: T): T | undefined {
  return Object.keys(object).length > 0 ? object : undefined;
}
