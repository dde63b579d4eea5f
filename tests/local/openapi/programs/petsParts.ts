/**
 * What the two "pets" APIs of petsProgram.ts share: the functions, the user pool, the API key
 * and its plan. One API is built from resources (petsFromResources.ts), the other from an
 * OpenAPI body (petsFromBody.ts); openApiBody.spec.ts sends both the same requests. Plain
 * @pulumi/aws resources only.
 *
 * Config: `pets:backend`, the URL of the HTTP backend the spec starts (the conformance echo
 * server: `/raw` answers the request body, `/status/<code>` that status).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { inlineFunction, serviceRole } from "../../conformance/programKit";

/** The Lambda functions behind the API. */
export interface PetsFunctions {
  /** AWS_PROXY: answers what it was asked (method, resource, body, base64 flag, whether claims came). */
  proxy: aws.lambda.Function;
  /** AWS (non-proxy): `{greeting: "hello <name>"}`, or fails with "Bad name" for `bad`. */
  greeter: aws.lambda.Function;
  /** TOKEN authorizer: `allow` is allowed, `deny` denied, anything else Unauthorized. */
  tokenAuthorizer: aws.lambda.Function;
  /** REQUEST authorizer: allows when the Auth header is `ok`. */
  requestAuthorizer: aws.lambda.Function;
}

const policy = `(principalId, effect, resource) => ({ principalId, policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] } })`;

/** Creates the functions. */
export function petsFunctions(): PetsFunctions {
  const role = serviceRole("pets-lambda", "lambda");
  return {
    proxy: inlineFunction(
      "pets-proxy",
      role,
      `exports.handler = async (event) => ({
         statusCode: 200,
         headers: { "Content-Type": "application/json" },
         body: JSON.stringify({ method: event.httpMethod, resource: event.resource, body: event.body, isBase64Encoded: event.isBase64Encoded, claims: !!(event.requestContext.authorizer && event.requestContext.authorizer.claims) }),
       });`,
    ),
    greeter: inlineFunction(
      "pets-greeter",
      role,
      `exports.handler = async (event) => {
         if (event.name === "bad") throw new Error("Bad name");
         return { greeting: "hello " + event.name };
       };`,
    ),
    tokenAuthorizer: inlineFunction(
      "pets-token-authorizer",
      role,
      `const policy = ${policy};
       exports.handler = async (event) => {
         if (event.authorizationToken === "allow") return policy("user", "Allow", event.methodArn);
         if (event.authorizationToken === "deny") return policy("user", "Deny", event.methodArn);
         throw new Error("Unauthorized");
       };`,
    ),
    requestAuthorizer: inlineFunction(
      "pets-request-authorizer",
      role,
      `const policy = ${policy};
       exports.handler = async (event) => policy("caller", event.headers.Auth === "ok" ? "Allow" : "Deny", event.methodArn);`,
    ),
  };
}

/** The user pool of the Cognito authorizer, and its app client. */
export function petsUserPool(): { pool: aws.cognito.UserPool; client: aws.cognito.UserPoolClient } {
  const pool = new aws.cognito.UserPool("pets", { usernameAttributes: ["email"], autoVerifiedAttributes: ["email"] });
  const client = new aws.cognito.UserPoolClient("pets", { userPoolId: pool.id, explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], generateSecret: false });
  return { pool, client };
}

/**
 * An API key in a usage plan of the stages, without limits.
 *
 * @param stages - The REST API stages the key is good for.
 * @returns The key's value.
 */
export function petsApiKey(stages: aws.apigateway.Stage[]): pulumi.Output<string> {
  const plan = new aws.apigateway.UsagePlan("pets", { apiStages: stages.map((stage) => ({ apiId: stage.restApi, stage: stage.stageName })) });
  const key = new aws.apigateway.ApiKey("pets", {});
  new aws.apigateway.UsagePlanKey("pets", { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id });
  return key.value;
}

/** The HTTP backend's URL (`pets:backend`). */
export function petsBackend(): string {
  return new pulumi.Config("pets").require("backend");
}

/**
 * The API's schemas: `NewPet` (a name, and a tag of the `Tag` model) and `Tag` (a short string).
 *
 * @param tagRef - How NewPet refers to Tag.
 */
export function petSchemas(tagRef: string): Record<"NewPet" | "Tag", Record<string, unknown>> {
  return {
    NewPet: { type: "object", required: ["name"], properties: { name: { type: "string" }, tag: { $ref: tagRef } } },
    Tag: { type: "string", maxLength: 10 },
  };
}

/** The mapping templates and other strings both programs use. */
export const PETS = {
  listTemplate: `[{"id": 1, "type": "$input.params('type')"}, {"id": 2, "type": "$input.params('type')"}]`,
  petTemplate: `{"id": "$input.params('id')", "via": "http"}`,
  greeterRequest: `{"name": $input.json('$.name')}`,
  greeterResponse: `{"message": "$input.path('$.greeting')"}`,
  greeterError: `{"error": "$input.path('$.errorMessage')"}`,
  identityValidationExpression: "^[a-z]+$",
  gatewayResponses: {
    MISSING_AUTHENTICATION_TOKEN: { statusCode: "404", responseParameters: { "gatewayresponse.header.x-gateway": "'pets'" }, responseTemplates: { "application/json": `{"error": "no such route"}` } },
    BAD_REQUEST_BODY: { statusCode: "400", responseParameters: {}, responseTemplates: { "application/json": `{"error": "$context.error.validationErrorString"}` } },
    UNAUTHORIZED: { statusCode: "401", responseParameters: { "gatewayresponse.header.WWW-Authenticate": "'Bearer'" }, responseTemplates: {} },
  } as Record<string, { statusCode: string; responseParameters: Record<string, string>; responseTemplates: Record<string, string> }>,
};
