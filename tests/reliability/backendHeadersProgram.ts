/**
 * The program of backendHeaders.spec.ts: plain `@pulumi/aws` resources, one REGIONAL REST API
 * (stage `live`) in front of two backends that answer whatever headers the spec asks for.
 *
 * | route                | integration                                                                  |
 * |----------------------|------------------------------------------------------------------------------|
 * | POST /lambda         | AWS_PROXY to `echo-result`: the request body (JSON) is the function's result  |
 * | GET  /http/{id}      | HTTP_PROXY to `<BACKEND_HEADERS_RAW_URL>/r/{id}`: the spec's raw TCP backend, |
 * |                      | which writes the bytes the spec scripted under `id`                           |
 *
 * The raw backend's address is read from BACKEND_HEADERS_RAW_URL when the program runs (the
 * spec starts the backend and sets it first), as tests/local/conformance/httpProgram.ts does.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const raw = process.env.BACKEND_HEADERS_RAW_URL;
if (!raw) throw new Error("the backend-headers program needs BACKEND_HEADERS_RAW_URL (the spec's raw HTTP backend)");

const role = new aws.iam.Role("backend-headers", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});

// The proxy result is the caller's body, parsed: statusCode, headers, multiValueHeaders, body
// with any names and JSON values the spec chose.
const echoResult = new aws.lambda.Function("echo-result", {
  role: role.arn,
  runtime: "nodejs24.x",
  handler: "index.handler",
  timeout: 10,
  memorySize: 512,
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(`exports.handler = async (event) => JSON.parse(event.body);`) }),
});

const api = new aws.apigateway.RestApi("backend-headers", { endpointConfiguration: { types: "REGIONAL" } });
const deps: pulumi.Resource[] = [];

const lambdaResource = new aws.apigateway.Resource("backend-headers-lambda", { restApi: api.id, parentId: api.rootResourceId, pathPart: "lambda" });
const lambdaMethod = new aws.apigateway.Method("backend-headers-lambda", { restApi: api.id, resourceId: lambdaResource.id, httpMethod: "POST", authorization: "NONE" });
deps.push(
  lambdaMethod,
  new aws.apigateway.Integration("backend-headers-lambda", {
    restApi: api.id,
    resourceId: lambdaResource.id,
    httpMethod: lambdaMethod.httpMethod,
    type: "AWS_PROXY",
    integrationHttpMethod: "POST",
    uri: echoResult.invokeArn,
  }),
);
new aws.lambda.Permission("backend-headers-lambda", {
  action: "lambda:InvokeFunction",
  function: echoResult.name,
  principal: "apigateway.amazonaws.com",
  sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
});

const httpResource = new aws.apigateway.Resource("backend-headers-http", { restApi: api.id, parentId: api.rootResourceId, pathPart: "http" });
const idResource = new aws.apigateway.Resource("backend-headers-http-id", { restApi: api.id, parentId: httpResource.id, pathPart: "{id}" });
const httpMethod = new aws.apigateway.Method("backend-headers-http", {
  restApi: api.id,
  resourceId: idResource.id,
  httpMethod: "GET",
  authorization: "NONE",
  requestParameters: { "method.request.path.id": true },
});
deps.push(
  httpMethod,
  new aws.apigateway.Integration("backend-headers-http", {
    restApi: api.id,
    resourceId: idResource.id,
    httpMethod: httpMethod.httpMethod,
    type: "HTTP_PROXY",
    integrationHttpMethod: "GET",
    uri: `${raw}/r/{id}`,
    requestParameters: { "integration.request.path.id": "method.request.path.id" },
  }),
);

const deployment = new aws.apigateway.Deployment("backend-headers", { restApi: api.id }, { dependsOn: deps });
const stage = new aws.apigateway.Stage("backend-headers", { restApi: api.id, deployment: deployment.id, stageName: "live" });

export const url = stage.invokeUrl;
