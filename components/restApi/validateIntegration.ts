/**
 * A route's integration: checked per type, with the type's defaults applied.
 */
import type * as aws from "@pulumi/aws";
import { INTEGRATION_TIMEOUT_MS, integrationTimeoutProblem } from "../apigateway";
import { refuse } from "../argumentErrors";
import type { IntegrationArgs, IntegrationResponseArgs, PassthroughBehavior } from "./routeArgs";
import type { IntegrationResponseSpec, IntegrationSpec } from "./spec";

/** The request templates of a MOCK integration that gives none: every request answers 200. */
export const MOCK_REQUEST_TEMPLATES: Readonly<Record<string, string>> = { "application/json": '{"statusCode": 200}' };

/** The passthrough behaviour of a MOCK integration that gives none. */
export const MOCK_PASSTHROUGH_BEHAVIOR: PassthroughBehavior = "WHEN_NO_MATCH";

/** The passthrough behaviour of a Lambda (non-proxy) integration that gives none. */
const LAMBDA_PASSTHROUGH_BEHAVIOR: PassthroughBehavior = "WHEN_NO_TEMPLATES";

const INTEGRATION_TYPES = ["LAMBDA_PROXY", "LAMBDA", "MOCK"];
const PASSTHROUGH_BEHAVIORS = ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"];

/**
 * Checks an integration, naming the field that is wrong; returns it with its defaults.
 *
 * @param integration - The integration as given.
 * @param field - Its argument path, e.g. `routes[0].integration`.
 */
export function validateIntegration(integration: IntegrationArgs, field: string): IntegrationSpec {
  if (!integration || !INTEGRATION_TYPES.includes(integration.type)) {
    throw new Error(`${field}.type must be LAMBDA_PROXY, LAMBDA or MOCK (got ${JSON.stringify(integration?.type)})`);
  }
  switch (integration.type) {
    case "LAMBDA_PROXY":
      return { type: "LAMBDA_PROXY", ...lambdaTarget(integration, field) };
    case "LAMBDA": {
      const target = lambdaTarget(integration, field);
      const mapped = mappedResponses(integration, field, LAMBDA_PASSTHROUGH_BEHAVIOR);
      return { type: "LAMBDA", ...target, requestTemplates: integration.requestTemplates, ...mapped };
    }
    case "MOCK":
      return {
        type: "MOCK",
        requestTemplates: integration.requestTemplates ?? { ...MOCK_REQUEST_TEMPLATES },
        ...mappedResponses(integration, field, MOCK_PASSTHROUGH_BEHAVIOR),
      };
  }
}

/**
 * Whether an integration can key the stage cache by request parameters: a MOCK integration
 * cannot (it has no integration request to map them into).
 *
 * @param integration - The integration (as given or validated).
 */
export function keysCacheByParameters(integration: { type: IntegrationSpec["type"] }): boolean {
  return integration.type !== "MOCK";
}

/** The function of a Lambda integration, and its timeout (defaulted). */
function lambdaTarget(
  integration: { type: string; function: aws.lambda.Function; timeoutMilliseconds?: number },
  field: string,
): { function: aws.lambda.Function; timeoutMilliseconds: number } {
  if (!integration.function) throw new Error(`${field}.function is required for a ${integration.type} integration`);
  const timeout = integration.timeoutMilliseconds ?? INTEGRATION_TIMEOUT_MS.default;
  refuse(integrationTimeoutProblem(timeout, `${field}.timeoutMilliseconds`));
  return { function: integration.function, timeoutMilliseconds: timeout };
}

/** The passthrough behaviour (defaulted) and the integration responses of a mapped integration. */
function mappedResponses(
  integration: { passthroughBehavior?: PassthroughBehavior; responses: IntegrationResponseArgs[] },
  field: string,
  defaultPassthrough: PassthroughBehavior,
): { passthroughBehavior: PassthroughBehavior; responses: IntegrationResponseSpec[] } {
  if (integration.passthroughBehavior !== undefined && !PASSTHROUGH_BEHAVIORS.includes(integration.passthroughBehavior)) {
    throw new Error(`${field}.passthroughBehavior must be WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER (got ${JSON.stringify(integration.passthroughBehavior)})`);
  }
  if (!Array.isArray(integration.responses) || integration.responses.length === 0) {
    throw new Error(`${field}.responses must list at least one integration response`);
  }
  const defaults = integration.responses.filter((r) => r.selectionPattern === undefined || r.selectionPattern === "");
  if (defaults.length !== 1) {
    throw new Error(`${field}.responses must have exactly one default response (no selectionPattern); found ${defaults.length}`);
  }
  const statuses = new Set<string>();
  const responses = integration.responses.map((response, i) => {
    validateResponse(response, `${field}.responses[${i}]`, statuses);
    return {
      statusCode: response.statusCode,
      selectionPattern: response.selectionPattern,
      responseTemplates: response.responseTemplates,
      responseHeaders: response.responseHeaders ?? {},
    };
  });
  return { passthroughBehavior: integration.passthroughBehavior ?? defaultPassthrough, responses };
}

/** Checks one integration response; `statuses` holds the status codes of the ones before it. */
function validateResponse(response: IntegrationResponseArgs, field: string, statuses: Set<string>): void {
  if (typeof response.statusCode !== "string" || !/^[1-5]\d\d$/.test(response.statusCode)) {
    throw new Error(`${field}.statusCode must be a 3-digit HTTP status as a string (got ${JSON.stringify(response.statusCode)})`);
  }
  if (statuses.has(response.statusCode)) {
    throw new Error(`${field}: status ${response.statusCode} is answered twice`);
  }
  statuses.add(response.statusCode);
  if (response.selectionPattern) {
    try {
      new RegExp(response.selectionPattern);
    } catch (err) {
      throw new Error(`${field}.selectionPattern is not a valid regular expression: ${(err as Error).message}`);
    }
  }
}
