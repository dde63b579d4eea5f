import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** A stack's configuration as the Pulumi engine hands it to a program. */
export interface LoadedStackConfig {
  /** The project name from Pulumi.yaml. */
  project: string;
  /** The stack name (`dev`, `prod`, ...). */
  stack: string;
  /**
   * Every config value keyed `namespace:key`, as strings: structured values are JSON text,
   * exactly as `PULUMI_CONFIG` carries them to a program.
   */
  config: Record<string, string>;
  /** The keys whose values were declared `secure:` in the stack file. */
  secretKeys: string[];
  /** The file the stack config came from. */
  file: string;
}

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` from a project folder and converts the stack's
 * config to what `pulumi up` would give the program. Fails with a message naming the file when
 * either is missing or malformed, before anything runs.
 *
 * Values marked `secure:` are ciphertext that only the Pulumi CLI can decrypt; a local run cannot
 * read them, so they are refused with the key named (set them as plain values in a local-only
 * stack, or leave them to be generated).
 */
export function loadStackConfig(projectDir: string, stack: string): LoadedStackConfig {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new Error(`stack name "${stack}" may only contain letters, digits, '_', '.' and '-'`);
  }
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  const project = readYaml(projectFile) as { name?: unknown } | undefined;
  if (!project || typeof project.name !== "string") {
    throw new Error(`${projectFile}: missing the project "name"`);
  }
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs
      .readdirSync(projectDir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => !!s);
    throw new Error(`no stack "${stack}": ${file} does not exist (stacks here: ${known.join(", ") || "none"})`);
  }
  const doc = (readYaml(file) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
    // A key without a namespace belongs to the project, as the Pulumi CLI reads it.
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    if (isSecureValue(value)) {
      throw new Error(`${file}: ${key} is an encrypted 'secure:' value, which only the Pulumi CLI can decrypt`);
    }
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { project: project.name, stack, config, secretKeys, file };
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return yaml.load(text);
  } catch (err) {
    throw new Error(`${file} is not valid YAML: ${(err as Error).message}`);
  }
}

function isSecureValue(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value;
}
