import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { parseStartArgs, USAGE, UsageError } from "../../bin/start";
import { waitFor } from "../waitFor";

const ROOT = path.resolve(__dirname, "../..");
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");

/** Runs `npm start`'s command line as a child process to its end. */
function startSync(...args: string[]) {
  const result = spawnSync(process.execPath, [TS_NODE_BIN, "--transpile-only", "bin/start.ts", ...args], { cwd: ROOT, encoding: "utf8" });
  if (result.error) throw result.error;
  return result;
}

describe("bin/start", () => {
  it("defaults to the dev stack on port 4010", () => {
    const defaults = { stack: "dev", showSecrets: false, port: 4010, watch: false, fresh: false, quiet: false };
    expect(parseStartArgs([])).to.deep.equal(defaults);
    expect(parseStartArgs(["--stack", "prod", "--show-secrets", "--port", "0"])).to.deep.equal({ ...defaults, stack: "prod", showSecrets: true, port: 0 });
    expect(parseStartArgs(["--stack=prod", "--port=8080"])).to.deep.equal({ ...defaults, stack: "prod", port: 8080 });
    expect(parseStartArgs(["--state-dir", "/tmp/second"])).to.deep.equal({ ...defaults, stateDir: "/tmp/second" });
    expect(parseStartArgs(["--function-processes"])).to.deep.equal({ ...defaults, functionProcesses: true });
    expect(parseStartArgs(["--watch", "--fresh", "--quiet"])).to.deep.equal({ ...defaults, watch: true, fresh: true, quiet: true });
  });

  for (const [args, message] of [
    [["--verbose"], 'unknown argument "--verbose"'],
    [["--stack"], "--stack needs a stack name"],
    [["--stack", "--show-secrets"], "--stack needs a stack name"],
    [["--show-secrets=yes"], "--show-secrets takes no value"],
    [["--function-processes=1"], "--function-processes takes no value"],
    [["--watch=yes"], "--watch takes no value"],
    [["--fresh=1"], "--fresh takes no value"],
    [["--port", "http"], '--port needs a port number from 0 to 65535 (got "http")'],
    [["--port", "70000"], '--port needs a port number from 0 to 65535 (got "70000")'],
    [["--port"], '--port needs a port number from 0 to 65535 (got "")'],
    [["--state-dir"], "--state-dir needs a folder"],
    [["--state-dir="], "--state-dir needs a folder"],
    [["dev"], 'unknown argument "dev"'],
  ] as const) {
    it(`refuses ${args.join(" ")}: ${message}`, () => {
      expect(() => parseStartArgs([...args])).to.throw(UsageError, message);
    });
  }

  it("exits 2 with the usage line on a bad flag", () => {
    const result = startSync("--nope");
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal(`error: unknown argument "--nope"\n${USAGE}\n`);
  });

  it("exits 1 with the program's error for a stack that does not exist, leaving nothing running", () => {
    const result = startSync("--stack", "missing", "--port", "0");
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain('error: no stack "missing"');
  });

  it("serves the dev stack until SIGINT, then stops cleanly", async function () {
    // Start-up is a few seconds; the margin is for a loaded CI machine.
    this.timeout(150_000);
    // Its own state folder: a developer's `npm start` in this checkout keeps .local/dev.
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-start-"));
    const child = spawn(process.execPath, [TS_NODE_BIN, "--transpile-only", "bin/start.ts", "--port", "0", "--state-dir", stateDir], { cwd: ROOT });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor(() => stdout.includes("Press Ctrl-C to stop."), () => `the start-up banner; output so far:\n${stdout}`, 120_000);
      expect(stdout).to.match(/Program evaluated: \d+ resources in \d+ ms/);
      expect(stdout).to.match(/Lambda runtime: \d+ functions loaded/);
      const apiUrl = /apiUrl\s+(http:\/\/127\.0\.0\.1:\d+\/_aws\/execute-api\/[a-z0-9]{10}\/dev)\n/.exec(stdout)?.[1];
      expect(apiUrl, stdout).to.be.a("string");
      const health = await fetch(`${apiUrl}/health`);
      expect(health.status).to.equal(200);
      expect(await health.json()).to.deep.equal({ status: "ok" });
      const written = JSON.parse(fs.readFileSync(path.join(stateDir, "outputs.json"), "utf8"));
      expect(written.outputs.apiUrl).to.equal(apiUrl);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).to.equal(0);
    expect(stdout).to.contain("SIGINT: stopping the local cloud...");
    fs.rmSync(stateDir, { recursive: true, force: true });
  });
});
