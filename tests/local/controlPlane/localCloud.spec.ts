/**
 * The API Gateway control plane of a running local cloud (the demo program, dev stack), driven
 * by the real `@aws-sdk/client-api-gateway` at `endpoints.apiGateway` while real HTTP requests
 * go through the REST gateway: a customer onboarded, metered, throttled by its quota, disabled,
 * enabled, detached and deleted at run time, each change answered by the very next request;
 * run-time keys survive a reload of the program and a restart of a persisted cloud.
 */
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetTagsCommand,
  GetUsageCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
  type UsagePlan,
} from "@aws-sdk/client-api-gateway";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { LOCAL_CREDENTIALS } from "../../../local/emulators";
import { startLocal, type LocalCloud, type StartLocalOptions } from "../../../local/startLocal";
import { modeOf } from "../state/stateFolder";
import { call, expectGatewayError, removeDir, sleep, stateDirFor } from "../integration/httpClient";
import { awsError } from "./controlPlaneHarness";

const FORBIDDEN = `{"message":"Forbidden"}`;
const LIMIT_EXCEEDED = `{"message":"Limit Exceeded"}`;
const DAY_MS = 86_400_000;

/**
 * The basic tier with a quota small enough to exhaust (3 a day) and a throttle that never
 * refuses these requests; GET /data's stage throttle raised and the stage cache off, so that
 * only the plan decides and every request reaches the gateway's key step.
 */
const BASIC_QUOTA = 3;
const CONFIG_OVERRIDES = {
  "apigw-kit:tiers": [
    { name: "basic", throttle: { rateLimit: 1000, burstLimit: 1000 }, quota: { limit: BASIC_QUOTA, period: "DAY" } },
    { name: "premium", throttle: { rateLimit: 1000, burstLimit: 1000 }, quota: { limit: 10000, period: "DAY" } },
    { name: "enterprise", throttle: { rateLimit: 1000, burstLimit: 2000 } },
  ],
  "apigw-kit:methodOverrides": { "data/GET": { throttle: { rateLimit: 1000, burstLimit: 1000 } } },
  "apigw-kit:cache": undefined,
};

/** Today (UTC), as GetUsage's dates. */
const today = () => new Date().toISOString().slice(0, 10);

describe("local cloud: the API Gateway control plane at run time (dev stack)", function () {
  this.timeout(120_000);
  const stateDir = stateDirFor("control-plane");
  const start = (options: Partial<StartLocalOptions> = {}) =>
    startLocal({ stack: "dev", port: 0, stateDir, persist: true, configOverrides: CONFIG_OVERRIDES, functionLog: () => undefined, ...options });
  let cloud: LocalCloud | undefined;
  let client: APIGatewayClient | undefined;

  /** The SDK client of the running cloud's endpoint (a restart moves it). */
  function connect(running: LocalCloud): APIGatewayClient {
    client?.destroy();
    client = new APIGatewayClient({ endpoint: running.endpoints.apiGateway, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    return client;
  }

  let category = 0;
  /** GET /data with the key; a new category each time (no answer comes from a cache). */
  const getData = (key: string) => call(`${cloud!.endpoints.restApi}/data?category=c${++category}`, { headers: { "x-api-key": key } });

  /** The plan of a tier, found as a client would: through GetUsagePlans. */
  async function planOf(sdk: APIGatewayClient, tier: string): Promise<UsagePlan> {
    const plans = (await sdk.send(new GetUsagePlansCommand({}))).items ?? [];
    const plan = plans.find((p) => p.name?.endsWith(`-${tier}`));
    expect(plan, `a ${tier} plan among ${plans.map((p) => p.name).join(", ")}`).to.not.equal(undefined);
    return plan!;
  }

  /** The key's [used, remaining] today in the plan, from GetUsage. */
  async function usageToday(sdk: APIGatewayClient, planId: string, keyId: string): Promise<number[][] | undefined> {
    const day = today();
    const report = await sdk.send(new GetUsageCommand({ usagePlanId: planId, keyId, startDate: day, endDate: day }));
    return report.items?.[keyId];
  }

  before(async function () {
    // The quota is per UTC day: close to midnight, wait until just after it, so that a count
    // does not restart midway (the specs take seconds; 120 s leaves a wide margin).
    const msToMidnight = DAY_MS - (Date.now() % DAY_MS);
    if (msToMidnight < 120_000) {
      this.timeout(msToMidnight + 120_000);
      await sleep(msToMidnight + 1_000);
    }
    removeDir(stateDir);
  });

  after(async function () {
    this.timeout(30_000);
    client?.destroy();
    await cloud?.stop();
    removeDir(stateDir);
  });

  it("onboards a customer at run time: key created and attached works at once, metered exactly by GetUsage, disabled/enabled/detached/deleted at once, 429 once its quota is used", async () => {
    cloud = await start({ fresh: true });
    const sdk = connect(cloud);
    const basic = await planOf(sdk, "basic");
    expect(basic.quota).to.deep.equal({ limit: BASIC_QUOTA, offset: 0, period: "DAY" });

    const key = await sdk.send(new CreateApiKeyCommand({ name: "newco", enabled: true, customerId: "newco", tags: { customer: "newco" } }));
    expect(key.value).to.match(/^[A-Za-z0-9]{40}$/);
    const value = key.value!;
    expectGatewayError(await getData(value), 403, FORBIDDEN, "ForbiddenException");

    await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: basic.id, keyId: key.id, keyType: "API_KEY" }));
    const first = await getData(value);
    expect(first.status, first.text).to.equal(200);
    expect(await usageToday(sdk, basic.id!, key.id!)).to.deep.equal([[1, 2]]);

    await sdk.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: "replace", path: "/enabled", value: "false" }] }));
    expectGatewayError(await getData(value), 403, FORBIDDEN, "ForbiddenException");
    await sdk.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: "replace", path: "/enabled", value: "true" }] }));
    expect((await getData(value)).status).to.equal(200);
    expect(await usageToday(sdk, basic.id!, key.id!), "a refused request is not counted").to.deep.equal([[2, 1]]);

    expect((await getData(value)).status).to.equal(200);
    expectGatewayError(await getData(value), 429, LIMIT_EXCEEDED, "LimitExceededException");
    expect(await usageToday(sdk, basic.id!, key.id!)).to.deep.equal([[3, 0]]);

    await sdk.send(new DeleteUsagePlanKeyCommand({ usagePlanId: basic.id, keyId: key.id }));
    expectGatewayError(await getData(value), 403, FORBIDDEN, "ForbiddenException");
    await sdk.send(new DeleteApiKeyCommand({ apiKey: key.id }));
    expectGatewayError(await getData(value), 403, FORBIDDEN, "ForbiddenException");
    expect((await awsError(sdk.send(new GetApiKeyCommand({ apiKey: key.id })))).name).to.equal("NotFoundException");
  });

  it("answers AWS's errors: an unknown key, a key attached twice, GetUsage with a malformed date or an end before its start", async () => {
    const sdk = connect(cloud!);
    const basic = await planOf(sdk, "basic");
    expect(await awsError(sdk.send(new GetApiKeyCommand({ apiKey: "nosuchkey0" })))).to.deep.equal({ name: "NotFoundException", status: 404, message: "Invalid API Key identifier specified" });
    const key = await sdk.send(new CreateApiKeyCommand({ name: "twice", enabled: true }));
    await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: basic.id, keyId: key.id, keyType: "API_KEY" }));
    const again = await awsError(sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: basic.id, keyId: key.id, keyType: "API_KEY" })));
    expect(again).to.deep.equal({ name: "ConflictException", status: 409, message: `API Key ${key.id} is already in Usage Plan ${basic.id}` });
    const premium = await planOf(sdk, "premium");
    expect((await awsError(sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: premium.id, keyId: key.id, keyType: "API_KEY" })))).name, "a second plan of the same stage").to.equal(
      "ConflictException",
    );
    const malformed = await awsError(sdk.send(new GetUsageCommand({ usagePlanId: basic.id, startDate: "2024-13-01", endDate: "2024-12-31" })));
    expect(malformed).to.deep.equal({ name: "BadRequestException", status: 400, message: "Invalid startDate specified: '2024-13-01'. Must be a date in the format yyyy-MM-dd" });
    const backwards = await awsError(sdk.send(new GetUsageCommand({ usagePlanId: basic.id, startDate: "2024-02-02", endDate: "2024-02-01" })));
    expect(backwards).to.deep.equal({ name: "BadRequestException", status: 400, message: "endDate 2024-02-01 must not be before startDate 2024-02-02" });
  });

  it("lists the program's keys and plans too, and changes them at run time: a program key disabled stays so", async () => {
    const sdk = connect(cloud!);
    const acmeValue = (cloud!.outputs.apiKeys as Record<string, string>).acme;
    const acme = (await sdk.send(new GetApiKeysCommand({ includeValues: true }))).items?.find((k) => k.value === acmeValue);
    expect(acme, "the program's acme key").to.not.equal(undefined);
    expect((await sdk.send(new GetUsagePlansCommand({ keyId: acme!.id }))).items?.map((p) => p.name?.replace(/^.*-/, ""))).to.deep.equal(["basic"]);
    expect((await getData(acmeValue)).status).to.equal(200);
    await sdk.send(new UpdateApiKeyCommand({ apiKey: acme!.id, patchOperations: [{ op: "replace", path: "/enabled", value: "false" }] }));
    expectGatewayError(await getData(acmeValue), 403, FORBIDDEN, "ForbiddenException");
  });

  it("keeps run-time keys, plan keys and counts through a reload and a restart (apikeys.json, 0600); --fresh forgets them", async () => {
    let sdk = connect(cloud!);
    const premium = await planOf(sdk, "premium");
    const key = await sdk.send(new CreateApiKeyCommand({ name: "kept", enabled: true, tags: { customer: "kept" } }));
    await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: premium.id, keyId: key.id, keyType: "API_KEY" }));
    expect((await getData(key.value!)).status).to.equal(200);
    const acmeValue = (cloud!.outputs.apiKeys as Record<string, string>).acme;

    // A reload builds a new deployment (gateway, enforcer) from the program.
    await cloud!.reload();
    expect((await getData(key.value!)).status, "after the reload").to.equal(200);
    expectGatewayError(await getData(acmeValue), 403, FORBIDDEN, "ForbiddenException");
    expect(await usageToday(sdk, premium.id!, key.id!)).to.deep.equal([[2, 9998]]);

    // A restart on the same folder.
    await cloud!.stop();
    cloud = undefined;
    expect(modeOf(path.join(stateDir, "apikeys.json"))).to.equal(0o600);
    expect(fs.readFileSync(path.join(stateDir, "apikeys.json"), "utf8")).to.contain(key.value!);
    cloud = await start();
    sdk = connect(cloud);
    expect((await getData(key.value!)).status, "after the restart").to.equal(200);
    expectGatewayError(await getData(acmeValue), 403, FORBIDDEN, "ForbiddenException");
    expect(await usageToday(sdk, premium.id!, key.id!)).to.deep.equal([[3, 9997]]);
    const arn = `arn:aws:apigateway:us-east-1::/apikeys/${key.id}`;
    expect((await sdk.send(new GetTagsCommand({ resourceArn: arn }))).tags).to.deep.equal({ customer: "kept" });
    await cloud.stop();
    cloud = undefined;

    // --fresh: the program's keys alone, as deployed.
    cloud = await start({ fresh: true });
    sdk = connect(cloud);
    expectGatewayError(await getData(key.value!), 403, FORBIDDEN, "ForbiddenException");
    expect((await getData((cloud.outputs.apiKeys as Record<string, string>).acme)).status).to.equal(200);
    expect((await awsError(sdk.send(new GetApiKeyCommand({ apiKey: key.id })))).name).to.equal("NotFoundException");
  });
});
