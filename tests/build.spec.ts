import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..");

describe("npm run build (the component package)", function () {
  this.timeout(120_000);
  let outDir: string;
  before(() => {
    // Inside the project, so the emitted modules resolve @pulumi/* from its node_modules.
    fs.mkdirSync(path.join(ROOT, ".local"), { recursive: true });
    outDir = fs.mkdtempSync(path.join(ROOT, ".local", "dist-"));
    const tsc = require.resolve("typescript/bin/tsc");
    const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", outDir], { cwd: ROOT, encoding: "utf8" });
    expect(result.status, result.stdout + result.stderr).to.equal(0);
  });
  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it("emits JavaScript and declarations where package.json points", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const rel = (p: string) => path.join(outDir, path.relative("dist", p));
    expect(fs.existsSync(rel(pkg.main)), pkg.main).to.equal(true);
    expect(fs.existsSync(rel(pkg.types)), pkg.types).to.equal(true);
    expect(pkg.exports["."]).to.deep.equal({ types: "./dist/components/index.d.ts", default: "./dist/components/index.js" });
    const declarations = fs.readFileSync(rel(pkg.types), "utf8");
    expect(declarations).to.contain('export * from "./restApi"');
    expect(fs.readFileSync(path.join(outDir, "components/restApi/RestApi.d.ts"), "utf8")).to.contain("export declare class RestApi extends pulumi.ComponentResource");
  });

  it("loads as a package exposing the components", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package as built into a temporary folder, by its path there
    const entry = require(path.join(outDir, "components/index.js"));
    expect(entry.RestApi).to.be.a("function");
    expect(entry.HandlerFunction).to.be.a("function");
    expect(entry.chooseApiType({ api_keys: true }).recommendation).to.equal("REST");
  });

  it("emits no tests or local-cloud code from the components' build config (the local cloud is tsconfig.build-cli.json's)", () => {
    expect(fs.existsSync(path.join(outDir, "tests"))).to.equal(false);
    expect(fs.existsSync(path.join(outDir, "local"))).to.equal(false);
  });
});
