import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CUSTOMER_ROUTE_KEYS, type CustomersApi } from "../components/CustomersApi";
import { MethodSettingArgs } from "../components/methodSettings";
import { AuthorizerArgs, RestApiArgs, RouteArgs } from "../components/restApi";
import type { StackSettings } from "./config";
import { USER_MODEL } from "./models";
import { TRANSFORM_ERROR_TEMPLATE, TRANSFORM_FAILURE_TEMPLATE, TRANSFORM_REQUEST_TEMPLATE, TRANSFORM_SUCCESS_TEMPLATE } from "./transformTemplates";

/** The functions behind the demo routes, by role. */
export interface DemoHandlers {
  createUser: aws.lambda.Function;
  getUser: aws.lambda.Function;
  data: aws.lambda.Function;
  transform: aws.lambda.Function;
  uploadFile: aws.lambda.Function;
  partnerStatus: aws.lambda.Function;
}

/** The authorizers the demo routes use, by name. */
export interface DemoAuthorizers {
  /** The HMAC client-token authorizer (TOKEN). */
  hmac: AuthorizerArgs;
  /** The Cognito user pool authorizer. */
  cognito: AuthorizerArgs;
}

/**
 * The demo API's routes. A pure function of the handlers, so the route table can be read
 * (and config checked against it) before any function exists.
 */
export function demoRoutes(handlers: DemoHandlers): RouteArgs[] {
  return [
    {
      path: "/health",
      method: "GET",
      integration: {
        type: "MOCK",
        responses: [{ statusCode: "200", responseTemplates: { "application/json": '{"status":"ok"}' } }],
      },
    },
    {
      path: "/users",
      method: "POST",
      integration: { type: "LAMBDA_PROXY", function: handlers.createUser },
      authorizer: "cognito",
      requestModels: { "application/json": "User" },
      requestParameters: { header: { "Content-Type": true } },
      requestValidator: "all",
    },
    {
      path: "/users/{id}",
      method: "GET",
      integration: { type: "LAMBDA_PROXY", function: handlers.getUser },
      authorizer: "cognito",
      requestValidator: "params",
    },
    {
      path: "/data",
      method: "GET",
      integration: { type: "LAMBDA_PROXY", function: handlers.data },
      apiKeyRequired: true,
      requestParameters: { querystring: { category: false }, header: { "Accept-Language": false, Origin: false } },
      // Origin too: the function answers Access-Control-Allow-Origin per Origin, and a cached
      // answer must not carry one origin's header to another (RestApi refuses it otherwise).
      cacheKeyParameters: ["querystring.category", "header.Accept-Language", "header.Origin"],
    },
    {
      path: "/transform",
      method: "POST",
      integration: {
        type: "LAMBDA",
        function: handlers.transform,
        requestTemplates: { "application/json": TRANSFORM_REQUEST_TEMPLATE },
        // Anything but JSON is refused with 415 rather than handed to the function raw.
        passthroughBehavior: "NEVER",
        responses: [
          { statusCode: "200", responseTemplates: { "application/json": TRANSFORM_SUCCESS_TEMPLATE } },
          { statusCode: "400", selectionPattern: "\\[BadRequest\\].*", responseTemplates: { "application/json": TRANSFORM_ERROR_TEMPLATE } },
          { statusCode: "500", selectionPattern: ".+", responseTemplates: { "application/json": TRANSFORM_FAILURE_TEMPLATE } },
        ],
      },
    },
    {
      path: "/partner/status",
      method: "GET",
      integration: { type: "LAMBDA_PROXY", function: handlers.partnerStatus },
      authorizer: "hmac",
    },
    {
      path: "/files",
      method: "POST",
      integration: { type: "LAMBDA_PROXY", function: handlers.uploadFile },
      apiKeyRequired: true,
    },
  ];
}

/** The method and path of every demo route (what method overrides in config may name). */
export const DEMO_ROUTE_KEYS: { method: string; path: string }[] = demoRoutes(
  // The table only holds handler references; nothing is read from them.
  new Proxy({} as DemoHandlers, { get: () => ({}) as aws.lambda.Function }),
).map(({ method, path }) => ({ method, path }));

/** Every route of the REST flavour: the demo's and the customers API's (what config may name). */
export const PROGRAM_ROUTE_KEYS: { method: string; path: string }[] = [...DEMO_ROUTE_KEYS, ...CUSTOMER_ROUTE_KEYS];

/** The RestApi arguments of the demo API for a stack. */
export function demoApiArgs(
  settings: StackSettings,
  handlers: DemoHandlers,
  authorizers: DemoAuthorizers,
  /** For a PRIVATE API: the VPC endpoints and the resource policy admitting only them. */
  privateEndpoint?: { vpcEndpointIds: pulumi.Input<string>[]; policy: pulumi.Input<string> },
  /** The customers API's routes, their body models and the method settings they need. @default none */
  customers?: Pick<CustomersApi, "routes" | "models" | "methodSettings">,
): RestApiArgs {
  return {
    authorizers: { ...authorizers },
    description: `apigw-kit demo API (${settings.stack})`,
    endpointType: settings.api.endpointType,
    vpcEndpointIds: privateEndpoint?.vpcEndpointIds,
    policy: privateEndpoint?.policy,
    binaryMediaTypes: settings.api.binaryMediaTypes,
    models: { User: USER_MODEL, ...customers?.models },
    validators: { body: "BODY", params: "PARAMETERS", all: "BODY_AND_PARAMETERS" },
    cors: settings.cors,
    stage: {
      name: settings.stage.name,
      accessLogRetentionDays: settings.stage.accessLogRetentionDays,
      tracingEnabled: settings.stage.tracingEnabled,
      cacheClusterSize: settings.cache?.clusterSize,
    },
    methodSettings: demoMethodSettings(settings, customers?.methodSettings),
    routes: [...demoRoutes(handlers), ...(customers?.routes ?? [])],
  };
}

/**
 * The stage defaults from config, then the program's own rules, then what other routes need
 * (`extra`: the customers API's), then config overrides.
 */
export function demoMethodSettings(
  settings: Pick<StackSettings, "stage" | "cache" | "methodOverrides">,
  extra: Record<string, MethodSettingArgs> = {},
): Record<string, MethodSettingArgs> {
  const cache = settings.cache;
  return {
    "*/*": {
      metricsEnabled: settings.stage.metricsEnabled,
      loggingLevel: settings.stage.loggingLevel,
      dataTraceEnabled: settings.stage.dataTraceEnabled,
      throttle: settings.stage.throttle,
      caching: cache
        ? {
            enabled: true,
            ttlSeconds: cache.ttlSeconds,
            encrypted: cache.encrypted,
            requireAuthorizationForCacheControl: cache.requireAuthorizationForCacheControl,
            unauthorizedCacheControlHeaderStrategy: cache.unauthorizedCacheControlHeaderStrategy,
          }
        : undefined,
    },
    // A user is answered per id and (with auth) per caller: a stage cache keyed on the path
    // alone would hand one user's record to everybody. Never cache it.
    "users/{id}/GET": { caching: { enabled: false } },
    // The partner status answers per token; RestApi refuses to cache a method behind an
    // authorizer unless the identity is part of the cache key.
    "partner/status/GET": { caching: { enabled: false } },
    // The MOCK's Access-Control-Allow-Origin depends on the Origin, which a MOCK integration
    // cannot put in its cache key: a cached answer would carry the first caller's origin to
    // everybody. A constant answer gains nothing from the cache anyway.
    "health/GET": { caching: { enabled: false } },
    ...extra,
    ...settings.methodOverrides,
  };
}
