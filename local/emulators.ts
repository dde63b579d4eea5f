import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type KeySchemaElement,
  type Projection,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
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
 * dynalite server's store, not in its connections).
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

/** Options of {@link startDynamoDb}. */
export interface DynamoDbOptions {
  /**
   * A folder to keep tables and items in (a LevelDB database; created when missing), so that
   * they survive a stop and a start on the same folder. One emulator at a time per folder.
   * @default none: in memory, gone at stop
   */
  dataDir?: string;
}

/**
 * Starts dynalite (DynamoDB) on a free port: in memory, or in `options.dataDir`.
 *
 * @throws Error naming the folder when another emulator (of this process or another) has it open
 */
export async function startDynamoDb(options: DynamoDbOptions = {}): Promise<RunningDynamoDb> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite is an optional peer dependency without type declarations: loaded when DynamoDB is started, not when this module is
  const dynalite = require("dynalite") as (options: object) => net.Server;
  if (options.dataDir !== undefined) await checkDataDirFree(options.dataDir);
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.dataDir !== undefined ? { path: options.dataDir } : {}) });
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
 * Fails early when a LevelDB folder is held by another emulator: dynalite opens its store on
 * the first request, and a store that fails to open there throws out of its request handler,
 * taking the whole process down. The probe opens the store with dynalite's own `level` and
 * closes it again.
 */
async function checkDataDirFree(dataDir: string): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite's own LevelDB binding (a dependency of dynalite, without type declarations here), resolved from dynalite's folder
  const { Level } = require(require.resolve("level", { paths: [path.dirname(require.resolve("dynalite"))] })) as {
    Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const probe = new Level(dataDir);
  try {
    await probe.open();
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new Error(`the DynamoDB emulator cannot open its data folder ${dataDir}: ${cause?.message ?? (err as Error).message}`);
  }
  await probe.close();
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

/** What {@link createTableFromInputs} did: made the table, found it as declared, or made it anew. */
export type TableOutcome = "created" | "kept" | "replaced";

/**
 * Creates an `aws.dynamodb.Table`'s table in the emulator from the resource's inputs (keys,
 * billing, GSIs and LSIs, TTL), under the physical name the control plane answered.
 * Idempotent, as a `pulumi up` of an unchanged program is: a table of that name with the same
 * keys and indexes is kept with its items (a restart on a data folder, a reload in watch
 * mode); one whose keys or indexes differ is deleted and created again, items lost, as a
 * Pulumi replace would. The TTL setting is applied either way.
 *
 * Billing mode and capacity are not compared: AWS updates them in place, and dynalite enforces
 * neither. GSIs too are updated in place on AWS (UpdateTable); the local replace is simpler,
 * at the cost of the items of a table whose GSIs changed.
 *
 * @param endpoint - The emulator's URL.
 * @param region - The SDK client's region.
 * @param tableName - The physical name (at least 3 characters, as DynamoDB requires).
 * @param inputs - The Table resource's inputs.
 * @returns what was done
 */
export async function createTableFromInputs(endpoint: string, region: string, tableName: string, inputs: ProviderProperties): Promise<TableOutcome> {
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    const request = tableRequest(tableName, inputs);
    const existing = await describeTable(client, tableName);
    const outcome: TableOutcome = existing === undefined ? "created" : sameShape(existing, request) ? "kept" : "replaced";
    if (outcome === "replaced") await deleteTable(client, tableName);
    if (outcome !== "kept") await client.send(new CreateTableCommand(request));
    // Pulumi's Table resource is created only once the table is ACTIVE.
    await waitForTableActive(client, tableName);
    await applyTimeToLive(client, tableName, inputs);
    return outcome;
  } finally {
    client.destroy();
  }
}

/**
 * Deletes a table, as for a Table resource that a new version of the program no longer declares.
 *
 * @param endpoint - The emulator's URL.
 * @param region - The SDK client's region.
 * @param tableName - The table's physical name.
 * @returns false when there was no such table
 */
export async function deleteTableIfExists(endpoint: string, region: string, tableName: string): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    if ((await describeTable(client, tableName)) === undefined) return false;
    await deleteTable(client, tableName);
    return true;
  } finally {
    client.destroy();
  }
}

/** CreateTable's request from an `aws.dynamodb.Table`'s inputs. */
function tableRequest(tableName: string, inputs: ProviderProperties): CreateTableCommandInput {
  const keySchema = (hash: string, range?: string) => [
    { AttributeName: hash, KeyType: "HASH" as const },
    ...(range ? [{ AttributeName: range, KeyType: "RANGE" as const }] : []),
  ];
  const provisioned = inputs.billingMode === "PROVISIONED";
  const throughput = (read?: number, write?: number) =>
    provisioned ? { ReadCapacityUnits: read ?? 1, WriteCapacityUnits: write ?? 1 } : undefined;
  return {
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
}

/**
 * The parts of a table that a change of forces a new table: its key schema, the types of its
 * key attributes, its indexes (name, keys, projection). One string, so that a table as
 * described and a table as requested compare with `===`.
 */
function tableShape(table: {
  KeySchema?: KeySchemaElement[];
  AttributeDefinitions?: Array<{ AttributeName?: string; AttributeType?: string }>;
  GlobalSecondaryIndexes?: Array<{ IndexName?: string; KeySchema?: KeySchemaElement[]; Projection?: Projection }>;
  LocalSecondaryIndexes?: Array<{ IndexName?: string; KeySchema?: KeySchemaElement[]; Projection?: Projection }>;
}): string {
  const keys = (schema: KeySchemaElement[] = []) => schema.map((k) => `${k.KeyType}:${k.AttributeName}`).join(",");
  const keyAttributes = new Set<string>();
  for (const schema of [table.KeySchema, ...[...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])].map((i) => i.KeySchema)]) {
    for (const key of schema ?? []) if (key.AttributeName) keyAttributes.add(key.AttributeName);
  }
  const types = (table.AttributeDefinitions ?? [])
    .filter((a) => a.AttributeName !== undefined && keyAttributes.has(a.AttributeName))
    .map((a) => `${a.AttributeName}:${a.AttributeType}`)
    .sort();
  const indexes = (list: Array<{ IndexName?: string; KeySchema?: KeySchemaElement[]; Projection?: Projection }> = []) =>
    list
      .map((i) => `${i.IndexName}(${keys(i.KeySchema)};${i.Projection?.ProjectionType ?? "ALL"};${[...(i.Projection?.NonKeyAttributes ?? [])].sort().join(",")})`)
      .sort();
  return JSON.stringify({ keys: keys(table.KeySchema), types, gsi: indexes(table.GlobalSecondaryIndexes), lsi: indexes(table.LocalSecondaryIndexes) });
}

function sameShape(existing: TableDescription, request: CreateTableCommandInput): boolean {
  return tableShape(existing) === tableShape(request);
}

/** The table's description; undefined when there is no such table. */
async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

/** Deletes a table and waits until it is gone (DeleteTable answers while it is DELETING). */
async function deleteTable(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  const deadline = Date.now() + timeoutMs;
  while ((await describeTable(client, tableName)) !== undefined) {
    if (Date.now() > deadline) throw new Error(`table ${tableName} is still there ${timeoutMs} ms after DeleteTable`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function applyTimeToLive(client: DynamoDBClient, tableName: string, inputs: ProviderProperties): Promise<void> {
  if (!inputs.ttl?.enabled || !inputs.ttl.attributeName) return;
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: inputs.ttl.attributeName } }));
  } catch {
    // dynalite has no TTL API; expiry is not emulated, the attribute is still written.
  }
}
