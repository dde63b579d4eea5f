import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { ApiCache, ApiCacheArgs } from "../../components/ApiCache";
import { CacheInvalidationPolicy, startApiGatewayManagement } from "../../local/apiGatewayManagement";
import { ProgramError, ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:ApiCache",
  handler: "apigw-kit:index:HandlerFunction",
  function: "aws:lambda/function:Function",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  stage: "aws:apigateway/stage:Stage",
  restApi: "aws:apigateway/restApi:RestApi",
};
const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** Runs ApiCache "cache" on a (mocked) REST API with a stage `dev`, with `args` on top. */
function runOnStage(args: Partial<Omit<ApiCacheArgs, "restApi" | "stage">> = {}): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    define: () => {
      const restApi = new aws.apigateway.RestApi("api", { name: "api" });
      const deployment = new aws.apigateway.Deployment("api-deployment", { restApi: restApi.id });
      const stage = new aws.apigateway.Stage("api-stage", { restApi: restApi.id, deployment: deployment.id, stageName: "dev", cacheClusterEnabled: true, cacheClusterSize: "0.5" });
      const cache = new ApiCache("cache", { restApi, stage, ...args });
      return { flushFunctionName: cache.flushFunctionName, invalidateCachePolicyArn: cache.invalidateCachePolicyArn };
    },
  });
}

function only(run: ProgramRun, type: string): RecordedResource {
  const found = run.graph.ofType(type);
  expect(found, type).to.have.length(1);
  return found[0];
}

/** The message ApiCache refuses `args` with, and what was registered; fails when accepted. */
async function refusal(args: Partial<ApiCacheArgs>): Promise<{ message: string; graph: ProgramError["graph"] }> {
  try {
    await runOnStage(args);
  } catch (err) {
    expect(err).to.be.instanceOf(ProgramError);
    return { message: (err as ProgramError).message, graph: (err as ProgramError).graph };
  }
  throw new Error("expected the ApiCache to be refused");
}

describe("ApiCache (under the mock control plane)", () => {
  let run: ProgramRun;
  let apiId: string;
  let executionArn: string;

  before(async () => {
    run = await runOnStage({ invalidatorRoleNames: ["support-console", "catalog-importer"] });
    apiId = only(run, T.restApi).id!;
    executionArn = only(run, T.stage).state.executionArn;
  });

  it("creates a flush function whose role may only DELETE the stage's cache data (and write its logs)", () => {
    const component = only(run, T.component);
    const handler = only(run, T.handler);
    expect(handler.parent).to.equal(component.urn);
    const fn = only(run, T.function);
    expect(fn.inputs.environment.variables).to.deep.equal({ REST_API_ID: apiId, STAGE_NAME: "dev" });
    expect(fn.inputs.memorySize).to.equal(128);
    expect(fn.inputs.timeout).to.equal(10);
    expect(run.outputs.flushFunctionName.value).to.equal(fn.state.name);

    const document = JSON.parse(only(run, T.rolePolicy).inputs.policy);
    expect(document.Statement).to.have.length(2);
    expect(document.Statement[0].Action).to.deep.equal(["logs:CreateLogStream", "logs:PutLogEvents"]);
    expect(document.Statement[1]).to.deep.equal({
      Effect: "Allow",
      Action: ["apigateway:DELETE"],
      Resource: [`arn:aws:apigateway:us-east-1::/restapis/${apiId}/stages/dev/cache/data`],
    });
  });

  it("creates one policy allowing execute-api:InvalidateCache on every method of the stage, attached to each named role", () => {
    const policy = only(run, T.policy);
    expect(policy.parent).to.equal(only(run, T.component).urn);
    expect(JSON.parse(policy.inputs.policy)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["execute-api:InvalidateCache"], Resource: [`${executionArn}/*/*`] }],
    });
    expect(run.outputs.invalidateCachePolicyArn.value).to.equal(policy.state.arn);
    const attachments = run.graph.ofType(T.attachment);
    expect(attachments.map((a) => a.inputs)).to.deep.equal([
      { role: "support-console", policyArn: policy.state.arn },
      { role: "catalog-importer", policyArn: policy.state.arn },
    ]);
  });

  it("lets the local cloud's policy reader grant max-age=0 to exactly those roles, on this stage", () => {
    const policy = new CacheInvalidationPolicy(run.graph);
    expect(policy.roleNames()).to.deep.equal(["catalog-importer", "support-console"]);
    expect(policy.allows({ roleName: "support-console" }, `${executionArn}/GET/users/42`)).to.equal(true);
    // The flush function's own role may flush the stage, not refresh single entries.
    const flushRole = only(run, "aws:iam/role:Role").state.name;
    expect(policy.allows({ roleName: flushRole }, `${executionArn}/GET/users/42`)).to.equal(false);
    expect(policy.allows({ roleName: "support-console" }, `${executionArn.replace(/\/dev$/, "/prod")}/GET/users/42`)).to.equal(false);
  });

  it("creates the policy but no attachment by default, and takes the flush function's settings (nodejs24.x unless told)", async () => {
    expect(only(run, T.function).inputs.runtime).to.equal("nodejs24.x");
    const plain = await runOnStage({ flushFunction: { memorySize: 256, timeoutSeconds: 30, logRetentionDays: 7, runtime: "nodejs22.x" } });
    expect(plain.graph.ofType(T.policy)).to.have.length(1);
    expect(plain.graph.ofType(T.attachment)).to.have.length(0);
    const fn = only(plain, T.function);
    expect(fn.inputs.memorySize).to.equal(256);
    expect(fn.inputs.timeout).to.equal(30);
    expect(fn.inputs.runtime).to.equal("nodejs22.x");
    expect(only(plain, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).to.equal(7);
  });

  it("serializes a handler that flushes its stage through the API Gateway endpoint", async () => {
    const fn = only(run, T.function);
    const code = await (await fn.inputs.code.assets)["__index.js"].text;
    expect(code).to.match(/require\("@aws-sdk\/client-api-gateway[/"]/);
    const flushed: string[] = [];
    const management = await startApiGatewayManagement({ flush: (id, stage) => flushed.push(`${id}/${stage}`) > 0 });
    const dir = path.join(PROJECT_ROOT, ".local", "test-archives", `api-cache-${process.pid}`);
    const file = path.join(dir, "__index.js");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, code);
    const env = {
      ...fn.inputs.environment.variables,
      AWS_ENDPOINT_URL_API_GATEWAY: management.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundled handler just written, loaded while its environment is set (its factory reads it at load)
      const { handler } = require(file) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
      const result = await handler({}, {});
      expect(result).to.deep.include({ flushed: true, restApiId: apiId, stageName: "dev" });
      expect(flushed).to.deep.equal([`${apiId}/dev`]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      delete require.cache[file];
      fs.rmSync(dir, { recursive: true, force: true });
      if (fs.readdirSync(path.dirname(dir)).length === 0) fs.rmdirSync(path.dirname(dir));
      await management.stop();
    }
  });

  describe("refuses bad arguments before creating anything, naming the field", () => {
    const cases: Array<[Partial<ApiCacheArgs>, string]> = [
      [{ invalidatorRoleNames: [""] }, 'ApiCache: invalidatorRoleNames[0] must be an IAM role name (1-64 of letters, digits, _+=,.@-; got "")'],
      [{ invalidatorRoleNames: ["ok", "has space"] }, 'ApiCache: invalidatorRoleNames[1] must be an IAM role name (1-64 of letters, digits, _+=,.@-; got "has space")'],
      [{ invalidatorRoleNames: ["r".repeat(65)] }, `ApiCache: invalidatorRoleNames[0] must be an IAM role name (1-64 of letters, digits, _+=,.@-; got "${"r".repeat(65)}")`],
      [{ invalidatorRoleNames: ["arn:aws:iam::123456789012:role/ops"] }, 'ApiCache: invalidatorRoleNames[0] must be an IAM role name (1-64 of letters, digits, _+=,.@-; got "arn:aws:iam::123456789012:role/ops")'],
      [{ invalidatorRoleNames: ["ops", "support", "ops"] }, 'ApiCache: invalidatorRoleNames[2]: "ops" is listed twice'],
      [{ invalidatorRoleNames: "ops" as unknown as string[] }, "ApiCache: invalidatorRoleNames must be a list of IAM role names"],
      [{ flushFunction: { memorySize: 64 } }, "ApiCache: flushFunction.memorySize must be an integer from 128 to 10240 MB (got 64)"],
      [{ flushFunction: { timeoutSeconds: 0 } }, "ApiCache: flushFunction.timeoutSeconds must be an integer from 1 to 900 (got 0)"],
      [{ flushFunction: { logRetentionDays: 1.5 } }, "ApiCache: flushFunction.logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 1.5)"],
      [{ flushFunction: { logRetentionDays: 2 } }, "ApiCache: flushFunction.logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 2)"],
      [{ flushFunction: { runtime: "nodejs20.x" as never } }, `ApiCache: flushFunction.runtime must be one of nodejs24.x, nodejs22.x (got "nodejs20.x", which AWS Lambda deprecated on 2026-04-30: creating functions on it is blocked from 2026-08-31, updating them from 2026-09-30)`],
    ];
    for (const [args, message] of cases) {
      it(message, async () => {
        const refused = await refusal(args);
        expect(refused.message).to.equal(message);
        expect(refused.graph.ofType(T.function)).to.have.length(0);
        expect(refused.graph.ofType(T.policy)).to.have.length(0);
        expect(refused.graph.ofType(T.attachment)).to.have.length(0);
      });
    }
  });

  it("accepts every character IAM allows in a role name", async () => {
    const ok = await runOnStage({ invalidatorRoleNames: ["a_B+=,.@-9", "r".repeat(64)] });
    expect(ok.graph.ofType(T.attachment).map((a) => a.inputs.role)).to.deep.equal(["a_B+=,.@-9", "r".repeat(64)]);
  });
});

describe("ApiCache tags and transform", () => {
  const TAGS = { team: "catalog", costCenter: "1234" };

  it("tags the policy and, through the nested flush HandlerFunction, its role, function and log group", async () => {
    const run = await runOnStage({ tags: TAGS, invalidatorRoleNames: ["ops"] });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.map((r) => r.type).sort()).to.deep.equal([T.policy, T.function, "aws:iam/role:Role", "aws:cloudwatch/logGroup:LogGroup"].sort());
    // The REST API and stage are the caller's: the component's tags stay off them.
    expect(only(run, T.stage).inputs).not.to.have.property("tags");
  });

  it("merges transform objects over the children's args, keeping the rest", async () => {
    const run = await runOnStage({
      invalidatorRoleNames: ["ops"],
      transform: {
        policy: { name: "catalog-invalidate-cache", path: "/api/" },
        policyAttachment: { role: "ops-renamed" },
      },
    });
    const policy = only(run, T.policy);
    expect(policy.inputs).to.deep.include({ name: "catalog-invalidate-cache", path: "/api/" });
    expect(JSON.parse(policy.inputs.policy).Statement[0].Action).to.deep.equal(["execute-api:InvalidateCache"]);
    expect(only(run, T.attachment).inputs).to.deep.equal({ role: "ops-renamed", policyArn: policy.state.arn });
  });

  it("lets a transform function change each child's args and options, told the child's name", async () => {
    const names: string[] = [];
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const restApi = new aws.apigateway.RestApi("api", { name: "api" });
        const deployment = new aws.apigateway.Deployment("api-deployment", { restApi: restApi.id });
        const stage = new aws.apigateway.Stage("api-stage", { restApi: restApi.id, deployment: deployment.id, stageName: "dev" });
        const marker = new aws.sns.Topic("marker");
        new ApiCache("cache", {
          restApi,
          stage,
          invalidatorRoleNames: ["ops", "support"],
          transform: {
            policy: (args, opts, name) => {
              names.push(name);
              args.description = "changed";
              // The mocks record no resource options but dependsOn (as dependencies): it shows the options reach the child.
              opts.dependsOn = [marker];
            },
            policyAttachment: (args, _opts, name) => {
              names.push(name);
              if (name.endsWith("-support")) args.role = "support-team";
            },
          },
        });
        return {};
      },
    });
    expect(names).to.deep.equal(["cache-invalidate-cache", "cache-invalidator-ops", "cache-invalidator-support"]);
    const policy = only(run, T.policy);
    expect(policy.inputs.description).to.equal("changed");
    expect(policy.dependencies).to.include(only(run, "aws:sns/topic:Topic").urn);
    expect(run.graph.ofType(T.attachment).map((a) => a.inputs.role).sort()).to.deep.equal(["ops", "support-team"]);
  });

  it("passes transform.flushFunction on to the flush function's children", async () => {
    const run = await runOnStage({
      transform: {
        flushFunction: {
          function: { reservedConcurrentExecutions: 1 },
          role: (args) => {
            args.maxSessionDuration = 7200;
          },
        },
      },
    });
    const fn = only(run, T.function);
    expect(fn.inputs).to.deep.include({ reservedConcurrentExecutions: 1, memorySize: 128, timeout: 10 });
    expect(fn.parent).to.equal(only(run, T.handler).urn);
    expect(only(run, "aws:iam/role:Role").inputs.maxSessionDuration).to.equal(7200);
  });
});
