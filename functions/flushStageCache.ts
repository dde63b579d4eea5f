import { APIGatewayClient, FlushStageCacheCommand } from "@aws-sdk/client-api-gateway";

export interface FlushStageCacheOptions {
  /** @default the `REST_API_ID` environment variable (required when not given) */
  restApiId?: string;
  /** @default the `STAGE_NAME` environment variable (required when not given) */
  stageName?: string;
  /** @default an APIGatewayClient created once per container */
  client?: APIGatewayClient;
}

/** What a flush answers: the stage emptied and API Gateway's request id. */
export interface FlushStageCacheResult {
  flushed: true;
  restApiId: string;
  stageName: string;
  requestId?: string;
}

/**
 * Empties the stage cache of one REST API stage (FlushStageCache), for operators and for
 * jobs that change data behind cached GETs. Invoke it with any event: the stage is fixed by
 * the environment, so the function's role needs `apigateway:DELETE` on that stage's
 * `/cache/data` only.
 *
 * Reads `REST_API_ID`, `STAGE_NAME`.
 */
export function createFlushStageCacheHandler(options: FlushStageCacheOptions = {}) {
  const restApiId = options.restApiId ?? requiredEnv("REST_API_ID");
  const stageName = options.stageName ?? requiredEnv("STAGE_NAME");
  const client = options.client ?? new APIGatewayClient({});

  return async (_event?: unknown, _context?: unknown): Promise<FlushStageCacheResult> => {
    const output = await client.send(new FlushStageCacheCommand({ restApiId, stageName }));
    return { flushed: true, restApiId, stageName, requestId: output.$metadata.requestId };
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the flush function needs the REST API id and stage it flushes`);
  return value;
}
