/**
 * The API Gateway control plane's run-time changes on disk (`<stateDir>/apikeys.json`): keys
 * created (their values too, hence mode 0600), edited, deleted, attached and detached, so
 * that they survive a restart. Written atomically after every change.
 */
import { ApiKeyChanges, type ApiKeyChangesSnapshot } from "../apiGateway/apiKeyChanges";
import { readJsonStateFile, writeJsonStateFile } from "./jsonStateFile";

/**
 * Reads the changes a {@link writeApiKeyChanges} left.
 *
 * @param file - The changes file.
 * @returns the changes, or undefined when there is no such file (a first start)
 * @throws Error naming the file when it holds no changes, suggesting --fresh
 */
export function readApiKeyChanges(file: string): ApiKeyChangesSnapshot | undefined {
  return readJsonStateFile<ApiKeyChangesSnapshot>(file, "API key changes", snapshotProblem);
}

/**
 * Writes the changes atomically, mode 0600 (they hold key values).
 *
 * @param file - The changes file (its folder is created when missing).
 * @param snapshot - `ApiKeyChanges.snapshot()`.
 */
export function writeApiKeyChanges(file: string, snapshot: ApiKeyChangesSnapshot): void {
  writeJsonStateFile(file, snapshot);
}

/**
 * The changes kept in `file`, saved there again after every change; without a file, changes
 * kept in memory only.
 *
 * @param file - The changes file. @default none (in memory)
 */
export function openApiKeyChanges(file?: string): ApiKeyChanges {
  const changes = new ApiKeyChanges(file ? readApiKeyChanges(file) : undefined);
  if (file) changes.onChange(() => writeApiKeyChanges(file, changes.snapshot()));
  return changes;
}

const LISTS = ["created", "edited", "deleted", "attached", "detached", "planTags"] as const;

/** What makes `value` no {@link ApiKeyChangesSnapshot}; undefined when it is one. */
function snapshotProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "not a JSON object";
  const snapshot = value as Record<string, unknown>;
  if (snapshot.version !== 1) return `version ${JSON.stringify(snapshot.version)}, expected 1`;
  const notList = LISTS.find((list) => !Array.isArray(snapshot[list]));
  if (notList) return `${notList} must be an array`;
  const badKey = (snapshot.created as unknown[]).findIndex((key) => !isCreatedKey(key));
  if (badKey >= 0) return `created[${badKey}] is not { id, value, enabled, tags, createdDate, lastUpdatedDate }`;
  for (const list of ["attached", "detached"] as const) {
    const bad = (snapshot[list] as unknown[]).findIndex((pk) => !isRecord(pk) || typeof pk.planId !== "string" || typeof pk.keyId !== "string");
    if (bad >= 0) return `${list}[${bad}] is not { planId, keyId }`;
  }
  const badEdit = (snapshot.edited as unknown[]).findIndex((e) => !isRecord(e) || typeof e.keyId !== "string" || !isRecord(e.edit));
  if (badEdit >= 0) return `edited[${badEdit}] is not { keyId, edit }`;
  if ((snapshot.deleted as unknown[]).some((id) => typeof id !== "string")) return "deleted must list key ids";
  const badTags = (snapshot.planTags as unknown[]).findIndex((t) => !isRecord(t) || typeof t.planId !== "string" || !isRecord(t.tags));
  if (badTags >= 0) return `planTags[${badTags}] is not { planId, tags }`;
  return undefined;
}

function isCreatedKey(key: unknown): boolean {
  return (
    isRecord(key) &&
    typeof key.id === "string" &&
    typeof key.value === "string" &&
    typeof key.enabled === "boolean" &&
    isRecord(key.tags) &&
    Number.isFinite(key.createdDate) &&
    Number.isFinite(key.lastUpdatedDate)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
