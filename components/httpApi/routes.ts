/** The API's routes: each route key targets its function's integration, behind its authorizer. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { pathSlug } from "../resourcePaths";
import { transformed } from "../transform";
import type { HttpApiTransform } from "./args";
import type { FunctionIntegrations } from "./integrations";
import type { ValidatedHttpRoute } from "./spec";

/**
 * Creates one route (`{name}-route-{slug}`) per validated route, `$default` included.
 *
 * @param parent - The component.
 * @param name - The component's name.
 * @param api - The API.
 * @param routes - The validated routes.
 * @param integrations - The integrations by function (one for each route's function).
 * @param authorizers - The JWT authorizers by name.
 * @param transform - The user's transforms. @default none
 * @returns The routes by route key.
 */
export function createRoutes(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  routes: ValidatedHttpRoute[],
  integrations: FunctionIntegrations,
  authorizers: Record<string, aws.apigatewayv2.Authorizer>,
  transform: HttpApiTransform = {},
): Record<string, aws.apigatewayv2.Route> {
  const created: Record<string, aws.apigatewayv2.Route> = {};
  for (const route of routes) {
    const integration = integrations.get(route.function)!.integration;
    created[route.routeKey] = new aws.apigatewayv2.Route(
      ...transformed(
        transform.route,
        `${name}-route-${routeSlug(route)}`,
        {
          apiId: api.id,
          routeKey: route.routeKey,
          target: pulumi.interpolate`integrations/${integration.id}`,
          authorizationType: route.authorizer ? "JWT" : "NONE",
          authorizerId: route.authorizer ? authorizers[route.authorizer].id : undefined,
          authorizationScopes: route.authorizationScopes,
        },
        { parent },
      ),
    );
  }
  return created;
}

/** `GET /users/{id}` -> `GET-users-id`; `$default` -> `default`. Used in child resource names. */
function routeSlug(route: ValidatedHttpRoute): string {
  return route.method === "$default" ? "default" : `${route.method}-${pathSlug(route.path!)}`;
}
