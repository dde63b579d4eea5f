import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { runProgram } from "../../../local/controlPlane";
import { moduleArchive } from "../../../local/lambda/codeArchive";
import { FunctionSpec, InvokeResult, LambdaRuntime, LambdaRuntimeOptions } from "../../../local/lambda/lambdaRuntime";
import { programFunctions } from "../../../local/lambda/programFunctions";
import { createWorkDir } from "../../../local/lambda/taskRoots";
import type { TransformEvent } from "../../../functions/transform";
import { DynamoEmulator, startDynamoEmulator } from "../../functions/dynamoEmulator";
import { proxyEvent } from "../../functions/proxyEvent";
import { waitFor } from "../../waitFor";

const PROJECT_ROOT = path.resolve(__dirname, "../../..");
// Files the handlers under test write (heartbeats, marks); each runtime has a work dir of its own.
const SCRATCH_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-lambda-spec-"));
const BASE_ENVIRONMENT = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const arnOf = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const sleepCode = (ms: number) => `new Promise((resolve) => setTimeout(resolve, ${ms}))`;
/** A handler that throws in a timer or leaves a rejection unhandled when asked, then answers. */
const CRASHING_LATER = `exports.handler = async (e) => {
  if (e.throwLater) setTimeout(() => { throw new RangeError("thrown in a timer"); }, 0);
  if (e.rejectLater) Promise.reject(new Error("nobody listens"));
  await ${sleepCode(100)};
  return "survived";
}`;

type Ok = Extract<InvokeResult, { kind: "ok" }>;
type Failed = Extract<InvokeResult, { kind: "error" }>;

function ok(result: InvokeResult): Ok {
  if (result.kind !== "ok") throw new Error(`expected an ok result, got ${JSON.stringify(result)}`);
  return result;
}

function failed(result: InvokeResult): Failed {
  if (result.kind !== "error") throw new Error(`expected an error result, got ${JSON.stringify(result)}`);
  return result;
}

describe("Lambda runtime (worker threads)", () => {
  const runtimes: LambdaRuntime[] = [];
  let logged: Array<{ fn: string; line: string }> = [];
  let counter = 0;

  /** A runtime stopped after the test; its log lines are collected in `logged`. */
  function newRuntime(options: Partial<LambdaRuntimeOptions> = {}): LambdaRuntime {
    const runtime = new LambdaRuntime({ workDir: createWorkDir(), baseEnvironment: BASE_ENVIRONMENT, log: (fn, line) => logged.push({ fn, line }), ...options });
    runtimes.push(runtime);
    return runtime;
  }

  /** Deploys a handler module under a fresh name and returns the name. */
  async function deploy(runtime: LambdaRuntime, code: string, spec: Partial<FunctionSpec> = {}): Promise<string> {
    counter += 1;
    const name = spec.name ?? `fn-${counter}`;
    await runtime.deploy({ name, arn: arnOf(name), files: moduleArchive(code), environment: {}, timeoutSeconds: 3, ...spec });
    return name;
  }

  const linesOf = (fn: string) => logged.filter((entry) => entry.fn === fn).map((entry) => entry.line);

  beforeEach(() => {
    logged = [];
  });

  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.stop()));
  });

  after(() => {
    fs.rmSync(SCRATCH_DIR, { recursive: true, force: true });
  });

  describe("results", () => {
    it("answers an async handler's value, as a cold start, run from its archive unpacked under workDir", async () => {
      const workDir = createWorkDir();
      const runtime = newRuntime({ workDir });
      const name = await deploy(runtime, "exports.handler = async (e) => ({ echo: e, env: process.env.FOO, root: process.env.LAMBDA_TASK_ROOT })", { environment: { FOO: "bar" } });
      const result = ok(await runtime.invoke(name, { hello: "world", n: [1, 2] }));
      const { root, ...rest } = result.value as { root: string };
      expect(rest).to.deep.equal({ echo: { hello: "world", n: [1, 2] }, env: "bar" });
      expect(result.coldStart).to.equal(true);
      expect(result.durationMs).to.be.a("number").and.to.be.greaterThan(0);
      expect(path.dirname(root)).to.equal(workDir);
      expect(fs.readFileSync(path.join(root, "__index.js"), "utf8")).to.contain("process.env.FOO");
      await runtime.stop();
      expect(fs.existsSync(workDir), "the work dir after stop()").to.equal(false);
    });

    it("passes values through JSON as Lambda does (undefined is null, dates are strings)", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, `exports.handler = async (e) => e.none ? undefined : ({ keep: 1, drop: undefined, when: new Date(0), nan: NaN })`);
      expect(ok(await runtime.invoke(name, {})).value).to.deep.equal({ keep: 1, when: "1970-01-01T00:00:00.000Z", nan: null });
      expect(ok(await runtime.invoke(name, { none: true })).value).to.equal(null);
    });

    it("answers a value that JSON cannot hold with each RIC's stringify error (nodejs24.x: Runtime.JSONStringifyError, nodejs22.x: Error)", async () => {
      const runtime = newRuntime();
      const code = "exports.handler = async () => { const a = {}; a.self = a; return a; }";
      const on24 = failed(await runtime.invoke(await deploy(runtime, code), {}));
      const on22 = failed(await runtime.invoke(await deploy(runtime, code, { runtime: "nodejs22.x" }), {}));
      expect([on24.errorType, on24.errorMessage]).to.deep.equal(["Runtime.JSONStringifyError", "Unable to stringify response body"]);
      expect([on22.errorType, on22.errorMessage]).to.deep.equal(["Error", "Unable to stringify response body"]);
    });

    it("gives the handler Lambda's context", async () => {
      const runtime = newRuntime();
      const name = await deploy(
        runtime,
        "exports.handler = async (e, c) => ({ ...c, remaining: c.getRemainingTimeInMillis(), getter: typeof c.getRemainingTimeInMillis })",
        { timeoutSeconds: 2, memorySize: 256 },
      );
      const before = Date.now();
      const context = ok(await runtime.invoke(arnOf(name), {})).value as Record<string, unknown>;
      const waited = Date.now() - before;
      expect(context.awsRequestId).to.match(UUID);
      expect(context).to.deep.include({
        functionName: name,
        functionVersion: "$LATEST",
        invokedFunctionArn: arnOf(name),
        memoryLimitInMB: "256",
        logGroupName: `/aws/lambda/${name}`,
        getter: "function",
      });
      // RIC 4 (nodejs24.x) has no callback-era members.
      for (const legacy of ["callbackWaitsForEmptyEventLoop", "succeed", "fail", "done"]) expect(context).to.not.have.property(legacy);
      expect(context.logStreamName).to.match(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      // The clock starts at the function's 2 s timeout and counts down: it read at most the
      // whole invoke call less (the deadline is set after the call began), a few ms for the
      // epoch conversion and rounding.
      expect(context.remaining).to.be.within(2000 - waited - 5, 2000);
      const again = ok(await runtime.invoke(name, {})).value as Record<string, unknown>;
      expect(again.awsRequestId).to.match(UUID).and.not.equal(context.awsRequestId);
      expect(again.logStreamName).to.equal(context.logStreamName);
    });

    it("finds a function by name, ARN and $LATEST-qualified ARN; an unknown one is ResourceNotFoundException", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, "exports.handler = async () => 'found'");
      for (const id of [name, arnOf(name), `${arnOf(name)}:$LATEST`]) expect(ok(await runtime.invoke(id, {})).value).to.equal("found");
      const missing = failed(await runtime.invoke(arnOf("nope"), {}));
      expect(missing).to.deep.include({ errorType: "ResourceNotFoundException", errorMessage: `Function not found: ${arnOf("nope")}` });
    });
  });

  describe("remove (DeleteFunction)", () => {
    it("makes a function ResourceNotFoundException at once, while an invocation already running finishes", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, `exports.handler = async (e) => { if (e.wait) await ${sleepCode(300)}; return "ran"; }`);
      expect(ok(await runtime.invoke(name, {})).value).to.equal("ran");
      const running = runtime.invoke(name, { wait: true });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(runtime.remove(name)).to.equal(true);
      expect(failed(await runtime.invoke(name, {}))).to.deep.include({ errorType: "ResourceNotFoundException", errorMessage: `Function not found: function ${name}` });
      expect(ok(await running).value).to.equal("ran");
      expect(runtime.remove(name), "already gone").to.equal(false);
    });
  });

  describe("payload limits (Invoke: request < 6,291,456 bytes, response <= 6,291,556 bytes, both as JSON text)", () => {
    // The event `{"s":"..."}` is 8 bytes around the string; a string result is 2 (its quotes).
    const eventOfBytes = (bytes: number) => ({ s: "x".repeat(bytes - 8) });

    it("refuses an event of 6,291,456 bytes as the Invoke API does, before any environment sees it; one byte less runs", async function () {
      this.timeout(30_000);
      const runtime = newRuntime();
      const name = await deploy(runtime, "exports.handler = async (e) => e.s.length", { memorySize: 512 });
      expect(JSON.stringify(eventOfBytes(6_291_456))).to.have.length(6_291_456);
      const refused = await runtime.invoke(name, eventOfBytes(6_291_456));
      expect(refused).to.deep.include({
        kind: "rejected",
        statusCode: 413,
        errorType: "RequestEntityTooLargeException",
        errorMessage: "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
      });
      expect(runtime.stats(name)).to.deep.include({ invocations: 0, coldStarts: 0 });
      expect(ok(await runtime.invoke(name, eventOfBytes(6_291_455))).value).to.equal(6_291_455 - 8);
    });

    it("answers a result over 6,291,556 bytes with Function.ResponseSizeTooLarge and keeps the environment; one of exactly 6,291,556 passes", async function () {
      this.timeout(30_000);
      const runtime = newRuntime();
      const name = await deploy(runtime, "exports.handler = async (e) => 'x'.repeat(e.n)", { memorySize: 512 });
      const tooLarge = failed(await runtime.invoke(name, { n: 6_291_556 - 2 + 1 }));
      expect(tooLarge).to.deep.include({ errorType: "Function.ResponseSizeTooLarge", errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes)." });
      const atLimit = ok(await runtime.invoke(name, { n: 6_291_556 - 2 }));
      expect([(atLimit.value as string).length, atLimit.coldStart]).to.deep.equal([6_291_554, false]);
      expect(runtime.stats(name)).to.deep.include({ invocations: 2, errors: 1, coldStarts: 1 });
    });
  });

  describe("environment", () => {
    it("keeps each function's variables to itself, and the test process's out", async () => {
      process.env.LAMBDA_RUNTIME_SPEC_LEAK = "from the test process";
      try {
        const runtime = newRuntime();
        const code = "exports.handler = async () => ({ foo: process.env.FOO, leak: process.env.LAMBDA_RUNTIME_SPEC_LEAK ?? null })";
        const one = await deploy(runtime, code, { environment: { FOO: "one" } });
        const two = await deploy(runtime, code, { environment: { FOO: "two" } });
        const [a, b] = await Promise.all([runtime.invoke(one, {}), runtime.invoke(two, {})]);
        expect(ok(a).value).to.deep.equal({ foo: "one", leak: null });
        expect(ok(b).value).to.deep.equal({ foo: "two", leak: null });
        expect(process.env.FOO).to.equal(undefined);
      } finally {
        delete process.env.LAMBDA_RUNTIME_SPEC_LEAK;
      }
    });

    it("merges the base environment under Lambda's variables and the function's own", async () => {
      const runtime = newRuntime({
        baseEnvironment: { AWS_REGION: "eu-west-3", AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4567", SHARED: "base", OVERRIDDEN: "base", AWS_LAMBDA_FUNCTION_NAME: "not this" },
      });
      const keys = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_DYNAMODB", "SHARED", "OVERRIDDEN", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_EXECUTION_ENV", "_HANDLER"];
      const name = await deploy(runtime, `exports.handler = async () => Object.fromEntries(${JSON.stringify(keys)}.map((k) => [k, process.env[k] ?? null]))`, {
        environment: { OVERRIDDEN: "function" },
        memorySize: 512,
      });
      expect(ok(await runtime.invoke(name, {})).value).to.deep.equal({
        AWS_REGION: "eu-west-3",
        AWS_DEFAULT_REGION: "eu-west-3",
        AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4567",
        SHARED: "base",
        OVERRIDDEN: "function",
        AWS_LAMBDA_FUNCTION_NAME: name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
        _HANDLER: "__index.handler",
      });
    });

    it("sets Lambda's defined variables for the function's runtime and handler (as recorded from nodejs24.x / nodejs22.x)", async () => {
      const runtime = newRuntime();
      const keys = ["AWS_EXECUTION_ENV", "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "NODE_PATH", "TZ", "LANG", "AWS_XRAY_CONTEXT_MISSING", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME"];
      const code = `exports.main = async () => ({ env: Object.fromEntries(${JSON.stringify(keys)}.map((k) => [k, process.env[k] ?? null])), node: process.version })`;
      for (const [lambdaRuntime, major] of [["nodejs24.x", 24], ["nodejs22.x", 22]] as const) {
        const name = await deploy(runtime, code, { runtime: lambdaRuntime, handler: "app.main", files: moduleArchive(code, "app.js") });
        const { env, node } = ok(await runtime.invoke(name, {})).value as { env: Record<string, string>; node: string };
        const taskRoot = env.LAMBDA_TASK_ROOT;
        expect(node, lambdaRuntime).to.match(new RegExp(`^v${major}\\.`));
        expect(fs.readFileSync(path.join(taskRoot, "app.js"), "utf8")).to.equal(code);
        expect(env).to.deep.equal({
          AWS_EXECUTION_ENV: `AWS_Lambda_${lambdaRuntime}`,
          _HANDLER: "app.main",
          LAMBDA_TASK_ROOT: taskRoot,
          LAMBDA_RUNTIME_DIR: env.LAMBDA_RUNTIME_DIR,
          // As Lambda's: the runtime's packages, the runtime folder, the task root.
          NODE_PATH: [path.join(env.LAMBDA_RUNTIME_DIR, "node_modules"), env.LAMBDA_RUNTIME_DIR, taskRoot].join(path.delimiter),
          TZ: ":UTC",
          LANG: "en_US.UTF-8",
          AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
          AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
          AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
        });
      }
    });

    it("sets _X_AMZN_TRACE_ID for each invocation: the caller's trace header, or a new one (both RICs)", async () => {
      const runtime = newRuntime();
      const code = "exports.handler = async () => process.env._X_AMZN_TRACE_ID";
      for (const lambdaRuntime of ["nodejs24.x", "nodejs22.x"]) {
        const name = await deploy(runtime, code, { runtime: lambdaRuntime });
        const passed = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1";
        expect(ok(await runtime.invoke(name, {}, { traceId: passed })).value, lambdaRuntime).to.equal(passed);
        const [first, second] = [ok(await runtime.invoke(name, {})).value, ok(await runtime.invoke(name, {})).value] as string[];
        expect(first, lambdaRuntime).to.match(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
        expect(second).to.not.equal(first);
      }
    });

    it("runs functions in UTC, as Lambda does, in a worker thread (the process's timezone) and in a process (TZ=:UTC)", async () => {
      const saved = process.env.TZ;
      process.env.TZ = "America/New_York";
      try {
        const code = "exports.handler = async () => [new Date(0).getHours(), Intl.DateTimeFormat().resolvedOptions().timeZone]";
        const threads = newRuntime();
        const processes = newRuntime({ hostMajorIn: "processes" });
        expect(ok(await threads.invoke(await deploy(threads, code), {})).value).to.deep.equal([0, "UTC"]);
        expect(ok(await processes.invoke(await deploy(processes, code), {})).value).to.deep.equal([0, "UTC"]);
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });

    it("runs the host's major in child processes too when asked (hostMajorIn: processes): own pid, working directory the task root", async () => {
      const runtime = newRuntime({ hostMajorIn: "processes" });
      const name = await deploy(runtime, "exports.handler = async () => ({ pid: process.pid, cwd: process.cwd(), root: process.env.LAMBDA_TASK_ROOT, node: process.version })");
      const answer = ok(await runtime.invoke(name, {})).value as { pid: number; cwd: string; root: string; node: string };
      expect(answer.pid).to.not.equal(process.pid);
      expect(answer.cwd).to.equal(answer.root);
      expect(answer.node).to.equal(process.version);
    });

    it("refuses Lambda's reserved variables in a function's configuration, as CreateFunction does", async () => {
      const runtime = newRuntime();
      let error: Error | undefined;
      await deploy(runtime, "exports.handler = async () => 1", { environment: { AWS_REGION: "us-west-2", OK: "1" } }).catch((e: Error) => (error = e));
      expect(error?.message).to.match(/reserved keys .*Reserved keys used in this request: AWS_REGION$/);
    });

    it("refuses a name that is not a Lambda function name", async () => {
      const runtime = newRuntime();
      let error: Error | undefined;
      await deploy(runtime, "exports.handler = async () => 1", { name: "../escape" }).catch((e: Error) => (error = e));
      expect(error?.message).to.match(/^name must match/);
      expect(fs.existsSync(path.join(os.tmpdir(), "escape"))).to.equal(false);
    });
  });

  describe("callback handlers", () => {
    it("are refused on nodejs24.x at INIT with Runtime.CallbackHandlerDeprecated, whatever the handler (RIC 4 counts parameters)", async () => {
      const runtime = newRuntime();
      for (const code of ["exports.handler = (e, c, callback) => callback(null, 1)", "exports.handler = async (e, c, callback) => 1"]) {
        const name = await deploy(runtime, code);
        const error = failed(await runtime.invoke(name, {}));
        expect(error.errorType).to.equal("Runtime.CallbackHandlerDeprecated");
        expect(error.errorMessage).to.equal(
          "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.",
        );
        expect(runtime.stats(name)).to.deep.include({ warm: 0 });
      }
      // Two parameters, not async: a plain value is the result.
      expect(ok(await runtime.invoke(await deploy(runtime, "exports.handler = (e, c) => ({ sync: true })"), {})).value).to.deep.equal({ sync: true });
    });
  });

  // RIC 3, as Lambda runs nodejs22.x (Node 22 in a child process here).
  describe("callback handlers on nodejs22.x", () => {
    const deploy22 = (runtime: LambdaRuntime, code: string, spec: Partial<FunctionSpec> = {}) => deploy(runtime, code, { runtime: "nodejs22.x", ...spec });

    it("answers what the callback is given", async () => {
      const runtime = newRuntime();
      const name = await deploy22(runtime, "exports.handler = (e, c, callback) => { setTimeout(() => callback(null, { twice: e.n * 2 }), 20); }");
      expect(ok(await runtime.invoke(name, { n: 21 })).value).to.deep.equal({ twice: 42 });
    });

    it("waits for an empty event loop after the callback, unless callbackWaitsForEmptyEventLoop is false", async () => {
      const runtime = newRuntime();
      const code = "exports.handler = (e, c, callback) => { c.callbackWaitsForEmptyEventLoop = e.wait; setTimeout(() => {}, e.ms); callback(null, 'done'); }";
      const name = await deploy22(runtime, code, { timeoutSeconds: 30 });
      await runtime.invoke(name, { wait: false, ms: 400 }); // cold start out of the way
      const waiting = ok(await runtime.invoke(name, { wait: true, ms: 400 }));
      // A pending timer far longer than any stall: answering well before it proves no wait.
      const notWaiting = ok(await runtime.invoke(name, { wait: false, ms: 10_000 }));
      expect([waiting.value, notWaiting.value]).to.deep.equal(["done", "done"]);
      expect(waiting.durationMs).to.be.at.least(390);
      expect(notWaiting.durationMs).to.be.below(5000);
    });

    it("answers succeed / fail / done of the legacy context, first call wins", async () => {
      const runtime = newRuntime();
      const name = await deploy22(runtime, "exports.handler = (e, c) => { if (e.fail) c.fail(new Error('failed')); else c.succeed('succeeded'); c.succeed('ignored'); }");
      expect(ok(await runtime.invoke(name, {})).value).to.equal("succeeded");
      expect(failed(await runtime.invoke(name, { fail: true })).errorMessage).to.equal("failed");
    });

    it("answers null when a plain handler returns without calling back, Runtime.NodeJsExit when an async one never settles", async () => {
      const runtime = newRuntime();
      const plain = await deploy22(runtime, "exports.handler = (e, c, callback) => { setTimeout(() => {}, 50); }");
      const never = await deploy22(runtime, "exports.handler = async () => new Promise(() => {})");
      expect(ok(await runtime.invoke(plain, {})).value).to.equal(null);
      expect(failed(await runtime.invoke(never, {})).errorType).to.equal("Runtime.NodeJsExit");
    });

    it("reports callback errors and a failed null like thrown errors", async () => {
      const runtime = newRuntime();
      const calling = await deploy22(runtime, "exports.handler = (e, c, callback) => callback(new RangeError('called back'))");
      const failingNull = await deploy22(runtime, "exports.handler = async (e) => { throw null; }");
      expect(failed(await runtime.invoke(calling, {}))).to.deep.include({ errorType: "RangeError", errorMessage: "called back" });
      expect(failed(await runtime.invoke(failingNull, {}))).to.deep.include({ errorType: "string", errorMessage: "handled" });
    });

    it("fails the invocation with the error itself on an uncaught exception or unhandled rejection (exit 129 / 128), and replaces the environment", async () => {
      const runtime = newRuntime();
      const name = await deploy22(runtime, CRASHING_LATER);
      expect(failed(await runtime.invoke(name, { throwLater: true }))).to.deep.include({ errorType: "RangeError", errorMessage: "thrown in a timer" });
      expect(ok(await runtime.invoke(name, {})).coldStart).to.equal(true);
      expect(failed(await runtime.invoke(name, { rejectLater: true }))).to.deep.include({ errorType: "Runtime.UnhandledPromiseRejection", errorMessage: "Error: nobody listens" });
      expect(ok(await runtime.invoke(name, {})).coldStart).to.equal(true);
      // The third invocation ran warm in the environment the second one started.
      expect(runtime.stats(name).coldStarts).to.equal(3);
    });
  });

  describe("errors", () => {
    it("reports a thrown error's name, message and stack lines, and keeps the environment", async () => {
      const runtime = newRuntime();
      const name = await deploy(
        runtime,
        `let calls = 0;
        class ValidationError extends Error { constructor(m) { super(m); this.name = "ValidationError"; } }
        exports.handler = async (e) => { calls += 1; if (e.fail) throw new ValidationError("bad input " + calls); return calls; };`,
      );
      const error = failed(await runtime.invoke(name, { fail: true }));
      expect(error.errorType).to.equal("ValidationError");
      expect(error.errorMessage).to.equal("bad input 1");
      expect(error.trace[0]).to.equal("ValidationError: bad input 1");
      expect(error.trace.some((line) => line.includes(path.join(`${name}-1`, "__index.js")))).to.equal(true);
      const next = ok(await runtime.invoke(name, {}));
      expect([next.value, next.coldStart]).to.deep.equal([2, false]);
      expect(runtime.stats(name)).to.deep.include({ invocations: 2, errors: 1, coldStarts: 1 });
      // The runtime logs it as the RIC does.
      expect(linesOf(name).some((line) => line.startsWith("Invoke Error \t{") && line.includes('"errorType":"ValidationError"'))).to.equal(true);
    });

    it("reports rejections like thrown errors", async () => {
      const runtime = newRuntime();
      const rejecting = await deploy(runtime, "exports.handler = () => Promise.reject(new TypeError('rejected'))");
      expect(failed(await runtime.invoke(rejecting, {}))).to.deep.include({ errorType: "TypeError", errorMessage: "rejected" });
    });

    it("reports a thrown non-Error as the Node.js runtime does: its typeof and String()", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, "exports.handler = async (e) => { throw e.value; }");
      expect(failed(await runtime.invoke(name, { value: "oops" }))).to.deep.include({ errorType: "string", errorMessage: "oops", trace: [] });
      expect(failed(await runtime.invoke(name, { value: { code: 42 } }))).to.deep.include({ errorType: "object", errorMessage: "[object Object]" });
      // RIC 4's formatError: String() of the value (RIC 3 answered "handled", see nodejs22.x above).
      expect(failed(await runtime.invoke(name, { value: null }))).to.deep.include({ errorType: "object", errorMessage: "null", trace: [] });
    });
  });

  describe("INIT failures", () => {
    it("reports a module that cannot load as Runtime.ImportModuleError and discards the environment", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, "const missing = require('no-such-package-for-the-lambda-runtime-spec');\nexports.handler = async () => 1;");
      for (let i = 0; i < 2; i++) {
        const error = failed(await runtime.invoke(name, {}));
        expect(error.errorType).to.equal("Runtime.ImportModuleError");
        expect(error.errorMessage).to.match(/^Error: Cannot find module 'no-such-package-for-the-lambda-runtime-spec'/);
      }
      expect(runtime.stats(name)).to.deep.include({ coldStarts: 2, errors: 2, warm: 0, running: 0 });
    });

    it("reports a syntax error, a missing handler and a throwing module as the Node.js runtime does", async () => {
      const runtime = newRuntime();
      const syntax = await deploy(runtime, "exports.handler = async () => {");
      const noHandler = await deploy(runtime, "exports.main = async () => 1;");
      const throwing = await deploy(runtime, "throw new Error('USERS_TABLE environment variable is required');");
      const syntaxError = failed(await runtime.invoke(syntax, {}));
      expect(syntaxError.errorType).to.equal("Runtime.UserCodeSyntaxError");
      expect(syntaxError.errorMessage).to.match(/^SyntaxError: /);
      expect(failed(await runtime.invoke(noHandler, {}))).to.deep.include({ errorType: "Runtime.HandlerNotFound", errorMessage: "__index.handler is undefined or not exported" });
      expect(failed(await runtime.invoke(throwing, {}))).to.deep.include({ errorType: "Error", errorMessage: "USERS_TABLE environment variable is required" });
    });
  });

  describe("timeouts and crashes", () => {
    it("ends a busy loop at the function's timeout by ending its thread; the next invocation starts cold", async () => {
      const runtime = newRuntime();
      // The loop leaves a heartbeat in a file, to see from here whether it still runs.
      const name = await deploy(
        runtime,
        `const fs = require("node:fs");
        exports.handler = async (e) => {
          let beats = 0, last = 0;
          if (e.heartbeat) while (true) if (Date.now() - last >= 10) {
            last = Date.now();
            fs.writeFileSync(e.heartbeat + ".tmp", String(++beats));
            fs.renameSync(e.heartbeat + ".tmp", e.heartbeat);
          }
          return "alive";
        }`,
        { timeoutSeconds: 0.2 },
      );
      const heartbeat = path.join(SCRATCH_DIR, `${name}.heartbeat`);
      // Warm first, so that the timed call measures the run and not a cold start.
      expect(ok(await runtime.invoke(name, {})).value).to.equal("alive");
      const started = performance.now();
      const result = await runtime.invoke(name, { heartbeat });
      const elapsed = performance.now() - started;
      // Lambda's answer for a function past its own timeout: an error, not a missing answer.
      expect(result).to.deep.include({ kind: "error", errorType: "Sandbox.Timedout", trace: [], timedOut: true });
      expect((result as { errorMessage: string }).errorMessage).to.match(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 0\.20 seconds$/);
      expect(result.durationMs).to.be.at.least(200);
      // Answered at 0.2 s, not at the 3 s default or any later point.
      expect(elapsed).to.be.below(2500);
      // The thread was told to end before the answer was given: from then on the heartbeat,
      // written every 10 ms while the loop runs, moves at most once more (a write under way).
      const beatsNow = () => Number(fs.readFileSync(heartbeat, "utf8"));
      const beats = beatsNow();
      expect(beats).to.be.greaterThan(5);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(beatsNow()).to.be.within(beats, beats + 1);
      const next = ok(await runtime.invoke(name, {}));
      expect([next.value, next.coldStart]).to.deep.equal(["alive", true]);
      expect(runtime.stats(name)).to.deep.include({ invocations: 3, timeouts: 1, coldStarts: 2, warm: 1, running: 0 });
    });

    it("answers the caller at its timeoutMs when it is shorter than the function's, and lets the function run on to its end", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, `exports.handler = async (e) => { if (e.slow) await ${sleepCode(2000)}; return 'late'; }`, { timeoutSeconds: 10 });
      // Warm first: the caller's timeoutMs covers INIT too, and a slow cold start is not the point here.
      ok(await runtime.invoke(name, {}));
      const started = performance.now();
      const result = await runtime.invoke(name, { slow: true }, { timeoutMs: 150 });
      expect(result.kind).to.equal("timeout");
      expect(result.durationMs).to.be.at.least(150);
      // As on AWS: API Gateway stopped waiting, the function did not; it keeps its slot. (The
      // caller was answered while the function still ran, not when it ended.)
      expect(runtime.stats(name)).to.deep.include({ running: 1, warm: 0 });
      // It runs on to its end (2 s in) and stays warm: not ended at the caller's timeout.
      await waitFor(() => runtime.stats(name).running === 0, "the function to end", 10_000);
      const freed = performance.now();
      // (A timer may fire a millisecond early.)
      expect(freed - started).to.be.at.least(1990);
      expect(runtime.stats(name)).to.deep.include({ running: 0, warm: 1, coldStarts: 1, timeouts: 1 });
      const next = ok(await runtime.invoke(name, {}));
      expect([next.value, next.coldStart]).to.deep.equal(["late", false]);
    });

    it("ends a function the caller stopped waiting for when it reaches its own timeout", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, `exports.handler = async (e) => { if (e.slow) await ${sleepCode(5000)}; return 'never'; }`, { timeoutSeconds: 0.4 });
      // Warm first: the caller's timeoutMs covers INIT too, and a slow cold start is not the point here.
      ok(await runtime.invoke(name, {}));
      const started = performance.now();
      const result = await runtime.invoke(name, { slow: true }, { timeoutMs: 100 });
      expect(result.kind).to.equal("timeout");
      expect(runtime.stats(name).running).to.equal(1);
      // Its slot is freed at its own timeout (0.4 s in), not at the caller's, nor at its end (5 s),
      // and the environment is ended rather than kept warm.
      await waitFor(() => runtime.stats(name).running === 0, "the function's own timeout", 5000);
      const freed = performance.now();
      expect(freed - started).to.be.within(400, 5000);
      expect(runtime.stats(name)).to.deep.include({ running: 0, warm: 0, coldStarts: 1 });
    });

    it("reports process.exit as Runtime.ExitError and replaces the environment", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, "exports.handler = async (e) => { if (e.exit) process.exit(3); return 'alive'; }");
      const error = failed(await runtime.invoke(name, { exit: true }));
      expect(error.errorType).to.equal("Runtime.ExitError");
      expect(error.errorMessage).to.match(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
      expect(ok(await runtime.invoke(name, {})).coldStart).to.equal(true);
    });

    it("ends the runtime on an uncaught exception or unhandled rejection as Node does (RIC 4 installs no handlers): Runtime.ExitError, exit status 1", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, CRASHING_LATER);
      for (const event of [{ throwLater: true }, { rejectLater: true }]) {
        const error = failed(await runtime.invoke(name, event));
        expect(error.errorType).to.equal("Runtime.ExitError");
        expect(error.errorMessage).to.match(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 1$/);
        expect(ok(await runtime.invoke(name, {})).coldStart).to.equal(true);
      }
      expect(runtime.stats(name).coldStarts).to.equal(3);
      expect(linesOf(name).some((line) => line.includes("RangeError: thrown in a timer"))).to.equal(true);
    });

    it("lets the runtime exit when an async handler never settles (RIC 4): Runtime.ExitError without a reason", async () => {
      const runtime = newRuntime();
      const never = await deploy(runtime, "exports.handler = async () => new Promise(() => {})");
      const error = failed(await runtime.invoke(never, {}));
      expect(error.errorType).to.equal("Runtime.ExitError");
      expect(error.errorMessage).to.match(/^RequestId: [0-9a-f-]{36} Error: Runtime exited without providing a reason$/);
    });

    it("ends an environment that outgrows its memory size with Runtime.OutOfMemory", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, "exports.handler = async (e) => { const kept = []; if (e.hog) while (true) kept.push(new Array(100000).fill(1.5)); return 'fits'; }", { memorySize: 128 });
      const error = failed(await runtime.invoke(name, { hog: true }));
      expect(error.errorType).to.equal("Runtime.OutOfMemory");
      expect(ok(await runtime.invoke(name, {})).coldStart).to.equal(true);
    });
  });

  describe("concurrency", () => {
    it("runs at most maxConcurrency environments at once and queues the rest FIFO", async () => {
      const runtime = newRuntime({ maxConcurrency: 2 });
      // Each invocation marks its start in a file, then waits (up to 3 s) for its partner of the
      // same round (0 with 1, 2 with 3) to have started too: proof that two run at the same
      // time, whatever the machine's speed. Then 200 ms of work.
      const marks = path.join(SCRATCH_DIR, `concurrency-${process.hrtime.bigint()}`);
      fs.mkdirSync(marks, { recursive: true });
      const name = await deploy(
        runtime,
        `const fs = require("node:fs");
        const path = require("node:path");
        exports.handler = async (e) => {
          fs.writeFileSync(path.join(e.marks, String(e.i)), "");
          const giveUp = Date.now() + 3000;
          while (!fs.existsSync(path.join(e.marks, String(e.i ^ 1)))) {
            if (Date.now() > giveUp) return { i: e.i, alone: true };
            await ${sleepCode(5)};
          }
          await ${sleepCode(200)};
          return e.i;
        }`,
      );
      let maxRunning = 0;
      const poll = setInterval(() => (maxRunning = Math.max(maxRunning, runtime.stats(name).running)), 5);
      const started = performance.now();
      const results = await Promise.all([0, 1, 2, 3].map((i) => runtime.invoke(name, { i, marks })));
      const elapsed = performance.now() - started;
      clearInterval(poll);
      expect(results.map((r) => ok(r).value)).to.deep.equal([0, 1, 2, 3]);
      expect(results.map((r) => ok(r).coldStart)).to.deep.equal([true, true, false, false]);
      expect(maxRunning).to.equal(2);
      // Two rounds of 200 ms: the third and fourth waited for a free environment.
      expect(elapsed).to.be.at.least(400);
      expect(runtime.stats(name)).to.deep.include({ invocations: 4, coldStarts: 2, running: 0, warm: 2 });
    });

    it("throttles at once when the wait queue is full", async () => {
      const runtime = newRuntime({ maxConcurrency: 1, maxQueue: 1 });
      const name = await deploy(runtime, `exports.handler = async () => { await ${sleepCode(200)}; return 'served'; }`);
      const calls = [1, 2, 3].map(() => runtime.invoke(name, {}));
      const settled = [false, false, false];
      calls.forEach((call, i) => void call.then(() => (settled[i] = true)));
      // At once: the throttled answer beats a 50 ms timer armed before it was asked for, while
      // the other two are still running and waiting.
      let timer: NodeJS.Timeout | undefined;
      const first = await Promise.race([calls[2], new Promise<"still waiting">((resolve) => (timer = setTimeout(() => resolve("still waiting"), 50)))]);
      clearTimeout(timer);
      expect(first === "still waiting" ? first : first.kind).to.equal("throttled");
      expect(settled.slice(0, 2)).to.deep.equal([false, false]);
      const results = await Promise.all(calls);
      expect(results.map((r) => r.kind)).to.deep.equal(["ok", "ok", "throttled"]);
      expect(results[1].durationMs).to.be.at.least(400);
      expect(runtime.stats(name)).to.deep.include({ invocations: 2, throttles: 1, coldStarts: 1 });
    });

    it("times out an invocation whose caller stops waiting while it is queued", async () => {
      const runtime = newRuntime({ maxConcurrency: 1 });
      const name = await deploy(runtime, `exports.handler = async () => { await ${sleepCode(1000)}; return 'served'; }`);
      const running = runtime.invoke(name, {});
      let firstDone = false;
      void running.then(() => (firstDone = true));
      const queued = await runtime.invoke(name, {}, { timeoutMs: 100 });
      expect(queued.kind).to.equal("timeout");
      expect(queued.durationMs).to.be.at.least(100);
      // Answered while still queued: the invocation ahead of it had not finished.
      expect(firstDone).to.equal(false);
      expect((await running).kind).to.equal("ok");
      expect(runtime.stats(name)).to.deep.include({ coldStarts: 1, running: 0, timeouts: 1 });
    });

    it("reuses a warm environment: module state survives, coldStart is false", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, "let count = 0;\nexports.handler = async () => ++count;");
      const first = ok(await runtime.invoke(name, {}));
      const second = ok(await runtime.invoke(name, {}));
      expect([first.value, first.coldStart, second.value, second.coldStart]).to.deep.equal([1, true, 2, false]);
      expect(runtime.stats(name)).to.deep.include({ invocations: 2, coldStarts: 1, warm: 1, running: 0 });
    });
  });

  describe("logs", () => {
    it("hands each line written to stdout and stderr to log before the result", async () => {
      const runtime = newRuntime();
      const name = await deploy(
        runtime,
        `exports.handler = async (e) => {
          console.log("hello", 42, { id: e.id });
          process.stdout.write("two\\nlines ");
          process.stdout.write("joined\\n");
          console.error("to stderr");
          return "logged";
        }`,
      );
      await runtime.invoke(name, { id: "a" });
      const result = await runtime.invoke(name, { id: "b" });
      // No wait: the lines are there when the result is.
      expect(ok(result).value).to.equal("logged");
      const lines = linesOf(name);
      const stdout = lines.filter((line) => line !== "to stderr");
      expect(stdout).to.deep.equal(["hello 42 { id: 'a' }", "two", "lines joined", "hello 42 { id: 'b' }", "two", "lines joined"]);
      expect(lines.filter((line) => line === "to stderr")).to.have.length(2);
    });

    it("writes to process.stderr prefixed with the function name by default", async () => {
      const runtime = newRuntime({ log: undefined });
      const name = await deploy(runtime, "exports.handler = async () => { console.log('default sink'); return 1; }");
      const written: string[] = [];
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
      try {
        await runtime.invoke(name, {});
      } finally {
        process.stderr.write = write;
      }
      expect(written).to.include(`[${name}] default sink\n`);
    });
  });

  describe("deploy and stop", () => {
    it("replaces a deployed version: its idle environments end, the next invocation runs the new code cold", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, "exports.handler = async () => 'v1'");
      expect(ok(await runtime.invoke(name, {})).value).to.equal("v1");
      expect(runtime.stats(name).warm).to.equal(1);
      await deploy(runtime, "exports.handler = async () => 'v2'", { name });
      expect(runtime.stats(name).warm).to.equal(0);
      const next = ok(await runtime.invoke(name, {}));
      expect([next.value, next.coldStart]).to.deep.equal(["v2", true]);
    });

    it("resolves running and queued invocations as errors on stop(), and later ones too", async () => {
      const runtime = newRuntime({ maxConcurrency: 1 });
      // Far longer than any stall: stop() must not wait for the function (nor its timeout).
      const name = await deploy(runtime, `exports.handler = async () => { await ${sleepCode(60_000)}; return 'finished'; }`, { timeoutSeconds: 60 });
      const running = runtime.invoke(name, {});
      const queued = runtime.invoke(name, {});
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      await runtime.stop();
      const [a, b] = await Promise.all([running, queued]);
      expect(performance.now() - started).to.be.below(10_000);
      expect(failed(a).errorType).to.equal("Runtime.ExitError");
      expect(failed(b).errorType).to.equal("Runtime.ExitError");
      expect(failed(await runtime.invoke(name, {})).errorType).to.equal("Runtime.ExitError");
      expect(runtime.stats(name)).to.deep.include({ running: 0, warm: 0 });
    });

    // In a child process: whether a process can exit is only seen from outside.
    it("lets the process exit by itself after stop(), even with a worker stuck in a busy loop", async () => {
      const script = `
        const { LambdaRuntime } = require(${JSON.stringify(path.join(PROJECT_ROOT, "local", "lambda", "lambdaRuntime"))});
        (async () => {
          const { moduleArchive } = require(${JSON.stringify(path.join(PROJECT_ROOT, "local", "lambda", "codeArchive"))});
          const { createWorkDir } = require(${JSON.stringify(path.join(PROJECT_ROOT, "local", "lambda", "taskRoots"))});
          const runtime = new LambdaRuntime({ workDir: createWorkDir(), baseEnvironment: {}, log: () => {} });
          await runtime.deploy({ name: "spin", arn: "arn:aws:lambda:us-east-1:123456789012:function:spin", files: moduleArchive("exports.handler = async (e) => { if (e.spin) while (true) {} return 'warm'; }"), environment: {}, timeoutSeconds: 60 });
          await Promise.all([runtime.invoke("spin", {}), runtime.invoke("spin", {})]);
          const stuck = runtime.invoke("spin", { spin: true });
          await new Promise((resolve) => setTimeout(resolve, 100));
          console.log("warm " + runtime.stats("spin").warm + ", running " + runtime.stats("spin").running);
          await runtime.stop();
          console.log((await stuck).kind);
        })();`;
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: PROJECT_ROOT, timeout: 20_000 }, (error, out, err) =>
          error ? reject(new Error(`the child did not exit by itself: ${error.message}\n${err}`)) : resolve(out),
        ),
      );
      expect(stdout.trim().split("\n")).to.deep.equal(["warm 1, running 1", "error"]);
    });
  });

  describe("the dev stack's serialized archives", () => {
    let functions: FunctionSpec[];
    let dynamo: DynamoEmulator | undefined;
    /** The dev stack's function whose logical name starts with `prefix`, as the local cloud deploys it. */
    const archive = (prefix: string): FunctionSpec => {
      const fn = functions.find((f) => f.name.startsWith(prefix));
      if (!fn) throw new Error(`no ${prefix} function in the dev stack (have ${functions.map((f) => f.name).join(", ")})`);
      return fn;
    };

    before(async () => {
      functions = await programFunctions((await runProgram({ stack: "dev" })).graph.resources);
    });

    after(async () => {
      await dynamo?.stop();
    });

    it("runs the transform function's CallbackFunction archive", async () => {
      const fn = archive("transform");
      const runtime = newRuntime();
      await runtime.deploy(fn);
      const event = (body: unknown): TransformEvent => ({
        method: "POST",
        body,
        headers: { "Content-Type": "application/json" },
        query: {},
        pathParameters: {},
        context: { accountId: "123456789012", apiId: "abc123defg", requestId: "req-1", requestTime: "25/Nov/2025:13:36:00 +0000", sourceIp: "203.0.113.10", userAgent: "curl/8.5.0" },
      });
      const result = ok(await runtime.invoke(fn.arn, event({ text: "Hello World", operation: "uppercase" })));
      expect(result.value).to.deep.equal({
        operation: "uppercase",
        input: "Hello World",
        output: "HELLO WORLD",
        length: 11,
        requestedBy: { sourceIp: "203.0.113.10", userAgent: "curl/8.5.0" },
        requestId: "req-1",
      });
      const error = failed(await runtime.invoke(fn.arn, event({ text: "hi", operation: "shout" })));
      expect(error.errorType).to.equal("Error");
      expect(error.errorMessage).to.match(/^\[BadRequest\] Unknown operation "shout"/);
    });

    it("runs the create-user archive: its Cognito wrapper refuses a request without a token", async () => {
      const spec = archive("create-user");
      const runtime = newRuntime();
      await runtime.deploy({ ...spec, environment: { ...spec.environment, USERS_TABLE: "users" } });
      const event = proxyEvent({
        resource: "/users",
        path: "/users",
        httpMethod: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: "ada@example.com", name: "Ada Lovelace", age: 36 }),
      });
      const result = ok(await runtime.invoke(spec.name, event)).value as { statusCode: number; body: string };
      expect(result.statusCode).to.equal(401);
      expect(JSON.parse(result.body)).to.deep.equal({ message: "Unauthorized" });
    });

    it("points the AWS SDK inside a function at DynamoDB (dynalite) through AWS_ENDPOINT_URL_DYNAMODB", async () => {
      dynamo = await startDynamoEmulator();
      const runtime = newRuntime({ baseEnvironment: { ...BASE_ENVIRONMENT, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint } });
      const name = await deploy(
        runtime,
        `const { DynamoDBClient, PutItemCommand, GetItemCommand } = require("@aws-sdk/client-dynamodb");
         const client = new DynamoDBClient({});
         exports.handler = async (e) => {
           await client.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: e.id }, name: { S: e.name } } }));
           const { Item } = await client.send(new GetItemCommand({ TableName: process.env.TABLE, Key: { id: { S: e.id } }, ConsistentRead: true }));
           return Item;
         };`,
        { environment: { TABLE: dynamo.tableName } },
      );
      const item = ok(await runtime.invoke(name, { id: "u1", name: "Ada" })).value;
      expect(item).to.deep.equal({ id: { S: "u1" }, name: { S: "Ada" } });
      const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { id: { S: "u1" } } }));
      expect(Item).to.deep.equal({ id: { S: "u1" }, name: { S: "Ada" } });
    });
  });

  describe("measurement", () => {
    it("prints the mean time of a warm invocation of a trivial handler", async () => {
      const runtime = newRuntime();
      const name = await deploy(runtime, "exports.handler = async (e) => e");
      await runtime.invoke(name, {});
      const count = 200;
      const started = performance.now();
      for (let i = 0; i < count; i++) ok(await runtime.invoke(name, { i }));
      const mean = (performance.now() - started) / count;
      console.log(`      ${count} sequential warm invocations: ${mean.toFixed(3)} ms per invoke`);
      expect(runtime.stats(name)).to.deep.include({ coldStarts: 1, invocations: count + 1 });
    });
  });
});
