/**
 * Usage plans at the gateway (apigw-behavior.md, Throttling and quotas; API keys): which key
 * may call a keyed method, under which plan, with which limits and quota. The keys and plans
 * are a {@link UsagePlanRegistry}; the quota counts are {@link UsageCounters}; this file
 * puts them together with the throttle buckets.
 */
import { TokenBucket } from "./tokenBucket";
import { type HttpMethod, throttlePathsOf } from "../../components/apigateway";
import { UsageCounters, type DayUsage, type PeriodUsage, type QuotaPeriod, type UsageCounterSnapshot } from "./usageCounters";
import type { UsagePlanModel, UsagePlanModels } from "./usagePlanModels";
import { UsagePlanRegistry, type UsagePlanOverlay } from "./usagePlanRegistry";

export type { DayUsage, QuotaPeriod, UsageCounterSnapshot };
export { periodStart } from "./usageCounters";
export { usagePlanModels, type ApiKeyModel, type UsagePlanModel, type UsagePlanModels } from "./usagePlanModels";
export type { UsagePlanOverlay } from "./usagePlanRegistry";

export type KeyCheck =
  | { ok: true; keyId: string; planId: string }
  | { ok: false; response: "INVALID_API_KEY" | "THROTTLED" | "QUOTA_EXCEEDED" };

export interface UsagePlanEnforcerOptions {
  /** Clock in ms since the epoch: quota periods are UTC calendar periods. @default Date.now */
  now?: () => number;
  /**
   * The weekday a WEEK quota period starts on, 00:00 UTC (0 = Sunday). AWS does not document
   * it; an earlier API reference said a WEEK with offset 0 "starts on Sunday".
   * @default 0
   */
  weekStartsOn?: number;
  /**
   * What the API Gateway control plane changed at run time over the program's keys and plan
   * keys (keys created, disabled, deleted, attached, detached): enforced from the next request on.
   * @default none (the program's keys and plan keys alone)
   */
  overlay?: UsagePlanOverlay;
}

/** AWS's key value length (ApiKey `value`: 20-128 characters). */
const KEY_LENGTH = { min: 20, max: 128 };

/**
 * Enforces usage plans for methods with `apiKeyRequired` (apigw-behavior.md, Throttling and
 * quotas; API keys): the key must be an enabled key in a plan for the API stage; then the
 * plan's per-method limit for the key, the plan's limit for the key, and its quota apply,
 * in that order. Limits and quota are per key and plan, summed over all stages of the plan.
 * A request takes a token from each limit and one from the quota only when all of them
 * admit it.
 *
 * The plan's first quota period (where `offset` applies) is the one the enforcer was
 * created in: locally, a plan comes into being when the program is deployed. Counts and
 * first periods pass from one enforcer to the next (a reload, a restart) through
 * {@link UsagePlanEnforcer.snapshot} and {@link UsagePlanEnforcer.restore}.
 */
export class UsagePlanEnforcer {
  /** The keys and plans enforced. */
  readonly registry: UsagePlanRegistry;
  private readonly now: () => number;
  private readonly counters: UsageCounters;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(models: UsagePlanModels, options: UsagePlanEnforcerOptions = {}) {
    this.now = options.now ?? Date.now;
    const weekStartsOn = options.weekStartsOn ?? 0;
    if (!Number.isInteger(weekStartsOn) || weekStartsOn < 0 || weekStartsOn > 6) {
      throw new RangeError(`weekStartsOn must be 0 (Sunday) to 6 (Saturday) (got ${options.weekStartsOn})`);
    }
    this.registry = new UsagePlanRegistry(models, options.overlay);
    this.counters = new UsageCounters(this.now, weekStartsOn);
    this.counters.startFirstPeriods(models.plans);
  }

  /**
   * For a method with apiKeyRequired: `key` is the `x-api-key` header value (apiKeySource
   * HEADER) or the Lambda authorizer's `usageIdentifierKey` (AUTHORIZER). `httpMethod` is the
   * method as declared (`ANY` for an ANY method), as AWS keys per-method limits.
   *
   * `alsoThrottle` are further buckets the request must pass (the stage's method limit, the
   * account's), taken together with the plan's so that no limit is used up by a request
   * another refuses; refusal by any of them is THROTTLED.
   */
  check(apiId: string, stage: string, resourcePath: string, httpMethod: string, key: string | undefined, options: { alsoThrottle?: TokenBucket[] } = {}): KeyCheck {
    // A value of the wrong length cannot be a key: it is simply unknown (403), as is no key.
    if (typeof key !== "string" || key.length < KEY_LENGTH.min || key.length > KEY_LENGTH.max) return refuse("INVALID_API_KEY");
    const apiKey = this.registry.keyWithValue(key);
    if (!apiKey || !apiKey.enabled) return refuse("INVALID_API_KEY");
    const held = this.planForStage(apiKey.id, apiId, stage);
    if (!held) return refuse("INVALID_API_KEY");
    const { plan, planStage } = held;

    const buckets = this.planBuckets(plan, planStage, apiKey.id, resourcePath, httpMethod);
    buckets.push(...(options.alsoThrottle ?? []));
    const distinct = [...new Set(buckets)];
    if (distinct.some((bucket) => bucket.available() < 1)) return refuse("THROTTLED");
    if (!this.counters.admits(plan, apiKey.id)) return refuse("QUOTA_EXCEEDED");

    // Nothing runs between the checks and the takes, and the clock only adds tokens.
    for (const bucket of distinct) bucket.tryTake();
    this.counters.count(plan, apiKey.id);
    return { ok: true, keyId: apiKey.id, planId: plan.id };
  }

  /**
   * A key's usage in the current period of its plan (`planId` picks one when the key is in
   * several plans, for different stages). Without a quota the period is the UTC day and
   * `remaining` is undefined.
   */
  usage(keyId: string, planId?: string): PeriodUsage {
    const plans = this.registry.plansOf(keyId);
    const plan = planId === undefined ? plans[0] : plans.find((p) => p.id === planId);
    if (!plan) {
      const known = plans.map((p) => p.id).join(", ");
      throw new Error(planId === undefined || !known ? `key ${keyId} is in no usage plan` : `key ${keyId} is not in usage plan ${planId} (plans: ${known})`);
    }
    return this.counters.usage(plan, keyId);
  }

  /**
   * The key's `[used, remaining]` in the plan on each UTC day (ms epoch of its 00:00), as
   * GetUsage reports them (UsageCounters.usagePerDay).
   *
   * @throws Error when there is no such plan
   */
  usagePerDay(planId: string, keyId: string, days: number[]): DayUsage[] {
    const plan = this.registry.plan(planId);
    if (!plan) throw new Error(`there is no usage plan ${planId}`);
    return this.counters.usagePerDay(plan, keyId, days);
  }

  /** The request counts, to hand to {@link restore} of the next enforcer (after a reload or a restart). */
  snapshot(): UsageCounterSnapshot {
    return this.counters.snapshot(this.registry);
  }

  /**
   * Takes over the counts of an earlier enforcer (in place of this one's, for the same key and
   * plan): those of keys still in their plan, counted in the plan's current period (a count of
   * an older period, or of a period of another length since the plan changed, is over). A
   * plan keeps its first period, so its `offset` is not taken off a second time.
   *
   * @param snapshot - {@link snapshot} of the enforcer this one replaces, or read from disk.
   */
  restore(snapshot: UsageCounterSnapshot): void {
    this.counters.restore(snapshot, this.registry);
  }

  /** The key's plan for the API stage: a key belongs to at most one plan per stage (AWS refuses a second). */
  private planForStage(keyId: string, apiId: string, stage: string): { plan: UsagePlanModel; planStage: UsagePlanModel["stages"][number] } | undefined {
    for (const plan of this.registry.plansOf(keyId)) {
      const planStage = plan.stages.find((s) => s.apiId === apiId && s.stage === stage);
      if (planStage) return { plan, planStage };
    }
    return undefined;
  }

  /** The plan's buckets for the key and method: its per-method limit, then its own limit. */
  private planBuckets(plan: UsagePlanModel, planStage: UsagePlanModel["stages"][number], keyId: string, resourcePath: string, httpMethod: string): TokenBucket[] {
    const buckets: TokenBucket[] = [];
    const methodLimit = methodThrottle(planStage.throttles, resourcePath, httpMethod);
    if (methodLimit) {
      buckets.push(this.bucket(`method ${plan.id} ${keyId} ${planStage.apiId} ${planStage.stage} ${methodLimit.path}`, methodLimit.limit));
    }
    if (plan.throttle) buckets.push(this.bucket(`plan ${plan.id} ${keyId}`, plan.throttle));
    return buckets;
  }

  private bucket(id: string, limit: { rateLimit: number; burstLimit: number }): TokenBucket {
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(limit.rateLimit, limit.burstLimit, this.now);
      this.buckets.set(id, bucket);
    }
    return bucket;
  }
}

function refuse(response: "INVALID_API_KEY" | "THROTTLED" | "QUOTA_EXCEEDED"): KeyCheck {
  return { ok: false, response };
}

/**
 * The plan's limit for a method: AWS keys them `{resourcePath}/{METHOD}`, so the root's is
 * `//GET`; `/GET` is accepted for the root too, as some tools write it.
 */
function methodThrottle(
  throttles: Record<string, { rateLimit: number; burstLimit: number }>,
  resourcePath: string,
  httpMethod: string,
): { path: string; limit: { rateLimit: number; burstLimit: number } } | undefined {
  for (const path of throttlePathsOf({ path: resourcePath, method: httpMethod as HttpMethod })) {
    if (Object.prototype.hasOwnProperty.call(throttles, path)) return { path, limit: throttles[path] };
  }
  return undefined;
}
