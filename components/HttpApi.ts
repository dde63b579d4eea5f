import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CorsArgs, CorsPolicy, validateCors } from "./cors";
import type { ThrottleArgs } from "./methodSettings";
import { LOG_RETENTION_DAYS, arnPath, pathParameters, pathSlug } from "./resourcePaths";
import { type ComponentTags, type Transform, transformed } from "./transform";

export type HttpApiMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "ANY";

/** One route: a method and path, answered by a Lambda function (payload format 2.0). */
export interface HttpRouteArgs {
  /** The method; `ANY` matches every method the path has no route of its own for. */
  method: HttpApiMethod;
  /**
   * The path: literal segments, `{parameter}` segments, and a greedy `{name+}` as the last one.
   * @example "/users/{id}", "/files/{proxy+}"
   */
  path: string;
  /** The function invoked (a Lambda proxy integration, payload format 2.0). */
  function: aws.lambda.Function;
  /**
   * The JWT authorizer guarding the route, naming an entry of `jwtAuthorizers`.
   * @default none (open)
   */
  authorizer?: string;
  /**
   * OAuth scopes, one of which the token's `scope` (or `scp`) claim must carry; needs `authorizer`.
   * @default none (any valid token)
   */
  authorizationScopes?: string[];
  /**
   * The route's own token bucket, replacing the stage's default throttle for it.
   * @default the stage's `throttle`
   */
  throttle?: ThrottleArgs;
}

/** The `$default` route: every request no other route matches. */
export type HttpDefaultRouteArgs = Omit<HttpRouteArgs, "method" | "path">;

/** A JWT authorizer: API Gateway checks the token's signature, issuer, audience, expiry and scopes. */
export interface JwtAuthorizerArgs {
  /**
   * The token issuer (`iss`), whose `/.well-known/openid-configuration` names the JWKS.
   * @example pulumi.interpolate`https://${pool.endpoint}` for a Cognito user pool
   */
  issuer: pulumi.Input<string>;
  /**
   * Accepted audiences: the token's `aud` (or `client_id` when it has no `aud`) must be one of them.
   * @example [userPoolClient.id]
   */
  audience: pulumi.Input<string>[];
  /**
   * Where the token is read from: `$request.header.<name>` or `$request.querystring.<name>`.
   * @default "$request.header.Authorization"
   */
  identitySource?: string;
}

/** The API's single stage. */
export interface HttpStageArgs {
  /**
   * The stage name. `$default` is served at the API's root; any other name is the first path
   * segment of every URL.
   * @default "$default"
   */
  name?: string;
  /**
   * The default token bucket of every route (each route has its own bucket).
   * @default none (only the account's limits)
   */
  throttle?: ThrottleArgs;
  /**
   * Days access-log events are kept.
   * @default 30
   */
  accessLogRetentionDays?: number;
}

export interface HttpApiArgs {
  /** @default none */
  description?: string;
  /** The API's routes (may be empty when `defaultRoute` is set). */
  routes: HttpRouteArgs[];
  /**
   * The `$default` route, which catches every request no route matches.
   * @default none (unmatched requests get 404 `{"message":"Not Found"}`)
   */
  defaultRoute?: HttpDefaultRouteArgs;
  /**
   * JWT authorizers by name (1-128 letters, digits, `-` or `_`); routes name them in `authorizer`.
   * @default {}
   */
  jwtAuthorizers?: Record<string, JwtAuthorizerArgs>;
  /**
   * CORS, answered by API Gateway itself: preflights for paths without a matching route, and
   * the configured headers on every response to an allowed origin.
   * @default none (no CORS)
   */
  cors?: CorsArgs;
  /** @default { name: "$default", accessLogRetentionDays: 30 } */
  stage?: HttpStageArgs;
  /**
   * Tags for every taggable child: the API, its stage and the access-log group (authorizers,
   * integrations, routes and permissions take no tags), merged over the AWS provider's
   * `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "payments", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes a child's args or options before it is created, per kind of child: args merged
   * over the component's, or a function changing them in place (given the child's name, so
   * one route or integration among many can be picked out). Applied last, so it can override
   * anything the component set; a merged `tags` replaces the component's tags on that child.
   * @default none
   * @example
   * transform: {
   *   stage: { description: "public" },
   *   route: (args, opts, name) => {
   *     if (name.endsWith("-route-default")) args.operationName = "fallback";
   *     opts.deleteBeforeReplace = true;
   *   },
   *   logGroup: (args, opts) => {
   *     args.kmsKeyId = key.arn;
   *     opts.retainOnDelete = true;
   *   },
   * }
   */
  transform?: HttpApiTransform;
}

/** An {@link HttpApi}'s children, each adjustable before it is created. */
export interface HttpApiTransform {
  /** The HTTP API. */
  api?: Transform<aws.apigatewayv2.ApiArgs>;
  /** The stage's access-log group. */
  logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  /** Each JWT authorizer (one per entry of `jwtAuthorizers`). */
  authorizer?: Transform<aws.apigatewayv2.AuthorizerArgs>;
  /** Each Lambda proxy integration (one per distinct function). */
  integration?: Transform<aws.apigatewayv2.IntegrationArgs>;
  /** Each route (one per route key, `$default` included). */
  route?: Transform<aws.apigatewayv2.RouteArgs>;
  /** Each invoke permission granted to API Gateway (one per distinct function). */
  permission?: Transform<aws.lambda.PermissionArgs>;
  /** The auto-deployed stage. */
  stage?: Transform<aws.apigatewayv2.StageArgs>;
}

/** Features of REST APIs an HTTP API does not have, as the program's config names them. */
export interface RestOnlyFeatures {
  apiKeys?: boolean;
  usagePlans?: boolean;
  caching?: boolean;
  waf?: boolean;
  mappingTemplates?: boolean;
}

/** The config keys that turn each REST-only feature on. */
export const REST_ONLY_CONFIG_KEYS: Required<Record<keyof RestOnlyFeatures, string>> = {
  apiKeys: "apigw-kit:api.requirements.api_keys",
  usagePlans: "apigw-kit:tiers",
  caching: "apigw-kit:cache",
  waf: "apigw-kit:api.requirements.waf_required",
  mappingTemplates: "apigw-kit:api.requirements.transformation",
};

const REST_ONLY_REASONS: Required<Record<keyof RestOnlyFeatures, { feature: string; why: string }>> = {
  apiKeys: { feature: "API keys", why: "HTTP APIs neither require nor check x-api-key" },
  usagePlans: { feature: "usage plans", why: "HTTP APIs throttle per route and stage, with no per-client quotas" },
  caching: { feature: "response caching", why: "HTTP API stages have no cache cluster" },
  waf: { feature: "AWS WAF", why: "a web ACL cannot be associated with an HTTP API stage" },
  mappingTemplates: { feature: "mapping templates", why: "HTTP APIs only map parameters, they cannot reshape bodies with VTL" },
};

/**
 * An HTTP API (API Gateway v2) with Lambda proxy routes (payload format 2.0), JWT authorizers,
 * CORS answered by API Gateway, and one auto-deployed stage with route throttling and JSON
 * access logs.
 */
export class HttpApi extends pulumi.ComponentResource {
  /** The underlying API. */
  public readonly api: aws.apigatewayv2.Api;
  public readonly stage: aws.apigatewayv2.Stage;
  /** The access-log group of the stage. */
  public readonly accessLogGroup: aws.cloudwatch.LogGroup;
  /** Routes by route key (`GET /users/{id}`, `$default`). */
  public readonly routes: Record<string, aws.apigatewayv2.Route>;
  /** One Lambda proxy integration per function, by the function's logical name. */
  public readonly integrations: Record<string, aws.apigatewayv2.Integration>;
  /** JWT authorizers by name. */
  public readonly authorizers: Record<string, aws.apigatewayv2.Authorizer>;
  /** The invoke URL without a trailing slash; for the `$default` stage, the API endpoint. */
  public readonly url: pulumi.Output<string>;
  public readonly apiId: pulumi.Output<string>;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}`, for IAM policies. */
  public readonly executionArn: pulumi.Output<string>;

  constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:HttpApi", name, {}, opts);
    const spec = validateHttpApiArgs(args);

    const transform = args.transform ?? {};

    this.api = createApi(this, name, args, spec);
    this.authorizers = createAuthorizers(this, name, this.api, spec.authorizers, transform);
    const integrations = createIntegrations(this, name, this.api, spec.routes, transform);
    this.integrations = Object.fromEntries([...integrations.values()].map((i) => [i.key, i.integration]));
    this.routes = createRoutes(this, name, this.api, spec.routes, integrations, this.authorizers, transform);
    createPermissions(this, name, this.api, spec.routes, integrations, transform);
    this.accessLogGroup = new aws.cloudwatch.LogGroup(
      ...transformed(
        transform.logGroup,
        `${name}-access-logs`,
        {
          // Log group names may not contain `$`: the $default stage logs under "default".
          name: pulumi.interpolate`/aws/apigateway/${this.api.name}/${spec.stage.name.replace(/^\$/, "")}/access`,
          retentionInDays: spec.stage.accessLogRetentionDays,
          tags: args.tags,
        },
        { parent: this },
      ),
    );
    this.stage = createStage(this, name, this.api, spec, this.accessLogGroup, Object.values(this.routes), args);

    this.url = this.stage.invokeUrl.apply((u) => u.replace(/\/+$/, ""));
    this.apiId = this.api.id;
    this.executionArn = this.api.executionArn;
    this.registerOutputs({ url: this.url, apiId: this.apiId, executionArn: this.executionArn });
  }

  /**
   * Refuses, before any resource exists, config that asks an HTTP API for what only REST APIs
   * have. Throws naming every such feature and the config key that asked for it.
   * @param configKeys the config key of each feature, when the program's differ from
   *   {@link REST_ONLY_CONFIG_KEYS}
   */
  static refuseRestOnlyFeatures(features: RestOnlyFeatures, configKeys: Partial<Record<keyof RestOnlyFeatures, string>> = {}): void {
    const keys = { ...REST_ONLY_CONFIG_KEYS, ...configKeys };
    const refused = (Object.keys(REST_ONLY_REASONS) as Array<keyof RestOnlyFeatures>)
      .filter((feature) => features[feature] === true)
      .map((feature) => {
        const { feature: what, why } = REST_ONLY_REASONS[feature];
        return `apigw-kit:api.type is http, but ${what} exist${what.endsWith("s") ? "" : "s"} only on REST APIs: ${why} (set apigw-kit:api.type to rest or remove ${keys[feature]})`;
      });
    if (refused.length > 0) throw new Error(refused.join("; "));
  }
}

/** HTTP API access-log line, one JSON object per request ($context variables of HTTP APIs). */
export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  integrationStatus: "$context.integrationStatus",
  integrationError: "$context.integrationErrorMessage",
  errorMessage: "$context.error.message",
  authorizerError: "$context.authorizer.error",
});

// ---------------------------------------------------------------------------------------------
// Validation: everything is checked before any resource exists.

/** A route with its key, as the resources need it. */
export interface ValidatedHttpRoute {
  /** `GET /users/{id}`, or `$default`. */
  routeKey: string;
  method: HttpApiMethod | "$default";
  path?: string;
  function: aws.lambda.Function;
  authorizer?: string;
  authorizationScopes?: string[];
  throttle?: ThrottleArgs;
}

export interface ValidatedHttpApiSpec {
  routes: ValidatedHttpRoute[];
  authorizers: Record<string, Required<JwtAuthorizerArgs>>;
  cors?: CorsPolicy;
  stage: { name: string; throttle?: ThrottleArgs; accessLogRetentionDays: number };
}

const METHODS: HttpApiMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];
const IDENTITY_SOURCE = /^\$request\.(header|querystring)\.[A-Za-z0-9_.-]+$/;
export const DEFAULT_JWT_IDENTITY_SOURCE = "$request.header.Authorization";
export const DEFAULT_HTTP_STAGE_NAME = "$default";

/** Checks every argument, naming the field that is wrong; returns the spec with defaults. */
export function validateHttpApiArgs(args: HttpApiArgs): ValidatedHttpApiSpec {
  if (args.description !== undefined && (typeof args.description !== "string" || args.description.length > 1024)) {
    throw new Error("description must be a string of at most 1024 characters");
  }

  const authorizers: ValidatedHttpApiSpec["authorizers"] = {};
  for (const [authName, auth] of Object.entries(args.jwtAuthorizers ?? {})) {
    const field = `jwtAuthorizers.${authName}`;
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(authName)) {
      throw new Error(`${field}: authorizer names must be 1-128 letters, digits, '-' or '_'`);
    }
    if (auth?.issuer === undefined || auth.issuer === null || auth.issuer === "") {
      throw new Error(`${field}.issuer is required: the URL the tokens' iss claim names`);
    }
    if (typeof auth.issuer === "string" && !/^https?:\/\/[^\s]+[^/\s]$/.test(auth.issuer)) {
      throw new Error(`${field}.issuer must be a URL like https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC, without a trailing slash (got ${JSON.stringify(auth.issuer)})`);
    }
    if (!Array.isArray(auth.audience) || auth.audience.length === 0) {
      throw new Error(`${field}.audience must list at least one accepted audience (client id)`);
    }
    auth.audience.forEach((audience, i) => {
      if (audience === "" || audience === undefined || audience === null) {
        throw new Error(`${field}.audience[${i}] must be a non-empty string`);
      }
    });
    const identitySource = auth.identitySource ?? DEFAULT_JWT_IDENTITY_SOURCE;
    if (typeof identitySource !== "string" || !IDENTITY_SOURCE.test(identitySource)) {
      throw new Error(`${field}.identitySource must be $request.header.<name> or $request.querystring.<name> (got ${JSON.stringify(auth.identitySource)})`);
    }
    authorizers[authName] = { issuer: auth.issuer, audience: auth.audience, identitySource };
  }

  if (!Array.isArray(args.routes)) throw new Error("routes must be a list of routes");
  if (args.routes.length === 0 && !args.defaultRoute) {
    throw new Error("routes must list at least one route, or set defaultRoute");
  }
  const seen = new Set<string>();
  const known = Object.keys(authorizers);
  const routes = args.routes.map((route, i) => validateRoute(route, `routes[${i}]`, known, seen));
  if (args.defaultRoute) {
    routes.push({ ...validateRouteTarget(args.defaultRoute, "defaultRoute", known), routeKey: "$default", method: "$default" });
  }

  const cors = args.cors ? validateCors(args.cors, "cors") : undefined;

  const stage = args.stage ?? {};
  const stageName = stage.name ?? DEFAULT_HTTP_STAGE_NAME;
  if (typeof stageName !== "string" || (stageName !== DEFAULT_HTTP_STAGE_NAME && !/^[A-Za-z0-9_-]{1,128}$/.test(stageName))) {
    throw new Error(`stage.name must be "$default" or 1-128 letters, digits, '-' or '_' (got ${JSON.stringify(stage.name)})`);
  }
  const retention = stage.accessLogRetentionDays ?? 30;
  if (!LOG_RETENTION_DAYS.includes(retention)) {
    throw new Error(`stage.accessLogRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${JSON.stringify(stage.accessLogRetentionDays)})`);
  }
  if (stage.throttle !== undefined) validateThrottle(stage.throttle, "stage.throttle");

  return { routes, authorizers, cors, stage: { name: stageName, throttle: stage.throttle, accessLogRetentionDays: retention } };
}

function validateRoute(route: HttpRouteArgs, field: string, authorizerNames: string[], seen: Set<string>): ValidatedHttpRoute {
  if (!METHODS.includes(route?.method)) {
    throw new Error(`${field}.method must be one of ${METHODS.join(", ")} (got ${JSON.stringify(route?.method)})`);
  }
  if (typeof route.path !== "string" || !route.path.startsWith("/")) {
    throw new Error(`${field}.path must start with "/" (got ${JSON.stringify(route.path)})`);
  }
  const routeKey = `${route.method} ${route.path}`;
  const where = `${field} (${routeKey})`;
  pathParameters(route.path, where);
  if (seen.has(routeKey)) throw new Error(`${where}: the route is declared twice`);
  seen.add(routeKey);
  return { ...validateRouteTarget(route, field, authorizerNames), routeKey, method: route.method, path: route.path };
}

function validateRouteTarget(route: HttpDefaultRouteArgs, field: string, authorizerNames: string[]) {
  if (!route || !route.function) throw new Error(`${field}.function is required: the Lambda function answering the route`);
  if (route.authorizer !== undefined && !authorizerNames.includes(route.authorizer)) {
    throw new Error(`${field}.authorizer: "${route.authorizer}" is not one of the jwtAuthorizers (known: ${authorizerNames.join(", ") || "none"})`);
  }
  if (route.authorizationScopes !== undefined) {
    if (route.authorizer === undefined) {
      throw new Error(`${field}.authorizationScopes need an authorizer: only a JWT authorizer checks scopes`);
    }
    if (!Array.isArray(route.authorizationScopes) || route.authorizationScopes.length === 0) {
      throw new Error(`${field}.authorizationScopes must list at least one scope (leave it out to accept any valid token)`);
    }
    route.authorizationScopes.forEach((scope, i) => {
      if (typeof scope !== "string" || !/^\S+$/.test(scope)) {
        throw new Error(`${field}.authorizationScopes[${i}] must be a scope without spaces, like "orders/read" (got ${JSON.stringify(scope)})`);
      }
    });
  }
  if (route.throttle !== undefined) validateThrottle(route.throttle, `${field}.throttle`);
  return { function: route.function, authorizer: route.authorizer, authorizationScopes: route.authorizationScopes, throttle: route.throttle };
}

function validateThrottle(throttle: ThrottleArgs, field: string): void {
  if (typeof throttle !== "object" || throttle === null) throw new Error(`${field} must be { rateLimit, burstLimit }`);
  const { rateLimit, burstLimit } = throttle;
  if (typeof rateLimit !== "number" || !Number.isFinite(rateLimit) || rateLimit < 0) {
    throw new Error(`${field}.rateLimit must be a number >= 0 (got ${JSON.stringify(rateLimit)})`);
  }
  if (!Number.isInteger(burstLimit) || burstLimit < 0) {
    throw new Error(`${field}.burstLimit must be an integer >= 0 (got ${JSON.stringify(burstLimit)})`);
  }
  if (rateLimit > 0 && burstLimit === 0) {
    throw new Error(`${field}.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing`);
  }
}

// ---------------------------------------------------------------------------------------------
// Resource creation steps.

function createApi(parent: pulumi.Resource, name: string, args: HttpApiArgs, spec: ValidatedHttpApiSpec): aws.apigatewayv2.Api {
  return new aws.apigatewayv2.Api(
    ...transformed(
      args.transform?.api,
      `${name}-api`,
      {
        protocolType: "HTTP",
        description: args.description,
        corsConfiguration: spec.cors ? httpCorsConfiguration(spec.cors, spec.routes) : undefined,
        tags: args.tags,
      },
      { parent },
    ),
  );
}

/** The API's corsConfiguration; without `allowMethods`, the routes' methods (`*` with ANY or $default). */
export function httpCorsConfiguration(cors: CorsPolicy, routes: ValidatedHttpRoute[]): aws.types.input.apigatewayv2.ApiCorsConfiguration {
  const catchAll = routes.some((r) => r.method === "ANY" || r.method === "$default");
  const methods = cors.allowMethods ?? (catchAll ? ["*"] : [...new Set([...routes.map((r) => r.method), "OPTIONS"])]);
  return {
    allowOrigins: cors.allowOrigins,
    allowHeaders: cors.allowHeaders,
    allowMethods: methods,
    exposeHeaders: cors.exposeHeaders.length > 0 ? cors.exposeHeaders : undefined,
    allowCredentials: cors.allowCredentials,
    maxAge: cors.maxAgeSeconds,
  };
}

function createAuthorizers(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  authorizers: ValidatedHttpApiSpec["authorizers"],
  transform: HttpApiTransform,
) {
  const created: Record<string, aws.apigatewayv2.Authorizer> = {};
  for (const [authName, auth] of Object.entries(authorizers)) {
    created[authName] = new aws.apigatewayv2.Authorizer(
      ...transformed(
        transform.authorizer,
        `${name}-authorizer-${authName}`,
      {
          apiId: api.id,
          name: authName,
          authorizerType: "JWT",
          identitySources: [auth.identitySource],
          jwtConfiguration: { issuer: auth.issuer, audiences: auth.audience },
        },
        { parent },
      ),
    );
  }
  return created;
}

interface FunctionIntegration {
  /** The function's logical name (suffixed when two functions share one). */
  key: string;
  integration: aws.apigatewayv2.Integration;
}

/** One Lambda proxy integration per distinct function. */
function createIntegrations(parent: pulumi.Resource, name: string, api: aws.apigatewayv2.Api, routes: ValidatedHttpRoute[], transform: HttpApiTransform) {
  const byFunction = new Map<aws.lambda.Function, FunctionIntegration>();
  const keys = new Set<string>();
  for (const route of routes) {
    if (byFunction.has(route.function)) continue;
    // Named after the function, not the route, so reordering routes replaces nothing.
    const base = pulumi.resourceName(route.function);
    let key = base;
    for (let n = 2; keys.has(key); n++) key = `${base}-${n}`;
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
          timeoutMilliseconds: 30000,
        },
        { parent },
      ),
    );
    byFunction.set(route.function, { key, integration });
  }
  return byFunction;
}

function createRoutes(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  routes: ValidatedHttpRoute[],
  integrations: Map<aws.lambda.Function, FunctionIntegration>,
  authorizers: Record<string, aws.apigatewayv2.Authorizer>,
  transform: HttpApiTransform,
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

/**
 * One invoke permission per function: for the one route it serves when it serves one, else for
 * every route of the API (`{executionArn}/*\/*`).
 */
function createPermissions(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  routes: ValidatedHttpRoute[],
  integrations: Map<aws.lambda.Function, FunctionIntegration>,
  transform: HttpApiTransform,
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
 */
export function routeArnSuffix(route: Pick<ValidatedHttpRoute, "method" | "path">): string {
  if (route.method === "$default") return "*/$default";
  return `*/${route.method === "ANY" ? "*" : route.method}${arnPath(route.path!)}`;
}

function createStage(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  spec: ValidatedHttpApiSpec,
  logGroup: aws.cloudwatch.LogGroup,
  routes: aws.apigatewayv2.Route[],
  args: Pick<HttpApiArgs, "tags" | "transform">,
): aws.apigatewayv2.Stage {
  const throttled = spec.routes.filter((r) => r.throttle);
  return new aws.apigatewayv2.Stage(
    ...transformed(
      args.transform?.stage,
      `${name}-stage`,
      {
        apiId: api.id,
        name: spec.stage.name,
        // Every change to routes, integrations or authorizers goes live without a Deployment.
        autoDeploy: true,
        // Left out without a throttle, rather than sent empty: the stage then keeps the account's
        // limits instead of explicit zero limits.
        defaultRouteSettings: spec.stage.throttle
          ? { throttlingRateLimit: spec.stage.throttle.rateLimit, throttlingBurstLimit: spec.stage.throttle.burstLimit }
          : undefined,
        routeSettings:
          throttled.length > 0
            ? throttled.map((r) => ({ routeKey: r.routeKey, throttlingRateLimit: r.throttle!.rateLimit, throttlingBurstLimit: r.throttle!.burstLimit }))
            : undefined,
        accessLogSettings: { destinationArn: logGroup.arn, format: HTTP_ACCESS_LOG_FORMAT },
        tags: args.tags,
      },
      // Route settings may only name routes that exist.
      { parent, dependsOn: routes },
    ),
  );
}

/** `GET /users/{id}` -> `GET-users-id`; `$default` -> `default`. Used in child resource names. */
function routeSlug(route: ValidatedHttpRoute): string {
  return route.method === "$default" ? "default" : `${route.method}-${pathSlug(route.path!)}`;
}
