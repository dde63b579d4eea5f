import { expect } from "chai";
import type { RestInvocation } from "../../../../local/restGateway/invocation";
import { checkApiKeyAndThrottle } from "../../../../local/restGateway/steps/apiKeyAndPlan";
import { API_ID, FakeUsagePlans, STAGE, gatewayErrorOf, harness, method, request } from "./stepHarness";

const KEY = "k".repeat(30);

function setup(options: { accountThrottle?: { rate: number; burst: number }; apiKeySource?: "HEADER" | "AUTHORIZER"; usagePlans?: FakeUsagePlans | null } = {}) {
  const plans = options.usagePlans === null ? undefined : (options.usagePlans ?? new FakeUsagePlans());
  const h = harness({
    accountThrottle: options.accountThrottle ?? { rate: 100, burst: 100 },
    usagePlans: plans?.enforcer,
    methods: [method("GET", "/limited"), method("GET", "/open"), method("POST", "/paid/{id}", { apiKeyRequired: true })],
    model: {
      apiKeySource: options.apiKeySource ?? "HEADER",
      methodSettings: { "~1limited/GET": { throttlingRateLimit: 1, throttlingBurstLimit: 2 }, "~1paid~1{id}/POST": { throttlingRateLimit: 5, throttlingBurstLimit: 5 } },
    },
  });
  const limited = () => h.invocation("GET /limited", request({ path: "/limited" }));
  const open = () => h.invocation("GET /open", request({ path: "/open" }));
  const paid = (headers: Array<[string, string]> = []) => h.invocation("POST /paid/{id}", request({ httpMethod: "POST", path: "/paid/9", headers }));
  const stageBucketOf = (inv: RestInvocation) => h.stage.throttleBuckets(inv.method!, inv.settings)[0];
  return { ...h, plans, limited, open, paid, stageBucketOf };
}

/** Runs the step; "ok" or the GatewayError's type. */
function outcome(inv: RestInvocation, stage: ReturnType<typeof setup>["stage"]): string {
  try {
    checkApiKeyAndThrottle(inv, stage);
    return "ok";
  } catch (err) {
    return (err as { type?: string }).type ?? String(err);
  }
}

describe("REST gateway steps: API key and plan", () => {
  describe("methods without an API key", () => {
    it("are THROTTLED past the method's stage limit, and refill at its rate", async () => {
      const h = setup();
      expect([1, 2, 3].map(() => outcome(h.limited(), h.stage))).to.deep.equal(["ok", "ok", "THROTTLED"]);
      const error = await gatewayErrorOf(() => checkApiKeyAndThrottle(h.limited(), h.stage));
      expect(error.type).to.equal("THROTTLED");
      h.clock.advance(1000);
      expect([1, 2].map(() => outcome(h.limited(), h.stage))).to.deep.equal(["ok", "THROTTLED"]);
    });

    it("keep one stage bucket per method: another method is not limited by it", () => {
      const h = setup();
      for (let i = 0; i < 3; i++) outcome(h.limited(), h.stage);
      expect([1, 2, 3].map(() => outcome(h.open(), h.stage))).to.deep.equal(["ok", "ok", "ok"]);
      expect(h.stage.throttleBuckets(h.open().method!, h.open().settings)).to.deep.equal([h.stage.accountBucket]);
    });

    it("are THROTTLED by the account limit, which every method draws on", () => {
      const h = setup({ accountThrottle: { rate: 0, burst: 2 } });
      expect([outcome(h.open(), h.stage), outcome(h.limited(), h.stage), outcome(h.open(), h.stage)]).to.deep.equal(["ok", "ok", "THROTTLED"]);
    });

    it("take no account token when the stage limit refuses", () => {
      const h = setup({ accountThrottle: { rate: 0, burst: 10 } });
      for (let i = 0; i < 2; i++) expect(outcome(h.limited(), h.stage)).to.equal("ok");
      expect(h.stage.accountBucket.available()).to.equal(8);
      expect(outcome(h.limited(), h.stage)).to.equal("THROTTLED");
      expect(h.stage.accountBucket.available()).to.equal(8);
    });

    it("take no stage token when the account limit refuses", () => {
      const h = setup({ accountThrottle: { rate: 0, burst: 1 } });
      expect(outcome(h.open(), h.stage)).to.equal("ok");
      const inv = h.limited();
      expect(outcome(inv, h.stage)).to.equal("THROTTLED");
      expect(h.stageBucketOf(inv).available()).to.equal(2);
    });

    it("never consult the usage plans", () => {
      const h = setup();
      checkApiKeyAndThrottle(h.open(), h.stage);
      expect(h.plans!.calls).to.have.length(0);
    });
  });

  describe("methods requiring an API key", () => {
    it("HEADER source: checks the x-api-key header (any case) for the method as declared, with the stage and account buckets", () => {
      const h = setup();
      const inv = h.paid([["X-API-Key", KEY]]);
      checkApiKeyAndThrottle(inv, h.stage);
      expect(h.plans!.calls).to.have.length(1);
      expect(h.plans!.calls[0].args).to.deep.equal([API_ID, STAGE, "/paid/{id}", "POST", KEY]);
      const buckets = h.plans!.calls[0].alsoThrottle as unknown[];
      expect(buckets).to.have.length(2);
      expect(buckets[0]).to.equal(h.stageBucketOf(inv));
      expect(buckets[1]).to.equal(h.stage.accountBucket);
      // The plan takes the tokens, not the step: the (fake) plan took none.
      expect(h.stage.accountBucket.available()).to.equal(100);
    });

    it("sets $context.identity.apiKey and apiKeyId on success", () => {
      const h = setup({ usagePlans: new FakeUsagePlans({ ok: true, keyId: "key-77", planId: "gold" }) });
      const inv = h.paid([["x-api-key", KEY]]);
      checkApiKeyAndThrottle(inv, h.stage);
      const identity = inv.context.identity as Record<string, unknown>;
      expect(identity.apiKey).to.equal(KEY);
      expect(identity.apiKeyId).to.equal("key-77");
    });

    it("HEADER source without the header: the check gets no key", async () => {
      const h = setup({ usagePlans: new FakeUsagePlans({ ok: false, response: "INVALID_API_KEY" }) });
      const error = await gatewayErrorOf(() => checkApiKeyAndThrottle(h.paid(), h.stage));
      expect(error.type).to.equal("INVALID_API_KEY");
      expect(h.plans!.calls[0].args[4]).to.equal(undefined);
    });

    it("AUTHORIZER source: the authorizer's usageIdentifierKey is the key, the header is ignored", () => {
      const h = setup({ apiKeySource: "AUTHORIZER" });
      const inv = h.paid([["x-api-key", "h".repeat(30)]]);
      inv.authorized = { kind: "allow", principalId: "p", context: {}, usageIdentifierKey: KEY };
      checkApiKeyAndThrottle(inv, h.stage);
      expect(h.plans!.calls[0].args[4]).to.equal(KEY);
      expect((inv.context.identity as Record<string, unknown>).apiKey).to.equal(KEY);
    });

    it("AUTHORIZER source without an authorizer's key: the check gets no key", () => {
      const h = setup({ apiKeySource: "AUTHORIZER" });
      checkApiKeyAndThrottle(h.paid([["x-api-key", KEY]]), h.stage);
      expect(h.plans!.calls[0].args[4]).to.equal(undefined);
    });

    for (const response of ["INVALID_API_KEY", "THROTTLED", "QUOTA_EXCEEDED"] as const) {
      it(`throws the usage-plan check's ${response} and sets no identity key`, async () => {
        const h = setup({ usagePlans: new FakeUsagePlans({ ok: false, response }) });
        const inv = h.paid([["x-api-key", KEY]]);
        const error = await gatewayErrorOf(() => checkApiKeyAndThrottle(inv, h.stage));
        expect(error.type).to.equal(response);
        expect(error.options).to.deep.equal({});
        expect((inv.context.identity as Record<string, unknown>).apiKey).to.equal(undefined);
      });
    }

    it("refuses every key with INVALID_API_KEY when the stage has no usage plans", async () => {
      const h = setup({ usagePlans: null });
      const error = await gatewayErrorOf(() => checkApiKeyAndThrottle(h.paid([["x-api-key", KEY]]), h.stage));
      expect(error.type).to.equal("INVALID_API_KEY");
    });
  });
});
