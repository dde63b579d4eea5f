/**
 * GetUsage (`GET /usageplans/{usagePlanId}/usage?startDate&endDate&keyId&limit&position`,
 * API_GetUsage.html): per key of the plan, one `[used, remaining]` pair per UTC day of the
 * range, both ends included: the requests the gateway counted against the plan's quota
 * that day, and what the quota left once they were.
 */
import { existingKey } from "./apiKeyOperations";
import { badRequest, MESSAGES } from "./apiGatewayErrors";
import type { UsageReader } from "./apiGatewayResources";
import type { Operation } from "./operation";
import { pageOf } from "./paging";
import { existingPlan } from "./usagePlanOperations";
import { DAY_MS } from "../restGateway/dailyUsage";

/**
 * The longest range answered, in days: locally a report is built in one go, and counts are
 * kept 90 days anyway (dailyUsage.ts).
 * @default 3660 (ten years)
 */
export const MAX_USAGE_DAYS = 3660;

/**
 * GetUsage. The dates are checked before the plan is looked up (input validation first).
 * The map is `values` on the wire (the API model's jsonName; the SDK calls it `items`), keyed
 * by key id ("{api_key} stands for an API key ID", API_GetUsage.html).
 */
export const getUsage: Operation = ({ resources }, { params, query }) => {
  const { startDate, endDate, days } = dayRangeOf(query);
  const plan = existingPlan(resources.usagePlan(params.usagePlanId));
  const keyId = query.get("keyId");
  if (keyId) existingKey(resources.apiKey(keyId));
  const keys = resources.keysOfPlan(plan.model.id).filter((key) => !keyId || key.id === keyId);
  const page = pageOf(keys, query);
  const values = Object.fromEntries(page.items.map((key) => [key.id, usageOf(resources.usage(), plan.model.id, key.id, days)]));
  return {
    status: 200,
    body: { usagePlanId: plan.model.id, startDate, endDate, values, ...(page.position === undefined ? {} : { position: page.position }) },
  };
};

/** No deployment serving a REST stage: nothing counted, nothing to report remaining. */
function usageOf(reader: UsageReader | undefined, planId: string, keyId: string, days: number[]): Array<[number, number]> {
  return reader ? reader.usagePerDay(planId, keyId, days) : days.map(() => [0, 0]);
}

/**
 * The query's date range: `startDate` and `endDate` both given, as `yyyy-MM-dd` calendar
 * days, the end not before the start.
 *
 * @throws ApiGatewayError BadRequestException naming the date at fault
 */
export function dayRangeOf(query: URLSearchParams): { startDate: string; endDate: string; days: number[] } {
  const startDate = query.get("startDate");
  const endDate = query.get("endDate");
  if (!startDate) throw badRequest(MESSAGES.missingDate("startDate"));
  if (!endDate) throw badRequest(MESSAGES.missingDate("endDate"));
  const start = dayOf(startDate, "startDate");
  const end = dayOf(endDate, "endDate");
  if (end < start) throw badRequest(MESSAGES.endBeforeStart(startDate, endDate));
  const count = (end - start) / DAY_MS + 1;
  if (count > MAX_USAGE_DAYS) throw badRequest(MESSAGES.rangeTooLong(count, MAX_USAGE_DAYS));
  return { startDate, endDate, days: Array.from({ length: count }, (_, i) => start + i * DAY_MS) };
}

/** A `yyyy-MM-dd` day (ms epoch of its 00:00 UTC); 2024-02-30 is no day. */
function dayOf(text: string, field: "startDate" | "endDate"): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const t = Date.UTC(year, month - 1, day);
    const date = new Date(t);
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return t;
  }
  throw badRequest(MESSAGES.invalidDate(field, text));
}
