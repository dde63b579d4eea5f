/**
 * The public arguments of a {@link RestApi}: the API, its models, validators and authorizers,
 * the stage, gateway responses, tags and the transforms of its children. Routes and their
 * integrations are in ./routeArgs.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CacheClusterSize } from "../apigateway";
import type { CorsArgs } from "../cors";
import type { MethodSettingArgs } from "../methodSettings";
import type { ComponentTags, Transform } from "../transform";
import type { RouteArgs } from "./routeArgs";

/** Where the API is reachable: EDGE (CloudFront), REGIONAL, or PRIVATE (VPC endpoints only). */
export type EndpointType = "EDGE" | "REGIONAL" | "PRIVATE";

/** What a request validator checks: the body (against the model), the parameters, or both. */
export type ValidatorKind = "BODY" | "PARAMETERS" | "BODY_AND_PARAMETERS";

/** The Content-Types treated as binary when {@link RestApiArgs.binaryMediaTypes} is not given. */
export const DEFAULT_BINARY_MEDIA_TYPES = ["image/*", "application/pdf", "application/octet-stream"];

/** A JSON-schema model that request bodies are validated against. */
export interface ModelArgs {
  /** A JSON Schema (draft 4, the dialect API Gateway implements). */
  schema: Record<string, unknown>;
  /**
   * The request Content-Type the model applies to.
   * @default "application/json"
   */
  contentType?: string;
  /** What the model describes. @default none */
  description?: string;
}

/** A Lambda or Cognito authorizer attached to the API, referenced by routes by name. */
export type AuthorizerArgs =
  | {
      /** A Cognito user pool authorizer: methods accept the pools' tokens. */
      type: "COGNITO_USER_POOLS";
      /** ARNs of the user pools whose tokens are accepted. */
      providerArns: pulumi.Input<string>[];
      /** Where the token is read. @default "method.request.header.Authorization" */
      identitySource?: string;
      /** Result cache TTL, 0..3600; 0 disables caching. @default 300 */
      resultTtlSeconds?: number;
    }
  | {
      /** A Lambda authorizer, given the token (TOKEN) or the request's identity sources (REQUEST). */
      type: "TOKEN" | "REQUEST";
      /** The authorizer function. */
      function: aws.lambda.Function;
      /**
       * Where the token (TOKEN) or the identity (REQUEST, comma-separated) is read.
       * @default "method.request.header.Authorization"
       */
      identitySource?: string;
      /** A regex a TOKEN must match before the function is called. @default none */
      identityValidationExpression?: string;
      /** Result cache TTL, 0..3600; 0 disables caching. @default 300 */
      resultTtlSeconds?: number;
    };

/** Access logs, tracing and the cache cluster of the stage. */
export interface StageArgs {
  /** The stage name, e.g. `dev`; it is the first segment of the invoke URL's path. */
  name: string;
  /**
   * Days access-log events are kept.
   * @default 30
   */
  accessLogRetentionDays?: number;
  /**
   * X-Ray tracing of requests.
   * @default true
   */
  tracingEnabled?: boolean;
  /**
   * Provision a cache cluster of this size (GB); caching itself is switched on in method
   * settings.
   * @default none (no cache cluster)
   */
  cacheClusterSize?: CacheClusterSize;
  /** Stage variables. @default {} */
  variables?: Record<string, string>;
}

/** A customised gateway response. */
export interface GatewayResponseArgs {
  /** The status code answered. @default AWS's status code for the type */
  statusCode?: string;
  /** Header values (quoted literals or `method.request.*` mappings). @default {} */
  headers?: Record<string, string>;
  /** Body templates by Content-Type. @default AWS's `{"message":$context.error.messageString}` */
  templates?: Record<string, string>;
}

/** The gateway response types API Gateway lets a stage customise. */
export const GATEWAY_RESPONSE_TYPES = [
  "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
  "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
  "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
  "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND",
  "THROTTLED", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
];

/** The arguments of a {@link RestApi}. */
export interface RestApiArgs {
  /** A description of the API. @default none */
  description?: string;
  /**
   * Where the API is reachable: EDGE (CloudFront), REGIONAL, or PRIVATE (VPC endpoints only).
   * @default "REGIONAL"
   */
  endpointType?: EndpointType;
  /**
   * VPC endpoint ids (execute-api interface endpoints); required for PRIVATE.
   * @default none
   */
  vpcEndpointIds?: pulumi.Input<string>[];
  /**
   * The resource policy (JSON). Required for PRIVATE, where it says which VPC endpoints may
   * invoke the API.
   * @default none
   */
  policy?: pulumi.Input<string>;
  /**
   * Content-Types treated as binary (base64 to Lambda proxies, decoded on the way out).
   * @default ["image/*", "application/pdf", "application/octet-stream"]
   */
  binaryMediaTypes?: string[];
  /**
   * Where API keys come from: the `x-api-key` header, or a Lambda authorizer's
   * `usageIdentifierKey`.
   * @default "HEADER"
   */
  apiKeySource?: "HEADER" | "AUTHORIZER";
  /** Models by name (alphanumeric). @default {} */
  models?: Record<string, ModelArgs>;
  /**
   * Request validators by name, with what each checks.
   * @default {}
   * @example { body: "BODY", params: "PARAMETERS", all: "BODY_AND_PARAMETERS" }
   */
  validators?: Record<string, ValidatorKind>;
  /** Authorizers by name. @default {} */
  authorizers?: Record<string, AuthorizerArgs>;
  /** The API's methods. */
  routes: RouteArgs[];
  /**
   * CORS: preflight answers on every resource with routes, Allow-Origin on responses and on
   * DEFAULT_4XX / DEFAULT_5XX gateway responses.
   * @default none (no CORS)
   */
  cors?: CorsArgs;
  /** The stage. */
  stage: StageArgs;
  /**
   * Method settings: `*\/*` for the stage defaults and `{resource path}/{METHOD}` (e.g.
   * `data/GET`, `users/{id}/GET`) for per-method overrides, which inherit every field they
   * leave out from `*\/*`.
   * @default { "*\/*": { metricsEnabled: true, loggingLevel: "INFO" } }
   */
  methodSettings?: Record<string, MethodSettingArgs>;
  /** Gateway responses by type (e.g. `DEFAULT_4XX`, `UNAUTHORIZED`). @default {} */
  gatewayResponses?: Record<string, GatewayResponseArgs>;
  /**
   * Tags for every taggable child (the REST API, the stage and the access-log group), merged
   * over the AWS provider's `defaultTags`. Tags never trigger a redeployment.
   * @default none (the provider's default tags only)
   * @example { team: "payments", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes a child's args or options before it is created, per kind of child: args merged
   * over the component's (shallowly), or a function `(args, opts, name)` changing them in
   * place, called once per child of that kind. Applied last, so it can override anything the
   * component set. A transform of a child the deployment serves (the API, resources, models,
   * validators, authorizers, methods, integrations, their responses, gateway responses) is
   * part of the redeployment trigger, so a change to what it does redeploys the stage.
   * @default none
   * @example
   * transform: {
   *   stage: { xrayTracingEnabled: false, description: "public" },
   *   api: { minimumCompressionSize: "1024" },
   *   method: (args, opts, name) => {
   *     args.apiKeyRequired = true;
   *     opts.protect = name.includes("-DELETE-");
   *   },
   *   logGroup: (args, opts) => {
   *     args.kmsKeyId = key.arn;
   *     opts.retainOnDelete = true;
   *   },
   * }
   */
  transform?: RestApiTransform;
}

/**
 * A {@link RestApi}'s children, each adjustable before it is created (see
 * {@link RestApiArgs.transform}). A kind created many times (e.g. `method`) gets its transform
 * applied to each child, with the child's name.
 */
export interface RestApiTransform {
  /** The REST API itself (`<name>-api`). */
  api?: Transform<aws.apigateway.RestApiArgs>;
  /** The deployment (`<name>-deployment`); its `triggers` hold the redeployment hash. */
  deployment?: Transform<aws.apigateway.DeploymentArgs>;
  /** The stage's access-log group (`<name>-access-logs`). */
  logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  /** The stage (`<name>-stage`). */
  stage?: Transform<aws.apigateway.StageArgs>;
  /** Each API Gateway resource (one per path prefix). */
  resource?: Transform<aws.apigateway.ResourceArgs>;
  /** Each model. */
  model?: Transform<aws.apigateway.ModelArgs>;
  /** Each request validator. */
  requestValidator?: Transform<aws.apigateway.RequestValidatorArgs>;
  /** Each authorizer. */
  authorizer?: Transform<aws.apigateway.AuthorizerArgs>;
  /** Each Lambda permission (one per Lambda-backed route and per Lambda authorizer). */
  permission?: Transform<aws.lambda.PermissionArgs>;
  /** Each method, the CORS preflight (OPTIONS) methods included. */
  method?: Transform<aws.apigateway.MethodArgs>;
  /** Each integration, the CORS preflights' MOCK integrations included. */
  integration?: Transform<aws.apigateway.IntegrationArgs>;
  /** Each method response. */
  methodResponse?: Transform<aws.apigateway.MethodResponseArgs>;
  /** Each integration response. */
  integrationResponse?: Transform<aws.apigateway.IntegrationResponseArgs>;
  /** Each gateway response (`gatewayResponses`, and CORS's DEFAULT_4XX / DEFAULT_5XX). */
  gatewayResponse?: Transform<aws.apigateway.ResponseArgs>;
  /** Each method setting (`*\/*` and the per-method overrides). */
  methodSettings?: Transform<aws.apigateway.MethodSettingsArgs>;
}
