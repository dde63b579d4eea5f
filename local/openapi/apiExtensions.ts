import type { ResourceGraph } from "../controlPlane";
import type { RestApiModel } from "../restGateway/restApiModel";
import { withoutUndefined } from "./document";

const VALIDATOR = "aws:apigateway/requestValidator:RequestValidator";

/** The API's request validator names by id. */
export function requestValidatorNames(graph: ResourceGraph, apiId: string): Map<string, string> {
  return new Map(graph.ofType(VALIDATOR).filter((v) => v.inputs.restApi === apiId).map((v) => [v.id as string, (v.inputs.name as string | undefined) ?? (v.id as string)]));
}

/**
 * The document-level API Gateway extensions (AWS docs, "OpenAPI extensions for API Gateway"):
 * `x-amazon-apigateway-request-validators` (by name), `-api-key-source`, `-binary-media-types`
 * (written only when the API has some [recorded: LocalStack test_apigateway_extended.snapshot.json,
 * test_export_oas30_openapi[TEST_IMPORT_PETS]]) and `-gateway-responses` (by response type).
 *
 * @param graph - The recorded resources.
 * @param model - The REST API.
 * @param validatorNames - Request validator names by id.
 */
export function apiExtensions(graph: ResourceGraph, model: RestApiModel, validatorNames: Map<string, string>): Record<`x-${string}`, unknown> {
  const extensions: Record<`x-${string}`, unknown> = {};
  const validators = graph.ofType(VALIDATOR).filter((v) => v.inputs.restApi === model.apiId);
  if (validators.length > 0) {
    extensions["x-amazon-apigateway-request-validators"] = Object.fromEntries(
      validators.map((v) => [
        validatorNames.get(v.id as string) as string,
        { validateRequestBody: !!v.inputs.validateRequestBody, validateRequestParameters: !!v.inputs.validateRequestParameters },
      ]),
    );
  }
  extensions["x-amazon-apigateway-api-key-source"] = model.apiKeySource;
  if (model.binaryMediaTypes.length > 0) extensions["x-amazon-apigateway-binary-media-types"] = model.binaryMediaTypes;
  const responseTypes = Object.keys(model.gatewayResponses);
  if (responseTypes.length > 0) {
    extensions["x-amazon-apigateway-gateway-responses"] = Object.fromEntries(
      responseTypes.map((type) => {
        const response = model.gatewayResponses[type];
        return [
          type,
          withoutUndefined({
            statusCode: response.statusCode,
            responseParameters: Object.keys(response.responseParameters).length > 0 ? response.responseParameters : undefined,
            responseTemplates: Object.keys(response.responseTemplates).length > 0 ? response.responseTemplates : undefined,
          }),
        ];
      }),
    );
  }
  return extensions;
}
