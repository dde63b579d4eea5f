/**
 * What the customers API does, one function per route, over a stage's {@link CustomerDirectory}.
 * Each answers a status and a JSON body, or throws a {@link CustomerError} saying what went
 * wrong and what was left behind: a change spanning several API Gateway calls is undone when a
 * later call fails, and when undoing fails too the caller is told exactly what state remains.
 */
import { type CustomerDirectory, type CustomerKey, type TierPlan, isApiGatewayCallError } from "./customerDirectory";
import { customerIdProblem } from "./customerTags";
import { daysOf, usageRange } from "./quotaPeriods";

/** A refusal or failure the caller is told about: its status and a message. */
export interface CustomerError extends Error {
  name: "CustomerError";
  status: number;
}

/** The error answering `status` with `message` (a plain Error: see apiGatewayCallError). */
export function customerError(status: number, message: string): CustomerError {
  return Object.assign(new Error(message), { name: "CustomerError" as const, status });
}

/** Whether `err` is a refusal to answer as it says. */
export function isCustomerError(err: unknown): err is CustomerError {
  return err instanceof Error && err.name === "CustomerError";
}

/** What every operation works with. */
export interface CustomerRequest {
  /** The stage's customers. */
  directory: CustomerDirectory;
  /** The tiers a customer may be in, in the order they are listed. */
  tiers: string[];
  /** The time of the request (ms since the epoch). */
  now: number;
}

/** An operation's answer. */
export interface CustomerAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A customer as GET /customers lists it: never a key's value. */
export interface CustomerSummary {
  id: string;
  /** The tier whose plan holds its key; null when the key is in no plan of the stage. */
  tier: string | null;
  enabled: boolean;
  keyId: string;
  /** `config`: deployed from the stack config (read-only here); `api`: onboarded at run time. */
  managedBy: "config" | "api";
  createdDate: string | null;
  /** Keys left over from a rotation or removal that did not finish: retired by the next rotate or remove. */
  otherKeys?: Array<{ keyId: string; tier: string | null; enabled: boolean }>;
}

// ---------------------------------------------------------------------------------------------
// The routes.

/** POST /customers `{id, tier}`: a new enabled key in the tier's plan; 201 with its value, once. */
export async function onboardCustomer(request: CustomerRequest, body: unknown): Promise<CustomerAnswer> {
  const { id, tier } = newCustomerOf(body, request.tiers);
  const { directory } = request;
  const plan = await planOfTier(directory, tier);
  if ((await directory.customerKeys(id)).length > 0) throw customerError(409, `customer "${id}" exists already`);
  const key = await directory.createKey(id, `API key of ${id}, onboarded through the customers API`, true);
  await refuseIfOnboardedTwice(directory, key);
  await attachNewKey(directory, plan, key.keyId, `nothing was created`);
  return {
    status: 201,
    headers: { Location: `/customers/${id}` },
    body: { id, tier, keyId: key.keyId, enabled: true, managedBy: "api", apiKey: key.value },
  };
}

/** GET /customers: every customer of the stage with its tier and key state. */
export async function listCustomers(request: CustomerRequest): Promise<CustomerAnswer> {
  const { directory } = request;
  const plans = await directory.tierPlans();
  const [keys, membership] = await Promise.all([directory.customerKeys(), directory.planMembership(plans.values())]);
  const byCustomer = new Map<string, CustomerKey[]>();
  for (const key of keys) byCustomer.set(key.customerId, [...(byCustomer.get(key.customerId) ?? []), key]);
  const customers = [...byCustomer.values()].map((own) => summaryOf(own, membership)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { status: 200, body: { customers } };
}

/**
 * GET /customers/{id}/usage[?startDate&endDate]: the key's used and remaining quota per day
 * (GetUsage), by default over the current quota period, with the plan's quota.
 */
export async function customerUsage(request: CustomerRequest, id: string, query: { startDate?: string; endDate?: string }): Promise<CustomerAnswer> {
  const { directory } = request;
  const key = currentKey(await findCustomer(directory, id));
  const plan = planOfKey(directory, await tiersOf(directory), id, key);
  const range = usageRange(query, plan.quota?.period, request.now);
  if ("problem" in range) throw customerError(400, range.problem);
  const pairs = await directory.keyUsage(plan.planId, key.keyId, range);
  const days = daysOf(range).map((date, i) => ({ date, used: pairs[i]?.[0] ?? 0, remaining: pairs[i]?.[1] ?? null }));
  return {
    status: 200,
    body: {
      id,
      tier: plan.tier,
      keyId: key.keyId,
      quota: plan.quota ?? null,
      ...range,
      used: days.reduce((sum, day) => sum + day.used, 0),
      remaining: days.length > 0 ? days[days.length - 1].remaining : null,
      days,
    },
  };
}

/**
 * PUT /customers/{id}/tier `{tier}`: the customer's key moves to the tier's plan, never left
 * without a plan by a failed call (see {@link moveKey}).
 */
export async function changeTier(request: CustomerRequest, id: string, body: unknown): Promise<CustomerAnswer> {
  const tier = tierOf(body, request.tiers);
  const { directory } = request;
  const keys = await findCustomer(directory, id);
  refuseConfigCustomer(keys, id, "change its tier");
  const target = await planOfTier(directory, tier);
  const { plans, membership } = await tiersOf(directory);
  const previousTier = membership.get(currentKey(keys).keyId) ?? null;
  const moving = keys.filter((key) => membership.get(key.keyId) !== tier);
  for (const key of moving) {
    const from = membership.get(key.keyId);
    await moveKey(directory, id, key.keyId, from === undefined ? undefined : plans.get(from), target);
  }
  return { status: 200, body: { id, tier, previousTier, changed: moving.length > 0 } };
}

/**
 * POST /customers/{id}/rotate: a new key (its value answered once) in the same plan, then the
 * old key detached and deleted, so it stops at once. The new key keeps the old one's state.
 */
export async function rotateKey(request: CustomerRequest, id: string): Promise<CustomerAnswer> {
  const { directory } = request;
  const keys = await findCustomer(directory, id);
  refuseConfigCustomer(keys, id, "rotate its key");
  const current = currentKey(keys);
  const tiers = await tiersOf(directory);
  const plan = planOfKey(directory, tiers, id, current);
  const key = await directory.createKey(id, `API key of ${id}, rotated through the customers API`, current.enabled);
  await attachNewKey(directory, plan, key.keyId, `the old key ${current.keyId} still works`);
  const notRetired = await retireKeys(directory, keys, tiers);
  const retiredKeyIds = keys.map((k) => k.keyId).filter((keyId) => !(keyId in notRetired));
  const body = { id, tier: plan.tier, keyId: key.keyId, enabled: current.enabled, apiKey: key.value, retiredKeyIds };
  if (Object.keys(notRetired).length === 0) return { status: 200, body };
  // The new key works and its value is only here: answer it, and say which old key is left.
  return { status: 200, body: { ...body, notRetired, warning: `the new key works, but ${describeLeftovers(notRetired)}: rotate again or remove them` } };
}

/** POST /customers/{id}/disable and /enable: every key of the customer switched (UpdateApiKey). */
export async function setCustomerEnabled(request: CustomerRequest, id: string, enabled: boolean): Promise<CustomerAnswer> {
  const keys = await findCustomer(request.directory, id);
  const done: string[] = [];
  for (const key of keys) {
    try {
      await request.directory.setKeyEnabled(key.keyId, enabled);
    } catch (err) {
      const left = keys.filter((k) => !done.includes(k.keyId)).map((k) => k.keyId);
      throw customerError(502, `${enabled ? "enabling" : "disabling"} customer "${id}" failed (${messageOf(err)}); ${done.length > 0 ? `keys ${done.join(", ")} are ${enabled ? "enabled" : "disabled"}, ` : ""}keys ${left.join(", ")} are unchanged: try again`);
    }
    done.push(key.keyId);
  }
  return { status: 200, body: { id, enabled, keyIds: done } };
}

/** DELETE /customers/{id}: every key of the customer detached from its plan and deleted. */
export async function removeCustomer(request: CustomerRequest, id: string): Promise<CustomerAnswer> {
  const { directory } = request;
  const keys = await findCustomer(directory, id);
  refuseConfigCustomer(keys, id, "remove it");
  const notRetired = await retireKeys(directory, keys, await tiersOf(directory));
  if (Object.keys(notRetired).length > 0) throw customerError(502, `removing customer "${id}" did not finish: ${describeLeftovers(notRetired)}; try again`);
  return { status: 200, body: { id, removed: true, keyIds: keys.map((k) => k.keyId) } };
}

// ---------------------------------------------------------------------------------------------
// Input.

/** The `{id, tier}` of POST /customers; 400 naming what is wrong. */
export function newCustomerOf(body: unknown, tiers: string[]): { id: string; tier: string } {
  const fields = objectOf(body, "{id, tier}");
  const problem = customerIdProblem(fields.id);
  if (problem !== undefined) throw customerError(400, `id: ${problem}`);
  return { id: fields.id as string, tier: knownTier(fields.tier, tiers) };
}

/** The `{tier}` of PUT /customers/{id}/tier; 400 naming what is wrong. */
export function tierOf(body: unknown, tiers: string[]): string {
  return knownTier(objectOf(body, "{tier}").tier, tiers);
}

/** A path's customer id; 400 when it cannot be one. */
export function customerIdOf(value: string | undefined): string {
  const problem = customerIdProblem(value);
  if (problem !== undefined) throw customerError(400, problem);
  return value!;
}

function objectOf(body: unknown, shape: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw customerError(400, `the body must be a JSON object ${shape}`);
  return body as Record<string, unknown>;
}

function knownTier(value: unknown, tiers: string[]): string {
  if (typeof value === "string" && tiers.includes(value)) return value;
  throw customerError(400, `tier ${JSON.stringify(value)} is not a tier (tiers: ${tiers.join(", ")})`);
}

// ---------------------------------------------------------------------------------------------
// Lookups.

async function findCustomer(directory: CustomerDirectory, id: string): Promise<CustomerKey[]> {
  const keys = await directory.customerKeys(id);
  if (keys.length === 0) throw customerError(404, `no customer "${id}"`);
  return keys;
}

/** The key a customer uses: its newest (others exist only while a rotation or removal is unfinished). */
export function currentKey(keys: CustomerKey[]): CustomerKey {
  return [...keys].sort(newestFirst)[0];
}

function newestFirst(a: CustomerKey, b: CustomerKey): number {
  const byDate = (b.createdDate ?? "").localeCompare(a.createdDate ?? "");
  return byDate !== 0 ? byDate : a.keyId.localeCompare(b.keyId);
}

async function planOfTier(directory: CustomerDirectory, tier: string): Promise<TierPlan> {
  const plan = (await directory.tierPlans()).get(tier);
  if (plan !== undefined) return plan;
  // The tier is configured, but the deployment has no plan for it on this stage.
  throw customerError(500, `tier "${tier}" has no usage plan on stage ${directory.stage.stageName} (a plan of the stage tagged apigw-kit:tier=${tier}): deploy the stack again`);
}

/** The stage's tier plans, and which tier holds each key. */
interface StageTiers {
  plans: Map<string, TierPlan>;
  membership: Map<string, string>;
}

async function tiersOf(directory: CustomerDirectory): Promise<StageTiers> {
  const plans = await directory.tierPlans();
  return { plans, membership: await directory.planMembership(plans.values()) };
}

function planOfKey(directory: CustomerDirectory, { plans, membership }: StageTiers, id: string, key: CustomerKey): TierPlan {
  const tier = membership.get(key.keyId);
  if (tier === undefined) throw customerError(409, `customer "${id}" is in no tier: its key ${key.keyId} is in no usage plan of stage ${directory.stage.stageName}`);
  return plans.get(tier)!;
}

function summaryOf(keys: CustomerKey[], membership: Map<string, string>): CustomerSummary {
  const [current, ...others] = [...keys].sort(newestFirst);
  return {
    id: current.customerId,
    tier: membership.get(current.keyId) ?? null,
    enabled: current.enabled,
    keyId: current.keyId,
    managedBy: current.origin,
    createdDate: current.createdDate ?? null,
    ...(others.length > 0 ? { otherKeys: others.map((k) => ({ keyId: k.keyId, tier: membership.get(k.keyId) ?? null, enabled: k.enabled })) } : {}),
  };
}

/** Deploy-time customers belong to the stack: changing them here would be undone by, or fight, the next deployment. */
function refuseConfigCustomer(keys: CustomerKey[], id: string, action: string): void {
  if (keys.some((key) => key.origin === "config")) {
    throw customerError(409, `customer "${id}" comes from the stack config: ${action} there and deploy (the customers API only lists, meters, disables and enables it)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Changes that span several calls.

/**
 * Two onboardings of one id at once both find no customer and both create a key: the one
 * created second (by date, then id) deletes its own and answers 409.
 */
async function refuseIfOnboardedTwice(directory: CustomerDirectory, key: CustomerKey): Promise<void> {
  const others = (await directory.customerKeys(key.customerId)).filter((k) => k.keyId !== key.keyId);
  if (!others.some((other) => newestFirst(key, other) < 0)) return;
  await directory.deleteKey(key.keyId);
  throw customerError(409, `customer "${key.customerId}" exists already`);
}

/** Attaches a new key; if that fails, deletes the key again and says so (`kept` says what stands). */
async function attachNewKey(directory: CustomerDirectory, plan: TierPlan, keyId: string, kept: string): Promise<void> {
  try {
    await directory.attachKey(plan.planId, keyId);
  } catch (attachError) {
    try {
      await directory.deleteKey(keyId);
    } catch (deleteError) {
      throw customerError(502, `attaching the new key ${keyId} to the ${plan.tier} plan failed (${messageOf(attachError)}), and deleting it again failed too (${messageOf(deleteError)}): the key exists, in no plan (it works nowhere); delete it in API Gateway; ${kept}`);
    }
    throw customerError(502, `attaching the new key to the ${plan.tier} plan failed (${messageOf(attachError)}); the key was deleted again: ${kept}`);
  }
}

/**
 * Moves a key to another plan without leaving it in none: attach to the new plan first, then
 * detach from the old. AWS refuses a key in two plans of one stage (ConflictException), so
 * then it is detached first and, should attaching fail, put back in its old plan.
 */
export async function moveKey(directory: CustomerDirectory, id: string, keyId: string, from: TierPlan | undefined, to: TierPlan): Promise<void> {
  if (from === undefined) {
    await attachOrSay(directory, to, keyId, `customer "${id}" was in no plan and still is`);
    return;
  }
  try {
    await directory.attachKey(to.planId, keyId);
  } catch (err) {
    if (isApiGatewayCallError(err) && err.errorName === "ConflictException") return moveDetachingFirst(directory, id, keyId, from, to);
    throw customerError(502, `attaching customer "${id}" to the ${to.tier} plan failed (${messageOf(err)}); it stays in the ${from.tier} plan: nothing changed`);
  }
  try {
    await directory.detachKey(from.planId, keyId);
  } catch (err) {
    throw customerError(502, `customer "${id}" is in the ${to.tier} plan now, but detaching it from the ${from.tier} plan failed (${messageOf(err)}): it is in both; send the change again`);
  }
}

async function moveDetachingFirst(directory: CustomerDirectory, id: string, keyId: string, from: TierPlan, to: TierPlan): Promise<void> {
  try {
    await directory.detachKey(from.planId, keyId);
  } catch (err) {
    throw customerError(502, `detaching customer "${id}" from the ${from.tier} plan failed (${messageOf(err)}); it stays there: nothing changed`);
  }
  try {
    await directory.attachKey(to.planId, keyId);
  } catch (attachError) {
    await attachOrSay(directory, from, keyId, `attaching customer "${id}" to the ${to.tier} plan failed (${messageOf(attachError)}), and putting it back in the ${from.tier} plan failed too: it is in no plan, so its requests are refused; send the change again`);
    throw customerError(502, `attaching customer "${id}" to the ${to.tier} plan failed (${messageOf(attachError)}); it is back in the ${from.tier} plan: nothing changed`);
  }
}

async function attachOrSay(directory: CustomerDirectory, plan: TierPlan, keyId: string, failure: string): Promise<void> {
  try {
    await directory.attachKey(plan.planId, keyId);
  } catch (err) {
    throw customerError(502, `${failure} (${messageOf(err)})`);
  }
}

/** Detaches each key from its plan and deletes it; answers what could not be, by key id. */
async function retireKeys(directory: CustomerDirectory, keys: CustomerKey[], { plans, membership }: StageTiers): Promise<Record<string, string>> {
  const notRetired: Record<string, string> = {};
  for (const key of keys) {
    const tier = membership.get(key.keyId);
    try {
      // Detached first: a key in no plan is refused at once, even should deleting it fail.
      if (tier !== undefined) await directory.detachKey(plans.get(tier)!.planId, key.keyId);
      await directory.deleteKey(key.keyId);
    } catch (err) {
      notRetired[key.keyId] = messageOf(err);
    }
  }
  return notRetired;
}

function describeLeftovers(notRetired: Record<string, string>): string {
  return Object.entries(notRetired)
    .map(([keyId, error]) => `key ${keyId} could not be detached and deleted (${error})`)
    .join("; ");
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
