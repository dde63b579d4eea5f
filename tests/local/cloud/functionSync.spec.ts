import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { moduleArchive } from "../../../local/lambda/codeArchive";
import type { FunctionSpec } from "../../../local/lambda/lambdaRuntime";
import { syncFunctions } from "../../../local/cloud/functionSync";

const spec = (name: string, code: string, environment: Record<string, string> = {}): FunctionSpec => ({
  name,
  arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
  files: moduleArchive(code),
  environment,
  timeoutSeconds: 3,
});

describe("cloud/functionSync: only changed functions are loaded again", () => {
  it("deploys every function first, then only those whose code or configuration changed", async () => {
    const deployed: string[] = [];
    const removed: string[] = [];
    const lambda = { deploy: async (s: FunctionSpec) => void deployed.push(s.name), remove: (name: string) => removed.push(name) > 0 };
    const first = await syncFunctions(lambda, [spec("a", "exports.handler = 1"), spec("b", "exports.handler = 2")]);
    expect(first.deployed).to.deep.equal([
      { name: "a", change: "created" },
      { name: "b", change: "created" },
    ]);
    deployed.length = 0;
    const second = await syncFunctions(lambda, [spec("a", "exports.handler = 1"), spec("b", "exports.handler = 3"), spec("c", "x", { K: "v" })], first.fingerprints);
    expect(second.deployed).to.deep.equal([
      { name: "b", change: "code" },
      { name: "c", change: "created" },
    ]);
    const third = await syncFunctions(lambda, [spec("a", "exports.handler = 1"), spec("b", "exports.handler = 3"), spec("c", "x", { K: "w" })], second.fingerprints);
    expect(third.deployed).to.deep.equal([{ name: "c", change: "configuration" }]);
    expect(deployed).to.deep.equal(["b", "c", "c"]);
    const fourth = await syncFunctions(lambda, [spec("b", "exports.handler = 3")], third.fingerprints);
    expect(fourth).to.deep.include({ deployed: [], removed: ["a", "c"] });
    expect(removed).to.deep.equal(["a", "c"]);
  });

  it("sees a file of an archive change by its size or modification time", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "function-sync-"));
    try {
      const file = path.join(dir, "index.js");
      fs.writeFileSync(file, "exports.handler = 1");
      const onDisk = (): FunctionSpec => ({ ...spec("d", ""), files: new Map([["index.js", { kind: "file", path: file }]]) });
      const lambda = { deploy: async () => undefined, remove: () => true };
      const first = await syncFunctions(lambda, [onDisk()]);
      expect((await syncFunctions(lambda, [onDisk()], first.fingerprints)).deployed).to.deep.equal([]);
      fs.writeFileSync(file, "exports.handler = 22");
      expect((await syncFunctions(lambda, [onDisk()], first.fingerprints)).deployed).to.deep.equal([{ name: "d", change: "code" }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
