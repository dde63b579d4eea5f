/**
 * Customers at run time, end to end on the local cloud of the dev stack: the customers API
 * (its handlers calling API Gateway's management API through the real SDK, answered by the
 * local control plane) and `npm run customers` over it, with the gateway enforcing each change
 * on the next request of the customer's key.
 */
import { expect } from "chai";
import { main as customersCli } from "../../../bin/customers";
import { LocalUserPool, type SignedInUser } from "./cognitoUsers";
import { call, type Reply } from "./httpClient";
import { useLocalCloud } from "./localCloudFixture";

describe("local cloud: customers at run time (customers API and CLI)", function () {
  this.timeout(60_000);
  const env = useLocalCloud("customers", { stack: "dev" });
  let pool: LocalUserPool;
  let admin: SignedInUser;
  let member: SignedInUser;

  before(async function () {
    this.timeout(60_000);
    pool = LocalUserPool.of(env.cloud);
    [admin, member] = await Promise.all([pool.signUp("customers-admin", ["admins"]), pool.signUp("customers-member")]);
  });
  after(() => pool?.destroy());

  const api = (method: string, path: string, body?: unknown, user: SignedInUser = admin): Promise<Reply> =>
    call(`${env.cloud.endpoints.restApi}${path}`, {
      method,
      headers: { Authorization: user.idToken, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const data = async (key: string) => (await call(`${env.cloud.endpoints.restApi}/data?category=c-${Date.now()}`, { headers: { "x-api-key": key } })).status;

  it("onboards a customer whose key works at once, meters it, moves it, rotates, disables, enables and removes it", async () => {
    const created = await api("POST", "/customers", { id: "hooli", tier: "basic" });
    expect(created.status, created.text).to.equal(201);
    const { apiKey, keyId } = created.json<{ apiKey: string; keyId: string }>();
    expect(created.json()).to.include({ id: "hooli", tier: "basic", enabled: true, managedBy: "api" });
    expect(await data(apiKey)).to.equal(200);
    expect(await data(apiKey)).to.equal(200);

    const listed = await api("GET", "/customers");
    expect(listed.status).to.equal(200);
    const customers = listed.json<{ customers: Array<{ id: string; tier: string; managedBy: string; enabled: boolean }> }>().customers;
    expect(customers.map((c) => [c.id, c.tier, c.managedBy])).to.deep.include.members([
      ["acme", "basic", "config"],
      ["globex", "premium", "config"],
      ["hooli", "basic", "api"],
    ]);
    expect(listed.text, "never a key's value").to.not.contain(apiKey);

    const usage = await api("GET", "/customers/hooli/usage");
    expect(usage.status, usage.text).to.equal(200);
    expect(usage.json()).to.deep.include({ id: "hooli", tier: "basic", keyId, used: 2, remaining: 998 });

    const moved = await api("PUT", "/customers/hooli/tier", { tier: "premium" });
    expect(moved.json()).to.include({ tier: "premium", previousTier: "basic", changed: true });
    expect(await data(apiKey)).to.equal(200);
    // The premium plan counts from zero: the request after the move.
    expect((await api("GET", "/customers/hooli/usage")).json()).to.deep.include({ tier: "premium", used: 1, remaining: 9_999 });

    const rotated = await api("POST", "/customers/hooli/rotate");
    expect(rotated.status, rotated.text).to.equal(200);
    const newKey = rotated.json<{ apiKey: string }>().apiKey;
    expect(newKey).to.not.equal(apiKey);
    expect([await data(newKey), await data(apiKey)]).to.deep.equal([200, 403]);

    expect((await api("POST", "/customers/hooli/disable")).json()).to.include({ enabled: false });
    expect(await data(newKey)).to.equal(403);
    expect((await api("POST", "/customers/hooli/enable")).json()).to.include({ enabled: true });
    expect(await data(newKey)).to.equal(200);

    expect((await api("DELETE", "/customers/hooli")).json()).to.include({ removed: true });
    expect(await data(newKey)).to.equal(403);
    expect((await api("GET", "/customers/hooli/usage")).status).to.equal(404);
  });

  it("answers bad input clearly and creates nothing: non-admin 403, unknown tier 400, malformed id 400, duplicate 409, config customers' tier 409, malformed or backwards usage ranges 400", async () => {
    expect((await api("GET", "/customers", undefined, member)).status).to.equal(403);
    const unknownTier = await api("POST", "/customers", { id: "nope", tier: "gold" });
    expect(unknownTier.status).to.equal(400);
    expect(unknownTier.text).to.contain("gold").and.contain("basic");
    expect((await api("POST", "/customers", { id: "bad id!", tier: "basic" })).status).to.equal(400);
    expect((await api("POST", "/customers", { id: "acme", tier: "basic" })).status).to.equal(409);
    expect((await api("PUT", "/customers/acme/tier", { tier: "premium" })).status).to.equal(409);
    const malformed = await api("GET", "/customers/acme/usage?startDate=2026-13-01&endDate=2026-12-06");
    expect(malformed.status, malformed.text).to.equal(400);
    const backwards = await api("GET", "/customers/acme/usage?startDate=2026-12-06&endDate=2026-12-01");
    expect(backwards.status, backwards.text).to.equal(400);
    const ids = (await api("GET", "/customers")).json<{ customers: Array<{ id: string }> }>().customers.map((c) => c.id);
    expect(ids).to.not.include("nope");
  });

  it("npm run customers drives the same API: add (the key once), list, usage, tier, rotate, disable, enable, remove", async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await customersCli([...argv, "--state-dir", env.stateDir], { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } });
      return { code, out: out.join(""), err: err.join("") };
    };
    const added = await run("add", "initrode", "--tier", "premium", "--json");
    expect(added.code, added.err).to.equal(0);
    expect(added.err).to.contain("propagation");
    const key = (JSON.parse(added.out) as { apiKey: string }).apiKey;
    expect(await data(key)).to.equal(200);
    const listed = await run("list");
    expect(listed.code).to.equal(0);
    expect(listed.out).to.match(/initrode\s+premium/);
    expect((await run("usage", "initrode", "--json")).out).to.contain('"used": 1');
    expect((await run("tier", "initrode", "basic")).code).to.equal(0);
    const rotated = await run("rotate", "initrode", "--json");
    const newKey = (JSON.parse(rotated.out) as { apiKey: string }).apiKey;
    expect([await data(newKey), await data(key)]).to.deep.equal([200, 403]);
    expect((await run("disable", "initrode")).code).to.equal(0);
    expect(await data(newKey)).to.equal(403);
    expect((await run("enable", "initrode")).code).to.equal(0);
    expect(await data(newKey)).to.equal(200);
    expect((await run("remove", "initrode")).code).to.equal(0);
    expect(await data(newKey)).to.equal(403);
    const again = await run("remove", "initrode");
    expect(again.code).to.equal(1);
    expect(again.err).to.match(/^error: .*initrode/m);
  });
});
