/**
 * The API's single auto-deployed stage: its access-log group, JSON access-log lines, and the
 * throttles of the stage and of each route.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ThrottleArgs } from "../apigateway";
import { transformed } from "../transform";
import type { HttpApiTransform } from "./args";
import type { ValidatedHttpApiSpec, ValidatedHttpRoute } from "./spec";
import { ACCESS_LOG_RESPONSE_FIELDS } from "../apigateway";

/** HTTP API access-log line, one JSON object per request ($context variables of HTTP APIs). */
export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  ...ACCESS_LOG_RESPONSE_FIELDS,
  integrationError: "$context.integrationErrorMessage",
  errorMessage: "$context.error.message",
  authorizerError: "$context.authorizer.error",
});

/**
 * Creates the stage's access-log group (`{name}-access-logs`), named
 * `/aws/apigateway/{api name}/{stage}/access`.
 *
 * @param parent - The component.
 * @param name - The component's name.
 * @param api - The API.
 * @param spec - The validated arguments (stage and tags).
 * @param transform - The user's transforms. @default none
 */
export function createAccessLogGroup(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  spec: Pick<ValidatedHttpApiSpec, "stage" | "tags">,
  transform: HttpApiTransform = {},
): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    ...transformed(
      transform.logGroup,
      `${name}-access-logs`,
      {
        // Log group names may not contain `$`: the $default stage logs under "default".
        name: pulumi.interpolate`/aws/apigateway/${api.name}/${spec.stage.name.replace(/^\$/, "")}/access`,
        retentionInDays: spec.stage.accessLogRetentionDays,
        tags: spec.tags,
      },
      { parent },
    ),
  );
}

/**
 * Creates the auto-deployed stage (`{name}-stage`), after the routes its settings name.
 *
 * @param parent - The component.
 * @param name - The component's name.
 * @param api - The API.
 * @param spec - The validated arguments.
 * @param logGroup - The access-log group.
 * @param routes - The routes (the stage depends on them).
 * @param transform - The user's transforms. @default none
 */
export function createStage(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  spec: ValidatedHttpApiSpec,
  logGroup: aws.cloudwatch.LogGroup,
  routes: aws.apigatewayv2.Route[],
  transform: HttpApiTransform = {},
): aws.apigatewayv2.Stage {
  return new aws.apigatewayv2.Stage(
    ...transformed(
      transform.stage,
      `${name}-stage`,
      {
        apiId: api.id,
        name: spec.stage.name,
        // Every change to routes, integrations or authorizers goes live without a Deployment.
        autoDeploy: true,
        // Left out without a throttle, rather than sent empty: the stage then keeps the account's
        // limits instead of explicit zero limits.
        defaultRouteSettings: spec.stage.throttle ? throttleSettings(spec.stage.throttle) : undefined,
        routeSettings: routeSettings(spec.routes),
        accessLogSettings: { destinationArn: logGroup.arn, format: HTTP_ACCESS_LOG_FORMAT },
        tags: spec.tags,
      },
      // Route settings may only name routes that exist.
      { parent, dependsOn: routes },
    ),
  );
}

/** A token bucket as stage route settings spell it. */
function throttleSettings(throttle: ThrottleArgs): { throttlingRateLimit: number; throttlingBurstLimit: number } {
  return { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit };
}

/** The settings of each route with its own throttle; undefined when none has one. */
function routeSettings(routes: ValidatedHttpRoute[]): aws.types.input.apigatewayv2.StageRouteSetting[] | undefined {
  const throttled = routes.filter((r) => r.throttle);
  if (throttled.length === 0) return undefined;
  return throttled.map((r) => ({ routeKey: r.routeKey, ...throttleSettings(r.throttle!) }));
}
