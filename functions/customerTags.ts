/**
 * How the customers of one REST API stage are recognised in API Gateway, which has no notion
 * of a customer: API keys belong to the account and region, not to an API, so a customer is an
 * API key carrying these tags, and a tier is a usage plan of the stage carrying its tier tag.
 * Written once for the UsageTiers component (deploy-time customers), the customers API's
 * handlers and the IAM conditions that scope those handlers to these keys.
 *
 * Tag keys and values may use letters, digits, spaces and `+ - = . _ : / @` (TagResource,
 * API Gateway API reference), which every value below stays within.
 */

/** The tag naming the customer an API key belongs to (its value: the customer id). */
export const CUSTOMER_TAG = "customer";

/**
 * The tag naming the REST API stage whose customer an API key is: `<restApiId>/<stageName>`.
 * Two stacks in one account share the account's API keys; this keeps each stage's customers
 * apart, and lets IAM scope a function to its own stage's keys (`aws:ResourceTag`).
 */
export const STAGE_TAG = "apigw-kit:stage";

/**
 * Who made the key: `config` (the stack's `apigw-kit:customers`, deployed by UsageTiers) or
 * `api` (onboarded at run time). The stack owns the first: the customers API only reads them
 * and switches them off and on.
 */
export const ORIGIN_TAG = "apigw-kit:origin";

/** The tag naming the tier a usage plan is (its value: the tier's name). */
export const TIER_TAG = "apigw-kit:tier";

/** Values of {@link ORIGIN_TAG}. */
export type KeyOrigin = "config" | "api";

/**
 * A customer id: 1 to 64 ASCII letters, digits, `_` or `-`. It is the API key's name, its
 * `customerId`, a tag value and a URL path segment, so nothing that would need escaping in any
 * of them (no `/`, `.`, spaces or non-ASCII), and ids differing only in case are different
 * customers.
 */
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What is wrong with a customer id, or undefined when it is one. */
export function customerIdProblem(value: unknown): string | undefined {
  if (typeof value === "string" && CUSTOMER_ID_PATTERN.test(value)) return undefined;
  return `a customer id is 1-64 letters, digits, '_' or '-' (got ${JSON.stringify(value)})`;
}

/** The {@link STAGE_TAG} value of a stage: `<restApiId>/<stageName>`. */
export function stageTagValue(restApiId: string, stageName: string): string {
  return `${restApiId}/${stageName}`;
}

/**
 * The tags of a customer's API key.
 *
 * @param customerId - The customer.
 * @param stage - The {@link STAGE_TAG} value of its stage.
 * @param origin - Who made the key.
 */
export function customerKeyTags(customerId: string, stage: string, origin: KeyOrigin): Record<string, string> {
  return { [CUSTOMER_TAG]: customerId, [STAGE_TAG]: stage, [ORIGIN_TAG]: origin };
}
