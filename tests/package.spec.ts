import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { waitFor } from "./waitFor";

const ROOT = path.resolve(__dirname, "..");

/**
 * The names of every package installed under a node_modules folder, nested ones included.
 *
 * @param nodeModules - The folder.
 */
function installedPackages(nodeModules: string): Set<string> {
  const names = new Set<string>();
  const visit = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const scoped = entry.name.startsWith("@");
      for (const name of scoped ? fs.readdirSync(path.join(folder, entry.name)).map((n) => `${entry.name}/${n}`) : [entry.name]) {
        names.add(name);
        const nested = path.join(folder, name, "node_modules");
        if (fs.existsSync(nested)) visit(nested);
      }
    }
  };
  visit(nodeModules);
  return names;
}

/**
 * The environment of the commands run here: this Node.js first on the PATH (npx and the
 * package's bin run on the Node the user runs npx with), no update check.
 */
const ENV = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`, npm_config_update_notifier: "false" };

/** Runs a command to its end; fails the test with its output when it fails. */
function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: ENV });
  if (result.error) throw result.error;
  expect(result.status, `${command} ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).to.equal(0);
  return result.stdout;
}

/**
 * The component package as a user gets it: `npm run build`, `npm pack`, `npm install <tarball>`
 * into another folder, and a program there that type-checks against the package's types.
 */
describe("the component package (npm pack + npm install into another folder)", function () {
  this.timeout(300_000);
  let work: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-package-"));
    run("npm", ["run", "build"], ROOT);
    run("npm", ["pack", "--pack-destination", work], ROOT);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("installs from the tarball and a consumer program type-checks against it", () => {
    const tarball = fs.readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball, "npm pack made no tarball").to.be.a("string");
    const consumer = path.join(work, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    // The cache npm ci filled makes this an offline install in practice.
    run("npm", ["install", path.join(work, tarball!), "typescript@5", "@types/node@20", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], consumer);
    fs.writeFileSync(
      path.join(consumer, "index.ts"),
      [
        `import { HandlerFunction, RestApi, chooseApiType, type RestApiArgs } from "apigw-kit";`,
        `const hello = new HandlerFunction("hello", { handlerFactory: () => async () => ({ statusCode: 200, body: "hi" }) });`,
        `const args: RestApiArgs = {`,
        `  stage: { name: "live" },`,
        `  routes: [{ path: "/hello", method: "GET", integration: { type: "LAMBDA_PROXY", function: hello.function } }],`,
        `};`,
        `export const url = new RestApi("api", args).url;`,
        `export const choice: "REST" | "HTTP" = chooseApiType({ api_keys: true }).recommendation;`,
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(consumer, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true, noEmit: true, types: ["node"] }, files: ["index.ts"] }),
    );
    run(process.execPath, [path.join(consumer, "node_modules/typescript/bin/tsc"), "-p", "."], consumer);
    // And a program that misuses the API is refused by the types.
    fs.writeFileSync(path.join(consumer, "index.ts"), `import { RestApi } from "apigw-kit";\nnew RestApi("api", { stage: { name: "live" }, routes: [{ path: "/x", method: "FETCH", integration: { type: "MOCK", responses: [] } }] });\n`);
    const bad = spawnSync(process.execPath, [path.join(consumer, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: consumer, encoding: "utf8" });
    expect(bad.status).to.not.equal(0);
    expect(bad.stdout).to.contain('"FETCH"');
  });

  it("installs lean: no emulator, template engine or WebSocket server package in the consumer's tree (and prints its size)", () => {
    const consumer = path.join(work, "consumer");
    const installed = installedPackages(path.join(consumer, "node_modules"));
    // The local cloud's packages (optional peer dependencies of the package): never installed
    // for a program that only uses the components.
    for (const name of ["dynalite", "cognito-local", "aws-sdk", "velocityjs", "ws", "ajv", "ajv-draft-04", "fflate"]) {
      expect(installed.has(name), `${name} is installed in the consumer's tree`).to.equal(false);
    }
    expect(installed.has("@pulumi/aws")).to.equal(true);
    const kilobytes = Number(run("du", ["-sk", path.join(consumer, "node_modules")], consumer).split(/\s/)[0]);
    process.stdout.write(`      installed: ${installed.size} packages, ${(kilobytes / 1024).toFixed(1)} MiB (typescript and @types/node included)\n`);
  });

  it("ships the built components, the apigw-kit bin and the compiled local cloud, and no tests or TypeScript sources", () => {
    const listing = run("tar", ["-tzf", path.join(work, fs.readdirSync(work).find((f) => f.endsWith(".tgz"))!)], work);
    expect(listing).to.contain("package/dist/components/index.js");
    expect(listing).to.contain("package/dist/components/index.d.ts");
    expect(listing).to.contain("package/dist/bin/apigwKit.js");
    expect(listing).to.contain("package/dist/local/startLocal.js");
    expect(listing).to.contain("package/dist/local/lambda/lambdaWorker.js");
    expect(listing).to.not.match(/package\/(dist\/)?(tests|bench|program)\//);
    expect(listing).to.not.match(/package\/(local|bin)\//);
    expect(listing.split("\n").filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).to.deep.equal([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(manifest.bin).to.deep.equal({ "apigw-kit": "dist/bin/apigwKit.js" });
    expect(fs.readFileSync(path.join(ROOT, "dist", "bin", "apigwKit.js"), "utf8")).to.match(/^#!\/usr\/bin\/env node\n/);
  });

  it("apigw-kit local without the local cloud's packages names them and the one command that installs them", () => {
    const consumer = path.join(work, "consumer");
    fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\n");
    const result = spawnSync("npx", ["apigw-kit", "local"], { cwd: consumer, encoding: "utf8", env: ENV });
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    const peers = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { peerDependencies: Record<string, string> }).peerDependencies);
    expect(result.stderr).to.contain("error: the local cloud's packages are not installed: ").and.contain("js-yaml");
    expect(result.stderr).to.contain(`npm install --save-dev ${peers.join(" ")}`);
  });

  describe("npx apigw-kit local in a Pulumi project of the user's own", function () {
    let project: string;
    before(() => {
      const started = Date.now();
      project = path.join(work, "my-apis");
      fs.mkdirSync(project);
      for (const [file, text] of Object.entries(userProject())) fs.writeFileSync(path.join(project, file), text);
      const tarball = fs.readdirSync(work).find((f) => f.endsWith(".tgz"))!;
      // What the README tells a user: the package, then the local cloud's packages in one command.
      const peers = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { peerDependencies: Record<string, string> }).peerDependencies;
      const offline = ["--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"];
      run("npm", ["install", path.join(work, tarball), ...offline], project);
      run("npm", ["install", "--save-dev", ...Object.entries(peers).map(([name, range]) => `${name}@${range}`), ...offline], project);
      process.stdout.write(`      installed the package and the local cloud's packages in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });

    it("refuses an unknown command, a bad flag and a non-Node.js project: exit 2 with the usage line", () => {
      const bin = path.join(project, "node_modules", ".bin", "apigw-kit");
      const usage = /\nusage: npx apigw-kit local \[--stack <name>\].*\n$/;
      for (const [args, cwd, message] of [
        [["serve"], project, 'error: unknown command "serve" (known: local)'],
        [["local", "--persist"], project, 'error: unknown argument "--persist"'],
        [["local", "--stack"], project, "error: --stack needs a stack name"],
      ] as const) {
        const result = spawnSync("npx", ["apigw-kit", ...args], { cwd, encoding: "utf8", env: ENV });
        expect(result.status, `${args.join(" ")}: ${result.stderr}`).to.equal(2);
        expect(result.stderr).to.contain(message).and.match(usage);
      }
      // Outside the project npx would not find the bin: run it by its path, as a global install would.
      const elsewhere = path.join(work, "python-project");
      fs.mkdirSync(elsewhere);
      let result = spawnSync(bin, ["local"], { cwd: elsewhere, encoding: "utf8", env: ENV });
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.contain(`error: no Pulumi.yaml in ${elsewhere}: run the command in your Pulumi project's folder`).and.match(usage);
      fs.writeFileSync(path.join(elsewhere, "Pulumi.yaml"), "name: py\nruntime:\n  name: python\n  options:\n    toolchain: uv\n");
      result = spawnSync(bin, ["local"], { cwd: elsewhere, encoding: "utf8", env: ENV });
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.contain(`error: ${path.join(elsewhere, "Pulumi.yaml")}: runtime "python" is not supported`).and.match(usage);
    });

    it("serves the one-API stack (the Lambda-backed API) and stops on Ctrl-C", async () => {
      const { outputs, stop } = await startLocalCloud(project, "one");
      try {
        expect(outputs.petsUrl).to.equal(undefined);
        const hello = await fetch(`${outputs.helloUrl}/hello`);
        expect(hello.status).to.equal(200);
        expect(await hello.json()).to.deep.equal({ greeting: "hello from the one-API stack" });
      } finally {
        await stop();
      }
    });

    it("serves both APIs of the dev stack: the Lambda-backed one and the OpenAPI body one", async () => {
      const { outputs, stop } = await startLocalCloud(project, "dev");
      try {
        const hello = await fetch(`${outputs.helloUrl}/hello`);
        expect(hello.status).to.equal(200);
        expect(await hello.json()).to.deep.equal({ greeting: "hello from the dev stack" });
        const pets = await fetch(`${outputs.petsUrl}/pets`);
        expect(pets.status, await pets.clone().text()).to.equal(200);
        expect(await pets.json()).to.deep.equal({ pets: ["Rex", "Tom"] });
      } finally {
        await stop();
      }
    });
  });
});

/**
 * `npx apigw-kit local --stack <stack> --port 0` in the project, spawned in a process group of
 * its own as a terminal runs it; resolves once it serves, with the outputs it wrote, and a stop
 * that presses Ctrl-C (SIGINT to the group: npx, and the local cloud under it) and checks that
 * it shut down cleanly.
 */
async function startLocalCloud(project: string, stack: string): Promise<{ outputs: Record<string, string | undefined>; stop(): Promise<void> }> {
  const started = Date.now();
  const child = spawn("npx", ["apigw-kit", "local", "--stack", stack, "--port", "0"], { cwd: project, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? String(code))));
  const outputsFile = path.join(project, ".local", stack, "outputs.json");
  const stop = async () => {
    try {
      process.kill(-child.pid!, "SIGINT");
    } catch {
      // Already gone.
    }
    // npx itself ends on the signal (or with 130, as a shell reports SIGINT, when npm catches
    // it); the local cloud under it shuts down and ends on its own, checked below.
    expect(["SIGINT", "130", "0"]).to.include(await exited);
    await waitFor(() => !processGroupAlive(child.pid!), `the local cloud (process group ${child.pid}) to end`);
    expect(stdout).to.contain("SIGINT: stopping the local cloud...");
    expect(stderr, "nothing written to stderr").to.not.match(/error/i);
    expect(fs.existsSync(outputsFile), "outputs.json is removed on stop").to.equal(false);
  };
  try {
    await waitFor(() => stdout.includes("Press Ctrl-C to stop.") || child.exitCode !== null, "the local cloud to serve", 60_000);
    expect(stdout, stdout + stderr).to.contain("Press Ctrl-C to stop.");
  } catch (err) {
    await stop().catch(() => undefined);
    throw Object.assign(err as Error, { message: `${(err as Error).message}\n${stdout}\n${stderr}` });
  }
  process.stdout.write(`      npx apigw-kit local --stack ${stack}: serving after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  expect(stdout).to.contain(`Starting the local cloud for stack ${stack} on Node.js ${process.version}...`);
  expect(stdout).to.contain(`Outputs written to ${outputsFile}`);
  const { outputs } = JSON.parse(fs.readFileSync(outputsFile, "utf8")) as { outputs: Record<string, string | undefined> };
  return { outputs, stop };
}

/** Whether any process of the group is still running. */
function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A small Pulumi project of a user's: TypeScript (an enum, which Node's own type stripping
 * cannot run), config under its own project name, and two REST APIs: one from plain
 * resources with a Lambda proxy route (a CallbackFunction), one imported from an OpenAPI
 * `body` with a MOCK integration. The `one` stack leaves the second out.
 */
function userProject(): Record<string, string> {
  const runtime = `nodejs${process.versions.node.split(".")[0]}.x`;
  return {
    "Pulumi.yaml": "name: my-apis\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n    packagemanager: npm\ndescription: Two APIs\n",
    "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n  greeting: hello from the dev stack\n",
    "Pulumi.one.yaml": "config:\n  aws:region: eu-west-1\n  my-apis:greeting: hello from the one-API stack\n  my-apis:petsApi: false\n",
    "package.json": JSON.stringify({ name: "my-apis", version: "1.0.0", private: true, main: "index.ts" }, null, 2),
    "index.ts": `import * as crypto from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const greeting: string = config.require("greeting");

// A REST API from plain resources: GET /hello, a Lambda proxy route.
const role = new aws.iam.Role("hello-role", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
});
const hello = new aws.lambda.CallbackFunction("hello", {
  role,
  runtime: "${runtime}",
  callback: async () => ({ statusCode: 200, body: JSON.stringify({ greeting }) }),
});
const api = new aws.apigateway.RestApi("hello-api", {});
const resource = new aws.apigateway.Resource("hello", { restApi: api.id, parentId: api.rootResourceId, pathPart: "hello" });
const method = new aws.apigateway.Method("hello-get", { restApi: api.id, resourceId: resource.id, httpMethod: "GET", authorization: "NONE" });
const integration = new aws.apigateway.Integration("hello-get", {
  restApi: api.id,
  resourceId: resource.id,
  httpMethod: method.httpMethod,
  type: "AWS_PROXY",
  integrationHttpMethod: "POST",
  uri: hello.invokeArn,
});
new aws.lambda.Permission("hello-invoke", {
  action: "lambda:InvokeFunction",
  function: hello.name,
  principal: "apigateway.amazonaws.com",
  sourceArn: pulumi.interpolate\`\${api.executionArn}/*/*\`,
});
const deployment = new aws.apigateway.Deployment("hello", { restApi: api.id }, { dependsOn: [integration] });
const stage = new aws.apigateway.Stage("hello", { restApi: api.id, deployment: deployment.id, stageName: "dev" });
export const helloUrl = stage.invokeUrl;

// A REST API imported from an OpenAPI body: GET /pets, a MOCK integration.
enum Pets {
  Json = '{"pets": ["Rex", "Tom"]}',
}
const body = JSON.stringify({
  openapi: "3.0.1",
  info: { title: "pets", version: "1.0" },
  paths: {
    "/pets": {
      get: {
        responses: { "200": { description: "the pets" } },
        "x-amazon-apigateway-integration": {
          type: "mock",
          requestTemplates: { "application/json": '{"statusCode": 200}' },
          responses: { default: { statusCode: "200", responseTemplates: { "application/json": Pets.Json } } },
        },
      },
    },
  },
});
export let petsUrl: pulumi.Output<string> | undefined;
if (config.getBoolean("petsApi") ?? true) {
  const petsApi = new aws.apigateway.RestApi("pets-api", { body });
  const petsDeployment = new aws.apigateway.Deployment("pets", {
    restApi: petsApi.id,
    triggers: { body: crypto.createHash("sha256").update(body).digest("hex") },
  });
  const petsStage = new aws.apigateway.Stage("pets", { restApi: petsApi.id, deployment: petsDeployment.id, stageName: "v1" });
  petsUrl = petsStage.invokeUrl;
}
`,
  };
}
