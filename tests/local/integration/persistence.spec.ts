/**
 * State that survives a restart (`npm start` persists under `.local/<stack>/`): a stack is
 * started, used (a user signs up and creates an item, an API key is used), stopped and started
 * again on the same folder; then started `--fresh`. Also the folder's lock against a second
 * local cloud.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { startLocal, type LocalCloud, type StartLocalOptions } from "../../../local/startLocal";
import { StateLockedError } from "../../../local/state/stateLock";
import { LocalUserPool, type SignedInUser } from "./cognitoUsers";
import { call, removeDir, stateDirFor } from "./httpClient";

describe("local cloud: state that survives restarts", function () {
  this.timeout(120_000);
  const stateDir = stateDirFor("persistence");
  const start = (options: Partial<StartLocalOptions> = {}) =>
    startLocal({ stack: "dev", port: 0, stateDir, persist: true, functionLog: () => undefined, ...options });
  let cloud: LocalCloud | undefined;
  const pools: LocalUserPool[] = [];
  const poolOf = (running: LocalCloud) => {
    const pool = LocalUserPool.of(running);
    pools.push(pool);
    return pool;
  };
  const keyIdOf = (running: LocalCloud, value: string) => running.run.graph.ofType("aws:apigateway/apiKey:ApiKey").find((k) => k.state.value === value)!.id!;
  const tableName = (running: LocalCloud) => running.run.graph.get("aws:dynamodb/table:Table", "users").state.name as string;

  after(async function () {
    this.timeout(30_000);
    for (const pool of pools) pool.destroy();
    await cloud?.stop();
    removeDir(stateDir);
  });

  it("a restart keeps items, users (their tokens too), usage counts and names; --fresh starts empty", async () => {
    // First run: a user, an item, two requests on a key.
    cloud = await start();
    const pool = poolOf(cloud);
    const user: SignedInUser = await pool.signUp("persist");
    const created = await call(`${cloud.endpoints.restApi}/users`, {
      method: "POST",
      headers: { Authorization: user.idToken, "Content-Type": "application/json" },
      body: JSON.stringify({ email: "p@example.com", name: "Persisted" }),
    });
    expect(created.status, created.text).to.equal(201);
    const itemId = created.json<{ id: string }>().id;
    const apiKey = (cloud.outputs.apiKeys as Record<string, string>).globex;
    for (const category of ["a", "b"]) expect((await call(`${cloud.endpoints.restApi}/data?category=${category}`, { headers: { "x-api-key": apiKey } })).status).to.equal(200);
    const keyId = keyIdOf(cloud, apiKey);
    const usedBefore = cloud.usagePlans!.usage(keyId).used;
    expect(usedBefore).to.equal(2);
    const table = tableName(cloud);
    const poolId = cloud.outputs.userPoolId;
    await cloud.stop();
    cloud = undefined;

    // Second run on the same folder.
    cloud = await start();
    expect(tableName(cloud), "the table keeps its physical name").to.equal(table);
    expect(cloud.outputs.userPoolId).to.equal(poolId);
    expect((cloud.outputs.apiKeys as Record<string, string>).globex, "the key keeps its value").to.equal(apiKey);
    expect(keyIdOf(cloud, apiKey)).to.equal(keyId);
    // The token issued before the restart is still valid, and reads back the item.
    const read = await call(`${cloud.endpoints.restApi}/users/${itemId}`, { headers: { Authorization: user.idToken } });
    expect(read.status, read.text).to.equal(200);
    expect(read.json()).to.include({ id: itemId, name: "Persisted" });
    // The user signs in again with the same password.
    const again = await poolOf(cloud).signIn(user.email, user.password);
    expect(again.sub).to.equal(user.sub);
    expect(cloud.usagePlans!.usage(keyId).used).to.equal(usedBefore);
    await call(`${cloud.endpoints.restApi}/data?category=c`, { headers: { "x-api-key": apiKey } });
    expect(cloud.usagePlans!.usage(keyId).used).to.equal(usedBefore + 1);
    await cloud.stop();
    cloud = undefined;
    expect(fs.existsSync(path.join(stateDir, "lock")), "the lock is released on stop").to.equal(false);

    // --fresh: nothing of the above.
    cloud = await start({ fresh: true });
    const stranger = await poolOf(cloud).signUp("fresh");
    const gone = await call(`${cloud.endpoints.restApi}/users/${itemId}`, { headers: { Authorization: stranger.idToken } });
    expect(gone.status, gone.text).to.equal(404);
    const freshKey = (cloud.outputs.apiKeys as Record<string, string>).globex;
    expect(cloud.usagePlans!.usage(keyIdOf(cloud, freshKey)).used).to.equal(0);
    const old = await call(`${cloud.endpoints.restApi}/users/${itemId}`, { headers: { Authorization: user.idToken } });
    expect(old.status, "a token of the wiped pool").to.equal(401);
  });

  it("refuses a second local cloud on a locked state folder, naming the first", async () => {
    cloud ??= await start();
    const error = await start().then(
      (second) => second.stop().then(() => undefined),
      (err: unknown) => err,
    );
    expect(error).to.be.instanceOf(StateLockedError);
    expect((error as Error).message).to.contain(`pid ${process.pid}`).and.contain(new URL(cloud.endpoints.restApi).origin).and.contain("--state-dir");
  });
});
