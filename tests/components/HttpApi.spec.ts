import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  HTTP_ACCESS_LOG_FORMAT,
  HttpApi,
  HttpApiArgs,
  HttpRouteArgs,
  REST_ONLY_CONFIG_KEYS,
  validateHttpApiArgs,
} from "../../components/httpApi";
import { ProgramError, ProgramRun, RecordedResource, RunProgramOptions, runProgram } from "../../local/controlPlane";
import { descendantsOf, expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:HttpApi",
  api: "aws:apigatewayv2/api:Api",
  integration: "aws:apigatewayv2/integration:Integration",
  route: "aws:apigatewayv2/route:Route",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
  stage: "aws:apigatewayv2/stage:Stage",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  permission: "aws:lambda/permission:Permission",
  function: "aws:lambda/function:Function",
};

const ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123";

/**
 * The attributes AWS computes for API Gateway v2 resources, in case the control plane's mocks
 * do not answer them: `apiEndpoint` and `executionArn` of the API, `invokeUrl` of a stage (the
 * API endpoint plus `/{stage}`, or `/` for `$default`, as the provider reports it).
 */
const v2Attributes: RunProgramOptions["onCreate"] = async (type, _name, inputs, computed) => {
  if (type === T.api && !computed.apiEndpoint) {
    return { apiEndpoint: "https://pending.execute-api.us-east-1.amazonaws.com", executionArn: "arn:aws:execute-api:us-east-1:123456789012:pending" };
  }
  if (type === T.stage && !computed.invokeUrl) {
    return { invokeUrl: `https://${inputs.apiId}.execute-api.us-east-1.amazonaws.com/${inputs.name === "$default" ? "" : inputs.name}` };
  }
  return undefined;
};

/** A plain Lambda function with a fixed physical name, so its ARN is the same on every run. */
function lambdaFunction(name: string, opts?: pulumi.CustomResourceOptions): aws.lambda.Function {
  return new aws.lambda.Function(
    name,
    {
      name,
      role: "arn:aws:iam::123456789012:role/fn",
      runtime: "nodejs24.x",
      handler: "index.handler",
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 'ok';") }),
    },
    opts,
  );
}

/** Runs one HttpApi named "api" built by `build` (with the functions it asks for) under the mocks. */
function runApi(build: (fns: (name: string) => aws.lambda.Function) => HttpApiArgs): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    onCreate: v2Attributes,
    define: () => {
      const created = new Map<string, aws.lambda.Function>();
      const fns = (name: string) => created.get(name) ?? created.set(name, lambdaFunction(name)).get(name)!;
      const api = new HttpApi("api", build(fns));
      return { url: api.url, apiId: api.apiId, executionArn: api.executionArn };
    },
  });
}

class Graph {
  constructor(readonly run: ProgramRun) {}
  all(type: string): RecordedResource[] {
    return this.run.graph.ofType(type);
  }
  one(type: string): RecordedResource {
    const found = this.all(type);
    expect(found, `one ${type}`).to.have.length(1);
    return found[0];
  }
  fn(name: string): RecordedResource {
    const found = this.all(T.function).find((f) => f.inputs.name === name);
    if (!found) throw new Error(`no function ${name}`);
    return found;
  }
  route(routeKey: string): RecordedResource {
    const found = this.all(T.route).filter((r) => r.inputs.routeKey === routeKey);
    expect(found, `routes ${routeKey}`).to.have.length(1);
    return found[0];
  }
  integrationOf(routeKey: string): RecordedResource {
    const id = /^integrations\/(.+)$/.exec(this.route(routeKey).inputs.target)?.[1];
    const found = this.all(T.integration).find((i) => i.id === id);
    if (!found) throw new Error(`route ${routeKey} targets ${this.route(routeKey).inputs.target}, which is no integration`);
    return found;
  }
  permissionOf(functionName: string): RecordedResource[] {
    return this.all(T.permission).filter((p) => p.inputs.function === functionName);
  }
}

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the call to throw");
};

describe("HttpApi", function () {
  describe("a full API under the mocks", () => {
    let g: Graph;
    before(async () => {
      g = new Graph(
        await runApi((fn) => ({
          description: "users and files",
          jwtAuthorizers: {
            users: { issuer: ISSUER, audience: ["client-a", "client-b"] },
            partners: { issuer: "https://issuer.example.com", audience: ["partner"], identitySource: "$request.header.X-Partner-Token" },
          },
          routes: [
            { method: "GET", path: "/users/{id}", function: fn("users"), authorizer: "users", authorizationScopes: ["users/read"], throttle: { rateLimit: 5, burstLimit: 10 } },
            { method: "POST", path: "/users", function: fn("users"), authorizer: "users" },
            { method: "ANY", path: "/files/{proxy+}", function: fn("files") },
            { method: "GET", path: "/", function: fn("home") },
          ],
          defaultRoute: { function: fn("fallback") },
          cors: { allowOrigins: ["https://app.example.com"], allowCredentials: true, exposeHeaders: ["X-Request-Id"], maxAgeSeconds: 300 },
          stage: { throttle: { rateLimit: 100, burstLimit: 200 }, accessLogRetentionDays: 14 },
        })),
      );
    });

    it("parents every resource it creates to the component", () => {
      const component = g.one(T.component);
      const children = g.run.graph.resources.filter((r) => r.type !== T.component && r.type !== T.function);
      expect(children).to.have.length.greaterThan(10);
      for (const child of children) expect(child.parent, `${child.type} ${child.name}`).to.equal(component.urn);
    });

    it("creates an HTTP API with the description and the CORS configuration", () => {
      expect(g.one(T.api).inputs).to.deep.include({
        protocolType: "HTTP",
        description: "users and files",
        corsConfiguration: {
          allowOrigins: ["https://app.example.com"],
          allowHeaders: ["Content-Type", "Authorization", "X-Amz-Date", "X-Api-Key", "X-Amz-Security-Token"],
          // ANY and $default routes take every method.
          allowMethods: ["*"],
          exposeHeaders: ["X-Request-Id"],
          allowCredentials: true,
          maxAge: 300,
        },
      });
    });

    it("creates one Lambda proxy integration (payload 2.0) per function, shared by its routes", () => {
      expect(g.all(T.integration)).to.have.length(4);
      const users = g.integrationOf("GET /users/{id}");
      expect(g.integrationOf("POST /users").id).to.equal(users.id);
      expect(users.inputs).to.include({
        apiId: g.one(T.api).id,
        integrationType: "AWS_PROXY",
        integrationMethod: "POST",
        integrationUri: g.fn("users").state.invokeArn,
        payloadFormatVersion: "2.0",
        timeoutMilliseconds: 30000,
      });
      expect(g.integrationOf("$default").inputs.integrationUri).to.equal(g.fn("fallback").state.invokeArn);
    });

    it("creates a route per route key, $default included, with JWT authorization where asked", () => {
      expect(g.all(T.route).map((r) => r.inputs.routeKey).sort()).to.deep.equal(["$default", "ANY /files/{proxy+}", "GET /", "GET /users/{id}", "POST /users"]);
      const users = g.all(T.authorizer).find((a) => a.inputs.name === "users")!;
      expect(g.route("GET /users/{id}").inputs).to.deep.include({
        apiId: g.one(T.api).id,
        authorizationType: "JWT",
        authorizerId: users.id,
        authorizationScopes: ["users/read"],
      });
      expect(g.route("POST /users").inputs).to.include({ authorizationType: "JWT", authorizerId: users.id });
      expect(g.route("POST /users").inputs.authorizationScopes).to.equal(undefined);
      expect(g.route("ANY /files/{proxy+}").inputs.authorizationType).to.equal("NONE");
      expect(g.route("ANY /files/{proxy+}").inputs.authorizerId).to.equal(undefined);
    });

    it("creates JWT authorizers with issuer, audiences and identity source", () => {
      const byName = Object.fromEntries(g.all(T.authorizer).map((a) => [a.inputs.name, a.inputs]));
      expect(byName.users).to.deep.include({
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: ISSUER, audiences: ["client-a", "client-b"] },
      });
      expect(byName.partners).to.deep.include({
        identitySources: ["$request.header.X-Partner-Token"],
        jwtConfiguration: { issuer: "https://issuer.example.com", audiences: ["partner"] },
      });
    });

    it("creates an auto-deployed $default stage with default and per-route throttling", () => {
      const stage = g.one(T.stage);
      expect(stage.inputs).to.deep.include({
        apiId: g.one(T.api).id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
        routeSettings: [{ routeKey: "GET /users/{id}", throttlingRateLimit: 5, throttlingBurstLimit: 10 }],
      });
      // Route settings may only name routes that exist: the stage waits for every route.
      for (const route of g.all(T.route)) expect(stage.dependencies).to.include(route.urn);
    });

    it("writes JSON access logs to a log group of its own", () => {
      const logGroup = g.one(T.logGroup);
      expect(logGroup.inputs.retentionInDays).to.equal(14);
      // Log group names cannot hold `$`.
      expect(logGroup.inputs.name).to.equal(`/aws/apigateway/${g.one(T.api).state.name}/default/access`);
      const settings = g.one(T.stage).inputs.accessLogSettings;
      expect(settings.destinationArn).to.equal(logGroup.state.arn);
      expect(settings.format).to.equal(HTTP_ACCESS_LOG_FORMAT);
      expect(JSON.parse(settings.format)).to.include({ requestId: "$context.requestId", routeKey: "$context.routeKey", status: "$context.status" });
    });

    it("grants API Gateway one invoke permission per function, narrowed to its route when it has one", () => {
      const executionArn = g.one(T.api).state.executionArn;
      const arnOf = (fn: string) => {
        const found = g.permissionOf(g.fn(fn).state.name);
        expect(found, `permissions of ${fn}`).to.have.length(1);
        expect(found[0].inputs).to.include({ action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com" });
        return found[0].inputs.sourceArn;
      };
      expect(g.all(T.permission)).to.have.length(4);
      expect(arnOf("users")).to.equal(`${executionArn}/*/*`);
      expect(arnOf("files")).to.equal(`${executionArn}/*/*/files/*`);
      expect(arnOf("home")).to.equal(`${executionArn}/*/GET/`);
      expect(arnOf("fallback")).to.equal(`${executionArn}/*/$default`);
    });

    it("outputs the API endpoint as the url of a $default stage, without a trailing slash", () => {
      const api = g.one(T.api);
      expect(g.run.outputs.url.value).to.equal(`https://${api.id}.execute-api.us-east-1.amazonaws.com`);
      expect(g.run.outputs.apiId.value).to.equal(api.id);
      expect(g.run.outputs.executionArn.value).to.equal(api.state.executionArn);
    });
  });

  describe("smaller APIs", () => {
    it("names a stage, narrows a single-route function's permission and keeps the account's limits without a throttle", async () => {
      const g = new Graph(await runApi((fn) => ({ routes: [{ method: "GET", path: "/users/{id}", function: fn("get-user") }], stage: { name: "dev" } })));
      const stage = g.one(T.stage);
      expect(stage.inputs.name).to.equal("dev");
      expect(stage.inputs.defaultRouteSettings).to.equal(undefined);
      expect(stage.inputs.routeSettings).to.equal(undefined);
      expect(g.one(T.logGroup).inputs.retentionInDays).to.equal(30);
      expect(g.one(T.logGroup).inputs.name).to.match(/\/dev\/access$/);
      expect(g.one(T.api).inputs.corsConfiguration).to.equal(undefined);
      expect(g.permissionOf("get-user")[0].inputs.sourceArn).to.equal(`${g.one(T.api).state.executionArn}/*/GET/users/*`);
      expect(g.run.outputs.url.value).to.equal(`https://${g.one(T.api).id}.execute-api.us-east-1.amazonaws.com/dev`);
    });

    it("announces the routes' methods plus OPTIONS in CORS when no route takes every method", async () => {
      const g = new Graph(
        await runApi((fn) => ({
          routes: [
            { method: "GET", path: "/a", function: fn("a") },
            { method: "POST", path: "/a", function: fn("a") },
            { method: "GET", path: "/b", function: fn("a") },
          ],
          cors: { allowOrigins: ["*"] },
        })),
      );
      const cors = g.one(T.api).inputs.corsConfiguration;
      expect(cors.allowMethods).to.deep.equal(["GET", "POST", "OPTIONS"]);
      expect(cors).to.include({ allowCredentials: false, maxAge: 600 });
      expect(cors.exposeHeaders).to.equal(undefined);
    });

    it("keeps configured CORS methods as given", async () => {
      const g = new Graph(
        await runApi((fn) => ({ routes: [{ method: "ANY", path: "/a", function: fn("a") }], cors: { allowOrigins: ["https://x.example.com"], allowMethods: ["GET", "PUT"] } })),
      );
      expect(g.one(T.api).inputs.corsConfiguration.allowMethods).to.deep.equal(["GET", "PUT"]);
    });

    it("serves only $default when there are no other routes", async () => {
      const g = new Graph(await runApi((fn) => ({ routes: [], defaultRoute: { function: fn("all"), throttle: { rateLimit: 1, burstLimit: 2 } } })));
      expect(g.all(T.route).map((r) => r.inputs.routeKey)).to.deep.equal(["$default"]);
      expect(g.one(T.stage).inputs.routeSettings).to.deep.equal([{ routeKey: "$default", throttlingRateLimit: 1, throttlingBurstLimit: 2 }]);
    });

    it("gives functions sharing a logical name integrations of their own", async () => {
      const run = await runProgram({
        stack: "dev",
        onCreate: v2Attributes,
        define: () => {
          class Wrapper extends pulumi.ComponentResource {
            readonly fn: aws.lambda.Function;
            constructor() {
              super("test:index:Wrapper", "wrapper");
              this.fn = lambdaFunction("twin", { parent: this });
            }
          }
          const outer = lambdaFunction("twin");
          const inner = new Wrapper().fn;
          new HttpApi("api", { routes: [{ method: "GET", path: "/a", function: outer }, { method: "GET", path: "/b", function: inner }] });
          return {};
        },
      });
      const g = new Graph(run);
      expect(g.all(T.integration).map((i) => i.name).sort()).to.deep.equal(["api-integration-twin", "api-integration-twin-2"]);
      expect(g.integrationOf("GET /a").id).to.not.equal(g.integrationOf("GET /b").id);
    });

    it("fails before creating any API Gateway resource when an argument is wrong", async () => {
      let error: unknown;
      try {
        await runApi((fn) => ({ routes: [{ method: "GET", path: "/a", function: fn("a"), authorizer: "nobody" }] }));
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ProgramError);
      expect((error as ProgramError).message).to.equal('routes[0].authorizer: "nobody" is not one of the jwtAuthorizers (known: none)');
      expect((error as ProgramError).graph.resources.filter((r) => r.type.startsWith("aws:apigatewayv2"))).to.deep.equal([]);
    });
  });

  describe("validateHttpApiArgs", () => {
    // Validation only checks that a function is given, so a stand-in object is enough.
    const fn = { name: "fake-fn" } as unknown as aws.lambda.Function;
    const route = (overrides: Partial<HttpRouteArgs> = {}): HttpRouteArgs => ({ method: "GET", path: "/users", function: fn, ...overrides });
    const args = (overrides: Partial<HttpApiArgs> = {}): HttpApiArgs => ({ routes: [route()], ...overrides });
    const refused = (a: HttpApiArgs) => messageOf(() => validateHttpApiArgs(a));
    const jwt = { issuer: ISSUER, audience: ["client"] };

    it("accepts a minimal API and applies the defaults", () => {
      const spec = validateHttpApiArgs(args());
      expect(spec.stage).to.deep.equal({ name: "$default", throttle: undefined, accessLogRetentionDays: 30 });
      expect(spec.routes.map((r) => r.routeKey)).to.deep.equal(["GET /users"]);
      expect(spec.cors).to.equal(undefined);
      expect(validateHttpApiArgs(args({ jwtAuthorizers: { a: jwt } })).authorizers.a.identitySource).to.equal("$request.header.Authorization");
    });

    it("refuses an API without routes", () => {
      expect(refused(args({ routes: [] }))).to.equal("routes must list at least one route, or set defaultRoute");
      expect(refused({} as HttpApiArgs)).to.equal("routes must be a list of routes");
    });

    it("refuses a bad method, path, or a route declared twice", () => {
      expect(refused(args({ routes: [route({ method: "FETCH" as never })] }))).to.equal(
        'routes[0].method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY (got "FETCH")',
      );
      expect(refused(args({ routes: [route({ path: "users" })] }))).to.equal('routes[0].path must start with "/" (got "users")');
      expect(refused(args({ routes: [route({ path: "/users/{id" })] }))).to.equal('routes[0] (GET /users/{id): path segment "{id" must be a literal or a {parameter}');
      expect(refused(args({ routes: [route({ path: "/users//x" })] }))).to.equal('routes[0] (GET /users//x): path segment "" must be a literal or a {parameter}');
      expect(refused(args({ routes: [route({ path: "/{proxy+}/x" })] }))).to.equal(
        "routes[0] (GET /{proxy+}/x): the greedy parameter {proxy+} must be the last path segment",
      );
      expect(refused(args({ routes: [route({ path: "/{id}/{id}" })] }))).to.equal("routes[0] (GET /{id}/{id}): path parameter {id} appears twice");
      expect(refused(args({ routes: [route(), route({ path: "/users" })] }))).to.equal("routes[1] (GET /users): the route is declared twice");
    });

    it("refuses a route or default route without a function", () => {
      expect(refused(args({ routes: [route({ function: undefined as never })] }))).to.equal("routes[0].function is required: the Lambda function answering the route");
      expect(refused(args({ defaultRoute: {} as never }))).to.equal("defaultRoute.function is required: the Lambda function answering the route");
    });

    it("refuses unknown authorizers and scopes without one", () => {
      expect(refused(args({ jwtAuthorizers: { users: jwt }, routes: [route({ authorizer: "admins" })] }))).to.equal(
        'routes[0].authorizer: "admins" is not one of the jwtAuthorizers (known: users)',
      );
      expect(refused(args({ defaultRoute: { function: fn, authorizer: "x" } }))).to.equal('defaultRoute.authorizer: "x" is not one of the jwtAuthorizers (known: none)');
      expect(refused(args({ routes: [route({ authorizationScopes: ["read"] })] }))).to.equal(
        "routes[0].authorizationScopes need an authorizer: only a JWT authorizer checks scopes",
      );
      expect(refused(args({ jwtAuthorizers: { users: jwt }, routes: [route({ authorizer: "users", authorizationScopes: [] })] }))).to.equal(
        "routes[0].authorizationScopes must list at least one scope (leave it out to accept any valid token)",
      );
      expect(refused(args({ jwtAuthorizers: { users: jwt }, routes: [route({ authorizer: "users", authorizationScopes: ["a b"] })] }))).to.equal(
        'routes[0].authorizationScopes[0] must be a scope without spaces, like "orders/read" (got "a b")',
      );
    });

    it("refuses bad JWT authorizers", () => {
      expect(refused(args({ jwtAuthorizers: { "bad name": jwt } }))).to.equal("jwtAuthorizers.bad name: authorizer names must be 1-128 letters, digits, '-' or '_'");
      expect(refused(args({ jwtAuthorizers: { a: { ...jwt, issuer: "" } } }))).to.equal("jwtAuthorizers.a.issuer is required: the URL the tokens' iss claim names");
      expect(refused(args({ jwtAuthorizers: { a: { ...jwt, issuer: "cognito-idp.us-east-1.amazonaws.com/us-east-1_X" } } }))).to.equal(
        'jwtAuthorizers.a.issuer must be a URL like https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC, without a trailing slash (got "cognito-idp.us-east-1.amazonaws.com/us-east-1_X")',
      );
      expect(refused(args({ jwtAuthorizers: { a: { ...jwt, issuer: `${ISSUER}/` } } }))).to.match(/^jwtAuthorizers\.a\.issuer must be a URL/);
      expect(refused(args({ jwtAuthorizers: { a: { ...jwt, audience: [] } } }))).to.equal("jwtAuthorizers.a.audience must list at least one accepted audience (client id)");
      expect(refused(args({ jwtAuthorizers: { a: { ...jwt, audience: ["x", ""] } } }))).to.equal("jwtAuthorizers.a.audience[1] must be a non-empty string");
      expect(refused(args({ jwtAuthorizers: { a: { ...jwt, identitySource: "Authorization" } } }))).to.equal(
        'jwtAuthorizers.a.identitySource must be $request.header.<name> or $request.querystring.<name> (got "Authorization")',
      );
      // An issuer known only at deploy time (a user pool's endpoint) is not checked.
      expect(() => validateHttpApiArgs(args({ jwtAuthorizers: { a: { ...jwt, issuer: pulumi.output("later") } } }))).to.not.throw();
    });

    it("refuses bad throttles, naming the route or the stage", () => {
      expect(refused(args({ routes: [route({ throttle: { rateLimit: -1, burstLimit: 1 } })] }))).to.equal("routes[0].throttle.rateLimit must be a number >= 0 (got -1)");
      expect(refused(args({ routes: [route({ throttle: { rateLimit: 1, burstLimit: 1.5 } })] }))).to.equal("routes[0].throttle.burstLimit must be an integer >= 0 (got 1.5)");
      expect(refused(args({ stage: { throttle: { rateLimit: 5, burstLimit: 0 } } }))).to.equal(
        "stage.throttle.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing",
      );
      expect(refused(args({ stage: { throttle: null as never } }))).to.equal("stage.throttle must be { rateLimit, burstLimit }");
      expect(refused(args({ defaultRoute: { function: fn, throttle: { rateLimit: "9" as never, burstLimit: 1 } } }))).to.equal(
        'defaultRoute.throttle.rateLimit must be a number >= 0 (got "9")',
      );
    });

    it("refuses a bad stage name or log retention", () => {
      expect(refused(args({ stage: { name: "my stage" } }))).to.equal(`stage.name must be "$default" or 1-128 letters, digits, '-' or '_' (got "my stage")`);
      expect(refused(args({ stage: { name: "$prod" } }))).to.equal(`stage.name must be "$default" or 1-128 letters, digits, '-' or '_' (got "$prod")`);
      expect(refused(args({ stage: { accessLogRetentionDays: 10 } }))).to.match(/^stage\.accessLogRetentionDays must be one of 1, 3, 5, 7, 14, 30, .* \(got 10\)$/);
    });

    it("refuses CORS that allows every origin with credentials, and a long description", () => {
      expect(refused(args({ cors: { allowOrigins: ["*"], allowCredentials: true } }))).to.equal('cors.allowOrigins may not contain "*" when cors.allowCredentials is true');
      expect(refused(args({ description: "x".repeat(1025) }))).to.equal("description must be a string of at most 1024 characters");
    });
  });

  describe("refuseRestOnlyFeatures", () => {
    const refusal = (features: Parameters<typeof HttpApi.refuseRestOnlyFeatures>[0], keys?: Parameters<typeof HttpApi.refuseRestOnlyFeatures>[1]) =>
      messageOf(() => HttpApi.refuseRestOnlyFeatures(features, keys));

    it("accepts config without REST-only features", () => {
      expect(() => HttpApi.refuseRestOnlyFeatures({})).to.not.throw();
      expect(() => HttpApi.refuseRestOnlyFeatures({ apiKeys: false, usagePlans: false, caching: false, waf: false, mappingTemplates: false })).to.not.throw();
    });

    it("names each feature, why HTTP APIs lack it, and the config key to remove", () => {
      expect(refusal({ apiKeys: true })).to.equal(
        "apigw-kit:api.type is http, but API keys exist only on REST APIs: HTTP APIs neither require nor check x-api-key (set apigw-kit:api.type to rest or remove apigw-kit:api.requirements.api_keys)",
      );
      expect(refusal({ usagePlans: true })).to.equal(
        "apigw-kit:api.type is http, but usage plans exist only on REST APIs: HTTP APIs throttle per route and stage, with no per-client quotas (set apigw-kit:api.type to rest or remove apigw-kit:tiers)",
      );
      expect(refusal({ caching: true })).to.equal(
        "apigw-kit:api.type is http, but response caching exists only on REST APIs: HTTP API stages have no cache cluster (set apigw-kit:api.type to rest or remove apigw-kit:cache)",
      );
      expect(refusal({ waf: true })).to.equal(
        "apigw-kit:api.type is http, but AWS WAF exists only on REST APIs: a web ACL cannot be associated with an HTTP API stage (set apigw-kit:api.type to rest or remove apigw-kit:api.requirements.waf_required)",
      );
      expect(refusal({ mappingTemplates: true })).to.equal(
        "apigw-kit:api.type is http, but mapping templates exist only on REST APIs: HTTP APIs only map parameters, they cannot reshape bodies with VTL (set apigw-kit:api.type to rest or remove apigw-kit:api.requirements.transformation)",
      );
    });

    it("names every refused feature at once, with the program's own config keys", () => {
      const message = refusal({ caching: true, apiKeys: true }, { caching: "apigw-kit:stage.cache" });
      expect(message.split("; ")).to.have.length(2);
      expect(message).to.match(/^apigw-kit:api\.type is http, but API keys .*remove apigw-kit:api\.requirements\.api_keys\); apigw-kit:api\.type is http, but response caching .*remove apigw-kit:stage\.cache\)$/);
      expect(REST_ONLY_CONFIG_KEYS.caching).to.equal("apigw-kit:cache");
    });
  });
});

describe("HttpApi tags and transform", function () {
  /** Two functions (one serving two routes), a JWT authorizer and a $default route: every child kind, several routes and integrations. */
  const routesOf = (fn: (name: string) => aws.lambda.Function): Pick<HttpApiArgs, "routes" | "defaultRoute" | "jwtAuthorizers"> => ({
    jwtAuthorizers: { users: { issuer: ISSUER, audience: ["client-a"] } },
    routes: [
      { method: "GET", path: "/users/{id}", function: fn("users"), authorizer: "users" },
      { method: "POST", path: "/users", function: fn("users") },
      { method: "GET", path: "/files", function: fn("files") },
    ],
    defaultRoute: { function: fn("fallback") },
  });

  describe("tags", () => {
    const tags = { team: "payments", costCenter: "1234" };
    let g: Graph;
    before(async () => {
      g = new Graph(
        await runApi((fn) => ({
          ...routesOf(fn),
          tags,
          // A tag of the stage's own, added beside the component's.
          transform: { stage: (args) => void (args.tags = { ...(args.tags as Record<string, string>), exposure: "public" }) },
        })),
      );
    });

    it("reach every taggable child: the API, the stage and the access-log group", () => {
      const tagged = expectTagsOnEveryTaggableChild(g.run, T.component, tags);
      expect(tagged.map((r) => r.type).sort()).to.deep.equal([T.api, T.logGroup, T.stage].sort());
    });

    it("keep a child's own tags beside the component's", () => {
      expect(g.one(T.stage).inputs.tags).to.deep.equal({ ...tags, exposure: "public" });
      expect(g.one(T.api).inputs.tags).to.deep.equal(tags);
    });

    it("are not set on children without tags, nor on the functions the routes are given", () => {
      const untaggable = descendantsOf(g.run, T.component).filter((r) => ![T.api, T.logGroup, T.stage].includes(r.type));
      expect(untaggable.map((r) => r.type)).to.include.members([T.authorizer, T.integration, T.route, T.permission]);
      for (const child of untaggable) expect(child.inputs.tags, `${child.type} ${child.name}`).to.equal(undefined);
      for (const fn of g.all(T.function)) expect(fn.inputs.tags, fn.name).to.equal(undefined);
    });
  });

  describe("transform", () => {
    let g: Graph;
    const seen: Record<string, string[]> = { route: [], authorizer: [] };
    before(async () => {
      g = new Graph(
        await runApi((fn) => ({
          ...routesOf(fn),
          transform: {
            api: { description: "from the transform" },
            logGroup: { retentionInDays: 90 },
            stage: { description: "public", autoDeploy: false },
            integration: { description: "lambda proxy" },
            permission: { statementId: "AllowApiGateway" },
            // Options are not recorded by the mocks (a RecordedResource has no options), so the
            // specs assert on the args the functions changed; transform.spec.ts covers options.
            authorizer: (args, opts, name) => {
              seen.authorizer.push(name);
              args.jwtConfiguration = { issuer: ISSUER, audiences: ["client-a", "client-b"] };
              opts.protect = true;
            },
            route: (args, opts, name) => {
              seen.route.push(name);
              args.operationName = name;
              opts.deleteBeforeReplace = true;
            },
          },
        })),
      );
    });

    it("merges a transform object over a child's args, keeping the rest", () => {
      expect(g.one(T.stage).inputs).to.include({ description: "public", autoDeploy: false, name: "$default" });
      expect(g.one(T.stage).inputs.accessLogSettings.format).to.equal(HTTP_ACCESS_LOG_FORMAT);
      expect(g.one(T.api).inputs).to.include({ description: "from the transform", protocolType: "HTTP" });
      expect(g.one(T.logGroup).inputs.retentionInDays).to.equal(90);
      expect(g.one(T.logGroup).inputs.name).to.match(/\/access$/);
    });

    it("lets a transform function change a child's args, given the child's name", () => {
      expect(seen.authorizer).to.deep.equal(["api-authorizer-users"]);
      expect(g.one(T.authorizer).inputs).to.deep.include({ authorizerType: "JWT", jwtConfiguration: { issuer: ISSUER, audiences: ["client-a", "client-b"] } });
    });

    it("transforms every route, integration and permission, each once", () => {
      const routes = g.all(T.route);
      expect(routes).to.have.length(4);
      expect(seen.route.slice().sort()).to.deep.equal(routes.map((r) => r.name).sort());
      for (const route of routes) expect(route.inputs.operationName, route.name).to.equal(route.name);
      // users, files and fallback: one integration and one permission each.
      expect(g.all(T.integration).map((i) => i.inputs.description)).to.deep.equal(["lambda proxy", "lambda proxy", "lambda proxy"]);
      expect(g.all(T.permission).map((p) => p.inputs.statementId)).to.deep.equal(["AllowApiGateway", "AllowApiGateway", "AllowApiGateway"]);
      expect(g.integrationOf("GET /users/{id}").inputs).to.include({ integrationType: "AWS_PROXY", payloadFormatVersion: "2.0" });
    });

    it("leaves children untagged without tags", () => {
      for (const child of descendantsOf(g.run, T.component)) expect(child.inputs.tags, `${child.type} ${child.name}`).to.equal(undefined);
    });
  });
});
