import type { GatewayResponseType } from "./gatewayResponses";
import type { AuthorizerOutcome } from "./lambdaAuthorizers";
import type { TemplateInput, TemplateResult } from "./mappingTemplate";
import type { MethodModel, MethodSettingModel } from "./restApiModel";
import type { ClientConnection } from "../gateway/headers";
import { requestTrace, type RequestTrace } from "../gateway/traceId";
import type { EndpointResponse, HeaderPair, IntegrationRequest } from "./integrations/integrationTypes";

/**
 * One request's journey through the REST gateway: the context every step of the chain reads
 * and fills (LocalStack's `RestApiInvocationContext` is the model). Steps run in this order,
 * each filling its part: parse (`request`), route (`method`, `context`, `templateInput`),
 * authorize (`authorized`), API key and plan, validate, cache lookup (`cache`, maybe
 * `answer`), integration request (`integrationRequest`), integrate (`endpointResponse`),
 * integration response (`answer`), cache store. A step that has the final answer early (a
 * cache hit) sets `answer` and the chain stops; a step that fails throws a GatewayError.
 */
export interface RestInvocation {
  request: GatewayRequest;
  /** The matched method (route step). */
  method?: MethodModel;
  /** `METHOD /resource/path` of the matched method, for metrics. @default "-" before routing */
  route: string;
  /** The method's path parameters, as matched. */
  pathParameters: Record<string, string>;
  /** `$context` (also the Lambda proxy event's requestContext). */
  context: Record<string, unknown>;
  /** What mapping templates and parameter mappings read. */
  templateInput: TemplateInput;
  /** The method's stage settings merged over `*\/*`. */
  settings: MethodSettingModel;
  /** The Lambda authorizer's Allow, when a CUSTOM authorizer ran. */
  authorized?: Extract<AuthorizerOutcome, { kind: "allow" }>;
  /** The stage-cache entry this request reads and fills, when the method is cached. */
  cache?: { key: string; ttlSeconds: number; result: "hit" | "miss" };
  /**
   * `$context.requestOverride` / `$context.responseOverride` as the request template left
   * them: the response template starts from them.
   */
  overrides?: { requestOverride: Record<string, unknown>; responseOverride: Record<string, unknown> };
  /** The request template's `$context.requestOverride` as header / parameter values (HTTP integrations apply them). */
  requestOverride?: TemplateResult["requestOverride"];
  /** The request template's `$context.responseOverride` as status and headers (applied even without a response template). */
  requestTemplateResponseOverride?: TemplateResult["responseOverride"];
  /** Whether a request template rendered the integration request's body (false: passthrough). */
  requestTemplateApplied?: boolean;
  /** What the integration sends (templates and parameter mappings applied). */
  integrationRequest?: IntegrationRequest;
  /** The Lambda proxy event, for AWS_PROXY Lambda integrations. */
  lambdaEvent?: unknown;
  /** What the integration's endpoint answered. */
  endpointResponse?: EndpointResponse;
  /** How long the integration took, in ms. */
  integrationLatencyMs?: number;
  /** The answer to send; once set, the chain stops. */
  answer?: GatewayAnswer;
  /** The gateway response that answered a failure, for the access log (`$context.error.*`). */
  failure?: RequestFailure;
}

/** A failure answered by a gateway response, as `$context.error` tells it. */
export interface RequestFailure {
  /** `$context.error.responseType`. */
  responseType: GatewayResponseType;
  /** `$context.error.message`: the type's message, or the failure's own. */
  message?: string;
  /** `$context.error.validationErrorString`. */
  validationErrorString?: string;
  /** Why, for the local cloud's logs (the GatewayError's detail); never sent to the caller. */
  detail: string;
}

/** A request as the gateway sees it after parsing. */
export interface GatewayRequest {
  requestId: string;
  extendedRequestId: string;
  startedAt: Date;
  httpMethod: string;
  /** The path after the stage, e.g. `/users/42` (set by the route step). */
  path: string;
  /** The path as requested, stage included (`$context.path` when no method matched). */
  requestPath: string;
  /**
   * Through a custom domain, the path as the caller sent it, base path included: the proxy
   * event's `path` and `$context.path` (local/gateway/domainRequests.ts). Undefined otherwise.
   */
  domainPath?: string;
  /** The raw query string without `?`. */
  rawQuery: string;
  /** The caller's headers less those AWS drops (hop-by-hop and others), spelling and order kept. */
  headerPairs: HeaderPair[];
  headers: Record<string, string>;
  /** `headers` by lower-case name, for the gateway's own lookups (names are case-insensitive). */
  headersByLowerName: Map<string, string>;
  multiValueHeaders: Record<string, string[]>;
  query: Record<string, string>;
  multiValueQuery: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
  /** The caller's connection, as X-Forwarded-* tell integrations of it. */
  client: ClientConnection;
  /** The request's X-Ray trace, once drawn: read it with {@link traceOf}. */
  trace?: RequestTrace;
}

/**
 * The request's X-Ray trace (the caller's continued, or new), drawn when an integration or the
 * answer first needs it: a MOCK route never does.
 *
 * @param request - The request.
 */
export function traceOf(request: GatewayRequest): RequestTrace {
  return (request.trace ??= requestTrace(request.headersByLowerName.get("x-amzn-trace-id"), request.startedAt.getTime()));
}

/** A response ready to be written. */
export interface GatewayAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
  /**
   * Whether the answer came from the integration (or the cache), not from a gateway response:
   * only those carry the gateway's X-Amzn-Trace-Id, for the integration types that set one.
   * @default false
   */
  fromIntegration?: boolean;
}

/** A request header by name, case-insensitively (the last value when repeated). */
export function requestHeader(request: GatewayRequest, name: string): string | undefined {
  return request.headersByLowerName.get(name.toLowerCase());
}
