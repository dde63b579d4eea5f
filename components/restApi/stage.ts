/** The stage: its access-log group, the stage serving the deployment, and its method settings. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedMethodSetting } from "../methodSettings";
import type { RestApiSpec } from "./spec";
import type { RestApiChildren } from "./transform";
import { ACCESS_LOG_RESPONSE_FIELDS } from "../apigateway";

/** Access-log line, one JSON object per request (CloudWatch Logs Insights reads the fields). */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  caller: "$context.identity.caller",
  user: "$context.identity.user",
  apiKeyId: "$context.identity.apiKeyId",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  ...ACCESS_LOG_RESPONSE_FIELDS,
  errorMessage: "$context.error.message",
  errorType: "$context.error.responseType",
  authorizerError: "$context.authorizer.error",
});

/**
 * Creates the stage's access-log group, `/aws/apigateway/<api name>/<stage>/access`.
 *
 * @param children - Makes the child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param spec - The validated spec.
 */
export function createAccessLogGroup(children: RestApiChildren, name: string, api: aws.apigateway.RestApi, spec: RestApiSpec): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    ...children.make("logGroup", `${name}-access-logs`, {
      retentionInDays: spec.stage.accessLogRetentionDays,
      name: pulumi.interpolate`/aws/apigateway/${api.name}/${spec.stage.name}/access`,
      tags: spec.tags,
    }),
  );
}

/** What the stage serves and logs to. */
export interface StageTargets {
  /** The REST API. */
  api: aws.apigateway.RestApi;
  /** The deployment the stage serves. */
  deployment: aws.apigateway.Deployment;
  /** The access-log group. */
  accessLogGroup: aws.cloudwatch.LogGroup;
}

/**
 * Creates the stage: tracing, the cache cluster, variables and JSON access logs.
 *
 * @param children - Makes the child through the user's transform.
 * @param name - The component's name.
 * @param targets - What the stage serves and logs to.
 * @param spec - The validated spec.
 */
export function createStage(children: RestApiChildren, name: string, targets: StageTargets, spec: RestApiSpec): aws.apigateway.Stage {
  return new aws.apigateway.Stage(
    ...children.make("stage", `${name}-stage`, {
      restApi: targets.api.id,
      deployment: targets.deployment.id,
      stageName: spec.stage.name,
      xrayTracingEnabled: spec.stage.tracingEnabled,
      cacheClusterEnabled: spec.stage.cacheClusterSize !== undefined,
      cacheClusterSize: spec.stage.cacheClusterSize,
      variables: spec.stage.variables,
      accessLogSettings: { destinationArn: targets.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
      tags: spec.tags,
    }),
  );
}

/**
 * Creates one MethodSettings per method path: the stage defaults, then each override (merged).
 *
 * @param children - Makes each child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param stage - The stage.
 * @param settings - The resolved method settings.
 */
export function createMethodSettings(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  stage: aws.apigateway.Stage,
  settings: ResolvedMethodSetting[],
): aws.apigateway.MethodSettings[] {
  return settings.map(
    (setting) =>
      new aws.apigateway.MethodSettings(
        ...children.make("methodSettings", `${name}-settings-${setting.slug}`, {
          restApi: api.id,
          stageName: stage.stageName,
          methodPath: setting.methodPath,
          settings: setting.settings,
        }),
      ),
  );
}
