/**
 * The usage counters of a stack's API keys on disk (`<stateDir>/usage.json` or wherever the
 * local cloud keeps them), so that a key's quota count survives a restart.
 */
import type { UsageCounterSnapshot } from "../restGateway/usageCounters";
import { readJsonStateFile, writeJsonStateFile } from "./jsonStateFile";

const PERIODS = new Set(["DAY", "WEEK", "MONTH"]);

/**
 * Reads the counters a {@link writeUsageCounters} left.
 *
 * @param file - The counters file.
 * @returns the snapshot, or undefined when there is no such file (a first start)
 * @throws Error naming the file when it is not a snapshot, suggesting --fresh
 */
export function readUsageCounters(file: string): UsageCounterSnapshot | undefined {
  return readJsonStateFile<UsageCounterSnapshot>(file, "usage counters", snapshotProblem);
}

/**
 * Writes the counters atomically (a temporary file renamed over the old one), so that a stop
 * mid-write leaves the previous counters, never half of them.
 *
 * @param file - The counters file (its folder is created when missing).
 * @param snapshot - `UsagePlanEnforcer.snapshot()`.
 */
export function writeUsageCounters(file: string, snapshot: UsageCounterSnapshot): void {
  writeJsonStateFile(file, snapshot);
}

/** What makes `value` no {@link UsageCounterSnapshot}; undefined when it is one. */
function snapshotProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "not a JSON object";
  const snapshot = value as Partial<Record<keyof UsageCounterSnapshot, unknown>>;
  if (snapshot.version !== 1) return `version ${JSON.stringify(snapshot.version)}, expected 1`;
  if (!Array.isArray(snapshot.counters) || !Array.isArray(snapshot.firstPeriods)) return "counters and firstPeriods must be arrays";
  const hasBadPeriod = (entry: Record<string, unknown>) =>
    typeof entry.planId !== "string" || !PERIODS.has(entry.period as string) || Number.isNaN(Date.parse(String(entry.periodStart)));
  for (const [i, entry] of (snapshot.counters as Array<Record<string, unknown>>).entries()) {
    if (typeof entry !== "object" || entry === null || hasBadPeriod(entry) || typeof entry.keyId !== "string" || !Number.isInteger(entry.used) || (entry.used as number) < 0) {
      return `counters[${i}] is not { planId, keyId, period, periodStart, used }`;
    }
  }
  for (const [i, entry] of (snapshot.firstPeriods as Array<Record<string, unknown>>).entries()) {
    if (typeof entry !== "object" || entry === null || hasBadPeriod(entry)) return `firstPeriods[${i}] is not { planId, period, periodStart }`;
  }
  return dailyProblem(snapshot.daily);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What makes `daily` no list of daily counts (absent in files written before they were kept). */
function dailyProblem(daily: unknown): string | undefined {
  if (daily === undefined) return undefined;
  if (!Array.isArray(daily)) return "daily must be an array";
  for (const [i, entry] of (daily as Array<Record<string, unknown>>).entries()) {
    const valid =
      typeof entry === "object" &&
      entry !== null &&
      typeof entry.planId === "string" &&
      typeof entry.keyId === "string" &&
      DAY.test(String(entry.day)) &&
      !Number.isNaN(Date.parse(String(entry.day))) &&
      Number.isInteger(entry.used) &&
      (entry.used as number) >= 0;
    if (!valid) return `daily[${i}] is not { planId, keyId, day (yyyy-MM-dd), used }`;
  }
  return undefined;
}
