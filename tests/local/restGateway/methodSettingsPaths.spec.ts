/**
 * A program's MethodSettings, whichever spelling its methodPath uses: AWS's escaped
 * `~1things~1{id}/GET` (what apigw-kit's components write) or Terraform's documented
 * `things/{id}/GET`. The local cloud keys both the same way, so the stage applies either.
 */
import { expect } from "chai";
import { type RecordedResource, ResourceGraph } from "../../../local/controlPlane";
import { restApiModels } from "../../../local/restGateway/restApiModel";
import { methodSettingsPath } from "../../../local/restGateway/stageRuntime";

function graphWith(methodPaths: string[]): ResourceGraph {
  const graph = new ResourceGraph();
  const add = (type: string, name: string, id: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}) =>
    graph.add({ urn: `urn:${name}`, type, name, dependencies: [], custom: true, id, inputs, state: { ...inputs, ...state } } as RecordedResource);
  add("aws:apigateway/restApi:RestApi", "api", "api1", { name: "api" }, { rootResourceId: "root" });
  add("aws:apigateway/resource:Resource", "things", "res1", { restApi: "api1", parentId: "root", pathPart: "things" }, { path: "/things" });
  add("aws:apigateway/resource:Resource", "thing", "res2", { restApi: "api1", parentId: "res1", pathPart: "{id}" }, { path: "/things/{id}" });
  add("aws:apigateway/method:Method", "get", "m1", { restApi: "api1", resourceId: "res2", httpMethod: "GET", authorization: "NONE" });
  add("aws:apigateway/method:Method", "root", "m2", { restApi: "api1", resourceId: "root", httpMethod: "GET", authorization: "NONE" });
  add("aws:apigateway/stage:Stage", "stage", "s1", { restApi: "api1", stageName: "dev" });
  methodPaths.forEach((methodPath, i) =>
    add("aws:apigateway/methodSettings:MethodSettings", `settings${i}`, `ms${i}`, {
      restApi: "api1",
      stageName: "dev",
      methodPath,
      settings: { throttlingRateLimit: i + 1, throttlingBurstLimit: i + 1 },
    }),
  );
  return graph;
}

describe("MethodSettings methodPath spellings (local cloud)", () => {
  for (const [spelling, paths] of [
    ["AWS's escaped ~1 form", ["~1things~1{id}/GET", "~1/GET"]],
    ["Terraform's unescaped form", ["things/{id}/GET", "/GET"]],
  ] as const) {
    it(`applies a method's own settings written in ${spelling}`, () => {
      const [model] = restApiModels(graphWith([...paths]));
      const get = model.methods.get("GET /things/{id}")!;
      const root = model.methods.get("GET /")!;
      expect(model.methodSettings[methodSettingsPath(get)]).to.deep.equal({ throttlingRateLimit: 1, throttlingBurstLimit: 1 });
      expect(model.methodSettings[methodSettingsPath(root)]).to.deep.equal({ throttlingRateLimit: 2, throttlingBurstLimit: 2 });
    });
  }

  it("keeps the stage-wide */* as it is", () => {
    const [model] = restApiModels(graphWith(["*/*"]));
    expect(Object.keys(model.methodSettings)).to.deep.equal(["*/*"]);
  });
});
