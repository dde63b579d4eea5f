/**
 * The deployment, and its redeployment trigger: the hash of everything the stage serves.
 *
 * The trigger must stay byte-identical for the same arguments across versions of this package
 * (a new hash redeploys the stage), so it hashes the same JSON as it always has: the values as
 * the caller declared them where that is what it hashed (authorizers' TTL and identity source,
 * the routes), not the spec's defaulted ones.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invokedFunction } from "./integrations";
import type { AuthorizerSpec, RestApiSpec, ValidatedRoute } from "./spec";
import type { RestApiChildren, TransformChange } from "./transform";

/**
 * Creates the deployment (`<name>-deployment`), redeployed whenever its trigger changes. Call it
 * after every child the deployment serves: what transforms changed on them joins the trigger.
 *
 * @param children - Makes the child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param spec - The validated spec.
 * @param served - Everything the stage serves (and the authorizers' permissions): the deployment waits for it.
 */
export function createDeployment(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  spec: RestApiSpec,
  served: pulumi.Resource[],
): aws.apigateway.Deployment {
  return new aws.apigateway.Deployment(
    ...children.make(
      "deployment",
      `${name}-deployment`,
      {
        restApi: api.id,
        description: `${name} (${spec.routes.length} routes)`,
        // Any change to what the stage serves needs a new deployment; the hash of the whole
        // spec (and of the functions' ARNs, and of what transforms changed) is the trigger.
        triggers: { redeployment: deploymentTrigger(spec, children.changes()) },
      },
      // The stage must not go live before API Gateway may call the authorizers either.
      { dependsOn: served },
    ),
  );
}

/**
 * The hash of everything the deployment serves. `transformChanges` (what transforms changed on
 * served children) joins it only when not empty, so an API without transforms keeps the trigger
 * it always had; tags are not part of it.
 *
 * @param spec - The validated spec.
 * @param transformChanges - What transforms changed on the served children.
 */
export function deploymentTrigger(spec: RestApiSpec, transformChanges: pulumi.Output<TransformChange[]>): pulumi.Output<string> {
  const functionArns = spec.routes.map((r) => invokedFunction(r.integration)?.arn ?? "");
  const authorizers = Object.entries(spec.authorizers);
  const authorizerArns = authorizers.map(([, a]) => backendArns(a));
  // A changed resource policy only takes effect with a new deployment.
  return pulumi.all([functionArns, authorizerArns, spec.policy ?? "", transformChanges]).apply(([fns, auths, policy, changes]) => {
    const shape = {
      policy,
      endpointType: spec.endpointType,
      binaryMediaTypes: spec.binaryMediaTypes,
      models: spec.models,
      validators: spec.validators,
      cors: spec.cors,
      gatewayResponses: spec.gatewayResponses,
      settings: spec.methodSettings,
      authorizers: authorizers.map(([n, a]) => ({
        n,
        type: a.type,
        ttl: a.declared.resultTtlSeconds,
        src: a.declared.identitySource,
        expression: a.type === "COGNITO_USER_POOLS" ? undefined : a.identityValidationExpression,
        // Every authorizer's entry holds the backends of all of them, as it always has.
        auths,
      })),
      routes: spec.routes.map((r, i) => hashedRoute(r, fns[i])),
      ...(changes.length > 0 ? { transformed: changes } : {}),
    };
    return createHash("sha256").update(JSON.stringify(shape)).digest("hex");
  });
}

/** What identifies an authorizer's backend: its user pools' ARNs, or its function's. */
function backendArns(auth: AuthorizerSpec): pulumi.Input<string | string[]> {
  return auth.type === "COGNITO_USER_POOLS" ? pulumi.all(auth.providerArns) : auth.function.arn;
}

/**
 * A route as the trigger hashes it: as declared, with its declared parameters and cache keys,
 * and the function's ARN ("" for none) in place of the function.
 */
function hashedRoute(route: ValidatedRoute, functionArn: string): object {
  return {
    ...route.declared,
    methodRequestParameters: route.methodRequestParameters,
    cacheKeys: route.cacheKeys,
    integration: { ...route.declared.integration, function: functionArn },
  };
}
