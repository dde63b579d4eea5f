/**
 * A local API Gateway endpoint over a small deployed program (two plans on the dev stage,
 * one on prod, one key in the basic plan), the real SDK client pointed at it, and the REST
 * gateway's enforcer reading the same run-time changes: what the control-plane specs drive.
 */
import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { expect } from "chai";
import { ApiGatewayResources } from "../../../local/apiGateway/apiGatewayResources";
import { ApiKeyChanges } from "../../../local/apiGateway/apiKeyChanges";
import { deployedUsagePlans } from "../../../local/apiGateway/deployedUsagePlans";
import { startApiGatewayManagement, type LocalApiGatewayManagement } from "../../../local/apiGatewayManagement";
import type { ProviderProperties, RecordedResource } from "../../../local/controlPlane";
import { LOCAL_CREDENTIALS } from "../../../local/emulators";
import { UsagePlanEnforcer, usagePlanModels } from "../../../local/restGateway/usagePlans";

export const API = "a1b2c3d4e5";
export const PLAN = { basic: "plan-basic", premium: "plan-premium", prod: "plan-prod" };
export const ACME = { id: "acmekey001", value: "acme-key-value-0123456789abcdef" };
/** Wednesday 10 January 2024, 12:00 UTC. */
export const WEDNESDAY_NOON = Date.UTC(2024, 0, 10, 12);

type Record_ = Pick<RecordedResource, "type" | "inputs"> & { state?: ProviderProperties; id: string };

const stage = (name: string) => [{ apiId: API, stage: name }];

/** The program's resources, as the control plane records them. */
export const PROGRAM: Record_[] = [
  {
    type: "aws:apigateway/usagePlan:UsagePlan",
    id: PLAN.basic,
    inputs: { name: "usage-basic", description: "basic tier", apiStages: stage("dev"), throttleSettings: { rateLimit: 100, burstLimit: 100 }, quotaSettings: { limit: 5, period: "DAY", offset: 0 }, tags: { tier: "basic" } },
  },
  { type: "aws:apigateway/usagePlan:UsagePlan", id: PLAN.premium, inputs: { name: "usage-premium", apiStages: stage("dev"), quotaSettings: { limit: 100, period: "MONTH" } } },
  { type: "aws:apigateway/usagePlan:UsagePlan", id: PLAN.prod, inputs: { name: "usage-prod", apiStages: stage("prod") } },
  { type: "aws:apigateway/apiKey:ApiKey", id: ACME.id, state: { value: ACME.value, name: "usage-acme" }, inputs: { name: "usage-acme", description: "API key of acme", enabled: true } },
  { type: "aws:apigateway/usagePlanKey:UsagePlanKey", id: "pk-acme", inputs: { keyId: ACME.id, keyType: "API_KEY", usagePlanId: PLAN.basic } },
];

/** A graph holding just these records. */
export function graphOf(records: Record_[]) {
  const resources = records.map((r, i) => ({ urn: `urn:${i}`, name: `r${i}`, dependencies: [], custom: true, state: {}, ...r })) as RecordedResource[];
  return { ofType: (type: string) => resources.filter((r) => r.type === type) };
}

/** The endpoint, its client, the gateway's enforcer and a clock the spec moves. */
export interface ControlPlaneHarness {
  endpoint: LocalApiGatewayManagement;
  client: APIGatewayClient;
  changes: ApiKeyChanges;
  enforcer: UsagePlanEnforcer;
  clock: { now: () => number; set(at: number): void };
  /** What the gateway answers a keyed GET /data on `stageName` with this key value. */
  gateway(value: string, stageName?: string): string;
  stop(): Promise<void>;
}

/**
 * Starts the endpoint over {@link PROGRAM} (or `records`).
 *
 * @param changes - Run-time changes to start from. @default none
 */
export async function startControlPlane(records: Record_[] = PROGRAM, changes = new ApiKeyChanges()): Promise<ControlPlaneHarness> {
  let t = WEDNESDAY_NOON;
  const clock = { now: () => t, set: (at: number) => (t = at) };
  const graph = graphOf(records);
  const enforcer = new UsagePlanEnforcer(usagePlanModels(graph), { overlay: changes, now: clock.now });
  const resources = new ApiGatewayResources({ changes, deployed: () => deployedUsagePlans(graph, clock.now), usage: () => enforcer, now: clock.now });
  const endpoint = await startApiGatewayManagement({ flush: () => false, resources });
  const client = new APIGatewayClient({ endpoint: endpoint.url, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  return {
    endpoint,
    client,
    changes,
    enforcer,
    clock,
    gateway: (value, stageName = "dev") => {
      const result = enforcer.check(API, stageName, "/data", "GET", value);
      return result.ok ? `ok ${result.planId}` : result.response;
    },
    stop: async () => {
      client.destroy();
      await endpoint.stop();
    },
  };
}

/** The error a call rejects with: its name (the exception), status and message, as the SDK reports them. */
export async function awsError(call: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  let resolved: unknown;
  try {
    resolved = await call;
  } catch (err) {
    const error = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
  }
  throw new Error(`expected an error, got ${JSON.stringify(resolved)}`);
}

/** A raw call to the endpoint: status, error type and parsed body. */
export async function rawCall(url: string, init: RequestInit = {}): Promise<{ status: number; errorType: string | null; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, errorType: res.headers.get("x-amzn-errortype"), body: text === "" ? undefined : JSON.parse(text) };
}

/** A value AWS would take: 20-128 characters. */
export function keyValue(label: string): string {
  const value = `${label}-${"v".repeat(30)}`.slice(0, 40);
  expect(value.length).to.be.within(20, 128);
  return value;
}
