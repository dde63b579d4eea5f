import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { PrivateApiNetwork, PrivateApiNetworkArgs } from "../../components/PrivateApiNetwork";
import { ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { descendantsOf, expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:PrivateApiNetwork",
  vpc: "awsx:ec2:Vpc",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
};
const EXISTING = { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0"], cidrBlock: "172.16.0.0/16" };
const TAGS = { team: "payments", costCenter: "1234" };

/** Runs PrivateApiNetwork "net" with `args`. */
function network(args: PrivateApiNetworkArgs = {}): Promise<ProgramRun> {
  return runProgram({ stack: "dev", define: () => ({ vpcEndpointId: new PrivateApiNetwork("net", args).vpcEndpointId }) });
}

function only(run: ProgramRun, type: string): RecordedResource {
  const found = run.graph.ofType(type);
  expect(found, type).to.have.length(1);
  return found[0];
}

describe("PrivateApiNetwork tags and transforms (under the mock control plane)", () => {
  it("puts the tags on every taggable child: the new VPC, the security group and the endpoint", async () => {
    const run = await network({ tags: TAGS });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.map((r) => r.type).sort()).to.deep.equal([T.securityGroup, T.endpoint, T.vpc].sort());
  });

  it("with an existing VPC, puts the tags on the security group and the endpoint", async () => {
    const run = await network({ existing: EXISTING, tags: TAGS });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.map((r) => r.type).sort()).to.deep.equal([T.securityGroup, T.endpoint].sort());
  });

  it("without tags, gives the children none (the provider's default tags alone apply)", async () => {
    const run = await network();
    const children = descendantsOf(run, T.component);
    expect(children).to.have.length(3);
    for (const child of children) expect(child.inputs.tags, `${child.type} ${child.name}`).to.equal(undefined);
  });

  it("merges a transform object over the VPC's args, and the security group follows the VPC's new range", async () => {
    const run = await network({ tags: TAGS, transform: { vpc: { cidrBlock: "10.1.0.0/16" } } });
    expect(only(run, T.vpc).inputs).to.deep.include({ cidrBlock: "10.1.0.0/16", numberOfAvailabilityZones: 2, natGateways: { strategy: "None" }, tags: TAGS });
    expect(only(run, T.securityGroup).inputs.ingress).to.deep.equal([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.1.0.0/16"] }]);
  });

  it("lets transform functions change the security group's and the endpoint's args and options", async () => {
    // The mocks record a resource's inputs and dependencies, not its other options (protect,
    // ignoreChanges...): the function's change to the options is seen through dependsOn.
    const names: string[] = [];
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const gate = new aws.sns.Topic("gate", {});
        const net = new PrivateApiNetwork("net", {
          existing: EXISTING,
          tags: TAGS,
          transform: {
            securityGroup: (args, _opts, name) => {
              names.push(name);
              args.description = "HTTPS from the VPC";
            },
            vpcEndpoint: (args, opts, name) => {
              names.push(name);
              args.privateDnsEnabled = false;
              opts.dependsOn = [gate];
            },
          },
        });
        return { vpcEndpointId: net.vpcEndpointId };
      },
    });
    expect(names).to.deep.equal(["net-endpoint", "net-execute-api"]);
    const group = only(run, T.securityGroup);
    expect(group.inputs).to.deep.include({ description: "HTTPS from the VPC", vpcId: EXISTING.vpcId, tags: TAGS });
    const endpoint = only(run, T.endpoint);
    expect(endpoint.inputs).to.deep.include({ privateDnsEnabled: false, vpcEndpointType: "Interface", securityGroupIds: [group.id] });
    const gate = run.graph.resources.find((r) => r.name === "gate")!;
    expect(endpoint.dependencies).to.include(gate.urn);
  });
});
