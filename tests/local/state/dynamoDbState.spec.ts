import * as path from "node:path";
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import type { ProviderProperties } from "../../../local/controlPlane";
import { LOCAL_CREDENTIALS, createTableFromInputs, deleteTableIfExists, startDynamoDb, type RunningDynamoDb } from "../../../local/emulators";
import { expectRejection } from "../../functions/expectRejection";
import { temporaryStateDir } from "./stateFolder";

const REGION = "us-east-1";
const TABLE = "orders-1a2b3c4";
const ORDERS: ProviderProperties = {
  hashKey: "pk",
  rangeKey: "sk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
    { name: "customer", type: "S" },
  ],
  globalSecondaryIndexes: [{ name: "byCustomer", hashKey: "customer", projectionType: "ALL" }],
  ttl: { enabled: true, attributeName: "expiresAt" },
};
const ITEM = { pk: { S: "order#1" }, sk: { S: "v0" }, customer: { S: "ada" } };

describe("local state: DynamoDB tables and items", () => {
  let state: ReturnType<typeof temporaryStateDir>;
  let dynamodb: RunningDynamoDb | undefined;
  let client: DynamoDBClient | undefined;

  const start = async (dataDir?: string) => {
    client?.destroy();
    await dynamodb?.stop();
    dynamodb = await startDynamoDb({ dataDir });
    client = new DynamoDBClient({ endpoint: dynamodb.url, region: REGION, credentials: LOCAL_CREDENTIALS });
  };
  const create = (inputs: ProviderProperties, name = TABLE) => createTableFromInputs(dynamodb!.url, REGION, name, inputs);
  const put = () => client!.send(new PutItemCommand({ TableName: TABLE, Item: ITEM }));
  const get = async () => (await client!.send(new GetItemCommand({ TableName: TABLE, Key: { pk: ITEM.pk, sk: ITEM.sk }, ConsistentRead: true }))).Item;

  beforeEach(() => {
    state = temporaryStateDir("dynamodb");
  });

  afterEach(async () => {
    client?.destroy();
    await dynamodb?.stop();
    client = dynamodb = undefined;
    state.remove();
  });

  it("keeps tables and items across a stop and a start on the same data folder", async () => {
    const dataDir = path.join(state.dir, "dynamodb");
    await start(dataDir);
    expect(await create(ORDERS)).to.equal("created");
    await put();
    await start(dataDir);
    expect(await get()).to.deep.equal(ITEM);
    expect(await create(ORDERS), "the program run again after the restart").to.equal("kept");
    expect(await get()).to.deep.equal(ITEM);
  });

  it("starts empty on another folder, and in memory without one", async () => {
    await start(path.join(state.dir, "one"));
    await create(ORDERS);
    await put();
    await start(path.join(state.dir, "two"));
    expect(await create(ORDERS)).to.equal("created");
    expect(await get()).to.equal(undefined);
    await start();
    expect(await create(ORDERS)).to.equal("created");
    expect(await get()).to.equal(undefined);
  });

  it("keeps a table declared again in the same process (a watch-mode reload), in memory too", async () => {
    await start();
    expect(await create(ORDERS)).to.equal("created");
    await put();
    // Billing is updated in place on AWS: no reason to lose the items.
    expect(await create({ ...ORDERS, billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 })).to.equal("kept");
    expect(await create({ ...ORDERS, globalSecondaryIndexes: [{ ...ORDERS.globalSecondaryIndexes[0] }] })).to.equal("kept");
    expect(await get()).to.deep.equal(ITEM);
  });

  it("replaces a table whose key schema changed: the new keys, no items", async () => {
    await start(path.join(state.dir, "dynamodb"));
    await create(ORDERS);
    await put();
    const byPkOnly = { ...ORDERS, rangeKey: undefined, attributes: ORDERS.attributes.filter((a: { name: string }) => a.name !== "sk") };
    expect(await create(byPkOnly)).to.equal("replaced");
    const { Table } = await client!.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.KeySchema).to.deep.equal([{ AttributeName: "pk", KeyType: "HASH" }]);
    expect(Table?.TableStatus).to.equal("ACTIVE");
    expect((await client!.send(new GetItemCommand({ TableName: TABLE, Key: { pk: ITEM.pk } }))).Item).to.equal(undefined);
  });

  it("replaces a table whose indexes changed (a GSI added, a key type changed, an LSI added)", async () => {
    await start();
    await create(ORDERS);
    const withStatus = {
      ...ORDERS,
      attributes: [...ORDERS.attributes, { name: "status", type: "S" }],
      globalSecondaryIndexes: [...ORDERS.globalSecondaryIndexes, { name: "byStatus", hashKey: "status", projectionType: "KEYS_ONLY" }],
    };
    expect(await create(withStatus)).to.equal("replaced");
    expect(await create(withStatus)).to.equal("kept");
    const numericSort = { ...withStatus, attributes: withStatus.attributes.map((a: { name: string; type: string }) => (a.name === "sk" ? { ...a, type: "N" } : a)) };
    expect(await create(numericSort)).to.equal("replaced");
    expect(await create({ ...numericSort, localSecondaryIndexes: [{ name: "byStatusLocal", rangeKey: "status", projectionType: "ALL" }] })).to.equal("replaced");
  });

  it("deletes a table a new program no longer declares, and says whether there was one", async () => {
    await start(path.join(state.dir, "dynamodb"));
    await create(ORDERS);
    expect(await deleteTableIfExists(dynamodb!.url, REGION, TABLE)).to.equal(true);
    expect(await deleteTableIfExists(dynamodb!.url, REGION, TABLE)).to.equal(false);
    expect(await create(ORDERS)).to.equal("created");
  });

  it("still refuses a table name shorter than 3 characters, with DynamoDB's message", async () => {
    await start();
    const error = await expectRejection(create(ORDERS, "ab"));
    expect(error.name).to.equal("ValidationException");
    expect(error.message).to.equal("TableName must be at least 3 characters long and at most 255 characters long");
  });

  it("refuses a data folder another emulator holds, naming it, and leaves the first one serving", async () => {
    const dataDir = path.join(state.dir, "dynamodb");
    await start(dataDir);
    await create(ORDERS);
    const error = await expectRejection(startDynamoDb({ dataDir }));
    expect(error.message).to.match(new RegExp(`^the DynamoDB emulator cannot open its data folder ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*lock`));
    await put();
    expect(await get()).to.deep.equal(ITEM);
  });
});
