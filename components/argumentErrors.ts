import * as pulumi from "@pulumi/pulumi";

/**
 * Runs a component's argument checks before it creates any child. A refusal becomes a
 * `pulumi.ResourceError` carrying the component, so `pulumi up` reports it against the
 * component's URN (the message, which names the argument path, is kept as it is).
 *
 * @param component - The component whose arguments are checked.
 * @param check - The checks; returns what they validated.
 * @returns What `check` returned.
 */
export function checkedArgs<T>(component: pulumi.Resource, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof pulumi.ResourceError || !(err instanceof Error)) throw err;
    throw new pulumi.ResourceError(err.message, component);
  }
}

/**
 * Throws the problem a rule found (see `components/apigateway`), if any.
 *
 * @param problem - The message naming what is wrong, or undefined when nothing is.
 */
export function refuse(problem: string | undefined): void {
  if (problem !== undefined) throw new Error(problem);
}
