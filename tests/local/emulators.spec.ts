import * as net from "node:net";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { LOCAL_CREDENTIALS, dynamoDbEmulatorAt, startDynamoDb, waitForTableActive, type RunningDynamoDb } from "../../local/emulators";

describe("local/emulators: the DynamoDB emulator", () => {
  let dynamodb: RunningDynamoDb;
  let client: DynamoDBClient;

  beforeEach(async () => {
    dynamodb = await startDynamoDb();
    // One attempt: a refused connection must show, not be retried away.
    client = new DynamoDBClient({ endpoint: dynamodb.url, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    await client.send(
      new CreateTableCommand({
        TableName: "things",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await waitForTableActive(client, "things");
    await client.send(new PutItemCommand({ TableName: "things", Item: { id: { S: "a" }, value: { N: "1" } } }));
  });

  afterEach(async () => {
    client.destroy();
    await dynamodb.stop();
  });

  const getA = async () => (await client.send(new GetItemCommand({ TableName: "things", Key: { id: { S: "a" } }, ConsistentRead: true }))).Item;

  it("is found by its URL while it runs, and no longer after stop", async () => {
    expect(dynamoDbEmulatorAt(dynamodb.url)).to.equal(dynamodb);
    expect(dynamoDbEmulatorAt(`${dynamodb.url}/`)).to.equal(dynamodb);
    const other = await startDynamoDb();
    expect(dynamoDbEmulatorAt(other.url)).to.equal(other);
    await other.stop();
    expect(dynamoDbEmulatorAt(other.url)).to.equal(undefined);
    expect(dynamoDbEmulatorAt(dynamodb.url)).to.equal(dynamodb);
  });

  it("pause resets connections (the client's keep-alive one included) and keeps its port; resume serves the same tables and items on the same URL", async () => {
    expect(await getA()).to.deep.equal({ id: { S: "a" }, value: { N: "1" } });
    await dynamodb.pause();
    expect(dynamodb.serving).to.equal(false);
    const failure = await getA().then(
      () => undefined,
      (error: NodeJS.ErrnoException) => error,
    );
    expect(failure, "a request while paused").to.be.instanceOf(Error);
    expect(failure!.code).to.be.oneOf(["ECONNRESET", "EPIPE"]);
    // The port stays taken while paused: nothing else can bind it and spoil the resume.
    const squatter = net.createServer();
    const bindError = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      squatter.once("error", resolve);
      squatter.listen(Number(new URL(dynamodb.url).port), "127.0.0.1", () => squatter.close(() => resolve(undefined)));
    });
    expect(bindError?.code, "binding the paused emulator's port").to.equal("EADDRINUSE");

    await dynamodb.pause(); // twice is fine
    await dynamodb.resume();
    expect(dynamodb.serving).to.equal(true);
    expect(await getA()).to.deep.equal({ id: { S: "a" }, value: { N: "1" } });
    expect((await client.send(new ListTablesCommand({}))).TableNames).to.deep.equal(["things"]);
    await client.send(new PutItemCommand({ TableName: "things", Item: { id: { S: "b" } } }));
    await dynamodb.resume(); // serving already: nothing happens
    expect(dynamodb.serving).to.equal(true);
  });

  it("stop ends it for good, paused or not: resume then fails", async () => {
    await dynamodb.pause();
    await dynamodb.stop();
    expect(dynamodb.serving).to.equal(false);
    let error: Error | undefined;
    await dynamodb.resume().catch((e: Error) => (error = e));
    expect(error?.message).to.equal("the DynamoDB emulator is stopped");
  });
});
