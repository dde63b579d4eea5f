/**
 * Test harness for the REST gateway's steps (local/restGateway/steps/): a small API model, a
 * StageRuntime over fakes (Lambda, usage plans, Cognito checker) and a hand-driven clock, and a
 * RestInvocation for a request built in memory, as the route step would have left it. Specs
 * then call one step function directly and look at what it filled in, or at the GatewayError
 * it threw.
 *
 * @example
 * const h = harness({ methods: [method("GET", "/users/{id}")] });
 * const inv = h.invocation("GET /users/{id}", request({ path: "/users/42", headers: [["X-A", "1"]] }));
 * await authorize(inv, h.stage);
 */
import type { IncomingMessage } from "node:http";
import type { LambdaInvoker } from "../../../../local/gateway/lambdaInvoker";
import type { InvokeResult } from "../../../../local/lambda/lambdaRuntime";
import { GatewayError } from "../../../../local/restGateway/gatewayError";
import type { GatewayRequest, RestInvocation } from "../../../../local/restGateway/invocation";
import type { AuthorizerModel, IntegrationModel, MethodModel, RestApiModel } from "../../../../local/restGateway/restApiModel";
import { StageRuntime, type CognitoTokenChecker, type RestGatewayOptions } from "../../../../local/restGateway/stageRuntime";
import { requestFrom } from "../../../../local/restGateway/steps/parse";
import { route } from "../../../../local/restGateway/steps/route";
import type { KeyCheck, UsagePlanEnforcer } from "../../../../local/restGateway/usagePlans";
import type { JsonDocument } from "../../../jsonDocument";

export const API_ID = "abc123defg";
export const STAGE = "dev";
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:authorizer`;

/** A MOCK integration with no templates; override what a spec needs. */
export function integration(overrides: Partial<IntegrationModel> = {}): IntegrationModel {
  return {
    type: "MOCK",
    requestParameters: {},
    connectionType: "INTERNET",
    requestTemplates: {},
    passthroughBehavior: "WHEN_NO_MATCH",
    cacheKeyParameters: [],
    timeoutMs: 29_000,
    responses: [],
    ...overrides,
  };
}

/** An open method (no authorization, no key, no validator) with a MOCK integration. */
export function method(httpMethod: string, resourcePath: string, overrides: Partial<MethodModel> = {}): MethodModel {
  return {
    resourceId: `res-${resourcePath}`,
    resourcePath,
    httpMethod,
    authorization: "NONE",
    apiKeyRequired: false,
    requestParameters: {},
    requestModels: {},
    integration: integration(),
    methodResponses: {},
    ...overrides,
  };
}

/** A Lambda TOKEN authorizer (id `auth1`, no result cache) calling FUNCTION_ARN. */
export function authorizer(overrides: Partial<AuthorizerModel> = {}): AuthorizerModel {
  return {
    id: "auth1",
    name: "tokens",
    type: "TOKEN",
    identitySource: "method.request.header.Authorization",
    resultTtlSeconds: 0,
    functionArn: FUNCTION_ARN,
    providerArns: [],
    ...overrides,
  };
}

/** The API model of `methods` on stage `dev`; resource paths are the methods' (and `/`). */
export function apiModel(methods: MethodModel[], overrides: Partial<Omit<RestApiModel, "methods" | "authorizers">> & { authorizers?: AuthorizerModel[] | RestApiModel["authorizers"] } = {}): RestApiModel {
  const { authorizers, ...rest } = overrides;
  return {
    apiId: API_ID,
    name: "steps",
    binaryMediaTypes: [],
    apiKeySource: "HEADER",
    endpointType: "REGIONAL",
    deploymentId: "dep123",
    stageName: STAGE,
    stageVariables: {},
    methodSettings: {},
    methods: new Map(methods.map((m) => [`${m.httpMethod} ${m.resourcePath}`, m])),
    resourcePaths: [...new Set(["/", ...methods.map((m) => m.resourcePath)])],
    models: [],
    gatewayResponses: {},
    ...rest,
    authorizers: authorizers instanceof Map ? authorizers : new Map((authorizers ?? []).map((a) => [a.id, a])),
  };
}

/** A clock the spec moves by hand, in ms. */
export class ManualClock {
  constructor(public t = 1_000_000) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

type LambdaAnswer = InvokeResult | ((event: JsonDocument) => InvokeResult);

/** A LambdaInvoker double: records each call and answers `answer` (a result, or a function of the event). */
export class FakeLambda implements LambdaInvoker {
  calls: Array<{ nameOrArn: string; event: JsonDocument }> = [];
  constructor(public answer: LambdaAnswer = { kind: "error", errorType: "Error", errorMessage: "no answer queued", trace: [], durationMs: 1 }) {}
  async invoke(nameOrArn: string, event: unknown): Promise<InvokeResult> {
    this.calls.push({ nameOrArn, event });
    return typeof this.answer === "function" ? this.answer(event) : this.answer;
  }
}

/** A successful Lambda result. */
export const lambdaOk = (value: unknown): InvokeResult => ({ kind: "ok", value, durationMs: 1, coldStart: false });
/** A Lambda function error (`errorMessage` "Unauthorized" is the authorizer's 401). */
export const lambdaError = (errorMessage: string): InvokeResult => ({ kind: "error", errorType: "Error", errorMessage, trace: [], durationMs: 1 });

/** A usage-plan double: records each check and answers `answer`. */
export class FakeUsagePlans {
  calls: Array<{ args: [string, string, string, string, string | undefined]; alsoThrottle: unknown[] | undefined }> = [];
  constructor(public answer: KeyCheck = { ok: true, keyId: "key-1", planId: "plan-1" }) {}
  check(apiId: string, stage: string, resourcePath: string, httpMethod: string, key: string | undefined, options: { alsoThrottle?: unknown[] } = {}): KeyCheck {
    this.calls.push({ args: [apiId, stage, resourcePath, httpMethod, key], alsoThrottle: options.alsoThrottle });
    return this.answer;
  }
  /** As the StageRuntime option's type. */
  get enforcer(): UsagePlanEnforcer {
    return this as unknown as UsagePlanEnforcer;
  }
}

/** A Cognito checker double: records each call and answers `answer`. */
export class FakeCognito implements CognitoTokenChecker {
  calls: Array<{ authorizerId: string; token: string | undefined; scopes: string[] | undefined }> = [];
  constructor(public answer: { ok: true; claims: Record<string, unknown> } | { ok: false } = { ok: false }) {}
  async authorize(authorizer: AuthorizerModel, token: string | undefined, scopes: string[] | undefined) {
    this.calls.push({ authorizerId: authorizer.id, token, scopes });
    return this.answer;
  }
}

export interface RequestSpec {
  httpMethod?: string;
  /** The path after the stage, e.g. `/users/42`. @default "/" */
  path?: string;
  /** Header lines in order, names as sent; repeated names allowed. */
  headers?: Array<[string, string]>;
  /** The raw query string, without `?`. */
  query?: string;
  body?: string | Buffer;
  sourceIp?: string;
}

/**
 * A GatewayRequest built in memory by the parse step's own `requestFrom` (so it has every field
 * parsing fills, null-prototype maps, first header spelling kept, AWS-dropped headers gone),
 * its path still including the stage, as the route step expects it.
 */
export function request(spec: RequestSpec = {}): GatewayRequest {
  const path = spec.path ?? "/";
  const rawQuery = spec.query ?? "";
  const message = {
    url: `/${STAGE}${path}${rawQuery === "" ? "" : `?${rawQuery}`}`,
    method: spec.httpMethod ?? "GET",
    rawHeaders: (spec.headers ?? []).flat(),
    headers: {},
    socket: { remoteAddress: spec.sourceIp ?? "127.0.0.1", localPort: 8080 },
  } as unknown as IncomingMessage;
  return requestFrom(message, Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body ?? ""));
}

export interface HarnessOptions extends Partial<Omit<RestGatewayOptions, "model" | "lambda" | "now">> {
  methods: MethodModel[];
  /** Further model fields (authorizers, settings, models, cache cluster...). */
  model?: Parameters<typeof apiModel>[1];
}

/**
 * A stage over fakes: `lambda` (FakeLambda), `clock` (ManualClock, the stage's `now`); usage
 * plans, Cognito checker and mayInvalidateCache only as given.
 */
export function harness(options: HarnessOptions) {
  const { methods, model: modelOverrides, ...rest } = options;
  const clock = new ManualClock();
  const lambda = new FakeLambda();
  const model = apiModel(methods, modelOverrides);
  const stage = new StageRuntime({ model, lambda, accountId: ACCOUNT, region: REGION, now: clock.now, ...rest });
  return {
    clock,
    lambda,
    model,
    stage,
    /**
     * A routed invocation of `req`: the route step run on it (method, route, path parameters,
     * merged settings, `$context`, template input), checked to have matched the method `key`
     * (`GET /users/{id}`).
     */
    invocation(key: string, req: GatewayRequest = request()): RestInvocation {
      const inv: RestInvocation = { request: req, route: "-", pathParameters: {}, context: undefined!, templateInput: undefined!, settings: {} };
      route(inv, stage);
      if (inv.route !== key) throw new Error(`the request was routed to ${inv.route}, not ${key}`);
      return inv;
    },
  };
}

/** The GatewayError a step threw (sync or async); fails when it did not throw one. */
export async function gatewayErrorOf(run: () => unknown): Promise<GatewayError> {
  let outcome: unknown;
  try {
    await run();
  } catch (err) {
    outcome = err;
  }
  if (!(outcome instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${outcome === undefined ? "no error" : String(outcome)}`);
  return outcome;
}
