/**
 * Conformance program "mock" (stage `dev`): routing, API keys and MOCK integrations, rebuilt
 * from the setups of LocalStack's AWS-validated tests named in the vectors (routing.json,
 * api-keys.json with its usage plan and keys, mock-integrations.json, lambda-integration.json's non-POST proxy case).
 */
import * as aws from "@pulumi/aws";
import { ApiBuilder, ECHO_EVENT_SOURCE, inlineFunction, serviceRole } from "./programKit";

const b = new ApiBuilder("conf-mock");
const MOCK_200 = { type: "MOCK", requestTemplates: { "application/json": `{"statusCode": 200}` } } as const;

// test_routing_not_found: GET /existing only.
b.method("/existing", {
  httpMethod: "GET",
  integration: MOCK_200,
  methodResponses: { "200": {} },
  integrationResponses: [{ statusCode: "200", selectionPattern: "", responseTemplates: { "application/json": JSON.stringify({ statusCode: 200, message: "exists" }).replace(/,/g, ", ").replace(/:/g, ": ") } }],
});

// test_proxy_routing_with_hardcoded_resource_sibling (under /sibling instead of the root): POST
// /test, ANY /test/any, OPTIONS /{proxy+}; test_routing_with_hardcoded_resource_sibling_order
// (under /order): GET /part1, GET /{param+} (created before /part1/hardcoded-value), GET
// /part1/hardcoded-value. Each MOCK answers {"statusCode": 200, "message": "..."}.
const messageMock = (httpMethod: string, message: string) => ({
  httpMethod,
  integration: MOCK_200,
  methodResponses: { "200": {} },
  integrationResponses: [{ statusCode: "200", selectionPattern: "", responseTemplates: { "application/json": JSON.stringify({ statusCode: 200, message }).replace(/,/g, ", ").replace(/:/g, ": ") } }],
});
b.method("/sibling/test", messageMock("POST", "POST request"));
b.method("/sibling/test/any", messageMock("ANY", "ANY request"));
b.method("/sibling/{proxy+}", messageMock("OPTIONS", "OPTIONS request"));
b.method("/order/part1", messageMock("GET", "part1"));
b.method("/order/{param+}", messageMock("GET", "proxy"));
b.method("/order/part1/hardcoded-value", messageMock("GET", "hardcoded-value"));

// test_api_key_required_for_methods: a method requiring a key, called without one.
b.method("/api-key", { httpMethod: "GET", method: { apiKeyRequired: true }, integration: MOCK_200, methodResponses: { "200": {} }, integrationResponses: [{ statusCode: "200" }] });

// test_mock_integration_response[<passthrough>-<method>]
for (const [segment, passthroughBehavior] of [["when-no-match", "WHEN_NO_MATCH"], ["never", "NEVER"], ["when-no-templates", "WHEN_NO_TEMPLATES"]]) {
  for (const httpMethod of ["GET", "POST"]) {
    b.method(`/passthrough/${segment}/{id}`, {
      httpMethod,
      integration: { type: "MOCK", integrationHttpMethod: httpMethod, passthroughBehavior, requestTemplates: { "application/json": `{"statusCode":200}` } },
      methodResponses: { "200": {} },
      integrationResponses: [{ statusCode: "200", responseTemplates: { "application/json": `{"statusCode": 200, "id": $input.params().path.id}` } }],
    });
  }
}

// test_integration_mock_with_path_param: a request template that is not JSON.
b.method("/mock-path/{testPath}", {
  httpMethod: "GET",
  method: { requestParameters: { "method.request.path.testPath": true } },
  integration: {
    type: "MOCK",
    integrationHttpMethod: "POST",
    requestParameters: { "integration.request.path.integrationPath": "method.request.path.testPath" },
    requestTemplates: { "application/json": "{statusCode: 200}" },
  },
  methodResponses: { "200": {} },
  integrationResponses: [{ statusCode: "200", selectionPattern: "2\\d{2}", responseTemplates: {} }],
});

// test_integration_mock_with_request_overrides_in_response_template
b.method("/overrides/{testPath}", {
  httpMethod: "GET",
  method: { requestParameters: { "method.request.path.testPath": true } },
  integration: {
    type: "MOCK",
    integrationHttpMethod: "POST",
    requestTemplates: {
      "application/json": `#set($body = $util.base64Decode($input.params('testPath')))
#set($context.requestOverride.path.body = $body)
{
  "statusCode": 200
}
`,
    },
  },
  methodResponses: { "200": {} },
  integrationResponses: [
    {
      statusCode: "200",
      selectionPattern: "2\\d{2}",
      responseTemplates: {
        "application/json": `
#set($body = $util.parseJson($context.requestOverride.path.body))
#set($inputBody = $body.message)
#if($inputBody == "path1")
{
   "response": "path was path one"
}
#elseif($inputBody == "path2")
{
   "response": "path was path two"
}
#else
{
  "response": "this is the else clause"
}
#end
`,
      },
    },
  ],
});

// test_integration_mock_with_response_override_in_request_template[True|False]
for (const [segment, withTemplate] of [["with-template", true], ["without-template", false]] as const) {
  b.method(`/response-override/${segment}`, {
    httpMethod: "GET",
    integration: {
      type: "MOCK",
      integrationHttpMethod: "POST",
      requestTemplates: {
        "application/json": `
#set($context.responseOverride.status = 444)
#set($context.responseOverride.header.foo = "bar")
#set($context.responseOverride.custom = "is also passed around")
{
  "statusCode": 200
}
`,
      },
    },
    methodResponses: { "200": {} },
    integrationResponses: [
      {
        statusCode: "200",
        selectionPattern: "2\\d{2}",
        responseTemplates: withTemplate
          ? {
              "application/json": `
#set($statusOverride = $context.responseOverride.status)
#set($fooHeader = $context.responseOverride.header.foo)
#set($custom = $context.responseOverride.custom)
{
    "statusOverride": "$statusOverride",
    "fooHeader": "$fooHeader",
    "custom": "$custom"
}
`,
            }
          : {},
      },
    ],
  });
}

// test_integration_mock_with_vtl_map_assignation
b.method("/vtl-map", {
  httpMethod: "GET",
  integration: {
    type: "MOCK",
    integrationHttpMethod: "POST",
    requestTemplates: {
      "application/json": `
#set($paramName = "foo")
#set($context.requestOverride.querystring[$paramName] = "bar")
#set($paramPutName = "putfoo")
$context.requestOverride.querystring.put($paramPutName, "putBar")
#set($context["requestOverride"].querystring["nestedfoo"] = "nestedFoo")
{
  "statusCode": 200
}
`,
    },
  },
  methodResponses: { "200": {} },
  integrationResponses: [
    {
      statusCode: "200",
      selectionPattern: "2\\d{2}",
      responseTemplates: {
        "application/json": `
#set($value = $context.requestOverride.querystring["foo"])
#set($value2 = $context.requestOverride.querystring["putfoo"])
#set($value3 = $context.requestOverride.querystring["nestedfoo"])
{
    "value": "$value",
    "value2": "$value2",
    "value3": "$value3"
}
`,
      },
    },
  ],
});

// test_lambda_aws_proxy_integration_non_post_method: AWS_PROXY called with GET, and an
// INTEGRATION_FAILURE gateway response put without status code or parameters. It lives here, the
// one program without Lambda proxy failures, because a gateway response applies API-wide.
const fn = inlineFunction("conf-mock-echo", serviceRole("conf-mock-lambda", "lambda"), ECHO_EVENT_SOURCE);
b.method("/non-post/{part}", { httpMethod: "GET", integration: { type: "AWS_PROXY", integrationHttpMethod: "GET", uri: fn.invokeArn } });
b.deps.push(new aws.apigateway.Response("conf-mock-integration-failure", { restApiId: b.api.id, responseType: "INTEGRATION_FAILURE", responseParameters: {} }));

const stage = b.deploy("dev");

// test_api_key_required_for_methods: a usage plan for stage dev (quota 10 a day, rate 2, burst 1)
// with an enabled key, and a key that is disabled (the test disables its key after using it).
const plan = new aws.apigateway.UsagePlan("conf-mock-plan", {
  name: "test-plan",
  description: "Test Usage Plan for API key",
  quotaSettings: { limit: 10, period: "DAY", offset: 0 },
  throttleSettings: { rateLimit: 2, burstLimit: 1 },
  apiStages: [{ apiId: b.api.id, stage: stage.stageName }],
});
for (const [name, value, enabled] of [
  ["conf-mock-key", "conformanceEnabledKey0123456789", true],
  ["conf-mock-key-disabled", "conformanceDisabledKey0123456789", false],
] as const) {
  const key = new aws.apigateway.ApiKey(name, { name, value, enabled });
  new aws.apigateway.UsagePlanKey(name, { usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" });
}

export const url = stage.invokeUrl;
