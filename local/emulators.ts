import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** A service emulator listening on 127.0.0.1. */
export interface RunningEmulator {
  url: string;
  stop(): Promise<void>;
}

/** Dummy credentials: the emulators accept any, the SDK insists on some. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** Starts dynalite (DynamoDB, in memory) on a free port. */
export async function startDynamoDb(): Promise<RunningEmulator> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dynalite = require("dynalite") as (options: object) => import("node:net").Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Creates an `aws.dynamodb.Table`'s table in the emulator from the resource's inputs (keys,
 * billing, GSIs and LSIs, TTL), under the physical name the control plane answered.
 */
export async function createTableFromInputs(endpoint: string, region: string, tableName: string, inputs: Record<string, any>): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    const keySchema = (hash: string, range?: string) => [
      { AttributeName: hash, KeyType: "HASH" as const },
      ...(range ? [{ AttributeName: range, KeyType: "RANGE" as const }] : []),
    ];
    const provisioned = inputs.billingMode === "PROVISIONED";
    const throughput = (read?: number, write?: number) =>
      provisioned ? { ReadCapacityUnits: read ?? 1, WriteCapacityUnits: write ?? 1 } : undefined;
    const command: CreateTableCommandInput = {
      TableName: tableName,
      AttributeDefinitions: (inputs.attributes ?? []).map((a: { name: string; type: string }) => ({ AttributeName: a.name, AttributeType: a.type })),
      KeySchema: keySchema(inputs.hashKey, inputs.rangeKey),
      BillingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
      ProvisionedThroughput: throughput(inputs.readCapacity, inputs.writeCapacity),
      GlobalSecondaryIndexes: inputs.globalSecondaryIndexes?.length
        ? inputs.globalSecondaryIndexes.map((g: any) => ({
            IndexName: g.name,
            KeySchema: keySchema(g.hashKey, g.rangeKey),
            Projection: { ProjectionType: g.projectionType ?? "ALL", NonKeyAttributes: g.nonKeyAttributes },
            ProvisionedThroughput: throughput(g.readCapacity, g.writeCapacity),
          }))
        : undefined,
      LocalSecondaryIndexes: inputs.localSecondaryIndexes?.length
        ? inputs.localSecondaryIndexes.map((l: any) => ({
            IndexName: l.name,
            KeySchema: keySchema(inputs.hashKey, l.rangeKey),
            Projection: { ProjectionType: l.projectionType ?? "ALL", NonKeyAttributes: l.nonKeyAttributes },
          }))
        : undefined,
    };
    await client.send(new CreateTableCommand(command));
    if (inputs.ttl?.enabled && inputs.ttl.attributeName) {
      try {
        await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: inputs.ttl.attributeName } }));
      } catch {
        // dynalite has no TTL API; expiry is not emulated, the attribute is still written.
      }
    }
  } finally {
    client.destroy();
  }
}
