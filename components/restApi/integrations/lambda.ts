/** LAMBDA: API Gateway's AWS (non-proxy) integration, requests and responses mapped by templates. */
import type { LambdaIntegrationSpec } from "../spec";
import { lambdaInvocation, mappedCacheKeys, mappedResponses } from "./shared";
import type { IntegrationRenderer } from "./types";

/** Renders a Lambda (non-proxy) integration. */
export const lambda: IntegrationRenderer<LambdaIntegrationSpec> = {
  request: (integration, cacheKeys) => ({
    type: "AWS",
    ...lambdaInvocation(integration),
    requestTemplates: integration.requestTemplates,
    passthroughBehavior: integration.passthroughBehavior,
    requestParameters: mappedCacheKeys(cacheKeys),
  }),
  invokedFunction: (integration) => integration.function,
  responses: (integration, cors) => mappedResponses(integration.responses, cors),
};
