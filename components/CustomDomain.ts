import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { basePathProblem, customDomainNameProblem, normalizedBasePath, stageNameProblem } from "./apigateway";
import { shown } from "./apigateway/shownValue";
import { checkedArgs, refuse } from "./argumentErrors";
import { type ComponentTags, type Transform, childTags, transformed } from "./transform";

/** Where a custom domain is served from. */
export type CustomDomainEndpointType = "REGIONAL" | "EDGE";

/** Which addresses the domain answers on: IPv4 only, or IPv4 and IPv6. */
export type CustomDomainIpAddressType = "ipv4" | "dualstack";

/** One base path of the domain, mapped to a REST API stage. */
export interface CustomDomainMapping {
  /**
   * The path segment that selects this stage (`https://api.example.com/v1/...`), with or
   * without its leading `/`; `""` or `"/"` maps the domain's root. One segment of letters,
   * digits and `$-_.+!*'()`, unique among the mappings.
   * @default "" (the root)
   * @example "/v1"
   */
  basePath?: string;
  /** The REST API's id (`restApi.id`). */
  restApiId: pulumi.Input<string>;
  /**
   * The stage's name. Give the stage's own output (`stage.stageName`) so the mapping waits for
   * the stage, which API Gateway requires to exist.
   * @example stage.stageName
   */
  stageName: pulumi.Input<string>;
}

export interface CustomDomainArgs {
  /**
   * The domain name the APIs are served at: a lowercase DNS name, at most 253 characters, in
   * the hosted zone `hostedZoneId`.
   * @example "api.example.com"
   */
  domainName: string;
  /**
   * The Route 53 public hosted zone that holds `domainName`: the certificate's validation
   * record and the alias records are written there. An id, not a zone name, so that no lookup
   * runs at deploy time (read it from `aws.route53.getZoneOutput({ name })` if you only have
   * the name).
   * @example "Z0123456789ABCDEFGHIJ"
   */
  hostedZoneId: pulumi.Input<string>;
  /**
   * `REGIONAL` serves the domain from the stack's region (the certificate is requested there);
   * `EDGE` serves it through CloudFront, whose certificates live in us-east-1, so the
   * certificate is requested there through the component's own us-east-1 provider.
   * @default "REGIONAL"
   */
  endpointType?: CustomDomainEndpointType;
  /**
   * `dualstack` serves the domain on IPv4 and IPv6 and adds an `AAAA` alias record next to the
   * `A` one; `ipv4` serves IPv4 only, with the `A` record alone.
   * @default "dualstack"
   */
  ipAddressType?: CustomDomainIpAddressType;
  /**
   * The base paths and the REST API stages they lead to; at least one. `url` is the first
   * mapping's.
   * @example [{ basePath: "/v1", restApiId: v1.id, stageName: v1Stage.stageName }, { basePath: "/v2", restApiId: v2.id, stageName: v2Stage.stageName }]
   */
  mappings: CustomDomainMapping[];
  /**
   * An ACM certificate covering `domainName` to use instead of requesting one: in us-east-1
   * for an `EDGE` domain, in the stack's region for a `REGIONAL` one. With it, the component
   * creates no certificate, validation record or us-east-1 provider.
   * @default none (a certificate is requested and validated through Route 53)
   * @example "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
   */
  certificateArn?: pulumi.Input<string>;
  /**
   * Tags for the taggable children (the certificate and the API Gateway domain name), merged
   * over the AWS provider's `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "payments" }
   */
  tags?: ComponentTags;
  /**
   * Changes to the children's args and options, per kind of child, applied just before it is
   * created (see {@link Transform}).
   * @default none
   * @example
   * transform: {
   *   domainName: { securityPolicy: "SecurityPolicy_TLS13_1_3_2025_09" },
   *   aliasRecord: (args, opts) => { opts.protect = true; },
   * }
   */
  transform?: CustomDomainTransform;
}

/** Per-child transforms of {@link CustomDomain}. */
export interface CustomDomainTransform {
  /** The ACM certificate (when `certificateArn` is not given). */
  certificate?: Transform<aws.acm.CertificateArgs>;
  /** The certificate's DNS validation record. */
  validationRecord?: Transform<aws.route53.RecordArgs>;
  /** The wait for the certificate to be issued. */
  certificateValidation?: Transform<aws.acm.CertificateValidationArgs>;
  /** The API Gateway custom domain name. */
  domainName?: Transform<aws.apigateway.DomainNameArgs>;
  /** Each base path mapping (called once per mapping). */
  basePathMapping?: Transform<aws.apigateway.BasePathMappingArgs>;
  /** Each alias record (called for the A record, and the AAAA record of a dualstack domain). */
  aliasRecord?: Transform<aws.route53.RecordArgs>;
}

/** The arguments with defaults applied. */
export interface ValidatedCustomDomain {
  domainName: string;
  endpointType: CustomDomainEndpointType;
  ipAddressType: CustomDomainIpAddressType;
  /** The mappings with their base paths as API Gateway stores them (`""` for the root). */
  mappings: Array<CustomDomainMapping & { basePath: string }>;
}

/**
 * A custom domain name for REST API stages: an ACM certificate validated through Route 53
 * (in us-east-1 for an EDGE domain), the API Gateway domain name (TLS 1.2), one base path
 * mapping per stage, and the Route 53 alias records (A, and AAAA when dualstack) pointing the
 * name at it.
 */
export class CustomDomain extends pulumi.ComponentResource {
  /** The us-east-1 provider of an EDGE domain's certificate; undefined otherwise. */
  public readonly usEast1Provider?: aws.Provider;
  /** The requested certificate; undefined when `certificateArn` was given. */
  public readonly certificate?: aws.acm.Certificate;
  /** The certificate's DNS validation record; undefined when `certificateArn` was given. */
  public readonly validationRecord?: aws.route53.Record;
  /** Waits for the certificate to be issued; undefined when `certificateArn` was given. */
  public readonly certificateValidation?: aws.acm.CertificateValidation;
  /** The API Gateway custom domain name. */
  public readonly domain: aws.apigateway.DomainName;
  /** The base path mappings, by base path as API Gateway stores it (`""` for the root). */
  public readonly basePathMappings: Record<string, aws.apigateway.BasePathMapping>;
  /** The alias records of the name: `A`, and `AAAA` for a dualstack domain. */
  public readonly aliasRecords: { A: aws.route53.Record; AAAA?: aws.route53.Record };

  /** `https://<domain>` and the first mapping's base path, e.g. `https://api.example.com/v1`. */
  public readonly url: pulumi.Output<string>;
  /** The URL of every mapping, by base path (`"/"` for the root, `"/v1"`, ...). */
  public readonly urls: pulumi.Output<Record<string, string>>;
  public readonly domainName: pulumi.Output<string>;
  /** What the alias records point at: `d-<id>.execute-api.<region>.amazonaws.com`, or CloudFront's `d<id>.cloudfront.net` for EDGE. */
  public readonly targetDomainName: pulumi.Output<string>;
  /** The hosted zone of `targetDomainName` (API Gateway's in the region, or CloudFront's). */
  public readonly hostedZoneId: pulumi.Output<string>;

  constructor(name: string, args: CustomDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:CustomDomain", name, {}, opts);
    const spec = checkedArgs(this, () => validateCustomDomainArgs(args));
    const transform = args.transform ?? {};

    let certificateArn: pulumi.Input<string>;
    if (args.certificateArn !== undefined) {
      certificateArn = args.certificateArn;
    } else {
      // CloudFront only takes certificates from us-east-1, whatever the stack's region.
      this.usEast1Provider = spec.endpointType === "EDGE" ? new aws.Provider(`${name}-us-east-1`, { region: "us-east-1" }, { parent: this }) : undefined;
      const issued = createValidatedCertificate(this, name, spec.domainName, args, this.usEast1Provider);
      this.certificate = issued.certificate;
      this.validationRecord = issued.validationRecord;
      this.certificateValidation = issued.certificateValidation;
      // The validation's ARN, not the certificate's: the domain name waits for the issue.
      certificateArn = issued.certificateValidation.certificateArn;
    }
    this.domain = createDomainName(this, name, spec, certificateArn, args.tags, transform.domainName);
    this.basePathMappings = mapBasePaths(this, name, this.domain, spec.mappings, transform.basePathMapping);

    const target = targetOf(this.domain, spec.endpointType);
    this.aliasRecords = createAliasRecords(this, name, spec, args.hostedZoneId, target, transform.aliasRecord);

    // The URLs wait for the mappings: before them, the domain answers nothing.
    const mapped = pulumi.all(Object.values(this.basePathMappings).map((mapping) => mapping.id));
    this.urls = mapped.apply(() => domainUrls(spec.domainName, spec.mappings));
    this.url = this.urls.apply((urls) => urls[urlKey(spec.mappings[0].basePath)]);
    this.domainName = this.domain.domainName;
    this.targetDomainName = target.name;
    this.hostedZoneId = target.zoneId;
    this.registerOutputs({ url: this.url, urls: this.urls, domainName: this.domainName, targetDomainName: this.targetDomainName, hostedZoneId: this.hostedZoneId });
  }
}

// ---------------------------------------------------------------------------------------------
// Validation: everything is checked before any resource exists.

/** An ACM certificate ARN, `arn:<partition>:acm:<region>:<account>:certificate/<id>`. */
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[\w-]+$/;
/** Route 53 hosted zone ids: uppercase letters and digits. */
const HOSTED_ZONE_ID = /^[A-Z0-9]{1,32}$/;

/** Checks every argument, naming the one that is wrong; returns them with defaults applied. */
export function validateCustomDomainArgs(args: CustomDomainArgs): ValidatedCustomDomain {
  refuse(customDomainNameProblem(args.domainName, "domainName"));
  if (args.hostedZoneId === undefined || args.hostedZoneId === null || args.hostedZoneId === "") {
    throw new Error("hostedZoneId is required: the Route 53 hosted zone holding domainName");
  }
  if (typeof args.hostedZoneId === "string" && !HOSTED_ZONE_ID.test(args.hostedZoneId)) {
    throw new Error(`hostedZoneId must be a Route 53 hosted zone id like "Z0123456789ABCDEFGHIJ" (got ${shown(args.hostedZoneId)})`);
  }
  const endpointType = args.endpointType ?? "REGIONAL";
  if (endpointType !== "REGIONAL" && endpointType !== "EDGE") {
    throw new Error(`endpointType must be "REGIONAL" or "EDGE" (got ${shown(endpointType)})`);
  }
  if (typeof args.certificateArn === "string") {
    const arn = CERTIFICATE_ARN.exec(args.certificateArn);
    if (!arn) throw new Error(`certificateArn must be an ACM certificate ARN (got ${shown(args.certificateArn)})`);
    if (endpointType === "EDGE" && arn[1] !== "us-east-1") {
      throw new Error(`certificateArn: an EDGE domain is served by CloudFront, which takes certificates from us-east-1 only (got one in ${arn[1]})`);
    }
  }
  const ipAddressType = args.ipAddressType ?? "dualstack";
  if (ipAddressType !== "ipv4" && ipAddressType !== "dualstack") {
    throw new Error(`ipAddressType must be "ipv4" or "dualstack" (got ${shown(ipAddressType)})`);
  }
  return { domainName: args.domainName, endpointType, ipAddressType, mappings: validateMappings(args.mappings) };
}

function validateMappings(mappings: CustomDomainMapping[]): ValidatedCustomDomain["mappings"] {
  if (!Array.isArray(mappings) || mappings.length === 0) {
    throw new Error("mappings must list at least one { basePath, restApiId, stageName }: a domain without a mapping serves nothing");
  }
  const seen = new Map<string, number>();
  return mappings.map((mapping, i) => {
    const at = `mappings[${i}]`;
    refuse(basePathProblem(mapping?.basePath, `${at}.basePath`));
    const basePath = normalizedBasePath(mapping.basePath);
    const first = seen.get(basePath);
    if (first !== undefined) {
      throw new Error(`${at}.basePath ${shown(mapping.basePath ?? "")} maps the same path as mappings[${first}] (${basePath === "" ? "the root" : `"/${basePath}"`}): base paths must be unique`);
    }
    seen.set(basePath, i);
    if (mapping.restApiId === undefined || mapping.restApiId === null || mapping.restApiId === "") throw new Error(`${at}.restApiId is required`);
    if (mapping.stageName === undefined || mapping.stageName === null) throw new Error(`${at}.stageName is required`);
    if (typeof mapping.stageName === "string") refuse(stageNameProblem(mapping.stageName, `${at}.stageName`));
    return { ...mapping, basePath };
  });
}

// ---------------------------------------------------------------------------------------------
// Children.

interface IssuedCertificate {
  certificate: aws.acm.Certificate;
  validationRecord: aws.route53.Record;
  certificateValidation: aws.acm.CertificateValidation;
}

/** Requests the certificate, writes the CNAME ACM asks for and waits until it is issued. */
function createValidatedCertificate(
  parent: pulumi.Resource,
  name: string,
  domainName: string,
  args: CustomDomainArgs,
  provider: aws.Provider | undefined,
): IssuedCertificate {
  const transform = args.transform ?? {};
  const certificate = new aws.acm.Certificate(
    ...transformed(
      transform.certificate,
      `${name}-certificate`,
      { domainName, validationMethod: "DNS", tags: childTags(args.tags, { Name: domainName }) },
      { parent, provider },
    ),
  );
  // The certificate covers one name, so ACM asks for one record.
  const option = certificate.domainValidationOptions.apply((options) => {
    const found = options.find((o) => o.domainName === domainName);
    if (!found) throw new Error(`${name}: ACM asked for no validation record of ${domainName}`);
    return found;
  });
  const validationRecord = new aws.route53.Record(
    ...transformed(
      transform.validationRecord,
      `${name}-validation`,
      {
        zoneId: args.hostedZoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 60,
        // ACM asks every certificate of a name for the same record: another stack may own it.
        allowOverwrite: true,
      },
      { parent },
    ),
  );
  const certificateValidation = new aws.acm.CertificateValidation(
    ...transformed(
      transform.certificateValidation,
      `${name}-certificate-validation`,
      { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
      { parent, provider },
    ),
  );
  return { certificate, validationRecord, certificateValidation };
}

function createDomainName(
  parent: pulumi.Resource,
  name: string,
  spec: ValidatedCustomDomain,
  certificateArn: pulumi.Input<string>,
  tags: ComponentTags | undefined,
  transform: Transform<aws.apigateway.DomainNameArgs> | undefined,
): aws.apigateway.DomainName {
  // A REGIONAL domain takes its certificate as `regionalCertificateArn`, an EDGE one as `certificateArn`.
  const certificate = spec.endpointType === "REGIONAL" ? { regionalCertificateArn: certificateArn } : { certificateArn };
  return new aws.apigateway.DomainName(
    ...transformed(
      transform,
      `${name}-domain`,
      {
        domainName: spec.domainName,
        ...certificate,
        endpointConfiguration: { types: spec.endpointType, ipAddressType: spec.ipAddressType },
        securityPolicy: "TLS_1_2",
        tags,
      },
      { parent },
    ),
  );
}

function mapBasePaths(
  parent: pulumi.Resource,
  name: string,
  domain: aws.apigateway.DomainName,
  mappings: ValidatedCustomDomain["mappings"],
  transform: Transform<aws.apigateway.BasePathMappingArgs> | undefined,
): Record<string, aws.apigateway.BasePathMapping> {
  return Object.fromEntries(
    mappings.map((mapping) => [
      mapping.basePath,
      new aws.apigateway.BasePathMapping(
        ...transformed(
          transform,
          `${name}-mapping-${mapping.basePath === "" ? "root" : mapping.basePath}`,
          // Left out, the base path is the root (the API's "(none)").
          { domainName: domain.domainName, restApi: mapping.restApiId, stageName: mapping.stageName, basePath: mapping.basePath === "" ? undefined : mapping.basePath },
          { parent },
        ),
      ),
    ]),
  );
}

/** The name and hosted zone the alias records point at. */
interface AliasTarget {
  name: pulumi.Output<string>;
  zoneId: pulumi.Output<string>;
}

function targetOf(domain: aws.apigateway.DomainName, endpointType: CustomDomainEndpointType): AliasTarget {
  return endpointType === "REGIONAL"
    ? { name: domain.regionalDomainName, zoneId: domain.regionalZoneId }
    : { name: domain.cloudfrontDomainName, zoneId: domain.cloudfrontZoneId };
}

/** The alias records of the name to the domain's target: A, and AAAA for IPv6 clients of a dualstack domain. */
function createAliasRecords(
  parent: pulumi.Resource,
  name: string,
  spec: ValidatedCustomDomain,
  hostedZoneId: pulumi.Input<string>,
  target: AliasTarget,
  transform: Transform<aws.route53.RecordArgs> | undefined,
): CustomDomain["aliasRecords"] {
  const record = (type: "A" | "AAAA") =>
    new aws.route53.Record(
      ...transformed(
        transform,
        `${name}-alias-${type.toLowerCase()}`,
        { zoneId: hostedZoneId, name: spec.domainName, type, aliases: [{ name: target.name, zoneId: target.zoneId, evaluateTargetHealth: false }] },
        { parent },
      ),
    );
  return { A: record("A"), AAAA: spec.ipAddressType === "dualstack" ? record("AAAA") : undefined };
}

/** The key of a base path in `urls`: `"/"` for the root, `"/v1"` for `v1`. */
function urlKey(basePath: string): string {
  return `/${basePath}`;
}

/**
 * The URL of every mapping, by base path: `https://<domain>` for the root,
 * `https://<domain>/<base path>` for the others.
 *
 * @param domainName - The custom domain name.
 * @param mappings - The validated mappings (base paths as API Gateway stores them).
 */
export function domainUrls(domainName: string, mappings: ReadonlyArray<{ basePath: string }>): Record<string, string> {
  return Object.fromEntries(mappings.map(({ basePath }) => [urlKey(basePath), basePath === "" ? `https://${domainName}` : `https://${domainName}/${basePath}`]));
}
