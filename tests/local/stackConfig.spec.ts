import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { loadStackConfig } from "../../local/stackConfig";

const ROOT = path.resolve(__dirname, "../..");

describe("loadStackConfig", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-config-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: demo\nruntime: nodejs\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads the dev stack of the project as PULUMI_CONFIG would carry it", () => {
    const loaded = loadStackConfig(ROOT, "dev");
    expect(loaded.project).to.equal("apigw-kit");
    expect(loaded.stack).to.equal("dev");
    expect(loaded.config["aws:region"]).to.equal("us-east-1");
    const api = JSON.parse(loaded.config["apigw-kit:api"]);
    expect(api.type).to.equal("auto");
    expect(api.requirements).to.deep.equal({ api_keys: true, caching: true, transformation: true, auth_type: "cognito" });
  });

  it("puts keys without a namespace in the project's, and scalars as strings", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), "config:\n  plain: 5\n  other:ns: true\n  obj:\n    a: [1, 2]\n");
    const { config } = loadStackConfig(dir, "x");
    expect(config).to.deep.equal({ "demo:plain": "5", "other:ns": "true", "demo:obj": '{"a":[1,2]}' });
  });

  it("refuses secure values, naming the key", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), "config:\n  demo:token:\n    secure: v1:abc\n");
    expect(() => loadStackConfig(dir, "x")).to.throw(`${path.join(dir, "Pulumi.x.yaml")}: demo:token is an encrypted 'secure:' value, which only the Pulumi CLI can decrypt`);
  });

  it("names the missing stack file and lists the stacks that exist", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.a.yaml"), "config: {}\n");
    fs.writeFileSync(path.join(dir, "Pulumi.b.yaml"), "config: {}\n");
    expect(() => loadStackConfig(dir, "c")).to.throw(`no stack "c": ${path.join(dir, "Pulumi.c.yaml")} does not exist (stacks here: a, b)`);
  });

  it("names a file that is not YAML", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), "config:\n  a: [1\n");
    expect(() => loadStackConfig(dir, "x")).to.throw(`${path.join(dir, "Pulumi.x.yaml")} is not valid YAML`);
  });

  it("refuses a project without a name and a stack name with a path in it", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "runtime: nodejs\n");
    expect(() => loadStackConfig(dir, "x")).to.throw(`${path.join(dir, "Pulumi.yaml")}: missing the project "name"`);
    expect(() => loadStackConfig(dir, "../etc")).to.throw(`stack name "../etc" may only contain letters, digits, '_', '.' and '-'`);
  });
});
