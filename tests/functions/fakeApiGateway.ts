/**
 * An in-memory API Gateway management API for the customers handlers' specs: an
 * `APIGatewayClient` whose `send` answers the calls those handlers make (API keys, usage
 * plans, plan keys, GetUsage) from maps the spec can read, records each call, and fails the
 * calls a spec asks it to. The specs against the local cloud's real endpoint live in
 * tests/local/.
 */
import { APIGatewayClient } from "@aws-sdk/client-api-gateway";

/** An API key as the fake keeps it. */
export interface FakeKey {
  id: string;
  name?: string;
  description?: string;
  enabled: boolean;
  customerId?: string;
  tags: Record<string, string>;
  value: string;
  createdDate: Date;
}

/** A usage plan as the fake keeps it. */
export interface FakePlan {
  id: string;
  name: string;
  apiStages: Array<{ apiId: string; stage: string }>;
  quota?: { limit: number; period: string; offset: number };
  tags?: Record<string, string>;
}

type Input = Record<string, unknown>;

/** An SDK-shaped service exception: its name, message and HTTP status. */
export function serviceException(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

export class FakeApiGateway {
  readonly keys = new Map<string, FakeKey>();
  readonly plans: FakePlan[] = [];
  /** `planId/keyId` of each key in a plan. */
  readonly planKeys = new Set<string>();
  /** GetUsage's pairs by `planId/keyId`. */
  readonly usage = new Map<string, number[][]>();
  /** Each call, as `Operation` or `Operation planId/keyId`. */
  readonly calls: string[] = [];
  /** GetUsage's requests. */
  readonly usageRequests: Input[] = [];
  /** AWS's rule: a key may not be in two plans of one stage (ConflictException). @default true */
  sameStageRule = true;
  private readonly failures: Array<{ operation: string; error: Error; when: (input: Input) => boolean }> = [];
  private clock = Date.UTC(2026, 0, 1);
  private nextId = 1;
  readonly client = new APIGatewayClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });

  constructor() {
    this.client.send = (async (command: { constructor: { name: string }; input: Input }) => {
      const operation = command.constructor.name.replace(/Command$/, "");
      this.calls.push(operation);
      const failure = this.failures.findIndex((f) => f.operation === operation && f.when(command.input));
      if (failure !== -1) throw this.failures.splice(failure, 1)[0].error;
      const handler = (this as unknown as Record<string, (input: Input) => unknown>)[`on${operation}`];
      if (!handler) throw new Error(`the fake API Gateway does not answer ${operation}`);
      return handler.call(this, command.input);
    }) as APIGatewayClient["send"];
  }

  /** The next call of `operation` (whose input `when` accepts) fails with `error`. */
  fail(operation: string, error: Error = serviceException("BadRequestException", `${operation} refused`), when: (input: Input) => boolean = () => true): this {
    this.failures.push({ operation, error, when });
    return this;
  }

  addPlan(plan: FakePlan): this {
    this.plans.push(plan);
    return this;
  }

  /** A key made outside the handlers (a deploy-time customer, another stage's, an untagged one). */
  addKey(key: Partial<FakeKey> & { tags: Record<string, string> }, planId?: string): FakeKey {
    const made: FakeKey = { id: this.id(), enabled: true, value: `v${"x".repeat(30)}${this.nextId}`, createdDate: this.tick(), ...key };
    this.keys.set(made.id, made);
    if (planId) this.planKeys.add(`${planId}/${made.id}`);
    return made;
  }

  /** The plans holding a key, by id. */
  plansOf(keyId: string): string[] {
    return this.plans.filter((p) => this.planKeys.has(`${p.id}/${keyId}`)).map((p) => p.id);
  }

  private id(): string {
    return `k${String(this.nextId++).padStart(9, "0")}`;
  }

  private tick(): Date {
    this.clock += 1000;
    return new Date(this.clock);
  }

  protected onGetUsagePlans(): unknown {
    return { items: this.plans.map((p) => ({ ...p })) };
  }

  protected onGetApiKeys(input: Input): unknown {
    const keys = [...this.keys.values()].filter((k) => !input.customerId || k.customerId === input.customerId);
    // Never a value: the handlers list keys without them.
    return { items: keys.map(({ value, ...key }) => ({ ...key, ...(input.includeValues ? { value } : {}) })) };
  }

  protected onGetUsagePlanKeys(input: Input): unknown {
    const ids = [...this.planKeys].filter((pk) => pk.startsWith(`${input.usagePlanId}/`)).map((pk) => pk.split("/")[1]);
    return { items: ids.map((id) => ({ id, type: "API_KEY", name: this.keys.get(id)?.name })) };
  }

  protected onCreateApiKey(input: Input): unknown {
    const key = this.addKey({
      name: input.name as string,
      description: input.description as string,
      enabled: input.enabled !== false,
      customerId: input.customerId as string,
      tags: { ...(input.tags as Record<string, string>) },
    });
    return { ...key };
  }

  protected onCreateUsagePlanKey(input: Input): unknown {
    const plan = this.plans.find((p) => p.id === input.usagePlanId);
    const key = this.keys.get(input.keyId as string);
    if (!plan || !key) throw serviceException("NotFoundException", "Invalid Usage Plan or API Key identifier specified", 404);
    if (this.planKeys.has(`${plan.id}/${key.id}`)) throw serviceException("ConflictException", "Usage Plan already contains this key", 409);
    const sharing = this.plans.find((p) => p.id !== plan.id && this.planKeys.has(`${p.id}/${key.id}`) && p.apiStages.some((s) => plan.apiStages.some((t) => t.apiId === s.apiId && t.stage === s.stage)));
    if (this.sameStageRule && sharing) {
      throw serviceException("ConflictException", `Usage Plan ${plan.id} cannot be added because API Key ${key.id} cannot reference multiple Usage Plans with the same API Stage`, 409);
    }
    this.planKeys.add(`${plan.id}/${key.id}`);
    this.calls[this.calls.length - 1] += ` ${plan.id}/${key.id}`;
    return { id: key.id, type: "API_KEY" };
  }

  protected onDeleteUsagePlanKey(input: Input): unknown {
    const entry = `${input.usagePlanId}/${input.keyId}`;
    if (!this.planKeys.delete(entry)) throw serviceException("NotFoundException", "Invalid Usage Plan Key identifier specified", 404);
    this.calls[this.calls.length - 1] += ` ${entry}`;
    return {};
  }

  protected onDeleteApiKey(input: Input): unknown {
    if (!this.keys.delete(input.apiKey as string)) throw serviceException("NotFoundException", "Invalid API Key identifier specified", 404);
    for (const entry of [...this.planKeys]) if (entry.endsWith(`/${input.apiKey}`)) this.planKeys.delete(entry);
    this.calls[this.calls.length - 1] += ` ${input.apiKey}`;
    return {};
  }

  protected onUpdateApiKey(input: Input): unknown {
    const key = this.keys.get(input.apiKey as string);
    if (!key) throw serviceException("NotFoundException", "Invalid API Key identifier specified", 404);
    for (const op of input.patchOperations as Array<{ op: string; path: string; value: string }>) {
      if (op.op !== "replace" || op.path !== "/enabled") throw serviceException("BadRequestException", `unexpected patch ${JSON.stringify(op)}`);
      key.enabled = op.value === "true";
    }
    return { ...key };
  }

  protected onGetUsage(input: Input): unknown {
    this.usageRequests.push(input);
    const pairs = this.usage.get(`${input.usagePlanId}/${input.keyId}`);
    return { usagePlanId: input.usagePlanId, startDate: input.startDate, endDate: input.endDate, items: pairs ? { [input.keyId as string]: pairs } : {} };
  }
}
