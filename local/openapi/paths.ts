import type { RecordedResource, ResourceGraph } from "../controlPlane";
import type { MethodModel, RestApiModel } from "../restGateway/restApiModel";
import type { ExportExtensions, OpenApiOperation, OpenApiParameter, OpenApiResponse } from "./document";
import { integrationExtension } from "./integrationExtension";
import { schemaRef } from "./schemas";
import { methodSecurity } from "./securitySchemes";

const METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse";
const METHOD = "aws:apigateway/method:Method";

/**
 * `paths`: one operation per deployed method, by resource path and lower-case method
 * (`ANY` becomes `x-amazon-apigateway-any-method`, the only way OpenAPI can say it).
 *
 * @param graph - The recorded resources, for what the model leaves out (response models, validator names).
 * @param model - The REST API.
 * @param validatorNames - Request validator names by id.
 * @param extensions - Whether to write the API Gateway extensions.
 */
export function openApiPaths(
  graph: ResourceGraph,
  model: RestApiModel,
  validatorNames: Map<string, string>,
  extensions: ExportExtensions,
): Record<string, Record<string, OpenApiOperation>> {
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const methods = [...model.methods.values()].sort((a, b) => a.resourcePath.localeCompare(b.resourcePath));
  for (const method of methods) {
    const record = methodRecord(graph, model.apiId, method);
    const operation = openApiOperation(graph, model, method, record, extensions);
    const validatorName = record?.inputs.requestValidatorId ? validatorNames.get(record.inputs.requestValidatorId) : undefined;
    if (extensions === "apigateway" && validatorName) operation["x-amazon-apigateway-request-validator"] = validatorName;
    const key = method.httpMethod === "ANY" ? "x-amazon-apigateway-any-method" : method.httpMethod.toLowerCase();
    (paths[method.resourcePath] ??= {})[key] = operation;
  }
  return paths;
}

function openApiOperation(graph: ResourceGraph, model: RestApiModel, method: MethodModel, record: RecordedResource | undefined, extensions: ExportExtensions): OpenApiOperation {
  // AWS's field order: operationId, parameters, requestBody, responses, security, extensions.
  const operationName = record?.inputs.operationName;
  const parameters = requestParameters(method.requestParameters);
  const security = methodSecurity(method, model.authorizers);
  return {
    ...(typeof operationName === "string" && operationName !== "" ? { operationId: operationName } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(Object.keys(method.requestModels).length > 0 ? { requestBody: requestBody(method.requestModels) } : {}),
    responses: methodResponses(graph, model.apiId, method),
    ...(security ? { security } : {}),
    ...(extensions === "apigateway" && method.integration ? { "x-amazon-apigateway-integration": integrationExtension(method.integration) } : {}),
  };
}

/** The request models by content type; AWS marks the body required whenever there is a model. */
function requestBody(requestModels: Record<string, string>): NonNullable<OpenApiOperation["requestBody"]> {
  return {
    content: Object.fromEntries(Object.entries(requestModels).map(([contentType, name]) => [contentType, { schema: schemaRef(name) }])),
    required: true,
  };
}

/**
 * The method's request parameters (`method.request.{path,querystring,header}.<name>`) as OpenAPI
 * parameters. AWS writes `required` only when it is true: optional query parameters come out
 * without it [recorded: LocalStack test_apigateway_extended.snapshot.json, test_export_oas30_openapi,
 * `/pets` GET `type` and `page`].
 *
 * @param requestParameters - `method.request.<location>.<name>` -> required.
 */
export function requestParameters(requestParameters: Record<string, boolean>): OpenApiParameter[] {
  const parameters: OpenApiParameter[] = [];
  for (const [expression, required] of Object.entries(requestParameters)) {
    const match = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(expression);
    if (!match) continue;
    const location = match[1].endsWith("querystring") ? "query" : match[1].endsWith("header") ? "header" : "path";
    parameters.push({ name: match[2], in: location, ...(required || location === "path" ? { required: true as const } : {}), schema: { type: "string" } });
  }
  return parameters;
}

/**
 * The method responses: `"<code> response"` as description (AWS's wording), header parameters
 * as string headers, models as content by type, and `content: {}` when there is none, as AWS
 * writes it [recorded: LocalStack test_apigateway_extended.snapshot.json, test_export_oas30_openapi,
 * `/` GET].
 */
function methodResponses(graph: ResourceGraph, apiId: string, method: MethodModel): Record<string, OpenApiResponse> {
  const models = new Map<string, Record<string, string>>(
    graph
      .ofType(METHOD_RESPONSE)
      .filter((r) => r.inputs.restApi === apiId && r.inputs.resourceId === method.resourceId && r.inputs.httpMethod === method.httpMethod)
      .map((r) => [String(r.inputs.statusCode), r.inputs.responseModels ?? {}]),
  );
  const responses: Record<string, OpenApiResponse> = {};
  for (const [statusCode, parameters] of Object.entries(method.methodResponses)) {
    const headers = Object.keys(parameters)
      .map((expression) => /^method\.response\.header\.(.+)$/.exec(expression)?.[1])
      .filter((name): name is string => name !== undefined);
    responses[statusCode] = {
      description: `${statusCode} response`,
      ...(headers.length > 0 ? { headers: Object.fromEntries(headers.map((name) => [name, { schema: { type: "string" as const } }])) } : {}),
      content: Object.fromEntries(Object.entries(models.get(statusCode) ?? {}).map(([contentType, name]) => [contentType, { schema: schemaRef(name) }])),
    };
  }
  return responses;
}

function methodRecord(graph: ResourceGraph, apiId: string, method: MethodModel): RecordedResource | undefined {
  return graph.ofType(METHOD).find((r) => r.inputs.restApi === apiId && r.inputs.resourceId === method.resourceId && r.inputs.httpMethod === method.httpMethod);
}
