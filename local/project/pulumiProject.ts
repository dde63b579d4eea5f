/**
 * A user's Pulumi project as `npx apigw-kit local` reads it: the project file `Pulumi.yaml`
 * (name, runtime and its options, main) and the program module it names, resolved as Pulumi's
 * Node.js language host loads it.
 *
 * Pulumi's project file reference, https://www.pulumi.com/docs/iac/concepts/projects/project-file/:
 * `name` and `runtime` are required; `runtime` is a name (`nodejs`) or `{ name, options }`,
 * with the Node.js options `typescript` (default true), `nodeargs` and `packagemanager`;
 * `main` is the path of the program relative to Pulumi.yaml, the project folder by default,
 * and may be a folder. A Node.js program is loaded as a Node module
 * (https://www.pulumi.com/docs/iac/languages-sdks/javascript/, "Entrypoint"): a folder by its
 * package.json `main`, else its `index` file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** What the local cloud takes from a project's Pulumi.yaml. */
export interface PulumiProject {
  /** The project folder (the one holding Pulumi.yaml), absolute. */
  dir: string;
  /** The project's `name`: the namespace of its config keys. */
  name: string;
  /** `runtime.options.typescript`: whether `.ts` modules are compiled. @default true */
  typescript: boolean;
  /**
   * `runtime.options.nodeargs` as written: arguments `pulumi up` gives node. The local cloud
   * runs the program in its own process and does not apply them. @default none
   */
  nodeargs?: string;
  /** `runtime.options.packagemanager` as written (the local cloud installs nothing). @default none */
  packagemanager?: string;
  /** The program's entry module, absolute. */
  program: string;
}

/** Pulumi.yaml is missing, malformed, or names something the local cloud cannot run. */
export class ProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProjectError";
  }
}

/** Project names Pulumi accepts (the project file reference's `name`). */
const PROJECT_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Reads `<dir>/Pulumi.yaml` and finds the program it names. Fails with a ProjectError naming
 * the file and the field before anything runs.
 *
 * @param dir - The project folder.
 */
export function readPulumiProject(dir: string): PulumiProject {
  const projectDir = path.resolve(dir);
  const file = path.join(projectDir, "Pulumi.yaml");
  const doc = readProjectFile(file);
  const name = doc.name;
  if (typeof name !== "string" || name === "") throw new ProjectError(`${file}: missing the project "name"`);
  if (!PROJECT_NAME.test(name)) {
    throw new ProjectError(`${file}: name "${name}" may only contain letters, digits, '_', '.' and '-'`);
  }
  const runtime = readRuntime(file, doc.runtime);
  if (doc.stackConfigDir !== undefined) {
    throw new ProjectError(`${file}: stackConfigDir is not supported by the local cloud (it reads Pulumi.<stack>.yaml beside Pulumi.yaml)`);
  }
  const program = resolveProgram(file, projectDir, doc.main, runtime.typescript);
  return { dir: projectDir, name, ...runtime, program };
}

/** The project file as a record; a missing, unreadable or non-mapping file is refused. */
function readProjectFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) {
    const yml = path.join(path.dirname(file), "Pulumi.yml");
    if (fs.existsSync(yml)) throw new ProjectError(`${yml}: the local cloud reads Pulumi.yaml; rename Pulumi.yml to Pulumi.yaml`);
    throw new ProjectError(`no Pulumi.yaml in ${path.dirname(file)}: run the command in your Pulumi project's folder (the one holding Pulumi.yaml)`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ProjectError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new ProjectError(`${file}: expected a mapping with "name" and "runtime"`);
  return doc as Record<string, unknown>;
}

/** `runtime: nodejs` or `runtime: { name: nodejs, options: {...} }`; any other runtime is refused. */
function readRuntime(file: string, runtime: unknown): Pick<PulumiProject, "typescript" | "nodeargs" | "packagemanager"> {
  if (runtime === undefined || runtime === null) throw new ProjectError(`${file}: missing the "runtime" (nodejs)`);
  const record = typeof runtime === "object" && !Array.isArray(runtime) ? (runtime as Record<string, unknown>) : undefined;
  const name = record ? record.name : runtime;
  if (typeof name !== "string") throw new ProjectError(`${file}: runtime must be a name or { name, options } (got ${JSON.stringify(runtime)})`);
  if (name !== "nodejs") {
    throw new ProjectError(`${file}: runtime "${name}" is not supported: the local cloud runs Node.js programs (runtime: nodejs)`);
  }
  const options = record?.options ?? {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ProjectError(`${file}: runtime.options must be a mapping (got ${JSON.stringify(options)})`);
  }
  const { typescript = true, nodeargs, packagemanager } = options as Record<string, unknown>;
  if (typeof typescript !== "boolean") throw new ProjectError(`${file}: runtime.options.typescript must be true or false (got ${JSON.stringify(typescript)})`);
  for (const [field, value] of [["nodeargs", nodeargs], ["packagemanager", packagemanager]] as const) {
    if (value !== undefined && typeof value !== "string") throw new ProjectError(`${file}: runtime.options.${field} must be a string (got ${JSON.stringify(value)})`);
  }
  return {
    typescript,
    ...(nodeargs !== undefined ? { nodeargs: nodeargs as string } : {}),
    ...(packagemanager !== undefined ? { packagemanager: packagemanager as string } : {}),
  };
}

/**
 * The program module `main` names, found as Node's `require` finds a module: a file as it
 * is; a folder by its package.json `main` (tried as a file, with an extension, then as a
 * folder's index), else its `index` with an extension. Extensions are tried in Node's order,
 * `.js` before `.ts` (a compiled index.js beside index.ts wins, as under `pulumi up`).
 */
function resolveProgram(file: string, projectDir: string, main: unknown, typescript: boolean): string {
  if (main !== undefined && (typeof main !== "string" || main === "")) throw new ProjectError(`${file}: main must be a path (got ${JSON.stringify(main)})`);
  const target = path.resolve(projectDir, main ?? ".");
  if (!fs.existsSync(target)) throw new ProjectError(`${file}: main "${main}" does not exist (${target})`);
  const extensions = typescript ? [".js", ".ts"] : [".js"];
  if (fs.statSync(target).isFile()) {
    if (!typescript && /\.[cm]?tsx?$/.test(target)) {
      throw new ProjectError(`${file}: main "${main}" is TypeScript but runtime.options.typescript is false`);
    }
    return target;
  }
  const packageMain = readPackageMain(target);
  const candidates = [
    ...(packageMain === undefined ? [] : moduleCandidates(path.resolve(target, packageMain), extensions)),
    ...extensions.map((ext) => path.join(target, `index${ext}`)),
  ];
  const found = candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
  if (!found) {
    const where = main === undefined ? "the project folder" : `main "${main}"`;
    const packageText = packageMain === undefined ? "no package.json main" : `package.json main "${packageMain}" does not exist`;
    throw new ProjectError(`${file}: no program in ${where} (${target}): ${packageText}, and no ${extensions.map((ext) => `index${ext}`).join(" or ")}`);
  }
  return found;
}

/** The files Node tries for a module path: as is, with each extension, as a folder's index. */
function moduleCandidates(base: string, extensions: string[]): string[] {
  return [base, ...extensions.map((ext) => base + ext), ...extensions.map((ext) => path.join(base, `index${ext}`))];
}

/** A folder's package.json `main`, when it has one. */
function readPackageMain(folder: string): string | undefined {
  const manifest = path.join(folder, "package.json");
  if (!fs.existsSync(manifest)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(manifest, "utf8"));
  } catch (err) {
    throw new ProjectError(`${manifest} is not valid JSON: ${(err as Error).message}`);
  }
  const main = (parsed as { main?: unknown } | null)?.main;
  return typeof main === "string" && main !== "" ? main : undefined;
}
