/**
 * The pets API as an OpenAPI 3.0 document with every API Gateway extension the local cloud
 * honours: integrations of the five types, request validators (default and per operation),
 * models with a $ref between them, TOKEN / REQUEST / Cognito authorizers, the API key, the API key
 * source, binary media types and gateway responses. petsFromResources.ts declares the same API.
 */
import { PETS, petSchemas } from "./petsParts";

/** The ARNs and URLs the document points at. */
export interface PetsTargets {
  /** Invoke ARNs (`arn:aws:apigateway:...:lambda:path/.../invocations`). */
  proxy: string;
  greeter: string;
  tokenAuthorizer: string;
  requestAuthorizer: string;
  userPoolArn: string;
  backend: string;
}

/** The document. */
export function petsDocument(t: PetsTargets): Record<string, unknown> {
  return {
    openapi: "3.0.1",
    info: { title: "pets-from-body", version: "1" },
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "x-amazon-apigateway-request-validators": { all: { validateRequestBody: true, validateRequestParameters: true }, params: { validateRequestBody: false, validateRequestParameters: true } },
    "x-amazon-apigateway-request-validator": "params",
    "x-amazon-apigateway-gateway-responses": PETS.gatewayResponses,
    "x-generator": "ignored, as AWS ignores other vendors' extensions",
    paths: {
      "/pets": {
        get: {
          parameters: [{ name: "type", in: "query", required: true, schema: { type: "string" } }],
          security: [{ api_key: [] }],
          responses: { "200": { description: "the pets", headers: { "x-count": { schema: { type: "string" } } } } },
          "x-amazon-apigateway-integration": {
            type: "mock",
            requestTemplates: { "application/json": `{"statusCode": 200}` },
            passthroughBehavior: "when_no_templates",
            responses: { default: { statusCode: "200", responseParameters: { "method.response.header.x-count": "'2'" }, responseTemplates: { "application/json": PETS.listTemplate } } },
          },
        },
        post: {
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/NewPet" } } } },
          security: [{ cognito: [] }],
          responses: { "200": { description: "added" } },
          "x-amazon-apigateway-request-validator": "all",
          "x-amazon-apigateway-integration": { type: "aws_proxy", httpMethod: "POST", uri: t.proxy, timeoutInMillis: 10000 },
        },
      },
      "/pets/{id}": {
        get: {
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          security: [{ token: [] }],
          responses: { "200": { description: "the pet" } },
          "x-amazon-apigateway-integration": {
            type: "http",
            httpMethod: "POST",
            uri: `${t.backend}/raw`,
            requestParameters: { "integration.request.header.x-pet-id": "method.request.path.id" },
            requestTemplates: { "application/json": PETS.petTemplate },
            cacheKeyParameters: ["method.request.path.id"],
            responses: { default: { statusCode: "200" } },
          },
        },
      },
      "/proxy/{proxy+}": {
        "x-amazon-apigateway-any-method": {
          parameters: [{ name: "proxy", in: "path", required: true, schema: { type: "string" } }],
          security: [{ request: [] }],
          responses: {},
          "x-amazon-apigateway-integration": {
            type: "http_proxy",
            httpMethod: "ANY",
            uri: `${t.backend}/{proxy}`,
            requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" },
          },
        },
      },
      "/transform": {
        post: {
          responses: { "200": { description: "greeted" }, "400": { description: "refused" } },
          "x-amazon-apigateway-integration": {
            type: "aws",
            httpMethod: "POST",
            uri: t.greeter,
            passthroughBehavior: "never",
            requestTemplates: { "application/json": PETS.greeterRequest },
            responses: {
              default: { statusCode: "200", responseTemplates: { "application/json": PETS.greeterResponse } },
              "Bad.*": { statusCode: "400", responseTemplates: { "application/json": PETS.greeterError } },
            },
          },
        },
      },
      "/binary": {
        post: {
          responses: { "200": { description: "echoed" } },
          "x-amazon-apigateway-integration": { type: "aws_proxy", httpMethod: "POST", uri: t.proxy, contentHandling: "CONVERT_TO_TEXT" },
        },
      },
    },
    components: {
      schemas: petSchemas("#/components/schemas/Tag"),
      securitySchemes: {
        api_key: { type: "apiKey", name: "x-api-key", in: "header" },
        token: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          "x-amazon-apigateway-authtype": "custom",
          "x-amazon-apigateway-authorizer": { type: "token", authorizerUri: t.tokenAuthorizer, identityValidationExpression: PETS.identityValidationExpression, authorizerResultTtlInSeconds: 30 },
        },
        request: {
          type: "apiKey",
          name: "Unused",
          in: "header",
          "x-amazon-apigateway-authtype": "custom",
          "x-amazon-apigateway-authorizer": { type: "request", authorizerUri: t.requestAuthorizer, identitySource: "method.request.header.Auth, method.request.querystring.name", authorizerResultTtlInSeconds: 0 },
        },
        cognito: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          "x-amazon-apigateway-authtype": "cognito_user_pools",
          "x-amazon-apigateway-authorizer": { type: "cognito_user_pools", providerARNs: [t.userPoolArn] },
        },
      },
    },
  };
}
