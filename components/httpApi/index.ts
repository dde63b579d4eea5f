/**
 * HttpApi: an HTTP API (API Gateway v2) with Lambda proxy routes, JWT authorizers, CORS and
 * one auto-deployed stage. Exports the component, its arguments, and the pieces the local
 * cloud and the program read (validation, CORS configuration, ARN suffixes, REST-only keys).
 */
export { httpCorsConfiguration } from "./api";
export type {
  HttpApiArgs,
  HttpApiMethod,
  HttpApiTransform,
  HttpDefaultRouteArgs,
  HttpRouteArgs,
  HttpStageArgs,
  JwtAuthorizerArgs,
  RestOnlyFeatures,
} from "./args";
export { HttpApi } from "./HttpApi";
export { routeArnSuffix } from "./permissions";
export { REST_ONLY_CONFIG_KEYS } from "./restOnlyFeatures";
export { DEFAULT_HTTP_STAGE_NAME, DEFAULT_JWT_IDENTITY_SOURCE, type ValidatedHttpApiSpec, type ValidatedHttpRoute } from "./spec";
export { HTTP_ACCESS_LOG_FORMAT } from "./stage";
export { validateHttpApiArgs } from "./validate";
