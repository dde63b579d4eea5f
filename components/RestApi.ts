import { createHash } from "node:crypto";
import { CACHE_CLUSTER_SIZES, type CacheClusterSize, type HttpMethod } from "./apigateway";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  CorsArgs,
  CorsPolicy,
  gatewayResponseOrigin,
  hasSingleOrigin,
  originCheckTemplate,
  preflightHeaders,
  staticCorsHeaders,
  validateCors,
} from "./cors";
import { MethodSettingArgs, ResolvedMethodSetting, resolveMethodSettings } from "./methodSettings";
import { LOG_RETENTION_DAYS, arnPath, pathParameters, pathSlug } from "./resourcePaths";
import { RestApiChildren, type TransformChange } from "./restApiTransform";
import { type ComponentTags, type Transform } from "./transform";

export { arnPath, pathSlug };

export type EndpointType = "EDGE" | "REGIONAL" | "PRIVATE";
export type PassthroughBehavior = "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";
export type ValidatorKind = "BODY" | "PARAMETERS" | "BODY_AND_PARAMETERS";

export { CACHE_CLUSTER_SIZES, type CacheClusterSize, type HttpMethod };

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
  /** @default none */
  description?: string;
}

/** One integration response of a non-proxy or MOCK integration. */
export interface IntegrationResponseArgs {
  /** The status code answered, e.g. "200". */
  statusCode: string;
  /**
   * A regular expression matched against the Lambda error's `errorMessage` (for MOCK and HTTP
   * integrations, the status code). Exactly one response per integration leaves it out: the
   * default response.
   * @default none (the default response)
   */
  selectionPattern?: string;
  /**
   * Response mapping templates by Content-Type.
   * @default none (the integration's result passes through)
   */
  responseTemplates?: Record<string, string>;
  /**
   * Response header mappings: header name to a mapping expression, e.g. `'no-store'` (a quoted
   * literal) or `integration.response.header.X-Id`.
   * @default {}
   */
  responseHeaders?: Record<string, string>;
}

/** A Lambda proxy integration: the function receives the whole request and answers it. */
export interface LambdaProxyIntegrationArgs {
  type: "LAMBDA_PROXY";
  /** The function invoked. */
  function: aws.lambda.Function;
  /**
   * Integration timeout in ms (50..29000).
   * @default 29000
   */
  timeoutMilliseconds?: number;
}

/** A Lambda (non-proxy) integration with request/response mapping templates. */
export interface LambdaIntegrationArgs {
  type: "LAMBDA";
  /** The function invoked with the mapped request. */
  function: aws.lambda.Function;
  /**
   * Request mapping templates by Content-Type.
   * @default none
   */
  requestTemplates?: Record<string, string>;
  /**
   * What happens to a request whose Content-Type has no template.
   * @default "WHEN_NO_TEMPLATES"
   */
  passthroughBehavior?: PassthroughBehavior;
  /** Integration responses, chosen by `selectionPattern` against the Lambda error message. */
  responses: IntegrationResponseArgs[];
  /** @default 29000 */
  timeoutMilliseconds?: number;
}

/** A MOCK integration: API Gateway answers from templates without calling a backend. */
export interface MockIntegrationArgs {
  type: "MOCK";
  /**
   * Request templates; the one for the request's Content-Type must render `{"statusCode": N}`.
   * @default { "application/json": '{"statusCode": 200}' }
   */
  requestTemplates?: Record<string, string>;
  /** Integration responses, chosen by `selectionPattern` against the status code. */
  responses: IntegrationResponseArgs[];
  /** @default "WHEN_NO_MATCH" */
  passthroughBehavior?: PassthroughBehavior;
}

export type IntegrationArgs = LambdaProxyIntegrationArgs | LambdaIntegrationArgs | MockIntegrationArgs;

/** A Lambda or Cognito authorizer attached to the API, referenced by routes by name. */
export type AuthorizerArgs =
  | {
      type: "COGNITO_USER_POOLS";
      /** ARNs of the user pools whose tokens are accepted. */
      providerArns: pulumi.Input<string>[];
      /** @default "method.request.header.Authorization" */
      identitySource?: string;
      /** @default 300 */
      resultTtlSeconds?: number;
    }
  | {
      type: "TOKEN" | "REQUEST";
      /** The authorizer function. */
      function: aws.lambda.Function;
      /** @default "method.request.header.Authorization" */
      identitySource?: string;
      /** A regex a TOKEN must match before the function is called. @default none */
      identityValidationExpression?: string;
      /** Result cache TTL, 0..3600; 0 disables caching. @default 300 */
      resultTtlSeconds?: number;
    };

/** One method on one path. */
export interface RouteArgs {
  /** The resource path: `/`, `/users`, `/users/{id}`, `/files/{proxy+}`. */
  path: string;
  method: HttpMethod;
  integration: IntegrationArgs;
  /**
   * Query-string and header parameters the method declares: `true` = required (checked by a
   * PARAMETERS validator), `false` = optional. Path parameters are declared from the path.
   * @default {}
   * @example { querystring: { category: false }, header: { "Accept-Language": false } }
   */
  requestParameters?: { querystring?: Record<string, boolean>; header?: Record<string, boolean> };
  /**
   * Models for request bodies by Content-Type, naming entries of `models`.
   * @default {}
   */
  requestModels?: Record<string, string>;
  /**
   * The request validator, naming an entry of `validators`.
   * @default none (no validation)
   */
  requestValidator?: string;
  /**
   * Parameters that, with the method and path, form the response cache key:
   * `querystring.<name>`, `header.<name>` or `path.<name>`. They are declared in the method's
   * request parameters (AWS requires it) as optional unless declared already.
   * @default []
   */
  cacheKeyParameters?: string[];
  /**
   * Whether callers must send an API key in a usage plan for this stage.
   * @default false
   */
  apiKeyRequired?: boolean;
  /**
   * The authorizer guarding the route, naming an entry of `authorizers`.
   * @default none (open)
   */
  authorizer?: string;
  /**
   * OAuth scopes for a COGNITO_USER_POOLS authorizer (then access tokens are required).
   * @default none (ID tokens)
   */
  authorizationScopes?: string[];
}

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
  /** @default AWS's status code for the type */
  statusCode?: string;
  /** Header values (quoted literals or `method.request.*` mappings). @default {} */
  headers?: Record<string, string>;
  /** Body templates by Content-Type. @default AWS's `{"message":$context.error.messageString}` */
  templates?: Record<string, string>;
}

export interface RestApiArgs {
  /** @default none */
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

/**
 * A REST API with a stage ready for production: endpoint type, binary media types, models and
 * validators, Lambda proxy / Lambda / MOCK routes, CORS, access logs and tracing, method
 * settings (throttling, caching) and gateway responses, redeployed whenever any of it changes.
 */
export class RestApi extends pulumi.ComponentResource {
  /** The underlying API. */
  public readonly restApi: aws.apigateway.RestApi;
  public readonly deployment: aws.apigateway.Deployment;
  public readonly stage: aws.apigateway.Stage;
  /** The access-log group of the stage. */
  public readonly accessLogGroup: aws.cloudwatch.LogGroup;
  /** The invoke URL with the stage, without a trailing slash. */
  public readonly url: pulumi.Output<string>;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}`, for IAM policies. */
  public readonly stageExecutionArn: pulumi.Output<string>;
  /** API Gateway resources by path ("/" is the root). */
  public readonly resources: Record<string, pulumi.Input<string>>;
  /** Methods by "METHOD /path". */
  public readonly methods: Record<string, aws.apigateway.Method>;
  /** Authorizers by name. */
  public readonly authorizers: Record<string, aws.apigateway.Authorizer>;

  constructor(name: string, args: RestApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:RestApi", name, {}, opts);
    const spec = validateRestApiArgs(args);
    // Every child is created through `children.make`, which applies the user's transform.
    const children = new RestApiChildren(this, args.transform);

    this.restApi = createApi(children, name, args, spec);
    this.resources = createResourceTree(children, name, this.restApi, spec.routes);
    const models = createModels(children, name, this.restApi, spec.models);
    const validators = createValidators(children, name, this.restApi, spec.validators);
    const authorizerResources = createAuthorizers(children, name, this.restApi, args.authorizers ?? {});
    this.authorizers = authorizerResources.authorizers;
    const routeResources = createRoutes(children, name, {
      api: this.restApi,
      resources: this.resources,
      routes: spec.routes,
      models,
      validators,
      authorizers: this.authorizers,
      authorizerTypes: Object.fromEntries(Object.entries(args.authorizers ?? {}).map(([n, a]) => [n, a.type])),
      cors: spec.cors,
    });
    this.methods = routeResources.methods;
    const corsResources = spec.cors ? createPreflights(children, name, this.restApi, this.resources, spec.routes, spec.cors) : [];
    const gatewayResponses = createGatewayResponses(children, name, this.restApi, spec.gatewayResponses, spec.cors);

    this.deployment = new aws.apigateway.Deployment(
      ...children.make(
        "deployment",
        `${name}-deployment`,
        {
          restApi: this.restApi.id,
          description: `${name} (${spec.routes.length} routes)`,
          // Any change to what the stage serves needs a new deployment; the hash of the whole
          // spec (and of the functions' ARNs, and of what transforms changed) is the trigger.
          triggers: { redeployment: deploymentTrigger(spec, args, children.changes()) },
        },
        {
          // The stage must not go live before API Gateway may call the authorizers either.
          dependsOn: [...routeResources.all, ...corsResources, ...gatewayResponses, ...Object.values(models), ...Object.values(validators), ...authorizerResources.permissions],
        },
      ),
    );

    this.accessLogGroup = new aws.cloudwatch.LogGroup(
      ...children.make("logGroup", `${name}-access-logs`, {
        retentionInDays: spec.stage.accessLogRetentionDays,
        name: pulumi.interpolate`/aws/apigateway/${this.restApi.name}/${spec.stage.name}/access`,
        tags: args.tags,
      }),
    );
    this.stage = new aws.apigateway.Stage(
      ...children.make("stage", `${name}-stage`, {
        restApi: this.restApi.id,
        deployment: this.deployment.id,
        stageName: spec.stage.name,
        xrayTracingEnabled: spec.stage.tracingEnabled,
        cacheClusterEnabled: spec.stage.cacheClusterSize !== undefined,
        cacheClusterSize: spec.stage.cacheClusterSize,
        variables: spec.stage.variables,
        accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
        tags: args.tags,
      }),
    );
    createMethodSettings(children, name, this.restApi, this.stage, spec.methodSettings);

    this.url = this.stage.invokeUrl.apply((u) => u.replace(/\/+$/, ""));
    this.stageExecutionArn = this.stage.executionArn;
    this.registerOutputs({ url: this.url, restApiId: this.restApi.id, stageName: this.stage.stageName });
  }

  /**
   * The execute-api ARN of one method on this stage (for IAM and authorizer policies);
   * path parameters become `*`.
   */
  methodArn(method: HttpMethod | "*", path: string): pulumi.Output<string> {
    return pulumi.interpolate`${this.stage.executionArn}/${method}${arnPath(path)}`;
  }
}

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
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  integrationStatus: "$context.integrationStatus",
  errorMessage: "$context.error.message",
  errorType: "$context.error.responseType",
  authorizerError: "$context.authorizer.error",
});

// ---------------------------------------------------------------------------------------------
// Validation: everything is checked before any resource exists.

interface ValidatedSpec {
  endpointType: EndpointType;
  binaryMediaTypes: string[];
  models: Record<string, Required<Omit<ModelArgs, "description">> & { description?: string }>;
  validators: Record<string, ValidatorKind>;
  routes: ValidatedRoute[];
  cors?: CorsPolicy;
  stage: Required<Omit<StageArgs, "cacheClusterSize" | "variables">> & Pick<StageArgs, "cacheClusterSize" | "variables">;
  methodSettings: ResolvedMethodSetting[];
  gatewayResponses: Record<string, GatewayResponseArgs>;
}

/** A route with its parameters fully declared, as the resources need them. */
export interface ValidatedRoute extends RouteArgs {
  /** `method.request.<location>.<name>` -> required */
  methodRequestParameters: Record<string, boolean>;
  /** `method.request.<location>.<name>` */
  cacheKeys: string[];
}

const HTTP_METHODS: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];

/** Checks every argument, naming the field that is wrong; returns the spec with defaults. */
export function validateRestApiArgs(args: RestApiArgs): ValidatedSpec {
  const endpointType = args.endpointType ?? "REGIONAL";
  if (!["EDGE", "REGIONAL", "PRIVATE"].includes(endpointType)) {
    throw new Error(`endpointType must be EDGE, REGIONAL or PRIVATE (got ${JSON.stringify(args.endpointType)})`);
  }
  if (endpointType === "PRIVATE") {
    if (!args.vpcEndpointIds || args.vpcEndpointIds.length === 0) {
      throw new Error("vpcEndpointIds: a PRIVATE API needs at least one execute-api VPC endpoint id");
    }
    if (!args.policy) {
      throw new Error("policy: a PRIVATE API needs a resource policy allowing its VPC endpoints (without one, every call is denied)");
    }
  } else if (args.vpcEndpointIds && args.vpcEndpointIds.length > 0) {
    throw new Error(`vpcEndpointIds only apply to PRIVATE APIs (endpointType is ${endpointType})`);
  }

  const binaryMediaTypes = args.binaryMediaTypes ?? DEFAULT_BINARY_MEDIA_TYPES;
  binaryMediaTypes.forEach((type, i) => {
    if (typeof type !== "string" || !/^[a-z0-9*.+-]+\/[a-z0-9*.+-]+$/i.test(type)) {
      throw new Error(`binaryMediaTypes[${i}] must be a media type like image/png or image/* (got ${JSON.stringify(type)})`);
    }
  });

  const models: ValidatedSpec["models"] = {};
  for (const [modelName, model] of Object.entries(args.models ?? {})) {
    if (!/^[A-Za-z0-9]+$/.test(modelName)) {
      throw new Error(`models.${modelName}: model names must be alphanumeric (API Gateway refuses others)`);
    }
    if (typeof model.schema !== "object" || model.schema === null || Array.isArray(model.schema)) {
      throw new Error(`models.${modelName}.schema must be a JSON Schema object`);
    }
    const declared = model.schema.$schema;
    if (declared !== undefined && declared !== "http://json-schema.org/draft-04/schema#") {
      throw new Error(`models.${modelName}.schema.$schema must be draft 4 ("http://json-schema.org/draft-04/schema#"), the dialect API Gateway implements (got ${JSON.stringify(declared)})`);
    }
    models[modelName] = {
      schema: { $schema: "http://json-schema.org/draft-04/schema#", title: modelName, ...model.schema },
      contentType: model.contentType ?? "application/json",
      description: model.description,
    };
  }

  const validators = args.validators ?? {};
  for (const [validatorName, kind] of Object.entries(validators)) {
    if (!["BODY", "PARAMETERS", "BODY_AND_PARAMETERS"].includes(kind)) {
      throw new Error(`validators.${validatorName} must be BODY, PARAMETERS or BODY_AND_PARAMETERS (got ${JSON.stringify(kind)})`);
    }
  }

  const authorizerNames = Object.keys(args.authorizers ?? {});
  for (const [authName, auth] of Object.entries(args.authorizers ?? {})) {
    if (!["COGNITO_USER_POOLS", "TOKEN", "REQUEST"].includes(auth?.type)) {
      throw new Error(`authorizers.${authName}.type must be COGNITO_USER_POOLS, TOKEN or REQUEST (got ${JSON.stringify(auth?.type)})`);
    }
    if (auth.type !== "COGNITO_USER_POOLS" && !auth.function) {
      throw new Error(`authorizers.${authName}.function is required for a ${auth.type} authorizer`);
    }
    const ttl = auth.resultTtlSeconds ?? 300;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) {
      throw new Error(`authorizers.${authName}.resultTtlSeconds must be an integer from 0 to 3600 (got ${auth.resultTtlSeconds})`);
    }
    if (auth.type === "COGNITO_USER_POOLS" && (!auth.providerArns || auth.providerArns.length === 0)) {
      throw new Error(`authorizers.${authName}.providerArns must name at least one user pool ARN`);
    }
  }

  if (!Array.isArray(args.routes) || args.routes.length === 0) {
    throw new Error("routes must list at least one route");
  }
  const cors = args.cors ? validateCors(args.cors, "cors") : undefined;
  const seen = new Set<string>();
  const routes = args.routes.map((route, i) =>
    validateRoute(route, `routes[${i}]`, { models, validators, authorizerNames, cors: !!cors, seen }),
  );

  const stage = args.stage;
  if (!stage || typeof stage.name !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(stage.name)) {
    throw new Error(`stage.name must be 1-128 letters, digits, '-' or '_' (got ${JSON.stringify(stage?.name)})`);
  }
  const retention = stage.accessLogRetentionDays ?? 30;
  if (!LOG_RETENTION_DAYS.includes(retention)) {
    throw new Error(`stage.accessLogRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${stage.accessLogRetentionDays})`);
  }
  if (stage.cacheClusterSize !== undefined && !CACHE_CLUSTER_SIZES.includes(stage.cacheClusterSize)) {
    throw new Error(`stage.cacheClusterSize must be one of ${CACHE_CLUSTER_SIZES.join(", ")} GB (got ${JSON.stringify(stage.cacheClusterSize)})`);
  }

  const methodSettings = resolveMethodSettings(args.methodSettings ?? { "*/*": { metricsEnabled: true, loggingLevel: "INFO" } }, {
    routes: routes.map((r) => ({ method: r.method, path: r.path })),
    cacheClusterSize: stage.cacheClusterSize,
  });

  refuseSharedCachingOfCallerResponses(routes, methodSettings, args.authorizers ?? {});
  refuseSharedCachingAcrossOrigins(routes, methodSettings, cors);

  for (const type of Object.keys(args.gatewayResponses ?? {})) {
    if (!GATEWAY_RESPONSE_TYPES.includes(type)) {
      throw new Error(`gatewayResponses.${type} is not a gateway response type (known: ${GATEWAY_RESPONSE_TYPES.join(", ")})`);
    }
  }

  return {
    endpointType,
    binaryMediaTypes,
    models,
    validators,
    routes,
    cors,
    stage: {
      name: stage.name,
      accessLogRetentionDays: retention,
      tracingEnabled: stage.tracingEnabled ?? true,
      cacheClusterSize: stage.cacheClusterSize,
      variables: stage.variables,
    },
    methodSettings,
    gatewayResponses: args.gatewayResponses ?? {},
  };
}

function validateRoute(
  route: RouteArgs,
  field: string,
  known: { models: Record<string, unknown>; validators: Record<string, unknown>; authorizerNames: string[]; cors: boolean; seen: Set<string> },
): ValidatedRoute {
  if (!HTTP_METHODS.includes(route.method)) {
    throw new Error(`${field}.method must be one of ${HTTP_METHODS.join(", ")} (got ${JSON.stringify(route.method)})`);
  }
  const where = `${field} (${route.method} ${route.path})`;
  if (typeof route.path !== "string" || !route.path.startsWith("/")) {
    throw new Error(`${field}.path must start with "/" (got ${JSON.stringify(route.path)})`);
  }
  const pathParams = pathParameters(route.path, where);
  const key = `${route.method} ${route.path}`;
  if (known.seen.has(key)) throw new Error(`${where}: the route is declared twice`);
  known.seen.add(key);
  if (route.method === "OPTIONS" && known.cors) {
    throw new Error(`${where}: OPTIONS is answered by the CORS preflight; remove the route or the cors setting`);
  }

  validateIntegration(route.integration, `${field}.integration`);

  for (const [contentType, modelName] of Object.entries(route.requestModels ?? {})) {
    if (!(modelName in known.models)) {
      throw new Error(`${field}.requestModels["${contentType}"]: model "${modelName}" is not one of the models (known: ${Object.keys(known.models).join(", ") || "none"})`);
    }
  }
  if (route.requestValidator !== undefined && !(route.requestValidator in known.validators)) {
    throw new Error(`${field}.requestValidator: "${route.requestValidator}" is not one of the validators (known: ${Object.keys(known.validators).join(", ") || "none"})`);
  }
  if (route.authorizer !== undefined && !known.authorizerNames.includes(route.authorizer)) {
    throw new Error(`${field}.authorizer: "${route.authorizer}" is not one of the authorizers (known: ${known.authorizerNames.join(", ") || "none"})`);
  }

  const methodRequestParameters: Record<string, boolean> = {};
  for (const param of pathParams) methodRequestParameters[`method.request.path.${param}`] = true;
  for (const location of ["querystring", "header"] as const) {
    for (const [param, required] of Object.entries(route.requestParameters?.[location] ?? {})) {
      if (!/^[A-Za-z0-9_.-]+$/.test(param)) {
        throw new Error(`${field}.requestParameters.${location}: "${param}" is not a valid parameter name`);
      }
      if (typeof required !== "boolean") {
        throw new Error(`${field}.requestParameters.${location}.${param} must be true (required) or false (optional)`);
      }
      methodRequestParameters[`method.request.${location}.${param}`] = required;
    }
  }
  const cacheKeys = (route.cacheKeyParameters ?? []).map((param, i) => {
    const match = /^(querystring|header|path)\.([A-Za-z0-9_.-]+)$/.exec(param);
    if (!match) {
      throw new Error(`${field}.cacheKeyParameters[${i}] must be querystring.<name>, header.<name> or path.<name> (got ${JSON.stringify(param)})`);
    }
    if (match[1] === "path" && !pathParams.includes(match[2])) {
      throw new Error(`${field}.cacheKeyParameters[${i}]: the path has no {${match[2]}} parameter`);
    }
    if (route.integration.type === "MOCK") {
      throw new Error(`${field}.cacheKeyParameters: MOCK integrations are not cached by parameter; remove them`);
    }
    const full = `method.request.${param}`;
    // AWS only uses a cache key parameter the method declares; declare it when the route did not.
    if (!(full in methodRequestParameters)) methodRequestParameters[full] = false;
    return full;
  });
  return { ...route, methodRequestParameters, cacheKeys };
}

/**
 * A method behind an authorizer answers per caller; the stage cache keys on method, path and
 * the declared cache key parameters only, so unless the caller's identity is one of them, one
 * caller's cached response would be served to the next. Refuse that configuration.
 */
function refuseSharedCachingOfCallerResponses(routes: ValidatedRoute[], settings: ResolvedMethodSetting[], authorizers: Record<string, AuthorizerArgs>): void {
  for (const route of routes) {
    if (!route.authorizer || !isCached(route, settings)) continue;
    const source = authorizers[route.authorizer]?.identitySource ?? "method.request.header.Authorization";
    const identity = source.split(",").map((s) => s.trim());
    if (!identity.every((parameter) => route.cacheKeys.includes(parameter))) {
      throw new Error(
        `routes (${route.method} ${route.path}): the stage cache would serve one caller's response to another; ` +
          `disable caching for "${route.path.slice(1)}/${route.method}" in methodSettings or add ${identity.map((p) => p.replace("method.request.", "")).join(", ")} to its cacheKeyParameters`,
      );
    }
  }
}

/**
 * With several allowed origins, Access-Control-Allow-Origin depends on the request's Origin (the
 * origin check of MOCK and non-proxy responses, the proxies' own echo). The stage cache keys on
 * method, path and the cache key parameters only: unless Origin is one of them, the first
 * caller's header is served to every later origin — announcing an origin to a site that is not
 * it, and withholding it from the other allowed ones. Refuse that configuration. (One origin or
 * `*` is a static header, the same for everybody.)
 */
function refuseSharedCachingAcrossOrigins(routes: ValidatedRoute[], settings: ResolvedMethodSetting[], cors: CorsPolicy | undefined): void {
  if (!cors || hasSingleOrigin(cors)) return;
  for (const route of routes) {
    if (!isCached(route, settings)) continue;
    if (route.cacheKeys.some((key) => key.toLowerCase() === "method.request.header.origin")) continue;
    const remedy =
      route.integration.type === "MOCK"
        ? "(a MOCK integration cannot key its cache by header.Origin)"
        : "or add header.Origin to its cacheKeyParameters";
    throw new Error(
      `routes (${route.method} ${route.path}): with several CORS origins the stage cache would serve one origin's Access-Control-Allow-Origin to the others; ` +
        `disable caching for "${route.path.slice(1)}/${route.method}" in methodSettings ${remedy}`,
    );
  }
}

/** Whether the stage caches a route's responses: only GET, unless the method's own setting enables caching. */
function isCached(route: ValidatedRoute, settings: ResolvedMethodSetting[]): boolean {
  const own = settings.find((s) => s.methodPath === `${route.path.replace(/\//g, "~1")}/${route.method}`);
  const effective = own ?? settings.find((s) => s.methodPath === "*/*");
  return Boolean(effective?.settings.cachingEnabled && (route.method === "GET" || own?.settings.cachingEnabled));
}

function validateIntegration(integration: IntegrationArgs, field: string): void {
  if (!integration || !["LAMBDA_PROXY", "LAMBDA", "MOCK"].includes(integration.type)) {
    throw new Error(`${field}.type must be LAMBDA_PROXY, LAMBDA or MOCK (got ${JSON.stringify(integration?.type)})`);
  }
  if (integration.type !== "MOCK") {
    if (!integration.function) throw new Error(`${field}.function is required for a ${integration.type} integration`);
    const timeout = integration.timeoutMilliseconds ?? 29000;
    if (!Number.isInteger(timeout) || timeout < 50 || timeout > 29000) {
      throw new Error(`${field}.timeoutMilliseconds must be an integer from 50 to 29000 (got ${integration.timeoutMilliseconds})`);
    }
  }
  if (integration.type === "LAMBDA_PROXY") return;
  if (integration.passthroughBehavior !== undefined && !["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"].includes(integration.passthroughBehavior)) {
    throw new Error(`${field}.passthroughBehavior must be WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER (got ${JSON.stringify(integration.passthroughBehavior)})`);
  }
  if (!Array.isArray(integration.responses) || integration.responses.length === 0) {
    throw new Error(`${field}.responses must list at least one integration response`);
  }
  const defaults = integration.responses.filter((r) => r.selectionPattern === undefined || r.selectionPattern === "");
  if (defaults.length !== 1) {
    throw new Error(`${field}.responses must have exactly one default response (no selectionPattern); found ${defaults.length}`);
  }
  const statuses = new Set<string>();
  integration.responses.forEach((response, i) => {
    if (typeof response.statusCode !== "string" || !/^[1-5]\d\d$/.test(response.statusCode)) {
      throw new Error(`${field}.responses[${i}].statusCode must be a 3-digit HTTP status as a string (got ${JSON.stringify(response.statusCode)})`);
    }
    if (statuses.has(response.statusCode)) {
      throw new Error(`${field}.responses[${i}]: status ${response.statusCode} is answered twice`);
    }
    statuses.add(response.statusCode);
    if (response.selectionPattern) {
      try {
        new RegExp(response.selectionPattern);
      } catch (err) {
        throw new Error(`${field}.responses[${i}].selectionPattern is not a valid regular expression: ${(err as Error).message}`);
      }
    }
  });
}


/** The gateway response types API Gateway lets a stage customise. */
export const GATEWAY_RESPONSE_TYPES = [
  "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
  "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
  "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
  "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND",
  "THROTTLED", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
];

// ---------------------------------------------------------------------------------------------
// Resource creation steps.

function createApi(children: RestApiChildren, name: string, args: RestApiArgs, spec: ValidatedSpec): aws.apigateway.RestApi {
  return new aws.apigateway.RestApi(
    ...children.make("api", `${name}-api`, {
      description: args.description,
      endpointConfiguration: {
        types: spec.endpointType,
        vpcEndpointIds: spec.endpointType === "PRIVATE" ? args.vpcEndpointIds : undefined,
      },
      binaryMediaTypes: spec.binaryMediaTypes,
      apiKeySource: args.apiKeySource ?? "HEADER",
      policy: args.policy,
      tags: args.tags,
    }),
  );
}

/** One API Gateway resource per distinct path prefix, parents before children. */
function createResourceTree(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  routes: ValidatedRoute[],
): Record<string, pulumi.Input<string>> {
  const ids: Record<string, pulumi.Input<string>> = { "/": api.rootResourceId };
  const paths = new Set<string>();
  for (const route of routes) {
    const segments = route.path === "/" ? [] : route.path.slice(1).split("/");
    segments.forEach((_, i) => paths.add("/" + segments.slice(0, i + 1).join("/")));
  }
  for (const path of [...paths].sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b))) {
    const parentPath = path.slice(0, path.lastIndexOf("/")) || "/";
    const resource = new aws.apigateway.Resource(
      ...children.make("resource", `${name}-resource-${pathSlug(path)}`, {
        restApi: api.id,
        parentId: ids[parentPath],
        pathPart: path.slice(path.lastIndexOf("/") + 1),
      }),
    );
    ids[path] = resource.id;
  }
  return ids;
}

function createModels(children: RestApiChildren, name: string, api: aws.apigateway.RestApi, models: ValidatedSpec["models"]) {
  const created: Record<string, aws.apigateway.Model> = {};
  for (const [modelName, model] of Object.entries(models)) {
    created[modelName] = new aws.apigateway.Model(
      ...children.make("model", `${name}-model-${modelName}`, {
        restApi: api.id,
        name: modelName,
        contentType: model.contentType,
        schema: JSON.stringify(model.schema),
        description: model.description,
      }),
    );
  }
  return created;
}

function createValidators(children: RestApiChildren, name: string, api: aws.apigateway.RestApi, validators: Record<string, ValidatorKind>) {
  const created: Record<string, aws.apigateway.RequestValidator> = {};
  for (const [validatorName, kind] of Object.entries(validators)) {
    created[validatorName] = new aws.apigateway.RequestValidator(
      ...children.make("requestValidator", `${name}-validator-${validatorName}`, {
        restApi: api.id,
        name: validatorName,
        validateRequestBody: kind !== "PARAMETERS",
        validateRequestParameters: kind !== "BODY",
      }),
    );
  }
  return created;
}

function createAuthorizers(children: RestApiChildren, name: string, api: aws.apigateway.RestApi, authorizers: Record<string, AuthorizerArgs>) {
  const created: Record<string, aws.apigateway.Authorizer> = {};
  const permissions: aws.lambda.Permission[] = [];
  for (const [authName, auth] of Object.entries(authorizers)) {
    const common = {
      restApi: api.id,
      name: authName,
      identitySource: auth.identitySource ?? "method.request.header.Authorization",
      authorizerResultTtlInSeconds: auth.resultTtlSeconds ?? 300,
    };
    if (auth.type === "COGNITO_USER_POOLS") {
      created[authName] = new aws.apigateway.Authorizer(
        ...children.make("authorizer", `${name}-authorizer-${authName}`, { ...common, type: "COGNITO_USER_POOLS", providerArns: auth.providerArns }),
      );
    } else {
      created[authName] = new aws.apigateway.Authorizer(
        ...children.make("authorizer", `${name}-authorizer-${authName}`, {
          ...common,
          type: auth.type,
          authorizerUri: auth.function.invokeArn,
          identityValidationExpression: auth.identityValidationExpression,
        }),
      );
      permissions.push(new aws.lambda.Permission(
        ...children.make("permission", `${name}-authorizer-${authName}-invoke`, {
          action: "lambda:InvokeFunction",
          function: auth.function.name,
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/*`,
        }),
      ));
    }
  }
  return { authorizers: created, permissions };
}

interface RouteContext {
  api: aws.apigateway.RestApi;
  resources: Record<string, pulumi.Input<string>>;
  routes: ValidatedRoute[];
  models: Record<string, aws.apigateway.Model>;
  validators: Record<string, aws.apigateway.RequestValidator>;
  authorizers: Record<string, aws.apigateway.Authorizer>;
  authorizerTypes: Record<string, AuthorizerArgs["type"]>;
  cors?: CorsPolicy;
}

/** Method, integration, method and integration responses, and invoke permission per route. */
function createRoutes(children: RestApiChildren, name: string, ctx: RouteContext) {
  const methods: Record<string, aws.apigateway.Method> = {};
  const all: pulumi.Resource[] = [];
  for (const route of ctx.routes) {
    const routeName = `${name}-${route.method}-${pathSlug(route.path)}`;
    const resourceId = ctx.resources[route.path];
    const authorizer = route.authorizer ? ctx.authorizers[route.authorizer] : undefined;
    // Methods name Lambda authorizers (TOKEN and REQUEST alike) CUSTOM.
    const authorization = route.authorizer ? (ctx.authorizerTypes[route.authorizer] === "COGNITO_USER_POOLS" ? "COGNITO_USER_POOLS" : "CUSTOM") : "NONE";
    const method = new aws.apigateway.Method(
      ...children.make(
        "method",
        `${routeName}-method`,
        {
          restApi: ctx.api.id,
          resourceId,
          httpMethod: route.method,
          authorization,
          authorizerId: authorizer?.id,
          authorizationScopes: route.authorizationScopes,
          apiKeyRequired: route.apiKeyRequired ?? false,
          requestParameters: route.methodRequestParameters,
          requestModels: route.requestModels,
          requestValidatorId: route.requestValidator ? ctx.validators[route.requestValidator].id : undefined,
        },
        { dependsOn: route.requestModels ? Object.values(route.requestModels).map((m) => ctx.models[m]) : [] },
      ),
    );
    methods[`${route.method} ${route.path}`] = method;
    all.push(method);

    const integration = route.integration;
    const integrationResource = new aws.apigateway.Integration(
      ...children.make(
        "integration",
        `${routeName}-integration`,
        {
          restApi: ctx.api.id,
          resourceId,
          httpMethod: method.httpMethod,
          type: integration.type === "LAMBDA_PROXY" ? "AWS_PROXY" : integration.type === "LAMBDA" ? "AWS" : "MOCK",
          // Lambda is always invoked with POST, whatever the client's method.
          integrationHttpMethod: integration.type === "MOCK" ? undefined : "POST",
          uri: integration.type === "MOCK" ? undefined : integration.function.invokeArn,
          timeoutMilliseconds: integration.type === "MOCK" ? undefined : integration.timeoutMilliseconds ?? 29000,
          requestTemplates:
            integration.type === "MOCK"
              ? integration.requestTemplates ?? { "application/json": '{"statusCode": 200}' }
              : integration.type === "LAMBDA"
                ? integration.requestTemplates
                : undefined,
          passthroughBehavior:
            integration.type === "LAMBDA_PROXY" ? undefined : integration.passthroughBehavior ?? (integration.type === "MOCK" ? "WHEN_NO_MATCH" : "WHEN_NO_TEMPLATES"),
          cacheKeyParameters: route.cacheKeys.length > 0 ? route.cacheKeys : undefined,
          // Integration requests see cache key parameters only when mapped through.
          requestParameters: route.cacheKeys.length > 0 && integration.type !== "LAMBDA_PROXY"
            ? Object.fromEntries(route.cacheKeys.map((k) => [k.replace("method.request.", "integration.request."), k]))
            : undefined,
        },
        { dependsOn: [method] },
      ),
    );
    all.push(integrationResource);

    if (integration.type !== "MOCK") {
      all.push(
        new aws.lambda.Permission(
          ...children.make("permission", `${routeName}-invoke`, {
            action: "lambda:InvokeFunction",
            function: integration.function.name,
            principal: "apigateway.amazonaws.com",
            // Only this API, any stage, this method and path may invoke it.
            sourceArn: pulumi.interpolate`${ctx.api.executionArn}/*/${route.method === "ANY" ? "*" : route.method}${arnPath(route.path)}`,
          }),
        ),
      );
    }

    if (integration.type === "LAMBDA_PROXY") {
      // A proxy integration answers with its own status and headers; the method response
      // only has to exist for the console and SDK generation.
      all.push(
        new aws.apigateway.MethodResponse(
          ...children.make(
            "methodResponse",
            `${routeName}-response-200`,
            { restApi: ctx.api.id, resourceId, httpMethod: method.httpMethod, statusCode: "200" },
            { dependsOn: [method] },
          ),
        ),
      );
      continue;
    }
    for (const response of integration.responses) {
      const corsHeaders = ctx.cors ? staticCorsHeaders(ctx.cors) : {};
      const headers = { ...corsHeaders, ...(response.responseHeaders ?? {}) };
      const declared = new Set(Object.keys(headers));
      if (ctx.cors && !declared.has("Access-Control-Allow-Origin")) declared.add("Access-Control-Allow-Origin");
      const methodResponse = new aws.apigateway.MethodResponse(
        ...children.make(
          "methodResponse",
          `${routeName}-response-${response.statusCode}`,
          {
            restApi: ctx.api.id,
            resourceId,
            httpMethod: method.httpMethod,
            statusCode: response.statusCode,
            responseParameters: Object.fromEntries([...declared].map((h) => [`method.response.header.${h}`, false])),
          },
          { dependsOn: [method] },
        ),
      );
      const templates = response.responseTemplates && ctx.cors
        ? Object.fromEntries(Object.entries(response.responseTemplates).map(([ct, t]) => [ct, originCheckTemplate(ctx.cors!) + t]))
        : response.responseTemplates ?? (ctx.cors && originCheckTemplate(ctx.cors) ? { "application/json": originCheckTemplate(ctx.cors) + "$input.json('$')" } : undefined);
      all.push(
        methodResponse,
        new aws.apigateway.IntegrationResponse(
          ...children.make(
            "integrationResponse",
            `${routeName}-integration-response-${response.statusCode}`,
            {
              restApi: ctx.api.id,
              resourceId,
              httpMethod: method.httpMethod,
              statusCode: response.statusCode,
              selectionPattern: response.selectionPattern,
              responseTemplates: templates,
              responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [`method.response.header.${h}`, v])),
            },
            { dependsOn: [methodResponse, integrationResource] },
          ),
        ),
      );
    }
  }
  return { methods, all };
}

/** An OPTIONS method with a MOCK integration on every resource that has routes. */
function createPreflights(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  resources: Record<string, pulumi.Input<string>>,
  routes: ValidatedRoute[],
  cors: CorsPolicy,
): pulumi.Resource[] {
  const created: pulumi.Resource[] = [];
  const methodsByPath = new Map<string, string[]>();
  for (const route of routes) {
    const methods = route.method === "ANY" ? ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] : [route.method];
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), ...methods]);
  }
  for (const [path, methods] of methodsByPath) {
    const baseName = `${name}-OPTIONS-${pathSlug(path)}`;
    const resourceId = resources[path];
    const headers = preflightHeaders(cors, methods);
    if (!("Access-Control-Allow-Origin" in headers)) headers["Access-Control-Allow-Origin"] = "''";
    const method = new aws.apigateway.Method(
      ...children.make("method", `${baseName}-method`, { restApi: api.id, resourceId, httpMethod: "OPTIONS", authorization: "NONE", apiKeyRequired: false }),
    );
    const integration = new aws.apigateway.Integration(
      ...children.make(
        "integration",
        `${baseName}-integration`,
        {
          restApi: api.id,
          resourceId,
          httpMethod: method.httpMethod,
          type: "MOCK",
          requestTemplates: { "application/json": '{"statusCode": 200}' },
          passthroughBehavior: "WHEN_NO_MATCH",
        },
        { dependsOn: [method] },
      ),
    );
    const methodResponse = new aws.apigateway.MethodResponse(
      ...children.make(
        "methodResponse",
        `${baseName}-response-200`,
        {
          restApi: api.id,
          resourceId,
          httpMethod: method.httpMethod,
          statusCode: "200",
          responseParameters: Object.fromEntries(Object.keys(headers).map((h) => [`method.response.header.${h}`, false])),
        },
        { dependsOn: [method] },
      ),
    );
    const staticHeaders = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== "''"));
    const integrationResponse = new aws.apigateway.IntegrationResponse(
      ...children.make(
        "integrationResponse",
        `${baseName}-integration-response-200`,
        {
          restApi: api.id,
          resourceId,
          httpMethod: method.httpMethod,
          statusCode: "200",
          responseParameters: Object.fromEntries(Object.entries(staticHeaders).map(([h, v]) => [`method.response.header.${h}`, v])),
          responseTemplates: { "application/json": originCheckTemplate(cors) },
        },
        { dependsOn: [methodResponse, integration] },
      ),
    );
    created.push(method, integration, methodResponse, integrationResponse);
  }
  return created;
}

/** Customised gateway responses, with CORS headers on DEFAULT_4XX and DEFAULT_5XX. */
function createGatewayResponses(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  responses: Record<string, GatewayResponseArgs>,
  cors?: CorsPolicy,
): pulumi.Resource[] {
  const all: Record<string, GatewayResponseArgs> = { ...responses };
  if (cors) {
    const corsHeaders: Record<string, string> = {
      ...staticCorsHeaders(cors),
      "Access-Control-Allow-Origin": `'${gatewayResponseOrigin(cors)}'`,
      "Access-Control-Allow-Headers": `'${cors.allowHeaders.join(",")}'`,
    };
    // AWS falls back to DEFAULT_4XX / DEFAULT_5XX only for types not customised, so every
    // customised type needs the headers as well, or browsers cannot read e.g. a custom 401.
    for (const type of new Set(["DEFAULT_4XX", "DEFAULT_5XX", ...Object.keys(responses)])) {
      all[type] = { ...all[type], headers: { ...corsHeaders, ...(all[type]?.headers ?? {}) } };
    }
  }
  return Object.entries(all).map(
    ([type, response]) =>
      new aws.apigateway.Response(
        ...children.make("gatewayResponse", `${name}-gateway-response-${type.toLowerCase().replace(/_/g, "-")}`, {
          restApiId: api.id,
          responseType: type,
          statusCode: response.statusCode,
          responseParameters: response.headers
            ? Object.fromEntries(Object.entries(response.headers).map(([h, v]) => [`gatewayresponse.header.${h}`, v]))
            : undefined,
          responseTemplates: response.templates,
        }),
      ),
  );
}

/** One MethodSettings per method path: the stage defaults, then each override (merged). */
function createMethodSettings(
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

/**
 * The hash of everything the deployment serves. `transformChanges` (what transforms changed on
 * served children) joins it only when not empty, so an API without transforms keeps the trigger
 * it always had; tags are not part of it.
 */
function deploymentTrigger(spec: ValidatedSpec, args: RestApiArgs, transformChanges: pulumi.Output<TransformChange[]>): pulumi.Output<string> {
  const functionArns = spec.routes.map((r) => (r.integration.type === "MOCK" ? "" : r.integration.function.arn));
  const authorizerArns = Object.values(args.authorizers ?? {}).map((a) => (a.type === "COGNITO_USER_POOLS" ? pulumi.all(a.providerArns) : a.function.arn));
  // A changed resource policy only takes effect with a new deployment.
  return pulumi.all([functionArns, authorizerArns, args.policy ?? "", transformChanges]).apply(([fns, auths, policy, changes]) => {
    const shape = {
      policy,
      endpointType: spec.endpointType,
      binaryMediaTypes: spec.binaryMediaTypes,
      models: spec.models,
      validators: spec.validators,
      cors: spec.cors,
      gatewayResponses: spec.gatewayResponses,
      settings: spec.methodSettings,
      authorizers: Object.entries(args.authorizers ?? {}).map(([n, a]) => ({
        n,
        type: a.type,
        ttl: a.resultTtlSeconds,
        src: a.identitySource,
        expression: a.type === "COGNITO_USER_POOLS" ? undefined : a.identityValidationExpression,
        auths,
      })),
      routes: spec.routes.map((r, i) => ({ ...r, integration: { ...r.integration, function: fns[i] } })),
      ...(changes.length > 0 ? { transformed: changes } : {}),
    };
    return createHash("sha256").update(JSON.stringify(shape)).digest("hex");
  });
}
