import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime, lambdaRuntimeProblem } from "./lambdaRuntime";

/** One IAM statement a function needs. Wildcard actions are refused. */
export interface PolicyStatementArgs {
  /** Specific actions, e.g. `dynamodb:GetItem`. */
  actions: string[];
  /** Specific resource ARNs. */
  resources: pulumi.Input<string>[];
}

export interface HandlerFunctionArgs {
  /**
   * Runs once per container (at cold start) and returns the handler. It is serialized with
   * what it references into the archive, so SDK clients belong inside it, not at module level.
   * @example () => createGetUserHandler()
   */
  handlerFactory: () => (event: any, context: any) => Promise<unknown>;
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
   * Packages from the program's `dependencies` the handler imports at run time; every other
   * dependency is left out of the archive. `@aws-sdk/*` v3 clients come with the Lambda
   * Node.js runtime, so they need not be listed.
   * @default []
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
   * functions on `nodejs20.x` and older runtimes, so those are refused.
   * @default "nodejs24.x"
   */
  runtime?: LambdaRuntime;
}

/**
 * A Lambda function from an inline handler factory, with its own role that may do only what
 * `policyStatements` lists (CallbackFunction would otherwise attach nine full-access managed
 * policies), its own log group with retention, and an archive holding only the packages the
 * handler uses.
 */
export class HandlerFunction extends pulumi.ComponentResource {
  public readonly function: aws.lambda.Function;
  public readonly role: aws.iam.Role;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  /** The role's inline policy document (JSON). */
  public readonly policy: aws.iam.RolePolicy;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:HandlerFunction", name, {}, opts);
    validateHandlerFunctionArgs(name, args);

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Execution role of ${name}: only the actions its handler uses`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      { parent: this },
    );
    // What aws.lambda.CallbackFunction does (the same `__index.js` and `handler` export), with
    // the package scan shared: CallbackFunction walks the whole dependency tree once per
    // function, about 0.1 s each; the functions of a program ask for one or two package sets.
    const closure = pulumi.runtime.serializeFunction(args.handlerFactory, {
      serialize: () => true,
      exportName: HANDLER_EXPORT,
      isFactoryFunction: true,
      // As CallbackFunction: a captured secret is allowed, and warned about below.
      allowSecrets: true,
    });
    void closure.then(
      (serialized) => {
        if (serialized.containsSecrets) {
          pulumi.log.warn(`${name}: the handler captures a secret, which will sit in plain text in the function's archive; read it at run time (Secrets Manager, SSM) instead`, this);
        }
      },
      () => undefined, // the archive's own promise reports a serialization failure
    );
    this.function = new aws.lambda.Function(
      `${name}`,
      {
        description: args.description,
        code: new pulumi.asset.AssetArchive(archiveContents(closure, args.packages ?? [])),
        handler: `${ARCHIVE_MODULE}.${HANDLER_EXPORT}`,
        role: this.role.arn,
        runtime: args.runtime ?? DEFAULT_LAMBDA_RUNTIME,
        memorySize: args.memorySize ?? 256,
        timeout: args.timeoutSeconds ?? 10,
        environment: args.environment ? { variables: args.environment } : undefined,
      },
      { parent: this },
    );
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: pulumi.interpolate`/aws/lambda/${this.function.name}`, retentionInDays: args.logRetentionDays ?? 14 },
      { parent: this },
    );
    this.policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.id,
        policy: pulumi
          .all([this.logGroup.arn, pulumi.all((args.policyStatements ?? []).map((s) => pulumi.all(s.resources)))])
          .apply(([logGroupArn, resources]) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                // The log group exists already (created above), so CreateLogGroup is not granted.
                { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${logGroupArn}:*`] },
                ...(args.policyStatements ?? []).map((s, i) => ({ Effect: "Allow", Action: s.actions, Resource: resources[i] })),
              ],
            }),
          ),
      },
      { parent: this },
    );
    this.registerOutputs({ functionName: this.function.name, roleArn: this.role.arn });
  }
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
    if (!Array.isArray(statement.resources) || statement.resources.length === 0) {
      throw new Error(`${field}.resources must list at least one resource ARN`);
    }
    for (const resource of statement.resources) {
      if (resource === "*") throw new Error(`${field}.resources: "*" is refused; name the resources`);
    }
  });
  const runtimeProblem = args.runtime === undefined ? undefined : lambdaRuntimeProblem(args.runtime);
  if (runtimeProblem) throw new Error(`${name}: runtime ${runtimeProblem}`);
  if (args.memorySize !== undefined && (!Number.isInteger(args.memorySize) || args.memorySize < 128 || args.memorySize > 10240)) {
    throw new Error(`${name}: memorySize must be an integer from 128 to 10240 MB (got ${args.memorySize})`);
  }
  if (args.timeoutSeconds !== undefined && (!Number.isInteger(args.timeoutSeconds) || args.timeoutSeconds < 1 || args.timeoutSeconds > 900)) {
    throw new Error(`${name}: timeoutSeconds must be an integer from 1 to 900 (got ${args.timeoutSeconds})`);
  }
}

/**
 * Every dependency of the program's package.json except the ones the handler uses. Pulumi
 * copies the whole `dependencies` tree into each archive unless told otherwise; it reads the
 * package.json found from the working directory up, and so does this.
 */
/** The archive's module and export, named as CallbackFunction names them (`__index.handler`). */
const ARCHIVE_MODULE = "__index";
const HANDLER_EXPORT = "handler";

/** The serialized handler, and the listed packages with what they depend on. */
async function archiveContents(closure: Promise<pulumi.runtime.SerializedFunction>, packages: string[]): Promise<pulumi.asset.AssetMap> {
  const [serialized, modules] = await Promise.all([closure, packageFiles(packages)]);
  return { [`${ARCHIVE_MODULE}.js`]: new pulumi.asset.StringAsset(serialized.text), ...Object.fromEntries(modules) };
}

/** Package files by package set and working directory: computed once per program, not per function. */
const packageFilesCache = new Map<string, Promise<Map<string, pulumi.asset.Asset | pulumi.asset.Archive>>>();

function packageFiles(packages: string[]): Promise<Map<string, pulumi.asset.Asset | pulumi.asset.Archive>> {
  const key = JSON.stringify([process.cwd(), [...packages].sort()]);
  let files = packageFilesCache.get(key);
  if (!files) {
    files = pulumi.runtime.computeCodePaths({
      extraIncludePackages: packages,
      // aws-sdk (v2) comes with the runtime, as CallbackFunction assumes.
      extraExcludePackages: [...packagesToLeaveOut(packages), "aws-sdk"],
    });
    packageFilesCache.set(key, files);
  }
  return files;
}

export function packagesToLeaveOut(needed: string[]): string[] {
  return programDependencies(process.cwd()).filter((dep) => !needed.includes(dep));
}

/** The program's `dependencies`, read once per working directory (every function asks). */
const dependenciesByDir = new Map<string, string[]>();

function programDependencies(cwd: string): string[] {
  let found = dependenciesByDir.get(cwd);
  if (found) return found;
  found = [];
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      found = Object.keys((JSON.parse(fs.readFileSync(file, "utf8")) as { dependencies?: object }).dependencies ?? {});
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  dependenciesByDir.set(cwd, found);
  return found;
}
