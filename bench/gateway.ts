/**
 * Gateway overhead: requests/second and p50/p99 latency through the local REST gateway for
 * GET /health (MOCK) and GET /data (Lambda proxy, cache off), next to a plain node:http server
 * answering the same handler in-process, measured one after the other in this process.
 *
 *   npm run bench -- gateway            (or: npx ts-node --transpile-only bench/gateway.ts)
 *
 * Rounds: BENCH_ROUNDS (default 3) of BENCH_SECONDS (default 4) each per target, medians
 * printed, so a noisy machine shows in the spread rather than in one lucky run.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import * as fs from "node:fs";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require("autocannon") as (options: object) => Promise<AutocannonResult>;
import { createDataHandler } from "../functions/data";
import { startLocal } from "../local/startLocal";

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 10;

async function measure(url: string, headers: Record<string, string> = {}): Promise<Measurement> {
  const rounds: Measurement[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
    rounds.push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

/** The limit: a plain server answering like the route, with no gateway in between. */
async function plainServer(): Promise<{ url: string; close(): Promise<void> }> {
  const data = createDataHandler({ cors: { allowOrigins: [], allowCredentials: false } } as never);
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

export async function benchGateway(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const stateDir = path.resolve(__dirname, "..", ".local", `bench-${process.pid}`);
  const unlimited = { rateLimit: 1_000_000, burstLimit: 1_000_000 };
  const cloud = await startLocal({
    stack: "dev",
    port: 0,
    stateDir,
    // Cache off and limits out of the way: this measures the request path, not refusals.
    configOverrides: {
      "apigw-kit:cache": undefined,
      "apigw-kit:stage": { throttle: unlimited, loggingLevel: "OFF", dataTraceEnabled: false },
      "apigw-kit:methodOverrides": { "data/GET": { throttle: unlimited } },
      // GET /data needs an API key: one customer in a plan without limits.
      "apigw-kit:tiers": [{ name: "unlimited", throttle: unlimited }],
      "apigw-kit:customers": [{ id: "bench", tier: "unlimited" }],
    },
    accountThrottle: { rate: 1_000_000, burst: 1_000_000 },
    functionLog: () => undefined,
  });
  const plain = await plainServer();
  try {
    const api = cloud.outputs.apiUrl as string;
    // The key, usage plan and request validation run on every gateway request, as in production.
    const headers = { "Accept-Language": "en-GB", "x-api-key": (cloud.outputs.apiKeys as Record<string, string>).bench };
    const rows: Array<[string, Measurement, Measurement]> = [];
    for (const [name, route] of [
      ["GET /health (MOCK)", "/health"],
      ["GET /data (Lambda proxy, cache off)", "/data?category=books"],
    ] as const) {
      const gateway = await measure(`${api}${route}`, headers);
      const limit = await measure(`${plain.url}${route}`, headers);
      rows.push([name, gateway, limit]);
    }
    console.log(`\nGateway overhead: ${ROUNDS} rounds x ${SECONDS} s, ${CONNECTIONS} connections, medians (autocannon, loopback)`);
    console.log("| route | target | req/s | p50 ms | p99 ms | non-2xx | gateway/plain req/s |");
    console.log("|---|---|---:|---:|---:|---:|---:|");
    const refused = rows.reduce((n, [, gateway, limit]) => n + gateway.non2xx + limit.non2xx, 0);
    if (refused > 0) console.log(`WARNING: ${refused} responses were not 2xx; the figures below are not comparable`);
    for (const [name, gateway, limit] of rows) {
      const ratio = (gateway.rps / limit.rps).toFixed(2);
      console.log(`| ${name} | local gateway | ${gateway.rps.toFixed(0)} | ${gateway.p50} | ${gateway.p99} | ${gateway.non2xx} | ${ratio} |`);
      console.log(`| ${name} | plain node:http | ${limit.rps.toFixed(0)} | ${limit.p50} | ${limit.p99} | ${limit.non2xx} | 1.00 |`);
    }
  } finally {
    await plain.close();
    await cloud.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchGateway().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
