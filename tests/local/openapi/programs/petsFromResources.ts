/**
 * The pets API declared resource by resource: what petsDocument.ts says as an OpenAPI body, with
 * aws.apigateway.Resource / Method / Integration / MethodResponse / IntegrationResponse / Model /
 * RequestValidator / Authorizer / Response, a deployment and a stage `test`.
 */
import * as aws from "@pulumi/aws";
import { ApiBuilder } from "../../conformance/programKit";
import { PETS, petSchemas, type PetsFunctions } from "./petsParts";

/**
 * Declares the API.
 *
 * @param functions - The functions behind it.
 * @param pool - The Cognito authorizer's user pool.
 * @param backend - The HTTP backend's URL.
 * @returns The API and its stage.
 */
export function petsFromResources(functions: PetsFunctions, pool: aws.cognito.UserPool, backend: string): { api: aws.apigateway.RestApi; stage: aws.apigateway.Stage } {
  const b = new ApiBuilder("pets-from-resources", { apiKeySource: "HEADER", binaryMediaTypes: ["image/png"] });
  const restApi = b.api.id;

  const validators = {
    all: new aws.apigateway.RequestValidator("pets-all", { restApi, name: "all", validateRequestBody: true, validateRequestParameters: true }),
    params: new aws.apigateway.RequestValidator("pets-params", { restApi, name: "params", validateRequestBody: false, validateRequestParameters: true }),
  };
  // Models refer to each other by URL (AWS docs, "Data models for REST APIs").
  const schemas = restApi.apply((id) => petSchemas(`https://apigateway.amazonaws.com/restapis/${id}/models/Tag`));
  const tag = new aws.apigateway.Model("pets-tag", { restApi, name: "Tag", contentType: "application/json", schema: schemas.apply((s) => JSON.stringify(s.Tag)) });
  const newPet = new aws.apigateway.Model("pets-new-pet", { restApi, name: "NewPet", contentType: "application/json", schema: schemas.apply((s) => JSON.stringify(s.NewPet)) }, { dependsOn: [tag] });
  const authorizers = {
    token: new aws.apigateway.Authorizer("pets-token", {
      restApi,
      name: "token",
      type: "TOKEN",
      authorizerUri: functions.tokenAuthorizer.invokeArn,
      identitySource: "method.request.header.Authorization",
      identityValidationExpression: PETS.identityValidationExpression,
      authorizerResultTtlInSeconds: 30,
    }),
    request: new aws.apigateway.Authorizer("pets-request", {
      restApi,
      name: "request",
      type: "REQUEST",
      authorizerUri: functions.requestAuthorizer.invokeArn,
      identitySource: "method.request.header.Auth, method.request.querystring.name",
      authorizerResultTtlInSeconds: 0,
    }),
    cognito: new aws.apigateway.Authorizer("pets-cognito", { restApi, name: "cognito", type: "COGNITO_USER_POOLS", providerArns: [pool.arn] }),
  };
  b.deps.push(validators.all, validators.params, tag, newPet, ...Object.values(authorizers));

  b.method("/pets", {
    httpMethod: "GET",
    method: { apiKeyRequired: true, requestParameters: { "method.request.querystring.type": true }, requestValidatorId: validators.params.id },
    integration: { type: "MOCK", requestTemplates: { "application/json": `{"statusCode": 200}` }, passthroughBehavior: "WHEN_NO_TEMPLATES" },
    methodResponses: { "200": { "method.response.header.x-count": false } },
    integrationResponses: [{ statusCode: "200", responseParameters: { "method.response.header.x-count": "'2'" }, responseTemplates: { "application/json": PETS.listTemplate } }],
  });
  b.method("/pets", {
    httpMethod: "POST",
    method: { authorization: "COGNITO_USER_POOLS", authorizerId: authorizers.cognito.id, requestModels: { "application/json": "NewPet" }, requestValidatorId: validators.all.id },
    integration: { type: "AWS_PROXY", integrationHttpMethod: "POST", uri: functions.proxy.invokeArn, timeoutMilliseconds: 10000 },
    methodResponses: { "200": {} },
  });
  b.method("/pets/{id}", {
    httpMethod: "GET",
    method: { authorization: "CUSTOM", authorizerId: authorizers.token.id, requestParameters: { "method.request.path.id": true }, requestValidatorId: validators.params.id },
    integration: {
      type: "HTTP",
      integrationHttpMethod: "POST",
      uri: `${backend}/raw`,
      requestParameters: { "integration.request.header.x-pet-id": "method.request.path.id" },
      requestTemplates: { "application/json": PETS.petTemplate },
      cacheKeyParameters: ["method.request.path.id"],
    },
    methodResponses: { "200": {} },
    integrationResponses: [{ statusCode: "200" }],
  });
  b.method("/proxy/{proxy+}", {
    httpMethod: "ANY",
    method: { authorization: "CUSTOM", authorizerId: authorizers.request.id, requestParameters: { "method.request.path.proxy": true }, requestValidatorId: validators.params.id },
    integration: { type: "HTTP_PROXY", integrationHttpMethod: "ANY", uri: `${backend}/{proxy}`, requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" } },
  });
  b.method("/transform", {
    httpMethod: "POST",
    method: { requestValidatorId: validators.params.id },
    integration: { type: "AWS", integrationHttpMethod: "POST", uri: functions.greeter.invokeArn, passthroughBehavior: "NEVER", requestTemplates: { "application/json": PETS.greeterRequest } },
    methodResponses: { "200": {}, "400": {} },
    integrationResponses: [
      { statusCode: "200", responseTemplates: { "application/json": PETS.greeterResponse } },
      { statusCode: "400", selectionPattern: "Bad.*", responseTemplates: { "application/json": PETS.greeterError } },
    ],
  });
  b.method("/binary", {
    httpMethod: "POST",
    method: { requestValidatorId: validators.params.id },
    integration: { type: "AWS_PROXY", integrationHttpMethod: "POST", uri: functions.proxy.invokeArn, contentHandling: "CONVERT_TO_TEXT" },
    methodResponses: { "200": {} },
  });
  for (const [responseType, response] of Object.entries(PETS.gatewayResponses)) {
    b.deps.push(new aws.apigateway.Response(`pets-${responseType.toLowerCase()}`, { restApiId: restApi, responseType, ...response }));
  }

  return { api: b.api, stage: b.deploy("test") };
}
