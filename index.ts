import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiCache, ApiMonitoring, CognitoAuth, CustomDomain, CustomersApi, type CustomerPlans, HandlerFunction, HttpApi, PrivateApiNetwork, RestApi, TokenAuthorizer, UsageTiers, WebAcl, WebSocketApi, customerPlansOf, privateApiPolicy } from "./components";
import { createHealthHandler } from "./functions/health";
import { withCognitoAuth } from "./functions/cognitoAuth";
import { readStackSettings } from "./program/config";
import { demoApiArgs } from "./program/demoApi";
import { createDataHandler } from "./functions/data";
import { createPartnerStatusHandler } from "./functions/partnerStatus";
import { createUploadFileHandler } from "./functions/files";
import { createTransformHandler } from "./functions/transform";
import { createCreateUserHandler, createGetUserHandler } from "./functions/users";

// The program: typed stack config -> components -> stack outputs. Everything below reads
// `settings`; nothing reads pulumi.Config directly, so every config error surfaces here first.
const settings = readStackSettings();
const isProd = pulumi.getStack() === "prod";

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
  runtime: settings.lambda.runtime,
  memorySize: settings.lambda.memorySize,
  timeoutSeconds: settings.lambda.timeoutSeconds,
  logRetentionDays: settings.lambda.logRetentionDays,
};

// Sign-in for the /users routes: a user pool with an app client and groups.
const auth = new CognitoAuth("users", {
  mfa: settings.cognito.mfa,
  groups: settings.cognito.groups,
  passwordPolicy: { minimumLength: settings.cognito.passwordMinimumLength },
  deletionProtection: isProd,
});
// The handlers check the token again (defence in depth, and the same code serves an HTTP
// API): aws-jwt-verify is the one package their archives carry.
const cognitoEnvironment = { USER_POOL_ID: auth.userPoolId, USER_POOL_CLIENT_ID: auth.userPoolClientId };

const createUser = new HandlerFunction("create-user", {
  ...lambdaDefaults,
  description: "POST /users: stores a user",
  handlerFactory: () => withCognitoAuth({}, createCreateUserHandler()),
  packages: ["aws-jwt-verify"],
  environment: { USERS_TABLE: usersTable.name, ...cognitoEnvironment, ...corsEnvironment },
  policyStatements: [{ actions: ["dynamodb:PutItem"], resources: [usersTable.arn] }],
});
const getUser = new HandlerFunction("get-user", {
  ...lambdaDefaults,
  description: "GET /users/{id}: reads a user (someone else's needs the admins group)",
  handlerFactory: () => withCognitoAuth({}, createGetUserHandler()),
  packages: ["aws-jwt-verify"],
  environment: { USERS_TABLE: usersTable.name, ...cognitoEnvironment, ...corsEnvironment },
  policyStatements: [{ actions: ["dynamodb:GetItem"], resources: [usersTable.arn] }],
});
/** The TTL GET /data is cached for, told to the handler for its Cache-Control header. */
function dataCacheTtl(): number {
  return settings.methodOverrides["data/GET"]?.caching?.ttlSeconds ?? settings.cache?.ttlSeconds ?? 0;
}

const data = new HandlerFunction("data", {
  ...lambdaDefaults,
  description: "GET /data: the heavy, cached endpoint",
  handlerFactory: createDataHandler,
  environment: { CACHE_TTL_SECONDS: String(dataCacheTtl()), ...corsEnvironment },
});
const uploadFile = new HandlerFunction("upload-file", {
  ...lambdaDefaults,
  description: "POST /files: binary upload receipt",
  handlerFactory: createUploadFileHandler,
  environment: { ...corsEnvironment },
});

// Real-time fan-out beside the request/response API: a WebSocket API whose $connect takes a
// Cognito ID token (?token=), with broadcast, direct and whoami routes.
const realtime = new WebSocketApi("realtime", {
  cognito: { userPoolId: auth.userPoolId, clientId: auth.userPoolClientId },
  stage: { name: settings.stage.name, throttle: settings.stage.throttle, accessLogRetentionDays: settings.stage.accessLogRetentionDays },
  runtime: settings.lambda.runtime,
  logRetentionDays: settings.lambda.logRetentionDays,
});

/**
 * The REST flavour: every demo route, with mapping templates, the stage cache, usage tiers and
 * API keys, the Cognito and HMAC authorizers.
 */
function buildRestApi() {
  const transform = new HandlerFunction("transform", {
    ...lambdaDefaults,
    description: "POST /transform: non-proxy integration behind mapping templates",
    handlerFactory: createTransformHandler,
  });
  
  
  const partnerStatus = new HandlerFunction("partner-status", {
    ...lambdaDefaults,
    description: "GET /partner/status: who the HMAC authorizer says the caller is",
    handlerFactory: createPartnerStatusHandler,
    environment: { ...corsEnvironment },
  });
  
  // HMAC client tokens (clientId.unixSeconds.signature), checked by a cached TOKEN authorizer.
  const tokens = new TokenAuthorizer("partner-tokens", {
    clients: settings.tokenAuthorizer.clients,
    resultTtlSeconds: settings.tokenAuthorizer.resultTtlSeconds,
    runtime: settings.lambda.runtime,
    logRetentionDays: settings.lambda.logRetentionDays,
  });
  
  // A PRIVATE API answers only through execute-api VPC endpoints: the configured ones, or one
  // in a VPC made for it.
  let privateEndpoint: { vpcEndpointIds: pulumi.Input<string>[]; policy: pulumi.Input<string> } | undefined;
  if (settings.api.endpointType === "PRIVATE") {
    if (settings.api.vpcEndpointIds.length > 0) {
      privateEndpoint = { vpcEndpointIds: settings.api.vpcEndpointIds, policy: privateApiPolicy(settings.api.vpcEndpointIds) };
    } else {
      const network = new PrivateApiNetwork("private-api");
      privateEndpoint = { vpcEndpointIds: [network.vpcEndpointId], policy: network.resourcePolicy };
    }
  }

  // Customers onboarded, metered and revoked at run time (admins only). Its functions' IAM
  // policies name the tiers' usage plans, which need the stage, which needs these functions:
  // the plans reach the policies through a deferred output, resolved below (the functions find
  // the plans' ids at run time, by tag).
  const [customerPlans, resolveCustomerPlans] = pulumi.deferredOutput<CustomerPlans>();
  const customers = new CustomersApi("customers", {
    tiers: settings.tiers.map((tier) => tier.name),
    plans: customerPlans,
    cognito: { userPoolId: auth.userPoolId, userPoolClientId: auth.userPoolClientId },
    environment: { ...corsEnvironment },
    ...lambdaDefaults,
  });

  const api = new RestApi(
    "demo",
    demoApiArgs(
      settings,
      {
        createUser: createUser.function,
        getUser: getUser.function,
        data: data.function,
        transform: transform.function,
        uploadFile: uploadFile.function,
        partnerStatus: partnerStatus.function,
      },
      { hmac: tokens.authorizer(), cognito: auth.authorizer() },
      privateEndpoint,
      customers,
    ),
  );
  
  // Tiered usage plans, and an API key per customer in its tier's plan (GET /data, POST /files).
  const usage = new UsageTiers("usage", { stage: api.stage, tiers: settings.tiers, customers: settings.customers });
  resolveCustomerPlans(customerPlansOf(api.stage, usage));
  // The invalidation side of the stage cache: a flush function, and the roles allowed to
  // send Cache-Control: max-age=0 (the cache settings themselves are the method settings).
  const cache = settings.cache
    ? new ApiCache("cache", {
        restApi: api.restApi,
        stage: api.stage,
        invalidatorRoleNames: settings.cache.invalidatorRoleNames,
        flushFunction: { runtime: settings.lambda.runtime, logRetentionDays: settings.lambda.logRetentionDays },
      })
    : undefined;

  // Dashboard and alarms (4XX, 5XX, latency) on an SNS topic.
  const monitoring = new ApiMonitoring("monitoring", {
    apiName: api.restApi.name,
    stageName: api.stage.stageName,
    webSocket: { apiId: realtime.apiId, stageName: realtime.stage.name },
    thresholds: settings.monitoring.thresholds,
    alarmEmail: settings.monitoring.alarmEmail,
  });

  // WAF in front of the stage where configured (prod): managed rules and a per-IP rate limit.
  if (settings.waf) new WebAcl("waf", { stageArn: api.stage.arn, ...settings.waf });

  // The API at its own domain where configured (prod): certificate, domain name, base path
  // mapping and alias records; the domain URL is then the stack's apiUrl.
  const domain = settings.customDomain
    ? new CustomDomain("api", {
        domainName: settings.customDomain.domainName,
        hostedZoneId: settings.customDomain.hostedZoneId,
        endpointType: settings.customDomain.endpointType,
        ipAddressType: settings.customDomain.ipAddressType,
        certificateArn: settings.customDomain.certificateArn,
        mappings: [{ basePath: settings.customDomain.basePath, restApiId: api.restApi.id, stageName: api.stage.stageName }],
      })
    : undefined;

  return { url: domain?.url ?? api.url, apiKeys: usage.apiKeys, tokenClients: tokens.tokenClients, cacheFlushFunction: cache?.flushFunctionName, dashboardName: monitoring.dashboardName };
}

/**
 * The HTTP flavour (cheaper, lower latency): the same Lambda routes behind a JWT authorizer
 * on the Cognito issuer, CORS and route throttling. REST-only features were refused by the
 * config reader; /transform (mapping templates) and /partner/status (the REST TOKEN
 * authorizer) exist on the REST flavour only.
 */
function buildHttpApi() {
  const health = new HandlerFunction("health", {
    ...lambdaDefaults,
    description: "GET /health (HTTP APIs have no MOCK integrations)",
    handlerFactory: createHealthHandler,
  });
  const jwt = "cognito";
  const api = new HttpApi("demo", {
    description: `apigw-kit demo API (${settings.stack})`,
    jwtAuthorizers: { [jwt]: { issuer: auth.issuer, audience: [auth.userPoolClientId] } },
    cors: settings.cors,
    stage: { name: settings.stage.name, throttle: settings.stage.throttle, accessLogRetentionDays: settings.stage.accessLogRetentionDays },
    routes: [
      { method: "GET", path: "/health", function: health.function },
      { method: "POST", path: "/users", function: createUser.function, authorizer: jwt },
      { method: "GET", path: "/users/{id}", function: getUser.function, authorizer: jwt },
      { method: "GET", path: "/data", function: data.function, throttle: settings.methodOverrides["data/GET"]?.throttle },
      { method: "POST", path: "/files", function: uploadFile.function },
    ],
  });
  return { url: api.url, apiKeys: undefined, tokenClients: undefined, cacheFlushFunction: undefined, dashboardName: undefined };
}

const built = settings.api.resolved === "HTTP" ? buildHttpApi() : buildRestApi();

export const apiType = settings.api.resolved;
export const apiUrl = built.url;
export const usersTableName = usersTable.name;
/** API keys by customer id (secret): `pulumi stack output --show-secrets apiKeys`. */
export const apiKeys = built.apiKeys;
export const userPoolId = auth.userPoolId;
export const userPoolClientId = auth.userPoolClientId;
/** HMAC client secrets by client id (secret): `npm run token -- --client <id>` mints a token. */
export const tokenClients = built.tokenClients;
/** The WebSocket API's URL with its stage (`wss://.../dev`; `ws://127.0.0.1:.../dev` locally). */
export const websocketUrl = realtime.websocketUrl;
/** The CloudWatch dashboard of the REST stage. */
export const dashboardName = built.dashboardName;
/** The function that flushes the stage cache (REST with a cache cluster only). */
export const cacheFlushFunction = built.cacheFlushFunction;
