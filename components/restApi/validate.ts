/**
 * Validation: every argument of a {@link RestApi} is checked before any resource exists, and
 * the complete spec the children are made from is returned.
 */
import { ALL_METHODS_KEY, DEFAULT_ACCESS_LOG_RETENTION_DAYS, cacheClusterSizeProblem, logRetentionProblem, stageNameProblem } from "../apigateway";
import { refuse } from "../argumentErrors";
import { validateCors } from "../cors";
import { type MethodSettingArgs, resolveMethodSettings } from "../methodSettings";
import { DEFAULT_BINARY_MEDIA_TYPES, type EndpointType, GATEWAY_RESPONSE_TYPES, type GatewayResponseArgs, type RestApiArgs, type StageArgs } from "./args";
import { refuseSharedCachingAcrossOrigins, refuseSharedCachingOfCallerResponses } from "./cacheSafety";
import type { RestApiSpec, StageSpec } from "./spec";
import { validateAuthorizers } from "./validateAuthorizers";
import { validateModels, validateValidators } from "./validateModels";
import { validateRoute } from "./validateRoute";

const ENDPOINT_TYPES = ["EDGE", "REGIONAL", "PRIVATE"];

/** The method settings of an API that gives none: metrics and INFO execution logs. */
const DEFAULT_METHOD_SETTINGS: Record<string, MethodSettingArgs> = { [ALL_METHODS_KEY]: { metricsEnabled: true, loggingLevel: "INFO" } };

/**
 * Checks every argument, naming the field that is wrong; returns the spec with defaults.
 *
 * @param args - The RestApi's arguments.
 * @returns The complete spec: nothing needs to read `args` after it.
 */
export function validateRestApiArgs(args: RestApiArgs): RestApiSpec {
  const endpointType = validateEndpoint(args);
  const binaryMediaTypes = validateBinaryMediaTypes(args.binaryMediaTypes ?? DEFAULT_BINARY_MEDIA_TYPES);
  const models = validateModels(args.models);
  const validators = validateValidators(args.validators);
  const authorizers = validateAuthorizers(args.authorizers);

  if (!Array.isArray(args.routes) || args.routes.length === 0) {
    throw new Error("routes must list at least one route");
  }
  const cors = args.cors ? validateCors(args.cors, "cors") : undefined;
  const seen = new Set<string>();
  const routes = args.routes.map((route, i) => validateRoute(route, `routes[${i}]`, { models, validators, authorizers, cors: !!cors, seen }));

  const stage = validateStage(args.stage);
  const methodSettings = resolveMethodSettings(args.methodSettings ?? DEFAULT_METHOD_SETTINGS, {
    routes: routes.map((r) => ({ method: r.method, path: r.path })),
    cacheClusterSize: stage.cacheClusterSize,
  });
  refuseSharedCachingOfCallerResponses(routes, methodSettings, authorizers);
  refuseSharedCachingAcrossOrigins(routes, methodSettings, cors);

  const gatewayResponses = validateGatewayResponses(args.gatewayResponses ?? {});

  return {
    description: args.description,
    endpointType,
    vpcEndpointIds: endpointType === "PRIVATE" ? args.vpcEndpointIds : undefined,
    policy: args.policy,
    apiKeySource: args.apiKeySource ?? "HEADER",
    binaryMediaTypes,
    models,
    validators,
    authorizers,
    routes,
    cors,
    stage,
    methodSettings,
    gatewayResponses,
    tags: args.tags,
  };
}

/** The endpoint type, and the VPC endpoints and resource policy a PRIVATE API needs (and only it may have). */
function validateEndpoint(args: RestApiArgs): EndpointType {
  const endpointType = args.endpointType ?? "REGIONAL";
  if (!ENDPOINT_TYPES.includes(endpointType)) {
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
  return endpointType;
}

/** Checks that each binary media type is `type/subtype` (wildcards allowed). */
function validateBinaryMediaTypes(binaryMediaTypes: string[]): string[] {
  binaryMediaTypes.forEach((type, i) => {
    if (typeof type !== "string" || !/^[a-z0-9*.+-]+\/[a-z0-9*.+-]+$/i.test(type)) {
      throw new Error(`binaryMediaTypes[${i}] must be a media type like image/png or image/* (got ${JSON.stringify(type)})`);
    }
  });
  return binaryMediaTypes;
}

/** Checks the stage's name, log retention and cache cluster size; applies the stage defaults. */
function validateStage(stage: StageArgs | undefined): StageSpec {
  const nameProblem = stageNameProblem(stage?.name, "stage.name");
  if (nameProblem !== undefined || stage === undefined) throw new Error(nameProblem);
  const accessLogRetentionDays = stage.accessLogRetentionDays ?? DEFAULT_ACCESS_LOG_RETENTION_DAYS;
  refuse(logRetentionProblem(accessLogRetentionDays, "stage.accessLogRetentionDays"));
  if (stage.cacheClusterSize !== undefined) refuse(cacheClusterSizeProblem(stage.cacheClusterSize, "stage.cacheClusterSize"));
  return {
    name: stage.name,
    accessLogRetentionDays,
    tracingEnabled: stage.tracingEnabled ?? true,
    cacheClusterSize: stage.cacheClusterSize,
    variables: stage.variables,
  };
}

/** Checks that each customised gateway response is of a type API Gateway knows. */
function validateGatewayResponses(responses: Record<string, GatewayResponseArgs>): Record<string, GatewayResponseArgs> {
  for (const type of Object.keys(responses)) {
    if (!GATEWAY_RESPONSE_TYPES.includes(type)) {
      throw new Error(`gatewayResponses.${type} is not a gateway response type (known: ${GATEWAY_RESPONSE_TYPES.join(", ")})`);
    }
  }
  return responses;
}
