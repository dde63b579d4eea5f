/**
 * What the tags and transform specs of every component share: the AWS resource types that take
 * `tags` (as @pulumi/aws 7 declares them), and the resources a component created.
 */
import { expect } from "chai";
import type { ProgramRun, RecordedResource } from "../../local/controlPlane";

/** The resource types the components create whose args have `tags` (checked in @pulumi/aws's .d.ts files). */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
  "aws:acm/certificate:Certificate",
  "aws:apigateway/apiKey:ApiKey",
  "aws:apigateway/domainName:DomainName",
  "aws:apigateway/restApi:RestApi",
  "aws:apigateway/stage:Stage",
  "aws:apigateway/usagePlan:UsagePlan",
  "aws:apigatewayv2/api:Api",
  "aws:apigatewayv2/stage:Stage",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:cognito/userPool:UserPool",
  "aws:dynamodb/table:Table",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:iam/policy:Policy",
  "aws:iam/role:Role",
  "aws:lambda/function:Function",
  "aws:secretsmanager/secret:Secret",
  "aws:sns/topic:Topic",
  "aws:wafv2/webAcl:WebAcl",
  "awsx:ec2:Vpc",
]);

/**
 * Every resource below a component (children, grandchildren through nested components).
 *
 * @param run - The program run.
 * @param componentType - The component's type token, e.g. `apigw-kit:index:RestApi`.
 * @param name - The component's name, when the program has several of that type. @default the only one
 */
export function descendantsOf(run: ProgramRun, componentType: string, name?: string): RecordedResource[] {
  const roots = run.graph.resources.filter((r) => r.type === componentType && (name === undefined || r.name === name));
  expect(roots, `${componentType} ${name ?? ""}`).to.have.length(1);
  const below = new Set([roots[0].urn]);
  const found: RecordedResource[] = [];
  // Resources are recorded parents first.
  for (const resource of run.graph.resources) {
    if (resource.parent !== undefined && below.has(resource.parent)) {
      below.add(resource.urn);
      found.push(resource);
    }
  }
  return found;
}

/**
 * Asserts that every taggable resource below the component carries `tags` (its own tags may
 * add more), and that there is at least one.
 *
 * @param run - The program run.
 * @param componentType - The component's type token.
 * @param tags - The tags given to the component.
 * @returns The taggable resources checked, for further assertions.
 */
export function expectTagsOnEveryTaggableChild(run: ProgramRun, componentType: string, tags: Record<string, string>): RecordedResource[] {
  const taggable = descendantsOf(run, componentType).filter((r) => TAGGABLE_TYPES.has(r.type));
  expect(taggable, `taggable resources below ${componentType}`).to.not.be.empty;
  for (const resource of taggable) {
    expect(resource.inputs.tags ?? {}, `${resource.type} ${resource.name}`).to.include(tags);
  }
  return taggable;
}
