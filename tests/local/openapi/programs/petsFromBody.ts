/**
 * The pets API from an OpenAPI body (YAML): a RestApi whose `body` is petsDocument.ts, a
 * deployment and a stage `test`; nothing else declared on the API.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dump } from "js-yaml";
import { petsDocument } from "./petsDocument";
import type { PetsFunctions } from "./petsParts";

/**
 * Declares the API.
 *
 * @param functions - The functions behind it.
 * @param userPool - The Cognito authorizer's user pool.
 * @param backend - The HTTP backend's URL.
 * @returns The API and its stage.
 */
export function petsFromBody(functions: PetsFunctions, userPool: aws.cognito.UserPool, backend: string): { api: aws.apigateway.RestApi; stage: aws.apigateway.Stage } {
  const body = pulumi
    .all([functions.proxy.invokeArn, functions.greeter.invokeArn, functions.tokenAuthorizer.invokeArn, functions.requestAuthorizer.invokeArn, userPool.arn])
    .apply(([proxy, greeter, tokenAuthorizer, requestAuthorizer, userPoolArn]) => dump(petsDocument({ proxy, greeter, tokenAuthorizer, requestAuthorizer, userPoolArn, backend })));
  const api = new aws.apigateway.RestApi("pets-from-body", { body });
  const deployment = new aws.apigateway.Deployment("pets-from-body", { restApi: api.id, triggers: { body } });
  return { api, stage: new aws.apigateway.Stage("pets-from-body", { restApi: api.id, deployment: deployment.id, stageName: "test" }) };
}
