import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { parseUserArgs, readLocalCognito, UsageError } from "../../bin/user";

describe("bin/user (sign in through the local Cognito)", () => {
  it("parses the flags, defaulting to the dev stack", () => {
    expect(parseUserArgs(["--email", "ann@example.com", "--password", "pw", "--group", "admins"])).to.deep.equal({
      email: "ann@example.com",
      password: "pw",
      group: "admins",
      stack: "dev",
    });
    expect(parseUserArgs(["--email=ann@example.com", "--password=p=w", "--stack=prod"])).to.deep.equal({ email: "ann@example.com", password: "p=w", group: undefined, stack: "prod" });
  });

  for (const [args, message] of [
    [["--password", "pw"], "--email is required"],
    [["--email", "ann@example.com"], "--password is required"],
    [["--email", "ann", "--password", "pw"], '--email must be an e-mail address (got "ann")'],
    [["--email", "a@b.c", "--password", "pw", "--role", "x"], 'unknown argument "--role"'],
    [["--email", "--password", "pw"], "--email needs a value"],
    [["--email", "a@b.c", "--password", "pw", "--stack", "../x"], '--stack "../x" is not a stack name'],
  ] as const) {
    it(`refuses ${args.join(" ")}: ${message}`, () => {
      expect(() => parseUserArgs([...args])).to.throw(UsageError, message);
    });
  }

  it("says to start the local cloud when its outputs are missing, and names a stack without a pool", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-user-"));
    try {
      const file = path.join(dir, "outputs.json");
      expect(() => readLocalCognito(file)).to.throw(`${file} does not exist: start the local cloud first (npm start)`);
      fs.writeFileSync(file, JSON.stringify({ outputs: { apiUrl: "x" }, endpoints: {} }));
      expect(() => readLocalCognito(file)).to.throw("has no userPoolId, userPoolClientId or Cognito endpoint");
      fs.writeFileSync(file, JSON.stringify({ outputs: { userPoolId: "p", userPoolClientId: "c" }, endpoints: { cognito: "http://127.0.0.1:1" } }));
      expect(readLocalCognito(file)).to.deep.equal({ userPoolId: "p", userPoolClientId: "c", endpoint: "http://127.0.0.1:1" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
