import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..");

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

  it("ships the built components and no tests or local cloud", () => {
    const listing = run("tar", ["-tzf", path.join(work, fs.readdirSync(work).find((f) => f.endsWith(".tgz"))!)], work);
    expect(listing).to.contain("package/dist/components/index.js");
    expect(listing).to.contain("package/dist/components/index.d.ts");
    expect(listing).to.not.match(/package\/(tests|local|bench)\//);
  });
});
