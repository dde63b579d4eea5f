/** The renderer of each kind of integration, looked up by the integration's `type`. */
import type * as aws from "@pulumi/aws";
import type { IntegrationSpec, IntegrationType } from "../spec";
import { lambda } from "./lambda";
import { lambdaProxy } from "./lambdaProxy";
import { mock } from "./mock";
import type { IntegrationRenderer } from "./types";

export type { IntegrationRenderer, IntegrationRequest } from "./types";

const RENDERERS: { [T in IntegrationType]: IntegrationRenderer<Extract<IntegrationSpec, { type: T }>> } = {
  LAMBDA_PROXY: lambdaProxy,
  LAMBDA: lambda,
  MOCK: mock,
};

/**
 * The renderer of an integration's type.
 *
 * @param integration - A validated integration.
 */
export function rendererOf(integration: IntegrationSpec): IntegrationRenderer<IntegrationSpec> {
  return RENDERERS[integration.type];
}

/**
 * The Lambda function an integration invokes; undefined for none (MOCK).
 *
 * @param integration - A validated integration.
 */
export function invokedFunction(integration: IntegrationSpec): aws.lambda.Function | undefined {
  return rendererOf(integration).invokedFunction(integration);
}
