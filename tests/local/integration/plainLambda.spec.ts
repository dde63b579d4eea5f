/**
 * Any Lambda, as deployed: the local cloud serving tests/local/fixtures/plainLambdaProgram.ts, a
 * program of plain `@pulumi/aws` resources whose functions are packaged every way Lambda takes
 * them, through the REST gateway over real HTTP.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { startLocal } from "../../../local/startLocal";
import { call, expectGatewayError, stateDirFor } from "./httpClient";
import { useLocalCloud } from "./localCloudFixture";

const PLAIN_LAMBDA_PROGRAM = require.resolve("../fixtures/plainLambdaProgram");
const INTERNAL_ERROR = `{"message": "Internal server error"}`;

describe("local cloud: any aws.lambda.Function, as Lambda runs it (plain @pulumi/aws program)", function () {
  const fixture = useLocalCloud("plain-lambda", { stack: "dev", program: PLAIN_LAMBDA_PROGRAM });
  let base = "";
  /** What the function of a route wrote to its log. */
  const linesOf = (route: string) => fixture.functionLines.filter((line) => line.startsWith(`plain-${route}-`));

  before(() => {
    base = fixture.cloud.endpoints.restApi;
  });

  const json = async (route: string) => {
    const r = await call(`${base}/${route}`);
    expect(r.status, `${route}: ${r.text}`).to.equal(200);
    return JSON.parse(r.text);
  };

  describe("archives and handler settings", () => {
    it("runs a FileArchive of a folder with handler src/app.handler, requiring a sibling from the archive, in its task root", async () => {
      expect(await json("folder")).to.deep.equal({ from: "folder", greeting: "hello from src/greeting.js", handler: "src/app.handler" });
    });

    it("runs an .mjs handler that imports the AWS SDK the runtime provides (NODE_PATH, as Lambda resolves it for ES modules)", async () => {
      expect(await json("esm")).to.deep.equal({ from: "esm", sdk: "function", esm: true });
    });

    it('runs a .js handler as an ES module when its package.json says "type": "module"', async () => {
      expect(await json("type-module")).to.deep.equal({ from: "TYPE-MODULE", sdk: "function", esm: true });
    });

    it("runs a FileArchive of a .zip, handler in a nested folder", async () => {
      expect(await json("zip")).to.deep.equal({ from: "zip", handler: "lib/handlers/zipped.handler" });
    });
  });

  describe("the Node.js major of the runtime", () => {
    it("runs a nodejs22.x function on Node 22 and a nodejs24.x function on Node 24, each with its AWS_EXECUTION_ENV", async () => {
      const on22 = await json("node22");
      const on24 = await json("node24");
      expect(on22.version).to.match(/^v22\.\d+\.\d+$/);
      expect(on24.version).to.match(/^v24\.\d+\.\d+$/);
      expect([on22.executionEnv, on24.executionEnv]).to.deep.equal(["AWS_Lambda_nodejs22.x", "AWS_Lambda_nodejs24.x"]);
      // Node 22 runs in a process of its own, started in the task root as Lambda starts it.
      expect(on22.cwdIsTaskRoot).to.equal(true);
    });
  });

  describe("INIT failures answer 502, as on AWS, and are logged as the runtime logs them", () => {
    it("a package the archive lacks (though the project has it): Runtime.ImportModuleError", async () => {
      expectGatewayError(await call(`${base}/missing-package`), 502, INTERNAL_ERROR);
      const logged = linesOf("missing-package").join("\n");
      expect(logged).to.include('"errorType":"Runtime.ImportModuleError"');
      expect(logged).to.include("Cannot find module 'ws'");
    });

    it("an export the handler file lacks: Runtime.HandlerNotFound", async () => {
      expectGatewayError(await call(`${base}/no-export`), 502, INTERNAL_ERROR);
      expect(linesOf("no-export").join("\n")).to.include('"errorMessage":"index.main is undefined or not exported"');
    });

    it("a handler file the archive lacks: Runtime.ImportModuleError", async () => {
      expectGatewayError(await call(`${base}/no-file`), 502, INTERNAL_ERROR);
      expect(linesOf("no-file").join("\n")).to.match(/"errorType":"Runtime.ImportModuleError".*Cannot find module 'absent'/);
    });

    it("a handler setting without a dot: Runtime.MalformedHandlerName, Bad handler", async () => {
      expectGatewayError(await call(`${base}/bad-handler`), 502, INTERNAL_ERROR);
      expect(linesOf("bad-handler").join("\n")).to.include('"errorType":"Runtime.MalformedHandlerName","errorMessage":"Bad handler"');
    });

    it("keeps serving the other functions, and the cloud itself, after those failures", async () => {
      expect((await json("node24")).version).to.match(/^v24\./);
    });
  });

  describe("Lambda's payload limits", () => {
    it("passes a 5 MB body through to the function", async function () {
      this.timeout(30_000);
      const r = await call(`${base}/size`, { method: "POST", body: "a".repeat(5 * 1024 * 1024) });
      expect({ status: r.status, body: JSON.parse(r.text) }).to.deep.equal({ status: 200, body: { bodyLength: 5 * 1024 * 1024 } });
    });

    it('answers a 7 MB body with 413 {"message": "Request Too Long"} [recorded]: the event is over Invoke\'s 6,291,456 bytes, which Lambda refuses', async function () {
      this.timeout(30_000);
      const before = fixture.cloud.lambda.stats(sizeFunction()).invocations;
      const r = await call(`${base}/size`, { method: "POST", body: "a".repeat(7 * 1024 * 1024) });
      expectGatewayError(r, 413, `{"message": "Request Too Long"}`, "BadRequestException");
      // Refused by the Invoke API: the function never ran.
      expect(fixture.cloud.lambda.stats(sizeFunction()).invocations).to.equal(before);
    });

    it("answers a result over 6,291,556 bytes with 502 (Function.ResponseSizeTooLarge), and one just under it with 200", async function () {
      this.timeout(30_000);
      const errorsBefore = fixture.cloud.lambda.stats(sizeFunction()).errors;
      // The result's JSON also holds `{"statusCode":200,"body":"..."}`: 30 bytes around the body.
      expectGatewayError(await call(`${base}/size?respond=${7 * 1024 * 1024}`, { method: "POST" }), 502, INTERNAL_ERROR);
      expect(fixture.cloud.lambda.stats(sizeFunction()).errors).to.equal(errorsBefore + 1);
      const under = await call(`${base}/size?respond=${6_291_556 - 30}`, { method: "POST" });
      expect({ status: under.status, length: under.text.length }).to.deep.equal({ status: 200, length: 6_291_556 - 30 });
    });

    it("counts both in the stage's metrics: the 413 as a 4XX error, the 502 as a 5XX error (the 200s beside them too)", () => {
      expect(fixture.cloud.gateway!.metrics.snapshot()["POST /size"]).to.deep.include({ Count: 4, "4XXError": 1, "5XXError": 1 });
    });
  });

  function sizeFunction(): string {
    const fn = fixture.cloud.run.graph.ofType("aws:lambda/function:Function").find((f) => f.name === "plain-size");
    return fn!.state.name as string;
  }
});

describe("local cloud: a program with a function it cannot run", function () {
  it("refuses to start, naming the function and why, and leaves nothing behind (no task roots, no outputs.json)", async function () {
    this.timeout(90_000);
    const stateDir = stateDirFor("unrunnable");
    const taskRootsBefore = taskRootFolders();
    const error = await startLocal({ stack: "dev", port: 0, stateDir, program: require.resolve("../fixtures/unrunnableLambdaProgram") }).then(
      (cloud) => cloud.stop().then(() => undefined),
      (e: Error) => e,
    );
    expect(error?.message).to.match(
      /^the local cloud cannot run a function of this program:\n {2}- function from-image-[0-9a-f]+ \(from-image\): packageType Image \(a container image\) cannot run in the local cloud, which runs Node\.js zip functions only$/,
    );
    expect(fs.existsSync(path.join(stateDir, "outputs.json"))).to.equal(false);
    expect(taskRootFolders()).to.deep.equal(taskRootsBefore);
  });
});

/** This process's Lambda work folders under the system's temporary folder. */
function taskRootFolders(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(`apigw-kit-lambda-${process.pid}-`));
}
