import { LOCAL_CREDENTIALS } from "../../emulators";
import { sendHttpIntegrationRequest, type SendHttpOptions } from "./httpIntegration";
import type { EndpointResponse, HeaderPair, IntegrationRequest } from "./integrationTypes";

/**
 * AWS service integrations with DynamoDB (`arn:aws:apigateway:<region>:dynamodb:action/<Action>`),
 * served by the local cloud's DynamoDB emulator (dynalite). As on AWS, the request template
 * writes the action's JSON input, API Gateway posts it to DynamoDB's JSON API as the action,
 * and DynamoDB's answer (status, headers, body) is the endpoint response the integration
 * responses select and map: a DynamoDB error is a 4xx/5xx endpoint response, not a gateway
 * error ("Tutorial: Create a REST API as an Amazon DynamoDB proxy"; LocalStack's
 * test_apigateway_dynamodb.py::test_rest_api_to_dynamodb_integration, recorded against AWS
 * 19-07-2024: PutItem answers `{}`, Query `{"Count":1,"Items":[...],"ScannedCount":1}`).
 */

/** Where and how to call the emulator. */
export interface DynamoDbIntegrationOptions {
  /** The DynamoDB emulator's URL: the local cloud's `endpoints.dynamodb`. */
  endpoint: string;
  /** The action the integration URI names (`PutItem`, `Query`, ...): `RestApiModel`'s `awsTarget.action`. */
  action: string;
  /** The region the integration URI names, for the credential scope of the request's Authorization. */
  region: string;
  /** The integration's timeout and the response limit, as for HTTP integrations. */
  send: SendHttpOptions;
  /**
   * The request time, for `X-Amz-Date` and the credential scope.
   * @default now
   */
  now?: Date;
}

/** Headers this integration writes itself; an integration request's own of the same name give way. */
const OWN_HEADERS = ["authorization", "content-type", "host", "x-amz-date", "x-amz-target", "content-length", "transfer-encoding"];

/**
 * Builds the HTTP request to DynamoDB's JSON API for an integration request: always a POST to `/`
 * (the JSON protocol has one path and one method), `X-Amz-Target: DynamoDB_20120810.<Action>`,
 * `Content-Type: application/x-amz-json-1.0`, the integration request's body as rendered, and
 * its mapped headers. The request carries an AWS Signature V4-shaped Authorization for the local
 * credentials: dynalite requires one (Credential, SignedHeaders, Signature, and an X-Amz-Date)
 * but does not verify the signature, so none is computed.
 *
 * @param request - The integration request (its `uri` is the integration's ARN, not used).
 * @param options - The emulator, the action and region.
 * @returns A request {@link sendHttpIntegrationRequest} sends.
 */
export function dynamoDbHttpRequest(request: IntegrationRequest, options: DynamoDbIntegrationOptions): IntegrationRequest {
  const now = options.now ?? new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, ""); // 20240719T195350Z
  const scope = `${amzDate.slice(0, 8)}/${options.region}/dynamodb/aws4_request`;
  const headers: HeaderPair[] = [
    ...request.headers.filter(([name]) => !OWN_HEADERS.includes(name.toLowerCase())),
    ["Content-Type", "application/x-amz-json-1.0"],
    ["X-Amz-Target", `DynamoDB_20120810.${options.action}`],
    ["X-Amz-Date", amzDate],
    ["Authorization", `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`],
  ];
  return { httpMethod: "POST", uri: `${options.endpoint.replace(/\/+$/, "")}/`, query: [], headers, body: request.body };
}

/**
 * Calls DynamoDB for an AWS integration: posts the rendered request to the emulator as the
 * action and returns its answer as the endpoint response (status, headers as received, body).
 *
 * @param request - The integration request, body rendered by the request template.
 * @param options - The emulator, the action and region, timeout and limits.
 * @returns DynamoDB's answer: 200 with the action's output, or 4xx/5xx with `{"__type": ..., "message": ...}`.
 * @throws GatewayError INTEGRATION_TIMEOUT past the timeout; API_CONFIGURATION_ERROR when the
 *   emulator cannot be reached (stopped, or paused to play an outage) — see
 *   {@link sendHttpIntegrationRequest}.
 */
export function invokeDynamoDbIntegration(request: IntegrationRequest, options: DynamoDbIntegrationOptions): Promise<EndpointResponse> {
  return sendHttpIntegrationRequest(dynamoDbHttpRequest(request, options), options.send);
}
