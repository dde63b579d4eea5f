/** MOCK: API Gateway answers from templates without calling a backend. */
import type { MockIntegrationSpec } from "../spec";
import { mappedResponses } from "./shared";
import type { IntegrationRenderer } from "./types";

/** Renders a MOCK integration. It takes no cache key parameters (validation refuses them). */
export const mock: IntegrationRenderer<MockIntegrationSpec> = {
  request: (integration) => ({
    type: "MOCK",
    requestTemplates: integration.requestTemplates,
    passthroughBehavior: integration.passthroughBehavior,
  }),
  invokedFunction: () => undefined,
  responses: (integration, cors) => mappedResponses(integration.responses, cors),
};
