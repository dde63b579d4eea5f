/** The API's Lambda proxy integrations (payload format 2.0): one per distinct function. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HTTP_API_INTEGRATION_TIMEOUT_MS } from "../apigateway";
import { transformed } from "../transform";
import type { HttpApiTransform } from "./args";
import type { ValidatedHttpRoute } from "./spec";

/** A function's integration, and the key naming it (and its invoke permission). */
export interface FunctionIntegration {
  /** The function's logical name (suffixed when two functions share one). */
  key: string;
  /** The integration. */
  integration: aws.apigatewayv2.Integration;
}

/** Integrations by the function they invoke, in the order the routes first name them. */
export type FunctionIntegrations = Map<aws.lambda.Function, FunctionIntegration>;

/**
 * Creates one Lambda proxy integration (`{name}-integration-{key}`) per distinct function.
 *
 * @param parent - The component.
 * @param name - The component's name.
 * @param api - The API.
 * @param routes - The validated routes.
 * @param transform - The user's transforms. @default none
 */
export function createIntegrations(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  routes: ValidatedHttpRoute[],
  transform: HttpApiTransform = {},
): FunctionIntegrations {
  const byFunction: FunctionIntegrations = new Map();
  const keys = new Set<string>();
  for (const route of routes) {
    if (byFunction.has(route.function)) continue;
    const key = integrationKey(route.function, keys);
    keys.add(key);
    const integration = new aws.apigatewayv2.Integration(
      ...transformed(
        transform.integration,
        `${name}-integration-${key}`,
        {
          apiId: api.id,
          integrationType: "AWS_PROXY",
          // Lambda is always invoked with POST; the URI may be the function ARN or its invoke ARN.
          integrationMethod: "POST",
          integrationUri: route.function.invokeArn,
          payloadFormatVersion: "2.0",
          // HTTP APIs allow 50..30,000 ms; the maximum is also AWS's default.
          timeoutMilliseconds: HTTP_API_INTEGRATION_TIMEOUT_MS.default,
        },
        { parent },
      ),
    );
    byFunction.set(route.function, { key, integration });
  }
  return byFunction;
}

/**
 * The function's logical name, suffixed `-2`, `-3`... when another function took it. Named
 * after the function, not the route, so reordering routes replaces nothing.
 */
function integrationKey(fn: aws.lambda.Function, taken: Set<string>): string {
  const base = pulumi.resourceName(fn);
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}-${n}`;
  return key;
}

/**
 * The integrations by the key naming them (the component's `integrations` output).
 *
 * @param integrations - The integrations by function.
 */
export function integrationsByKey(integrations: FunctionIntegrations): Record<string, aws.apigatewayv2.Integration> {
  return Object.fromEntries([...integrations.values()].map((i) => [i.key, i.integration]));
}
