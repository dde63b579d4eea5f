/**
 * How the local cloud reads a program's functions (programFunctions.ts, codeArchive.ts) and lays
 * out their task roots (taskRoots.ts): every archive shape Pulumi gives Lambda, and every
 * configuration it must refuse at start, naming the function.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { strToU8, zipSync } from "fflate";
import { runProgram } from "../../../local/controlPlane";
import { readCodeArchive, type ArchiveFiles } from "../../../local/lambda/codeArchive";
import { programFunctions } from "../../../local/lambda/programFunctions";
import { TaskRoots, assertIsolated, createWorkDir } from "../../../local/lambda/taskRoots";

const ROLE = "arn:aws:iam::123456789012:role/fn";
const PROJECT_ROOT = path.resolve(__dirname, "../../..");

/** The functions a program of `aws.lambda.Function`s declares, as the local cloud reads them. */
async function functionsOf(declare: () => void) {
  const run = await runProgram({ stack: "dev", define: () => (declare(), {}) });
  return programFunctions(run.graph.resources);
}

/** The error programFunctions throws for the program, or fails. */
async function refusalOf(declare: () => void): Promise<string> {
  const error = await functionsOf(declare).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, "programFunctions should refuse the program").to.be.instanceOf(Error);
  return error!.message;
}

function text(files: ArchiveFiles, name: string): string {
  const source = files.get(name);
  if (!source) throw new Error(`no ${name} in the archive (has ${[...files.keys()].join(", ")})`);
  return source.kind === "bytes" ? Buffer.from(source.bytes).toString("utf8") : fs.readFileSync(source.path, "utf8");
}

describe("local/lambda: a program's functions, their archives and task roots", () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-program-functions-"));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  describe("archives", () => {
    it("reads an AssetArchive of strings, files and nested archives (a FileArchive folder under node_modules/, as CallbackFunction builds it)", async () => {
      const pkg = path.join(scratch, "pkg");
      fs.mkdirSync(path.join(pkg, "lib"), { recursive: true });
      fs.writeFileSync(path.join(pkg, "package.json"), '{"name":"pkg","main":"lib/index.js"}');
      fs.writeFileSync(path.join(pkg, "lib", "index.js"), "module.exports = 1;");
      fs.writeFileSync(path.join(scratch, "data.json"), "{}");
      const [fn] = await functionsOf(() => {
        new aws.lambda.Function("fn", {
          role: ROLE,
          runtime: "nodejs24.x",
          handler: "index.handler",
          code: new pulumi.asset.AssetArchive({
            "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 1"),
            "data/data.json": new pulumi.asset.FileAsset(path.join(scratch, "data.json")),
            "node_modules/pkg": new pulumi.asset.FileArchive(pkg),
            extra: new pulumi.asset.AssetArchive({ "a.txt": new pulumi.asset.StringAsset("a") }),
          }),
        });
      });
      expect([...fn.files.keys()].sort()).to.deep.equal(["data/data.json", "extra/a.txt", "index.js", "node_modules/pkg/lib/index.js", "node_modules/pkg/package.json"]);
      expect(text(fn.files, "extra/a.txt")).to.equal("a");
      expect(fn).to.deep.include({ handler: "index.handler", runtime: "nodejs24.x", timeoutSeconds: 3 });
    });

    it("reads a FileArchive of a .zip (folder entries skipped) and of a folder", async () => {
      const zip = path.join(scratch, "code.zip");
      fs.writeFileSync(zip, zipSync({ "src/": {}, "src/app.js": strToU8("exports.handler = 1") }));
      const files = await readCodeArchive("fn", new pulumi.asset.FileArchive(zip));
      expect([...files.keys()]).to.deep.equal(["src/app.js"]);
      expect(text(files, "src/app.js")).to.equal("exports.handler = 1");
    });

    it("refuses a zip entry that points outside the archive (zip slip)", async () => {
      const zip = path.join(scratch, "slip.zip");
      fs.writeFileSync(zip, zipSync({ "../../escape.js": strToU8("x") }));
      const error = await readCodeArchive("fn", new pulumi.asset.FileArchive(zip)).catch((e: Error) => e);
      expect((error as Error).message).to.equal('function fn: code entry "../../escape.js" points outside the archive');
    });

    it("names the function and the path of a FileArchive that does not exist, of a file that is not a zip, and of a remote archive", async () => {
      const missing = path.join(scratch, "nope");
      const notZip = path.join(scratch, "data.tar");
      fs.writeFileSync(notZip, "x");
      const messageOf = (code: unknown) => readCodeArchive("fn", code).then(() => "", (e: Error) => e.message);
      expect(await messageOf(new pulumi.asset.FileArchive(missing))).to.equal(`function fn: code: FileArchive path ${missing} does not exist`);
      expect(await messageOf(new pulumi.asset.FileArchive(notZip))).to.equal(`function fn: code: FileArchive ${notZip} is neither a folder nor a .zip or .jar file (the local cloud reads those)`);
      expect(await messageOf(new pulumi.asset.RemoteArchive("https://example.com/code.zip"))).to.equal("function fn: code: RemoteArchive https://example.com/code.zip cannot be fetched (the local cloud has no network)");
    });
  });

  describe("configurations the local cloud refuses at start, each function named", () => {
    it("lists every refused function of the program in one error: an image, Python, nodejs20.x with AWS's dates, no handler, a missing FileArchive path", async () => {
      const missing = path.join(scratch, "no-such-folder");
      const message = await refusalOf(() => {
        const code = new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 1") });
        new aws.lambda.Function("image", { role: ROLE, packageType: "Image", imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest" });
        new aws.lambda.Function("python", { role: ROLE, runtime: "python3.12", handler: "app.handler", code });
        new aws.lambda.Function("old", { role: ROLE, runtime: "nodejs20.x", handler: "index.handler", code });
        new aws.lambda.Function("no-handler", { role: ROLE, runtime: "nodejs24.x", code });
        new aws.lambda.Function("gone", { role: ROLE, runtime: "nodejs24.x", handler: "index.handler", code: new pulumi.asset.FileArchive(missing) });
        new aws.lambda.Function("fine", { role: ROLE, runtime: "nodejs22.x", handler: "index.handler", code });
      });
      const lines = message.split("\n");
      expect(lines[0]).to.equal("the local cloud cannot run 5 functions of this program:");
      expect(lines.slice(1)).to.have.length(5);
      // Sorted by function name.
      expect(lines[1]).to.match(new RegExp(`^ {2}- function gone-[0-9a-f]+ \\(gone\\): code: FileArchive path ${missing.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} does not exist$`));
      expect(lines[2]).to.match(/^ {2}- function image-[0-9a-f]+ \(image\): packageType Image \(a container image\) cannot run in the local cloud, which runs Node\.js zip functions only$/);
      expect(lines[3]).to.match(/^ {2}- function no-handler-[0-9a-f]+ \(no-handler\): handler is required for a zip function$/);
      expect(lines[4]).to.match(
        /^ {2}- function old-[0-9a-f]+ \(old\): runtime must be one of nodejs24\.x, nodejs22\.x \(got "nodejs20\.x", which AWS Lambda deprecated on 2026-04-30: creating functions on it is blocked from 2026-08-31, updating them from 2026-09-30\)$/,
      );
      expect(lines[5]).to.match(/^ {2}- function python-[0-9a-f]+ \(python\): runtime python3\.12 is not a Node\.js runtime; the local cloud runs Node\.js functions only$/);
    });
  });

  describe("task roots", () => {
    it("shares one read-only copy of identical files: a package set through a node_modules link, other files as hard links", () => {
      const workDir = createWorkDir();
      const roots = new TaskRoots(workDir);
      try {
        const bytes = (text: string) => ({ kind: "bytes" as const, bytes: strToU8(text) });
        const packages = (): ArchiveFiles => new Map([["node_modules/lib/index.js", bytes("module.exports = 'shared'")], ["node_modules/lib/package.json", bytes("{}")]]);
        const a = roots.create("a", new Map([...packages(), ["index.js", bytes("same")], ["a.txt", bytes("a")]]));
        const b = roots.create("b", new Map([...packages(), ["index.js", bytes("same")]]));
        const c = roots.create("c", new Map([["node_modules/lib/index.js", bytes("another set")]]));
        // One package set for a and b, found through each one's node_modules link; c has its own.
        const real = (root: string) => fs.realpathSync(path.join(root, "node_modules"));
        expect(real(a)).to.equal(real(b)).and.not.equal(real(c));
        expect(path.relative(workDir, real(a))).to.match(/^\.packages\/[0-9a-f]{64}\/node_modules$/);
        expect(fs.readFileSync(path.join(b, "node_modules/lib/index.js"), "utf8")).to.equal("module.exports = 'shared'");
        expect(fs.readFileSync(path.join(c, "node_modules/lib/index.js"), "utf8")).to.equal("another set");
        // Other identical files: hard links of one stored copy, read-only.
        const [statA, statB] = [path.join(a, "index.js"), path.join(b, "index.js")].map((file) => fs.statSync(file));
        expect(statA.ino).to.equal(statB.ino);
        expect(statA.nlink).to.equal(3); // the store's copy and the two links
        for (const file of [path.join(a, "index.js"), path.join(a, "node_modules/lib/index.js")]) expect(fs.statSync(file).mode & 0o222, `${file} is writable`).to.equal(0);
        expect(fs.existsSync(path.join(b, "a.txt"))).to.equal(false);
        // A redeploy gets a new folder; the previous one stays for environments still running.
        const a2 = roots.create("a", new Map([["index.js", bytes("a2")]]));
        expect(a2).to.not.equal(a);
        expect(fs.readFileSync(path.join(a, "index.js"), "utf8")).to.equal("same");
      } finally {
        roots.remove();
      }
      expect(fs.existsSync(workDir)).to.equal(false);
    });

    it("lets a package of a set require its siblings, and nothing of the project, as an archive's node_modules would", async () => {
      const runtimeWorkDir = createWorkDir();
      const { LambdaRuntime } = await import("../../../local/lambda/lambdaRuntime");
      const runtime = new LambdaRuntime({ workDir: runtimeWorkDir, baseEnvironment: {}, log: () => undefined });
      try {
        const bytes = (text: string) => ({ kind: "bytes" as const, bytes: strToU8(text) });
        await runtime.deploy({
          name: "set",
          arn: "arn:aws:lambda:us-east-1:123456789012:function:set",
          handler: "index.handler",
          files: new Map([
            ["index.js", bytes("exports.handler = async () => require('outer')()")],
            ["node_modules/outer/index.js", bytes("module.exports = () => [require('inner'), (() => { try { require('ws'); return 'ws found'; } catch (e) { return e.code; } })()]")],
            ["node_modules/inner/index.js", bytes("module.exports = 'inner'")],
          ]),
          environment: {},
          timeoutSeconds: 5,
        });
        const result = await runtime.invoke("set", {});
        expect(result, JSON.stringify(result)).to.deep.include({ kind: "ok", value: ["inner", "MODULE_NOT_FOUND"] });
      } finally {
        await runtime.stop();
      }
    });

    it("refuses a work dir below a node_modules or package.json (the project's .local, say), naming what would leak", () => {
      const inside = path.join(PROJECT_ROOT, ".local", "task-roots");
      expect(() => assertIsolated(inside)).to.throw(`Lambda task roots cannot live in ${inside}: ${path.join(PROJECT_ROOT, "node_modules")} above it would be visible to every function's module resolution`);
    });
  });
});
