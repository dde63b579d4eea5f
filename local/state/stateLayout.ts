/**
 * What a stack's local folder (`.local/<stack>/` by default, or `--state-dir`) holds. State,
 * lock and logs live together, so moving the folder moves all of them.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The paths inside a state folder. */
export interface LocalStateLayout {
  root: string;
  /** The DynamoDB emulator's LevelDB store. */
  dynamodb: string;
  /** cognito-local's database (users, groups, pools, clients) and its address. */
  cognito: string;
  /** Secrets Manager's secrets and versions. */
  secrets: string;
  /** API keys' quota counts. */
  usage: string;
  /** API keys and plan keys changed through the API Gateway control plane at run time (key values: 0600). */
  apiKeys: string;
  /** The seed of the control plane's random names (stable table names, API ids, key values). */
  seed: string;
  /** Held while a local cloud uses the folder. */
  lock: string;
  /** access.log and one file per function. */
  logs: string;
  /** The stack outputs and local endpoints, for the CLIs. */
  outputs: string;
}

/**
 * The layout of a state folder.
 *
 * @param root - The state folder.
 */
export function localStateLayout(root: string): LocalStateLayout {
  return {
    root,
    dynamodb: path.join(root, "dynamodb"),
    cognito: path.join(root, "cognito"),
    secrets: path.join(root, "secretsmanager.json"),
    usage: path.join(root, "usage.json"),
    apiKeys: path.join(root, "apikeys.json"),
    seed: path.join(root, "seed"),
    lock: path.join(root, "lock"),
    logs: path.join(root, "logs"),
    outputs: path.join(root, "outputs.json"),
  };
}

/**
 * Removes the data of a state folder (`--fresh`): items, users, secrets, counts, run-time API
 * keys and the seed of names; keeps the logs and the lock (held by the caller).
 *
 * @param layout - The folder's layout.
 */
export function wipeLocalState(layout: LocalStateLayout): void {
  for (const entry of [layout.dynamodb, layout.cognito, layout.secrets, layout.usage, layout.apiKeys, layout.seed, layout.outputs]) {
    fs.rmSync(entry, { recursive: true, force: true });
  }
}
