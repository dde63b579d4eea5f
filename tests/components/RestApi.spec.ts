import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { RestApi, RestApiArgs, RestApiTransform } from "../../components/restApi";
import { ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { descendantsOf, expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:RestApi",
  restApi: "aws:apigateway/restApi:RestApi",
  resource: "aws:apigateway/resource:Resource",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  methodResponse: "aws:apigateway/methodResponse:MethodResponse",
  integrationResponse: "aws:apigateway/integrationResponse:IntegrationResponse",
  model: "aws:apigateway/model:Model",
  validator: "aws:apigateway/requestValidator:RequestValidator",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  gatewayResponse: "aws:apigateway/response:Response",
  deployment: "aws:apigateway/deployment:Deployment",
  stage: "aws:apigateway/stage:Stage",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  permission: "aws:lambda/permission:Permission",
  function: "aws:lambda/function:Function",
  role: "aws:iam/role:Role",
};

const POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123";
const DRAFT_4 = "http://json-schema.org/draft-04/schema#";
const DEFAULT_ALLOW_HEADERS = "'Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token'";

/** A plain Lambda function with a fixed physical name, so its ARN is the same on every run. */
function lambdaFunction(name: string, role: aws.iam.Role): aws.lambda.Function {
  return new aws.lambda.Function(name, {
    name,
    role: role.arn,
    runtime: "nodejs24.x",
    handler: "index.handler",
    code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ statusCode: 200 });") }),
  });
}

function lambdaRole(): aws.iam.Role {
  return new aws.iam.Role("fn-role", {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
}

/** Runs one RestApi named "api" built by `build` (with the functions it gets) under the mocks. */
function runApi(build: (fns: (name: string) => aws.lambda.Function) => RestApiArgs): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    // AWS's invokeUrl may end with a slash; the component's url must not.
    cloud: { invokeUrl: (apiId, stage) => `https://${apiId}.execute-api.us-east-1.amazonaws.com/${stage}/` },
    define: () => {
      const role = lambdaRole();
      const created = new Map<string, aws.lambda.Function>();
      const fns = (name: string) => created.get(name) ?? created.set(name, lambdaFunction(name, role)).get(name)!;
      const api = new RestApi("api", build(fns));
      return { url: api.url, stageExecutionArn: api.stageExecutionArn };
    },
  });
}

/** Lookups by what a resource is (its type and inputs), not by its logical name. */
class ApiGraph {
  constructor(readonly run: ProgramRun) {}

  all(type: string): RecordedResource[] {
    return this.run.graph.ofType(type);
  }

  one(type: string): RecordedResource {
    const found = this.all(type);
    expect(found, `one ${type}`).to.have.length(1);
    return found[0];
  }

  get component(): RecordedResource {
    return this.one(T.component);
  }

  get api(): RecordedResource {
    return this.one(T.restApi);
  }

  fn(name: string): RecordedResource {
    const found = this.all(T.function).find((f) => f.inputs.name === name);
    if (!found) throw new Error(`no function ${name}`);
    return found;
  }

  resourceAt(path: string): RecordedResource {
    const found = this.all(T.resource).filter((r) => r.state.path === path);
    expect(found, `resources at ${path}`).to.have.length(1);
    return found[0];
  }

  resourceIdOf(path: string): string {
    return path === "/" ? this.api.state.rootResourceId : this.resourceAt(path).id!;
  }

  private onMethod(type: string, httpMethod: string, path: string): RecordedResource[] {
    const resourceId = this.resourceIdOf(path);
    return this.all(type).filter((r) => r.inputs.resourceId === resourceId && r.inputs.httpMethod === httpMethod);
  }

  method(httpMethod: string, path: string): RecordedResource {
    const found = this.onMethod(T.method, httpMethod, path);
    expect(found, `methods ${httpMethod} ${path}`).to.have.length(1);
    return found[0];
  }

  integration(httpMethod: string, path: string): RecordedResource {
    const found = this.onMethod(T.integration, httpMethod, path);
    expect(found, `integrations ${httpMethod} ${path}`).to.have.length(1);
    return found[0];
  }

  methodResponses(httpMethod: string, path: string): RecordedResource[] {
    return this.onMethod(T.methodResponse, httpMethod, path);
  }

  integrationResponses(httpMethod: string, path: string): RecordedResource[] {
    return this.onMethod(T.integrationResponse, httpMethod, path);
  }

  response(type: string, httpMethod: string, path: string, status: string): RecordedResource {
    const found = this.onMethod(type, httpMethod, path).filter((r) => r.inputs.statusCode === status);
    expect(found, `${type} ${status} of ${httpMethod} ${path}`).to.have.length(1);
    return found[0];
  }

  gatewayResponse(responseType: string): RecordedResource {
    const found = this.all(T.gatewayResponse).filter((r) => r.inputs.responseType === responseType);
    expect(found, `gateway responses ${responseType}`).to.have.length(1);
    return found[0];
  }

  permissionFor(sourceArn: string): RecordedResource {
    const found = this.all(T.permission).filter((p) => p.inputs.sourceArn === sourceArn);
    expect(found, `permissions for ${sourceArn} (have ${this.all(T.permission).map((p) => p.inputs.sourceArn).join(", ")})`).to.have.length(1);
    return found[0];
  }
}

const CREATE_TEMPLATE = '{"name": $input.json(\'$.name\'), "requestId": "$context.requestId"}';
const CREATED_TEMPLATE = '{"id": "$input.path(\'$.id\')"}';
const INVALID_TEMPLATE = '{"message": "$input.path(\'$.errorMessage\')"}';

/** One API using most features: every route kind, models, validators, authorizers, CORS, caching. */
function fullApi(fns: (name: string) => aws.lambda.Function): RestApiArgs {
  return {
    description: "users API",
    models: {
      NewUser: { schema: { type: "object", required: ["name"], properties: { name: { type: "string" } } } },
      Csv: { schema: { type: "string" }, contentType: "text/csv", description: "CSV rows" },
    },
    validators: { body: "BODY", params: "PARAMETERS", all: "BODY_AND_PARAMETERS" },
    authorizers: {
      pool: { type: "COGNITO_USER_POOLS", providerArns: [POOL_ARN] },
      token: { type: "TOKEN", function: fns("auth-fn"), identityValidationExpression: "^Bearer [-0-9a-zA-Z._]+$", resultTtlSeconds: 60 },
    },
    routes: [
      {
        path: "/users",
        method: "GET",
        integration: { type: "LAMBDA_PROXY", function: fns("users-fn"), timeoutMilliseconds: 10000 },
        requestParameters: { querystring: { limit: true } },
        requestValidator: "params",
      },
      {
        path: "/users",
        method: "POST",
        integration: {
          type: "LAMBDA",
          function: fns("create-user-fn"),
          requestTemplates: { "application/json": CREATE_TEMPLATE },
          passthroughBehavior: "NEVER",
          responses: [
            { statusCode: "201", responseTemplates: { "application/json": CREATED_TEMPLATE } },
            { statusCode: "400", selectionPattern: ".*Invalid.*", responseTemplates: { "application/json": INVALID_TEMPLATE } },
          ],
        },
        requestModels: { "application/json": "NewUser", "text/csv": "Csv" },
        requestValidator: "all",
      },
      {
        path: "/users/{id}",
        method: "GET",
        integration: { type: "LAMBDA_PROXY", function: fns("users-fn") },
        authorizer: "pool",
        authorizationScopes: ["users/read"],
        // Cached behind an authorizer: the caller's token must be part of the key.
        cacheKeyParameters: ["path.id", "querystring.category", "header.Authorization"],
      },
      {
        path: "/users/{id}",
        method: "DELETE",
        integration: { type: "LAMBDA_PROXY", function: fns("users-fn") },
        authorizer: "token",
        apiKeyRequired: true,
      },
      {
        path: "/data",
        method: "GET",
        integration: { type: "LAMBDA", function: fns("data-fn"), responses: [{ statusCode: "200" }] },
        cacheKeyParameters: ["querystring.category"],
      },
      {
        path: "/health",
        method: "GET",
        integration: { type: "MOCK", responses: [{ statusCode: "200", responseTemplates: { "application/json": '{"status": "ok"}' } }] },
      },
    ],
    cors: { allowOrigins: ["https://app.example.com"], allowCredentials: true, maxAgeSeconds: 300 },
    stage: { name: "dev", cacheClusterSize: "0.5", accessLogRetentionDays: 7, variables: { env: "dev" } },
    methodSettings: {
      "*/*": { loggingLevel: "ERROR", throttle: { rateLimit: 20, burstLimit: 40 }, caching: { enabled: true, ttlSeconds: 30 } },
      "data/GET": { throttle: { rateLimit: 5, burstLimit: 10 } },
    },
    gatewayResponses: { MISSING_AUTHENTICATION_TOKEN: { statusCode: "404", templates: { "application/json": '{"message": "Not Found"}' } } },
  };
}

const ROUTES: [string, string][] = [
  ["GET", "/users"],
  ["POST", "/users"],
  ["GET", "/users/{id}"],
  ["DELETE", "/users/{id}"],
  ["GET", "/data"],
  ["GET", "/health"],
];
const ROUTE_PATHS = ["/users", "/users/{id}", "/data", "/health"];

describe("RestApi (under the mock control plane)", () => {
  describe("a full API", () => {
    let g: ApiGraph;
    before(async () => {
      g = new ApiGraph(await runApi(fullApi));
    });

    describe("the API", () => {
      it("is REGIONAL with the default binary media types and API keys from the header", () => {
        expect(g.api.inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL" });
        expect(g.api.inputs.binaryMediaTypes).to.deep.equal(["image/*", "application/pdf", "application/octet-stream"]);
        expect(g.api.inputs.apiKeySource).to.equal("HEADER");
        expect(g.api.inputs.description).to.equal("users API");
        expect(g.api.inputs).not.to.have.property("policy");
      });

      it("parents every resource it creates to the component", () => {
        const component = g.component;
        const outside = new Set([T.function, T.role]);
        const created = g.run.graph.resources.filter((r) => r !== component && !outside.has(r.type));
        expect(created.length).to.be.greaterThan(40);
        for (const resource of created) {
          expect(resource.parent, `${resource.type} ${resource.name}`).to.equal(component.urn);
        }
        expect(g.run.graph.childrenOf(component.urn)).to.have.length(created.length);
      });

      it("answers a url with the stage and no trailing slash", () => {
        expect(g.run.outputs.url.value).to.equal(`https://${g.api.id}.execute-api.us-east-1.amazonaws.com/dev`);
        expect(g.run.outputs.stageExecutionArn.value).to.equal(`arn:aws:execute-api:us-east-1:123456789012:${g.api.id}/dev`);
      });
    });

    describe("the resource tree", () => {
      it("has one resource per path prefix", () => {
        const paths = g.all(T.resource).map((r) => r.state.path);
        expect(paths).to.have.members(["/users", "/users/{id}", "/data", "/health"]);
        expect(paths).to.have.length(4);
      });

      it("chains parentId up to the root and names each pathPart", () => {
        const users = g.resourceAt("/users");
        const user = g.resourceAt("/users/{id}");
        expect(users.inputs).to.include({ restApi: g.api.id, parentId: g.api.state.rootResourceId, pathPart: "users" });
        expect(user.inputs).to.include({ restApi: g.api.id, parentId: users.id, pathPart: "{id}" });
        expect(g.resourceAt("/data").inputs).to.include({ parentId: g.api.state.rootResourceId, pathPart: "data" });
        expect(g.resourceAt("/health").inputs).to.include({ parentId: g.api.state.rootResourceId, pathPart: "health" });
      });

      it("creates one method and one integration per route, plus OPTIONS for CORS", () => {
        expect(g.all(T.method)).to.have.length(ROUTES.length + ROUTE_PATHS.length);
        expect(g.all(T.integration)).to.have.length(ROUTES.length + ROUTE_PATHS.length);
        for (const [method, path] of ROUTES) {
          expect(g.method(method, path).inputs.restApi).to.equal(g.api.id);
          expect(g.integration(method, path).inputs.restApi).to.equal(g.api.id);
        }
      });
    });

    describe("models and validators", () => {
      it("creates models with the draft-04 $schema and their content type", () => {
        const models = g.all(T.model);
        expect(models.map((m) => m.inputs.name)).to.have.members(["NewUser", "Csv"]);
        const newUser = models.find((m) => m.inputs.name === "NewUser")!;
        expect(newUser.inputs).to.include({ restApi: g.api.id, contentType: "application/json" });
        expect(JSON.parse(newUser.inputs.schema)).to.deep.equal({
          $schema: DRAFT_4,
          title: "NewUser",
          type: "object",
          required: ["name"],
          properties: { name: { type: "string" } },
        });
        const csv = models.find((m) => m.inputs.name === "Csv")!;
        expect(csv.inputs).to.include({ contentType: "text/csv", description: "CSV rows" });
        expect(JSON.parse(csv.inputs.schema).$schema).to.equal(DRAFT_4);
      });

      it("creates validators checking what their kind says", () => {
        const byName = Object.fromEntries(g.all(T.validator).map((v) => [v.inputs.name, v.inputs]));
        expect(Object.keys(byName)).to.have.members(["body", "params", "all"]);
        expect(byName.body).to.include({ validateRequestBody: true, validateRequestParameters: false });
        expect(byName.params).to.include({ validateRequestBody: false, validateRequestParameters: true });
        expect(byName.all).to.include({ validateRequestBody: true, validateRequestParameters: true });
      });

      it("has methods reference their models and validator", () => {
        const post = g.method("POST", "/users");
        expect(post.inputs.requestModels).to.deep.equal({ "application/json": "NewUser", "text/csv": "Csv" });
        const all = g.all(T.validator).find((v) => v.inputs.name === "all")!;
        expect(post.inputs.requestValidatorId).to.equal(all.id);
        // A method naming a model fails unless the model exists first.
        for (const model of g.all(T.model)) expect(post.dependencies).to.include(model.urn);

        const params = g.all(T.validator).find((v) => v.inputs.name === "params")!;
        expect(g.method("GET", "/users").inputs.requestValidatorId).to.equal(params.id);
        expect(g.method("GET", "/users").inputs.requestParameters).to.deep.equal({ "method.request.querystring.limit": true });
        expect(g.method("GET", "/health").inputs).not.to.have.property("requestValidatorId");
      });
    });

    describe("Lambda proxy integrations", () => {
      it("invoke the function with POST as AWS_PROXY", () => {
        const usersFn = g.fn("users-fn");
        expect(g.integration("GET", "/users").inputs).to.include({
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          uri: usersFn.state.invokeArn,
          timeoutMilliseconds: 10000,
        });
        expect(g.integration("DELETE", "/users/{id}").inputs).to.include({ type: "AWS_PROXY", uri: usersFn.state.invokeArn, timeoutMilliseconds: 29000 });
        expect(g.integration("GET", "/users").inputs).not.to.have.any.keys("requestTemplates", "passthroughBehavior");
      });

      it("declare a 200 method response", () => {
        expect(g.methodResponses("GET", "/users").map((r) => r.inputs.statusCode)).to.deep.equal(["200"]);
      });
    });

    describe("Lambda (non-proxy) integrations", () => {
      it("map the request with templates as type AWS", () => {
        expect(g.integration("POST", "/users").inputs).to.deep.include({
          type: "AWS",
          integrationHttpMethod: "POST",
          uri: g.fn("create-user-fn").state.invokeArn,
          requestTemplates: { "application/json": CREATE_TEMPLATE },
          passthroughBehavior: "NEVER",
        });
        expect(g.integration("GET", "/data").inputs.passthroughBehavior).to.equal("WHEN_NO_TEMPLATES");
      });

      it("answer with integration responses chosen by selectionPattern, and a method response per status", () => {
        const created = g.response(T.integrationResponse, "POST", "/users", "201");
        expect(created.inputs).not.to.have.property("selectionPattern");
        expect(created.inputs.responseTemplates).to.deep.equal({ "application/json": CREATED_TEMPLATE });
        const invalid = g.response(T.integrationResponse, "POST", "/users", "400");
        expect(invalid.inputs.selectionPattern).to.equal(".*Invalid.*");
        expect(invalid.inputs.responseTemplates).to.deep.equal({ "application/json": INVALID_TEMPLATE });
        expect(g.methodResponses("POST", "/users").map((r) => r.inputs.statusCode)).to.have.members(["201", "400"]);
        expect(g.integrationResponses("POST", "/users")).to.have.length(2);
      });

      it("create each integration response after its method response and the integration", () => {
        const invalid = g.response(T.integrationResponse, "POST", "/users", "400");
        expect(invalid.dependencies).to.include.members([g.response(T.methodResponse, "POST", "/users", "400").urn, g.integration("POST", "/users").urn]);
      });
    });

    describe("MOCK integrations", () => {
      it("answer {statusCode: 200} by default, passing unmatched content types through", () => {
        const mock = g.integration("GET", "/health");
        expect(mock.inputs).to.deep.include({ type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' }, passthroughBehavior: "WHEN_NO_MATCH" });
        expect(mock.inputs).not.to.have.any.keys("uri", "integrationHttpMethod");
        expect(g.response(T.integrationResponse, "GET", "/health", "200").inputs.responseTemplates).to.deep.equal({ "application/json": '{"status": "ok"}' });
      });
    });

    describe("Lambda permissions", () => {
      it("let API Gateway invoke each function from its own method and path only", () => {
        const exec = g.api.state.executionArn;
        const cases: [string, string][] = [
          [`${exec}/*/GET/users`, "users-fn"],
          [`${exec}/*/POST/users`, "create-user-fn"],
          [`${exec}/*/GET/users/*`, "users-fn"],
          [`${exec}/*/DELETE/users/*`, "users-fn"],
          [`${exec}/*/GET/data`, "data-fn"],
        ];
        for (const [sourceArn, fnName] of cases) {
          expect(g.permissionFor(sourceArn).inputs).to.include({
            action: "lambda:InvokeFunction",
            principal: "apigateway.amazonaws.com",
            function: g.fn(fnName).state.name,
          });
        }
      });

      it("give MOCK routes none", () => {
        // 5 Lambda routes and the TOKEN authorizer.
        expect(g.all(T.permission)).to.have.length(6);
        expect(g.all(T.permission).map((p) => p.inputs.sourceArn)).not.to.include(`${g.api.state.executionArn}/*/GET/health`);
      });
    });

    describe("cache key parameters", () => {
      it("are set on the integration and declared by the method", () => {
        expect(g.integration("GET", "/users/{id}").inputs.cacheKeyParameters).to.deep.equal([
          "method.request.path.id",
          "method.request.querystring.category",
          "method.request.header.Authorization",
        ]);
        expect(g.method("GET", "/users/{id}").inputs.requestParameters).to.deep.equal({
          "method.request.path.id": true,
          "method.request.querystring.category": false,
          "method.request.header.Authorization": false,
        });
        expect(g.integration("GET", "/data").inputs.cacheKeyParameters).to.deep.equal(["method.request.querystring.category"]);
        expect(g.method("GET", "/data").inputs.requestParameters).to.deep.equal({ "method.request.querystring.category": false });
      });

      it("are mapped through to a non-proxy integration's request", () => {
        expect(g.integration("GET", "/data").inputs.requestParameters).to.deep.equal({
          "integration.request.querystring.category": "method.request.querystring.category",
        });
      });

      it("are absent from routes without any", () => {
        expect(g.integration("GET", "/users").inputs).not.to.have.property("cacheKeyParameters");
      });
    });

    describe("authorizers", () => {
      it("create a COGNITO_USER_POOLS authorizer guarding its routes with scopes", () => {
        const pool = g.all(T.authorizer).find((a) => a.inputs.name === "pool")!;
        expect(pool.inputs).to.deep.include({
          restApi: g.api.id,
          type: "COGNITO_USER_POOLS",
          providerArns: [POOL_ARN],
          identitySource: "method.request.header.Authorization",
          authorizerResultTtlInSeconds: 300,
        });
        expect(g.method("GET", "/users/{id}").inputs).to.deep.include({
          authorization: "COGNITO_USER_POOLS",
          authorizerId: pool.id,
          authorizationScopes: ["users/read"],
        });
      });

      it("create a TOKEN authorizer that methods name CUSTOM, with a permission for /authorizers/*", () => {
        const token = g.all(T.authorizer).find((a) => a.inputs.name === "token")!;
        expect(token.inputs).to.include({
          type: "TOKEN",
          authorizerUri: g.fn("auth-fn").state.invokeArn,
          identityValidationExpression: "^Bearer [-0-9a-zA-Z._]+$",
          authorizerResultTtlInSeconds: 60,
        });
        expect(g.method("DELETE", "/users/{id}").inputs).to.include({ authorization: "CUSTOM", authorizerId: token.id, apiKeyRequired: true });
        expect(g.permissionFor(`${g.api.state.executionArn}/authorizers/*`).inputs).to.include({
          action: "lambda:InvokeFunction",
          principal: "apigateway.amazonaws.com",
          function: g.fn("auth-fn").state.name,
        });
      });

      it("leave other routes open", () => {
        expect(g.method("GET", "/users").inputs).to.include({ authorization: "NONE", apiKeyRequired: false });
        expect(g.method("GET", "/users").inputs).not.to.have.property("authorizerId");
      });
    });

    describe("CORS with one origin", () => {
      it("answers preflights with a MOCK OPTIONS method on every resource with routes", () => {
        for (const path of ROUTE_PATHS) {
          expect(g.method("OPTIONS", path).inputs).to.include({ authorization: "NONE", apiKeyRequired: false });
          expect(g.integration("OPTIONS", path).inputs).to.deep.include({ type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } });
        }
        expect(() => g.method("OPTIONS", "/")).to.throw();
      });

      it("sends static Allow-Origin/Credentials/Methods/Headers/Max-Age headers from the preflight", () => {
        expect(g.response(T.integrationResponse, "OPTIONS", "/users", "200").inputs.responseParameters).to.deep.equal({
          "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
          "method.response.header.Access-Control-Allow-Credentials": "'true'",
          "method.response.header.Vary": "'Origin'",
          "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
          "method.response.header.Access-Control-Allow-Headers": DEFAULT_ALLOW_HEADERS,
          "method.response.header.Access-Control-Max-Age": "'300'",
        });
        expect(g.response(T.integrationResponse, "OPTIONS", "/users/{id}", "200").inputs.responseParameters).to.include({
          "method.response.header.Access-Control-Allow-Methods": "'GET,DELETE,OPTIONS'",
        });
        const declared = Object.keys(g.response(T.methodResponse, "OPTIONS", "/users", "200").inputs.responseParameters);
        expect(declared).to.have.members([
          "method.response.header.Access-Control-Allow-Origin",
          "method.response.header.Access-Control-Allow-Credentials",
          "method.response.header.Vary",
          "method.response.header.Access-Control-Allow-Methods",
          "method.response.header.Access-Control-Allow-Headers",
          "method.response.header.Access-Control-Max-Age",
        ]);
      });

      it("adds Allow-Origin to non-proxy and MOCK responses", () => {
        for (const [method, path, status] of [["POST", "/users", "201"], ["POST", "/users", "400"], ["GET", "/data", "200"], ["GET", "/health", "200"]]) {
          expect(g.response(T.methodResponse, method, path, status).inputs.responseParameters).to.have.property("method.response.header.Access-Control-Allow-Origin", false);
          expect(g.response(T.integrationResponse, method, path, status).inputs.responseParameters).to.include({
            "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
            "method.response.header.Access-Control-Allow-Credentials": "'true'",
          });
        }
      });

      it("puts CORS headers on DEFAULT_4XX and DEFAULT_5XX gateway responses", () => {
        for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
          expect(g.gatewayResponse(type).inputs.responseParameters).to.include({
            "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'",
            "gatewayresponse.header.Access-Control-Allow-Credentials": "'true'",
            "gatewayresponse.header.Access-Control-Allow-Headers": DEFAULT_ALLOW_HEADERS,
          });
        }
      });

      it("keeps the customised gateway responses, with the CORS headers too", () => {
        expect(g.gatewayResponse("MISSING_AUTHENTICATION_TOKEN").inputs).to.deep.include({
          restApiId: g.api.id,
          statusCode: "404",
          responseTemplates: { "application/json": '{"message": "Not Found"}' },
        });
        // AWS uses DEFAULT_4XX only for types that are not customised.
        expect(g.gatewayResponse("MISSING_AUTHENTICATION_TOKEN").inputs.responseParameters).to.include({
          "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'",
        });
        expect(g.all(T.gatewayResponse)).to.have.length(3);
      });
    });

    describe("the stage", () => {
      it("serves the deployment with tracing, the cache cluster and variables", () => {
        const stage = g.one(T.stage);
        expect(stage.inputs).to.deep.include({
          restApi: g.api.id,
          deployment: g.one(T.deployment).id,
          stageName: "dev",
          xrayTracingEnabled: true,
          cacheClusterEnabled: true,
          cacheClusterSize: "0.5",
          variables: { env: "dev" },
        });
      });

      it("writes JSON access logs to its own log group", () => {
        const stage = g.one(T.stage);
        const logGroup = g.one(T.logGroup);
        expect(stage.inputs.accessLogSettings.destinationArn).to.equal(logGroup.state.arn);
        const format = JSON.parse(stage.inputs.accessLogSettings.format);
        expect(format).to.include({ requestId: "$context.requestId", status: "$context.status", httpMethod: "$context.httpMethod", resourcePath: "$context.resourcePath" });
        expect(logGroup.inputs.retentionInDays).to.equal(7);
      });
    });

    describe("method settings", () => {
      it("creates one MethodSettings per method path on the stage", () => {
        const settings = g.all(T.methodSettings);
        expect(settings.map((s) => s.inputs.methodPath)).to.have.members(["*/*", "~1data/GET"]);
        expect(settings).to.have.length(2);
        const stage = g.one(T.stage);
        for (const s of settings) {
          expect(s.inputs).to.include({ restApi: g.api.id, stageName: "dev" });
          expect(s.dependencies).to.include(stage.urn);
        }
      });

      it("merges the stage defaults into the data/GET override", () => {
        const byPath = Object.fromEntries(g.all(T.methodSettings).map((s) => [s.inputs.methodPath, s.inputs.settings]));
        const common = {
          metricsEnabled: true,
          loggingLevel: "ERROR",
          dataTraceEnabled: false,
          cachingEnabled: true,
          cacheTtlInSeconds: 30,
          cacheDataEncrypted: false,
          requireAuthorizationForCacheControl: true,
          unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
        };
        expect(byPath["*/*"]).to.deep.equal({ ...common, throttlingRateLimit: 20, throttlingBurstLimit: 40 });
        expect(byPath["~1data/GET"]).to.deep.equal({ ...common, throttlingRateLimit: 5, throttlingBurstLimit: 10 });
      });
    });

    describe("the deployment", () => {
      it("waits for every method, integration and response", () => {
        const deployment = g.one(T.deployment);
        expect(deployment.inputs.restApi).to.equal(g.api.id);
        const required = [T.method, T.integration, T.methodResponse, T.integrationResponse, T.model, T.validator, T.gatewayResponse];
        for (const type of required) {
          for (const resource of g.all(type)) {
            expect(deployment.dependencies, `${type} ${resource.name}`).to.include(resource.urn);
          }
        }
      });

      it("has a redeployment trigger", () => {
        expect(g.one(T.deployment).inputs.triggers.redeployment).to.match(/^[0-9a-f]{64}$/);
      });
    });
  });

  describe("an EDGE API with custom binary media types and keys from the authorizer", () => {
    let g: ApiGraph;
    before(async () => {
      g = new ApiGraph(
        await runApi(() => ({
          endpointType: "EDGE",
          binaryMediaTypes: ["application/zip", "image/png"],
          apiKeySource: "AUTHORIZER",
          routes: [{ path: "/", method: "GET", integration: { type: "MOCK", responses: [{ statusCode: "200" }] } }],
          stage: { name: "prod", tracingEnabled: false },
        })),
      );
    });

    it("sets the endpoint type, binary media types and API key source", () => {
      expect(g.api.inputs.endpointConfiguration).to.deep.equal({ types: "EDGE" });
      expect(g.api.inputs.binaryMediaTypes).to.deep.equal(["application/zip", "image/png"]);
      expect(g.api.inputs.apiKeySource).to.equal("AUTHORIZER");
    });

    it("puts a root route on the root resource, creating no other resource", () => {
      expect(g.all(T.resource)).to.have.length(0);
      expect(g.method("GET", "/").inputs.resourceId).to.equal(g.api.state.rootResourceId);
    });

    it("adds no CORS pieces without cors", () => {
      expect(g.all(T.method).map((m) => m.inputs.httpMethod)).to.deep.equal(["GET"]);
      expect(g.all(T.gatewayResponse)).to.have.length(0);
      expect(g.response(T.methodResponse, "GET", "/", "200").inputs.responseParameters).to.deep.equal({});
      expect(g.response(T.integrationResponse, "GET", "/", "200").inputs).not.to.have.property("responseTemplates");
    });

    it("defaults method settings and keeps the stage without tracing or cache", () => {
      expect(g.one(T.stage).inputs).to.include({ stageName: "prod", xrayTracingEnabled: false, cacheClusterEnabled: false });
      expect(g.one(T.stage).inputs).not.to.have.property("cacheClusterSize");
      expect(g.one(T.logGroup).inputs.retentionInDays).to.equal(30);
      expect(g.one(T.methodSettings).inputs).to.deep.include({
        methodPath: "*/*",
        settings: { metricsEnabled: true, loggingLevel: "INFO", dataTraceEnabled: false, cachingEnabled: false },
      });
      expect(g.run.outputs.url.value).to.equal(`https://${g.api.id}.execute-api.us-east-1.amazonaws.com/prod`);
    });
  });

  describe("a PRIVATE API", () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: { StringEquals: { "aws:sourceVpce": "vpce-0abc" } } }],
    });
    let g: ApiGraph;
    before(async () => {
      g = new ApiGraph(
        await runApi(() => ({
          endpointType: "PRIVATE",
          vpcEndpointIds: ["vpce-0abc", "vpce-0def"],
          policy,
          routes: [{ path: "/ping", method: "GET", integration: { type: "MOCK", responses: [{ statusCode: "200" }] } }],
          stage: { name: "internal" },
        })),
      );
    });

    it("is reachable through its VPC endpoints only, with the resource policy", () => {
      expect(g.api.inputs.endpointConfiguration).to.deep.equal({ types: "PRIVATE", vpcEndpointIds: ["vpce-0abc", "vpce-0def"] });
      expect(g.api.inputs.policy).to.equal(policy);
    });
  });

  describe("CORS with several origins", () => {
    let g: ApiGraph;
    const ORIGINS = ["https://app.example.com", "http://localhost:3000"];
    before(async () => {
      g = new ApiGraph(
        await runApi((fns) => ({
          routes: [
            { path: "/health", method: "GET", integration: { type: "MOCK", responses: [{ statusCode: "200" }] } },
            {
              path: "/report",
              method: "POST",
              integration: { type: "LAMBDA", function: fns("report-fn"), responses: [{ statusCode: "200", responseTemplates: { "application/json": "$input.json('$.body')" } }] },
            },
            { path: "/report", method: "ANY", integration: { type: "LAMBDA_PROXY", function: fns("report-fn") } },
          ],
          cors: { allowOrigins: ORIGINS, exposeHeaders: ["X-Request-Id"] },
          stage: { name: "dev" },
        })),
      );
    });

    /** The origins a template echoes into Access-Control-Allow-Origin. */
    function checkedOrigins(template: string): string[] {
      const line = template.split("\n").find((l) => l.includes("$context.responseOverride.header.Access-Control-Allow-Origin"));
      expect(line, "the origin check").to.be.a("string");
      expect(line).to.match(/^#if\(.*\)#set\(\$context\.responseOverride\.header\.Access-Control-Allow-Origin = \$origin\)#end$/);
      return [...line!.matchAll(/\$origin == "([^"]+)"/g)].map((m) => m[1]);
    }

    it("checks the request's Origin against exactly the allowed origins in the preflight", () => {
      const preflight = g.response(T.integrationResponse, "OPTIONS", "/health", "200");
      expect(checkedOrigins(preflight.inputs.responseTemplates["application/json"])).to.deep.equal(ORIGINS);
      // No static Allow-Origin: the template sets it only for an allowed origin.
      expect(preflight.inputs.responseParameters).not.to.have.property("method.response.header.Access-Control-Allow-Origin");
      expect(preflight.inputs.responseParameters).not.to.have.property("method.response.header.Access-Control-Allow-Credentials");
      expect(preflight.inputs.responseParameters).to.include({
        "method.response.header.Vary": "'Origin'",
        "method.response.header.Access-Control-Expose-Headers": "'X-Request-Id'",
        "method.response.header.Access-Control-Max-Age": "'600'",
      });
      expect(g.response(T.methodResponse, "OPTIONS", "/health", "200").inputs.responseParameters).to.have.property(
        "method.response.header.Access-Control-Allow-Origin",
        false,
      );
    });

    it("announces the methods of ANY on the preflight", () => {
      expect(g.response(T.integrationResponse, "OPTIONS", "/report", "200").inputs.responseParameters["method.response.header.Access-Control-Allow-Methods"]).to.equal(
        "'POST,GET,PUT,PATCH,DELETE,HEAD,OPTIONS'",
      );
    });

    it("checks the Origin in non-proxy and MOCK responses too, keeping their own templates", () => {
      const mock = g.response(T.integrationResponse, "GET", "/health", "200").inputs.responseTemplates["application/json"];
      expect(checkedOrigins(mock)).to.deep.equal(ORIGINS);
      expect(mock.endsWith("\n$input.json('$')")).to.equal(true);
      const lambda = g.response(T.integrationResponse, "POST", "/report", "200").inputs.responseTemplates["application/json"];
      expect(checkedOrigins(lambda)).to.deep.equal(ORIGINS);
      expect(lambda.endsWith("\n$input.json('$.body')")).to.equal(true);
      for (const [method, path] of [["GET", "/health"], ["POST", "/report"]]) {
        expect(g.response(T.methodResponse, method, path, "200").inputs.responseParameters).to.have.property("method.response.header.Access-Control-Allow-Origin", false);
      }
    });

    it("uses the first origin on gateway responses, which cannot check it", () => {
      expect(g.gatewayResponse("DEFAULT_4XX").inputs.responseParameters).to.include({ "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'" });
      expect(g.gatewayResponse("DEFAULT_5XX").inputs.responseParameters).to.include({ "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'" });
    });
  });

  describe("the redeployment trigger", () => {
    const BASE_TEMPLATE = '{"status": "ok"}';
    interface Variant {
      template?: string;
      extraRoute?: boolean;
      schemaMaxLength?: number;
      validatorKind?: "BODY" | "BODY_AND_PARAMETERS";
      rateLimit?: number;
      functionName?: string;
      policy?: string;
    }

    function variantApi(v: Variant) {
      return (fns: (name: string) => aws.lambda.Function): RestApiArgs => ({
        models: { Item: { schema: { type: "object", properties: { name: { type: "string", maxLength: v.schemaMaxLength ?? 50 } } } } },
        validators: { body: v.validatorKind ?? "BODY" },
        routes: [
          {
            path: "/items",
            method: "POST",
            integration: { type: "LAMBDA_PROXY", function: fns(v.functionName ?? "items-fn") },
            requestModels: { "application/json": "Item" },
            requestValidator: "body",
          },
          { path: "/health", method: "GET", integration: { type: "MOCK", responses: [{ statusCode: "200", responseTemplates: { "application/json": v.template ?? BASE_TEMPLATE } }] } },
          ...(v.extraRoute ? [{ path: "/items", method: "GET" as const, integration: { type: "LAMBDA_PROXY" as const, function: fns("items-fn") } }] : []),
        ],
        stage: { name: "dev" },
        methodSettings: { "*/*": { throttle: { rateLimit: v.rateLimit ?? 10, burstLimit: 20 } } },
        policy: v.policy,
      });
    }

    async function triggerOf(v: Variant): Promise<string> {
      const run = await runApi(variantApi(v));
      const [deployment] = run.graph.ofType(T.deployment);
      return deployment.inputs.triggers.redeployment;
    }

    const triggers: Record<string, string> = {};
    before(async () => {
      // One run at a time: the Pulumi runtime is process-wide.
      const variants: Record<string, Variant> = {
        base: {},
        again: {},
        route: { extraRoute: true },
        template: { template: '{"status": "degraded"}' },
        model: { schemaMaxLength: 80 },
        validator: { validatorKind: "BODY_AND_PARAMETERS" },
        setting: { rateLimit: 11 },
        function: { functionName: "items-v2-fn" },
        policy: { policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) },
      };
      for (const [name, variant] of Object.entries(variants)) triggers[name] = await triggerOf(variant);
    });

    it("stays the same when nothing changes", () => {
      expect(triggers.again).to.equal(triggers.base);
    });

    for (const change of ["route", "template", "model", "validator", "setting", "function", "policy"]) {
      it(`changes when a ${change} changes`, () => {
        expect(triggers[change]).to.match(/^[0-9a-f]{64}$/);
        expect(triggers[change]).not.to.equal(triggers.base);
      });
    }
  });

  describe("tags and transforms", () => {
    const TAGS = { team: "payments", costCenter: "1234" };
    /** The resource type of each transform key. */
    const KIND_TYPES: Record<keyof RestApiTransform, string> = {
      api: T.restApi,
      deployment: T.deployment,
      logGroup: T.logGroup,
      stage: T.stage,
      resource: T.resource,
      model: T.model,
      requestValidator: T.validator,
      authorizer: T.authorizer,
      permission: T.permission,
      method: T.method,
      integration: T.integration,
      methodResponse: T.methodResponse,
      integrationResponse: T.integrationResponse,
      gatewayResponse: T.gatewayResponse,
      methodSettings: T.methodSettings,
    };

    describe("tags", () => {
      let run: ProgramRun;
      before(async () => {
        run = await runApi((fns) => ({ ...fullApi(fns), tags: TAGS }));
      });

      it("reach every taggable child: the API, the stage and the access-log group", () => {
        const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
        expect(tagged.map((r) => r.type).sort()).to.deep.equal([T.restApi, T.logGroup, T.stage].sort());
      });

      it("are not given to children that take none", () => {
        const untaggable = descendantsOf(run, T.component).filter((r) => ![T.restApi, T.stage, T.logGroup].includes(r.type));
        expect(untaggable.length).to.be.greaterThan(40);
        for (const resource of untaggable) expect(resource.inputs, `${resource.type} ${resource.name}`).not.to.have.property("tags");
      });
    });

    describe("a transform per kind of child", () => {
      // The mocks record args, not options (RecordedResource has no protect, ignoreChanges...),
      // so these specs set options too but assert on what the transforms did to the args.
      let g: ApiGraph;
      const seen: Record<string, string[]> = {};
      before(async () => {
        const record = (kind: keyof RestApiTransform) => (_args: unknown, opts: pulumi.CustomResourceOptions, name: string) => {
          (seen[kind] ??= []).push(name);
          opts.protect = false;
        };
        const transform: RestApiTransform = Object.fromEntries(Object.keys(KIND_TYPES).map((kind) => [kind, record(kind as keyof RestApiTransform)]));
        // Objects are merged into the args.
        transform.stage = { xrayTracingEnabled: false, description: "public" };
        transform.api = { description: "x" };
        transform.integration = { contentHandling: "CONVERT_TO_TEXT" };
        // Functions change the args in place, once per child, with the child's name.
        transform.method = (args, opts, name) => {
          (seen.method ??= []).push(name);
          args.apiKeyRequired = true;
          opts.ignoreChanges = ["apiKeyRequired"];
        };
        transform.logGroup = (args, _opts, name) => {
          (seen.logGroup ??= []).push(name);
          args.retentionInDays = 90;
        };
        g = new ApiGraph(await runApi((fns) => ({ ...fullApi(fns), transform })));
      });

      it("merges an object into the child's args, keeping the component's other args", () => {
        expect(g.one(T.stage).inputs).to.include({ xrayTracingEnabled: false, description: "public", stageName: "dev", cacheClusterEnabled: true, cacheClusterSize: "0.5" });
        expect(g.api.inputs.description).to.equal("x");
        expect(g.api.inputs.apiKeySource).to.equal("HEADER");
      });

      it("lets a function change the child's args, keeping the component's other args", () => {
        expect(g.one(T.logGroup).inputs.retentionInDays).to.equal(90);
        expect(g.one(T.logGroup).inputs.name).to.match(/^\/aws\/apigateway\/.+\/dev\/access$/);
      });

      it("applies a method function to every method, preflights included, with each one's name", () => {
        const methods = g.all(T.method);
        // 6 routes and 4 preflights; the full API has methods without API keys.
        expect(methods).to.have.length(10);
        for (const method of methods) expect(method.inputs.apiKeyRequired, method.name).to.equal(true);
        expect(seen.method).to.have.members(methods.map((m) => m.name));
        expect(g.method("GET", "/users/{id}").inputs).to.include({ authorization: "COGNITO_USER_POOLS", httpMethod: "GET" });
      });

      it("merges an integration object into every integration, preflights included", () => {
        const integrations = g.all(T.integration);
        expect(integrations).to.have.length(10);
        for (const integration of integrations) expect(integration.inputs.contentHandling, integration.name).to.equal("CONVERT_TO_TEXT");
        expect(g.integration("GET", "/users").inputs).to.include({ type: "AWS_PROXY", timeoutMilliseconds: 10000 });
        expect(g.integration("GET", "/health").inputs.type).to.equal("MOCK");
      });

      it("passes every child through the transform of its kind", () => {
        const children = descendantsOf(g.run, T.component);
        for (const [kind, type] of Object.entries(KIND_TYPES)) {
          if (["stage", "api", "integration"].includes(kind)) continue; // objects: nothing to record
          const ofKind = children.filter((r) => r.type === type);
          expect(ofKind, type).not.to.be.empty;
          expect(seen[kind], kind).to.have.members(ofKind.map((r) => r.name));
        }
        const recorded = new Set(Object.values(seen).flat());
        const objectKinds = new Set([T.stage, T.restApi, T.integration]);
        for (const child of children.filter((r) => !objectKinds.has(r.type))) expect(recorded.has(child.name), `${child.type} ${child.name}`).to.equal(true);
      });
    });

    describe("the redeployment trigger", () => {
      const triggers: Record<string, string> = {};
      before(async () => {
        const variants: Record<string, Partial<RestApiArgs>> = {
          base: {},
          tags: { tags: TAGS },
          // Only options: the args are as the component made them.
          options: { transform: { method: (_args, opts) => void (opts.protect = true), integration: (_args, opts) => void (opts.retainOnDelete = true) } },
          notServed: { transform: { stage: { description: "public" }, logGroup: { retentionInDays: 90 }, methodSettings: (args) => void (args.settings = { metricsEnabled: false }) } },
          method: { transform: { method: (args) => void (args.apiKeyRequired = true) } },
          methodAgain: { transform: { method: (args) => void (args.apiKeyRequired = true) } },
          gatewayResponse: { transform: { gatewayResponse: { statusCode: "418" } } },
        };
        for (const [name, variant] of Object.entries(variants)) {
          const run = await runApi((fns) => ({ ...fullApi(fns), ...variant }));
          triggers[name] = run.graph.ofType(T.deployment)[0].inputs.triggers.redeployment;
        }
      });

      it("stays the same with tags, options-only transforms and transforms of what the stage does not serve", () => {
        expect(triggers.base).to.match(/^[0-9a-f]{64}$/);
        expect(triggers.tags).to.equal(triggers.base);
        expect(triggers.options).to.equal(triggers.base);
        expect(triggers.notServed).to.equal(triggers.base);
      });

      it("changes when a transform changes what the stage serves, and only then", () => {
        expect(triggers.method).to.match(/^[0-9a-f]{64}$/);
        expect(triggers.method).not.to.equal(triggers.base);
        expect(triggers.methodAgain).to.equal(triggers.method);
        expect(triggers.gatewayResponse).not.to.equal(triggers.base);
        expect(triggers.gatewayResponse).not.to.equal(triggers.method);
      });
    });
  });
});
