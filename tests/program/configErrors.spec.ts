import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { ProgramError, runProgram } from "../../local/controlPlane";
import { loadStackConfig } from "../../local/stackConfig";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
/** CloudWatch Logs' retention values (PutRetentionPolicy). */
const RETENTIONS = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653";
const DEV = loadStackConfig(PROJECT_ROOT, "dev").config;
/** The dev stack's value of `apigw-kit:<key>` with some fields replaced. */
function devWith(key: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { [`apigw-kit:${key}`]: { ...JSON.parse(DEV[`apigw-kit:${key}`]), ...fields } };
}

/** The dev stack's value of `apigw-kit:api` replaced, and the REST-only keys of the dev file removed. */
function httpWith(api: Record<string, unknown>, keep: Array<"cache" | "customers" | "methodOverrides"> = []): Record<string, unknown> {
  const overrides: Record<string, unknown> = { "apigw-kit:api": { type: "http", ...api } };
  for (const key of ["cache", "customers", "methodOverrides"] as const) if (!keep.includes(key)) overrides[`apigw-kit:${key}`] = undefined;
  return overrides;
}

/** A tier as apigw-kit:tiers spells it. */
const tier = (name: string, rateLimit: number, burstLimit: number, quota?: Record<string, unknown>) => ({
  name,
  throttle: { rateLimit, burstLimit },
  ...(quota ? { quota } : {}),
});

/** What refuseRestOnlyFeatures says of one feature (components/HttpApi.ts), with the program's config keys. */
const REST_ONLY = {
  apiKeys:
    "apigw-kit:api.type is http, but API keys exist only on REST APIs: HTTP APIs neither require nor check x-api-key " +
    "(set apigw-kit:api.type to rest or remove apigw-kit:customers / apigw-kit:api.requirements.api_keys)",
  usagePlans:
    "apigw-kit:api.type is http, but usage plans exist only on REST APIs: HTTP APIs throttle per route and stage, with no per-client quotas " +
    "(set apigw-kit:api.type to rest or remove apigw-kit:tiers)",
  caching:
    "apigw-kit:api.type is http, but response caching exists only on REST APIs: HTTP API stages have no cache cluster " +
    "(set apigw-kit:api.type to rest or remove apigw-kit:cache / apigw-kit:api.requirements.caching / the caching of apigw-kit:methodOverrides)",
  waf:
    "apigw-kit:api.type is http, but AWS WAF exists only on REST APIs: a web ACL cannot be associated with an HTTP API stage " +
    "(set apigw-kit:api.type to rest or remove apigw-kit:waf / apigw-kit:api.requirements.waf_required)",
  mappingTemplates:
    "apigw-kit:api.type is http, but mapping templates exist only on REST APIs: HTTP APIs only map parameters, they cannot reshape bodies with VTL " +
    "(set apigw-kit:api.type to rest or remove apigw-kit:api.requirements.transformation)",
};

interface BadConfig {
  title: string;
  overrides: Record<string, unknown>;
  /** The exact message (a pattern only for a pending case whose wording is not settled). */
  message: string | RegExp;
  /** @default "dev" */
  stack?: "dev" | "prod";
}

/** The dev stack's method overrides with one more. */
const overrideWith = (key: string, setting: Record<string, unknown>) => ({
  "apigw-kit:methodOverrides": { ...JSON.parse(DEV["apigw-kit:methodOverrides"]), [key]: setting },
});

/** The customers API's routes (issue 14), as method-settings keys. */
const CUSTOMER_SETTINGS_KEYS = [
  "customers/POST", "customers/GET", "customers/{id}/usage/GET", "customers/{id}/tier/PUT",
  "customers/{id}/rotate/POST", "customers/{id}/disable/POST", "customers/{id}/enable/POST", "customers/{id}/DELETE",
];
/** The REST API's routes (the demo's, then the customers API's) as usage plan throttle paths, as the errors list them. */
const DEMO_THROTTLE_PATHS = ["/health/GET, /users/POST, /users/{id}/GET, /data/GET, /transform/POST, /partner/status/GET, /files/POST", ...CUSTOMER_SETTINGS_KEYS.map((k) => `/${k}`)].join(", ");
/** The REST API's routes as method-settings keys, as the errors list them. */
const DEMO_SETTINGS_KEYS = ["health/GET, users/POST, users/{id}/GET, data/GET, transform/POST, partner/status/GET, files/POST", ...CUSTOMER_SETTINGS_KEYS].join(", ");
const SETTINGS_KEY_FORM = 'keys are "*/*" or "<resource path>/<METHOD>", like "data/GET", "users/{id}/GET" or "/GET" for the root';
const THROTTLE_PATH_FORM = `keys are AWS's "/{resource path}/{METHOD}", like "/data/GET", "/users/{id}/DELETE" or "//GET" for the root`;

/**
 * The rules of components/apigateway and components/lambdaSizing, as the stack config meets
 * them: each one refused before any resource exists, naming its `apigw-kit:` key. (The
 * components refuse the same values with their argument paths: tests/components.)
 */
const RULE_CASES: BadConfig[] = [
  // CloudWatch Logs retention: PutRetentionPolicy accepts only these values.
  {
    title: "stage.accessLogRetentionDays 2 (not a CloudWatch retention)",
    overrides: devWith("stage", { accessLogRetentionDays: 2 }),
    message: `apigw-kit:stage.accessLogRetentionDays must be one of ${RETENTIONS} (got 2)`,
  },
  {
    title: "stage.accessLogRetentionDays 0",
    overrides: devWith("stage", { accessLogRetentionDays: 0 }),
    message: `apigw-kit:stage.accessLogRetentionDays must be one of ${RETENTIONS} (got 0)`,
  },
  {
    title: "lambda.logRetentionDays 2 (not a CloudWatch retention)",
    overrides: devWith("lambda", { logRetentionDays: 2 }),
    message: `apigw-kit:lambda.logRetentionDays must be one of ${RETENTIONS} (got 2)`,
  },
  {
    title: 'lambda.logRetentionDays "14" (a string)',
    overrides: devWith("lambda", { logRetentionDays: "14" }),
    message: `apigw-kit:lambda.logRetentionDays must be one of ${RETENTIONS} (got "14")`,
  },
  {
    title: "lambda.timeoutSeconds 901",
    overrides: devWith("lambda", { timeoutSeconds: 901 }),
    message: "apigw-kit:lambda.timeoutSeconds must be an integer from 1 to 900 (got 901)",
  },
  // Throttles: rate a number >= 0, burst an integer >= 0, no empty bucket under a positive rate.
  {
    title: "stage.throttle.rateLimit -1",
    overrides: devWith("stage", { throttle: { rateLimit: -1, burstLimit: 40 } }),
    message: "apigw-kit:stage.throttle.rateLimit must be a number >= 0 (got -1)",
  },
  {
    title: "stage.throttle.burstLimit 1.5",
    overrides: devWith("stage", { throttle: { rateLimit: 20, burstLimit: 1.5 } }),
    message: "apigw-kit:stage.throttle.burstLimit must be an integer >= 0 (got 1.5)",
  },
  {
    title: "stage.throttle.burstLimit 0 under rateLimit 20",
    overrides: devWith("stage", { throttle: { rateLimit: 20, burstLimit: 0 } }),
    message: "apigw-kit:stage.throttle.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing",
  },
  {
    title: "stage.throttle not an object",
    overrides: devWith("stage", { throttle: 100 }),
    message: "apigw-kit:stage.throttle must be { rateLimit, burstLimit }",
  },
  {
    title: "a tier's throttle with burstLimit 0 under a positive rate",
    overrides: { "apigw-kit:tiers": [tier("basic", 10, 0), tier("premium", 100, 200)] },
    message: "apigw-kit:tiers[0] (basic).throttle.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing",
  },
  {
    title: 'a tier\'s method throttle with rateLimit "5" (a string)',
    overrides: { "apigw-kit:tiers": [{ ...tier("basic", 10, 20), methodThrottles: { "/data/GET": { rateLimit: "5", burstLimit: 5 } } }] },
    message: 'apigw-kit:tiers[0] (basic).methodThrottles["/data/GET"].rateLimit must be a number >= 0 (got "5")',
  },
  {
    title: "methodOverrides with a throttle whose burstLimit is -1",
    overrides: overrideWith("health/GET", { throttle: { rateLimit: 5, burstLimit: -1 } }),
    message: 'apigw-kit:methodOverrides["health/GET"].throttle.burstLimit must be an integer >= 0 (got -1)',
  },
  {
    title: "a tier quota with limit 0",
    overrides: { "apigw-kit:tiers": [tier("basic", 10, 20, { limit: 0, period: "DAY" }), tier("premium", 100, 200)] },
    message: "apigw-kit:tiers[0] (basic).quota.limit must be a positive integer (got 0)",
  },
  {
    title: "a tier quota with offset = limit",
    overrides: { "apigw-kit:tiers": [tier("basic", 10, 20, { limit: 100, period: "DAY", offset: 100 }), tier("premium", 100, 200)] },
    message: "apigw-kit:tiers[0] (basic).quota.offset must be an integer from 0 to 99 (limit - 1) (got 100)",
  },
  // Method keys: settings keys `data/GET`, throttle paths `/data/GET`, both naming real routes.
  {
    title: 'methodOverrides key "/data/GET" (a throttle path, not a settings key)',
    overrides: overrideWith("/data/GET", { metricsEnabled: true }),
    message: 'apigw-kit:methodOverrides["/data/GET"]: write the resource path without its leading slash ("data/GET")',
  },
  {
    title: 'methodOverrides key "data/get" (lower-case method)',
    overrides: overrideWith("data/get", { metricsEnabled: true }),
    message: `apigw-kit:methodOverrides["data/get"]: ${SETTINGS_KEY_FORM}`,
  },
  {
    title: 'methodOverrides key "GET /data" (a route key)',
    overrides: overrideWith("GET /data", { metricsEnabled: true }),
    message: `apigw-kit:methodOverrides["GET /data"]: ${SETTINGS_KEY_FORM}`,
  },
  {
    title: "methodOverrides for a route that does not exist (data/PUT)",
    overrides: { "apigw-kit:methodOverrides": { "data/PUT": { caching: { ttlSeconds: 60 } } } },
    message: `apigw-kit:methodOverrides["data/PUT"]: there is no route PUT /data (routes: ${DEMO_SETTINGS_KEYS})`,
  },
  {
    title: 'a tier\'s method throttle keyed "data/GET" (a settings key, not a throttle path)',
    overrides: { "apigw-kit:tiers": [{ ...tier("basic", 10, 20), methodThrottles: { "data/GET": { rateLimit: 5, burstLimit: 5 } } }] },
    message: `apigw-kit:tiers[0] (basic).methodThrottles["data/GET"]: ${THROTTLE_PATH_FORM}`,
  },
  {
    title: "a tier's method throttle for a route that does not exist (/data/DELETE)",
    overrides: { "apigw-kit:tiers": [{ ...tier("basic", 10, 20), methodThrottles: { "/data/DELETE": { rateLimit: 5, burstLimit: 5 } } }, tier("premium", 100, 200)] },
    message: `apigw-kit:tiers[0] (basic).methodThrottles["/data/DELETE"]: there is no route DELETE /data (routes: ${DEMO_THROTTLE_PATHS})`,
  },
  // Stage names: what CreateStage accepts.
  {
    title: 'stage.name "my stage"',
    overrides: devWith("stage", { name: "my stage" }),
    message: `apigw-kit:stage.name must be 1-128 letters, digits, '-' or '_' (got "my stage")`,
  },
  // Caching: cluster sizes and TTLs.
  {
    title: 'cache.clusterSize "2"',
    overrides: devWith("cache", { clusterSize: "2" }),
    message: 'apigw-kit:cache.clusterSize must be one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 GB (got "2")',
  },
  {
    title: "cache.ttlSeconds 4000",
    overrides: devWith("cache", { ttlSeconds: 4000 }),
    message: "apigw-kit:cache.ttlSeconds must be an integer from 0 to 3600 (got 4000)",
  },
  {
    title: "methodOverrides with caching.ttlSeconds 4000",
    overrides: overrideWith("health/GET", { caching: { enabled: true, ttlSeconds: 4000 } }),
    message: 'apigw-kit:methodOverrides["health/GET"].caching.ttlSeconds must be an integer from 0 to 3600 (got 4000)',
  },
];

const CASES: BadConfig[] = [
  ...RULE_CASES,
  {
    title: 'api.type "grpc"',
    overrides: devWith("api", { type: "grpc" }),
    message: 'apigw-kit:api.type must be one of rest, http, auto (got "grpc")',
  },
  {
    title: "api.requirements with an unknown key",
    overrides: devWith("api", { requirements: { api_keys: true, cachng: true } }),
    message:
      "apigw-kit:api.requirements.cachng is not a known requirement (known: cost_sensitive, latency_critical, api_keys, transformation, waf_required, caching, auth_type)",
  },
  {
    title: 'api.requirements.caching "yes"',
    overrides: devWith("api", { requirements: { caching: "yes" } }),
    message: 'apigw-kit:api.requirements.caching must be a boolean (got "yes")',
  },
  {
    title: 'api.endpointType "GLOBAL"',
    overrides: devWith("api", { endpointType: "GLOBAL" }),
    message: 'apigw-kit:api.endpointType must be one of EDGE, REGIONAL, PRIVATE (got "GLOBAL")',
  },
  {
    title: "api.vpcEndpointIds with a malformed id",
    overrides: devWith("api", { endpointType: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0", "vpc-123"] }),
    message: 'apigw-kit:api.vpcEndpointIds[1] must be a VPC endpoint id like vpce-0123456789abcdef0 (got "vpc-123")',
  },
  {
    title: 'stage.loggingLevel "DEBUG"',
    overrides: devWith("stage", { loggingLevel: "DEBUG" }),
    message: 'apigw-kit:stage.loggingLevel must be one of OFF, ERROR, INFO (got "DEBUG")',
  },
  {
    title: "cache.unauthorizedCacheControlHeaderStrategy unknown",
    overrides: devWith("cache", { unauthorizedCacheControlHeaderStrategy: "FAIL_WITH_401" }),
    message:
      'apigw-kit:cache.unauthorizedCacheControlHeaderStrategy must be one of FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER (got "FAIL_WITH_401")',
  },
  {
    title: 'cors.allowOrigins "*" with allowCredentials',
    overrides: { "apigw-kit:cors": { allowOrigins: ["*"], allowCredentials: true } },
    message: 'apigw-kit:cors.allowOrigins may not contain "*" when apigw-kit:cors.allowCredentials is true',
  },
  {
    title: "lambda.memorySize 64",
    overrides: devWith("lambda", { memorySize: 64 }),
    message: "apigw-kit:lambda.memorySize must be an integer from 128 to 10240 MB (got 64)",
  },
  {
    title: "lambda.runtime nodejs20.x (AWS blocks creating and updating functions on it)",
    overrides: devWith("lambda", { runtime: "nodejs20.x" }),
    message:
      'apigw-kit:lambda.runtime must be one of nodejs24.x, nodejs22.x (got "nodejs20.x", which AWS Lambda deprecated on 2026-04-30: ' +
      "creating functions on it is blocked from 2026-08-31, updating them from 2026-09-30)",
  },
  {
    title: "lambda.runtime nodejs20.x on prod",
    stack: "prod",
    overrides: { "apigw-kit:lambda": { ...JSON.parse(loadStackConfig(PROJECT_ROOT, "prod").config["apigw-kit:lambda"]), runtime: "nodejs20.x" } },
    message:
      'apigw-kit:lambda.runtime must be one of nodejs24.x, nodejs22.x (got "nodejs20.x", which AWS Lambda deprecated on 2026-04-30: ' +
      "creating functions on it is blocked from 2026-08-31, updating them from 2026-09-30)",
  },
  {
    title: "lambda.runtime python3.12 (the handlers are JavaScript)",
    overrides: devWith("lambda", { runtime: "python3.12" }),
    message: 'apigw-kit:lambda.runtime must be one of nodejs24.x, nodejs22.x (got "python3.12", which is not a Node.js runtime AWS Lambda offers)',
  },
  {
    title: "api.type http with the rest of dev's config (requirements api_keys, caching, transformation; customers; cache)",
    overrides: devWith("api", { type: "http" }),
    message: [REST_ONLY.apiKeys, REST_ONLY.caching, REST_ONLY.mappingTemplates].join("; "),
  },
  {
    title: "api.type http with the rest of prod's config (requirements with waf_required too)",
    stack: "prod",
    overrides: { "apigw-kit:api": { ...JSON.parse(loadStackConfig(PROJECT_ROOT, "prod").config["apigw-kit:api"]), type: "http" } },
    message: [REST_ONLY.apiKeys, REST_ONLY.caching, REST_ONLY.waf, REST_ONLY.mappingTemplates].join("; "),
  },
  {
    title: "customDomain with a domain name that is not a DNS name",
    overrides: { "apigw-kit:customDomain": { domainName: "API.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" } },
    message: 'apigw-kit:customDomain.domainName must be lowercase (got "API.example.com"): DNS names are case-insensitive, and API Gateway and ACM keep them in lowercase',
  },
  {
    title: "customDomain with a base path of two segments",
    overrides: { "apigw-kit:customDomain": { domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", basePath: "/v1/x" } },
    message: `apigw-kit:customDomain.basePath must be "" or "/" for the root, or one path segment of letters, digits and $-_.+!*'() like "v1" or "/v1": multi-level paths are not base paths (got "/v1/x")`,
  },
  {
    title: "customDomain without hostedZoneId",
    overrides: { "apigw-kit:customDomain": { domainName: "api.example.com" } },
    message: "apigw-kit:customDomain.hostedZoneId is required: the Route 53 hosted zone holding domainName",
  },
  {
    title: "customDomain with an unknown key",
    overrides: { "apigw-kit:customDomain": { domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", basepath: "/v1" } },
    message: "apigw-kit:customDomain has unknown key(s) basepath (known: domainName, hostedZoneId, basePath, endpointType, ipAddressType, certificateArn)",
  },
  {
    title: "customDomain on an HTTP API",
    overrides: { ...httpWith({}), "apigw-kit:customDomain": { domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" } },
    message: "apigw-kit:customDomain maps REST API stages (base path mappings); this stack's API is an HTTP API (apigw-kit:api.type)",
  },
  {
    title: "api.type auto with requirements that favour HTTP (dev's customers and cache kept)",
    overrides: devWith("api", { type: "auto", requirements: { cost_sensitive: true, latency_critical: true } }),
    message: [REST_ONLY.apiKeys, REST_ONLY.caching].join("; "),
  },
  {
    title: "api.type http with apigw-kit:customers",
    overrides: httpWith({}, ["customers"]),
    message: REST_ONLY.apiKeys,
  },
  {
    title: "api.type http with api.requirements.api_keys",
    overrides: httpWith({ requirements: { api_keys: true } }),
    message: REST_ONLY.apiKeys,
  },
  {
    title: "api.type http with apigw-kit:tiers",
    overrides: { ...httpWith({}), "apigw-kit:tiers": [tier("basic", 10, 20)] },
    message: REST_ONLY.usagePlans,
  },
  {
    title: "api.type http with apigw-kit:cache",
    overrides: httpWith({}, ["cache"]),
    message: REST_ONLY.caching,
  },
  {
    title: "api.type http with api.requirements.caching",
    overrides: httpWith({ requirements: { caching: true } }),
    message: REST_ONLY.caching,
  },
  {
    title: "api.type http with api.requirements.waf_required",
    overrides: httpWith({ requirements: { waf_required: true } }),
    message: REST_ONLY.waf,
  },
  {
    title: "api.type http with api.requirements.transformation",
    overrides: httpWith({ requirements: { transformation: true } }),
    message: REST_ONLY.mappingTemplates,
  },
  {
    title: 'cognito.mfa "SMS"',
    overrides: { "apigw-kit:cognito": { mfa: "SMS" } },
    message: 'apigw-kit:cognito.mfa must be one of OFF, OPTIONAL, ON (got "SMS")',
  },
  {
    title: "cognito.passwordMinimumLength 4",
    overrides: { "apigw-kit:cognito": { passwordMinimumLength: 4 } },
    message: "apigw-kit:cognito.passwordMinimumLength must be an integer from 6 to 99 (got 4)",
  },
  {
    title: "tokenAuthorizer.resultTtlSeconds 300 (as long as a token is valid: a cached answer would outlive it)",
    overrides: { "apigw-kit:tokenAuthorizer": { resultTtlSeconds: 300 } },
    message:
      "apigw-kit:tokenAuthorizer.resultTtlSeconds must be an integer from 0 to 299, less than the 300 s a token is valid, so that a cached answer never outlives its token (got 300)",
  },
  {
    title: "a customer with an unknown tier",
    overrides: { "apigw-kit:customers": [{ id: "acme", tier: "basic" }, { id: "globex", tier: "gold" }] },
    message: 'apigw-kit:customers[1] (globex).tier "gold" is not a tier (tiers: basic, premium, enterprise)',
  },
  {
    title: "a customer of a default tier that apigw-kit:tiers replaced",
    overrides: { "apigw-kit:tiers": [tier("free", 1, 2), tier("pro", 50, 100)] },
    message: 'apigw-kit:customers[0] (acme).tier "basic" is not a tier (tiers: free, pro)',
  },
  {
    title: "duplicate tier names",
    overrides: { "apigw-kit:tiers": [tier("basic", 10, 20), tier("basic", 100, 200), tier("premium", 100, 200)] },
    message: 'apigw-kit:tiers[1].name "basic" is used by tiers[0] as well: tier names must be unique',
  },
  {
    title: 'a tier quota with period "YEAR"',
    overrides: { "apigw-kit:tiers": [tier("basic", 10, 20, { limit: 1000, period: "YEAR" }), tier("premium", 100, 200)] },
    message: 'apigw-kit:tiers[0] (basic).quota.period must be DAY, WEEK or MONTH (got "YEAR")',
  },
  {
    title: "api.type http with a cache TTL in methodOverrides (dev's data/GET caching.ttlSeconds 60)",
    overrides: httpWith({}, ["methodOverrides"]),
    message: REST_ONLY.caching,
  },
  {
    title: 'cognito.groups with a name the user pool refuses ("power users")',
    overrides: { "apigw-kit:cognito": { groups: ["admins", "power users"] } },
    message: 'apigw-kit:cognito.groups[1].name must be 1-128 letters, marks, symbols, digits or punctuation, without spaces (got "power users")',
  },
  {
    title: 'tokenAuthorizer.clients with a malformed id ("bad id")',
    overrides: { "apigw-kit:tokenAuthorizer": { clients: [{ id: "bad id" }] } },
    message: 'apigw-kit:tokenAuthorizer.clients[0].id must match ^[A-Za-z0-9_-]{1,64}$ (got "bad id")',
  },
  {
    title: "tokenAuthorizer.clients empty",
    overrides: { "apigw-kit:tokenAuthorizer": { clients: [] } },
    message: "apigw-kit:tokenAuthorizer.clients must list at least one client",
  },
];

/**
 * Runs the dev stack with bad config and returns the ProgramError. runProgram waits for the
 * registrations already sent before it throws, so `err.graph` holds everything registered.
 */
async function failedRun(overrides: Record<string, unknown>, stack: "dev" | "prod" = "dev"): Promise<ProgramError> {
  let failure: unknown;
  try {
    await runProgram({ stack, configOverrides: overrides });
  } catch (err) {
    failure = err;
  }
  if (failure === undefined) throw new Error(`the program accepted ${JSON.stringify(overrides)}`);
  if (!(failure instanceof ProgramError)) throw failure;
  return failure;
}

describe("program (index.ts) refuses bad stack config", () => {
  for (const c of CASES) {
    describe(c.title, () => {
      let err: ProgramError;
      before(async () => {
        err = await failedRun(c.overrides, c.stack);
      });

      it("with a message naming the key", () => {
        if (typeof c.message === "string") expect(err.message).to.equal(c.message);
        else expect(err.message).to.match(c.message);
      });

      it("before any resource exists", () => {
        expect(err.graph.resources.map((r) => `${r.type} ${r.name}`)).to.deep.equal([]);
      });
    });
  }

  it("a stack without a stack file: names the file and lists the stacks", async () => {
    let failure: Error | undefined;
    try {
      await runProgram({ stack: "nope" });
    } catch (err) {
      failure = err as Error;
    }
    const stacks = fs
      .readdirSync(PROJECT_ROOT)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => !!s);
    expect(stacks).to.include.members(["dev", "prod"]);
    expect(failure?.message).to.equal(
      `no stack "nope": ${path.join(PROJECT_ROOT, "Pulumi.nope.yaml")} does not exist (stacks here: ${stacks.join(", ")})`,
    );
  });
});
