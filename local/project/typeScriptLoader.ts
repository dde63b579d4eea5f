/**
 * Lets `require` load a user's TypeScript program when the local cloud runs from the
 * published package (plain JavaScript, no ts-node): each `.ts` module is compiled by esbuild,
 * already a dependency of the package, so a project needs neither ts-node nor typescript.
 *
 * Pulumi's own Node.js host compiles with ts-node, which type-checks; this hook only
 * transpiles (one file at a time, as `ts-node --transpile-only` and `isolatedModules` do):
 * type errors do not stop the local cloud, `tsc --noEmit` finds them. The project's
 * tsconfig.json is handed to esbuild as it is (esbuild reads the options that change the
 * emitted JavaScript, such as experimentalDecorators; an `extends` is not followed).
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";

/** The CommonJS loader's per-extension compilers (`require.extensions`, not in the types). */
type ExtensionCompiler = (module: NodeJS.Module & { _compile(code: string, filename: string): void }, filename: string) => void;

/** The extensions compiled: CommonJS TypeScript (`.mts` is an ES module and is left to Node). */
const TYPESCRIPT_EXTENSIONS = [".ts", ".cts", ".tsx"];

/** ts-node's marker on `process` once it is registered (the repository's own commands run under it). */
const TS_NODE_INSTANCE = Symbol.for("ts-node.register.instance");

/**
 * Registers the hook, unless ts-node is already compiling TypeScript in this process (then
 * nothing changes). Returns whether it registered.
 *
 * @param projectDir - The project folder, whose tsconfig.json (if any) esbuild is given.
 */
export function registerTypeScriptLoader(projectDir: string): boolean {
  if ((process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE]) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a TypeScript program is served from the package
  const esbuild = require("esbuild") as typeof import("esbuild");
  const tsconfigFile = path.join(projectDir, "tsconfig.json");
  const tsconfigRaw = fs.existsSync(tsconfigFile) ? fs.readFileSync(tsconfigFile, "utf8") : undefined;
  const target = `node${process.versions.node.split(".")[0]}`;
  const extensions = (Module as unknown as { _extensions: Record<string, ExtensionCompiler> })._extensions;
  const compile: ExtensionCompiler = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const { code } = esbuild.transformSync(source, {
      loader: filename.endsWith(".tsx") ? "tsx" : "ts",
      format: "cjs",
      target,
      sourcefile: filename,
      ...(tsconfigRaw === undefined ? {} : { tsconfigRaw }),
    });
    module._compile(code, filename);
  };
  for (const extension of TYPESCRIPT_EXTENSIONS) extensions[extension] = compile;
  return true;
}
