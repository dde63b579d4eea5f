import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { USAGE, UsageError, main, parseOpenApiArgs } from "../../bin/openapi";

const ROOT = path.resolve(__dirname, "..", "..");
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");

/** Collects what a CLI writes. */
function sink() {
  let text = "";
  return { write: (chunk: string) => (text += chunk), get text() { return text; } };
}

async function runMain(...args: string[]) {
  const stdout = sink();
  const stderr = sink();
  const status = await main(args, stdout, stderr);
  return { status, stdout: stdout.text, stderr: stderr.text };
}

describe("npm run openapi", function () {
  this.timeout(60_000);

  describe("parsing the command line", () => {
    it("defaults to the dev stack, no extensions, stdout", () => {
      expect(parseOpenApiArgs([])).to.deep.equal({ help: false, stack: "dev", extensions: "none" });
      expect(parseOpenApiArgs(["--stack", "prod", "--api=demo", "--extensions", "apigateway", "--out", "api.json"])).to.deep.equal({
        help: false,
        stack: "prod",
        api: "demo",
        extensions: "apigateway",
        out: "api.json",
      });
    });

    for (const [args, message] of [
      [["--extensions", "yaml"], '--extensions must be apigateway or none (got "yaml")'],
      [["--stack"], "--stack needs a value"],
      [["--out", "--api", "x"], "--out needs a value"],
      [["--stack", "a/b"], '--stack must be a stack name (letters, digits, _ . -; got "a/b")'],
      [["--api", "a", "--api", "b"], "--api may be given once"],
      [["--format", "json"], "unknown flag --format"],
      [["api.json"], 'unexpected argument "api.json"'],
    ] as const) {
      it(`exits 2 with the usage line for ${args.join(" ")}`, async () => {
        expect(() => parseOpenApiArgs(args)).to.throw(UsageError, message);
        const result = await runMain(...args);
        expect(result).to.deep.equal({ status: 2, stdout: "", stderr: `error: ${message}\n${USAGE}\n` });
      });
    }

    it("prints the help with --help and exits 0", async () => {
      const result = await runMain("--help");
      expect(result.status).to.equal(0);
      expect(result.stdout).to.contain(USAGE).and.contain("--extensions KIND");
    });
  });

  it("writes the export to --out, and nothing to stdout", async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "openapi-"));
    try {
      const out = path.join(folder, "api.json");
      const result = await runMain("--extensions", "apigateway", "--out", out);
      expect(result).to.deep.equal({ status: 0, stdout: "", stderr: "" });
      const document = JSON.parse(fs.readFileSync(out, "utf8"));
      expect(document.openapi).to.equal("3.0.1");
      expect(document.paths["/users"].post).to.have.property("x-amazon-apigateway-integration");
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("exits 1 when --out cannot be written", async () => {
    const result = await runMain("--out", path.join(os.tmpdir(), "no-such-folder-openapi", "api.json"));
    expect(result.status).to.equal(1);
    expect(result.stderr).to.match(/^error: cannot write .*api\.json: ENOENT/);
  });

  it("exits 1 with the message for a stack without config, or an API the program does not declare", async () => {
    const noStack = await runMain("--stack", "nope");
    expect(noStack.status).to.equal(1);
    expect(noStack.stderr).to.match(/^error: no stack "nope": .*Pulumi\.nope\.yaml does not exist/);
    const noApi = await runMain("--api", "shipping");
    expect(noApi.status).to.equal(1);
    expect(noApi.stderr).to.match(/^error: no REST API named "shipping"; the program declares: demo-api-\w+ \(stage dev\)\n$/);
  });

  it("runs as npm runs it, writing the JSON to stdout (no extensions by default)", () => {
    const result = spawnSync(process.execPath, [TS_NODE_BIN, "--transpile-only", "bin/openapi.ts"], { cwd: ROOT, encoding: "utf8" });
    expect(result.status, result.stderr).to.equal(0);
    const document = JSON.parse(result.stdout);
    expect(document.info.title).to.match(/^demo-api-/);
    expect(JSON.stringify(document)).to.not.contain("x-amazon-apigateway");
  });
});
