import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { ProgramError, runProgram } from "../../local/controlPlane";
import { loadStackConfig } from "../../local/stackConfig";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
const DEV = loadStackConfig(PROJECT_ROOT, "dev").config;
/** The dev stack's value of `apigw-kit:<key>` with some fields replaced. */
function devWith(key: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { [`apigw-kit:${key}`]: { ...JSON.parse(DEV[`apigw-kit:${key}`]), ...fields } };
}

interface BadConfig {
  title: string;
  overrides: Record<string, unknown>;
  message: string;
}

const CASES: BadConfig[] = [
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
    title: "api.endpointType PRIVATE without api.vpcEndpointIds",
    overrides: devWith("api", { endpointType: "PRIVATE" }),
    message: "apigw-kit:api.vpcEndpointIds must list the execute-api VPC endpoints when apigw-kit:api.endpointType is PRIVATE",
  },
  {
    title: "api.vpcEndpointIds with a malformed id",
    overrides: devWith("api", { endpointType: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0", "vpc-123"] }),
    message: 'apigw-kit:api.vpcEndpointIds[1] must be a VPC endpoint id like vpce-0123456789abcdef0 (got "vpc-123")',
  },
  {
    title: "stage.throttle.rateLimit 0",
    overrides: devWith("stage", { throttle: { rateLimit: 0, burstLimit: 40 } }),
    message: "apigw-kit:stage.throttle.rateLimit must be a number > 0 (got 0)",
  },
  {
    title: "stage.throttle.burstLimit 1.5",
    overrides: devWith("stage", { throttle: { rateLimit: 20, burstLimit: 1.5 } }),
    message: "apigw-kit:stage.throttle.burstLimit must be an integer >= 1 (got 1.5)",
  },
  {
    title: 'stage.loggingLevel "DEBUG"',
    overrides: devWith("stage", { loggingLevel: "DEBUG" }),
    message: 'apigw-kit:stage.loggingLevel must be one of OFF, ERROR, INFO (got "DEBUG")',
  },
  {
    title: "stage.accessLogRetentionDays 0",
    overrides: devWith("stage", { accessLogRetentionDays: 0 }),
    message: "apigw-kit:stage.accessLogRetentionDays must be an integer from 1 to 3653 (got 0)",
  },
  {
    title: 'cache.clusterSize "2"',
    overrides: devWith("cache", { clusterSize: "2" }),
    message: 'apigw-kit:cache.clusterSize must be one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 (GB) (got "2")',
  },
  {
    title: "cache.ttlSeconds 4000",
    overrides: devWith("cache", { ttlSeconds: 4000 }),
    message: "apigw-kit:cache.ttlSeconds must be an integer from 0 to 3600 (got 4000)",
  },
  {
    title: "cache.unauthorizedCacheControlHeaderStrategy unknown",
    overrides: devWith("cache", { unauthorizedCacheControlHeaderStrategy: "FAIL_WITH_401" }),
    message:
      'apigw-kit:cache.unauthorizedCacheControlHeaderStrategy must be one of FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER (got "FAIL_WITH_401")',
  },
  {
    title: "methodOverrides for a route that does not exist (data/PUT)",
    overrides: { "apigw-kit:methodOverrides": { "data/PUT": { caching: { ttlSeconds: 60 } } } },
    message:
      'apigw-kit:methodOverrides["data/PUT"]: there is no route PUT /data (routes: health/GET, users/POST, users/{id}/GET, data/GET, transform/POST, files/POST)',
  },
  {
    title: 'cors.allowOrigins "*" with allowCredentials',
    overrides: { "apigw-kit:cors": { allowOrigins: ["*"], allowCredentials: true } },
    message: 'apigw-kit:cors.allowOrigins may not contain "*" when apigw-kit:cors.allowCredentials is true',
  },
  {
    title: "lambda.memorySize 64",
    overrides: devWith("lambda", { memorySize: 64 }),
    message: "apigw-kit:lambda.memorySize must be an integer from 128 to 10240 (got 64)",
  },
  {
    title: "api.type http",
    overrides: devWith("api", { type: "http" }),
    message:
      "apigw-kit:api.type resolved to HTTP (set explicitly), but this program builds the REST flavour only so far; set apigw-kit:api.type to rest",
  },
  {
    title: "api.type auto with requirements that favour HTTP",
    overrides: devWith("api", { type: "auto", requirements: { cost_sensitive: true, latency_critical: true } }),
    message:
      "apigw-kit:api.type resolved to HTTP (cost_sensitive: HTTP API +3 (HTTP APIs are ~71 % cheaper per request); " +
      "latency_critical: HTTP API +2 (HTTP APIs have lower latency)), but this program builds the REST flavour only so far; " +
      "set apigw-kit:api.type to rest",
  },
];

/**
 * Runs the dev stack with bad config and returns the ProgramError. runProgram waits for the
 * registrations already sent before it throws, so `err.graph` holds everything registered.
 */
async function failedRun(overrides: Record<string, unknown>): Promise<ProgramError> {
  let failure: unknown;
  try {
    await runProgram({ stack: "dev", configOverrides: overrides });
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
        err = await failedRun(c.overrides);
      });

      it("with a message naming the key", () => {
        expect(err.message).to.equal(c.message);
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
