import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { DEFAULT_TIERS, TierArgs, UsageTiers, UsageTiersArgs, validateUsageTiersArgs } from "../../components/UsageTiers";
import { ProgramError, ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { descendantsOf, expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:UsageTiers",
  plan: "aws:apigateway/usagePlan:UsagePlan",
  key: "aws:apigateway/apiKey:ApiKey",
  planKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
  restApi: "aws:apigateway/restApi:RestApi",
  stage: "aws:apigateway/stage:Stage",
};

const CUSTOMERS = [
  { id: "acme", tier: "basic" },
  { id: "globex", tier: "premium" },
  { id: "initech", tier: "enterprise" },
  { id: "umbrella_co-2", tier: "basic" },
];

/** Runs UsageTiers "tiers" on a real (mocked) stage `dev`, with `args` on top. */
function runOnStage(args: Omit<UsageTiersArgs, "stage" | "apiId" | "stageName"> = {}): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    define: () => {
      const api = new aws.apigateway.RestApi("api", { name: "api" });
      const deployment = new aws.apigateway.Deployment("api-deployment", { restApi: api.id });
      const stage = new aws.apigateway.Stage("api-stage", { restApi: api.id, deployment: deployment.id, stageName: "dev" });
      const tiers = new UsageTiers("tiers", { stage, ...args });
      return { apiKeys: tiers.apiKeys, keyIds: tiers.keyIds, planIds: tiers.planIds };
    },
  });
}

function only(run: ProgramRun, type: string): RecordedResource {
  const found = run.graph.ofType(type);
  expect(found, type).to.have.length(1);
  return found[0];
}

function planNamed(run: ProgramRun, name: string): RecordedResource {
  const found = run.graph.ofType(T.plan).filter((p) => p.inputs.name === name);
  expect(found, `plans named ${name}`).to.have.length(1);
  return found[0];
}

function keyNamed(run: ProgramRun, name: string): RecordedResource {
  const found = run.graph.ofType(T.key).filter((k) => k.inputs.name === name);
  expect(found, `keys named ${name}`).to.have.length(1);
  return found[0];
}

/** What `fn` throws; fails the test when it does not throw. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the call to throw");
}

const STAGE_REF = { apiId: "a1b2c3d4e5", stageName: "dev" };
const refused = (args: Partial<UsageTiersArgs>) => messageOf(() => validateUsageTiersArgs({ ...STAGE_REF, ...args } as UsageTiersArgs));
const tier = (overrides: Partial<TierArgs> = {}): TierArgs => ({ name: "basic", throttle: { rateLimit: 10, burstLimit: 20 }, ...overrides });

describe("UsageTiers (under the mock control plane)", () => {
  describe("the default tiers on a stage, with customers", () => {
    let run: ProgramRun;
    before(async () => {
      run = await runOnStage({ customers: CUSTOMERS });
    });

    it("creates one usage plan per default tier, with its throttle and quota", () => {
      expect(run.graph.ofType(T.plan)).to.have.length(3);
      const basic = planNamed(run, "tiers-basic");
      expect(basic.inputs.description).to.equal("basic tier");
      expect(basic.inputs.throttleSettings).to.deep.equal({ rateLimit: 10, burstLimit: 20 });
      expect(basic.inputs.quotaSettings).to.deep.equal({ limit: 1000, period: "DAY", offset: 0 });
      const premium = planNamed(run, "tiers-premium");
      expect(premium.inputs.throttleSettings).to.deep.equal({ rateLimit: 100, burstLimit: 200 });
      expect(premium.inputs.quotaSettings).to.deep.equal({ limit: 10000, period: "DAY", offset: 0 });
      const enterprise = planNamed(run, "tiers-enterprise");
      expect(enterprise.inputs.throttleSettings).to.deep.equal({ rateLimit: 1000, burstLimit: 2000 });
      expect(enterprise.inputs).not.to.have.property("quotaSettings");
    });

    it("applies every plan to the stage's API and name, and makes it wait for the stage", () => {
      const api = only(run, T.restApi);
      const stage = only(run, T.stage);
      for (const plan of run.graph.ofType(T.plan)) {
        expect(plan.inputs.apiStages, plan.name).to.deep.equal([{ apiId: api.id, stage: "dev" }]);
        expect(plan.dependencies, plan.name).to.include(stage.urn);
      }
    });

    it("creates one enabled key per customer and lets API Gateway generate its value", () => {
      expect(run.graph.ofType(T.key)).to.have.length(CUSTOMERS.length);
      for (const customer of CUSTOMERS) {
        const key = keyNamed(run, `tiers-${customer.id}`);
        expect(key.inputs.enabled, customer.id).to.equal(true);
        expect(key.inputs.description).to.equal(`API key of ${customer.id} (${customer.tier} tier)`);
        expect(key.inputs, customer.id).not.to.have.property("value");
      }
    });

    it("tags each plan with its tier, and each key with its customer, the stage and origin config; sets the key's customerId (what the customers API finds them by)", () => {
      for (const plan of run.graph.ofType(T.plan)) expect(plan.inputs.tags, plan.name).to.deep.equal({ "apigw-kit:tier": plan.name.replace(/^tiers-/, "") });
      const api = only(run, T.restApi);
      for (const customer of CUSTOMERS) {
        const key = keyNamed(run, `tiers-${customer.id}`);
        expect(key.inputs.customerId, customer.id).to.equal(customer.id);
        expect(key.inputs.tags, customer.id).to.deep.equal({ customer: customer.id, "apigw-kit:stage": `${api.id}/dev`, "apigw-kit:origin": "config" });
      }
    });

    it("outputs the plan ids by tier in the clear", () => {
      expect(run.outputs.planIds.secret).to.equal(false);
      expect(run.outputs.planIds.value).to.deep.equal(Object.fromEntries(["basic", "premium", "enterprise"].map((t) => [t, planNamed(run, `tiers-${t}`).id])));
    });

    it("attaches each key to the plan of its customer's tier", () => {
      const planKeys = run.graph.ofType(T.planKey);
      expect(planKeys).to.have.length(CUSTOMERS.length);
      const attachments = planKeys.map((pk) => ({ keyId: pk.inputs.keyId, keyType: pk.inputs.keyType, usagePlanId: pk.inputs.usagePlanId }));
      expect(attachments).to.have.deep.members(
        CUSTOMERS.map((c) => ({ keyId: keyNamed(run, `tiers-${c.id}`).id, keyType: "API_KEY", usagePlanId: planNamed(run, `tiers-${c.tier}`).id })),
      );
    });

    it("outputs the key values by customer as a secret", () => {
      expect(run.outputs.apiKeys.secret).to.equal(true);
      const values = run.outputs.apiKeys.value as Record<string, string>;
      expect(Object.keys(values)).to.have.members(CUSTOMERS.map((c) => c.id));
      for (const customer of CUSTOMERS) {
        expect(values[customer.id], customer.id).to.equal(keyNamed(run, `tiers-${customer.id}`).state.value);
        expect(values[customer.id]).to.match(/^[A-Za-z0-9]{40}$/);
      }
    });

    it("outputs the key ids by customer in the clear", () => {
      expect(run.outputs.keyIds.secret).to.equal(false);
      expect(run.outputs.keyIds.value).to.deep.equal(Object.fromEntries(CUSTOMERS.map((c) => [c.id, keyNamed(run, `tiers-${c.id}`).id])));
    });

    it("parents every resource to the component", () => {
      const component = only(run, T.component);
      const children = [...run.graph.ofType(T.plan), ...run.graph.ofType(T.key), ...run.graph.ofType(T.planKey)];
      expect(children).to.have.length(3 + 2 * CUSTOMERS.length);
      for (const child of children) expect(child.parent, `${child.type} ${child.name}`).to.equal(component.urn);
    });
  });

  describe("custom tiers on an API id and stage name", () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram({
        stack: "dev",
        define: () => {
          const tiers = new UsageTiers("plans", {
            apiId: "a1b2c3d4e5",
            stageName: "prod",
            tiers: [
              {
                name: "free",
                description: "Try it out",
                throttle: { rateLimit: 0.5, burstLimit: 1 },
                quota: { limit: 100, period: "WEEK", offset: 30 },
                methodThrottles: { "/data/GET": { rateLimit: 0.1, burstLimit: 1 }, "//GET": { rateLimit: 0.2, burstLimit: 2 } },
              },
              { name: "pro", throttle: { rateLimit: 50, burstLimit: 50 }, quota: { limit: 500000, period: "MONTH" } },
            ],
            customers: [{ id: "hobbyist", tier: "free" }],
          });
          return { apiKeys: tiers.apiKeys, keyIds: tiers.keyIds };
        },
      });
    });

    it("passes quota periods, offsets and descriptions through", () => {
      const free = planNamed(run, "plans-free");
      expect(free.inputs.description).to.equal("Try it out");
      expect(free.inputs.throttleSettings).to.deep.equal({ rateLimit: 0.5, burstLimit: 1 });
      expect(free.inputs.quotaSettings).to.deep.equal({ limit: 100, period: "WEEK", offset: 30 });
      expect(planNamed(run, "plans-pro").inputs.quotaSettings).to.deep.equal({ limit: 500000, period: "MONTH", offset: 0 });
    });

    it("gives per-method throttles to the plan's API stage under AWS's paths", () => {
      expect(planNamed(run, "plans-free").inputs.apiStages).to.deep.equal([
        {
          apiId: "a1b2c3d4e5",
          stage: "prod",
          throttles: [
            { path: "/data/GET", rateLimit: 0.1, burstLimit: 1 },
            { path: "//GET", rateLimit: 0.2, burstLimit: 2 },
          ],
        },
      ]);
      expect(planNamed(run, "plans-pro").inputs.apiStages).to.deep.equal([{ apiId: "a1b2c3d4e5", stage: "prod" }]);
    });

    it("creates keys only for the customers given", () => {
      expect(run.graph.ofType(T.key).map((k) => k.inputs.name)).to.deep.equal(["plans-hobbyist"]);
      expect(only(run, T.planKey).inputs.usagePlanId).to.equal(planNamed(run, "plans-free").id);
      expect(Object.keys(run.outputs.apiKeys.value as object)).to.deep.equal(["hobbyist"]);
      expect(run.outputs.apiKeys.secret).to.equal(true);
    });
  });

  it("without customers creates the plans and no key, and outputs an empty secret record", async () => {
    const run = await runOnStage();
    expect(run.graph.ofType(T.plan).map((p) => p.inputs.name)).to.have.members(["tiers-basic", "tiers-premium", "tiers-enterprise"]);
    expect(run.graph.ofType(T.key)).to.have.length(0);
    expect(run.graph.ofType(T.planKey)).to.have.length(0);
    expect(run.outputs.apiKeys).to.deep.equal({ value: {}, secret: true });
  });

  it("refuses bad arguments before creating any child, with a ResourceError carrying the component", async () => {
    let error: unknown;
    try {
      await runOnStage({ customers: [{ id: "acme", tier: "gold" }] });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ProgramError);
    expect((error as ProgramError).message).to.equal('customers[0] (acme).tier "gold" is not a tier (tiers: basic, premium, enterprise)');
    expect((error as ProgramError).cause).to.be.instanceOf(pulumi.ResourceError);
    const graph = (error as ProgramError).graph;
    expect(graph.ofType(T.component).map((c) => c.name)).to.deep.equal(["tiers"]);
    for (const type of [T.plan, T.key, T.planKey]) expect(graph.ofType(type), type).to.have.length(0);
  });
});

describe("validateUsageTiersArgs", () => {
  it("defaults to the basic, premium and enterprise tiers and no customers", () => {
    const spec = validateUsageTiersArgs(STAGE_REF);
    expect(spec.tiers.map((t) => [t.name, t.throttle, t.quota])).to.deep.equal([
      ["basic", { rateLimit: 10, burstLimit: 20 }, { limit: 1000, period: "DAY" }],
      ["premium", { rateLimit: 100, burstLimit: 200 }, { limit: 10000, period: "DAY" }],
      ["enterprise", { rateLimit: 1000, burstLimit: 2000 }, undefined],
    ]);
    expect(spec.tiers).to.have.length(DEFAULT_TIERS.length);
    expect(spec.customers).to.deep.equal([]);
  });

  describe("the stage", () => {
    it("refuses both a stage and an API id / stage name", () => {
      const stage = {} as aws.apigateway.Stage;
      expect(messageOf(() => validateUsageTiersArgs({ stage, apiId: "a1b2c3d4e5" }))).to.equal("stage: give either stage or apiId with stageName, not both");
      expect(messageOf(() => validateUsageTiersArgs({ stage, stageName: "dev" }))).to.equal("stage: give either stage or apiId with stageName, not both");
    });

    it("refuses an API id without a stage name, and the reverse", () => {
      expect(messageOf(() => validateUsageTiersArgs({ apiId: "a1b2c3d4e5" }))).to.equal("apiId and stageName are required when stage is not given");
      expect(messageOf(() => validateUsageTiersArgs({ stageName: "dev" }))).to.equal("apiId and stageName are required when stage is not given");
      expect(messageOf(() => validateUsageTiersArgs({}))).to.equal("apiId and stageName are required when stage is not given");
    });
  });

  describe("tiers", () => {
    it("refuses an empty list", () => {
      expect(refused({ tiers: [] })).to.equal("tiers must list at least one tier");
    });

    it("refuses an empty or missing name", () => {
      expect(refused({ tiers: [tier(), tier({ name: "" })] })).to.equal('tiers[1].name must be a non-empty string (got "")');
      expect(refused({ tiers: [tier({ name: "  " })] })).to.equal('tiers[0].name must be a non-empty string (got "  ")');
      expect(refused({ tiers: [tier({ name: undefined as never })] })).to.equal("tiers[0].name must be a non-empty string (got undefined)");
    });

    it("refuses a name used twice", () => {
      expect(refused({ tiers: [tier(), tier({ name: "pro" }), tier()] })).to.equal('tiers[2].name "basic" is used by tiers[0] as well: tier names must be unique');
    });

    it("refuses a tier without a throttle", () => {
      expect(refused({ tiers: [tier({ throttle: undefined as never })] })).to.equal("tiers[0] (basic).throttle is required: every tier limits its keys' request rate");
    });

    // One throttle rule everywhere (components/apigateway/throttling.ts): AWS's types (rate a
    // number >= 0, burst an integer >= 0), and no empty bucket under a positive rate.
    it("accepts a burst below the rate, as AWS does (CDK's own example is rate 10, burst 2)", () => {
      expect(() => validateUsageTiersArgs({ ...STAGE_REF, tiers: [tier({ throttle: { rateLimit: 10, burstLimit: 2 } })] })).not.to.throw();
      expect(() => validateUsageTiersArgs({ ...STAGE_REF, tiers: [tier({ throttle: { rateLimit: 0, burstLimit: 0 } })] })).not.to.throw();
    });

    it("refuses a rate that is not a number >= 0", () => {
      expect(refused({ tiers: [tier({ throttle: { rateLimit: -1, burstLimit: 5 } })] })).to.equal("tiers[0] (basic).throttle.rateLimit must be a number >= 0 (got -1)");
      expect(refused({ tiers: [tier({ throttle: { rateLimit: "10" as never, burstLimit: 5 } })] })).to.equal('tiers[0] (basic).throttle.rateLimit must be a number >= 0 (got "10")');
      expect(refused({ tiers: [tier({ throttle: { rateLimit: Infinity, burstLimit: 5 } })] })).to.equal("tiers[0] (basic).throttle.rateLimit must be a number >= 0 (got Infinity)");
    });

    it("refuses an empty bucket under a positive rate: it would admit nothing", () => {
      expect(refused({ tiers: [tier({ throttle: { rateLimit: 10, burstLimit: 0 } })] })).to.equal(
        "tiers[0] (basic).throttle.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing",
      );
    });

    it("accepts a fractional rate but refuses a fractional burst (AWS types it as an integer)", () => {
      expect(() => validateUsageTiersArgs({ ...STAGE_REF, tiers: [tier({ throttle: { rateLimit: 0.5, burstLimit: 1 } })] })).not.to.throw();
      expect(refused({ tiers: [tier({ throttle: { rateLimit: 1, burstLimit: 2.5 } })] })).to.equal("tiers[0] (basic).throttle.burstLimit must be an integer >= 0 (got 2.5)");
      expect(refused({ tiers: [tier({ throttle: { rateLimit: 1 } as never })] })).to.equal("tiers[0] (basic).throttle.burstLimit must be an integer >= 0 (got undefined)");
    });

    it("names the tier by its index and name", () => {
      expect(refused({ tiers: [tier(), tier({ name: "pro", throttle: { rateLimit: 100, burstLimit: -50 } })] })).to.equal(
        "tiers[1] (pro).throttle.burstLimit must be an integer >= 0 (got -50)",
      );
    });
  });

  describe("quotas", () => {
    it("refuses a limit that is not a positive integer", () => {
      expect(refused({ tiers: [tier({ quota: { limit: 0, period: "DAY" } })] })).to.equal("tiers[0] (basic).quota.limit must be a positive integer (got 0)");
      expect(refused({ tiers: [tier({ quota: { limit: 10.5, period: "DAY" } })] })).to.equal("tiers[0] (basic).quota.limit must be a positive integer (got 10.5)");
      expect(refused({ tiers: [tier({ quota: { limit: -5, period: "DAY" } })] })).to.equal("tiers[0] (basic).quota.limit must be a positive integer (got -5)");
    });

    it("refuses a period other than DAY, WEEK and MONTH", () => {
      expect(refused({ tiers: [tier({ quota: { limit: 10, period: "YEAR" as never } })] })).to.equal('tiers[0] (basic).quota.period must be DAY, WEEK or MONTH (got "YEAR")');
      expect(refused({ tiers: [tier({ quota: { limit: 10, period: "day" as never } })] })).to.equal('tiers[0] (basic).quota.period must be DAY, WEEK or MONTH (got "day")');
    });

    it("accepts an offset from 0 to limit - 1 and refuses others", () => {
      for (const offset of [0, 5, 9]) {
        expect(() => validateUsageTiersArgs({ ...STAGE_REF, tiers: [tier({ quota: { limit: 10, period: "WEEK", offset } })] }), String(offset)).not.to.throw();
      }
      const message = (got: string) => `tiers[0] (basic).quota.offset must be an integer from 0 to 9 (limit - 1) (got ${got})`;
      expect(refused({ tiers: [tier({ quota: { limit: 10, period: "MONTH", offset: 10 } })] })).to.equal(message("10"));
      expect(refused({ tiers: [tier({ quota: { limit: 10, period: "DAY", offset: -1 } })] })).to.equal(message("-1"));
      expect(refused({ tiers: [tier({ quota: { limit: 10, period: "DAY", offset: 1.5 } })] })).to.equal(message("1.5"));
    });
  });

  describe("method throttles", () => {
    it("accepts AWS's /{resource path}/{METHOD} paths, the root's included", () => {
      const methodThrottles = { "/data/GET": { rateLimit: 1, burstLimit: 1 }, "/users/{id}/DELETE": { rateLimit: 1, burstLimit: 2 }, "//GET": { rateLimit: 2, burstLimit: 2 }, "/files/{proxy+}/ANY": { rateLimit: 1, burstLimit: 1 } };
      expect(validateUsageTiersArgs({ ...STAGE_REF, tiers: [tier({ methodThrottles })] }).tiers[0].methodThrottles).to.deep.equal(methodThrottles);
    });

    it("refuses method-settings style keys and unknown methods", () => {
      const message = (key: string) =>
        `tiers[0] (basic).methodThrottles["${key}"]: keys are AWS's "/{resource path}/{METHOD}", like "/data/GET", "/users/{id}/DELETE" or "//GET" for the root`;
      for (const key of ["data/GET", "/data/get", "/data/FETCH", "/data", "*/*", "/data//GET"]) {
        expect(refused({ tiers: [tier({ methodThrottles: { [key]: { rateLimit: 1, burstLimit: 1 } } })] }), key).to.equal(message(key));
      }
    });

    it("checks each method throttle like the tier's", () => {
      expect(refused({ tiers: [tier({ methodThrottles: { "/data/GET": { rateLimit: 5, burstLimit: 0 } } })] })).to.equal(
        'tiers[0] (basic).methodThrottles["/data/GET"].burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing',
      );
      expect(refused({ tiers: [tier({ methodThrottles: { "/data/GET": { rateLimit: -1, burstLimit: 1 } } })] })).to.equal(
        'tiers[0] (basic).methodThrottles["/data/GET"].rateLimit must be a number >= 0 (got -1)',
      );
    });
  });

  describe("customers", () => {
    it("refuses ids that are empty, too long or not [A-Za-z0-9_-]", () => {
      const message = (i: number, got: string) => `customers[${i}].id must be 1-64 letters, digits, '_' or '-' (got ${got})`;
      expect(refused({ customers: [{ id: "", tier: "basic" }] })).to.equal(message(0, '""'));
      expect(refused({ customers: [{ id: "acme", tier: "basic" }, { id: "a b", tier: "basic" }] })).to.equal(message(1, '"a b"'));
      expect(refused({ customers: [{ id: "x".repeat(65), tier: "basic" }] })).to.equal(message(0, `"${"x".repeat(65)}"`));
      expect(refused({ customers: [{ id: "acme.com", tier: "basic" }] })).to.equal(message(0, '"acme.com"'));
      expect(() => validateUsageTiersArgs({ ...STAGE_REF, customers: [{ id: "x".repeat(64), tier: "basic" }] })).not.to.throw();
    });

    it("refuses an id used twice", () => {
      expect(refused({ customers: [{ id: "acme", tier: "basic" }, { id: "globex", tier: "basic" }, { id: "acme", tier: "premium" }] })).to.equal(
        'customers[2].id "acme" is used by customers[0] as well: customer ids must be unique',
      );
    });

    it("refuses a tier that does not exist, listing the tiers", () => {
      expect(refused({ customers: [{ id: "a", tier: "basic" }, { id: "b", tier: "premium" }, { id: "acme", tier: "gold" }] })).to.equal(
        'customers[2] (acme).tier "gold" is not a tier (tiers: basic, premium, enterprise)',
      );
      expect(refused({ tiers: [tier({ name: "free" })], customers: [{ id: "acme", tier: "basic" }] })).to.equal('customers[0] (acme).tier "basic" is not a tier (tiers: free)');
    });
  });
});

describe("UsageTiers tags and transforms", () => {
  const TAGS = { team: "payments", costCenter: "1234" };

  it("puts the tags on every taggable child: each usage plan and each API key", async () => {
    const run = await runOnStage({ customers: CUSTOMERS, tags: TAGS });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.filter((r) => r.type === T.plan), "plans").to.have.length(3);
    expect(tagged.filter((r) => r.type === T.key), "keys").to.have.length(CUSTOMERS.length);
  });

  it("without tags, gives the children only the tags the customers API finds them by (the provider's default tags apply besides)", async () => {
    const run = await runOnStage({ customers: CUSTOMERS });
    for (const child of descendantsOf(run, T.component)) {
      const own = child.type === T.plan ? ["apigw-kit:tier"] : child.type === T.key ? ["apigw-kit:origin", "apigw-kit:stage", "customer"] : [];
      expect(Object.keys(child.inputs.tags ?? {}).sort(), `${child.type} ${child.name}`).to.deep.equal(own);
    }
  });

  it("keeps its own tags over a component tag of the same key", async () => {
    const run = await runOnStage({ customers: CUSTOMERS, tags: { customer: "someone-else", "apigw-kit:tier": "gold" } });
    expect(planNamed(run, "tiers-basic").inputs.tags["apigw-kit:tier"]).to.equal("basic");
    expect(keyNamed(run, "tiers-acme").inputs.tags.customer).to.equal("acme");
  });

  it("merges a transform object over every usage plan's args, keeping the tier's settings and the tags", async () => {
    const run = await runOnStage({ tags: TAGS, transform: { usagePlan: { productCode: "apigw-kit" } } });
    const plans = run.graph.ofType(T.plan);
    expect(plans.map((p) => p.inputs.productCode)).to.deep.equal(["apigw-kit", "apigw-kit", "apigw-kit"]);
    const basic = planNamed(run, "tiers-basic");
    expect(basic.inputs.throttleSettings).to.deep.equal({ rateLimit: 10, burstLimit: 20 });
    expect(basic.inputs.tags).to.deep.equal({ ...TAGS, "apigw-kit:tier": "basic" });
  });

  it("lets a transform function change one key's args (by its name) and its options", async () => {
    // The mocks record a resource's inputs and dependencies, not its other options (protect,
    // ignoreChanges...): the function's change to the options is seen through dependsOn.
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const gate = new aws.sns.Topic("gate", {});
        const tiers = new UsageTiers("tiers", {
          ...STAGE_REF,
          customers: CUSTOMERS,
          transform: {
            apiKey: (args, opts, name) => {
              if (name === "tiers-key-acme") args.enabled = false;
              opts.dependsOn = [gate];
            },
          },
        });
        return { keyIds: tiers.keyIds };
      },
    });
    expect(keyNamed(run, "tiers-acme").inputs.enabled).to.equal(false);
    expect(keyNamed(run, "tiers-globex").inputs.enabled).to.equal(true);
    const gate = run.graph.resources.find((r) => r.name === "gate")!;
    for (const key of run.graph.ofType(T.key)) expect(key.dependencies, key.name).to.include(gate.urn);
  });

  it("calls the key and the attachment transforms once per customer, with its name; every key gets the change", async () => {
    const keyNames: string[] = [];
    const attachmentNames: string[] = [];
    const run = await runOnStage({
      customers: CUSTOMERS,
      transform: {
        apiKey: (args, _opts, name) => {
          keyNames.push(name);
          args.description = `${name} (managed)`;
        },
        usagePlanKey: (_args, _opts, name) => {
          attachmentNames.push(name);
        },
      },
    });
    expect(keyNames).to.deep.equal(CUSTOMERS.map((c) => `tiers-key-${c.id}`));
    expect(attachmentNames).to.deep.equal(CUSTOMERS.map((c) => `tiers-key-${c.id}-plan`));
    for (const c of CUSTOMERS) expect(keyNamed(run, `tiers-${c.id}`).inputs.description).to.equal(`tiers-key-${c.id} (managed)`);
    expect(run.graph.ofType(T.planKey)).to.have.length(CUSTOMERS.length);
  });
});
