/**
 * Keys in usage plans: CreateUsagePlanKey, GetUsagePlanKeys, GetUsagePlanKey,
 * DeleteUsagePlanKey (API_CreateUsagePlanKey.html and siblings). A change is enforced by the
 * gateway from the next request on.
 */
import { existingKey } from "./apiKeyOperations";
import { usagePlanKeyJson } from "./apiKeyJson";
import { badRequest, conflict, MESSAGES, notFound } from "./apiGatewayErrors";
import type { ApiGatewayResources } from "./apiGatewayResources";
import type { ApiKeyResource, UsagePlanResource } from "./deployedUsagePlans";
import { stringField, type Operation } from "./operation";
import { pageJson, pageOf } from "./paging";
import { existingPlan } from "./usagePlanOperations";

/**
 * CreateUsagePlanKey (`POST /usageplans/{usagePlanId}/keys`, 201). A key may be in one plan
 * per API stage: a second plan sharing a stage with one holding the key is refused, as is
 * the same plan twice (409 ConflictException).
 */
export const createUsagePlanKey: Operation = ({ resources }, { params, body }) => {
  const plan = existingPlan(resources.usagePlan(params.usagePlanId));
  const keyType = body.keyType;
  if (keyType !== "API_KEY") throw badRequest(MESSAGES.invalidKeyType(keyType));
  const key = existingKey(resources.apiKey(stringField(body, "keyId") ?? ""));
  checkNoConflict(resources, plan, key);
  resources.changes.attach({ planId: plan.model.id, keyId: key.id });
  return { status: 201, body: usagePlanKeyJson(key) };
};

/**
 * GetUsagePlanKeys (`GET /usageplans/{usagePlanId}/keys?name&limit&position`): `name`
 * matches a prefix of the key's name, case-sensitively; an unknown plan has no keys
 * (recorded: get-up-keys-name-query, -cased, get-up-keys-bad-usage-plan in
 * test_apigateway_extended.snapshot.json).
 */
export const getUsagePlanKeys: Operation = ({ resources }, { params, query }) => {
  const nameQuery = query.get("name");
  const keys = resources.keysOfPlan(params.usagePlanId).filter((key) => !nameQuery || (key.name ?? "").startsWith(nameQuery));
  return { status: 200, body: pageJson(pageOf(keys, query), usagePlanKeyJson) };
};

/** GetUsagePlanKey (`GET /usageplans/{usagePlanId}/keys/{keyId}`). */
export const getUsagePlanKey: Operation = ({ resources }, { params }) => {
  return { status: 200, body: usagePlanKeyJson(heldKey(resources, params.usagePlanId, params.keyId)) };
};

/** DeleteUsagePlanKey (`DELETE /usageplans/{usagePlanId}/keys/{keyId}`, 202): the key gets 403 from the next request on. */
export const deleteUsagePlanKey: Operation = ({ resources }, { params }) => {
  const key = heldKey(resources, params.usagePlanId, params.keyId);
  resources.changes.detach({ planId: params.usagePlanId, keyId: key.id });
  return { status: 202 };
};

/** The key of a plan; a key not in the plan reads as an unknown plan (moto's test_usage_plan_keys). */
function heldKey(resources: ApiGatewayResources, planId: string, keyId: string): ApiKeyResource {
  const plan = existingPlan(resources.usagePlan(planId));
  const key = existingKey(resources.apiKey(keyId));
  if (!resources.keysOfPlan(plan.model.id).some((held) => held.id === key.id)) throw notFound(MESSAGES.invalidUsagePlanId);
  return key;
}

/** Refuses a key already in the plan, or in another plan of one of the plan's API stages. */
function checkNoConflict(resources: ApiGatewayResources, plan: UsagePlanResource, key: ApiKeyResource): void {
  for (const other of resources.plansOfKey(key.id)) {
    if (other.model.id === plan.model.id) throw conflict(MESSAGES.keyAlreadyInPlan(key.id, plan.model.id));
    const shared = plan.model.stages.find((s) => other.model.stages.some((o) => o.apiId === s.apiId && o.stage === s.stage));
    if (shared) throw conflict(MESSAGES.keyInPlanOfSameStage(plan.model.id, key.id, shared.apiId, shared.stage));
  }
}
