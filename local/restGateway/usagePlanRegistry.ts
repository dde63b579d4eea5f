/**
 * Which keys exist, which plans, and which plans hold which key: the lookups the gateway's
 * key and plan step makes on every request, indexed once.
 */
import type { ApiKeyModel, UsagePlanModel, UsagePlanModels } from "./usagePlanModels";

/** The keys and plans the gateway enforces, indexed by key value, plan id and key id. */
export class UsagePlanRegistry {
  private readonly keysByValue = new Map<string, ApiKeyModel>();
  private readonly plansById = new Map<string, UsagePlanModel>();
  /** keyId -> the plans holding it, in the order of the plan keys */
  private readonly plansOfKey = new Map<string, UsagePlanModel[]>();

  /** @param models - The keys, plans and plan keys. */
  constructor(models: UsagePlanModels) {
    for (const key of models.keys) {
      if (typeof key.value === "string") this.keysByValue.set(key.value, key);
    }
    for (const plan of models.plans) this.plansById.set(plan.id, plan);
    for (const { planId, keyId } of models.planKeys) {
      const plan = this.plansById.get(planId);
      if (!plan) continue;
      const held = this.plansOfKey.get(keyId) ?? [];
      if (!held.includes(plan)) held.push(plan);
      this.plansOfKey.set(keyId, held);
    }
  }

  /** The key with this value, enabled or not. */
  keyWithValue(value: string): ApiKeyModel | undefined {
    return this.keysByValue.get(value);
  }

  /** The plan with this id. */
  plan(planId: string): UsagePlanModel | undefined {
    return this.plansById.get(planId);
  }

  /** Every plan. */
  plans(): UsagePlanModel[] {
    return [...this.plansById.values()];
  }

  /** The plans holding the key (none for a key in no plan, or no such key). */
  plansOf(keyId: string): UsagePlanModel[] {
    return this.plansOfKey.get(keyId) ?? [];
  }
}
