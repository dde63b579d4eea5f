/**
 * Which keys exist, which plans, and which plans hold which key: the lookups the gateway's
 * key and plan step makes on every request, indexed once per change. The keys and plan keys
 * are the program's, with what the API Gateway control plane changed since (an
 * {@link UsagePlanOverlay}): a key created, disabled or detached at run time counts from the
 * next lookup on.
 */
import type { ApiKeyModel, UsagePlanModel, UsagePlanModels } from "./usagePlanModels";

/** Changes made at run time over the deployed keys and plan keys. */
export interface UsagePlanOverlay {
  /** A number that changes with every change. */
  readonly revision: number;
  /** The deployed models with the run-time changes applied. */
  apply(deployed: UsagePlanModels): UsagePlanModels;
}

/** The models indexed by key value, plan id and key id. */
interface Index {
  models: UsagePlanModels;
  keysByValue: Map<string, ApiKeyModel>;
  plansById: Map<string, UsagePlanModel>;
  /** keyId -> the plans holding it, in the order of the plan keys */
  plansOfKey: Map<string, UsagePlanModel[]>;
}

/** The keys and plans the gateway enforces, indexed by key value, plan id and key id. */
export class UsagePlanRegistry {
  private index: Index;
  private indexedRevision: number | undefined;

  /**
   * @param deployed - The keys, plans and plan keys the program declares.
   * @param overlay - What the control plane changed since. @default none (the program's alone)
   */
  constructor(
    readonly deployed: UsagePlanModels,
    private readonly overlay?: UsagePlanOverlay,
  ) {
    this.indexedRevision = overlay?.revision;
    this.index = indexOf(overlay ? overlay.apply(deployed) : deployed);
  }

  /** The keys, plans and plan keys in force. */
  get models(): UsagePlanModels {
    return this.current().models;
  }

  /** The key with this value, enabled or not. */
  keyWithValue(value: string): ApiKeyModel | undefined {
    return this.current().keysByValue.get(value);
  }

  /** The plan with this id. */
  plan(planId: string): UsagePlanModel | undefined {
    return this.current().plansById.get(planId);
  }

  /** Every plan. */
  plans(): UsagePlanModel[] {
    return [...this.current().plansById.values()];
  }

  /** The plans holding the key (none for a key in no plan, or no such key). */
  plansOf(keyId: string): UsagePlanModel[] {
    return this.current().plansOfKey.get(keyId) ?? [];
  }

  /** The index, rebuilt when the overlay changed since it was built. */
  private current(): Index {
    if (this.overlay && this.overlay.revision !== this.indexedRevision) {
      this.indexedRevision = this.overlay.revision;
      this.index = indexOf(this.overlay.apply(this.deployed));
    }
    return this.index;
  }
}

function indexOf(models: UsagePlanModels): Index {
  const keysByValue = new Map<string, ApiKeyModel>();
  const plansById = new Map<string, UsagePlanModel>();
  const plansOfKey = new Map<string, UsagePlanModel[]>();
  for (const key of models.keys) {
    if (typeof key.value === "string") keysByValue.set(key.value, key);
  }
  for (const plan of models.plans) plansById.set(plan.id, plan);
  for (const { planId, keyId } of models.planKeys) {
    const plan = plansById.get(planId);
    if (!plan) continue;
    const held = plansOfKey.get(keyId) ?? [];
    if (!held.includes(plan)) held.push(plan);
    plansOfKey.set(keyId, held);
  }
  return { models, keysByValue, plansById, plansOfKey };
}
