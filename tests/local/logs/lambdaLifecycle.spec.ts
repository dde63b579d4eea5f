/**
 * Lambda's platform lines (START / END / REPORT, INIT_REPORT) in CloudWatch's text layout: the
 * formatting alone, then a real LambdaRuntime writing them around invocations that succeed,
 * start cold, fail, time out or crash, with each output line's request id.
 */
import { expect } from "chai";
import { moduleArchive } from "../../../local/lambda/codeArchive";
import { type FunctionLogOrigin, type FunctionSpec, LambdaRuntime, type LambdaRuntimeOptions } from "../../../local/lambda/lambdaRuntime";
import { endLine, initReportLine, reportLine, startLine, timedOutLine } from "../../../local/lambda/lifecycleLines";
import { createWorkDir } from "../../../local/lambda/taskRoots";
import { waitFor } from "../../waitFor";

const ID = "8fc6f963-411b-58b5-8483-a32130c0f45d";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

describe("Lambda platform lines", () => {
  it("spells START and END as CloudWatch does", () => {
    expect(startLine(ID)).to.equal(`START RequestId: ${ID} Version: $LATEST`);
    expect(endLine(ID)).to.equal(`END RequestId: ${ID}`);
  });

  it("lays a warm REPORT out with tabs, billed duration rounded up, and a trailing tab", () => {
    expect(reportLine({ requestId: ID, durationMs: 201.671, memorySizeMb: 2048, maxMemoryUsedMb: 81 })).to.equal(
      `REPORT RequestId: ${ID}\tDuration: 201.67 ms\tBilled Duration: 202 ms\tMemory Size: 2048 MB\tMax Memory Used: 81 MB\t`,
    );
  });

  it("adds Init Duration on a cold start, billed with the duration", () => {
    expect(reportLine({ requestId: ID, durationMs: 501.25, memorySizeMb: 128, maxMemoryUsedMb: 60, initDurationMs: 1800.5 })).to.equal(
      `REPORT RequestId: ${ID}\tDuration: 501.25 ms\tBilled Duration: 2302 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 1800.50 ms\t`,
    );
  });

  it("ends a failed invocation's REPORT with its status", () => {
    const base = { requestId: ID, durationMs: 3000.4, memorySizeMb: 128, maxMemoryUsedMb: 70 };
    expect(reportLine({ ...base, status: { kind: "timeout" } })).to.match(/\tMax Memory Used: 70 MB\tStatus: timeout$/);
    expect(reportLine({ ...base, status: { kind: "error", errorType: "Runtime.OutOfMemory" } })).to.match(/\tMax Memory Used: 70 MB\tStatus: error\tError Type: Runtime\.OutOfMemory$/);
    expect(initReportLine(998.154, "invoke", { kind: "error", errorType: "Runtime.Unknown" })).to.equal("INIT_REPORT Init Duration: 998.15 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown");
    expect(timedOutLine(ID, 3, new Date("2026-12-06T18:33:01.123Z"))).to.equal(`2026-12-06T18:33:01.123Z ${ID} Task timed out after 3.00 seconds`);
  });
});

describe("LambdaRuntime lifecycle lines", function () {
  this.timeout(60_000);
  const runtimes: LambdaRuntime[] = [];
  let lifecycle: Array<{ fn: string; line: string }>;
  let output: Array<{ fn: string; line: string; origin: FunctionLogOrigin }>;
  let counter = 0;

  function newRuntime(options: Partial<LambdaRuntimeOptions> = {}): LambdaRuntime {
    const runtime = new LambdaRuntime({
      workDir: createWorkDir(),
      baseEnvironment: { AWS_REGION: "us-east-1" },
      log: (fn, line, origin) => output.push({ fn, line, origin }),
      lifecycleLog: (fn, line) => lifecycle.push({ fn, line }),
      ...options,
    });
    runtimes.push(runtime);
    return runtime;
  }

  async function deploy(runtime: LambdaRuntime, code: string, spec: Partial<FunctionSpec> = {}): Promise<string> {
    counter += 1;
    const name = `lifecycle-${counter}`;
    await runtime.deploy({ name, arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`, files: moduleArchive(code), environment: {}, timeoutSeconds: 3, ...spec });
    return name;
  }

  const linesOf = (fn: string) => lifecycle.filter((entry) => entry.fn === fn).map((entry) => entry.line);
  const reportPattern = (tail: string) => new RegExp(`^REPORT RequestId: (${UUID})\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: [1-9]\\d* MB${tail}$`);

  beforeEach(() => {
    lifecycle = [];
    output = [];
  });

  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.stop()));
  });

  it("writes START, END and REPORT per invocation, Init Duration on the cold start only", async () => {
    const runtime = newRuntime();
    const fn = await deploy(runtime, `console.log("loading"); exports.handler = async (e) => { console.log("handling", e.n); console.error("careful"); return e.n; };`, { memorySize: 256 });
    for (const n of [1, 2]) expect((await runtime.invoke(fn, { n })).kind).to.equal("ok");

    const lines = linesOf(fn);
    expect(lines).to.have.length(6);
    const [start1, end1, report1, start2, end2, report2] = lines;
    const id1 = new RegExp(`^START RequestId: (${UUID}) Version: \\$LATEST$`).exec(start1)![1];
    expect(end1).to.equal(`END RequestId: ${id1}`);
    expect(report1).to.match(reportPattern("\\tInit Duration: \\d+\\.\\d{2} ms\\t"));
    expect(reportPattern("\\tInit Duration: \\d+\\.\\d{2} ms\\t").exec(report1)![1]).to.equal(id1);
    const id2 = /^START RequestId: (\S+) Version: \$LATEST$/.exec(start2)![1];
    expect(id2).to.not.equal(id1);
    expect(end2).to.equal(`END RequestId: ${id2}`);
    expect(report2).to.match(reportPattern("\\t")).and.not.include("Init Duration");

    // Output during INIT has no invocation; during an invocation, that invocation's id.
    expect(output.map(({ line, origin }) => [line, origin.stream, origin.requestId])).to.deep.equal([
      ["loading", "stdout", undefined],
      ["handling 1", "stdout", id1],
      ["careful", "stderr", id1],
      ["handling 2", "stdout", id2],
      ["careful", "stderr", id2],
    ]);
  });

  it("reports a handler's own error as a completed invocation", async () => {
    const runtime = newRuntime();
    const fn = await deploy(runtime, `exports.handler = async () => { throw new TypeError("bad input"); };`, { memorySize: 256 });
    expect((await runtime.invoke(fn, {})).kind).to.equal("error");
    expect(linesOf(fn)[2]).to.match(reportPattern("\\tInit Duration: \\d+\\.\\d{2} ms\\t"));
  });

  it("writes the timeout line and Status: timeout for an invocation past its timeout", async () => {
    const runtime = newRuntime();
    const fn = await deploy(runtime, `exports.handler = () => new Promise(() => setInterval(() => {}, 1000));`, { memorySize: 256, timeoutSeconds: 0.3 });
    const result = await runtime.invoke(fn, {});
    expect(result.kind === "error" && result.timedOut).to.equal(true);
    const [start, timedOut, end, report] = linesOf(fn);
    const id = /^START RequestId: (\S+) /.exec(start)![1];
    expect(timedOut).to.match(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z ${id} Task timed out after 0\\.30 seconds$`));
    expect(end).to.equal(`END RequestId: ${id}`);
    expect(report).to.match(reportPattern("\\tInit Duration: \\d+\\.\\d{2} ms\\tStatus: timeout"));
    expect(Number(/Duration: (\S+) ms/.exec(report)![1])).to.be.at.least(300);
  });

  it("writes Status: error with the runtime's error type when the runtime crashes", async () => {
    const runtime = newRuntime();
    const fn = await deploy(runtime, `exports.handler = async () => { setTimeout(() => { throw new Error("in a timer"); }, 0); await new Promise((r) => setTimeout(r, 500)); return "late"; };`, {
      memorySize: 256,
    });
    expect((await runtime.invoke(fn, {})).kind).to.equal("error");
    expect(linesOf(fn)[2]).to.match(reportPattern("\\tInit Duration: \\d+\\.\\d{2} ms\\tStatus: error\\tError Type: Runtime\\.ExitError"));
  });

  it("writes INIT_REPORT, then the failed invocation, when the INIT fails", async () => {
    const runtime = newRuntime();
    const fn = await deploy(runtime, `throw new ReferenceError("not loadable");`, { memorySize: 256 });
    expect((await runtime.invoke(fn, {})).kind).to.equal("error");
    const [initReport, start, end, report] = linesOf(fn);
    expect(initReport).to.match(/^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: invoke\tStatus: error\tError Type: Runtime\.\w+$/);
    const id = /^START RequestId: (\S+) Version: \$LATEST$/.exec(start)![1];
    expect(end).to.equal(`END RequestId: ${id}`);
    expect(report).to.match(/^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tStatus: error\tError Type: Runtime\.\w+$/);
  });

  it("writes the REPORT when a function the caller stopped waiting for ends", async () => {
    const runtime = newRuntime();
    const fn = await deploy(runtime, `exports.handler = async () => { await new Promise((r) => setTimeout(r, 400)); return "done"; };`, { memorySize: 256 });
    expect((await runtime.invoke(fn, {}, { timeoutMs: 100 })).kind).to.equal("timeout");
    await waitFor(() => linesOf(fn).length === 3, "the late REPORT");
    expect(linesOf(fn)[2]).to.match(reportPattern("\\tInit Duration: \\d+\\.\\d{2} ms\\t"));
  });

  it("measures a child process's resident memory (Max Memory Used)", async () => {
    const runtime = newRuntime({ hostMajorIn: "processes" });
    const fn = await deploy(runtime, `exports.handler = async () => "ok";`, { memorySize: 256 });
    expect((await runtime.invoke(fn, {})).kind).to.equal("ok");
    const used = Number(/Max Memory Used: (\d+) MB/.exec(linesOf(fn)[2])![1]);
    // A Node.js process holds some tens of MB; a thread's heap alone, a few.
    expect(used).to.be.within(20, 256);
  });

  it("times and measures nothing without the option", async () => {
    const runtime = newRuntime({ lifecycleLog: undefined });
    const fn = await deploy(runtime, `exports.handler = async () => "ok";`);
    expect((await runtime.invoke(fn, {})).kind).to.equal("ok");
    expect(lifecycle).to.deep.equal([]);
  });
});
