import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { UsagePlanEnforcer, type UsagePlanModel, type UsagePlanModels } from "../../../local/restGateway/usagePlans";
import { readUsageCounters, writeUsageCounters } from "../../../local/state/usageCounterFile";
import { modeOf, temporaryStateDir } from "./stateFolder";

/** Wednesday 10 January 2024, 12:00 UTC. */
const WEDNESDAY_NOON = Date.UTC(2024, 0, 10, 12);
const DAY_MS = 86_400_000;
const API = "a1b2c3d4e5";
const KEY_A = "A".repeat(40);
const KEY_B = "B".repeat(40);

function quotaPlan(overrides: Partial<UsagePlanModel> = {}): UsagePlanModel {
  return { id: "plan1", name: "basic", quota: { limit: 10, period: "DAY", offset: 0 }, stages: [{ apiId: API, stage: "dev", throttles: {} }], ...overrides };
}

/** Keys a and b in plan1 (and whatever else `extra` adds): the models of one deployment. */
function models(plans: UsagePlanModel[], extra: Partial<UsagePlanModels> = {}): UsagePlanModels {
  return {
    plans,
    keys: [
      { id: "a", value: KEY_A, enabled: true, name: "a" },
      { id: "b", value: KEY_B, enabled: true, name: "b" },
    ],
    planKeys: [
      { planId: "plan1", keyId: "a" },
      { planId: "plan1", keyId: "b" },
    ],
    ...extra,
  };
}

function enforcerAt(at: number, deployed: UsagePlanModels): UsagePlanEnforcer {
  return new UsagePlanEnforcer(deployed, { now: () => at });
}

/** `n` requests with a key: how many were admitted. */
function admitted(enforcer: UsagePlanEnforcer, n: number, key = KEY_A): number {
  return Array.from({ length: n }, () => enforcer.check(API, "dev", "/data", "GET", key)).filter((r) => r.ok).length;
}

describe("local state: usage counters", () => {
  describe("UsagePlanEnforcer.snapshot / restore", () => {
    it("carries a key's count in the current period over to the next enforcer, quota included", () => {
      const before = enforcerAt(WEDNESDAY_NOON, models([quotaPlan()]));
      expect(admitted(before, 7)).to.equal(7);
      expect(admitted(before, 2, KEY_B)).to.equal(2);
      const snapshot = before.snapshot();
      expect(snapshot).to.deep.equal({
        version: 1,
        counters: [
          { planId: "plan1", keyId: "a", period: "DAY", periodStart: "2024-01-10T00:00:00.000Z", used: 7 },
          { planId: "plan1", keyId: "b", period: "DAY", periodStart: "2024-01-10T00:00:00.000Z", used: 2 },
        ],
        firstPeriods: [{ planId: "plan1", period: "DAY", periodStart: "2024-01-10T00:00:00.000Z" }],
        daily: [
          { planId: "plan1", keyId: "a", day: "2024-01-10", used: 7 },
          { planId: "plan1", keyId: "b", day: "2024-01-10", used: 2 },
        ],
      });

      const after = enforcerAt(WEDNESDAY_NOON + 3_600_000, models([quotaPlan()]));
      after.restore(JSON.parse(JSON.stringify(snapshot)));
      expect(after.usage("a")).to.deep.equal({ used: 7, remaining: 3, periodStart: "2024-01-10T00:00:00.000Z" });
      expect(admitted(after, 5)).to.equal(3);
      expect(after.check(API, "dev", "/data", "GET", KEY_A)).to.deep.equal({ ok: false, response: "QUOTA_EXCEEDED" });
    });

    it("drops counts of an older period: the quota starts afresh after a rollover", () => {
      const before = enforcerAt(WEDNESDAY_NOON, models([quotaPlan()]));
      admitted(before, 10);
      const nextDay = enforcerAt(WEDNESDAY_NOON + DAY_MS, models([quotaPlan()]));
      nextDay.restore(before.snapshot());
      expect(nextDay.usage("a")).to.deep.equal({ used: 0, remaining: 10, periodStart: "2024-01-11T00:00:00.000Z" });
      expect(admitted(nextDay, 10)).to.equal(10);
    });

    it("drops counts of a period of another length, when the plan's quota period changed", () => {
      // On the 1st of a month, the day and the month start at the same instant.
      const firstOfMonth = Date.UTC(2024, 1, 1, 12);
      const before = enforcerAt(firstOfMonth, models([quotaPlan()]));
      admitted(before, 4);
      const monthly = enforcerAt(firstOfMonth, models([quotaPlan({ quota: { limit: 100, period: "MONTH", offset: 0 } })]));
      monthly.restore(before.snapshot());
      expect(monthly.usage("a")).to.deep.equal({ used: 0, remaining: 100, periodStart: "2024-02-01T00:00:00.000Z" });
    });

    it("ignores keys and plans that no longer exist, and keys that left a plan", () => {
      const both = models([quotaPlan(), quotaPlan({ id: "plan2" })], {
        planKeys: [
          { planId: "plan1", keyId: "a" },
          { planId: "plan1", keyId: "b" },
          { planId: "plan2", keyId: "a" },
        ],
      });
      const before = enforcerAt(WEDNESDAY_NOON, both);
      admitted(before, 3);
      admitted(before, 4, KEY_B);
      expect(before.usage("a", "plan1").used).to.equal(3);
      const onlyB = models([quotaPlan()], { keys: [{ id: "b", value: KEY_B, enabled: true, name: "b" }], planKeys: [{ planId: "plan1", keyId: "b" }] });
      const after = enforcerAt(WEDNESDAY_NOON, onlyB);
      after.restore(before.snapshot());
      expect(after.usage("b").used).to.equal(4);
      expect(() => after.usage("a")).to.throw("key a is in no usage plan");
      expect(after.snapshot().counters.map((c) => `${c.planId}/${c.keyId}`)).to.deep.equal(["plan1/b"]);
    });

    it("keeps a plan's first period, so its offset is not taken off again after a restart in a later period", () => {
      const withOffset = () => models([quotaPlan({ quota: { limit: 10, period: "DAY", offset: 4 } })]);
      const firstDay = enforcerAt(WEDNESDAY_NOON, withOffset());
      expect(admitted(firstDay, 10), "the first period allows limit - offset").to.equal(6);
      const secondDay = enforcerAt(WEDNESDAY_NOON + DAY_MS, withOffset());
      secondDay.restore(firstDay.snapshot());
      expect(admitted(secondDay, 12)).to.equal(10);
      const notRestored = enforcerAt(WEDNESDAY_NOON + DAY_MS, withOffset());
      expect(admitted(notRestored, 12), "a plan deployed that day starts with its offset").to.equal(6);
    });

    it("counts keys of plans without a quota per UTC day, and carries those counts over too", () => {
      const unlimited = () => models([quotaPlan({ quota: undefined, throttle: { rateLimit: 1000, burstLimit: 1000 } })]);
      const before = enforcerAt(WEDNESDAY_NOON, unlimited());
      admitted(before, 5);
      const snapshot = before.snapshot();
      expect(snapshot.firstPeriods).to.deep.equal([]);
      expect(snapshot.counters).to.deep.equal([{ planId: "plan1", keyId: "a", period: "DAY", periodStart: "2024-01-10T00:00:00.000Z", used: 5 }]);
      expect(snapshot.daily).to.deep.equal([{ planId: "plan1", keyId: "a", day: "2024-01-10", used: 5 }]);
      const after = enforcerAt(WEDNESDAY_NOON, unlimited());
      after.restore(snapshot);
      expect(after.usage("a")).to.deep.equal({ used: 5, periodStart: "2024-01-10T00:00:00.000Z" });
    });
  });

  describe("the counters file", () => {
    let state: ReturnType<typeof temporaryStateDir>;
    let file: string;

    beforeEach(() => {
      state = temporaryStateDir("usage");
      file = path.join(state.dir, "stack", "usage.json");
    });

    afterEach(() => state.remove());

    it("reads back what was written (atomically, mode 0600), and nothing when there is no file", () => {
      expect(readUsageCounters(file)).to.equal(undefined);
      const enforcer = enforcerAt(WEDNESDAY_NOON, models([quotaPlan()]));
      admitted(enforcer, 3);
      writeUsageCounters(file, enforcer.snapshot());
      admitted(enforcer, 1);
      writeUsageCounters(file, enforcer.snapshot());
      expect(readUsageCounters(file)).to.deep.equal(enforcer.snapshot());
      expect(modeOf(file)).to.equal(0o600);
      expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["usage.json"]);
    });

    it("reads a file written before daily counts were kept (no daily), and restores its counts", () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const older = { version: 1, counters: [{ planId: "plan1", keyId: "a", period: "DAY", periodStart: "2024-01-10T00:00:00.000Z", used: 4 }], firstPeriods: [] };
      fs.writeFileSync(file, JSON.stringify(older));
      const enforcer = enforcerAt(WEDNESDAY_NOON, models([quotaPlan()]));
      enforcer.restore(readUsageCounters(file)!);
      expect(enforcer.usage("a").used).to.equal(4);
      // GetUsage's day shows no requests it cannot date, but the quota they used.
      expect(enforcer.usagePerDay("plan1", "a", [Date.UTC(2024, 0, 10)])).to.deep.equal([[0, 6]]);
    });

    it("refuses a file that holds no counters, naming it and suggesting --fresh", () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const refusal = (content: string) => {
        fs.writeFileSync(file, content);
        return () => readUsageCounters(file);
      };
      expect(refusal("{ half a fi")).to.throw(Error, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} does not hold usage counters \\(.*\\): delete it, or start with --fresh`));
      expect(refusal(`{"version":2,"counters":[],"firstPeriods":[]}`)).to.throw("(version 2, expected 1)");
      expect(refusal(`{"version":1,"counters":[{"planId":"p","keyId":"k","period":"YEAR","periodStart":"2024-01-10T00:00:00.000Z","used":1}],"firstPeriods":[]}`)).to.throw(
        "(counters[0] is not { planId, keyId, period, periodStart, used })",
      );
      expect(refusal(`{"version":1,"counters":[],"firstPeriods":[{"planId":"p","period":"DAY","periodStart":"yesterday"}]}`)).to.throw(
        "(firstPeriods[0] is not { planId, period, periodStart })",
      );
      expect(refusal(`{"version":1,"counters":[],"firstPeriods":[],"daily":{}}`)).to.throw("(daily must be an array)");
      expect(refusal(`{"version":1,"counters":[],"firstPeriods":[],"daily":[{"planId":"p","keyId":"k","day":"10/01/2024","used":1}]}`)).to.throw(
        "(daily[0] is not { planId, keyId, day (yyyy-MM-dd), used })",
      );
      expect(refusal(`{"version":1,"counters":[],"firstPeriods":[],"daily":[{"planId":"p","keyId":"k","day":"2024-01-10","used":-1}]}`)).to.throw("(daily[0] is not");
    });
  });
});
