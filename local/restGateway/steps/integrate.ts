import { performance } from "node:perf_hooks";
import { GatewayError } from "../gatewayError";
import type { RestInvocation } from "../invocation";
import { invokeLambda, invokeLambdaProxy } from "../integrations/lambda";
import { answerMock } from "../integrations/mock";
import type { StageRuntime } from "../stageRuntime";

/**
 * Step 8, integrate: sends the integration request to the integration's endpoint and keeps
 * what it answered (`endpointResponse`), timing it (`$context.integrationLatency`).
 *
 * @param inv - The invocation, with its integration request (or Lambda proxy event).
 * @param stage - The stage being served.
 */
export async function integrate(inv: RestInvocation, stage: StageRuntime): Promise<void> {
  const integration = inv.method!.integration!;
  const started = performance.now();
  try {
    switch (integration.type) {
      case "AWS_PROXY":
        return await invokeLambdaProxy(inv, integration, stage);
      case "AWS":
        return await invokeLambda(inv, integration, stage);
      case "MOCK":
        return answerMock(inv);
      default:
        throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: ${integration.type} integrations are not served`);
    }
  } finally {
    inv.integrationLatencyMs = performance.now() - started;
  }
}
