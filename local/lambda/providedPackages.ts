/**
 * What the Lambda Node.js runtime provides besides Node: the AWS SDK for JavaScript v3, which
 * Lambda keeps in `/var/runtime/node_modules` and puts on NODE_PATH, so that a function
 * requires `@aws-sdk/client-dynamodb` without shipping it.
 *
 * Locally, a runtime folder's `node_modules` holds links to the SDK's scopes (`@aws-sdk`, and
 * `@smithy` and `@aws-crypto` it is made of) in the local cloud's own installation. Nothing
 * else of that installation is reachable from a function: its archive, Node's builtins and
 * these scopes are all it can load, as on AWS.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const SDK_SCOPES = ["@aws-sdk", "@smithy", "@aws-crypto"];

/**
 * Makes `<runtimeDir>/node_modules` with the SDK's scopes, and returns the folder to put on
 * NODE_PATH.
 */
export function createRuntimeDir(runtimeDir: string): string {
  const nodeModules = path.join(runtimeDir, "node_modules");
  fs.mkdirSync(nodeModules, { recursive: true });
  const installed = sdkInstallation();
  for (const scope of SDK_SCOPES) {
    const from = path.join(installed, scope);
    const to = path.join(nodeModules, scope);
    if (fs.existsSync(from) && !fs.existsSync(to)) fs.symlinkSync(from, to, "dir");
  }
  return nodeModules;
}

/** The node_modules folder the local cloud's AWS SDK is installed in. */
function sdkInstallation(): string {
  const manifest = require.resolve("@aws-sdk/client-dynamodb/package.json");
  return path.dirname(path.dirname(path.dirname(manifest)));
}
