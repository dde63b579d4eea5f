/**
 * A program with every kind of API at once, as a team would declare it with plain
 * `@pulumi/aws` resources (and apigw-kit's CustomDomain):
 * - REST API `orders` with two stages of one deployment, `dev` and `canary`, whose stage
 *   variables differ: GET /orders (Lambda proxy) and GET /stage-info (MOCK, reads the stage
 *   variables);
 * - REST API `catalog`, stage `live`: GET /items (MOCK);
 * - an HTTP API, `$default` stage: GET /ping (Lambda, payload 2.0);
 * - a WebSocket API, stage `prod`: `$default` route answering the message (Lambda, route response);
 * - the custom domain `api.example.com`: `/v1` -> orders `dev`, `/v2` -> catalog `live`;
 * - the custom domain `http.example.com` (API Gateway v2): `/v3` -> the HTTP API's `$default` stage.
 */
import * as aws from "@pulumi/aws";
import { CustomDomain } from "../../../../components/CustomDomain";
import { ApiBuilder, ECHO_EVENT_SOURCE, inlineFunction, serviceRole } from "../../conformance/programKit";

const role = serviceRole("multi-lambda", "lambda");
const echo = inlineFunction("multi-echo", role, ECHO_EVENT_SOURCE);

const mockJson = (template: string) => ({
  httpMethod: "GET",
  integration: { type: "MOCK", requestTemplates: { "application/json": `{"statusCode": 200}` } },
  methodResponses: { "200": {} },
  integrationResponses: [{ statusCode: "200", responseTemplates: { "application/json": template } }],
});

const orders = new ApiBuilder("multi-orders", { endpointConfiguration: { types: "REGIONAL" } });
orders.method("/orders", { httpMethod: "GET", integration: { type: "AWS_PROXY", integrationHttpMethod: "POST", uri: echo.invokeArn } });
orders.method("/stage-info", mockJson(`{"api": "orders", "stage": "$context.stage", "greeting": "$stageVariables.greeting"}`));
const ordersDev = orders.deploy("dev", { greeting: "hello from dev" });
const ordersCanary = new aws.apigateway.Stage("multi-orders-canary", {
  restApi: orders.api.id,
  deployment: ordersDev.deployment,
  stageName: "canary",
  variables: { greeting: "hello from canary" },
});
new aws.lambda.Permission("multi-echo-orders", { action: "lambda:InvokeFunction", function: echo.name, principal: "apigateway.amazonaws.com", sourceArn: orders.api.executionArn.apply((arn) => `${arn}/*/*`) });

const catalog = new ApiBuilder("multi-catalog", { endpointConfiguration: { types: "REGIONAL" } });
catalog.method("/items", mockJson(`{"api": "catalog", "stage": "$context.stage", "path": "$context.path"}`));
const catalogLive = catalog.deploy("live");

const http = new aws.apigatewayv2.Api("multi-http", { protocolType: "HTTP" });
const httpEcho = new aws.apigatewayv2.Integration("multi-http-echo", { apiId: http.id, integrationType: "AWS_PROXY", integrationUri: echo.invokeArn, payloadFormatVersion: "2.0" });
new aws.apigatewayv2.Route("multi-http-ping", { apiId: http.id, routeKey: "GET /ping", target: httpEcho.id.apply((id) => `integrations/${id}`) });
const httpStage = new aws.apigatewayv2.Stage("multi-http-default", { apiId: http.id, name: "$default", autoDeploy: true });
new aws.lambda.Permission("multi-echo-http", { action: "lambda:InvokeFunction", function: echo.name, principal: "apigateway.amazonaws.com", sourceArn: http.executionArn.apply((arn) => `${arn}/*/*`) });

const wsAnswer = inlineFunction(
  "multi-ws-answer",
  role,
  `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ api: "ws", stage: event.requestContext.stage, received: event.body }) });`,
);
const ws = new aws.apigatewayv2.Api("multi-ws", { protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" });
const wsIntegration = new aws.apigatewayv2.Integration("multi-ws-answer", { apiId: ws.id, integrationType: "AWS_PROXY", integrationUri: wsAnswer.invokeArn });
new aws.apigatewayv2.Route("multi-ws-default", { apiId: ws.id, routeKey: "$default", target: wsIntegration.id.apply((id) => `integrations/${id}`), routeResponseSelectionExpression: "$default" });
const wsStage = new aws.apigatewayv2.Stage("multi-ws-prod", { apiId: ws.id, name: "prod" });
new aws.lambda.Permission("multi-ws-answer", { action: "lambda:InvokeFunction", function: wsAnswer.name, principal: "apigateway.amazonaws.com", sourceArn: ws.executionArn.apply((arn) => `${arn}/*/*`) });

const domain = new CustomDomain("multi-domain", {
  domainName: "api.example.com",
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  ipAddressType: "ipv4",
  mappings: [
    { basePath: "/v1", restApiId: orders.api.id, stageName: ordersDev.stageName },
    { basePath: "/v2", restApiId: catalog.api.id, stageName: catalogLive.stageName },
  ],
});

const httpDomain = new aws.apigatewayv2.DomainName("multi-http-domain", {
  domainName: "http.example.com",
  domainNameConfiguration: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
});
new aws.apigatewayv2.ApiMapping("multi-http-v3", { apiId: http.id, domainName: httpDomain.domainName, stage: httpStage.name, apiMappingKey: "v3" });

export const ordersDevUrl = ordersDev.invokeUrl;
export const ordersCanaryUrl = ordersCanary.invokeUrl;
export const catalogUrl = catalogLive.invokeUrl;
export const httpApiUrl = httpStage.invokeUrl;
export const httpApiEndpoint = http.apiEndpoint;
export const webSocketUrl = wsStage.invokeUrl;
export const domainUrl = domain.url;
export const domainUrls = domain.urls;
