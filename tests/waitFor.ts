/**
 * Polls `check` every 25 ms until it holds; fails naming `what` after `ms`.
 *
 * The default is generous on purpose: a wait may cover Lambda cold starts, SDK retries or a
 * whole local cloud's start on a loaded CI machine, and it costs nothing when the condition
 * comes sooner. `what` may be a function, read only on failure (a process's output so far).
 */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string | (() => string), ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
