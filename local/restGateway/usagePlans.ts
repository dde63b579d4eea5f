import type { ProviderValue, ResourceGraph } from "../controlPlane";
import { TokenBucket } from "./tokenBucket";
import { type HttpMethod, type QuotaPeriod, throttlePathsOf } from "../../components/apigateway";

export type { QuotaPeriod };

/** A usage plan as deployed. */
export interface UsagePlanModel {
  id: string;
  name: string;
  /** The per-key limit of the plan; none = only the per-method limits and the stage's apply. */
  throttle?: { rateLimit: number; burstLimit: number };
  quota?: { limit: number; period: QuotaPeriod; offset: number };
  stages: Array<{
    apiId: string;
    stage: string;
    /** Per-method limits by AWS's throttle path `{resourcePath}/{METHOD}` (`/data/GET`, `//GET`). */
    throttles: Record<string, { rateLimit: number; burstLimit: number }>;
  }>;
}

/** An API key as deployed. */
export interface ApiKeyModel {
  id: string;
  value: string;
  enabled: boolean;
  name: string;
}

export interface UsagePlanModels {
  plans: UsagePlanModel[];
  keys: ApiKeyModel[];
  planKeys: Array<{ planId: string; keyId: string }>;
}

const T = {
  usagePlan: "aws:apigateway/usagePlan:UsagePlan",
  apiKey: "aws:apigateway/apiKey:ApiKey",
  usagePlanKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
};

/** Reads usage plans, API keys and plan keys from the recorded resources. */
export function usagePlanModels(graph: ResourceGraph): UsagePlanModels {
  const plans = graph.ofType(T.usagePlan).map((plan): UsagePlanModel => {
    const quota = plan.inputs.quotaSettings;
    return {
      id: plan.id as string,
      name: plan.state.name ?? plan.inputs.name ?? plan.name,
      throttle: throttleOf(plan.inputs.throttleSettings),
      quota: quota ? { limit: quota.limit, period: quota.period, offset: quota.offset ?? 0 } : undefined,
      stages: (plan.inputs.apiStages ?? []).map((s: ProviderValue) => ({
        apiId: s.apiId,
        stage: s.stage,
        throttles: Object.fromEntries(
          (s.throttles ?? []).flatMap((t: ProviderValue) => {
            const limit = throttleOf(t);
            return limit ? [[t.path, limit]] : [];
          }),
        ),
      })),
    };
  });
  const keys = graph.ofType(T.apiKey).map(
    (key): ApiKeyModel => ({
      id: key.id as string,
      value: revealed(key.state.value ?? key.inputs.value),
      enabled: key.inputs.enabled ?? true,
      name: key.state.name ?? key.inputs.name ?? key.name,
    }),
  );
  const planKeys = graph
    .ofType(T.usagePlanKey)
    .filter((pk) => (pk.inputs.keyType ?? "API_KEY") === "API_KEY")
    .map((pk) => ({ planId: pk.inputs.usagePlanId as string, keyId: pk.inputs.keyId as string }));
  return { plans, keys, planKeys };
}

/** Pulumi's marker of a secret value in serialized properties (sig.Key / sig.Secret). */
const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", secret: "1b47061264138c4ac30d75fd1eb44270" };

/**
 * A value given as a secret (the provider wraps an ApiKey's `value` input in pulumi.secret)
 * reaches the mocks still wrapped in Pulumi's secret envelope; the key is its inner value.
 */
function revealed(value: unknown): string {
  if (typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG.key] === SECRET_SIG.secret) {
    return (value as { value: string }).value;
  }
  return value as string;
}

/** A throttle block counts only with both limits: the AWS console and the component set both. */
function throttleOf(settings: { rateLimit?: unknown; burstLimit?: unknown } | null | undefined): { rateLimit: number; burstLimit: number } | undefined {
  if (typeof settings?.rateLimit !== "number" || typeof settings?.burstLimit !== "number") return undefined;
  return { rateLimit: settings.rateLimit, burstLimit: settings.burstLimit };
}

export type KeyCheck =
  | { ok: true; keyId: string; planId: string }
  | { ok: false; response: "INVALID_API_KEY" | "THROTTLED" | "QUOTA_EXCEEDED" };

/**
 * The request counts of an enforcer ({@link UsagePlanEnforcer.snapshot}), as JSON: what a
 * restart or a reload keeps. Throttle buckets are not in it: they refill within seconds.
 */
export interface UsageCounterSnapshot {
  /** The format's version. */
  version: 1;
  /** Per key and plan: the requests counted in the quota period starting at `periodStart`. */
  counters: Array<{
    planId: string;
    keyId: string;
    /** The plan's quota period when counted; a plan without quota counts per UTC day. */
    period: QuotaPeriod;
    /** ISO 8601, UTC. */
    periodStart: string;
    used: number;
  }>;
  /**
   * Per plan with a quota: the start of its first period, the one its `offset` applies to
   * (the period it was first deployed in).
   */
  firstPeriods: Array<{ planId: string; period: QuotaPeriod; periodStart: string }>;
}

export interface UsagePlanEnforcerOptions {
  /** Clock in ms since the epoch: quota periods are UTC calendar periods. @default Date.now */
  now?: () => number;
  /**
   * The weekday a WEEK quota period starts on, 00:00 UTC (0 = Sunday). AWS does not document
   * it; an earlier API reference said a WEEK with offset 0 "starts on Sunday".
   * @default 0
   */
  weekStartsOn?: number;
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
  private readonly now: () => number;
  private readonly weekStartsOn: number;
  private readonly firstPeriodStart = new Map<string, number>();
  private readonly keysByValue = new Map<string, ApiKeyModel>();
  private readonly plansById = new Map<string, UsagePlanModel>();
  /** keyId -> the plans holding it */
  private readonly plansOfKey = new Map<string, UsagePlanModel[]>();
  private readonly buckets = new Map<string, TokenBucket>();
  /** `planId keyId` -> requests admitted in the period starting at `periodStart` */
  private readonly counters = new Map<string, UsageCounter>();

  constructor(models: UsagePlanModels, options: UsagePlanEnforcerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.weekStartsOn = options.weekStartsOn ?? 0;
    if (!Number.isInteger(this.weekStartsOn) || this.weekStartsOn < 0 || this.weekStartsOn > 6) {
      throw new RangeError(`weekStartsOn must be 0 (Sunday) to 6 (Saturday) (got ${options.weekStartsOn})`);
    }
    for (const key of models.keys) {
      if (typeof key.value === "string") this.keysByValue.set(key.value, key);
    }
    const created = this.now();
    for (const plan of models.plans) {
      this.plansById.set(plan.id, plan);
      if (plan.quota) this.firstPeriodStart.set(plan.id, periodStart(created, plan.quota.period, this.weekStartsOn));
    }
    for (const { planId, keyId } of models.planKeys) {
      const plan = this.plansById.get(planId);
      if (!plan) continue;
      const held = this.plansOfKey.get(keyId) ?? [];
      if (!held.includes(plan)) held.push(plan);
      this.plansOfKey.set(keyId, held);
    }
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
    const apiKey = this.keysByValue.get(key);
    if (!apiKey || !apiKey.enabled) return refuse("INVALID_API_KEY");
    // A key belongs to at most one plan per stage (AWS refuses a second).
    let plan: UsagePlanModel | undefined;
    let planStage: UsagePlanModel["stages"][number] | undefined;
    for (const candidate of this.plansOfKey.get(apiKey.id) ?? []) {
      planStage = candidate.stages.find((s) => s.apiId === apiId && s.stage === stage);
      if (planStage) {
        plan = candidate;
        break;
      }
    }
    if (!plan || !planStage) return refuse("INVALID_API_KEY");

    const buckets: TokenBucket[] = [];
    const methodLimit = methodThrottle(planStage.throttles, resourcePath, httpMethod);
    if (methodLimit) {
      buckets.push(this.bucket(`method ${plan.id} ${apiKey.id} ${apiId} ${stage} ${methodLimit.path}`, methodLimit.limit));
    }
    if (plan.throttle) buckets.push(this.bucket(`plan ${plan.id} ${apiKey.id}`, plan.throttle));
    buckets.push(...(options.alsoThrottle ?? []));
    const distinct = [...new Set(buckets)];
    if (distinct.some((bucket) => bucket.available() < 1)) return refuse("THROTTLED");

    const counter = plan.quota ? this.counter(plan, apiKey.id) : undefined;
    if (plan.quota && counter && counter.used >= this.allowance(plan, counter.periodStart)) return refuse("QUOTA_EXCEEDED");

    // Nothing runs between the checks and the takes, and the clock only adds tokens.
    for (const bucket of distinct) bucket.tryTake();
    if (counter) counter.used += 1;
    else this.countUnlimited(plan, apiKey.id);
    return { ok: true, keyId: apiKey.id, planId: plan.id };
  }

  /**
   * A key's usage in the current period of its plan (`planId` picks one when the key is in
   * several plans, for different stages). Without a quota the period is the UTC day and
   * `remaining` is undefined.
   */
  usage(keyId: string, planId?: string): { used: number; remaining?: number; periodStart: string } {
    const plans = this.plansOfKey.get(keyId) ?? [];
    const plan = planId === undefined ? plans[0] : plans.find((p) => p.id === planId);
    if (!plan) {
      const known = plans.map((p) => p.id).join(", ");
      throw new Error(planId === undefined || !known ? `key ${keyId} is in no usage plan` : `key ${keyId} is not in usage plan ${planId} (plans: ${known})`);
    }
    const counter = this.counter(plan, keyId);
    const periodStartIso = new Date(counter.periodStart).toISOString();
    if (!plan.quota) return { used: counter.used, periodStart: periodStartIso };
    return { used: counter.used, remaining: Math.max(0, this.allowance(plan, counter.periodStart) - counter.used), periodStart: periodStartIso };
  }

  /** The limit of the period starting at `start`: `offset` requests fewer in the first one. */
  private allowance(plan: UsagePlanModel, start: number): number {
    const quota = plan.quota!;
    return start === this.firstPeriodStart.get(plan.id) ? quota.limit - quota.offset : quota.limit;
  }

  /** The key's counter in its plan, rolled over to the current period. */
  private counter(plan: UsagePlanModel, keyId: string): UsageCounter {
    const start = periodStart(this.now(), plan.quota?.period ?? "DAY", this.weekStartsOn);
    const id = counterId(plan.id, keyId);
    let counter = this.counters.get(id);
    // A clock that steps back into an earlier period keeps the later period's count.
    if (!counter || start > counter.periodStart) {
      counter = { planId: plan.id, keyId, periodStart: start, used: 0 };
      this.counters.set(id, counter);
    }
    return counter;
  }

  /** The request counts, to hand to {@link restore} of the next enforcer (after a reload or a restart). */
  snapshot(): UsageCounterSnapshot {
    const counters: UsageCounterSnapshot["counters"] = [];
    for (const { planId, keyId, periodStart: start, used } of this.counters.values()) {
      const period = this.plansById.get(planId)?.quota?.period ?? "DAY";
      counters.push({ planId, keyId, period, periodStart: new Date(start).toISOString(), used });
    }
    const firstPeriods = [...this.firstPeriodStart].map(([planId, start]) => ({
      planId,
      period: this.plansById.get(planId)!.quota!.period,
      periodStart: new Date(start).toISOString(),
    }));
    return { version: 1, counters, firstPeriods };
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
    for (const { planId, period, periodStart: start } of snapshot.firstPeriods) {
      const plan = this.plansById.get(planId);
      const first = Date.parse(start);
      if (plan?.quota?.period === period && first < (this.firstPeriodStart.get(planId) ?? -Infinity)) this.firstPeriodStart.set(planId, first);
    }
    for (const { planId, keyId, period, periodStart: start, used } of snapshot.counters) {
      const plan = this.plansOfKey.get(keyId)?.find((p) => p.id === planId);
      if (!plan || (plan.quota?.period ?? "DAY") !== period) continue;
      const current = periodStart(this.now(), period, this.weekStartsOn);
      if (Date.parse(start) === current) this.counters.set(counterId(planId, keyId), { planId, keyId, periodStart: current, used });
    }
  }

  private countUnlimited(plan: UsagePlanModel, keyId: string): void {
    this.counter(plan, keyId).used += 1;
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

/** Requests of a key in a plan, admitted in the period starting at `periodStart` (ms epoch). */
interface UsageCounter {
  planId: string;
  keyId: string;
  periodStart: number;
  used: number;
}

function counterId(planId: string, keyId: string): string {
  return `${planId} ${keyId}`;
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

const DAY_MS = 86_400_000;

/** The start (ms epoch) of the UTC calendar period holding `t`. */
export function periodStart(t: number, period: QuotaPeriod, weekStartsOn = 0): number {
  const date = new Date(t);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case "DAY":
      return day;
    case "WEEK":
      return day - ((date.getUTCDay() - weekStartsOn + 7) % 7) * DAY_MS;
    case "MONTH":
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    default:
      throw new RangeError(`quota period must be DAY, WEEK or MONTH (got ${JSON.stringify(period)})`);
  }
}
