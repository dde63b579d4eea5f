import * as aws from "@pulumi/aws";
import { expect } from "chai";
import fc from "fast-check";
import { UsageTiers } from "../../../components/UsageTiers";
import { ProgramRun, runProgram } from "../../../local/controlPlane";
import { TokenBucket } from "../../../local/restGateway/tokenBucket";
import { ApiKeyModel, UsagePlanEnforcer, UsagePlanModel, UsagePlanModels, periodStart, usagePlanModels } from "../../../local/restGateway/usagePlans";

/** A clock the test moves by hand, in ms since the epoch. */
function manualClock(start: number) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    set: (at: number) => {
      t = at;
    },
  };
}

/** Wednesday 10 January 2024, 12:00 UTC. */
const WEDNESDAY_NOON = Date.UTC(2024, 0, 10, 12);
const API = "a1b2c3d4e5";
const KEY_A = "A".repeat(40);
const KEY_B = "B".repeat(40);

function key(id: string, value: string, enabled = true): ApiKeyModel {
  return { id, value, enabled, name: id };
}

function plan(overrides: Partial<UsagePlanModel> = {}): UsagePlanModel {
  return { id: "plan1", name: "basic", throttle: { rateLimit: 100, burstLimit: 100 }, stages: [{ apiId: API, stage: "dev", throttles: {} }], ...overrides };
}

/** An enforcer over `plans` with keys a (KEY_A) and b (KEY_B) in plan1, on a manual clock. */
function enforcer(plans: UsagePlanModel[], options: { planKeys?: UsagePlanModels["planKeys"]; keys?: ApiKeyModel[]; start?: number; weekStartsOn?: number } = {}) {
  const clock = manualClock(options.start ?? WEDNESDAY_NOON);
  const models: UsagePlanModels = {
    plans,
    keys: options.keys ?? [key("a", KEY_A), key("b", KEY_B)],
    planKeys: options.planKeys ?? [
      { planId: "plan1", keyId: "a" },
      { planId: "plan1", keyId: "b" },
    ],
  };
  return { clock, enforcer: new UsagePlanEnforcer(models, { now: clock.now, weekStartsOn: options.weekStartsOn }) };
}

/** The outcome of `n` immediate calls: "ok" or the refusal. */
function calls(e: UsagePlanEnforcer, n: number, keyValue = KEY_A, where: [string, string, string, string] = [API, "dev", "/data", "GET"]): string[] {
  return Array.from({ length: n }, () => {
    const result = e.check(...where, keyValue);
    return result.ok ? "ok" : result.response;
  });
}

const repeat = (value: string, n: number) => Array<string>(n).fill(value);

describe("usagePlanModels", () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram({
      stack: "dev",
      define: () => {
        const tiers = new UsageTiers("tiers", {
          apiId: API,
          stageName: "dev",
          tiers: [
            { name: "free", throttle: { rateLimit: 1, burstLimit: 2 }, quota: { limit: 50, period: "WEEK", offset: 10 }, methodThrottles: { "/data/GET": { rateLimit: 0.5, burstLimit: 1 } } },
            { name: "unlimited", throttle: { rateLimit: 100, burstLimit: 100 } },
          ],
          customers: [
            { id: "acme", tier: "free" },
            { id: "globex", tier: "unlimited" },
          ],
        });
        // A key switched off outside the component.
        const disabled = new aws.apigateway.ApiKey("disabled", { name: "disabled", enabled: false, value: "D".repeat(30) });
        new aws.apigateway.UsagePlanKey("disabled-plan", { keyId: disabled.id, keyType: "API_KEY", usagePlanId: tiers.plans.free.id });
        return { apiKeys: tiers.apiKeys, keyIds: tiers.keyIds };
      },
    });
  });

  it("reads each plan's throttle, quota and API stages with their per-method throttles", () => {
    const { plans } = usagePlanModels(run.graph);
    const planIds = Object.fromEntries(run.graph.ofType("aws:apigateway/usagePlan:UsagePlan").map((p) => [p.inputs.name, p.id]));
    expect(plans).to.have.deep.members([
      {
        id: planIds["tiers-free"],
        name: "tiers-free",
        throttle: { rateLimit: 1, burstLimit: 2 },
        quota: { limit: 50, period: "WEEK", offset: 10 },
        stages: [{ apiId: API, stage: "dev", throttles: { "/data/GET": { rateLimit: 0.5, burstLimit: 1 } } }],
      },
      {
        id: planIds["tiers-unlimited"],
        name: "tiers-unlimited",
        throttle: { rateLimit: 100, burstLimit: 100 },
        quota: undefined,
        stages: [{ apiId: API, stage: "dev", throttles: {} }],
      },
    ]);
  });

  it("reads keys with their values (generated, or given as secrets) and whether they are enabled, and which plan holds each", () => {
    const { keys, planKeys } = usagePlanModels(run.graph);
    const keyIds = run.outputs.keyIds.value as Record<string, string>;
    const values = run.outputs.apiKeys.value as Record<string, string>;
    const disabled = run.graph.get("aws:apigateway/apiKey:ApiKey", "disabled");
    expect(keys).to.have.deep.members([
      { id: keyIds.acme, value: values.acme, enabled: true, name: "tiers-acme" },
      { id: keyIds.globex, value: values.globex, enabled: true, name: "tiers-globex" },
      { id: disabled.id, value: "D".repeat(30), enabled: false, name: "disabled" },
    ]);
    const planIds = Object.fromEntries(run.graph.ofType("aws:apigateway/usagePlan:UsagePlan").map((p) => [p.inputs.name, p.id]));
    expect(planKeys).to.have.deep.members([
      { planId: planIds["tiers-free"], keyId: keyIds.acme },
      { planId: planIds["tiers-unlimited"], keyId: keyIds.globex },
      { planId: planIds["tiers-free"], keyId: disabled.id },
    ]);
  });

  it("gives an enforcer that admits the component's keys by value and refuses the disabled one", () => {
    const clock = manualClock(WEDNESDAY_NOON);
    const e = new UsagePlanEnforcer(usagePlanModels(run.graph), { now: clock.now });
    const values = run.outputs.apiKeys.value as Record<string, string>;
    const keyIds = run.outputs.keyIds.value as Record<string, string>;
    expect(e.check(API, "dev", "/users", "GET", values.acme)).to.deep.include({ ok: true, keyId: keyIds.acme });
    expect(e.check(API, "dev", "/users", "GET", "D".repeat(30))).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
    // The per-method throttle recorded for /data/GET (burst 1) applies.
    expect(calls(e, 2, values.acme)).to.deep.equal(["ok", "THROTTLED"]);
    // The offset recorded: 50 - 10 in the first week (from Sunday), 2 admitted.
    expect(e.usage(keyIds.acme)).to.deep.equal({ used: 2, remaining: 38, periodStart: "2024-01-07T00:00:00.000Z" });
  });
});

describe("UsagePlanEnforcer", () => {
  describe("API keys (403 INVALID_API_KEY)", () => {
    it("admits an enabled key in a plan for the stage, naming the key and the plan", () => {
      const { enforcer: e } = enforcer([plan()]);
      expect(e.check(API, "dev", "/data", "GET", KEY_A)).to.deep.equal({ ok: true, keyId: "a", planId: "plan1" });
      expect(e.check(API, "dev", "/data", "GET", KEY_B)).to.deep.equal({ ok: true, keyId: "b", planId: "plan1" });
    });

    it("refuses a missing or empty key", () => {
      const { enforcer: e } = enforcer([plan()]);
      expect(e.check(API, "dev", "/data", "GET", undefined)).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
      expect(e.check(API, "dev", "/data", "GET", "")).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
    });

    it("refuses an unknown key", () => {
      const { enforcer: e } = enforcer([plan()]);
      expect(e.check(API, "dev", "/data", "GET", "C".repeat(40))).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
      expect(e.check(API, "dev", "/data", "GET", KEY_A.toLowerCase())).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
    });

    it("refuses values shorter than 20 or longer than 128 characters, even if a key had them", () => {
      const short = "S".repeat(19);
      const long = "L".repeat(129);
      const { enforcer: e } = enforcer([plan()], {
        keys: [key("short", short), key("long", long), key("min", "M".repeat(20)), key("max", "X".repeat(128))],
        planKeys: ["short", "long", "min", "max"].map((keyId) => ({ planId: "plan1", keyId })),
      });
      expect(e.check(API, "dev", "/data", "GET", short)).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
      expect(e.check(API, "dev", "/data", "GET", long)).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
      expect(e.check(API, "dev", "/data", "GET", "M".repeat(20))).to.deep.include({ ok: true, keyId: "min" });
      expect(e.check(API, "dev", "/data", "GET", "X".repeat(128))).to.deep.include({ ok: true, keyId: "max" });
    });

    it("refuses a disabled key", () => {
      const { enforcer: e } = enforcer([plan()], { keys: [key("a", KEY_A, false), key("b", KEY_B)] });
      expect(e.check(API, "dev", "/data", "GET", KEY_A)).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
      expect(e.check(API, "dev", "/data", "GET", KEY_B)).to.deep.include({ ok: true });
    });

    it("refuses a key in no plan", () => {
      const { enforcer: e } = enforcer([plan()], { planKeys: [{ planId: "plan1", keyId: "b" }] });
      expect(e.check(API, "dev", "/data", "GET", KEY_A)).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
    });

    it("refuses a key whose plan is for another stage or another API", () => {
      const { enforcer: e } = enforcer([plan()]);
      expect(e.check(API, "prod", "/data", "GET", KEY_A)).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
      expect(e.check("zzzzzzzzzz", "dev", "/data", "GET", KEY_A)).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
    });

    it("ignores plan keys naming a plan that does not exist", () => {
      const { enforcer: e } = enforcer([plan()], { planKeys: [{ planId: "gone", keyId: "a" }] });
      expect(e.check(API, "dev", "/data", "GET", KEY_A)).to.deep.equal({ ok: false, response: "INVALID_API_KEY" });
    });

    it("finds the plan for the stage when a key is in plans for different stages, and counts each apart", () => {
      const dev = plan({ id: "dev-plan", quota: { limit: 5, period: "DAY", offset: 0 } });
      const prod = plan({ id: "prod-plan", quota: { limit: 5, period: "DAY", offset: 0 }, stages: [{ apiId: API, stage: "prod", throttles: {} }] });
      const { enforcer: e } = enforcer([dev, prod], {
        planKeys: [
          { planId: "dev-plan", keyId: "a" },
          { planId: "prod-plan", keyId: "a" },
        ],
      });
      expect(e.check(API, "dev", "/data", "GET", KEY_A)).to.deep.equal({ ok: true, keyId: "a", planId: "dev-plan" });
      expect(e.check(API, "prod", "/data", "GET", KEY_A)).to.deep.equal({ ok: true, keyId: "a", planId: "prod-plan" });
      expect(e.check(API, "prod", "/data", "GET", KEY_A)).to.deep.equal({ ok: true, keyId: "a", planId: "prod-plan" });
      expect(e.usage("a", "dev-plan").used).to.equal(1);
      expect(e.usage("a", "prod-plan").used).to.equal(2);
    });
  });

  describe("throttling (429 THROTTLED)", () => {
    it("admits exactly burstLimit immediate calls, then refuses until a token refills", () => {
      const { clock, enforcer: e } = enforcer([plan({ throttle: { rateLimit: 2, burstLimit: 5 } })]);
      expect(calls(e, 7)).to.deep.equal([...repeat("ok", 5), "THROTTLED", "THROTTLED"]);
      clock.advance(499);
      expect(calls(e, 1)).to.deep.equal(["THROTTLED"]);
      clock.advance(1);
      expect(calls(e, 2)).to.deep.equal(["ok", "THROTTLED"]);
      clock.advance(1000);
      expect(calls(e, 3)).to.deep.equal(["ok", "ok", "THROTTLED"]);
    });

    it("gives every key its own bucket", () => {
      const { enforcer: e } = enforcer([plan({ throttle: { rateLimit: 1, burstLimit: 2 } })]);
      expect(calls(e, 3, KEY_A)).to.deep.equal(["ok", "ok", "THROTTLED"]);
      expect(calls(e, 3, KEY_B)).to.deep.equal(["ok", "ok", "THROTTLED"]);
    });

    it("applies a per-method limit only to its method, and the plan's limit to all", () => {
      const { enforcer: e } = enforcer([plan({ throttle: { rateLimit: 1, burstLimit: 6 }, stages: [{ apiId: API, stage: "dev", throttles: { "/data/GET": { rateLimit: 1, burstLimit: 2 } } }] })]);
      expect(calls(e, 3, KEY_A, [API, "dev", "/data", "GET"])).to.deep.equal(["ok", "ok", "THROTTLED"]);
      expect(calls(e, 1, KEY_A, [API, "dev", "/data", "POST"])).to.deep.equal(["ok"]);
      expect(calls(e, 1, KEY_A, [API, "dev", "/users", "GET"])).to.deep.equal(["ok"]);
      expect(calls(e, 1, KEY_A, [API, "dev", "/data/{id}", "GET"])).to.deep.equal(["ok"]);
      // 5 of the plan's 6 tokens are gone: one more anywhere, then nothing.
      expect(calls(e, 2, KEY_A, [API, "dev", "/users", "POST"])).to.deep.equal(["ok", "THROTTLED"]);
      // The per-method limit is per key too.
      expect(calls(e, 3, KEY_B, [API, "dev", "/data", "GET"])).to.deep.equal(["ok", "ok", "THROTTLED"]);
    });

    it("keys the root resource's limit as //METHOD (and accepts /METHOD)", () => {
      const root = (path: string) => enforcer([plan({ stages: [{ apiId: API, stage: "dev", throttles: { [path]: { rateLimit: 1, burstLimit: 1 } } }] })]).enforcer;
      for (const path of ["//GET", "/GET"]) {
        const e = root(path);
        expect(calls(e, 2, KEY_A, [API, "dev", "/", "GET"]), path).to.deep.equal(["ok", "THROTTLED"]);
        expect(calls(e, 2, KEY_A, [API, "dev", "/GET", "GET"]), path).to.deep.equal(["ok", "ok"]);
      }
    });

    it("applies a per-method limit only on the stage it is declared for", () => {
      const { enforcer: e } = enforcer([
        plan({
          stages: [
            { apiId: API, stage: "dev", throttles: { "/data/GET": { rateLimit: 1, burstLimit: 1 } } },
            { apiId: API, stage: "prod", throttles: {} },
          ],
        }),
      ]);
      expect(calls(e, 2, KEY_A, [API, "dev", "/data", "GET"])).to.deep.equal(["ok", "THROTTLED"]);
      expect(calls(e, 2, KEY_A, [API, "prod", "/data", "GET"])).to.deep.equal(["ok", "ok"]);
    });

    it("admits without limit when the plan has no throttle", () => {
      const { enforcer: e } = enforcer([plan({ throttle: undefined })]);
      expect(calls(e, 1000)).to.deep.equal(repeat("ok", 1000));
    });

    it("refuses when a further bucket (stage, account) is empty, taking nothing from the plan", () => {
      const { enforcer: e } = enforcer([plan({ throttle: { rateLimit: 0.001, burstLimit: 3 }, quota: { limit: 10, period: "DAY", offset: 0 } })]);
      const stage = new TokenBucket(0, 1, () => 0);
      expect(e.check(API, "dev", "/data", "GET", KEY_A, { alsoThrottle: [stage] })).to.deep.include({ ok: true });
      expect(stage.available()).to.equal(0);
      for (let i = 0; i < 5; i++) {
        expect(e.check(API, "dev", "/data", "GET", KEY_A, { alsoThrottle: [stage] })).to.deep.equal({ ok: false, response: "THROTTLED" });
      }
      expect(e.usage("a").used).to.equal(1);
      // The plan's bucket still holds its 2 tokens.
      expect(calls(e, 3)).to.deep.equal(["ok", "ok", "THROTTLED"]);
    });

    it("takes a bucket given twice only once per call", () => {
      const { enforcer: e } = enforcer([plan()]);
      const account = new TokenBucket(0, 2, () => 0);
      expect(e.check(API, "dev", "/data", "GET", KEY_A, { alsoThrottle: [account, account] })).to.deep.include({ ok: true });
      expect(account.available()).to.equal(1);
    });
  });

  describe("quotas (429 QUOTA_EXCEEDED)", () => {
    it("admits limit calls in a UTC day, refuses the next, and admits again from 00:00 UTC", () => {
      const { clock, enforcer: e } = enforcer([plan({ quota: { limit: 3, period: "DAY", offset: 0 } })]);
      expect(calls(e, 4)).to.deep.equal(["ok", "ok", "ok", "QUOTA_EXCEEDED"]);
      expect(e.usage("a")).to.deep.equal({ used: 3, remaining: 0, periodStart: "2024-01-10T00:00:00.000Z" });
      clock.set(Date.UTC(2024, 0, 10, 23, 59, 59, 999));
      expect(calls(e, 1)).to.deep.equal(["QUOTA_EXCEEDED"]);
      clock.set(Date.UTC(2024, 0, 11));
      expect(e.usage("a")).to.deep.equal({ used: 0, remaining: 3, periodStart: "2024-01-11T00:00:00.000Z" });
      expect(calls(e, 4)).to.deep.equal(["ok", "ok", "ok", "QUOTA_EXCEEDED"]);
    });

    it("counts each key apart", () => {
      const { enforcer: e } = enforcer([plan({ quota: { limit: 2, period: "DAY", offset: 0 } })]);
      expect(calls(e, 3, KEY_A)).to.deep.equal(["ok", "ok", "QUOTA_EXCEEDED"]);
      expect(calls(e, 3, KEY_B)).to.deep.equal(["ok", "ok", "QUOTA_EXCEEDED"]);
    });

    it("resets a WEEK quota at Sunday 00:00 UTC by default", () => {
      const { clock, enforcer: e } = enforcer([plan({ quota: { limit: 2, period: "WEEK", offset: 0 } })]);
      expect(calls(e, 3)).to.deep.equal(["ok", "ok", "QUOTA_EXCEEDED"]);
      expect(e.usage("a").periodStart).to.equal("2024-01-07T00:00:00.000Z");
      clock.set(Date.UTC(2024, 0, 13, 23, 59, 59, 999)); // Saturday
      expect(calls(e, 1)).to.deep.equal(["QUOTA_EXCEEDED"]);
      clock.set(Date.UTC(2024, 0, 14)); // Sunday
      expect(calls(e, 3)).to.deep.equal(["ok", "ok", "QUOTA_EXCEEDED"]);
      expect(e.usage("a").periodStart).to.equal("2024-01-14T00:00:00.000Z");
    });

    it("starts weeks on the weekday configured", () => {
      const { clock, enforcer: e } = enforcer([plan({ quota: { limit: 1, period: "WEEK", offset: 0 } })], { weekStartsOn: 1 });
      expect(calls(e, 2)).to.deep.equal(["ok", "QUOTA_EXCEEDED"]);
      expect(e.usage("a").periodStart).to.equal("2024-01-08T00:00:00.000Z");
      clock.set(Date.UTC(2024, 0, 14, 12)); // Sunday: same week
      expect(calls(e, 1)).to.deep.equal(["QUOTA_EXCEEDED"]);
      clock.set(Date.UTC(2024, 0, 15)); // Monday
      expect(calls(e, 2)).to.deep.equal(["ok", "QUOTA_EXCEEDED"]);
    });

    it("resets a MONTH quota on the 1st at 00:00 UTC, across a year end too", () => {
      const { clock, enforcer: e } = enforcer([plan({ quota: { limit: 2, period: "MONTH", offset: 0 } })], { start: Date.UTC(2023, 11, 20) });
      expect(calls(e, 3)).to.deep.equal(["ok", "ok", "QUOTA_EXCEEDED"]);
      expect(e.usage("a").periodStart).to.equal("2023-12-01T00:00:00.000Z");
      clock.set(Date.UTC(2023, 11, 31, 23, 59, 59, 999));
      expect(calls(e, 1)).to.deep.equal(["QUOTA_EXCEEDED"]);
      clock.set(Date.UTC(2024, 0, 1));
      expect(calls(e, 3)).to.deep.equal(["ok", "ok", "QUOTA_EXCEEDED"]);
      clock.set(Date.UTC(2024, 1, 29, 12)); // leap day: still February's period
      expect(calls(e, 3)).to.deep.equal(["ok", "ok", "QUOTA_EXCEEDED"]);
      expect(e.usage("a").periodStart).to.equal("2024-02-01T00:00:00.000Z");
    });

    it("subtracts the offset from the limit in the first period only", () => {
      const { clock, enforcer: e } = enforcer([plan({ quota: { limit: 5, period: "DAY", offset: 2 } })]);
      expect(e.usage("a")).to.deep.equal({ used: 0, remaining: 3, periodStart: "2024-01-10T00:00:00.000Z" });
      expect(calls(e, 4)).to.deep.equal(["ok", "ok", "ok", "QUOTA_EXCEEDED"]);
      clock.set(Date.UTC(2024, 0, 11, 8));
      expect(e.usage("a").remaining).to.equal(5);
      expect(calls(e, 6)).to.deep.equal([...repeat("ok", 5), "QUOTA_EXCEEDED"]);
      clock.set(Date.UTC(2024, 0, 12, 8));
      expect(calls(e, 6)).to.deep.equal([...repeat("ok", 5), "QUOTA_EXCEEDED"]);
    });

    it("does not count a throttled call against the quota", () => {
      const { clock, enforcer: e } = enforcer([plan({ throttle: { rateLimit: 1, burstLimit: 1 }, quota: { limit: 3, period: "DAY", offset: 0 } })]);
      expect(calls(e, 5)).to.deep.equal(["ok", ...repeat("THROTTLED", 4)]);
      expect(e.usage("a").used).to.equal(1);
      clock.advance(1000);
      expect(calls(e, 1)).to.deep.equal(["ok"]);
      clock.advance(1000);
      expect(calls(e, 1)).to.deep.equal(["ok"]);
      expect(e.usage("a")).to.deep.include({ used: 3, remaining: 0 });
    });

    it("does not take throttle tokens for a call refused by the quota", () => {
      // A bucket that never refills shows every token taken.
      const { clock, enforcer: e } = enforcer([plan({ throttle: { rateLimit: 0, burstLimit: 5 }, quota: { limit: 2, period: "DAY", offset: 0 } })]);
      const stage = new TokenBucket(0, 10, () => 0);
      const call = () => {
        const r = e.check(API, "dev", "/data", "GET", KEY_A, { alsoThrottle: [stage] });
        return r.ok ? "ok" : r.response;
      };
      expect([call(), call(), call(), call(), call()]).to.deep.equal(["ok", "ok", ...repeat("QUOTA_EXCEEDED", 3)]);
      expect(stage.available()).to.equal(8);
      clock.set(Date.UTC(2024, 0, 11));
      // The plan's bucket kept its 3 tokens.
      expect([call(), call(), call()]).to.deep.equal(["ok", "ok", "QUOTA_EXCEEDED"]);
      clock.set(Date.UTC(2024, 0, 12));
      expect([call(), call()]).to.deep.equal(["ok", "THROTTLED"]);
    });

    it("reports THROTTLED before QUOTA_EXCEEDED when both refuse (AWS checks limits first)", () => {
      const { clock, enforcer: e } = enforcer([plan({ throttle: { rateLimit: 1, burstLimit: 1 }, quota: { limit: 1, period: "DAY", offset: 0 } })]);
      expect(calls(e, 2)).to.deep.equal(["ok", "THROTTLED"]);
      clock.advance(1000);
      expect(calls(e, 1)).to.deep.equal(["QUOTA_EXCEEDED"]);
    });

    it("reports usage without a quota over the UTC day, with nothing remaining to report", () => {
      const { clock, enforcer: e } = enforcer([plan()]);
      calls(e, 7);
      expect(e.usage("a")).to.deep.equal({ used: 7, periodStart: "2024-01-10T00:00:00.000Z" });
      clock.set(Date.UTC(2024, 0, 11, 1));
      expect(e.usage("a")).to.deep.equal({ used: 0, periodStart: "2024-01-11T00:00:00.000Z" });
    });

    it("refuses to report usage of a key in no plan, or in another plan", () => {
      const { enforcer: e } = enforcer([plan()]);
      expect(() => e.usage("nobody")).to.throw("key nobody is in no usage plan");
      expect(() => e.usage("a", "plan9")).to.throw("key a is not in usage plan plan9 (plans: plan1)");
    });
  });

  describe("a plan on two stages", () => {
    const twoStages = (overrides: Partial<UsagePlanModel>) =>
      enforcer([
        plan({
          stages: [
            { apiId: API, stage: "dev", throttles: {} },
            { apiId: API, stage: "prod", throttles: {} },
          ],
          ...overrides,
        }),
      ]);

    it("shares a key's bucket over both stages", () => {
      const { enforcer: e } = twoStages({ throttle: { rateLimit: 1, burstLimit: 3 } });
      expect(calls(e, 2, KEY_A, [API, "dev", "/data", "GET"])).to.deep.equal(["ok", "ok"]);
      expect(calls(e, 1, KEY_A, [API, "prod", "/users", "POST"])).to.deep.equal(["ok"]);
      expect(calls(e, 1, KEY_A, [API, "dev", "/data", "GET"])).to.deep.equal(["THROTTLED"]);
      expect(calls(e, 1, KEY_A, [API, "prod", "/data", "GET"])).to.deep.equal(["THROTTLED"]);
    });

    it("shares a key's quota over both stages", () => {
      const { clock, enforcer: e } = twoStages({ quota: { limit: 4, period: "DAY", offset: 0 } });
      expect(calls(e, 3, KEY_A, [API, "dev", "/data", "GET"])).to.deep.equal(["ok", "ok", "ok"]);
      expect(calls(e, 2, KEY_A, [API, "prod", "/data", "GET"])).to.deep.equal(["ok", "QUOTA_EXCEEDED"]);
      expect(calls(e, 1, KEY_A, [API, "dev", "/data", "GET"])).to.deep.equal(["QUOTA_EXCEEDED"]);
      expect(e.usage("a")).to.deep.include({ used: 4, remaining: 0 });
      clock.set(Date.UTC(2024, 0, 11));
      expect(calls(e, 1, KEY_A, [API, "prod", "/data", "GET"])).to.deep.equal(["ok"]);
    });
  });

  describe("properties", () => {
    const SLACK = 1e-6;
    const arbitraryRun = fc.record({
      rate: fc.double({ min: 0.1, max: 20, noNaN: true }),
      burst: fc.integer({ min: 1, max: 20 }),
      methodRate: fc.double({ min: 0.1, max: 5, noNaN: true }),
      methodBurst: fc.integer({ min: 1, max: 5 }),
      limit: fc.integer({ min: 1, max: 60 }),
      offset: fc.nat({ max: 59 }),
      period: fc.constantFrom("DAY" as const, "WEEK" as const, "MONTH" as const),
      start: fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2026, 0, 1) }),
      steps: fc.array(
        fc.record({
          // Mostly bursts and sub-second gaps, sometimes hours or days.
          gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 3 * 86_400_000 })),
          method: fc.constantFrom("GET", "POST"),
          stage: fc.constantFrom("dev", "prod"),
        }),
        { maxLength: 150 },
      ),
    });

    /** Whether the successes in every window of calls stay within burst + rate × elapsed. */
    function withinBucket(times: number[], rate: number, burst: number): boolean {
      for (let i = 0; i < times.length; i++) {
        for (let j = i; j < times.length; j++) {
          if (j - i + 1 > burst + (rate * (times[j] - times[i])) / 1000 + SLACK) return false;
        }
      }
      return true;
    }

    it("never admits more than burst + rate × elapsed (plan and per-method) nor the quota of any period", () => {
      fc.assert(
        fc.property(arbitraryRun, (r) => {
          const offset = Math.min(r.offset, r.limit - 1);
          const quota = { limit: r.limit, period: r.period, offset };
          const { clock, enforcer: e } = enforcer(
            [
              plan({
                throttle: { rateLimit: r.rate, burstLimit: r.burst },
                quota,
                stages: [
                  { apiId: API, stage: "dev", throttles: { "/data/GET": { rateLimit: r.methodRate, burstLimit: r.methodBurst } } },
                  { apiId: API, stage: "prod", throttles: {} },
                ],
              }),
            ],
            { start: r.start },
          );
          const first = periodStart(r.start, r.period);
          const admitted: Array<{ t: number; method: string; stage: string }> = [];
          for (const step of r.steps) {
            clock.advance(step.gapMs);
            const result = e.check(API, step.stage, "/data", step.method, KEY_A);
            if (result.ok) admitted.push({ t: clock.now(), method: step.method, stage: step.stage });
          }
          const all = admitted.map((a) => a.t);
          const devGets = admitted.filter((a) => a.method === "GET" && a.stage === "dev").map((a) => a.t);
          if (!withinBucket(all, r.rate, r.burst)) return false;
          if (!withinBucket(devGets, r.methodRate, r.methodBurst)) return false;
          const perPeriod = new Map<number, number>();
          for (const t of all) {
            const p = periodStart(t, r.period);
            perPeriod.set(p, (perPeriod.get(p) ?? 0) + 1);
          }
          for (const [p, count] of perPeriod) {
            if (count > (p === first ? r.limit - offset : r.limit)) return false;
          }
          return true;
        }),
        { numRuns: 300 },
      );
    });

    it("admits every call a generous plan allows: the first `limit - offset` immediate calls of a period", () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 100 }), fc.nat({ max: 99 }), fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2026, 0, 1) }), (limit, rawOffset, start) => {
          const offset = Math.min(rawOffset, limit - 1);
          const { enforcer: e } = enforcer([plan({ throttle: { rateLimit: 1000, burstLimit: 1000 }, quota: { limit, period: "DAY", offset } })], { start });
          const outcomes = calls(e, limit + 1);
          return outcomes.filter((o) => o === "ok").length === limit - offset && outcomes[limit - offset] === "QUOTA_EXCEEDED";
        }),
      );
    });
  });
});

describe("periodStart", () => {
  it("is 00:00 UTC of the day, of the week's first day, or of the month's 1st", () => {
    const t = Date.UTC(2024, 0, 10, 15, 30); // Wednesday
    expect(new Date(periodStart(t, "DAY")).toISOString()).to.equal("2024-01-10T00:00:00.000Z");
    expect(new Date(periodStart(t, "WEEK")).toISOString()).to.equal("2024-01-07T00:00:00.000Z");
    expect(new Date(periodStart(t, "WEEK", 1)).toISOString()).to.equal("2024-01-08T00:00:00.000Z");
    expect(new Date(periodStart(t, "WEEK", 3)).toISOString()).to.equal("2024-01-10T00:00:00.000Z");
    expect(new Date(periodStart(t, "WEEK", 4)).toISOString()).to.equal("2024-01-04T00:00:00.000Z");
    expect(new Date(periodStart(t, "MONTH")).toISOString()).to.equal("2024-01-01T00:00:00.000Z");
    expect(new Date(periodStart(Date.UTC(2024, 0, 7), "WEEK")).toISOString()).to.equal("2024-01-07T00:00:00.000Z");
  });

  it("refuses an unknown period", () => {
    expect(() => periodStart(0, "YEAR" as never)).to.throw('quota period must be DAY, WEEK or MONTH (got "YEAR")');
  });
});
