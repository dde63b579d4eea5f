/**
 * Stage names (API Gateway API reference, CreateStage `stageName`: letters, digits, hyphens and
 * underscores, up to 128 characters; HTTP APIs also have the auto-deployed `$default` stage).
 */
import { shown } from "./shownValue";

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** The HTTP API stage served at the API's root, without a path segment. */
export const HTTP_API_DEFAULT_STAGE = "$default";

/**
 * Why a value is not a stage name, naming it `at`; undefined when it is one.
 *
 * @param value - The value read.
 * @param at - The argument path or config key, e.g. `stage.name`.
 * @param options - `allowDefault`: the HTTP API's `$default` stage is a name too. @default { allowDefault: false }
 */
export function stageNameProblem(value: unknown, at: string, options: { allowDefault?: boolean } = {}): string | undefined {
  if (typeof value === "string" && (STAGE_NAME.test(value) || (options.allowDefault && value === HTTP_API_DEFAULT_STAGE))) return undefined;
  const allowed = `1-128 letters, digits, '-' or '_'`;
  return `${at} must be ${options.allowDefault ? `"${HTTP_API_DEFAULT_STAGE}" or ${allowed}` : allowed} (got ${shown(value)})`;
}
