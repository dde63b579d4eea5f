import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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
}

/**
 * A WAFv2 web ACL in front of a REST API stage: AWS's managed common rule set (OWASP-style
 * protections) and a rate-based rule per client IP, with CloudWatch metrics and sampled
 * requests on every rule.
 */
export class WebAcl extends pulumi.ComponentResource {
  public readonly webAcl: aws.wafv2.WebAcl;
  public readonly association: aws.wafv2.WebAclAssociation;
  public readonly webAclArn: pulumi.Output<string>;

  constructor(name: string, args: WebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    const rateLimit = validateWebAclArgs(args);
    super("apigw-kit:index:WebAcl", name, {}, opts);
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

    this.webAcl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
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
      },
      { parent: this },
    );
    this.association = new aws.wafv2.WebAclAssociation(
      `${name}-association`,
      { resourceArn: args.stageArn, webAclArn: this.webAcl.arn },
      { parent: this },
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
