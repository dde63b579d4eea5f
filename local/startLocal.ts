import * as fs from "node:fs";
import * as path from "node:path";
import type { ProgramRun } from "./controlPlane";
import type { LambdaRuntime } from "./lambda/lambdaRuntime";
import type { MetricsStore } from "./metricsStore";
import type { RestGateway } from "./restGateway/restGateway";
import type { HttpGateway } from "./httpGateway/httpGateway";
import type { UsagePlanEnforcer } from "./restGateway/usagePlans";
import { loadStackConfig } from "./stackConfig";
import { retireDeployment, type Deployment, type ServedStage } from "./cloud/deployment";
import { startLocalServices, type LocalServices } from "./cloud/localServices";
import { Redeployer, type ReloadResult } from "./cloud/redeployer";
import { watchSources } from "./cloud/sourceWatcher";
import { openLocalLogs, type LocalLogs } from "./logs/localLogs";
import { lockStateDir, type StateLock } from "./state/stateLock";
import { localStateLayout, wipeLocalState } from "./state/stateLayout";
import { writeFileAtomically } from "./state/atomicFile";
import { stateSeed } from "./state/stateSeed";
import { readUsageCounters, writeUsageCounters } from "./state/usageCounterFile";

export type { ReloadResult };

export interface StartLocalOptions {
  /** @default "dev" */
  stack?: string;
  /** Port of the API on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** @default the repository root */
  projectDir?: string;
  /** The program module. @default "<projectDir>/index.ts" */
  program?: string;
  /** Config values replacing the stack file's (`namespace:key` -> value). @default {} */
  configOverrides?: Record<string, unknown>;
  /**
   * The stack's local folder: outputs.json, and with `persist` its data, lock and logs
   * (tests use their own, so a running `npm start` keeps its files). Function archives are
   * unpacked outside the project (LambdaRuntimeOptions.workDir).
   * @default "<projectDir>/.local/<stack>"
   */
  stateDir?: string;
  /**
   * Keep the emulators' data (DynamoDB items, Cognito users and groups, secrets, API keys'
   * usage counts, API keys and plan keys changed through the API Gateway endpoint, the seed of
   * random names) in `stateDir`, so that a restart finds it, and lock the folder against a
   * second local cloud. Off, everything lives in memory.
   * @default false
   */
  persist?: boolean;
  /** With `persist`: start from empty data (logs are kept). @default false */
  fresh?: boolean;
  /** Watch the program's sources and reload on every save. @default false */
  watch?: boolean;
  /**
   * Write request lines (`logs/access.log`) and function output in CloudWatch's shape
   * (`logs/<function>.log`, with START/END/REPORT lines) under `stateDir`.
   * @default false
   */
  logFiles?: boolean;
  /** Where each request's access-log line goes (the stage's format). @default none (not rendered) */
  accessLog?: (line: string) => void;
  /** Progress lines (what is being created, counts, times, reload changes). @default none */
  log?: (line: string) => void;
  /** Where function output goes. @default process.stderr, prefixed with the function name */
  functionLog?: (functionName: string, line: string) => void;
  /** Told how each watch-mode reload ended. @default none */
  onReload?: (result: ReloadResult) => void;
  /** The gateways' account-level throttle. @default AWS's 10,000 rps, burst 5,000 */
  accountThrottle?: { rate: number; burst: number };
  /**
   * Where functions of the host's Node.js major run (LambdaRuntimeOptions.hostMajorIn).
   * @default "threads"
   */
  hostMajorIn?: "threads" | "processes";
}

/** A running local cloud; the deployment-specific fields follow reloads. */
export interface LocalCloud {
  stack: string;
  /** Every stack output, secrets revealed. */
  readonly outputs: Record<string, unknown>;
  /** Which outputs are secret. */
  readonly secretOutputs: string[];
  /** Base URLs of the local services. */
  readonly endpoints: Record<string, string>;
  /** The first REST API stage's gateway (metrics, cache) for tests and the dashboard. */
  readonly gateway?: RestGateway;
  /** The first HTTP API stage's gateway, when the program builds an HTTP API. */
  readonly httpGateway?: HttpGateway;
  /** Every API stage served (REST, HTTP, WebSocket), each with its gateway and its model. */
  readonly stages: ServedStage[];
  /** The usage plans and API keys' quota counts of every REST stage. */
  readonly usagePlans?: UsagePlanEnforcer;
  /** The control plane's record of the deployment serving. */
  readonly run: ProgramRun;
  /** The local CloudWatch: gateway metrics and the functions' embedded-metric-format lines. */
  metricsStore: MetricsStore;
  lambda: LambdaRuntime;
  /** The stack's local folder. */
  stateDir: string;
  /** Where outputs.json was written. */
  outputsFile: string;
  /** Runs the program again and serves the result (what a watched save does). Never rejects. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * "Deploys" a stack into the local cloud and serves it: starts the service emulators, runs
 * the program under the control plane (tables created in the DynamoDB emulator, URLs pointing
 * here), loads every function into the Lambda runtime, serves the API on 127.0.0.1, and
 * writes `<stateDir>/outputs.json` last. With `watch`, every save runs the program again and
 * swaps the new deployment in (cloud/redeployer.ts). On any failure to start, everything
 * started is stopped.
 */
export async function startLocal(options: StartLocalOptions = {}): Promise<LocalCloud> {
  const stack = options.stack ?? "dev";
  const projectDir = path.resolve(options.projectDir ?? PROJECT_ROOT);
  const log = options.log ?? (() => undefined);
  const stateDir = path.resolve(options.stateDir ?? path.join(projectDir, ".local", stack));
  const layout = localStateLayout(stateDir);
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };

  try {
    // The config is read first: a bad one stops the start before anything runs, and the
    // functions' environment needs the region.
    const config = loadStackConfig(projectDir, stack).config;
    const region = String(options.configOverrides?.["aws:region"] ?? config["aws:region"] ?? "us-east-1");
    let lock: StateLock | undefined;
    if (options.persist) {
      lock = lockStateDir(stateDir);
      const held = lock;
      cleanups.push(async () => held.release());
      if (options.fresh) wipeLocalState(layout);
    }
    const logs: LocalLogs | undefined = options.logFiles ? openLocalLogs({ dir: layout.logs, quiet: true }) : undefined;
    if (logs) cleanups.push(() => logs.close());

    const services = await startLocalServices(
      {
        port: options.port,
        region,
        dataDir: options.persist ? stateDir : undefined,
        hostMajorIn: options.hostMajorIn,
        log,
        functionLog: (fn, line, origin) => {
          logs?.function(fn, line, origin);
          if (options.functionLog) options.functionLog(fn, line);
          else process.stderr.write(`[${fn}] ${line}\n`);
        },
        lifecycleLog: logs ? (fn, line) => logs.lifecycle(fn, line) : undefined,
      },
      cleanups,
    );
    lock?.describe(services.apiBase);

    const accessLog = accessLogOf(options.accessLog, logs);
    const usageFile = options.persist ? layout.usage : undefined;
    const redeployer = new Redeployer(services, {
      stack,
      projectDir,
      program: options.program,
      configOverrides: options.configOverrides,
      randomSeed: stateSeed(options.persist ? stateDir : undefined),
      accountThrottle: options.accountThrottle,
      accessLog,
      usageCounters: usageFile ? readUsageCounters(usageFile) : undefined,
      log,
      onReload: options.onReload,
      onDeployed: (deployment) => writeOutputsFile(layout.outputs, stack, deployment),
    });
    cleanups.push(async () => {
      await redeployer.stop();
      const deployment = services.deployment;
      if (usageFile && deployment?.usagePlans) writeUsageCounters(usageFile, deployment.usagePlans.snapshot());
      if (deployment) await retireDeployment(deployment);
    });
    await redeployer.deployFirst();
    cleanups.push(async () => fs.rmSync(layout.outputs, { force: true }));
    if (usageFile) keepUsageCountersSaved(services, usageFile, cleanups);

    if (options.watch) {
      const watcher = watchSources({
        projectDir,
        stack,
        ignore: [stateDir],
        onChange: (files) => {
          log(`changed: ${files.join(", ")}`);
          void redeployer.reload();
        },
      });
      cleanups.push(async () => watcher.close());
      log(`Watching ${watcher.folders.join(", ")} in ${projectDir}`);
    }
    return localCloudOf(stack, stateDir, layout.outputs, services, () => redeployer.reload(), stopAll);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The access-log sink: the caller's, the log file's, or both; none renders nothing. */
function accessLogOf(caller: ((line: string) => void) | undefined, logs: LocalLogs | undefined): ((line: string) => void) | undefined {
  if (caller && logs) {
    return (line) => {
      logs.access(line);
      caller(line);
    };
  }
  return caller ?? (logs ? (line: string) => logs.access(line) : undefined);
}

/**
 * Saves the usage counts every few seconds while they change, so a crash loses seconds of
 * counting, not the day's (they are also saved on stop).
 */
function keepUsageCountersSaved(services: LocalServices, file: string, cleanups: Array<() => Promise<void>>): void {
  let saved = "";
  const timer = setInterval(() => {
    const snapshot = services.deployment?.usagePlans?.snapshot();
    if (!snapshot) return;
    const text = JSON.stringify(snapshot);
    if (text === saved) return;
    saved = text;
    writeUsageCounters(file, snapshot);
  }, 2_000);
  timer.unref();
  cleanups.push(async () => clearInterval(timer));
}

function localCloudOf(stack: string, stateDir: string, outputsFile: string, services: LocalServices, reload: () => Promise<void>, stop: () => Promise<void>): LocalCloud {
  const serving = (): Deployment => {
    if (!services.deployment) throw new Error("the local cloud has no deployment");
    return services.deployment;
  };
  return {
    stack,
    get outputs() {
      return serving().outputs;
    },
    get secretOutputs() {
      return serving().secretOutputs;
    },
    get endpoints() {
      return serving().endpoints;
    },
    get gateway() {
      return serving().gateway;
    },
    get httpGateway() {
      return serving().httpGateway;
    },
    get stages() {
      return serving().stages;
    },
    get usagePlans() {
      return serving().usagePlans;
    },
    get run() {
      return serving().run;
    },
    metricsStore: services.metricsStore,
    lambda: services.lambda,
    stateDir,
    outputsFile,
    reload,
    stop,
  };
}

/** outputs.json: what `pulumi stack output` gives, with the local endpoints, for the CLIs. */
function writeOutputsFile(file: string, stack: string, deployment: Deployment): void {
  const restApi = deployment.served ? { id: deployment.served.apiId, stage: deployment.served.stage, region: deployment.region } : undefined;
  writeFileAtomically(file, JSON.stringify({ stack, outputs: deployment.outputs, endpoints: deployment.endpoints, ...(restApi ? { restApi } : {}) }, null, 2) + "\n");
}
