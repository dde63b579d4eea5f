import { GatewayError } from "../gatewayError";
import type { RestInvocation } from "../invocation";

/**
 * A MOCK integration: no endpoint; the status code is the `statusCode` of the JSON the request
 * template rendered (200 when no template applied), and the body is empty, for the
 * integration response to map.
 *
 * @param inv - The invocation, with its `integrationRequest` (the rendered template) and
 *   `requestTemplateApplied`.
 */
export function answerMock(inv: RestInvocation): void {
  let statusCode = 200;
  if (inv.requestTemplateApplied) {
    const parsed = mockStatusCode(inv.integrationRequest!.body.toString("utf8"));
    if (parsed === undefined) throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: the MOCK request template did not render a statusCode`);
    statusCode = parsed;
  }
  inv.endpointResponse = { statusCode, headers: [], body: Buffer.alloc(0) };
}

/**
 * The `statusCode` a MOCK request template rendered: from JSON, or from the JavaScript-like
 * object CDK's CORS preflight templates render (`{statusCode: 200}`), which AWS accepts
 * [recorded: LocalStack test_apigateway_integrations.py, mock.path-param-non-json-template in
 * tests/fixtures/aws-recorded/mock-integrations.json; LocalStack integrations/mock.py
 * `parse_invalid_json`]. Undefined when there is none or it is not an integer (AWS: "Unable to
 * parse statusCode", 500), or nothing parses (an empty output). JSON without a statusCode
 * means 200.
 *
 * @param rendered - The request template's output.
 */
export function mockStatusCode(rendered: string): number | undefined {
  let statusCode: unknown;
  try {
    const parsed = JSON.parse(rendered) as { statusCode?: unknown } | null;
    statusCode = Number(parsed?.statusCode ?? 200);
  } catch {
    const lenient = /^\s*\{[^]*?["']?\bstatusCode\b["']?\s*:\s*(-?\d+)\s*[,}]/.exec(rendered)?.[1];
    statusCode = lenient === undefined ? undefined : Number(lenient);
  }
  return Number.isInteger(statusCode) ? (statusCode as number) : undefined;
}
