/**
 * API keys: CreateApiKey, GetApiKey, GetApiKeys, UpdateApiKey, DeleteApiKey
 * (docs.aws.amazon.com/apigateway/latest/api/API_CreateApiKey.html and siblings), over the
 * program's keys and those created at run time alike.
 */
import { randomInt } from "node:crypto";
import type { ApiKeyEdit } from "./apiKeyChanges";
import { apiKeyJson } from "./apiKeyJson";
import { badRequest, conflict, MESSAGES, notFound } from "./apiGatewayErrors";
import type { ApiKeyResource } from "./deployedUsagePlans";
import { booleanField, queryFlag, stringField, tagsField, type Operation } from "./operation";
import { pageJson, pageOf } from "./paging";

/** What AWS accepts (test_apigateway_extended.snapshot.json, TestApigatewayApiKeysCrud). */
const LIMITS = { nameLength: 1024, descriptionLength: 125_000, value: { min: 20, max: 128 } };

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * CreateApiKey (`POST /apikeys`, 201). A key is disabled unless `enabled` says otherwise, and
 * a name or value given empty is as none (recorded: create-api-key-no-name,
 * create-api-key-empty-value); without a value, API Gateway generates 40 characters.
 * `stageKeys` and `generateDistinctId` are ignored: keys reach stages through usage plans.
 */
export const createApiKey: Operation = ({ resources }, { body }) => {
  const name = stringField(body, "name") || undefined;
  const description = stringField(body, "description") || undefined;
  const given = stringField(body, "value") || undefined;
  checkName(name);
  checkDescription(description);
  checkValue(given);
  const value = given ?? randomText(ALPHANUMERIC, 40);
  if (resources.apiKeys().some((key) => key.value === value)) throw conflict(MESSAGES.apiKeyExists);
  const now = resources.now();
  const customerId = stringField(body, "customerId") || undefined;
  const key: ApiKeyResource = {
    id: newKeyId(resources.apiKeys()),
    value,
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    enabled: booleanField(body, "enabled") ?? false,
    ...(customerId !== undefined ? { customerId } : {}),
    tags: tagsField(body, "tags") ?? {},
    createdDate: now,
    lastUpdatedDate: now,
  };
  resources.changes.createKey(key);
  return { status: 201, body: apiKeyJson(key, { value: true, tags: "some" }) };
};

/** GetApiKey (`GET /apikeys/{apiKey}?includeValue`). */
export const getApiKey: Operation = ({ resources }, { params, query }) => {
  const key = existingKey(resources.apiKey(params.apiKey));
  return { status: 200, body: apiKeyJson(key, { value: queryFlag(query, "includeValue"), tags: "always" }) };
};

/**
 * GetApiKeys (`GET /apikeys?name&customerId&includeValues&limit&position`): newest first;
 * `name` (the SDK's nameQuery) matches a prefix of the name, case-sensitively (recorded:
 * get-api-keys-prefix-name-query, -cased, -postfix, -infix).
 */
export const getApiKeys: Operation = ({ resources }, { query }) => {
  const nameQuery = query.get("name");
  const customerId = query.get("customerId");
  const keys = resources
    .apiKeys()
    .filter((key) => !nameQuery || (key.name ?? "").startsWith(nameQuery))
    .filter((key) => !customerId || key.customerId === customerId);
  const includeValues = queryFlag(query, "includeValues");
  return { status: 200, body: pageJson(pageOf(keys, query), (key) => apiKeyJson(key, { value: includeValues, tags: "some" })) };
};

/**
 * UpdateApiKey (`PATCH /apikeys/{apiKey}`): `replace` of /enabled, /name, /description,
 * /customerId. The patch is checked before the key is looked up, as AWS's input validation
 * runs first. The answer has no value and always its tags (recorded: update-api-key-name).
 */
export const updateApiKey: Operation = ({ resources }, { params, body }) => {
  const edit = apiKeyEditOf(body.patchOperations);
  const key = existingKey(resources.apiKey(params.apiKey));
  resources.changes.editKey(key.id, { ...edit, lastUpdatedDate: resources.now() });
  return { status: 200, body: apiKeyJson(existingKey(resources.apiKey(key.id)), { value: false, tags: "always" }) };
};

/** DeleteApiKey (`DELETE /apikeys/{apiKey}`, 202): the key leaves its plans too (recorded: get-up-keys-after-delete). */
export const deleteApiKey: Operation = ({ resources }, { params }) => {
  const key = existingKey(resources.apiKey(params.apiKey));
  resources.changes.deleteKey(key.id);
  return { status: 202 };
};

/** The key, or AWS's NotFoundException for an unknown id. */
export function existingKey(key: ApiKeyResource | undefined): ApiKeyResource {
  if (!key) throw notFound(MESSAGES.invalidApiKeyId);
  return key;
}

const PATCH_OPS = new Set(["add", "remove", "move", "test", "replace", "copy"]);

/** The edit a list of patch operations makes. */
export function apiKeyEditOf(operations: unknown): ApiKeyEdit {
  const list = operations === undefined || operations === null ? [] : operations;
  if (!Array.isArray(list) || list.some((op) => typeof op !== "object" || op === null)) throw badRequest(MESSAGES.invalidField("patchOperations", "a list of patch operations"));
  const ops = list as Array<Record<string, unknown>>;
  const invalid = ops.map((op, i) => ({ op: op.op, index: i + 1 })).filter(({ op }) => typeof op !== "string" || !PATCH_OPS.has(op));
  if (invalid.length > 0) throw badRequest(MESSAGES.patchOpValidation(invalid, "updateApiKeyInput"));
  const edit: ApiKeyEdit = {};
  for (const op of ops) Object.assign(edit, fieldEditOf(String(op.op), String(op.path), op.value));
  return edit;
}

/** One patch operation's change. */
function fieldEditOf(op: string, path: string, value: unknown): ApiKeyEdit {
  if (op !== "replace") {
    if ((op === "add" || op === "remove") && path === "/stages") throw badRequest(MESSAGES.stageKeysUnsupported);
    throw badRequest(MESSAGES.unsupportedPatchOp(path, op));
  }
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  switch (path) {
    case "/enabled":
      // Anything but "true" disables (recorded: update-api-key-invalid-enabled-type).
      return { enabled: text.toLowerCase() === "true" };
    case "/name":
      checkName(text);
      return { name: text || null };
    case "/description":
      checkDescription(text);
      return { description: text || null };
    case "/customerId":
      return { customerId: text || null };
    default:
      throw badRequest(MESSAGES.apiKeyPatchPath(path, op));
  }
}

function checkName(name: string | undefined): void {
  if (name !== undefined && name.length > LIMITS.nameLength) throw badRequest(MESSAGES.apiKeyNameTooLong);
}

function checkDescription(description: string | undefined): void {
  if (description !== undefined && description.length > LIMITS.descriptionLength) throw badRequest(MESSAGES.apiKeyDescriptionTooLong);
}

function checkValue(value: string | undefined): void {
  if (value === undefined) return;
  if (value.length > LIMITS.value.max) throw badRequest(MESSAGES.apiKeyValueTooLong);
  if (value.length < LIMITS.value.min) throw badRequest(MESSAGES.apiKeyValueTooShort);
}

/** A 10-character id like API Gateway's, unused by any key. */
function newKeyId(keys: ApiKeyResource[]): string {
  const taken = new Set(keys.map((key) => key.id));
  let id: string;
  do id = randomText(LOWER_ALPHANUMERIC, 10);
  while (taken.has(id));
  return id;
}

function randomText(alphabet: string, length: number): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}
