/**
 * A REST request's `$context` as its access-log line reads it (local/logs/accessLogFormat.ts
 * renders it): the routed request's `$context` (route step) with what is known once the answer
 * is sent (status, length, latencies, the failure), or what is known of a request refused
 * before routing. Built only when the gateway writes access logs.
 */
import type { IncomingMessage } from "node:http";
import { awsRequestTime, sourceIpOf, splitUrl } from "../gateway/incomingRequest";
import type { AccessLogContext } from "../logs/accessLogFormat";
import type { GatewayAnswer, GatewayRequest, RestInvocation } from "./invocation";
import type { StageRuntime } from "./stageRuntime";

/** What the gateway knows of one request once its answer is sent. */
export interface ServedRestRequest {
  req: IncomingMessage;
  /** Undefined when the request was refused while it was read (a body over the limit). */
  inv: RestInvocation | undefined;
  /** The ids the answer carried (`x-amzn-RequestId`, `x-amz-apigw-id`). */
  ids: Pick<GatewayRequest, "requestId" | "extendedRequestId">;
  answer: GatewayAnswer;
  /** From the request's arrival to its answer written, in ms. */
  latencyMs: number;
}

/** Integration types whose endpoint is Lambda's Invoke API (when the URI targets Lambda). */
const LAMBDA_TYPES = new Set(["AWS", "AWS_PROXY"]);

/** Failures of the integration itself: `$context.integration.error` tells why. */
const INTEGRATION_FAILURES = new Set(["INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT"]);

/** Failures of an authorizer: `$context.authorizer.error` tells why. */
const AUTHORIZER_FAILURES = new Set(["AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE"]);

/**
 * The request's `$context` for its access-log line ("Variables for access logging for API
 * Gateway", REST). Latencies are whole milliseconds, as AWS logs them.
 *
 * @param served - The request and its answer.
 * @param stage - The stage that served it.
 */
export function restAccessLogContext(served: ServedRestRequest, stage: StageRuntime): AccessLogContext {
  const { req, inv, ids, answer } = served;
  const routed = inv?.context as Record<string, unknown> | undefined;
  const receivedAt = inv?.request.startedAt ?? new Date(Date.now() - served.latencyMs);
  const integrationLatency = inv?.integrationLatencyMs === undefined ? undefined : Math.round(inv.integrationLatencyMs);
  const integrationStatus = integrationStatusOf(inv);
  const failure = inv?.failure;
  const failureDetail = failure && INTEGRATION_FAILURES.has(failure.responseType) ? failure.detail : undefined;
  return {
    ...routed,
    ...stageContext(stage),
    requestId: ids.requestId,
    extendedRequestId: ids.extendedRequestId,
    httpMethod: inv?.request.httpMethod ?? (req.method ?? "GET").toUpperCase(),
    path: routed?.path ?? inv?.request.requestPath ?? splitUrl(req.url).rawPath,
    protocol: `HTTP/${req.httpVersion}`,
    requestTime: awsRequestTime(receivedAt),
    requestTimeEpoch: receivedAt.getTime(),
    domainName: routed?.domainName ?? req.headers.host,
    identity: routed?.identity ?? { sourceIp: inv?.request.sourceIp ?? sourceIpOf(req), userAgent: req.headers["user-agent"] },
    authorizer: authorizerContext(routed?.authorizer, failure),
    status: answer.status,
    responseLength: typeof answer.body === "string" ? Buffer.byteLength(answer.body) : answer.body.length,
    responseLatency: Math.round(served.latencyMs),
    integrationLatency,
    integrationStatus: integrationStatus.status,
    integrationErrorMessage: failureDetail,
    integration: { latency: integrationLatency, status: integrationStatus.status, integrationStatus: integrationStatus.endpoint, error: failureDetail },
    error: failure && {
      message: failure.message,
      messageString: failure.message === undefined ? undefined : JSON.stringify(failure.message),
      responseType: failure.responseType,
      validationErrorString: failure.validationErrorString,
    },
  };
}

/** What every request of the stage shares. */
function stageContext(stage: StageRuntime): AccessLogContext {
  const { model, options } = stage;
  return { stage: model.stageName, apiId: model.apiId, domainPrefix: model.apiId, accountId: options.accountId, deploymentId: model.deploymentId };
}

/**
 * `$context.integrationStatus` and `$context.integration.status` ("for Lambda proxy
 * integration, the status code returned from AWS Lambda, not from the backend Lambda function
 * code": 200 whenever Lambda answered) and `$context.integration.integrationStatus` (the
 * endpoint's own: what the function's proxy result said). Undefined when no endpoint answered.
 */
function integrationStatusOf(inv: RestInvocation | undefined): { status?: number; endpoint?: number } {
  const endpoint = inv?.endpointResponse?.statusCode;
  if (endpoint === undefined) return {};
  const integration = inv!.method?.integration;
  const lambda = integration !== undefined && LAMBDA_TYPES.has(integration.type) && integration.awsTarget?.kind !== "dynamodb";
  return { status: lambda ? 200 : endpoint, endpoint };
}

/** `$context.authorizer`, with `error` when the authorizer itself failed. */
function authorizerContext(authorizer: unknown, failure: RestInvocation["failure"]): unknown {
  if (!failure || !AUTHORIZER_FAILURES.has(failure.responseType)) return authorizer;
  return { ...(authorizer as object | undefined), error: failure.detail };
}
