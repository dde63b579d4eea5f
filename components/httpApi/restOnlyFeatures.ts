/**
 * The features only REST APIs have, and the refusal of config that asks an HTTP API for them
 * (before any resource exists), naming each feature, why, and the config key that asked.
 */
import type { RestOnlyFeatures } from "./args";

/** The config keys that turn each REST-only feature on. */
export const REST_ONLY_CONFIG_KEYS: Required<Record<keyof RestOnlyFeatures, string>> = {
  apiKeys: "apigw-kit:api.requirements.api_keys",
  usagePlans: "apigw-kit:tiers",
  caching: "apigw-kit:cache",
  waf: "apigw-kit:api.requirements.waf_required",
  mappingTemplates: "apigw-kit:api.requirements.transformation",
};

const REST_ONLY_REASONS: Required<Record<keyof RestOnlyFeatures, { feature: string; why: string }>> = {
  apiKeys: { feature: "API keys", why: "HTTP APIs neither require nor check x-api-key" },
  usagePlans: { feature: "usage plans", why: "HTTP APIs throttle per route and stage, with no per-client quotas" },
  caching: { feature: "response caching", why: "HTTP API stages have no cache cluster" },
  waf: { feature: "AWS WAF", why: "a web ACL cannot be associated with an HTTP API stage" },
  mappingTemplates: { feature: "mapping templates", why: "HTTP APIs only map parameters, they cannot reshape bodies with VTL" },
};

/**
 * Throws naming every REST-only feature asked for and the config key that asked for it;
 * returns when none is.
 *
 * @param features - The features the config turns on.
 * @param configKeys - The config key of each feature, when the program's differ from
 *   {@link REST_ONLY_CONFIG_KEYS}. @default {} (those keys)
 */
export function refuseRestOnlyFeatures(features: RestOnlyFeatures, configKeys: Partial<Record<keyof RestOnlyFeatures, string>> = {}): void {
  const keys = { ...REST_ONLY_CONFIG_KEYS, ...configKeys };
  const refused = (Object.keys(REST_ONLY_REASONS) as Array<keyof RestOnlyFeatures>)
    .filter((feature) => features[feature] === true)
    .map((feature) => restOnlyRefusal(feature, keys[feature]));
  if (refused.length > 0) throw new Error(refused.join("; "));
}

/** One feature's refusal: what it is, why HTTP APIs lack it, and the config key to remove. */
function restOnlyRefusal(feature: keyof RestOnlyFeatures, configKey: string): string {
  const { feature: what, why } = REST_ONLY_REASONS[feature];
  const exists = what.endsWith("s") ? "exist" : "exists";
  return `apigw-kit:api.type is http, but ${what} ${exists} only on REST APIs: ${why} (set apigw-kit:api.type to rest or remove ${configKey})`;
}
