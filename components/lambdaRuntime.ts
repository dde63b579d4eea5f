/**
 * AWS Lambda's Node.js runtimes: the ones a function may be created or updated on, the default,
 * the Node.js major each one runs, and the ones AWS no longer accepts, with AWS's dates.
 *
 * One home for the rule: HandlerFunction, the stack config reader and the local cloud (which
 * runs each function on the Node.js major its runtime names) all ask this module. It imports
 * nothing from Pulumi, so run-time code may use it too.
 *
 * Source of the dates: AWS Lambda developer guide, "Lambda runtimes"
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html, tables "Supported runtimes"
 * and "Deprecated runtimes") and "Building Lambda functions with Node.js"
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html).
 */

/** The runtimes a function may use, newest first. */
export const SUPPORTED_LAMBDA_RUNTIMES = ["nodejs24.x", "nodejs22.x"] as const;

/** A runtime a function may be created and updated on. */
export type LambdaRuntime = (typeof SUPPORTED_LAMBDA_RUNTIMES)[number];

/** The runtime of every function that names none: the newest. */
export const DEFAULT_LAMBDA_RUNTIME: LambdaRuntime = "nodejs24.x";

/** AWS's deprecation schedule of a runtime (ISO dates, `YYYY-MM-DD`). */
export interface RuntimeDeprecation {
  /** Lambda stops patching the runtime; existing functions keep running. */
  deprecated: string;
  /** From this date no function can be created on the runtime (absent: no source found). */
  blockCreate?: string;
  /** From this date no function on the runtime can be updated (absent: no source found). */
  blockUpdate?: string;
}

/**
 * The Node.js runtimes AWS Lambda no longer lets you create or update functions on, with the
 * dates AWS published. AWS has moved these dates more than once (nodejs18.x's block dates went
 * from 2025-10-01 / 2025-11-01 in its April 2025 notice to the ones below; nodejs12.x's in
 * 2022), so each entry says where it comes from; the developer guide's "Deprecated runtimes"
 * table is the authority. Any other `nodejs*` runtime older than the supported ones is refused
 * too, without dates.
 */
export const BLOCKED_LAMBDA_RUNTIMES: Readonly<Record<string, RuntimeDeprecation>> = {
  // "Building Lambda functions with Node.js" (lambda-nodejs.html), current English page.
  "nodejs20.x": { deprecated: "2026-04-30", blockCreate: "2026-08-31", blockUpdate: "2026-09-30" },
  // The same page, an earlier copy (the row has since left the supported-runtimes table).
  "nodejs18.x": { deprecated: "2025-09-01", blockCreate: "2026-02-03", blockUpdate: "2026-03-09" },
  // AWS Developer Tools Blog, "Announcing the end of support for Node.js 16.x in the AWS SDK
  // for JavaScript (v3)": Lambda "started their Node.js 16.x deprecation on June 12, 2024".
  "nodejs16.x": { deprecated: "2024-06-12" },
  // "Lambda runtimes" (lambda-runtimes.html#runtime-support-policy), as quoted in
  // aws/aws-cdk discussion #29108; AWS re:Post confirms the create and update blocks.
  "nodejs14.x": { deprecated: "2023-12-04", blockCreate: "2024-01-09", blockUpdate: "2024-02-08" },
  // "Lambda runtimes", as reported in awsdocs/aws-lambda-developer-guide issue #400.
  "nodejs12.x": { deprecated: "2023-03-31" },
  // "Runtime support policy" (runtime-support-policy.html), its deprecation schedule.
  "nodejs8.10": { deprecated: "2019-12-31", blockCreate: "2020-01-06", blockUpdate: "2020-02-03" },
  "nodejs6.10": { deprecated: "2019-04-30", blockCreate: "2019-04-30", blockUpdate: "2019-08-12" },
};

/** Whether a value is a runtime a function may be created and updated on. */
export function isSupportedLambdaRuntime(value: unknown): value is LambdaRuntime {
  return (SUPPORTED_LAMBDA_RUNTIMES as readonly unknown[]).includes(value);
}

/**
 * The Node.js major a runtime runs: `nodejs24.x` -> 24, `nodejs22.x` -> 22. For another value
 * spelled like a Node.js runtime (`nodejs20.x`, `nodejs4.3`) its major; otherwise undefined.
 */
export function nodeMajorOf(runtime: LambdaRuntime): 22 | 24;
export function nodeMajorOf(runtime: string): number | undefined;
export function nodeMajorOf(runtime: string): number | undefined {
  const major = /^nodejs(\d+)\.(?:x|\d+)$/.exec(runtime)?.[1];
  return major === undefined ? undefined : Number(major);
}

/**
 * What is wrong with a runtime value, phrased to follow the field or key it came from
 * (`${field} ${problem}`), or undefined when functions may be created and updated on it.
 *
 * @example
 * lambdaRuntimeProblem("nodejs20.x")
 * // 'must be one of nodejs24.x, nodejs22.x (got "nodejs20.x", which AWS Lambda deprecated on
 * //  2026-04-30: creating functions on it is blocked from 2026-08-31, updating them from 2026-09-30)'
 */
export function lambdaRuntimeProblem(value: unknown): string | undefined {
  if (isSupportedLambdaRuntime(value)) return undefined;
  return `must be one of ${SUPPORTED_LAMBDA_RUNTIMES.join(", ")} (got ${JSON.stringify(value)}, ${whyRefused(value)})`;
}

/** Lambda's oldest supported Node.js major: any older `nodejs*` runtime is blocked. */
const OLDEST_SUPPORTED_MAJOR = Math.min(...SUPPORTED_LAMBDA_RUNTIMES.map((runtime) => nodeMajorOf(runtime)));

function whyRefused(value: unknown): string {
  if (typeof value === "string" && Object.hasOwn(BLOCKED_LAMBDA_RUNTIMES, value)) {
    const { deprecated, blockCreate, blockUpdate } = BLOCKED_LAMBDA_RUNTIMES[value];
    return blockCreate && blockUpdate
      ? `which AWS Lambda deprecated on ${deprecated}: creating functions on it is blocked from ${blockCreate}, updating them from ${blockUpdate}`
      : `which AWS Lambda deprecated on ${deprecated} and no longer lets you create or update functions on`;
  }
  // `nodejs` alone is Node.js 0.10, Lambda's first runtime.
  const major = typeof value === "string" ? (value === "nodejs" ? 0 : nodeMajorOf(value)) : undefined;
  if (major !== undefined && major < OLDEST_SUPPORTED_MAJOR) return "which AWS Lambda no longer lets you create or update functions on";
  return "which is not a Node.js runtime AWS Lambda offers";
}
