/**
 * Start-up (issue 6): how long until the local cloud serves, and how long the prod stack's
 * program takes to evaluate. Goals: `npm start` to the first 200 from GET /health in under
 * 10 s; the prod program's evaluation under the mocks in under 3 s.
 *
 *   npx ts-node --transpile-only bench/startup.ts
 *
 * - npm start: spawns the real command, `npm start -- --port <a free port>`, in the project
 *   root, as its own process group; polls GET <apiUrl>/health every 20 ms from the spawn until
 *   it answers 200 (connection refused, then the server's 503 while it starts, come first);
 *   then stops it as Ctrl-C would (SIGINT to the group) and waits until every process of the
 *   group has exited. The URL polled is the dev stage at the root of that port (the address of
 *   a program's only REST API, known before the API's id is); the apiUrl the command prints is
 *   checked to be that stage's path-form URL on the same port.
 *   Each round has its own `--state-dir` (removed after it), so a developer's running
 *   `npm start` keeps its files.
 * - prod program: spawns a fresh Node process (ts-node with the transpile cache, as `npm start` runs)
 *   that imports local/controlPlane.ts and calls `runProgram({ stack: "prod" })`; measures
 *   spawn to exit, and the runProgram call alone (timed in the child).
 * BENCH_ROUNDS (default 3) rounds of each; medians printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { PROJECT_ROOT, formatCount, markdownTable, median, passOrFail, runWhenMain } from "./benchSupport";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GOAL_NPM_START_MS = 10_000;
const GOAL_PROD_PROGRAM_MS = 3_000;
const POLL_INTERVAL_MS = 20;
/** Far beyond the goals: a start that takes this long has failed. */
const GIVE_UP_MS = 120_000;
/** How long the local cloud may take to stop after SIGINT before the group is killed. */
const STOP_TIMEOUT_MS = 20_000;
/** `npm start`'s default stack, and its stage (the stack file sets no `stage.name`). */
const STACK = "dev";

export interface StartupResult {
  /** Medians in ms. */
  npmStartMs: number;
  prodSpawnToDoneMs: number;
  prodRunProgramMs: number;
  /** CPU time of the runProgram call: what the wall time would be with a core to itself. */
  prodRunProgramCpuMs: number;
  pass: boolean;
}

export async function benchStartup(): Promise<StartupResult> {
  const npmStart: Array<{ firstOkMs: number; selfReportedReadyMs: number }> = [];
  for (let round = 0; round < ROUNDS; round++) npmStart.push(await timeNpmStart());
  const prod: Array<{ spawnToDoneMs: number; runProgramMs: number; runProgramCpuMs: number }> = [];
  for (let round = 0; round < ROUNDS; round++) prod.push(await timeProdProgram());

  const result: StartupResult = {
    npmStartMs: median(npmStart.map((n) => n.firstOkMs)),
    prodSpawnToDoneMs: median(prod.map((p) => p.spawnToDoneMs)),
    prodRunProgramMs: median(prod.map((p) => p.runProgramMs)),
    prodRunProgramCpuMs: median(prod.map((p) => p.runProgramCpuMs)),
    pass: false,
  };
  const npmStartPass = result.npmStartMs < GOAL_NPM_START_MS;
  const prodSpawnPass = result.prodSpawnToDoneMs < GOAL_PROD_PROGRAM_MS;
  const prodRunPass = result.prodRunProgramMs < GOAL_PROD_PROGRAM_MS;
  result.pass = npmStartPass && prodSpawnPass && prodRunPass;

  const rounds = (values: number[]) => values.map(formatCount).join(", ");
  console.log(`\nStart-up: ${ROUNDS} rounds each, medians`);
  console.log(markdownTable(
    ["measure", "median ms", "every round ms", "goal", "result"],
    [
      ["npm start -> first 200 from GET /health", formatCount(result.npmStartMs), rounds(npmStart.map((n) => n.firstOkMs)), `< ${formatCount(GOAL_NPM_START_MS)} ms`, passOrFail(npmStartPass)],
      ["prod program: runProgram call (in a fresh process)", formatCount(result.prodRunProgramMs), rounds(prod.map((p) => p.runProgramMs)), `< ${formatCount(GOAL_PROD_PROGRAM_MS)} ms`, passOrFail(prodRunPass)],
      ["prod program: spawn -> done (node + ts-node + runProgram)", formatCount(result.prodSpawnToDoneMs), rounds(prod.map((p) => p.spawnToDoneMs)), `< ${formatCount(GOAL_PROD_PROGRAM_MS)} ms`, passOrFail(prodSpawnPass)],
    ],
    [1, 2],
  ));
  console.log(`npm start's own "ready in" (after npm and ts-node have started): median ${formatCount(median(npmStart.map((n) => n.selfReportedReadyMs)))} ms`);
  console.log(`CPU time of the prod runProgram call: median ${formatCount(result.prodRunProgramCpuMs)} ms (rounds: ${rounds(prod.map((p) => p.runProgramCpuMs))})`);
  return result;
}

/** One `npm start`, spawn to the first 200 from GET /health; the command is stopped and its state dir removed before returning. */
async function timeNpmStart(): Promise<{ firstOkMs: number; selfReportedReadyMs: number }> {
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}/${STACK}`;
  const stateDir = path.join(PROJECT_ROOT, ".local", `bench-startup-${process.pid}-${port}`);
  const spawnedAt = performance.now();
  // Its own process group, so that SIGINT reaches npm, the shell and the local cloud alike, as Ctrl-C does.
  const child = spawn("npm", ["start", "--", "--port", String(port), "--state-dir", stateDir], { cwd: PROJECT_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const firstOkMs = (await pollUntilOk(`${apiUrl}/health`, spawnedAt, child)) - spawnedAt;
    // The summary follows the first answer within milliseconds.
    await waitFor(() => output.includes("Press Ctrl-C to stop."), 10_000, () => output);
    const printed = /^\s*apiUrl\s+(\S+)$/m.exec(output)?.[1];
    const pathForm = new RegExp(`^http://127\\.0\\.0\\.1:${port}/_aws/execute-api/[a-z0-9]+/${STACK}$`);
    if (!printed || !pathForm.test(printed)) throw new Error(`npm start printed apiUrl ${printed}, not the ${STACK} stage on port ${port} that ${apiUrl} polled:\n${output}`);
    const selfReportedReadyMs = Number(/ready in (\d+) ms/.exec(output)?.[1]);
    return { firstOkMs, selfReportedReadyMs };
  } finally {
    await stopProcessGroup(child, exited);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Polls until `url` answers 200; resolves with the time of that answer (performance.now). */
async function pollUntilOk(url: string, since: number, child: ChildProcess): Promise<number> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited (${child.exitCode ?? child.signalCode}) before ${url} answered 200`);
    if (performance.now() - since > GIVE_UP_MS) throw new Error(`${url} did not answer 200 within ${GIVE_UP_MS} ms`);
    const status = await statusOf(url);
    if (status === 200) return performance.now();
    await sleep(POLL_INTERVAL_MS);
  }
}

/** The status of a GET, or 0 when nothing answers (yet). A connection per poll: no keep-alive to a server that is not there. */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(0));
  });
}

/** SIGINT to the group, as Ctrl-C; waits until every process of the group is gone, killing what outlives STOP_TIMEOUT_MS. */
async function stopProcessGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const group = -child.pid!;
  signalGroup(group, "SIGINT");
  const gone = await waitFor(() => !groupAlive(group), STOP_TIMEOUT_MS, () => "").then(() => true, () => false);
  if (!gone) {
    console.log(`WARNING: npm start's processes outlived SIGINT by ${STOP_TIMEOUT_MS} ms; killed`);
    signalGroup(group, "SIGKILL");
    await waitFor(() => !groupAlive(group), STOP_TIMEOUT_MS, () => "process group still alive after SIGKILL");
  }
  await exited;
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(group, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Run in the fresh process: the runProgram call alone, timed there, with the CPU time it used
 * (on a shared machine the wall time also holds the waits for a core).
 */
const PROD_PROGRAM_SCRIPT = `
const { performance } = require("node:perf_hooks");
const { runProgram } = require(${JSON.stringify(path.join(PROJECT_ROOT, "local", "controlPlane.ts"))});
const cpuBefore = process.cpuUsage();
const started = performance.now();
runProgram({ stack: "prod" }).then(
  () => {
    const runProgramMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    process.stdout.write(JSON.stringify({ runProgramMs, runProgramCpuMs: (cpu.user + cpu.system) / 1000 }) + "\\n");
    process.exit(0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
`;

async function timeProdProgram(): Promise<{ spawnToDoneMs: number; runProgramMs: number; runProgramCpuMs: number }> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ["-r", path.join(PROJECT_ROOT, "local", "registerTypeScript.js"), "-e", PROD_PROGRAM_SCRIPT], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  const spawnToDoneMs = performance.now() - spawnedAt;
  if (code !== 0) throw new Error(`the prod program run exited ${code}:\n${stderr}`);
  const { runProgramMs, runProgramCpuMs } = JSON.parse(stdout.trim().split("\n").pop()!) as { runProgramMs: number; runProgramCpuMs: number };
  return { spawnToDoneMs, runProgramMs, runProgramCpuMs };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms${describe() ? `:\n${describe()}` : ""}`);
    await sleep(POLL_INTERVAL_MS);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

runWhenMain(module, benchStartup);
