import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ProjectError, readPulumiProject } from "../../../local/project/pulumiProject";

/** A project folder with the given files (path -> text); removed after each test. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-project-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  made.push(dir);
  return dir;
}
const made: string[] = [];

describe("readPulumiProject (Pulumi.yaml of a user's project)", () => {
  afterEach(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads runtime as a name: TypeScript on, the program the folder's index.ts", () => {
    const dir = project({ "Pulumi.yaml": "name: shop\nruntime: nodejs\n", "index.ts": "" });
    expect(readPulumiProject(dir)).to.deep.equal({ dir, name: "shop", typescript: true, program: path.join(dir, "index.ts") });
  });

  it("reads runtime as { name, options }: typescript, nodeargs and packagemanager", () => {
    const dir = project({
      "Pulumi.yaml": "name: shop\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n    nodeargs: --max-old-space-size=4096\n    packagemanager: pnpm\n",
      "index.js": "",
    });
    expect(readPulumiProject(dir)).to.deep.equal({
      dir,
      name: "shop",
      typescript: false,
      nodeargs: "--max-old-space-size=4096",
      packagemanager: "pnpm",
      program: path.join(dir, "index.js"),
    });
  });

  it("takes main as a file, relative to Pulumi.yaml", () => {
    const dir = project({ "Pulumi.yaml": "name: shop\nruntime: nodejs\nmain: infra/app.ts\n", "infra/app.ts": "", "index.ts": "" });
    expect(readPulumiProject(dir).program).to.equal(path.join(dir, "infra", "app.ts"));
  });

  it("takes main as a folder: its package.json main first, with Node's extensions", () => {
    const dir = project({
      "Pulumi.yaml": "name: shop\nruntime: nodejs\nmain: infra\n",
      "infra/package.json": JSON.stringify({ main: "src/program" }),
      "infra/src/program.ts": "",
      "infra/index.ts": "",
    });
    expect(readPulumiProject(dir).program).to.equal(path.join(dir, "infra", "src", "program.ts"));
  });

  it("takes main as a folder without a package.json main: index.js before index.ts, as Node does", () => {
    const dir = project({ "Pulumi.yaml": "name: shop\nruntime: nodejs\nmain: infra/\n", "infra/package.json": "{}", "infra/index.ts": "" });
    expect(readPulumiProject(dir).program).to.equal(path.join(dir, "infra", "index.ts"));
    fs.writeFileSync(path.join(dir, "infra", "index.js"), "");
    expect(readPulumiProject(dir).program).to.equal(path.join(dir, "infra", "index.js"));
  });

  it("reads the project folder's own package.json main without a main in Pulumi.yaml", () => {
    const dir = project({ "Pulumi.yaml": "name: shop\nruntime: nodejs\n", "package.json": JSON.stringify({ main: "bin/deploy.ts" }), "bin/deploy.ts": "" });
    expect(readPulumiProject(dir).program).to.equal(path.join(dir, "bin", "deploy.ts"));
  });

  const refusals: Array<[string, Record<string, string>, string]> = [
    ["no Pulumi.yaml", { "index.ts": "" }, "no Pulumi.yaml in <dir>: run the command in your Pulumi project's folder (the one holding Pulumi.yaml)"],
    ["Pulumi.yml", { "Pulumi.yml": "name: shop\nruntime: nodejs\n" }, "<dir>/Pulumi.yml: the local cloud reads Pulumi.yaml; rename Pulumi.yml to Pulumi.yaml"],
    ["a YAML error", { "Pulumi.yaml": "name: [shop\n" }, "<dir>/Pulumi.yaml is not valid YAML"],
    ["no name", { "Pulumi.yaml": "runtime: nodejs\n" }, '<dir>/Pulumi.yaml: missing the project "name"'],
    ["a bad name", { "Pulumi.yaml": "name: my shop\nruntime: nodejs\n" }, `<dir>/Pulumi.yaml: name "my shop" may only contain letters, digits, '_', '.' and '-'`],
    ["no runtime", { "Pulumi.yaml": "name: shop\n" }, '<dir>/Pulumi.yaml: missing the "runtime" (nodejs)'],
    ["a python runtime", { "Pulumi.yaml": "name: shop\nruntime: python\n" }, '<dir>/Pulumi.yaml: runtime "python" is not supported: the local cloud runs Node.js programs (runtime: nodejs)'],
    ["a go runtime as an object", { "Pulumi.yaml": "name: shop\nruntime:\n  name: go\n  options:\n    binary: app\n" }, '<dir>/Pulumi.yaml: runtime "go" is not supported'],
    ["typescript not a boolean", { "Pulumi.yaml": "name: shop\nruntime:\n  name: nodejs\n  options:\n    typescript: yes please\n" }, '<dir>/Pulumi.yaml: runtime.options.typescript must be true or false (got "yes please")'],
    ["main missing", { "Pulumi.yaml": "name: shop\nruntime: nodejs\nmain: src/\n" }, `<dir>/Pulumi.yaml: main "src/" does not exist (<dir>/src)`],
    ["a folder without a program", { "Pulumi.yaml": "name: shop\nruntime: nodejs\n", "README.md": "" }, "<dir>/Pulumi.yaml: no program in the project folder (<dir>): no package.json main, and no index.js or index.ts"],
    ["a package.json main that does not exist", { "Pulumi.yaml": "name: shop\nruntime: nodejs\n", "package.json": '{"main": "gone.js"}' }, '<dir>/Pulumi.yaml: no program in the project folder (<dir>): package.json main "gone.js" does not exist, and no index.js or index.ts'],
    ["a .ts main with typescript false", { "Pulumi.yaml": "name: shop\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n\nmain: index.ts\n", "index.ts": "" }, '<dir>/Pulumi.yaml: main "index.ts" is TypeScript but runtime.options.typescript is false'],
    ["stackConfigDir", { "Pulumi.yaml": "name: shop\nruntime: nodejs\nstackConfigDir: config\n", "index.ts": "" }, "<dir>/Pulumi.yaml: stackConfigDir is not supported by the local cloud"],
  ];
  for (const [what, files, message] of refusals) {
    it(`refuses ${what}, naming the file and the field`, () => {
      const dir = project(files);
      expect(() => readPulumiProject(dir)).to.throw(ProjectError, message.replaceAll("<dir>", dir));
    });
  }

  it("refuses a TypeScript-only folder when typescript is false (only index.js is looked for)", () => {
    const dir = project({ "Pulumi.yaml": "name: shop\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n", "index.ts": "" });
    expect(() => readPulumiProject(dir)).to.throw(ProjectError, `no program in the project folder (${dir}): no package.json main, and no index.js`);
  });
});
