import { expect } from "chai";
import type { UsagePlanModel, UsagePlanModels } from "../../../local/restGateway/usagePlanModels";
import { UsagePlanRegistry, type UsagePlanOverlay } from "../../../local/restGateway/usagePlanRegistry";
import { UsagePlanEnforcer } from "../../../local/restGateway/usagePlans";

const API = "a1b2c3d4e5";
const KEY_A = "A".repeat(40);
const KEY_N = "N".repeat(40);

function plan(id: string, stage = "dev"): UsagePlanModel {
  return { id, name: id, quota: { limit: 3, period: "DAY", offset: 0 }, stages: [{ apiId: API, stage, throttles: {} }] };
}

const DEPLOYED: UsagePlanModels = {
  plans: [plan("basic"), plan("premium")],
  keys: [{ id: "a", value: KEY_A, enabled: true, name: "a" }],
  planKeys: [{ planId: "basic", keyId: "a" }],
};

/** An overlay whose changes the test sets by hand; every set is a new revision. */
class HandOverlay implements UsagePlanOverlay {
  revision = 0;
  applied = 0;
  private change: (deployed: UsagePlanModels) => UsagePlanModels = (deployed) => deployed;
  set(change: (deployed: UsagePlanModels) => UsagePlanModels): void {
    this.change = change;
    this.revision += 1;
  }
  apply(deployed: UsagePlanModels): UsagePlanModels {
    this.applied += 1;
    return this.change(deployed);
  }
}

describe("UsagePlanRegistry", () => {
  it("indexes keys by value, plans by id and the plans of each key", () => {
    const registry = new UsagePlanRegistry(DEPLOYED);
    expect(registry.keyWithValue(KEY_A)?.id).to.equal("a");
    expect(registry.keyWithValue(KEY_N)).to.equal(undefined);
    expect(registry.plan("premium")?.name).to.equal("premium");
    expect(registry.plansOf("a").map((p) => p.id)).to.deep.equal(["basic"]);
    expect(registry.plansOf("nobody")).to.deep.equal([]);
    expect(registry.plans().map((p) => p.id)).to.deep.equal(["basic", "premium"]);
    expect(registry.models).to.equal(DEPLOYED);
  });

  it("reads through an overlay, building its index again only when the overlay's revision changes", () => {
    const overlay = new HandOverlay();
    const registry = new UsagePlanRegistry(DEPLOYED, overlay);
    for (let i = 0; i < 5; i++) registry.keyWithValue(KEY_A);
    expect(overlay.applied, "built once, at construction").to.equal(1);

    overlay.set((deployed) => ({
      ...deployed,
      keys: [...deployed.keys, { id: "n", value: KEY_N, enabled: true, name: "n" }],
      planKeys: [{ planId: "premium", keyId: "a" }, { planId: "premium", keyId: "n" }],
    }));
    expect(registry.keyWithValue(KEY_N)?.id).to.equal("n");
    expect(registry.plansOf("a").map((p) => p.id)).to.deep.equal(["premium"]);
    expect(registry.plansOf("n").map((p) => p.id)).to.deep.equal(["premium"]);
    registry.plansOf("a");
    expect(overlay.applied).to.equal(2);
    expect(registry.deployed, "the program's models stay as given").to.equal(DEPLOYED);
  });

  it("lets an enforcer see a key created, disabled, detached and deleted at run time on the very next check", () => {
    const overlay = new HandOverlay();
    const enforcer = new UsagePlanEnforcer(DEPLOYED, { overlay, now: () => Date.UTC(2024, 0, 10, 12) });
    const check = (value: string) => {
      const result = enforcer.check(API, "dev", "/data", "GET", value);
      return result.ok ? `ok ${result.planId}` : result.response;
    };
    expect(check(KEY_N)).to.equal("INVALID_API_KEY");
    const withNew = (enabled: boolean, planKeys: UsagePlanModels["planKeys"]) => (deployed: UsagePlanModels) => ({
      ...deployed,
      keys: [...deployed.keys, { id: "n", value: KEY_N, enabled, name: "n" }],
      planKeys: [...deployed.planKeys, ...planKeys],
    });
    overlay.set(withNew(true, []));
    expect(check(KEY_N), "created, in no plan").to.equal("INVALID_API_KEY");
    overlay.set(withNew(true, [{ planId: "premium", keyId: "n" }]));
    expect(check(KEY_N), "attached").to.equal("ok premium");
    overlay.set(withNew(false, [{ planId: "premium", keyId: "n" }]));
    expect(check(KEY_N), "disabled").to.equal("INVALID_API_KEY");
    overlay.set(withNew(true, [{ planId: "premium", keyId: "n" }]));
    expect(check(KEY_N), "enabled again").to.equal("ok premium");
    overlay.set(withNew(true, []));
    expect(check(KEY_N), "detached").to.equal("INVALID_API_KEY");
    overlay.set((deployed) => deployed);
    expect(check(KEY_N), "deleted").to.equal("INVALID_API_KEY");
    expect(enforcer.usage("a").used, "the deployed key, counted throughout").to.equal(0);
  });

  it("counts a key moved to another plan against the new plan's quota, from zero", () => {
    const overlay = new HandOverlay();
    const enforcer = new UsagePlanEnforcer(DEPLOYED, { overlay, now: () => Date.UTC(2024, 0, 10, 12) });
    const outcomes = (n: number) => Array.from({ length: n }, () => enforcer.check(API, "dev", "/data", "GET", KEY_A)).map((r) => (r.ok ? r.planId : r.response));
    expect(outcomes(4)).to.deep.equal(["basic", "basic", "basic", "QUOTA_EXCEEDED"]);
    overlay.set((deployed) => ({ ...deployed, planKeys: [{ planId: "premium", keyId: "a" }] }));
    expect(outcomes(4)).to.deep.equal(["premium", "premium", "premium", "QUOTA_EXCEEDED"]);
    expect(enforcer.usage("a", "premium")).to.deep.include({ used: 3, remaining: 0 });
    // Back in the first plan, its count of the day stands.
    overlay.set((deployed) => deployed);
    expect(outcomes(1)).to.deep.equal(["QUOTA_EXCEEDED"]);
  });
});
