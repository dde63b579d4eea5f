/**
 * What validation hands the resource steps: every argument of an {@link HttpApi} checked, with
 * its defaults applied. Nothing after validation reads the arguments themselves.
 */
import type * as aws from "@pulumi/aws";
import { DEFAULT_HTTP_API_IDENTITY_SOURCE, HTTP_API_DEFAULT_STAGE, type ThrottleArgs } from "../apigateway";
import type { CorsPolicy } from "../cors";
import type { ComponentTags } from "../transform";
import type { HttpApiMethod, JwtAuthorizerArgs } from "./args";

/** Where a JWT authorizer reads the token when `identitySource` is not set. */
export const DEFAULT_JWT_IDENTITY_SOURCE = DEFAULT_HTTP_API_IDENTITY_SOURCE;

/** The stage name when `stage.name` is not set: served at the API's root. */
export const DEFAULT_HTTP_STAGE_NAME = HTTP_API_DEFAULT_STAGE;

/** A route with its key, as the resources need it. */
export interface ValidatedHttpRoute {
  /** `GET /users/{id}`, or `$default`. */
  routeKey: string;
  /** The route's method, or `$default` for the default route. */
  method: HttpApiMethod | "$default";
  /** The route's path. @default none (the `$default` route has none) */
  path?: string;
  /** The function answering the route. */
  function: aws.lambda.Function;
  /** The JWT authorizer's name. @default none (open) */
  authorizer?: string;
  /** The scopes the token must carry one of. @default none (any valid token) */
  authorizationScopes?: string[];
  /** The route's own token bucket. @default the stage's `throttle` */
  throttle?: ThrottleArgs;
}

/** The stage, its defaults applied. */
export interface ValidatedHttpStage {
  /** The stage name. */
  name: string;
  /** The default token bucket of every route. @default none (only the account's limits) */
  throttle?: ThrottleArgs;
  /** Days access-log events are kept. */
  accessLogRetentionDays: number;
}

/** Every argument of an {@link HttpApi}, checked, with its defaults applied. */
export interface ValidatedHttpApiSpec {
  /** The API's description. @default none */
  description?: string;
  /** The routes in declaration order, the `$default` route (when set) last. */
  routes: ValidatedHttpRoute[];
  /** JWT authorizers by name, each with its identity source. */
  authorizers: Record<string, Required<JwtAuthorizerArgs>>;
  /** The CORS policy. @default none (no CORS) */
  cors?: CorsPolicy;
  /** The stage. */
  stage: ValidatedHttpStage;
  /** Tags for every taggable child. @default none (the provider's default tags only) */
  tags?: ComponentTags;
}
