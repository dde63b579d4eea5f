import * as path from "node:path";
import { expect } from "chai";
import { chooseApiType, validateApiRequirements } from "../../components/chooseApiType";
import { createHmacToken, HMAC_TOKEN_PATTERN } from "../../functions/hmacToken";
import { ProgramRun, RecordedResource } from "../../local/controlPlane";
import { loadStackConfig } from "../../local/stackConfig";
import { checkCustomersPolicy } from "../components/customersPolicy";
import { methodKeys, recordedRoute, selects } from "./apiRoutes";
import { HTTP_OVERRIDES, Stack, stackRun } from "./stackRuns";

const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** A widget of the CloudWatch dashboard body, as far as the specs read it. */
interface DashboardWidget {
  type: string;
  properties: { metrics?: unknown[][]; alarms?: unknown[]; title?: string } & Record<string, unknown>;
}
const T = {
  restApi: "aws:apigateway/restApi:RestApi",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  methodResponse: "aws:apigateway/methodResponse:MethodResponse",
  integrationResponse: "aws:apigateway/integrationResponse:IntegrationResponse",
  gatewayResponse: "aws:apigateway/response:Response",
  model: "aws:apigateway/model:Model",
  validator: "aws:apigateway/requestValidator:RequestValidator",
  deployment: "aws:apigateway/deployment:Deployment",
  stage: "aws:apigateway/stage:Stage",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  table: "aws:dynamodb/table:Table",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  usagePlan: "aws:apigateway/usagePlan:UsagePlan",
  apiKey: "aws:apigateway/apiKey:ApiKey",
  usagePlanKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
  userPool: "aws:cognito/userPool:UserPool",
  userPoolClient: "aws:cognito/userPoolClient:UserPoolClient",
  userGroup: "aws:cognito/userGroup:UserGroup",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  randomPassword: "random:index/randomPassword:RandomPassword",
  httpApi: "aws:apigatewayv2/api:Api",
  httpRoute: "aws:apigatewayv2/route:Route",
  httpIntegration: "aws:apigatewayv2/integration:Integration",
  httpAuthorizer: "aws:apigatewayv2/authorizer:Authorizer",
  httpStage: "aws:apigatewayv2/stage:Stage",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  policy: "aws:iam/policy:Policy",
  policyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
} as const;


// The VTL that echoes an allowed Origin when several are allowed (dev); with one origin (prod)
// a static header does it and the template prefix is empty.
const DEV_ORIGIN_CHECK = [
  `#set($origin = $input.params().header.get("Origin"))`,
  `#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end`,
  `#if($origin == "http://localhost:3000" || $origin == "http://127.0.0.1:3000")#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end`,
  "",
].join("\n");

const ALLOW_HEADERS = "'Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token'";

/** What each stack file asks for, written out by hand from Pulumi.<stack>.yaml. */
const EXPECTED = {
  dev: {
    endpointType: "REGIONAL",
    accessLogRetentionDays: 7,
    cacheClusterSize: "0.5",
    originCheck: DEV_ORIGIN_CHECK,
    staticAllowOrigin: undefined as string | undefined,
    gatewayResponseOrigin: "'http://localhost:3000'",
    corsEnv: { CORS_ALLOW_ORIGINS: "http://localhost:3000,http://127.0.0.1:3000", CORS_ALLOW_CREDENTIALS: "true" },
    maxAge: "'300'",
    stageSettings: {
      metricsEnabled: true,
      loggingLevel: "INFO",
      dataTraceEnabled: true,
      throttlingRateLimit: 20,
      throttlingBurstLimit: 40,
      cachingEnabled: true,
      cacheTtlInSeconds: 30,
      cacheDataEncrypted: false,
      requireAuthorizationForCacheControl: false,
      unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
    },
    dataOverride: { throttlingRateLimit: 5, throttlingBurstLimit: 10, cacheTtlInSeconds: 60 },
    lambda: { memorySize: 256, timeout: 10, logRetentionDays: 7 },
    pointInTimeRecovery: false,
    customers: { acme: "basic", globex: "premium" } as Record<string, string>,
    deletionProtection: "INACTIVE",
  },
  prod: {
    endpointType: "EDGE",
    accessLogRetentionDays: 90,
    cacheClusterSize: "1.6",
    originCheck: "",
    staticAllowOrigin: "'https://app.example.com'",
    gatewayResponseOrigin: "'https://app.example.com'",
    corsEnv: { CORS_ALLOW_ORIGINS: "https://app.example.com", CORS_ALLOW_CREDENTIALS: "true" },
    maxAge: "'600'",
    stageSettings: {
      metricsEnabled: true,
      loggingLevel: "INFO",
      dataTraceEnabled: false,
      throttlingRateLimit: 1000,
      throttlingBurstLimit: 2000,
      cachingEnabled: true,
      cacheTtlInSeconds: 300,
      cacheDataEncrypted: true,
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: "FAIL_WITH_403",
    },
    dataOverride: { throttlingRateLimit: 100, throttlingBurstLimit: 200, cacheTtlInSeconds: 3600 },
    lambda: { memorySize: 512, timeout: 10, logRetentionDays: 30 },
    pointInTimeRecovery: true,
    customers: { acme: "basic", globex: "premium", initech: "enterprise" } as Record<string, string>,
    deletionProtection: "ACTIVE",
  },
};

/**
 * Client-facing routes, with the function behind each (none for MOCK), the authorizer guarding
 * it (by its name in the RestApi) and whether it needs an API key.
 */
const ROUTES: { method: string; path: string; fn?: string; authorizer?: "cognito" | "hmac"; apiKey?: boolean }[] = [
  { method: "GET", path: "/health" },
  { method: "POST", path: "/users", fn: "create-user", authorizer: "cognito" },
  { method: "GET", path: "/users/{id}", fn: "get-user", authorizer: "cognito" },
  { method: "GET", path: "/data", fn: "data", apiKey: true },
  { method: "POST", path: "/transform", fn: "transform" },
  { method: "GET", path: "/partner/status", fn: "partner-status", authorizer: "hmac" },
  { method: "POST", path: "/files", fn: "upload-file", apiKey: true },
];
/** The customers API's routes (issue 14), each with the function of its family; all behind the Cognito authorizer. */
const CUSTOMER_ROUTE_TABLE: { method: string; path: string; fn: string }[] = [
  { method: "POST", path: "/customers", fn: "customers-onboard" },
  { method: "GET", path: "/customers", fn: "customers-read" },
  { method: "GET", path: "/customers/{id}/usage", fn: "customers-read" },
  { method: "PUT", path: "/customers/{id}/tier", fn: "customers-tier" },
  { method: "POST", path: "/customers/{id}/rotate", fn: "customers-rotate" },
  { method: "POST", path: "/customers/{id}/disable", fn: "customers-state" },
  { method: "POST", path: "/customers/{id}/enable", fn: "customers-state" },
  { method: "DELETE", path: "/customers/{id}", fn: "customers-remove" },
];
/** The customers API's functions, one per family of routes. */
const CUSTOMER_FUNCTIONS = ["customers-onboard", "customers-read", "customers-tier", "customers-rotate", "customers-state", "customers-remove"];
const PREFLIGHT_METHODS: Record<string, string> = {
  "/health": "'GET,OPTIONS'",
  "/users": "'POST,OPTIONS'",
  "/users/{id}": "'GET,OPTIONS'",
  "/data": "'GET,OPTIONS'",
  "/transform": "'POST,OPTIONS'",
  "/partner/status": "'GET,OPTIONS'",
  "/files": "'POST,OPTIONS'",
  "/customers": "'POST,GET,OPTIONS'",
  "/customers/{id}": "'DELETE,OPTIONS'",
  "/customers/{id}/usage": "'GET,OPTIONS'",
  "/customers/{id}/tier": "'PUT,OPTIONS'",
  "/customers/{id}/rotate": "'POST,OPTIONS'",
  "/customers/{id}/disable": "'POST,OPTIONS'",
  "/customers/{id}/enable": "'POST,OPTIONS'",
};
/** Every function of the REST flavour: the six route handlers and the HMAC TOKEN authorizer. */
const FUNCTIONS = ["create-user", "get-user", "data", "transform", "upload-file", "partner-status", "partner-tokens"];
/** The WebSocketApi's functions (components/WebSocketApi.ts): one per route, and the $connect authorizer. */
const REALTIME_FUNCTIONS = [
  "realtime-connect",
  "realtime-disconnect",
  "realtime-default",
  "realtime-broadcast",
  "realtime-direct",
  "realtime-whoami",
  "realtime-authorizer",
];
/** Every function of the REST flavour with a stage cache: the above, the customers API's, the cache flush function and the WebSocket API's. */
const ALL_FUNCTIONS = [...FUNCTIONS, ...CUSTOMER_FUNCTIONS, "cache-flush", ...REALTIME_FUNCTIONS];
/** The WebSocket route keys, each with its function. */
const WEBSOCKET_ROUTES: Record<string, string> = {
  $connect: "realtime-connect",
  $disconnect: "realtime-disconnect",
  $default: "realtime-default",
  broadcast: "realtime-broadcast",
  direct: "realtime-direct",
  whoami: "realtime-whoami",
};
/** Fixed sizing of the functions apigw-kit:lambda does not size (their components' values). */
const FIXED_SIZING: Record<string, { memorySize: number; timeout: number }> = {
  "partner-tokens": { memorySize: 128, timeout: 5 },
  "cache-flush": { memorySize: 128, timeout: 10 },
  "realtime-authorizer": { memorySize: 256, timeout: 10 },
  ...Object.fromEntries(Object.values(WEBSOCKET_ROUTES).map((name) => [name, { memorySize: 256, timeout: 29 }])),
};
/** The Lambda proxies, which answer CORS themselves. */
const PROXY_FUNCTIONS = ["create-user", "get-user", "data", "upload-file", "partner-status", ...CUSTOMER_FUNCTIONS];
/** The TokenAuthorizer's own function sizing (its defaults; apigw-kit:lambda sizes the handlers). */
const AUTHORIZER_FUNCTION = { memorySize: 128, timeout: 5 };
const LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"];
/** The usage plans of the default tiers (UsageTiers' DEFAULT_TIERS, as documented in the stack files). */
const DEFAULT_TIER_PLANS: Record<string, { throttleSettings: object; quotaSettings?: object; tags: object }> = {
  basic: { throttleSettings: { rateLimit: 10, burstLimit: 20 }, quotaSettings: { limit: 1000, period: "DAY", offset: 0 }, tags: { "apigw-kit:tier": "basic" } },
  premium: { throttleSettings: { rateLimit: 100, burstLimit: 200 }, quotaSettings: { limit: 10000, period: "DAY", offset: 0 }, tags: { "apigw-kit:tier": "premium" } },
  enterprise: { throttleSettings: { rateLimit: 1000, burstLimit: 2000 }, tags: { "apigw-kit:tier": "enterprise" } },
};
/** The HTTP flavour's routes, with their functions and the JWT authorizer where there is one. */
const HTTP_ROUTES: { method: string; path: string; fn: string; jwt?: boolean }[] = [
  { method: "GET", path: "/health", fn: "health" },
  { method: "POST", path: "/users", fn: "create-user", jwt: true },
  { method: "GET", path: "/users/{id}", fn: "get-user", jwt: true },
  { method: "GET", path: "/data", fn: "data" },
  { method: "POST", path: "/files", fn: "upload-file" },
];
const COGNITO_ISSUER = (poolId: string) => `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`;

/** The stack file's apigw-kit keys, each deleted: what is left is `aws:region` alone. */
const WITHOUT_APIGW_KIT_CONFIG: Record<string, undefined> = Object.fromEntries(
  Object.keys(loadStackConfig(PROJECT_ROOT, "dev").config)
    .filter((key) => key.startsWith("apigw-kit:"))
    .map((key) => [key, undefined]),
);

// One evaluation per stack (or config variant), shared with the other specs of the process
// (tests/program/stackRuns.ts): stableArns, HTTP_OVERRIDES and the run cache live there.

describe("program (index.ts) on the dev and prod stacks", () => {
  for (const stack of ["dev", "prod"] as const) {
    const want = EXPECTED[stack];

    describe(`stack ${stack}`, () => {
      let run: ProgramRun;
      const one = (type: string, name: string) => run.graph.get(type, name);
      const all = (type: string) => run.graph.ofType(type);
      const api = () => one(T.restApi, "demo-api");
      const fn = (name: string) => one(T.fn, name);

      before(async () => {
        run = await stackRun(stack);
      });

      describe("stack outputs", () => {
        it("are exactly apiType, apiUrl, usersTableName, apiKeys, userPoolId, userPoolClientId, tokenClients, websocketUrl, dashboardName and cacheFlushFunction; only apiKeys and tokenClients are secret", () => {
          expect(Object.keys(run.outputs).sort()).to.deep.equal(
            ["apiKeys", "apiType", "apiUrl", "cacheFlushFunction", "dashboardName", "tokenClients", "userPoolClientId", "userPoolId", "usersTableName", "websocketUrl"],
          );
          const secret = Object.entries(run.outputs).filter(([, output]) => output.secret).map(([key]) => key);
          expect(secret.sort()).to.deep.equal(["apiKeys", "tokenClients"]);
        });

        it('apiType is "REST"', () => {
          expect(run.outputs.apiType.value).to.equal("REST");
        });

        if (stack === "dev") {
          it("apiUrl is the https invoke URL of stage dev, without a trailing slash", () => {
            expect(run.outputs.apiUrl.value).to.equal(`https://${api().id}.execute-api.us-east-1.amazonaws.com/dev`);
          });
        } else {
          it("apiUrl is the custom domain's URL, https://api.example.com/v1 (apigw-kit:customDomain)", () => {
            expect(run.outputs.apiUrl.value).to.equal("https://api.example.com/v1");
          });

          it("maps /v1 of the EDGE domain api.example.com (TLS 1.2, us-east-1 certificate) to stage prod, with A and AAAA alias records", () => {
            const domain = one("aws:apigateway/domainName:DomainName", "api-domain");
            expect(domain.inputs).to.deep.include({ domainName: "api.example.com", securityPolicy: "TLS_1_2" });
            expect(domain.inputs.endpointConfiguration.types).to.equal("EDGE");
            const mapping = one("aws:apigateway/basePathMapping:BasePathMapping", "api-mapping-v1");
            expect(mapping.inputs).to.deep.include({ restApi: api().id, stageName: "prod", basePath: "v1", domainName: "api.example.com" });
            expect(run.graph.ofType("aws:route53/record:Record").map((r) => r.inputs.type).sort()).to.deep.equal(["A", "AAAA", "CNAME"]);
            expect(one("aws:acm/certificate:Certificate", "api-certificate").provider).to.contain("api-us-east-1");
          });
        }

        it("usersTableName is the table's name", () => {
          expect(run.outputs.usersTableName.value).to.equal(one(T.table, "users").state.name).and.to.match(/^users-/);
        });

        it(`apiKeys holds one key per customer (${Object.keys(want.customers).join(", ")}): its ApiKey's value`, () => {
          const apiKeys = run.outputs.apiKeys.value as Record<string, string>;
          expect(Object.keys(apiKeys).sort()).to.deep.equal(Object.keys(want.customers).sort());
          for (const [customer, value] of Object.entries(apiKeys)) {
            expect(value, customer).to.equal(one(T.apiKey, `usage-key-${customer}`).state.value).and.to.match(/^[A-Za-z0-9]{20,}$/);
          }
          expect(new Set(Object.values(apiKeys)).size).to.equal(Object.keys(want.customers).length);
        });

        it("userPoolId and userPoolClientId are the user pool's and its app client's ids", () => {
          expect(run.outputs.userPoolId.value).to.equal(one(T.userPool, "users-pool").id).and.to.match(/^us-east-1_[A-Za-z0-9]+$/);
          expect(run.outputs.userPoolClientId.value).to.equal(one(T.userPoolClient, "users-client").id);
        });

        it("tokenClients holds one secret per HMAC client (partner-demo): its RandomPassword's result", () => {
          const clients = run.outputs.tokenClients.value as Record<string, string>;
          expect(Object.keys(clients)).to.deep.equal(["partner-demo"]);
          expect(clients["partner-demo"]).to.equal(one(T.randomPassword, "partner-tokens-secret-partner-demo").state.result).and.to.match(/^[A-Za-z0-9]{48}$/);
        });
      });

      describe("REST API", () => {
        it(`is ${want.endpointType}, with the default binary media types and no resource policy`, () => {
          expect(api().inputs.endpointConfiguration).to.deep.equal({ types: want.endpointType });
          expect(api().inputs.binaryMediaTypes).to.deep.equal(["image/*", "application/pdf", "application/octet-stream"]);
          expect(api().inputs.policy).to.equal(undefined);
          expect(api().inputs.description).to.equal(`apigw-kit demo API (${stack})`);
        });

        it("has exactly the 7 demo routes and the 8 customers routes, plus an OPTIONS preflight on each resource", () => {
          const routes = [...ROUTES, ...CUSTOMER_ROUTE_TABLE].map((r) => `${r.method} ${r.path}`);
          const preflights = Object.keys(PREFLIGHT_METHODS).map((p) => `OPTIONS ${p}`);
          expect(methodKeys(run.graph)).to.deep.equal([...routes, ...preflights].sort());
        });

        it("parents every API Gateway resource on the RestApi component, but usage plans and API keys on UsageTiers", () => {
          const restApi = one("apigw-kit:index:RestApi", "demo");
          const usage = one("apigw-kit:index:UsageTiers", "usage");
          const usageTypes: string[] = [T.usagePlan, T.apiKey, T.usagePlanKey];
          // The custom domain's (prod) are the CustomDomain component's.
          const domainTypes = ["aws:apigateway/domainName:DomainName", "aws:apigateway/basePathMapping:BasePathMapping"];
          const gatewayResources = run.graph.resources.filter((r) => r.type.startsWith("aws:apigateway/") && !domainTypes.includes(r.type));
          expect(gatewayResources.length).to.be.greaterThan(50);
          for (const r of gatewayResources) {
            expect(r.parent, `${r.type} ${r.name}`).to.equal(usageTypes.includes(r.type) ? usage.urn : restApi.urn);
          }
          expect(run.graph.childrenOf(usage.urn)).to.have.length(3 + 2 * Object.keys(want.customers).length);
        });

        it("parents the authorizer function, the clients secret and the passwords on the TokenAuthorizer component", () => {
          const tokens = one("apigw-kit:index:TokenAuthorizer", "partner-tokens");
          expect(run.graph.childrenOf(tokens.urn).map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal([
            "apigw-kit:index:HandlerFunction partner-tokens",
            `${T.secret} partner-tokens-clients`,
            `${T.secretVersion} partner-tokens-clients-version`,
            `${T.randomPassword} partner-tokens-secret-partner-demo`,
          ].sort());
          const handler = one("apigw-kit:index:HandlerFunction", "partner-tokens");
          expect(fn("partner-tokens").parent).to.equal(handler.urn);
        });
      });

      describe("routes", () => {
        it('GET /health is a MOCK answering {"status":"ok"}', () => {
          const route = recordedRoute(run.graph, "GET", "/health");
          expect(route.integration.inputs.type).to.equal("MOCK");
          expect(route.integration.inputs.requestTemplates).to.deep.equal({ "application/json": '{"statusCode": 200}' });
          expect(Object.keys(route.integrationResponses)).to.deep.equal(["200"]);
          expect(route.integrationResponses["200"].inputs.responseTemplates).to.deep.equal({
            "application/json": want.originCheck + '{"status":"ok"}',
          });
        });

        for (const { method, path: routePath, fn: fnName } of ROUTES.filter((r) => r.fn)) {
          it(`${method} ${routePath} invokes ${fnName} (POST to its invoke ARN), allowed by a permission for this method and path only`, () => {
            const route = recordedRoute(run.graph, method, routePath);
            const target = fn(fnName!);
            expect(route.integration.inputs.integrationHttpMethod).to.equal("POST");
            expect(route.integration.inputs.uri).to.equal(target.state.invokeArn);
            expect(route.integration.inputs.timeoutMilliseconds).to.equal(29000);
            const permissions = all(T.permission).filter((p) => p.inputs.function === target.state.name);
            expect(permissions.map((p) => p.inputs.sourceArn)).to.deep.equal([
              `${api().state.executionArn}/*/${method}${routePath.replace(/\{[^}]+\}/g, "*")}`,
            ]);
            expect(permissions[0].inputs.principal).to.equal("apigateway.amazonaws.com");
            expect(permissions[0].inputs.action).to.equal("lambda:InvokeFunction");
          });
        }

        it("POST /users is a proxy validated (body and parameters) against the User model, Content-Type required", () => {
          const route = recordedRoute(run.graph, "POST", "/users");
          expect(route.integration.inputs.type).to.equal("AWS_PROXY");
          expect(route.method.inputs.requestModels).to.deep.equal({ "application/json": "User" });
          expect(route.method.inputs.requestParameters).to.deep.equal({ "method.request.header.Content-Type": true });
          const validator = run.graph.findById(route.method.inputs.requestValidatorId)!;
          expect(validator.type).to.equal(T.validator);
          expect(validator.inputs).to.include({ validateRequestBody: true, validateRequestParameters: true });
        });

        it("the User model is draft-4 JSON Schema: email (format email), name 1..100, age integer 0..150", () => {
          const model = one(T.model, "demo-model-User");
          expect(model.inputs).to.include({ name: "User", contentType: "application/json", restApi: api().id });
          const schema = JSON.parse(model.inputs.schema);
          expect(schema.$schema).to.equal("http://json-schema.org/draft-04/schema#");
          expect(schema.type).to.equal("object");
          expect(schema.required).to.have.members(["email", "name"]);
          expect(schema.properties.email).to.include({ type: "string", format: "email" });
          expect(schema.properties.name).to.include({ type: "string", minLength: 1, maxLength: 100 });
          expect(schema.properties.age).to.include({ type: "integer", minimum: 0, maximum: 150 });
        });

        it("GET /users/{id} is a proxy with the PARAMETERS validator and a required path id", () => {
          const route = recordedRoute(run.graph, "GET", "/users/{id}");
          expect(route.integration.inputs.type).to.equal("AWS_PROXY");
          expect(route.method.inputs.requestParameters).to.deep.equal({ "method.request.path.id": true });
          const validator = run.graph.findById(route.method.inputs.requestValidatorId)!;
          expect(validator.inputs).to.include({ validateRequestBody: false, validateRequestParameters: true });
        });

        it("GET /data is a proxy cached by category, Accept-Language and Origin (its CORS answer depends on it), all declared on the method", () => {
          const route = recordedRoute(run.graph, "GET", "/data");
          const keys = ["method.request.querystring.category", "method.request.header.Accept-Language", "method.request.header.Origin"];
          expect(route.integration.inputs.type).to.equal("AWS_PROXY");
          expect(route.integration.inputs.cacheKeyParameters).to.have.members(keys).and.to.have.length(3);
          expect(route.method.inputs.requestParameters).to.deep.equal({
            "method.request.querystring.category": false,
            "method.request.header.Accept-Language": false,
            "method.request.header.Origin": false,
          });
          expect(route.method.inputs.requestValidatorId).to.equal(undefined);
        });

        it("POST /transform is a non-proxy Lambda whose request template hands over the whole request", () => {
          const route = recordedRoute(run.graph, "POST", "/transform");
          expect(route.integration.inputs.type).to.equal("AWS");
          expect(route.integration.inputs.passthroughBehavior).to.equal("NEVER");
          const templates = route.integration.inputs.requestTemplates as Record<string, string>;
          expect(Object.keys(templates)).to.deep.equal(["application/json"]);
          const template = templates["application/json"];
          for (const piece of [
            `"method": "$context.httpMethod"`,
            `"body": $input.json('$')`,
            `"headers": {`,
            "$params.header",
            `"query": {`,
            "$params.querystring",
            `"pathParameters": {`,
            "$params.path",
            `"accountId": "$context.accountId"`,
            `"apiId": "$context.apiId"`,
            `"requestId": "$context.requestId"`,
            `"requestTime": "$context.requestTime"`,
            `"sourceIp": "$context.identity.sourceIp"`,
            "$context.identity.userAgent",
          ]) {
            expect(template, piece).to.contain(piece);
          }
          expect(template.startsWith("#set($params = $input.params())")).to.equal(true);
        });

        it("POST /transform maps errors: 200 by default, [BadRequest] messages to 400, any other to 500", () => {
          const route = recordedRoute(run.graph, "POST", "/transform");
          expect(Object.keys(route.integrationResponses).sort()).to.deep.equal(["200", "400", "500"]);
          expect(Object.keys(route.methodResponses).sort()).to.deep.equal(["200", "400", "500"]);
          const pattern = (status: string) => route.integrationResponses[status].inputs.selectionPattern as string | undefined;
          expect(pattern("200") ?? "").to.equal("");
          expect(selects(pattern("400")!, "[BadRequest] x")).to.equal(true);
          expect(selects(pattern("400")!, "[BadRequest] Unknown operation \"shout\"; allowed: uppercase")).to.equal(true);
          expect(selects(pattern("400")!, "boom")).to.equal(false);
          expect(selects(pattern("400")!, "Error: [BadRequest] x")).to.equal(false);
          expect(pattern("500")).to.equal(".+");
          expect(selects(pattern("500")!, "boom")).to.equal(true);
          expect(selects(pattern("500")!, "")).to.equal(false);
          const body = (status: string) => route.integrationResponses[status].inputs.responseTemplates["application/json"] as string;
          expect(body("200")).to.contain(`"success":true`).and.to.contain(`"data":$input.json('$')`);
          expect(body("400")).to.contain(`"type":"BadRequest"`).and.to.contain("$input.path('$.errorMessage')");
          expect(body("500")).to.contain(`"type":"InternalError"`).and.not.to.contain("errorMessage");
        });

        it("POST /files is a proxy", () => {
          const route = recordedRoute(run.graph, "POST", "/files");
          expect(route.integration.inputs.type).to.equal("AWS_PROXY");
          expect(route.method.inputs.requestValidatorId).to.equal(undefined);
        });

        it("GET /partner/status is a proxy, never cached (see method settings)", () => {
          const route = recordedRoute(run.graph, "GET", "/partner/status");
          expect(route.integration.inputs.type).to.equal("AWS_PROXY");
          expect(route.integration.inputs.cacheKeyParameters ?? []).to.deep.equal([]);
          expect(route.method.inputs.requestValidatorId).to.equal(undefined);
        });

        it("POST /users, GET /users/{id} and the customers routes need a Cognito token, GET /partner/status an HMAC token (CUSTOM); the rest, preflights included, are open", () => {
          const authorizerId = { cognito: one(T.authorizer, "demo-authorizer-cognito").id, hmac: one(T.authorizer, "demo-authorizer-hmac").id };
          const authorization = { cognito: "COGNITO_USER_POOLS", hmac: "CUSTOM" };
          for (const { method, path: routePath, authorizer } of [...ROUTES, ...CUSTOMER_ROUTE_TABLE.map((r) => ({ ...r, authorizer: "cognito" as const }))]) {
            const { inputs } = recordedRoute(run.graph, method, routePath).method;
            const key = `${method} ${routePath}`;
            expect(inputs.authorization, key).to.equal(authorizer ? authorization[authorizer] : "NONE");
            expect(inputs.authorizerId, key).to.equal(authorizer ? authorizerId[authorizer] : undefined);
            expect(inputs.authorizationScopes, key).to.equal(undefined);
          }
          for (const resource of Object.keys(PREFLIGHT_METHODS)) {
            const { inputs } = recordedRoute(run.graph, "OPTIONS", resource).method;
            expect(inputs, resource).to.include({ authorization: "NONE", apiKeyRequired: false });
            expect(inputs.authorizerId, resource).to.equal(undefined);
          }
        });

        it("each authorized method depends on its authorizer, so the deployment (which waits for the methods) does too", () => {
          for (const { method, path: routePath, authorizer } of ROUTES.filter((r) => r.authorizer)) {
            const recorded = recordedRoute(run.graph, method, routePath).method;
            expect(recorded.dependencies, `${method} ${routePath}`).to.include(one(T.authorizer, `demo-authorizer-${authorizer}`).urn);
          }
        });

        it("GET /data and POST /files require an API key; no other method does", () => {
          for (const { method, path: routePath, apiKey } of ROUTES) {
            expect(recordedRoute(run.graph, method, routePath).method.inputs.apiKeyRequired, `${method} ${routePath}`).to.equal(apiKey === true);
          }
          const keyed = all(T.method).filter((m) => m.inputs.apiKeyRequired).map((m) => m.name).sort();
          expect(keyed).to.deep.equal(["demo-GET-data-method", "demo-POST-files-method"]);
        });
      });

      describe("Cognito user pool", () => {
        const pool = () => one(T.userPool, "users-pool");

        it("signs users in by email address (case-insensitive, verified), created by administrators only", () => {
          expect(pool().inputs).to.deep.include({
            usernameAttributes: ["email"],
            autoVerifiedAttributes: ["email"],
            usernameConfiguration: { caseSensitive: false },
            adminCreateUserConfig: { allowAdminCreateUserOnly: true },
            accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
          });
        });

        it("requires passwords of at least 12 characters with upper and lower case, numbers and symbols (apigw-kit:cognito default)", () => {
          expect(pool().inputs.passwordPolicy).to.deep.equal({
            minimumLength: 12,
            requireUppercase: true,
            requireLowercase: true,
            requireNumbers: true,
            requireSymbols: true,
            temporaryPasswordValidityDays: 7,
          });
        });

        it("has MFA OFF (no apigw-kit:cognito.mfa in the stack file), so no software token block", () => {
          expect(pool().inputs.mfaConfiguration).to.equal("OFF");
          expect(pool().inputs).not.to.have.property("softwareTokenMfaConfiguration");
        });

        it(`has deletion protection ${want.deletionProtection}${stack === "prod" ? " (prod)" : ""}`, () => {
          expect(pool().inputs.deletionProtection).to.equal(want.deletionProtection);
        });

        it("has an app client for USER_PASSWORD_AUTH and SRP sign-in, without a secret", () => {
          const client = one(T.userPoolClient, "users-client");
          expect(client.inputs.userPoolId).to.equal(pool().id);
          expect(client.inputs.generateSecret).to.equal(false);
          expect(client.state.clientSecret).to.equal(undefined);
          expect(client.inputs.explicitAuthFlows).to.have.members(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
          expect(all(T.userPoolClient)).to.have.length(1);
        });

        it("has the groups admins and users", () => {
          const groups = all(T.userGroup);
          expect(groups.map((g) => g.inputs.name).sort()).to.deep.equal(["admins", "users"]);
          for (const group of groups) expect(group.inputs.userPoolId, group.name).to.equal(pool().id);
        });

        it("is what the COGNITO_USER_POOLS authorizer accepts, from the Authorization header, cached 300 s", () => {
          expect(one(T.authorizer, "demo-authorizer-cognito").inputs).to.deep.equal({
            restApi: api().id,
            name: "cognito",
            type: "COGNITO_USER_POOLS",
            providerArns: [pool().state.arn],
            identitySource: "method.request.header.Authorization",
            authorizerResultTtlInSeconds: 300,
          });
          expect(all(T.authorizer)).to.have.length(2);
        });

        it("create-user, get-user and the customers functions are told the pool and its client (USER_POOL_ID, USER_POOL_CLIENT_ID); no other function is", () => {
          const client = one(T.userPoolClient, "users-client");
          for (const name of [...FUNCTIONS, ...CUSTOMER_FUNCTIONS]) {
            const variables = fn(name).inputs.environment?.variables ?? {};
            if (name === "create-user" || name === "get-user" || CUSTOMER_FUNCTIONS.includes(name)) {
              expect(variables, name).to.include({ USER_POOL_ID: pool().id, USER_POOL_CLIENT_ID: client.id });
            } else {
              expect(variables, name).not.to.have.any.keys("USER_POOL_ID", "USER_POOL_CLIENT_ID");
            }
          }
        });
      });

      describe("HMAC token authorizer", () => {
        const secret = () => one(T.secret, "partner-tokens-clients");

        it("is a TOKEN authorizer on the Authorization header, invoking partner-tokens, checking HMAC_TOKEN_PATTERN first, cached 60 s (less than a token's 300 s)", () => {
          expect(one(T.authorizer, "demo-authorizer-hmac").inputs).to.deep.equal({
            restApi: api().id,
            name: "hmac",
            type: "TOKEN",
            identitySource: "method.request.header.Authorization",
            identityValidationExpression: HMAC_TOKEN_PATTERN,
            authorizerResultTtlInSeconds: 60,
            authorizerUri: fn("partner-tokens").state.invokeArn,
          });
          // The expression admits what clients mint and refuses a bearer token without a call.
          const pattern = new RegExp(HMAC_TOKEN_PATTERN);
          expect(pattern.test(createHmacToken("partner-demo", "s3cret", 1_700_000_000))).to.equal(true);
          expect(pattern.test("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")).to.equal(false);
        });

        it("API Gateway may invoke the authorizer function for this API's authorizers only", () => {
          const permissions = all(T.permission).filter((p) => p.inputs.function === fn("partner-tokens").state.name);
          expect(permissions.map((p) => p.inputs)).to.deep.equal([
            {
              action: "lambda:InvokeFunction",
              function: fn("partner-tokens").state.name,
              principal: "apigateway.amazonaws.com",
              sourceArn: `${api().state.executionArn}/authorizers/*`,
            },
          ]);
        });

        it("keeps the clients' secrets in one Secrets Manager secret, whose version holds {clientId: secret} JSON", () => {
          const version = one(T.secretVersion, "partner-tokens-clients-version");
          expect(all(T.secret)).to.have.length(1);
          expect(all(T.secretVersion)).to.have.length(1);
          expect(version.inputs.secretId).to.equal(secret().id);
          expect(JSON.parse(version.inputs.secretString)).to.deep.equal(run.outputs.tokenClients.value);
          expect(one(T.randomPassword, "partner-tokens-secret-partner-demo").inputs).to.deep.equal({ length: 48, special: false });
        });

        it("tells the authorizer function the secret's ARN and the result TTL (it admits a token only while the TTL fits in its window), nothing else", () => {
          expect(fn("partner-tokens").inputs.environment).to.deep.equal({ variables: { TOKEN_CLIENTS_SECRET_ID: secret().state.arn, TOKEN_RESULT_TTL_SECONDS: "60" } });
        });

        it("creates the authorizer function only once the secret has its value", () => {
          const handler = one("apigw-kit:index:HandlerFunction", "partner-tokens");
          expect(handler.dependencies).to.include(one(T.secretVersion, "partner-tokens-clients-version").urn);
        });
      });

      describe("usage tiers", () => {
        it("are a usage plan per default tier (basic 10/20 1000/DAY, premium 100/200 10000/DAY, enterprise 1000/2000 no quota) on this API's stage", () => {
          expect(all(T.usagePlan).map((p) => p.name).sort()).to.deep.equal(["usage-basic", "usage-enterprise", "usage-premium"]);
          const stage = one(T.stage, "demo-stage");
          for (const [tier, limits] of Object.entries(DEFAULT_TIER_PLANS)) {
            const plan = one(T.usagePlan, `usage-${tier}`);
            expect(plan.inputs, tier).to.deep.equal({
              name: `usage-${tier}`,
              description: `${tier} tier`,
              apiStages: [{ apiId: api().id, stage: stack }],
              ...limits,
            });
            // API Gateway refuses a plan naming a stage that does not exist yet.
            expect(plan.dependencies, tier).to.include(stage.urn);
          }
        });

        it(`give each customer (${Object.entries(want.customers).map(([c, t]) => `${c}: ${t}`).join(", ")}) an enabled API key in its tier's plan`, () => {
          expect(all(T.apiKey).map((k) => k.name).sort()).to.deep.equal(Object.keys(want.customers).map((c) => `usage-key-${c}`).sort());
          expect(all(T.usagePlanKey)).to.have.length(Object.keys(want.customers).length);
          for (const [customer, tier] of Object.entries(want.customers)) {
            const key = one(T.apiKey, `usage-key-${customer}`);
            expect(key.inputs, customer).to.deep.equal({
              name: `usage-${customer}`,
              description: `API key of ${customer} (${tier} tier)`,
              enabled: true,
              // What the customers API finds deploy-time customers by.
              customerId: customer,
              tags: { customer, "apigw-kit:stage": `${api().id}/${stack}`, "apigw-kit:origin": "config" },
            });
            expect(one(T.usagePlanKey, `usage-key-${customer}-plan`).inputs, customer).to.deep.equal({
              keyId: key.id,
              keyType: "API_KEY",
              usagePlanId: one(T.usagePlan, `usage-${tier}`).id,
            });
          }
        });

        it("take keys from the x-api-key header (the API's default key source)", () => {
          expect(api().inputs.apiKeySource ?? "HEADER").to.equal("HEADER");
        });
      });

      describe("CORS", () => {
        it("answers OPTIONS on every resource with a MOCK listing the resource's methods", () => {
          for (const [resource, methods] of Object.entries(PREFLIGHT_METHODS)) {
            const route = recordedRoute(run.graph, "OPTIONS", resource);
            expect(route.method.inputs.authorization, resource).to.equal("NONE");
            expect(route.integration.inputs.type, resource).to.equal("MOCK");
            const headers = route.integrationResponses["200"].inputs.responseParameters;
            const expected: Record<string, string> = {
              "method.response.header.Access-Control-Allow-Methods": methods,
              "method.response.header.Access-Control-Allow-Headers": ALLOW_HEADERS,
              "method.response.header.Access-Control-Allow-Credentials": "'true'",
              "method.response.header.Access-Control-Max-Age": want.maxAge,
              "method.response.header.Vary": "'Origin'",
            };
            if (want.staticAllowOrigin) expected["method.response.header.Access-Control-Allow-Origin"] = want.staticAllowOrigin;
            expect(headers, resource).to.deep.equal(expected);
            expect(route.integrationResponses["200"].inputs.responseTemplates, resource).to.deep.equal({ "application/json": want.originCheck });
            // The origin set by the template must be a declared method response header.
            expect(route.methodResponses["200"].inputs.responseParameters, resource).to.have.property(
              "method.response.header.Access-Control-Allow-Origin",
            );
          }
        });

        if (stack === "dev") {
          it("echoes only the two allowed origins, through the origin-check template", () => {
            expect(DEV_ORIGIN_CHECK).to.contain(`$origin == "http://localhost:3000" || $origin == "http://127.0.0.1:3000"`);
            for (const response of all(T.integrationResponse)) {
              const templates = Object.values(response.inputs.responseTemplates ?? {}) as string[];
              expect(templates.length, response.name).to.be.greaterThan(0);
              for (const template of templates) expect(template.startsWith(DEV_ORIGIN_CHECK), response.name).to.equal(true);
              expect(response.inputs.responseParameters, response.name).not.to.have.property("method.response.header.Access-Control-Allow-Origin");
            }
          });
        } else {
          it("announces the one allowed origin as a static header on every non-proxy response", () => {
            for (const response of all(T.integrationResponse)) {
              expect(response.inputs.responseParameters["method.response.header.Access-Control-Allow-Origin"], response.name).to.equal(
                "'https://app.example.com'",
              );
              for (const template of Object.values(response.inputs.responseTemplates ?? {}) as string[]) {
                expect(template, response.name).not.to.contain("responseOverride");
              }
            }
          });
        }

        it("adds CORS headers to the DEFAULT_4XX and DEFAULT_5XX gateway responses", () => {
          const responses = all(T.gatewayResponse);
          expect(responses.map((r) => r.inputs.responseType).sort()).to.deep.equal(["DEFAULT_4XX", "DEFAULT_5XX"]);
          for (const response of responses) {
            expect(response.inputs.restApiId).to.equal(api().id);
            expect(response.inputs.responseParameters, response.inputs.responseType).to.deep.equal({
              "gatewayresponse.header.Access-Control-Allow-Origin": want.gatewayResponseOrigin,
              "gatewayresponse.header.Access-Control-Allow-Credentials": "'true'",
              "gatewayresponse.header.Access-Control-Allow-Headers": ALLOW_HEADERS,
              "gatewayresponse.header.Vary": "'Origin'",
            });
          }
        });

        it("tells the proxy functions the policy; the non-proxy transform function and the authorizer need none", () => {
          for (const name of PROXY_FUNCTIONS) {
            expect(fn(name).inputs.environment.variables, name).to.include(want.corsEnv);
          }
          expect(fn("transform").inputs.environment).to.equal(undefined);
          expect(fn("partner-tokens").inputs.environment.variables).not.to.have.any.keys("CORS_ALLOW_ORIGINS", "CORS_ALLOW_CREDENTIALS");
        });

        it("never allows the * origin, anywhere (credentials are allowed)", () => {
          const origins = allowedOrigins(run.graph.resources);
          expect(origins.length).to.be.greaterThan(10);
          for (const origin of origins) expect(origin).not.to.match(/^'?\*'?$/);
          expect(JSON.stringify(run.graph.resources.map((r) => r.inputs))).to.contain("Access-Control-Allow-Credentials");
        });
      });

      describe("stage", () => {
        it(`is named ${stack}, serves the deployment, traces with X-Ray and has a ${want.cacheClusterSize} GB cache`, () => {
          const stage = one(T.stage, "demo-stage");
          expect(stage.inputs).to.include({
            restApi: api().id,
            stageName: stack,
            deployment: one(T.deployment, "demo-deployment").id,
            xrayTracingEnabled: true,
            cacheClusterEnabled: true,
            cacheClusterSize: want.cacheClusterSize,
          });
        });

        it(`writes JSON access logs to its own log group, kept ${want.accessLogRetentionDays} days`, () => {
          const stage = one(T.stage, "demo-stage");
          const logGroup = one(T.logGroup, "demo-access-logs");
          expect(logGroup.inputs.retentionInDays).to.equal(want.accessLogRetentionDays);
          expect(logGroup.inputs.name).to.equal(`/aws/apigateway/${api().state.name}/${stack}/access`);
          expect(stage.inputs.accessLogSettings.destinationArn).to.equal(logGroup.state.arn);
          const format = JSON.parse(stage.inputs.accessLogSettings.format);
          expect(format).to.include({
            requestId: "$context.requestId",
            ip: "$context.identity.sourceIp",
            httpMethod: "$context.httpMethod",
            resourcePath: "$context.resourcePath",
            status: "$context.status",
            responseLatency: "$context.responseLatency",
          });
        });
      });

      describe("method settings", () => {
        const settings = (methodPath: string) => {
          const found = all(T.methodSettings).filter((s) => s.inputs.methodPath === methodPath);
          expect(found, methodPath).to.have.length(1);
          expect(found[0].inputs).to.include({ restApi: api().id, stageName: stack });
          return found[0].inputs.settings;
        };

        it("exist for */*, ~1customers/GET, ~1customers~1{id}~1usage/GET, ~1data/GET, ~1health/GET, ~1partner~1status/GET and ~1users~1{id}/GET only", () => {
          expect(all(T.methodSettings).map((s) => s.inputs.methodPath).sort()).to.deep.equal([
            "*/*",
            "~1customers/GET",
            "~1customers~1{id}~1usage/GET",
            "~1data/GET",
            "~1health/GET",
            "~1partner~1status/GET",
            "~1users~1{id}/GET",
          ]);
        });

        it(`*/*: metrics, INFO logs, data trace ${want.stageSettings.dataTraceEnabled ? "on" : "off"}, throttle ${want.stageSettings.throttlingRateLimit}/${want.stageSettings.throttlingBurstLimit}, cache ${want.stageSettings.cacheTtlInSeconds} s`, () => {
          expect(settings("*/*")).to.deep.equal(want.stageSettings);
        });

        it(`data/GET: throttle ${want.dataOverride.throttlingRateLimit}/${want.dataOverride.throttlingBurstLimit} and TTL ${want.dataOverride.cacheTtlInSeconds} s, still cached, the rest inherited`, () => {
          expect(settings("~1data/GET")).to.deep.equal({ ...want.stageSettings, ...want.dataOverride });
        });

        for (const [methodPath, why] of [
          ["~1users~1{id}/GET", "a record per user"],
          ["~1partner~1status/GET", "an answer per partner token: behind an authorizer whose identity is no cache key"],
          ["~1health/GET", "a MOCK answering Access-Control-Allow-Origin per Origin, which a MOCK cannot key its cache by"],
        ]) {
          it(`${methodPath}: never cached (${why}), the rest inherited`, () => {
            const { cachingEnabled, ...inherited } = settings(methodPath);
            expect(cachingEnabled).to.equal(false);
            expect(inherited).to.deep.equal({
              metricsEnabled: true,
              loggingLevel: "INFO",
              dataTraceEnabled: want.stageSettings.dataTraceEnabled,
              throttlingRateLimit: want.stageSettings.throttlingRateLimit,
              throttlingBurstLimit: want.stageSettings.throttlingBurstLimit,
            });
          });
        }
      });

      describe("Lambda functions", () => {
        it("are exactly the six handlers, the partner-tokens authorizer, the six customers functions, cache-flush and the seven realtime functions", () => {
          expect(all(T.fn).map((f) => f.name).sort()).to.deep.equal([...ALL_FUNCTIONS].sort());
        });

        it(`each run nodejs24.x under a role of their own (handlers and customers functions ${want.lambda.memorySize} MB / ${want.lambda.timeout} s, the authorizer 128 MB / 5 s, cache-flush 128 MB / 10 s, realtime 256 MB / 29 s and its authorizer 256 MB / 10 s)`, () => {
          expect(FIXED_SIZING["partner-tokens"]).to.deep.equal(AUTHORIZER_FUNCTION);
          const roles = new Set<string>();
          for (const name of ALL_FUNCTIONS) {
            const role = one(T.role, `${name}-role`);
            const sizing = FIXED_SIZING[name] ?? { memorySize: want.lambda.memorySize, timeout: want.lambda.timeout };
            expect(fn(name).inputs, name).to.include({
              runtime: "nodejs24.x",
              role: role.state.arn,
              handler: "__index.handler",
              ...sizing,
            });
            expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
              { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
            roles.add(role.state.arn);
          }
          expect(roles.size).to.equal(ALL_FUNCTIONS.length);
          expect(all(T.role)).to.have.length(ALL_FUNCTIONS.length);
        });

        const EXTRA_GRANTS: Record<string, { actions: string[]; on: string; resource: () => string }> = {
          "create-user": { actions: ["dynamodb:PutItem"], on: "the users table", resource: () => one(T.table, "users").state.arn },
          "get-user": { actions: ["dynamodb:GetItem"], on: "the users table", resource: () => one(T.table, "users").state.arn },
          "partner-tokens": { actions: ["secretsmanager:GetSecretValue"], on: "the clients secret", resource: () => one(T.secret, "partner-tokens-clients").state.arn },
        };
        for (const name of FUNCTIONS) {
          const extra = EXTRA_GRANTS[name];
          it(`${name} may ${extra ? `${extra.actions.join(", ")} on ${extra.on} and ` : "only "}write to its own log group`, () => {
            const logGroup = one(T.logGroup, `${name}-logs`);
            const rolePolicy = one(T.rolePolicy, `${name}-policy`);
            expect(logGroup.inputs).to.deep.equal({ name: `/aws/lambda/${fn(name).state.name}`, retentionInDays: want.lambda.logRetentionDays });
            expect(rolePolicy.inputs.role).to.equal(one(T.role, `${name}-role`).id);
            const statements = [{ Effect: "Allow", Action: LOG_ACTIONS, Resource: [`${logGroup.state.arn}:*`] }];
            if (extra) statements.push({ Effect: "Allow", Action: extra.actions, Resource: [extra.resource()] });
            expect(JSON.parse(rolePolicy.inputs.policy)).to.deep.equal({ Version: "2012-10-17", Statement: statements });
          });
        }

        it("no policy grants a wildcard action or resource, and no managed policy is attached (the one managed policy, cache-invalidate-cache, is attached to nothing)", () => {
          expect(all(T.rolePolicy)).to.have.length(ALL_FUNCTIONS.length);
          expect(all(T.policy).map((p) => p.name)).to.deep.equal(["cache-invalidate-cache"]);
          for (const { name, policy } of [...all(T.rolePolicy), ...all(T.policy)].map((r) => ({ name: r.name, policy: r.inputs.policy as string }))) {
            for (const statement of JSON.parse(policy).Statement) {
              for (const action of [statement.Action].flat()) expect(action, name).not.to.contain("*");
              for (const resource of [statement.Resource].flat()) expect(resource, name).not.to.equal("*");
            }
          }
          expect(all(T.policyAttachment)).to.deep.equal([]);
        });

        it("USERS_TABLE is the table's name for the users functions only", () => {
          const tableName = one(T.table, "users").state.name;
          expect(fn("create-user").inputs.environment.variables.USERS_TABLE).to.equal(tableName);
          expect(fn("get-user").inputs.environment.variables.USERS_TABLE).to.equal(tableName);
          for (const name of ALL_FUNCTIONS.filter((n) => n !== "create-user" && n !== "get-user")) {
            expect(fn(name).inputs.environment?.variables ?? {}, name).not.to.have.property("USERS_TABLE");
          }
        });

        it("data is told the TTL GET /data is cached for", () => {
          expect(fn("data").inputs.environment.variables.CACHE_TTL_SECONDS).to.equal(String(want.dataOverride.cacheTtlInSeconds));
        });
      });

      describe("customers API (issue 14)", () => {
        const plans = () => ({
          region: "us-east-1",
          restApiId: api().id!,
          stageName: stack,
          planIds: Object.fromEntries(Object.keys(DEFAULT_TIER_PLANS).map((tier) => [tier, one(T.usagePlan, `usage-${tier}`).id!])),
        });

        for (const { method, path: routePath, fn: fnName } of CUSTOMER_ROUTE_TABLE) {
          it(`${method} ${routePath} invokes ${fnName} behind the Cognito authorizer, allowed by a permission for this method and path`, () => {
            const route = recordedRoute(run.graph, method, routePath);
            expect(route.method.inputs).to.include({ authorization: "COGNITO_USER_POOLS", authorizerId: one(T.authorizer, "demo-authorizer-cognito").id, apiKeyRequired: false });
            expect(route.integration.inputs).to.include({ type: "AWS_PROXY", integrationHttpMethod: "POST", uri: fn(fnName).state.invokeArn });
            const sourceArns = all(T.permission).filter((p) => p.inputs.function === fn(fnName).state.name).map((p) => p.inputs.sourceArn);
            expect(sourceArns).to.include(`${api().state.executionArn}/*/${method}${routePath.replace(/\{[^}]+\}/g, "*")}`);
          });
        }

        it("validates the bodies of POST /customers and PUT /customers/{id}/tier against NewCustomer and CustomerTier (the body validator)", () => {
          for (const [method, routePath, model] of [["POST", "/customers", "NewCustomer"], ["PUT", "/customers/{id}/tier", "CustomerTier"]]) {
            const { inputs } = recordedRoute(run.graph, method, routePath).method;
            expect(inputs.requestModels, routePath).to.deep.equal({ "application/json": model });
            expect(run.graph.findById(inputs.requestValidatorId)!.inputs, routePath).to.include({ validateRequestBody: true, validateRequestParameters: false });
          }
          expect(all(T.model).map((m) => m.inputs.name).sort()).to.deep.equal(["CustomerTier", "NewCustomer", "User"]);
        });

        it("never caches GET /customers or GET /customers/{id}/usage", () => {
          for (const methodPath of ["~1customers/GET", "~1customers~1{id}~1usage/GET"]) {
            const settings = all(T.methodSettings).find((s) => s.inputs.methodPath === methodPath)!;
            expect(settings.inputs.settings.cachingEnabled, methodPath).to.equal(false);
          }
        });

        it("tells each function the default tiers, in order", () => {
          for (const name of CUSTOMER_FUNCTIONS) expect(fn(name).inputs.environment.variables.CUSTOMER_TIERS, name).to.equal('["basic","premium","enterprise"]');
        });

        it("gives each function a policy scoped to this stage's keys and the tiers' plans: specific actions only, no * resource", () => {
          const grants = Object.fromEntries(CUSTOMER_FUNCTIONS.map((name) => [name, checkCustomersPolicy(one(T.rolePolicy, `${name}-policy`).inputs.policy, plans())]));
          expect(grants["customers-state"]).to.deep.equal(["GET /apikeys", "PATCH /apikeys/*"]);
          expect(grants["customers-read"]).to.deep.equal(["GET /apikeys", "GET /usageplans", "GET /usageplans/{plan}/keys", "GET /usageplans/{plan}/usage"]);
          for (const name of CUSTOMER_FUNCTIONS) expect(one(T.rolePolicy, `${name}-policy`).inputs.role, name).to.equal(one(T.role, `${name}-role`).id);
        });

        it("creates the policies once the plans exist (they name them), and the functions before the stage (the stage serves them)", () => {
          const planUrns = Object.keys(DEFAULT_TIER_PLANS).map((tier) => one(T.usagePlan, `usage-${tier}`).urn);
          expect(one(T.rolePolicy, "customers-read-policy").dependencies).to.include.members(planUrns);
          for (const name of CUSTOMER_FUNCTIONS) expect(fn(name).dependencies, name).not.to.include(one(T.stage, "demo-stage").urn);
        });
      });

      describe("DynamoDB table", () => {
        it(`has hash key id, on demand, encrypted, point-in-time recovery ${want.pointInTimeRecovery ? "on" : "off"}`, () => {
          expect(one(T.table, "users").inputs).to.deep.equal({
            attributes: [{ name: "id", type: "S" }],
            billingMode: "PAY_PER_REQUEST",
            hashKey: "id",
            pointInTimeRecovery: { enabled: want.pointInTimeRecovery },
            serverSideEncryption: { enabled: true },
          });
        });
      });

      describeWebSocketApi(() => run, {
        stage: stack,
        accessLogRetentionDays: want.accessLogRetentionDays,
        logRetentionDays: want.lambda.logRetentionDays,
        throttle: { throttlingRateLimit: want.stageSettings.throttlingRateLimit, throttlingBurstLimit: want.stageSettings.throttlingBurstLimit },
      });

      describe("monitoring (ApiMonitoring)", () => {
        const ALARMS = [
          { name: "monitoring-4xx-errors", suffix: "4xx-errors", metricName: "4XXError", statistic: "Sum", threshold: 100 },
          { name: "monitoring-5xx-errors", suffix: "5xx-errors", metricName: "5XXError", statistic: "Sum", threshold: 10 },
          { name: "monitoring-latency", suffix: "latency", metricName: "Latency", statistic: "Average", threshold: 1000 },
        ];
        const dimensions = () => ({ ApiName: api().state.name, Stage: stack });

        it(`dashboardName is the one dashboard's name: the REST API's name and stage ${stack}`, () => {
          expect(all(T.dashboard)).to.have.length(1);
          const dashboard = one(T.dashboard, "monitoring-dashboard");
          expect(dashboard.parent).to.equal(one("apigw-kit:index:ApiMonitoring", "monitoring").urn);
          expect(run.outputs.dashboardName).to.deep.equal({ value: dashboard.state.dashboardName, secret: false });
          expect(dashboard.inputs.dashboardName).to.equal(`${api().state.name}-${stack}`);
        });

        it("the dashboard charts Count, 4XXError, 5XXError, Latency, IntegrationLatency, CacheHitCount and CacheMissCount of the stage, ConnectCount and MessageCount of the WebSocket stage, the business metrics, and the three alarms", () => {
          const body = JSON.parse(one(T.dashboard, "monitoring-dashboard").inputs.dashboardBody) as { widgets: DashboardWidget[] };
          const metricWidgets = body.widgets.filter((w) => w.type === "metric");
          const lines: unknown[][] = metricWidgets.flatMap((w) => w.properties.metrics as unknown[][]);
          const stageLines = lines.filter((m) => m[0] === "AWS/ApiGateway");
          expect([...new Set(stageLines.map((m) => m[1]))]).to.deep.equal(
            ["Count", "4XXError", "5XXError", "Latency", "IntegrationLatency", "CacheHitCount", "CacheMissCount", "ConnectCount", "MessageCount"],
          );
          const webSocketMetrics = ["ConnectCount", "MessageCount"];
          for (const line of stageLines) {
            // The WebSocket API's metrics are by ApiId (and its stage), the REST API's by ApiName.
            const dims = webSocketMetrics.includes(line[1] as string) ? ["ApiId", one(T.httpApi, "realtime-api").id, "Stage", stack] : ["ApiName", api().state.name, "Stage", stack];
            expect(line.slice(2, 6), String(line[1])).to.deep.equal(dims);
          }
          expect(lines.filter((m) => m[0] === "ApigwKit").map((m) => m[1])).to.deep.equal(["UsersCreated", "BroadcastsSent"]);
          for (const w of metricWidgets) expect(w.properties, w.properties.title).to.include({ region: "us-east-1", period: 300 });
          const alarmWidgets = body.widgets.filter((w) => w.type === "alarm");
          expect(alarmWidgets).to.have.length(1);
          expect(alarmWidgets[0].properties.alarms).to.deep.equal(ALARMS.map((a) => one(T.alarm, a.name).state.arn));
        });

        it("has exactly three alarms (4XX > 100, 5XX > 10, average latency > 1000 ms per 5 minutes, two periods in a row), notifying the topic on ALARM and OK", () => {
          const topic = one(T.topic, "monitoring-alarms");
          expect(all(T.topic)).to.have.length(1);
          expect(all(T.alarm).map((a) => a.name).sort()).to.deep.equal(ALARMS.map((a) => a.name).sort());
          for (const a of ALARMS) {
            expect(one(T.alarm, a.name).inputs, a.name).to.deep.include({
              name: `${api().state.name}-${stack}-${a.suffix}`,
              namespace: "AWS/ApiGateway",
              metricName: a.metricName,
              dimensions: dimensions(),
              statistic: a.statistic,
              period: 300,
              evaluationPeriods: 2,
              threshold: a.threshold,
              comparisonOperator: "GreaterThanThreshold",
              treatMissingData: "notBreaching",
              alarmActions: [topic.state.arn],
              okActions: [topic.state.arn],
            });
          }
        });

        if (stack === "prod") {
          it("mails the alarms to apigw-kit:monitoring.alarmEmail: one email subscription of api-oncall@example.com on the topic", () => {
            expect(all(T.subscription).map((s) => s.name)).to.deep.equal(["monitoring-alarm-email"]);
            expect(one(T.subscription, "monitoring-alarm-email").inputs).to.deep.equal({
              topic: one(T.topic, "monitoring-alarms").state.arn,
              protocol: "email",
              endpoint: "api-oncall@example.com",
            });
          });
        } else {
          it("has no alarm e-mail (apigw-kit:monitoring unset): the topic has no subscription", () => {
            expect(run.config.config).not.to.have.property("apigw-kit:monitoring");
            expect(all(T.subscription)).to.deep.equal([]);
          });
        }
      });

      describe("stage cache invalidation (ApiCache)", () => {
        it("cacheFlushFunction is the cache-flush function's name", () => {
          expect(run.outputs.cacheFlushFunction).to.deep.equal({ value: fn("cache-flush").state.name, secret: false });
          expect(fn("cache-flush").inputs.environment.variables).to.deep.equal({ REST_API_ID: api().id, STAGE_NAME: stack });
        });

        it(`cache-flush may only apigateway:DELETE the cache data of stage ${stack} (and write to its own log group, kept like the others)`, () => {
          const logGroup = one(T.logGroup, "cache-flush-logs");
          expect(logGroup.inputs).to.deep.equal({ name: `/aws/lambda/${fn("cache-flush").state.name}`, retentionInDays: want.lambda.logRetentionDays });
          const rolePolicy = one(T.rolePolicy, "cache-flush-policy");
          expect(rolePolicy.inputs.role).to.equal(one(T.role, "cache-flush-role").id);
          expect(JSON.parse(rolePolicy.inputs.policy)).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: LOG_ACTIONS, Resource: [`${logGroup.state.arn}:*`] },
              { Effect: "Allow", Action: ["apigateway:DELETE"], Resource: [`arn:aws:apigateway:us-east-1::/restapis/${api().id}/stages/${stack}/cache/data`] },
            ],
          });
        });

        it("the cache-invalidate-cache policy grants execute-api:InvalidateCache on every method of the stage, attached to no role (apigw-kit:cache.invalidatorRoleNames unset)", () => {
          const stage = one(T.stage, "demo-stage");
          expect(stage.state.executionArn).to.equal(`${api().state.executionArn}/${stack}`);
          const policy = one(T.policy, "cache-invalidate-cache");
          expect(policy.parent).to.equal(one("apigw-kit:index:ApiCache", "cache").urn);
          expect(JSON.parse(policy.inputs.policy)).to.deep.equal({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["execute-api:InvalidateCache"], Resource: [`${stage.state.executionArn}/*/*`] }],
          });
          expect(all(T.policyAttachment)).to.deep.equal([]);
        });
      });

      describe("deployment", () => {
        const AUTHORIZER_PERMISSION = "demo-authorizer-hmac-invoke";

        it("waits for every method, integration, response, model, validator and route invoke permission", () => {
          const deployment = one(T.deployment, "demo-deployment");
          const needed = [
            T.method,
            T.integration,
            T.methodResponse,
            T.integrationResponse,
            T.gatewayResponse,
            T.model,
            T.validator,
            T.permission,
          ]
            .flatMap((type) => all(type))
            // The authorizer's permission is the pending spec below; the WebSocket API's
            // permissions belong to its own (auto-deployed) stage, not to this deployment.
            .filter((r) => r.name !== AUTHORIZER_PERMISSION && !r.name.startsWith("realtime-"));
          expect(all(T.method)).to.have.length(ROUTES.length + CUSTOMER_ROUTE_TABLE.length + Object.keys(PREFLIGHT_METHODS).length);
          expect(all(T.integration)).to.have.length(ROUTES.length + CUSTOMER_ROUTE_TABLE.length + Object.keys(PREFLIGHT_METHODS).length);
          const [realtimePermissions, restPermissions] = [true, false].map((ws) => all(T.permission).filter((p) => p.name.startsWith("realtime-") === ws));
          expect(restPermissions).to.have.length(ROUTES.filter((r) => r.fn).length + CUSTOMER_ROUTE_TABLE.length + 1);
          expect(realtimePermissions.map((p) => p.name).sort()).to.deep.equal(
            [...Object.keys(WEBSOCKET_ROUTES).map((k) => `realtime-invoke-${k.replace(/^\$/, "")}`), "realtime-invoke-authorizer"].sort(),
          );
          const missing = needed.filter((r) => !deployment.dependencies.includes(r.urn)).map((r) => `${r.type} ${r.name}`);
          expect(missing).to.deep.equal([]);
        });

        // Otherwise the stage could go live before API Gateway may call the authorizer
        // (GET /partner/status would answer 500 until the permission exists).
        it("waits for the HMAC authorizer's invoke permission too", () => {
          const deployment = one(T.deployment, "demo-deployment");
          expect(deployment.dependencies).to.include(one(T.permission, AUTHORIZER_PERMISSION).urn);
        });

        it("carries a sha256 redeployment trigger", () => {
          const deployment = one(T.deployment, "demo-deployment");
          expect(deployment.inputs.restApi).to.equal(api().id);
          expect(deployment.inputs.triggers.redeployment).to.match(/^[0-9a-f]{64}$/);
        });
      });
    });
  }

  describe("across stacks", () => {
    const trigger = (run: ProgramRun) => run.graph.get(T.deployment, "demo-deployment").inputs.triggers.redeployment as string;
    let dev: ProgramRun;
    let prod: ProgramRun;
    let devAgain: ProgramRun;
    before(async () => {
      dev = await stackRun("dev");
      prod = await stackRun("prod");
      devAgain = await stackRun("dev", "dev-again");
    });

    it("the redeployment hash depends on the API's spec only: the same stack hashes the same", () => {
      expect(trigger(devAgain)).to.equal(trigger(dev));
    });

    it("dev and prod hash differently, so switching stacks redeploys", () => {
      expect(trigger(prod)).not.to.equal(trigger(dev));
    });

    it("a changed TOKEN authorizer TTL (apigw-kit:tokenAuthorizer.resultTtlSeconds) reaches the authorizer and redeploys", async () => {
      const ttl120 = await stackRun("dev", "dev-token-ttl-120", { "apigw-kit:tokenAuthorizer": { resultTtlSeconds: 120 } });
      expect(ttl120.graph.get(T.authorizer, "demo-authorizer-hmac").inputs.authorizerResultTtlInSeconds).to.equal(120);
      expect(ttl120.graph.get(T.fn, "partner-tokens").inputs.environment.variables.TOKEN_RESULT_TTL_SECONDS).to.equal("120");
      expect(trigger(ttl120)).not.to.equal(trigger(dev));
    });

    describe("Lambda runtime (apigw-kit:lambda.runtime)", () => {
      const runtimes = (run: ProgramRun) => Object.fromEntries(run.graph.ofType(T.fn).map((f) => [f.name, f.inputs.runtime]));
      const every = (runtime: string) => Object.fromEntries(ALL_FUNCTIONS.map((name) => [name, runtime]));

      it("every function of dev and prod is nodejs24.x when the stack names no runtime", () => {
        for (const stack of ["dev", "prod"] as const) expect(loadStackConfig(PROJECT_ROOT, stack).config["apigw-kit:lambda"], stack).not.to.include("runtime");
        expect(runtimes(dev)).to.deep.equal(every("nodejs24.x"));
        expect(runtimes(prod)).to.deep.equal(every("nodejs24.x"));
      });

      it("nodejs22.x reaches every function: the handlers, the token authorizer, cache-flush and the realtime functions", async () => {
        const lambda = JSON.parse(loadStackConfig(PROJECT_ROOT, "dev").config["apigw-kit:lambda"]);
        const node22 = await stackRun("dev", "dev-nodejs22", { "apigw-kit:lambda": { ...lambda, runtime: "nodejs22.x" } });
        expect(runtimes(node22)).to.deep.equal(every("nodejs22.x"));
      });

      it("the HTTP flavour's functions follow it too", async () => {
        const lambda = JSON.parse(loadStackConfig(PROJECT_ROOT, "dev").config["apigw-kit:lambda"]);
        const http = await stackRun("dev", "dev-http-nodejs22", { ...HTTP_OVERRIDES, "apigw-kit:lambda": { ...lambda, runtime: "nodejs22.x" } });
        const names = http.graph.ofType(T.fn).map((f) => f.name);
        expect(names).to.include.members(["health", ...REALTIME_FUNCTIONS]);
        expect(runtimes(http)).to.deep.equal(Object.fromEntries(names.map((name) => [name, "nodejs22.x"])));
      });
    });

    it("chooseApiType picks REST for dev's api.type auto; prod asks for rest outright", () => {
      const apiConfig = (stack: Stack) => JSON.parse(loadStackConfig(PROJECT_ROOT, stack).config["apigw-kit:api"]);
      expect(apiConfig("dev").type).to.equal("auto");
      const decision = chooseApiType(validateApiRequirements(apiConfig("dev").requirements));
      expect(decision.recommendation).to.equal("REST");
      expect(decision.rest_api_score).to.be.greaterThan(decision.http_api_score);
      expect(dev.outputs.apiType.value).to.equal("REST");
      expect(apiConfig("prod").type).to.equal("rest");
    });
  });
});

describe("program (index.ts) with the new config keys set", () => {
  // dev, with every key the stack files leave to defaults given: a user pool with optional MFA,
  // a longer password and other groups; two token clients; custom tiers and customers.
  const OVERRIDES = {
    "apigw-kit:cognito": { mfa: "OPTIONAL", passwordMinimumLength: 16, groups: ["admins", "auditors", "users"] },
    "apigw-kit:tokenAuthorizer": { clients: [{ id: "partner-a" }, { id: "partner-b" }] },
    "apigw-kit:tiers": [
      { name: "free", throttle: { rateLimit: 1, burstLimit: 2 }, quota: { limit: 100, period: "WEEK" } },
      { name: "pro", description: "Pro plan", throttle: { rateLimit: 50, burstLimit: 100 }, methodThrottles: { "/data/GET": { rateLimit: 5, burstLimit: 10 } } },
    ],
    "apigw-kit:customers": [
      { id: "acme", tier: "free" },
      { id: "globex", tier: "pro" },
      { id: "initech", tier: "pro" },
    ],
  };
  let run: ProgramRun;
  let dev: ProgramRun;
  const one = (type: string, name: string) => run.graph.get(type, name);
  before(async () => {
    dev = await stackRun("dev");
    run = await stackRun("dev", "dev-configured", OVERRIDES);
  });

  it("apigw-kit:cognito: MFA OPTIONAL with TOTP, 16-character passwords, the groups admins, auditors and users", () => {
    const pool = one(T.userPool, "users-pool");
    expect(pool.inputs.mfaConfiguration).to.equal("OPTIONAL");
    expect(pool.inputs.softwareTokenMfaConfiguration).to.deep.equal({ enabled: true });
    expect(pool.inputs.passwordPolicy.minimumLength).to.equal(16);
    expect(run.graph.ofType(T.userGroup).map((g) => g.inputs.name).sort()).to.deep.equal(["admins", "auditors", "users"]);
  });

  it("apigw-kit:cognito.mfa ON: every user must enrol a TOTP app", async () => {
    const on = await stackRun("dev", "dev-mfa-on", { "apigw-kit:cognito": { mfa: "ON" } });
    const pool = on.graph.get(T.userPool, "users-pool");
    expect(pool.inputs.mfaConfiguration).to.equal("ON");
    expect(pool.inputs.softwareTokenMfaConfiguration).to.deep.equal({ enabled: true });
  });

  it("apigw-kit:tokenAuthorizer.clients: one secret per client in tokenClients (secret) and in the clients secret", () => {
    const clients = run.outputs.tokenClients.value as Record<string, string>;
    expect(run.outputs.tokenClients.secret).to.equal(true);
    expect(Object.keys(clients).sort()).to.deep.equal(["partner-a", "partner-b"]);
    for (const [id, secret] of Object.entries(clients)) {
      expect(secret, id).to.equal(one(T.randomPassword, `partner-tokens-secret-${id}`).state.result).and.to.match(/^[A-Za-z0-9]{48}$/);
    }
    expect(clients["partner-a"]).not.to.equal(clients["partner-b"]);
    expect(JSON.parse(one(T.secretVersion, "partner-tokens-clients-version").inputs.secretString)).to.deep.equal(clients);
    expect(run.graph.ofType(T.randomPassword)).to.have.length(2);
  });

  it("apigw-kit:tiers replace the default tiers: a plan each, with its quota and per-method throttles", () => {
    const plans = run.graph.ofType(T.usagePlan);
    expect(plans.map((p) => p.name).sort()).to.deep.equal(["usage-free", "usage-pro"]);
    const apiId = run.graph.get(T.restApi, "demo-api").id;
    expect(one(T.usagePlan, "usage-free").inputs).to.deep.equal({
      name: "usage-free",
      description: "free tier",
      apiStages: [{ apiId, stage: "dev" }],
      throttleSettings: { rateLimit: 1, burstLimit: 2 },
      quotaSettings: { limit: 100, period: "WEEK", offset: 0 },
      tags: { "apigw-kit:tier": "free" },
    });
    expect(one(T.usagePlan, "usage-pro").inputs).to.deep.equal({
      name: "usage-pro",
      description: "Pro plan",
      apiStages: [{ apiId, stage: "dev", throttles: [{ path: "/data/GET", rateLimit: 5, burstLimit: 10 }] }],
      throttleSettings: { rateLimit: 50, burstLimit: 100 },
      tags: { "apigw-kit:tier": "pro" },
    });
    // The customers API offers these tiers.
    for (const name of CUSTOMER_FUNCTIONS) expect(one(T.fn, name).inputs.environment.variables.CUSTOMER_TIERS, name).to.equal('["free","pro"]');
  });

  it("apigw-kit:customers: one API key each (apiKeys, secret), in its tier's plan", () => {
    const apiKeys = run.outputs.apiKeys.value as Record<string, string>;
    expect(run.outputs.apiKeys.secret).to.equal(true);
    expect(Object.keys(apiKeys).sort()).to.deep.equal(["acme", "globex", "initech"]);
    for (const { id, tier } of OVERRIDES["apigw-kit:customers"]) {
      expect(apiKeys[id], id).to.equal(one(T.apiKey, `usage-key-${id}`).state.value);
      expect(one(T.usagePlanKey, `usage-key-${id}-plan`).inputs.usagePlanId, id).to.equal(one(T.usagePlan, `usage-${tier}`).id);
    }
  });

  it("none of them is part of the API's deployment: the redeployment hash is dev's", () => {
    const trigger = (r: ProgramRun) => r.graph.get(T.deployment, "demo-deployment").inputs.triggers.redeployment as string;
    expect(trigger(run)).to.equal(trigger(dev));
  });
});

describe("program (index.ts) as an HTTP API (dev with apigw-kit:api {type: http})", () => {
  let run: ProgramRun;
  const one = (type: string, name: string) => run.graph.get(type, name);
  const all = (type: string) => run.graph.ofType(type);
  const api = () => one(T.httpApi, "demo-api");
  const fn = (name: string) => one(T.fn, name);
  const httpRoutes = () => all(T.httpRoute).filter((r) => r.inputs.apiId === api().id);
  const route = (method: string, routePath: string) => {
    const found = httpRoutes().filter((r) => r.inputs.routeKey === `${method} ${routePath}`);
    expect(found, `${method} ${routePath}`).to.have.length(1);
    return found[0];
  };
  before(async () => {
    run = await stackRun("dev", "dev-http", HTTP_OVERRIDES);
  });

  describe("stack outputs", () => {
    it("are exactly apiType, apiUrl, usersTableName, userPoolId, userPoolClientId and websocketUrl (no apiKeys, tokenClients, dashboardName or cacheFlushFunction), none secret", () => {
      expect(Object.keys(run.outputs).sort()).to.deep.equal(["apiType", "apiUrl", "userPoolClientId", "userPoolId", "usersTableName", "websocketUrl"]);
      for (const [key, output] of Object.entries(run.outputs)) expect(output.secret, key).to.equal(false);
    });

    it('apiType is "HTTP"; apiUrl the invoke URL of stage dev, without a trailing slash', () => {
      expect(run.outputs.apiType.value).to.equal("HTTP");
      expect(run.outputs.apiUrl.value).to.equal(`https://${api().id}.execute-api.us-east-1.amazonaws.com/dev`);
    });

    it("userPoolId and userPoolClientId are the user pool's and its app client's ids", () => {
      expect(run.outputs.userPoolId.value).to.equal(one(T.userPool, "users-pool").id);
      expect(run.outputs.userPoolClientId.value).to.equal(one(T.userPoolClient, "users-client").id);
    });
  });

  describe("API", () => {
    it("is one apigatewayv2 Api with protocolType HTTP, in the HttpApi component (the other Api is the WebSocket one)", () => {
      expect(all(T.httpApi).map((a) => `${a.name} ${a.inputs.protocolType}`).sort()).to.deep.equal(["demo-api HTTP", "realtime-api WEBSOCKET"]);
      expect(api().inputs).to.include({ protocolType: "HTTP", description: "apigw-kit demo API (dev)" });
      expect(api().parent).to.equal(one("apigw-kit:index:HttpApi", "demo").urn);
    });

    it("answers CORS from apigw-kit:cors: the two dev origins with credentials, the routes' methods, max age 300 s", () => {
      expect(api().inputs.corsConfiguration).to.deep.equal({
        allowOrigins: ["http://localhost:3000", "http://127.0.0.1:3000"],
        allowCredentials: true,
        allowHeaders: ["Content-Type", "Authorization", "X-Amz-Date", "X-Api-Key", "X-Amz-Security-Token"],
        allowMethods: ["GET", "POST", "OPTIONS"],
        maxAge: 300,
      });
    });

    it("never allows the * origin, anywhere (credentials are allowed)", () => {
      expect(api().inputs.corsConfiguration.allowCredentials).to.equal(true);
      const origins = [...api().inputs.corsConfiguration.allowOrigins, ...allowedOrigins(run.graph.resources)];
      expect(origins.length).to.be.greaterThan(2);
      for (const origin of origins) expect(origin).not.to.match(/^'?\*'?$/);
    });

    it("has exactly the routes GET /health, POST /users, GET /users/{id}, GET /data and POST /files", () => {
      expect(httpRoutes().map((r) => r.inputs.routeKey).sort()).to.deep.equal(HTTP_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
      // The rest are the WebSocket API's.
      expect(all(T.httpRoute).filter((r) => r.inputs.apiId !== api().id).map((r) => r.inputs.routeKey).sort()).to.deep.equal(Object.keys(WEBSOCKET_ROUTES).sort());
    });

    for (const { method, path: routePath, fn: fnName } of HTTP_ROUTES) {
      it(`${method} ${routePath} targets a Lambda proxy integration (payload format 2.0) of ${fnName}, allowed by a permission for this route only`, () => {
        const integrations = all(T.httpIntegration).filter((i) => i.inputs.integrationUri === fn(fnName).state.invokeArn);
        expect(integrations, fnName).to.have.length(1);
        expect(integrations[0].inputs).to.deep.equal({
          apiId: api().id,
          integrationType: "AWS_PROXY",
          integrationMethod: "POST",
          integrationUri: fn(fnName).state.invokeArn,
          payloadFormatVersion: "2.0",
          timeoutMilliseconds: 30000,
        });
        expect(route(method, routePath).inputs).to.include({ apiId: api().id, target: `integrations/${integrations[0].id}` });
        const permissions = all(T.permission).filter((p) => p.inputs.function === fn(fnName).state.name);
        expect(permissions.map((p) => p.inputs)).to.deep.equal([
          {
            action: "lambda:InvokeFunction",
            function: fn(fnName).state.name,
            principal: "apigateway.amazonaws.com",
            sourceArn: `${api().state.executionArn}/*/${method}${routePath.replace(/\{[^}]+\}/g, "*")}`,
          },
        ]);
      });
    }

    it("has one JWT authorizer: the user pool's issuer, the app client as audience, the Authorization header", () => {
      const pool = one(T.userPool, "users-pool");
      expect(all(T.httpAuthorizer).map((a) => a.name).sort()).to.deep.equal(["demo-authorizer-cognito", "realtime-authorizer"]);
      expect(all(T.httpAuthorizer).filter((a) => a.inputs.apiId === api().id)).to.have.length(1);
      expect(one(T.httpAuthorizer, "demo-authorizer-cognito").inputs).to.deep.equal({
        apiId: api().id,
        name: "cognito",
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: COGNITO_ISSUER(pool.id!), audiences: [one(T.userPoolClient, "users-client").id] },
      });
      // The issuer's region is the pool's (read from its ARN).
      expect(pool.state.arn.split(":")[3]).to.equal("us-east-1");
    });

    it("POST /users and GET /users/{id} require it (JWT); GET /health, GET /data and POST /files are open", () => {
      const authorizerId = one(T.httpAuthorizer, "demo-authorizer-cognito").id;
      for (const { method, path: routePath, jwt } of HTTP_ROUTES) {
        const { inputs } = route(method, routePath);
        expect(inputs.authorizationType, `${method} ${routePath}`).to.equal(jwt ? "JWT" : "NONE");
        expect(inputs.authorizerId, `${method} ${routePath}`).to.equal(jwt ? authorizerId : undefined);
      }
    });

    it("has one auto-deployed stage dev throttled at apigw-kit:stage.throttle (20/40), logging JSON access logs kept 7 days", () => {
      const stage = one(T.httpStage, "demo-stage");
      const logGroup = one(T.logGroup, "demo-access-logs");
      expect(all(T.httpStage).map((st) => st.name).sort()).to.deep.equal(["demo-stage", "realtime-stage"]);
      expect(all(T.httpStage).filter((st) => st.inputs.apiId === api().id)).to.have.length(1);
      expect(stage.inputs).to.deep.include({
        apiId: api().id,
        name: "dev",
        autoDeploy: true,
        defaultRouteSettings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
      });
      // apigw-kit:methodOverrides was removed: no route overrides the stage's throttle.
      expect(stage.inputs.routeSettings).to.equal(undefined);
      expect(stage.inputs.accessLogSettings.destinationArn).to.equal(logGroup.state.arn);
      expect(JSON.parse(stage.inputs.accessLogSettings.format)).to.include({ requestId: "$context.requestId", routeKey: "$context.routeKey", status: "$context.status" });
      expect(logGroup.inputs).to.deep.equal({ name: `/aws/apigateway/${api().state.name}/dev/access`, retentionInDays: 7 });
    });

    it("throttles GET /data with apigw-kit:methodOverrides[\"data/GET\"].throttle, as a route setting", async () => {
      const throttled = await stackRun("dev", "dev-http-data-throttle", {
        ...HTTP_OVERRIDES,
        "apigw-kit:methodOverrides": { "data/GET": { throttle: { rateLimit: 5, burstLimit: 10 } } },
      });
      const stage = throttled.graph.get(T.httpStage, "demo-stage");
      expect(stage.inputs.defaultRouteSettings).to.deep.equal({ throttlingRateLimit: 20, throttlingBurstLimit: 40 });
      expect(stage.inputs.routeSettings).to.deep.equal([{ routeKey: "GET /data", throttlingRateLimit: 5, throttlingBurstLimit: 10 }]);
    });
  });

  describeWebSocketApi(() => run, { stage: "dev", accessLogRetentionDays: 7, logRetentionDays: 7, throttle: { throttlingRateLimit: 20, throttlingBurstLimit: 40 } });

  describe("what only the REST flavour has", () => {
    it("no REST API resource at all: no RestApi, methods, usage plans, API keys or REST authorizers", () => {
      expect(run.graph.resources.filter((r) => r.type.startsWith("aws:apigateway/")).map((r) => `${r.type} ${r.name}`)).to.deep.equal([]);
      for (const component of ["RestApi", "UsageTiers", "TokenAuthorizer"]) {
        expect(run.graph.ofType(`apigw-kit:index:${component}`), component).to.deep.equal([]);
      }
    });

    it("no HMAC token authorizer: no clients secret, no generated passwords, no /transform or /partner/status", () => {
      expect(all(T.secret)).to.deep.equal([]);
      expect(all(T.secretVersion)).to.deep.equal([]);
      expect(all(T.randomPassword)).to.deep.equal([]);
      expect(all(T.fn).map((f) => f.name)).not.to.include.any.members(["transform", "partner-status", "partner-tokens"]);
    });

    it("no monitoring (dashboard, alarms, topic) and no stage cache (flush function, InvalidateCache policy)", () => {
      for (const component of ["ApiMonitoring", "ApiCache"]) expect(run.graph.ofType(`apigw-kit:index:${component}`), component).to.deep.equal([]);
      for (const type of [T.dashboard, T.alarm, T.topic, T.subscription, T.policy, T.policyAttachment]) expect(all(type), type).to.deep.equal([]);
      expect(all(T.fn).map((f) => f.name)).not.to.include("cache-flush");
    });
  });

  describe("Cognito and Lambda functions", () => {
    const HTTP_FUNCTIONS = ["create-user", "data", "get-user", "health", "upload-file"];

    it("the user pool, app client and groups are the REST flavour's", () => {
      const pool = one(T.userPool, "users-pool");
      expect(pool.inputs).to.deep.include({ usernameAttributes: ["email"], mfaConfiguration: "OFF", deletionProtection: "INACTIVE" });
      expect(pool.inputs.passwordPolicy.minimumLength).to.equal(12);
      const client = one(T.userPoolClient, "users-client");
      expect(client.inputs).to.include({ userPoolId: pool.id, generateSecret: false });
      expect(client.inputs.explicitAuthFlows).to.include.members(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]);
      expect(all(T.userGroup).map((g) => g.inputs.name).sort()).to.deep.equal(["admins", "users"]);
    });

    it("are exactly health, create-user, get-user, data and upload-file and the seven realtime functions, nodejs24.x under roles of their own", () => {
      expect(all(T.fn).map((f) => f.name).sort()).to.deep.equal([...HTTP_FUNCTIONS, ...REALTIME_FUNCTIONS].sort());
      for (const name of [...HTTP_FUNCTIONS, ...REALTIME_FUNCTIONS]) {
        const sizing = FIXED_SIZING[name] ?? { memorySize: 256, timeout: 10 };
        expect(fn(name).inputs, name).to.include({ runtime: "nodejs24.x", role: one(T.role, `${name}-role`).state.arn, ...sizing });
      }
      expect(all(T.role)).to.have.length(HTTP_FUNCTIONS.length + REALTIME_FUNCTIONS.length);
    });

    it("each may write to its own log group, and only the users functions touch the table (PutItem, GetItem)", () => {
      const table = one(T.table, "users").state.arn;
      const extra: Record<string, string[]> = { "create-user": ["dynamodb:PutItem"], "get-user": ["dynamodb:GetItem"] };
      // The realtime functions' policies are checked in "WebSocket API (realtime)".
      expect(all(T.rolePolicy).map((p) => p.name).sort()).to.deep.equal([...HTTP_FUNCTIONS, ...REALTIME_FUNCTIONS].map((n) => `${n}-policy`).sort());
      for (const name of HTTP_FUNCTIONS) {
        const logGroup = one(T.logGroup, `${name}-logs`);
        const statements = [{ Effect: "Allow", Action: LOG_ACTIONS, Resource: [`${logGroup.state.arn}:*`] }];
        if (extra[name]) statements.push({ Effect: "Allow", Action: extra[name], Resource: [table] });
        expect(JSON.parse(one(T.rolePolicy, `${name}-policy`).inputs.policy), name).to.deep.equal({ Version: "2012-10-17", Statement: statements });
      }
      expect(all("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
    });

    it("create-user and get-user are told the pool, the client and the table; data's TTL is 0 (nothing caches it)", () => {
      const expected = { USERS_TABLE: one(T.table, "users").state.name, USER_POOL_ID: one(T.userPool, "users-pool").id, USER_POOL_CLIENT_ID: one(T.userPoolClient, "users-client").id };
      expect(fn("create-user").inputs.environment.variables).to.include(expected);
      expect(fn("get-user").inputs.environment.variables).to.include(expected);
      expect(fn("data").inputs.environment.variables.CACHE_TTL_SECONDS).to.equal("0");
      expect(fn("health").inputs.environment).to.equal(undefined);
    });
  });
});

describe("program (index.ts) on a stack with no apigw-kit config", () => {
  describe("only aws:region: a REST API with defaults", () => {
    let run: ProgramRun;
    const one = (type: string, name: string) => run.graph.get(type, name);
    before(async () => {
      run = await stackRun("dev", "dev-region-only", WITHOUT_APIGW_KIT_CONFIG);
    });

    it("the run's config holds aws:region and nothing else", () => {
      expect(Object.keys(WITHOUT_APIGW_KIT_CONFIG).sort()).to.deep.equal(
        ["apigw-kit:api", "apigw-kit:cache", "apigw-kit:cors", "apigw-kit:customers", "apigw-kit:lambda", "apigw-kit:methodOverrides", "apigw-kit:stage"],
      );
      expect(Object.keys(run.config.config)).to.deep.equal(["aws:region"]);
    });

    it("builds a REGIONAL REST API (api.type auto with no requirements picks REST) with all 7 demo routes and the 8 customers routes", () => {
      expect(run.outputs.apiType.value).to.equal("REST");
      expect(one(T.restApi, "demo-api").inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL" });
      expect(run.graph.ofType(T.method).filter((m) => m.inputs.httpMethod !== "OPTIONS")).to.have.length(ROUTES.length + CUSTOMER_ROUTE_TABLE.length);
      expect(run.graph.ofType(T.method).filter((m) => m.inputs.httpMethod === "OPTIONS")).to.deep.equal([]);
    });

    it("has the default usage tiers and no customers: apiKeys is {} (secret), no API keys", () => {
      for (const [tier, limits] of Object.entries(DEFAULT_TIER_PLANS)) {
        expect(one(T.usagePlan, `usage-${tier}`).inputs, tier).to.deep.include(limits);
      }
      expect(run.graph.ofType(T.usagePlan)).to.have.length(3);
      expect(run.graph.ofType(T.apiKey)).to.deep.equal([]);
      expect(run.graph.ofType(T.usagePlanKey)).to.deep.equal([]);
      expect(run.outputs.apiKeys).to.deep.equal({ value: {}, secret: true });
    });

    it("has the default token client partner-demo, the TOKEN authorizer cached 60 s, the Cognito defaults", () => {
      expect(Object.keys(run.outputs.tokenClients.value as object)).to.deep.equal(["partner-demo"]);
      expect(run.outputs.tokenClients.secret).to.equal(true);
      expect(one(T.authorizer, "demo-authorizer-hmac").inputs.authorizerResultTtlInSeconds).to.equal(60);
      const pool = one(T.userPool, "users-pool");
      expect(pool.inputs).to.deep.include({ mfaConfiguration: "OFF", deletionProtection: "INACTIVE" });
      expect(pool.inputs.passwordPolicy.minimumLength).to.equal(12);
      expect(run.graph.ofType(T.userGroup).map((g) => g.inputs.name).sort()).to.deep.equal(["admins", "users"]);
    });

    it("has stage dev (the stack's name) throttled 100/200, no cache cluster, access logs kept 30 days", () => {
      expect(one(T.stage, "demo-stage").inputs).to.include({ stageName: "dev", cacheClusterEnabled: false });
      expect(one(T.logGroup, "demo-access-logs").inputs.retentionInDays).to.equal(30);
      const stageSettings = run.graph.ofType(T.methodSettings).find((m) => m.inputs.methodPath === "*/*")!;
      expect(stageSettings.inputs.settings).to.include({ throttlingRateLimit: 100, throttlingBurstLimit: 200, cachingEnabled: false });
    });

    it("sizes the handlers 256 MB / 10 s (the realtime functions keep their own sizing) with logs kept 14 days", () => {
      expect(run.graph.ofType(T.fn).map((f) => f.name).sort()).to.deep.equal([...FUNCTIONS, ...CUSTOMER_FUNCTIONS, ...REALTIME_FUNCTIONS].sort());
      for (const f of run.graph.ofType(T.fn)) {
        expect(f.inputs, f.name).to.include(FIXED_SIZING[f.name] ?? { memorySize: 256, timeout: 10 });
        expect(one(T.logGroup, `${f.name}-logs`).inputs.retentionInDays, f.name).to.equal(14);
      }
    });

    it("has monitoring without a cache: dashboardName, websocketUrl, no cacheFlushFunction, no ApiCache, no alarm e-mail", () => {
      expect(Object.keys(run.outputs).sort()).to.deep.equal(
        ["apiKeys", "apiType", "apiUrl", "dashboardName", "tokenClients", "userPoolClientId", "userPoolId", "usersTableName", "websocketUrl"],
      );
      expect(run.outputs.dashboardName.value).to.equal(one(T.dashboard, "monitoring-dashboard").state.dashboardName);
      expect(run.graph.ofType("apigw-kit:index:ApiCache")).to.deep.equal([]);
      expect(run.graph.ofType(T.policy)).to.deep.equal([]);
      expect(run.graph.ofType(T.alarm).map((a) => a.inputs.threshold).sort((a, b) => a - b)).to.deep.equal([10, 100, 1000]);
      expect(run.graph.ofType(T.subscription)).to.deep.equal([]);
    });
  });

  describe("only aws:region and apigw-kit:api {type: http}: an HTTP API with defaults", () => {
    let run: ProgramRun;
    before(async () => {
      run = await stackRun("dev", "dev-http-only", { ...WITHOUT_APIGW_KIT_CONFIG, "apigw-kit:api": { type: "http" } });
    });

    it("the run's config holds aws:region and apigw-kit:api", () => {
      expect(Object.keys(run.config.config).sort()).to.deep.equal(["apigw-kit:api", "aws:region"]);
    });

    it("builds the HTTP API: its five routes, the JWT authorizer on the two /users routes, no CORS", () => {
      expect(run.outputs.apiType.value).to.equal("HTTP");
      expect(Object.keys(run.outputs).sort()).to.deep.equal(["apiType", "apiUrl", "userPoolClientId", "userPoolId", "usersTableName", "websocketUrl"]);
      const api = run.graph.get(T.httpApi, "demo-api");
      const routes = run.graph.ofType(T.httpRoute).filter((r) => r.inputs.apiId === api.id);
      expect(routes.map((r) => r.inputs.routeKey).sort()).to.deep.equal(HTTP_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
      expect(routes.filter((r) => r.inputs.authorizationType === "JWT").map((r) => r.inputs.routeKey).sort()).to.deep.equal(["GET /users/{id}", "POST /users"]);
      expect(api.inputs).not.to.have.property("corsConfiguration");
      expect(run.graph.resources.filter((r) => r.type.startsWith("aws:apigateway/"))).to.deep.equal([]);
    });

    it("has stage dev throttled at the default 100/200, access logs kept 30 days", () => {
      const stage = run.graph.get(T.httpStage, "demo-stage");
      expect(stage.inputs).to.deep.include({ name: "dev", defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 } });
      expect(stage.inputs.routeSettings).to.equal(undefined);
      expect(run.graph.get(T.logGroup, "demo-access-logs").inputs.retentionInDays).to.equal(30);
    });
  });
});

/**
 * Every Access-Control-Allow-Origin value the API or its functions can send: header mappings
 * (method and gateway responses), origins set by templates, and the functions' CORS_ALLOW_ORIGINS.
 */
function allowedOrigins(resources: RecordedResource[]): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key: string) => {
    if (typeof value === "string") {
      if (key.endsWith("Access-Control-Allow-Origin")) found.push(value);
      if (key === "CORS_ALLOW_ORIGINS") found.push(...value.split(","));
      for (const match of value.matchAll(/#if\(([^)]*)\)#set\(\$context\.responseOverride\.header\.Access-Control-Allow-Origin/g)) {
        found.push(...[...match[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]));
      }
      for (const match of value.matchAll(/Access-Control-Allow-Origin = ("[^"]*"|'[^']*')/g)) found.push(match[1]);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  for (const resource of resources) visit(resource.inputs, "");
  return found;
}

/**
 * The WebSocketApi "realtime" (components/WebSocketApi.ts), built beside either flavour: its
 * API, routes, $connect authorizer, connections table, stage and the functions' exact grants.
 */
function describeWebSocketApi(
  getRun: () => ProgramRun,
  want: { stage: string; accessLogRetentionDays: number; logRetentionDays: number; throttle: { throttlingRateLimit: number; throttlingBurstLimit: number } },
): void {
  describe("WebSocket API (realtime)", () => {
    const one = (type: string, name: string) => getRun().graph.get(type, name);
    const all = (type: string) => getRun().graph.ofType(type);
    const wsApi = () => one(T.httpApi, "realtime-api");
    const fn = (name: string) => one(T.fn, name);
    const table = () => one(T.table, "realtime-connections");
    const manageConnections = () => `${wsApi().state.executionArn}/${want.stage}/POST/@connections/*`;

    it("is one apigatewayv2 Api with protocolType WEBSOCKET and routeSelectionExpression $request.body.action, in the WebSocketApi component", () => {
      expect(all(T.httpApi).filter((a) => a.inputs.protocolType === "WEBSOCKET")).to.have.length(1);
      expect(wsApi().inputs).to.deep.equal({ protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" });
      expect(wsApi().parent).to.equal(one("apigw-kit:index:WebSocketApi", "realtime").urn);
    });

    it("has exactly the routes $connect, $disconnect, $default, broadcast, direct and whoami, each a Lambda proxy of its own function, allowed by a permission for that route", () => {
      const routes = all(T.httpRoute).filter((r) => r.inputs.apiId === wsApi().id);
      expect(routes.map((r) => r.inputs.routeKey).sort()).to.deep.equal(Object.keys(WEBSOCKET_ROUTES).sort());
      for (const route of routes) {
        const target = fn(WEBSOCKET_ROUTES[route.inputs.routeKey]);
        const integration = getRun().graph.findById(route.inputs.target.replace(/^integrations\//, ""))!;
        expect(integration.type, route.inputs.routeKey).to.equal(T.httpIntegration);
        expect(integration.inputs, route.inputs.routeKey).to.deep.equal({
          apiId: wsApi().id,
          integrationType: "AWS_PROXY",
          integrationMethod: "POST",
          integrationUri: target.state.invokeArn,
          timeoutMilliseconds: 29000,
        });
        const permissions = all(T.permission).filter((p) => p.inputs.function === target.state.name);
        expect(permissions.map((p) => p.inputs), route.inputs.routeKey).to.deep.equal([
          { action: "lambda:InvokeFunction", function: target.state.name, principal: "apigateway.amazonaws.com", sourceArn: `${wsApi().state.executionArn}/*/${route.inputs.routeKey}` },
        ]);
      }
    });

    it("guards $connect (only) with a REQUEST authorizer: realtime-authorizer checking ?token= against the user pool and app client", () => {
      const authorizers = all(T.httpAuthorizer).filter((a) => a.inputs.apiId === wsApi().id);
      expect(authorizers.map((a) => a.name)).to.deep.equal(["realtime-authorizer"]);
      const authorizer = authorizers[0];
      expect(authorizer.inputs).to.deep.equal({
        apiId: wsApi().id,
        name: "realtime-cognito",
        authorizerType: "REQUEST",
        authorizerUri: fn("realtime-authorizer").state.invokeArn,
        identitySources: ["route.request.querystring.token"],
      });
      for (const route of all(T.httpRoute).filter((r) => r.inputs.apiId === wsApi().id)) {
        const guarded = route.inputs.routeKey === "$connect";
        expect(route.inputs.authorizationType, route.inputs.routeKey).to.equal(guarded ? "CUSTOM" : "NONE");
        expect(route.inputs.authorizerId, route.inputs.routeKey).to.equal(guarded ? authorizer.id : undefined);
      }
      expect(one(T.permission, "realtime-invoke-authorizer").inputs).to.deep.equal({
        action: "lambda:InvokeFunction",
        function: fn("realtime-authorizer").state.name,
        principal: "apigateway.amazonaws.com",
        sourceArn: `${wsApi().state.executionArn}/authorizers/${authorizer.id}`,
      });
      expect(fn("realtime-authorizer").inputs.environment.variables).to.deep.equal({
        USER_POOL_ID: one(T.userPool, "users-pool").id,
        USER_POOL_CLIENT_ID: one(T.userPoolClient, "users-client").id,
      });
    });

    it("stores connections in a table with hash key connectionId and DynamoDB TTL on ttl, told to the functions that use it", () => {
      expect(table().inputs).to.deep.equal({
        attributes: [{ name: "connectionId", type: "S" }],
        billingMode: "PAY_PER_REQUEST",
        hashKey: "connectionId",
        ttl: { attributeName: "ttl", enabled: true },
      });
      for (const name of ["realtime-connect", "realtime-disconnect", "realtime-direct"]) {
        expect(fn(name).inputs.environment.variables, name).to.deep.equal({ CONNECTIONS_TABLE: table().state.name });
      }
      expect(fn("realtime-broadcast").inputs.environment.variables).to.deep.equal({ CONNECTIONS_TABLE: table().state.name, BROADCAST_CONCURRENCY: "50" });
      for (const name of ["realtime-default", "realtime-whoami"]) expect(fn(name).inputs.environment, name).to.equal(undefined);
    });

    it(`has one auto-deployed stage ${want.stage} throttled like the stage (${want.throttle.throttlingRateLimit}/${want.throttle.throttlingBurstLimit}), JSON access logs kept ${want.accessLogRetentionDays} days; websocketUrl is its wss:// URL`, () => {
      const stages = all(T.httpStage).filter((st) => st.inputs.apiId === wsApi().id);
      expect(stages.map((st) => st.name)).to.deep.equal(["realtime-stage"]);
      const logGroup = one(T.logGroup, "realtime-access-logs");
      expect(stages[0].inputs).to.deep.include({
        apiId: wsApi().id,
        name: want.stage,
        autoDeploy: true,
        defaultRouteSettings: want.throttle,
      });
      expect(stages[0].inputs.accessLogSettings.destinationArn).to.equal(logGroup.state.arn);
      expect(JSON.parse(stages[0].inputs.accessLogSettings.format)).to.include({ connectionId: "$context.connectionId", eventType: "$context.eventType", routeKey: "$context.routeKey" });
      expect(logGroup.inputs).to.deep.equal({ name: `/aws/apigateway/${wsApi().state.name}/${want.stage}/access`, retentionInDays: want.accessLogRetentionDays });
      expect(getRun().outputs.websocketUrl).to.deep.equal({ value: `wss://${wsApi().id}.execute-api.us-east-1.amazonaws.com/${want.stage}`, secret: false });
    });

    const GRANTS: Record<string, { actions: string[]; resource: "table" | "connections" }[]> = {
      "realtime-connect": [{ actions: ["dynamodb:PutItem"], resource: "table" }],
      "realtime-disconnect": [{ actions: ["dynamodb:DeleteItem"], resource: "table" }],
      "realtime-default": [{ actions: ["execute-api:ManageConnections"], resource: "connections" }],
      "realtime-broadcast": [{ actions: ["dynamodb:Scan", "dynamodb:DeleteItem"], resource: "table" }, { actions: ["execute-api:ManageConnections"], resource: "connections" }],
      "realtime-direct": [{ actions: ["dynamodb:DeleteItem"], resource: "table" }, { actions: ["execute-api:ManageConnections"], resource: "connections" }],
      "realtime-whoami": [{ actions: ["execute-api:ManageConnections"], resource: "connections" }],
      "realtime-authorizer": [],
    };
    it("GRANTS covers every realtime function", () => {
      expect(Object.keys(GRANTS).sort()).to.deep.equal([...REALTIME_FUNCTIONS].sort());
    });
    for (const [name, grants] of Object.entries(GRANTS)) {
      const described = grants.map((g) => `${g.actions.join(", ")} on ${g.resource === "table" ? "the connections table" : `POST @connections of stage ${want.stage}`}`);
      it(`${name} may ${[...described, `write to its own log group (kept ${want.logRetentionDays} days)`].join(" and ")}, nothing else`, () => {
        const logGroup = one(T.logGroup, `${name}-logs`);
        expect(logGroup.inputs).to.deep.equal({ name: `/aws/lambda/${fn(name).state.name}`, retentionInDays: want.logRetentionDays });
        const rolePolicy = one(T.rolePolicy, `${name}-policy`);
        expect(rolePolicy.inputs.role).to.equal(one(T.role, `${name}-role`).id);
        expect(fn(name).inputs.role).to.equal(one(T.role, `${name}-role`).state.arn);
        expect(JSON.parse(rolePolicy.inputs.policy)).to.deep.equal({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: LOG_ACTIONS, Resource: [`${logGroup.state.arn}:*`] },
            ...grants.map((g) => ({ Effect: "Allow", Action: g.actions, Resource: [g.resource === "table" ? table().state.arn : manageConnections()] })),
          ],
        });
      });
    }
  });
}
