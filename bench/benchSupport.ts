/**
 * What the benchmarks share: the project root, limits out of the way, the median of rounds,
 * and their markdown tables.
 */
import * as path from "node:path";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * Limits far above any load a benchmark offers, for the stage, methods and plans it does not
 * measure: a refusal there would measure the limit, not the path.
 */
export const UNLIMITED_THROTTLE = { rateLimit: 1_000_000, burstLimit: 1_000_000 };
/** The same for the gateways' account-level throttle (`startLocal`'s `accountThrottle`). */
export const UNLIMITED_ACCOUNT_THROTTLE = { rate: 1_000_000, burst: 1_000_000 };

/** The middle value (the upper of the two middles for an even count): a noisy round moves it least. */
export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** A GitHub markdown table; the columns whose index is in `rightAligned` hold figures. */
export function markdownTable(header: string[], rows: string[][], rightAligned: number[] = []): string {
  const separator = header.map((_, i) => (rightAligned.includes(i) ? "---:" : "---"));
  return [header, separator, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** `12345.6` -> `12,346`: figures people compare at a glance. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

export function passOrFail(pass: boolean): string {
  return pass ? "PASS" : "FAIL";
}

/**
 * Runs a benchmark when its file is run alone (`npx ts-node --transpile-only bench/<name>.ts`):
 * exit 0 when it ends, 1 with the error when it fails.
 */
export function runWhenMain(module: NodeJS.Module, bench: () => Promise<unknown>): void {
  if (require.main !== module) return;
  bench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
