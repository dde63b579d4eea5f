import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import * as ws from "ws";
import { HandlerFunction, HandlerFunctionArgs } from "../../components/HandlerFunction";
import { ProgramError, ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { archiveFiles } from "../program/archiveFiles";
import { expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:HandlerFunction",
  function: "aws:lambda/function:Function",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/users";
const handlerFactory = () => async () => ({ statusCode: 200, body: "" });

function only(run: ProgramRun, type: string) {
  const found = run.graph.ofType(type);
  expect(found, type).to.have.length(1);
  return found[0];
}

/** What AWS says of nodejs20.x, as every runtime refusal spells it. */
const NODEJS20_REFUSED =
  'must be one of nodejs24.x, nodejs22.x (got "nodejs20.x", which AWS Lambda deprecated on 2026-04-30: creating functions on it is blocked from 2026-08-31, updating them from 2026-09-30)';

/**
 * Unpacks an archive into a fresh folder outside the project (only what it holds resolves
 * there, and Node's builtins) and loads its module as Lambda does.
 */
async function loadOutsideProject(fn: RecordedResource): Promise<{ files: Map<string, Buffer>; handler: (event: unknown, context: unknown) => Promise<unknown> }> {
  const files = await archiveFiles(fn.inputs.code);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "handler-function-spec-"));
  try {
    for (const [file, content] of files) fs.writeFileSync(path.join(dir, file), content);
    const module = path.join(dir, "__index.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an unpacked archive's module, loaded by its path outside the project as Lambda loads it
    const { handler } = require(module) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
    delete require.cache[module];
    return { files, handler };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The message a HandlerFunction refuses `args` with; fails when it is accepted. */
async function refusal(args: Partial<HandlerFunctionArgs>): Promise<{ message: string; graph: ProgramError["graph"] }> {
  try {
    await runProgram({ stack: "dev", define: () => (new HandlerFunction("fn", { handlerFactory, ...args }), {}) });
  } catch (err) {
    expect(err).to.be.instanceOf(ProgramError);
    return { message: (err as ProgramError).message, graph: (err as ProgramError).graph };
  }
  throw new Error("expected the HandlerFunction to be refused");
}

describe("HandlerFunction (under the mock control plane)", () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram({
      stack: "dev",
      define: () => {
        const fn = new HandlerFunction("users", {
          handlerFactory,
          policyStatements: [{ actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [TABLE_ARN, `${TABLE_ARN}/index/*`] }],
        });
        return { name: fn.function.name };
      },
    });
  });

  it("gives the function its own role that only Lambda may assume", () => {
    const role = only(run, T.role);
    expect(JSON.parse(role.inputs.assumeRolePolicy)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    expect(role.inputs).not.to.have.property("managedPolicyArns");
    expect(only(run, T.function).inputs.role).to.equal(role.state.arn);
  });

  it("grants only the listed actions, and writing to the function's own log group", () => {
    const fn = only(run, T.function);
    const logGroup = only(run, T.logGroup);
    expect(logGroup.inputs.name).to.equal(`/aws/lambda/${fn.state.name}`);
    const policy = only(run, T.rolePolicy);
    expect(policy.inputs.role).to.equal(only(run, T.role).id);
    expect(JSON.parse(policy.inputs.policy)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${logGroup.state.arn}:*`] },
        { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: [TABLE_ARN, `${TABLE_ARN}/index/*`] },
      ],
    });
  });

  it("attaches no managed policy (CallbackFunction's default would attach full-access ones)", () => {
    expect(run.graph.ofType(T.attachment)).to.have.length(0);
    expect(run.graph.ofType(T.rolePolicy)).to.have.length(1);
  });

  it("keeps the function's logs 14 days by default and parents everything to the component", () => {
    expect(only(run, T.logGroup).inputs.retentionInDays).to.equal(14);
    const component = only(run, T.component);
    for (const type of [T.function, T.role, T.rolePolicy, T.logGroup]) {
      expect(only(run, type).parent, type).to.equal(component.urn);
    }
  });

  it("runs on nodejs24.x by default, with CallbackFunction's handler name (__index.handler)", () => {
    expect(only(run, T.function).inputs).to.include({ runtime: "nodejs24.x", handler: "__index.handler" });
  });

  it("takes nodejs22.x when asked", async () => {
    const node22 = await runProgram({ stack: "dev", define: () => (new HandlerFunction("fn", { handlerFactory, runtime: "nodejs22.x" }), {}) });
    expect(only(node22, T.function).inputs.runtime).to.equal("nodejs22.x");
  });

  for (const [runtime, why] of [
    ["nodejs20.x", NODEJS20_REFUSED],
    ["python3.12", 'must be one of nodejs24.x, nodejs22.x (got "python3.12", which is not a Node.js runtime AWS Lambda offers)'],
  ]) {
    it(`refuses the runtime ${runtime} before creating anything, naming the function and the field`, async () => {
      const { message, graph } = await refusal({ runtime: runtime as never });
      expect(message).to.equal(`fn: runtime ${why}`);
      expect(graph.resources.filter((r) => r.custom)).to.deep.equal([]);
    });
  }

  it("ships one minified file, the handler bundled with what it imports, that loads outside the project and answers", async () => {
    const { files, handler } = await loadOutsideProject(only(run, T.function));
    expect([...files.keys()]).to.deep.equal(["__index.js"]);
    const source = files.get("__index.js")!.toString("utf8");
    expect(source.split("\n").length, "minified: a few lines at most").to.be.at.most(3);
    expect(await handler({}, {})).to.deep.equal({ statusCode: 200, body: "" });
  });

  describe("with a listed package (aws-jwt-verify)", () => {
    let bundled: RecordedResource;
    before(async () => {
      const verifying = await runProgram({
        stack: "dev",
        define: () => {
          const fn = new HandlerFunction("verify", {
            handlerFactory: () => {
              const verifier = CognitoJwtVerifier.create({ userPoolId: "us-east-1_AbCdEfGhI", clientId: "client", tokenUse: "id" });
              return async (event: { token: string }) => {
                try {
                  await verifier.verify(event.token);
                  return "valid";
                } catch (err) {
                  // aws-jwt-verify's errors are all named "Error": their class tells them apart.
                  return (err as Error).constructor.name;
                }
              };
            },
            packages: ["aws-jwt-verify"],
          });
          return { name: fn.function.name };
        },
      });
      bundled = only(verifying, T.function);
    });

    it("bundles the package into __index.js (no node_modules), with its licence beside it", async () => {
      const files = await archiveFiles(bundled.inputs.code);
      expect([...files.keys()].sort()).to.deep.equal(["__index.js", "__index.js.LEGAL.txt"]);
      const source = files.get("__index.js")!.toString("utf8");
      expect(source).not.to.match(/require\("aws-jwt-verify/);
      const legal = files.get("__index.js.LEGAL.txt")!.toString("utf8");
      expect(legal).to.contain("aws-jwt-verify@5.2.1 (Apache-2.0)");
      expect(legal).to.contain("Apache License");
    });

    it("loads outside the project, where only the archive resolves, and runs the package (class names kept through minification)", async () => {
      const { handler } = await loadOutsideProject(bundled);
      expect(await handler({ token: "not.a.jwt" }, {})).to.equal("JwtParseError");
    });
  });

  it("refuses, at deploy time, a package the handler imports that is neither listed nor in the Lambda runtime, naming the function and the package", async () => {
    let failure: Error | undefined;
    try {
      await runProgram({
        stack: "dev",
        define: () => {
          const fn = new HandlerFunction("socket", { handlerFactory: () => async () => typeof ws.WebSocket });
          return { name: fn.function.name };
        },
      });
    } catch (err) {
      failure = err as Error;
    }
    // Pulumi reports it against the output that needed the function's inputs; the archive's own words are last.
    const archiveError = /error serializing property "code": (.*)$/s.exec(failure?.message ?? "")?.[1];
    expect(archiveError, failure?.message).to.equal(
      'socket: the handler imports "ws", which is neither in packages nor provided by the Lambda runtime (@aws-sdk/*, Node.js builtins): list it in packages',
    );
  });

  it("refuses a wildcard action before creating anything", async () => {
    const { message, graph } = await refusal({ policyStatements: [{ actions: ["dynamodb:GetItem", "dynamodb:*"], resources: [TABLE_ARN] }] });
    expect(message).to.equal('fn: policyStatements[0].actions: "dynamodb:*" must be one specific action like dynamodb:GetItem (no wildcards)');
    expect(graph.ofType(T.role)).to.have.length(0);
  });

  it('refuses the "*" resource', async () => {
    const { message, graph } = await refusal({
      policyStatements: [
        { actions: ["dynamodb:GetItem"], resources: [TABLE_ARN] },
        { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/*", "*"] },
      ],
    });
    expect(message).to.equal('fn: policyStatements[1].resources: "*" is refused; name the resources');
    expect(graph.ofType(T.role)).to.have.length(0);
  });
});

describe("HandlerFunction tags and transform", () => {
  const TAGS = { team: "payments", costCenter: "1234" };

  it("tags the role, the function and the log group", async () => {
    const run = await runProgram({ stack: "dev", define: () => (new HandlerFunction("fn", { handlerFactory, tags: TAGS }), {}) });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.map((r) => r.type).sort()).to.deep.equal([T.logGroup, T.role, T.function].sort());
  });

  it("merges a transform object over a child's args, keeping the rest", async () => {
    const run = await runProgram({
      stack: "dev",
      define: () => (new HandlerFunction("fn", { handlerFactory, transform: { function: { memorySize: 1024, reservedConcurrentExecutions: 5 } } }), {}),
    });
    expect(only(run, T.function).inputs).to.include({ memorySize: 1024, reservedConcurrentExecutions: 5, runtime: "nodejs24.x", handler: "__index.handler", timeout: 10 });
  });

  it("lets a transform function change each child's args and options, told the child's name", async () => {
    const names: string[] = [];
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const marker = new aws.sns.Topic("marker");
        new HandlerFunction("fn", {
          handlerFactory,
          transform: {
            role: (args, opts, name) => {
              names.push(name);
              args.maxSessionDuration = 7200;
              // The mocks record no resource options but dependsOn (as dependencies): it shows the options reach the child.
              opts.dependsOn = [marker];
            },
            function: (args, _opts, name) => {
              names.push(name);
              args.timeout = 30;
            },
            logGroup: (args, _opts, name) => {
              names.push(name);
              args.retentionInDays = 90;
            },
            rolePolicy: (args, _opts, name) => {
              names.push(name);
              args.name = "fn-inline";
            },
          },
        });
        return {};
      },
    });
    expect(names).to.deep.equal(["fn-role", "fn", "fn-logs", "fn-policy"]);
    const role = only(run, T.role);
    expect(role.inputs.maxSessionDuration).to.equal(7200);
    expect(role.dependencies).to.include(only(run, "aws:sns/topic:Topic").urn);
    expect(only(run, T.function).inputs.timeout).to.equal(30);
    expect(only(run, T.logGroup).inputs).to.include({ retentionInDays: 90, name: `/aws/lambda/${only(run, T.function).state.name}` });
    const policy = only(run, T.rolePolicy);
    expect(policy.inputs.name).to.equal("fn-inline");
    expect(JSON.parse(policy.inputs.policy).Statement).to.have.length(1);
  });
});
