/**
 * Usage plans, API keys and plan keys as a program deploys them, read from the recorded
 * resources: what the gateway's key and plan step enforces.
 */
import type { ProviderValue, ResourceGraph } from "../controlPlane";
import type { QuotaPeriod } from "../../components/apigateway";

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

/** A key in a plan (a UsagePlanKey of type API_KEY). */
export interface PlanKeyModel {
  planId: string;
  keyId: string;
}

export interface UsagePlanModels {
  plans: UsagePlanModel[];
  keys: ApiKeyModel[];
  planKeys: PlanKeyModel[];
}

/** The Pulumi types of the resources read. */
export const USAGE_PLAN_TYPES = {
  usagePlan: "aws:apigateway/usagePlan:UsagePlan",
  apiKey: "aws:apigateway/apiKey:ApiKey",
  usagePlanKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
};

/** Reads usage plans, API keys and plan keys from the recorded resources. */
export function usagePlanModels(graph: Pick<ResourceGraph, "ofType">): UsagePlanModels {
  const plans = graph.ofType(USAGE_PLAN_TYPES.usagePlan).map((plan): UsagePlanModel => {
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
  const keys = graph.ofType(USAGE_PLAN_TYPES.apiKey).map(
    (key): ApiKeyModel => ({
      id: key.id as string,
      value: revealed(key.state.value ?? key.inputs.value),
      enabled: key.inputs.enabled ?? true,
      name: key.state.name ?? key.inputs.name ?? key.name,
    }),
  );
  const planKeys = graph
    .ofType(USAGE_PLAN_TYPES.usagePlanKey)
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
export function revealed(value: unknown): string {
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
