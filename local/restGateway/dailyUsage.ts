/**
 * Requests counted per plan, key and UTC day: the daily log GetUsage reports
 * (`[used, remaining]` per day, docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html),
 * kept for a bounded number of days.
 */

/** One day's count of a key in a plan, as JSON. */
export interface DailyCount {
  planId: string;
  keyId: string;
  /** The UTC day, `yyyy-MM-dd`. */
  day: string;
  used: number;
}

/**
 * How many days of counts are kept, today included. AWS keeps usage data for a limited time
 * too; a report of an older day reads 0 used.
 * @default 90
 */
export const DAILY_USAGE_RETENTION_DAYS = 90;

/** A UTC day, in ms. */
export const DAY_MS = 86_400_000;

/** The UTC day (ms epoch of its 00:00) holding `t`. */
export function utcDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** `yyyy-MM-dd` of a UTC day. */
export function dayText(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}

/** Requests per plan, key and UTC day, for the last `retentionDays` days. */
export class DailyUsage {
  private readonly counts = new Map<string, { planId: string; keyId: string; day: number; used: number }>();
  private prunedOn = -Infinity;

  /**
   * @param now - Clock in ms since the epoch.
   * @param retentionDays - Days kept, today included. @default {@link DAILY_USAGE_RETENTION_DAYS}
   */
  constructor(
    private readonly now: () => number,
    private readonly retentionDays = DAILY_USAGE_RETENTION_DAYS,
  ) {}

  /** Counts one request of the key in the plan, today. */
  add(planId: string, keyId: string): void {
    const today = utcDay(this.now());
    this.prune(today);
    const id = entryId(planId, keyId, today);
    const entry = this.counts.get(id);
    if (entry) entry.used += 1;
    else this.counts.set(id, { planId, keyId, day: today, used: 1 });
  }

  /** The requests of the key in the plan on the UTC day starting at `day`. */
  used(planId: string, keyId: string, day: number): number {
    return this.counts.get(entryId(planId, keyId, day))?.used ?? 0;
  }

  /** The requests of the key in the plan from day `from` to day `to`, both included (days after today count 0). */
  sum(planId: string, keyId: string, from: number, to: number): number {
    let total = 0;
    const last = Math.min(to, utcDay(this.now()));
    for (let day = from; day <= last; day += DAY_MS) total += this.used(planId, keyId, day);
    return total;
  }

  /** The counts kept, as JSON. */
  snapshot(): DailyCount[] {
    this.prune(utcDay(this.now()));
    return [...this.counts.values()].map(({ planId, keyId, day, used }) => ({ planId, keyId, day: dayText(day), used }));
  }

  /** Takes over counts (in place of these, for the same plan, key and day), those within the days kept. */
  restore(counts: DailyCount[]): void {
    for (const { planId, keyId, day, used } of counts) {
      const start = Date.parse(`${day}T00:00:00.000Z`);
      this.counts.set(entryId(planId, keyId, start), { planId, keyId, day: start, used });
    }
    this.prunedOn = -Infinity;
    this.prune(utcDay(this.now()));
  }

  /** Drops the days no longer kept; once a day. */
  private prune(today: number): void {
    if (today === this.prunedOn) return;
    this.prunedOn = today;
    const oldest = today - (this.retentionDays - 1) * DAY_MS;
    for (const [id, entry] of this.counts) {
      if (entry.day < oldest) this.counts.delete(id);
    }
  }
}

function entryId(planId: string, keyId: string, day: number): string {
  return `${planId} ${keyId} ${day}`;
}
