import { performance } from "node:perf_hooks";
import { GatewayError } from "../gatewayError";
import type { RestInvocation } from "../invocation";
import { invokeLambda, invokeLambdaProxy } from "../integrations/lambda";
import { sendHttpIntegrationRequest } from "../integrations/httpIntegration";
import { answerMock } from "../integrations/mock";
import { invokeDynamoDbIntegration } from "../integrations/dynamoDbIntegration";
import type { AwsIntegrationTarget, IntegrationModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";

/**
 * Step 8, integrate: sends the integration request to the integration's endpoint and keeps
 * what it answered (`endpointResponse`), timing it (`$context.integrationLatency`).
 *
 * @param inv - The invocation, with its integration request (or Lambda proxy event).
 * @param stage - The stage being served.
 */
export function integrate(inv: RestInvocation, stage: StageRuntime): Promise<void> | void {
  const integration = inv.method!.integration!;
  const started = performance.now();
  const done = () => {
    inv.integrationLatencyMs = performance.now() - started;
  };
  // A MOCK answers at once: no promise.
  if (integration.type === "MOCK") {
    try {
      return answerMock(inv);
    } finally {
      done();
    }
  }
  return callEndpoint(inv, integration, stage).finally(done);
}

/** The integrations that call an endpoint: Lambda, HTTP, DynamoDB. */
async function callEndpoint(inv: RestInvocation, integration: IntegrationModel, stage: StageRuntime): Promise<void> {
  switch (integration.type) {
    case "AWS_PROXY":
      return invokeLambdaProxy(inv, integration, stage);
    case "AWS":
      if (integration.awsTarget?.kind === "dynamodb") return callDynamoDb(inv, integration.awsTarget, stage);
      return invokeLambda(inv, integration, stage);
    case "HTTP":
    case "HTTP_PROXY":
      inv.endpointResponse = await sendHttpIntegrationRequest(inv.integrationRequest!, { timeoutMs: integration.timeoutMs });
      return;
    default:
      throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: ${integration.type as string} integrations are not served`);
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
