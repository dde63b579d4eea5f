import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkedArgs } from "./argumentErrors";
import { ComponentTags, Transform, transformed } from "./transform";

export interface WebAclArgs {
  /**
   * The REST API stage to protect: `arn:aws:apigateway:{region}::/restapis/{id}/stages/{stage}`
   * (`RestApi.stage.arn`). HTTP APIs cannot be associated with a web ACL.
   */
  stageArn: pulumi.Input<string>;
  /**
   * Requests one client IP may make in any 5-minute window before WAF blocks it (100..2,000,000,000).
   * @default 2000
   */
  rateLimitPer5Minutes?: number;
  /**
   * Rules of the AWS managed common rule set to only count instead of block (for rules that
   * misfire on an API, e.g. `SizeRestrictions_BODY` for large uploads).
   * @default []
   */
  commonRuleSetCountOnly?: string[];
  /**
   * Tags for every taggable child (the web ACL), merged over the AWS provider's `defaultTags`.
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
   *   // Merged over the web ACL's args: a custom 403 body for blocked requests.
   *   webAcl: { customResponseBodies: [{ key: "blocked", content: '{"message":"Forbidden"}', contentType: "APPLICATION_JSON" }] },
   *   // A function: the association waits for a resource the component does not know of.
   *   association: (args, opts) => {
   *     opts.dependsOn = [deployment];
   *   },
   * }
   */
  transform?: WebAclTransform;
}

/** Per-child transforms of {@link WebAcl}: see {@link Transform}. */
export interface WebAclTransform {
  /** The WAFv2 web ACL (its rules, default action, visibility). */
  webAcl?: Transform<aws.wafv2.WebAclArgs>;
  /** The association of the web ACL with the stage. */
  association?: Transform<aws.wafv2.WebAclAssociationArgs>;
}

/**
 * A WAFv2 web ACL in front of a REST API stage: AWS's managed common rule set (OWASP-style
 * protections) and a rate-based rule per client IP, with CloudWatch metrics and sampled
 * requests on every rule.
 */
export class WebAcl extends pulumi.ComponentResource {
  /** The WAFv2 web ACL. */
  public readonly webAcl: aws.wafv2.WebAcl;
  /** The web ACL's association with the stage. */
  public readonly association: aws.wafv2.WebAclAssociation;
  /** The web ACL's ARN. */
  public readonly webAclArn: pulumi.Output<string>;

  constructor(name: string, args: WebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:WebAcl", name, {}, opts);
    const rateLimit = checkedArgs(this, () => validateWebAclArgs(args));
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const transform = args.transform ?? {};

    const aclArgs: aws.wafv2.WebAclArgs = {
      // API Gateway stages take REGIONAL web ACLs, edge-optimized ones included.
      scope: "REGIONAL",
      description: `Managed common rules and a per-IP rate limit (${rateLimit} per 5 minutes)`,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${name}-acl`),
      rules: [
        {
          name: "aws-common-rule-set",
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: "AWS",
              name: "AWSManagedRulesCommonRuleSet",
              ruleActionOverrides: (args.commonRuleSetCountOnly ?? []).map((rule) => ({ name: rule, actionToUse: { count: {} } })),
            },
          },
          visibilityConfig: visibility(`${name}-common`),
        },
        {
          name: "rate-limit-per-ip",
          priority: 2,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP" } },
          visibilityConfig: visibility(`${name}-rate`),
        },
      ],
      tags: args.tags,
    };
    this.webAcl = new aws.wafv2.WebAcl(...transformed(transform.webAcl, `${name}-acl`, aclArgs, { parent: this }));
    this.association = new aws.wafv2.WebAclAssociation(
      ...transformed(transform.association, `${name}-association`, { resourceArn: args.stageArn, webAclArn: this.webAcl.arn }, { parent: this }),
    );
    this.webAclArn = this.webAcl.arn;
    this.registerOutputs({ webAclArn: this.webAclArn });
  }
}

/** Checks the arguments before anything exists; returns the rate limit. */
export function validateWebAclArgs(args: Pick<WebAclArgs, "rateLimitPer5Minutes" | "commonRuleSetCountOnly">, field = ""): number {
  const limit = args.rateLimitPer5Minutes ?? 2000;
  if (!Number.isInteger(limit) || limit < 100 || limit > 2_000_000_000) {
    throw new Error(`${field}rateLimitPer5Minutes must be an integer from 100 to 2000000000 (got ${JSON.stringify(args.rateLimitPer5Minutes)})`);
  }
  (args.commonRuleSetCountOnly ?? []).forEach((rule, i) => {
    if (typeof rule !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(rule)) {
      throw new Error(`${field}commonRuleSetCountOnly[${i}] must be a rule name like SizeRestrictions_BODY (got ${JSON.stringify(rule)})`);
    }
  });
  return limit;
}
