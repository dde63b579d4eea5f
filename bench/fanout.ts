/**
 * WebSocket fan-out (issue 6, benchmark 4): time from one broadcast to its last delivery over
 * 5,000 real WebSocket connections of the local cloud, for the project's broadcast against
 * the naive pattern, measured side by side in one run.
 *
 *   npm run bench -- fanout             (or: npx ts-node --transpile-only bench/fanout.ts)
 *   FANOUT_RTT_MS=10 npm run bench -- fanout     (adds the series with a network round trip)
 *
 * Both patterns take exactly the same path, so that only the handler's code differs:
 * a client sends `{"action":"broadcast","message":...}`; the local WebSocket gateway picks the
 * `broadcast` route and invokes its function in the Lambda runtime (a worker thread); the
 * function scans the connections table in the DynamoDB emulator and calls PostToConnection on
 * the stage's @connections endpoint (the API's port), which writes each frame to its socket;
 * the clock stops when the last of the 5,000 receivers has the message.
 * - ours: the `broadcast` function as the dev stack deploys it (its real archive, with its
 *   own SDK client settings: see functions/webSocket.ts).
 * - naive: {@link NAIVE_BROADCAST}, deployed beside it in the same runtime with the same
 *   environment, memory and timeout, and the same SDK clients with their defaults: one Scan
 *   call (a single page, no pagination), then `await PostToConnection` one connection at a
 *   time. In naive rounds the runtime hands the `broadcast` route's invocations to it instead
 *   (see `deployPatterns`): same gateway, same event, same warm environment reuse.
 * Running both as Lambda functions behind the gateway is the fairest way: in-process calls
 * would leave out the worker thread, the event and the gateway that the real path has, and
 * would let the two share one event loop with the receivers.
 * Rounds alternate the two patterns (which goes first alternates too), after one untimed
 * warm-up broadcast each, so that a cold start or a noisy moment of the machine favours
 * neither; a round ends when its invocation has ended, so the next one finds its environment
 * warm. Medians of BENCH_ROUNDS (default 5) rounds are printed, with the CPU time the whole
 * process (gateway, Lambda threads, DynamoDB emulator, the clients) spent per broadcast.
 *
 * Every receiver counts what it got per broadcast: each must get exactly one (delivered/5000,
 * and any duplicate, are printed). 5,001 connections are opened: 5,000 receivers and the
 * sender (a broadcast goes to every connection but its sender). Opening them runs the
 * `$connect` authorizer (the Cognito ID token of one user of the local pool) and `$connect`
 * function per connection, in batches, and takes a while; it is not part of the figures.
 * The dev stack's throttles are raised so that nothing is refused: AWS would refuse this load
 * with the stage's 20 rps.
 *
 * Reading the figures: on loopback a PostToConnection call has no round trip to wait for, so
 * the naive loop is as busy as ours — both are bound by the CPU each call costs (the SDK in
 * the function's thread, HTTP and the frame in the gateway's) — and keeping 50 calls in
 * flight has little to overlap. What ours is built for is the network between a Lambda
 * function and API Gateway; FANOUT_RTT_MS=N adds a second series in which a proxy in this
 * bench holds every @connections call N ms (`delayingProxy`), a stand-in for that round trip,
 * not a measurement of AWS.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { startLocal, type LocalCloud } from "../local/startLocal";
import { moduleArchive } from "../local/lambda/codeArchive";
import type { FunctionSpec, LambdaRuntime } from "../local/lambda/lambdaRuntime";
import { programFunctions } from "../local/lambda/programFunctions";
import { webSocketApiModels } from "../local/webSocketGateway";
import { BROADCAST_SCAN_SEGMENTS, DEFAULT_BROADCAST_CONCURRENCY } from "../functions/webSocket";
import { LocalUserPool } from "../tests/local/integration/cognitoUsers";
import { PROJECT_ROOT, UNLIMITED_ACCOUNT_THROTTLE, UNLIMITED_THROTTLE, runWhenMain } from "./benchSupport";

const CONNECTIONS = Number(process.env.FANOUT_CONNECTIONS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** When set, a second series with this round trip added to each @connections call (see `delayingProxy`). */
const RTT_MS = Number(process.env.FANOUT_RTT_MS ?? 0);
/** Upgrades in flight at once while connecting (each runs two functions of 10 environments). */
const CONNECT_BATCH = 100;

/**
 * The naive fan-out, as a Lambda module (what `__index.js` of a function is): the
 * Scan-then-post loop of many a tutorial, with the SDK clients created once per container as ours are.
 * It reads one Scan page only (DynamoDB stops a page at 1 MB, about 6,000 connection records
 * of this stack, so at 5,000 it still sees everyone) and awaits each PostToConnection before
 * the next. The Scan's projection is the same as ours. It answers the sender with the same
 * report as ours, after the last post, which marks the end of its invocation.
 */
export const NAIVE_BROADCAST = `"use strict";
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, ScanCommand } = require("@aws-sdk/lib-dynamodb");
const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require("@aws-sdk/client-apigatewaymanagementapi");

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
let api;

exports.handler = async (event) => {
  const { connectionId: sender, domainName, stage } = event.requestContext;
  api ??= new ApiGatewayManagementApiClient({ endpoint: process.env.WEBSOCKET_MANAGEMENT_ENDPOINT || \`https://\${domainName}/\${stage}\` });
  const { message } = JSON.parse(event.body);
  const data = Buffer.from(JSON.stringify({ type: "broadcast", from: sender, message }));
  const { Items } = await db.send(new ScanCommand({ TableName: process.env.CONNECTIONS_TABLE, ProjectionExpression: "connectionId" }));
  let sent = 0;
  let failed = 0;
  for (const { connectionId } of Items) {
    if (connectionId === sender) continue;
    try {
      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      sent++;
    } catch {
      failed++;
    }
  }
  const report = JSON.stringify({ type: "broadcastResult", sent, gone: 0, failed });
  await api.send(new PostToConnectionCommand({ ConnectionId: sender, Data: Buffer.from(report) })).catch(() => undefined);
  return { statusCode: 200 };
};
`;

type Pattern = "ours" | "naive";
const NAIVE_LABEL = "naive: one Scan page, one await PostToConnection at a time";

interface Round {
  pattern: Pattern;
  /** Trigger sent -> last receiver has the message, ms; undefined when some never got it. */
  ms?: number;
  /** Trigger sent -> the invocation ended, ms. */
  elapsedMs: number;
  delivered: number;
  duplicates: number;
  /** CPU time of the whole process (gateway, runtime threads, emulator, clients), ms. */
  cpuMs: number;
}

export interface FanoutPatternResult {
  /** Median time to last delivery, ms; undefined when some round did not deliver to everyone. */
  medianMs?: number;
  /** Time to last delivery of each round, ms (for an incomplete round: until its invocation ended). */
  roundsMs: number[];
  /** The fewest receivers any round reached (of `connections`). */
  delivered: number;
  duplicates: number;
  /** Median CPU time of the process per broadcast, ms. */
  cpuMs: number;
}

export interface FanoutSeries {
  /** The network round trip added to each @connections call, ms (0: loopback only). */
  rttMs: number;
  ours: FanoutPatternResult;
  naive: FanoutPatternResult;
  /** naive / ours, of the medians; a lower bound when the naive rounds did not finish. */
  ratio: number;
  ratioIsLowerBound: boolean;
}

export interface FanoutResult {
  connections: number;
  rounds: number;
  /** The figures of the issue: loopback, no added latency. */
  loopback: FanoutSeries;
  /** With FANOUT_RTT_MS set: the same with that round trip added to every @connections call. */
  withRtt?: FanoutSeries;
  /** Opening the connections (not part of the figures), ms. */
  connectMs: number;
}

/** One receiver: counts broadcasts by message tag. */
interface Receiver {
  got: Map<string, number>;
}

/** The round being measured, as the receivers see it. */
interface Measuring {
  tag: string;
  delivered: number;
  lastAt: number;
  done: () => void;
}

export async function benchFanout(): Promise<FanoutResult> {
  const stateDir = path.join(PROJECT_ROOT, ".local", `bench-fanout-${process.pid}`);
  const functionErrors: string[] = [];
  const cloud = await startLocal({
    stack: "dev",
    port: 0,
    stateDir,
    configOverrides: {
      "apigw-kit:cache": undefined,
      // The WebSocket stage takes the stack's stage throttle (dev: 20 rps, burst 40).
      "apigw-kit:stage": { throttle: UNLIMITED_THROTTLE, loggingLevel: "OFF", dataTraceEnabled: false },
    },
    accountThrottle: UNLIMITED_ACCOUNT_THROTTLE,
    functionLog: (fn, line) => {
      if (/"level":"error"|ERROR|Error/.test(line)) functionErrors.push(`${fn}: ${line}`);
    },
  });
  const pool = LocalUserPool.of(cloud);
  const sockets: WebSocket[] = [];
  let proxy: { endpoint: string; close(): Promise<void> } | undefined;
  try {
    const functions = await deployPatterns(cloud);
    const user = await pool.signUp("fanout");
    const url = `${cloud.outputs.websocketUrl as string}?token=${encodeURIComponent(user.idToken)}`;

    let measuring: Measuring | undefined;
    const receivers: Receiver[] = [];
    const t0 = performance.now();
    for (let opened = 0; opened < CONNECTIONS; opened += CONNECT_BATCH) {
      const batch = await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, CONNECTIONS - opened) }, () => open(url)));
      for (const ws of batch) {
        sockets.push(ws);
        const receiver: Receiver = { got: new Map() };
        receivers.push(receiver);
        ws.on("message", (data) => {
          const message = JSON.parse(data.toString()) as { type?: string; message?: string };
          if (message.type !== "broadcast" || typeof message.message !== "string") return;
          const count = (receiver.got.get(message.message) ?? 0) + 1;
          receiver.got.set(message.message, count);
          const round = measuring;
          if (!round || message.message !== round.tag || count > 1) return;
          round.delivered++;
          round.lastAt = performance.now();
          if (round.delivered === CONNECTIONS) round.done();
        });
      }
    }
    const sender = await open(url);
    sockets.push(sender);
    const connectMs = performance.now() - t0;

    /** One broadcast, from the sender's message until its invocation has ended. */
    const broadcast = async (pattern: Pattern, tag: string): Promise<Round> => {
      const invocation = functions.route(pattern);
      const reported = new Promise<void>((resolve) => {
        const onReport = (data: Buffer) => {
          if ((JSON.parse(data.toString()) as { type?: string }).type !== "broadcastResult") return;
          sender.off("message", onReport);
          resolve();
        };
        sender.on("message", onReport);
      });
      const round: Measuring = { tag, delivered: 0, lastAt: 0, done: () => undefined };
      const everyone = new Promise<void>((resolve) => (round.done = resolve));
      measuring = round;
      const cpu = process.cpuUsage();
      const started = performance.now();
      sender.send(JSON.stringify({ action: "broadcast", message: tag }));
      // The round ends with the invocation (which has then released its environment, warm,
      // for the next round: sent sooner, the next round would start a cold one), and the
      // frames already written have had a moment to arrive.
      await invocation;
      const elapsedMs = performance.now() - started;
      const cpuUsed = process.cpuUsage(cpu);
      await Promise.race([everyone, new Promise((resolve) => setTimeout(resolve, 1000))]);
      await Promise.race([reported, new Promise((resolve) => setTimeout(resolve, 100))]);
      measuring = undefined;
      const duplicates = receivers.filter((r) => (r.got.get(tag) ?? 0) > 1).length;
      const complete = round.delivered === CONNECTIONS;
      return { pattern, ms: complete ? round.lastAt - started : undefined, elapsedMs, delivered: round.delivered, duplicates, cpuMs: (cpuUsed.user + cpuUsed.system) / 1000 };
    };

    /** Warm-ups, then rounds alternating the patterns (and which goes first). */
    const series = async (rttMs: number): Promise<FanoutSeries> => {
      const rounds: Round[] = [];
      await broadcast("ours", `warm-up-ours-${rttMs}`);
      await broadcast("naive", `warm-up-naive-${rttMs}`);
      for (let i = 0; i < ROUNDS; i++) {
        const order: Pattern[] = i % 2 === 0 ? ["ours", "naive"] : ["naive", "ours"];
        for (const pattern of order) rounds.push(await broadcast(pattern, `round-${i}-${pattern}-${rttMs}`));
      }
      const ours = summary(rounds.filter((r) => r.pattern === "ours"));
      const naive = summary(rounds.filter((r) => r.pattern === "naive"));
      const ratioIsLowerBound = naive.medianMs === undefined;
      const ratio = (naive.medianMs ?? median(naive.roundsMs)) / (ours.medianMs ?? Number.NaN);
      return { rttMs, ours, naive, ratio, ratioIsLowerBound };
    };

    const loopback = await series(0);
    let withRtt: FanoutSeries | undefined;
    if (RTT_MS > 0) {
      proxy = await delayingProxy(cloud.endpoints.webSocketManagement, RTT_MS);
      await functions.pointAt(proxy.endpoint);
      withRtt = await series(RTT_MS);
    }
    // Late duplicates too (after their round was counted), warm-ups included.
    const twice = receivers.filter((r) => [...r.got.values()].some((n) => n > 1)).length;

    console.log(`\nWebSocket fan-out: one broadcast to ${CONNECTIONS.toLocaleString("en")} local connections, ${ROUNDS} rounds each, alternating; medians`);
    console.log(`(connections opened in ${(connectMs / 1000).toFixed(1)} s through the $connect authorizer and function; not part of the figures)`);
    const labels = { ours: `ours: ${BROADCAST_SCAN_SEGMENTS} parallel Scan segments, every page, ${functions.concurrency} PostToConnection in flight`, naive: NAIVE_LABEL };
    printSeries(loopback, "loopback (the local cloud as it is)", labels);
    if (withRtt) printSeries(withRtt, `${RTT_MS} ms network round trip added to each @connections call (a delaying proxy in the bench, not measured AWS)`, labels);
    if (twice > 0) console.log(`WARNING: ${twice} receivers got some broadcast more than once`);
    if (functionErrors.length > 0) console.log(`WARNING: ${functionErrors.length} function error lines, first: ${functionErrors[0]}`);
    return { connections: CONNECTIONS, rounds: ROUNDS, loopback, withRtt, connectMs };
  } finally {
    for (const ws of sockets) ws.terminate();
    pool.destroy();
    await proxy?.close();
    await cloud.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

function summary(rounds: Round[]): FanoutPatternResult {
  const complete = rounds.every((r) => r.ms !== undefined);
  return {
    medianMs: complete ? median(rounds.map((r) => r.ms as number)) : undefined,
    roundsMs: rounds.map((r) => Math.round(r.ms ?? r.elapsedMs)),
    delivered: Math.min(...rounds.map((r) => r.delivered)),
    duplicates: rounds.reduce((n, r) => n + r.duplicates, 0),
    cpuMs: median(rounds.map((r) => r.cpuMs)),
  };
}

function printSeries(series: FanoutSeries, title: string, labels: Record<Pattern, string>): void {
  const time = (p: FanoutPatternResult) => (p.medianMs === undefined ? `did not finish (> ${median(p.roundsMs).toFixed(0)})` : p.medianMs.toFixed(0));
  const ratio = Number.isNaN(series.ratio) ? "-" : `${series.ratioIsLowerBound ? ">= " : ""}${series.ratio.toFixed(1)}x`;
  console.log(`\n${title}`);
  console.log("| pattern | time to last delivery ms (median) | rounds ms | delivered (worst round) | duplicates | CPU ms per broadcast | naive/ours |");
  console.log("|---|---:|---|---:|---:|---:|---:|");
  for (const pattern of ["ours", "naive"] as const) {
    const p = series[pattern];
    console.log(
      `| ${labels[pattern]} | ${time(p)} | ${p.roundsMs.join(", ")} | ${p.delivered}/${CONNECTIONS} | ${p.duplicates} | ${p.cpuMs.toFixed(0)} | ${pattern === "ours" ? ratio : "1.0x"} |`,
    );
  }
}

/**
 * Deploys {@link NAIVE_BROADCAST} beside the stack's broadcast function (same environment,
 * memory and timeout). Answers a switch (which of the two the `broadcast` route invokes), a
 * wait for a pattern's invocation to end, and a way to point both at another @connections
 * endpoint (each redeployed with only WEBSOCKET_MANAGEMENT_ENDPOINT changed).
 */
async function deployPatterns(cloud: LocalCloud) {
  const oursArn = webSocketApiModels(cloud.run.graph)[0]?.routes.get("broadcast")?.functionArn;
  const ours = cloud.run.graph.ofType("aws:lambda/function:Function").find((f) => f.state.arn === oursArn);
  if (!oursArn || !ours) throw new Error("the stack's WebSocket API has no broadcast route with a function");
  const [oursSpec] = await programFunctions([ours]);
  const specs: Record<Pattern, FunctionSpec> = {
    ours: { ...oursSpec, environment: { ...oursSpec.environment, WEBSOCKET_MANAGEMENT_ENDPOINT: cloud.endpoints.webSocketManagement } },
    naive: {} as FunctionSpec,
  };
  specs.naive = { ...specs.ours, name: `${specs.ours.name}-naive`, arn: `${oursArn}-naive`, files: moduleArchive(NAIVE_BROADCAST), handler: undefined };
  await cloud.lambda.deploy(specs.naive);
  // The gateway holds this runtime: its broadcast invocations go to the pattern's function,
  // and the next one's end is reported.
  let target: Pattern = "ours";
  let ended: (() => void) | undefined;
  const runtime: LambdaRuntime = cloud.lambda;
  const invoke = runtime.invoke.bind(runtime);
  runtime.invoke = (nameOrArn, event, options) => {
    if (nameOrArn !== oursArn) return invoke(nameOrArn, event, options);
    const done = ended;
    ended = undefined;
    return invoke(specs[target].arn, event, options).finally(() => done?.());
  };
  return {
    /** PostToConnection calls ours keeps in flight, as deployed. */
    concurrency: Number(specs.ours.environment.BROADCAST_CONCURRENCY ?? DEFAULT_BROADCAST_CONCURRENCY),
    /** Routes the broadcast route's next invocation to the pattern's function; resolves when it has ended. */
    route(pattern: Pattern): Promise<void> {
      target = pattern;
      return new Promise<void>((resolve) => (ended = resolve));
    },
    async pointAt(endpoint: string): Promise<void> {
      for (const pattern of ["ours", "naive"] as const) {
        specs[pattern] = { ...specs[pattern], environment: { ...specs[pattern].environment, WEBSOCKET_MANAGEMENT_ENDPOINT: endpoint } };
        await runtime.deploy(specs[pattern]);
      }
    },
  };
}

/**
 * An HTTP proxy in front of the @connections endpoint that holds each request `rttMs` before
 * passing it on: the network round trip a Lambda function pays per call on AWS, which the
 * local cloud (loopback) does not have. Requests are held side by side, not queued.
 */
async function delayingProxy(target: string, rttMs: number): Promise<{ endpoint: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () =>
      setTimeout(() => {
        const forward = http.request(
          { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on("error", () => res.destroy());
        forward.end(Buffer.concat(chunks));
      }, rttMs),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${upstream.pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

runWhenMain(module, benchFanout);
