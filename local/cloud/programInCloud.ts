/**
 * One run of the user's program under the control plane, with the resources that hold data
 * created in the emulators as the provider would create them on AWS: tables in DynamoDB, user
 * pools and their clients and groups in Cognito, secrets in Secrets Manager. Each hook is
 * idempotent (a table of the same name is kept with its items, a pool of the same name keeps
 * its id and users), so a run after an edit finds the data of the run before.
 */
import { runProgram, type ProgramRun } from "../controlPlane";
import { createTableFromInputs } from "../emulators";
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
}

/** A run, with the tables it declared (physical names), for dropping those a later run removes. */
export interface ProgramInCloud {
  run: ProgramRun;
  tables: string[];
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
  const tables: string[] = [];
  let region = "us-east-1";
  const run = await runProgram({
    stack: options.stack,
    projectDir: options.projectDir,
    program: options.program,
    configOverrides: options.configOverrides,
    cloud: {
      invokeUrl: (_apiId, stage, protocol) => `${protocol === "wss" ? services.apiBase.replace("http", "ws") : services.apiBase}/${stage}`,
      randomSeed: options.randomSeed,
    },
    onCreate: async (type, name, inputs, computed) => {
      if (type === "aws:dynamodb/table:Table") {
        region = computed.region ?? computed.arn?.split(":")[3] ?? region;
        const outcome = await createTableFromInputs(services.dynamodb.url, region, computed.name, inputs);
        tables.push(computed.name);
        if (outcome !== "kept") log(`table ${computed.name} ${outcome} in the DynamoDB emulator`);
        return;
      }
      const userPoolResource = await services.cognito.createFromResource(type, inputs, computed);
      if (userPoolResource) return userPoolResource;
      return services.secretsManager.createFromResource(type, inputs, computed, name) ?? undefined;
    },
  });
  return { run, tables };
}
