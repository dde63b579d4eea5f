#!/usr/bin/env node
/**
 * `npx apigw-kit local [--stack <name>] [--port N] [--state-dir <dir>] [--watch] [--fresh] [--quiet] [--function-processes] [--show-secrets]`:
 * the local cloud for the Pulumi project in the working directory. Reads its Pulumi.yaml
 * (name, runtime, main) and Pulumi.<stack>.yaml, runs its program under the local control
 * plane and serves it exactly as `npm start` serves this repository's (the same flags, lines,
 * `.local/<stack>/outputs.json`; Ctrl-C stops). The package's `bin`, compiled to
 * dist/bin/apigwKit.js; TypeScript programs are compiled by esbuild (local/project/typeScriptLoader.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError, readCommandLine, type Output } from "./localCloudFiles";

export const USAGE =
  "usage: npx apigw-kit local [--stack <name>] [--port <0-65535>] [--state-dir <dir>] [--watch] [--fresh] [--quiet] [--function-processes] [--show-secrets]";

const HELP = `${USAGE}

Runs the Pulumi program of the project in the working directory (Pulumi.yaml, runtime nodejs)
in the local cloud and serves its APIs on 127.0.0.1 until Ctrl-C. Flags as for \`npm start\`:
  --stack <name>          the stack whose Pulumi.<stack>.yaml is read (default dev)
  --port <N>              the APIs' port (default 4010; 0 picks a free one)
  --state-dir <dir>       the stack's local folder (default .local/<stack>)
  --watch                 run the program again on every save
  --fresh                 start from empty data (items, users, secrets, usage counts)
  --quiet                 no request lines on the terminal
  --function-processes    every function in a child process of its own
  --show-secrets          show secret outputs`;

/** The commands of the `apigw-kit` bin. */
const COMMANDS = ["local"] as const;

/** Node.js majors the local cloud runs on (`engines`; @pulumi/pulumi needs 22 or later). */
const MINIMUM_NODE_MAJOR = 22;

/** The command named first on the command line, and the arguments after it. */
export function parseCommand(argv: readonly string[]): { command: (typeof COMMANDS)[number]; rest: string[] } | { help: true } {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError(`missing the command (known: ${COMMANDS.join(", ")})`);
  if (first === "--help" || first === "-h" || first === "help") return { help: true };
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command ${JSON.stringify(first)} (known: ${COMMANDS.join(", ")})`);
  return { command: first as (typeof COMMANDS)[number], rest };
}

/** This package's manifest: the nearest package.json named apigw-kit above this file. */
function ownManifest(): { peerDependencies?: Record<string, string> } {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; peerDependencies?: Record<string, string> };
      if (manifest.name === "apigw-kit") return manifest;
    }
    if (path.dirname(dir) === dir) return {};
  }
}

/**
 * The local cloud's packages (the package's optional peer dependencies) that cannot be found
 * from here, where the local cloud requires them.
 */
export function missingPeers(peers: string[] = Object.keys(ownManifest().peerDependencies ?? {}), from: string = __dirname): string[] {
  return peers.filter((name) => {
    try {
      require.resolve(`${name}/package.json`, { paths: [from] });
      return false;
    } catch (err) {
      // A package whose `exports` leaves out package.json is installed all the same.
      return (err as NodeJS.ErrnoException).code !== "ERR_PACKAGE_PATH_NOT_EXPORTED";
    }
  });
}

/**
 * Loads modules that need the local cloud's packages; when one is missing, writes which are
 * (some, like swagger-ui-dist, only improve a page and may be left out) and the one command
 * that installs them all, and resolves undefined.
 */
async function loadingPeers<T>(load: () => Promise<T>, stderr: Output): Promise<T | undefined> {
  try {
    return await load();
  } catch (err) {
    const missing = missingPeers();
    if ((err as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" || missing.length === 0) throw err;
    stderr.write(
      `error: the local cloud's packages are not installed: ${missing.join(", ")}\n` +
        `install them in your project with:\n  npm install --save-dev ${Object.keys(ownManifest().peerDependencies ?? {}).join(" ")}\n`,
    );
    return undefined;
  }
}

/**
 * Runs the command line; resolves with the exit code: 2 for a bad command line or project
 * (with the usage line), 1 when the local cloud cannot start, 0 after Ctrl-C.
 *
 * @param argv - The arguments after `apigw-kit`.
 * @param cwd - The project folder. @default the working directory
 */
export async function main(argv: string[], cwd: string = process.cwd(), stdout: Output = process.stdout, stderr: Output = process.stderr): Promise<number> {
  const parsed = readCommandLine(parseCommand, argv, { usage: USAGE }, stdout, stderr);
  if (typeof parsed === "number") return parsed;
  if ("help" in parsed) {
    stdout.write(`${HELP}\n`);
    return 0;
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major < MINIMUM_NODE_MAJOR) {
    stderr.write(`error: the local cloud needs Node.js ${MINIMUM_NODE_MAJOR} or later (this is ${process.version})\n`);
    return 1;
  }
  const loaded = await loadingPeers(() => Promise.all([import("./start"), import("../local/project/pulumiProject")]), stderr);
  if (!loaded) return 1;
  const [{ parseStartArgs, serveStack }, { ProjectError, readPulumiProject }] = loaded;
  const options = readCommandLine(parseStartArgs, parsed.rest, { usage: USAGE }, stdout, stderr);
  if (typeof options === "number") return options;
  let project;
  try {
    project = readPulumiProject(cwd);
  } catch (err) {
    if (!(err instanceof ProjectError)) throw err;
    stderr.write(`error: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  // The local cloud itself, loaded now so that a missing package is named before anything starts.
  if (!(await loadingPeers(() => import("../local/startLocal"), stderr))) return 1;
  if (project.typescript) {
    const { registerTypeScriptLoader } = await import("../local/project/typeScriptLoader");
    registerTypeScriptLoader(project.dir);
  }
  if (project.nodeargs !== undefined) {
    stdout.write(`note: runtime.options.nodeargs (${project.nodeargs}) is not applied: the local cloud runs the program in its own Node.js process\n`);
  }
  return serveStack(options, {
    projectDir: project.dir,
    program: project.program,
    stateHint: "`npx apigw-kit local --fresh` starts empty; the logs are the files in its logs/ folder",
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
