/**
 * The API keys, usage plans and plan keys the control plane answers from: the deployment
 * serving, as its program declares them, with the run-time changes applied. The same state
 * the gateway enforces (each deployment's UsagePlanRegistry reads through the same changes).
 */
import type { DayUsage } from "../restGateway/usageCounters";
import type { PlanKeyModel } from "../restGateway/usagePlanModels";
import { ApiKeyChanges } from "./apiKeyChanges";
import { deployedUsagePlans, type ApiKeyResource, type DeployedUsagePlans, type UsagePlanResource } from "./deployedUsagePlans";

/** The quota counts GetUsage reads: the serving deployment's enforcer. */
export interface UsageReader {
  /** `[used, remaining]` of the key in the plan per UTC day (ms epoch of its 00:00). */
  usagePerDay(planId: string, keyId: string, days: number[]): DayUsage[];
}

/** Options of {@link ApiGatewayResources}. */
export interface ApiGatewayResourcesOptions {
  /** The run-time changes, shared with the gateways. @default new, empty changes */
  changes?: ApiKeyChanges;
  /** What the deployment serving declares. @default nothing deployed */
  deployed?: () => DeployedUsagePlans;
  /** The deployment serving's quota counts. @default none: GetUsage reads no requests */
  usage?: () => UsageReader | undefined;
  /** The region in ARNs. @default "us-east-1" */
  region?: string;
  /** Clock in ms since the epoch. @default Date.now */
  now?: () => number;
}

/** The keys, plans and plan keys in force, read afresh on every call. */
export class ApiGatewayResources {
  readonly changes: ApiKeyChanges;
  readonly region: string;
  readonly now: () => number;
  private readonly deployed: () => DeployedUsagePlans;
  private readonly usageReader: () => UsageReader | undefined;

  constructor(options: ApiGatewayResourcesOptions = {}) {
    this.changes = options.changes ?? new ApiKeyChanges();
    this.deployed = options.deployed ?? (() => deployedUsagePlans(undefined));
    this.usageReader = options.usage ?? (() => undefined);
    this.region = options.region ?? "us-east-1";
    this.now = options.now ?? Date.now;
  }

  /** Every key, newest first (as AWS lists them: test_apigateway_extended.snapshot.json, test_get_api_keys). */
  apiKeys(): ApiKeyResource[] {
    return this.changes.apiKeys(this.deployed().keys).reverse();
  }

  /** The key with this id. */
  apiKey(keyId: string): ApiKeyResource | undefined {
    return this.apiKeys().find((key) => key.id === keyId);
  }

  /** Every usage plan, in the program's order (usage plans are the program's alone). */
  usagePlans(): UsagePlanResource[] {
    return this.deployed().plans.map((plan) => ({ ...plan, tags: this.changes.tagsOfPlan(plan.model.id, plan.tags) }));
  }

  /** The plan with this id. */
  usagePlan(planId: string): UsagePlanResource | undefined {
    return this.usagePlans().find((plan) => plan.model.id === planId);
  }

  /** The keys in plans, in force. */
  planKeys(): PlanKeyModel[] {
    const deployed = this.deployed();
    return this.changes.planKeys(deployed.planKeys, new Set(this.apiKeys().map((key) => key.id)));
  }

  /** The keys of a plan, newest first. */
  keysOfPlan(planId: string): ApiKeyResource[] {
    const held = new Set(this.planKeys().filter((pk) => pk.planId === planId).map((pk) => pk.keyId));
    return this.apiKeys().filter((key) => held.has(key.id));
  }

  /** The plans holding a key. */
  plansOfKey(keyId: string): UsagePlanResource[] {
    const holding = new Set(this.planKeys().filter((pk) => pk.keyId === keyId).map((pk) => pk.planId));
    return this.usagePlans().filter((plan) => holding.has(plan.model.id));
  }

  /** The quota counts of the deployment serving; none when no REST stage serves. */
  usage(): UsageReader | undefined {
    return this.usageReader();
  }
}
