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
 * The `statusCode` a MOCK request template rendered: a JSON number, or an integer in the
 * JavaScript-like object CDK's CORS preflight templates render (`{statusCode: 200}`), which AWS
 * accepts [recorded: mock.path-param-non-json-template in tests/fixtures/aws-recorded/
 * mock-integrations.json; LocalStack integrations/mock.py `parse_invalid_json`]. Undefined (AWS:
 * 500, "statusCode should be an integer which defined in request template", aws/aws-cdk#5997;
 * LocalStack mock.py requires an int) when there is none, it is a string (`"200"`), or the output
 * is empty.
 *
 * @param rendered - The request template's output.
 */
function mockStatusCode(rendered: string): number | undefined {
  // A MOCK's template renders the same few strings on every request.
  if (statusCache.has(rendered)) return statusCache.get(rendered);
  const status = parseStatusCode(rendered);
  if (statusCache.size >= STATUS_CACHE_LIMIT) statusCache.delete(statusCache.keys().next().value as string);
  statusCache.set(rendered, status);
  return status;
}

const STATUS_CACHE_LIMIT = 256;
const statusCache = new Map<string, number | undefined>();

function parseStatusCode(rendered: string): number | undefined {
  let statusCode: unknown;
  try {
    statusCode = (JSON.parse(rendered) as { statusCode?: unknown } | null)?.statusCode;
  } catch {
    const lenient = /^\s*\{[^]*?["']?\bstatusCode\b["']?\s*:\s*(-?\d+)\s*[,}]/.exec(rendered)?.[1];
    statusCode = lenient === undefined ? undefined : Number(lenient);
  }
  return typeof statusCode === "number" && Number.isInteger(statusCode) ? statusCode : undefined;
}
