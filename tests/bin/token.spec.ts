import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  TokenError,
  USAGE,
  UsageError,
  formatToken,
  main,
  outputsFileOf,
  parseTokenArgs,
  tokenClientsOf,
} from "../../bin/token";
import { verifyHmacToken } from "../../functions/hmacToken";

const ROOT = path.resolve(__dirname, "..", "..");
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");
const CLIENTS = { "mobile-app": "A".repeat(48), "partner-acme": "b".repeat(48) };
const NOW = 1_764_000_000;

/** Runs the real CLI the way `npm run token` does. Each call costs ~1-2 s. */
function runCli(...args: string[]) {
  const result = spawnSync(process.execPath, [TS_NODE_BIN, "--transpile-only", "bin/token.ts", ...args], { cwd: ROOT, encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function errorFrom<T extends Error>(type: new (...args: never[]) => T, fn: () => unknown): T {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return err as T;
  }
  throw new Error(`expected a ${type.name}`);
}

/** Runs main in-process against a project folder of its own; returns code and output. */
function runMain(argv: string[], projectDir: string) {
  let stdout = "";
  let stderr = "";
  const code = main(argv, { write: (t: string) => (stdout += t) }, { write: (t: string) => (stderr += t) }, { projectDir, nowSeconds: NOW });
  return { code, stdout, stderr };
}

function writeOutputs(projectDir: string, stack: string, content: unknown) {
  const file = outputsFileOf(stack, projectDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
}

describe("bin/token", () => {
  describe("parseTokenArgs", () => {
    it("reads --client and --stack, in both spellings; the stack defaults to dev", () => {
      expect(parseTokenArgs(["--client", "mobile-app"])).to.deep.equal({ help: false, client: "mobile-app", stack: "dev" });
      expect(parseTokenArgs(["--stack=prod", "--client=x"])).to.deep.equal({ help: false, client: "x", stack: "prod" });
      expect(parseTokenArgs(["--client", "x", "--help"]).help).to.equal(true);
    });

    it("refuses bad command lines, saying what is wrong", () => {
      const cases: Array<[string[], string]> = [
        [[], "--client is required"],
        [["--client"], "--client needs a value"],
        [["--client", "--stack", "dev"], "--client needs a value"],
        [["--client="], "--client needs a value"],
        [["--client", "a", "--client", "b"], "--client may be given once"],
        [["--client", "a", "--stack", "../etc"], '--stack must be a stack name (letters, digits, _ . -; got "../etc")'],
        [["--client", "a", "--verbose"], "unknown flag --verbose"],
        [["--client", "a", "extra"], 'unexpected argument "extra"'],
      ];
      for (const [argv, message] of cases) expect(errorFrom(UsageError, () => parseTokenArgs(argv)).message, argv.join(" ")).to.equal(message);
    });
  });

  describe("tokenClientsOf / formatToken", () => {
    it("mints a token that verifies with the client's secret", () => {
      const token = formatToken(CLIENTS, "partner-acme", NOW);
      expect(verifyHmacToken(token, CLIENTS, NOW)).to.deep.equal({ ok: true, clientId: "partner-acme", issuedAt: NOW, expiresAt: NOW + 300 });
    });

    it("lists the known clients for an unknown one", () => {
      expect(errorFrom(TokenError, () => formatToken(CLIENTS, "nobody")).message).to.equal('unknown client "nobody"; known clients: mobile-app, partner-acme');
      expect(errorFrom(TokenError, () => formatToken(CLIENTS, "constructor")).message).to.contain("unknown client");
    });

    it("reads tokenClients from outputs.json, and says when there is none", () => {
      expect(tokenClientsOf(JSON.stringify({ stack: "dev", outputs: { tokenClients: CLIENTS } }), "dev")).to.deep.equal(CLIENTS);
      expect(errorFrom(TokenError, () => tokenClientsOf(JSON.stringify({ outputs: { apiUrl: "x" } }), "dev")).message).to.equal(
        "stack dev has no tokenClients output (client id -> secret); export a TokenAuthorizer's tokenClients from index.ts",
      );
      expect(errorFrom(TokenError, () => tokenClientsOf("{", "dev")).message).to.contain("is not JSON");
    });
  });

  describe("main (in process)", () => {
    let projectDir: string;
    beforeEach(() => {
      projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "token-cli-"));
    });
    afterEach(() => fs.rmSync(projectDir, { recursive: true, force: true }));

    it("prints one line: the token", () => {
      writeOutputs(projectDir, "staging", { outputs: { tokenClients: CLIENTS } });
      const { code, stdout, stderr } = runMain(["--client", "mobile-app", "--stack", "staging"], projectDir);
      expect([code, stderr]).to.deep.equal([0, ""]);
      expect(stdout).to.equal(`${formatToken(CLIENTS, "mobile-app", NOW)}\n`);
    });

    it("exits 1 telling to start the local cloud when there is no outputs.json", () => {
      const { code, stdout, stderr } = runMain(["--client", "mobile-app"], projectDir);
      expect([code, stdout]).to.deep.equal([1, ""]);
      expect(stderr).to.equal(`error: no ${path.join(".local", "dev", "outputs.json")}: start the local cloud first: npm start -- --stack dev\n`);
    });

    it("exits 1 listing the known clients for an unknown one", () => {
      writeOutputs(projectDir, "dev", { outputs: { tokenClients: CLIENTS } });
      const { code, stderr } = runMain(["--client", "carol"], projectDir);
      expect(code).to.equal(1);
      expect(stderr).to.equal('error: unknown client "carol"; known clients: mobile-app, partner-acme\n');
    });

    it("exits 2 with the usage line for bad flags, 0 with help", () => {
      const bad = runMain(["--client", "a", "--bogus"], projectDir);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.equal(`error: unknown flag --bogus\n${USAGE}\n`);
      const help = runMain(["--help"], projectDir);
      expect(help.code).to.equal(0);
      expect(help.stdout.startsWith(USAGE)).to.equal(true);
    });
  });

  describe("the CLI (child process)", () => {
    // A stack of its own under the real project's .local, removed afterwards.
    const stack = `token-spec-${process.pid}`;
    after(() => fs.rmSync(path.join(ROOT, ".local", stack), { recursive: true, force: true }));

    it("prints a token that verifies now", () => {
      writeOutputs(ROOT, stack, { stack, outputs: { tokenClients: CLIENTS } });
      const { status, stdout, stderr } = runCli("--client", "partner-acme", "--stack", stack);
      expect(stderr).to.equal("");
      expect(status).to.equal(0);
      expect(stdout.endsWith("\n")).to.equal(true);
      expect(stdout.trimEnd().split("\n")).to.have.length(1);
      expect(verifyHmacToken(stdout.trim(), CLIENTS, Date.now() / 1000).ok).to.equal(true);
    });

    it("exits 2 with the usage line for a bad flag", () => {
      const { status, stdout, stderr } = runCli("--client");
      expect(status).to.equal(2);
      expect(stdout).to.equal("");
      expect(stderr).to.equal(`error: --client needs a value\n${USAGE}\n`);
    });
  });
});
