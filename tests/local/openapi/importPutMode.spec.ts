/**
 * A body beside resources the program declares on the same API, per `putRestApiMode`
 * (local/openapi/import/servedGraph.ts): overwrite (the default) serves the body's definition,
 * merge serves both and refuses what both define.
 */
import { expect } from "chai";
import { restApiModels, type RestApiModel } from "../../../local/restGateway/restApiModel";
import type { RecordedResource } from "../../../local/controlPlane";
import { API_ID, ROOT_ID, graphWith, petsOas3, recorded } from "./importFixtures";

const RESOURCE = "aws:apigateway/resource:Resource";
const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";
const MODEL = "aws:apigateway/model:Model";
const RESPONSE = "aws:apigateway/response:Response";

/** What a program declares on the API besides its body: GET /things (MOCK), a model, a gateway response. */
function declared(path = "/things", httpMethod = "GET", parentId = ROOT_ID): RecordedResource[] {
  const resourceId = path === "/" ? ROOT_ID : "things0001";
  return [
    ...(path === "/" ? [] : [recorded(RESOURCE, "things", resourceId, { restApi: API_ID, parentId, pathPart: path.slice(1) }, { path })]),
    recorded(METHOD, "things-get", `agm-${API_ID}-${resourceId}-${httpMethod}`, { restApi: API_ID, resourceId, httpMethod, authorization: "NONE" }),
    recorded(INTEGRATION, "things-get", `agi-${API_ID}-${resourceId}-${httpMethod}`, { restApi: API_ID, resourceId, httpMethod, type: "MOCK" }),
    recorded(MODEL, "extra", "model00001", { restApi: API_ID, name: "Extra", contentType: "application/json", schema: "{}" }),
    recorded(RESPONSE, "missing-token", "resp000001", { restApiId: API_ID, responseType: "MISSING_AUTHENTICATION_TOKEN", statusCode: "403" }),
  ];
}

function served(putRestApiMode: string | undefined, others: RecordedResource[]): RestApiModel {
  return restApiModels(graphWith({ body: JSON.stringify(petsOas3()), ...(putRestApiMode ? { putRestApiMode } : {}) }, ...others))[0];
}

describe("OpenAPI body import: putRestApiMode", () => {
  for (const mode of [undefined, "overwrite", "OVERWRITE"]) {
    it(`${mode ?? "unset (overwrite)"}: serves the body's definition alone`, () => {
      const model = served(mode, declared());
      expect([...model.methods.keys()]).to.deep.equal(["GET /pets", "POST /pets", "ANY /pets/{id}"]);
      expect(model.resourcePaths).to.deep.equal(["/", "/pets", "/pets/{id}"]);
      expect(model.models.map((m) => m.name)).to.deep.equal(["NewPet", "Tag"]);
      expect(model.gatewayResponses.MISSING_AUTHENTICATION_TOKEN.statusCode).to.equal("404");
    });
  }

  it("merge: serves both, the declared gateway response replacing the body's of its type", () => {
    const model = served("merge", declared());
    expect([...model.methods.keys()].sort()).to.deep.equal(["ANY /pets/{id}", "GET /pets", "GET /things", "POST /pets"]);
    expect(model.methods.get("GET /things")!.integration!.type).to.equal("MOCK");
    expect(model.models.map((m) => m.name).sort()).to.deep.equal(["Extra", "NewPet", "Tag"]);
    expect(model.gatewayResponses.MISSING_AUTHENTICATION_TOKEN).to.deep.equal({ statusCode: "403", responseParameters: {}, responseTemplates: {} });
  });

  it("merge: refuses a declared resource at a path the body defines", () => {
    expect(() => served("merge", declared("/pets"))).to.throw(
      `RestApi "pets" body: aws.apigateway.Resource "things" declares resource /pets, which the body defines too (putRestApiMode merge); AWS answers the second with ConflictException`,
    );
  });

  it("merge: refuses a declared method the body defines on the root resource", () => {
    const doc = petsOas3() as { paths: Record<string, unknown> };
    doc.paths["/"] = { get: { responses: {}, "x-amazon-apigateway-integration": { type: "mock" } } };
    expect(() => restApiModels(graphWith({ body: JSON.stringify(doc), putRestApiMode: "merge" }, ...declared("/")))).to.throw(
      `RestApi "pets" body: aws.apigateway.Method "things-get" declares method GET on the root resource, which the body defines too (putRestApiMode merge); AWS answers the second with ConflictException`,
    );
  });

  it("merge: refuses a declared model the body defines", () => {
    const others = declared();
    others[3] = recorded(MODEL, "tag", "model00002", { restApi: API_ID, name: "Tag", contentType: "application/json", schema: "{}" });
    expect(() => served("merge", others)).to.throw(`RestApi "pets" body: aws.apigateway.Model "tag" declares model Tag, which the body defines too`);
  });

  it("serves another API of the program from its declared resources, whatever the mode", () => {
    const graph = graphWith(
      { body: JSON.stringify(petsOas3()) },
      recorded("aws:apigateway/restApi:RestApi", "other", "other00001", {}, { name: "other", rootResourceId: "otherroot1" }),
      recorded(METHOD, "elsewhere", "agm-other00001-otherroot1-GET", { restApi: "other00001", resourceId: "otherroot1", httpMethod: "GET", authorization: "NONE" }),
      recorded("aws:apigateway/stage:Stage", "other", "ags-other00001-test", { restApi: "other00001", stageName: "test", deployment: "dep2" }),
    );
    const other = restApiModels(graph).find((m) => m.apiId === "other00001")!;
    expect([...other.methods.keys()]).to.deep.equal(["GET /"]);
  });
});
