import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlushError, USAGE, UsageError, flushTargetOf, main, outputsFileOf, parseFlushCacheArgs } from "../../bin/flushCache";
import { startApiGatewayManagement, type LocalApiGatewayManagement } from "../../local/apiGatewayManagement";

function errorFrom<T extends Error>(type: new (...args: never[]) => T, fn: () => unknown): T {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return err as T;
  }
  throw new Error(`expected a ${type.name}`);
}

/** Runs main in-process; returns code and output. */
async function runMain(argv: string[], env: { projectDir?: string; outputsFile?: string }) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { write: (t: string) => (stdout += t) }, { write: (t: string) => (stderr += t) }, env);
  return { code, stdout, stderr };
}

describe("bin/flushCache", () => {
  describe("parseFlushCacheArgs", () => {
    it("reads --stack in both spellings, defaulting to dev", () => {
      expect(parseFlushCacheArgs([])).to.deep.equal({ help: false, stack: "dev" });
      expect(parseFlushCacheArgs(["--stack", "prod"])).to.deep.equal({ help: false, stack: "prod" });
      expect(parseFlushCacheArgs(["--stack=qa_1"])).to.deep.equal({ help: false, stack: "qa_1" });
      expect(parseFlushCacheArgs(["-h"]).help).to.equal(true);
    });

    it("refuses bad command lines, saying what is wrong", () => {
      const cases: Array<[string[], string]> = [
        [["--stack"], "--stack needs a value"],
        [["--stack="], "--stack needs a value"],
        [["--stack", "--help"], "--stack needs a value"],
        [["--stack", "a", "--stack", "b"], "--stack may be given once"],
        [["--stack", "../etc"], '--stack must be a stack name (letters, digits, _ . -; got "../etc")'],
        [["--all"], "unknown flag --all"],
        [["dev"], 'unexpected argument "dev"'],
      ];
      for (const [argv, message] of cases) expect(errorFrom(UsageError, () => parseFlushCacheArgs(argv)).message, argv.join(" ")).to.equal(message);
    });
  });

  describe("flushTargetOf", () => {
    it("reads endpoints.apiGateway and restApi { id, stage, region? }", () => {
      const text = JSON.stringify({ endpoints: { apiGateway: "http://127.0.0.1:1" }, restApi: { id: "a1b2c3d4e5", stage: "dev" } });
      expect(flushTargetOf(text, "dev")).to.deep.equal({ endpoint: "http://127.0.0.1:1", restApiId: "a1b2c3d4e5", stageName: "dev", region: "us-east-1" });
    });

    it("names what is missing", () => {
      expect(errorFrom(FlushError, () => flushTargetOf("{", "dev")).message).to.equal(".local/dev/outputs.json is not JSON; restart the local cloud: npm start -- --stack dev");
      expect(errorFrom(FlushError, () => flushTargetOf(JSON.stringify({ endpoints: {} }), "dev")).message).to.equal(
        ".local/dev/outputs.json has no endpoints.apiGateway; restart the local cloud: npm start -- --stack dev",
      );
      expect(errorFrom(FlushError, () => flushTargetOf(JSON.stringify({ endpoints: { apiGateway: "http://x" } }), "dev")).message).to.equal(
        "stack dev serves no REST API (outputs.json has no restApi.id and restApi.stage); only REST APIs have a stage cache",
      );
    });
  });

  describe("main", () => {
    let stateDir: string;
    let outputsFile: string;
    let management: LocalApiGatewayManagement;
    const flushed: string[] = [];

    before(async () => {
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "flush-cache-"));
      outputsFile = path.join(stateDir, "outputs.json");
      management = await startApiGatewayManagement({ flush: (id, stage) => id === "a1b2c3d4e5" && stage === "dev" && flushed.push(`${id}/${stage}`) > 0 });
    });

    after(async () => {
      await management?.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    });

    beforeEach(() => (flushed.length = 0));

    const writeOutputs = (content: unknown) => fs.writeFileSync(outputsFile, JSON.stringify(content));

    it("flushes the stage named in outputs.json through the management endpoint with the SDK", async () => {
      writeOutputs({ stack: "dev", outputs: {}, endpoints: { apiGateway: management.url }, restApi: { id: "a1b2c3d4e5", stage: "dev" } });
      const result = await runMain([], { outputsFile });
      expect(result).to.deep.equal({ code: 0, stdout: "Flushed the cache of stage dev of API a1b2c3d4e5\n", stderr: "" });
      expect(flushed).to.deep.equal(["a1b2c3d4e5/dev"]);
    });

    it("exits 1 when the local cloud is not running: no outputs.json, or nothing listening", async () => {
      const missing = await runMain(["--stack", "qa"], { projectDir: stateDir });
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.equal(`error: the local cloud of stack qa is not running (no ${path.join(".local", "qa", "outputs.json")}); start it: npm start -- --stack qa\n`);
      expect(outputsFileOf("qa", stateDir)).to.equal(path.join(stateDir, ".local", "qa", "outputs.json"));

      // A port that was just free: outputs.json left behind by a cloud that has stopped.
      const stopped = await startApiGatewayManagement({ flush: () => true });
      await stopped.stop();
      writeOutputs({ endpoints: { apiGateway: stopped.url }, restApi: { id: "a1b2c3d4e5", stage: "dev" } });
      const refused = await runMain([], { outputsFile });
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.equal(`error: the local cloud of stack dev is not running (nothing answers at ${stopped.url}); start it: npm start -- --stack dev\n`);
    });

    it("exits 1 for a stage the cloud does not serve, and 2 with the usage for a bad flag", async () => {
      writeOutputs({ endpoints: { apiGateway: management.url }, restApi: { id: "a1b2c3d4e5", stage: "prod" } });
      const unknown = await runMain([], { outputsFile });
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.equal("error: the local cloud has no stage prod of API a1b2c3d4e5 (Invalid stage identifier specified); restart it: npm start -- --stack dev\n");
      expect(flushed).to.deep.equal([]);

      const bad = await runMain(["--stak", "dev"], { outputsFile });
      expect(bad).to.deep.equal({ code: 2, stdout: "", stderr: `error: unknown flag --stak\n${USAGE}\n` });
      const help = await runMain(["--help"], { outputsFile });
      expect(help.code).to.equal(0);
      expect(help.stdout).to.contain(USAGE);
    });
  });
});
