import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";

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

/** Runs a command to its end; fails the test with its output when it fails. */
function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
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

  it("ships the built components and no tests or local cloud", () => {
    const listing = run("tar", ["-tzf", path.join(work, fs.readdirSync(work).find((f) => f.endsWith(".tgz"))!)], work);
    expect(listing).to.contain("package/dist/components/index.js");
    expect(listing).to.contain("package/dist/components/index.d.ts");
    expect(listing).to.not.match(/package\/(tests|local|bench)\//);
  });
});
