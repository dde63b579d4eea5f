import { createHmac, randomBytes } from "node:crypto";
import type { ProviderProperties } from "./controlPlane";

/** Where "AWS" is: the account, region and the base URLs the computed attributes point at. */
export interface CloudIdentity {
  /** @default "123456789012" */
  accountId: string;
  /** The stack's `aws:region`. @default "us-east-1" */
  region: string;
  /**
   * Builds a REST/WebSocket API's invoke URL. AWS's form by default; the local cloud answers
   * its own gateway's address instead.
   * @default (apiId, stage) => `https://${apiId}.execute-api.${region}.amazonaws.com/${stage}`
   */
  invokeUrl?: (apiId: string, stage: string, protocol: "https" | "wss") => string;
  /**
   * Makes every id, physical name and generated value (auto-names, API ids, API key values,
   * secret ARN suffixes, RandomPassword results, ...) a function of this seed and the
   * resource's type and logical name, so that running the same program again answers the
   * same ones: a table keeps its name, and so its items, across restarts of the local cloud.
   * Keep it as secret as the values it derives (API keys, passwords).
   * @default none: every draw is random, as each `pulumi up` of a new stack would be
   */
  randomSeed?: string;
}

/** The id and the output properties the provider would have answered. */
export interface ComputedResource {
  id: string;
  state: Record<string, unknown>;
}

/**
 * Answers a resource registration as the AWS provider would after a create: an id of AWS's
 * shape and the computed attributes other resources read (arn, invokeArn, executionArn,
 * rootResourceId, invokeUrl, ...). Inputs are echoed back as outputs, as the provider does.
 *
 * `lookup` reads attributes of resources recorded earlier (by id), which is how a
 * `Resource`'s computed `path` is derived from its parent's.
 */
export function computeAwsAttributes(
  type: string,
  name: string,
  inputs: ProviderProperties,
  cloud: CloudIdentity,
  lookupById: (id: string) => Record<string, unknown> | undefined,
): ComputedResource {
  const { accountId, region } = cloud;
  const invokeUrl =
    cloud.invokeUrl ??
    ((apiId: string, stage: string, protocol: "https" | "wss") =>
      `${protocol}://${apiId}.execute-api.${region}.amazonaws.com/${stage}`);
  const draw = resourceDraws(cloud.randomSeed, type, name);
  const physicalName = (inputs.name as string | undefined) ?? autoName(name, draw);
  const state: Record<string, unknown> = { ...inputs };

  switch (type) {
    case "aws:apigateway/restApi:RestApi": {
      const id = apiGatewayId(draw);
      return {
        id,
        state: {
          ...state,
          name: physicalName,
          rootResourceId: apiGatewayId(draw, "rootResourceId"),
          arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
          executionArn: `arn:aws:execute-api:${region}:${accountId}:${id}`,
          createdDate: new Date().toISOString(),
        },
      };
    }
    case "aws:apigateway/resource:Resource": {
      const parentPath = (lookupById(inputs.parentId)?.path as string | undefined) ?? "/";
      const path = `${parentPath === "/" ? "" : parentPath}/${inputs.pathPart}`;
      return { id: apiGatewayId(draw), state: { ...state, path } };
    }
    case "aws:apigateway/method:Method":
      return { id: `agm-${inputs.restApi}-${inputs.resourceId}-${inputs.httpMethod}`, state };
    case "aws:apigateway/integration:Integration":
      return { id: `agi-${inputs.restApi}-${inputs.resourceId}-${inputs.httpMethod}`, state };
    case "aws:apigateway/methodResponse:MethodResponse":
      return { id: `agmr-${inputs.restApi}-${inputs.resourceId}-${inputs.httpMethod}-${inputs.statusCode}`, state };
    case "aws:apigateway/integrationResponse:IntegrationResponse":
      return { id: `agir-${inputs.restApi}-${inputs.resourceId}-${inputs.httpMethod}-${inputs.statusCode}`, state };
    case "aws:apigateway/deployment:Deployment":
      return { id: apiGatewayId(draw), state: { ...state, createdDate: new Date().toISOString() } };
    case "aws:apigateway/stage:Stage": {
      const apiId = inputs.restApi as string;
      const stage = inputs.stageName as string;
      return {
        id: `ags-${apiId}-${stage}`,
        state: {
          ...state,
          arn: `arn:aws:apigateway:${region}::/restapis/${apiId}/stages/${stage}`,
          executionArn: `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage}`,
          invokeUrl: invokeUrl(apiId, stage, "https"),
        },
      };
    }
    case "aws:apigateway/model:Model":
    case "aws:apigateway/requestValidator:RequestValidator":
    case "aws:apigateway/authorizer:Authorizer":
      return { id: apiGatewayId(draw), state };
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${region}:${accountId}:function:${physicalName}`;
      return {
        id: physicalName,
        state: {
          ...state,
          name: physicalName,
          arn,
          qualifiedArn: `${arn}:$LATEST`,
          invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
          version: "$LATEST",
          timeout: inputs.timeout ?? 3,
          memorySize: inputs.memorySize ?? 128,
        },
      };
    }
    case "aws:iam/role:Role":
      return {
        id: physicalName,
        state: { ...state, name: physicalName, arn: `arn:aws:iam::${accountId}:role/${physicalName}`, uniqueId: `AROA${hex(draw, "uniqueId", 8).toUpperCase()}` },
      };
    case "aws:iam/policy:Policy": {
      const arn = `arn:aws:iam::${accountId}:policy/${physicalName}`;
      return { id: arn, state: { ...state, name: physicalName, arn } };
    }
    case "aws:cloudwatch/logGroup:LogGroup":
      return {
        id: physicalName,
        state: { ...state, name: physicalName, arn: `arn:aws:logs:${region}:${accountId}:log-group:${physicalName}` },
      };
    case "aws:dynamodb/table:Table":
      return {
        id: physicalName,
        state: {
          ...state,
          name: physicalName,
          arn: `arn:aws:dynamodb:${region}:${accountId}:table/${physicalName}`,
          streamArn: inputs.streamEnabled
            ? `arn:aws:dynamodb:${region}:${accountId}:table/${physicalName}/stream/${new Date().toISOString()}`
            : undefined,
        },
      };
    case "aws:apigatewayv2/api:Api": {
      const id = apiGatewayId(draw);
      return {
        id,
        state: {
          ...state,
          name: physicalName,
          apiEndpoint: invokeUrl(id, "", inputs.protocolType === "WEBSOCKET" ? "wss" : "https").replace(/\/$/, ""),
          executionArn: `arn:aws:execute-api:${region}:${accountId}:${id}`,
          arn: `arn:aws:apigateway:${region}::/apis/${id}`,
        },
      };
    }
    case "aws:apigatewayv2/stage:Stage": {
      const apiId = inputs.apiId as string;
      const stage = inputs.name as string;
      const protocol = lookupById(apiId)?.protocolType === "WEBSOCKET" ? "wss" : "https";
      return {
        id: stage,
        state: {
          ...state,
          arn: `arn:aws:apigateway:${region}::/apis/${apiId}/stages/${stage}`,
          executionArn: `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage}`,
          // The $default stage is served at the API's root.
          invokeUrl: invokeUrl(apiId, stage === "$default" ? "" : stage, protocol),
        },
      };
    }
    case "aws:apigatewayv2/integration:Integration":
    case "aws:apigatewayv2/route:Route":
    case "aws:apigatewayv2/authorizer:Authorizer":
      return { id: randomId(draw, "id", 7), state };
    case "aws:cognito/userPool:UserPool": {
      const id = `${region}_${randomId(draw, "id", 9, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}`;
      return {
        id,
        state: {
          ...state,
          name: physicalName,
          arn: `arn:aws:cognito-idp:${region}:${accountId}:userpool/${id}`,
          endpoint: `cognito-idp.${region}.amazonaws.com/${id}`,
        },
      };
    }
    case "aws:cognito/userPoolClient:UserPoolClient":
      return { id: randomId(draw, "id", 26), state: { ...state, clientSecret: undefined } };
    case "aws:secretsmanager/secret:Secret": {
      const arn = `arn:aws:secretsmanager:${region}:${accountId}:secret:${physicalName}-${randomId(draw, "arnSuffix", 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")}`;
      return { id: arn, state: { ...state, name: physicalName, arn } };
    }
    case "aws:secretsmanager/secretVersion:SecretVersion":
      return { id: `${inputs.secretId}|${randomId(draw, "id", 8)}`, state: { ...state, versionId: randomId(draw, "versionId", 32) } };
    case "random:index/randomPassword:RandomPassword":
      return { id: "none", state: { ...state, result: randomPassword(inputs, draw) } };
    case "aws:apigateway/apiKey:ApiKey":
      return {
        id: apiGatewayId(draw),
        state: { ...state, name: physicalName, value: inputs.value ?? randomKeyValue(draw) },
      };
    case "aws:acm/certificate:Certificate":
      return certificateAttributes(state, inputs, cloud, draw);
    case "aws:acm/certificateValidation:CertificateValidation":
      // The provider's id is the time validation completed; the ARN is what others read.
      return { id: String(inputs.certificateArn), state };
    case "aws:apigateway/domainName:DomainName":
      return domainNameAttributes(state, inputs, cloud, draw);
    case "aws:apigateway/basePathMapping:BasePathMapping":
      // The provider's id is `<domain>/<base path>`, the root mapping's path being empty.
      return { id: `${inputs.domainName}/${inputs.basePath ?? ""}`, state };
    case "aws:route53/record:Record":
      // The provider's id is `<zone id>_<name>_<type>`; fqdn is the name without the final dot.
      return {
        id: `${inputs.zoneId}_${inputs.name}_${inputs.type}`,
        state: { ...state, fqdn: String(inputs.name).replace(/\.$/, "") },
      };
    default: {
      if (type.startsWith("pulumi:providers:")) {
        // A provider resource (`new aws.Provider(...)`): its inputs are its state; its id is a UUID.
        return { id: uuid(draw), state };
      }
      // Any other resource: an id, its name and an ARN of the generic shape.
      const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
      return {
        id: `${name}-${hex(draw, "id", 4)}`,
        state: { ...state, arn: state.arn ?? `arn:aws:${service}:${region}:${accountId}:${physicalName}` },
      };
    }
  }
}

/**
 * An ACM certificate as `RequestCertificate` answers it: its ARN (in the region of its
 * provider) and, for DNS validation, one CNAME per name (the domain and each subject
 * alternative name) that ACM asks to find in DNS.
 */
function certificateAttributes(state: ProviderProperties, inputs: ProviderProperties, cloud: CloudIdentity, draw: Draw): ComputedResource {
  const arn = `arn:aws:acm:${cloud.region}:${cloud.accountId}:certificate/${uuid(draw)}`;
  const names: string[] = [inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])].filter((n) => typeof n === "string");
  const dnsValidated = (inputs.validationMethod ?? "DNS") === "DNS" && !inputs.privateKey;
  return {
    id: arn,
    state: {
      ...state,
      arn,
      status: dnsValidated ? "PENDING_VALIDATION" : "ISSUED",
      domainValidationOptions: dnsValidated ? names.map((domainName) => certificateValidationRecord(domainName, draw)) : [],
      validationEmails: [],
    },
  };
}

/** The CNAME ACM asks for a name: `_<hash>.<name>.` pointing at `_<hash>.acm-validations.aws.`. */
function certificateValidationRecord(domainName: string, draw: Draw): ProviderProperties {
  // A wildcard name is validated by the record of the name it covers.
  const validated = domainName.replace(/^\*\./, "");
  return {
    domainName,
    resourceRecordName: `_${hex(draw, `validationName:${domainName}`, 16)}.${validated}.`,
    resourceRecordType: "CNAME",
    resourceRecordValue: `_${hex(draw, `validationValue:${domainName}`, 16)}.${randomId(draw, `validationZone:${domainName}`, 10)}.acm-validations.aws.`,
  };
}

/**
 * An API Gateway custom domain name as `CreateDomainName` answers it: a REGIONAL domain gets a
 * `d-<id>.execute-api.<region>.amazonaws.com` target in the region's API Gateway hosted zone,
 * an EDGE domain a CloudFront distribution (`d<id>.cloudfront.net`, CloudFront's zone).
 */
function domainNameAttributes(state: ProviderProperties, inputs: ProviderProperties, cloud: CloudIdentity, draw: Draw): ComputedResource {
  const domainName = String(inputs.domainName);
  // @pulumi/aws 7 takes one endpoint type (`types: "REGIONAL"`); older schemas took a list.
  const types: string[] = [inputs.endpointConfiguration?.types ?? "EDGE"].flat();
  const target = types.includes("REGIONAL")
    ? {
        regionalDomainName: `d-${randomId(draw, "regionalDomainName", 10)}.execute-api.${cloud.region}.amazonaws.com`,
        regionalZoneId: apiGatewayHostedZoneId(cloud.region),
      }
    : {
        cloudfrontDomainName: `d${randomId(draw, "cloudfrontDomainName", 13)}.cloudfront.net`,
        cloudfrontZoneId: CLOUDFRONT_HOSTED_ZONE_ID,
      };
  return {
    id: domainName,
    state: {
      ...state,
      ...target,
      arn: `arn:aws:apigateway:${cloud.region}::/domainnames/${domainName}`,
      certificateUploadDate: new Date().toISOString(),
    },
  };
}

/** The hosted zone of every CloudFront distribution, which alias records to one name. */
export const CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2";

/**
 * API Gateway's hosted zone per region, which alias records to a regional custom domain name
 * (`d-<id>.execute-api.<region>.amazonaws.com`) name: the "Route 53 Hosted Zone ID" column of
 * https://docs.aws.amazon.com/general/latest/gr/apigateway.html. Only the regions whose id two
 * independent copies of that table agree on (codenize-tools/roadworker's route53-ext.rb, citing
 * the page, and public Go and shell tables of it): us-west-1 and eu-north-1 are left out, their
 * copies disagreeing. Deployed, the id comes from AWS (the domain's regionalZoneId); this
 * table only answers the local control plane.
 */
export const API_GATEWAY_HOSTED_ZONE_IDS: Readonly<Record<string, string>> = {
  "us-east-1": "Z1UJRXOUMOOFQ8",
  "us-east-2": "ZOJJZC49E0EPZ",
  "us-west-2": "Z2OJLYMUO9EFXC",
  "ca-central-1": "Z19DQILCV0OWEC",
  "sa-east-1": "ZCMLWB8V5SYIT",
  "eu-central-1": "Z1U9ULNL0V5AJ3",
  "eu-west-1": "ZLY8HYME6SFDD",
  "eu-west-2": "ZJ5UAJN8Y3Z2Q",
  "eu-west-3": "Z3KY65QIEKYHQQ",
  "ap-south-1": "Z3VO1THU9YC4UR",
  "ap-northeast-1": "Z1YSHQZHG15GKL",
  "ap-northeast-2": "Z20JF4UZKIW1U8",
  "ap-southeast-1": "ZL327KTPIQFUL",
  "ap-southeast-2": "Z2RPCDW04V8134",
};

function apiGatewayHostedZoneId(region: string): string {
  const zone = API_GATEWAY_HOSTED_ZONE_IDS[region];
  if (zone === undefined) {
    throw new Error(`the local control plane does not know API Gateway's hosted zone in ${region} (known: ${Object.keys(API_GATEWAY_HOSTED_ZONE_IDS).join(", ")})`);
  }
  return zone;
}

/** A version 4 UUID (ACM certificate ids, provider ids) from a resource's draws. */
function uuid(draw: Draw): string {
  const bytes = Buffer.from(draw("uuid", 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Remote (multi-language) components are registered like components but answered like
 * resources: the provider computes their outputs. These are the ones the program uses.
 */
export function computeRemoteComponentOutputs(type: string, name: string, inputs: ProviderProperties, cloud: CloudIdentity): Record<string, unknown> | undefined {
  if (type !== "awsx:ec2:Vpc") return undefined;
  const draw = resourceDraws(cloud.randomSeed, type, name);
  const zones = Number(inputs.numberOfAvailabilityZones ?? 3);
  const subnets = (tier: string) => Array.from({ length: zones }, (_, i) => `subnet-${hex(draw, `${tier}Subnet${i}`, 8).slice(0, 17)}`);
  const privateSubnetIds = subnets("private");
  const publicSubnetIds = inputs.natGateways?.strategy === "None" ? [] : subnets("public");
  return {
    vpcId: `vpc-${hex(draw, "vpcId", 8).slice(0, 17)}`,
    privateSubnetIds,
    publicSubnetIds,
    isolatedSubnetIds: [],
    availabilityZones: Array.from({ length: zones }, (_, i) => `${cloud.region}${"abcdef"[i]}`),
    cidrBlock: inputs.cidrBlock ?? "10.0.0.0/16",
    name,
  };
}

/** Answers the provider functions (invokes) a program may call. */
export function answerAwsCall(token: string, inputs: ProviderProperties, cloud: CloudIdentity): Record<string, unknown> {
  switch (token) {
    case "aws:index/getRegion:getRegion":
      return { id: cloud.region, name: cloud.region, region: cloud.region, description: "local" };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        id: cloud.accountId,
        accountId: cloud.accountId,
        arn: `arn:aws:iam::${cloud.accountId}:user/local`,
        userId: "AIDALOCAL",
      };
    case "aws:index/getPartition:getPartition":
      return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    default:
      throw new Error(`the local control plane does not answer ${token} (inputs: ${JSON.stringify(inputs)})`);
  }
}

/** `bytes` bytes for one purpose (an id, a name suffix, a key value) of one resource. */
export type Draw = (purpose: string, bytes: number) => Buffer;

/** Fresh random bytes, whatever the purpose: a resource of a cloud without a seed. */
const randomDraw: Draw = (_purpose, bytes) => randomBytes(bytes);

/**
 * The draws of one resource. Without a seed they are random. With one, a draw is
 * HMAC-SHA256(seed, `${type}|${logicalName}|${purpose}`), followed by further blocks
 * (`...|${purpose}|1`, `|2`, ...) when more than 32 bytes are needed: the same program with
 * the same seed answers the same names and ids, and a resource's draws tell nothing of
 * another's. Pulumi keeps logical names unique per type within a stack (strictly, per type
 * and parent type; components derive their children's names from their own), so no two
 * resources share a draw.
 *
 * @param seed - {@link CloudIdentity.randomSeed}; undefined or "" draws at random.
 * @param type - The resource's type token.
 * @param logicalName - The resource's name in the program.
 */
export function resourceDraws(seed: string | undefined, type: string, logicalName: string): Draw {
  if (!seed) return randomDraw;
  return (purpose, bytes) => derivedBytes(seed, `${type}|${logicalName}|${purpose}`, bytes);
}

function derivedBytes(seed: string, label: string, bytes: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < bytes; i++) {
    blocks.push(createHmac("sha256", seed).update(i === 0 ? label : `${label}|${i}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, bytes);
}

/** A physical name as Pulumi auto-naming makes it: the logical name and 7 random hex digits. */
function autoName(logicalName: string, draw: Draw): string {
  return `${logicalName}-${hex(draw, "name", 4).slice(0, 7)}`;
}

function randomId(draw: Draw, purpose: string, length: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
  return Array.from(draw(purpose, length), (b) => alphabet[b % alphabet.length]).join("");
}

/**
 * What `random.RandomPassword` would generate: `length` characters from the classes its
 * inputs allow, at least `min*` of each (the provider's rules, minus its bias towards none).
 *
 * @param inputs - The RandomPassword's inputs (length, upper, lower, numeric, special, min*, overrideSpecial).
 * @param draw - Where its randomness comes from ({@link resourceDraws}). @default fresh random bytes
 */
export function randomPassword(inputs: ProviderProperties, draw: Draw = randomDraw): string {
  const classes: Array<[boolean, string, number]> = [
    [inputs.upper !== false, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", inputs.minUpper ?? 0],
    [inputs.lower !== false, "abcdefghijklmnopqrstuvwxyz", inputs.minLower ?? 0],
    [inputs.numeric !== false && inputs.number !== false, "0123456789", inputs.minNumeric ?? 0],
    [inputs.special !== false, inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?", inputs.minSpecial ?? 0],
  ];
  const allowed = classes.filter(([on]) => on);
  const length = Number(inputs.length ?? 16);
  const chars: string[] = [];
  allowed.forEach(([, alphabet, min], i) => chars.push(...randomId(draw, `password:min${i}`, min, alphabet)));
  const all = allowed.map(([, alphabet]) => alphabet).join("") || "abcdefghijklmnopqrstuvwxyz";
  chars.push(...randomId(draw, "password:rest", Math.max(0, length - chars.length), all));
  // Shuffle so the required characters are not all at the front.
  const order = draw("password:order", chars.length);
  return chars.map((c, i) => [order[i], c] as const).sort((a, b) => a[0] - b[0]).map(([, c]) => c).join("").slice(0, length);
}

/** API Gateway ids are 10 lower-case alphanumerics. */
function apiGatewayId(draw: Draw, purpose = "id"): string {
  return randomId(draw, purpose, 10);
}

/** API key values are 40 characters when API Gateway generates them. */
function randomKeyValue(draw: Draw): string {
  return draw("value", 30).toString("base64").replace(/[^A-Za-z0-9]/g, "").padEnd(40, "x").slice(0, 40);
}

function hex(draw: Draw, purpose: string, bytes: number): string {
  return draw(purpose, bytes).toString("hex");
}
