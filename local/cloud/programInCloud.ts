/**
 * One run of the user's program under the control plane, with the resources that hold data
 * created in the emulators as the provider would create them on AWS: tables in DynamoDB, user
 * pools and their clients and groups in Cognito, secrets in Secrets Manager. Each hook is
 * idempotent (a table of the same name is kept with its items, a pool of the same name keeps
 * its id and users), so a run after an edit finds the data of the run before.
 *
 * A resource whose inputs are those it had in an earlier run of the same cloud is not sent
 * to its emulator again: it is answered as it was then, as `pulumi up` leaves a resource
 * without a diff alone (and, like `pulumi up` without `--refresh`, does not look whether it
 * was deleted behind its back). The emulators' round trips were most of a reload's time: a
 * table's are four requests, made while the program's evaluation holds the event loop.
 */
import { runProgram, type ProgramRun, type ProviderProperties } from "../controlPlane";
import { digestValue } from "./changes";
import { createTableFromInputs } from "../emulators";
import { PATH_FORM_PREFIX } from "./apiAddressing";
import type { LocalServices } from "./localServices";

/** Options of {@link runProgramInCloud}. */
export interface ProgramInCloudOptions {
  stack: string;
  /** The project folder (Pulumi.yaml). */
  projectDir: string;
  /** The program module. @default "<projectDir>/index.ts" */
  program?: string;
  /** Config values replacing the stack file's (`namespace:key` -> value). @default {} */
  configOverrides?: Record<string, unknown>;
  /**
   * Seeds every random name and id the control plane draws, so that a run of the same
   * program names its resources as the run before (local/state/stateSeed.ts).
   */
  randomSeed: string;
  /** Progress lines. @default none */
  log?: (line: string) => void;
  /** What earlier runs created, to answer unchanged resources from. @default none (every hook runs) */
  created?: CreatedResources;
}

type HookAnswer = (Record<string, unknown> & { id?: string }) | void;

/** The emulators' answers to earlier runs, by resource and the digest of what it was created from. */
export class CreatedResources {
  private readonly answers = new Map<string, { digest: string; answer: HookAnswer }>();

  /**
   * The answer of an earlier run for the same resource with the same inputs, or a new one
   * from `create` (kept for the next run when it succeeds).
   *
   * @param key - The resource's type and logical name.
   * @param source - What the resource is created from (its inputs and computed attributes).
   * @param create - Creates it in its emulator.
   */
  async answer(key: string, source: ProviderProperties, create: () => Promise<HookAnswer>): Promise<HookAnswer> {
    const digest = digestValue(source);
    const earlier = this.answers.get(key);
    if (earlier?.digest === digest) return earlier.answer;
    const answer = await create();
    this.answers.set(key, { digest, answer });
    return answer;
  }

  /**
   * Forgets a resource deleted from its emulator (a table the program dropped), so that a
   * later run declaring it again creates it.
   *
   * @param key - The resource's type and logical name.
   */
  forget(key: string): void {
    this.answers.delete(key);
  }
}

/** A run, with the tables it declared, for dropping those a later run removes. */
export interface ProgramInCloud {
  run: ProgramRun;
  /** Physical table name to the table's key (type and logical name). */
  tables: Map<string, string>;
}

/**
 * Runs the program, creating its data-holding resources in the services' emulators, with
 * invoke URLs pointing at the services' API port.
 *
 * @param services - The running emulators and the API's address.
 * @param options - Which program and stack, and the seed of its names.
 */
export async function runProgramInCloud(services: LocalServices, options: ProgramInCloudOptions): Promise<ProgramInCloud> {
  const log = options.log ?? (() => undefined);
  const tables = new Map<string, string>();
  let region = "us-east-1";
  const run = await runProgram({
    stack: options.stack,
    projectDir: options.projectDir,
    program: options.program,
    configOverrides: options.configOverrides,
    cloud: {
      // The path form of apiAddressing.ts, which every client resolves.
      invokeUrl: (apiId, stage, protocol) => `${protocol === "wss" ? services.apiBase.replace("http", "ws") : services.apiBase}${PATH_FORM_PREFIX}${apiId}/${stage}`,
      randomSeed: options.randomSeed,
    },
    onCreate: (type, name, inputs, computed) => {
      if (type === "aws:dynamodb/table:Table") tables.set(computed.name, `${type}::${name}`);
      const create = async (): Promise<HookAnswer> => {
        if (type === "aws:dynamodb/table:Table") {
          region = computed.region ?? computed.arn?.split(":")[3] ?? region;
          const outcome = await createTableFromInputs(services.dynamodb.url, region, computed.name, inputs);
          if (outcome !== "kept") log(`table ${computed.name} ${outcome} in the DynamoDB emulator`);
          return;
        }
        const userPoolResource = await services.cognito.createFromResource(type, inputs, computed);
        if (userPoolResource) return userPoolResource;
        return services.secretsManager.createFromResource(type, inputs, computed, name) ?? undefined;
      };
      return options.created ? options.created.answer(`${type}::${name}`, { inputs, computed }, create) : create();
    },
  });
  return { run, tables };
}
