/**
 * An API key and a usage plan key as the API reference shapes them (ApiKey, UsagePlanKey);
 * which fields show where is what AWS answers in LocalStack's recordings
 * (test_apigateway_extended.snapshot.json, test_apigateway_common.snapshot.json).
 */
import type { ApiKeyResource } from "./deployedUsagePlans";
import { epochSeconds } from "./operation";

/** Which optional fields an answer carries. */
export interface ApiKeyShape {
  /** The key's value: at creation, with includeValue(s). */
  value: boolean;
  /** Tags: "always" (GetApiKey, UpdateApiKey: `{}` without any), or only when there are some. */
  tags: "always" | "some";
}

/** An ApiKey. `stageKeys` is always `[]`: keys reach stages through usage plans only. */
export function apiKeyJson(key: ApiKeyResource, shape: ApiKeyShape): Record<string, unknown> {
  const hasTags = Object.keys(key.tags).length > 0;
  return {
    id: key.id,
    ...(shape.value ? { value: key.value } : {}),
    ...(key.name !== undefined ? { name: key.name } : {}),
    ...(key.customerId !== undefined ? { customerId: key.customerId } : {}),
    ...(key.description !== undefined ? { description: key.description } : {}),
    enabled: key.enabled,
    createdDate: epochSeconds(key.createdDate),
    lastUpdatedDate: epochSeconds(key.lastUpdatedDate),
    stageKeys: [],
    ...(shape.tags === "always" || hasTags ? { tags: key.tags } : {}),
  };
}

/** A UsagePlanKey: the key's id, type, value and name. */
export function usagePlanKeyJson(key: ApiKeyResource): Record<string, unknown> {
  return { id: key.id, type: "API_KEY", value: key.value, ...(key.name !== undefined ? { name: key.name } : {}) };
}
