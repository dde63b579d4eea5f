import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { CustomDomain, CustomDomainArgs, domainUrls, validateCustomDomainArgs } from "../../components/CustomDomain";
import { ProgramError, ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { descendantsOf, expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:CustomDomain",
  provider: "pulumi:providers:aws",
  certificate: "aws:acm/certificate:Certificate",
  validation: "aws:acm/certificateValidation:CertificateValidation",
  domain: "aws:apigateway/domainName:DomainName",
  mapping: "aws:apigateway/basePathMapping:BasePathMapping",
  record: "aws:route53/record:Record",
  restApi: "aws:apigateway/restApi:RestApi",
  stage: "aws:apigateway/stage:Stage",
};
const ZONE = "Z0123456789ABCDEFGHIJ";
const DOMAIN = "api.example.com";

/** Two REST APIs with a stage each (`v1` on api-one, `live` on api-two), and `define` given them. */
function runWithApis(
  domainArgs: (apis: { one: aws.apigateway.RestApi; oneStage: aws.apigateway.Stage; two: aws.apigateway.RestApi; twoStage: aws.apigateway.Stage }) => Partial<CustomDomainArgs>,
  options: { region?: string } = {},
): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    configOverrides: options.region ? { "aws:region": options.region } : {},
    cloud: { randomSeed: "custom-domain-spec" },
    define: () => {
      const apis = {
        one: new aws.apigateway.RestApi("api-one", { name: "api-one" }),
        two: new aws.apigateway.RestApi("api-two", { name: "api-two" }),
      };
      const stage = (name: string, api: aws.apigateway.RestApi, stageName: string) => {
        const deployment = new aws.apigateway.Deployment(`${name}-deployment`, { restApi: api.id });
        return new aws.apigateway.Stage(`${name}-stage`, { restApi: api.id, deployment: deployment.id, stageName });
      };
      const all = { ...apis, oneStage: stage("api-one", apis.one, "v1"), twoStage: stage("api-two", apis.two, "live") };
      const domain = new CustomDomain("domain", { domainName: DOMAIN, hostedZoneId: ZONE, mappings: [], ...domainArgs(all) } as CustomDomainArgs);
      return { url: domain.url, urls: domain.urls, domainName: domain.domainName, targetDomainName: domain.targetDomainName, hostedZoneId: domain.hostedZoneId };
    },
  });
}

function only(run: ProgramRun, type: string): RecordedResource {
  const found = run.graph.ofType(type);
  expect(found, type).to.have.length(1);
  return found[0];
}

/** The resource of the provider reference `<urn>::<id>`. */
function providerOf(run: ProgramRun, resource: RecordedResource): RecordedResource | undefined {
  return resource.provider === undefined ? undefined : run.graph.findByUrn(resource.provider.slice(0, resource.provider.lastIndexOf("::")));
}

const twoVersions = ({ one, oneStage, two, twoStage }: Parameters<Parameters<typeof runWithApis>[0]>[0]): Partial<CustomDomainArgs> => ({
  mappings: [
    { basePath: "/v1", restApiId: one.id, stageName: oneStage.stageName },
    { basePath: "v2", restApiId: two.id, stageName: twoStage.stageName },
    { basePath: "/", restApiId: two.id, stageName: twoStage.stageName },
  ],
  tags: { team: "payments" },
});

describe("CustomDomain (under the mock control plane)", () => {
  describe("REGIONAL (the default), in the stack's region", () => {
    let run: ProgramRun;
    before(async () => {
      run = await runWithApis(twoVersions, { region: "eu-west-1" });
    });

    it("requests a DNS-validated certificate in the stack's region, with no provider of its own", () => {
      expect(run.graph.ofType(T.provider)).to.have.length(0);
      const certificate = only(run, T.certificate);
      expect(certificate.parent).to.equal(only(run, T.component).urn);
      expect(certificate.provider).to.equal(undefined);
      expect(certificate.inputs).to.include({ domainName: DOMAIN, validationMethod: "DNS" });
      expect(certificate.state.arn).to.match(/^arn:aws:acm:eu-west-1:123456789012:certificate\/[0-9a-f-]{36}$/);
    });

    it("writes the CNAME ACM asks for into the hosted zone and waits for the certificate through it", () => {
      const certificate = only(run, T.certificate);
      const [option] = certificate.state.domainValidationOptions;
      expect(option.resourceRecordName).to.match(/^_[0-9a-f]{32}\.api\.example\.com\.$/);
      expect(option.resourceRecordValue).to.match(/^_[0-9a-f]{32}\.[a-z0-9]{10}\.acm-validations\.aws\.$/);
      const record = run.graph.get(T.record, "domain-validation");
      expect(record.inputs).to.deep.include({
        zoneId: ZONE,
        name: option.resourceRecordName,
        type: "CNAME",
        records: [option.resourceRecordValue],
        ttl: 60,
        allowOverwrite: true,
      });
      const validation = only(run, T.validation);
      expect(validation.inputs).to.deep.equal({ certificateArn: certificate.state.arn, validationRecordFqdns: [record.state.fqdn] });
      expect(validation.dependencies).to.include.members([certificate.urn, record.urn]);
    });

    it("creates the API Gateway domain name with the validated certificate as its regional one, TLS 1.2", () => {
      const domain = only(run, T.domain);
      expect(domain.inputs).to.deep.include({
        domainName: DOMAIN,
        regionalCertificateArn: only(run, T.certificate).state.arn,
        endpointConfiguration: { types: "REGIONAL", ipAddressType: "dualstack" },
        securityPolicy: "TLS_1_2",
      });
      expect(domain.inputs).to.not.have.property("certificateArn");
      // The domain waits for the validation, not only for the request.
      expect(domain.dependencies).to.include(only(run, T.validation).urn);
      expect(domain.state.regionalDomainName).to.match(/^d-[a-z0-9]{10}\.execute-api\.eu-west-1\.amazonaws\.com$/);
      expect(domain.state.regionalZoneId).to.equal("ZLY8HYME6SFDD");
    });

    it("maps each base path to its API and stage ('/' as the root, without a base path)", () => {
      const apiOne = run.graph.get(T.restApi, "api-one").id;
      const apiTwo = run.graph.get(T.restApi, "api-two").id;
      const mappings = run.graph.ofType(T.mapping).map((m) => [m.name, m.inputs]);
      expect(mappings).to.have.deep.members([
        ["domain-mapping-v1", { domainName: DOMAIN, restApi: apiOne, stageName: "v1", basePath: "v1" }],
        ["domain-mapping-v2", { domainName: DOMAIN, restApi: apiTwo, stageName: "live", basePath: "v2" }],
        ["domain-mapping-root", { domainName: DOMAIN, restApi: apiTwo, stageName: "live" }],
      ]);
      // Each mapping waits for its stage, which API Gateway requires to exist.
      expect(run.graph.get(T.mapping, "domain-mapping-v1").dependencies).to.include(run.graph.get(T.stage, "api-one-stage").urn);
    });

    it("points A and AAAA alias records of the name (dualstack by default) at the regional domain name, in its zone", () => {
      const domain = only(run, T.domain);
      for (const type of ["A", "AAAA"]) {
        const record = run.graph.get(T.record, `domain-alias-${type.toLowerCase()}`);
        expect(record.parent).to.equal(only(run, T.component).urn);
        expect(record.inputs).to.deep.equal({
          zoneId: ZONE,
          name: DOMAIN,
          type,
          aliases: [{ name: domain.state.regionalDomainName, zoneId: "ZLY8HYME6SFDD", evaluateTargetHealth: false }],
        });
      }
    });

    it("outputs the first mapping's URL, every mapping's URL by base path, and the alias target", () => {
      expect(run.outputs.url.value).to.equal("https://api.example.com/v1");
      expect(run.outputs.urls.value).to.deep.equal({
        "/v1": "https://api.example.com/v1",
        "/v2": "https://api.example.com/v2",
        "/": "https://api.example.com",
      });
      expect(run.outputs.domainName.value).to.equal(DOMAIN);
      expect(run.outputs.targetDomainName.value).to.equal(only(run, T.domain).state.regionalDomainName);
      expect(run.outputs.hostedZoneId.value).to.equal("ZLY8HYME6SFDD");
    });

    it("tags the certificate and the domain name, and keeps every child under the component", () => {
      const tagged = expectTagsOnEveryTaggableChild(run, T.component, { team: "payments" });
      expect(tagged.map((r) => r.type)).to.have.members([T.certificate, T.domain]);
      expect(only(run, T.certificate).inputs.tags).to.deep.equal({ team: "payments", Name: DOMAIN });
      expect(descendantsOf(run, T.component).map((r) => r.type)).to.have.members([T.certificate, T.record, T.validation, T.domain, T.mapping, T.mapping, T.mapping, T.record, T.record]);
    });

    it("answers the same names again with the same seed", async () => {
      const again = await runWithApis(twoVersions, { region: "eu-west-1" });
      expect(only(again, T.domain).state.regionalDomainName).to.equal(only(run, T.domain).state.regionalDomainName);
      expect(only(again, T.certificate).state.domainValidationOptions).to.deep.equal(only(run, T.certificate).state.domainValidationOptions);
    });
  });

  describe("EDGE", () => {
    let run: ProgramRun;
    before(async () => {
      run = await runWithApis(({ one, oneStage }) => ({ endpointType: "EDGE", mappings: [{ restApiId: one.id, stageName: oneStage.stageName }] }), { region: "eu-west-1" });
    });

    it("requests and validates the certificate in us-east-1 through the component's own provider", () => {
      const provider = only(run, T.provider);
      expect(provider.name).to.equal("domain-us-east-1");
      expect(provider.parent).to.equal(only(run, T.component).urn);
      expect(provider.inputs.region).to.equal("us-east-1");
      const certificate = only(run, T.certificate);
      expect(providerOf(run, certificate)?.urn).to.equal(provider.urn);
      expect(providerOf(run, only(run, T.validation))?.urn).to.equal(provider.urn);
      expect(certificate.state.arn).to.match(/^arn:aws:acm:us-east-1:123456789012:certificate\//);
      // The DNS records and the domain name stay with the stack's provider.
      expect(run.graph.ofType(T.record).map((r) => r.provider)).to.deep.equal([undefined, undefined, undefined]);
      expect(only(run, T.domain).provider).to.equal(undefined);
    });

    it("creates an EDGE domain name with the certificate as `certificateArn`, TLS 1.2, aliased to its CloudFront distribution", () => {
      const domain = only(run, T.domain);
      expect(domain.inputs).to.deep.include({
        certificateArn: only(run, T.certificate).state.arn,
        endpointConfiguration: { types: "EDGE", ipAddressType: "dualstack" },
        securityPolicy: "TLS_1_2",
      });
      expect(domain.inputs).to.not.have.property("regionalCertificateArn");
      expect(domain.state.cloudfrontDomainName).to.match(/^d[a-z0-9]{13}\.cloudfront\.net$/);
      for (const type of ["A", "AAAA"]) {
        expect(run.graph.get(T.record, `domain-alias-${type.toLowerCase()}`).inputs.aliases).to.deep.equal([
          { name: domain.state.cloudfrontDomainName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false },
        ]);
      }
      expect(run.outputs.targetDomainName.value).to.equal(domain.state.cloudfrontDomainName);
      expect(run.outputs.hostedZoneId.value).to.equal("Z2FDTNDATAQYW2");
    });

    it("maps a mapping without a base path at the root, and outputs the root URL", () => {
      expect(only(run, T.mapping).inputs).to.deep.equal({ domainName: DOMAIN, restApi: run.graph.get(T.restApi, "api-one").id, stageName: "v1" });
      expect(run.outputs.url.value).to.equal("https://api.example.com");
      expect(run.outputs.urls.value).to.deep.equal({ "/": "https://api.example.com" });
    });
  });

  it("uses a given certificate: no certificate, validation record, validation or provider", async () => {
    const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    const run = await runWithApis(({ one, oneStage }) => ({ endpointType: "EDGE", certificateArn: arn, mappings: [{ basePath: "v1", restApiId: one.id, stageName: oneStage.stageName }] }));
    for (const type of [T.certificate, T.validation, T.provider]) expect(run.graph.ofType(type), type).to.have.length(0);
    expect(run.graph.ofType(T.record).map((r) => r.inputs.type)).to.deep.equal(["A", "AAAA"]);
    expect(only(run, T.domain).inputs.certificateArn).to.equal(arn);
  });

  it("serves an ipv4 domain with the A record alone", async () => {
    const run = await runWithApis(({ one, oneStage }) => ({ ipAddressType: "ipv4", mappings: [{ restApiId: one.id, stageName: oneStage.stageName }] }));
    expect(only(run, T.domain).inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL", ipAddressType: "ipv4" });
    expect(run.graph.ofType(T.record).map((r) => r.name)).to.have.members(["domain-validation", "domain-alias-a"]);
  });

  it("applies each child's transform just before it is created", async () => {
    const run = await runWithApis(({ one, oneStage }) => ({
      mappings: [{ basePath: "v1", restApiId: one.id, stageName: oneStage.stageName }],
      transform: {
        certificate: { keyAlgorithm: "EC_prime256v1" },
        validationRecord: { ttl: 300 },
        domainName: { securityPolicy: "SecurityPolicy_TLS13_1_3_2025_09" },
        basePathMapping: (args, _opts, name) => {
          args.stageName = `${name}-stage`;
        },
        aliasRecord: (args, opts) => {
          opts.protect = true;
          args.allowOverwrite = true;
        },
      },
    }));
    expect(only(run, T.certificate).inputs.keyAlgorithm).to.equal("EC_prime256v1");
    expect(run.graph.get(T.record, "domain-validation").inputs.ttl).to.equal(300);
    expect(only(run, T.domain).inputs.securityPolicy).to.equal("SecurityPolicy_TLS13_1_3_2025_09");
    expect(only(run, T.mapping).inputs.stageName).to.equal("domain-mapping-v1-stage");
    expect(run.graph.ofType(T.record).filter((r) => r.inputs.allowOverwrite).map((r) => r.name)).to.have.members(["domain-validation", "domain-alias-a", "domain-alias-aaaa"]);
  });

  describe("refuses bad arguments before creating any child, with a ResourceError naming the argument", () => {
    const cases: Array<[string, (apis: Parameters<Parameters<typeof runWithApis>[0]>[0]) => Partial<CustomDomainArgs>, string]> = [
      [
        "an upper-case domain name",
        ({ one, oneStage }) => ({ domainName: "API.example.com", mappings: [{ restApiId: one.id, stageName: oneStage.stageName }] }),
        'domainName must be lowercase (got "API.example.com"): DNS names are case-insensitive, and API Gateway and ACM keep them in lowercase',
      ],
      ["an IP address", ({ one, oneStage }) => ({ domainName: "10.0.0.1", mappings: [{ restApiId: one.id, stageName: oneStage.stageName }] }), 'domainName must be a DNS name, not an IP address (got "10.0.0.1")'],
      ["no mappings", () => ({ mappings: [] }), "mappings must list at least one { basePath, restApiId, stageName }: a domain without a mapping serves nothing"],
      [
        "a base path used twice",
        ({ one, oneStage, two, twoStage }) => ({
          mappings: [
            { basePath: "", restApiId: one.id, stageName: oneStage.stageName },
            { basePath: "/", restApiId: two.id, stageName: twoStage.stageName },
          ],
        }),
        'mappings[1].basePath "/" maps the same path as mappings[0] (the root): base paths must be unique',
      ],
      [
        "a multi-level base path",
        ({ one, oneStage }) => ({ mappings: [{ basePath: "/v1/orders", restApiId: one.id, stageName: oneStage.stageName }] }),
        `mappings[0].basePath must be "" or "/" for the root, or one path segment of letters, digits and $-_.+!*'() like "v1" or "/v1": multi-level paths are not base paths (got "/v1/orders")`,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(`refuses ${what}`, async () => {
        let error: unknown;
        try {
          await runWithApis(args);
        } catch (err) {
          error = err;
        }
        expect(error, "refused").to.be.instanceOf(ProgramError);
        expect((error as ProgramError).message).to.equal(message);
        expect((error as ProgramError).cause).to.be.instanceOf(pulumi.ResourceError);
        const graph = (error as ProgramError).graph;
        expect(graph.ofType(T.component).map((c) => c.name)).to.deep.equal(["domain"]);
        for (const type of [T.provider, T.certificate, T.validation, T.domain, T.mapping, T.record]) expect(graph.ofType(type), type).to.have.length(0);
      });
    }
  });
});

describe("validateCustomDomainArgs", () => {
  const mapping = { restApiId: "a1b2c3d4e5", stageName: "v1" };
  const refused = (args: Partial<CustomDomainArgs>): string => {
    try {
      validateCustomDomainArgs({ domainName: DOMAIN, hostedZoneId: ZONE, mappings: [mapping], ...args });
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error("expected a refusal");
  };

  it("defaults to REGIONAL dualstack and stores base paths as API Gateway does", () => {
    const spec = validateCustomDomainArgs({ domainName: DOMAIN, hostedZoneId: ZONE, mappings: [{ ...mapping, basePath: "/v1" }, { ...mapping, basePath: "/" }, { ...mapping, basePath: "v2" }] });
    expect(spec.endpointType).to.equal("REGIONAL");
    expect(spec.ipAddressType).to.equal("dualstack");
    expect(spec.mappings.map((m) => m.basePath)).to.deep.equal(["v1", "", "v2"]);
    expect(domainUrls(DOMAIN, spec.mappings)).to.deep.equal({ "/v1": "https://api.example.com/v1", "/": "https://api.example.com", "/v2": "https://api.example.com/v2" });
  });

  it("refuses names that are not lowercase DNS names of at most 253 characters", () => {
    const rule = 'a lowercase DNS name like "api.example.com" (labels of a-z, 0-9 and inner \'-\', at most 253 characters)';
    expect(refused({ domainName: "" })).to.equal(`domainName must be ${rule} (got "")`);
    expect(refused({ domainName: "localhost" })).to.equal('domainName must have a parent domain to hold its records, like "api.example.com" (got "localhost")');
    expect(refused({ domainName: "api_v1.example.com" })).to.equal(`domainName must be ${rule}: label "api_v1" is not (got "api_v1.example.com")`);
    expect(refused({ domainName: "-api.example.com" })).to.equal(`domainName must be ${rule}: label "-api" is not (got "-api.example.com")`);
    expect(refused({ domainName: "api.example.com." })).to.equal(`domainName must be ${rule}: label "" is not (got "api.example.com.")`);
    expect(refused({ domainName: "*.example.com" })).to.equal(`domainName must be ${rule}: label "*" is not (got "*.example.com")`);
    expect(refused({ domainName: `${"a".repeat(64)}.example.com` })).to.match(/^domainName must be a lowercase DNS name .*: label "a{64}" is not/);
    const long = `${Array.from({ length: 4 }, () => "a".repeat(62)).join(".")}.example.com`;
    expect(refused({ domainName: long })).to.equal(`domainName must be at most 253 characters (got ${long.length})`);
    expect(refused({ domainName: "::1" })).to.equal('domainName must be a DNS name, not an IP address (got "::1")');
    expect(refused({ domainName: "1.2.3.4.5" })).to.equal('domainName must be a DNS name, not an IP address (got "1.2.3.4.5")');
    expect(refused({ domainName: 42 as never })).to.equal(`domainName must be ${rule} (got 42)`);
  });

  it("refuses base paths that are not one segment of AWS's alphabet", () => {
    const rule = `"" or "/" for the root, or one path segment of letters, digits and $-_.+!*'() like "v1" or "/v1"`;
    expect(refused({ mappings: [{ ...mapping, basePath: "v 1" }] })).to.equal(`mappings[0].basePath must be ${rule} (got "v 1")`);
    expect(refused({ mappings: [mapping, { ...mapping, basePath: "v1?x" }] })).to.equal(`mappings[1].basePath must be ${rule} (got "v1?x")`);
    expect(refused({ mappings: [{ ...mapping, basePath: ".." }] })).to.equal(`mappings[0].basePath must be ${rule} (got "..")`);
    expect(refused({ mappings: [{ ...mapping, basePath: "//" }] })).to.equal(`mappings[0].basePath must be ${rule}: multi-level paths are not base paths (got "//")`);
    expect(refused({ mappings: [{ ...mapping, basePath: "(none)" }] })).to.equal('mappings[0].basePath: "(none)" is how the AWS API spells the root mapping; give "" or "/" instead');
    expect(refused({ mappings: [{ ...mapping, basePath: 1 as never }] })).to.equal(`mappings[0].basePath must be ${rule} (got 1)`);
    expect(refused({ mappings: [{ ...mapping, basePath: "v1" }, { ...mapping, basePath: "/v1" }] })).to.equal('mappings[1].basePath "/v1" maps the same path as mappings[0] ("/v1"): base paths must be unique');
    expect(validateCustomDomainArgs({ domainName: DOMAIN, hostedZoneId: ZONE, mappings: [{ ...mapping, basePath: "$v1-beta_2.0+(x)!*'" }] }).mappings[0].basePath).to.equal("$v1-beta_2.0+(x)!*'");
  });

  it("refuses a mapping without an API or with a bad stage name, and no mappings at all", () => {
    expect(refused({ mappings: undefined as never })).to.equal("mappings must list at least one { basePath, restApiId, stageName }: a domain without a mapping serves nothing");
    expect(refused({ mappings: [{ stageName: "v1" } as never] })).to.equal("mappings[0].restApiId is required");
    expect(refused({ mappings: [{ restApiId: "a1b2c3d4e5" } as never] })).to.equal("mappings[0].stageName is required");
    expect(refused({ mappings: [{ ...mapping, stageName: "v 1" }] })).to.equal(`mappings[0].stageName must be 1-128 letters, digits, '-' or '_' (got "v 1")`);
  });

  it("refuses a bad hosted zone, endpoint type, IP address type or certificate (an EDGE one outside us-east-1)", () => {
    expect(refused({ hostedZoneId: undefined as never })).to.equal("hostedZoneId is required: the Route 53 hosted zone holding domainName");
    expect(refused({ hostedZoneId: "example.com" })).to.equal('hostedZoneId must be a Route 53 hosted zone id like "Z0123456789ABCDEFGHIJ" (got "example.com")');
    expect(refused({ endpointType: "PRIVATE" as never })).to.equal('endpointType must be "REGIONAL" or "EDGE" (got "PRIVATE")');
    expect(refused({ ipAddressType: "ipv6" as never })).to.equal('ipAddressType must be "ipv4" or "dualstack" (got "ipv6")');
    expect(refused({ certificateArn: "arn:aws:iam::123456789012:server-certificate/x" })).to.equal('certificateArn must be an ACM certificate ARN (got "arn:aws:iam::123456789012:server-certificate/x")');
    expect(refused({ endpointType: "EDGE", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" })).to.equal(
      "certificateArn: an EDGE domain is served by CloudFront, which takes certificates from us-east-1 only (got one in eu-west-1)",
    );
  });
});
