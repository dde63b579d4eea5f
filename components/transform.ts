import * as pulumi from "@pulumi/pulumi";

/**
 * How a user adjusts one child of a component before it is created (SST's shape): either args
 * merged over the component's (shallowly), or a function that may change the args and options
 * in place. Applied last, so it can change anything the component set.
 *
 * @example
 * // Merge: the stage gets X-Ray tracing and a description.
 * transform: { stage: { xrayTracingEnabled: true, description: "public" } }
 * @example
 * // Function: change the args and the options.
 * transform: {
 *   function: (args, opts) => {
 *     args.memorySize = 512;
 *     opts.protect = true;
 *   },
 * }
 */
export type Transform<Args> = Partial<Args> | ((args: Args, opts: pulumi.CustomResourceOptions, name: string) => void);

/**
 * Tags for every taggable child of a component, merged over the AWS provider's `defaultTags`
 * (the provider merges them: `tagsAll` holds both, a component tag wins over a default tag of
 * the same key).
 *
 * @example
 * tags: { team: "payments", costCenter: "1234" }
 */
export type ComponentTags = pulumi.Input<Record<string, pulumi.Input<string>>>;

/**
 * A child's name, args and options with the user's transform applied: spread it into the
 * child's constructor.
 *
 * @param transform - The user's transform for this kind of child. @default none: unchanged
 * @param name - The child's name.
 * @param args - The args the component chose.
 * @param opts - The options the component chose (`{ parent: this }` at least).
 * @returns `[name, args, opts]`, for `new aws.X(...transformed(...))`.
 *
 * @example
 * new aws.apigateway.Stage(...transformed(args.transform?.stage, `${name}-stage`, stageArgs, { parent: this }));
 */
export function transformed<Args extends object>(
  transform: Transform<Args> | undefined,
  name: string,
  args: Args,
  opts: pulumi.CustomResourceOptions,
): [string, Args, pulumi.CustomResourceOptions] {
  if (transform === undefined) return [name, args, opts];
  if (typeof transform === "function") {
    const changedArgs = { ...args };
    const changedOpts = { ...opts };
    transform(changedArgs, changedOpts, name);
    return [name, changedArgs, changedOpts];
  }
  return [name, { ...args, ...transform }, opts];
}

/**
 * A taggable child's tags: the component's `tags` under the child's own (a child's own tag,
 * e.g. `Name`, wins).
 *
 * @param componentTags - The component's `tags` argument. @default none
 * @param ownTags - Tags the component sets on this child itself. @default none
 * @returns The tags to pass, or undefined when there are none.
 */
export function childTags(componentTags: ComponentTags | undefined, ownTags?: Record<string, pulumi.Input<string>>): pulumi.Input<Record<string, pulumi.Input<string>>> | undefined {
  if (componentTags === undefined) return ownTags;
  if (ownTags === undefined) return componentTags;
  return pulumi.output(componentTags).apply((tags) => ({ ...tags, ...ownTags }));
}
