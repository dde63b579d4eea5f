import { expect } from "chai";
import fc from "fast-check";
import { DailyUsage, DAY_MS, dayText, utcDay } from "../../../local/restGateway/dailyUsage";
import type { UsagePlanModel, UsagePlanModels } from "../../../local/restGateway/usagePlanModels";
import { UsagePlanEnforcer } from "../../../local/restGateway/usagePlans";

/** Wednesday 10 January 2024, 12:00 UTC. */
const WEDNESDAY_NOON = Date.UTC(2024, 0, 10, 12);
const day = (d: number) => Date.UTC(2024, 0, d);
const API = "a1b2c3d4e5";
const KEY_A = "A".repeat(40);

function clock(start: number) {
  let t = start;
  return { now: () => t, set: (at: number) => (t = at) };
}

function enforcerWith(quota: UsagePlanModel["quota"], at: ReturnType<typeof clock>): UsagePlanEnforcer {
  const models: UsagePlanModels = {
    plans: [{ id: "plan1", name: "plan1", quota, stages: [{ apiId: API, stage: "dev", throttles: {} }] }],
    keys: [{ id: "a", value: KEY_A, enabled: true, name: "a" }],
    planKeys: [{ planId: "plan1", keyId: "a" }],
  };
  return new UsagePlanEnforcer(models, { now: at.now });
}

function admit(enforcer: UsagePlanEnforcer, n: number): void {
  for (let i = 0; i < n; i++) enforcer.check(API, "dev", "/data", "GET", KEY_A);
}

describe("DailyUsage", () => {
  it("counts per plan, key and UTC day, and sums a range of days (days after today count nothing)", () => {
    const at = clock(WEDNESDAY_NOON);
    const daily = new DailyUsage(at.now);
    daily.add("p", "a");
    daily.add("p", "a");
    daily.add("p", "b");
    daily.add("q", "a");
    at.set(Date.UTC(2024, 0, 11, 23, 59, 59, 999));
    daily.add("p", "a");
    expect(daily.used("p", "a", day(10))).to.equal(2);
    expect(daily.used("p", "a", day(11))).to.equal(1);
    expect(daily.used("p", "b", day(10))).to.equal(1);
    expect(daily.used("q", "a", day(10))).to.equal(1);
    expect(daily.sum("p", "a", day(1), day(31))).to.equal(3);
    expect(daily.sum("p", "a", day(11), day(11))).to.equal(1);
  });

  it("keeps the last 90 days, today included, in its snapshot and after a restore", () => {
    const at = clock(WEDNESDAY_NOON);
    const daily = new DailyUsage(at.now);
    daily.add("p", "a");
    at.set(WEDNESDAY_NOON + 89 * DAY_MS);
    daily.add("p", "a");
    expect(daily.snapshot().map((c) => c.day)).to.deep.equal(["2024-01-10", "2024-04-08"]);
    at.set(WEDNESDAY_NOON + 90 * DAY_MS);
    expect(daily.snapshot()).to.deep.equal([{ planId: "p", keyId: "a", day: "2024-04-08", used: 1 }]);

    const restored = new DailyUsage(at.now);
    restored.restore([
      { planId: "p", keyId: "a", day: "2024-01-10", used: 5 },
      { planId: "p", keyId: "a", day: "2024-04-08", used: 7 },
    ]);
    expect(restored.snapshot()).to.deep.equal([{ planId: "p", keyId: "a", day: "2024-04-08", used: 7 }]);
  });

  it("reads its days back from their text (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (t) => {
        const start = utcDay(t);
        return Date.parse(`${dayText(start)}T00:00:00.000Z`) === start && start <= t && t - start < DAY_MS;
      }),
    );
  });
});

describe("UsagePlanEnforcer.usagePerDay (GetUsage's [used, remaining])", () => {
  it("reports a DAY quota per day: the day's requests and what that day's quota left", () => {
    const at = clock(WEDNESDAY_NOON);
    const enforcer = enforcerWith({ limit: 5, period: "DAY", offset: 2 }, at);
    admit(enforcer, 2);
    at.set(Date.UTC(2024, 0, 11, 9));
    admit(enforcer, 7);
    // The first day allows limit - offset; the 11th, 5 of 7 admitted; the 12th is to come.
    expect(enforcer.usagePerDay("plan1", "a", [day(9), day(10), day(11), day(12)])).to.deep.equal([
      [0, 5],
      [2, 1],
      [5, 0],
      [0, 5],
    ]);
  });

  it("reports a WEEK quota's remaining as what is left of the week after each day", () => {
    const at = clock(WEDNESDAY_NOON);
    const enforcer = enforcerWith({ limit: 10, period: "WEEK", offset: 0 }, at);
    admit(enforcer, 3);
    at.set(Date.UTC(2024, 0, 12, 9)); // Friday
    admit(enforcer, 4);
    at.set(Date.UTC(2024, 0, 14, 9)); // Sunday: a new week
    admit(enforcer, 1);
    const days = [10, 11, 12, 13, 14].map(day);
    expect(enforcer.usagePerDay("plan1", "a", days)).to.deep.equal([
      [3, 7],
      [0, 7],
      [4, 3],
      [0, 3],
      [1, 9],
    ]);
    expect(enforcer.usage("a")).to.deep.include({ used: 1, remaining: 9 });
  });

  it("reports nothing remaining for a plan without quota, and refuses an unknown plan", () => {
    const at = clock(WEDNESDAY_NOON);
    const enforcer = enforcerWith(undefined, at);
    admit(enforcer, 4);
    expect(enforcer.usagePerDay("plan1", "a", [day(10)])).to.deep.equal([[4, 0]]);
    expect(() => enforcer.usagePerDay("gone", "a", [day(10)])).to.throw("there is no usage plan gone");
  });

  it("agrees with the quota the gateway enforces: today's remaining is what usage() reports (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.nat({ max: 40 }), fc.constantFrom("DAY" as const, "WEEK" as const, "MONTH" as const), (limit, calls, period) => {
        const at = clock(WEDNESDAY_NOON);
        const enforcer = enforcerWith({ limit, period, offset: 0 }, at);
        admit(enforcer, calls);
        const [[used, remaining]] = enforcer.usagePerDay("plan1", "a", [day(10)]);
        const usage = enforcer.usage("a");
        return used === Math.min(calls, limit) && used === usage.used && remaining === usage.remaining;
      }),
    );
  });
});
