/**
 * A value as the rules' messages quote it: numbers as written (`NaN`, `Infinity` too, which
 * JSON would print as null), everything else as JSON (strings in quotes). Internal: not
 * re-exported by the module's index.
 *
 * @param value - The value refused.
 */
export function shown(value: unknown): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}
