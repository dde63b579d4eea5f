import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { checkedArgs } from "./argumentErrors";
import { ComponentTags, Transform, transformed } from "./transform";

export interface PrivateApiNetworkArgs {
  /**
   * An existing VPC and its subnets for the endpoint; without them a VPC is created with
   * awsx (private subnets in `availabilityZones` zones, no NAT gateways: the API needs none).
   * @default a new VPC
   */
  existing?: { vpcId: pulumi.Input<string>; subnetIds: pulumi.Input<string>[]; cidrBlock: pulumi.Input<string> };
  /**
   * The new VPC's address range (ignored with `existing`).
   * @default "10.0.0.0/16"
   */
  cidrBlock?: string;
  /**
   * How many availability zones the new VPC spans (2..6; ignored with `existing`).
   * @default 2
   */
  availabilityZones?: number;
  /**
   * Tags for every taggable child (the new VPC, which awsx passes on to its subnets and route
   * tables, the endpoint's security group and the VPC endpoint), merged over the AWS
   * provider's `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "payments", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes to the children's args and options, per kind of child, applied just before it is
   * created (after everything the component set, `tags` included).
   * @default none
   * @example
   * transform: {
   *   // Merged over the new VPC's args: one NAT gateway after all, for other workloads.
   *   vpc: { natGateways: { strategy: "Single" }, subnetSpecs: [{ type: "Private" }, { type: "Public" }] },
   *   // A function: the security group's egress opened to the VPC as well.
   *   securityGroup: (args) => {
   *     args.egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/16"] }];
   *   },
   * }
   */
  transform?: PrivateApiNetworkTransform;
}

/** Per-child transforms of {@link PrivateApiNetwork}: see {@link Transform}. */
export interface PrivateApiNetworkTransform {
  /** The awsx VPC (only without `existing`). */
  vpc?: Transform<awsx.ec2.VpcArgs>;
  /** The endpoint's security group (HTTPS in from the VPC). */
  securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
  /** The `execute-api` interface VPC endpoint. */
  vpcEndpoint?: Transform<aws.ec2.VpcEndpointArgs>;
}

/**
 * The network of a PRIVATE REST API: a VPC (new, from awsx, or given), an `execute-api`
 * interface VPC endpoint with private DNS in its subnets, reachable on 443 from the VPC only,
 * and the resource policy that lets calls in through that endpoint alone.
 */
export class PrivateApiNetwork extends pulumi.ComponentResource {
  /** The VPC's id: the new VPC's, or `existing.vpcId`. */
  public readonly vpcId: pulumi.Output<string>;
  /** The `execute-api` interface VPC endpoint. */
  public readonly vpcEndpoint: aws.ec2.VpcEndpoint;
  /** The endpoint's security group: HTTPS in from the VPC's range only. */
  public readonly securityGroup: aws.ec2.SecurityGroup;
  /** The VPC endpoint's id. */
  public readonly vpcEndpointId: pulumi.Output<string>;
  /** The API's resource policy: invoke allowed, and denied unless through the endpoint. */
  public readonly resourcePolicy: pulumi.Output<string>;
  /** The VPC created with awsx (none with `existing`). */
  public readonly vpc?: awsx.ec2.Vpc;

  constructor(name: string, args: PrivateApiNetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:PrivateApiNetwork", name, {}, opts);
    checkedArgs(this, () => validatePrivateApiNetworkArgs(args));
    const transform = args.transform ?? {};

    let subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    let cidrBlock: pulumi.Input<string>;
    if (args.existing) {
      this.vpcId = pulumi.output(args.existing.vpcId);
      subnetIds = args.existing.subnetIds;
      cidrBlock = args.existing.cidrBlock;
    } else {
      const vpcArgs: awsx.ec2.VpcArgs = {
        cidrBlock: args.cidrBlock ?? "10.0.0.0/16",
        numberOfAvailabilityZones: args.availabilityZones ?? 2,
        natGateways: { strategy: "None" },
        subnetStrategy: "Auto",
        subnetSpecs: [{ type: "Private" }],
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: args.tags,
      };
      const [vpcName, finalVpcArgs, vpcOpts] = transformed(transform.vpc, `${name}-vpc`, vpcArgs, { parent: this });
      this.vpc = new awsx.ec2.Vpc(vpcName, finalVpcArgs, vpcOpts);
      this.vpcId = this.vpc.vpcId;
      subnetIds = this.vpc.privateSubnetIds;
      // The range as created: a transform may have changed it.
      cidrBlock = finalVpcArgs.cidrBlock ?? "10.0.0.0/16";
    }

    const groupArgs: aws.ec2.SecurityGroupArgs = {
      vpcId: this.vpcId,
      description: "HTTPS to the execute-api endpoint from inside the VPC only",
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [cidrBlock] }],
      egress: [],
      tags: args.tags,
    };
    this.securityGroup = new aws.ec2.SecurityGroup(...transformed(transform.securityGroup, `${name}-endpoint`, groupArgs, { parent: this }));
    const region = aws.getRegionOutput({}, { parent: this });
    const endpointArgs: aws.ec2.VpcEndpointArgs = {
      vpcId: this.vpcId,
      serviceName: pulumi.interpolate`com.amazonaws.${region.name}.execute-api`,
      vpcEndpointType: "Interface",
      privateDnsEnabled: true,
      subnetIds,
      securityGroupIds: [this.securityGroup.id],
      tags: args.tags,
    };
    this.vpcEndpoint = new aws.ec2.VpcEndpoint(...transformed(transform.vpcEndpoint, `${name}-execute-api`, endpointArgs, { parent: this }));
    this.vpcEndpointId = this.vpcEndpoint.id;
    this.resourcePolicy = this.vpcEndpointId.apply((id) => privateApiPolicy([id]));
    this.registerOutputs({ vpcId: this.vpcId, vpcEndpointId: this.vpcEndpointId });
  }
}

/** A PRIVATE API's resource policy: invoke is allowed, then denied unless through these endpoints. */
export function privateApiPolicy(vpcEndpointIds: string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "execute-api:Invoke",
        Resource: "execute-api:/*",
        Condition: { StringNotEquals: { "aws:SourceVpce": vpcEndpointIds } },
      },
    ],
  });
}

function validatePrivateApiNetworkArgs(args: PrivateApiNetworkArgs): void {
  if (args.existing && (args.cidrBlock !== undefined || args.availabilityZones !== undefined)) {
    throw new Error("existing: cidrBlock and availabilityZones describe a new VPC; leave them out with an existing one");
  }
  if (args.existing && (!Array.isArray(args.existing.subnetIds) || args.existing.subnetIds.length === 0)) {
    throw new Error("existing.subnetIds must list at least one subnet for the endpoint");
  }
  if (args.cidrBlock !== undefined && !/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-8])$/.test(args.cidrBlock)) {
    throw new Error(`cidrBlock must be an IPv4 range from /16 to /28, like 10.0.0.0/16 (got ${JSON.stringify(args.cidrBlock)})`);
  }
  const zones = args.availabilityZones;
  if (zones !== undefined && (!Number.isInteger(zones) || zones < 2 || zones > 6)) {
    throw new Error(`availabilityZones must be an integer from 2 to 6 (got ${JSON.stringify(zones)})`);
  }
}
