import { expect } from "chai";
import { ProgramRun, runProgram } from "../../local/controlPlane";
import { loadStackConfig } from "../../local/stackConfig";
import { PrivateApiNetwork } from "../../components/PrivateApiNetwork";

const T = {
  vpc: "awsx:ec2:Vpc",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  restApi: "aws:apigateway/restApi:RestApi",
};
const DEV_API = JSON.parse(loadStackConfig(`${__dirname}/../..`, "dev").config["apigw-kit:api"]);

describe("PRIVATE endpoint type", () => {
  describe("without endpoint ids in config: a VPC and an execute-api endpoint are made for it", () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram({ stack: "dev", configOverrides: { "apigw-kit:api": { ...DEV_API, endpointType: "PRIVATE" } } });
    });

    it("creates the VPC with awsx: private subnets only, no NAT gateways", () => {
      const [vpc] = run.graph.ofType(T.vpc);
      expect(vpc.inputs).to.deep.include({ cidrBlock: "10.0.0.0/16", numberOfAvailabilityZones: 2, natGateways: { strategy: "None" }, subnetSpecs: [{ type: "Private" }] });
    });

    it("creates an execute-api interface endpoint with private DNS in the VPC's private subnets, open on 443 to the VPC only", () => {
      const [vpc] = run.graph.ofType(T.vpc);
      const [endpoint] = run.graph.ofType(T.endpoint);
      const [group] = run.graph.ofType(T.securityGroup);
      expect(endpoint.inputs).to.deep.include({
        vpcId: vpc.state.vpcId,
        serviceName: "com.amazonaws.us-east-1.execute-api",
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: vpc.state.privateSubnetIds,
        securityGroupIds: [group.id],
      });
      expect(group.inputs.ingress).to.deep.equal([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }]);
      expect(group.inputs.egress).to.deep.equal([]);
    });

    it("makes the API PRIVATE on that endpoint, with a policy denying any other way in", () => {
      const [api] = run.graph.ofType(T.restApi);
      const [endpoint] = run.graph.ofType(T.endpoint);
      expect(api.inputs.endpointConfiguration).to.deep.equal({ types: "PRIVATE", vpcEndpointIds: [endpoint.id] });
      const policy = JSON.parse(api.inputs.policy);
      expect(policy.Statement).to.deep.equal([
        { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
        { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: { StringNotEquals: { "aws:SourceVpce": [endpoint.id] } } },
      ]);
    });
  });

  it("with endpoint ids in config: uses them, and makes no VPC", async () => {
    const ids = ["vpce-0123456789abcdef0"];
    const run = await runProgram({ stack: "dev", configOverrides: { "apigw-kit:api": { ...DEV_API, endpointType: "PRIVATE", vpcEndpointIds: ids } } });
    expect(run.graph.ofType(T.vpc)).to.deep.equal([]);
    expect(run.graph.ofType(T.endpoint)).to.deep.equal([]);
    const [api] = run.graph.ofType(T.restApi);
    expect(api.inputs.endpointConfiguration).to.deep.equal({ types: "PRIVATE", vpcEndpointIds: ids });
    expect(JSON.parse(api.inputs.policy).Statement[1].Condition).to.deep.equal({ StringNotEquals: { "aws:SourceVpce": ids } });
  });

  it("PrivateApiNetwork refuses bad arguments before creating anything", async () => {
    const cases: Array<[ConstructorParameters<typeof PrivateApiNetwork>[1], string]> = [
      [{ cidrBlock: "10.0.0.0/8" }, 'cidrBlock must be an IPv4 range from /16 to /28, like 10.0.0.0/16 (got "10.0.0.0/8")'],
      [{ availabilityZones: 1 }, "availabilityZones must be an integer from 2 to 6 (got 1)"],
      [{ existing: { vpcId: "vpc-1", subnetIds: [], cidrBlock: "10.0.0.0/16" } }, "existing.subnetIds must list at least one subnet for the endpoint"],
      [{ existing: { vpcId: "vpc-1", subnetIds: ["subnet-1"], cidrBlock: "10.0.0.0/16" }, availabilityZones: 3 }, "existing: cidrBlock and availabilityZones describe a new VPC; leave them out with an existing one"],
    ];
    for (const [args, message] of cases) {
      try {
        await runProgram({ stack: "dev", define: () => ({ network: new PrivateApiNetwork("n", args).vpcEndpointId }) });
        expect.fail(`accepted ${JSON.stringify(args)}`);
      } catch (err) {
        expect((err as Error).message).to.equal(message);
      }
    }
  });
});
