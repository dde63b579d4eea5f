/**
 * Bundles a serialized Lambda handler into one minified CommonJS file with esbuild, as CDK's
 * NodejsFunction and SST do: the closure and the packages it lists, without what the Lambda
 * Node.js runtime provides (the AWS SDK for JavaScript v3 and Node's builtins). One file
 * loads faster at cold start than a closure requiring a tree of package files, and a bare
 * import the archive could not satisfy is found here, at deploy time, rather than as
 * `Runtime.ImportModuleError` on the first invocation.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { type LambdaRuntime, nodeMajorOf } from "./lambdaRuntime";

/** The archive's module, named as CallbackFunction names it (`__index.handler`). */
export const BUNDLE_FILE = "__index.js";
/**
 * Beside the bundle: the licence notices of what it holds. esbuild's `legalComments: "linked"`
 * moves the sources' legal comments (`/*!`, `@license`, `@preserve`) here, and the licence
 * files of every bundled package are added: Apache-2.0 and MIT ask that their text travel with
 * each copy, and a minified bundle keeps none of it. A text file costs nothing at cold start.
 */
const LEGAL_FILE = `${BUNDLE_FILE}.LEGAL.txt`;

export interface BundleRequest {
  /** The serialized closure (`pulumi.runtime.serializeFunction(...).text`). */
  closure: string;
  /** Packages the closure may import, bundled with everything they import but `@aws-sdk/*`. */
  packages: string[];
  /** The runtime the bundle targets: its Node.js major is esbuild's `target`. */
  runtime: LambdaRuntime;
  /** Where bare imports resolve from: the program's folder (see {@link programDir}). */
  resolveDir: string;
}

export interface HandlerBundle {
  /** The archive's files: {@link BUNDLE_FILE}, and {@link LEGAL_FILE} when there are notices. */
  files: Record<string, string>;
  /**
   * Packages the closure imports that are neither in `packages` nor provided by the runtime.
   * They are left as `require` calls, which would fail on Lambda: the caller refuses them.
   */
  unlisted: string[];
}

/**
 * Bundles are kept by everything that decides them (closure, packages, target, folder): the test
 * suite runs the same program many times in one process, and each run serializes the same
 * closures again. The map lives on `globalThis`, not in this module: a run under the mocks
 * re-imports the program's own modules (this one included) to evaluate it afresh.
 */
const bundles: Map<string, Promise<HandlerBundle>> = ((globalThis as Record<symbol, unknown>)[Symbol.for("apigw-kit.lambdaBundles")] ??= new Map()) as Map<
  string,
  Promise<HandlerBundle>
>;

/** The closure bundled into one file; cached in-process by the request. */
export function bundleHandler(request: BundleRequest): Promise<HandlerBundle> {
  const packages = [...new Set(request.packages)].sort();
  const key = createHash("sha256").update(JSON.stringify([request.resolveDir, request.runtime, packages, request.closure])).digest("hex");
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = build({ ...request, packages });
    bundles.set(key, bundle);
    // A failure may be the machine's (esbuild's service killed): let the next request retry.
    bundle.catch(() => bundles.delete(key));
  }
  return bundle;
}

/** Empties the in-process bundle cache: the next request of each closure bundles it again. */
export function forgetBundles(): void {
  bundles.clear();
}

/**
 * The folder holding the program's package.json, found from the working directory up (as
 * Pulumi finds it, and as `pulumi up` runs in the project); the working directory if none.
 */
export function programDir(cwd = process.cwd()): string {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
}

async function build(request: BundleRequest): Promise<HandlerBundle> {
  const unlisted = new Set<string>();
  const result = await esbuild.build({
    stdin: { contents: request.closure, resolveDir: request.resolveDir, sourcefile: BUNDLE_FILE, loader: "js" },
    // Output paths only name the files; nothing is written.
    outfile: path.join(request.resolveDir, BUNDLE_FILE),
    absWorkingDir: request.resolveDir,
    write: false,
    bundle: true,
    platform: "node",
    target: `node${nodeMajorOf(request.runtime)}`,
    format: "cjs",
    minify: true,
    // Minifying renames classes and functions; handlers log errors by their class name
    // (functions/cognitoAuth.ts: aws-jwt-verify's errors are all named "Error"), so names stay.
    keepNames: true,
    legalComments: "linked",
    metafile: true,
    logLevel: "silent",
    plugins: [importsOnlyListedPackages(request.packages, unlisted)],
  });
  const files: Record<string, string> = {};
  for (const output of result.outputFiles) files[path.basename(output.path)] = output.text;
  const licences = bundledPackageLicences(Object.keys(result.metafile.inputs), request.resolveDir);
  if (licences) files[LEGAL_FILE] = files[LEGAL_FILE] ? `${files[LEGAL_FILE]}\n${licences}` : licences;
  return { files, unlisted: [...unlisted].sort() };
}

/**
 * Leaves what the Lambda runtime provides out of the bundle (`@aws-sdk/*`, Node's builtins),
 * lets the closure import only the listed packages (recording any other), and bundles whatever
 * a listed package imports.
 */
function importsOnlyListedPackages(packages: string[], unlisted: Set<string>): esbuild.Plugin {
  return {
    name: "imports-only-listed-packages",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        if (isNodeBuiltin(args.path)) return { path: args.path, external: true };
        const pkg = packageOf(args.path);
        if (pkg.startsWith("@aws-sdk/")) return { path: args.path, external: true };
        // Inside a listed package, everything it needs is bundled.
        if (args.importer.split(path.sep).includes("node_modules")) return undefined;
        if (packages.includes(pkg)) return undefined;
        unlisted.add(pkg);
        return { path: args.path, external: true };
      });
    },
  };
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || builtinModules.includes(specifier);
}

/** `@scope/pkg/lib/x.js` -> `@scope/pkg`; `pkg/sub` -> `pkg`. */
function packageOf(specifier: string): string {
  return specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
}

/**
 * The licence and notice files of every package esbuild read (its metafile's inputs, relative
 * to `workingDir`), each under its name, version and licence; undefined when none was bundled.
 */
function bundledPackageLicences(inputs: string[], workingDir: string): string | undefined {
  const packageDirs = new Set<string>();
  for (const input of inputs) {
    // The deepest package folder: a package's own node_modules holds packages of their own.
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.split(path.sep).join("/"));
    if (match) packageDirs.add(path.resolve(workingDir, match[1]));
  }
  if (packageDirs.size === 0) return undefined;
  const sections = [...packageDirs].sort().map((dir) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string; version?: string; license?: unknown };
    const texts = fs
      .readdirSync(dir)
      .filter((file) => /^(licen[cs]e|notice|copying)(\.|-|$)/i.test(file))
      .sort()
      .map((file) => fs.readFileSync(path.join(dir, file), "utf8").trim());
    const licence = typeof manifest.license === "string" ? manifest.license : "licence not declared";
    return [`${manifest.name}@${manifest.version} (${licence})`, ...(texts.length > 0 ? texts : ["(the package ships no licence file)"])].join("\n\n");
  });
  return `Third-party packages bundled into ${BUNDLE_FILE}:\n\n${sections.join(`\n\n${"-".repeat(72)}\n\n`)}\n`;
}
