import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CustomersCliEnvironment, USAGE, UsageError, apiUrlOf, main, parseCustomersArgs, requestOf } from "../../bin/customers";
import { PROPAGATION_NOTE, table } from "../../bin/customerTables";

function usageError(argv: string[]): string {
  try {
    parseCustomersArgs(argv);
  } catch (err) {
    expect(err, argv.join(" ")).to.be.instanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(" ")}`);
}

/** A fetch that records the request and answers `status` with `body`. */
function fakeFetch(status: number, body: unknown) {
  const requests: Array<{ url: string; method?: string; headers: Record<string, string>; body?: unknown }> = [];
  const fetchFn = (async (url: string, init: RequestInit = {}) => {
    requests.push({ url, method: init.method, headers: init.headers as Record<string, string>, body: init.body ? JSON.parse(init.body as string) : undefined });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  }) as typeof fetch;
  return { fetchFn, requests };
}

describe("bin/customers", () => {
  describe("parseCustomersArgs", () => {
    it("reads each command and its arguments, the flags in both spellings; the stack defaults to dev", () => {
      const defaults = { help: false, stack: "dev", json: false };
      expect(parseCustomersArgs(["add", "hooli", "--tier", "premium"])).to.deep.equal({ ...defaults, command: "add", id: "hooli", tier: "premium" });
      expect(parseCustomersArgs(["list", "--json"])).to.deep.equal({ ...defaults, command: "list", json: true });
      expect(parseCustomersArgs(["usage", "acme", "--start=2026-12-01", "--end", "2026-12-06"])).to.deep.equal({ ...defaults, command: "usage", id: "acme", startDate: "2026-12-01", endDate: "2026-12-06" });
      expect(parseCustomersArgs(["tier", "acme", "enterprise", "--stack", "prod"])).to.deep.equal({ ...defaults, command: "tier", id: "acme", tier: "enterprise", stack: "prod" });
      for (const command of ["rotate", "disable", "enable", "remove"]) {
        expect(parseCustomersArgs([command, "hooli", "--state-dir", "/tmp/x"]), command).to.deep.equal({ ...defaults, command, id: "hooli", stateDir: "/tmp/x" });
      }
      expect(parseCustomersArgs(["list", "--url", "https://abc.execute-api.us-east-1.amazonaws.com/prod/", "--token", "eyJ"])).to.deep.equal({
        ...defaults,
        command: "list",
        url: "https://abc.execute-api.us-east-1.amazonaws.com/prod",
        token: "eyJ",
      });
      expect(parseCustomersArgs(["add", "--help"]).help).to.equal(true);
    });

    it("refuses bad command lines, saying what is wrong", () => {
      const cases: Array<[string[], string]> = [
        [[], "a command is required (add, list, usage, tier, rotate, disable, enable, remove)"],
        [["show", "acme"], 'unknown command "show" (commands: add, list, usage, tier, rotate, disable, enable, remove)'],
        [["add", "--tier", "basic"], "add takes <id> (got none)"],
        [["list", "acme"], 'list takes no arguments (got "acme")'],
        [["tier", "acme"], 'tier takes <id> <tier> (got "acme")'],
        [["remove", "a", "b"], 'remove takes <id> (got "a" "b")'],
        [["add", "hoo.li", "--tier", "basic"], `a customer id is 1-64 letters, digits, '_' or '-' (got "hoo.li")`],
        [["add", "hooli"], "add needs --tier <tier>"],
        [["add", "hooli", "--tier"], "--tier needs a value"],
        [["add", "hooli", "--tier", "a", "--tier", "b"], "--tier may be given once"],
        [["list", "--tier", "basic"], "--tier is for add (tier takes the tier as its second argument)"],
        [["list", "--start", "2026-12-01"], "--start and --end are for usage"],
        [["usage", "acme", "--start", "2026-02-30"], '--start must be a date as yyyy-MM-dd (got "2026-02-30")'],
        [["usage", "acme", "--end=yesterday"], '--end must be a date as yyyy-MM-dd (got "yesterday")'],
        [["list", "--url", "https://x.example.com/dev"], "--url needs --token (an ID token of a user in the admins group)"],
        [["list", "--url", "https://x.example.com/dev", "--token", "t", "--stack", "prod"], "--url names a deployed stack: leave out --stack and --state-dir"],
        [["list", "--url", "ftp://x/dev", "--token", "t"], '--url must be an http(s) URL (got "ftp://x/dev")'],
        [["list", "--url", "not a url", "--token", "t"], '--url must be the API\'s URL, like https://abc123.execute-api.us-east-1.amazonaws.com/prod (got "not a url")'],
        [["list", "--stack", "dev", "--state-dir", "/tmp/x"], "give --stack or --state-dir, not both"],
        [["list", "--stack", "../etc"], '--stack must be a stack name (letters, digits, _ . -; got "../etc")'],
        [["list", "--token", "--json"], "--token needs a value"],
        [["list", "--verbose"], "unknown flag --verbose"],
      ];
      for (const [argv, message] of cases) expect(usageError(argv), argv.join(" ")).to.equal(message);
    });
  });

  it("sends each command as its route of the customers API", () => {
    const parsed = (...argv: string[]) => requestOf(parseCustomersArgs(argv));
    expect(parsed("add", "hooli", "--tier", "basic")).to.deep.equal({ method: "POST", path: "/customers", body: { id: "hooli", tier: "basic" } });
    expect(parsed("list")).to.deep.equal({ method: "GET", path: "/customers" });
    expect(parsed("usage", "hooli")).to.deep.equal({ method: "GET", path: "/customers/hooli/usage" });
    expect(parsed("usage", "hooli", "--start", "2026-12-01", "--end", "2026-12-02")).to.deep.equal({ method: "GET", path: "/customers/hooli/usage?startDate=2026-12-01&endDate=2026-12-02" });
    expect(parsed("tier", "hooli", "premium")).to.deep.equal({ method: "PUT", path: "/customers/hooli/tier", body: { tier: "premium" } });
    expect(parsed("rotate", "hooli")).to.deep.equal({ method: "POST", path: "/customers/hooli/rotate" });
    expect(parsed("disable", "hooli")).to.deep.equal({ method: "POST", path: "/customers/hooli/disable" });
    expect(parsed("enable", "hooli")).to.deep.equal({ method: "POST", path: "/customers/hooli/enable" });
    expect(parsed("remove", "hooli")).to.deep.equal({ method: "DELETE", path: "/customers/hooli" });
  });

  describe("main", () => {
    let stateDir: string;
    let stdout: string;
    let stderr: string;
    const signedIn: string[] = [];
    const env = (fetchFn: typeof fetch): CustomersCliEnvironment => ({
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      fetch: fetchFn,
      signIn: async (file) => {
        signedIn.push(file);
        return "local-admin-token";
      },
    });

    before(() => {
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "customers-cli-"));
      fs.writeFileSync(path.join(stateDir, "outputs.json"), JSON.stringify({ stack: "dev", outputs: { apiUrl: "http://127.0.0.1:4010/dev" }, endpoints: {} }));
    });
    after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
    beforeEach(() => {
      stdout = "";
      stderr = "";
      signedIn.length = 0;
    });

    it("exits 2 with the usage line for a bad command line, 0 with the help", async () => {
      expect(await main(["list", "--verbose"], env(fakeFetch(200, {}).fetchFn))).to.equal(2);
      expect(stderr).to.equal(`error: unknown flag --verbose\n${USAGE}\n`);
      expect(await main(["--help"], env(fakeFetch(200, {}).fetchFn))).to.equal(0);
      expect(stdout).to.contain(USAGE).and.contain("On AWS a new or changed key takes effect after a short propagation delay");
    });

    it("locally, calls the apiUrl of outputs.json with a signed-in admin's token, and prints a table", async () => {
      const { fetchFn, requests } = fakeFetch(200, {
        customers: [
          { id: "acme", tier: "basic", enabled: true, keyId: "k1", managedBy: "config", createdDate: null },
          { id: "hooli", tier: null, enabled: false, keyId: "k2", managedBy: "api", createdDate: null, otherKeys: [{ keyId: "k0" }] },
        ],
      });
      expect(await main(["list", "--state-dir", stateDir], env(fetchFn))).to.equal(0);
      expect(requests).to.deep.equal([{ url: "http://127.0.0.1:4010/dev/customers", method: "GET", headers: { Authorization: "local-admin-token" }, body: undefined }]);
      expect(signedIn).to.deep.equal([path.join(stateDir, "outputs.json")]);
      expect(stdout).to.equal(
        table(["CUSTOMER", "TIER", "ENABLED", "MANAGED BY", "KEY ID"], [["acme", "basic", "yes", "config", "k1"], ["hooli", "(no plan)", "no", "api", "k2 (+1 left over)"]]),
      );
      expect(stderr).to.equal("");
    });

    it("prints the new key once on add, and the propagation note on stderr (add, enable, disable, tier, rotate)", async () => {
      const { fetchFn, requests } = fakeFetch(201, { id: "hooli", tier: "basic", keyId: "k3", enabled: true, managedBy: "api", apiKey: "SECRETVALUE1234567890" });
      expect(await main(["add", "hooli", "--tier", "basic", "--state-dir", stateDir, "--token", "given"], env(fetchFn))).to.equal(0);
      expect(requests[0]).to.deep.include({ method: "POST", headers: { Authorization: "given", "Content-Type": "application/json" }, body: { id: "hooli", tier: "basic" } });
      expect(signedIn).to.deep.equal([]);
      expect(stdout).to.equal("Customer hooli onboarded in tier basic.\nKey id: k3\nAPI key (shown this once; store it now): SECRETVALUE1234567890\n");
      expect(stderr).to.equal(`${PROPAGATION_NOTE}\n`);
      stdout = stderr = "";
      expect(await main(["enable", "hooli", "--state-dir", stateDir, "--json"], env(fakeFetch(200, { id: "hooli", enabled: true, keyIds: ["k3"] }).fetchFn))).to.equal(0);
      expect(JSON.parse(stdout)).to.deep.equal({ id: "hooli", enabled: true, keyIds: ["k3"] });
      expect(stderr).to.equal(`${PROPAGATION_NOTE}\n`);
    });

    it("prints a usage report as a table", async () => {
      const report = {
        id: "acme", tier: "basic", keyId: "k1", quota: { limit: 1000, period: "DAY", offset: 0 }, startDate: "2026-12-06", endDate: "2026-12-06",
        used: 3, remaining: 997, days: [{ date: "2026-12-06", used: 3, remaining: 997 }],
      };
      expect(await main(["usage", "acme", "--state-dir", stateDir], env(fakeFetch(200, report).fetchFn))).to.equal(0);
      expect(stdout).to.equal(`Customer acme, tier basic (quota 1000 a DAY), key k1: 2026-12-06 to 2026-12-06, used 3, remaining 997\n${table(["DATE", "USED", "REMAINING"], [["2026-12-06", "3", "997"]])}`);
    });

    it("with --url, calls that API with --token, signing nobody in", async () => {
      const { fetchFn, requests } = fakeFetch(200, { id: "acme", removed: true, keyIds: ["k1"] });
      expect(await main(["remove", "acme", "--url", "https://abc.execute-api.us-east-1.amazonaws.com/prod", "--token", "eyJ"], env(fetchFn))).to.equal(0);
      expect(requests[0]).to.deep.include({ url: "https://abc.execute-api.us-east-1.amazonaws.com/prod/customers/acme", method: "DELETE", headers: { Authorization: "eyJ" } });
      expect(signedIn).to.deep.equal([]);
      expect(stdout).to.equal("Customer acme removed (keys k1 deleted).\n");
    });

    it("exits 1 with the API's message: {message} or {error}, and the status", async () => {
      expect(await main(["add", "acme", "--tier", "basic", "--state-dir", stateDir], env(fakeFetch(409, { message: 'customer "acme" exists already' }).fetchFn))).to.equal(1);
      expect(stderr).to.equal('error: customer "acme" exists already (HTTP 409)\n');
      expect(stdout).to.equal("");
      stderr = "";
      expect(await main(["list", "--state-dir", stateDir], env(fakeFetch(403, { error: "Insufficient permissions" }).fetchFn))).to.equal(1);
      expect(stderr).to.equal("error: Insufficient permissions (HTTP 403)\n");
    });

    it("exits 1 after printing a rotated key whose old key was left behind, saying so", async () => {
      const body = { id: "hooli", tier: "basic", keyId: "k4", enabled: true, apiKey: "NEWVALUE1234567890abc", retiredKeyIds: [], notRetired: { k3: "x" }, warning: "the new key works, but key k3 could not be detached and deleted (x): rotate again or remove them" };
      expect(await main(["rotate", "hooli", "--state-dir", stateDir], env(fakeFetch(200, body).fetchFn))).to.equal(1);
      expect(stdout).to.contain("NEWVALUE1234567890abc");
      expect(stderr).to.equal(`${PROPAGATION_NOTE}\nerror: ${body.warning}\n`);
    });

    it("exits 1 when the local cloud is not running or does not answer", async () => {
      const missing = path.join(stateDir, "nothing");
      expect(await main(["list", "--state-dir", missing], env(fakeFetch(200, {}).fetchFn))).to.equal(1);
      expect(stderr).to.equal(`error: the local cloud of stack dev is not running (no ${path.join(missing, "outputs.json")}); start it: npm start -- --stack dev\n`);
      stderr = "";
      const refused = (async () => {
        throw new TypeError("fetch failed");
      }) as typeof fetch;
      expect(await main(["list", "--state-dir", stateDir], env(refused))).to.equal(1);
      expect(stderr).to.equal("error: nothing answers at http://127.0.0.1:4010/dev (fetch failed)\n");
    });
  });

  it("as npm runs it, exits 2 with the usage on stderr for a bad command line", function () {
    this.timeout(30_000);
    const root = path.resolve(__dirname, "..", "..");
    const result = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "bin/customers.ts", "tier", "acme"], { cwd: root, encoding: "utf8" });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).to.deep.equal({ status: 2, stdout: "", stderr: `error: tier takes <id> <tier> (got "acme")\n${USAGE}\n` });
  });

  it("reads the API's URL from outputs.json, naming what is missing", () => {
    expect(apiUrlOf(JSON.stringify({ outputs: { apiUrl: "http://127.0.0.1:4010/dev/" } }), "f")).to.equal("http://127.0.0.1:4010/dev");
    expect(() => apiUrlOf("{", "f")).to.throw("f is not JSON; restart the local cloud");
    expect(() => apiUrlOf(JSON.stringify({ outputs: {} }), "f")).to.throw("f has no apiUrl output");
  });
});
