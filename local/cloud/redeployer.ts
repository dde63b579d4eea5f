/**
 * Deploys the program into the running local cloud, first at start and again on every
 * reload: runs it, builds the new deployment beside the one serving, swaps it in, and says
 * what changed as `pulumi preview` would. A run that fails (the program throws, its config is
 * refused, the local cloud cannot serve what it declares) leaves the deployment serving as it
 * was. Reloads never overlap (Pulumi's runtime state is process-wide): changes arriving during
 * one are taken by one more reload after it.
 */
import { ProgramError } from "../controlPlane";
import { deleteTableIfExists } from "../emulators";
import type { UsageCounterSnapshot } from "../restGateway/usagePlans";
import { diffDeployments, digestGraph, formatChange, type ResourceDigest } from "./changes";
import { buildDeployment, retireDeployment, type Deployment } from "./deployment";
import type { LocalServices } from "./localServices";
import { CreatedResources, runProgramInCloud, type ProgramInCloudOptions } from "./programInCloud";

/** How a reload ended. */
export type ReloadResult =
  | { ok: true; /** The change lines printed. */ changes: string[]; /** Functions loaded again. */ functions: string[]; ms: number }
  | { ok: false; /** Why the deployment serving was kept. */ error: string; ms: number };

/** Options of {@link Redeployer}. */
export interface RedeployerOptions extends Omit<ProgramInCloudOptions, "log"> {
  /** The gateways' account-level throttle. @default AWS's */
  accountThrottle?: { rate: number; burst: number };
  /** Receives each request's access-log line. @default none */
  accessLog?: (line: string) => void;
  /** Quota counts to start from (read from the state folder). @default none */
  usageCounters?: UsageCounterSnapshot;
  /** Progress and change lines. @default none */
  log?: (line: string) => void;
  /** Called after each deployment is served (outputs.json is written here). @default none */
  onDeployed?: (deployment: Deployment) => void;
  /** Told how each reload ended. @default none */
  onReload?: (result: ReloadResult) => void;
}

export class Redeployer {
  private digests = new Map<string, ResourceDigest>();
  /** What the emulators answered for each resource, so an unchanged one is not created again. */
  private readonly created = new CreatedResources();
  private tables = new Map<string, string>();
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  /**
   * @param services - The running services; `services.deployment` is swapped.
   * @param options - The program, and where lines and results go.
   */
  constructor(
    private readonly services: LocalServices,
    private readonly options: RedeployerOptions,
  ) {}

  /** Deploys for the first time; throws what stops the start. */
  async deployFirst(): Promise<Deployment> {
    const log = this.options.log ?? (() => undefined);
    const t = Date.now();
    log(`Running the program for stack ${this.options.stack} under the local control plane...`);
    const { run, tables } = await runProgramInCloud(this.services, { ...this.options, log, created: this.created });
    log(`Program evaluated: ${run.graph.resources.length} resources in ${Date.now() - t} ms`);
    const { deployment } = await buildDeployment(this.services, run, undefined, { ...this.options, log });
    await this.swap(deployment, tables);
    return deployment;
  }

  /**
   * Runs the program again and serves the result; resolves when the reload (and any asked
   * for while it ran) is done. Never rejects: a failure is reported and the old deployment kept.
   */
  reload(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const result = await this.reloadOnce();
        if (this.stopped) break;
        this.report(result);
      } while (this.again);
      this.running = undefined;
    })();
    return this.running;
  }

  /** Waits for a reload under way, and stops taking new ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async reloadOnce(): Promise<ReloadResult> {
    const started = Date.now();
    const previous = this.services.deployment;
    try {
      const { run, tables } = await runProgramInCloud(this.services, { ...this.options, created: this.created });
      if (this.stopped) return { ok: false, error: "stopped", ms: Date.now() - started };
      const built = await buildDeployment(this.services, run, previous, this.options);
      const before = this.digests;
      await this.swap(built.deployment, tables);
      if (previous) await retireDeployment(previous, built.deployment);
      const changes = diffDeployments(before, this.digests).map(formatChange);
      return { ok: true, changes, functions: built.deployedFunctions.map((f) => f.name), ms: Date.now() - started };
    } catch (err) {
      const error = err instanceof ProgramError ? err.message : ((err as Error).stack ?? String(err));
      return { ok: false, error, ms: Date.now() - started };
    }
  }

  /** Serves `deployment`, and drops the tables the program no longer declares (resolves once they are). */
  private async swap(deployment: Deployment, tables: Map<string, string>): Promise<void> {
    this.services.deployment = deployment;
    this.digests = digestGraph(deployment.run.graph, (resource) => {
      if (resource.type !== "aws:lambda/function:Function") return undefined;
      return deployment.functions.get(resource.state.name)?.code;
    });
    const dropped = [...this.tables].filter(([table]) => !tables.has(table));
    this.tables = tables;
    this.options.onDeployed?.(deployment);
    for (const [table, key] of dropped) {
      // As `pulumi up` deletes a table the program dropped (its items with it).
      this.created.forget(key);
      await deleteTableIfExists(this.services.dynamodb.url, deployment.region, table).catch(() => undefined);
    }
  }

  private report(result: ReloadResult): void {
    const log = this.options.log ?? (() => undefined);
    if (result.ok) {
      for (const line of result.changes) log(line);
      if (result.changes.length === 0) log("no changes");
      log(`ready in ${result.ms} ms`);
    } else {
      log(`error: ${result.error}`);
      log("the last good deployment is still serving; fix the program and save again");
    }
    this.options.onReload?.(result);
  }
}
