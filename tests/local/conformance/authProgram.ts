/**
 * Conformance program "auth" (stage `test`): what needs an API of its own.
 *
 * - A Lambda TOKEN authorizer as the API Gateway developer guide builds it ("Call an API with an
 *   API Gateway Lambda authorizer"; the function of "Example Lambda authorizer functions"): the
 *   token `allow` gets an Allow policy, `deny` a Deny policy, `unauthorized` makes the function
 *   fail with "Unauthorized", anything else with "Error: Invalid token". Token source: the
 *   `authorizationToken` header. `GET /authorized` uses it, MOCK answering 200.
 * - A REQUEST authorizer (identity sources header Auth and query string Name, caching on) on
 *   `GET /request-authorized`, as the API reference's CreateAuthorizer identitySource describes it.
 * - The MISSING_AUTHENTICATION_TOKEN gateway response customised as in the guide's "Set up a
 *   gateway response for a REST API using the API Gateway console" (status 404, a static
 *   Access-Control-Allow-Origin 'a.b.c').
 * - binaryMediaTypes `image/png`, `image/jpg`, `application/*`: the third deployment of
 *   LocalStack's test_aws_proxy_binary_response, on `ANY /binary/{proxy+}` (AWS_PROXY to a
 *   function answering the request body parsed as JSON).
 */
import * as aws from "@pulumi/aws";
import { ApiBuilder, RESPONSE_FROM_BODY_SOURCE, inlineFunction, serviceRole } from "./programKit";

const role = serviceRole("conf-auth-lambda", "lambda");
const fromBody = inlineFunction("conf-auth-from-body", role, RESPONSE_FROM_BODY_SOURCE);
// The guide's TOKEN authorizer (its callback-style Node.js sample, written async for nodejs24.x).
const tokenAuthorizer = inlineFunction(
  "conf-auth-token",
  role,
  `const policy = (principalId, effect, resource) => ({
     principalId,
     policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] },
     context: { stringKey: "stringval", numberKey: 123, booleanKey: true },
   });
   exports.handler = async (event) => {
     switch (event.authorizationToken) {
       case "allow": return policy("user", "Allow", event.methodArn);
       case "deny": return policy("user", "Deny", event.methodArn);
       case "unauthorized": throw new Error("Unauthorized");
       default: throw new Error("Error: Invalid token");
     }
   };`,
);

const b = new ApiBuilder("conf-auth", { endpointConfiguration: { types: "REGIONAL" }, binaryMediaTypes: ["image/png", "image/jpg", "application/*"] });

const authorizer = new aws.apigateway.Authorizer("conf-auth-token", {
  restApi: b.api.id,
  name: "token-authorizer",
  type: "TOKEN",
  authorizerUri: tokenAuthorizer.invokeArn,
  identitySource: "method.request.header.authorizationToken",
});
b.deps.push(authorizer);
b.method("/authorized", {
  httpMethod: "GET",
  method: { authorization: "CUSTOM", authorizerId: authorizer.id },
  integration: { type: "MOCK", requestTemplates: { "application/json": `{"statusCode": 200}` } },
  methodResponses: { "200": {} },
  integrationResponses: [{ statusCode: "200", selectionPattern: "", responseTemplates: { "application/json": `{"authorized": true}` } }],
});

// A REQUEST authorizer with caching on (the default TTL) and the identity sources of the API
// reference's example (CreateAuthorizer identitySource): the Auth header and the Name query
// string parameter. Its function allows every call; GET /request-authorized uses it.
const requestAuthorizerFn = inlineFunction(
  "conf-auth-request",
  role,
  `exports.handler = async (event) => ({
     principalId: "user",
     policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] },
   });`,
);
const requestAuthorizer = new aws.apigateway.Authorizer("conf-auth-request", {
  restApi: b.api.id,
  name: "request-authorizer",
  type: "REQUEST",
  authorizerUri: requestAuthorizerFn.invokeArn,
  identitySource: "method.request.header.Auth, method.request.querystring.Name",
  authorizerResultTtlInSeconds: 300,
});
b.deps.push(requestAuthorizer);
b.method("/request-authorized", {
  httpMethod: "GET",
  method: { authorization: "CUSTOM", authorizerId: requestAuthorizer.id },
  integration: { type: "MOCK", requestTemplates: { "application/json": `{"statusCode": 200}` } },
  methodResponses: { "200": {} },
  integrationResponses: [{ statusCode: "200", selectionPattern: "", responseTemplates: { "application/json": `{"authorized": true}` } }],
});

b.deps.push(
  new aws.apigateway.Response("conf-auth-missing-token", {
    restApiId: b.api.id,
    responseType: "MISSING_AUTHENTICATION_TOKEN",
    statusCode: "404",
    responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'" },
    responseTemplates: {
      "application/json":
        '{\n     "message": $context.error.messageString,\n     "type":  "$context.error.responseType",\n     "stage":  "$context.stage",\n     "resourcePath":  "$context.resourcePath",\n     "stageVariables.a":  "$stageVariables.a",\n     "statusCode": "\'404\'"\n}',
    },
  }),
);

b.method("/binary/{proxy+}", { httpMethod: "ANY", integration: { type: "AWS_PROXY", integrationHttpMethod: "POST", uri: fromBody.invokeArn } });

export const url = b.deploy("test").invokeUrl;
