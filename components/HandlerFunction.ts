import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_FUNCTION_LOG_RETENTION_DAYS } from "./apigateway";
import { checkedArgs, refuse } from "./argumentErrors";
import { functionSettingsProblem } from "./lambdaSizing";
import { BUNDLE_FILE, bundleHandler, programDir } from "./lambdaBundle";
import { DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime } from "./lambdaRuntime";
import { type ComponentTags, type Transform, transformed } from "./transform";

/** One IAM statement a function needs. Wildcard actions are refused. */
export interface PolicyStatementArgs {
  /** Specific actions, e.g. `dynamodb:GetItem`. */
  actions: string[];
  /**
   * Specific resource ARNs, or an output of them (when how many depends on another resource);
   * `*` is refused, also when an output resolves to it.
   */
  resources: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * IAM conditions narrowing the statement: operator -> condition key -> value(s), as the
   * policy's `Condition` element takes them.
   * @default none
   * @example { StringEquals: { "aws:ResourceTag/team": "payments" } }
   */
  conditions?: pulumi.Input<Record<string, Record<string, string | string[]>>>;
}

export interface HandlerFunctionArgs {
  /**
   * Runs once per container (at cold start) and returns the handler. It is serialized with
   * what it references into the archive, so SDK clients belong inside it, not at module level.
   * The handler's parameters are typed `never` here so that a handler of any event type fits
   * (`(event: APIGatewayProxyEvent, context: Context) => ...`); Lambda calls it, not this code.
   * @example () => createGetUserHandler()
   */
  handlerFactory: () => (event: never, context: never) => Promise<unknown>;
  /** @default none */
  description?: string;
  /** Environment variables. @default {} */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * The only AWS permissions the function gets, besides writing to its own log group.
   * @default [] (logs only)
   */
  policyStatements?: PolicyStatementArgs[];
  /**
   * Packages from the program's `dependencies` the handler imports at run time. They are
   * bundled with the handler into one minified file (with whatever they import, except
   * `@aws-sdk/*`); a package the handler imports that is neither listed here nor provided by
   * the Lambda runtime is refused at deploy time, naming the function and the package.
   * `@aws-sdk/*` v3 clients and Node's builtins come with the Lambda Node.js runtime, so they
   * need not be listed and are never bundled.
   * @default []
   * @example ["aws-jwt-verify"]
   */
  packages?: string[];
  /** @default 256 */
  memorySize?: number;
  /** @default 10 */
  timeoutSeconds?: number;
  /** Days the function's log events are kept. @default 14 */
  logRetentionDays?: number;
  /**
   * The Lambda runtime: `nodejs24.x` or `nodejs22.x`. AWS no longer lets you create or update
   * functions on `nodejs20.x` and older runtimes, so those are refused. The bundle targets the
   * runtime's Node.js major.
   * @default "nodejs24.x"
   */
  runtime?: LambdaRuntime;
  /**
   * Tags for the role, the function and the log group (the taggable children), merged over
   * the AWS provider's `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "payments", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes a child's args or options before it is created, per kind of child: args merged
   * over the component's, or a function changing them in place. Applied last, so it can
   * override anything the component set (including the least-privilege policy: on purpose).
   * @default none
   * @example
   * transform: {
   *   function: { reservedConcurrentExecutions: 5, tracingConfig: { mode: "Active" } },
   *   logGroup: (args, opts) => {
   *     args.kmsKeyId = key.arn;
   *     opts.retainOnDelete = true;
   *   },
   * }
   */
  transform?: HandlerFunctionTransform;
}

/** A {@link HandlerFunction}'s children, each adjustable before it is created. */
export interface HandlerFunctionTransform {
  /** The execution role. */
  role?: Transform<aws.iam.RoleArgs>;
  /** The Lambda function. */
  function?: Transform<aws.lambda.FunctionArgs>;
  /** The function's log group (`/aws/lambda/<function name>`). */
  logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  /** The role's inline policy (log writing and `policyStatements`). */
  rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
}

/**
 * A Lambda function from an inline handler factory, with its own role that may do only what
 * `policyStatements` lists (CallbackFunction would otherwise attach nine full-access managed
 * policies), its own log group with retention, and an archive holding one minified file: the
 * serialized handler bundled with the packages it lists (the AWS SDK v3 comes from the
 * runtime). The handler is `__index.handler`, as CallbackFunction names it.
 */
export class HandlerFunction extends pulumi.ComponentResource {
  public readonly function: aws.lambda.Function;
  public readonly role: aws.iam.Role;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  /** The role's inline policy document (JSON). */
  public readonly policy: aws.iam.RolePolicy;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:HandlerFunction", name, {}, opts);
    checkedArgs(this, () => validateHandlerFunctionArgs(name, args));

    const transform = args.transform ?? {};

    this.role = new aws.iam.Role(
      ...transformed(
        transform.role,
        `${name}-role`,
        {
          description: `Execution role of ${name}: only the actions its handler uses`,
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
          tags: args.tags,
        },
        { parent: this },
      ),
    );
    const runtime = args.runtime ?? DEFAULT_LAMBDA_RUNTIME;

    // What aws.lambda.CallbackFunction serializes (the same `__index.js` and `handler` export),
    // then bundled into that one file instead of shipping the dependency tree beside it.
    const closure = serializedFactory(args.handlerFactory);
    void closure.then(
      (serialized) => {
        if (serialized.containsSecrets) {
          pulumi.log.warn(`${name}: the handler captures a secret, which will sit in plain text in the function's archive; read it at run time (Secrets Manager, SSM) instead`, this);
        }
      },
      () => undefined, // the archive's own promise reports a serialization failure
    );
    this.function = new aws.lambda.Function(
      ...transformed(
        transform.function,
        `${name}`,
        {
          description: args.description,
          code: new pulumi.asset.AssetArchive(archiveContents(name, closure, args.packages ?? [], runtime)),
          handler: `${ARCHIVE_MODULE}.${HANDLER_EXPORT}`,
          role: this.role.arn,
          runtime,
          memorySize: args.memorySize ?? 256,
          timeout: args.timeoutSeconds ?? 10,
          environment: args.environment ? { variables: args.environment } : undefined,
          tags: args.tags,
        },
        { parent: this },
      ),
    );
    this.logGroup = new aws.cloudwatch.LogGroup(
      ...transformed(
        transform.logGroup,
        `${name}-logs`,
        { name: pulumi.interpolate`/aws/lambda/${this.function.name}`, retentionInDays: args.logRetentionDays ?? DEFAULT_FUNCTION_LOG_RETENTION_DAYS, tags: args.tags },
        { parent: this },
      ),
    );
    const policy = policyDocument(name, this.logGroup, args.policyStatements ?? []);
    this.policy = new aws.iam.RolePolicy(...transformed(transform.rolePolicy, `${name}-policy`, { role: this.role.id, policy }, { parent: this }));
    this.registerOutputs({ functionName: this.function.name, roleArn: this.role.arn });
  }
}

/**
 * Factories serialized in this program run, by identity: functions sharing a factory (the
 * customers API's six) have it walked once, as the closure walk through the inspector is most
 * of a program evaluation's time. A new run of the program makes new factories.
 */
const serializedFactories = new WeakMap<HandlerFunctionArgs["handlerFactory"], Promise<pulumi.runtime.SerializedFunction>>();

/**
 * What aws.lambda.CallbackFunction serializes for a factory (the same `__index.js` and
 * `handler` export), once per factory.
 *
 * @param factory - The handler factory.
 */
function serializedFactory(factory: HandlerFunctionArgs["handlerFactory"]): Promise<pulumi.runtime.SerializedFunction> {
  let closure = serializedFactories.get(factory);
  if (!closure) {
    closure = pulumi.runtime.serializeFunction(factory, {
      serialize: () => true,
      exportName: HANDLER_EXPORT,
      isFactoryFunction: true,
      // As CallbackFunction: a captured secret is allowed, and warned about below.
      allowSecrets: true,
    });
    serializedFactories.set(factory, closure);
  }
  return closure;
}

function validateHandlerFunctionArgs(name: string, args: HandlerFunctionArgs): void {
  if (typeof args.handlerFactory !== "function") {
    throw new Error(`${name}: handlerFactory must be a function returning the handler`);
  }
  (args.policyStatements ?? []).forEach((statement, i) => {
    const field = `${name}: policyStatements[${i}]`;
    if (!Array.isArray(statement.actions) || statement.actions.length === 0) {
      throw new Error(`${field}.actions must list at least one action`);
    }
    for (const action of statement.actions) {
      if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
        throw new Error(`${field}.actions: "${action}" must be one specific action like dynamodb:GetItem (no wildcards)`);
      }
    }
    // An output of resources is checked when it resolves (in the policy document).
    if (!pulumi.Output.isInstance(statement.resources)) refuse(resourcesProblem(statement.resources, `${field}.resources`));
  });
  if (args.packages !== undefined && (!Array.isArray(args.packages) || args.packages.some((p) => typeof p !== "string" || p === ""))) {
    throw new Error(`${name}: packages must be a list of package names (got ${JSON.stringify(args.packages)})`);
  }
  refuse(functionSettingsProblem(args, `${name}: `));
}

/**
 * The role's policy: writing to its own log group, and the statements given (`*` refused
 * again once outputs among their resources have resolved).
 */
function policyDocument(name: string, logGroup: aws.cloudwatch.LogGroup, statements: PolicyStatementArgs[]): pulumi.Output<string> {
  const resources = pulumi.all(statements.map((s) => pulumi.output(s.resources)));
  const conditions = pulumi.all(statements.map((s) => s.conditions));
  return pulumi.all([logGroup.arn, resources, conditions]).apply(([logGroupArn, resolved, conditionsOf]) => {
    resolved.forEach((list, i) => refuse(resourcesProblem(list, `${name}: policyStatements[${i}].resources`)));
    return JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        // The log group exists already (created above), so CreateLogGroup is not granted.
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${logGroupArn}:*`] },
        ...statements.map((s, i) => ({ Effect: "Allow", Action: s.actions, Resource: resolved[i], ...(conditionsOf[i] ? { Condition: conditionsOf[i] } : {}) })),
      ],
    });
  });
}

/** Why a statement's resources are refused: none, or `*` among them. */
function resourcesProblem(resources: unknown, at: string): string | undefined {
  if (!Array.isArray(resources) || resources.length === 0) return `${at} must list at least one resource ARN`;
  if (resources.includes("*")) return `${at}: "*" is refused; name the resources`;
  return undefined;
}

/** The archive's module and export, named as CallbackFunction names them (`__index.handler`). */
const ARCHIVE_MODULE = BUNDLE_FILE.replace(/\.js$/, "");
const HANDLER_EXPORT = "handler";

/**
 * The serialized handler bundled into one file (and its licence notices). A bare import that
 * neither `packages` nor the runtime provides fails the deployment here: on Lambda it would
 * fail every cold start with Runtime.ImportModuleError.
 */
async function archiveContents(
  name: string,
  closure: Promise<pulumi.runtime.SerializedFunction>,
  packages: string[],
  runtime: LambdaRuntime,
): Promise<pulumi.asset.AssetMap> {
  const { text } = await closure;
  let bundle;
  try {
    bundle = await bundleHandler({ closure: text, packages, runtime, resolveDir: programDir() });
  } catch (err) {
    throw new Error(`${name}: bundling the handler failed: ${(err as Error).message}`);
  }
  if (bundle.unlisted.length > 0) {
    const one = bundle.unlisted.length === 1;
    throw new Error(
      `${name}: the handler imports ${bundle.unlisted.map((pkg) => `"${pkg}"`).join(", ")}, which ${one ? "is" : "are"} neither in packages ` +
        `nor provided by the Lambda runtime (@aws-sdk/*, Node.js builtins): list ${one ? "it" : "them"} in packages`,
    );
  }
  return Object.fromEntries(Object.entries(bundle.files).map(([file, content]) => [file, new pulumi.asset.StringAsset(content)]));
}
