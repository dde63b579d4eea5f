import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { childTags, transformed } from "../../components/transform";

describe("components/transform: a child's args and options as the user adjusts them", () => {
  const args = { description: "component's", memorySize: 128 };
  const opts: pulumi.CustomResourceOptions = { protect: false };

  it("leaves name, args and options as they are without a transform", () => {
    const [name, a, o] = transformed(undefined, "api-stage", args, opts);
    expect([name, a, o]).to.deep.equal(["api-stage", args, opts]);
  });

  it("merges a transform object over the component's args, options untouched", () => {
    const [name, a, o] = transformed({ description: "user's" }, "api-stage", args, opts);
    expect(name).to.equal("api-stage");
    expect(a).to.deep.equal({ description: "user's", memorySize: 128 });
    expect(o).to.deep.equal({ protect: false });
    expect(args.description, "the component's args are not mutated").to.equal("component's");
  });

  it("lets a transform function change args and options, given the child's name, on copies", () => {
    const seen: string[] = [];
    const [, a, o] = transformed<typeof args>(
      (childArgs, childOpts, childName) => {
        seen.push(childName);
        childArgs.memorySize = 512;
        childOpts.protect = true;
        childOpts.ignoreChanges = ["description"];
      },
      "fn",
      args,
      opts,
    );
    expect(seen).to.deep.equal(["fn"]);
    expect(a).to.deep.equal({ description: "component's", memorySize: 512 });
    expect(o).to.deep.equal({ protect: true, ignoreChanges: ["description"] });
    expect([args.memorySize, opts.protect]).to.deep.equal([128, false]);
  });

  it("merges a component's tags under a child's own (the child's own win)", async () => {
    expect(childTags(undefined, undefined)).to.equal(undefined);
    expect(childTags(undefined, { Name: "vpce" })).to.deep.equal({ Name: "vpce" });
    expect(childTags({ team: "payments" })).to.deep.equal({ team: "payments" });
    const merged = childTags({ team: "payments", Name: "component" }, { Name: "vpce" });
    const value = await new Promise((resolve) => pulumi.output(merged).apply(resolve));
    expect(value).to.deep.equal({ team: "payments", Name: "vpce" });
  });
});
