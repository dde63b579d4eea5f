/**
 * Where the local Lambda runtime runs an execution environment (issue 10): a worker thread of
 * the local cloud (the host's Node.js major, the default), or a child process (another major,
 * or `hostMajorIn: "processes"`). Measured side by side in one run, through LambdaRuntime itself:
 *
 * - warm invoke: sequential invocations of `async (e) => e` with a small event, the mean time
 *   of one invoke() round trip (event out, result back);
 * - cold start: a redeploy, then one invocation of a handler that requires
 *   `@aws-sdk/client-dynamodb` and creates a client, its invoke() time (environment start, INIT
 *   and the run), as a gateway sees a cold start.
 *
 * Hosts: nodejs24.x in a thread; nodejs24.x in a process (the same Node, so the difference is
 * the hosting alone); nodejs22.x in a process of the registry's Node 22.
 *
 *   npm run bench -- lambda-hosts      (or npx ts-node --transpile-only bench/lambdaHosts.ts)
 *
 * LAMBDA_HOSTS_ROUNDS (default 5) rounds; each round measures the three hosts one after the
 * other, so machine noise lands on all. Medians printed.
 */
import { moduleArchive } from "../local/lambda/codeArchive";
import { LambdaRuntime } from "../local/lambda/lambdaRuntime";
import { createWorkDir } from "../local/lambda/taskRoots";
import { markdownTable, median, runWhenMain } from "./benchSupport";

const ROUNDS = Number(process.env.LAMBDA_HOSTS_ROUNDS ?? 5);
const WARM_INVOCATIONS = 2000;
const ECHO = "exports.handler = async (e) => e";
const WITH_SDK = `const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const client = new DynamoDBClient({});
exports.handler = async () => typeof client.send;`;

const HOSTS = [
  { label: "nodejs24.x, worker thread (default)", runtime: "nodejs24.x", hostMajorIn: "threads" },
  { label: "nodejs24.x, child process", runtime: "nodejs24.x", hostMajorIn: "processes" },
  { label: "nodejs22.x, child process (Node 22)", runtime: "nodejs22.x", hostMajorIn: "threads" },
] as const;

export interface LambdaHostRow {
  host: string;
  /** Median over rounds of the mean warm invoke round trip, in µs. */
  warmInvokeUs: number;
  /** Median cold invocation (start, INIT, run), in ms. */
  coldStartMs: number;
}

export async function benchLambdaHosts(): Promise<LambdaHostRow[]> {
  const samples = HOSTS.map(() => ({ warm: [] as number[], cold: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, host] of HOSTS.entries()) {
      const runtime = new LambdaRuntime({ workDir: createWorkDir(), baseEnvironment: { AWS_REGION: "us-east-1" }, hostMajorIn: host.hostMajorIn, log: () => undefined });
      try {
        samples[i].warm.push(await warmInvokeUs(runtime, host.runtime));
        samples[i].cold.push(await coldStartMs(runtime, host.runtime));
      } finally {
        await runtime.stop();
      }
    }
  }
  const rows = HOSTS.map((host, i) => ({ host: host.label, warmInvokeUs: median(samples[i].warm), coldStartMs: median(samples[i].cold) }));
  print(rows);
  return rows;
}

async function warmInvokeUs(runtime: LambdaRuntime, lambdaRuntime: string): Promise<number> {
  await runtime.deploy({ name: "echo", arn: "arn:aws:lambda:us-east-1:123456789012:function:echo", files: moduleArchive(ECHO), runtime: lambdaRuntime, environment: {}, timeoutSeconds: 10 });
  const event = { path: "/data", query: { category: "books" }, n: 0 };
  for (let i = 0; i < 200; i++) await expectOk(runtime.invoke("echo", event)); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < WARM_INVOCATIONS; i++) await expectOk(runtime.invoke("echo", { ...event, n: i }));
  return Number(process.hrtime.bigint() - started) / 1000 / WARM_INVOCATIONS;
}

async function coldStartMs(runtime: LambdaRuntime, lambdaRuntime: string): Promise<number> {
  const spec = { name: "sdk", arn: "arn:aws:lambda:us-east-1:123456789012:function:sdk", files: moduleArchive(WITH_SDK), runtime: lambdaRuntime, environment: {}, timeoutSeconds: 10 };
  await runtime.deploy(spec);
  const result = await expectOk(runtime.invoke("sdk", {}));
  if (!result.coldStart) throw new Error("the first invocation after a deploy was not a cold start");
  return result.durationMs;
}

async function expectOk(pending: ReturnType<LambdaRuntime["invoke"]>) {
  const result = await pending;
  if (result.kind !== "ok") throw new Error(`invocation failed: ${JSON.stringify(result)}`);
  return result;
}

function print(rows: LambdaHostRow[]): void {
  const [thread] = rows;
  process.stdout.write(`\n## lambda-hosts: where an execution environment runs (${ROUNDS} rounds, medians)\n\n`);
  process.stdout.write(
    markdownTable(
      ["host", "warm invoke (µs)", "vs thread", "cold start with the SDK (ms)", "vs thread"],
      rows.map((row) => [
        row.host,
        row.warmInvokeUs.toFixed(0),
        `${(row.warmInvokeUs / thread.warmInvokeUs).toFixed(2)}x`,
        row.coldStartMs.toFixed(0),
        `${(row.coldStartMs / thread.coldStartMs).toFixed(2)}x`,
      ]),
      [1, 2, 3, 4],
    ) + "\n",
  );
}

runWhenMain(module, benchLambdaHosts);
