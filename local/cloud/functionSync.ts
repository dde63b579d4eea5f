/**
 * Which functions a new deployment must load again: a function's fingerprint covers what
 * Lambda would see change on an update (its code archive, handler, runtime, memory, timeout,
 * environment); one whose fingerprint is unchanged keeps its warm execution environments, as
 * an unchanged function keeps them on AWS through a `pulumi up`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import type { ArchiveFiles } from "../lambda/codeArchive";
import type { FunctionSpec, LambdaRuntime } from "../lambda/lambdaRuntime";

/** A function's fingerprint, split so that a change can be named (`code`, `configuration`). */
export interface FunctionFingerprint {
  /** Hash of the archive's files: paths, and contents (bytes) or size and mtime (files on disk). */
  code: string;
  /** Hash of the handler, runtime, memory, timeout, environment and ARN. */
  configuration: string;
}

/** What a sync did. */
export interface FunctionSyncResult {
  /** Every function's fingerprint after the sync, by function name. */
  fingerprints: Map<string, FunctionFingerprint>;
  /** Functions loaded again (new, or changed), with what changed. */
  deployed: Array<{ name: string; change: "created" | "code" | "configuration" | "code and configuration" }>;
  /** Functions of the previous deployment that the new one no longer has, deleted. */
  removed: string[];
}

/**
 * Hashes a function's archive. A file on disk is taken by path, size and modification time
 * rather than read: archives of CallbackFunctions point at whole `node_modules` packages, and
 * reading them on every reload would cost more than the reload.
 *
 * @param files - The archive's files by path inside it.
 */
export function archiveFingerprint(files: ArchiveFiles): string {
  const hash = createHash("sha256");
  for (const at of [...files.keys()].sort()) {
    const source = files.get(at)!;
    hash.update(`${at}\0`);
    if (source.kind === "bytes") hash.update(source.bytes);
    else {
      const stat = fs.statSync(source.path, { throwIfNoEntry: false });
      hash.update(`${source.path}\0${stat?.size ?? -1}\0${stat?.mtimeMs ?? -1}`);
    }
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * The fingerprint of a function as it would be deployed.
 *
 * @param spec - The function, its environment complete (what the runtime receives).
 */
export function functionFingerprint(spec: FunctionSpec): FunctionFingerprint {
  const environment = Object.entries(spec.environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const configuration = JSON.stringify([spec.arn, spec.handler, spec.runtime, spec.memorySize, spec.timeoutSeconds, environment]);
  return { code: archiveFingerprint(spec.files), configuration: createHash("sha256").update(configuration).digest("hex") };
}

/**
 * Deploys into the runtime each function that is new or whose fingerprint changed since
 * `previous`, leaves the others (and their warm environments) alone, and deletes those
 * `previous` had and `specs` do not.
 *
 * @param lambda - The runtime the functions run in.
 * @param specs - Every function of the new deployment.
 * @param previous - The fingerprints of the deployment being replaced. @default none (all deployed)
 */
export async function syncFunctions(lambda: Pick<LambdaRuntime, "deploy" | "remove">, specs: FunctionSpec[], previous: ReadonlyMap<string, FunctionFingerprint> = new Map()): Promise<FunctionSyncResult> {
  const fingerprints = new Map<string, FunctionFingerprint>();
  const deployed: FunctionSyncResult["deployed"] = [];
  for (const spec of specs) {
    const fingerprint = functionFingerprint(spec);
    fingerprints.set(spec.name, fingerprint);
    const before = previous.get(spec.name);
    const codeChanged = before?.code !== fingerprint.code;
    const configurationChanged = before?.configuration !== fingerprint.configuration;
    if (before && !codeChanged && !configurationChanged) continue;
    await lambda.deploy(spec);
    deployed.push({ name: spec.name, change: !before ? "created" : codeChanged && configurationChanged ? "code and configuration" : codeChanged ? "code" : "configuration" });
  }
  const removed = [...previous.keys()].filter((name) => !fingerprints.has(name));
  for (const name of removed) lambda.remove(name);
  return { fingerprints, deployed, removed };
}
