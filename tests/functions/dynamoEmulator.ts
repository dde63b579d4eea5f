import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { waitForTableActive } from "../../local/emulators";

export interface DynamoEmulator {
  /** `http://127.0.0.1:<port>`; also in `AWS_ENDPOINT_URL_DYNAMODB` while running. */
  endpoint: string;
  /** A fresh table, hash key `id` (S), PAY_PER_REQUEST. */
  tableName: string;
  /** A low-level client on the emulator, for checking what the handlers really stored. */
  client: DynamoDBClient;
  /** Closes the server and restores the environment variables it set. */
  stop(): Promise<void>;
}

const ENV_NAMES = [
  "AWS_ENDPOINT_URL_DYNAMODB",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/**
 * Starts dynalite in-process (in-memory LevelDB) on a free port of 127.0.0.1 and points the
 * AWS SDK at it through `AWS_ENDPOINT_URL_DYNAMODB`, which SDK v3 clients honour by
 * themselves, so handlers need no endpoint option.
 */
export async function startDynamoEmulator(): Promise<DynamoEmulator> {
  // dynalite ships no types; it returns a plain node:http Server.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite ships no type declarations (an import would be an implicit any)
  const dynalite = require("dynalite") as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;

  const savedEnv = new Map(ENV_NAMES.map((name) => [name, process.env[name]]));
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  process.env.AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  delete process.env.AWS_SESSION_TOKEN;

  const client = new DynamoDBClient({});
  const tableName = `users-${randomUUID()}`;
  const stop = async () => {
    client.destroy();
    // Handlers' own clients keep idle keep-alive sockets open; close them with the server.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };

  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await waitForTableActive(client, tableName);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, tableName, client, stop };
}
