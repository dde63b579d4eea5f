/**
 * Writes a REST API of the stack's program as OpenAPI 3.0 JSON, as API Gateway's GetExport
 * (`exportType oas30`) would: the program is evaluated under the control plane, so no local
 * cloud needs to run.
 *
 *     npm run openapi -- --extensions apigateway --out api.json
 *
 * Exit codes: 0 with the document written, 1 when the program or its config fails (or names no
 * such API), 2 for a usage error.
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram } from "../local/controlPlane";
import { exportOpenApi, restApiToExport, type ExportExtensions } from "../local/openapi/exportOpenApi";
import { UsageError, readCommandLine, type Output, splitFlag } from "./localCloudFiles";

export { UsageError };

export const USAGE = "usage: npm run openapi -- [--stack S] [--api NAME] [--extensions apigateway|none] [--out FILE]";

const HELP = `${USAGE}

Evaluates the stack's program under the local control plane (no running local cloud needed)
and writes its REST API as OpenAPI 3.0 JSON, as API Gateway's GetExport (oas30) writes it.

Options:
  --stack STACK         the stack whose Pulumi.<stack>.yaml is loaded (default dev)
  --api NAME            the REST API to export, by name, when the program declares several
  --extensions KIND     apigateway: add the x-amazon-apigateway-* extensions (integrations,
                        validators, authorizers, ...); none (default): plain OpenAPI
  --out FILE            write to FILE instead of stdout
  -h, --help            show this help`;

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

export interface OpenApiOptions {
  help: boolean;
  stack: string;
  api?: string;
  extensions: ExportExtensions;
  out?: string;
}

/** Parses the arguments after the script name; `--flag value` and `--flag=value` both work. */
export function parseOpenApiArgs(argv: readonly string[]): OpenApiOptions {
  const options: OpenApiOptions = { help: false, stack: "dev", extensions: "none" };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const { name, inline } = splitFlag(arg);
    const value = (): string => {
      if (seen.has(name)) throw new UsageError(`${name} may be given once`);
      seen.add(name);
      const given = inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith("-") ? argv[++i] : undefined);
      if (given === undefined || given === "") throw new UsageError(`${name} needs a value`);
      return given;
    };
    if (name === "--help" || name === "-h") {
      options.help = true;
      return options;
    } else if (name === "--stack") {
      const stack = value();
      if (!STACK_NAME.test(stack)) throw new UsageError(`--stack must be a stack name (letters, digits, _ . -; got ${JSON.stringify(stack)})`);
      options.stack = stack;
    } else if (name === "--api") {
      options.api = value();
    } else if (name === "--extensions") {
      const kind = value();
      if (kind !== "apigateway" && kind !== "none") throw new UsageError(`--extensions must be apigateway or none (got ${JSON.stringify(kind)})`);
      options.extensions = kind;
    } else if (name === "--out") {
      options.out = value();
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown flag ${name}`);
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(
  argv: readonly string[],
  stdout: Output = process.stdout,
  stderr: Output = process.stderr,
  env: { projectDir?: string } = {},
): Promise<number> {
  const options = readCommandLine(parseOpenApiArgs, argv, { usage: USAGE, help: HELP }, stdout, stderr);
  if (typeof options === "number") return options;
  let json: string;
  try {
    const run = await runProgram({ stack: options.stack, projectDir: env.projectDir });
    json = `${JSON.stringify(exportOpenApi(run.graph, restApiToExport(run.graph, options.api), options.extensions), null, 2)}\n`;
  } catch (err) {
    // A program, its config or the API choice failed: the message says which.
    stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
  if (options.out === undefined) {
    stdout.write(json);
  } else {
    try {
      fs.writeFileSync(path.resolve(options.out), json);
    } catch (err) {
      stderr.write(`error: cannot write ${options.out}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) {
  // exitCode rather than process.exit() so buffered stdout is flushed when piped; the program's
  // Pulumi runtime may hold the event loop, so exit once the output is flushed.
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
