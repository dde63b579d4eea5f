import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { WebAcl, WebAclArgs } from "../../components/WebAcl";
import { ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { descendantsOf, expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:WebAcl",
  webAcl: "aws:wafv2/webAcl:WebAcl",
  association: "aws:wafv2/webAclAssociation:WebAclAssociation",
};
const STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/dev";
const TAGS = { team: "payments", costCenter: "1234" };

/** Runs WebAcl "waf" on a stage ARN, with `args` on top. */
function protect(args: Partial<WebAclArgs> = {}): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    define: () => ({ webAclArn: new WebAcl("waf", { stageArn: STAGE_ARN, ...args }).webAclArn }),
  });
}

function only(run: ProgramRun, type: string): RecordedResource {
  const found = run.graph.ofType(type);
  expect(found, type).to.have.length(1);
  return found[0];
}

describe("WebAcl tags and transforms (under the mock control plane)", () => {
  it("puts the tags on every taggable child: the web ACL (an association takes none)", async () => {
    const run = await protect({ tags: TAGS });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.map((r) => r.type)).to.deep.equal([T.webAcl]);
    expect(descendantsOf(run, T.component).map((r) => r.type).sort()).to.deep.equal([T.webAcl, T.association]);
  });

  it("without tags, gives the web ACL none (the provider's default tags alone apply)", async () => {
    const run = await protect();
    expect(only(run, T.webAcl).inputs.tags).to.equal(undefined);
  });

  it("merges a transform object over the web ACL's args, keeping its rules and the tags", async () => {
    const customResponseBodies = [{ key: "blocked", content: '{"message":"Forbidden"}', contentType: "APPLICATION_JSON" }];
    const run = await protect({ tags: TAGS, transform: { webAcl: { description: "shop API", customResponseBodies } } });
    const acl = only(run, T.webAcl);
    expect(acl.inputs.description).to.equal("shop API");
    expect(acl.inputs.customResponseBodies).to.deep.equal(customResponseBodies);
    expect(acl.inputs.rules.map((r: { name: string }) => r.name)).to.deep.equal(["aws-common-rule-set", "rate-limit-per-ip"]);
    expect(acl.inputs.tags).to.deep.equal(TAGS);
  });

  it("lets transform functions change the web ACL's default action and the association's args and options", async () => {
    // The mocks record a resource's inputs and dependencies, not its other options (protect,
    // ignoreChanges...): the function's change to the options is seen through dependsOn.
    const otherStage = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod";
    const names: string[] = [];
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const gate = new aws.sns.Topic("gate", {});
        const waf = new WebAcl("waf", {
          stageArn: STAGE_ARN,
          transform: {
            webAcl: (args, _opts, name) => {
              names.push(name);
              args.defaultAction = { block: {} };
            },
            association: (args, opts, name) => {
              names.push(name);
              args.resourceArn = otherStage;
              opts.dependsOn = [gate];
            },
          },
        });
        return { webAclArn: waf.webAclArn };
      },
    });
    expect(names).to.deep.equal(["waf-acl", "waf-association"]);
    expect(only(run, T.webAcl).inputs.defaultAction).to.deep.equal({ block: {} });
    const association = only(run, T.association);
    expect(association.inputs).to.include({ resourceArn: otherStage, webAclArn: only(run, T.webAcl).state.arn });
    const gate = run.graph.resources.find((r) => r.name === "gate")!;
    expect(association.dependencies).to.include(gate.urn);
  });
});
