/**
 * Runs of the program (index.ts) under the mock control plane, one per stack and config
 * variant, shared by every spec of the process that reads them (tests/program/stacks.spec.ts,
 * tests/security/deployment.spec.ts): a run costs seconds, and the specs only read it.
 *
 * Each run also records which resource inputs reached the mocks as secrets (Pulumi's secret
 * envelope); the control plane unwraps them for the emulators, so this is the one place that
 * still knows.
 */
import { createHash } from "node:crypto";
import * as pulumiRuntime from "@pulumi/pulumi/runtime";
import { ProgramRun, RunProgramOptions, runProgram } from "../../local/controlPlane";

export type Stack = "dev" | "prod";

/**
 * The mock names functions `<name>-<random hex>` and user pools `<region>_<random>`, and the
 * deployment trigger hashes the functions' ARNs and the Cognito authorizer's pool ARN, so two
 * runs of one stack would never agree on it. Stable ARNs make the hash a function of the API's
 * spec alone, which is what the redeployment tests compare.
 */
export const stableArns: RunProgramOptions["onCreate"] = async (type, name) => {
  if (type === "aws:lambda/function:Function") {
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
    return { arn, invokeArn: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations` };
  }
  if (type === "aws:cognito/userPool:UserPool") {
    const id = `us-east-1_${createHash("sha256").update(name).digest("hex").slice(0, 9)}`;
    return { id, arn: `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${id}`, endpoint: `cognito-idp.us-east-1.amazonaws.com/${id}` };
  }
  return undefined;
};

/**
 * dev as an HTTP API: `api` replaced by `{type: http}` (its requirements ask for API keys,
 * caching and templates), and the REST-only keys the dev file sets removed (the program
 * refuses customers and cache on an HTTP API; methodOverrides holds a data/GET cache TTL).
 */
export const HTTP_OVERRIDES: Record<string, unknown> = {
  "apigw-kit:api": { type: "http" },
  "apigw-kit:cache": undefined,
  "apigw-kit:customers": undefined,
  "apigw-kit:methodOverrides": undefined,
};

// One evaluation per stack (or config variant); runs must not overlap, and each caller awaits
// its run before asking for the next.
const runs = new Map<string, Promise<ProgramRun>>();
const secretInputsByRun = new WeakMap<ProgramRun, Map<string, string[]>>();

/** The run of `stack` with `configOverrides`, evaluated once per `key` in this process. */
export function stackRun(stack: Stack, key: string = stack, configOverrides?: Record<string, unknown>): Promise<ProgramRun> {
  if (!runs.has(key)) runs.set(key, runRecordingSecrets({ stack, onCreate: stableArns, configOverrides }));
  return runs.get(key)!;
}

/** `type::name` -> the paths (`a.b.0.c`) of the inputs that reached the mocks as secrets. */
export function secretInputsOf(run: ProgramRun): Map<string, string[]> {
  const found = secretInputsByRun.get(run);
  if (!found) throw new Error("the run was not made by stackRun");
  return found;
}

// Pulumi's marker for a secret value in serialized properties.
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** runProgram with the mocks' newResource watched; the control plane installs its mocks through `pulumi.runtime.setMocks`. */
async function runRecordingSecrets(options: RunProgramOptions): Promise<ProgramRun> {
  const secretInputs = new Map<string, string[]>();
  const runtime = pulumiRuntime as unknown as { setMocks: (mocks: pulumiRuntime.Mocks, ...rest: unknown[]) => Promise<void> };
  const setMocks = runtime.setMocks;
  runtime.setMocks = (mocks, ...rest) =>
    setMocks(
      {
        newResource: (args) => {
          secretInputs.set(`${args.type}::${args.name}`, secretPaths(args.inputs));
          return mocks.newResource(args);
        },
        call: (args) => mocks.call(args),
      },
      ...rest,
    );
  try {
    const run = await runProgram(options);
    secretInputsByRun.set(run, secretInputs);
    return run;
  } finally {
    runtime.setMocks = setMocks;
  }
}

function secretPaths(value: unknown, at = ""): string[] {
  const join = (key: string) => (at === "" ? key : `${at}.${key}`);
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, join(String(i))));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    if (record[SIGNATURE_KEY] === SECRET_SIGNATURE) return [at];
    return Object.entries(record).flatMap(([k, v]) => secretPaths(v, join(k)));
  }
  return [];
}
