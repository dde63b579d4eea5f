import { expect } from "chai";
import { ResourceGraph, type RecordedResource } from "../../../local/controlPlane";
import { createTableFromInputs, startDynamoDb, type RunningDynamoDb } from "../../../local/emulators";
import { GatewayError } from "../../../local/restGateway/gatewayError";
import { dynamoDbHttpRequest, invokeDynamoDbIntegration, type DynamoDbIntegrationOptions } from "../../../local/restGateway/integrations/dynamoDbIntegration";
import type { EndpointResponse, IntegrationRequest } from "../../../local/restGateway/integrations/integrationTypes";
import { renderMappingTemplate } from "../../../local/restGateway/mappingTemplate";
import { restApiModels } from "../../../local/restGateway/restApiModel";

const REGION = "us-east-1";
const TABLE = "things-table";

/** The request templates of LocalStack's test_rest_api_to_dynamodb_integration (recorded against AWS). */
const TEMPLATES: Record<string, string> = {
  PutItem: JSON.stringify({ TableName: TABLE, Item: { id: { S: "$input.params('id')" } } }),
  Query: JSON.stringify({ TableName: TABLE, KeyConditionExpression: "id = :id", ExpressionAttributeValues: { ":id": { S: "$input.params('id')" } } }),
  GetItem: JSON.stringify({ TableName: TABLE, Key: { id: { S: "$input.params('id')" } } }),
  Scan: JSON.stringify({ TableName: TABLE }),
};

/** The integration request the chain would build: POST, body rendered by the action's template for `?id=<id>`. */
function integrationRequest(action: string, id = ""): IntegrationRequest {
  const body = renderMappingTemplate(TEMPLATES[action], { body: "", params: { path: {}, querystring: { id }, header: {} }, context: {} }).output;
  return { httpMethod: "POST", uri: `arn:aws:apigateway:${REGION}:dynamodb:action/${action}`, query: [], headers: [], body: Buffer.from(body) };
}

function header(response: EndpointResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

describe("DynamoDB integrations (REST, AWS service)", () => {
  let dynamodb: RunningDynamoDb;
  const options = (action: string): DynamoDbIntegrationOptions => ({ endpoint: dynamodb.url, action, region: REGION, send: { timeoutMs: 5000 } });
  const invoke = async (action: string, id?: string) => {
    const response = await invokeDynamoDbIntegration(integrationRequest(action, id), options(action));
    return { response, json: JSON.parse(response.body.toString()) as Record<string, unknown> };
  };

  before(async () => {
    dynamodb = await startDynamoDb();
    await createTableFromInputs(dynamodb.url, REGION, TABLE, { hashKey: "id", attributes: [{ name: "id", type: "S" }] });
  });
  after(() => dynamodb.stop());

  it("PutItem answers 200 {} and the item is there for GetItem, Query and Scan, as recorded", async () => {
    for (const id of ["test", "test2", "test 3"]) await invoke("PutItem", id);
    const put = await invoke("PutItem", "test-new");
    expect(put.response.statusCode).to.equal(200);
    expect(put.json).to.deep.equal({});

    const got = await invoke("GetItem", "test-new");
    expect(got.json).to.deep.equal({ Item: { id: { S: "test-new" } } });

    // [recorded: result-test 3, result-invalid]
    expect((await invoke("Query", "test 3")).json).to.deep.equal({ Count: 1, Items: [{ id: { S: "test 3" } }], ScannedCount: 1 });
    expect((await invoke("Query", "test-invalid")).json).to.deep.equal({ Count: 0, Items: [], ScannedCount: 0 });

    const scan = (await invoke("Scan")).json as { Count: number; Items: Array<{ id: { S: string } }> };
    expect(scan.Count).to.equal(4);
    expect(scan.Items.map((item) => item.id.S).sort()).to.deep.equal(["test", "test 3", "test-new", "test2"]);
  });

  it("returns DynamoDB's own headers (its content type, request id, CRC32) for the integration response to map", async () => {
    const { response } = await invoke("GetItem", "test");
    expect(header(response, "content-type")).to.equal("application/x-amz-json-1.0");
    expect(header(response, "x-amzn-RequestId")).to.match(/^[A-Z0-9]{52}$/);
    expect(header(response, "x-amz-crc32")).to.match(/^\d+$/);
  });

  it("passes DynamoDB's errors through as endpoint responses (4xx with __type), not gateway errors", async () => {
    const missingTable = await invokeDynamoDbIntegration(
      { ...integrationRequest("GetItem", "x"), body: Buffer.from(JSON.stringify({ TableName: "no-such-table", Key: { id: { S: "x" } } })) },
      options("GetItem"),
    );
    expect(missingTable.statusCode).to.equal(400);
    expect(JSON.parse(missingTable.body.toString()).__type).to.equal("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");

    const notJson = await invokeDynamoDbIntegration({ ...integrationRequest("GetItem"), body: Buffer.from("not json") }, options("GetItem"));
    expect(notJson.statusCode).to.equal(400);
    expect(JSON.parse(notJson.body.toString()).__type).to.equal("com.amazon.coral.service#SerializationException");

    const unknownAction = await invokeDynamoDbIntegration(integrationRequest("Scan"), { ...options("Frobnicate") });
    expect(unknownAction.statusCode).to.equal(400);
    expect(JSON.parse(unknownAction.body.toString()).__type).to.equal("com.amazon.coral.service#UnknownOperationException");
  });

  it("sends the action as X-Amz-Target in DynamoDB's JSON protocol, with the integration request's own headers but not over its own", () => {
    const request = dynamoDbHttpRequest(
      {
        ...integrationRequest("PutItem", "a"),
        headers: [
          ["X-Custom", "kept"],
          ["Content-Type", "text/plain"],
          ["X-Amz-Target", "DynamoDB_20120810.DeleteTable"],
        ],
      },
      { ...options("PutItem"), now: new Date("2024-07-19T19:53:50.123Z") },
    );
    expect(request.httpMethod).to.equal("POST");
    expect(request.uri).to.equal(`${dynamodb.url}/`);
    expect(request.headers).to.deep.include.members([
      ["X-Custom", "kept"],
      ["Content-Type", "application/x-amz-json-1.0"],
      ["X-Amz-Target", "DynamoDB_20120810.PutItem"],
      ["X-Amz-Date", "20240719T195350Z"],
    ]);
    expect(request.headers.filter(([name]) => name.toLowerCase() === "content-type" || name.toLowerCase() === "x-amz-target")).to.have.length(2);
    expect(request.headers.find(([name]) => name === "Authorization")?.[1]).to.match(/^AWS4-HMAC-SHA256 Credential=local\/20240719\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/);
  });

  it("answers 500 while the emulator is down (paused as an outage), and serves again once it is back", async () => {
    await dynamodb.pause();
    try {
      const error = await invokeDynamoDbIntegration(integrationRequest("GetItem", "test"), options("GetItem")).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(GatewayError);
      expect((error as GatewayError).type).to.equal("API_CONFIGURATION_ERROR");
    } finally {
      await dynamodb.resume();
    }
    expect((await invoke("GetItem", "test")).json).to.deep.equal({ Item: { id: { S: "test" } } });
  });

  describe("the model of AWS integrations", () => {
    function modelWith(type: string, uri: string) {
      const graph = new ResourceGraph();
      const add = (resourceType: string, name: string, id: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}) =>
        graph.add({ urn: `urn:${name}`, type: resourceType, name, dependencies: [], custom: true, id, inputs, state: { ...inputs, ...state } } as RecordedResource);
      add("aws:apigateway/restApi:RestApi", "api", "api1", { name: "api" }, { rootResourceId: "root" });
      add("aws:apigateway/resource:Resource", "things", "res1", { restApi: "api1", parentId: "root", pathPart: "things" }, { path: "/things" });
      add("aws:apigateway/method:Method", "get", "m1", { restApi: "api1", resourceId: "res1", httpMethod: "GET", authorization: "NONE" });
      add("aws:apigateway/integration:Integration", "integration", "i1", { restApi: "api1", resourceId: "res1", httpMethod: "GET", type, uri, integrationHttpMethod: "POST" });
      add("aws:apigateway/stage:Stage", "stage", "s1", { restApi: "api1", stageName: "dev" });
      return () => restApiModels(graph)[0].methods.get("GET /things")?.integration;
    }

    it("classifies DynamoDB actions and Lambda functions", () => {
      expect(modelWith("AWS", "arn:aws:apigateway:eu-west-1:dynamodb:action/Query")()?.awsTarget).to.deep.equal({ kind: "dynamodb", region: "eu-west-1", action: "Query" });
      const fn = "arn:aws:lambda:us-east-1:123456789012:function:things";
      const lambda = modelWith("AWS", `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn}/invocations`)();
      expect(lambda?.awsTarget).to.deep.equal({ kind: "lambda", region: "us-east-1", functionArn: fn });
      expect(lambda?.functionArn).to.equal(fn);
      expect(modelWith("AWS_PROXY", `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn}/invocations`)()?.awsTarget?.kind).to.equal("lambda");
    });

    it("refuses any other AWS service integration, naming the method and the service", () => {
      const refusals: Array<[string, string, string]> = [
        ["AWS", "arn:aws:apigateway:us-east-1:s3:path/bucket/{key}", "GET /things: AWS integration with s3"],
        ["AWS", "arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue", "GET /things: AWS integration with sqs"],
        ["AWS", "arn:aws:apigateway:us-east-1:dynamodb:path/tables", "GET /things: AWS integration with dynamodb"],
        ["AWS", "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord", "GET /things: AWS integration with kinesis"],
        ["AWS", "not-an-arn", "GET /things: AWS integration with an unrecognised service"],
        ["AWS_PROXY", "arn:aws:apigateway:us-east-1:dynamodb:action/Query", "GET /things: AWS_PROXY integration with dynamodb"],
      ];
      for (const [type, uri, message] of refusals) expect(modelWith(type, uri), uri).to.throw(Error, message);
    });
  });
});
