/**
 * An HTTP API request's `$context` as its access-log line reads it ("Customizing HTTP API
 * access logs": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html),
 * rendered by local/logs/accessLogFormat.ts. Built only when the gateway writes access logs.
 */
import type { IncomingMessage } from "node:http";
import { awsRequestTime, sourceIpOf, splitUrl } from "../gateway/incomingRequest";
import type { AccessLogContext } from "../logs/accessLogFormat";
import type { HttpApiModel } from "./httpApiModel";

/** What the gateway knows of one request once its answer is sent. */
export interface ServedHttpRequest {
  req: IncomingMessage;
  /** The request id the answer carried (`apigw-requestid`). */
  requestId: string;
  /** When the request arrived. */
  receivedAt: Date;
  /** The matched route's key. @default none: no route matched */
  routeKey?: string;
  status: number;
  /** The answer's body length in bytes. */
  responseLength: number;
  /** From the request's arrival to its answer written, in ms. */
  latencyMs: number;
  /** How long the Lambda integration took, in ms. @default none: not called */
  integrationLatencyMs?: number;
  /**
   * The status of Lambda's Invoke API (200 when the function ran, whatever it answered; 429
   * throttled). @default none: Lambda did not answer (not called, or past the timeout)
   */
  lambdaStatus?: number;
  /**
   * The status the integration's function answered (its proxy result's statusCode).
   * @default none: no result, or no integration called
   */
  functionStatus?: number;
  /** Why the integration failed (the function's error). @default none */
  integrationError?: string;
  /** The JWT authorizer's verified claims. @default none */
  claims?: Record<string, string>;
  /** Why the JWT authorizer refused the request. @default none */
  authorizerError?: string;
  /** The gateway's own error message, when it answered (`Not Found`, `Too Many Requests`, ...). @default none */
  errorMessage?: string;
}

/**
 * The request's `$context` for its access-log line. Latencies are whole milliseconds, as AWS
 * logs them; `$context.extendedRequestId` is the request id (HTTP APIs have one id).
 *
 * @param served - The request and its answer.
 * @param model - The API and stage that served it.
 * @param accountId - The API owner's account.
 */
export function httpAccessLogContext(served: ServedHttpRequest, model: HttpApiModel, accountId: string): AccessLogContext {
  const { req } = served;
  const integrationLatency = served.integrationLatencyMs === undefined ? undefined : Math.round(served.integrationLatencyMs);
  // `$context.integrationStatus`: "for Lambda proxy integration, the status code returned from
  // AWS Lambda, not from the backend Lambda function code"; `$context.integration.status`: the
  // status code the function's code returns.
  const lambdaStatus = served.lambdaStatus;
  return {
    requestId: served.requestId,
    extendedRequestId: served.requestId,
    accountId,
    apiId: model.apiId,
    stage: model.stageName,
    domainName: req.headers.host,
    domainPrefix: model.apiId,
    httpMethod: (req.method ?? "GET").toUpperCase(),
    path: splitUrl(req.url).rawPath,
    protocol: `HTTP/${req.httpVersion}`,
    routeKey: served.routeKey,
    requestTime: awsRequestTime(served.receivedAt),
    requestTimeEpoch: served.receivedAt.getTime(),
    identity: { sourceIp: sourceIpOf(req), userAgent: req.headers["user-agent"] },
    authorizer: { claims: served.claims, error: served.authorizerError },
    status: served.status,
    responseLength: served.responseLength,
    responseLatency: Math.round(served.latencyMs),
    integrationLatency,
    integrationStatus: lambdaStatus,
    integrationErrorMessage: served.integrationError,
    integration: { latency: integrationLatency, status: served.functionStatus, integrationStatus: lambdaStatus, error: served.integrationError },
    error: served.errorMessage === undefined ? undefined : { message: served.errorMessage, messageString: JSON.stringify(served.errorMessage) },
  };
}
