import { expect } from "chai";
import { CUSTOMER_ROUTES, type CustomerRoute, createAdminCustomersHandler, createCustomersHandler, customerRoutesFromEnv, customerTiersFromEnv } from "../../functions/customers";
import type { ProxyEvent, ProxyResult } from "../../functions/proxyTypes";
import { FakeApiGateway, type FakeKey, serviceException } from "./fakeApiGateway";
import { proxyEvent } from "./proxyEvent";
import { CLIENT_ID, POOL_ID, TestIssuer } from "./testIssuer";

const API = "a1b2c3d4e5";
const STAGE = `${API}/dev`;
const TIERS = ["basic", "premium", "enterprise"];
// Sunday 2026-12-06, 15:00 UTC.
const NOW = Date.UTC(2026, 11, 6, 15);
const NO_CORS = { allowOrigins: [], allowCredentials: false };

/** The dev stage's three tiers, plus plans the handlers must ignore. */
function stageWithCustomers(): { gateway: FakeApiGateway; acme: FakeKey; globex: FakeKey } {
  const gateway = new FakeApiGateway()
    .addPlan({ id: "plan-basic", name: "usage-basic", apiStages: [{ apiId: API, stage: "dev" }], quota: { limit: 1000, period: "DAY", offset: 0 }, tags: { "apigw-kit:tier": "basic" } })
    .addPlan({ id: "plan-premium", name: "usage-premium", apiStages: [{ apiId: API, stage: "dev" }], quota: { limit: 10000, period: "WEEK", offset: 0 }, tags: { "apigw-kit:tier": "premium" } })
    .addPlan({ id: "plan-enterprise", name: "usage-enterprise", apiStages: [{ apiId: API, stage: "dev" }], tags: { "apigw-kit:tier": "enterprise" } })
    // Another stack's basic tier, and a plan of this stage that is no tier.
    .addPlan({ id: "plan-prod-basic", name: "usage-basic", apiStages: [{ apiId: "zzzzzzzzzz", stage: "prod" }], tags: { "apigw-kit:tier": "basic" } })
    .addPlan({ id: "plan-untagged", name: "legacy", apiStages: [{ apiId: API, stage: "dev" }] });
  const acme = gateway.addKey({ name: "usage-acme", customerId: "acme", tags: { customer: "acme", "apigw-kit:stage": STAGE, "apigw-kit:origin": "config" } }, "plan-basic");
  const globex = gateway.addKey({ name: "usage-globex", customerId: "globex", tags: { customer: "globex", "apigw-kit:stage": STAGE, "apigw-kit:origin": "config" } }, "plan-premium");
  // Another stage's customer of the same id, and a key that is nobody's.
  gateway.addKey({ name: "prod-acme", customerId: "acme", tags: { customer: "acme", "apigw-kit:stage": "zzzzzzzzzz/prod", "apigw-kit:origin": "api" } }, "plan-prod-basic");
  gateway.addKey({ name: "ops", tags: {} }, "plan-untagged");
  return { gateway, acme, globex };
}

/** A proxy event for a customers route on the dev stage. */
function request(route: CustomerRoute, options: { id?: string; body?: unknown; query?: Record<string, string> } = {}): ProxyEvent {
  const [httpMethod, resource] = route.split(" ");
  return proxyEvent({
    httpMethod,
    resource,
    path: resource.replace("{id}", options.id ?? ""),
    pathParameters: options.id === undefined ? null : { id: options.id },
    queryStringParameters: options.query ?? null,
    headers: { "Content-Type": "application/json" },
    body: options.body === undefined ? null : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
    requestContext: { apiId: API, stage: "dev" },
  });
}

function answerOf(result: ProxyResult): { status: number; body: Record<string, unknown>; headers: Record<string, unknown> } {
  return { status: result.statusCode, body: JSON.parse(result.body), headers: result.headers ?? {} };
}

/** Calls the handler serving every route, against `gateway`. */
function customersApi(gateway: FakeApiGateway, routes: readonly CustomerRoute[] = CUSTOMER_ROUTES) {
  const logged: string[] = [];
  const handler = createCustomersHandler(routes, { tiers: TIERS, client: gateway.client, cors: NO_CORS, now: () => NOW, log: (line) => logged.push(line) });
  return { logged, call: async (route: CustomerRoute, options?: Parameters<typeof request>[1]) => answerOf(await handler(request(route, options))) };
}

/** The customer keys of the dev stage in the fake, by customer. */
function stageKeys(gateway: FakeApiGateway, customer: string): FakeKey[] {
  return [...gateway.keys.values()].filter((k) => k.tags.customer === customer && k.tags["apigw-kit:stage"] === STAGE);
}

describe("functions/customers (against a fake API Gateway)", () => {
  describe("POST /customers", () => {
    it("creates an enabled key tagged for the customer and stage, attaches it to the tier's plan, and answers its value once (201, no-store)", async () => {
      const { gateway } = stageWithCustomers();
      const { status, body, headers } = await customersApi(gateway).call("POST /customers", { body: { id: "hooli", tier: "premium" } });
      expect(status).to.equal(201);
      const [key] = stageKeys(gateway, "hooli");
      expect(body).to.deep.equal({ id: "hooli", tier: "premium", keyId: key.id, enabled: true, managedBy: "api", apiKey: key.value });
      expect(headers).to.include({ "Cache-Control": "no-store", Location: "/customers/hooli" });
      expect(key).to.include({ name: "hooli", customerId: "hooli", enabled: true });
      expect(key.tags).to.deep.equal({ customer: "hooli", "apigw-kit:stage": STAGE, "apigw-kit:origin": "api" });
      expect(gateway.plansOf(key.id)).to.deep.equal(["plan-premium"]);
    });

    it("answers 400 naming the tiers for an unknown tier, and the rule for a malformed id; creates nothing", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      expect(await api.call("POST /customers", { body: { id: "hooli", tier: "gold" } })).to.deep.include({ status: 400, body: { message: 'tier "gold" is not a tier (tiers: basic, premium, enterprise)' } });
      expect(await api.call("POST /customers", { body: { id: "hoo li", tier: "basic" } })).to.deep.include({
        status: 400,
        body: { message: `id: a customer id is 1-64 letters, digits, '_' or '-' (got "hoo li")` },
      });
      expect((await api.call("POST /customers", { body: { id: "x".repeat(65), tier: "basic" } })).status).to.equal(400);
      expect(await api.call("POST /customers", { body: "{not json" })).to.deep.include({ status: 400, body: { message: "the body must be JSON" } });
      expect(await api.call("POST /customers", { body: ["hooli"] })).to.deep.include({ status: 400, body: { message: "the body must be a JSON object {id, tier}" } });
      expect(gateway.calls.filter((c) => c.startsWith("Create"))).to.deep.equal([]);
    });

    it("answers 409 for a customer of this stage that exists (a deploy-time one included), not for another stage's of the same id", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      expect(await api.call("POST /customers", { body: { id: "acme", tier: "premium" } })).to.deep.include({ status: 409, body: { message: 'customer "acme" exists already' } });
      await api.call("POST /customers", { body: { id: "hooli", tier: "basic" } });
      expect((await api.call("POST /customers", { body: { id: "hooli", tier: "basic" } })).status).to.equal(409);
      expect(stageKeys(gateway, "hooli")).to.have.length(1);
    });

    it("deletes the key again when attaching it fails, and says nothing was created", async () => {
      const { gateway } = stageWithCustomers();
      gateway.fail("CreateUsagePlanKey", serviceException("TooManyRequestsException", "Too Many Requests", 429));
      const { status, body } = await customersApi(gateway).call("POST /customers", { body: { id: "hooli", tier: "basic" } });
      expect(status).to.equal(502);
      expect(body.message).to.equal("attaching the new key to the basic plan failed (CreateUsagePlanKey: TooManyRequestsException: Too Many Requests); the key was deleted again: nothing was created");
      expect(stageKeys(gateway, "hooli")).to.deep.equal([]);
      expect(gateway.calls).to.include.members(["CreateApiKey"]);
      expect(gateway.calls.some((c) => c.startsWith("DeleteApiKey "))).to.equal(true);
    });

    it("says which key is left when deleting it again fails too", async () => {
      const { gateway } = stageWithCustomers();
      gateway.fail("CreateUsagePlanKey").fail("DeleteApiKey", serviceException("TooManyRequestsException", "slow down", 429));
      const { status, body } = await customersApi(gateway).call("POST /customers", { body: { id: "hooli", tier: "basic" } });
      const [left] = stageKeys(gateway, "hooli");
      expect(status).to.equal(502);
      expect(body.message).to.contain(`attaching the new key ${left.id} to the basic plan failed`).and.contain("deleting it again failed too").and.contain("in no plan");
      expect(gateway.plansOf(left.id)).to.deep.equal([]);
    });

    it("of two onboardings of one id at once, the later key is deleted and answers 409", async () => {
      const { gateway } = stageWithCustomers();
      // Another request's key appears between this one's check and its creation.
      let raced = false;
      const send = gateway.client.send.bind(gateway.client);
      gateway.client.send = (async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === "CreateApiKeyCommand" && !raced) {
          raced = true;
          gateway.addKey({ name: "hooli", customerId: "hooli", tags: { customer: "hooli", "apigw-kit:stage": STAGE, "apigw-kit:origin": "api" } }, "plan-basic");
        }
        return send(command as never);
      }) as typeof gateway.client.send;
      const { status } = await customersApi(gateway).call("POST /customers", { body: { id: "hooli", tier: "premium" } });
      expect(status).to.equal(409);
      const keys = stageKeys(gateway, "hooli");
      expect(keys).to.have.length(1);
      expect(gateway.plansOf(keys[0].id)).to.deep.equal(["plan-basic"]);
    });
  });

  describe("GET /customers", () => {
    it("lists this stage's customers, deploy-time ones included, with tier and key state, never a value", async () => {
      const { gateway, acme, globex } = stageWithCustomers();
      const api = customersApi(gateway);
      const added = await api.call("POST /customers", { body: { id: "hooli", tier: "enterprise" } });
      await api.call("POST /customers/{id}/disable", { id: "globex" });
      const { status, body } = await api.call("GET /customers");
      expect(status).to.equal(200);
      expect(body).to.deep.equal({
        customers: [
          { id: "acme", tier: "basic", enabled: true, keyId: acme.id, managedBy: "config", createdDate: acme.createdDate.toISOString() },
          { id: "globex", tier: "premium", enabled: false, keyId: globex.id, managedBy: "config", createdDate: globex.createdDate.toISOString() },
          { id: "hooli", tier: "enterprise", enabled: true, keyId: added.body.keyId, managedBy: "api", createdDate: stageKeys(gateway, "hooli")[0].createdDate.toISOString() },
        ],
      });
      expect(JSON.stringify(body)).not.to.contain(acme.value);
    });

    it("shows a key in no plan as tier null, and keys left by an unfinished rotation as otherKeys", async () => {
      const { gateway } = stageWithCustomers();
      const old = gateway.addKey({ customerId: "hooli", tags: { customer: "hooli", "apigw-kit:stage": STAGE, "apigw-kit:origin": "api" } });
      const current = gateway.addKey({ customerId: "hooli", tags: { customer: "hooli", "apigw-kit:stage": STAGE, "apigw-kit:origin": "api" } }, "plan-basic");
      const { body } = await customersApi(gateway).call("GET /customers");
      const hooli = (body.customers as Array<Record<string, unknown>>).find((c) => c.id === "hooli");
      expect(hooli).to.deep.include({ tier: "basic", keyId: current.id, otherKeys: [{ keyId: old.id, tier: null, enabled: true }] });
    });
  });

  describe("GET /customers/{id}/usage", () => {
    it("answers used and remaining per day of the current quota period (GetUsage), the totals and the plan's quota", async () => {
      const { gateway, acme } = stageWithCustomers();
      gateway.usage.set(`plan-basic/${acme.id}`, [[3, 997]]);
      const { status, body } = await customersApi(gateway).call("GET /customers/{id}/usage", { id: "acme" });
      expect(status).to.equal(200);
      expect(body).to.deep.equal({
        id: "acme",
        tier: "basic",
        keyId: acme.id,
        quota: { limit: 1000, period: "DAY", offset: 0 },
        startDate: "2026-12-06",
        endDate: "2026-12-06",
        used: 3,
        remaining: 997,
        days: [{ date: "2026-12-06", used: 3, remaining: 997 }],
      });
      expect(gateway.usageRequests).to.deep.equal([{ usagePlanId: "plan-basic", keyId: acme.id, startDate: "2026-12-06", endDate: "2026-12-06", position: undefined }]);
    });

    it("takes a WEEK period from its Sunday, and startDate / endDate from the query", async () => {
      const { gateway, globex } = stageWithCustomers();
      gateway.usage.set(`plan-premium/${globex.id}`, [[5, 9995], [0, 9995], [7, 9988]]);
      const api = customersApi(gateway);
      // 2026-12-06 is a Sunday: the week so far is that day.
      expect((await api.call("GET /customers/{id}/usage", { id: "globex" })).body).to.deep.include({ startDate: "2026-12-06", endDate: "2026-12-06" });
      const { body } = await api.call("GET /customers/{id}/usage", { id: "globex", query: { endDate: "2026-12-03" } });
      expect(body).to.deep.include({ startDate: "2026-11-29", endDate: "2026-12-03", used: 12, remaining: null });
      expect((body.days as unknown[]).slice(0, 3)).to.deep.equal([
        { date: "2026-11-29", used: 5, remaining: 9995 },
        { date: "2026-11-30", used: 0, remaining: 9995 },
        { date: "2026-12-01", used: 7, remaining: 9988 },
      ]);
      expect((await api.call("GET /customers/{id}/usage", { id: "globex", query: { startDate: "2026-12-01", endDate: "2026-12-02" } })).body).to.deep.include({ startDate: "2026-12-01", endDate: "2026-12-02" });
    });

    it("answers a plan without a quota with quota null", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      await api.call("POST /customers", { body: { id: "hooli", tier: "enterprise" } });
      expect((await api.call("GET /customers/{id}/usage", { id: "hooli" })).body).to.deep.include({ tier: "enterprise", quota: null });
    });

    it("answers 400 for a malformed date or a range ending before it starts, 404 for an unknown customer", async () => {
      const api = customersApi(stageWithCustomers().gateway);
      expect(await api.call("GET /customers/{id}/usage", { id: "acme", query: { startDate: "2026-02-30" } })).to.deep.include({
        status: 400,
        body: { message: 'startDate must be a date as yyyy-MM-dd (got "2026-02-30")' },
      });
      expect(await api.call("GET /customers/{id}/usage", { id: "acme", query: { endDate: "12/06/2026" } })).to.deep.include({ status: 400 });
      expect(await api.call("GET /customers/{id}/usage", { id: "acme", query: { startDate: "2026-12-05", endDate: "2026-12-01" } })).to.deep.include({
        status: 400,
        body: { message: "endDate 2026-12-01 is before startDate 2026-12-05" },
      });
      expect(await api.call("GET /customers/{id}/usage", { id: "nobody" })).to.deep.include({ status: 404, body: { message: 'no customer "nobody"' } });
      expect((await api.call("GET /customers/{id}/usage", { id: "a.b" })).status).to.equal(400);
    });
  });

  describe("PUT /customers/{id}/tier", () => {
    async function onboarded(gateway: FakeApiGateway, tier = "basic") {
      const api = customersApi(gateway);
      const { body } = await api.call("POST /customers", { body: { id: "hooli", tier } });
      gateway.calls.length = 0;
      return { api, keyId: body.keyId as string };
    }

    it("with AWS's rule (one plan per stage for a key), detaches from the old plan, then attaches to the new", async () => {
      const { gateway } = stageWithCustomers();
      const { api, keyId } = await onboarded(gateway);
      expect(await api.call("PUT /customers/{id}/tier", { id: "hooli", body: { tier: "premium" } })).to.deep.include({
        status: 200,
        body: { id: "hooli", tier: "premium", previousTier: "basic", changed: true },
      });
      expect(gateway.plansOf(keyId)).to.deep.equal(["plan-premium"]);
      expect(gateway.calls.filter((c) => /UsagePlanKey /.test(c) || c === "CreateUsagePlanKey")).to.deep.equal([
        "CreateUsagePlanKey",
        `DeleteUsagePlanKey plan-basic/${keyId}`,
        `CreateUsagePlanKey plan-premium/${keyId}`,
      ]);
    });

    it("where a key may be in two plans, attaches to the new plan first, so a failed detach leaves it in both, never in none", async () => {
      const { gateway } = stageWithCustomers();
      gateway.sameStageRule = false;
      const { api, keyId } = await onboarded(gateway);
      gateway.fail("DeleteUsagePlanKey");
      const { status, body } = await api.call("PUT /customers/{id}/tier", { id: "hooli", body: { tier: "premium" } });
      expect(status).to.equal(502);
      expect(body.message).to.equal('customer "hooli" is in the premium plan now, but detaching it from the basic plan failed (DeleteUsagePlanKey: BadRequestException: DeleteUsagePlanKey refused): it is in both; send the change again');
      expect(gateway.plansOf(keyId)).to.deep.equal(["plan-basic", "plan-premium"]);
    });

    it("puts the key back in its old plan when attaching to the new one fails after the detach", async () => {
      const { gateway } = stageWithCustomers();
      const { api, keyId } = await onboarded(gateway);
      gateway.fail("CreateUsagePlanKey", serviceException("BadRequestException", "no"), (input) => input.usagePlanId === "plan-premium" && gateway.plansOf(keyId).length === 0);
      const { status, body } = await api.call("PUT /customers/{id}/tier", { id: "hooli", body: { tier: "premium" } });
      expect(status).to.equal(502);
      expect(body.message).to.equal('attaching customer "hooli" to the premium plan failed (CreateUsagePlanKey: BadRequestException: no); it is back in the basic plan: nothing changed');
      expect(gateway.plansOf(keyId)).to.deep.equal(["plan-basic"]);
    });

    it("says the customer is in no plan when putting it back fails too", async () => {
      const { gateway } = stageWithCustomers();
      const { api, keyId } = await onboarded(gateway);
      gateway.fail("CreateUsagePlanKey", serviceException("BadRequestException", "no"), () => gateway.plansOf(keyId).length === 0);
      gateway.fail("CreateUsagePlanKey", serviceException("BadRequestException", "still no"), () => gateway.plansOf(keyId).length === 0);
      const { status, body } = await api.call("PUT /customers/{id}/tier", { id: "hooli", body: { tier: "premium" } });
      expect(status).to.equal(502);
      expect(body.message).to.contain("it is in no plan, so its requests are refused");
      expect(gateway.plansOf(keyId)).to.deep.equal([]);
    });

    it("answers changed false for its own tier, 400 for an unknown tier, 409 for a deploy-time customer, 404 for none", async () => {
      const { gateway } = stageWithCustomers();
      const { api } = await onboarded(gateway);
      expect((await api.call("PUT /customers/{id}/tier", { id: "hooli", body: { tier: "basic" } })).body).to.deep.equal({ id: "hooli", tier: "basic", previousTier: "basic", changed: false });
      expect(await api.call("PUT /customers/{id}/tier", { id: "hooli", body: { tier: "gold" } })).to.deep.include({ status: 400, body: { message: 'tier "gold" is not a tier (tiers: basic, premium, enterprise)' } });
      expect(await api.call("PUT /customers/{id}/tier", { id: "acme", body: { tier: "premium" } })).to.deep.include({
        status: 409,
        body: { message: 'customer "acme" comes from the stack config: change its tier there and deploy (the customers API only lists, meters, disables and enables it)' },
      });
      expect((await api.call("PUT /customers/{id}/tier", { id: "nobody", body: { tier: "premium" } })).status).to.equal(404);
    });
  });

  describe("POST /customers/{id}/rotate", () => {
    it("answers a new key (its value once) in the same plan, and detaches and deletes the old one", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      const old = (await api.call("POST /customers", { body: { id: "hooli", tier: "premium" } })).body;
      const { status, body } = await api.call("POST /customers/{id}/rotate", { id: "hooli" });
      const [key] = stageKeys(gateway, "hooli");
      expect(status).to.equal(200);
      expect(body).to.deep.equal({ id: "hooli", tier: "premium", keyId: key.id, enabled: true, apiKey: key.value, retiredKeyIds: [old.keyId] });
      expect(key.value).not.to.equal(old.apiKey);
      expect(gateway.plansOf(key.id)).to.deep.equal(["plan-premium"]);
      expect(gateway.keys.has(old.keyId as string)).to.equal(false);
      expect(gateway.calls).to.include(`DeleteUsagePlanKey plan-premium/${old.keyId}`);
    });

    it("keeps a disabled customer disabled", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      await api.call("POST /customers", { body: { id: "hooli", tier: "basic" } });
      await api.call("POST /customers/{id}/disable", { id: "hooli" });
      expect((await api.call("POST /customers/{id}/rotate", { id: "hooli" })).body).to.deep.include({ enabled: false });
      expect(stageKeys(gateway, "hooli")[0].enabled).to.equal(false);
    });

    it("deletes the new key when attaching it fails: the old key still works", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      const old = (await api.call("POST /customers", { body: { id: "hooli", tier: "basic" } })).body;
      gateway.fail("CreateUsagePlanKey");
      const { status, body } = await api.call("POST /customers/{id}/rotate", { id: "hooli" });
      expect(status).to.equal(502);
      expect(body.message).to.contain(`the key was deleted again: the old key ${old.keyId} still works`);
      expect(stageKeys(gateway, "hooli").map((k) => k.id)).to.deep.equal([old.keyId]);
      expect(gateway.plansOf(old.keyId as string)).to.deep.equal(["plan-basic"]);
    });

    it("still answers the new key when the old one cannot be deleted, with a warning naming it", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      const old = (await api.call("POST /customers", { body: { id: "hooli", tier: "basic" } })).body;
      gateway.fail("DeleteApiKey", serviceException("TooManyRequestsException", "slow down", 429), (input) => input.apiKey === old.keyId);
      const { status, body } = await api.call("POST /customers/{id}/rotate", { id: "hooli" });
      expect(status).to.equal(200);
      expect(body.apiKey).to.be.a("string");
      expect(body.retiredKeyIds).to.deep.equal([]);
      expect(body.warning).to.equal(`the new key works, but key ${old.keyId} could not be detached and deleted (DeleteApiKey: TooManyRequestsException: slow down): rotate again or remove them`);
      // Detached first, so the old key is refused already.
      expect(gateway.plansOf(old.keyId as string)).to.deep.equal([]);
    });

    it("refuses a deploy-time customer (409)", async () => {
      const { status } = await customersApi(stageWithCustomers().gateway).call("POST /customers/{id}/rotate", { id: "acme" });
      expect(status).to.equal(409);
    });
  });

  describe("POST /customers/{id}/disable and /enable", () => {
    it("switches every key of the customer, deploy-time customers included", async () => {
      const { gateway, acme } = stageWithCustomers();
      const api = customersApi(gateway);
      expect(await api.call("POST /customers/{id}/disable", { id: "acme" })).to.deep.include({ status: 200, body: { id: "acme", enabled: false, keyIds: [acme.id] } });
      expect(acme.enabled).to.equal(false);
      expect(await api.call("POST /customers/{id}/enable", { id: "acme" })).to.deep.include({ status: 200, body: { id: "acme", enabled: true, keyIds: [acme.id] } });
      expect(acme.enabled).to.equal(true);
      expect((await api.call("POST /customers/{id}/enable", { id: "nobody" })).status).to.equal(404);
    });
  });

  describe("DELETE /customers/{id}", () => {
    it("detaches and deletes the customer's key", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      const { keyId } = (await api.call("POST /customers", { body: { id: "hooli", tier: "basic" } })).body;
      expect(await api.call("DELETE /customers/{id}", { id: "hooli" })).to.deep.include({ status: 200, body: { id: "hooli", removed: true, keyIds: [keyId] } });
      expect(gateway.calls).to.include.members([`DeleteUsagePlanKey plan-basic/${keyId}`, `DeleteApiKey ${keyId}`]);
      expect(stageKeys(gateway, "hooli")).to.deep.equal([]);
      expect((await api.call("DELETE /customers/{id}", { id: "hooli" })).status).to.equal(404);
    });

    it("refuses a deploy-time customer (409) and says what is left when a call fails (502)", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      expect((await api.call("DELETE /customers/{id}", { id: "acme" })).status).to.equal(409);
      const { keyId } = (await api.call("POST /customers", { body: { id: "hooli", tier: "basic" } })).body;
      gateway.fail("DeleteApiKey");
      const { status, body } = await api.call("DELETE /customers/{id}", { id: "hooli" });
      expect(status).to.equal(502);
      expect(body.message).to.equal(`removing customer "hooli" did not finish: key ${keyId} could not be detached and deleted (DeleteApiKey: BadRequestException: DeleteApiKey refused); try again`);
    });
  });

  describe("the handler", () => {
    it("answers 500 for a route it does not serve (a wiring mistake), and serves only its routes", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway, ["GET /customers"]);
      expect(await api.call("DELETE /customers/{id}", { id: "acme" })).to.deep.include({ status: 500, body: { message: "this function does not serve DELETE /customers/{id}" } });
      expect(gateway.calls).to.deep.equal([]);
    });

    it("answers a failed API Gateway call with 502 naming the call (503 when throttled), and logs it", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      gateway.fail("GetApiKeys", serviceException("AccessDeniedException", "not allowed", 403));
      expect(await api.call("GET /customers")).to.deep.include({ status: 502, body: { message: "API Gateway refused GetApiKeys: AccessDeniedException: not allowed" } });
      gateway.fail("GetUsagePlanKeys", serviceException("TooManyRequestsException", "Too Many Requests", 429));
      expect((await api.call("GET /customers")).status).to.equal(503);
      expect(api.logged.map((line) => JSON.parse(line).error)).to.deep.equal(["GetApiKeys: AccessDeniedException: not allowed", "GetUsagePlanKeys: TooManyRequestsException: Too Many Requests"]);
    });

    it("answers 500 naming the tier when the stage has no plan for a configured tier", async () => {
      const { gateway } = stageWithCustomers();
      gateway.plans.splice(gateway.plans.findIndex((p) => p.id === "plan-enterprise"), 1);
      const { status, body } = await customersApi(gateway).call("POST /customers", { body: { id: "hooli", tier: "enterprise" } });
      expect(status).to.equal(500);
      expect(body.message).to.equal('tier "enterprise" has no usage plan on stage dev (a plan of the stage tagged apigw-kit:tier=enterprise): deploy the stack again');
    });

    it("looks the tiers' plans up once per container and stage, again after a failed lookup", async () => {
      const { gateway } = stageWithCustomers();
      const api = customersApi(gateway);
      gateway.fail("GetUsagePlans", serviceException("TooManyRequestsException", "Too Many Requests", 429));
      expect((await api.call("GET /customers")).status).to.equal(503);
      await api.call("GET /customers");
      await api.call("GET /customers");
      expect(gateway.calls.filter((c) => c === "GetUsagePlans")).to.have.length(2);
    });

    it("reads the tiers from CUSTOMER_TIERS, refusing anything but a JSON array of names", () => {
      expect(customerTiersFromEnv({ CUSTOMER_TIERS: '["basic","pro"]' })).to.deep.equal(["basic", "pro"]);
      for (const value of [undefined, "basic,pro", "[]", '[""]', "[1]", "{}"]) {
        expect(() => customerTiersFromEnv({ CUSTOMER_TIERS: value }), String(value)).to.throw(`CUSTOMER_TIERS must be a JSON array of the tiers' names, like ["basic","premium"] (got ${JSON.stringify(value)})`);
      }
    });

    it("reads a function's routes from CUSTOMER_FUNCTION_ROUTES, refusing anything but a JSON array of customer routes", () => {
      expect(customerRoutesFromEnv({ CUSTOMER_FUNCTION_ROUTES: '["POST /customers/{id}/disable","POST /customers/{id}/enable"]' })).to.deep.equal(["POST /customers/{id}/disable", "POST /customers/{id}/enable"]);
      for (const value of [undefined, "POST /customers", "[]", '["GET /health"]', '["POST /customers", 1]', "{}"]) {
        expect(() => customerRoutesFromEnv({ CUSTOMER_FUNCTION_ROUTES: value }), String(value)).to.throw(
          `CUSTOMER_FUNCTION_ROUTES must be a JSON array of routes among ${CUSTOMER_ROUTES.join(", ")} (got ${JSON.stringify(value)})`,
        );
      }
    });
  });

  describe("createAdminCustomersHandler: only admins", () => {
    const idp = new TestIssuer();
    before(() => idp.start());
    after(() => idp.stop());

    function adminApi(gateway: FakeApiGateway) {
      const handler = createAdminCustomersHandler(CUSTOMER_ROUTES, {
        tiers: TIERS,
        client: gateway.client,
        cors: NO_CORS,
        now: () => NOW,
        auth: { settings: idp.settings, log: () => undefined },
      });
      return async (groups: string[] | undefined) => {
        const event = request("GET /customers");
        if (groups !== undefined) event.headers = { ...event.headers, Authorization: idp.sign(idp.idClaims({ "cognito:groups": groups })) };
        return answerOf(await handler(event, { awsRequestId: "r" }));
      };
    }

    it("answers an admin, 403 to any other signed-in user, 401 without a token; API Gateway is not called for those", async () => {
      const { gateway } = stageWithCustomers();
      const call = adminApi(gateway);
      expect((await call(["users", "admins"])).status).to.equal(200);
      gateway.calls.length = 0;
      expect(await call(["users"])).to.deep.include({ status: 403, body: { error: "Insufficient permissions" } });
      expect(await call([])).to.deep.include({ status: 403 });
      expect(await call(undefined)).to.deep.include({ status: 401, body: { message: "Unauthorized" } });
      expect(gateway.calls).to.deep.equal([]);
      expect(idp.settings).to.include({ userPoolId: POOL_ID, clientId: CLIENT_ID });
    });
  });
});
