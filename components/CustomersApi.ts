import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CUSTOMER_FUNCTION_ROUTES_ENV, CUSTOMER_ROUTES, CUSTOMER_TIERS_ENV, type CustomerRoute, createAdminCustomersHandler, customerRoutesFromEnv } from "../functions/customers";
import { CUSTOMER_TAG, ORIGIN_TAG, STAGE_TAG, stageTagValue } from "../functions/customerTags";
import { checkedArgs, refuse } from "./argumentErrors";
import { HandlerFunction, type HandlerFunctionTransform, type PolicyStatementArgs } from "./HandlerFunction";
import type { LambdaRuntime } from "./lambdaRuntime";
import { functionSettingsProblem } from "./lambdaSizing";
import type { MethodSettingArgs } from "./methodSettings";
import type { ModelArgs, RouteArgs } from "./restApi";
import type { ComponentTags } from "./transform";
import type { UsageTiers } from "./UsageTiers";

/**
 * The stage the customers live on and its tiers' usage plans: what every function's IAM policy
 * names. Known only once the plans exist (see {@link CustomersApiArgs.plans}).
 */
export interface CustomerPlans {
  /** The API's region (API Gateway's management ARNs name it). */
  region: string;
  restApiId: string;
  stageName: string;
  /** Usage plan ids by tier name: one for each of {@link CustomersApiArgs.tiers}. */
  planIds: Record<string, string>;
}

export interface CustomersApiArgs {
  /**
   * The tiers' names, in the order the API lists them: what `POST /customers` and
   * `PUT /customers/{id}/tier` accept. Each must be a UsageTiers tier of the stage (its plan is
   * found by its `apigw-kit:tier` tag).
   * @example ["basic", "premium", "enterprise"]
   */
  tiers: string[];
  /**
   * The stage and its tiers' plans, which each function's IAM policy is scoped to. The plans need
   * the stage, and the stage needs these routes' functions, so in one program pass a
   * `pulumi.deferredOutput()` and resolve it with {@link customerPlansOf} once UsageTiers exists:
   * only the policies wait for it (the functions find the plans' ids at run time, by tag).
   */
  plans: pulumi.Input<CustomerPlans>;
  /** The user pool and app client whose ID tokens the functions verify again (withCognitoAuth). */
  cognito: { userPoolId: pulumi.Input<string>; userPoolClientId: pulumi.Input<string> };
  /**
   * The groups (`cognito:groups`) whose members may call the routes; anyone else gets 403.
   * @default ["admins"]
   */
  adminGroups?: string[];
  /**
   * The RestApi's COGNITO_USER_POOLS authorizer guarding the routes, by its name in `authorizers`.
   * @default "cognito"
   */
  authorizer?: string;
  /**
   * The RestApi's request validator checking bodies against the models, by its name in
   * `validators` (a BODY or BODY_AND_PARAMETERS one).
   * @default "body"
   */
  bodyValidator?: string;
  /**
   * More environment variables for every function (the CORS policy's, for instance).
   * @default {}
   */
  environment?: Record<string, pulumi.Input<string>>;
  /** @default "nodejs24.x" */
  runtime?: LambdaRuntime;
  /** @default 256 */
  memorySize?: number;
  /** @default 10 */
  timeoutSeconds?: number;
  /** Days the functions' log events are kept. @default 14 */
  logRetentionDays?: number;
  /**
   * Tags for every function's role, function and log group, merged over the AWS provider's
   * `defaultTags`.
   * @default none (the provider's default tags only)
   */
  tags?: ComponentTags;
  /**
   * Changes to the children before they are created: `functions` reaches every function's own
   * children (see {@link HandlerFunctionTransform}).
   * @default none
   * @example transform: { functions: { function: { reservedConcurrentExecutions: 2 } } }
   */
  transform?: { functions?: HandlerFunctionTransform };
}

/** The functions of the customers API, each serving a family of routes with its own role. */
export const CUSTOMER_FAMILIES = {
  onboard: ["POST /customers"],
  read: ["GET /customers", "GET /customers/{id}/usage"],
  tier: ["PUT /customers/{id}/tier"],
  rotate: ["POST /customers/{id}/rotate"],
  state: ["POST /customers/{id}/disable", "POST /customers/{id}/enable"],
  remove: ["DELETE /customers/{id}"],
} as const satisfies Record<string, readonly CustomerRoute[]>;

/** A family of routes served by one function. */
export type CustomerFamily = keyof typeof CUSTOMER_FAMILIES;

/** The routes' method and path (what method overrides in config may name). */
export const CUSTOMER_ROUTE_KEYS: { method: string; path: string }[] = CUSTOMER_ROUTES.map((route) => {
  const [method, path] = route.split(" ");
  return { method, path };
});

/**
 * Method settings the routes need: never cached. They answer per caller and live state, and a
 * RestApi refuses to cache a method behind an authorizer without the caller in its cache key.
 */
export const CUSTOMER_METHOD_SETTINGS: Record<string, MethodSettingArgs> = {
  "customers/GET": { caching: { enabled: false } },
  "customers/{id}/usage/GET": { caching: { enabled: false } },
};

/**
 * Request bodies, validated by the gateway before a function runs. The id's pattern and the
 * tier's name are checked by the functions, which name the rule and the tiers; the gateway's
 * own 400 says only "Invalid request body".
 */
export const CUSTOMER_MODELS: Record<string, ModelArgs> = {
  NewCustomer: {
    description: "POST /customers: the customer's id and tier",
    schema: {
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "object",
      required: ["id", "tier"],
      additionalProperties: false,
      properties: { id: { type: "string", minLength: 1, maxLength: 64 }, tier: { type: "string", minLength: 1 } },
    },
  },
  CustomerTier: {
    description: "PUT /customers/{id}/tier: the tier to move to",
    schema: {
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "object",
      required: ["tier"],
      additionalProperties: false,
      properties: { tier: { type: "string", minLength: 1 } },
    },
  },
};

/**
 * Customers managed at run time on a REST API stage, by callers in an admin group: onboard a
 * customer into a tier (an API key in the tier's usage plan, its value answered once), list them,
 * read one's usage against its quota, change its tier, rotate, disable, enable or remove its
 * key — through API Gateway's own management API. It makes the functions (one per family of
 * routes, each with a role allowed only the calls it makes, on this stage's plans and keys)
 * and the routes; give {@link routes}, {@link models} and {@link methodSettings} to the RestApi.
 */
export class CustomersApi extends pulumi.ComponentResource {
  /** The functions by family of routes. */
  public readonly functions: Record<CustomerFamily, HandlerFunction>;
  /** The routes, for the RestApi's `routes`. */
  public readonly routes: RouteArgs[];
  /** The body models the routes name, for the RestApi's `models`. */
  public readonly models: Record<string, ModelArgs> = CUSTOMER_MODELS;
  /** What the routes need in the RestApi's `methodSettings`. */
  public readonly methodSettings: Record<string, MethodSettingArgs> = CUSTOMER_METHOD_SETTINGS;

  constructor(name: string, args: CustomersApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:CustomersApi", name, {}, opts);
    checkedArgs(this, () => validateCustomersApiArgs(args));
    this.functions = createFunctions(this, name, args);
    this.routes = customerRoutes(this.functions, args.authorizer ?? "cognito", args.bodyValidator ?? "body");
    this.registerOutputs({ functionNames: pulumi.all(Object.fromEntries(Object.entries(this.functions).map(([family, fn]) => [family, fn.function.name]))) });
  }
}

/**
 * The stage and its tiers' plans, for {@link CustomersApiArgs.plans}.
 *
 * @param stage - The REST API stage the plans apply to.
 * @param usage - Its usage tiers.
 */
export function customerPlansOf(stage: aws.apigateway.Stage, usage: UsageTiers): pulumi.Output<CustomerPlans> {
  return pulumi.all([stage.executionArn, stage.restApi, stage.stageName, usage.planIds]).apply(([executionArn, restApiId, stageName, planIds]) => ({
    // arn:aws:execute-api:{region}:{account}:{apiId}/{stage}
    region: executionArn.split(":")[3],
    restApiId: restApiId as string,
    stageName,
    planIds,
  }));
}

// ---------------------------------------------------------------------------------------------
// Validation.

/** Checks the arguments before any resource exists; throws naming the field. */
export function validateCustomersApiArgs(args: CustomersApiArgs): void {
  if (!Array.isArray(args.tiers) || args.tiers.length === 0) throw new Error("CustomersApi: tiers must list at least one tier name");
  args.tiers.forEach((tier, i) => {
    if (typeof tier !== "string" || tier === "") throw new Error(`CustomersApi: tiers[${i}] must be a tier name (got ${JSON.stringify(tier)})`);
    if (args.tiers.indexOf(tier) !== i) throw new Error(`CustomersApi: tiers[${i}]: "${tier}" is listed twice`);
  });
  if (args.plans === undefined) throw new Error("CustomersApi: plans is required (the stage and its tiers' usage plans: customerPlansOf)");
  if (!args.cognito?.userPoolId || !args.cognito?.userPoolClientId) throw new Error("CustomersApi: cognito.userPoolId and cognito.userPoolClientId are required");
  const groups = args.adminGroups ?? ["admins"];
  if (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== "string" || g === "")) {
    throw new Error(`CustomersApi: adminGroups must list at least one Cognito group name (got ${JSON.stringify(args.adminGroups)})`);
  }
  refuse(functionSettingsProblem(args, "CustomersApi: "));
}

// ---------------------------------------------------------------------------------------------
// Functions and routes.

const DESCRIPTIONS: Record<CustomerFamily, string> = {
  onboard: "POST /customers: onboards a customer (CreateApiKey, CreateUsagePlanKey)",
  read: "GET /customers and GET /customers/{id}/usage (GetApiKeys, GetUsagePlanKeys, GetUsage)",
  tier: "PUT /customers/{id}/tier: moves a customer's key to another plan",
  rotate: "POST /customers/{id}/rotate: a new key in the same plan, the old one deleted",
  state: "POST /customers/{id}/disable and /enable (UpdateApiKey)",
  remove: "DELETE /customers/{id}: detaches and deletes a customer's key",
};

function createFunctions(parent: pulumi.Resource, name: string, args: CustomersApiArgs): Record<CustomerFamily, HandlerFunction> {
  const groups = args.adminGroups ?? ["admins"];
  const environment = {
    ...args.environment,
    USER_POOL_ID: args.cognito.userPoolId,
    USER_POOL_CLIENT_ID: args.cognito.userPoolClientId,
    [CUSTOMER_TIERS_ENV]: JSON.stringify(args.tiers),
  };
  const plans = pulumi.output(args.plans).apply((p) => checkedPlans(p, args.tiers));
  const families = Object.keys(CUSTOMER_FAMILIES) as CustomerFamily[];
  // One factory for the six functions, each told its routes by its environment: HandlerFunction
  // serializes a factory once however many functions share it (the closure walk is most of a
  // program evaluation's time), and each function's role still allows only its own actions.
  // The gateway's authorizer admits any signed-in user; the group is checked here.
  const handlerFactory = () => createAdminCustomersHandler(customerRoutesFromEnv(), { groups });
  return Object.fromEntries(
    families.map((family) => {
      const fn = new HandlerFunction(
        `${name}-${family}`,
        {
          description: DESCRIPTIONS[family],
          handlerFactory,
          packages: ["aws-jwt-verify"],
          environment: { ...environment, [CUSTOMER_FUNCTION_ROUTES_ENV]: JSON.stringify(CUSTOMER_FAMILIES[family]) },
          policyStatements: customerPolicyStatements(family, plans),
          runtime: args.runtime,
          memorySize: args.memorySize,
          timeoutSeconds: args.timeoutSeconds,
          logRetentionDays: args.logRetentionDays,
          tags: args.tags,
          transform: args.transform?.functions,
        },
        { parent },
      );
      return [family, fn];
    }),
  ) as Record<CustomerFamily, HandlerFunction>;
}

/** The plans, once known: every tier must have one (a deployment error naming the tier otherwise). */
function checkedPlans(plans: CustomerPlans, tiers: string[]): CustomerPlans {
  const missing = tiers.filter((tier) => typeof plans.planIds?.[tier] !== "string" || plans.planIds[tier] === "");
  if (missing.length > 0) throw new Error(`CustomersApi: plans.planIds has no usage plan for ${missing.map((t) => `"${t}"`).join(", ")}`);
  return plans;
}

/** Each family's routes, guarded by the Cognito authorizer, bodies validated against the models. */
function customerRoutes(functions: Record<CustomerFamily, HandlerFunction>, authorizer: string, validator: string): RouteArgs[] {
  const familyOf = (route: CustomerRoute) => (Object.keys(CUSTOMER_FAMILIES) as CustomerFamily[]).find((f) => (CUSTOMER_FAMILIES[f] as readonly string[]).includes(route))!;
  const bodies: Partial<Record<CustomerRoute, string>> = { "POST /customers": "NewCustomer", "PUT /customers/{id}/tier": "CustomerTier" };
  return CUSTOMER_ROUTES.map((route) => {
    const [method, path] = route.split(" ") as [RouteArgs["method"], string];
    const model = bodies[route];
    return {
      path,
      method,
      integration: { type: "LAMBDA_PROXY", function: functions[familyOf(route)].function },
      authorizer,
      ...(model ? { requestModels: { "application/json": model }, requestValidator: validator } : {}),
      ...(route === "GET /customers/{id}/usage" ? { requestParameters: { querystring: { startDate: false, endDate: false } } } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// IAM: what each family may call, and on what.
//
// API Gateway's management API is authorized as the HTTP method on the resource's path
// (`apigateway:POST` on `arn:aws:apigateway:{region}::/apikeys` is CreateApiKey): "Actions,
// resources, and condition keys for Amazon API Gateway Management", Service Authorization
// Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagement.html.
// Usage plans are named by id. API keys belong to the account, not to the API, so no ARN can
// single out this stage's: tag conditions do, as "Using tags to control access to API Gateway
// REST API resources" describes (aws:ResourceTag for existing resources, aws:RequestTag and
// aws:TagKeys for new ones): https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging-iam-policy.html.
// Listing (GetApiKeys, GetUsagePlans) reads a collection, which no tag can narrow.

/** One grant: actions on resources (and conditions) computed from the stage and its plans. */
interface Grant {
  actions: string[];
  resources: (plans: CustomerPlans) => string[];
  conditions?: (plans: CustomerPlans) => Record<string, Record<string, string | string[]>>;
}

const NEW_KEY_TAG_KEYS = [CUSTOMER_TAG, STAGE_TAG, ORIGIN_TAG];

/** A management API resource ARN: `arn:aws:apigateway:{region}::{path}`. */
export function managementArn(plans: Pick<CustomerPlans, "region">, path: string): string {
  return `arn:aws:apigateway:${plans.region}::${path}`;
}

const planPaths = (plans: CustomerPlans, suffix: string) => Object.values(plans.planIds).map((id) => managementArn(plans, `/usageplans/${id}${suffix}`));
const stageTag = (plans: CustomerPlans) => stageTagValue(plans.restApiId, plans.stageName);

/** GetApiKeys (the collection). */
const LIST_KEYS: Grant = { actions: ["apigateway:GET"], resources: (p) => [managementArn(p, "/apikeys")] };
/** GetUsagePlans (the collection: how the functions find the tiers' plans). */
const LIST_PLANS: Grant = { actions: ["apigateway:GET"], resources: (p) => [managementArn(p, "/usageplans")] };
/** GetUsagePlanKeys of the tiers' plans. */
const READ_PLAN_KEYS: Grant = { actions: ["apigateway:GET"], resources: (p) => planPaths(p, "/keys") };
/** GetUsage of the tiers' plans. */
const READ_USAGE: Grant = { actions: ["apigateway:GET"], resources: (p) => planPaths(p, "/usage") };
/** CreateUsagePlanKey into the tiers' plans. */
const ATTACH_KEY: Grant = { actions: ["apigateway:POST"], resources: (p) => planPaths(p, "/keys") };
/** DeleteUsagePlanKey from the tiers' plans. */
const DETACH_KEY: Grant = { actions: ["apigateway:DELETE"], resources: (p) => planPaths(p, "/keys/*") };
/** CreateApiKey, only with this stage's customer tags and no other. */
const CREATE_KEY: Grant = { actions: ["apigateway:POST"], resources: (p) => [managementArn(p, "/apikeys")], conditions: newKeyConditions };
/**
 * Tagging on create: the tagging guide's example for a create with tags grants the tags path
 * too (`apigateway:PUT` on `/tags/{url-encoded resource ARN}`); here only API keys' ARNs, with
 * the same tags.
 */
const TAG_NEW_KEY: Grant = {
  actions: ["apigateway:PUT"],
  resources: (p) => [managementArn(p, `/tags/${encodeURIComponent(managementArn(p, "/apikeys/"))}*`)],
  conditions: newKeyConditions,
};
/** UpdateApiKey of this stage's customer keys. */
const SWITCH_KEY: Grant = { actions: ["apigateway:PATCH"], resources: (p) => [managementArn(p, "/apikeys/*")], conditions: (p) => ({ StringEquals: { [`aws:ResourceTag/${STAGE_TAG}`]: stageTag(p) } }) };
/** DeleteApiKey of this stage's keys made at run time (deploy-time keys belong to the stack). */
const DELETE_KEY: Grant = {
  actions: ["apigateway:DELETE"],
  resources: (p) => [managementArn(p, "/apikeys/*")],
  conditions: (p) => ({ StringEquals: { [`aws:ResourceTag/${STAGE_TAG}`]: stageTag(p), [`aws:ResourceTag/${ORIGIN_TAG}`]: "api" } }),
};

function newKeyConditions(p: CustomerPlans): Record<string, Record<string, string | string[]>> {
  return {
    StringEquals: { [`aws:RequestTag/${STAGE_TAG}`]: stageTag(p), [`aws:RequestTag/${ORIGIN_TAG}`]: "api" },
    Null: { [`aws:RequestTag/${CUSTOMER_TAG}`]: "false" },
    "ForAllValues:StringEquals": { "aws:TagKeys": NEW_KEY_TAG_KEYS },
  };
}

/** What each family's handler calls (functions/customerOperations.ts), and nothing more. */
const FAMILY_GRANTS: Record<CustomerFamily, Grant[]> = {
  onboard: [LIST_PLANS, LIST_KEYS, CREATE_KEY, TAG_NEW_KEY, ATTACH_KEY, DELETE_KEY],
  read: [LIST_PLANS, LIST_KEYS, READ_PLAN_KEYS, READ_USAGE],
  tier: [LIST_PLANS, LIST_KEYS, READ_PLAN_KEYS, ATTACH_KEY, DETACH_KEY],
  rotate: [LIST_PLANS, LIST_KEYS, READ_PLAN_KEYS, CREATE_KEY, TAG_NEW_KEY, ATTACH_KEY, DETACH_KEY, DELETE_KEY],
  state: [LIST_KEYS, SWITCH_KEY],
  remove: [LIST_PLANS, LIST_KEYS, READ_PLAN_KEYS, DETACH_KEY, DELETE_KEY],
};

/**
 * The IAM statements of a family's function, on the stage and plans once they are known.
 *
 * @param family - The family of routes.
 * @param plans - The stage and its tiers' plans.
 */
export function customerPolicyStatements(family: CustomerFamily, plans: pulumi.Input<CustomerPlans>): PolicyStatementArgs[] {
  const known = pulumi.output(plans);
  return FAMILY_GRANTS[family].map((grant) => ({
    actions: grant.actions,
    resources: known.apply((p) => grant.resources(p)),
    ...(grant.conditions ? { conditions: known.apply((p) => grant.conditions!(p)) } : {}),
  }));
}
