import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkedArgs, refuse } from "./argumentErrors";
import { functionSettingsProblem } from "./lambdaSizing";
import { createFlushStageCacheHandler } from "../functions/flushStageCache";
import { HandlerFunction, type HandlerFunctionTransform } from "./HandlerFunction";
import { DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime } from "./lambdaRuntime";
import { type ComponentTags, type Transform, transformed } from "./transform";

/** Settings of the function that empties the stage cache. */
export interface FlushFunctionArgs {
  /** @default 128 */
  memorySize?: number;
  /** @default 10 */
  timeoutSeconds?: number;
  /** Days the function's log events are kept. @default 14 */
  logRetentionDays?: number;
  /** The Lambda runtime (`nodejs24.x` or `nodejs22.x`). @default "nodejs24.x" */
  runtime?: LambdaRuntime;
}

export interface ApiCacheArgs {
  /** The REST API whose stage cache this manages. */
  restApi: aws.apigateway.RestApi;
  /**
   * The stage with the cache cluster. Caching itself (TTL, which methods, whether
   * `Cache-Control` needs authorization) is set in the stage's method settings.
   */
  stage: aws.apigateway.Stage;
  /**
   * IAM role names allowed `execute-api:InvalidateCache` on the stage's methods: the callers
   * whose `Cache-Control: max-age=0` refreshes a cached entry when the method settings
   * require authorization for it.
   * @default [] (nobody; the policy exists so it can be attached elsewhere)
   * @example ["support-console", "catalog-importer"]
   */
  invalidatorRoleNames?: string[];
  /** @default 128 MB, 10 s, logs kept 14 days, nodejs24.x */
  flushFunction?: FlushFunctionArgs;
  /**
   * Tags for the invalidation policy and the flush function's role, function and log group
   * (the taggable children), merged over the AWS provider's `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "catalog", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes a child's args or options before it is created, per kind of child: args merged
   * over the component's, or a function changing them in place. `flushFunction` reaches the
   * flush function's own children (see {@link HandlerFunctionTransform}).
   * @default none
   * @example
   * transform: {
   *   policy: { name: "catalog-invalidate-cache", path: "/api/" },
   *   policyAttachment: (args, opts) => {
   *     opts.retainOnDelete = true;
   *   },
   *   flushFunction: { function: { reservedConcurrentExecutions: 1 } },
   * }
   */
  transform?: ApiCacheTransform;
}

/** An {@link ApiCache}'s children, each adjustable before it is created. */
export interface ApiCacheTransform {
  /** The flush function's children: its role, function, log group and role policy. */
  flushFunction?: HandlerFunctionTransform;
  /** The `execute-api:InvalidateCache` policy. */
  policy?: Transform<aws.iam.PolicyArgs>;
  /** The policy's attachment to each role of `invalidatorRoleNames` (once per role). */
  policyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
}

/**
 * The invalidation side of a REST API stage cache (the cache settings live in the stage's
 * method settings): a function that flushes the whole stage (FlushStageCache), and an IAM
 * policy letting the named roles refresh single entries with `Cache-Control: max-age=0`.
 */
export class ApiCache extends pulumi.ComponentResource {
  /** The function emptying the stage cache; invoke it with any event. */
  public readonly flushFunction: HandlerFunction;
  /** `execute-api:InvalidateCache` on every method of the stage. */
  public readonly invalidateCachePolicy: aws.iam.Policy;
  /** One attachment of the policy per role of `invalidatorRoleNames`, by role name. */
  public readonly invalidatorAttachments: Record<string, aws.iam.RolePolicyAttachment>;
  public readonly flushFunctionName: pulumi.Output<string>;
  public readonly invalidateCachePolicyArn: pulumi.Output<string>;

  constructor(name: string, args: ApiCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:ApiCache", name, {}, opts);
    checkedArgs(this, () => validateApiCacheArgs(args));
    this.flushFunction = createFlushFunction(this, name, args);
    this.invalidateCachePolicy = createInvalidateCachePolicy(this, name, args.stage, args.tags, args.transform?.policy);
    this.invalidatorAttachments = attachToRoles(this, name, this.invalidateCachePolicy, args.invalidatorRoleNames ?? [], args.transform?.policyAttachment);
    this.flushFunctionName = this.flushFunction.function.name;
    this.invalidateCachePolicyArn = this.invalidateCachePolicy.arn;
    this.registerOutputs({ flushFunctionName: this.flushFunctionName, invalidateCachePolicyArn: this.invalidateCachePolicyArn });
  }
}

/** IAM's role name alphabet and length. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Checks the arguments before any resource exists; throws naming the field. */
export function validateApiCacheArgs(args: ApiCacheArgs): void {
  if (!args.restApi) throw new Error("ApiCache: restApi is required");
  if (!args.stage) throw new Error("ApiCache: stage is required");
  const roles = args.invalidatorRoleNames ?? [];
  if (!Array.isArray(roles)) throw new Error("ApiCache: invalidatorRoleNames must be a list of IAM role names");
  const seen = new Set<string>();
  roles.forEach((role, i) => {
    if (typeof role !== "string" || !ROLE_NAME.test(role)) {
      throw new Error(`ApiCache: invalidatorRoleNames[${i}] must be an IAM role name (1-64 of letters, digits, _+=,.@-; got ${JSON.stringify(role)})`);
    }
    if (seen.has(role)) throw new Error(`ApiCache: invalidatorRoleNames[${i}]: "${role}" is listed twice`);
    seen.add(role);
  });
  refuse(functionSettingsProblem(args.flushFunction ?? {}, "ApiCache: flushFunction."));
}

function createFlushFunction(parent: pulumi.Resource, name: string, args: ApiCacheArgs): HandlerFunction {
  // FlushStageCache is authorized as DELETE on the stage's cache data, nothing wider.
  const cacheDataArn = pulumi
    .all([args.stage.executionArn, args.restApi.id, args.stage.stageName])
    .apply(([executionArn, apiId, stageName]) => `arn:aws:apigateway:${regionOf(executionArn)}::/restapis/${apiId}/stages/${stageName}/cache/data`);
  return new HandlerFunction(
    `${name}-flush`,
    {
      description: `${name}: flushes the stage cache (FlushStageCache)`,
      handlerFactory: () => createFlushStageCacheHandler(),
      environment: { REST_API_ID: args.restApi.id, STAGE_NAME: args.stage.stageName },
      policyStatements: [{ actions: ["apigateway:DELETE"], resources: [cacheDataArn] }],
      memorySize: args.flushFunction?.memorySize ?? 128,
      timeoutSeconds: args.flushFunction?.timeoutSeconds ?? 10,
      logRetentionDays: args.flushFunction?.logRetentionDays,
      runtime: args.flushFunction?.runtime ?? DEFAULT_LAMBDA_RUNTIME,
      tags: args.tags,
      transform: args.transform?.flushFunction,
    },
    { parent },
  );
}

function createInvalidateCachePolicy(
  parent: pulumi.Resource,
  name: string,
  stage: aws.apigateway.Stage,
  tags: ComponentTags | undefined,
  transform: Transform<aws.iam.PolicyArgs> | undefined,
): aws.iam.Policy {
  return new aws.iam.Policy(
    ...transformed(
      transform,
      `${name}-invalidate-cache`,
      {
        description: `${name}: may refresh cached responses with Cache-Control: max-age=0`,
        policy: stage.executionArn.apply((executionArn) =>
          JSON.stringify({
            Version: "2012-10-17",
            // Method ARNs are {stage executionArn}/{METHOD}/{path}: this covers every method.
            Statement: [{ Effect: "Allow", Action: ["execute-api:InvalidateCache"], Resource: [`${executionArn}/*/*`] }],
          }),
        ),
        tags,
      },
      { parent },
    ),
  );
}

function attachToRoles(
  parent: pulumi.Resource,
  name: string,
  policy: aws.iam.Policy,
  roleNames: string[],
  transform: Transform<aws.iam.RolePolicyAttachmentArgs> | undefined,
): Record<string, aws.iam.RolePolicyAttachment> {
  return Object.fromEntries(
    roleNames.map((role) => [
      role,
      new aws.iam.RolePolicyAttachment(...transformed(transform, `${name}-invalidator-${role}`, { role, policyArn: policy.arn }, { parent })),
    ]),
  );
}

/** `arn:aws:execute-api:{region}:{account}:{api}/{stage}` -> region: no provider call needed. */
function regionOf(executionArn: string): string {
  return executionArn.split(":")[3];
}
