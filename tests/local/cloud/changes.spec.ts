import { expect } from "chai";
import { ResourceGraph, type RecordedResource } from "../../../local/controlPlane";
import { diffDeployments, digestGraph, formatChange } from "../../../local/cloud/changes";

function graphOf(resources: Array<Pick<RecordedResource, "type" | "name" | "inputs">>): ResourceGraph {
  const graph = new ResourceGraph();
  for (const r of resources) graph.add({ urn: "", dependencies: [], custom: true, state: {}, ...r });
  return graph;
}

describe("cloud/changes: what a reload changed, as pulumi preview tells it", () => {
  const plan = { type: "aws:apigateway/usagePlan:UsagePlan", name: "basic", inputs: { name: "basic", throttleSettings: { rateLimit: 10, burstLimit: 20 }, tags: { a: "1", b: "2" } } };
  const table = { type: "aws:dynamodb/table:Table", name: "users", inputs: { hashKey: "id" } };
  const fn = { type: "aws:lambda/function:Function", name: "data", inputs: { name: "data-1234567", code: { assets: Promise.resolve({}) } } };

  it("names each created, updated (with its properties) and deleted resource", () => {
    const before = digestGraph(graphOf([plan, table]));
    const after = digestGraph(graphOf([{ ...plan, inputs: { ...plan.inputs, throttleSettings: { rateLimit: 1, burstLimit: 1 } } }, fn]));
    expect(diffDeployments(before, after).map(formatChange)).to.deep.equal([
      "~ aws:apigateway/usagePlan:UsagePlan basic: throttleSettings changed",
      "+ aws:lambda/function:Function data created",
      "- aws:dynamodb/table:Table users deleted",
    ]);
  });

  it("sees no change in a run of the same inputs, whatever the order of their keys", () => {
    const reordered = { ...plan, inputs: { tags: { b: "2", a: "1" }, throttleSettings: { burstLimit: 20, rateLimit: 10 }, name: "basic" } };
    expect(diffDeployments(digestGraph(graphOf([plan])), digestGraph(graphOf([reordered])))).to.deep.equal([]);
  });

  it("tells a function's code change by the archive fingerprint it is given, not by its asset objects", () => {
    const before = digestGraph(graphOf([fn]), () => "archive-1");
    const same = digestGraph(graphOf([fn]), () => "archive-1");
    const edited = digestGraph(graphOf([fn]), () => "archive-2");
    expect(diffDeployments(before, same)).to.deep.equal([]);
    expect(diffDeployments(before, edited).map(formatChange)).to.deep.equal(["~ aws:lambda/function:Function data: code changed"]);
  });
});
