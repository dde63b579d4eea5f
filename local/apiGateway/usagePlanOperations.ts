/**
 * Usage plans: GetUsagePlans and GetUsagePlan (API_GetUsagePlans.html, API_GetUsagePlan.html).
 * Plans are the program's: the local cloud creates, changes and deletes none at run time.
 */
import { MESSAGES, notFound } from "./apiGatewayErrors";
import type { UsagePlanResource } from "./deployedUsagePlans";
import type { Operation } from "./operation";
import { pageJson, pageOf } from "./paging";

/** GetUsagePlans (`GET /usageplans?keyId&limit&position`): with `keyId`, the plans holding that key. */
export const getUsagePlans: Operation = ({ resources }, { query }) => {
  const keyId = query.get("keyId");
  const plans = keyId ? resources.plansOfKey(keyId) : resources.usagePlans();
  return { status: 200, body: pageJson(pageOf(plans, query), (plan) => usagePlanJson(plan, "some")) };
};

/** GetUsagePlan (`GET /usageplans/{usagePlanId}`). */
export const getUsagePlan: Operation = ({ resources }, { params }) => {
  return { status: 200, body: usagePlanJson(existingPlan(resources.usagePlan(params.usagePlanId)), "always") };
};

/** The plan, or AWS's NotFoundException for an unknown id. */
export function existingPlan(plan: UsagePlanResource | undefined): UsagePlanResource {
  if (!plan) throw notFound(MESSAGES.invalidUsagePlanId);
  return plan;
}

/**
 * A UsagePlan. Tags show always in GetUsagePlan (`{}` without any) and only when there are
 * some in a list (recorded: get-usage-plan, get-usage-plans in test_apigateway_common.snapshot.json);
 * a quota carries its offset, 0 included.
 */
export function usagePlanJson(plan: UsagePlanResource, tags: "always" | "some"): Record<string, unknown> {
  const { model } = plan;
  return {
    id: model.id,
    name: model.name,
    ...(plan.description !== undefined ? { description: plan.description } : {}),
    apiStages: model.stages.map((s) => ({ apiId: s.apiId, stage: s.stage, ...(Object.keys(s.throttles).length > 0 ? { throttle: s.throttles } : {}) })),
    ...(model.throttle ? { throttle: { burstLimit: model.throttle.burstLimit, rateLimit: model.throttle.rateLimit } } : {}),
    ...(model.quota ? { quota: { limit: model.quota.limit, offset: model.quota.offset, period: model.quota.period } } : {}),
    ...(plan.productCode !== undefined ? { productCode: plan.productCode } : {}),
    ...(tags === "always" || Object.keys(plan.tags).length > 0 ? { tags: plan.tags } : {}),
  };
}
