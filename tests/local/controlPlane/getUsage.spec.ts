/**
 * GetUsage through the local API Gateway endpoint, driven by the real SDK: the requests the
 * gateway counted against a plan's quota, one `[used, remaining]` pair per UTC day, and the
 * dates checked as AWS checks them.
 */
import { CreateApiKeyCommand, CreateUsagePlanKeyCommand, DeleteUsagePlanKeyCommand, GetUsageCommand } from "@aws-sdk/client-api-gateway";
import { expect } from "chai";
import { ACME, API, awsError, keyValue, PLAN, rawCall, startControlPlane, type ControlPlaneHarness } from "./controlPlaneHarness";

describe("local API Gateway endpoint: GetUsage", () => {
  let h: ControlPlaneHarness;

  beforeEach(async () => (h = await startControlPlane()));
  afterEach(async () => h?.stop());

  /** `n` keyed requests of `value` at the gateway, at `at` (ms epoch). */
  function requests(value: string, n: number, at?: number): string[] {
    if (at !== undefined) h.clock.set(at);
    return Array.from({ length: n }, () => h.gateway(value));
  }

  const usage = (input: { startDate?: string; endDate?: string; keyId?: string; usagePlanId?: string; limit?: number; position?: string }) =>
    h.client.send(new GetUsageCommand({ usagePlanId: PLAN.basic, ...input } as never));

  it("reports per key the requests counted each day, and what the quota (5 a day) left: exactly, refusals not counted", async () => {
    expect(requests(ACME.value, 3, Date.UTC(2024, 0, 9, 8))).to.deep.equal(Array(3).fill(`ok ${PLAN.basic}`));
    expect(requests(ACME.value, 7, Date.UTC(2024, 0, 10, 23, 59))).to.deep.equal([...Array(5).fill(`ok ${PLAN.basic}`), "QUOTA_EXCEEDED", "QUOTA_EXCEEDED"]);
    const report = await usage({ startDate: "2024-01-08", endDate: "2024-01-11" });
    expect(report).to.deep.include({ usagePlanId: PLAN.basic, startDate: "2024-01-08", endDate: "2024-01-11" });
    expect(report.items).to.deep.equal({
      [ACME.id]: [
        [0, 5],
        [3, 2],
        [5, 0],
        [0, 5],
      ],
    });
  });

  it("puts the map under `values` on the wire (the SDK's `items`), keyed by key id", async () => {
    requests(ACME.value, 2);
    const raw = await rawCall(`${h.endpoint.url}/usageplans/${PLAN.basic}/usage?startDate=2024-01-10&endDate=2024-01-10`);
    expect(raw).to.deep.equal({ status: 200, errorType: null, body: { usagePlanId: PLAN.basic, startDate: "2024-01-10", endDate: "2024-01-10", values: { [ACME.id]: [[2, 3]] } } });
  });

  it("reports a key created and attached at run time from its first request, and filters by keyId", async () => {
    const value = keyValue("metered");
    const key = await h.client.send(new CreateApiKeyCommand({ value, enabled: true }));
    await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.basic, keyId: key.id, keyType: "API_KEY" }));
    requests(value, 4);
    requests(ACME.value, 1);
    const all = await usage({ startDate: "2024-01-10", endDate: "2024-01-10" });
    expect(all.items).to.deep.equal({ [key.id!]: [[4, 1]], [ACME.id]: [[1, 4]] });
    const one = await usage({ startDate: "2024-01-10", endDate: "2024-01-10", keyId: key.id });
    expect(one.items).to.deep.equal({ [key.id!]: [[4, 1]] });
    const page = await usage({ startDate: "2024-01-10", endDate: "2024-01-10", limit: 1 });
    expect(Object.keys(page.items ?? {})).to.deep.equal([key.id]);
    const next = await usage({ startDate: "2024-01-10", endDate: "2024-01-10", limit: 1, position: page.position });
    expect(Object.keys(next.items ?? {})).to.deep.equal([ACME.id]);
  });

  it("counts a key moved to another plan against that plan's quota; the old plan no longer lists it", async () => {
    requests(ACME.value, 5);
    expect(requests(ACME.value, 1)).to.deep.equal(["QUOTA_EXCEEDED"]);
    await h.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: PLAN.basic, keyId: ACME.id }));
    await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.premium, keyId: ACME.id, keyType: "API_KEY" }));
    expect(requests(ACME.value, 2)).to.deep.equal([`ok ${PLAN.premium}`, `ok ${PLAN.premium}`]);
    const premium = await usage({ usagePlanId: PLAN.premium, startDate: "2024-01-10", endDate: "2024-01-10" });
    expect(premium.items).to.deep.equal({ [ACME.id]: [[2, 98]] });
    expect((await usage({ startDate: "2024-01-10", endDate: "2024-01-10" })).items).to.deep.equal({});
  });

  it("reports nothing remaining for a plan without quota", async () => {
    const value = keyValue("unmetered");
    const key = await h.client.send(new CreateApiKeyCommand({ value, enabled: true }));
    await h.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: PLAN.prod, keyId: key.id, keyType: "API_KEY" }));
    h.enforcer.check(API, "prod", "/data", "GET", value);
    expect((await usage({ usagePlanId: PLAN.prod, startDate: "2024-01-10", endDate: "2024-01-10" })).items).to.deep.equal({ [key.id!]: [[1, 0]] });
  });

  describe("refusals", () => {
    it("refuses a missing or malformed date, and an end before the start (BadRequestException), before looking at the plan", async () => {
      const refusals = await Promise.all([
        awsError(usage({ endDate: "2024-01-10" })),
        awsError(usage({ startDate: "2024-01-10" })),
        awsError(usage({ startDate: "2024-1-10", endDate: "2024-01-10" })),
        awsError(usage({ startDate: "2024-01-10", endDate: "10/01/2024" })),
        awsError(usage({ startDate: "2024-02-30", endDate: "2024-03-01" })),
        awsError(usage({ startDate: "2024-01-10", endDate: "2024-01-09" })),
        awsError(usage({ usagePlanId: "nosuch", startDate: "2024-01-10", endDate: "2024-01-09" })),
      ]);
      expect(refusals.map((r) => `${r.status} ${r.name}: ${r.message}`)).to.deep.equal([
        "400 BadRequestException: startDate must be specified (yyyy-MM-dd)",
        "400 BadRequestException: endDate must be specified (yyyy-MM-dd)",
        "400 BadRequestException: Invalid startDate specified: '2024-1-10'. Must be a date in the format yyyy-MM-dd",
        "400 BadRequestException: Invalid endDate specified: '10/01/2024'. Must be a date in the format yyyy-MM-dd",
        "400 BadRequestException: Invalid startDate specified: '2024-02-30'. Must be a date in the format yyyy-MM-dd",
        "400 BadRequestException: endDate 2024-01-09 must not be before startDate 2024-01-10",
        "400 BadRequestException: endDate 2024-01-09 must not be before startDate 2024-01-10",
      ]);
    });

    it("answers an unknown plan and an unknown keyId with AWS's NotFoundException", async () => {
      expect(await awsError(usage({ usagePlanId: "nosuch", startDate: "2024-01-10", endDate: "2024-01-10" }))).to.deep.equal({
        name: "NotFoundException",
        status: 404,
        message: "Invalid Usage Plan ID specified",
      });
      expect(await awsError(usage({ startDate: "2024-01-10", endDate: "2024-01-10", keyId: "nosuchkey0" }))).to.deep.equal({
        name: "NotFoundException",
        status: 404,
        message: "Invalid API Key identifier specified",
      });
    });

    it("refuses a range longer than ten years", async () => {
      expect((await awsError(usage({ startDate: "2000-01-01", endDate: "2024-01-01" }))).message).to.equal("The date range spans 8767 days; the local cloud reports at most 3660");
    });
  });
});
