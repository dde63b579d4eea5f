/**
 * The public arguments of {@link HttpApi}: its routes, JWT authorizers, CORS, stage, tags and
 * transform, and the REST-only features an HTTP API refuses.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { HttpMethod, ThrottleArgs } from "../apigateway";
import type { CorsArgs } from "../cors";
import type { ComponentTags, Transform } from "../transform";

/** A route's method: one of API Gateway's {@link HttpMethod}s (`ANY` included). */
export type HttpApiMethod = HttpMethod;

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

/** The arguments of an {@link HttpApi}. */
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
  /** The HTTP API. @default none */
  api?: Transform<aws.apigatewayv2.ApiArgs>;
  /** The stage's access-log group. @default none */
  logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  /** Each JWT authorizer (one per entry of `jwtAuthorizers`). @default none */
  authorizer?: Transform<aws.apigatewayv2.AuthorizerArgs>;
  /** Each Lambda proxy integration (one per distinct function). @default none */
  integration?: Transform<aws.apigatewayv2.IntegrationArgs>;
  /** Each route (one per route key, `$default` included). @default none */
  route?: Transform<aws.apigatewayv2.RouteArgs>;
  /** Each invoke permission granted to API Gateway (one per distinct function). @default none */
  permission?: Transform<aws.lambda.PermissionArgs>;
  /** The auto-deployed stage. @default none */
  stage?: Transform<aws.apigatewayv2.StageArgs>;
}

/** Features of REST APIs an HTTP API does not have, as the program's config names them. */
export interface RestOnlyFeatures {
  /** API keys asked for. @default false */
  apiKeys?: boolean;
  /** Usage plans (tiers) asked for. @default false */
  usagePlans?: boolean;
  /** Response caching asked for. @default false */
  caching?: boolean;
  /** AWS WAF asked for. @default false */
  waf?: boolean;
  /** Mapping templates (body transformation) asked for. @default false */
  mappingTemplates?: boolean;
}
