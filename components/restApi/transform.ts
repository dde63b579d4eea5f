/**
 * How a RestApi creates its children: every child goes through the user's transform for its
 * kind (`transformed()`), and the transformed args of the children a deployment serves are
 * kept for the redeployment trigger.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RestApiTransform } from "./args";
import { type Transform, transformed } from "../transform";

/** The args of each kind of child, by the kind's key in {@link RestApiTransform}. */
export interface RestApiChildArgs {
  api: aws.apigateway.RestApiArgs;
  deployment: aws.apigateway.DeploymentArgs;
  logGroup: aws.cloudwatch.LogGroupArgs;
  stage: aws.apigateway.StageArgs;
  resource: aws.apigateway.ResourceArgs;
  model: aws.apigateway.ModelArgs;
  requestValidator: aws.apigateway.RequestValidatorArgs;
  authorizer: aws.apigateway.AuthorizerArgs;
  permission: aws.lambda.PermissionArgs;
  method: aws.apigateway.MethodArgs;
  integration: aws.apigateway.IntegrationArgs;
  methodResponse: aws.apigateway.MethodResponseArgs;
  integrationResponse: aws.apigateway.IntegrationResponseArgs;
  gatewayResponse: aws.apigateway.ResponseArgs;
  methodSettings: aws.apigateway.MethodSettingsArgs;
}

/** A kind of child: a key of {@link RestApiTransform}. */
export type RestApiChildKind = keyof RestApiChildArgs;

// Compile-time check: RestApiTransform has exactly one Transform per kind of child.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameKinds: Exact<Required<RestApiTransform>, { [K in RestApiChildKind]: Transform<RestApiChildArgs[K]> }> = true;
void _sameKinds;

/**
 * The kinds of child a deployment snapshots: a change to one needs a new deployment. The
 * stage, its log group, method settings and Lambda permissions take effect without one.
 */
const SERVED: ReadonlySet<RestApiChildKind> = new Set<RestApiChildKind>([
  "api",
  "resource",
  "model",
  "requestValidator",
  "authorizer",
  "method",
  "integration",
  "methodResponse",
  "integrationResponse",
  "gatewayResponse",
]);

/** A served child whose kind has a transform: its args before and after it. */
interface TransformedChild {
  kind: RestApiChildKind;
  name: string;
  before: object;
  after: object;
}

/** What a transform changed on one served child, for the redeployment trigger. */
export interface TransformChange {
  kind: RestApiChildKind;
  name: string;
  /** The args the transform changed, with their new values (null: removed). */
  changed: Record<string, unknown>;
}

/** Creates the name, args and options of a RestApi's children, applying the user's transforms. */
export class RestApiChildren {
  private readonly transformedChildren: TransformedChild[] = [];

  /**
   * @param parent - The component, every child's parent.
   * @param transform - The user's transforms by kind of child. @default none
   */
  constructor(
    readonly parent: pulumi.Resource,
    private readonly transform: RestApiTransform | undefined,
  ) {}

  /**
   * A child's `[name, args, opts]` with the transform of its kind applied, to spread into its
   * constructor; `opts` get `parent` (the component).
   */
  make<K extends RestApiChildKind>(
    kind: K,
    name: string,
    args: RestApiChildArgs[K],
    opts: pulumi.CustomResourceOptions = {},
  ): [string, RestApiChildArgs[K], pulumi.CustomResourceOptions] {
    const transform = this.transform?.[kind] as Transform<RestApiChildArgs[K]> | undefined;
    const withParent = { parent: this.parent, ...opts };
    if (transform === undefined || !SERVED.has(kind)) return transformed(transform, name, args, withParent);
    // A function may change nested values in place: it gets copies, so `args` stays as it was.
    const result = transformed(transform, name, plainCopy(args), withParent);
    this.transformedChildren.push({ kind, name, before: args, after: result[1] });
    return result;
  }

  /**
   * What the transforms changed on the served children, in creation order: only the args they
   * changed (not the ids and ARNs the component set, which the rest of the trigger covers) and
   * never `tags` (they need no redeployment). Empty when they changed nothing, e.g. functions
   * that only set options, so the trigger is then the same as without them.
   */
  changes(): pulumi.Output<TransformChange[]> {
    // Values the transform left as they were (the same ids and Outputs) are not even resolved,
    // so unknown ids in a preview leave the trigger known.
    const children = this.transformedChildren.map((c) => {
      const before = c.before as Record<string, unknown>;
      const after = c.after as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== "tags" && before[k] !== after[k]);
      return { kind: c.kind, name: c.name, before: pick(before, keys), after: pick(after, keys) };
    });
    return pulumi.output(children).apply((resolved) => {
      const changes: TransformChange[] = [];
      for (const child of resolved) {
        const before = child.before as Record<string, unknown>;
        const after = child.after as Record<string, unknown>;
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
        const changed = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        if (changed.length > 0) {
          changes.push({ kind: child.kind as RestApiChildKind, name: child.name, changed: Object.fromEntries(changed.map((k) => [k, after[k] ?? null])) });
        }
      }
      return changes;
    });
  }
}

/** Copies plain objects and arrays, deeply; anything else (Outputs, resources) is kept as is. */
function plainCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(plainCopy) as T;
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)])) as T;
    }
  }
  return value;
}

/** The entries of `values` at `keys`, absent ones as undefined. */
function pick(values: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, values[k]]));
}
