/**
 * The export round trip: the demo's REST API exported with the API Gateway extensions
 * (exportOpenApi, what `npm run openapi -- --extensions apigateway` writes) and deployed again as
 * the `body` of that same RestApi (programs/demoFromExport.ts, putRestApiMode overwrite: the
 * body alone defines the API) serves the same API.
 *
 * - Under the control plane alone: the model the REST gateway serves from the body equals the
 *   demo's, field by field (ids aside).
 * - Over real HTTP: the demo is served, exported from its running cloud (so the integration URIs
 *   name its functions and the Cognito authorizer its user pool), stopped, and the body program
 *   started on the same persisted state (the same name seed, so the same function names, and the
 *   same user pool); the same requests get the same answers, request ids and times aside.
 */
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { runProgram, type ResourceGraph } from "../../../local/controlPlane";
import { exportOpenApi, restApiToExport } from "../../../local/openapi/exportOpenApi";
import { restApiModels, type RestApiModel } from "../../../local/restGateway/restApiModel";
import { startLocal, type LocalCloud } from "../../../local/startLocal";
import { LocalUserPool } from "../integration/cognitoUsers";
import { call, removeDir, stateDirFor, type Reply } from "../integration/httpClient";

const PROGRAM = path.join(__dirname, "programs", "demoFromExport.ts");
const ORIGIN = "http://localhost:3000";
const JSON_TYPE = { "Content-Type": "application/json" };
/** The headers compared; the ids, dates and trace headers of a response differ by nature. */
const COMPARED_HEADERS = [
  "content-type",
  "cache-control",
  "location",
  "x-amzn-errortype",
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-allow-credentials",
  "access-control-max-age",
  "vary",
];

/** What the gateway's model says about an API, without the generated ids (authorizers by name). */
function comparable(model: RestApiModel): unknown {
  const authorizerName = (id: string | undefined) => (id ? model.authorizers.get(id)?.name : undefined);
  return JSON.parse(
    JSON.stringify({
      ...model,
      resourcePaths: [...model.resourcePaths].sort(),
      methods: Object.fromEntries([...model.methods].sort(([a], [b]) => a.localeCompare(b)).map(([key, m]) => [key, { ...m, resourceId: undefined, authorizerId: authorizerName(m.authorizerId) }])),
      authorizers: [...model.authorizers.values()].map((a) => ({ ...a, id: undefined })).sort((a, b) => a.name.localeCompare(b.name)),
      models: [...model.models].sort((a, b) => a.name.localeCompare(b.name)),
    }),
  );
}

function exportedBody(graph: ResourceGraph): string {
  return JSON.stringify(exportOpenApi(graph, restApiToExport(graph), "apigateway"));
}

describe("OpenAPI round trip: the demo's export, deployed as a body, serves the same API", function () {
  this.timeout(60_000);

  it("under the control plane: the served model equals the demo's (ids aside)", async () => {
    const seed = { randomSeed: "round-trip" };
    const demo = await runProgram({ stack: "dev", cloud: seed });
    const fromBody = await runProgram({ stack: "dev", program: PROGRAM, configOverrides: { "roundTrip:body": exportedBody(demo.graph) }, cloud: seed });
    const [served] = restApiModels(fromBody.graph);
    // The body, not the demo's declared resources, defines it.
    expect(fromBody.graph.ofType("aws:apigateway/restApi:RestApi").map((api) => typeof api.inputs.body)).to.deep.equal(["string"]);
    expect(served.methods.size).to.equal(29);
    expect(comparable(served)).to.deep.equal(comparable(restApiModels(demo.graph)[0]));
  });

  describe("over HTTP", () => {
    const stateDir = stateDirFor("openapi-round-trip");
    const answers: Record<"demo" | "body", unknown[]> = { demo: [], body: [] };

    /** Serves a program on the shared persisted state, sends every request, stops. */
    async function serve(program: string | undefined, configOverrides: Record<string, unknown>, onStarted?: (cloud: LocalCloud) => void): Promise<unknown[]> {
      const cloud = await startLocal({ stack: "dev", port: 0, stateDir, persist: true, functionLog: () => undefined, ...(program ? { program } : {}), configOverrides });
      const pool = LocalUserPool.of(cloud);
      try {
        onStarted?.(cloud);
        const user = await pool.signUp(`round-trip-${randomUUID().slice(0, 8)}`);
        const apiKey = Object.values(cloud.outputs.apiKeys as Record<string, string>)[0];
        const results: unknown[] = [];
        for (const request of REQUESTS) {
          const reply = await call(`${cloud.endpoints.restApi}${request.path}`, request.init({ idToken: user.idToken, apiKey }));
          results.push({ request: request.name, ...normalised(reply) });
        }
        return results;
      } finally {
        pool.destroy();
        await cloud.stop();
      }
    }

    before(async function () {
      // Two local clouds of the demo, one after the other on one state directory.
      this.timeout(180_000);
      let body = "";
      answers.demo = await serve(undefined, {}, (cloud) => (body = exportedBody(cloud.run.graph)));
      answers.body = await serve(PROGRAM, { "roundTrip:body": body }, (cloud) => {
        // The cloud serves the body: the RestApi carries it, and the demo's declared methods are not what is served.
        expect(cloud.run.graph.ofType("aws:apigateway/restApi:RestApi").map((api) => api.inputs.body)).to.deep.equal([body]);
        const declared = new Set(cloud.run.graph.ofType("aws:apigateway/resource:Resource").map((r) => r.id));
        const servedResourceIds = [...restApiModels(cloud.run.graph)[0].methods.values()].filter((m) => m.resourcePath !== "/").map((m) => m.resourceId);
        expect(servedResourceIds).to.have.length(29);
        expect(servedResourceIds.filter((id) => declared.has(id))).to.deep.equal([]);
      });
    });

    after(() => removeDir(stateDir));

    it("the demo answered as the demo spec expects (so that agreeing is not agreeing on errors)", () => {
      expect(answers.demo.map((a) => [(a as { request: string }).request, (a as { status: number }).status])).to.deep.equal(REQUESTS.map((r) => [r.name, r.status]));
    });

    it("every request gets the same status, body and headers from the API built from the export", () => {
      expect(answers.body).to.have.length(REQUESTS.length);
      for (let i = 0; i < REQUESTS.length; i++) expect(answers.body[i], REQUESTS[i].name).to.deep.equal(answers.demo[i]);
    });
  });
});

interface Caller {
  idToken: string;
  apiKey: string;
}

/** Requests over the demo's routes, with the status the demo answers (tests/local/integration/demoApi.spec.ts). */
const REQUESTS: Array<{ name: string; path: string; init: (c: Caller) => RequestInit; status: number }> = [
  { name: "GET /health (MOCK)", path: "/health", init: () => ({}), status: 200 },
  { name: "an unknown route", path: "/nowhere", init: () => ({ headers: { Origin: ORIGIN } }), status: 403 },
  { name: "GET /data without a key", path: "/data?category=k", init: () => ({}), status: 403 },
  { name: "GET /data with a key (cached)", path: "/data?category=round-trip", init: (c) => ({ headers: { "x-api-key": c.apiKey, "Accept-Language": "fr-CH" } }), status: 200 },
  { name: "POST /users without a token (Cognito)", path: "/users", init: () => ({ method: "POST", headers: JSON_TYPE, body: "{}" }), status: 401 },
  { name: "POST /users with a body the model refuses", path: "/users", init: (c) => ({ method: "POST", headers: { ...JSON_TYPE, Authorization: c.idToken }, body: `{"name": 1}` }), status: 400 },
  { name: "POST /users without Content-Type", path: "/users", init: (c) => ({ method: "POST", headers: { Authorization: c.idToken }, body: `{}` }), status: 400 },
  { name: "GET /users/{id} of an unknown id", path: "/users/4a7c1a38-55b1-4b47-8d0b-8e3c0f6d1a11", init: (c) => ({ headers: { Authorization: c.idToken, Origin: ORIGIN } }), status: 404 },
  { name: "POST /transform (Lambda non-proxy, templates)", path: "/transform", init: () => ({ method: "POST", headers: JSON_TYPE, body: `{"text":"hello world","operation":"uppercase"}` }), status: 200 },
  { name: "POST /transform, a [BadRequest] error", path: "/transform", init: () => ({ method: "POST", headers: JSON_TYPE, body: `{"text":"x","operation":"nope"}` }), status: 400 },
  { name: "POST /transform text/plain (passthrough NEVER)", path: "/transform", init: () => ({ method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" }), status: 415 },
  { name: "POST /files image/png (binary media type)", path: "/files", init: (c) => ({ method: "POST", headers: { "Content-Type": "image/png", "x-api-key": c.apiKey }, body: Buffer.from([0, 1, 2, 255]) }), status: 200 },
  { name: "the CORS preflight of /users", path: "/users", init: () => ({ method: "OPTIONS", headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST" } }), status: 200 },
  { name: "GET /partner/status with a malformed token (TOKEN authorizer)", path: "/partner/status", init: () => ({ headers: { Authorization: "not-a-token" } }), status: 401 },
  { name: "GET /customers as a user outside the admin group", path: "/customers", init: (c) => ({ headers: { Authorization: c.idToken } }), status: 403 },
];

/** A reply with what differs by nature (ids, times) masked. */
function normalised(r: Reply): { status: number; body: string; headers: Record<string, string | undefined> } {
  const mask = (text: string) =>
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<iso-time>")
      .replace(/\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000/g, "<request-time>");
  return { status: r.status, body: mask(r.text), headers: Object.fromEntries(COMPARED_HEADERS.map((h) => [h, r.headers[h] === undefined ? undefined : mask(r.headers[h])])) };
}
