import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ProgramError, ProgramRun, runProgram } from "../../local/controlPlane";
import { WebAcl, validateWebAclArgs } from "../../components/WebAcl";

const T = {
  webAcl: "aws:wafv2/webAcl:WebAcl",
  association: "aws:wafv2/webAclAssociation:WebAclAssociation",
  stage: "aws:apigateway/stage:Stage",
};

describe("WAF on the REST stage", () => {
  describe("the prod stack", () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram({ stack: "prod" });
    });

    it("has a regional web ACL with the managed common rule set and a per-IP rate rule from config", () => {
      const [acl] = run.graph.ofType(T.webAcl);
      expect(acl.inputs.scope).to.equal("REGIONAL");
      expect(acl.inputs.defaultAction).to.deep.equal({ allow: {} });
      const [common, rate] = acl.inputs.rules;
      expect(common.statement.managedRuleGroupStatement).to.deep.include({ vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" });
      // Uploads to POST /files exceed the set's 8 KB body rule: prod only counts it.
      expect(common.statement.managedRuleGroupStatement.ruleActionOverrides).to.deep.equal([{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
      expect(rate).to.deep.include({ name: "rate-limit-per-ip", priority: 2, action: { block: {} } });
      expect(rate.statement.rateBasedStatement).to.deep.equal({ limit: 2000, aggregateKeyType: "IP" });
      for (const rule of acl.inputs.rules) expect(rule.visibilityConfig).to.include({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true });
    });

    it("is associated with the REST stage", () => {
      const [association] = run.graph.ofType(T.association);
      const [acl] = run.graph.ofType(T.webAcl);
      const [stage] = run.graph.ofType(T.stage);
      expect(association.inputs.resourceArn).to.equal(stage.state.arn);
      expect(association.inputs.webAclArn).to.equal(acl.state.arn);
    });
  });

  it("dev has none", async () => {
    const dev = await runProgram({ stack: "dev" });
    expect(dev.graph.ofType(T.webAcl)).to.deep.equal([]);
    expect(dev.graph.ofType(T.association)).to.deep.equal([]);
  });

  it("refuses a rate limit AWS would refuse, naming the config key, before any resource", async () => {
    try {
      await runProgram({ stack: "prod", configOverrides: { "apigw-kit:waf": { rateLimitPer5Minutes: 50 } } });
      expect.fail("the program accepted the config");
    } catch (err) {
      expect((err as ProgramError).message).to.equal("apigw-kit:waf.rateLimitPer5Minutes must be an integer from 100 to 2000000000 (got 50)");
      expect((err as ProgramError).graph.resources).to.deep.equal([]);
    }
  });

  it("is refused on an HTTP API, with a clear error", async () => {
    try {
      await runProgram({
        stack: "dev",
        configOverrides: { "apigw-kit:api": { type: "http" }, "apigw-kit:cache": undefined, "apigw-kit:customers": undefined, "apigw-kit:methodOverrides": undefined, "apigw-kit:waf": {} },
      });
      expect.fail("the program accepted the config");
    } catch (err) {
      expect((err as ProgramError).message).to.equal(
        "apigw-kit:api.type is http, but AWS WAF exists only on REST APIs: a web ACL cannot be associated with an HTTP API stage " +
          "(set apigw-kit:api.type to rest or remove apigw-kit:waf / apigw-kit:api.requirements.waf_required)",
      );
      expect((err as ProgramError).graph.resources).to.deep.equal([]);
    }
  });

  it("validates the component's arguments", async () => {
    expect(validateWebAclArgs({})).to.equal(2000);
    expect(() => validateWebAclArgs({ commonRuleSetCountOnly: ["bad rule"] })).to.throw('commonRuleSetCountOnly[0] must be a rule name like SizeRestrictions_BODY (got "bad rule")');
    try {
      await runProgram({ stack: "dev", define: () => ({ acl: new WebAcl("acl", { stageArn: "arn", rateLimitPer5Minutes: 1.5 }) }) });
      expect.fail("accepted");
    } catch (err) {
      expect((err as Error).message).to.equal("rateLimitPer5Minutes must be an integer from 100 to 2000000000 (got 1.5)");
      // The refusal is a ResourceError carrying the component: the component alone is registered.
      expect((err as ProgramError).cause).to.be.instanceOf(pulumi.ResourceError);
      expect((err as ProgramError).graph.resources.map((r) => `${r.type} ${r.name}`)).to.deep.equal(["apigw-kit:index:WebAcl acl"]);
    }
  });
});
