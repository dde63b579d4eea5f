import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { USAGE, missingPeers, parseCommand } from "../../bin/apigwKit";
import { UsageError } from "../../bin/localCloudFiles";
import { waitFor } from "../waitFor";

const ROOT = path.resolve(__dirname, "../..");
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");
const BIN = path.join(ROOT, "bin", "apigwKit.ts");

/** `apigw-kit <args>` run in `cwd` to its end, from the sources (the package spec runs the built bin). */
function apigwKitSync(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [TS_NODE_BIN, "--transpile-only", BIN, ...args], { cwd, encoding: "utf8" });
  if (result.error) throw result.error;
  return result;
}

/** A project folder outside the repository whose packages are this repository's. */
function projectFolder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-bin-"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("bin/apigwKit (npx apigw-kit local)", function () {
  this.timeout(60_000);
  const made: string[] = [];
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  const folder = (files: Record<string, string>) => {
    const dir = projectFolder(files);
    made.push(dir);
    return dir;
  };

  it("reads the command, and leaves its flags to npm start's parser", () => {
    expect(parseCommand(["local", "--stack", "prod", "--watch"])).to.deep.equal({ command: "local", rest: ["--stack", "prod", "--watch"] });
    expect(parseCommand(["--help"])).to.deep.equal({ help: true });
    expect(() => parseCommand([])).to.throw(UsageError, "missing the command (known: local)");
    expect(() => parseCommand(["deploy"])).to.throw(UsageError, 'unknown command "deploy" (known: local)');
    expect(() => parseCommand(["--stack", "dev"])).to.throw(UsageError, 'unknown command "--stack" (known: local)');
  });

  it("names the local cloud's packages that cannot be found", () => {
    expect(missingPeers(["ws", "js-yaml", "no-such-package-apigw-kit"])).to.deep.equal(["no-such-package-apigw-kit"]);
  });

  for (const [what, args, files, message] of [
    ["no command", [], {}, "error: missing the command (known: local)"],
    ["an unknown command", ["serve"], {}, 'error: unknown command "serve" (known: local)'],
    ["a bad flag", ["local", "--verbose"], { "Pulumi.yaml": "name: shop\nruntime: nodejs\n" }, 'error: unknown argument "--verbose"'],
    ["a bad port", ["local", "--port", "http"], { "Pulumi.yaml": "name: shop\nruntime: nodejs\n" }, 'error: --port needs a port number from 0 to 65535 (got "http")'],
    ["a folder without Pulumi.yaml", ["local"], {}, "error: no Pulumi.yaml in <dir>: run the command in your Pulumi project's folder"],
    ["a python project", ["local"], { "Pulumi.yaml": "name: shop\nruntime: python\n" }, 'error: <dir>/Pulumi.yaml: runtime "python" is not supported: the local cloud runs Node.js programs (runtime: nodejs)'],
  ] as const) {
    it(`exits 2 with the usage line for ${what}`, () => {
      const dir = folder(files);
      const result = apigwKitSync(dir, ...args);
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.contain(message.replaceAll("<dir>", fs.realpathSync(dir)).replaceAll(fs.realpathSync(dir), dir));
      expect(result.stderr.trimEnd().split("\n").at(-1)).to.equal(USAGE);
      expect(result.stdout).to.equal("");
    });
  }

  it("prints its help and exits 0", () => {
    const result = apigwKitSync(os.tmpdir(), "--help");
    expect(result.status).to.equal(0);
    expect(result.stdout).to.contain(USAGE).and.contain("--function-processes");
  });

  it("exits 1 with the error for a stack the project does not have", () => {
    const dir = folder({ "Pulumi.yaml": "name: shop\nruntime: nodejs\n", "index.ts": "export const x = 1;\n" });
    const result = apigwKitSync(dir, "local", "--stack", "qa", "--port", "0");
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    expect(result.stderr).to.contain(`error: no stack "qa": ${path.join(dir, "Pulumi.qa.yaml")} does not exist (stacks here: none)`);
  });

  it("serves the project's own program with its project-namespaced config, writes outputs.json, and stops on SIGINT", async () => {
    const dir = folder({
      "Pulumi.yaml": "name: shop\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: infra\n",
      "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n  greeting: hello from shop\n",
    });
    fs.mkdirSync(path.join(dir, "infra"));
    fs.writeFileSync(
      path.join(dir, "infra", "index.ts"),
      [
        `import * as aws from "@pulumi/aws";`,
        `import * as pulumi from "@pulumi/pulumi";`,
        `const greeting: string = new pulumi.Config().require("greeting");`,
        `const api = new aws.apigateway.RestApi("shop", {});`,
        `const resource = new aws.apigateway.Resource("greeting", { restApi: api.id, parentId: api.rootResourceId, pathPart: "greeting" });`,
        `const method = new aws.apigateway.Method("greeting", { restApi: api.id, resourceId: resource.id, httpMethod: "GET", authorization: "NONE" });`,
        `const integration = new aws.apigateway.Integration("greeting", { restApi: api.id, resourceId: resource.id, httpMethod: method.httpMethod, type: "MOCK",`,
        `  requestTemplates: { "application/json": '{"statusCode": 200}' } });`,
        `new aws.apigateway.MethodResponse("greeting", { restApi: api.id, resourceId: resource.id, httpMethod: method.httpMethod, statusCode: "200" });`,
        `new aws.apigateway.IntegrationResponse("greeting", { restApi: api.id, resourceId: resource.id, httpMethod: method.httpMethod, statusCode: "200",`,
        `  responseTemplates: { "application/json": JSON.stringify({ greeting }) } }, { dependsOn: [integration] });`,
        `const deployment = new aws.apigateway.Deployment("shop", { restApi: api.id }, { dependsOn: [integration] });`,
        `const stage = new aws.apigateway.Stage("shop", { restApi: api.id, deployment: deployment.id, stageName: "live" });`,
        `export const url = stage.invokeUrl;`,
      ].join("\n"),
    );
    const child = spawn(process.execPath, [TS_NODE_BIN, "--transpile-only", BIN, "local", "--port", "0", "--quiet"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const outputsFile = path.join(dir, ".local", "dev", "outputs.json");
    try {
      await waitFor(() => stdout.includes("Press Ctrl-C to stop."), () => `the local cloud to serve\n${stdout}\n${stderr}`, 45_000);
      expect(stdout).to.contain("Starting the local cloud for stack dev on Node.js");
      expect(stdout).to.contain(`Outputs written to ${outputsFile}`);
      const { outputs } = JSON.parse(fs.readFileSync(outputsFile, "utf8")) as { outputs: { url: string } };
      const response = await fetch(`${outputs.url}/greeting`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ greeting: "hello from shop" });
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).to.equal(0);
    expect(stdout).to.contain("SIGINT: stopping the local cloud...");
    expect(fs.existsSync(outputsFile), "outputs.json is removed on stop").to.equal(false);
  });
});
