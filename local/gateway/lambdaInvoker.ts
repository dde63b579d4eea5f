import type { InvokeResult } from "../lambda/lambdaRuntime";

/** What the gateways (REST, HTTP API, WebSocket) need of the Lambda runtime. */
export interface LambdaInvoker {
  /**
   * Invokes a function synchronously (RequestResponse).
   *
   * @param nameOrArn - The function's name or ARN (as an integration URI names it).
   * @param event - The event, any JSON value.
   * @param options.timeoutMs - How long the gateway waits (the integration timeout). @default the function's own timeout
   * @param options.traceId - The X-Ray trace header to pass on. @default a new trace
   */
  invoke(nameOrArn: string, event: unknown, options?: { timeoutMs?: number; traceId?: string }): Promise<InvokeResult>;
}
