/**
 * `npm run bench [-- <name>...]`: runs the benchmarks (all by default, in this order), each
 * printing its figures side by side with its baseline, measured in the same run. Each is also
 * runnable alone: `npx ts-node --transpile-only bench/<name>.ts`.
 */
import { benchArchives } from "./archives";
import { benchColdStart } from "./coldstart";
import { benchFanout } from "./fanout";
import { benchGateway } from "./gateway";
import { benchLambdaHosts } from "./lambdaHosts";
import { benchReload } from "./reload";
import { benchStartup } from "./startup";
import { benchThrottle } from "./throttle";

const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  gateway: benchGateway,
  throttle: benchThrottle,
  archives: benchArchives,
  coldstart: benchColdStart,
  "lambda-hosts": benchLambdaHosts,
  fanout: benchFanout,
  startup: benchStartup,
  reload: benchReload,
};

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(`error: unknown benchmark ${unknown.join(", ")}\nusage: npm run bench [-- ${Object.keys(BENCHMARKS).join("|")} ...]\n`);
    return 2;
  }
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) await BENCHMARKS[name]();
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
