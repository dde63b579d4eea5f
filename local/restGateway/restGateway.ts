import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { gatewayResponseHeaders, gatewaySetsTraceHeader, toWritableHeaders } from "../gateway/headers";
import { ClientGone } from "../gateway/incomingRequest";
import { compileAccessLogFormat, DEFAULT_REST_ACCESS_LOG_FORMAT, type AccessLogRenderer } from "../logs/accessLogFormat";
import { restAccessLogContext } from "./accessLog";
import { FixedAnswer, GatewayError } from "./gatewayError";
import { GATEWAY_RESPONSE_DEFAULTS, gatewayResponse } from "./gatewayResponses";
import { traceOf, type GatewayAnswer, type GatewayRequest, type RestInvocation } from "./invocation";
import { MappingTemplateError, type TemplateInput } from "./mappingTemplate";
import { GatewayMetrics, type RequestMetric } from "./metrics";
import type { ResponseCache } from "./responseCache";
import { StageRuntime, type RestGatewayOptions } from "./stageRuntime";
import { checkApiKeyAndThrottle } from "./steps/apiKeyAndPlan";
import { authorize } from "./steps/authorize";
import { lookUpCache, storeInCache } from "./steps/cache";
import { integrate } from "./steps/integrate";
import { buildIntegrationRequest } from "./steps/integrationRequest";
import { mapIntegrationResponse } from "./steps/integrationResponse";
import { extendedRequestId, parseRequest } from "./steps/parse";
import { route } from "./steps/route";
import { validateRequest } from "./steps/validate";

export type { CognitoTokenChecker, RestGatewayOptions } from "./stageRuntime";

/** The ids an answer carries: the request's, or new ones for a request refused before it was parsed. */
type RequestIds = Pick<GatewayRequest, "requestId" | "extendedRequestId">;

/** A step of the chain: reads and fills the invocation; throws a GatewayError to answer with a gateway response. */
type Step = (inv: RestInvocation, stage: StageRuntime) => void | Promise<void>;

/**
 * The steps after parsing, in AWS's order (LocalStack's next_gen `execute_api` handler chain
 * is the model). A step that sets `inv.answer` ends the chain early (a cache hit); the cache
 * store step runs on whatever answer the integration response produced. A step that fails
 * throws a GatewayError (rendered to the API's gateway response) or a FixedAnswer (sent as is).
 */
const STEPS: readonly Step[] = [route, authorize, checkApiKeyAndThrottle, validateRequest, lookUpCache, buildIntegrationRequest, integrate, mapIntegrationResponse];

/**
 * The local REST API data plane: serves one deployed stage of a REST API from its recorded
 * resources, as API Gateway does (docs/aws-behaviour.md), as a chain of steps over one
 * invocation context (local/restGateway/steps/): parse, route, authorize, API key and plan,
 * validate, cache lookup, integration request, integrate, integration response, cache store,
 * respond. Failures are GatewayErrors, rendered to the API's gateway responses in one place.
 */
export class RestGateway {
  readonly metrics = new GatewayMetrics();
  private readonly stage: StageRuntime;
  /** The stage's access-log format, compiled; only when access lines are asked for. */
  private readonly accessLogLine?: AccessLogRenderer;

  /** @param options - The stage to serve and the services it uses. */
  constructor(private readonly options: RestGatewayOptions) {
    this.stage = new StageRuntime(options);
    if (options.accessLog) this.accessLogLine = compileAccessLogFormat(options.model.accessLogFormat ?? DEFAULT_REST_ACCESS_LOG_FORMAT);
    for (const [key, method] of options.model.methods) {
      // Better to refuse to start than to serve a protected method open.
      if (!["NONE", "CUSTOM", ...(options.cognito ? ["COGNITO_USER_POOLS"] : [])].includes(method.authorization)) {
        throw new Error(`local REST gateway: ${key} uses ${method.authorization} authorization, which this gateway cannot enforce`);
      }
    }
  }

  /** The stage cache, when the stage has a cache cluster. */
  get cache(): ResponseCache | undefined {
    return this.stage.cache;
  }

  /** TOKEN and REQUEST authorizers, with their result caches. */
  get lambdaAuthorizers() {
    return this.stage.lambdaAuthorizers;
  }

  /** FlushStageCache. */
  flushCache(): void {
    this.stage.cache?.flush();
  }

  /** Serves one HTTP request. Never throws: failures become gateway responses. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let inv: RestInvocation | undefined;
    let answer: GatewayAnswer;
    try {
      // Most requests complete without waiting (no body, no Lambda): no await for them.
      const parsed = parseRequest(req);
      inv = newInvocation(parsed instanceof Promise ? await parsed : parsed);
      const ran = this.run(inv);
      answer = ran instanceof Promise ? await ran : ran;
    } catch (err) {
      if (err instanceof ClientGone) return;
      answer = this.renderError(err, inv);
    }
    const ids: RequestIds = inv?.request ?? { requestId: randomUUID(), extendedRequestId: extendedRequestId() };
    this.respond(req, res, answer, inv, ids);
    const metric: RequestMetric = {
      route: inv?.route ?? "-",
      status: answer.status,
      latencyMs: performance.now() - started,
      integrationLatencyMs: inv?.integrationLatencyMs,
      cache: inv?.cache?.result,
    };
    this.metrics.record(metric);
    this.options.onRequest?.(metric);
    if (this.accessLogLine) this.writeAccessLog(this.accessLogLine, { req, inv, ids, answer, latencyMs: metric.latencyMs });
  }

  /**
   * The request's access-log line, in the stage's format, to the `accessLog` option. A failure
   * to log is said, never thrown: the answer is already sent.
   */
  private writeAccessLog(render: AccessLogRenderer, served: Parameters<typeof restAccessLogContext>[0]): void {
    try {
      this.options.accessLog!(render(restAccessLogContext(served, this.stage)));
    } catch (err) {
      process.stderr.write(`[rest-gateway] access log: ${(err as Error)?.message ?? err}\n`);
    }
  }

  /**
   * Runs the steps after parsing, from step `from`: the answer, or the gateway response of the
   * first failure. Synchronous until a step returns a promise (an authorizer, an integration
   * that calls an endpoint), then it continues when that settles.
   *
   * @param inv - The invocation.
   * @param from - The index of the first step to run. @default 0
   */
  private run(inv: RestInvocation, from = 0): GatewayAnswer | Promise<GatewayAnswer> {
    try {
      for (let i = from; i < STEPS.length; i++) {
        const pending = STEPS[i](inv, this.stage);
        if (pending) {
          return pending.then(
            () => (inv.answer ? this.finish(inv) : this.run(inv, i + 1)),
            (err: unknown) => this.renderError(err, inv),
          );
        }
        if (inv.answer) break;
      }
      return this.finish(inv);
    } catch (err) {
      return this.renderError(err, inv);
    }
  }

  /** After the last step (or an early answer): step 11, cache store, and the answer. */
  private finish(inv: RestInvocation): GatewayAnswer {
    try {
      storeInCache(inv, this.stage);
      return inv.answer ?? this.renderError(new GatewayError("API_CONFIGURATION_ERROR", "the chain ended without an answer"), inv);
    } catch (err) {
      return this.renderError(err, inv);
    }
  }

  /**
   * Step 12, respond: the answer with the gateway's own headers (request ids; the trace header
   * for integration answers of the types that carry one) and its length. Whatever headers an
   * endpoint produced, only what node can write goes on the wire (local/gateway/headers.ts).
   */
  private respond(req: IncomingMessage, res: ServerResponse, answer: GatewayAnswer, inv: RestInvocation | undefined, requestIds: RequestIds): void {
    const type = inv?.method?.integration?.type;
    const traceHeader = answer.fromIntegration && type && gatewaySetsTraceHeader(type) ? traceOf(inv!.request).response : undefined;
    const ids = gatewayResponseHeaders({ requestId: requestIds.requestId, apigwId: requestIds.extendedRequestId, traceHeader });
    const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
    // The answer's headers may come from anywhere and are checked; the gateway's own are known good.
    const headers = toWritableHeaders(answer.headers, { onDrop: (name, reason) => logDroppedHeader(inv, name, reason) });
    for (const [name, value] of ids) headers.push(name, value);
    headers.push("Content-Length", String(body.length));
    try {
      res.writeHead(answer.status, asHeaderObject(headers) ?? headers);
    } catch (err) {
      // Nothing a backend sends may stop the caller's answer: whatever node refuses to write is
      // answered as a configuration failure.
      process.stderr.write(`[rest-gateway] ${inv?.route ?? "-"}: cannot write the answer (${(err as Error).message})\n`);
      const failure = INTERNAL_SERVER_ERROR;
      res.writeHead(failure.status, toWritableHeaders([...Object.entries(failure.headers), ...ids], { contentLength: Buffer.byteLength(failure.body as string) }));
      res.end(req.method === "HEAD" ? undefined : failure.body);
      return;
    }
    res.end(req.method === "HEAD" ? undefined : body);
  }

  /**
   * The gateway response for a failure: a GatewayError's type, with the API's customisation;
   * anything else (a template that fails to render, a bug) is logged and answered 500.
   */
  private renderError(err: unknown, inv: RestInvocation | undefined): GatewayAnswer {
    if (err instanceof FixedAnswer) return err.answer;
    if (!(err instanceof GatewayError)) {
      process.stderr.write(`[rest-gateway] ${(err as Error)?.stack ?? err}\n`);
      return this.renderError(new GatewayError("API_CONFIGURATION_ERROR", String(err)), inv);
    }
    if (err.type === "AUTHORIZER_CONFIGURATION_ERROR") process.stderr.write(`[rest-gateway] ${err.message}\n`);
    if (inv) inv.failure = failureOf(err);
    const input = errorTemplateInput(err, inv, this.stage.model);
    try {
      const response = gatewayResponse(err.type, this.stage.model.gatewayResponses, input, { message: err.options.message, status: err.options.statusCode });
      return { status: response.status, headers: response.headers, body: response.body };
    } catch (renderFailure) {
      if (!(renderFailure instanceof MappingTemplateError)) throw renderFailure;
      return INTERNAL_SERVER_ERROR;
    }
  }
}

/** `$context.error` of a failure, for the access log. */
function failureOf(err: GatewayError): RestInvocation["failure"] {
  const message = err.options.message ?? GATEWAY_RESPONSE_DEFAULTS[err.type].message ?? undefined;
  return { responseType: err.type, message, validationErrorString: err.options.validationErrorString, detail: err.message };
}

/** A header the endpoint answered that cannot go on the wire is left out, and said so. */
function logDroppedHeader(inv: RestInvocation | undefined, name: string, reason: string): void {
  if (reason === "framing") return; // Content-Length and friends: the gateway frames the body itself.
  process.stderr.write(`[rest-gateway] ${inv?.route ?? "-"}: response header ${JSON.stringify(name)} left out (${reason})\n`);
}

/**
 * A flat header list as an object, when no name repeats: node writes an object's headers
 * faster than a list's (the usual answer). Undefined when a name repeats (a list then).
 *
 * @param flat - `[name, value, name, value, ...]`.
 */
function asHeaderObject(flat: string[]): Record<string, string> | undefined {
  const headers: Record<string, string> = Object.create(null);
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] in headers) return undefined;
    headers[flat[i]] = flat[i + 1];
  }
  return headers;
}

/** AWS's answer when a failure cannot be rendered as a gateway response. */
const INTERNAL_SERVER_ERROR: GatewayAnswer = {
  status: 500,
  headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "InternalServerErrorException" },
  body: `{"message": "Internal server error"}`,
};

function newInvocation(request: GatewayRequest): RestInvocation {
  return { request, route: "-", pathParameters: {}, context: undefined!, templateInput: undefined!, settings: {} };
}

/** What a gateway response's template reads: the routed request's input, or what is known before routing. */
function errorTemplateInput(err: GatewayError, inv: RestInvocation | undefined, model: StageRuntime["model"]): TemplateInput {
  const request = inv?.request;
  const input: TemplateInput = inv?.templateInput ?? {
    body: request?.body.toString("utf8") ?? "",
    params: { path: {}, querystring: request?.query ?? {}, header: request?.headers ?? {} },
    context: { requestId: request?.requestId, stage: model.stageName, apiId: model.apiId, path: request?.requestPath, httpMethod: request?.httpMethod },
    stageVariables: model.stageVariables,
  };
  if (err.options.validationErrorString === undefined) return input;
  const message = err.options.message ?? "Invalid request body";
  return { ...input, context: { ...input.context, error: { message, validationErrorString: err.options.validationErrorString } } };
}
