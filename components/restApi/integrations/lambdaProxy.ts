/** LAMBDA_PROXY: API Gateway's AWS_PROXY; the function receives the whole request and answers it. */
import type { LambdaProxyIntegrationSpec } from "../spec";
import { lambdaInvocation } from "./shared";
import type { IntegrationRenderer } from "./types";

/** Renders a Lambda proxy integration. */
export const lambdaProxy: IntegrationRenderer<LambdaProxyIntegrationSpec> = {
  request: (integration) => ({ type: "AWS_PROXY", ...lambdaInvocation(integration) }),
  invokedFunction: (integration) => integration.function,
  // A proxy integration answers with its own status and headers; the method response only has
  // to exist for the console and SDK generation.
  responses: () => [{ statusCode: "200" }],
};
