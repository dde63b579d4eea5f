import { matchesBinaryMediaType, mediaType } from "../gateway/mediaTypes";
import { GatewayError } from "./gatewayError";
import type { ContentHandling } from "./restApiModel";

/**
 * Content type conversions of non-proxy integrations (AWS, HTTP, MOCK), as API Gateway applies
 * them between the method request and the integration request, and between the endpoint
 * response and the method response ("Content type conversions in API Gateway" and "Binary media
 * types for REST APIs in API Gateway", developer guide). A payload is binary when its media type
 * matches the API's `binaryMediaTypes`; `contentHandling` then says whether it is base64-encoded
 * to text (CONVERT_TO_TEXT), base64-decoded to bytes (CONVERT_TO_BINARY) or passed through.
 *
 * The tables of the guide are checked against AWS-validated recordings of an S3 integration
 * (LocalStack tests/aws/services/apigateway/test_apigateway_s3.py::TestApiGatewayS3BinarySupport,
 * recorded 17-03-2025, cited as [recorded: s3 binary]); LocalStack's next_gen
 * handlers/integration_request.py and integration_response.py `convert_body` are the same table.
 * Lambda proxy integrations do not come here: they base64-encode binary bodies themselves
 * (`isBase64Encoded`, integrations/lambda.ts).
 */

/** A payload between two conversions: text (a string) or binary (bytes). */
export type Payload = string | Buffer;

/**
 * Whether a method request's payload is binary: its Content-Type matches the API's binary media
 * types. A request without Content-Type is binary only under `*\/*`: the CORS preflights of APIs
 * with `*\/*` (an OPTIONS request carries no Content-Type) fail their MOCK request template
 * unless the integration converts to text (AWS's execution log in aws/serverless-application-model#553:
 * "Method request body before transformations: [Binary Data]", then API_CONFIGURATION_ERROR;
 * also aws/chalice#1310, squidfunk/terraform-aws-api-gateway-enable-cors#10). Under a narrower
 * type (`application/*`) a request without Content-Type is text (unrecorded choice, LocalStack's
 * reading).
 *
 * @param contentType - The request's Content-Type header, if any.
 * @param binaryMediaTypes - The API's binaryMediaTypes.
 */
export function isBinaryRequest(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (binaryMediaTypes.length === 0) return false;
  if (contentType === undefined) return binaryMediaTypes.some((type) => mediaType(type) === "*/*");
  return matchesBinaryMediaType(contentType, binaryMediaTypes as string[]);
}

/**
 * The integration request's payload, from the method request's body (the guide's request table,
 * [recorded: s3 binary], test_apigw_s3_binary_support_request and _request_convert_to_binary):
 *
 * | method request | contentHandling | integration request |
 * |---|---|---|
 * | binary | CONVERT_TO_TEXT | base64-encoded string |
 * | binary | unset, CONVERT_TO_BINARY | the bytes, unchanged |
 * | text | unset, CONVERT_TO_TEXT | the body as UTF-8 text (invalid sequences replaced by U+FFFD) |
 * | text | CONVERT_TO_BINARY | the body base64-decoded (500 when it is not base64) |
 *
 * @param request.body - The method request's body.
 * @param request.text - The same body decoded as UTF-8 (what the route step gave `$input.body`):
 *   returned as is for a text payload, so a template keeps reading the same string.
 * @param binary - Whether the method request's payload is binary ({@link isBinaryRequest}).
 * @param handling - The integration's contentHandling.
 * @throws GatewayError API_CONFIGURATION_ERROR when CONVERT_TO_BINARY meets a body that is not base64.
 */
export function integrationRequestPayload(request: { body: Buffer; text: string }, binary: boolean, handling: ContentHandling | undefined): Payload {
  if (binary) return handling === "CONVERT_TO_TEXT" ? request.body.toString("base64") : request.body;
  if (handling === "CONVERT_TO_BINARY") return decodeBase64Payload(request.body, "request");
  return request.text;
}

/**
 * The method response's payload, from the endpoint response's body (the guide's response table,
 * [recorded: s3 binary], test_apigw_s3_binary_support_response_*). The endpoint's payload is
 * binary when its Content-Type matches the binary media types; the Accept header's first type
 * (matched the same way) says whether the caller takes binary:
 *
 * | endpoint payload | contentHandling | Accept | method response |
 * |---|---|---|---|
 * | binary | CONVERT_TO_TEXT | any | base64-encoded string |
 * | binary | unset | text | base64-encoded string |
 * | binary | unset | binary | the bytes, unchanged |
 * | binary | CONVERT_TO_BINARY | any | the bytes, unchanged |
 * | text | CONVERT_TO_TEXT | any | UTF-8 text |
 * | text | unset | text | UTF-8 text |
 * | text | unset | binary | base64-decoded bytes (500 when not base64) |
 * | text | CONVERT_TO_BINARY | any | base64-decoded bytes (500 when not base64) |
 *
 * @param body - The endpoint response's body.
 * @param binaryPayload - Whether the endpoint's payload is binary.
 * @param binaryAccept - Whether the request's first Accept type is binary.
 * @param handling - The selected integration response's contentHandling.
 * @throws GatewayError API_CONFIGURATION_ERROR when a text payload to be decoded is not base64.
 */
export function methodResponsePayload(body: Buffer, binaryPayload: boolean, binaryAccept: boolean, handling: ContentHandling | undefined): Payload {
  const toText = handling === "CONVERT_TO_TEXT" || (handling === undefined && !binaryAccept);
  if (binaryPayload) return toText ? body.toString("base64") : body;
  return toText ? body.toString("utf8") : decodeBase64Payload(body, "response");
}

/**
 * A payload as a mapping template reads it (`$input.body`): templates read text only. A binary
 * payload (passed through, or base64-decoded by CONVERT_TO_BINARY) fails with 500: request side,
 * "Execution failed due to configuration error: Unable to transform request", API_CONFIGURATION_ERROR
 * (AWS's log in aws/serverless-application-model#553) [recorded: s3 binary,
 * test_apigw_s3_binary_support_request_convert_to_binary_with_request_template]; response side
 * [recorded: s3 binary, test_apigw_s3_binary_support_response_convert_to_binary_with_request_template,
 * status 500; its gateway response type is an unrecorded choice, the request side's].
 *
 * @param payload - The converted payload.
 * @param side - Which template reads it, for the log.
 */
export function templateText(payload: Payload, side: "request" | "response"): string {
  if (typeof payload === "string") return payload;
  throw new GatewayError("API_CONFIGURATION_ERROR", `Unable to transform ${side}: a mapping template cannot read a binary payload (set contentHandling CONVERT_TO_TEXT)`);
}

/**
 * Base64 text as bytes, as API Gateway decodes it: characters outside the base64 alphabet are
 * skipped, and what remains must be whole 4-character quanta with padding only at the end (the
 * rule of Python's b64decode, which LocalStack's AWS-validated conversions use; a body AWS
 * refused, [recorded: s3 binary], is refused here too). Undefined when it is not base64.
 *
 * @param text - The text; a Buffer is read byte by byte (latin1), so non-ASCII bytes are skipped.
 */
export function decodeBase64(text: string | Buffer): Buffer | undefined {
  const raw = typeof text === "string" ? text : text.toString("latin1");
  const alphabet = BASE64_ONLY.test(raw) ? raw : raw.replace(NOT_BASE64, "");
  if (alphabet.length % 4 !== 0 || !WHOLE_QUANTA.test(alphabet)) return undefined;
  return Buffer.from(alphabet, "base64");
}

const BASE64_ONLY = /^[A-Za-z0-9+/=]*$/;
const NOT_BASE64 = /[^A-Za-z0-9+/=]/g;
const WHOLE_QUANTA = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A text payload base64-decoded, or the failure AWS answers: 500 [recorded: s3 binary, "it tries to
 * base64-decode the object and fails, hence 500"]. Its gateway response type is an unrecorded
 * choice: API_CONFIGURATION_ERROR, as AWS logs its other failed transformations (above);
 * LocalStack answers DEFAULT_5XX. Both render 500 `{"message": "Internal server error"}` by default.
 */
function decodeBase64Payload(body: Buffer, side: "request" | "response"): Buffer {
  const decoded = decodeBase64(body);
  if (decoded === undefined) throw new GatewayError("API_CONFIGURATION_ERROR", `Unable to transform ${side}: CONVERT_TO_BINARY of a payload that is not base64`);
  return decoded;
}
