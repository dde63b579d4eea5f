/**
 * Runs `fn` with the given environment variables set (`undefined` deletes one), then puts
 * the previous values back, even when `fn` throws. `fn` must be synchronous: handler
 * factories read their environment when called, so wrap the factory call, not the handler.
 */
export function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.keys(vars).map((name) => [name, process.env[name]] as const);
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
