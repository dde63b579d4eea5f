/**
 * Watch mode (`npm start -- --watch`) on a copy of the demo project, edited as a developer
 * edits it: a handler's source, the stack config's throttle, a syntax error and its fix. The
 * running cloud keeps its port, its Cognito users (and their tokens), its API keys' usage
 * counts and its open WebSocket connections through every reload.
 */
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { startLocal, type LocalCloud, type ReloadResult } from "../../../local/startLocal";
import { Client } from "../webSocketClient";
import { LocalUserPool, type SignedInUser } from "./cognitoUsers";
import { call, removeDir, stateDirFor } from "./httpClient";
import { copyDemoProject, type ProjectCopy } from "./projectCopy";

describe("local cloud: watch mode", function () {
  // Each reload runs the demo program again (about a second, more on a loaded CI machine).
  this.timeout(60_000);
  const stateDir = stateDirFor("watch");
  let project: ProjectCopy;
  let cloud: LocalCloud;
  let pool: LocalUserPool;
  let user: SignedInUser;
  let apiKey: string;
  const logLines: string[] = [];
  const functionLines: string[] = [];
  let reloaded: (result: ReloadResult) => void = () => undefined;

  /** Saves an edit and waits for the reload it causes. */
  async function saveAndReload(save: () => void): Promise<ReloadResult> {
    const result = new Promise<ReloadResult>((resolve) => (reloaded = resolve));
    save();
    return result;
  }
  const data = (category: string) => call(`${cloud.endpoints.restApi}/data?category=${category}`, { headers: { "x-api-key": apiKey } });
  const keyUsage = () => {
    const key = cloud.run.graph.ofType("aws:apigateway/apiKey:ApiKey").find((k) => k.state.value === apiKey)!;
    return cloud.usagePlans!.usage(key.id!).used;
  };

  before(async function () {
    this.timeout(120_000);
    project = copyDemoProject("watch");
    cloud = await startLocal({
      stack: "dev",
      port: 0,
      projectDir: project.dir,
      stateDir,
      watch: true,
      log: (line) => logLines.push(line),
      functionLog: (fn, line) => functionLines.push(`${fn}: ${line}`),
      onReload: (result) => reloaded(result),
    });
    apiKey = (cloud.outputs.apiKeys as Record<string, string>).globex;
    pool = LocalUserPool.of(cloud);
    user = await pool.signUp("watch");
  });

  after(async function () {
    this.timeout(30_000);
    pool?.destroy();
    await cloud?.stop();
    removeDir(stateDir);
    project?.remove();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") process.stderr.write(`local cloud output:\n${[...logLines, ...functionLines].slice(-40).join("\n")}\n`);
  });

  it("a handler edit changes the next response and reloads that function alone; users, tokens, usage counts and connections survive", async () => {
    const before = await data("before");
    expect(before.status).to.equal(200);
    expect(before.json()).to.not.have.property("revision");
    const usedBefore = keyUsage();
    const apiUrl = cloud.endpoints.restApi;
    const socket = await Client.open(`${cloud.outputs.websocketUrl}?token=${encodeURIComponent(user.idToken)}`);
    try {
      const result = await saveAndReload(() => project.edit("functions/data.ts", "requestId: event.requestContext.requestId,", 'requestId: event.requestContext.requestId, revision: "edited",'));
      expect(result.ok, JSON.stringify(result)).to.equal(true);
      const dataFunction = cloud.run.graph.ofType("aws:lambda/function:Function").find((f) => f.name.startsWith("data"))!;
      expect(result).to.deep.include({ functions: [dataFunction.state.name] });
      expect(result.ok && result.changes).to.deep.equal([`~ aws:lambda/function:Function ${dataFunction.name}: code changed`]);
      expect(logLines).to.include(`~ aws:lambda/function:Function ${dataFunction.name}: code changed`);
      expect(logLines.some((line) => /^ready in \d+ ms$/.test(line))).to.equal(true);

      const after = await data("after");
      expect(after.status).to.equal(200);
      expect(after.json()).to.include({ category: "after", revision: "edited" });
      expect(cloud.endpoints.restApi).to.equal(apiUrl);
      // The key's count went on from where it was: the request before, and the one after.
      expect(keyUsage()).to.equal(usedBefore + 1);
      // The token issued before the reload is still the pool's.
      const created = await call(`${apiUrl}/users`, { method: "POST", headers: { Authorization: user.idToken, "Content-Type": "application/json" }, body: JSON.stringify({ email: "w@example.com", name: "W" }) });
      expect(created.status, created.text).to.equal(201);
      // The connection opened before the reload is open and routed by the new deployment.
      expect(socket.closed).to.equal(undefined);
      socket.send({ action: "whoami" });
      expect((await socket.next("whoami after the reload")).type).to.equal("whoami");
    } finally {
      socket.ws.close();
    }
  });

  it("a throttle edit in Pulumi.dev.yaml changes the limit enforced", async () => {
    // dev: data/GET at 5 rps, burst 10: three requests at once pass.
    const burst = async () => (await Promise.all([1, 2, 3].map((i) => data(`burst-${i}-${Date.now()}`)))).map((r) => r.status).sort();
    expect(await burst()).to.deep.equal([200, 200, 200]);
    const result = await saveAndReload(() => project.edit("Pulumi.dev.yaml", "        rateLimit: 5\n        burstLimit: 10", "        rateLimit: 1\n        burstLimit: 1"));
    expect(result.ok, JSON.stringify(result)).to.equal(true);
    expect(result.ok && result.changes.some((line) => line.startsWith("~ aws:apigateway/methodSettings:MethodSettings "))).to.equal(true);
    const statuses = await burst();
    expect(statuses.filter((s) => s === 429).length, String(statuses)).to.be.at.least(1);
  });

  it("a syntax error keeps the last good deployment serving and is printed; the next good save recovers", async () => {
    const good = project.read("functions/data.ts");
    const broken = await saveAndReload(() => project.write("functions/data.ts", good.replace("export function createDataHandler(", "export function createDataHandler(((")));
    expect(broken.ok).to.equal(false);
    expect(!broken.ok && broken.error).to.contain("data.ts");
    expect(logLines.some((line) => line.startsWith("error: ") && line.includes("data.ts"))).to.equal(true);
    expect(logLines).to.include("the last good deployment is still serving; fix the program and save again");
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the 1 rps bucket refills
    const still = await data(`still-${Date.now()}`);
    expect(still.status).to.equal(200);
    expect(still.json()).to.include({ revision: "edited" });

    const fixed = await saveAndReload(() => project.write("functions/data.ts", good.replace('revision: "edited"', 'revision: "fixed"')));
    expect(fixed.ok, JSON.stringify(fixed)).to.equal(true);
    const recovered = await data(`recovered-${Date.now()}`);
    expect(recovered.json()).to.include({ revision: "fixed" });
  });

  it("a request in flight during a swap completes on the deployment it started on", async () => {
    const slowed = await saveAndReload(() =>
      project.edit("functions/data.ts", "const category = event.queryStringParameters?.category;", 'const category = event.queryStringParameters?.category; if (category === "slow") await new Promise((resolve) => setTimeout(resolve, 2_000));'),
    );
    expect(slowed.ok, JSON.stringify(slowed)).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the 1 rps bucket refills
    const inFlight = data("slow");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const swapped = await saveAndReload(() => project.edit("functions/data.ts", 'revision: "fixed"', 'revision: "swapped"'));
    expect(swapped.ok, JSON.stringify(swapped)).to.equal(true);
    const old = await inFlight;
    expect(old.status, old.text).to.equal(200);
    expect(old.json()).to.include({ category: "slow", revision: "fixed" });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await data(`new-${Date.now()}`)).json()).to.include({ revision: "swapped" });
  });

  it("a table added to the program is created in DynamoDB, and deleted when it is removed again", async () => {
    const original = project.read("index.ts");
    const declaration = `\nexport const notesTable = new aws.dynamodb.Table("notes", { billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }] }).name;\n`;
    const dynamodb = new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    const tableExists = (name: string) => dynamodb.send(new DescribeTableCommand({ TableName: name })).then(() => true, () => false);
    try {
      const added = await saveAndReload(() => project.write("index.ts", original + declaration));
      expect(added.ok && added.changes, JSON.stringify(added)).to.include("+ aws:dynamodb/table:Table notes created");
      const name = cloud.outputs.notesTable as string;
      expect(name).to.match(/^notes-[0-9a-f]{7}$/);
      expect(await tableExists(name)).to.equal(true);

      const removed = await saveAndReload(() => project.write("index.ts", original));
      expect(removed.ok && removed.changes, JSON.stringify(removed)).to.include("- aws:dynamodb/table:Table notes deleted");
      expect(await tableExists(name)).to.equal(false);

      const again = await saveAndReload(() => project.write("index.ts", original + declaration));
      expect(again.ok, JSON.stringify(again)).to.equal(true);
      expect(cloud.outputs.notesTable, "the same physical name, from the stack's seed").to.equal(name);
      expect(await tableExists(name), "created again").to.equal(true);
    } finally {
      dynamodb.destroy();
    }
  });
});
