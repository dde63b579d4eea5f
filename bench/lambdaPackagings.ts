/**
 * The demo's Lambda functions, packaged three ways, for the archive-size and cold-start
 * benchmarks (bench/archives.ts, bench/coldstart.ts):
 * - bundled: the archive as the program builds it (HandlerFunction: one minified file, esbuild);
 * - unbundled: the serialized closure as `__index.js` beside the files of the packages it lists,
 *   which is what HandlerFunction shipped before it bundled (`computeCodePaths` including the
 *   listed packages, every other dependency and `aws-sdk` excluded);
 * - default: the closure beside what `aws.lambda.CallbackFunction` packages without
 *   `codePathOptions` (@pulumi/aws lambda/lambdaMixins.js): `computeCodePaths({
 *   extraExcludePackages: ["aws-sdk"] })`, package.json's `dependencies` walked transitively
 *   through the installed tree, without `aws-sdk` (v2) and the `@pulumi/*` deploy-time packages
 *   (@pulumi/pulumi runtime/closure/codePaths.js). That set depends on package.json and
 *   node_modules alone, so it is computed once and each function adds its own `__index.js`.
 *
 * The closures come from esbuild's input: the program runs under the local control plane
 * (Pulumi mocks) with esbuild's `build` watched, and each archive's `__index.js` is matched to
 * the build that produced it. The in-process bundle cache is emptied first, so every closure
 * passes through esbuild in this run.
 *
 * Zipped sizes are computed, not written: the size of a zip holding each file DEFLATEd by
 * Node's zlib at its default level (6), with the 30-byte local header and 46-byte central
 * directory entry per file and the 22-byte end record (PKWARE APPNOTE), exactly the zip the
 * archive spec builds. The Pulumi engine zips with Go's DEFLATE at its default level, so its
 * bytes differ slightly; the ratios do not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import type * as esbuild from "esbuild";
import { BUNDLE_FILE, forgetBundles } from "../components/lambdaBundle";
import { runProgram } from "../local/controlPlane";
import { archiveFiles } from "../tests/program/archiveFiles";
import { PROJECT_ROOT } from "./benchSupport";

const ZIP_LOCAL_HEADER = 30;
const ZIP_CENTRAL_ENTRY = 46;
export const ZIP_END_RECORD = 22;

/** One function of the program, with what each packaging of it needs. */
export interface DemoFunction {
  /** The function's logical name in the program. */
  name: string;
  runtime: string;
  /** Its environment variables, as the program sets them. */
  environment: Record<string, string>;
  /** The archive as the program builds it, file by file. */
  bundled: Map<string, Buffer>;
  /** The serialized closure esbuild was given. */
  closure: string;
  /** The packages esbuild bundled into it (HandlerFunction's `packages`). */
  packages: string[];
}

/** The program's functions, each with its bundled archive and the closure it was bundled from. */
export async function demoFunctions(stack = "dev"): Promise<DemoFunction[]> {
  const builds = watchEsbuild();
  // HandlerFunction finds package.json, and Pulumi names archive paths, from the working
  // directory, as `pulumi up` run in the project would.
  const workingDir = process.cwd();
  process.chdir(PROJECT_ROOT);
  try {
    forgetBundles();
    const run = await runProgram({ stack });
    const functions: DemoFunction[] = [];
    for (const fn of run.graph.ofType("aws:lambda/function:Function")) {
      const bundled = await archiveFiles(fn.inputs.code);
      const code = bundled.get(BUNDLE_FILE)?.toString("utf8");
      const build = code === undefined ? undefined : builds.get(code);
      if (!build) throw new Error(`${fn.name}: no esbuild build produced its ${BUNDLE_FILE}`);
      functions.push({
        name: fn.name,
        runtime: fn.inputs.runtime,
        environment: { ...(fn.inputs.environment?.variables ?? {}) },
        bundled,
        closure: build.closure,
        packages: build.packages,
      });
    }
    return functions;
  } finally {
    process.chdir(workingDir);
  }
}

/**
 * esbuild builds by the text of the `__index.js` they produced. components/lambdaBundle.ts
 * takes esbuild from the module cache each time the program is imported, so replacing the
 * cached module's exports reaches it.
 */
function watchEsbuild(): Map<string, { closure: string; packages: string[] }> {
  const builds = new Map<string, { closure: string; packages: string[] }>();
  const file = require.resolve("esbuild", { paths: [PROJECT_ROOT] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module cache entry of the esbuild the program resolves is patched below, so it is loaded by that resolved path
  const real = require(file) as typeof esbuild;
  const cached = require.cache[file]!;
  const original = (cached as { originalEsbuild?: typeof esbuild }).originalEsbuild ?? real;
  (cached as { originalEsbuild?: typeof esbuild }).originalEsbuild = original;
  cached.exports = {
    ...original,
    build: async (options: esbuild.BuildOptions) => {
      const result = await original.build(options);
      const output = result.outputFiles?.find((f) => path.basename(f.path) === BUNDLE_FILE);
      const closure = options.stdin?.contents;
      if (output && typeof closure === "string") {
        builds.set(output.text, { closure, packages: packagesIn(Object.keys(result.metafile?.inputs ?? {})) });
      }
      return result;
    },
  };
  return builds;
}

/** The top-level packages among esbuild's inputs (`node_modules/aws-jwt-verify/dist/...`). */
function packagesIn(inputs: string[]): string[] {
  const found = inputs.map((input) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input.split(path.sep).join("/"))?.[1]);
  return [...new Set(found.filter((p): p is string => p !== undefined))].sort();
}

/** The unbundled archive: the closure, and the listed packages' files by their path in the archive. */
export async function unbundledArchive(fn: DemoFunction): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>([[BUNDLE_FILE, Buffer.from(fn.closure, "utf8")]]);
  if (fn.packages.length === 0) return files;
  const dependencies = programDependencies().filter((dep) => !fn.packages.includes(dep));
  const codePaths = await inProject(() =>
    pulumi.runtime.computeCodePaths({ extraIncludePackages: fn.packages, extraExcludePackages: [...dependencies, "aws-sdk"] }),
  );
  for (const [at, source] of codePathFiles(codePaths)) files.set(at, fs.readFileSync(source));
  return files;
}

/**
 * CallbackFunction's default package set, without `__index.js`: each file's path in the archive
 * and where it is in the project.
 */
export async function defaultPackageFiles(): Promise<Map<string, string>> {
  return codePathFiles(await inProject(() => pulumi.runtime.computeCodePaths({ extraExcludePackages: ["aws-sdk"] })));
}

/** computeCodePaths' answer as files: folders (FileArchives) walked, symlinks to files followed. */
function codePathFiles(codePaths: Map<string, pulumi.asset.Asset | pulumi.asset.Archive>): Map<string, string> {
  const files = new Map<string, string>();
  for (const [codePath, entry] of codePaths) {
    const source = path.resolve(PROJECT_ROOT, codePath);
    const inArchive = codePath.split(path.sep).join("/");
    if (!(entry instanceof pulumi.asset.FileArchive)) {
      files.set(inArchive, source);
      continue;
    }
    for (const file of fs.readdirSync(source, { recursive: true }) as string[]) {
      const full = path.join(source, file);
      if (fs.statSync(full).isFile()) files.set(`${inArchive}/${file.split(path.sep).join("/")}`, full);
    }
  }
  return files;
}

/** computeCodePaths reads package.json from the working directory: run it in the project. */
async function inProject<T>(work: () => Promise<T>): Promise<T> {
  const workingDir = process.cwd();
  process.chdir(PROJECT_ROOT);
  try {
    return await work();
  } finally {
    process.chdir(workingDir);
  }
}

function programDependencies(): string[] {
  return Object.keys((JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { dependencies?: object }).dependencies ?? {});
}

/** What one DEFLATEd file adds to a zip: local header, name, data, and its central directory entry with the name again. */
export function zipEntryBytes(name: string, content: Buffer): number {
  const nameBytes = Buffer.byteLength(name, "utf8");
  return ZIP_LOCAL_HEADER + nameBytes + zlib.deflateRawSync(content).length + ZIP_CENTRAL_ENTRY + nameBytes;
}

/** The zip entries of some files, without the end record. */
export function zipEntriesBytes(files: Map<string, Buffer>): number {
  let total = 0;
  for (const [name, content] of files) total += zipEntryBytes(name, content);
  return total;
}

/** `node_modules/@scope/pkg/lib/x.js` -> `@scope/pkg`; undefined outside node_modules. */
export function topLevelPackageOf(file: string): string | undefined {
  return /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
}
