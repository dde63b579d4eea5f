/**
 * The customers API from the command line: onboard, list, meter, move, rotate, disable, enable
 * and remove customers of the running local cloud (or, with `--url` and `--token`, of a
 * deployed stack):
 *
 *     npm run customers -- add hooli --tier premium
 *     npm run customers -- list
 *     npm run customers -- usage hooli --json
 *     npm run customers -- tier hooli basic
 *     npm run customers -- rotate hooli
 *     npm run customers -- remove hooli --url https://abc.execute-api.us-east-1.amazonaws.com/prod --token "$ID_TOKEN"
 *
 * Locally the API's URL comes from `.local/<stack>/outputs.json` (or `--state-dir`), and an
 * admin is signed in through the local Cognito (created in the admins group) unless `--token`
 * is given. Exit codes: 0, 1 with the API's message when it refuses or fails, 2 for a usage error.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { customerIdProblem } from "../functions/customerTags";
import { parseIsoDate } from "../functions/quotaPeriods";
import { formatAnswer, PROPAGATION_NOTE } from "./customerTables";
import { UsageError, readCommandLine, stateDirOf, type Output, splitFlag } from "./localCloudFiles";
import { readLocalCognito, signInLocalUser } from "./user";

export { UsageError };

export const USAGE =
  "usage: npm run customers -- add <id> --tier <tier> | list | usage <id> [--start <yyyy-MM-dd>] [--end <yyyy-MM-dd>] | tier <id> <tier> | rotate <id> | disable <id> | enable <id> | remove <id> " +
  "[--stack <stack> | --state-dir <dir> | --url <apiUrl>] [--token <idToken>] [--json]";

const HELP = `${USAGE}

Manages the customers of the REST API through its customers API (admins only):
  add ID --tier T       onboard ID into tier T: prints its API key, once
  list                  every customer: tier, key state, deploy-time or onboarded
  usage ID              used and remaining quota per day (default: the current quota period)
  tier ID T             move ID to tier T
  rotate ID             a new key for ID (printed once); the old one stops at once
  disable ID / enable ID  switch ID's key off / on
  remove ID             detach and delete ID's key

Where:
  --stack STACK         the local cloud's stack (default dev): its API URL is read from
                        .local/<stack>/outputs.json and an admin is signed in through its Cognito
  --state-dir DIR       the state folder npm start was given (default .local/<stack>)
  --url URL             a deployed stack's API URL (with its stage), with --token
  --token TOKEN         an ID token of a user in the admins group (default, locally: one is made)
  --json                print the API's JSON instead of a table
  -h, --help            show this help

On AWS a new or changed key takes effect after a short propagation delay, and usage data lags
behind the requests; the local cloud applies both at once.`;

/** What each command takes after its name. */
const COMMANDS = {
  add: ["id"],
  list: [],
  usage: ["id"],
  tier: ["id", "tier"],
  rotate: ["id"],
  disable: ["id"],
  enable: ["id"],
  remove: ["id"],
} as const;

/** A command of the CLI. */
export type CustomersCommand = keyof typeof COMMANDS;

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

export interface CustomersCliOptions {
  help: boolean;
  command?: CustomersCommand;
  /** The customer (every command but list). */
  id?: string;
  /** add's `--tier`, tier's second argument. */
  tier?: string;
  /** usage's `--start`. @default the first day of the current quota period */
  startDate?: string;
  /** usage's `--end`. @default today (UTC) */
  endDate?: string;
  /** @default "dev" */
  stack: string;
  /** @default none: `.local/<stack>` */
  stateDir?: string;
  /** A deployed stack's API URL. @default none: the local cloud's */
  url?: string;
  /** @default none: locally, an admin signed in through the local Cognito */
  token?: string;
  /** @default false */
  json: boolean;
}

/** Parses the arguments after the script name; `--flag value` and `--flag=value` both work. */
export function parseCustomersArgs(argv: readonly string[]): CustomersCliOptions {
  const options: CustomersCliOptions = { help: false, stack: "dev", json: false };
  const positional: string[] = [];
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const { name, inline } = splitFlag(arg);
    const value = (): string => {
      if (given.has(name)) throw new UsageError(`${name} may be given once`);
      given.add(name);
      const found = inline ?? argv[++i];
      if (found === undefined || found === "" || (inline === undefined && found.startsWith("-"))) throw new UsageError(`${name} needs a value`);
      return found;
    };
    if (name === "--help" || name === "-h") return { ...options, help: true };
    else if (name === "--json") options.json = true;
    else if (name === "--tier") options.tier = value();
    else if (name === "--start") options.startDate = dateFlag(name, value());
    else if (name === "--end") options.endDate = dateFlag(name, value());
    else if (name === "--stack") options.stack = stackFlag(value());
    else if (name === "--state-dir") options.stateDir = value();
    else if (name === "--url") options.url = urlFlag(value());
    else if (name === "--token") options.token = value();
    else if (arg.startsWith("-")) throw new UsageError(`unknown flag ${name}`);
    else positional.push(arg);
  }
  return withCommand(options, positional, given);
}

/** The command and its arguments, checked against what it takes and the flags it allows. */
function withCommand(options: CustomersCliOptions, positional: string[], given: Set<string>): CustomersCliOptions {
  const [command, ...args] = positional;
  if (command === undefined) throw new UsageError(`a command is required (${Object.keys(COMMANDS).join(", ")})`);
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: ${Object.keys(COMMANDS).join(", ")})`);
  const takes: readonly string[] = COMMANDS[command as CustomersCommand];
  if (args.length !== takes.length) throw new UsageError(`${command} takes ${takes.length === 0 ? "no arguments" : takes.map((a) => `<${a}>`).join(" ")} (got ${args.length === 0 ? "none" : args.map((a) => JSON.stringify(a)).join(" ")})`);
  const result: CustomersCliOptions = { ...options, command: command as CustomersCommand };
  if (takes.includes("id")) {
    const problem = customerIdProblem(args[0]);
    if (problem !== undefined) throw new UsageError(problem);
    result.id = args[0];
  }
  if (command === "tier") result.tier = args[1];
  if (command === "add" && options.tier === undefined) throw new UsageError("add needs --tier <tier>");
  if (command !== "add" && given.has("--tier")) throw new UsageError(`--tier is for add (tier takes the tier as its second argument)`);
  if (command !== "usage" && (given.has("--start") || given.has("--end"))) throw new UsageError("--start and --end are for usage");
  return checkedTarget(result, given);
}

/** Where the API is: the local cloud (`--stack` / `--state-dir`) or a URL with a token. */
function checkedTarget(options: CustomersCliOptions, given: Set<string>): CustomersCliOptions {
  if (options.url !== undefined) {
    if (given.has("--stack") || given.has("--state-dir")) throw new UsageError("--url names a deployed stack: leave out --stack and --state-dir");
    if (options.token === undefined) throw new UsageError("--url needs --token (an ID token of a user in the admins group)");
  }
  if (given.has("--stack") && given.has("--state-dir")) throw new UsageError("give --stack or --state-dir, not both");
  return options;
}

function dateFlag(name: string, value: string): string {
  if (parseIsoDate(value) === undefined) throw new UsageError(`${name} must be a date as yyyy-MM-dd (got ${JSON.stringify(value)})`);
  return value;
}

function stackFlag(value: string): string {
  if (!STACK_NAME.test(value)) throw new UsageError(`--stack must be a stack name (letters, digits, _ . -; got ${JSON.stringify(value)})`);
  return value;
}

function urlFlag(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url must be the API's URL, like https://abc123.execute-api.us-east-1.amazonaws.com/prod (got ${JSON.stringify(value)})`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError(`--url must be an http(s) URL (got ${JSON.stringify(value)})`);
  return value.replace(/\/+$/, "");
}

// ---------------------------------------------------------------------------------------------
// Running a command.

/** The local cloud or the API cannot do it (exit 1). */
export class CustomersCliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CustomersCliError";
  }
}

/** The request a command sends. */
export function requestOf(options: CustomersCliOptions): { method: string; path: string; body?: unknown } {
  const id = encodeURIComponent(options.id ?? "");
  switch (options.command) {
    case "add":
      return { method: "POST", path: "/customers", body: { id: options.id, tier: options.tier } };
    case "list":
      return { method: "GET", path: "/customers" };
    case "usage": {
      const query = new URLSearchParams({ ...(options.startDate ? { startDate: options.startDate } : {}), ...(options.endDate ? { endDate: options.endDate } : {}) }).toString();
      return { method: "GET", path: `/customers/${id}/usage${query ? `?${query}` : ""}` };
    }
    case "tier":
      return { method: "PUT", path: `/customers/${id}/tier`, body: { tier: options.tier } };
    case "remove":
      return { method: "DELETE", path: `/customers/${id}` };
    default:
      return { method: "POST", path: `/customers/${id}/${options.command}` };
  }
}

/** What main needs from outside: where it writes, how it fetches and signs in; tests give their own. */
export interface CustomersCliEnvironment {
  stdout?: Output;
  stderr?: Output;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Signs in a local admin and answers its ID token. @default through the local cloud's Cognito (bin/user.ts) */
  signIn?: (outputsFile: string) => Promise<string>;
  /** @default this project */
  projectDir?: string;
}

/** The local admin the CLI signs in (created in the admins group when missing). */
export const LOCAL_ADMIN_EMAIL = "customers-cli@apigw-kit.local";

/**
 * Runs the CLI; resolves with the exit code.
 *
 * @param argv - The arguments after the script name.
 * @param env - Where it writes, and how it fetches and signs in.
 */
export async function main(argv: readonly string[], env: CustomersCliEnvironment = {}): Promise<number> {
  const stdout = env.stdout ?? process.stdout;
  const stderr = env.stderr ?? process.stderr;
  const options = readCommandLine(parseCustomersArgs, argv, { usage: USAGE, help: HELP }, stdout, stderr);
  if (typeof options === "number") return options;
  try {
    const target = await targetOf(options, env);
    const answer = await send(env.fetch ?? fetch, target, requestOf(options));
    const { text, failed } = formatAnswer(options.command!, answer, options.json);
    stdout.write(text);
    if (["add", "enable", "disable", "tier", "rotate"].includes(options.command!)) stderr.write(`${PROPAGATION_NOTE}\n`);
    if (failed !== undefined) stderr.write(`error: ${failed}\n`);
    return failed === undefined ? 0 : 1;
  } catch (err) {
    if (!(err instanceof CustomersCliError)) throw err;
    stderr.write(`error: ${err.message}\n`);
    return 1;
  }
}

/** The API's URL and the token to call it with. */
async function targetOf(options: CustomersCliOptions, env: CustomersCliEnvironment): Promise<{ apiUrl: string; token: string }> {
  if (options.url !== undefined) return { apiUrl: options.url, token: options.token! };
  const outputsFile = path.join(stateDirOf(options.stack, options.stateDir, env.projectDir), "outputs.json");
  if (!fs.existsSync(outputsFile)) throw new CustomersCliError(`the local cloud of stack ${options.stack} is not running (no ${outputsFile}); start it: npm start -- --stack ${options.stack}`);
  const apiUrl = apiUrlOf(fs.readFileSync(outputsFile, "utf8"), outputsFile);
  try {
    return { apiUrl, token: options.token ?? (await (env.signIn ?? signInLocalAdmin)(outputsFile)) };
  } catch (err) {
    throw new CustomersCliError(`signing in a local admin failed: ${(err as Error).message}`);
  }
}

/** The `apiUrl` output of an outputs.json's text. */
export function apiUrlOf(outputsJson: string, outputsFile: string): string {
  let apiUrl: unknown;
  try {
    apiUrl = (JSON.parse(outputsJson) as { outputs?: { apiUrl?: unknown } } | null)?.outputs?.apiUrl;
  } catch {
    throw new CustomersCliError(`${outputsFile} is not JSON; restart the local cloud`);
  }
  if (typeof apiUrl !== "string" || apiUrl === "") throw new CustomersCliError(`${outputsFile} has no apiUrl output`);
  return apiUrl.replace(/\/+$/, "");
}

/** Signs {@link LOCAL_ADMIN_EMAIL} in through the local Cognito, with a fresh password each time. */
async function signInLocalAdmin(outputsFile: string): Promise<string> {
  // Upper, lower, digit and symbol: what the pool's password policy asks for.
  const password = `Aa1!${randomBytes(18).toString("base64url")}`;
  return signInLocalUser({ email: LOCAL_ADMIN_EMAIL, password, group: "admins", stack: "local" }, readLocalCognito(outputsFile));
}

/** The API's answer: its status and JSON body. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

async function send(fetchFn: typeof fetch, target: { apiUrl: string; token: string }, request: { method: string; path: string; body?: unknown }): Promise<ApiAnswer> {
  let response: Response;
  try {
    response = await fetchFn(`${target.apiUrl}${request.path}`, {
      method: request.method,
      headers: { Authorization: target.token, ...(request.body !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
    });
  } catch (err) {
    throw new CustomersCliError(`nothing answers at ${target.apiUrl} (${(err as Error).message})`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    body = { message: text };
  }
  if (!response.ok) throw new CustomersCliError(`${messageOf(body)} (HTTP ${response.status})`);
  return { status: response.status, body };
}

/** The API's message: `{"message"}` (the gateway's and the functions'), or `{"error"}` (a refused group). */
function messageOf(body: unknown): string {
  const fields = (typeof body === "object" && body !== null ? body : {}) as { message?: unknown; error?: unknown };
  return String(fields.message ?? fields.error ?? JSON.stringify(body));
}

if (require.main === module) {
  // exitCode rather than process.exit() so buffered stdout is flushed when piped.
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
