/**
 * Usage plans and the keys in them through the local API Gateway endpoint, driven by the
 * real SDK; each change is checked at the gateway's enforcer too.
 */
import {
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
} from "@aws-sdk/client-api-gateway";
import { expect } from "chai";
import { ACME, API, awsError, keyValue, PLAN, startControlPlane, type ControlPlaneHarness } from "./controlPlaneHarness";

describe("local API Gateway endpoint: usage plans and their keys", () => {
  let h: ControlPlaneHarness;

  beforeEach(async () => (h = await startControlPlane()));
  afterEach(async () => h?.stop());

  /** A new enabled key with a known value. */
  async function newKey(label: string) {
    const value = keyValue(label);
    const key = await h.client.send(new CreateApiKeyCommand({ name: label, value, enabled: true }));
    return { id: key.id!, value };
  }

  describe("GetUsagePlans and GetUsagePlan", () => {
    it("lists the program's plans as AWS shapes them: stages, throttle, quota with its offset; tags only when some", async () => {
      const plans = await h.client.send(new GetUsagePlansCommand({}));
      expect(plans.items).to.deep.equal([
        {
          id: PLAN.basic,
          name: "usage-basic",
          description: "basic tier",
          apiStages: [{ apiId: API, stage: "dev" }],
          throttle: { burstLimit: 100, rateLimit: 100 },
          quota: { limit: 5, offset: 0, period: "DAY" },
          tags: { tier: "basic" },
        },
        { id: PLAN.premium, name: "usage-premium", apiStages: [{ apiId: API, stage: "dev" }], quota: { limit: 100, offset: 0, period: "MONTH" } },
        { id: PLAN.prod, name: "usage-prod", apiStages: [{ apiId: API, stage: "prod" }] },
      ]);
    });

    it("filters by keyId: the plans holding the key", async () => {
      const ids = async (keyId: string) => (await h.client.send(new GetUsagePlansCommand({ keyId }))).items?.map((p) => p.id);
      expect(await ids(ACME.id)).to.deep.equal([PLAN.basic]);
      const key = await newKey("filter");
      expect(await ids(key.id)).to.deep.equal([]);
      await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.prod, keyId: key.id, keyType: "API_KEY" }));
      await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.premium, keyId: key.id, keyType: "API_KEY" }));
      expect(await ids(key.id)).to.deep.equal([PLAN.premium, PLAN.prod]);
    });

    it("gets one plan, its tags always (`{}` without any); an unknown id is AWS's NotFoundException", async () => {
      expect(await h.client.send(new GetUsagePlanCommand({ usagePlanId: PLAN.prod }))).to.deep.include({ id: PLAN.prod, tags: {} });
      expect(await awsError(h.client.send(new GetUsagePlanCommand({ usagePlanId: "nosuch" })))).to.deep.equal({
        name: "NotFoundException",
        status: 404,
        message: "Invalid Usage Plan ID specified",
      });
    });
  });

  describe("CreateUsagePlanKey", () => {
    it("puts a key in a plan (201, the key's id, type, value and name): it works on the very next request", async () => {
      const key = await newKey("new-customer");
      expect(h.gateway(key.value)).to.equal("INVALID_API_KEY");
      const planKey = await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.premium, keyId: key.id, keyType: "API_KEY" }));
      expect(planKey.$metadata.httpStatusCode).to.equal(201);
      expect(planKey).to.deep.include({ id: key.id, type: "API_KEY", value: key.value, name: "new-customer" });
      expect(h.gateway(key.value)).to.equal(`ok ${PLAN.premium}`);
    });

    it("refuses the same plan twice, and a second plan of the same API stage (409 ConflictException); another stage's plan is fine", async () => {
      expect(await awsError(h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.basic, keyId: ACME.id, keyType: "API_KEY" })))).to.deep.equal({
        name: "ConflictException",
        status: 409,
        message: `API Key ${ACME.id} is already in Usage Plan ${PLAN.basic}`,
      });
      expect(await awsError(h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.premium, keyId: ACME.id, keyType: "API_KEY" })))).to.deep.equal({
        name: "ConflictException",
        status: 409,
        message: `Usage Plan ${PLAN.premium} cannot be added because API Key ${ACME.id} cannot reference multiple Usage Plans with the same API Stage: ${API}:dev`,
      });
      await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.prod, keyId: ACME.id, keyType: "API_KEY" }));
      expect(h.gateway(ACME.value, "prod")).to.equal(`ok ${PLAN.prod}`);
      expect(h.gateway(ACME.value, "dev")).to.equal(`ok ${PLAN.basic}`);
    });

    it("answers an unknown plan, an unknown key and a key type other than API_KEY as AWS does", async () => {
      const attach = (usagePlanId: string, keyId: string, keyType = "API_KEY") => awsError(h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType })));
      expect(await attach("nosuch", ACME.id)).to.deep.equal({ name: "NotFoundException", status: 404, message: "Invalid Usage Plan ID specified" });
      expect(await attach(PLAN.prod, "nosuchkey0")).to.deep.equal({ name: "NotFoundException", status: 404, message: "Invalid API Key identifier specified" });
      expect(await attach(PLAN.prod, ACME.id, "OTHER")).to.deep.equal({ name: "BadRequestException", status: 400, message: "Invalid key type specified: OTHER. Must be API_KEY" });
    });
  });

  describe("GetUsagePlanKeys and GetUsagePlanKey", () => {
    it("lists a plan's keys newest first, with a case-sensitive name prefix; an unknown plan has none (as AWS answers)", async () => {
      const one = await newKey("test-key-one");
      const two = await newKey("test-key-two");
      for (const key of [one, two]) await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.premium, keyId: key.id, keyType: "API_KEY" }));
      const ids = async (nameQuery?: string, usagePlanId = PLAN.premium) => (await h.client.send(new GetUsagePlanKeysCommand({ usagePlanId, nameQuery }))).items?.map((k) => k.id);
      expect(await ids()).to.deep.equal([two.id, one.id]);
      expect(await ids("test-key")).to.deep.equal([two.id, one.id]);
      expect(await ids("TEST-key")).to.deep.equal([]);
      expect(await ids("test-key-one")).to.deep.equal([one.id]);
      expect(await ids(undefined, "bad-id")).to.deep.equal([]);
      const listed = await h.client.send(new GetUsagePlanKeysCommand({ usagePlanId: PLAN.basic }));
      expect(listed.items).to.deep.equal([{ id: ACME.id, type: "API_KEY", value: ACME.value, name: "usage-acme" }]);
    });

    it("gets a key of a plan; a key not in it reads as an unknown plan, an unknown key as such", async () => {
      expect(await h.client.send(new GetUsagePlanKeyCommand({ usagePlanId: PLAN.basic, keyId: ACME.id }))).to.deep.include({ id: ACME.id, type: "API_KEY" });
      expect(await awsError(h.client.send(new GetUsagePlanKeyCommand({ usagePlanId: PLAN.premium, keyId: ACME.id })))).to.deep.equal({
        name: "NotFoundException",
        status: 404,
        message: "Invalid Usage Plan ID specified",
      });
      expect((await awsError(h.client.send(new GetUsagePlanKeyCommand({ usagePlanId: PLAN.basic, keyId: "nosuchkey0" })))).message).to.equal("Invalid API Key identifier specified");
    });
  });

  describe("DeleteUsagePlanKey", () => {
    it("takes a key out of its plan (202): 403 from the next request on; attached again, it works again", async () => {
      const deleted = await h.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: PLAN.basic, keyId: ACME.id }));
      expect(deleted.$metadata.httpStatusCode).to.equal(202);
      expect(h.gateway(ACME.value)).to.equal("INVALID_API_KEY");
      expect((await h.client.send(new GetUsagePlanKeysCommand({ usagePlanId: PLAN.basic }))).items).to.deep.equal([]);
      expect((await awsError(h.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: PLAN.basic, keyId: ACME.id })))).message).to.equal("Invalid Usage Plan ID specified");
      // Moved to another plan of the stage, the key counts against that plan.
      await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.premium, keyId: ACME.id, keyType: "API_KEY" }));
      expect(h.gateway(ACME.value)).to.equal(`ok ${PLAN.premium}`);
      await h.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: PLAN.premium, keyId: ACME.id }));
      await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.basic, keyId: ACME.id, keyType: "API_KEY" }));
      expect(h.gateway(ACME.value)).to.equal(`ok ${PLAN.basic}`);
      expect(h.changes.snapshot()).to.deep.include({ attached: [], detached: [] });
    });
  });
});
