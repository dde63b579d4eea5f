import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ProgramError, ProgramRun, runProgram } from "../../local/controlPlane";

class Widget extends pulumi.ComponentResource {
  public readonly api: aws.apigateway.RestApi;
  constructor(name: string) {
    super("test:index:Widget", name, {});
    this.api = new aws.apigateway.RestApi(`${name}-api`, {}, { parent: this });
    this.registerOutputs({});
  }
}

describe("control plane (Pulumi mocks acting as AWS)", () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram({
      stack: "dev",
      define: () => {
        const widget = new Widget("w");
        const role = new aws.iam.Role("role", { assumeRolePolicy: "{}" });
        const fn = new aws.lambda.Function("fn", { role: role.arn, runtime: "nodejs20.x", handler: "index.handler", code: new pulumi.asset.AssetArchive({}) });
        const resource = new aws.apigateway.Resource("users", { restApi: widget.api.id, parentId: widget.api.rootResourceId, pathPart: "users" });
        const child = new aws.apigateway.Resource("user", { restApi: widget.api.id, parentId: resource.id, pathPart: "{id}" });
        const stage = new aws.apigateway.Stage("stage", { restApi: widget.api.id, deployment: "d", stageName: "dev" }, { dependsOn: [fn] });
        return { url: stage.invokeUrl, path: child.path, secretValue: pulumi.secret("s3cr3t"), plain: 42, invokeArn: fn.invokeArn };
      },
    });
  });

  it("answers AWS-shaped ids and computed attributes", () => {
    const api = run.graph.get("aws:apigateway/restApi:RestApi", "w-api");
    expect(api.id).to.match(/^[a-z0-9]{10}$/);
    expect(api.state.rootResourceId).to.match(/^[a-z0-9]{10}$/);
    expect(api.state.executionArn).to.equal(`arn:aws:execute-api:us-east-1:123456789012:${api.id}`);
    const fn = run.graph.get("aws:lambda/function:Function", "fn");
    expect(fn.state.arn).to.match(/^arn:aws:lambda:us-east-1:123456789012:function:fn-[0-9a-f]{7}$/);
    expect(fn.state.invokeArn).to.equal(`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.state.arn}/invocations`);
    expect(run.outputs.url.value).to.equal(`https://${api.id}.execute-api.us-east-1.amazonaws.com/dev`);
  });

  it("derives a resource's path from its parents", () => {
    expect(run.outputs.path.value).to.equal("/users/{id}");
  });

  it("records parents and dependencies", () => {
    const widget = run.graph.get("test:index:Widget", "w");
    const api = run.graph.get("aws:apigateway/restApi:RestApi", "w-api");
    expect(widget.custom).to.equal(false);
    expect(api.parent).to.equal(widget.urn);
    expect(run.graph.childrenOf(widget.urn).map((r) => r.name)).to.deep.equal(["w-api"]);
    const stage = run.graph.get("aws:apigateway/stage:Stage", "stage");
    expect(stage.dependencies).to.include(run.graph.get("aws:lambda/function:Function", "fn").urn);
  });

  it("marks secret outputs", () => {
    expect(run.outputs.secretValue).to.deep.equal({ value: "s3cr3t", secret: true });
    expect(run.outputs.plain).to.deep.equal({ value: 42, secret: false });
  });

  it("reports a program's error with what it had registered", async () => {
    try {
      await runProgram({
        stack: "dev",
        define: () => {
          new aws.iam.Role("before", { assumeRolePolicy: "{}" });
          throw new Error("boom");
        },
      });
      expect.fail("runProgram should have thrown");
    } catch (err) {
      expect(err).to.be.instanceOf(ProgramError);
      expect((err as ProgramError).message).to.equal("boom");
    }
  });

  it("runs stacks one after another, each with its own config", async () => {
    const prod = await runProgram({ stack: "prod", define: () => ({ stack: pulumi.getStack(), api: new pulumi.Config("apigw-kit").requireObject("api") }) });
    const dev = await runProgram({ stack: "dev", define: () => ({ stack: pulumi.getStack(), api: new pulumi.Config("apigw-kit").requireObject("api") }) });
    expect(prod.outputs.stack.value).to.equal("prod");
    expect((prod.outputs.api.value as { endpointType: string }).endpointType).to.equal("EDGE");
    expect(dev.outputs.stack.value).to.equal("dev");
    expect((dev.outputs.api.value as { endpointType: string }).endpointType).to.equal("REGIONAL");
  });

  it("refuses provider functions it does not know, naming them", async () => {
    try {
      await runProgram({ stack: "dev", define: () => ({ zones: aws.getAvailabilityZonesOutput() }) });
      expect.fail("runProgram should have thrown");
    } catch (err) {
      expect((err as Error).message).to.contain("the local control plane does not answer aws:index/getAvailabilityZones:getAvailabilityZones");
    }
  });

  it("creates a resource in the region of its own `region` argument or of its explicit provider, recording the provider", async () => {
    const regional = await runProgram({
      stack: "dev",
      cloud: { randomSeed: "regions" },
      define: () => {
        const tokyo = new aws.Provider("tokyo", { region: "ap-northeast-1" });
        new aws.acm.Certificate("here", { domainName: "a.example.com", validationMethod: "DNS" });
        new aws.acm.Certificate("by-argument", { domainName: "b.example.com", validationMethod: "DNS", region: "eu-west-1" });
        new aws.acm.Certificate("by-provider", { domainName: "c.example.com", validationMethod: "DNS" }, { provider: tokyo });
        new aws.apigateway.DomainName("domain", { domainName: "c.example.com", endpointConfiguration: { types: "REGIONAL" } }, { provider: tokyo });
        return {};
      },
    });
    const arnOf = (name: string) => regional.graph.get("aws:acm/certificate:Certificate", name).state.arn as string;
    expect([arnOf("here"), arnOf("by-argument"), arnOf("by-provider")].map((arn) => arn.split(":")[3])).to.deep.equal(["us-east-1", "eu-west-1", "ap-northeast-1"]);
    const provider = regional.graph.get("pulumi:providers:aws", "tokyo");
    expect(regional.graph.get("aws:acm/certificate:Certificate", "by-provider").provider).to.equal(`${provider.urn}::${provider.id}`);
    expect(regional.graph.get("aws:acm/certificate:Certificate", "here").provider).to.equal(undefined);
    const domain = regional.graph.get("aws:apigateway/domainName:DomainName", "domain").state;
    expect(domain.regionalDomainName).to.match(/^d-[a-z0-9]{10}\.execute-api\.ap-northeast-1\.amazonaws\.com$/);
    expect(domain.regionalZoneId).to.equal("Z1YSHQZHG15GKL");
  });

  describe("stack traces while a program runs", () => {
    it("keeps the program's own errors mapped to its TypeScript lines, and restores the process's formatting after the run", async () => {
      const before = Error.prepareStackTrace;
      const throwLine = fs.readFileSync(__filename, "utf8").split("\n").findIndex((line) => line.includes("THROWN" + "_HERE")) + 1;
      try {
        await runProgram({
          stack: "dev",
          define: () => {
            throw new Error("mapped?"); // THROWN_HERE
          },
        });
        expect.fail("runProgram should have thrown");
      } catch (err) {
        const stack = String((err as ProgramError).cause.stack);
        expect(stack.split("\n")[1], stack).to.contain(`controlPlane.spec.ts:${throwLine}:`);
      }
      expect(Error.prepareStackTrace, "restored after a failed run").to.equal(before);
      await runProgram({ stack: "dev", define: () => ({}) });
      expect(Error.prepareStackTrace, "restored after a run").to.equal(before);
    });

    it("formats the traces Pulumi's own code captures as V8 does, without source maps (the mocks read no source positions)", async () => {
      let formatted: unknown;
      const frame = (file: string) => ({ getFileName: () => file, toString: () => `Resource.callsites (${file}:10:5)` }) as unknown as NodeJS.CallSite;
      const sdkFile = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "resource.js");
      await runProgram({
        stack: "dev",
        define: () => {
          formatted = Error.prepareStackTrace!(new Error("captured"), [frame(sdkFile), frame("/project/index.js")]);
          return {};
        },
      });
      expect(formatted).to.equal(`Error: captured\n    at Resource.callsites (${sdkFile}:10:5)\n    at Resource.callsites (/project/index.js:10:5)`);
    });
  });
});
