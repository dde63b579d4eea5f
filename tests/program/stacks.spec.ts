import * as path from "node:path";
import { expect } from "chai";
import { chooseApiType, validateApiRequirements } from "../../components/chooseApiType";
import { ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { loadStackConfig } from "../../local/stackConfig";
import { methodKeys, recordedRoute, selects } from "./apiRoutes";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
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
} as const;

type Stack = "dev" | "prod";

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
  },
};

/** Client-facing routes, with the function behind each (none for MOCK). */
const ROUTES: { method: string; path: string; fn?: string }[] = [
  { method: "GET", path: "/health" },
  { method: "POST", path: "/users", fn: "create-user" },
  { method: "GET", path: "/users/{id}", fn: "get-user" },
  { method: "GET", path: "/data", fn: "data" },
  { method: "POST", path: "/transform", fn: "transform" },
  { method: "POST", path: "/files", fn: "upload-file" },
];
const PREFLIGHT_METHODS: Record<string, string> = {
  "/health": "'GET,OPTIONS'",
  "/users": "'POST,OPTIONS'",
  "/users/{id}": "'GET,OPTIONS'",
  "/data": "'GET,OPTIONS'",
  "/transform": "'POST,OPTIONS'",
  "/files": "'POST,OPTIONS'",
};
const FUNCTIONS = ["create-user", "get-user", "data", "transform", "upload-file"];
const LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"];

/**
 * The mock names functions `<name>-<random hex>`, and the deployment trigger hashes their ARNs,
 * so two runs of one stack would never agree on it. Stable ARNs make the hash a function of
 * the API's spec alone, which is what the redeployment tests compare.
 */
async function stableFunctionArns(type: string, name: string): Promise<Record<string, unknown> | void> {
  if (type !== T.fn) return;
  const arn = `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
  return { arn, invokeArn: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations` };
}

// One evaluation per stack, shared by every spec below (runs must not overlap).
const runs = new Map<string, Promise<ProgramRun>>();
function stackRun(stack: Stack, key: string = stack): Promise<ProgramRun> {
  if (!runs.has(key)) runs.set(key, runProgram({ stack, onCreate: stableFunctionArns }));
  return runs.get(key)!;
}

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
        it("are exactly apiType, apiUrl and usersTableName, none secret", () => {
          expect(Object.keys(run.outputs).sort()).to.deep.equal(["apiType", "apiUrl", "usersTableName"]);
          for (const output of Object.values(run.outputs)) expect(output.secret).to.equal(false);
        });

        it('apiType is "REST"', () => {
          expect(run.outputs.apiType.value).to.equal("REST");
        });

        it(`apiUrl is the https invoke URL of stage ${stack}, without a trailing slash`, () => {
          expect(run.outputs.apiUrl.value).to.equal(`https://${api().id}.execute-api.us-east-1.amazonaws.com/${stack}`);
          expect(run.outputs.apiUrl.value).to.match(new RegExp(`^https://[^/]+/${stack}$`));
        });

        it("usersTableName is the table's name", () => {
          expect(run.outputs.usersTableName.value).to.equal(one(T.table, "users").state.name).and.to.match(/^users-/);
        });
      });

      describe("REST API", () => {
        it(`is ${want.endpointType}, with the default binary media types and no resource policy`, () => {
          expect(api().inputs.endpointConfiguration).to.deep.equal({ types: want.endpointType });
          expect(api().inputs.binaryMediaTypes).to.deep.equal(["image/*", "application/pdf", "application/octet-stream"]);
          expect(api().inputs.policy).to.equal(undefined);
          expect(api().inputs.description).to.equal(`apigw-kit demo API (${stack})`);
        });

        it("has exactly the 6 routes plus an OPTIONS preflight on each resource", () => {
          const routes = ROUTES.map((r) => `${r.method} ${r.path}`);
          const preflights = Object.keys(PREFLIGHT_METHODS).map((p) => `OPTIONS ${p}`);
          expect(methodKeys(run.graph)).to.deep.equal([...routes, ...preflights].sort());
        });

        it("parents every API Gateway resource on the RestApi component", () => {
          const component = one("apigw-kit:index:RestApi", "demo");
          const gatewayResources = run.graph.resources.filter((r) => r.type.startsWith("aws:apigateway/"));
          expect(gatewayResources.length).to.be.greaterThan(50);
          for (const r of gatewayResources) expect(r.parent, `${r.type} ${r.name}`).to.equal(component.urn);
        });
      });

      describe("routes", () => {
        it('GET /health is a MOCK answering {"status":"ok"}', () => {
          const route = recordedRoute(run.graph, "GET", "/health");
          expect(route.method.inputs.authorization).to.equal("NONE");
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

        it("GET /data is a proxy cached by category and Accept-Language, both declared on the method", () => {
          const route = recordedRoute(run.graph, "GET", "/data");
          const keys = ["method.request.querystring.category", "method.request.header.Accept-Language"];
          expect(route.integration.inputs.type).to.equal("AWS_PROXY");
          expect(route.integration.inputs.cacheKeyParameters).to.have.members(keys).and.to.have.length(2);
          expect(route.method.inputs.requestParameters).to.deep.equal({
            "method.request.querystring.category": false,
            "method.request.header.Accept-Language": false,
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

        it("tells the proxy functions the policy; the non-proxy transform function needs none", () => {
          for (const name of ["create-user", "get-user", "data", "upload-file"]) {
            expect(fn(name).inputs.environment.variables, name).to.include(want.corsEnv);
          }
          expect(fn("transform").inputs.environment).to.equal(undefined);
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

        it("exist for */*, ~1data/GET and ~1users~1{id}/GET only", () => {
          expect(all(T.methodSettings).map((s) => s.inputs.methodPath).sort()).to.deep.equal(["*/*", "~1data/GET", "~1users~1{id}/GET"]);
        });

        it(`*/*: metrics, INFO logs, data trace ${want.stageSettings.dataTraceEnabled ? "on" : "off"}, throttle ${want.stageSettings.throttlingRateLimit}/${want.stageSettings.throttlingBurstLimit}, cache ${want.stageSettings.cacheTtlInSeconds} s`, () => {
          expect(settings("*/*")).to.deep.equal(want.stageSettings);
        });

        it(`data/GET: throttle ${want.dataOverride.throttlingRateLimit}/${want.dataOverride.throttlingBurstLimit} and TTL ${want.dataOverride.cacheTtlInSeconds} s, still cached, the rest inherited`, () => {
          expect(settings("~1data/GET")).to.deep.equal({ ...want.stageSettings, ...want.dataOverride });
        });

        it("~1users~1{id}/GET: never cached (a record per user), the rest inherited", () => {
          const { cachingEnabled, ...inherited } = settings("~1users~1{id}/GET");
          expect(cachingEnabled).to.equal(false);
          expect(inherited).to.deep.equal({
            metricsEnabled: true,
            loggingLevel: "INFO",
            dataTraceEnabled: want.stageSettings.dataTraceEnabled,
            throttlingRateLimit: want.stageSettings.throttlingRateLimit,
            throttlingBurstLimit: want.stageSettings.throttlingBurstLimit,
          });
        });
      });

      describe("Lambda functions", () => {
        it("are exactly the five handlers", () => {
          expect(all(T.fn).map((f) => f.name).sort()).to.deep.equal([...FUNCTIONS].sort());
        });

        it("each run nodejs20.x under a role of their own", () => {
          const roles = new Set<string>();
          for (const name of FUNCTIONS) {
            const role = one(T.role, `${name}-role`);
            expect(fn(name).inputs, name).to.include({
              runtime: "nodejs20.x",
              role: role.state.arn,
              handler: "__index.handler",
              memorySize: want.lambda.memorySize,
              timeout: want.lambda.timeout,
            });
            expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
              { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
            roles.add(role.state.arn);
          }
          expect(roles.size).to.equal(FUNCTIONS.length);
          expect(all(T.role)).to.have.length(FUNCTIONS.length);
        });

        const DATA_ACTIONS: Record<string, string[]> = { "create-user": ["dynamodb:PutItem"], "get-user": ["dynamodb:GetItem"] };
        for (const name of FUNCTIONS) {
          const extra = DATA_ACTIONS[name];
          it(`${name} may ${extra ? `${extra.join(", ")} on the users table and ` : "only "}write to its own log group`, () => {
            const logGroup = one(T.logGroup, `${name}-logs`);
            const rolePolicy = one(T.rolePolicy, `${name}-policy`);
            expect(logGroup.inputs).to.deep.equal({ name: `/aws/lambda/${fn(name).state.name}`, retentionInDays: want.lambda.logRetentionDays });
            expect(rolePolicy.inputs.role).to.equal(one(T.role, `${name}-role`).id);
            const statements = [{ Effect: "Allow", Action: LOG_ACTIONS, Resource: [`${logGroup.state.arn}:*`] }];
            if (extra) statements.push({ Effect: "Allow", Action: extra, Resource: [one(T.table, "users").state.arn] });
            expect(JSON.parse(rolePolicy.inputs.policy)).to.deep.equal({ Version: "2012-10-17", Statement: statements });
          });
        }

        it("no policy grants a wildcard action or resource, and no managed policy is attached", () => {
          expect(all(T.rolePolicy)).to.have.length(FUNCTIONS.length);
          for (const rolePolicy of all(T.rolePolicy)) {
            for (const statement of JSON.parse(rolePolicy.inputs.policy).Statement) {
              for (const action of [statement.Action].flat()) expect(action, rolePolicy.name).not.to.contain("*");
              for (const resource of [statement.Resource].flat()) expect(resource, rolePolicy.name).not.to.equal("*");
            }
          }
          expect(all("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
          expect(all("aws:iam/policy:Policy")).to.deep.equal([]);
        });

        it("USERS_TABLE is the table's name for the users functions only", () => {
          const tableName = one(T.table, "users").state.name;
          expect(fn("create-user").inputs.environment.variables.USERS_TABLE).to.equal(tableName);
          expect(fn("get-user").inputs.environment.variables.USERS_TABLE).to.equal(tableName);
          for (const name of ["data", "upload-file"]) expect(fn(name).inputs.environment.variables, name).not.to.have.property("USERS_TABLE");
        });

        it("data is told the TTL GET /data is cached for", () => {
          expect(fn("data").inputs.environment.variables.CACHE_TTL_SECONDS).to.equal(String(want.dataOverride.cacheTtlInSeconds));
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

      describe("deployment", () => {
        it("waits for every method, integration, response, model and validator", () => {
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
          ].flatMap((type) => all(type));
          expect(all(T.method)).to.have.length(12);
          expect(all(T.integration)).to.have.length(12);
          const missing = needed.filter((r) => !deployment.dependencies.includes(r.urn)).map((r) => `${r.type} ${r.name}`);
          expect(missing).to.deep.equal([]);
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
