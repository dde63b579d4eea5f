import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { USAGE, UsageError, main, parseLogsArgs } from "../../../bin/logs";
import { followFile, lastLines } from "../../../local/logs/logFileTail";
import { waitFor } from "../../waitFor";

const PROJECT_ROOT = path.resolve(__dirname, "../../..");

/** Output captured in memory. */
class Captured {
  text = "";
  write(text: string): void {
    this.text += text;
  }
  get lines(): string[] {
    return this.text.split("\n").slice(0, -1);
  }
}

describe("npm run logs", () => {
  describe("arguments", () => {
    it("defaults to the access log of stack dev, its last 50 lines, not following", () => {
      expect(parseLogsArgs([])).to.deep.equal({ help: false, stack: "dev", follow: false, lines: 50 });
    });

    it("takes every flag, as --flag value or --flag=value", () => {
      expect(parseLogsArgs(["--stack", "prod", "--state-dir=/tmp/x", "--function", "data-fn", "--follow", "--lines=7"])).to.deep.equal({
        help: false,
        stack: "prod",
        stateDir: "/tmp/x",
        functionName: "data-fn",
        follow: true,
        lines: 7,
      });
      expect(parseLogsArgs(["-f", "-n", "0"])).to.include({ follow: true, lines: 0 });
    });

    for (const [argv, message] of [
      [["--lines", "ten"], '--lines needs a whole number of lines (got "ten")'],
      [["--lines", "-3"], "--lines needs a value"],
      [["--function"], "--function needs a value"],
      [["--function="], "--function needs a value"],
      [["--stack", "a/b"], '--stack must be a stack name (letters, digits, _ . -; got "a/b")'],
      [["--stack", "a", "--stack", "b"], "--stack may be given once"],
      [["--follow=yes"], "--follow takes no value"],
      [["--tail"], "unknown flag --tail"],
      [["access"], 'unexpected argument "access"'],
    ] as const) {
      it(`refuses ${argv.join(" ")}: ${message}`, () => {
        expect(() => parseLogsArgs(argv)).to.throw(UsageError, message);
      });
    }

    it("answers a bad flag with exit code 2, the error and the usage on stderr", async () => {
      const stdout = new Captured();
      const stderr = new Captured();
      expect(await main(["--lines", "x"], stdout, stderr)).to.equal(2);
      expect(stdout.text).to.equal("");
      expect(stderr.lines).to.deep.equal(['error: --lines needs a whole number of lines (got "x")', USAGE]);
    });

    it("is an npm script", async () => {
      const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "logs", "--", "--help"], { cwd: PROJECT_ROOT });
      expect(stdout).to.include(USAGE);
    });
  });

  describe("reading", () => {
    let stateDir: string;
    let logsDir: string;

    beforeEach(() => {
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-logs-cli-"));
      logsDir = path.join(stateDir, "logs");
      fs.mkdirSync(logsDir);
    });

    afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

    const run = async (argv: string[], env: Parameters<typeof main>[3] = {}) => {
      const stdout = new Captured();
      const stderr = new Captured();
      const code = await main(["--state-dir", stateDir, ...argv], stdout, stderr, env);
      return { code, stdout, stderr };
    };

    it("prints the access log's last lines", async () => {
      fs.writeFileSync(path.join(logsDir, "access.log"), Array.from({ length: 80 }, (_, i) => `line ${i + 1}`).join("\n") + "\n");
      const all = await run([]);
      expect(all.code).to.equal(0);
      expect(all.stdout.lines).to.have.length(50);
      expect(all.stdout.lines[0]).to.equal("line 31");
      expect(all.stdout.lines[49]).to.equal("line 80");
      expect((await run(["--lines", "2"])).stdout.lines).to.deep.equal(["line 79", "line 80"]);
    });

    it("prints a function's log, by its name or a unique prefix of it", async () => {
      fs.writeFileSync(path.join(logsDir, "data-fn-3f2a1b7.log"), "START\nEND\n");
      fs.writeFileSync(path.join(logsDir, "orders-fn-9c8d7e6.log"), "other\n");
      expect((await run(["--function", "data-fn-3f2a1b7"])).stdout.lines).to.deep.equal(["START", "END"]);
      expect((await run(["--function", "data-fn"])).stdout.lines).to.deep.equal(["START", "END"]);
    });

    it("names the function logs there are when a function has none (exit 1)", async () => {
      fs.writeFileSync(path.join(logsDir, "data-fn-1.log"), "x\n");
      fs.writeFileSync(path.join(logsDir, "data-fn-2.log"), "x\n");
      fs.writeFileSync(path.join(logsDir, "access.log"), "x\n");
      const unknown = await run(["--function", "users"]);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr.text).to.equal(`error: no log for function "users" in ${logsDir}; functions with a log: data-fn-1, data-fn-2\n`);
      const ambiguous = await run(["--function", "data-fn"]);
      expect(ambiguous.code).to.equal(1);
      expect(ambiguous.stderr.text).to.include('"data-fn" names several functions').and.include("data-fn-1, data-fn-2");
    });

    it("says so when there is no logs folder (exit 1)", async () => {
      fs.rmSync(logsDir, { recursive: true });
      const { code, stderr } = await run([]);
      expect(code).to.equal(1);
      expect(stderr.text).to.match(/^error: no logs at .*logs: the local cloud has not run for this stack/);
    });

    it("finds .local/<stack>/logs under the project without --state-dir", async () => {
      const projectDir = stateDir;
      fs.mkdirSync(path.join(projectDir, ".local", "prod", "logs"), { recursive: true });
      fs.writeFileSync(path.join(projectDir, ".local", "prod", "logs", "access.log"), "prod line\n");
      const stdout = new Captured();
      expect(await main(["--stack", "prod"], stdout, new Captured(), { projectDir })).to.equal(0);
      expect(stdout.lines).to.deep.equal(["prod line"]);
    });

    it("follows the file: prints appended lines, whole, until stopped", async () => {
      const file = path.join(logsDir, "access.log");
      fs.writeFileSync(file, "old 1\nold 2\n");
      const stop = new AbortController();
      const stdout = new Captured();
      const done = main(["--state-dir", stateDir, "--follow", "--lines", "1"], stdout, new Captured(), { stopFollowing: stop.signal, pollMs: 10 });
      await waitFor(() => stdout.lines.length === 1, "the last line");
      fs.appendFileSync(file, "new 1\nnew");
      await waitFor(() => stdout.lines.length === 2, "the appended line");
      fs.appendFileSync(file, " 2\n");
      await waitFor(() => stdout.lines.length === 3, "the completed line");
      stop.abort();
      expect(await done).to.equal(0);
      expect(stdout.lines).to.deep.equal(["old 2", "new 1", "new 2"]);
    });
  });

  describe("log files", () => {
    let dir: string;

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-tail-"));
    });

    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads the last lines of a file larger than a read, multi-byte characters whole", () => {
      const file = path.join(dir, "big.log");
      const lines = Array.from({ length: 20_000 }, (_, i) => `${i} — żółć ${"x".repeat(i % 50)}`);
      fs.writeFileSync(file, lines.join("\n") + "\n");
      const tail = lastLines(file, 1500);
      expect(tail.lines).to.deep.equal(lines.slice(-1500));
      expect(tail.size).to.equal(fs.statSync(file).size);
      expect(lastLines(file, 0).lines).to.deep.equal([]);
      fs.writeFileSync(file, "no newline at the end");
      expect(lastLines(file, 5).lines).to.deep.equal(["no newline at the end"]);
    });

    it("follows a file that does not exist yet, and one that was wiped", async () => {
      const file = path.join(dir, "later.log");
      const seen: string[] = [];
      const following = followFile(file, 0, (line) => seen.push(line), 10);
      try {
        fs.writeFileSync(file, "first\nsecond\n");
        await waitFor(() => seen.length === 2, "the new file's lines");
        fs.writeFileSync(file, "after wipe\n");
        await waitFor(() => seen.length === 3, "the wiped file's line");
        expect(seen).to.deep.equal(["first", "second", "after wipe"]);
      } finally {
        following.stop();
      }
    });
  });
});
