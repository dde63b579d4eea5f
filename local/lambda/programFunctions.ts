/**
 * The Lambda functions a program declares, as the local runtime deploys them: every
 * `aws.lambda.Function` of the recorded graph (CallbackFunction, HandlerFunction or written by
 * hand), with its deployment package read from its `code` archive.
 *
 * What CreateFunction would refuse, or the local cloud cannot run, stops the start with one
 * error naming every function and what is wrong with it: a container image, a runtime that is
 * not Node.js, a Node.js runtime AWS no longer lets you create (with AWS's dates), no handler,
 * an archive that cannot be read (a FileArchive path that does not exist, a remote archive).
 * A handler file or export missing from the archive is found at INIT, as on AWS.
 */
import { lambdaRuntimeProblem, nodeMajorOf } from "../../components/lambdaRuntime";
import type { ProviderProperties, RecordedResource } from "../controlPlane";
import { CodeArchiveError, readCodeArchive } from "./codeArchive";
import type { FunctionSpec } from "./lambdaRuntime";

const FUNCTION_TYPE = "aws:lambda/function:Function";
/** Lambda's default timeout (CreateFunction's `Timeout`). */
const DEFAULT_TIMEOUT_SECONDS = 3;

/**
 * Reads every function of a program (its environment without what the local cloud adds:
 * endpoints, issuers); throws one error listing every function it cannot deploy.
 */
export async function programFunctions(resources: RecordedResource[]): Promise<FunctionSpec[]> {
  const functions = resources.filter((r) => r.type === FUNCTION_TYPE);
  const problems: string[] = [];
  const specs: FunctionSpec[] = [];
  for (const fn of functions) {
    const name = String(fn.state.name ?? fn.name);
    const problem = configurationProblem(fn.inputs);
    if (problem) {
      problems.push(`function ${name} (${fn.name}): ${problem}`);
      continue;
    }
    try {
      specs.push({
        name,
        arn: fn.state.arn,
        files: await readCodeArchive(name, fn.inputs.code),
        handler: fn.inputs.handler,
        runtime: fn.inputs.runtime,
        environment: { ...(fn.inputs.environment?.variables ?? {}) },
        timeoutSeconds: fn.inputs.timeout ?? DEFAULT_TIMEOUT_SECONDS,
        memorySize: fn.inputs.memorySize,
      });
    } catch (error) {
      if (!(error instanceof CodeArchiveError)) throw error;
      problems.push(`function ${name} (${fn.name}): ${error.problem}`);
    }
  }
  if (problems.length > 0) {
    problems.sort();
    throw new Error(`the local cloud cannot run ${problems.length === 1 ? "a function" : `${problems.length} functions`} of this program:\n  - ${problems.join("\n  - ")}`);
  }
  return specs;
}

/** What about a function's configuration stops the local cloud, or undefined. */
function configurationProblem(inputs: ProviderProperties): string | undefined {
  if (inputs.packageType === "Image") return `packageType Image (a container image) cannot run in the local cloud, which runs Node.js zip functions only`;
  const runtime = inputs.runtime;
  if (typeof runtime !== "string" || runtime === "") return "runtime is required for a zip function";
  if (nodeMajorOf(runtime) === undefined) return `runtime ${runtime} is not a Node.js runtime; the local cloud runs Node.js functions only`;
  const problem = lambdaRuntimeProblem(runtime);
  if (problem) return `runtime ${problem}`;
  if (typeof inputs.handler !== "string" || inputs.handler === "") return "handler is required for a zip function";
  if (inputs.code === undefined) return "code is required (an AssetArchive or FileArchive)";
  return undefined;
}
