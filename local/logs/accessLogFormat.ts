/**
 * API Gateway access-log formats: a stage's `accessLogSettings.format` with its `$context`
 * variables filled, one line per request, the way API Gateway writes them.
 *
 * The variables are those of the developer guide: REST APIs, "Variables for access logging for
 * API Gateway" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html,
 * which extends the `$context` of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference),
 * and HTTP APIs, "Customizing HTTP API access logs"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html).
 * A format names them as `$context.<name>[.<name>...]` (`$context.identity.sourceIp`,
 * `$context.authorizer.claims.sub`); each gateway hands the renderer its `$context` as nested
 * objects, so any variable it fills is found by its path.
 *
 * What AWS does, and so does this renderer:
 * - a variable without a value (unknown, not applicable, null, empty) is written `-`;
 * - an object is not a value (`$context.authorizer.claims` alone "returns null"): `-` too.
 * One local choice: in a JSON format (one that starts with `{`), a value inside a JSON string
 * is JSON-escaped, so that a user agent or an error message with a quote or a backslash keeps
 * the line valid JSON for whatever reads it. Values outside quotes are written as they are.
 */

/**
 * `$context` as an access log reads it: nested objects by variable path
 * (`{ identity: { sourceIp: "1.2.3.4" } }` fills `$context.identity.sourceIp`).
 */
export type AccessLogContext = Readonly<Record<string, unknown>>;

/** A compiled format: renders one request's line. */
export type AccessLogRenderer = (context: AccessLogContext) => string;

/**
 * The REST API console's CLF (Common Log Format) example, used when a REST stage declares no
 * accessLogSettings. As AWS prints it, without a space after `]`: "Access logging for REST
 * APIs", https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-access-logging.html.
 */
export const DEFAULT_REST_ACCESS_LOG_FORMAT =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId $context.extendedRequestId';

/**
 * The HTTP API console's CLF example, used when an HTTP API stage declares no
 * accessLogSettings: "Configure logging for HTTP APIs",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html.
 */
export const DEFAULT_HTTP_ACCESS_LOG_FORMAT =
  '$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" $context.status $context.responseLength $context.requestId';

/** What AWS writes for a variable without a value. */
const MISSING = "-";

/** `$context.a.b.c`: identifiers of letters, digits and `_` (the only special character AWS allows in a property). */
const VARIABLE = /\$context((?:\.[A-Za-z0-9_]+)+)/g;

/** One variable of a compiled format. */
interface Slot {
  path: readonly string[];
  /** Inside a JSON string of a JSON format: JSON-escaped. */
  escape: boolean;
}

/**
 * Compiles a format once, for a renderer called per request (the format is parsed here, not
 * on each line).
 *
 * @param format - The stage's `accessLogSettings.format`.
 * @returns Renders a request's `$context` into its line.
 * @example
 * const render = compileAccessLogFormat('{"id":"$context.requestId","status":"$context.status"}');
 * render({ requestId: "a1", status: 200 }); // {"id":"a1","status":"200"}
 */
export function compileAccessLogFormat(format: string): AccessLogRenderer {
  const literals: string[] = [];
  const slots: Slot[] = [];
  const json = format.trimStart().startsWith("{");
  const quotes = { inString: false };
  let at = 0;
  for (const match of format.matchAll(VARIABLE)) {
    const literal = format.slice(at, match.index!);
    literals.push(literal);
    if (json) trackJsonStrings(literal, quotes);
    slots.push({ path: match[1].slice(1).split("."), escape: json && quotes.inString });
    at = match.index! + match[0].length;
  }
  const last = format.slice(at);
  return (context) => {
    let line = "";
    for (let i = 0; i < slots.length; i++) line += literals[i] + shownValue(context, slots[i]);
    return line + last;
  };
}

/**
 * Renders one line (compiles the format each time: for one-off use; a gateway compiles once
 * with {@link compileAccessLogFormat}).
 *
 * @param format - The stage's `accessLogSettings.format`.
 * @param context - The request's `$context`.
 */
export function renderAccessLog(format: string, context: AccessLogContext): string {
  return compileAccessLogFormat(format)(context);
}

/**
 * Follows a JSON text's string literals: whether, after `text`, the writer is inside one.
 *
 * @param text - Literal text of the format, between two variables.
 * @param state - Whether the text before it ended inside a string; updated.
 */
function trackJsonStrings(text: string, state: { inString: boolean }): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (state.inString && c === BACKSLASH) i++;
    else if (c === QUOTE) state.inString = !state.inString;
  }
}

const QUOTE = 34;
const BACKSLASH = 92;

/** A variable's value as written: `-` when it has none; JSON-escaped inside a JSON string. */
function shownValue(context: AccessLogContext, slot: Slot): string {
  const text = valueText(lookUp(context, slot.path));
  return slot.escape ? JSON.stringify(text).slice(1, -1) : text;
}

/** The value at a variable's path; own properties only (`$context.constructor` is no variable). */
function lookUp(context: AccessLogContext, path: readonly string[]): unknown {
  let value: unknown = context;
  for (const name of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

function valueText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value === "" ? MISSING : value;
    case "number":
      return Number.isFinite(value) ? String(value) : MISSING;
    case "boolean":
    case "bigint":
      return String(value);
    default:
      return MISSING;
  }
}
