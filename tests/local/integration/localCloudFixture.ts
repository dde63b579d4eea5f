/**
 * A local cloud for the specs of one `describe`: started before them (on a free port, with a
 * state directory of its own), stopped after them; what its functions wrote is kept and
 * printed when a spec fails.
 */
import { startLocal, type LocalCloud, type StartLocalOptions } from "../../../local/startLocal";
import { removeDir, stateDirFor } from "./httpClient";

export interface LocalCloudFixture {
  /** The running cloud (throws before it has started). */
  readonly cloud: LocalCloud;
  /** `<fn>: <line>` for every line a function wrote. */
  readonly functionLines: string[];
  /** The cloud's state directory (outputs.json), `.local/test-<pid>-<name>`. */
  readonly stateDir: string;
}

/** Registers the hooks in the calling `describe`; `name` names its state directory. */
export function useLocalCloud(name: string, options: Omit<StartLocalOptions, "stateDir" | "port" | "functionLog">): LocalCloudFixture {
  const stateDir = stateDirFor(name);
  const functionLines: string[] = [];
  let cloud: LocalCloud | undefined;

  before(async function () {
    // Starting a local cloud (emulators, program run, function workers) takes seconds, far
    // more on a loaded CI machine.
    this.timeout(90_000);
    cloud = await startLocal({ ...options, port: 0, stateDir, functionLog: (fn, line) => functionLines.push(`${fn}: ${line}`) });
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && functionLines.length > 0) {
      process.stderr.write(`function output so far:\n${functionLines.slice(-30).join("\n")}\n`);
    }
  });

  after(async function () {
    this.timeout(30_000);
    try {
      await cloud?.stop();
    } finally {
      removeDir(stateDir);
    }
  });

  return {
    get cloud(): LocalCloud {
      if (!cloud) throw new Error(`the ${name} local cloud has not started`);
      return cloud;
    },
    functionLines,
    stateDir,
  };
}
