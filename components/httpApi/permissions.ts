/** The permissions letting API Gateway invoke the routes' functions. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arnPath } from "../resourcePaths";
import { transformed } from "../transform";
import type { HttpApiTransform } from "./args";
import type { FunctionIntegrations } from "./integrations";
import type { ValidatedHttpRoute } from "./spec";

/**
 * Creates one invoke permission (`{name}-invoke-{key}`) per function: for the one route it
 * serves when it serves one, else for every route of the API (`{executionArn}/*\/*`).
 *
 * @param parent - The component.
 * @param name - The component's name.
 * @param api - The API.
 * @param routes - The validated routes.
 * @param integrations - The integrations by function (their keys name the permissions).
 * @param transform - The user's transforms. @default none
 */
export function createPermissions(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  routes: ValidatedHttpRoute[],
  integrations: FunctionIntegrations,
  transform: HttpApiTransform = {},
): aws.lambda.Permission[] {
  return [...integrations].map(([fn, { key }]) => {
    const served = routes.filter((r) => r.function === fn);
    return new aws.lambda.Permission(
      ...transformed(
        transform.permission,
        `${name}-invoke-${key}`,
        {
          action: "lambda:InvokeFunction",
          function: fn.name,
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/${served.length === 1 ? routeArnSuffix(served[0]) : "*/*"}`,
        },
        { parent },
      ),
    );
  });
}

/**
 * The part of an execute-api ARN after the API id that a route's requests carry:
 * `{stage}/{METHOD}{path}` with any stage, `*` for ANY and for path parameters; `$default`
 * routes are `{stage}/$default`.
 *
 * @param route - The route's method and path.
 */
export function routeArnSuffix(route: Pick<ValidatedHttpRoute, "method" | "path">): string {
  if (route.method === "$default") return "*/$default";
  return `*/${route.method === "ANY" ? "*" : route.method}${arnPath(route.path!)}`;
}
