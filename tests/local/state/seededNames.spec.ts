import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { expect } from "chai";
import { runProgram, type ProgramRun } from "../../../local/controlPlane";
import { stateSeed } from "../../../local/state/stateSeed";
import { modeOf, temporaryStateDir } from "./stateFolder";

/** Resources whose ids, names or values the provider draws at random. */
function define() {
  const table = new aws.dynamodb.Table("orders", { hashKey: "id", attributes: [{ name: "id", type: "S" }], billingMode: "PAY_PER_REQUEST" });
  const api = new aws.apigateway.RestApi("api", {});
  const key = new aws.apigateway.ApiKey("partner", {});
  const plan = new aws.apigateway.UsagePlan("basic", {});
  const secret = new aws.secretsmanager.Secret("tokens", {});
  const password = new random.RandomPassword("partner-secret", { length: 48, special: false });
  const pool = new aws.cognito.UserPool("users", {});
  const http = new aws.apigatewayv2.Api("http", { protocolType: "HTTP" });
  return {
    table: table.name,
    apiId: api.id,
    rootResourceId: api.rootResourceId,
    keyId: key.id,
    keyValue: key.value,
    planId: plan.id,
    secretArn: secret.arn,
    password: password.result,
    poolId: pool.id,
    httpApiId: http.id,
  };
}

async function namesOf(randomSeed?: string): Promise<Record<string, unknown>> {
  const run: ProgramRun = await runProgram({ stack: "dev", cloud: randomSeed === undefined ? {} : { randomSeed }, define });
  return Object.fromEntries(Object.entries(run.outputs).map(([key, output]) => [key, output.value]));
}

describe("local state: stable physical names and ids", () => {
  describe("CloudIdentity.randomSeed", () => {
    it("answers the same names, ids and generated values for two runs with the same seed", async () => {
      const first = await namesOf("seed-a");
      expect(await namesOf("seed-a")).to.deep.equal(first);
      // Still of AWS's shapes.
      expect(first.table).to.match(/^orders-[0-9a-f]{7}$/);
      expect(first.apiId).to.match(/^[a-z0-9]{10}$/);
      expect(first.keyValue).to.match(/^[A-Za-z0-9]{40}$/);
      expect(first.password).to.match(/^[A-Za-z0-9]{48}$/);
      expect(first.secretArn).to.match(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:tokens-[0-9a-f]{7}-[A-Za-z]{6}$/);
      expect(first.poolId).to.match(/^us-east-1_[A-Za-z0-9]{9}$/);
    });

    it("derives a draw as HMAC-SHA256(seed, `${type}|${logicalName}|${purpose}`)", async () => {
      const { table } = await namesOf("seed-a");
      const digest = createHmac("sha256", "seed-a").update("aws:dynamodb/table:Table|orders|name").digest("hex");
      expect(table).to.equal(`orders-${digest.slice(0, 7)}`);
    });

    it("answers other ones for another seed, and different ones for each resource and purpose", async () => {
      const a = await namesOf("seed-a");
      const b = await namesOf("seed-b");
      for (const key of Object.keys(a)) expect(b[key], key).to.not.equal(a[key]);
      expect(a.rootResourceId).to.not.equal(a.apiId);
      expect(a.httpApiId).to.not.equal(a.apiId);
    });

    it("draws at random without a seed, as before", async () => {
      const a = await namesOf();
      const b = await namesOf();
      for (const key of Object.keys(a)) expect(b[key], key).to.not.equal(a[key]);
    });
  });

  describe("stateSeed", () => {
    let state: ReturnType<typeof temporaryStateDir>;

    beforeEach(() => {
      state = temporaryStateDir("seed");
    });

    afterEach(() => state.remove());

    it("creates <stateDir>/seed once (32 random bytes in hex, mode 0600) and reads it back after", () => {
      const stateDir = path.join(state.dir, ".local", "dev");
      const seed = stateSeed(stateDir);
      expect(seed).to.match(/^[0-9a-f]{64}$/);
      expect(fs.readFileSync(path.join(stateDir, "seed"), "utf8").trim()).to.equal(seed);
      expect(modeOf(path.join(stateDir, "seed"))).to.equal(0o600);
      expect(stateSeed(stateDir)).to.equal(seed);
      expect(stateSeed(path.join(state.dir, ".local", "prod"))).to.not.equal(seed);
    });

    it("draws a fresh seed each time without a state folder", () => {
      expect(stateSeed()).to.match(/^[0-9a-f]{64}$/).and.not.equal(stateSeed());
    });

    it("refuses a seed file that holds no seed, naming it and suggesting --fresh", () => {
      fs.writeFileSync(path.join(state.dir, "seed"), "not a seed\n");
      expect(() => stateSeed(state.dir)).to.throw(
        `${path.join(state.dir, "seed")} does not hold a seed (64 hex digits): delete it, or start with --fresh to begin with an empty state`,
      );
    });
  });
});
