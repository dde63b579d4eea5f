/**
 * The API keys and usage plans a program deploys, as the control plane answers them: the
 * gateway's models (usagePlanModels.ts) with what only GetApiKey and GetUsagePlan show
 * (descriptions, customer ids, tags, dates).
 */
import type { ResourceGraph } from "../controlPlane";
import { USAGE_PLAN_TYPES, usagePlanModels, type PlanKeyModel, type UsagePlanModel, type UsagePlanModels } from "../restGateway/usagePlanModels";

/** An API key (the API reference's ApiKey), wherever it was created. */
export interface ApiKeyResource {
  id: string;
  value: string;
  /** @default none (a key created without a name has none) */
  name?: string;
  /** @default none */
  description?: string;
  enabled: boolean;
  /** The AWS Marketplace customer; the customers API keeps its own id here too. @default none */
  customerId?: string;
  tags: Record<string, string>;
  /** ms since the epoch. */
  createdDate: number;
  /** ms since the epoch. */
  lastUpdatedDate: number;
}

/** A usage plan (the API reference's UsagePlan): the gateway's model and what only the control plane shows. */
export interface UsagePlanResource {
  model: UsagePlanModel;
  /** @default none */
  description?: string;
  /** @default none */
  productCode?: string;
  tags: Record<string, string>;
}

/** What a program run deploys. */
export interface DeployedUsagePlans {
  /** What the gateway enforces. */
  models: UsagePlanModels;
  /** In the program's order. */
  keys: ApiKeyResource[];
  plans: UsagePlanResource[];
  planKeys: PlanKeyModel[];
}

const NOTHING_DEPLOYED: DeployedUsagePlans = { models: { plans: [], keys: [], planKeys: [] }, keys: [], plans: [], planKeys: [] };
const byGraph = new WeakMap<object, DeployedUsagePlans>();

/**
 * What the run deploys, read once per run: its keys are dated when first read (locally, a
 * program's key comes into being when its run is deployed).
 *
 * @param graph - The run's resources. @default none: nothing deployed
 * @param now - Clock in ms since the epoch. @default Date.now
 */
export function deployedUsagePlans(graph: Pick<ResourceGraph, "ofType"> | undefined, now: () => number = Date.now): DeployedUsagePlans {
  if (!graph) return NOTHING_DEPLOYED;
  let deployed = byGraph.get(graph);
  if (!deployed) {
    deployed = readDeployed(graph, now());
    byGraph.set(graph, deployed);
  }
  return deployed;
}

function readDeployed(graph: Pick<ResourceGraph, "ofType">, deployedAt: number): DeployedUsagePlans {
  const models = usagePlanModels(graph);
  const keyInputs = new Map(graph.ofType(USAGE_PLAN_TYPES.apiKey).map((r) => [r.id as string, r.inputs]));
  const planInputs = new Map(graph.ofType(USAGE_PLAN_TYPES.usagePlan).map((r) => [r.id as string, r.inputs]));
  const keys = models.keys.map((key): ApiKeyResource => {
    const inputs = keyInputs.get(key.id) ?? {};
    return {
      id: key.id,
      value: key.value,
      name: key.name,
      ...optionalText("description", inputs.description),
      enabled: key.enabled,
      ...optionalText("customerId", inputs.customerId),
      tags: tagsOf(inputs.tags),
      createdDate: deployedAt,
      lastUpdatedDate: deployedAt,
    };
  });
  const plans = models.plans.map((model): UsagePlanResource => {
    const inputs = planInputs.get(model.id) ?? {};
    return { model, ...optionalText("description", inputs.description), ...optionalText("productCode", inputs.productCode), tags: tagsOf(inputs.tags) };
  });
  return { models, keys, plans, planKeys: models.planKeys };
}

function optionalText<K extends string>(field: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === "string" && value !== "" ? ({ [field]: value } as Record<K, string>) : {};
}

/** A tags input: string values only (Pulumi leaves unknowns out of recorded inputs). */
function tagsOf(tags: unknown): Record<string, string> {
  if (typeof tags !== "object" || tags === null) return {};
  return Object.fromEntries(Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}
