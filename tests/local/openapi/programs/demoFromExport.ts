/**
 * The demo program (index.ts) with its REST API's `body` set to an OpenAPI document: the export
 * of that same API (`npm run openapi -- --extensions apigateway`), given as the config value
 * `roundTrip:body`. putRestApiMode stays at its default, overwrite, so the API is served from the
 * body alone: the Resource / Method / Integration / ... the demo's components declare on it are
 * not (local/openapi/import/servedGraph.ts). Everything else (functions, tables, user pool,
 * stage, method settings, usage plans) is the demo's. roundTrip.spec.ts serves it.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";

const body = new pulumi.Config("roundTrip").require("body");

// Stack transformations need the root stack resource, which Pulumi's mocks do not create; so
// the provider's RestApi class is swapped, for the time index.ts takes to declare its resources,
// for one that adds the body (`aws.apigateway.RestApi` reads the module's export on every use).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, to swap its export
const restApiModule = require("@pulumi/aws/apigateway/restApi") as { RestApi: typeof aws.apigateway.RestApi };
const RestApi = restApiModule.RestApi;
restApiModule.RestApi = class RestApiWithBody extends RestApi {
  constructor(name: string, args?: aws.apigateway.RestApiArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, { ...args, body }, opts);
  }
} as typeof RestApi;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require, not an import: imports are hoisted above the swap
  module.exports = require("../../../../index");
} finally {
  restApiModule.RestApi = RestApi;
}
