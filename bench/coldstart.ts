/**
 * Cold start (issue 10): for every function of the dev stack, its archive's size and its INIT
 * time, packaged three ways side by side in one run (bench/lambdaPackagings.ts): bundled (as
 * HandlerFunction builds it), unbundled (the closure beside its listed packages' files, as
 * before bundling), and CallbackFunction's default packaging (the closure beside every package
 * of `dependencies`). Goal: every bundled function's INIT at most a third of the same handler
 * with the default packaging.
 *
 * A fourth figure explains the floor: the INIT of a module that only requires the `@aws-sdk/*`
 * modules the function requires, from the runtime's folder. The bundle leaves the SDK out (the
 * runtime provides it), so no packaging of the function's own code loads faster than that.
 *
 *   npm run bench -- coldstart      (or npx ts-node --transpile-only bench/coldstart.ts)
 *
 * INIT is what Lambda does before the first invocation once the runtime is up: load the
 * handler module. A serialized closure's module runs the handler factory as it loads
 * (serializeFunction's `isFactoryFunction`), so SDK clients and verifiers are created then.
 * Each measurement is a fresh Node process (`process.execPath`: Node 24 under npm scripts)
 * that times `require` of the archive's `__index.js` with performance.now() and prints it; the
 * process's own start-up is not counted, as Lambda does not count the runtime's in INIT either.
 *
 * Each archive is unpacked in a folder outside the project (os.tmpdir()), so that only what it
 * holds resolves. The AWS SDK v3 resolves as the Lambda runtime provides it: a folder whose
 * node_modules/@aws-sdk/<package> are symlinks to the project's, passed as NODE_PATH (Lambda's
 * runtime does the same with /var/runtime/node_modules). The default packaging's package set
 * is the same for every function: it is written once and each function's folder links its
 * node_modules there (resolution follows the link; what resolves is exactly that set). The
 * child gets the function's environment, the variables Lambda sets that the handlers read
 * (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, ...) and NODE_PATH, nothing of this process's.
 *
 * COLDSTART_ROUNDS (default 10) rounds; in each, every function is loaded once per packaging,
 * the packagings one after the other, so machine noise lands on all three. Medians printed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { BUNDLE_FILE } from "../components/lambdaBundle";
import { PROJECT_ROOT, formatCount, markdownTable, median, passOrFail, runWhenMain } from "./benchSupport";
import { type DemoFunction, ZIP_END_RECORD, defaultPackageFiles, demoFunctions, unbundledArchive, zipEntriesBytes, zipEntryBytes } from "./lambdaPackagings";

const ROUNDS = Number(process.env.COLDSTART_ROUNDS ?? 10);
/** Goal: bundled INIT <= this fraction of the default packaging's. */
const GOAL_RATIO = 1 / 3;
const PACKAGINGS = ["bundled", "unbundled", "default"] as const;
type Packaging = (typeof PACKAGINGS)[number];

/** Run in the child: loads the module, timing only the require (the factory runs inside it). */
const LOAD_AND_TIME = `
const { performance } = require("node:perf_hooks");
const started = performance.now();
const loaded = require(process.argv[1]);
const initMs = performance.now() - started;
if (typeof loaded.handler !== "function") throw new Error("the module exports no handler function");
process.stdout.write(JSON.stringify({ initMs, node: process.version }));
`;

export interface ColdStartRow {
  name: string;
  zippedBytes: Record<Packaging, number>;
  /** Median INIT in ms. */
  initMs: Record<Packaging, number>;
  /** Median INIT of the function's `@aws-sdk/*` requires alone; undefined when it has none. */
  sdkOnlyInitMs?: number;
  /** Bundled INIT / default-packaging INIT. */
  ratio: number;
  pass: boolean;
}

export interface ColdStartResult {
  node: string;
  rounds: number;
  functions: ColdStartRow[];
  pass: boolean;
}

export async function benchColdStart(): Promise<ColdStartResult> {
  const started = performance.now();
  const functions = await demoFunctions("dev");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-coldstart-"));
  try {
    const runtimeNodePath = provideAwsSdk(path.join(root, "runtime"));
    const defaultSet = await writeDefaultPackageSet(path.join(root, "default-package-set"));
    const archives = new Map<string, Record<Packaging, { dir: string; zippedBytes: number }>>();
    for (const fn of functions) {
      archives.set(fn.name, {
        bundled: unpack(fn.bundled, path.join(root, "bundled", fn.name)),
        unbundled: unpack(await unbundledArchive(fn), path.join(root, "unbundled", fn.name)),
        default: defaultPackaged(fn, path.join(root, "default", fn.name), defaultSet),
      });
    }

    const sdkOnly = new Map(functions.map((fn) => [fn.name, sdkOnlyModule(fn, path.join(root, "sdk-only", fn.name))]));
    const sdkSamples = new Map<string, number[]>(functions.map((fn) => [fn.name, []]));
    const samples = new Map<string, Record<Packaging, number[]>>(functions.map((fn) => [fn.name, { bundled: [], unbundled: [], default: [] }]));
    let node = "";
    for (let round = 0; round < ROUNDS; round++) {
      for (const fn of functions) {
        for (const packaging of PACKAGINGS) {
          const measured = timeInit(fn, archives.get(fn.name)![packaging].dir, runtimeNodePath);
          samples.get(fn.name)![packaging].push(measured.initMs);
          node = measured.node;
        }
        const sdkDir = sdkOnly.get(fn.name);
        if (sdkDir) sdkSamples.get(fn.name)!.push(timeInit(fn, sdkDir, runtimeNodePath).initMs);
      }
    }

    const rows: ColdStartRow[] = functions.map((fn) => {
      const initMs = Object.fromEntries(PACKAGINGS.map((p) => [p, median(samples.get(fn.name)![p])])) as Record<Packaging, number>;
      const zippedBytes = Object.fromEntries(PACKAGINGS.map((p) => [p, archives.get(fn.name)![p].zippedBytes])) as Record<Packaging, number>;
      const ratio = initMs.bundled / initMs.default;
      const sdk = sdkSamples.get(fn.name)!;
      return { name: fn.name, zippedBytes, initMs, sdkOnlyInitMs: sdk.length > 0 ? median(sdk) : undefined, ratio, pass: ratio <= GOAL_RATIO };
    });
    rows.sort((a, b) => b.initMs.default - a.initMs.default);
    const result: ColdStartResult = { node, rounds: ROUNDS, functions: rows, pass: rows.every((r) => r.pass) };
    printTable(result, defaultSet, performance.now() - started);
    return result;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A NODE_PATH folder holding `@aws-sdk/*` as the Lambda runtime provides it: links to the project's packages. */
function provideAwsSdk(dir: string): string {
  const scope = path.join(dir, "node_modules", "@aws-sdk");
  fs.mkdirSync(scope, { recursive: true });
  const projectScope = path.join(PROJECT_ROOT, "node_modules", "@aws-sdk");
  for (const pkg of fs.readdirSync(projectScope)) fs.symlinkSync(path.join(projectScope, pkg), path.join(scope, pkg), "dir");
  return path.join(dir, "node_modules");
}

interface DefaultPackageSet {
  nodeModules: string;
  /** Its zip entries' bytes (without `__index.js` and the end record). */
  entriesBytes: number;
  files: number;
}

/** CallbackFunction's default package set, written once. */
async function writeDefaultPackageSet(dir: string): Promise<DefaultPackageSet> {
  let entriesBytes = 0;
  const files = await defaultPackageFiles();
  for (const [inArchive, source] of files) {
    const content = fs.readFileSync(source);
    entriesBytes += zipEntryBytes(inArchive, content);
    const to = path.join(dir, ...inArchive.split("/"));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, content);
  }
  return { nodeModules: path.join(dir, "node_modules"), entriesBytes, files: files.size };
}

function unpack(files: Map<string, Buffer>, dir: string): { dir: string; zippedBytes: number } {
  for (const [file, content] of files) {
    const to = path.join(dir, ...file.split("/"));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, content);
  }
  return { dir, zippedBytes: zipEntriesBytes(files) + ZIP_END_RECORD };
}

/** The closure as `__index.js`, beside a link to the default package set. */
function defaultPackaged(fn: DemoFunction, dir: string, set: DefaultPackageSet): { dir: string; zippedBytes: number } {
  const closure = Buffer.from(fn.closure, "utf8");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, BUNDLE_FILE), closure);
  fs.symlinkSync(set.nodeModules, path.join(dir, "node_modules"), "dir");
  return { dir, zippedBytes: set.entriesBytes + zipEntryBytes(BUNDLE_FILE, closure) + ZIP_END_RECORD };
}

/** A module requiring only the `@aws-sdk/*` modules the bundle requires; undefined when it requires none. */
function sdkOnlyModule(fn: DemoFunction, dir: string): string | undefined {
  const bundle = fn.bundled.get(BUNDLE_FILE)!.toString("utf8");
  const sdk = [...new Set([...bundle.matchAll(/\brequire\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]))];
  if (sdk.length === 0) return undefined;
  const source = [...sdk.map((specifier) => `require(${JSON.stringify(specifier)});`), "exports.handler = async () => undefined;"].join("\n");
  unpack(new Map([[BUNDLE_FILE, Buffer.from(source, "utf8")]]), dir);
  return dir;
}

/** One INIT in a fresh process, in the function's folder and environment. */
function timeInit(fn: DemoFunction, dir: string, runtimeNodePath: string): { initMs: number; node: string } {
  const child = spawnSync(process.execPath, ["-e", LOAD_AND_TIME, path.join(dir, BUNDLE_FILE)], {
    cwd: dir,
    encoding: "utf8",
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      NODE_PATH: runtimeNodePath,
      LAMBDA_TASK_ROOT: dir,
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      TZ: ":UTC",
      ...fn.environment,
    },
  });
  if (child.status !== 0) throw new Error(`${fn.name} (${dir}): INIT failed\n${child.stderr || child.error}`);
  return JSON.parse(child.stdout) as { initMs: number; node: string };
}

function printTable(result: ColdStartResult, defaultSet: DefaultPackageSet, elapsedMs: number): void {
  const ms = (value: number) => value.toFixed(1);
  const hostMajor = Number(process.versions.node.split(".")[0]);
  console.log(
    `\nCold start (dev stack): INIT of each function in a fresh ${result.node} process (require of __index.js, the factory included), ` +
      `median of ${result.rounds}; goal: bundled <= ${formatCount(GOAL_RATIO * 100)} % of CallbackFunction's default packaging`,
  );
  if (hostMajor !== 24) console.log(`NOTE: measured on Node ${process.versions.node}, not Node 24: run it through npm (npm run bench -- coldstart), which puts Node 24 first on PATH.`);
  console.log(markdownTable(
    ["function", "bundled bytes zipped", "bundled INIT ms", "unbundled bytes zipped", "unbundled INIT ms", "default bytes zipped", "default INIT ms", "bundled / default INIT", "goal", "@aws-sdk/* alone INIT ms"],
    result.functions.map((r) => [
      r.name,
      formatCount(r.zippedBytes.bundled),
      ms(r.initMs.bundled),
      formatCount(r.zippedBytes.unbundled),
      ms(r.initMs.unbundled),
      formatCount(r.zippedBytes.default),
      ms(r.initMs.default),
      r.ratio.toFixed(2),
      passOrFail(r.pass),
      r.sdkOnlyInitMs === undefined ? "none required" : ms(r.sdkOnlyInitMs),
    ]),
    [1, 2, 3, 4, 5, 6, 7, 9],
  ));
  console.log(
    `Default packaging: ${formatCount(defaultSet.files)} files of ${PROJECT_ROOT}'s dependencies, the same for every function. ` +
      `${result.functions.filter((r) => r.pass).length} of ${result.functions.length} functions meet the goal. Whole benchmark: ${formatCount(elapsedMs / 1000)} s.`,
  );
}

runWhenMain(module, benchColdStart);
