/**
 * Conformance program "http" (stage `dev`): HTTP and HTTP_PROXY integrations against the echo
 * server the spec starts (echoServer.ts), whose URL the program reads from
 * CONFORMANCE_ECHO_URL. Routes rebuilt from test_input_path_template_formatting,
 * test_input_body_formatting, test_http_integration_invoke_status_code_passthrough,
 * test_import_with_stage_variables and test_apigateway_header_remapping_http.
 */
import { ApiBuilder, remapRoutes } from "./programKit";

const echo = process.env.CONFORMANCE_ECHO_URL;
if (!echo) throw new Error("the http conformance program needs CONFORMANCE_ECHO_URL (the spec's echo server)");
const b = new ApiBuilder("conf-http", { endpointConfiguration: { types: "REGIONAL" } });
const post = { type: "HTTP", integrationHttpMethod: "POST", uri: `${echo}/post` } as const;

for (const [route, template] of [
  ["path", '#set($result = $input.path("$.json"))$result'],
  ["nested", '#set($result = $input.path("$.json"))$result.nested'],
  ["list", '#set($result = $input.path("$.json"))$result[0]'],
  ["to-string", '#set($result = $input.path("$.json"))$result.toString()'],
  ["invalid-path", '#set($result = $input.path("$.nonExisting")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}'],
  ["nested-list", '#set($result = $input.path("$.json.listValue")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}'],
]) {
  b.method(`/input-path/${route}`, { httpMethod: "POST", integration: post, methodResponses: { "200": {} }, integrationResponses: [{ statusCode: "200", selectionPattern: "", responseTemplates: { "application/json": template } }] });
}

const rawBody = "#set($result = $input.body)$result";
const bodyInStr = "Action=SendMessage&MessageBody=$input.body";
for (const [route, requestTemplate, responseTemplate] of [
  ["raw-body", rawBody, rawBody],
  ["str-body-input", bodyInStr, rawBody],
  ["str-body-output", rawBody, bodyInStr],
  ["str-body-all", bodyInStr, bodyInStr],
  ["body-attr-access", "#set($result = $input.body.testAccess)$result", rawBody],
  ["url-encode", "EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)", rawBody],
]) {
  b.method(`/input-body/${route}`, {
    httpMethod: "POST",
    integration: { type: "HTTP", integrationHttpMethod: "POST", uri: `${echo}/raw`, requestTemplates: { "application/json": requestTemplate } },
    methodResponses: { "200": {} },
    integrationResponses: [{ statusCode: "200", selectionPattern: "", responseTemplates: { "application/json": responseTemplate } }],
  });
}

for (const [route, type] of [["status", "HTTP"], ["status-proxy", "HTTP_PROXY"]] as const) {
  b.method(`/${route}/{code}`, {
    httpMethod: "GET",
    method: { requestParameters: { "method.request.path.code": true } },
    integration: { type, integrationHttpMethod: "GET", uri: `${echo}/status/{code}`, requestParameters: { "integration.request.path.code": "method.request.path.code" } },
    methodResponses: { "200": {} },
    integrationResponses: type === "HTTP" ? [{ statusCode: "200" }] : undefined,
  });
}

// An integration URI naming a stage variable the stage does not define.
b.method("/stage-variable-missing", {
  httpMethod: "GET",
  integration: { type: "HTTP", integrationHttpMethod: "GET", uri: "https://${stageVariables.url}" },
  methodResponses: { "200": {} },
  integrationResponses: [{ statusCode: "200" }],
});

remapRoutes(b, "/http-remap", post, ["Content-Length", "Transfer-Encoding"], false);
remapRoutes(b, "/http-proxy-remap", { ...post, type: "HTTP_PROXY" }, ["Content-Length", "Transfer-Encoding"], true);

export const url = b.deploy("dev", { echo }).invokeUrl;
