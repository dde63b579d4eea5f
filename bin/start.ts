/**
 * `npm start -- [--stack <name>] [--show-secrets]`: evaluates index.ts for a stack under the
 * local control plane (Pulumi mocks acting as AWS) and prints what it would create and the
 * stack outputs, as `pulumi preview` and `pulumi stack output` would. Serving the API on
 * 127.0.0.1 (the data plane) is the next step of the local cloud.
 */
import { ProgramError, ProgramRun, runProgram } from "../local/controlPlane";

export const USAGE = "usage: npm start -- [--stack <name>] [--show-secrets]";

export class UsageError extends Error {}

export interface StartOptions {
  stack: string;
  showSecrets: boolean;
}

export function parseStartArgs(argv: string[]): StartOptions {
  const options: StartOptions = { stack: "dev", showSecrets: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    switch (flag) {
      case "--stack": {
        const value = inline ?? argv[++i];
        if (value === undefined || value.startsWith("--") || value === "") throw new UsageError("--stack needs a stack name");
        options.stack = value;
        break;
      }
      case "--show-secrets":
        if (inline !== undefined) throw new UsageError("--show-secrets takes no value");
        options.showSecrets = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

/** The summary printed after a run: resources by type, then the outputs. */
export function formatRun(run: ProgramRun, showSecrets: boolean): string {
  const counts = new Map<string, number>();
  for (const r of run.graph.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const lines = [`Stack ${run.config.stack}: ${run.graph.resources.length} resources in ${run.elapsedMs} ms`];
  for (const [type, count] of [...counts].sort()) lines.push(`  ${String(count).padStart(3)}  ${type}`);
  lines.push("", "Outputs:");
  const width = Math.max(0, ...Object.keys(run.outputs).map((k) => k.length));
  for (const [key, output] of Object.entries(run.outputs)) {
    const shown = output.secret && !showSecrets ? "[secret]" : typeof output.value === "string" ? output.value : JSON.stringify(output.value);
    lines.push(`    ${key.padEnd(width)}  ${shown}`);
  }
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  let options: StartOptions;
  try {
    options = parseStartArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  process.stdout.write(`Evaluating index.ts for stack ${options.stack} under the local control plane...\n`);
  try {
    const run = await runProgram({ stack: options.stack });
    process.stdout.write(formatRun(run, options.showSecrets) + "\n");
    return 0;
  } catch (err) {
    const message = err instanceof ProgramError ? err.message : (err as Error).message;
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
