import { expect } from "chai";
import { APIGatewayClient, NotFoundException } from "@aws-sdk/client-api-gateway";
import { createFlushStageCacheHandler } from "../../functions/flushStageCache";
import { startApiGatewayManagement, type LocalApiGatewayManagement } from "../../local/apiGatewayManagement";
import { LOCAL_CREDENTIALS } from "../../local/emulators";
import { expectRejection } from "./expectRejection";
import { withEnv } from "./withEnv";

describe("functions/flushStageCache", () => {
  let endpoint: LocalApiGatewayManagement;
  const flushed: string[] = [];
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    endpoint = await startApiGatewayManagement({ flush: (apiId, stage) => apiId === "a1b2c3d4e5" && stage === "dev" && flushed.push(`${apiId}/${stage}`) > 0 });
    // As the local cloud runs functions: region, credentials and the endpoint from the
    // environment. The SDK resolves them at the first call, so they stay set for the suite.
    const env = {
      AWS_ENDPOINT_URL_API_GATEWAY: endpoint.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await endpoint?.stop();
  });

  beforeEach(() => (flushed.length = 0));

  it("flushes the stage named by REST_API_ID / STAGE_NAME through AWS_ENDPOINT_URL_API_GATEWAY", async () => {
    const handler = withEnv({ REST_API_ID: "a1b2c3d4e5", STAGE_NAME: "dev" }, () => createFlushStageCacheHandler());
    const result = await handler({}, {});
    expect(result).to.deep.include({ flushed: true, restApiId: "a1b2c3d4e5", stageName: "dev" });
    expect(result.requestId).to.match(/^[0-9a-f-]{36}$/);
    expect(flushed).to.deep.equal(["a1b2c3d4e5/dev"]);
    await handler({}, {});
    expect(flushed).to.have.length(2);
  });

  it("sends every invocation through the one client given to (or made by) the factory", async () => {
    let sent = 0;
    const client = new APIGatewayClient({});
    const send = client.send.bind(client);
    client.send = ((...args: Parameters<typeof send>) => {
      sent++;
      return send(...args);
    }) as typeof client.send;
    const handler = createFlushStageCacheHandler({ restApiId: "a1b2c3d4e5", stageName: "dev", client });
    await handler();
    await handler();
    expect(sent).to.equal(2);
    expect(flushed).to.have.length(2);
    client.destroy();
  });

  it("fails the invocation with API Gateway's NotFoundException for a stage that does not exist", async () => {
    const handler = createFlushStageCacheHandler({ restApiId: "a1b2c3d4e5", stageName: "prod" });
    const error = await expectRejection(handler({}, {}));
    expect(error).to.be.instanceOf(NotFoundException);
    expect(error.message).to.equal("Invalid stage identifier specified");
    expect(flushed).to.deep.equal([]);
  });

  it("refuses to start without REST_API_ID or STAGE_NAME, naming the variable", () => {
    expect(() => withEnv({ REST_API_ID: undefined, STAGE_NAME: "dev" }, () => createFlushStageCacheHandler())).to.throw(
      "REST_API_ID is not set: the flush function needs the REST API id and stage it flushes",
    );
    expect(() => withEnv({ REST_API_ID: "a1b2c3d4e5", STAGE_NAME: "" }, () => createFlushStageCacheHandler())).to.throw(/^STAGE_NAME is not set/);
  });
});
