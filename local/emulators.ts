import * as net from "node:net";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { ProviderProperties, ProviderValue } from "./controlPlane";

/** A service emulator listening on 127.0.0.1. */
export interface RunningEmulator {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves an HTTP service of the local cloud on 127.0.0.1, on a free port; `stop` cuts its
 * keep-alive connections too, so stopping never waits for an idle client.
 */
export async function serveOnLoopback(server: Server): Promise<RunningEmulator> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Dummy credentials: the emulators accept any, the SDK insists on some. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * The DynamoDB emulator, which can also go down and come back as a regional outage does:
 * {@link RunningDynamoDb.pause} and {@link RunningDynamoDb.resume} take the endpoint away and
 * bring it back on the same URL, with every table and item still there (they live in the
 * dynalite server's memory, not in its connections).
 */
export interface RunningDynamoDb extends RunningEmulator {
  /** False while paused (and after stop). */
  readonly serving: boolean;
  /**
   * Stops answering: every open connection is reset, and so is every new one while paused, so
   * requests fail with ECONNRESET. Tables and items are kept. Does nothing when already paused.
   *
   * The listener keeps its port while paused (it resets rather than refuses): a port given
   * up could be taken by any outgoing connection on the machine meanwhile (listening ports
   * and outgoing ones come from the same ephemeral range), and the resume would fail.
   */
  pause(): Promise<void>;
  /** Answers again on the same URL; clients reconnect on their next request. Does nothing when serving. */
  resume(): Promise<void>;
}

/** Running DynamoDB emulators by URL, so that a test holding a cloud's `endpoints.dynamodb` can reach its emulator. */
const runningDynamoDbs = new Map<string, RunningDynamoDb>();

/** The running DynamoDB emulator serving `url` (a local cloud's `endpoints.dynamodb`), if any. */
export function dynamoDbEmulatorAt(url: string): RunningDynamoDb | undefined {
  return runningDynamoDbs.get(url.replace(/\/+$/, ""));
}

/** Starts dynalite (DynamoDB, in memory) on a free port. */
export async function startDynamoDb(): Promise<RunningDynamoDb> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite is an optional peer dependency without type declarations: loaded when DynamoDB is started, not when this module is
  const dynalite = require("dynalite") as (options: object) => net.Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let state: "serving" | "paused" | "stopped" = "serving";
  // Open connections, so that a pause can cut them: close() alone only stops accepting new ones,
  // and an SDK client's keep-alive connection would go on being answered. While paused, a new
  // connection is reset as soon as it is accepted (before dynalite reads a byte of it).
  const sockets = new Set<net.Socket>();
  server.prependListener("connection", (socket: net.Socket) => {
    if (state === "paused") {
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const cutConnections = () => {
    for (const socket of sockets) socket.resetAndDestroy();
  };
  const closeForGood = () =>
    new Promise<void>((resolve) => {
      // dynalite replaces the server's close() with one that also closes its store.
      server.close(() => resolve());
      cutConnections();
    });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: Error) => reject(new Error(`the DynamoDB emulator cannot listen on 127.0.0.1: ${error.message}`)));
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  // Pauses, resumes and the stop run one after the other, each from the state the last left.
  let last: Promise<unknown> = Promise.resolve();
  const serialized = (step: () => Promise<void>): Promise<void> => {
    const next = last.then(step);
    last = next.catch(() => undefined);
    return next;
  };
  const emulator: RunningDynamoDb = {
    url,
    get serving() {
      return state === "serving";
    },
    pause: () =>
      serialized(async () => {
        if (state !== "serving") return;
        state = "paused";
        cutConnections();
      }),
    resume: () =>
      serialized(async () => {
        if (state === "stopped") throw new Error("the DynamoDB emulator is stopped");
        state = "serving";
      }),
    stop: () =>
      serialized(async () => {
        runningDynamoDbs.delete(url);
        const wasListening = state !== "stopped";
        state = "stopped";
        if (wasListening) await closeForGood();
      }),
  };
  runningDynamoDbs.set(url, emulator);
  return emulator;
}

/**
 * Waits until a table is ACTIVE. CreateTable answers while the table is CREATING, as on AWS:
 * even with `createTableMs: 0`, dynalite flips it to ACTIVE on a later tick, and a write in
 * between fails with ResourceNotFoundException.
 */
export async function waitForTableActive(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is still ${Table?.TableStatus} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Creates an `aws.dynamodb.Table`'s table in the emulator from the resource's inputs (keys,
 * billing, GSIs and LSIs, TTL), under the physical name the control plane answered.
 */
export async function createTableFromInputs(endpoint: string, region: string, tableName: string, inputs: ProviderProperties): Promise<void> {
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
        ? inputs.globalSecondaryIndexes.map((g: ProviderValue) => ({
            IndexName: g.name,
            KeySchema: keySchema(g.hashKey, g.rangeKey),
            Projection: { ProjectionType: g.projectionType ?? "ALL", NonKeyAttributes: g.nonKeyAttributes },
            ProvisionedThroughput: throughput(g.readCapacity, g.writeCapacity),
          }))
        : undefined,
      LocalSecondaryIndexes: inputs.localSecondaryIndexes?.length
        ? inputs.localSecondaryIndexes.map((l: ProviderValue) => ({
            IndexName: l.name,
            KeySchema: keySchema(inputs.hashKey, l.rangeKey),
            Projection: { ProjectionType: l.projectionType ?? "ALL", NonKeyAttributes: l.nonKeyAttributes },
          }))
        : undefined,
    };
    await client.send(new CreateTableCommand(command));
    // Pulumi's Table resource is created only once the table is ACTIVE.
    await waitForTableActive(client, tableName);
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
