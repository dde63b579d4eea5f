/**
 * RestApi: a REST API with its stage, as a Pulumi component. Exports the component, its
 * arguments, its validation and the constants the package has always exported from here.
 */
export { CACHE_CLUSTER_SIZES, type CacheClusterSize, type HttpMethod } from "../apigateway";
export { arnPath, pathSlug } from "../resourcePaths";
export {
  type AuthorizerArgs,
  DEFAULT_BINARY_MEDIA_TYPES,
  type EndpointType,
  GATEWAY_RESPONSE_TYPES,
  type GatewayResponseArgs,
  type ModelArgs,
  type RestApiArgs,
  type RestApiTransform,
  type StageArgs,
  type ValidatorKind,
} from "./args";
export { RestApi } from "./RestApi";
export type {
  IntegrationArgs,
  IntegrationResponseArgs,
  LambdaIntegrationArgs,
  LambdaProxyIntegrationArgs,
  MockIntegrationArgs,
  PassthroughBehavior,
  RouteArgs,
} from "./routeArgs";
export type { ValidatedRoute } from "./spec";
export { ACCESS_LOG_FORMAT } from "./stage";
export { validateRestApiArgs } from "./validate";
