/**
 * A recorded RestApi with a body, and its stage, for the import specs: the control plane's
 * records without running a program (the integration spec runs one).
 */
import { ResourceGraph, type ProviderProperties, type RecordedResource } from "../../../local/controlPlane";

export const API_ID = "a1b2c3d4e5";
export const ROOT_ID = "r00tr00t00";
export const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:pets";
export const LAMBDA_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;

/** A recorded resource of a type, as the control plane records one. */
export function recorded(type: string, name: string, id: string, inputs: ProviderProperties, state: ProviderProperties = {}): RecordedResource {
  return { urn: `urn:pulumi:test::p::${type}::${name}`, type, name, dependencies: [], custom: true, inputs, id, state: { ...inputs, ...state } };
}

/**
 * A graph holding one RestApi `pets` with `apiInputs` (its body among them), a stage `test`, and
 * whatever else is given.
 */
export function graphWith(apiInputs: ProviderProperties, ...others: RecordedResource[]): ResourceGraph {
  const graph = new ResourceGraph();
  graph.add(recorded("aws:apigateway/restApi:RestApi", "pets", API_ID, apiInputs, { name: "pets-1234567", rootResourceId: ROOT_ID }));
  graph.add(recorded("aws:apigateway/deployment:Deployment", "pets", "dep1", { restApi: API_ID }));
  graph.add(recorded("aws:apigateway/stage:Stage", "pets", `ags-${API_ID}-test`, { restApi: API_ID, stageName: "test", deployment: "dep1" }));
  for (const other of others) graph.add(other);
  return graph;
}

/** An OpenAPI 3.0 document with every extension the local cloud honours. */
export function petsOas3(): Record<string, unknown> {
  return {
    openapi: "3.0.1",
    info: { title: "pets", version: "1" },
    "x-amazon-apigateway-request-validators": { all: { validateRequestBody: true, validateRequestParameters: true }, params: { validateRequestBody: false, validateRequestParameters: true } },
    "x-amazon-apigateway-request-validator": "params",
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "x-amazon-apigateway-gateway-responses": {
      MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseParameters: { "gatewayresponse.header.x-where": "'body'" }, responseTemplates: { "application/json": '{"message":"no such route"}' } },
    },
    "x-vendor-thing": { "x-amazon-apigateway-policy": "ignored with its vendor extension" },
    paths: {
      "/pets": {
        get: {
          operationId: "listPets",
          parameters: [{ name: "type", in: "query", required: true, schema: { type: "string" } }],
          security: [{ api_key: [] }],
          responses: { "200": { description: "ok", headers: { "x-count": { schema: { type: "string" } } } } },
          "x-amazon-apigateway-integration": {
            type: "mock",
            requestTemplates: { "application/json": '{"statusCode": 200}' },
            passthroughBehavior: "when_no_templates",
            responses: { default: { statusCode: "200", responseParameters: { "method.response.header.x-count": "'2'" }, responseTemplates: { "application/json": '[{"id":1},{"id":2}]' } } },
          },
        },
        post: {
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/NewPet" } } } },
          security: [{ cognito: ["pets/write"] }],
          responses: { "200": { description: "ok" } },
          "x-amazon-apigateway-request-validator": "all",
          "x-amazon-apigateway-integration": { type: "aws_proxy", httpMethod: "POST", uri: LAMBDA_URI, timeoutInMillis: 5000, contentHandling: "CONVERT_TO_TEXT" },
        },
      },
      "/pets/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        "x-amazon-apigateway-any-method": {
          security: [{ token: [] }],
          responses: {},
          "x-amazon-apigateway-integration": {
            type: "http",
            httpMethod: "GET",
            uri: "http://127.0.0.1:9/pets/{id}",
            requestParameters: { "integration.request.path.id": "method.request.path.id" },
            cacheKeyParameters: ["method.request.path.id"],
            responses: { "5\\d{2}": { statusCode: "502" }, default: { statusCode: "200" } },
          },
        },
      },
    },
    components: {
      schemas: {
        NewPet: { type: "object", required: ["name"], properties: { name: { type: "string" }, tag: { $ref: "#/components/schemas/Tag" } } },
        Tag: { type: "string" },
      },
      securitySchemes: {
        api_key: { type: "apiKey", name: "x-api-key", in: "header" },
        token: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          "x-amazon-apigateway-authtype": "custom",
          "x-amazon-apigateway-authorizer": { type: "token", authorizerUri: LAMBDA_URI, authorizerResultTtlInSeconds: 60, identityValidationExpression: "^Bearer .+$" },
        },
        request: {
          type: "apiKey",
          name: "Unused",
          in: "header",
          "x-amazon-apigateway-authtype": "custom",
          "x-amazon-apigateway-authorizer": { type: "request", authorizerUri: LAMBDA_URI, identitySource: "method.request.header.Auth, method.request.querystring.name", authorizerResultTtlInSeconds: 0 },
        },
        cognito: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          "x-amazon-apigateway-authtype": "cognito_user_pools",
          "x-amazon-apigateway-authorizer": { type: "cognito_user_pools", providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"] },
        },
      },
    },
  };
}

/** The same API in Swagger 2.0. */
export function petsSwagger2(): Record<string, unknown> {
  const oas3 = petsOas3() as { paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: unknown; securitySchemes: unknown } };
  const paths = structuredClone(oas3.paths);
  paths["/pets"].get.parameters = [{ name: "type", in: "query", required: true, type: "string" }];
  paths["/pets"].get.responses = { "200": { description: "ok", headers: { "x-count": { type: "string" } } } };
  delete paths["/pets"].post.requestBody;
  paths["/pets"].post.parameters = [{ name: "pet", in: "body", required: true, schema: { $ref: "#/definitions/NewPet" } }];
  (paths["/pets/{id}"] as Record<string, unknown>).parameters = [{ name: "id", in: "path", required: true, type: "string" }];
  const { openapi: _openapi, components: _components, ...rest } = petsOas3();
  return {
    swagger: "2.0",
    ...rest,
    consumes: ["application/json"],
    paths,
    definitions: { NewPet: { type: "object", required: ["name"], properties: { name: { type: "string" }, tag: { $ref: "#/definitions/Tag" } } }, Tag: { type: "string" } },
    securityDefinitions: oas3.components.securitySchemes,
  };
}
