/**
 * The dates a usage report covers: GetUsage takes `startDate` and `endDate` as `yyyy-MM-dd`
 * (API Gateway API reference, GetUsage) and answers one `[used, remaining]` pair per day.
 * Quota periods are UTC calendar days, weeks (from Sunday) and months, as the local cloud's
 * usage plans count them (local/restGateway/usagePlans.ts).
 */

/** A usage plan's quota period. */
export type QuotaPeriod = "DAY" | "WEEK" | "MONTH";

/** The days of a usage report, first and last included, as `yyyy-MM-dd`. */
export interface UsageRange {
  startDate: string;
  endDate: string;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC midnight (ms) of a `yyyy-MM-dd` date, or undefined when it is not a real date. */
export function parseIsoDate(text: string): number | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number);
  const t = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2026-02-30 over to March: a real date comes back unchanged.
  return formatIsoDate(t) === text ? t : undefined;
}

/** The UTC midnight (ms) starting the day of `t`. */
export function utcMidnight(t: number): number {
  return t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
}

/** `yyyy-MM-dd` of a time (ms), in UTC. */
export function formatIsoDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * The first day of the quota period holding day `t` (UTC midnight, ms): the day itself, the
 * Sunday before it, or the first of its month.
 *
 * @param t - A UTC midnight.
 * @param period - The plan's quota period. @default "DAY" (a plan without a quota)
 */
export function periodStartOf(t: number, period: QuotaPeriod = "DAY"): number {
  const date = new Date(t);
  if (period === "WEEK") return t - date.getUTCDay() * DAY_MS;
  if (period === "MONTH") return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return t;
}

/**
 * The range a usage request asks for: `endDate` defaults to today (UTC), `startDate` to the
 * first day of the quota period holding `endDate`, so no parameters means "the current period
 * so far". Answers the problem instead when a date is malformed or the range runs backwards.
 *
 * @param query - `startDate` / `endDate` as the caller sent them.
 * @param period - The plan's quota period. @default "DAY"
 * @param now - The time (ms). @default Date.now()
 */
export function usageRange(
  query: { startDate?: string; endDate?: string },
  period: QuotaPeriod | undefined,
  now: number = Date.now(),
): UsageRange | { problem: string } {
  const end = query.endDate === undefined ? utcMidnight(now) : parseIsoDate(query.endDate);
  if (end === undefined) return { problem: `endDate must be a date as yyyy-MM-dd (got ${JSON.stringify(query.endDate)})` };
  const start = query.startDate === undefined ? periodStartOf(end, period) : parseIsoDate(query.startDate);
  if (start === undefined) return { problem: `startDate must be a date as yyyy-MM-dd (got ${JSON.stringify(query.startDate)})` };
  if (end < start) return { problem: `endDate ${formatIsoDate(end)} is before startDate ${formatIsoDate(start)}` };
  return { startDate: formatIsoDate(start), endDate: formatIsoDate(end) };
}

/** Every day of a range, in order: what the `n`th pair of GetUsage's answer is for. */
export function daysOf(range: UsageRange): string[] {
  const days: string[] = [];
  for (let t = parseIsoDate(range.startDate)!; t <= parseIsoDate(range.endDate)!; t += DAY_MS) days.push(formatIsoDate(t));
  return days;
}
