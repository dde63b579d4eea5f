/**
 * Prints a fresh HMAC token for a client of the local cloud's TokenAuthorizer, read from
 * the `tokenClients` output that `npm start` wrote (secrets revealed) to
 * `.local/<stack>/outputs.json`:
 *
 *     npm run token -- --client mobile-app
 *     curl -H "Authorization: $(npm run -s token -- --client mobile-app)" http://127.0.0.1:PORT/dev/...
 *
 * Exit codes: 0 with the token on stdout (one line), 1 when the outputs or the client are
 * missing, 2 for a usage error.
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHmacToken } from "../functions/hmacToken";
import { UsageError, outputsFileOf, readCommandLine, type Output, splitFlag } from "./localCloudFiles";

export { UsageError };

export const USAGE = "usage: npm run token -- --client <id> [--stack <stack>]";

const HELP = `${USAGE}

Prints a token for the client, to send as the Authorization header: admitted until it is
300 s old minus the authorizer's result TTL (240 s with the default 60 s TTL). The clients and their secrets come from the tokenClients output the
local cloud wrote to .local/<stack>/outputs.json.

Options:
  --client ID      the client id (one of the TokenAuthorizer's clients)
  --stack STACK    the local cloud's stack (default dev)
  -h, --help       show this help`;

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
const PROJECT_ROOT = path.resolve(__dirname, "..");

/** A problem with what the command line asks for (exit 1). */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenError";
  }
}

export interface TokenOptions {
  help: boolean;
  client?: string;
  stack: string;
}

/** Parses the arguments after the script name; `--flag value` and `--flag=value` both work. */
export function parseTokenArgs(argv: readonly string[]): TokenOptions {
  const options: TokenOptions = { help: false, stack: "dev" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const { name, inline } = splitFlag(arg);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("-")) throw new UsageError(`${name} needs a value`);
      i++;
      return next;
    };
    if (name === "--help" || name === "-h") {
      options.help = true;
      return options;
    } else if (name === "--client") {
      if (options.client !== undefined) throw new UsageError("--client may be given once");
      options.client = value();
      if (options.client === "") throw new UsageError("--client needs a value");
    } else if (name === "--stack") {
      const stack = value();
      if (!STACK_NAME.test(stack)) throw new UsageError(`--stack must be a stack name (letters, digits, _ . -; got ${JSON.stringify(stack)})`);
      options.stack = stack;
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown flag ${name}`);
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  if (options.client === undefined) throw new UsageError("--client is required");
  return options;
}

/** Where `npm start -- --stack <stack>` writes its outputs. */
export { outputsFileOf };

/**
 * The `tokenClients` output (client id -> secret) of an outputs.json's text.
 * @throws TokenError when there is none, naming the stack.
 */
export function tokenClientsOf(outputsJson: string, stack: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(outputsJson);
  } catch {
    throw new TokenError(`.local/${stack}/outputs.json is not JSON; restart the local cloud: npm start -- --stack ${stack}`);
  }
  const clients = (parsed as { outputs?: { tokenClients?: unknown } } | null)?.outputs?.tokenClients;
  if (typeof clients !== "object" || clients === null || Array.isArray(clients) || !Object.values(clients).every((s) => typeof s === "string")) {
    throw new TokenError(`stack ${stack} has no tokenClients output (client id -> secret); export a TokenAuthorizer's tokenClients from index.ts`);
  }
  return clients as Record<string, string>;
}

/**
 * The token for `client`, from the clients' secrets.
 * @throws TokenError for an unknown client, listing the known ones.
 */
export function formatToken(clients: Record<string, string>, client: string, nowSeconds?: number): string {
  if (!Object.hasOwn(clients, client)) {
    const known = Object.keys(clients).sort();
    throw new TokenError(`unknown client ${JSON.stringify(client)}; known clients: ${known.length > 0 ? known.join(", ") : "none"}`);
  }
  return createHmacToken(client, clients[client], nowSeconds);
}

/** Minimal writable sink, so tests can capture output without a child process. */
/** Runs the CLI; returns the exit code. */
export function main(
  argv: readonly string[],
  stdout: Output = process.stdout,
  stderr: Output = process.stderr,
  env: { projectDir?: string; nowSeconds?: number } = {},
): number {
  const options = readCommandLine(parseTokenArgs, argv, { usage: USAGE, help: HELP }, stdout, stderr);
  if (typeof options === "number") return options;
  try {
    const file = outputsFileOf(options.stack, env.projectDir);
    if (!fs.existsSync(file)) {
      throw new TokenError(`no ${path.relative(env.projectDir ?? PROJECT_ROOT, file)}: start the local cloud first: npm start -- --stack ${options.stack}`);
    }
    const clients = tokenClientsOf(fs.readFileSync(file, "utf8"), options.stack);
    stdout.write(`${formatToken(clients, options.client!, env.nowSeconds)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    stderr.write(`error: ${err.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // exitCode rather than process.exit() so buffered stdout is flushed when piped.
  process.exitCode = main(process.argv.slice(2));
}
