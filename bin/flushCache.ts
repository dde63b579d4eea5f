/**
 * Empties the stage cache of the local cloud's REST API (FlushStageCache), through the
 * local API Gateway management endpoint that `npm start` wrote to `.local/<stack>/outputs.json`
 * (`endpoints.apiGateway`, and the API as `restApi: { id, stage }`):
 *
 *     npm run flush-cache
 *     npm run flush-cache -- --stack prod
 *
 * Exit codes: 0 when flushed, 1 when the local cloud is not running (or has no REST API),
 * 2 for a usage error.
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { APIGatewayClient, FlushStageCacheCommand } from "@aws-sdk/client-api-gateway";
import { LOCAL_CREDENTIALS } from "../local/emulators";
import { UsageError, outputsFileOf, readCommandLine, type Output, splitFlag } from "./localCloudFiles";

export { UsageError };

export const USAGE = "usage: npm run flush-cache -- [--stack <stack>]";

const HELP = `${USAGE}

Empties the stage cache of the local cloud's REST API, as FlushStageCache does in AWS:
every cached response is dropped, and the next request of each goes to the integration.
The API and the local API Gateway endpoint come from .local/<stack>/outputs.json.

Options:
  --stack STACK    the local cloud's stack (default dev)
  -h, --help       show this help`;

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
const PROJECT_ROOT = path.resolve(__dirname, "..");


/** The local cloud cannot do it (exit 1). */
export class FlushError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlushError";
  }
}

export interface FlushCacheOptions {
  help: boolean;
  stack: string;
}

/** Parses the arguments after the script name; `--flag value` and `--flag=value` both work. */
export function parseFlushCacheArgs(argv: readonly string[]): FlushCacheOptions {
  const options: FlushCacheOptions = { help: false, stack: "dev" };
  let stackGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const { name, inline } = splitFlag(arg);
    if (name === "--help" || name === "-h") {
      options.help = true;
      return options;
    } else if (name === "--stack") {
      let stack = inline;
      if (stack === undefined) {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("-")) throw new UsageError("--stack needs a value");
        stack = next;
        i++;
      }
      if (stack === "") throw new UsageError("--stack needs a value");
      if (stackGiven) throw new UsageError("--stack may be given once");
      if (!STACK_NAME.test(stack)) throw new UsageError(`--stack must be a stack name (letters, digits, _ . -; got ${JSON.stringify(stack)})`);
      options.stack = stack;
      stackGiven = true;
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown flag ${name}`);
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

/** Where `npm start -- --stack <stack>` writes its outputs. */
export { outputsFileOf };

/** What the flush needs from outputs.json. */
export interface FlushTarget {
  /** The local API Gateway management endpoint. */
  endpoint: string;
  restApiId: string;
  stageName: string;
  /** @default "us-east-1" */
  region: string;
}

/**
 * The management endpoint and REST API of an outputs.json's text:
 * `{ endpoints: { apiGateway }, restApi: { id, stage, region? } }`.
 * @throws FlushError naming what is missing.
 */
export function flushTargetOf(outputsJson: string, stack: string): FlushTarget {
  // As parsed: each member is checked below before it is used.
  let parsed: { endpoints?: { apiGateway?: unknown } | null; restApi?: { id?: unknown; stage?: unknown; region?: unknown } | null } | null;
  try {
    parsed = JSON.parse(outputsJson);
  } catch {
    throw new FlushError(`.local/${stack}/outputs.json is not JSON; restart the local cloud: npm start -- --stack ${stack}`);
  }
  const endpoint = parsed?.endpoints?.apiGateway;
  if (typeof endpoint !== "string" || endpoint === "") {
    throw new FlushError(`.local/${stack}/outputs.json has no endpoints.apiGateway; restart the local cloud: npm start -- --stack ${stack}`);
  }
  const api = parsed?.restApi;
  if (typeof api?.id !== "string" || typeof api?.stage !== "string") {
    throw new FlushError(`stack ${stack} serves no REST API (outputs.json has no restApi.id and restApi.stage); only REST APIs have a stage cache`);
  }
  return { endpoint, restApiId: api.id, stageName: api.stage, region: typeof api.region === "string" ? api.region : "us-east-1" };
}

/**
 * Sends FlushStageCache for the target with the AWS SDK; resolves with API Gateway's request id.
 * @throws FlushError when the endpoint does not answer or knows no such stage.
 */
export async function flushStageCache(target: FlushTarget, stack: string): Promise<string | undefined> {
  const client = new APIGatewayClient({ endpoint: target.endpoint, region: target.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    const output = await client.send(new FlushStageCacheCommand({ restApiId: target.restApiId, stageName: target.stageName }));
    return output.$metadata.requestId;
  } catch (err) {
    const error = err as Error & { code?: string; name: string; cause?: { code?: string } };
    if (error.code === "ECONNREFUSED" || error.cause?.code === "ECONNREFUSED") {
      throw new FlushError(`the local cloud of stack ${stack} is not running (nothing answers at ${target.endpoint}); start it: npm start -- --stack ${stack}`);
    }
    if (error.name === "NotFoundException") {
      throw new FlushError(`the local cloud has no stage ${target.stageName} of API ${target.restApiId} (${error.message}); restart it: npm start -- --stack ${stack}`);
    }
    throw new FlushError(`FlushStageCache failed: ${error.name}: ${error.message}`);
  } finally {
    client.destroy();
  }
}

/** Minimal writable sink, so tests can capture output without a child process. */
/** Runs the CLI; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  stdout: Output = process.stdout,
  stderr: Output = process.stderr,
  env: { projectDir?: string; outputsFile?: string } = {},
): Promise<number> {
  const options = readCommandLine(parseFlushCacheArgs, argv, { usage: USAGE, help: HELP }, stdout, stderr);
  if (typeof options === "number") return options;
  try {
    const file = env.outputsFile ?? outputsFileOf(options.stack, env.projectDir);
    if (!fs.existsSync(file)) {
      throw new FlushError(`the local cloud of stack ${options.stack} is not running (no ${path.relative(env.projectDir ?? PROJECT_ROOT, file)}); start it: npm start -- --stack ${options.stack}`);
    }
    const target = flushTargetOf(fs.readFileSync(file, "utf8"), options.stack);
    await flushStageCache(target, options.stack);
    stdout.write(`Flushed the cache of stage ${target.stageName} of API ${target.restApiId}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof FlushError)) throw err;
    stderr.write(`error: ${err.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // exitCode rather than process.exit() so buffered stdout is flushed when piped.
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
