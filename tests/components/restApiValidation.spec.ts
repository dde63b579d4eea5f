import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { CorsArgs, validateCors } from "../../components/cors";
import { MethodSettingArgs, resolveMethodSettings } from "../../components/methodSettings";
import {
  CACHE_CLUSTER_SIZES,
  DEFAULT_BINARY_MEDIA_TYPES,
  IntegrationArgs,
  IntegrationResponseArgs,
  RestApiArgs,
  RouteArgs,
  validateRestApiArgs,
} from "../../components/restApi";

// Validation only checks that a function is given, so a stand-in object is enough.
const fn = { name: "fake-fn" } as unknown as aws.lambda.Function;
const DRAFT_4 = "http://json-schema.org/draft-04/schema#";

function proxyRoute(path = "/users", method: RouteArgs["method"] = "GET"): RouteArgs {
  return { path, method, integration: { type: "LAMBDA_PROXY", function: fn } };
}

function lambdaRoute(responses: IntegrationResponseArgs[], extra: Partial<Extract<IntegrationArgs, { type: "LAMBDA" }>> = {}): RouteArgs {
  return { path: "/users", method: "POST", integration: { type: "LAMBDA", function: fn, responses, ...extra } };
}

/** A valid API with one route; `overrides` replace whole fields. */
function apiArgs(overrides: Partial<RestApiArgs> = {}): RestApiArgs {
  return { routes: [proxyRoute()], stage: { name: "dev" }, ...overrides };
}

/** What `fn` throws; fails the test when it does not throw. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the call to throw");
}

const refused = (args: RestApiArgs) => messageOf(() => validateRestApiArgs(args));

describe("validateRestApiArgs", () => {
  describe("endpoint", () => {
    it("refuses an unknown endpointType", () => {
      expect(refused(apiArgs({ endpointType: "GLOBAL" as never }))).to.equal('endpointType must be EDGE, REGIONAL or PRIVATE (got "GLOBAL")');
    });

    it("refuses a PRIVATE API without VPC endpoints", () => {
      expect(refused(apiArgs({ endpointType: "PRIVATE", policy: "{}" }))).to.equal(
        "vpcEndpointIds: a PRIVATE API needs at least one execute-api VPC endpoint id",
      );
      expect(refused(apiArgs({ endpointType: "PRIVATE", vpcEndpointIds: [], policy: "{}" }))).to.equal(
        "vpcEndpointIds: a PRIVATE API needs at least one execute-api VPC endpoint id",
      );
    });

    it("refuses a PRIVATE API without a resource policy", () => {
      expect(refused(apiArgs({ endpointType: "PRIVATE", vpcEndpointIds: ["vpce-0abc"] }))).to.equal(
        "policy: a PRIVATE API needs a resource policy allowing its VPC endpoints (without one, every call is denied)",
      );
    });

    it("refuses vpcEndpointIds on a non-PRIVATE API", () => {
      expect(refused(apiArgs({ vpcEndpointIds: ["vpce-0abc"] }))).to.equal("vpcEndpointIds only apply to PRIVATE APIs (endpointType is REGIONAL)");
      expect(refused(apiArgs({ endpointType: "EDGE", vpcEndpointIds: ["vpce-0abc"] }))).to.equal(
        "vpcEndpointIds only apply to PRIVATE APIs (endpointType is EDGE)",
      );
    });

    it("refuses a binary media type that is not type/subtype", () => {
      expect(refused(apiArgs({ binaryMediaTypes: ["image/png", "png"] }))).to.equal(
        'binaryMediaTypes[1] must be a media type like image/png or image/* (got "png")',
      );
    });
  });

  describe("models and validators", () => {
    it("refuses a model name that is not alphanumeric", () => {
      expect(refused(apiArgs({ models: { "new-user": { schema: { type: "object" } } } }))).to.equal(
        "models.new-user: model names must be alphanumeric (API Gateway refuses others)",
      );
    });

    it("refuses a schema that is not an object", () => {
      for (const schema of [[], null, "{}"]) {
        expect(refused(apiArgs({ models: { User: { schema: schema as never } } }))).to.equal("models.User.schema must be a JSON Schema object");
      }
    });

    it("refuses a $schema other than draft 4", () => {
      const schema = { $schema: "http://json-schema.org/draft-07/schema#", type: "object" };
      expect(refused(apiArgs({ models: { User: { schema } } }))).to.equal(
        'models.User.schema.$schema must be draft 4 ("http://json-schema.org/draft-04/schema#"), the dialect API Gateway implements (got "http://json-schema.org/draft-07/schema#")',
      );
    });

    it("refuses an unknown validator kind", () => {
      expect(refused(apiArgs({ validators: { all: "ALL" as never } }))).to.equal(
        'validators.all must be BODY, PARAMETERS or BODY_AND_PARAMETERS (got "ALL")',
      );
    });
  });

  describe("authorizers", () => {
    it("refuses a result TTL outside 0..3600 or not an integer", () => {
      for (const ttl of [-1, 3601, 1.5]) {
        expect(refused(apiArgs({ authorizers: { pool: { type: "COGNITO_USER_POOLS", providerArns: ["arn:pool"], resultTtlSeconds: ttl } } }))).to.equal(
          `authorizers.pool.resultTtlSeconds must be an integer from 0 to 3600 (got ${ttl})`,
        );
      }
    });

    it("accepts the TTL bounds 0 and 3600", () => {
      for (const ttl of [0, 3600]) {
        expect(() => validateRestApiArgs(apiArgs({ authorizers: { tok: { type: "TOKEN", function: fn, resultTtlSeconds: ttl } } }))).not.to.throw();
      }
    });

    it("refuses an unknown authorizer type and a Lambda authorizer without its function", () => {
      expect(refused(apiArgs({ authorizers: { jwt: { type: "JWT" } as never } }))).to.equal(
        'authorizers.jwt.type must be COGNITO_USER_POOLS, TOKEN or REQUEST (got "JWT")',
      );
      expect(refused(apiArgs({ authorizers: { hmac: { type: "TOKEN" } as never } }))).to.equal("authorizers.hmac.function is required for a TOKEN authorizer");
    });

    it("refuses to cache a method behind an authorizer unless the caller's identity is in the cache key", () => {
      const routes = [{ ...proxyRoute("/me", "GET"), authorizer: "pool" }];
      const base = { authorizers: { pool: { type: "COGNITO_USER_POOLS" as const, providerArns: ["arn:pool"] } }, routes, stage: { name: "dev", cacheClusterSize: "0.5" as const } };
      expect(refused(apiArgs({ ...base, methodSettings: { "*/*": { caching: { enabled: true } } } }))).to.equal(
          'routes (GET /me): the stage cache would serve one caller\'s response to another; disable caching for "me/GET" in methodSettings or add header.Authorization to its cacheKeyParameters',
      );
      // Either remedy is accepted.
      expect(() => validateRestApiArgs(apiArgs({ ...base, methodSettings: { "*/*": { caching: { enabled: true } }, "me/GET": { caching: { enabled: false } } } }))).not.to.throw();
      expect(() =>
        validateRestApiArgs(apiArgs({ ...base, routes: [{ ...routes[0], cacheKeyParameters: ["header.Authorization"] }], methodSettings: { "*/*": { caching: { enabled: true } } } })),
      ).not.to.throw();
    });

    it("refuses it for every kind of authorizer, a partial identity in the key, and a non-GET method cached by its own setting", () => {
      const cached = { "*/*": { caching: { enabled: true } } };
      const stage = { name: "dev", cacheClusterSize: "0.5" as const };
      const message = (route: string, key: string, add: string) =>
        `routes (${route}): the stage cache would serve one caller's response to another; disable caching for "${key}" in methodSettings or add ${add} to its cacheKeyParameters`;
      // A TOKEN authorizer (the HMAC client tokens): answers per token.
      const token = { type: "TOKEN" as const, function: fn };
      expect(refused(apiArgs({ authorizers: { hmac: token }, routes: [{ ...proxyRoute("/partner/status"), authorizer: "hmac" }], stage, methodSettings: cached }))).to.equal(
        message("GET /partner/status", "partner/status/GET", "header.Authorization"),
      );
      // A REQUEST authorizer keyed on two sources: both must be in the key.
      const request = { type: "REQUEST" as const, function: fn, identitySource: "method.request.header.X-Tenant,method.request.querystring.user" };
      const route = { ...proxyRoute("/me"), authorizer: "req", requestParameters: { header: { "X-Tenant": true }, querystring: { user: true } } };
      expect(refused(apiArgs({ authorizers: { req: request }, routes: [{ ...route, cacheKeyParameters: ["header.X-Tenant"] }], stage, methodSettings: cached }))).to.equal(
        message("GET /me", "me/GET", "header.X-Tenant, querystring.user"),
      );
      expect(() => validateRestApiArgs(apiArgs({ authorizers: { req: request }, routes: [{ ...route, cacheKeyParameters: ["header.X-Tenant", "querystring.user"] }], stage, methodSettings: cached }))).not.to.throw();
      // POST is cached only when its own setting says so; then the same rule holds.
      const post = { ...proxyRoute("/search", "POST"), authorizer: "hmac" };
      expect(() => validateRestApiArgs(apiArgs({ authorizers: { hmac: token }, routes: [post], stage, methodSettings: cached }))).not.to.throw();
      expect(refused(apiArgs({ authorizers: { hmac: token }, routes: [post], stage, methodSettings: { ...cached, "search/POST": { caching: { enabled: true } } } }))).to.equal(
        message("POST /search", "search/POST", "header.Authorization"),
      );
    });

    it("refuses a cached method without Origin in its key while several CORS origins are allowed: one origin's Allow-Origin would reach the others", () => {
      const cors = { allowOrigins: ["https://app.example.com", "http://localhost:3000"], allowCredentials: true };
      const base = { cors, stage: { name: "dev", cacheClusterSize: "0.5" as const }, methodSettings: { "*/*": { caching: { enabled: true } } } };
      expect(refused(apiArgs({ ...base, routes: [{ ...proxyRoute("/data"), cacheKeyParameters: ["querystring.category"] }] }))).to.equal(
        'routes (GET /data): with several CORS origins the stage cache would serve one origin\'s Access-Control-Allow-Origin to the others; disable caching for "data/GET" in methodSettings or add header.Origin to its cacheKeyParameters',
      );
      const mock: RouteArgs = { path: "/health", method: "GET", integration: { type: "MOCK", responses: [{ statusCode: "200" }] } };
      expect(refused(apiArgs({ ...base, routes: [mock] }))).to.equal(
        'routes (GET /health): with several CORS origins the stage cache would serve one origin\'s Access-Control-Allow-Origin to the others; disable caching for "health/GET" in methodSettings (a MOCK integration cannot key its cache by header.Origin)',
      );
      // Either remedy; and one origin (a static header) needs none.
      expect(() => validateRestApiArgs(apiArgs({ ...base, routes: [{ ...proxyRoute("/data"), cacheKeyParameters: ["querystring.category", "header.origin"] }] }))).not.to.throw();
      expect(() => validateRestApiArgs(apiArgs({ ...base, routes: [mock], methodSettings: { ...base.methodSettings, "health/GET": { caching: { enabled: false } } } }))).not.to.throw();
      expect(() => validateRestApiArgs(apiArgs({ ...base, cors: { allowOrigins: ["https://app.example.com"], allowCredentials: true }, routes: [mock, proxyRoute("/data")] }))).not.to.throw();
    });

    it("refuses a COGNITO_USER_POOLS authorizer without user pools", () => {
      expect(refused(apiArgs({ authorizers: { pool: { type: "COGNITO_USER_POOLS", providerArns: [] } } }))).to.equal(
        "authorizers.pool.providerArns must name at least one user pool ARN",
      );
    });
  });

  describe("routes", () => {
    it("refuses an API without routes", () => {
      expect(refused(apiArgs({ routes: [] }))).to.equal("routes must list at least one route");
    });

    it("refuses an unknown method", () => {
      expect(refused(apiArgs({ routes: [proxyRoute("/users", "FETCH" as never)] }))).to.equal(
        'routes[0].method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY (got "FETCH")',
      );
    });

    it("refuses a path not starting with /", () => {
      expect(refused(apiArgs({ routes: [proxyRoute(), proxyRoute("users", "POST")] }))).to.equal('routes[1].path must start with "/" (got "users")');
    });

    it("refuses a path segment that is neither a literal nor a {parameter}", () => {
      expect(refused(apiArgs({ routes: [proxyRoute("/users/{user id}")] }))).to.equal(
        'routes[0] (GET /users/{user id}): path segment "{user id}" must be a literal or a {parameter}',
      );
      expect(refused(apiArgs({ routes: [proxyRoute("/users//x")] }))).to.equal('routes[0] (GET /users//x): path segment "" must be a literal or a {parameter}');
      expect(refused(apiArgs({ routes: [proxyRoute("/users/")] }))).to.equal('routes[0] (GET /users/): path segment "" must be a literal or a {parameter}');
    });

    it("refuses a greedy parameter that is not the last segment", () => {
      expect(refused(apiArgs({ routes: [proxyRoute("/files/{proxy+}/meta")] }))).to.equal(
        "routes[0] (GET /files/{proxy+}/meta): the greedy parameter {proxy+} must be the last path segment",
      );
    });

    it("refuses a path parameter used twice", () => {
      expect(refused(apiArgs({ routes: [proxyRoute("/orgs/{id}/users/{id}")] }))).to.equal(
        "routes[0] (GET /orgs/{id}/users/{id}): path parameter {id} appears twice",
      );
    });

    it("refuses a route declared twice", () => {
      expect(refused(apiArgs({ routes: [proxyRoute(), proxyRoute("/users", "POST"), proxyRoute()] }))).to.equal(
        "routes[2] (GET /users): the route is declared twice",
      );
    });

    it("refuses an OPTIONS route when CORS answers preflights, and accepts it without CORS", () => {
      const routes = [proxyRoute(), proxyRoute("/users", "OPTIONS")];
      expect(refused(apiArgs({ routes, cors: { allowOrigins: ["https://app.example.com"] } }))).to.equal(
        "routes[1] (OPTIONS /users): OPTIONS is answered by the CORS preflight; remove the route or the cors setting",
      );
      expect(() => validateRestApiArgs(apiArgs({ routes }))).not.to.throw();
    });
  });

  describe("integrations", () => {
    const withIntegration = (integration: unknown) => apiArgs({ routes: [{ path: "/users", method: "POST", integration: integration as IntegrationArgs }] });

    it("refuses an unknown integration type", () => {
      expect(refused(withIntegration({ type: "HTTP_PROXY", function: fn }))).to.equal('routes[0].integration.type must be LAMBDA_PROXY, LAMBDA or MOCK (got "HTTP_PROXY")');
    });

    it("refuses a Lambda integration without a function", () => {
      expect(refused(withIntegration({ type: "LAMBDA_PROXY" }))).to.equal("routes[0].integration.function is required for a LAMBDA_PROXY integration");
      expect(refused(withIntegration({ type: "LAMBDA", responses: [{ statusCode: "200" }] }))).to.equal(
        "routes[0].integration.function is required for a LAMBDA integration",
      );
    });

    it("refuses a timeout outside 50..29000 ms", () => {
      for (const timeout of [49, 29001, 100.5]) {
        expect(refused(withIntegration({ type: "LAMBDA_PROXY", function: fn, timeoutMilliseconds: timeout }))).to.equal(
          `routes[0].integration.timeoutMilliseconds must be an integer from 50 to 29000 (got ${timeout})`,
        );
      }
      expect(() => validateRestApiArgs(withIntegration({ type: "LAMBDA_PROXY", function: fn, timeoutMilliseconds: 50 }))).not.to.throw();
    });

    it("refuses an unknown passthroughBehavior", () => {
      expect(refused(apiArgs({ routes: [lambdaRoute([{ statusCode: "200" }], { passthroughBehavior: "ALWAYS" as never })] }))).to.equal(
        'routes[0].integration.passthroughBehavior must be WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER (got "ALWAYS")',
      );
    });

    it("refuses a non-proxy integration without responses", () => {
      expect(refused(apiArgs({ routes: [lambdaRoute([])] }))).to.equal("routes[0].integration.responses must list at least one integration response");
      expect(refused(withIntegration({ type: "MOCK" }))).to.equal("routes[0].integration.responses must list at least one integration response");
    });

    it("refuses zero or two default responses", () => {
      expect(refused(apiArgs({ routes: [lambdaRoute([{ statusCode: "400", selectionPattern: "Bad.*" }])] }))).to.equal(
        "routes[0].integration.responses must have exactly one default response (no selectionPattern); found 0",
      );
      // An empty selectionPattern is a default response too.
      expect(refused(apiArgs({ routes: [lambdaRoute([{ statusCode: "200" }, { statusCode: "201", selectionPattern: "" }])] }))).to.equal(
        "routes[0].integration.responses must have exactly one default response (no selectionPattern); found 2",
      );
    });

    it("refuses a status code that is not a 3-digit string", () => {
      for (const status of ["20", "600", "2xx", 200 as unknown as string]) {
        expect(refused(apiArgs({ routes: [lambdaRoute([{ statusCode: status }])] }))).to.equal(
          `routes[0].integration.responses[0].statusCode must be a 3-digit HTTP status as a string (got ${JSON.stringify(status)})`,
        );
      }
    });

    it("refuses a status answered twice", () => {
      expect(refused(apiArgs({ routes: [lambdaRoute([{ statusCode: "200" }, { statusCode: "200", selectionPattern: "x" }])] }))).to.equal(
        "routes[0].integration.responses[1]: status 200 is answered twice",
      );
    });

    it("refuses a selectionPattern that is not a regular expression", () => {
      expect(refused(apiArgs({ routes: [lambdaRoute([{ statusCode: "200" }, { statusCode: "400", selectionPattern: "(Invalid" }])] }))).to.equal(
        "routes[0].integration.responses[1].selectionPattern is not a valid regular expression: Invalid regular expression: /(Invalid/: Unterminated group",
      );
    });
  });

  describe("references from routes", () => {
    it("refuses an unknown model, listing the known ones", () => {
      const route = { ...proxyRoute("/users", "POST"), requestModels: { "application/json": "NewUser" } };
      expect(refused(apiArgs({ routes: [route] }))).to.equal('routes[0].requestModels["application/json"]: model "NewUser" is not one of the models (known: none)');
      expect(refused(apiArgs({ routes: [route], models: { User: { schema: {} }, Error: { schema: {} } } }))).to.equal(
        'routes[0].requestModels["application/json"]: model "NewUser" is not one of the models (known: User, Error)',
      );
    });

    it("refuses an unknown validator", () => {
      const route = { ...proxyRoute(), requestValidator: "body" };
      expect(refused(apiArgs({ routes: [route] }))).to.equal('routes[0].requestValidator: "body" is not one of the validators (known: none)');
      expect(refused(apiArgs({ routes: [route], validators: { params: "PARAMETERS" } }))).to.equal(
        'routes[0].requestValidator: "body" is not one of the validators (known: params)',
      );
    });

    it("refuses an unknown authorizer", () => {
      const route = { ...proxyRoute(), authorizer: "jwt" };
      expect(refused(apiArgs({ routes: [route] }))).to.equal('routes[0].authorizer: "jwt" is not one of the authorizers (known: none)');
      expect(refused(apiArgs({ routes: [route], authorizers: { pool: { type: "COGNITO_USER_POOLS", providerArns: ["arn:pool"] } } }))).to.equal(
        'routes[0].authorizer: "jwt" is not one of the authorizers (known: pool)',
      );
    });
  });

  describe("request and cache key parameters", () => {
    it("refuses a parameter name with other characters", () => {
      const route = { ...proxyRoute(), requestParameters: { querystring: { "page size": false } } };
      expect(refused(apiArgs({ routes: [route] }))).to.equal('routes[0].requestParameters.querystring: "page size" is not a valid parameter name');
    });

    it("refuses a parameter that is not declared true or false", () => {
      const route = { ...proxyRoute(), requestParameters: { header: { "X-Tenant": "yes" as unknown as boolean } } };
      expect(refused(apiArgs({ routes: [route] }))).to.equal("routes[0].requestParameters.header.X-Tenant must be true (required) or false (optional)");
    });

    it("refuses a cache key that is not <location>.<name>", () => {
      for (const key of ["query.category", "category", "method.request.querystring.category"]) {
        const route = { ...proxyRoute(), cacheKeyParameters: [key] };
        expect(refused(apiArgs({ routes: [route] }))).to.equal(
          `routes[0].cacheKeyParameters[0] must be querystring.<name>, header.<name> or path.<name> (got ${JSON.stringify(key)})`,
        );
      }
    });

    it("refuses a path cache key the path does not have", () => {
      const route = { ...proxyRoute("/users/{userId}"), cacheKeyParameters: ["querystring.category", "path.id"] };
      expect(refused(apiArgs({ routes: [route] }))).to.equal("routes[0].cacheKeyParameters[1]: the path has no {id} parameter");
    });

    it("refuses cache keys on a MOCK integration", () => {
      const route: RouteArgs = { path: "/health", method: "GET", integration: { type: "MOCK", responses: [{ statusCode: "200" }] }, cacheKeyParameters: ["header.Accept"] };
      expect(refused(apiArgs({ routes: [route] }))).to.equal("routes[0].cacheKeyParameters: MOCK integrations are not cached by parameter; remove them");
    });
  });

  describe("stage and gateway responses", () => {
    it("refuses a stage name with other characters or too long", () => {
      for (const name of ["dev stage", "", "x".repeat(129)]) {
        expect(refused(apiArgs({ stage: { name } }))).to.equal(`stage.name must be 1-128 letters, digits, '-' or '_' (got ${JSON.stringify(name)})`);
      }
      expect(() => validateRestApiArgs(apiArgs({ stage: { name: "x".repeat(128) } }))).not.to.throw();
    });

    it("refuses a log retention CloudWatch does not offer", () => {
      expect(refused(apiArgs({ stage: { name: "dev", accessLogRetentionDays: 10 } }))).to.equal(
        "stage.accessLogRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)",
      );
    });

    it("accepts every cache cluster size AWS offers and refuses others", () => {
      expect([...CACHE_CLUSTER_SIZES]).to.deep.equal(["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"]);
      for (const size of ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"] as const) {
        expect(validateRestApiArgs(apiArgs({ stage: { name: "dev", cacheClusterSize: size } })).stage.cacheClusterSize).to.equal(size);
      }
      for (const size of ["2", "0.50", "1"]) {
        expect(refused(apiArgs({ stage: { name: "dev", cacheClusterSize: size as never } }))).to.equal(
          `stage.cacheClusterSize must be one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 GB (got "${size}")`,
        );
      }
    });

    it("refuses an unknown gateway response type", () => {
      expect(refused(apiArgs({ gatewayResponses: { NOT_FOUND: { statusCode: "404" } } }))).to.equal(
        "gatewayResponses.NOT_FOUND is not a gateway response type (known: ACCESS_DENIED, API_CONFIGURATION_ERROR, AUTHORIZER_CONFIGURATION_ERROR, AUTHORIZER_FAILURE, BAD_REQUEST_PARAMETERS, BAD_REQUEST_BODY, DEFAULT_4XX, DEFAULT_5XX, EXPIRED_TOKEN, INTEGRATION_FAILURE, INTEGRATION_TIMEOUT, INVALID_API_KEY, INVALID_SIGNATURE, MISSING_AUTHENTICATION_TOKEN, QUOTA_EXCEEDED, REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, THROTTLED, UNAUTHORIZED, UNSUPPORTED_MEDIA_TYPE, WAF_FILTERED)",
      );
    });

    it("names the cors and methodSettings fields when they are wrong", () => {
      expect(refused(apiArgs({ cors: { allowOrigins: [] } }))).to.equal("cors.allowOrigins must list at least one origin");
      expect(refused(apiArgs({ methodSettings: { "users/POST": {} } }))).to.equal('methodSettings["users/POST"]: there is no route POST /users (routes: users/GET)');
      expect(refused(apiArgs({ methodSettings: { "*/*": { caching: { enabled: true } } } }))).to.equal(
        'methodSettings["*/*"].caching.enabled needs a cache cluster: set stage.cacheClusterSize',
      );
    });
  });

  describe("the spec returned for valid arguments", () => {
    it("applies the API defaults", () => {
      const spec = validateRestApiArgs(apiArgs());
      expect(spec.endpointType).to.equal("REGIONAL");
      expect(spec.binaryMediaTypes).to.deep.equal(["image/*", "application/pdf", "application/octet-stream"]);
      expect(spec.binaryMediaTypes).to.deep.equal(DEFAULT_BINARY_MEDIA_TYPES);
      expect(spec.stage).to.deep.equal({ name: "dev", accessLogRetentionDays: 30, tracingEnabled: true, cacheClusterSize: undefined, variables: undefined });
      expect(spec.cors).to.equal(undefined);
      expect(spec.gatewayResponses).to.deep.equal({});
      expect(spec.methodSettings).to.deep.equal([
        { key: "*/*", methodPath: "*/*", slug: "all", settings: { metricsEnabled: true, loggingLevel: "INFO", dataTraceEnabled: false, cachingEnabled: false } },
      ]);
    });

    it("keeps what the caller chose", () => {
      const spec = validateRestApiArgs(
        apiArgs({ endpointType: "EDGE", binaryMediaTypes: ["application/zip"], stage: { name: "prod", accessLogRetentionDays: 90, tracingEnabled: false } }),
      );
      expect(spec.endpointType).to.equal("EDGE");
      expect(spec.binaryMediaTypes).to.deep.equal(["application/zip"]);
      expect(spec.stage).to.include({ name: "prod", accessLogRetentionDays: 90, tracingEnabled: false });
    });

    it("adds the draft-04 $schema and a title to models, and defaults the content type", () => {
      const spec = validateRestApiArgs(
        apiArgs({
          models: {
            NewUser: { schema: { type: "object", required: ["name"] } },
            Csv: { schema: { $schema: DRAFT_4, title: "CSV upload", type: "string" }, contentType: "text/csv", description: "rows" },
          },
        }),
      );
      expect(spec.models.NewUser).to.deep.equal({
        schema: { $schema: DRAFT_4, title: "NewUser", type: "object", required: ["name"] },
        contentType: "application/json",
        description: undefined,
      });
      expect(spec.models.Csv).to.deep.equal({
        schema: { $schema: DRAFT_4, title: "CSV upload", type: "string" },
        contentType: "text/csv",
        description: "rows",
      });
    });

    it("declares path parameters required and cache keys optional unless declared", () => {
      const spec = validateRestApiArgs(
        apiArgs({
          routes: [
            {
              ...proxyRoute("/orgs/{orgId}/files/{proxy+}"),
              requestParameters: { querystring: { page: true }, header: { "X-Tenant": true } },
              cacheKeyParameters: ["querystring.category", "header.X-Tenant", "path.orgId"],
            },
          ],
        }),
      );
      const [route] = spec.routes;
      expect(route.methodRequestParameters).to.deep.equal({
        "method.request.path.orgId": true,
        "method.request.path.proxy": true,
        "method.request.querystring.page": true,
        "method.request.header.X-Tenant": true,
        "method.request.querystring.category": false,
      });
      expect(route.cacheKeys).to.deep.equal(["method.request.querystring.category", "method.request.header.X-Tenant", "method.request.path.orgId"]);
    });

    it("declares no parameters for a plain route", () => {
      const [route] = validateRestApiArgs(apiArgs({ routes: [proxyRoute("/")] })).routes;
      expect(route.methodRequestParameters).to.deep.equal({});
      expect(route.cacheKeys).to.deep.equal([]);
    });
  });
});

describe("validateCors", () => {
  const refusedCors = (cors: CorsArgs) => messageOf(() => validateCors(cors, "cors"));

  it("refuses an empty origin list", () => {
    expect(refusedCors({ allowOrigins: [] })).to.equal("cors.allowOrigins must list at least one origin");
  });

  it("refuses an origin with a path, a trailing slash or no scheme", () => {
    for (const origin of ["https://app.example.com/app", "https://app.example.com/", "app.example.com"]) {
      expect(refusedCors({ allowOrigins: ["https://ok.example.com", origin] })).to.equal(
        `cors.allowOrigins[1] must be "*" or an origin like https://app.example.com, with no path or trailing slash (got ${JSON.stringify(origin)})`,
      );
    }
  });

  it('refuses "*" with credentials', () => {
    expect(refusedCors({ allowOrigins: ["*"], allowCredentials: true })).to.equal('cors.allowOrigins may not contain "*" when cors.allowCredentials is true');
  });

  it('refuses "*" next to other origins', () => {
    expect(refusedCors({ allowOrigins: ["https://app.example.com", "*"] })).to.equal('cors.allowOrigins: "*" already allows every origin; list it alone');
  });

  it("refuses a maxAge outside 0..86400", () => {
    for (const maxAge of [-1, 86401, 1.5]) {
      expect(refusedCors({ allowOrigins: ["*"], maxAgeSeconds: maxAge })).to.equal(`cors.maxAgeSeconds must be an integer from 0 to 86400 (got ${maxAge})`);
    }
  });

  it("refuses an unknown method", () => {
    expect(refusedCors({ allowOrigins: ["*"], allowMethods: ["GET", "ANY"] })).to.equal(
      'cors.allowMethods: "ANY" is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    );
  });

  it("applies the defaults", () => {
    expect(validateCors({ allowOrigins: ["http://localhost:3000"] }, "cors")).to.deep.equal({
      allowOrigins: ["http://localhost:3000"],
      allowHeaders: ["Content-Type", "Authorization", "X-Amz-Date", "X-Api-Key", "X-Amz-Security-Token"],
      allowMethods: undefined,
      exposeHeaders: [],
      allowCredentials: false,
      maxAgeSeconds: 600,
    });
  });
});

describe("resolveMethodSettings validation", () => {
  const api = { routes: [{ method: "GET", path: "/data" }, { method: "GET", path: "/users/{id}" }] };
  const refusedSettings = (settings: Record<string, MethodSettingArgs>, cacheClusterSize?: string) =>
    messageOf(() => resolveMethodSettings(settings, { ...api, cacheClusterSize }));
  const KEY_FORMAT = 'keys are "*/*" or "<resource path>/<METHOD>", like "data/GET", "users/{id}/GET" or "/GET" for the root';

  it("refuses a key that is not <resource path>/<METHOD>", () => {
    for (const key of ["GET", "data/FETCH", "data/get", "data"]) {
      expect(refusedSettings({ [key]: {} })).to.equal(`methodSettings["${key}"]: ${KEY_FORMAT}`);
    }
    expect(refusedSettings({ "/data/GET": {} })).to.equal('methodSettings["/data/GET"]: write the resource path without its leading slash ("data/GET")');
    expect(refusedSettings({ "/GET": {} })).to.equal('methodSettings["/GET"]: there is no route GET / (routes: data/GET, users/{id}/GET)');
  });

  it("refuses a key no route matches, listing the routes", () => {
    expect(refusedSettings({ "data/POST": {} })).to.equal('methodSettings["data/POST"]: there is no route POST /data (routes: data/GET, users/{id}/GET)');
  });

  it("refuses an unknown loggingLevel", () => {
    expect(refusedSettings({ "*/*": { loggingLevel: "DEBUG" as never } })).to.equal('methodSettings["*/*"].loggingLevel must be OFF, ERROR or INFO (got "DEBUG")');
  });

  it("refuses a negative or non-numeric rateLimit", () => {
    expect(refusedSettings({ "*/*": { throttle: { rateLimit: -1, burstLimit: 10 } } })).to.equal('methodSettings["*/*"].throttle.rateLimit must be a number >= 0 (got -1)');
    expect(refusedSettings({ "data/GET": { throttle: { rateLimit: "5" as never, burstLimit: 10 } } })).to.equal(
      'methodSettings["data/GET"].throttle.rateLimit must be a number >= 0 (got "5")',
    );
    expect(refusedSettings({ "*/*": { throttle: { rateLimit: NaN, burstLimit: 10 } } })).to.equal('methodSettings["*/*"].throttle.rateLimit must be a number >= 0 (got NaN)');
  });

  it("refuses a burstLimit that is negative or fractional", () => {
    for (const burst of [-1, 1.5]) {
      expect(refusedSettings({ "*/*": { throttle: { rateLimit: 1, burstLimit: burst } } })).to.equal(
        `methodSettings["*/*"].throttle.burstLimit must be an integer >= 0 (got ${burst})`,
      );
    }
  });

  it("refuses a burst of 0 with a rate above 0, and accepts 0/0 (method switched off)", () => {
    expect(refusedSettings({ "data/GET": { throttle: { rateLimit: 5, burstLimit: 0 } } })).to.equal(
      'methodSettings["data/GET"].throttle.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing',
    );
    expect(() => resolveMethodSettings({ "data/GET": { throttle: { rateLimit: 0, burstLimit: 0 } } }, api)).not.to.throw();
  });

  it("refuses caching without a cache cluster", () => {
    expect(refusedSettings({ "data/GET": { caching: { enabled: true } } })).to.equal(
      'methodSettings["data/GET"].caching.enabled needs a cache cluster: set stage.cacheClusterSize',
    );
  });

  it("refuses a cache TTL outside 0..3600", () => {
    for (const ttl of [-1, 3601, 2.5]) {
      expect(refusedSettings({ "*/*": { caching: { enabled: true, ttlSeconds: ttl } } }, "0.5")).to.equal(
        `methodSettings["*/*"].caching.ttlSeconds must be an integer from 0 to 3600 (got ${ttl})`,
      );
    }
  });

  it("refuses an unknown unauthorizedCacheControlHeaderStrategy", () => {
    expect(refusedSettings({ "*/*": { caching: { enabled: true, unauthorizedCacheControlHeaderStrategy: "DENY" as never } } }, "0.5")).to.equal(
      'methodSettings["*/*"].caching.unauthorizedCacheControlHeaderStrategy must be one of FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER (got "DENY")',
    );
  });
});
