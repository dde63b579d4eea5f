/**
 * What the API Gateway control plane changed at run time over the keys, plan keys and plan
 * tags the program deploys: keys created, edited (enabled, name, description, customer id,
 * tags) and deleted, keys attached to and detached from plans. The long-lived services keep
 * one, so the changes outlive a watch-mode reload (each deployment's gateway reads the
 * program's keys through it) and, saved with the state, a restart.
 */
import type { PlanKeyModel, UsagePlanModels } from "../restGateway/usagePlanModels";
import type { UsagePlanOverlay } from "../restGateway/usagePlanRegistry";
import type { ApiKeyResource } from "./deployedUsagePlans";

/** A change of a key's attributes: a field left out stays as it is; `null` removes it. */
export interface ApiKeyEdit {
  name?: string | null;
  description?: string | null;
  enabled?: boolean;
  customerId?: string | null;
  /** The key's tags, all of them. */
  tags?: Record<string, string>;
  /** ms since the epoch. */
  lastUpdatedDate?: number;
}

/** The changes as JSON (`<stateDir>/apikeys.json`): it holds key values. */
export interface ApiKeyChangesSnapshot {
  /** The format's version. */
  version: 1;
  /** Keys created at run time, in creation order. */
  created: ApiKeyResource[];
  /** Edits of the program's keys. */
  edited: Array<{ keyId: string; edit: ApiKeyEdit }>;
  /** The program's keys deleted at run time. */
  deleted: string[];
  /** Keys put into plans at run time. */
  attached: PlanKeyModel[];
  /** The program's plan keys removed at run time. */
  detached: PlanKeyModel[];
  /** Tags of the program's plans, as changed at run time (all of each plan's tags). */
  planTags: Array<{ planId: string; tags: Record<string, string> }>;
}

/** The run-time changes; every change is a new {@link revision} and is told to the listeners. */
export class ApiKeyChanges implements UsagePlanOverlay {
  private changes = 0;
  private readonly created = new Map<string, ApiKeyResource>();
  private readonly edited = new Map<string, ApiKeyEdit>();
  private readonly deleted = new Set<string>();
  private readonly attached = new Map<string, PlanKeyModel>();
  private readonly detached = new Map<string, PlanKeyModel>();
  private readonly planTags = new Map<string, Record<string, string>>();
  private readonly listeners: Array<() => void> = [];

  /** @param snapshot - Changes saved earlier. @default none (no changes) */
  constructor(snapshot?: ApiKeyChangesSnapshot) {
    if (!snapshot) return;
    for (const key of snapshot.created) this.created.set(key.id, key);
    for (const { keyId, edit } of snapshot.edited) this.edited.set(keyId, edit);
    for (const keyId of snapshot.deleted) this.deleted.add(keyId);
    for (const planKey of snapshot.attached) this.attached.set(planKeyId(planKey), planKey);
    for (const planKey of snapshot.detached) this.detached.set(planKeyId(planKey), planKey);
    for (const { planId, tags } of snapshot.planTags) this.planTags.set(planId, tags);
  }

  /** Grows with every change. */
  get revision(): number {
    return this.changes;
  }

  /** Calls `listener` after every change. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The gateway's models of a deployment, with the changes applied. */
  apply(deployed: UsagePlanModels): UsagePlanModels {
    const keys = [
      ...deployed.keys.filter((key) => !this.deleted.has(key.id)).map((key) => ({ ...key, enabled: this.edited.get(key.id)?.enabled ?? key.enabled })),
      ...[...this.created.values()].map((key) => ({ id: key.id, value: key.value, enabled: key.enabled, name: key.name ?? "" })),
    ];
    return { plans: deployed.plans, keys, planKeys: this.planKeys(deployed.planKeys, new Set(keys.map((k) => k.id))) };
  }

  /** Every key: the program's (less those deleted, with their edits), then those created, oldest first. */
  apiKeys(deployed: ApiKeyResource[]): ApiKeyResource[] {
    const program = deployed.filter((key) => !this.deleted.has(key.id)).map((key) => editedKey(key, this.edited.get(key.id)));
    return [...program, ...this.created.values()];
  }

  /** The plan keys in force: the program's less those detached, then those attached; of existing keys only. */
  planKeys(deployed: PlanKeyModel[], keyIds: Set<string>): PlanKeyModel[] {
    const program = deployed.filter((planKey) => !this.detached.has(planKeyId(planKey)));
    return [...program, ...this.attached.values()].filter((planKey) => keyIds.has(planKey.keyId));
  }

  /** A plan's tags: the program's, or as changed at run time. */
  tagsOfPlan(planId: string, deployed: Record<string, string>): Record<string, string> {
    return this.planTags.get(planId) ?? deployed;
  }

  /** Adds a key created at run time. */
  createKey(key: ApiKeyResource): void {
    this.created.set(key.id, key);
    this.changed();
  }

  /** Changes a key's attributes (of a key created at run time, or of the program). */
  editKey(keyId: string, edit: ApiKeyEdit): void {
    const created = this.created.get(keyId);
    if (created) this.created.set(keyId, editedKey(created, edit));
    else this.edited.set(keyId, { ...this.edited.get(keyId), ...edit });
    this.changed();
  }

  /** Deletes a key, and takes it out of the plans it was put into at run time. */
  deleteKey(keyId: string): void {
    if (!this.created.delete(keyId)) this.deleted.add(keyId);
    this.edited.delete(keyId);
    for (const [id, planKey] of this.attached) {
      if (planKey.keyId === keyId) this.attached.delete(id);
    }
    this.changed();
  }

  /** Puts a key into a plan; a plan key of the program that was detached comes back. */
  attach(planKey: PlanKeyModel): void {
    const id = planKeyId(planKey);
    if (!this.detached.delete(id)) this.attached.set(id, { planId: planKey.planId, keyId: planKey.keyId });
    this.changed();
  }

  /** Takes a key out of a plan. */
  detach(planKey: PlanKeyModel): void {
    const id = planKeyId(planKey);
    if (!this.attached.delete(id)) this.detached.set(id, { planId: planKey.planId, keyId: planKey.keyId });
    this.changed();
  }

  /** Sets all tags of a plan. */
  tagPlan(planId: string, tags: Record<string, string>): void {
    this.planTags.set(planId, tags);
    this.changed();
  }

  /** The changes as JSON. */
  snapshot(): ApiKeyChangesSnapshot {
    return {
      version: 1,
      created: [...this.created.values()],
      edited: [...this.edited].map(([keyId, edit]) => ({ keyId, edit })),
      deleted: [...this.deleted],
      attached: [...this.attached.values()],
      detached: [...this.detached.values()],
      planTags: [...this.planTags].map(([planId, tags]) => ({ planId, tags })),
    };
  }

  private changed(): void {
    this.changes += 1;
    for (const listener of this.listeners) listener();
  }
}

/** The key with the edit applied (`null` removes a field). */
export function editedKey(key: ApiKeyResource, edit: ApiKeyEdit | undefined): ApiKeyResource {
  if (!edit) return key;
  const result: ApiKeyResource = { ...key };
  for (const field of ["name", "description", "customerId"] as const) {
    const value = edit[field];
    if (value === null) delete result[field];
    else if (value !== undefined) result[field] = value;
  }
  if (edit.enabled !== undefined) result.enabled = edit.enabled;
  if (edit.tags !== undefined) result.tags = edit.tags;
  if (edit.lastUpdatedDate !== undefined) result.lastUpdatedDate = edit.lastUpdatedDate;
  return result;
}

function planKeyId(planKey: PlanKeyModel): string {
  return `${planKey.planId} ${planKey.keyId}`;
}
