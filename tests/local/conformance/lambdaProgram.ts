/**
 * Conformance program "lambda" (stage `test`, REGIONAL): Lambda proxy results, request
 * validation, the non-proxy selection patterns and the header-remapping routes of the AWS and
 * AWS_PROXY integration types, rebuilt from the LocalStack tests the vectors name
 * (lambda-proxy-response.json, validation.json, lambda-integration.json,
 * request-parameter-mapping.json, response-headers.json, lambda-proxy-event.json's
 * restricted-request-headers cases, binary-media-types.json's API without binaryMediaTypes).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiBuilder, ECHO_EVENT_SOURCE, inlineFunction, remapRoutes, serviceRole } from "./programKit";

const role = serviceRole("conf-lambda", "lambda");
const echo = inlineFunction("conf-lambda-echo", role, ECHO_EVENT_SOURCE);
// test_aws_proxy_response_payload_format_validation: the result is json.loads(event["body"]);
// without a body, json.loads(None) raises.
const format = inlineFunction(
  "conf-lambda-format",
  role,
  `exports.handler = async (event) => {
     if (event.body === null || event.body === undefined) throw new TypeError("the JSON object must be str, bytes or bytearray, not NoneType");
     return JSON.parse(event.body);
   };`,
);
// test_lambda_selection_patterns: raises for /400 and /500, returns "Pass" otherwise.
const selection = inlineFunction(
  "conf-lambda-selection",
  role,
  `exports.handler = async (event) => {
     if (event.code === "400") throw new Error("Error: Raising four hundred from within the Lambda function");
     if (event.code === "500") throw new Error("Error: Raising five hundred from within the Lambda function");
     return "Pass";
   };`,
);

const b = new ApiBuilder("conf-lambda", { endpointConfiguration: { types: "REGIONAL" } });
const proxy = (fn: aws.lambda.Function) => ({ type: "AWS_PROXY", integrationHttpMethod: "POST", uri: fn.invokeArn }) as const;

b.method("/format/{proxy+}", { httpMethod: "ANY", integration: proxy(format) });
b.method("/format-echo/{proxy+}", { httpMethod: "ANY", integration: proxy(echo) });

// test_api_gateway_request_validator: /nested/{test} GET and POST (path.test required), and the
// POST after update_method made it require path.issuer, here on a resource of its own.
const testSchema = new aws.apigateway.Model("conf-lambda-testSchema", {
  restApi: b.api.id,
  name: "testSchema",
  contentType: "application/json",
  schema: JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", title: "testSchema", type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] }),
});
const validator = new aws.apigateway.RequestValidator("conf-lambda-validator", { restApi: b.api.id, name: "test-validator", validateRequestParameters: true, validateRequestBody: true });
b.deps.push(testSchema, validator);
const validated = (path: string) => ({
  requestValidatorId: validator.id,
  requestParameters: { [`method.request.path.${path}`]: true, "method.request.querystring.qs1": true, "method.request.header.x-header-param": true },
  requestModels: { "application/json": testSchema.name },
});
for (const httpMethod of ["GET", "POST"]) {
  b.method("/nested/{test}", { httpMethod, method: validated("test"), integration: proxy(echo), methodResponses: { "200": {} } });
}
b.method("/nested-issuer/{test}", { httpMethod: "POST", method: validated("issuer"), integration: proxy(echo), methodResponses: { "200": {} } });

// test_api_gateway_request_validator_with_ref_models / _with_ref_one_ofmodels: MOCK answering {"data": "ok"}.
const bodyValidator = new aws.apigateway.RequestValidator("conf-lambda-body-validator", { restApi: b.api.id, name: "body-validator", validateRequestBody: true, validateRequestParameters: false });
const modelUrl = (name: string) => pulumi.interpolate`https://apigateway.amazonaws.com/restapis/${b.api.id}/models/${name}`;
const testSchemaList = new aws.apigateway.Model(
  "conf-lambda-testSchemaList",
  {
    restApi: b.api.id,
    name: "testSchemaList",
    contentType: "application/json",
    schema: modelUrl("testSchema").apply((ref) => JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", type: "array", items: { $ref: ref } })),
  },
  { dependsOn: [testSchema] },
);
const statusModel = new aws.apigateway.Model("conf-lambda-StatusModel", {
  restApi: b.api.id,
  name: "StatusModel",
  contentType: "application/json",
  schema: JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", type: "object", properties: { Status: { type: "string" }, Order: { type: "integer" } }, required: ["Status", "Order"] }),
});
const testModel = new aws.apigateway.Model(
  "conf-lambda-TestModel",
  {
    restApi: b.api.id,
    name: "TestModel",
    contentType: "application/json",
    schema: modelUrl("StatusModel").apply((ref) =>
      JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", type: "object", properties: { status: { oneOf: [{ type: "null" }, { $ref: ref }] } }, required: ["status"] }),
    ),
  },
  { dependsOn: [statusModel] },
);
b.deps.push(bodyValidator, testSchemaList, statusModel, testModel);
for (const [path, model] of [["/ref-models", testSchemaList], ["/one-of", testModel]] as const) {
  b.method(path, {
    httpMethod: "POST",
    method: { requestValidatorId: bodyValidator.id, requestModels: { "application/json": model.name } },
    integration: { type: "MOCK", requestTemplates: { "application/json": `{"statusCode": 200}` } },
    methodResponses: { "200": {} },
    integrationResponses: [{ statusCode: "200", selectionPattern: "", responseTemplates: { "application/json": `{"data": "ok"}` } }],
  });
}

// test_lambda_selection_patterns
b.method("/selection/{code}", {
  httpMethod: "GET",
  integration: { type: "AWS", integrationHttpMethod: "POST", uri: selection.invokeArn, requestTemplates: { "application/json": `{"code": "$input.params('code')"}` } },
  methodResponses: { "200": {}, "405": {}, "502": {}, "504": {} },
  integrationResponses: [
    { statusCode: "200" },
    { statusCode: "405", selectionPattern: ".*four hundred.*" },
    { statusCode: "502", selectionPattern: ".+" },
    { statusCode: "504", selectionPattern: "200" },
  ],
});

// TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_aws[AWS|AWS_PROXY]
const special = ["Content-Length", "Transfer-Encoding", "Authorization", "Connection", "Expect", "Proxy-Authenticate", "TE"];
remapRoutes(b, "/aws-remap", { type: "AWS", integrationHttpMethod: "POST", uri: echo.invokeArn }, special, false);
remapRoutes(b, "/proxy-remap", { type: "AWS_PROXY", integrationHttpMethod: "POST", uri: echo.invokeArn }, special, true);

export const url = b.deploy("test").invokeUrl;
