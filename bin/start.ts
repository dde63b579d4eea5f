/**
 * `npm start -- [--stack <name>] [--port N] [--state-dir <dir>] [--function-processes] [--show-secrets]`: "deploys" a stack into the
 * local cloud and serves it on 127.0.0.1 until Ctrl-C: runs index.ts under the local control
 * plane (Pulumi mocks acting as AWS), starts the emulators and gateways, prints the stack
 * outputs as `pulumi stack output` would (with local URLs) and writes
 * `.local/<stack>/outputs.json` (or `<state-dir>/outputs.json`).
 */
import { ProgramError, ProgramRun } from "../local/controlPlane";
import { LocalCloud, startLocal } from "../local/startLocal";
import { UsageError } from "./localCloudFiles";

export { UsageError };

export const USAGE = "usage: npm start -- [--stack <name>] [--port <0-65535>] [--state-dir <dir>] [--function-processes] [--show-secrets]";


export interface StartOptions {
  stack: string;
  showSecrets: boolean;
  /** @default 4010 */
  port: number;
  /**
   * Where outputs.json goes, so that a second local cloud of the same stack does not take over
   * the first's files. @default .local/<stack>
   */
  stateDir?: string;
  /**
   * Run every function in child processes, also those of the host's Node.js major (worker
   * threads otherwise): slower per invocation, as isolated as Lambda (own working directory).
   * @default false
   */
  functionProcesses?: boolean;
}

const DEFAULT_PORT = 4010;

export function parseStartArgs(argv: string[]): StartOptions {
  const options: StartOptions = { stack: "dev", showSecrets: false, port: DEFAULT_PORT };
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
      case "--port": {
        const value = inline ?? argv[++i];
        if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
          throw new UsageError(`--port needs a port number from 0 to 65535 (got ${JSON.stringify(value ?? "")})`);
        }
        options.port = Number(value);
        break;
      }
      case "--state-dir": {
        const value = inline ?? argv[++i];
        if (value === undefined || value.startsWith("--") || value === "") throw new UsageError("--state-dir needs a folder");
        options.stateDir = value;
        break;
      }
      case "--show-secrets":
        if (inline !== undefined) throw new UsageError("--show-secrets takes no value");
        options.showSecrets = true;
        break;
      case "--function-processes":
        if (inline !== undefined) throw new UsageError("--function-processes takes no value");
        options.functionProcesses = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

/** The summary printed once the cloud serves: resources by type, endpoints, outputs. */
function formatStarted(cloud: Pick<LocalCloud, "stack" | "outputs" | "secretOutputs" | "endpoints" | "outputsFile"> & { run: Pick<ProgramRun, "graph"> }, showSecrets: boolean): string {
  const counts = new Map<string, number>();
  for (const r of cloud.run.graph.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const lines = [`Resources (${cloud.run.graph.resources.length}):`];
  for (const [type, count] of [...counts].sort()) lines.push(`  ${String(count).padStart(3)}  ${type}`);
  lines.push("", "Local endpoints:");
  for (const [name, url] of Object.entries(cloud.endpoints)) lines.push(`    ${name.padEnd(10)}  ${url}`);
  const width = Math.max(14, ...Object.keys(cloud.outputs).map((k) => k.length));
  lines.push("", `Current stack outputs (${Object.keys(cloud.outputs).length}):`, `    ${"OUTPUT".padEnd(width)}  VALUE`);
  for (const [key, value] of Object.entries(cloud.outputs)) {
    const shown = cloud.secretOutputs.includes(key) && !showSecrets ? "[secret]" : typeof value === "string" ? value : JSON.stringify(value);
    lines.push(`    ${key.padEnd(width)}  ${shown}`);
  }
  lines.push("", `Outputs written to ${cloud.outputsFile}`);
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
  const started = Date.now();
  process.stdout.write(`Starting the local cloud for stack ${options.stack} on Node.js ${process.version}...\n`);
  let cloud: LocalCloud;
  try {
    cloud = await startLocal({
      stack: options.stack,
      port: options.port,
      stateDir: options.stateDir,
      hostMajorIn: options.functionProcesses ? "processes" : "threads",
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
  } catch (err) {
    const message = err instanceof ProgramError ? err.message : (err as Error).message;
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
  process.stdout.write(formatStarted(cloud, options.showSecrets) + "\n");
  process.stdout.write(`\nServing stack ${options.stack} (ready in ${Date.now() - started} ms). Press Ctrl-C to stop.\n`);
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      process.stdout.write(`\n${signal}: stopping the local cloud...\n`);
      cloud.stop().then(
        () => resolve(0),
        (err) => {
          process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
