/**
 * Runs every AWS-recorded vector of tests/fixtures/aws-recorded/ against the local cloud: per
 * program, one local cloud started with useLocalCloud, one `it` per vector (named by its id),
 * the request sent over real HTTP and the answer compared with what AWS answered. Vectors listed
 * in known-differences.json must still differ (a fixed one fails until it is taken off the list),
 * so the list stays the honest to-do list. CONFORMANCE_REPORT=<file> writes every vector's
 * differences to <file> as JSON.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import { expect } from "chai";
import { GATEWAY_RESPONSE_DEFAULTS, gatewayResponse, type GatewayResponseType } from "../../../local/restGateway/gatewayResponses";
import { useLocalCloud } from "../integration/localCloudFixture";
import { startEchoServer, type EchoServer } from "./echoServer";
import { compareResponse, loadKnownDifferences, loadVectorFiles, type Observed, type Vector, type VectorRequest } from "./vectors";

const PROGRAMS: Record<string, string> = {
  mock: require.resolve("./mockProgram"),
  "lambda-edge": require.resolve("./lambdaEdgeProgram"),
  lambda: require.resolve("./lambdaProgram"),
  http: require.resolve("./httpProgram"),
  dynamodb: require.resolve("./dynamodbProgram"),
  binary: require.resolve("./binaryProgram"),
  auth: require.resolve("./authProgram"),
};

const files = loadVectorFiles();
const known = loadKnownDifferences();
const all = files.flatMap((f) => f.vectors.map((v) => ({ ...v, file: f.file })));
const report: Record<string, string[]> = {};

/** Asserts the vector matches, or, when it is a known difference, that it still differs. */
function judge(vector: Vector, diffs: string[]): void {
  report[vector.id] = diffs;
  const reason = known[vector.id];
  if (reason !== undefined) {
    expect(diffs, `${vector.id} now matches AWS: remove it from known-differences.json (was: ${reason})`).to.not.be.empty;
  } else {
    expect(diffs, `${vector.id} differs from AWS (${vector.source}):\n  ${diffs.join("\n  ")}`).to.be.empty;
  }
}

describe("conformance: AWS-recorded vectors (tests/fixtures/aws-recorded)", function () {
  after(() => {
    if (process.env.CONFORMANCE_REPORT) fs.writeFileSync(process.env.CONFORMANCE_REPORT, JSON.stringify(report, null, 2));
  });

  it("every vector has a unique id, a source, a recording date and a known program; every known difference names a vector", () => {
    const ids = new Set<string>();
    for (const v of all) {
      expect(ids.has(v.id), `duplicate id ${v.id}`).to.equal(false);
      ids.add(v.id);
      expect(v.source, v.id).to.match(/^(localstack:tests\/aws\/services\/|https:\/\/docs\.aws\.amazon\.com\/)/);
      expect(v.recorded, v.id).to.be.a("string").and.not.empty;
      if (v.program !== null) expect(PROGRAMS, v.id).to.have.property(v.program);
      else expect(v.check, v.id).to.be.oneOf(["gateway-response-default", "gateway-response-inheritance"]);
    }
    for (const id of Object.keys(known)) expect(ids.has(id), `known-differences.json names ${id}, which is no vector`).to.equal(true);
  });

  describe("gateway responses (checked against local/restGateway/gatewayResponses.ts)", () => {
    const input = { body: "", params: { path: {}, querystring: {}, header: {} }, context: { requestId: "r" }, stageVariables: {} };
    for (const v of all.filter((x) => x.check === "gateway-response-default")) {
      it(v.id, () => {
        const type = v.request.responseType as string;
        const recorded = v.response.statusCode as string | null;
        const local = (GATEWAY_RESPONSE_DEFAULTS as Record<string, (typeof GATEWAY_RESPONSE_DEFAULTS)[GatewayResponseType]>)[type];
        const diffs: string[] = [];
        if (recorded === null) {
          // DEFAULT_4XX / DEFAULT_5XX are fallbacks without a status of their own.
          if (local) diffs.push(`${type} has no status code of its own in AWS; the local table gives it ${local.status}`);
        } else if (!local) {
          diffs.push(`${type} (default ${recorded}) is not in GATEWAY_RESPONSE_DEFAULTS`);
        } else {
          if (String(local.status) !== recorded) diffs.push(`status: AWS's default is ${recorded}, the local table says ${local.status}`);
          // AWS's default template is {"message":$context.error.messageString} for every type.
          let body: unknown;
          try {
            body = JSON.parse(local.body);
          } catch {
            body = local.body;
          }
          if (JSON.stringify(body) !== JSON.stringify({ message: local.message })) diffs.push(`body: the template ${v.response.template} renders {"message": ${JSON.stringify(local.message)}}, the local default body is ${local.body}`);
        }
        judge(v, diffs);
      });
    }
    for (const v of all.filter((x) => x.check === "gateway-response-inheritance")) {
      it(v.id, () => {
        const type = v.request.responseType as string;
        const customised = Object.fromEntries(
          Object.entries(v.request.customised as Record<string, { statusCode: string }>).map(([t, c]) => [t, { statusCode: c.statusCode, responseParameters: {}, responseTemplates: {} }]),
        );
        const diffs: string[] = [];
        if (!(type in GATEWAY_RESPONSE_DEFAULTS)) diffs.push(`${type} is not a gateway response type of the local gateway`);
        else {
          const status = gatewayResponse(type as GatewayResponseType, customised, input).status;
          if (String(status) !== v.response.statusCode) diffs.push(`status: AWS answers ${v.response.statusCode}, the local gateway ${status}`);
        }
        judge(v, diffs);
      });
    }
  });

  let echo: EchoServer | undefined;
  before(async () => {
    echo = await startEchoServer();
    // Read by httpProgram.ts when its local cloud runs it.
    process.env.CONFORMANCE_ECHO_URL = echo.url;
  });
  after(async () => {
    await echo?.close();
    delete process.env.CONFORMANCE_ECHO_URL;
  });

  for (const [program, module] of Object.entries(PROGRAMS)) {
    const vectors = all.filter((v) => v.program === program);
    describe(`program ${program} (${vectors.length} vectors)`, function () {
      const fixture = useLocalCloud(`conformance-${program}`, { stack: "dev", program: module });
      let origin = "";
      before(async () => {
        origin = new URL(fixture.cloud.endpoints.restApi).origin;
        if (program === "dynamodb") await seedTables(fixture.cloud.endpoints.dynamodb, fixture.cloud.outputs.tables as Record<string, string>);
      });
      for (const v of vectors) {
        it(`${v.id} [${v.file}]`, async () => {
          const observed = await send(origin, v.request);
          judge(v, compareResponse(v.response, observed));
        });
      }
    });
  }
});

/** Sends a vector's request as written (header names and order kept) with node:http. */
function send(origin: string, request: VectorRequest): Promise<Observed> {
  const body = request.bodyBase64 !== undefined ? Buffer.from(request.bodyBase64, "base64") : request.body !== undefined ? Buffer.from(request.body, "utf8") : undefined;
  const headers: Record<string, string> = { ...request.headers };
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  if (body && !names.includes("content-length") && !names.includes("transfer-encoding")) headers["Content-Length"] = String(body.length);
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent: false, setHost: !names.includes("host") }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const out: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i];
          out[name] = out[name] === undefined ? res.rawHeaders[i + 1] : `${out[name]}, ${res.rawHeaders[i + 1]}`;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The items test_rest_api_to_dynamodb_integration put before its requests, in every table. */
async function seedTables(endpoint: string, tables: Record<string, string>): Promise<void> {
  const { DynamoDBClient, PutItemCommand } = await import("@aws-sdk/client-dynamodb");
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    for (const table of Object.values(tables)) {
      for (const id of ["test", "test2", "test 3"]) await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));
    }
  } finally {
    client.destroy();
  }
}
