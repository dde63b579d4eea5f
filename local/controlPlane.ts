import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import * as pulumiSettings from "@pulumi/pulumi/runtime/settings";
import { CloudIdentity, answerAwsCall, computeAwsAttributes, computeRemoteComponentOutputs } from "./awsAttributes";
import { LoadedStackConfig, loadStackConfig } from "./stackConfig";

/**
 * One value of a resource's inputs or state, as the provider would see it: its shape is the
 * resource type's provider schema (strings, numbers, lists and objects of the AWS API), which no
 * TypeScript type here describes, and the code reading it knows which resource type it handles.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped provider data, read all over the local cloud by code that knows the resource type's schema
export type ProviderValue = any;

/** A resource's inputs or state: property name to provider value. */
export type ProviderProperties = Record<string, ProviderValue>;

/** One resource the program registered, as the control plane answered it. */
export interface RecordedResource {
  urn: string;
  /** The type token, e.g. `aws:apigateway/method:Method`. */
  type: string;
  /** The logical name given in the program. */
  name: string;
  /** The parent's URN; undefined for resources at the top of the stack. */
  parent?: string;
  /** URNs of the resources this one depends on (dependsOn and input dependencies). */
  dependencies: string[];
  /**
   * The explicit provider's reference (`<urn>::<id>`), when the resource was given one
   * (`{ provider }`, or inherited from a parent's `providers`); undefined for the default provider.
   */
  provider?: string;
  /** Whether this is a provider resource (true) or a component (false). */
  custom: boolean;
  /** The inputs as the provider would receive them (Outputs resolved). */
  inputs: ProviderProperties;
  /** The id answered; undefined for components. */
  id?: string;
  /** The outputs answered: inputs plus computed attributes. */
  state: ProviderProperties;
}

/** Every resource a program registered, in registration order, with lookups for tests. */
export class ResourceGraph {
  readonly resources: RecordedResource[] = [];
  private readonly byId = new Map<string, RecordedResource>();

  add(resource: RecordedResource): void {
    this.resources.push(resource);
    if (resource.id) this.byId.set(resource.id, resource);
  }

  /** Every resource of a type token. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of a type with a logical name; throws naming what exists otherwise. */
  get(type: string, name: string): RecordedResource {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(`no ${type} named "${name}" (recorded: ${names.join(", ") || "none"})`);
    }
    return found;
  }

  findById(id: string): RecordedResource | undefined {
    return this.byId.get(id);
  }

  findByUrn(urn: string): RecordedResource | undefined {
    return this.resources.find((r) => r.urn === urn);
  }

  /** The direct children of a resource. */
  childrenOf(urn: string): RecordedResource[] {
    return this.resources.filter((r) => r.parent === urn);
  }
}

/** A stack output as `pulumi stack output --json` would show it, and whether it is secret. */
export interface StackOutput {
  value: unknown;
  secret: boolean;
}

/** The result of running a program under the control plane. */
export interface ProgramRun {
  config: LoadedStackConfig;
  graph: ResourceGraph;
  outputs: Record<string, StackOutput>;
  /** Wall-clock time of the program's evaluation, in ms. */
  elapsedMs: number;
}

/** Options of {@link runProgram}. */
export interface RunProgramOptions {
  /** The stack whose `Pulumi.<stack>.yaml` is loaded. */
  stack: string;
  /**
   * The project folder (holding Pulumi.yaml).
   * @default the repository root (the folder above local/)
   */
  projectDir?: string;
  /**
   * The program module to import.
   * @default "<projectDir>/index.ts"
   */
  program?: string;
  /**
   * A program given inline instead of a module: called under the mocks, its returned record is
   * the stack outputs. Component specs use it to run one component alone.
   * @default none (the program module is imported)
   */
  define?: () => Record<string, unknown>;
  /**
   * Config values that replace the stack file's, keyed `namespace:key` (structured values
   * as objects). Used by tests to try bad config without writing files.
   * @default {}
   */
  configOverrides?: Record<string, unknown>;
  /** @default account 123456789012 and the stack's `aws:region` */
  cloud?: Partial<CloudIdentity>;
  /**
   * Called for each provider resource before it is answered, with the computed attributes:
   * may return attributes that replace them, and `id` to replace the id (the local cloud
   * creates tables and user pools in its emulators here and answers their real ids).
   * @default none
   */
  onCreate?: (type: string, name: string, inputs: ProviderProperties, computed: ProviderProperties) => Promise<(Record<string, unknown> & { id?: string }) | void>;
}

const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * Runs a Pulumi program under mocks that act as AWS: loads the stack's config, records every
 * resource registration with AWS-shaped ids and attributes, imports the program and resolves
 * its exports as stack outputs. This is the local cloud's control plane and the unit tests'
 * harness.
 *
 * Runs may follow each other in one process (each re-imports the program with its own
 * config); they must not overlap, since Pulumi's runtime state is process-wide.
 */
export async function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
  const started = Date.now();
  const projectDir = options.projectDir ?? PROJECT_ROOT;
  const program = options.program ?? path.join(projectDir, "index.ts");
  const config = loadStackConfig(projectDir, options.stack);
  for (const [key, value] of Object.entries(options.configOverrides ?? {})) {
    if (value === undefined) delete config.config[key];
    else config.config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const cloud: CloudIdentity = {
    accountId: "123456789012",
    region: config.config["aws:region"] ?? "us-east-1",
    ...options.cloud,
  };

  const graph = new ResourceGraph();
  const pending = new Map<string, RecordedResource>();
  const mocks: pulumi.runtime.Mocks = {
    async newResource(args) {
      const inputs = unwrapSecrets(args.inputs) as ProviderProperties;
      let computed: { id: string | undefined; state: ProviderProperties };
      if (args.custom === false) {
        computed = { id: undefined, state: computeRemoteComponentOutputs(args.type, args.name, inputs, cloud) ?? {} };
      } else {
        computed = computeAwsAttributes(args.type, args.name, inputs, cloudOfResource(cloud, graph, inputs, args.provider), (id) => graph.findById(id)?.state);
        const replaced = await options.onCreate?.(args.type, args.name, inputs, computed.state);
        if (replaced) {
          const { id, ...state } = replaced;
          computed.state = { ...computed.state, ...state };
          if (id !== undefined) computed.id = id;
        }
      }
      const record: RecordedResource = {
        urn: "",
        type: args.type,
        name: args.name,
        dependencies: [],
        custom: args.custom !== false,
        provider: args.provider || undefined,
        inputs,
        id: computed.id,
        state: computed.state,
      };
      graph.add(record);
      pending.set(`${args.type}::${args.name}`, record);
      return { id: computed.id, state: computed.state };
    },
    call(args) {
      try {
        return answerAwsCall(args.token, args.inputs, cloud);
      } catch (err) {
        // The SDK reports an invoke failure by the gRPC error's `details`, not its message.
        throw Object.assign(err as Error, { details: (err as Error).message });
      }
    },
  };

  pulumi.runtime.setAllConfig(config.config, config.secretKeys);
  await pulumi.runtime.setMocks(mocks, config.project, config.stack, false);
  recordParentsAndDependencies(pending);

  const restoreStackTraces = unmappedPulumiStackTraces();
  const restoreDebugPromises = framelessPulumiDebugPromises();
  try {
    let exported: Record<string, unknown>;
    if (options.define) {
      exported = options.define();
    } else {
      forgetProjectModules(projectDir);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's program, by a path known at run time, loaded again on every run (after forgetProjectModules) so it registers its resources again
      exported = require(program) as Record<string, unknown>;
    }
    const outputs = await resolveOutputs(exported);
    await waitForRegistrations();
    return { config, graph, outputs, elapsedMs: Date.now() - started };
  } catch (err) {
    // Let registrations already sent finish, so the graph is complete and none of them
    // lands on the next run's mocks.
    await waitForRegistrations().catch(() => undefined);
    throw new ProgramError(err as Error, graph);
  } finally {
    restoreDebugPromises();
    restoreStackTraces();
  }
}

/**
 * The cloud a resource is created in: its own `region` argument (@pulumi/aws 7) or an explicit
 * AWS provider with a `region` (an EDGE domain's certificate through a us-east-1 provider)
 * moves it there, as it would on AWS.
 */
function cloudOfResource(cloud: CloudIdentity, graph: ResourceGraph, inputs: ProviderProperties, providerReference: string | undefined): CloudIdentity {
  // A provider reference is `<urn>::<id>`.
  const providerId = providerReference ? providerReference.slice(providerReference.lastIndexOf("::") + 2) : undefined;
  const region = inputs.region ?? (providerId === undefined ? undefined : graph.findById(providerId)?.state.region);
  return typeof region === "string" && region !== "" ? { ...cloud, region } : cloud;
}

/**
 * The Pulumi SDK captures a stack trace for every resource (its source position, for the
 * engine) and for every output promise (for leak reports), and each one goes through the
 * source-map support ts-node installs, which maps every frame: about a quarter of a program's
 * evaluation. The mocks read no source positions, so while the program runs, stack traces
 * that Pulumi's own code captures are formatted as V8 does by default (positions in the
 * transpiled JavaScript), and those made only for their stack not formatted at all (a
 * watch-mode reload of the demo program: 1.2-1.4 s with them, 0.7-0.8 s without); every
 * other stack trace is mapped as before. Returns the undo.
 */
function unmappedPulumiStackTraces(): () => void {
  const mapped = Error.prepareStackTrace;
  if (!mapped) return () => undefined;
  const pulumiSdk = `${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
  const prepare = (error: Error, frames: NodeJS.CallSite[]) => {
    if (!frames[0]?.getFileName()?.includes(pulumiSdk)) return mapped(error, frames);
    // An Error made only for its stack (a promise's debug trace, a resource's source
    // position) is read by nothing under the mocks: its frames are not formatted at all,
    // which is most of what stack traces cost a run.
    if (error.message === "" && error.name === "Error") return "Error";
    return `${error}${frames.map((frame) => `\n    at ${frame}`).join("")}`;
  };
  Error.prepareStackTrace = prepare;
  return () => {
    if (Error.prepareStackTrace === prepare) Error.prepareStackTrace = mapped;
  };
}

/**
 * The Pulumi SDK wraps every promise of every resource property in `debuggablePromise`, which
 * keeps `new Error().stack` on it for its leak report: with the frames captured (the formatting
 * is skipped above), about 130 ms of a 1.1 s watch-mode reload of the demo program (CPU
 * profile, 2026-12-06). While the program runs, those Errors capture no frames: the wrapper
 * keeps everything else (the leak bookkeeping, `err.promise`), and the leak report, which the
 * mocks never print, says `Error` without a stack. Other errors keep their stacks. Returns the undo.
 */
function framelessPulumiDebugPromises(): () => void {
  const debuggable = pulumiDebuggable;
  const original = debuggable.debuggablePromise;
  const frameless = <T>(promise: Promise<T>, context: unknown): Promise<T> => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(promise, context);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  debuggable.debuggablePromise = frameless;
  return () => {
    if (debuggable.debuggablePromise === frameless) debuggable.debuggablePromise = original;
  };
}

/** The SDK module whose `debuggablePromise` every resource property's promise goes through. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module of the SDK, patched by its export (the SDK calls it through the module object)
const pulumiDebuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T> };

/** The program threw: its error, with what it had registered by then. */
export class ProgramError extends Error {
  constructor(
    public readonly cause: Error,
    /** The resources registered before the error (none, when validation failed early). */
    public readonly graph: ResourceGraph,
  ) {
    super(cause?.message ?? String(cause));
    this.name = "ProgramError";
  }
}

/**
 * The mock monitor's `newResource` is not told the parent or the dependencies; its
 * `registerResource` request is. Wrap it to complete the record once the URN is known.
 */
function recordParentsAndDependencies(pending: Map<string, RecordedResource>): void {
  // setMocks installs Pulumi's MockMonitor, whose registerResource takes the request and a
  // callback only (the gRPC client's other overloads do not apply).
  const monitor = pulumiSettings.getMonitor() as unknown as MockMonitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, resp) => {
      const record = pending.get(`${req.getType()}::${req.getName()}`);
      if (!err && resp && record) {
        pending.delete(`${req.getType()}::${req.getName()}`);
        record.urn = resp.getUrn();
        record.parent = req.getParent() || undefined;
        record.dependencies = req.getDependenciesList();
      }
      callback(err, resp);
    });
}

/** What {@link recordParentsAndDependencies} uses of Pulumi's MockMonitor. */
interface MockMonitor {
  registerResource(req: RegisterResourceRequest, callback: (err: unknown, resp: RegisterResourceResponse | undefined) => void): void;
}

/** Pulumi's marker for a secret value in serialized properties. */
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";

/**
 * Mocks receive secret inputs in their wire envelope; the emulators and gateways need the
 * values (the local cloud plays AWS, which sees them too).
 */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    if (record[SIGNATURE_KEY] === SECRET_SIGNATURE) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Re-importing the program must re-run it: drop the project's own modules from the cache. */
function forgetProjectModules(projectDir: string): void {
  const nodeModules = path.join(projectDir, "node_modules") + path.sep;
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(projectDir + path.sep) && !key.startsWith(nodeModules) && !key.startsWith(__dirname + path.sep)) {
      delete require.cache[key];
    }
  }
}

async function resolveOutputs(exported: Record<string, unknown>): Promise<Record<string, StackOutput>> {
  const outputs: Record<string, StackOutput> = {};
  for (const [key, value] of Object.entries(exported)) {
    // Pulumi leaves undefined exports out of the stack outputs.
    if (key === "__esModule" || typeof value === "function" || value === undefined) continue;
    if (pulumi.Resource.isInstance(value)) {
      // Pulumi shows an exported resource by reference; so does the local cloud.
      const urn = await (value.urn as pulumi.Output<string> & { promise(): Promise<string> }).promise();
      const id = pulumi.CustomResource.isInstance(value) ? await (value.id as pulumi.Output<string> & { promise(): Promise<string> }).promise() : undefined;
      outputs[key] = { value: id === undefined ? { urn } : { urn, id }, secret: false };
      continue;
    }
    // `promise()` and `isSecret` are Output internals; unlike apply(), promise() rejects when the
    // value failed (an invoke error), so a failing program cannot hang the run.
    const output = pulumi.output(value) as pulumi.Output<unknown> & { isSecret: Promise<boolean>; promise(): Promise<unknown> };
    outputs[key] = { value: await output.promise(), secret: await output.isSecret };
  }
  return outputs;
}

async function waitForRegistrations(): Promise<void> {
  // waitForRPCs is exported by the module but left out of its declarations.
  await (pulumiSettings as typeof pulumiSettings & { waitForRPCs(): Promise<void> }).waitForRPCs();
}
