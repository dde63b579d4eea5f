/**
 * The pets program: the same REST API twice, once declared resource by resource
 * (petsFromResources.ts), once from an OpenAPI body (petsFromBody.ts), over the same functions,
 * user pool and API key. openApiBody.spec.ts sends both the same requests.
 *
 * Config: `pets:backend`, the URL of the HTTP backend the spec starts.
 */
import * as pulumi from "@pulumi/pulumi";
import { petsFromBody } from "./petsFromBody";
import { petsFromResources } from "./petsFromResources";
import { petsApiKey, petsBackend, petsFunctions, petsUserPool } from "./petsParts";

const functions = petsFunctions();
const { pool, client } = petsUserPool();
const backend = petsBackend();
const fromResources = petsFromResources(functions, pool, backend);
const fromBody = petsFromBody(functions, pool, backend);

export const resourcesUrl = fromResources.stage.invokeUrl;
export const bodyUrl = fromBody.stage.invokeUrl;
export const apiKey = pulumi.secret(petsApiKey([fromResources.stage, fromBody.stage]));
export const userPoolId = pool.id;
export const userPoolClientId = client.id;
