/**
 * The pets API from an OpenAPI body (YAML): a RestApi whose `body` is petsDocument.ts, a
 * deployment and a stage `test`; nothing else declared on the API.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dump } from "js-yaml";
import { petsDocument } from "./petsDocument";
import { petsApiKey, petsBackend, petsFunctions, petsUserPool } from "./petsParts";

const functions = petsFunctions();
const { pool, client } = petsUserPool();
const body = pulumi
  .all([functions.proxy.invokeArn, functions.greeter.invokeArn, functions.tokenAuthorizer.invokeArn, functions.requestAuthorizer.invokeArn, pool.arn])
  .apply(([proxy, greeter, tokenAuthorizer, requestAuthorizer, userPoolArn]) => dump(petsDocument({ proxy, greeter, tokenAuthorizer, requestAuthorizer, userPoolArn, backend: petsBackend() })));

const api = new aws.apigateway.RestApi("pets-from-body", { body });
const deployment = new aws.apigateway.Deployment("pets-from-body", { restApi: api.id, triggers: { body } });
const stage = new aws.apigateway.Stage("pets-from-body", { restApi: api.id, deployment: deployment.id, stageName: "test" });

export const apiKey = pulumi.secret(petsApiKey(api, stage));
export const userPoolId = pool.id;
export const userPoolClientId = client.id;
