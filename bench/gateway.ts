/**
 * Gateway overhead: GET /data through the local REST gateway with everything production pays
 * for at the gateway (API key + usage plan, the cached HMAC TOKEN authorizer, request
 * validation; see bench/overheadProgram.ts), against the limit: a plain node:http server
 * calling the same data handler in-process. Also GET /health, a MOCK integration (two VTL
 * templates, no function), against a plain server answering the same body.
 *
 *   npm run bench -- gateway            (or: npx ts-node --transpile-only bench/gateway.ts)
 *
 * Two measurements per route, gateway and limit side by side in one run, after a 2 s warm-up
 * of the gateway (cold starts and the authorizer's first call are not what is compared):
 * - peak: closed-loop load (10 connections) for BENCH_SECONDS (default 4), BENCH_ROUNDS
 *   (default 3) rounds alternating gateway and plain server, medians of req/s, p50 and p99;
 * - latency at half the gateway's peak: open-loop load at 50 % of the gateway's median peak
 *   req/s, offered to both servers, p99 compared (the overhead a request pays when the
 *   gateway is not saturated).
 * The load generator (autocannon) runs in its own process, so it never competes with the
 * gateway's event loop; the machine's cores are shared all the same, so quote ratios.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { createDataHandler } from "../functions/data";
import { createHmacToken } from "../functions/hmacToken";
import { startLocal } from "../local/startLocal";
import { PROJECT_ROOT, UNLIMITED_ACCOUNT_THROTTLE, formatCount, markdownTable, median, runWhenMain } from "./benchSupport";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 10;
const WARM_UP_SECONDS = 2;
/** Goals of issue 6. */
const GOAL_THROUGHPUT_RATIO = 0.5;
const GOAL_P99_OVERHEAD_MS = 5;

/** The program under test (not imported: importing a program runs it). */
const OVERHEAD_PROGRAM = path.resolve(__dirname, "overheadProgram.ts");
const AUTOCANNON = require.resolve("autocannon/autocannon.js");
const run = promisify(execFile);

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  /** Responses that were not 2xx, and socket errors, over all rounds. */
  failed: number;
}

/** One autocannon run in a child process; `rate` makes it open-loop at that many req/s. */
async function autocannon(url: string, headers: Record<string, string>, rate?: number, seconds = SECONDS): Promise<Measurement> {
  const args = [AUTOCANNON, "--json", "-c", String(CONNECTIONS), "-d", String(seconds)];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}=${value}`);
  if (rate !== undefined) args.push("-R", String(Math.round(rate)));
  args.push(url);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failed: r.non2xx + r.errors };
}

/**
 * Both targets, round by round in turn (gateway, plain, gateway, ...), so that a noisy moment
 * of the shared machine lands on both sides rather than on one; medians of the rounds.
 */
async function measureSideBySide(urls: [string, string], headers: Record<string, string>, rate?: number): Promise<[Measurement, Measurement]> {
  const rounds: [Measurement[], Measurement[]] = [[], []];
  for (let i = 0; i < ROUNDS; i++) {
    for (const side of [0, 1] as const) rounds[side].push(await autocannon(urls[side], headers, rate));
  }
  const summary = (of: Measurement[]): Measurement => ({
    rps: median(of.map((r) => r.rps)),
    p50: median(of.map((r) => r.p50)),
    p99: median(of.map((r) => r.p99)),
    failed: of.reduce((sum, r) => sum + r.failed, 0),
  });
  return [summary(rounds[0]), summary(rounds[1])];
}

/** The limit: a plain server answering like the routes, with no gateway in between. */
async function plainServer(): Promise<{ url: string; close(): Promise<void> }> {
  const data = createDataHandler();
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/health")) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"status":"ok"}');
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    const event = {
      resource: "/data",
      path: "/data",
      httpMethod: "GET",
      headers: { "Accept-Language": String(req.headers["accept-language"] ?? "") },
      multiValueHeaders: {},
      queryStringParameters: Object.fromEntries(url.searchParams),
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext: { requestId: "plain", stage: "bench", identity: { sourceIp: "127.0.0.1" } },
      body: null,
      isBase64Encoded: false,
    };
    void data(event as never, { awsRequestId: "plain" } as never).then((result) => {
      res.writeHead(result.statusCode, result.headers as http.OutgoingHttpHeaders);
      res.end(result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One route's figures: peak (closed loop) and at half the gateway's peak (open loop). */
export interface GatewayOverheadRow {
  route: string;
  gatewayPeak: Measurement;
  plainPeak: Measurement;
  /** Requests/second offered to both at half the gateway's peak. */
  halfPeakRate: number;
  gatewayAtHalf: Measurement;
  plainAtHalf: Measurement;
  throughputRatio: number;
  p99OverheadMs: number;
  meetsGoals: boolean;
}

export async function benchGateway(): Promise<GatewayOverheadRow[]> {
  const stateDir = path.join(PROJECT_ROOT, ".local", `bench-gateway-${process.pid}`);
  const cloud = await startLocal({
    stack: "dev",
    port: 0,
    stateDir,
    program: OVERHEAD_PROGRAM,
    accountThrottle: UNLIMITED_ACCOUNT_THROTTLE,
    functionLog: () => undefined,
  });
  const plain = await plainServer();
  try {
    const api = cloud.outputs.apiUrl as string;
    const clientSecret = (cloud.outputs.tokenClients as Record<string, string>)["bench-client"];
    const headers = {
      "Accept-Language": "en-GB",
      "x-api-key": (cloud.outputs.apiKeys as Record<string, string>).bench,
      // One token for the run: the authorizer runs once, then its cached policy answers.
      Authorization: createHmacToken("bench-client", clientSecret),
    };
    const routes = [
      ["GET /data (key + plan + cached HMAC authorizer + validation, Lambda proxy)", "/data?category=books"],
      ["GET /health (MOCK, two VTL templates)", "/health"],
    ] as const;
    // Figures of refusals would be meaningless: every route must answer 200 before measuring.
    for (const [, route] of routes) {
      const response = await fetch(`${api}${route}`, { headers });
      if (response.status !== 200) throw new Error(`GET ${route} answered ${response.status} ${await response.text()}; nothing to measure`);
    }
    const rows: GatewayOverheadRow[] = [];
    for (const [name, route] of routes) {
      // Warm-up, not counted: the first requests start the execution environments (one per
      // connection) and fill the authorizer's result cache; steady state is what is compared.
      await autocannon(`${api}${route}`, headers, undefined, WARM_UP_SECONDS);
      const targets: [string, string] = [`${api}${route}`, `${plain.url}${route}`];
      const [gatewayPeak, plainPeak] = await measureSideBySide(targets, headers);
      const halfPeakRate = gatewayPeak.rps / 2;
      const [gatewayAtHalf, plainAtHalf] = await measureSideBySide(targets, headers, halfPeakRate);
      const throughputRatio = gatewayPeak.rps / plainPeak.rps;
      const p99OverheadMs = gatewayAtHalf.p99 - plainAtHalf.p99;
      rows.push({
        route: name,
        gatewayPeak,
        plainPeak,
        halfPeakRate,
        gatewayAtHalf,
        plainAtHalf,
        throughputRatio,
        p99OverheadMs,
        meetsGoals: throughputRatio >= GOAL_THROUGHPUT_RATIO && p99OverheadMs < GOAL_P99_OVERHEAD_MS,
      });
    }
    printRows(rows);
    return rows;
  } finally {
    await plain.close();
    await cloud.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

function printRows(rows: GatewayOverheadRow[]): void {
  console.log(
    `\nGateway overhead: ${ROUNDS} rounds x ${SECONDS} s per measurement, ${CONNECTIONS} connections, medians ` +
      `(autocannon in its own process, loopback). Goals: >= ${GOAL_THROUGHPUT_RATIO} of the plain server's req/s; ` +
      `p99 overhead < ${GOAL_P99_OVERHEAD_MS} ms at half the gateway's peak.`,
  );
  const failed = rows.reduce((sum, r) => sum + r.gatewayPeak.failed + r.plainPeak.failed + r.gatewayAtHalf.failed + r.plainAtHalf.failed, 0);
  if (failed > 0) console.log(`WARNING: ${failed} responses were not 2xx; the figures below are not comparable`);
  console.log(
    markdownTable(
      ["route", "gateway req/s (p50/p99 ms)", "plain req/s (p50/p99 ms)", "ratio", "at half peak: req/s", "gateway p99 ms", "plain p99 ms", "p99 overhead ms", "goals"],
      rows.map((r) => [
        r.route,
        `${formatCount(r.gatewayPeak.rps)} (${r.gatewayPeak.p50}/${r.gatewayPeak.p99})`,
        `${formatCount(r.plainPeak.rps)} (${r.plainPeak.p50}/${r.plainPeak.p99})`,
        r.throughputRatio.toFixed(2),
        formatCount(r.halfPeakRate),
        String(r.gatewayAtHalf.p99),
        String(r.plainAtHalf.p99),
        String(r.p99OverheadMs),
        r.meetsGoals ? "met" : "MISSED",
      ]),
      [1, 2, 3, 4, 5, 6, 7],
    ),
  );
}

runWhenMain(module, benchGateway);
