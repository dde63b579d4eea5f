import { performance } from "node:perf_hooks";
import { GatewayError } from "../gatewayError";
import type { RestInvocation } from "../invocation";
import { invokeLambda, invokeLambdaProxy } from "../integrations/lambda";
import { sendHttpIntegrationRequest } from "../integrations/httpIntegration";
import { answerMock } from "../integrations/mock";
import { invokeDynamoDbIntegration } from "../integrations/dynamoDbIntegration";
import type { AwsIntegrationTarget } from "../restApiModel";
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
        if (integration.awsTarget?.kind === "dynamodb") return await callDynamoDb(inv, integration.awsTarget, stage);
        return await invokeLambda(inv, integration, stage);
      case "MOCK":
        return answerMock(inv);
      case "HTTP":
      case "HTTP_PROXY":
        inv.endpointResponse = await sendHttpIntegrationRequest(inv.integrationRequest!, { timeoutMs: integration.timeoutMs });
        return;
      default:
        throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: ${integration.type} integrations are not served`);
    }
  } finally {
    inv.integrationLatencyMs = performance.now() - started;
  }
}

/** A DynamoDB service integration, served by the DynamoDB emulator. */
async function callDynamoDb(inv: RestInvocation, target: Extract<AwsIntegrationTarget, { kind: "dynamodb" }>, stage: StageRuntime): Promise<void> {
  const endpoint = stage.options.dynamoDbEndpoint;
  if (!endpoint) throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: no DynamoDB emulator to serve ${target.action}`);
  inv.endpointResponse = await invokeDynamoDbIntegration(inv.integrationRequest!, {
    endpoint,
    action: target.action,
    region: target.region,
    send: { timeoutMs: inv.method!.integration!.timeoutMs },
  });
}
