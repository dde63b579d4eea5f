/**
 * The customers of one REST API stage, read from and written to API Gateway's management API
 * (`@aws-sdk/client-api-gateway`), which is where they live: a customer is an API key tagged
 * for the stage (functions/customerTags.ts), its tier the usage plan of the stage that holds
 * the key. Nothing is stored anywhere else, so deploy-time customers (UsageTiers) and customers
 * onboarded at run time are found the same way.
 */
import {
  type APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetUsageCommand,
  UpdateApiKeyCommand,
  paginateGetApiKeys,
  paginateGetUsagePlanKeys,
  paginateGetUsagePlans,
  type UsagePlan,
} from "@aws-sdk/client-api-gateway";
import { CUSTOMER_TAG, type KeyOrigin, ORIGIN_TAG, STAGE_TAG, TIER_TAG, customerKeyTags, stageTagValue } from "./customerTags";
import type { QuotaPeriod, UsageRange } from "./quotaPeriods";

/** The REST API stage whose customers these are (the proxy event's `requestContext`). */
export interface StageRef {
  restApiId: string;
  stageName: string;
}

/** A tier: the usage plan of the stage tagged with its name. */
export interface TierPlan {
  tier: string;
  planId: string;
  /** @default none: requests are not counted against a quota */
  quota?: { limit: number; period: QuotaPeriod; offset: number };
}

/** One API key of a customer (never its value). */
export interface CustomerKey {
  keyId: string;
  customerId: string;
  name?: string;
  enabled: boolean;
  origin: KeyOrigin;
  /** ISO 8601. */
  createdDate?: string;
}

/** A new key, with the value API Gateway generated: answered once, never read again. */
export interface CreatedKey extends CustomerKey {
  value: string;
}

/** A call to API Gateway that failed, naming the call: `CreateUsagePlanKey: ConflictException: ...`. */
export interface ApiGatewayCallError extends Error {
  name: "ApiGatewayCallError";
  /** The API Gateway operation, e.g. `CreateUsagePlanKey`. */
  operation: string;
  /** The exception's name, e.g. `ConflictException`. */
  errorName: string;
  /** The HTTP status API Gateway answered, when it answered. */
  status?: number;
}

// Errors here are plain Errors with fields, not subclasses: HandlerFunction serializes the
// handler with Pulumi's closure serializer, which turns classes into functions, and Error
// called as a function sets no `message` on them (the answers came out as `{}`).

/** The error of a failed API Gateway call. */
export function apiGatewayCallError(operation: string, error: unknown): ApiGatewayCallError {
  const err = error as Error & { $metadata?: { httpStatusCode?: number } };
  const errorName = err?.name ?? "Error";
  return Object.assign(new Error(`${operation}: ${errorName}: ${err?.message ?? String(error)}`), {
    name: "ApiGatewayCallError" as const,
    operation,
    errorName,
    status: err?.$metadata?.httpStatusCode,
  });
}

/** Whether `err` is a failed API Gateway call. */
export function isApiGatewayCallError(err: unknown): err is ApiGatewayCallError {
  return err instanceof Error && err.name === "ApiGatewayCallError";
}

/** The one stage's customers, through `client`. */
export interface CustomerDirectory {
  readonly stage: StageRef;
  /** The stage's usage plans tagged with a tier, by tier (looked up once per container). */
  tierPlans(): Promise<Map<string, TierPlan>>;
  /** The stage's customer keys, of one customer or of all. */
  customerKeys(customerId?: string): Promise<CustomerKey[]>;
  /** Which tier holds each key of these plans: key id -> tier. */
  planMembership(plans: Iterable<TierPlan>): Promise<Map<string, string>>;
  /** A new key for the customer, tagged for the stage; not in any plan yet. */
  createKey(customerId: string, description: string, enabled: boolean): Promise<CreatedKey>;
  attachKey(planId: string, keyId: string): Promise<void>;
  detachKey(planId: string, keyId: string): Promise<void>;
  deleteKey(keyId: string): Promise<void>;
  setKeyEnabled(keyId: string, enabled: boolean): Promise<void>;
  /** GetUsage's `[used, remaining]` pairs of one key in one plan, one per day of the range. */
  keyUsage(planId: string, keyId: string, range: UsageRange): Promise<number[][]>;
}

/**
 * Finds and changes the customers of stages through one API Gateway client (created once per
 * container). The tiers' plans of a stage are looked up at its first request and kept for the
 * container's life: plans change only with a deployment, which starts new containers.
 *
 * @param client - The API Gateway client.
 * @returns The directory of a stage.
 */
export function customerDirectories(client: APIGatewayClient): (stage: StageRef) => CustomerDirectory {
  const plansByStage = new Map<string, Promise<Map<string, TierPlan>>>();
  const cachedTierPlans = (stage: StageRef) => {
    const key = stageTagValue(stage.restApiId, stage.stageName);
    let found = plansByStage.get(key);
    if (!found) {
      found = findTierPlans(client, stage);
      plansByStage.set(key, found);
      // A failed lookup is tried again by the next request.
      found.catch(() => plansByStage.delete(key));
    }
    return found;
  };
  return (stage) => ({
    stage,
    tierPlans: () => cachedTierPlans(stage),
    customerKeys: (customerId) => findCustomerKeys(client, stage, customerId),
    planMembership: (plans) => findPlanMembership(client, plans),
    createKey: (customerId, description, enabled) => createCustomerKey(client, stage, customerId, description, enabled),
    attachKey: (planId, keyId) => call("CreateUsagePlanKey", () => client.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: "API_KEY" }))),
    detachKey: (planId, keyId) => call("DeleteUsagePlanKey", () => client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: planId, keyId }))),
    deleteKey: (keyId) => call("DeleteApiKey", () => client.send(new DeleteApiKeyCommand({ apiKey: keyId }))),
    setKeyEnabled: (keyId, enabled) =>
      call("UpdateApiKey", () => client.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations: [{ op: "replace", path: "/enabled", value: String(enabled) }] }))),
    keyUsage: (planId, keyId, range) => findKeyUsage(client, planId, keyId, range),
  });
}

/** Runs one API Gateway call, naming it in the error; resolves with nothing. */
async function call(operation: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (err) {
    throw apiGatewayCallError(operation, err);
  }
}

/** Every page of a paginated call, naming the call on failure. */
async function allPages<P>(operation: string, pages: AsyncIterable<P>): Promise<P[]> {
  const found: P[] = [];
  try {
    for await (const page of pages) found.push(page);
  } catch (err) {
    throw apiGatewayCallError(operation, err);
  }
  return found;
}

/**
 * The stage's plans tagged with a tier (GetUsagePlans). A plan serves the stage when its
 * `apiStages` lists it; two plans claiming one tier are a deployment mistake worth failing on.
 */
async function findTierPlans(client: APIGatewayClient, stage: StageRef): Promise<Map<string, TierPlan>> {
  const pages = await allPages("GetUsagePlans", paginateGetUsagePlans({ client, pageSize: 500 }, {}));
  const plans = new Map<string, TierPlan>();
  for (const plan of pages.flatMap((page) => page.items ?? [])) {
    const tier = plan.tags?.[TIER_TAG];
    if (tier === undefined || plan.id === undefined || !servesStage(plan, stage)) continue;
    if (plans.has(tier)) throw new Error(`usage plans ${plans.get(tier)!.planId} and ${plan.id} of stage ${stage.stageName} both say ${TIER_TAG}=${tier}`);
    plans.set(tier, { tier, planId: plan.id, ...(plan.quota?.limit !== undefined ? { quota: quotaOf(plan) } : {}) });
  }
  return plans;
}

function servesStage(plan: UsagePlan, stage: StageRef): boolean {
  return (plan.apiStages ?? []).some((s) => s.apiId === stage.restApiId && s.stage === stage.stageName);
}

function quotaOf(plan: UsagePlan): TierPlan["quota"] {
  return { limit: plan.quota!.limit!, period: (plan.quota!.period ?? "DAY") as QuotaPeriod, offset: plan.quota!.offset ?? 0 };
}

/**
 * The stage's customer keys (GetApiKeys, without values), of one customer when `customerId` is
 * given: API Gateway filters on the key's `customerId`, and the tags decide.
 */
async function findCustomerKeys(client: APIGatewayClient, stage: StageRef, customerId?: string): Promise<CustomerKey[]> {
  const stageTag = stageTagValue(stage.restApiId, stage.stageName);
  const pages = await allPages("GetApiKeys", paginateGetApiKeys({ client, pageSize: 500 }, { customerId, includeValues: false }));
  return pages
    .flatMap((page) => page.items ?? [])
    .filter((key) => key.id !== undefined && key.tags?.[STAGE_TAG] === stageTag && typeof key.tags?.[CUSTOMER_TAG] === "string")
    .filter((key) => customerId === undefined || key.tags![CUSTOMER_TAG] === customerId)
    .map((key) => ({
      keyId: key.id!,
      customerId: key.tags![CUSTOMER_TAG],
      name: key.name,
      enabled: key.enabled === true,
      origin: key.tags![ORIGIN_TAG] === "api" ? "api" : "config",
      createdDate: key.createdDate?.toISOString(),
    }));
}

/** Key id -> tier, from each plan's keys (GetUsagePlanKeys), the plans read in parallel. */
async function findPlanMembership(client: APIGatewayClient, plans: Iterable<TierPlan>): Promise<Map<string, string>> {
  const membership = new Map<string, string>();
  await Promise.all(
    [...plans].map(async (plan) => {
      const pages = await allPages("GetUsagePlanKeys", paginateGetUsagePlanKeys({ client, pageSize: 500 }, { usagePlanId: plan.planId }));
      for (const key of pages.flatMap((page) => page.items ?? [])) if (key.id !== undefined) membership.set(key.id, plan.tier);
    }),
  );
  return membership;
}

/** CreateApiKey: named after the customer, its `customerId` and tags set. */
async function createCustomerKey(client: APIGatewayClient, stage: StageRef, customerId: string, description: string, enabled: boolean): Promise<CreatedKey> {
  const tags = customerKeyTags(customerId, stageTagValue(stage.restApiId, stage.stageName), "api");
  let key;
  try {
    key = await client.send(new CreateApiKeyCommand({ name: customerId, description, enabled, customerId, tags }));
  } catch (err) {
    throw apiGatewayCallError("CreateApiKey", err);
  }
  if (key.id === undefined || key.value === undefined) throw new Error("CreateApiKey answered no key id or value");
  return { keyId: key.id, value: key.value, customerId, name: key.name, enabled, origin: "api", createdDate: key.createdDate?.toISOString() };
}

/** GetUsage of one key over a range, every page; `[]` when the key has no usage in the plan. */
async function findKeyUsage(client: APIGatewayClient, planId: string, keyId: string, range: UsageRange): Promise<number[][]> {
  const days: number[][] = [];
  let position: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new GetUsageCommand({ usagePlanId: planId, keyId, startDate: range.startDate, endDate: range.endDate, position }));
    } catch (err) {
      throw apiGatewayCallError("GetUsage", err);
    }
    days.push(...(page.items?.[keyId] ?? []));
    position = page.position;
  } while (position);
  return days;
}
