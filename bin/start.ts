/**
 * `npm start -- [--stack <name>] [--port N] [--state-dir <dir>] [--watch] [--fresh] [--quiet] [--function-processes] [--show-secrets]`:
 * "deploys" a stack into the local cloud and serves it on 127.0.0.1 until Ctrl-C: runs
 * index.ts under the local control plane (Pulumi mocks acting as AWS), starts the emulators
 * and gateways, prints the stack outputs as `pulumi stack output` would (with local URLs) and
 * writes `.local/<stack>/outputs.json` (or `<state-dir>/outputs.json`). The emulators' data,
 * the lock and the logs live in that folder too; `--watch` reloads the program on every save.
 */
import type { ProgramRun } from "../local/controlPlane";
import type { LocalCloud } from "../local/startLocal";
import { UsageError, readCommandLine, splitFlag } from "./localCloudFiles";

export { UsageError };

export const USAGE = "usage: npm start -- [--stack <name>] [--port <0-65535>] [--state-dir <dir>] [--watch] [--fresh] [--quiet] [--function-processes] [--show-secrets]";


export interface StartOptions {
  stack: string;
  showSecrets: boolean;
  /** @default 4010 */
  port: number;
  /**
   * The stack's local folder: the emulators' data, the lock, the logs and outputs.json. A
   * second local cloud of the same stack needs its own. @default .local/<stack>
   */
  stateDir?: string;
  /** Reload the program on every save of its sources. @default false */
  watch: boolean;
  /** Start from empty data (items, users, secrets, usage counts); logs are kept. @default false */
  fresh: boolean;
  /** No access-log line per request on the terminal (the log file still has them). @default false */
  quiet: boolean;
  /**
   * Run every function in child processes, also those of the host's Node.js major (worker
   * threads otherwise): slower per invocation, as isolated as Lambda (own working directory).
   * @default false
   */
  functionProcesses?: boolean;
}

const DEFAULT_PORT = 4010;

/** Flags without a value, and the option each turns on. */
const SWITCHES = {
  "--show-secrets": "showSecrets",
  "--function-processes": "functionProcesses",
  "--watch": "watch",
  "--fresh": "fresh",
  "--quiet": "quiet",
} as const;

export function parseStartArgs(argv: string[]): StartOptions {
  const options: StartOptions = { stack: "dev", showSecrets: false, port: DEFAULT_PORT, watch: false, fresh: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const { name: flag, inline } = splitFlag(arg);
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
      case "--function-processes":
      case "--watch":
      case "--fresh":
      case "--quiet":
        if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
        options[SWITCHES[flag]] = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

/** The summary printed once the cloud serves: resources by type, endpoints, outputs. */
function formatStarted(cloud: Pick<LocalCloud, "stack" | "outputs" | "secretOutputs" | "endpoints" | "outputsFile" | "stateDir"> & { run: Pick<ProgramRun, "graph"> }, showSecrets: boolean, stateHint: string): string {
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
  lines.push(`State (items, users, secrets, usage counts) and logs in ${cloud.stateDir}: ${stateHint}`);
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const options = readCommandLine(parseStartArgs, argv, { usage: USAGE });
  if (typeof options === "number") return options;
  return serveStack(options);
}

/** Which program `serveStack` serves, and how its command is named in the lines it prints. */
export interface ServedProgram {
  /** The project folder (Pulumi.yaml). @default this repository */
  projectDir?: string;
  /** The program module. @default "<projectDir>/index.ts" */
  program?: string;
  /** The end of the state line: how to start empty, where the logs are read. @default npm start's */
  stateHint?: string;
}

/**
 * Starts the local cloud for parsed options and serves it until SIGINT or SIGTERM: what
 * `npm start` and `npx apigw-kit local` run. Resolves with the exit code (1 when the program
 * or the start failed, leaving nothing running).
 *
 * @param options - The command line, parsed.
 * @param served - The program, when it is not this repository's index.ts.
 */
export async function serveStack(options: StartOptions, served: ServedProgram = {}): Promise<number> {
  const started = Date.now();
  // Loaded here, not at the top: a bad command line is answered without loading the local cloud.
  const [{ ProgramError }, { startLocal }] = await Promise.all([import("../local/controlPlane"), import("../local/startLocal")]);
  process.stdout.write(`Starting the local cloud for stack ${options.stack} on Node.js ${process.version}...\n`);
  let cloud: LocalCloud;
  try {
    cloud = await startLocal({
      stack: options.stack,
      projectDir: served.projectDir,
      program: served.program,
      port: options.port,
      stateDir: options.stateDir,
      persist: true,
      fresh: options.fresh,
      watch: options.watch,
      logFiles: true,
      accessLog: options.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
      hostMajorIn: options.functionProcesses ? "processes" : "threads",
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
  } catch (err) {
    const message = err instanceof ProgramError ? err.message : (err as Error).message;
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
  const stateHint = served.stateHint ?? "`npm start -- --fresh` starts empty, `npm run logs` reads the logs";
  process.stdout.write(formatStarted(cloud, options.showSecrets, stateHint) + "\n");
  const watching = options.watch ? " Watching the program's sources: a save reloads it." : "";
  process.stdout.write(`\nServing stack ${options.stack} (ready in ${Date.now() - started} ms).${watching} Press Ctrl-C to stop.\n`);
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
