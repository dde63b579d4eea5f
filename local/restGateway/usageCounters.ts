/**
 * The quota side of usage plans: requests counted per key and plan in the plan's quota
 * period (UTC calendar periods, the first one shortened by the plan's `offset`), and what
 * passes from one deployment's counts to the next (a reload, a restart).
 */
import type { QuotaPeriod } from "../../components/apigateway";
import { DailyUsage, type DailyCount } from "./dailyUsage";
import type { UsagePlanModel } from "./usagePlanModels";
import type { UsagePlanRegistry } from "./usagePlanRegistry";

export type { QuotaPeriod };

/**
 * The request counts of an enforcer (UsagePlanEnforcer.snapshot), as JSON: what a restart or
 * a reload keeps. Throttle buckets are not in it: they refill within seconds.
 */
export interface UsageCounterSnapshot {
  /** The format's version. */
  version: 1;
  /** Per key and plan: the requests counted in the quota period starting at `periodStart`. */
  counters: Array<{
    planId: string;
    keyId: string;
    /** The plan's quota period when counted; a plan without quota counts per UTC day. */
    period: QuotaPeriod;
    /** ISO 8601, UTC. */
    periodStart: string;
    used: number;
  }>;
  /**
   * Per plan with a quota: the start of its first period, the one its `offset` applies to
   * (the period it was first deployed in).
   */
  firstPeriods: Array<{ planId: string; period: QuotaPeriod; periodStart: string }>;
  /**
   * Per plan, key and UTC day: the requests counted that day, for GetUsage; the last 90 days.
   * @default [] (a file written before daily counts were kept)
   */
  daily?: DailyCount[];
}

/** A day's `[used, remaining]`, as GetUsage reports it. */
export type DayUsage = [used: number, remaining: number];

/** A key's usage in the current period of a plan. */
export interface PeriodUsage {
  used: number;
  /** Requests left in the period; undefined for a plan without quota. */
  remaining?: number;
  /** ISO 8601, UTC. */
  periodStart: string;
}

/** Requests of a key in a plan, admitted in the period starting at `periodStart` (ms epoch). */
interface UsageCounter {
  planId: string;
  keyId: string;
  periodStart: number;
  used: number;
}

/** The plans a snapshot is restored against: the enforcer's registry. */
export type PlanLookup = Pick<UsagePlanRegistry, "plan" | "plansOf">;

/** Request counts per key and plan, rolled over at each quota period's start. */
export class UsageCounters {
  private readonly firstPeriodStart = new Map<string, number>();
  /** `planId keyId` -> requests admitted in the period starting at `periodStart` */
  private readonly counters = new Map<string, UsageCounter>();
  private readonly daily: DailyUsage;

  /**
   * @param now - Clock in ms since the epoch.
   * @param weekStartsOn - The weekday a WEEK period starts on (0 = Sunday).
   */
  constructor(
    private readonly now: () => number,
    private readonly weekStartsOn: number,
  ) {
    this.daily = new DailyUsage(now);
  }

  /** The plans' first quota period is the current one: locally, a plan comes into being when deployed. */
  startFirstPeriods(plans: UsagePlanModel[]): void {
    const created = this.now();
    for (const plan of plans) {
      if (plan.quota) this.firstPeriodStart.set(plan.id, periodStart(created, plan.quota.period, this.weekStartsOn));
    }
  }

  /** Whether the key may make one more request in the plan's current quota period (always, without a quota). */
  admits(plan: UsagePlanModel, keyId: string): boolean {
    if (!plan.quota) return true;
    const counter = this.counter(plan, keyId);
    return counter.used < this.allowance(plan, counter.periodStart);
  }

  /** Counts one admitted request of the key in the plan. */
  count(plan: UsagePlanModel, keyId: string): void {
    this.counter(plan, keyId).used += 1;
    this.daily.add(plan.id, keyId);
  }

  /**
   * The key's `[used, remaining]` in the plan on each UTC day (ms epoch of its 00:00): the
   * requests counted that day, and what the plan's quota left for the rest of that day's
   * quota period once they were counted. A plan without quota has nothing remaining to
   * report: 0 (AWS does not document this case).
   */
  usagePerDay(plan: UsagePlanModel, keyId: string, days: number[]): DayUsage[] {
    return days.map((day): DayUsage => {
      const used = this.daily.used(plan.id, keyId, day);
      if (!plan.quota) return [used, 0];
      const start = periodStart(day, plan.quota.period, this.weekStartsOn);
      const counted = this.daily.sum(plan.id, keyId, start, day) + this.unitemized(plan, keyId, start);
      return [used, Math.max(0, this.allowance(plan, start) - counted)];
    });
  }

  /** The key's usage in the current period of the plan (the UTC day without a quota). */
  usage(plan: UsagePlanModel, keyId: string): PeriodUsage {
    const counter = this.counter(plan, keyId);
    const periodStartIso = new Date(counter.periodStart).toISOString();
    if (!plan.quota) return { used: counter.used, periodStart: periodStartIso };
    return { used: counter.used, remaining: Math.max(0, this.allowance(plan, counter.periodStart) - counter.used), periodStart: periodStartIso };
  }

  /** The limit of the period starting at `start`: `offset` requests fewer in the first one. */
  allowance(plan: UsagePlanModel, start: number): number {
    const quota = plan.quota!;
    return start === this.firstPeriodStart.get(plan.id) ? quota.limit - quota.offset : quota.limit;
  }

  /**
   * The counts as JSON.
   *
   * @param plans - The plans counted against (a count of a plan gone since reads as per day).
   */
  snapshot(plans: Pick<PlanLookup, "plan">): UsageCounterSnapshot {
    const counters: UsageCounterSnapshot["counters"] = [];
    for (const { planId, keyId, periodStart: start, used } of this.counters.values()) {
      const period = plans.plan(planId)?.quota?.period ?? "DAY";
      counters.push({ planId, keyId, period, periodStart: new Date(start).toISOString(), used });
    }
    const firstPeriods = [...this.firstPeriodStart].map(([planId, start]) => ({
      planId,
      period: plans.plan(planId)!.quota!.period,
      periodStart: new Date(start).toISOString(),
    }));
    return { version: 1, counters, firstPeriods, daily: this.daily.snapshot() };
  }

  /**
   * Takes over the counts of a snapshot (in place of these, for the same key and plan): those
   * of keys still in their plan, counted in the plan's current period (a count of an older
   * period, or of a period of another length since the plan changed, is over). A plan keeps
   * its first period, so its `offset` is not taken off a second time. Daily counts are
   * history: all of them within the days kept are taken over.
   *
   * @param snapshot - The counts to take over.
   * @param plans - The plans and plan keys now.
   */
  restore(snapshot: UsageCounterSnapshot, plans: PlanLookup): void {
    for (const { planId, period, periodStart: start } of snapshot.firstPeriods) {
      const plan = plans.plan(planId);
      const first = Date.parse(start);
      if (plan?.quota?.period === period && first < (this.firstPeriodStart.get(planId) ?? -Infinity)) this.firstPeriodStart.set(planId, first);
    }
    for (const { planId, keyId, period, periodStart: start, used } of snapshot.counters) {
      const plan = plans.plansOf(keyId).find((p) => p.id === planId);
      if (!plan || (plan.quota?.period ?? "DAY") !== period) continue;
      const current = periodStart(this.now(), period, this.weekStartsOn);
      if (Date.parse(start) === current) this.counters.set(counterId(planId, keyId), { planId, keyId, periodStart: current, used });
    }
    this.daily.restore(snapshot.daily ?? []);
  }

  /**
   * Requests of the current period the daily counts do not hold (counted before a restart
   * from a file without them); 0 for any other period.
   */
  private unitemized(plan: UsagePlanModel, keyId: string, start: number): number {
    const counter = this.counters.get(counterId(plan.id, keyId));
    if (!counter || counter.periodStart !== start) return 0;
    return Math.max(0, counter.used - this.daily.sum(plan.id, keyId, start, Infinity));
  }

  /** The key's counter in its plan, rolled over to the current period. */
  private counter(plan: UsagePlanModel, keyId: string): UsageCounter {
    const start = periodStart(this.now(), plan.quota?.period ?? "DAY", this.weekStartsOn);
    const id = counterId(plan.id, keyId);
    let counter = this.counters.get(id);
    // A clock that steps back into an earlier period keeps the later period's count.
    if (!counter || start > counter.periodStart) {
      counter = { planId: plan.id, keyId, periodStart: start, used: 0 };
      this.counters.set(id, counter);
    }
    return counter;
  }
}

function counterId(planId: string, keyId: string): string {
  return `${planId} ${keyId}`;
}

const DAY_MS = 86_400_000;

/** The start (ms epoch) of the UTC calendar period holding `t`. */
export function periodStart(t: number, period: QuotaPeriod, weekStartsOn = 0): number {
  const date = new Date(t);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case "DAY":
      return day;
    case "WEEK":
      return day - ((date.getUTCDay() - weekStartsOn + 7) % 7) * DAY_MS;
    case "MONTH":
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    default:
      throw new RangeError(`quota period must be DAY, WEEK or MONTH (got ${JSON.stringify(period)})`);
  }
}
