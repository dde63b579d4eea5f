/**
 * The local clouds of the reliability specs. Starting one costs ~5 s (the program runs under
 * the control plane), so the specs share two, each started on first use and stopped once the
 * whole mocha run is over (a root-level `after` hook):
 * - `dev`: the dev stack, configured so that the overload, fault and fuzz specs can all use it;
 * - `behaviour`: the behaviour fixture program (throwing, hanging and malformed-result functions,
 *   passthrough and non-proxy routes).
 * A spec must leave a shared cloud as it found it (an emulator paused by a test is resumed) and
 * must not rely on what another spec did to it (it counts only its own users, deltas of metrics).
 * Also here: what the functions wrote (printed when a test fails), and reads of DynamoDB tables.
 */
import { DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { LOCAL_CREDENTIALS } from "../../local/emulators";
import { startLocal, type LocalCloud, type StartLocalOptions } from "../../local/startLocal";
import { removeDir, stateDirFor } from "../local/integration/httpClient";

/** The behaviour fixture program (see behaviourProgramOutputs.ts for why not the fixture itself). */
export const BEHAVIOUR_PROGRAM = require.resolve("../local/integration/behaviourProgramOutputs");

/** The throttle of POST /users on the shared dev cloud (a stage method setting; POST /users has no usage plan). */
export const USERS_POST_THROTTLE = { rateLimit: 10, burstLimit: 20 };

const SHARED: Record<"dev" | "behaviour", Omit<StartLocalOptions, "stateDir" | "port" | "functionLog">> = {
  dev: {
    stack: "dev",
    configOverrides: {
      // The fuzz properties send sequentially, far below these: a 429 is then never an allowed
      // answer where no method limit applies, so it cannot hide another answer.
      "apigw-kit:stage": { throttle: { rateLimit: 10_000, burstLimit: 5_000 } },
      // The overload spec's limit. An override inherits the stage's caching, which RestApi
      // refuses for a method behind an authorizer (one caller's answer served to another).
      "apigw-kit:methodOverrides": { "users/POST": { throttle: USERS_POST_THROTTLE, caching: { enabled: false } } },
      // An API key in a plan without quota and with limits (1000 rps, burst 2000) no property reaches.
      "apigw-kit:customers": [{ id: "fuzz", tier: "enterprise" }],
    },
  },
  behaviour: { stack: "dev", program: BEHAVIOUR_PROGRAM },
};

/** A running cloud and what its functions wrote. */
export interface ReliabilityCloud {
  cloud: LocalCloud;
  /** The functions' output lines (the last few thousand), `<function name>: <line>`. */
  functionLines: string[];
  /** Prints the last function lines (for a failed test's report). */
  dumpFunctionLines(count?: number): void;
  stop(): Promise<void>;
}

const shared = new Map<string, Promise<ReliabilityCloud>>();

/** The shared cloud of this kind, started on first use. */
export function sharedCloud(kind: "dev" | "behaviour"): Promise<ReliabilityCloud> {
  let cloud = shared.get(kind);
  if (!cloud) {
    cloud = startReliabilityCloud(`reliability-${kind}`, SHARED[kind]);
    // A failed start is not kept: the next spec tries again (and reports its own failure).
    cloud.catch(() => shared.delete(kind));
    shared.set(kind, cloud);
  }
  return cloud;
}

// Root-level: runs once, after every spec of the run.
after(async function () {
  this.timeout(60_000);
  const clouds = [...shared.values()];
  shared.clear();
  for (const cloud of clouds) await (await cloud.catch(() => undefined))?.stop();
});

/** Starts a cloud; `name` names its state directory. */
async function startReliabilityCloud(name: string, options: Omit<StartLocalOptions, "stateDir" | "port" | "functionLog">): Promise<ReliabilityCloud> {
  const stateDir = stateDirFor(name);
  const functionLines: string[] = [];
  const keep = (line: string) => {
    functionLines.push(line);
    if (functionLines.length > 4000) functionLines.splice(0, 2000);
  };
  let cloud: LocalCloud;
  try {
    cloud = await startLocal({ ...options, port: 0, stateDir, functionLog: (fn, line) => keep(`${fn}: ${line}`) });
  } catch (error) {
    removeDir(stateDir);
    throw error;
  }
  return {
    cloud,
    functionLines,
    dumpFunctionLines(count = 40) {
      if (functionLines.length > 0) process.stderr.write(`function output (last ${count} lines):\n  ${functionLines.slice(-count).join("\n  ")}\n`);
    },
    async stop() {
      try {
        await cloud.stop();
      } finally {
        removeDir(stateDir);
      }
    },
  };
}

/** The physical name of the stack's table keyed by `hashKey` (exactly one must exist). */
export function tableKeyedBy(cloud: LocalCloud, hashKey: string): string {
  const tables = cloud.run.graph.ofType("aws:dynamodb/table:Table").filter((t) => t.inputs.hashKey === hashKey);
  if (tables.length !== 1) throw new Error(`expected one table keyed by ${hashKey}, found ${tables.length}`);
  return tables[0].state.name as string;
}

/** An SDK client of the cloud's DynamoDB emulator, as an operator would use against AWS. */
export function dynamoDbClientOf(cloud: LocalCloud): DynamoDBClient {
  return new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
}

/**
 * Every item of a table: Scan pages are followed through `LastEvaluatedKey` (a page stops at
 * 1 MB or `pageSize` items, never at the end of the table). Consistent reads: what was
 * acknowledged must be there. Also answers how many pages it took.
 */
export async function scanAll(client: DynamoDBClient, tableName: string, pageSize = 100): Promise<{ items: Record<string, AttributeValue>[]; pages: number }> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  let pages = 0;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, Limit: pageSize, ExclusiveStartKey: startKey }));
    pages++;
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { items, pages };
}

/** The physical name of the stack's Lambda function whose name starts with `prefix` (exactly one must). */
export function functionNamed(cloud: LocalCloud, prefix: string): string {
  const names = cloud.run.graph.ofType("aws:lambda/function:Function").map((f) => f.state.name as string).filter((n) => n.startsWith(`${prefix}-`));
  if (names.length !== 1) throw new Error(`expected one function named ${prefix}-*, found ${JSON.stringify(names)}`);
  return names[0];
}
