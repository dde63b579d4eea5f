/**
 * Throttle conformance (issue 6): under sustained overload, does a usage plan admit what its
 * token bucket allows, `burst + rate × seconds`, within 2 %?
 *
 *   npx ts-node --transpile-only bench/throttle.ts
 *
 * The dev stack runs in-process in the local cloud with the plans of {@link PLANS} as its
 * tiers, the stage cache off (every request must reach the plan) and the stage, method and
 * account limits raised out of the way, so that every 429 comes from the plan. Per plan,
 * BENCH_ROUNDS (default 3) rounds: a paced open-loop sender offers 5× the plan's rate for
 * 10 s to GET /data with the plan's API key, sending each request at its scheduled time
 * whether or not earlier ones have been answered (keep-alive sockets, as many as needed).
 * Each round uses a key of its own: the plan's bucket for a key is created full at the key's
 * first request, so every round starts from `burst` tokens.
 *
 * Admitted = 2xx; refused = 429 with the usage-plan body `{"message":"Too Many Requests"}`
 * and `x-amzn-ErrorType: TooManyRequestsException` (apigw-behavior.md); anything else is
 * counted as unexpected. Expected = burst + rate × the seconds from the first request sent to
 * the last. The round with the median deviation is printed for each plan.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { startLocal } from "../local/startLocal";
import { PROJECT_ROOT, UNLIMITED_ACCOUNT_THROTTLE, UNLIMITED_THROTTLE, formatCount, markdownTable, median, passOrFail, runWhenMain } from "./benchSupport";

/** Usage plans under test: a typical tier, and a faster one where a token is 5 ms apart. */
const PLANS = [
  { tier: "bench-50", rateLimit: 50, burstLimit: 100 },
  { tier: "bench-200", rateLimit: 200, burstLimit: 200 },
];
const OVERLOAD = 5;
const SECONDS = 10;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GOAL_DEVIATION_PERCENT = 2;
/** A shortfall of the sender beyond this is reported: the load offered was not the load asked for. */
const OFFERED_TOLERANCE = 0.02;
const ROUTE = "/data?category=books";
const PLAN_THROTTLED = { body: `{"message":"Too Many Requests"}`, errorType: "TooManyRequestsException" };

export interface ThrottleRound {
  /** Requests per second actually offered, first to last request sent. */
  offeredRps: number;
  seconds: number;
  admitted: number;
  refused: number;
  /** Responses neither 2xx nor the plan's 429, and socket errors, by status and body. */
  unexpected: Record<string, number>;
  expected: number;
  deviationPercent: number;
}

export interface ThrottlePlanResult {
  rateLimit: number;
  burstLimit: number;
  targetRps: number;
  rounds: ThrottleRound[];
  /** The round with the median deviation. */
  medianRound: ThrottleRound;
  pass: boolean;
}

export interface ThrottleResult {
  plans: ThrottlePlanResult[];
  pass: boolean;
}

const customerOf = (tier: string, round: number) => `${tier}-round-${round + 1}`;

export async function benchThrottle(): Promise<ThrottleResult> {
  const stateDir = path.join(PROJECT_ROOT, ".local", `bench-throttle-${process.pid}`);
  const cloud = await startLocal({
    stack: "dev",
    port: 0,
    stateDir,
    configOverrides: {
      // Cached answers never reach the usage plan.
      "apigw-kit:cache": undefined,
      // Only the plan may refuse: the stage, method and account limits are far above the load.
      "apigw-kit:stage": { throttle: UNLIMITED_THROTTLE, loggingLevel: "OFF", dataTraceEnabled: false },
      "apigw-kit:methodOverrides": { "data/GET": { throttle: UNLIMITED_THROTTLE } },
      "apigw-kit:tiers": PLANS.map((p) => ({ name: p.tier, throttle: { rateLimit: p.rateLimit, burstLimit: p.burstLimit } })),
      "apigw-kit:customers": [
        { id: "warm-up", tier: PLANS[0].tier },
        ...PLANS.flatMap((p) => Array.from({ length: ROUNDS }, (_, round) => ({ id: customerOf(p.tier, round), tier: p.tier }))),
      ],
    },
    accountThrottle: UNLIMITED_ACCOUNT_THROTTLE,
    functionLog: () => undefined,
  });
  try {
    const url = `${cloud.outputs.apiUrl as string}${ROUTE}`;
    const keys = cloud.outputs.apiKeys as Record<string, string>;
    await warmUp(url, keys["warm-up"]);
    const plans: ThrottlePlanResult[] = [];
    for (const plan of PLANS) {
      const targetRps = plan.rateLimit * OVERLOAD;
      const rounds: ThrottleRound[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const load = await offerLoad(url, { "x-api-key": keys[customerOf(plan.tier, round)] }, targetRps, SECONDS);
        const seconds = (load.lastSentMs - load.firstSentMs) / 1000;
        const expected = plan.burstLimit + plan.rateLimit * seconds;
        rounds.push({
          offeredRps: (load.sent - 1) / seconds,
          seconds,
          admitted: load.admitted,
          refused: load.refused,
          unexpected: load.unexpected,
          expected,
          deviationPercent: ((load.admitted - expected) / expected) * 100,
        });
      }
      const medianDeviation = median(rounds.map((r) => r.deviationPercent));
      const medianRound = rounds.find((r) => r.deviationPercent === medianDeviation)!;
      const clean = rounds.every((r) => Object.keys(r.unexpected).length === 0);
      plans.push({ ...plan, targetRps, rounds, medianRound, pass: clean && Math.abs(medianDeviation) <= GOAL_DEVIATION_PERCENT });
    }
    printTable(plans);
    return { plans, pass: plans.every((p) => p.pass) };
  } finally {
    await cloud.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Warm execution environments for GET /data, so that no round pays the function's cold
 * starts: a cold start delays the first answers, not the plan's decisions, but it would crowd
 * the first second of a round with work the others do not have.
 */
async function warmUp(url: string, key: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true });
  try {
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(url, { "x-api-key": key }, agent)));
    const failed = answers.filter((a) => a.outcome !== "admitted");
    if (failed.length > 0) throw new Error(`warm-up: ${failed.length} of ${answers.length} requests failed (${failed[0].outcome})`);
  } finally {
    agent.destroy();
  }
}

interface OfferedLoad {
  sent: number;
  firstSentMs: number;
  lastSentMs: number;
  admitted: number;
  refused: number;
  unexpected: Record<string, number>;
}

/**
 * Sends `ratePerSecond × seconds` requests, request i at `i / ratePerSecond` s after the
 * first, without waiting for answers (open loop), then waits for every answer. A timer that
 * fires late sends everything that has fallen due at once, so the count offered stays exact
 * and the pace catches up.
 */
async function offerLoad(url: string, headers: Record<string, string>, ratePerSecond: number, seconds: number): Promise<OfferedLoad> {
  // Enough sockets that requests never wait for one: the offered rate is the sender's, not the server's.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const total = Math.round(ratePerSecond * seconds);
  const sentAt: number[] = [];
  const answers: Array<Promise<Answer>> = [];
  try {
    const start = performance.now();
    const dueAt = (i: number) => start + (i * 1000) / ratePerSecond;
    await new Promise<void>((resolve) => {
      const sendDue = () => {
        while (answers.length < total && dueAt(answers.length) <= performance.now()) {
          sentAt.push(performance.now());
          answers.push(get(url, headers, agent));
        }
        if (answers.length === total) resolve();
        else setTimeout(sendDue, Math.max(0, dueAt(answers.length) - performance.now()));
      };
      sendDue();
    });
    const load: OfferedLoad = { sent: total, firstSentMs: sentAt[0], lastSentMs: sentAt[total - 1], admitted: 0, refused: 0, unexpected: {} };
    for (const { outcome } of await Promise.all(answers)) {
      if (outcome === "admitted") load.admitted += 1;
      else if (outcome === "refused") load.refused += 1;
      else load.unexpected[outcome] = (load.unexpected[outcome] ?? 0) + 1;
    }
    return load;
  } finally {
    agent.destroy();
  }
}

/** "admitted", "refused" (the usage plan's 429), or what else came back. */
interface Answer {
  outcome: string;
}

function get(url: string, headers: Record<string, string>, agent: http.Agent): Promise<Answer> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString("utf8");
        if (status >= 200 && status < 300) resolve({ outcome: "admitted" });
        else if (status === 429 && body === PLAN_THROTTLED.body && response.headers["x-amzn-errortype"] === PLAN_THROTTLED.errorType) resolve({ outcome: "refused" });
        else resolve({ outcome: `${status} ${body.slice(0, 100)}` });
      });
    });
    request.on("error", (err) => resolve({ outcome: `socket error: ${err.message}` }));
  });
}

function printTable(plans: ThrottlePlanResult[]): void {
  console.log(`\nThrottle conformance: ${OVERLOAD}x the plan's rate for ${SECONDS} s, open loop, ${ROUNDS} rounds per plan, the median round (goal: within ${GOAL_DEVIATION_PERCENT} %)`);
  const rows = plans.map((p) => {
    const r = p.medianRound;
    return [
      `${p.rateLimit} / ${p.burstLimit}`,
      `${r.offeredRps.toFixed(1)} (of ${p.targetRps})`,
      r.seconds.toFixed(3),
      formatCount(r.admitted),
      formatCount(r.refused),
      r.expected.toFixed(1),
      signed(r.deviationPercent),
      p.rounds.map((x) => signed(x.deviationPercent)).join(", "),
      passOrFail(p.pass),
    ];
  });
  console.log(markdownTable(
    ["plan rate / burst", "offered req/s", "seconds", "admitted", "refused (429)", "expected", "deviation %", "every round %", "goal"],
    rows,
    [1, 2, 3, 4, 5, 6],
  ));
  for (const p of plans) {
    for (const [i, r] of p.rounds.entries()) {
      if (r.offeredRps < p.targetRps * (1 - OFFERED_TOLERANCE)) console.log(`NOTE: plan ${p.rateLimit}/${p.burstLimit} round ${i + 1}: the sender offered ${r.offeredRps.toFixed(1)} req/s of ${p.targetRps}`);
      for (const [outcome, count] of Object.entries(r.unexpected)) console.log(`WARNING: plan ${p.rateLimit}/${p.burstLimit} round ${i + 1}: ${count} x ${outcome}`);
    }
  }
}

const signed = (percent: number) => `${percent >= 0 ? "+" : ""}${percent.toFixed(2)}`;

runWhenMain(module, benchThrottle);
