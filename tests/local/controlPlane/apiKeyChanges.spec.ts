import { expect } from "chai";
import { ApiKeyChanges, editedKey } from "../../../local/apiGateway/apiKeyChanges";
import type { ApiKeyResource } from "../../../local/apiGateway/deployedUsagePlans";
import type { UsagePlanModels } from "../../../local/restGateway/usagePlanModels";

const T = Date.UTC(2024, 0, 10, 12);

const DEPLOYED: UsagePlanModels = {
  plans: [
    { id: "basic", name: "basic", stages: [] },
    { id: "premium", name: "premium", stages: [] },
  ],
  keys: [
    { id: "acme", value: "A".repeat(40), enabled: true, name: "usage-acme" },
    { id: "globex", value: "G".repeat(40), enabled: true, name: "usage-globex" },
  ],
  planKeys: [
    { planId: "basic", keyId: "acme" },
    { planId: "premium", keyId: "globex" },
  ],
};

function resource(id: string, overrides: Partial<ApiKeyResource> = {}): ApiKeyResource {
  return { id, value: id.toUpperCase().padEnd(40, "x"), name: id, enabled: true, tags: {}, createdDate: T, lastUpdatedDate: T, ...overrides };
}

const summary = (models: UsagePlanModels) => ({
  keys: models.keys.map((k) => `${k.id}${k.enabled ? "" : " (disabled)"}`),
  planKeys: models.planKeys.map((pk) => `${pk.planId}/${pk.keyId}`),
});

describe("ApiKeyChanges", () => {
  it("applies nothing until changed", () => {
    const changes = new ApiKeyChanges();
    expect(summary(changes.apply(DEPLOYED))).to.deep.equal({ keys: ["acme", "globex"], planKeys: ["basic/acme", "premium/globex"] });
    expect(changes.revision).to.equal(0);
  });

  it("adds keys created and plan keys attached, after the program's; disables, deletes and detaches", () => {
    const changes = new ApiKeyChanges();
    changes.createKey(resource("newco"));
    changes.attach({ planId: "basic", keyId: "newco" });
    changes.editKey("acme", { enabled: false });
    changes.detach({ planId: "premium", keyId: "globex" });
    changes.attach({ planId: "basic", keyId: "globex" });
    expect(summary(changes.apply(DEPLOYED))).to.deep.equal({ keys: ["acme (disabled)", "globex", "newco"], planKeys: ["basic/acme", "basic/newco", "basic/globex"] });
    changes.deleteKey("acme");
    changes.deleteKey("newco");
    expect(summary(changes.apply(DEPLOYED))).to.deep.equal({ keys: ["globex"], planKeys: ["basic/globex"] });
    expect(changes.revision).to.equal(7);
  });

  it("cancels a detach by an attach of the same plan key, and an attach by a detach, leaving no trace", () => {
    const changes = new ApiKeyChanges();
    changes.detach({ planId: "basic", keyId: "acme" });
    changes.attach({ planId: "basic", keyId: "acme" });
    changes.attach({ planId: "premium", keyId: "acme" });
    changes.detach({ planId: "premium", keyId: "acme" });
    expect(changes.snapshot()).to.deep.include({ attached: [], detached: [] });
    expect(summary(changes.apply(DEPLOYED)).planKeys).to.deep.equal(["basic/acme", "premium/globex"]);
  });

  it("edits the program's keys field by field (null removes one) and keys created at run time in place", () => {
    const changes = new ApiKeyChanges();
    changes.editKey("acme", { name: "renamed", description: "d" });
    changes.editKey("acme", { description: null, customerId: "c-1", tags: { customer: "c-1" }, lastUpdatedDate: T + 1 });
    changes.createKey(resource("newco", { description: "new" }));
    changes.editKey("newco", { description: null, enabled: false });
    const keys = changes.apiKeys([resource("acme", { description: "program's" }), resource("globex")]);
    expect(keys.map((k) => ({ id: k.id, name: k.name, description: k.description, customerId: k.customerId, enabled: k.enabled, tags: k.tags }))).to.deep.equal([
      { id: "acme", name: "renamed", description: undefined, customerId: "c-1", enabled: true, tags: { customer: "c-1" } },
      { id: "globex", name: "globex", description: undefined, customerId: undefined, enabled: true, tags: {} },
      { id: "newco", name: "newco", description: undefined, customerId: undefined, enabled: false, tags: {} },
    ]);
    expect(keys[0].lastUpdatedDate).to.equal(T + 1);
    expect(editedKey(resource("x"), undefined)).to.deep.equal(resource("x"));
  });

  it("round-trips through its snapshot (as JSON) and tells each change to its listeners", () => {
    const changes = new ApiKeyChanges();
    const told: number[] = [];
    changes.onChange(() => told.push(changes.revision));
    changes.createKey(resource("newco"));
    changes.attach({ planId: "premium", keyId: "newco" });
    changes.editKey("globex", { enabled: false });
    changes.deleteKey("acme");
    changes.detach({ planId: "premium", keyId: "globex" });
    changes.tagPlan("basic", { owner: "billing" });
    expect(told).to.deep.equal([1, 2, 3, 4, 5, 6]);
    const again = new ApiKeyChanges(JSON.parse(JSON.stringify(changes.snapshot())));
    expect(again.snapshot()).to.deep.equal(changes.snapshot());
    expect(summary(again.apply(DEPLOYED))).to.deep.equal(summary(changes.apply(DEPLOYED)));
    expect(again.tagsOfPlan("basic", {})).to.deep.equal({ owner: "billing" });
    expect(again.tagsOfPlan("premium", { tier: "premium" })).to.deep.equal({ tier: "premium" });
  });

  it("drops the plan keys of a deleted key, and ignores plan keys of keys that no longer exist", () => {
    const changes = new ApiKeyChanges();
    changes.createKey(resource("newco"));
    changes.attach({ planId: "basic", keyId: "newco" });
    changes.deleteKey("newco");
    expect(changes.snapshot()).to.deep.include({ created: [], attached: [] });
    // A program that no longer declares globex: its plan key goes with it.
    const withoutGlobex = { ...DEPLOYED, keys: DEPLOYED.keys.filter((k) => k.id !== "globex") };
    expect(summary(changes.apply(withoutGlobex)).planKeys).to.deep.equal(["basic/acme"]);
  });
});
