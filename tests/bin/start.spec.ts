import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { parseStartArgs, USAGE, UsageError } from "../../bin/start";

const ROOT = path.resolve(__dirname, "../..");
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");

/** Runs `npm start`'s command line as a child process. */
function start(...args: string[]) {
  const result = spawnSync(process.execPath, [TS_NODE_BIN, "--transpile-only", "bin/start.ts", ...args], { cwd: ROOT, encoding: "utf8" });
  if (result.error) throw result.error;
  return result;
}

describe("bin/start", () => {
  it("defaults to the dev stack", () => {
    expect(parseStartArgs([])).to.deep.equal({ stack: "dev", showSecrets: false });
    expect(parseStartArgs(["--stack", "prod", "--show-secrets"])).to.deep.equal({ stack: "prod", showSecrets: true });
    expect(parseStartArgs(["--stack=prod"])).to.deep.equal({ stack: "prod", showSecrets: false });
  });

  for (const [args, message] of [
    [["--port"], 'unknown argument "--port"'],
    [["--stack"], "--stack needs a stack name"],
    [["--stack", "--show-secrets"], "--stack needs a stack name"],
    [["--show-secrets=yes"], "--show-secrets takes no value"],
    [["dev"], 'unknown argument "dev"'],
  ] as const) {
    it(`refuses ${args.join(" ")}: ${message}`, () => {
      expect(() => parseStartArgs([...args])).to.throw(UsageError, message);
    });
  }

  it("exits 2 with the usage line on a bad flag", () => {
    const result = start("--nope");
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal(`error: unknown argument "--nope"\n${USAGE}\n`);
  });

  it("exits 1 with the program's error for a stack that does not exist", () => {
    const result = start("--stack", "missing");
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain('error: no stack "missing"');
  });

  it("evaluates the prod stack and prints its resources and outputs", () => {
    const result = start("--stack", "prod");
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/Stack prod: \d+ resources in \d+ ms/);
    expect(result.stdout).to.match(/\n\s+1 {2}aws:apigateway\/restApi:RestApi\n/);
    expect(result.stdout).to.match(/apiType\s+REST\n/);
    expect(result.stdout).to.match(/apiUrl\s+https:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com\/prod\n/);
  });
});
