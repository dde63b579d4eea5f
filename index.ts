import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HandlerFunction, MethodSettingArgs, RestApi } from "./components";
import { readStackSettings } from "./program/config";
import { createDataHandler } from "./functions/data";
import { createUploadFileHandler } from "./functions/files";
import { createTransformHandler } from "./functions/transform";
import { createCreateUserHandler, createGetUserHandler } from "./functions/users";
import { TRANSFORM_ERROR_TEMPLATE, TRANSFORM_FAILURE_TEMPLATE, TRANSFORM_REQUEST_TEMPLATE, TRANSFORM_SUCCESS_TEMPLATE } from "./program/transformTemplates";
import { USER_MODEL } from "./program/models";

// The program: typed stack config -> components -> stack outputs. Everything below reads
// `settings`; nothing reads pulumi.Config directly, so every config error surfaces here first.
const settings = readStackSettings();
const isProd = pulumi.getStack() === "prod";

if (settings.api.resolved === "HTTP") {
  throw new Error(
    `apigw-kit:api.type resolved to HTTP (${settings.api.type === "auto" ? settings.api.decision.reasons.join("; ") : "set explicitly"}), ` +
      "but this program builds the REST flavour only so far; set apigw-kit:api.type to rest",
  );
}

const usersTable = new aws.dynamodb.Table("users", {
  billingMode: "PAY_PER_REQUEST",
  hashKey: "id",
  attributes: [{ name: "id", type: "S" }],
  pointInTimeRecovery: { enabled: isProd },
  serverSideEncryption: { enabled: true },
});

// Proxy integrations answer CORS themselves (API Gateway passes their headers through).
const corsEnvironment: Record<string, string> = settings.cors
  ? { CORS_ALLOW_ORIGINS: settings.cors.allowOrigins.join(","), CORS_ALLOW_CREDENTIALS: String(settings.cors.allowCredentials ?? false) }
  : {};
const lambdaDefaults = {
  memorySize: settings.lambda.memorySize,
  timeoutSeconds: settings.lambda.timeoutSeconds,
  logRetentionDays: settings.lambda.logRetentionDays,
};

const createUser = new HandlerFunction("create-user", {
  ...lambdaDefaults,
  description: "POST /users: stores a user",
  handlerFactory: createCreateUserHandler,
  environment: { USERS_TABLE: usersTable.name, ...corsEnvironment },
  policyStatements: [{ actions: ["dynamodb:PutItem"], resources: [usersTable.arn] }],
});
const getUser = new HandlerFunction("get-user", {
  ...lambdaDefaults,
  description: "GET /users/{id}: reads a user",
  handlerFactory: createGetUserHandler,
  environment: { USERS_TABLE: usersTable.name, ...corsEnvironment },
  policyStatements: [{ actions: ["dynamodb:GetItem"], resources: [usersTable.arn] }],
});
const data = new HandlerFunction("data", {
  ...lambdaDefaults,
  description: "GET /data: the heavy, cached endpoint",
  handlerFactory: createDataHandler,
  environment: { CACHE_TTL_SECONDS: String(dataCacheTtl()), ...corsEnvironment },
});
const transform = new HandlerFunction("transform", {
  ...lambdaDefaults,
  description: "POST /transform: non-proxy integration behind mapping templates",
  handlerFactory: createTransformHandler,
});
const uploadFile = new HandlerFunction("upload-file", {
  ...lambdaDefaults,
  description: "POST /files: binary upload receipt",
  handlerFactory: createUploadFileHandler,
  environment: { ...corsEnvironment },
});

const api = new RestApi("demo", {
  description: `apigw-kit demo API (${settings.stack})`,
  endpointType: settings.api.endpointType,
  vpcEndpointIds: settings.api.endpointType === "PRIVATE" ? settings.api.vpcEndpointIds : undefined,
  policy: settings.api.endpointType === "PRIVATE" ? privateApiPolicy(settings.api.vpcEndpointIds) : undefined,
  binaryMediaTypes: settings.api.binaryMediaTypes,
  models: { User: USER_MODEL },
  validators: { body: "BODY", params: "PARAMETERS", all: "BODY_AND_PARAMETERS" },
  cors: settings.cors,
  stage: {
    name: settings.stage.name,
    accessLogRetentionDays: settings.stage.accessLogRetentionDays,
    tracingEnabled: settings.stage.tracingEnabled,
    cacheClusterSize: settings.cache?.clusterSize,
  },
  methodSettings: methodSettings(),
  routes: [
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
      integration: { type: "LAMBDA_PROXY", function: createUser.function },
      requestModels: { "application/json": "User" },
      requestParameters: { header: { "Content-Type": true } },
      requestValidator: "all",
    },
    {
      path: "/users/{id}",
      method: "GET",
      integration: { type: "LAMBDA_PROXY", function: getUser.function },
      requestValidator: "params",
    },
    {
      path: "/data",
      method: "GET",
      integration: { type: "LAMBDA_PROXY", function: data.function },
      requestParameters: { querystring: { category: false }, header: { "Accept-Language": false } },
      cacheKeyParameters: ["querystring.category", "header.Accept-Language"],
    },
    {
      path: "/transform",
      method: "POST",
      integration: {
        type: "LAMBDA",
        function: transform.function,
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
      path: "/files",
      method: "POST",
      integration: { type: "LAMBDA_PROXY", function: uploadFile.function },
    },
  ],
});

/** The stage defaults from config, then the program's own rules, then config overrides. */
function methodSettings(): Record<string, MethodSettingArgs> {
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
    ...settings.methodOverrides,
  };
}

/** The TTL GET /data is cached for, told to the handler for its Cache-Control header. */
function dataCacheTtl(): number {
  return settings.methodOverrides["data/GET"]?.caching?.ttlSeconds ?? settings.cache?.ttlSeconds ?? 0;
}

/** A PRIVATE API answers only calls through these VPC endpoints. */
function privateApiPolicy(vpcEndpointIds: string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "execute-api:Invoke",
        Resource: "execute-api:/*",
        Condition: { StringNotEquals: { "aws:SourceVpce": vpcEndpointIds } },
      },
    ],
  });
}

export const apiType = settings.api.resolved;
export const apiUrl = api.url;
export const usersTableName = usersTable.name;
