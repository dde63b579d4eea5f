/**
 * A REST API built from an OpenAPI body (programs/petsFromBody.ts, every extension the local
 * cloud honours) answers as the same API declared resource by resource
 * (programs/petsFromResources.ts): one program declares both (programs/petsProgram.ts), one local
 * cloud serves both, the same requests go to each over real HTTP, at the URLs of the program's
 * outputs, and the same status, body and relevant headers come back, each also checked against
 * what API Gateway answers.
 */
import * as path from "node:path";
import { expect } from "chai";
import { restApiModels } from "../../../local/restGateway/restApiModel";
import { startLocal, type LocalCloud } from "../../../local/startLocal";
import { startEchoServer, type EchoServer } from "../conformance/echoServer";
import { LocalUserPool, type SignedInUser } from "../integration/cognitoUsers";
import { call, removeDir, stateDirFor, type Reply } from "../integration/httpClient";

const PROGRAM = path.join(__dirname, "programs", "petsProgram.ts");
/** The stack output holding each API's stage URL. */
const URL_OUTPUTS = { resources: "resourcesUrl", body: "bodyUrl" } as const;
type Style = keyof typeof URL_OUTPUTS;
/** The headers whose values must agree (ids, dates and trace headers differ by nature). */
const COMPARED_HEADERS = ["content-type", "x-count", "x-gateway", "www-authenticate", "x-amzn-errortype"];

/** What a request may need: a signed-in user's ID token and the API key. */
interface Running {
  user: SignedInUser;
  apiKey: string;
}

/** One request, sent to each API, with the status (and body, where fixed) API Gateway answers. */
interface Case {
  name: string;
  path: string;
  init: (r: Running) => RequestInit;
  status: number;
  body?: string | RegExp;
  /** Headers API Gateway sends (the method response's, the gateway response's). */
  headers?: Record<string, string>;
}

const JSON_TYPE = { "Content-Type": "application/json" };
const CASES: Case[] = [
  { name: "MOCK with the API key and the required query parameter", path: "/pets?type=cat", init: (r) => ({ headers: { "x-api-key": r.apiKey } }), status: 200, body: `[{"id": 1, "type": "cat"}, {"id": 2, "type": "cat"}]`, headers: { "x-count": "2" } },
  { name: "MOCK without the API key", path: "/pets?type=cat", init: () => ({}), status: 403, body: `{"message":"Forbidden"}` },
  { name: "MOCK without the required query parameter (validator params)", path: "/pets", init: (r) => ({ headers: { "x-api-key": r.apiKey } }), status: 400, body: `{"message": "Missing required request parameters: [type]"}` },
  {
    name: "AWS_PROXY behind the Cognito authorizer, body valid against NewPet",
    path: "/pets",
    init: (r) => ({ method: "POST", headers: { ...JSON_TYPE, Authorization: r.user.idToken }, body: `{"name":"rex","tag":"dog"}` }),
    status: 200,
    body: `{"method":"POST","resource":"/pets","body":"{\\"name\\":\\"rex\\",\\"tag\\":\\"dog\\"}","isBase64Encoded":false,"claims":true}`,
  },
  { name: "a body the validator all refuses (Tag model by $ref), custom BAD_REQUEST_BODY", path: "/pets", init: (r) => ({ method: "POST", headers: { ...JSON_TYPE, Authorization: r.user.idToken }, body: `{"name":"rex","tag":"a-very-long-tag"}` }), status: 400, body: /^\{"error": "\[string "a-very-long-tag" is too long \(length: 15, maximum allowed: 10\)\]"\}$/ },
  { name: "no token for the Cognito authorizer, custom UNAUTHORIZED", path: "/pets", init: () => ({ method: "POST", headers: JSON_TYPE, body: `{"name":"rex"}` }), status: 401, body: `{"message":"Unauthorized"}`, headers: { "www-authenticate": "Bearer" } },
  { name: "HTTP with a mapping template behind the TOKEN authorizer (allow)", path: "/pets/7", init: () => ({ headers: { Authorization: "allow" } }), status: 200, body: `{"id": "7", "via": "http"}` },
  { name: "the TOKEN authorizer's Deny policy", path: "/pets/7", init: () => ({ headers: { Authorization: "deny" } }), status: 403, body: `{"Message":"User is not authorized to access this resource with an explicit deny"}` },
  { name: "a token failing identityValidationExpression", path: "/pets/7", init: () => ({ headers: { Authorization: "Not-Valid!" } }), status: 401, body: `{"message":"Unauthorized"}` },
  { name: "HTTP_PROXY on a greedy path behind the REQUEST authorizer", path: "/proxy/status/418?name=n", init: () => ({ headers: { Auth: "ok" } }), status: 418, body: `{"message":"","status_code":418}` },
  { name: "the REQUEST authorizer without its identity sources", path: "/proxy/status/418", init: () => ({ headers: { Auth: "ok" } }), status: 401, body: `{"message":"Unauthorized"}` },
  { name: "AWS (Lambda, non-proxy) with request and response templates", path: "/transform", init: () => ({ method: "POST", headers: JSON_TYPE, body: `{"name":"ada"}` }), status: 200, body: `{"message": "hello ada"}` },
  { name: "the Lambda error matched by the selection pattern Bad.*", path: "/transform", init: () => ({ method: "POST", headers: JSON_TYPE, body: `{"name":"bad"}` }), status: 400, body: `{"error": "Bad name"}` },
  { name: "passthrough NEVER refusing an unmapped content type", path: "/transform", init: () => ({ method: "POST", headers: { "Content-Type": "text/plain" }, body: "ada" }), status: 415, body: `{"message": "Unsupported Media Type"}` },
  {
    name: "a binary media type reaching the Lambda proxy base64-encoded",
    path: "/binary",
    init: () => ({ method: "POST", headers: { "Content-Type": "image/png" }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]) }),
    status: 200,
    body: `{"method":"POST","resource":"/binary","body":"iVBOR/8=","isBase64Encoded":true,"claims":false}`,
  },
  { name: "no such route, custom MISSING_AUTHENTICATION_TOKEN", path: "/nowhere", init: () => ({}), status: 404, body: `{"error": "no such route"}`, headers: { "x-gateway": "pets" } },
];

describe("local cloud: a REST API from an OpenAPI body answers as the same API from resources", function () {
  const stateDir = stateDirFor("openapi-pets");
  let echo: EchoServer;
  let cloud: LocalCloud;
  let pool: LocalUserPool;
  let running: Running;

  before(async function () {
    // A local cloud (emulators, program run, function workers) takes seconds, more on a loaded machine.
    this.timeout(90_000);
    echo = await startEchoServer();
    cloud = await startLocal({ stack: "dev", port: 0, stateDir, program: PROGRAM, configOverrides: { "pets:backend": echo.url }, functionLog: () => undefined });
    pool = LocalUserPool.of(cloud);
    running = { user: await pool.signUp("openapi-pets"), apiKey: cloud.outputs.apiKey as string };
  });

  after(async function () {
    this.timeout(30_000);
    pool?.destroy();
    await cloud?.stop();
    removeDir(stateDir);
    await echo?.close();
  });

  it("serves both APIs, the body's with the methods the resources declare", () => {
    const models = restApiModels(cloud.run.graph);
    const methods = (style: Style) => {
      const apiId = /\/_aws\/execute-api\/([a-z0-9]+)\//.exec(cloud.outputs[URL_OUTPUTS[style]] as string)![1];
      return [...models.find((m) => m.apiId === apiId)!.methods.keys()].sort();
    };
    expect(models).to.have.length(2);
    expect(methods("body")).to.deep.equal(methods("resources"));
    expect(methods("body")).to.have.length(6);
  });

  it("exports the body's API as served (/_local/openapi/<apiId>.json with the extensions): its validators, authorizers and models", async () => {
    const apiId = /\/_aws\/execute-api\/([a-z0-9]+)\//.exec(cloud.outputs[URL_OUTPUTS.body] as string)![1];
    const exported = JSON.parse((await call(`${cloud.endpoints.openapi}/${apiId}.json?extensions=apigateway`)).text);
    expect(exported["x-amazon-apigateway-request-validators"]).to.have.all.keys("all", "params");
    expect(Object.keys(exported.paths).sort()).to.include.members(["/pets", "/pets/{id}", "/transform"]);
    expect(Object.keys(exported.components.securitySchemes).length).to.be.greaterThan(1);
    expect(exported.components.schemas).to.include.keys("NewPet", "Tag");
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.status} from both`, async () => {
      const replies = {} as Record<Style, Reply>;
      for (const style of Object.keys(URL_OUTPUTS) as Style[]) replies[style] = await call(`${cloud.outputs[URL_OUTPUTS[style]]}${c.path}`, c.init(running));
      expect(answer(replies.body), "the body's API").to.deep.equal(answer(replies.resources));
      expect(replies.body.status, replies.body.text).to.equal(c.status);
      if (typeof c.body === "string") expect(replies.body.text).to.equal(c.body);
      else if (c.body) expect(replies.body.text).to.match(c.body);
      for (const [name, value] of Object.entries(c.headers ?? {})) expect(replies.body.headers[name], name).to.equal(value);
    });
  }
});

function answer(r: Reply): unknown {
  return { status: r.status, body: r.text, headers: Object.fromEntries(COMPARED_HEADERS.map((h) => [h, r.headers[h]])) };
}
