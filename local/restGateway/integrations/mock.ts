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
    try {
      const parsed = JSON.parse(inv.integrationRequest!.body.toString("utf8")) as { statusCode?: unknown };
      statusCode = Number(parsed.statusCode ?? 200);
    } catch {
      throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: the MOCK request template did not render JSON with a statusCode`);
    }
  }
  inv.endpointResponse = { statusCode, headers: [], body: Buffer.alloc(0) };
}
