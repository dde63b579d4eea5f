import { Compile, Helper, parse } from "velocityjs";

/**
 * The mapping-template (VTL) engine of the local REST gateway: velocityjs, bent to behave like
 * API Gateway's Java Velocity (apigw-behavior.md, "Mapping templates (VTL)", and the [recorded]
 * vectors in aws-recorded/apigateway-responses.json).
 *
 * Where velocityjs's JavaScript semantics differ from Java Velocity, the compiler below overrides
 * them: what a value prints as (null as empty, maps as `{k=v}`), `==`, truthiness, integer
 * arithmetic, the Java methods of strings, lists and maps, `#foreach` (AWS's 1,000-iteration
 * limit), `#break`, and unknown macros; and templates Java Velocity would not parse (a block
 * without `#end`, a stray `#end` or `#else`) are refused instead of rendered. It overrides
 * velocityjs 2.1's internal methods, so a velocityjs upgrade wants this file's spec run.
 *
 * @example
 * const { output, responseOverride } = renderMappingTemplate(template, { body, params, context });
 */

/** What a template reads. */
export interface TemplateInput {
  /** Raw body text: the method request body for request templates, the integration response body for response templates. "" when none. */
  body: string;
  /** The METHOD REQUEST parameters (in request and response templates alike), by location. Header names as the client sent them. */
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
  /**
   * `$context`: accountId, apiId, httpMethod, path, resourcePath, stage, requestId, requestTime,
   * requestTimeEpoch, identity{sourceIp,userAgent,apiKey,...}, authorizer{principalId, claims{...}, <key>},
   * error{message, messageString, validationErrorString, responseType}, ... any nested plain object.
   * `requestOverride` / `responseOverride`, when present (those a request template set, handed on
   * to the response template), are what the template starts from. Never modified.
   */
  context: Record<string, unknown>;
  /** `$stageVariables`. @default {} */
  stageVariables?: Record<string, string>;
}

/** What a template produced. */
export interface TemplateResult {
  output: string;
  /** $context.responseOverride.status / .header.<name> set by the template. */
  responseOverride: { status?: number; headers: Record<string, string> };
  /** $context.requestOverride.header.<name> / .querystring.<name> / .path.<name> set by the template. */
  requestOverride: { headers: Record<string, string>; querystring: Record<string, string>; path: Record<string, string> };
  /**
   * `$context.requestOverride` and `$context.responseOverride` whole, as the template left them
   * (keys beyond header / status included): what a request template hands on to the response
   * template's `$context`.
   */
  contextOverrides: { requestOverride: Record<string, unknown>; responseOverride: Record<string, unknown> };
}

/** A template that fails to parse or render (the gateway answers 500 for it). */
export class MappingTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MappingTemplateError";
  }
}

/** AWS's limit on the iterations of one `#foreach` (apigw-behavior.md, Limits). */
export const FOREACH_ITERATION_LIMIT = 1000;

/**
 * Largest `[a..b]` range a template may build. Not an AWS limit: it keeps a typo such as
 * `[1..100000000]` from freezing the local gateway while it allocates.
 */
const RANGE_LIMIT = 100_000;

/** Parsed templates (and JSONPaths) kept; the gateway renders the same few thousands of times a second. */
const CACHE_LIMIT = 1000;

/**
 * Renders a mapping template. Throws {@link MappingTemplateError} — and nothing else — when the
 * template does not parse, fails while rendering (a Java method would throw, `#foreach` runs past
 * 1,000 iterations, `$util.parseJson` of non-JSON, ...) or sets an impossible status override.
 */
export function renderMappingTemplate(template: string, input: TemplateInput): TemplateResult {
  const asts = parsedTemplate(template);
  // Text alone (no reference, no directive): the output is the text, nothing to evaluate.
  // Static templates such as a MOCK's `{"statusCode": 200}` take this path on every request.
  if (input.context.requestOverride === undefined && input.context.responseOverride === undefined && asts.every((ast) => typeof ast === "string")) {
    return {
      output: asts.join(""),
      responseOverride: { headers: {} },
      requestOverride: { headers: {}, querystring: {}, path: {} },
      contextOverrides: { requestOverride: { header: {}, querystring: {}, path: {} }, responseOverride: { header: {} } },
    };
  }
  const context = copyContext(input.context);
  const root: Record<string, unknown> = Object.create(null);
  rootObjects.add(root);
  root.input = new InputVariable(input.body, input.params);
  root.util = new UtilVariable();
  root.context = context;
  root.stageVariables = copyPlain(input.stageVariables ?? {});
  try {
    const output = new AwsTemplateCompiler(asts).render(root, {}, false);
    return { output, ...readOverrides(context) };
  } catch (error) {
    throw asTemplateError(error, "failed");
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing, cached

type ParsedTemplate = { asts: unknown[] } | { error: MappingTemplateError };
const templateCache = new Map<string, ParsedTemplate>();

function parsedTemplate(template: string): unknown[] {
  let parsed = templateCache.get(template);
  if (parsed === undefined) {
    try {
      const asts = parse(template) as unknown[];
      checkBlockStructure(template, asts);
      parsed = { asts };
    } catch (error) {
      // A broken template stays broken: remember the error rather than re-parse per request.
      parsed = { error: asTemplateError(error, "does not parse") };
    }
    remember(templateCache, template, parsed);
  }
  if ("error" in parsed) throw parsed.error;
  return parsed.asts;
}

const END_PROBE = "__apigwTemplateEnd__";

/**
 * Refuses what Java Velocity refuses to parse but velocityjs renders: a block (#if, #foreach,
 * #macro, #define) never closed — velocityjs renders its body twice — an #end closing nothing —
 * velocityjs silently drops the rest of the template — and an #else or #elseif outside #if.
 * A probe directive appended to the template must come out as the last top-level node, once.
 */
function checkBlockStructure(template: string, asts: unknown[]): void {
  const probed = parse(`${template}\n#set($${END_PROBE} = 0)`) as unknown[];
  const isProbe = (node: unknown) => (node as { type?: string; equal?: { id?: string }[] } | null)?.equal?.[0]?.id === END_PROBE;
  let probes = 0;
  const countProbes = (nodes: unknown[]): void => {
    for (const node of nodes) {
      if (Array.isArray(node)) countProbes(node);
      else if (isProbe(node)) probes++;
    }
  };
  countProbes(probed);
  if (probes !== 1 || !isProbe(probed[probed.length - 1])) {
    throw new Error("every #if, #foreach, #macro and #define needs its #end, and every #end a block to close");
  }
  const checkElses = (nodes: unknown[], inIf: boolean): void => {
    for (const node of nodes) {
      if (Array.isArray(node)) checkElses(node, (node[0] as { type?: string } | undefined)?.type === "if");
      else if (!inIf && ["else", "elseif"].includes((node as { type?: string } | null)?.type ?? "")) {
        throw new Error("#else or #elseif outside #if");
      }
    }
  };
  checkElses(asts, false);
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}

function asTemplateError(error: unknown, what: string): MappingTemplateError {
  if (error instanceof MappingTemplateError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new MappingTemplateError(`Mapping template ${what}: ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// $context in, overrides out

function copyContext(context: Record<string, unknown>): Record<string, unknown> {
  const copy = copyPlain(context) as Record<string, unknown>;
  const requestOverride = isJavaMap(copy.requestOverride) ? copy.requestOverride : {};
  for (const section of ["header", "querystring", "path"]) {
    if (!isJavaMap(requestOverride[section])) requestOverride[section] = {};
  }
  const responseOverride = isJavaMap(copy.responseOverride) ? copy.responseOverride : {};
  if (!isJavaMap(responseOverride.header)) responseOverride.header = {};
  copy.requestOverride = requestOverride;
  copy.responseOverride = responseOverride;
  return copy;
}

function readOverrides(context: Record<string, unknown>): Pick<TemplateResult, "responseOverride" | "requestOverride" | "contextOverrides"> {
  const response = mapOrEmpty(context.responseOverride);
  const request = mapOrEmpty(context.requestOverride);
  const status = overrideStatus(response.status);
  return {
    contextOverrides: { requestOverride: request, responseOverride: response },
    responseOverride: status === undefined ? { headers: stringValues(response.header) } : { status, headers: stringValues(response.header) },
    requestOverride: {
      headers: stringValues(request.header),
      querystring: stringValues(request.querystring),
      path: stringValues(request.path),
    },
  };
}

function overrideStatus(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const status = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new MappingTemplateError(`$context.responseOverride.status must be an HTTP status code (got ${javaString(value)})`);
  }
  return status;
}

/** An override map as header or parameter values; a list (several values) joins with commas, as HTTP does. */
function stringValues(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(mapOrEmpty(value))) {
    if (v === null || v === undefined) continue;
    setOwn(out, name, Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined).map(javaString).join(",") : javaString(v));
  }
  return out;
}

function mapOrEmpty(value: unknown): Record<string, unknown> {
  return isJavaMap(value) ? value : {};
}

// ---------------------------------------------------------------------------------------------
// Values as Java sees them. Strings, numbers, booleans and null are themselves; a plain object is
// a java.util.Map, an array a java.util.List.

/**
 * Lists from JSON ($input.path, $util.parseJson). AWS's JSONPath provider builds json-smart
 * JSONArrays, whose toString is compact JSON — `[{"foo":"bar"}]` [recorded] — while its maps are
 * LinkedHashMaps printing `{foo=bar}`. Lists a template builds print the Java way, `[a, b]`.
 */
const jsonLists = new WeakSet<unknown[]>();

/** The root objects of renders: `$foo()` is not a method of anything. */
const rootObjects = new WeakSet<object>();

function isJavaMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof TemplateBuiltin);
}

function ownValue(map: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** Sets a key even when it is `__proto__` (JSON may carry one). */
function setOwn(map: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A deep copy of plain data, so a template's `#set` never reaches the caller's objects. */
function copyPlain(value: unknown): unknown {
  if (Array.isArray(value)) {
    const copy = value.map(copyPlain);
    if (jsonLists.has(value)) jsonLists.add(copy);
    return copy;
  }
  if (isJavaMap(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(copy, key, copyPlain(value[key]));
    return copy;
  }
  return value;
}

/** A value as Java's `toString()` writes it (null, inside a collection, as "null"). */
function javaString(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
      return String(value);
    case "object":
      if (Array.isArray(value)) return jsonLists.has(value) ? jsonText(value) : `[${value.map(javaString).join(", ")}]`;
      if (value instanceof TemplateBuiltin) return "";
      return `{${Object.keys(value).map((k) => `${k}=${javaString((value as Record<string, unknown>)[k])}`).join(", ")}}`;
    default:
      return "";
  }
}

/** Compact JSON, as $input.json writes it. */
function jsonText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value) ?? "null";
}

/**
 * Velocity truthiness: only null and false are false. An empty string or 0 is true (Velocity
 * 1.x, which API Gateway runs), unlike JavaScript.
 */
function truthy(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false;
}

/**
 * `==` the way API Gateway evaluates it: null equals null and — an AWS quirk [recorded: a missing
 * `$input.path` equals both `$null` and `""`] — the empty string; numbers compare by value,
 * collections by content, and values of different types by their string forms (Velocity 1.x).
 */
function javaEquals(a: unknown, b: unknown): boolean {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return (aNull && bNull) || a === "" || b === "";
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (typeof a === typeof b && typeof a !== "object") return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => javaEquals(x, b[i]));
  if (isJavaMap(a) && isJavaMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && javaEquals(a[k], b[k]));
  }
  return javaString(a) === javaString(b);
}

/** `+ - * / %` as Velocity computes them: integer division for integers, null when undefined. */
function arithmetic(operator: string, a: unknown, b: unknown): unknown {
  if (operator === "+" && (typeof a === "string" || typeof b === "string")) {
    return printed(a) + printed(b);
  }
  if (typeof a !== "number" || typeof b !== "number") return null;
  switch (operator) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) return null;
      return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
    case "%":
      if (b === 0) return null;
      return a % b;
    default:
      return null;
  }
}

/** A value as a reference prints it: null prints empty (API Gateway's rule, [recorded]). */
function printed(value: unknown): string {
  return value === null || value === undefined ? "" : javaString(value);
}

// ---------------------------------------------------------------------------------------------
// Java methods on template values

/**
 * Calls `name(args)` on a value as Java would: String, List and Map methods, the $input / $util
 * built-ins. A method Java does not have — or not for these arguments — answers undefined (the
 * reference then prints empty), as Velocity finds no method; a call Java would throw on (an index
 * out of range, a bad regular expression) throws {@link MappingTemplateError}.
 */
function callJavaMethod(target: unknown, name: string, args: unknown[]): unknown {
  if (target === null || target === undefined) return undefined;
  if (target instanceof TemplateBuiltin) return target.invoke(name, args);
  if (typeof target === "string") return stringMethod(target, name, args);
  if (typeof target === "number") return numberMethod(target, name, args);
  if (typeof target === "boolean") return commonMethod(target, name, args);
  if (Array.isArray(target)) return listMethod(target, name, args);
  if (typeof target === "object" && !rootObjects.has(target)) return mapMethod(target as Record<string, unknown>, name, args);
  return undefined;
}

/** Whether the arguments fit a Java signature: "int" an integer, "str" a string, "any" anything. */
function fits(args: unknown[], ...signature: ("int" | "str" | "any")[]): boolean {
  return (
    args.length === signature.length &&
    signature.every((kind, i) => kind === "any" || (kind === "int" ? Number.isInteger(args[i]) : typeof args[i] === "string"))
  );
}

function outOfRange(call: string, size: number): MappingTemplateError {
  return new MappingTemplateError(`${call}: index out of range (size ${size})`);
}

function commonMethod(target: unknown, name: string, args: unknown[]): unknown {
  if (name === "toString" && fits(args)) return javaString(target);
  if (name === "equals" && fits(args, "any")) return typeof target === typeof args[0] && javaEquals(target, args[0]);
  if (name === "hashCode" && fits(args)) return javaHashCode(javaString(target));
  return undefined;
}

function stringMethod(s: string, name: string, args: unknown[]): unknown {
  const [a, b] = args as [string, string];
  const [i, j] = args as [number, number];
  switch (name) {
    case "length":
      return fits(args) ? s.length : undefined;
    case "isEmpty":
      return fits(args) ? s.length === 0 : undefined;
    case "trim":
      return fits(args) ? javaTrim(s) : undefined;
    case "toLowerCase":
      return fits(args) ? s.toLowerCase() : undefined;
    case "toUpperCase":
      return fits(args) ? s.toUpperCase() : undefined;
    case "contains":
      return fits(args, "str") ? s.includes(a) : undefined;
    case "startsWith":
      return fits(args, "str") ? s.startsWith(a) : fits(args, "str", "int") ? s.startsWith(a, j) : undefined;
    case "endsWith":
      return fits(args, "str") ? s.endsWith(a) : undefined;
    case "indexOf":
      return fits(args, "str") ? s.indexOf(a) : fits(args, "str", "int") ? s.indexOf(a, j) : undefined;
    case "lastIndexOf":
      return fits(args, "str") ? s.lastIndexOf(a) : fits(args, "str", "int") ? s.lastIndexOf(a, j) : undefined;
    case "concat":
      return fits(args, "str") ? s + a : undefined;
    case "equalsIgnoreCase":
      return fits(args, "any") ? typeof a === "string" && s.toLowerCase() === a.toLowerCase() : undefined;
    case "compareTo":
      return fits(args, "str") ? javaCompare(s, a) : undefined;
    case "charAt":
      if (!fits(args, "int")) return undefined;
      if (i < 0 || i >= s.length) throw outOfRange(`String.charAt(${i})`, s.length);
      return s.charAt(i);
    case "substring": {
      if (!fits(args, "int") && !fits(args, "int", "int")) return undefined;
      const end = args.length > 1 ? j : s.length;
      if (i < 0 || end > s.length || i > end) throw outOfRange(`String.substring(${i}, ${end})`, s.length);
      return s.substring(i, end);
    }
    case "replace":
      // Java's replace(CharSequence, CharSequence) replaces every occurrence, literally.
      return fits(args, "str", "str") ? s.split(a).join(b) : undefined;
    case "replaceAll":
      return fits(args, "str", "str") ? s.replace(javaRegex(a, "g"), javaReplacement(b)) : undefined;
    case "replaceFirst":
      return fits(args, "str", "str") ? s.replace(javaRegex(a, ""), javaReplacement(b)) : undefined;
    case "matches":
      return fits(args, "str") ? javaRegex(`^(?:${a})$`, "").test(s) : undefined;
    case "split":
      return fits(args, "str") ? javaSplit(s, a, 0) : fits(args, "str", "int") ? javaSplit(s, a, j) : undefined;
    default:
      return commonMethod(s, name, args);
  }
}

function numberMethod(n: number, name: string, args: unknown[]): unknown {
  switch (name) {
    case "intValue":
    case "longValue":
      return fits(args) ? Math.trunc(n) : undefined;
    case "doubleValue":
    case "floatValue":
      return fits(args) ? n : undefined;
    case "compareTo":
      return typeof args[0] === "number" && args.length === 1 ? Math.sign(n - args[0]) : undefined;
    default:
      return commonMethod(n, name, args);
  }
}

function listMethod(list: unknown[], name: string, args: unknown[]): unknown {
  const [i, j] = args as [number, number];
  const index = (call: string, k: number, size = list.length) => {
    if (k < 0 || k >= size) throw outOfRange(`List.${call}(${k})`, list.length);
    return k;
  };
  switch (name) {
    case "size":
      return fits(args) ? list.length : undefined;
    case "isEmpty":
      return fits(args) ? list.length === 0 : undefined;
    case "get":
      return fits(args, "int") ? list[index("get", i)] : undefined;
    case "contains":
      return fits(args, "any") ? list.some((x) => javaEquals(x, args[0])) : undefined;
    case "indexOf":
      return fits(args, "any") ? list.findIndex((x) => javaEquals(x, args[0])) : undefined;
    case "add":
      if (fits(args, "any")) {
        list.push(args[0]);
        return true;
      }
      if (!fits(args, "int", "any")) return undefined;
      list.splice(index("add", i, list.length + 1), 0, args[1]);
      return undefined;
    case "addAll":
      if (!fits(args, "any") || !Array.isArray(args[0])) return undefined;
      pushAll(list, args[0]);
      return args[0].length > 0;
    case "set": {
      if (!fits(args, "int", "any")) return undefined;
      const previous = list[index("set", i)];
      list[i] = args[1];
      return previous;
    }
    case "remove": {
      // remove(int) removes at an index, remove(Object) the first equal element.
      if (fits(args, "int")) return list.splice(index("remove", i), 1)[0];
      if (!fits(args, "any")) return undefined;
      const found = list.findIndex((x) => javaEquals(x, args[0]));
      if (found >= 0) list.splice(found, 1);
      return found >= 0;
    }
    case "clear":
      if (!fits(args)) return undefined;
      list.length = 0;
      return undefined;
    case "subList":
      if (!fits(args, "int", "int")) return undefined;
      if (i < 0 || j > list.length || i > j) throw outOfRange(`List.subList(${i}, ${j})`, list.length);
      return list.slice(i, j);
    default:
      return commonMethod(list, name, args);
  }
}

function mapMethod(map: Record<string, unknown>, name: string, args: unknown[]): unknown {
  const key = printed(args[0]);
  const has = Object.prototype.hasOwnProperty.call(map, key);
  switch (name) {
    case "get":
      // A HashMap: exact keys. `$input.params().header.get("origin")` misses an "Origin" header.
      return fits(args, "any") ? ownValue(map, key) : undefined;
    case "getOrDefault":
      return fits(args, "any", "any") ? (has ? map[key] : args[1]) : undefined;
    case "containsKey":
      return fits(args, "any") ? has : undefined;
    case "containsValue":
      return fits(args, "any") ? Object.values(map).some((v) => javaEquals(v, args[0])) : undefined;
    case "keySet":
      return fits(args) ? Object.keys(map) : undefined;
    case "values":
      return fits(args) ? Object.values(map) : undefined;
    case "entrySet":
      return fits(args) ? Object.keys(map).map((k) => ({ key: k, value: map[k] })) : undefined;
    case "size":
      return fits(args) ? Object.keys(map).length : undefined;
    case "isEmpty":
      return fits(args) ? Object.keys(map).length === 0 : undefined;
    case "put": {
      if (!fits(args, "any", "any")) return undefined;
      const previous = ownValue(map, key);
      setOwn(map, key, args[1]);
      return previous;
    }
    case "putAll":
      if (fits(args, "any") && isJavaMap(args[0])) for (const k of Object.keys(args[0])) setOwn(map, k, args[0][k]);
      return undefined;
    case "remove": {
      if (!fits(args, "any")) return undefined;
      const previous = ownValue(map, key);
      if (has) delete map[key];
      return previous;
    }
    case "clear":
      if (fits(args)) for (const k of Object.keys(map)) delete map[k];
      return undefined;
    default:
      return commonMethod(map, name, args);
  }
}

/** `$value.name` (no parentheses): a map's entry, a built-in's property, or a Java bean property. */
function propertyOf(base: unknown, name: string): unknown {
  if (base === null || base === undefined) return undefined;
  if (base instanceof TemplateBuiltin) return base.property(name);
  if (isJavaMap(base)) return ownValue(base, name);
  // Velocity resolves `$list.empty` / `$string.empty` to isEmpty().
  if (name === "empty") return callJavaMethod(base, "isEmpty", []);
  return undefined;
}

/** `$value[index]` (Velocity 1.7 index notation; a negative index counts from the end). */
function indexOf(base: unknown, index: unknown): unknown {
  if (Array.isArray(base) && typeof index === "number" && Number.isInteger(index)) {
    const i = index < 0 ? base.length + index : index;
    if (i < 0 || i >= base.length) throw new MappingTemplateError(`[${index}]: index out of range (size ${base.length})`);
    return base[i];
  }
  if (isJavaMap(base)) return ownValue(base, printed(index));
  return undefined;
}

function javaCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * A java.util.regex pattern as a JavaScript RegExp. The common syntax is shared; the Java-only
 * pieces templates use are translated: leading inline flags `(?i)`, `\Q...\E` quoting, `\A` / `\z`.
 */
function javaRegex(pattern: string, flags: string): RegExp {
  let source = pattern;
  let allFlags = flags;
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]) if (f !== "x" && !allFlags.includes(f)) allFlags += f;
  }
  source = source
    .replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, quoted: string) => quoted.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
    .replace(/\\A/g, "^")
    .replace(/\\[zZ]/g, "$");
  try {
    return new RegExp(source, allFlags);
  } catch (error) {
    throw new MappingTemplateError(`Invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}

/** A java.util.regex.Matcher replacement string (`$1`, `${name}`, `\$`) as a replacer function. */
function javaReplacement(replacement: string): (match: string, ...rest: unknown[]) => string {
  return (match, ...rest) => {
    const last = rest[rest.length - 1];
    const named = typeof last === "object" && last !== null ? (last as Record<string, string | undefined>) : undefined;
    const groupCount = rest.length - (named ? 3 : 2);
    const group = (n: number) => (n === 0 ? match : ((rest[n - 1] as string | undefined) ?? ""));
    let out = "";
    for (let i = 0; i < replacement.length; i++) {
      const c = replacement[i];
      if (c === "\\") {
        i++;
        if (i >= replacement.length) throw new MappingTemplateError("Replacement string ends with a lone backslash");
        out += replacement[i];
      } else if (c === "$") {
        if (replacement[i + 1] === "{") {
          const close = replacement.indexOf("}", i);
          const name = close < 0 ? "" : replacement.slice(i + 2, close);
          if (!named || !(name in named)) throw new MappingTemplateError(`No group named ${JSON.stringify(name)} in replacement`);
          out += named[name] ?? "";
          i = close;
        } else {
          let j = i + 1;
          if (!/[0-9]/.test(replacement[j] ?? "")) throw new MappingTemplateError("Illegal group reference in replacement string");
          // Java reads as many digits as still name an existing group.
          let n = Number(replacement[j]);
          while (j + 1 < replacement.length && /[0-9]/.test(replacement[j + 1]) && n * 10 + Number(replacement[j + 1]) <= groupCount) {
            n = n * 10 + Number(replacement[++j]);
          }
          if (n > groupCount) throw new MappingTemplateError(`No group ${n} in replacement string`);
          out += group(n);
          i = j;
        }
      } else {
        out += c;
      }
    }
    return out;
  };
}

/** String.split(regex, limit) with Java's rules: no leading empty piece from a zero-width match, trailing empties dropped for limit 0. */
function javaSplit(s: string, regex: string, limit: number): string[] {
  const re = javaRegex(regex, "g");
  const pieces: string[] = [];
  let index = 0;
  let match: RegExpExecArray | null;
  while ((limit <= 0 || pieces.length < limit - 1) && (match = re.exec(s)) !== null) {
    const end = match.index + match[0].length;
    if (match[0].length === 0) {
      re.lastIndex++;
      if (match.index === 0 || match.index >= s.length) continue;
    }
    pieces.push(s.slice(index, match.index));
    index = end;
  }
  if (index === 0 && pieces.length === 0) return [s];
  pieces.push(s.slice(index));
  if (limit === 0) while (pieces.length > 0 && pieces[pieces.length - 1] === "") pieces.pop();
  return pieces;
}

/** Java's String.trim(): every character up to U+0020 (control characters included) off both ends. */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

// ---------------------------------------------------------------------------------------------
// $input and $util

/** An object API Gateway provides ($input, $util): Java methods and properties, nothing else. */
abstract class TemplateBuiltin {
  abstract invoke(method: string, args: unknown[]): unknown;
  property(_name: string): unknown {
    return undefined;
  }
}

const NOT_JSON = Symbol("not JSON");

class InputVariable extends TemplateBuiltin {
  private parsedBody: unknown = undefined;
  private bodyParsed = false;
  private paramsCopy?: Record<string, Record<string, string>>;

  constructor(
    private readonly rawBody: string,
    private readonly params: TemplateInput["params"],
  ) {
    super();
  }

  /** An empty body reads as `{}` everywhere [recorded: `$input.body` renders `{}`, urlEncoded `%7B%7D`]. */
  private get body(): string {
    return this.rawBody === "" ? "{}" : this.rawBody;
  }

  property(name: string): unknown {
    return name === "body" ? this.body : undefined;
  }

  invoke(method: string, args: unknown[]): unknown {
    switch (method) {
      case "json":
        return this.json(args[0]);
      case "path":
        return this.path(args[0]);
      case "params":
        return args.length === 0 || args[0] === null || args[0] === undefined ? this.allParams() : this.param(printed(args[0]));
      case "getBody":
        return this.body;
      default:
        return undefined;
    }
  }

  /**
   * JSON text of a JSONPath's result; a missing path renders empty, a body that is not JSON is a
   * JSON string at `$`. The whole body is the client's own text without its whitespace, so numbers
   * beyond JavaScript's precision (64-bit ids) reach the integration intact.
   */
  private json(path: unknown): string {
    const compiled = compiledJsonPath(pathArgument(path));
    if (compiled.steps.length === 0 && this.document() !== NOT_JSON) return compactJson(this.body);
    const value = this.select(compiled);
    return value === undefined ? "" : jsonText(value);
  }

  /**
   * The JSONPath's result as a value (at `$` of a body that is not JSON, the raw text). Each call
   * answers a fresh copy, as re-reading the body would: a template's `#set` on one result does
   * not show in the next.
   */
  private path(path: unknown): unknown {
    return copyPlain(this.select(compiledJsonPath(pathArgument(path))));
  }

  private select(compiled: CompiledJsonPath): unknown {
    const document = this.document();
    if (document === NOT_JSON) return compiled.steps.length === 0 ? this.body : compiled.definite ? undefined : tagJsonList([]);
    return evaluateJsonPath(compiled, document);
  }

  private document(): unknown {
    if (!this.bodyParsed) {
      this.bodyParsed = true;
      try {
        this.parsedBody = tagJsonLists(JSON.parse(this.body));
      } catch {
        this.parsedBody = NOT_JSON;
      }
    }
    return this.parsedBody;
  }

  private allParams(): Record<string, Record<string, string>> {
    this.paramsCopy ??= {
      path: { ...this.params.path },
      querystring: { ...this.params.querystring },
      header: { ...this.params.header },
    };
    return this.paramsCopy;
  }

  /** Path, then query string, then header (by any case), as the mapping-template reference orders them. */
  private param(name: string): string | undefined {
    const { path, querystring, header } = this.params;
    if (Object.prototype.hasOwnProperty.call(path, name)) return path[name];
    if (Object.prototype.hasOwnProperty.call(querystring, name)) return querystring[name];
    if (Object.prototype.hasOwnProperty.call(header, name)) return header[name];
    const lower = name.toLowerCase();
    const headerName = Object.keys(header).find((h) => h.toLowerCase() === lower);
    return headerName === undefined ? undefined : header[headerName];
  }
}

class UtilVariable extends TemplateBuiltin {
  invoke(method: string, args: unknown[]): unknown {
    const value = args[0];
    if (method === "parseJson") return parseJsonArgument(value);
    if (value === null || value === undefined) {
      // [recorded] `$util.urlEncode($input.body.testAccess)` (null) renders empty.
      return undefined;
    }
    const text = printed(value);
    switch (method) {
      case "escapeJavaScript":
        return escapeJavaScript(text);
      case "urlEncode":
        return urlEncode(text);
      case "urlDecode":
        return urlDecode(text);
      case "base64Encode":
        return Buffer.from(javaUtf8(text)).toString("base64");
      case "base64Decode":
        return base64Decode(text);
      default:
        return undefined;
    }
  }
}

function pathArgument(path: unknown): string {
  return path === null || path === undefined ? "$" : printed(path);
}

/** Valid JSON text without the whitespace between its tokens (a scan, not a regex: bodies reach 10 MB). */
function compactJson(text: string): string {
  const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  const kept: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: its closing quote is the first one not preceded by an odd run of backslashes.
      const opening = i;
      for (;;) {
        const quote = text.indexOf('"', i + 1);
        if (quote < 0) return text; // not valid JSON after all: leave it alone
        let backslashes = 0;
        while (quote - 1 - backslashes > opening && text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
        i = quote;
        if (backslashes % 2 === 0) break;
      }
      i++;
    } else if (isSpace(c)) {
      kept.push(text.slice(start, i));
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      start = i;
    } else {
      i++;
    }
  }
  kept.push(text.slice(start));
  return kept.join("");
}

function parseJsonArgument(value: unknown): unknown {
  if (typeof value !== "string") throw new MappingTemplateError(`$util.parseJson needs a JSON string (got ${value === undefined ? "null" : printed(value) || "null"})`);
  try {
    return tagJsonLists(JSON.parse(value));
  } catch (error) {
    throw new MappingTemplateError(`$util.parseJson: invalid JSON (${(error as Error).message})`);
  }
}

function tagJsonList(list: unknown[]): unknown[] {
  jsonLists.add(list);
  return list;
}

function tagJsonLists(value: unknown): unknown {
  if (Array.isArray(value)) {
    tagJsonList(value);
    value.forEach(tagJsonLists);
  } else if (isJavaMap(value)) {
    for (const key of Object.keys(value)) tagJsonLists(value[key]);
  }
  return value;
}

const CONTROL_ESCAPES: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };

/**
 * Apache Commons Lang's StringEscapeUtils.escapeJavaScript, which AWS's `$util.escapeJavaScript`
 * is: `"` `\` `/` and control characters escaped, every non-ASCII UTF-16 unit as `\uXXXX` — and
 * `'` as `\'`, which the mapping-template reference warns is not valid JSON (templates undo it
 * with `.replaceAll("\\'","'")`).
 */
function escapeJavaScript(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) out += `\\u${hex4(code)}`;
    else if (code < 0x20) out += CONTROL_ESCAPES[code] ?? `\\u${hex4(code)}`;
    else if (code === 0x27) out += "\\'";
    else if (code === 0x22) out += '\\"';
    else if (code === 0x5c) out += "\\\\";
    else if (code === 0x2f) out += "\\/";
    else out += text[i];
  }
  return out;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, "0");
}

/** java.net.URLEncoder.encode(s, "UTF-8"): application/x-www-form-urlencoded, spaces as `+`. */
function urlEncode(text: string): string {
  let out = "";
  for (const byte of javaUtf8(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
    else if (byte === 0x20) out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** java.net.URLDecoder.decode(s, "UTF-8"): `+` is a space; a malformed `%` escape throws, as in Java. */
function urlDecode(text: string): string {
  const bytes: number[] = [];
  let out = "";
  const flush = () => {
    if (bytes.length > 0) out += Buffer.from(bytes).toString("utf8");
    bytes.length = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new MappingTemplateError(`$util.urlDecode: illegal escape at index ${i} of ${JSON.stringify(text)}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
      continue;
    }
    flush();
    out += c === "+" ? " " : c;
  }
  flush();
  return out;
}

/** java.util.Base64 decoding to UTF-8 text; padding optional, anything outside the alphabet throws, as in Java. */
function base64Decode(text: string): string {
  const unpadded = text.replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(unpadded) || unpadded.length % 4 === 1 || (unpadded !== text && text.length % 4 !== 0)) {
    throw new MappingTemplateError(`$util.base64Decode: not base64: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)}`);
  }
  return Buffer.from(unpadded, "base64").toString("utf8");
}

/** UTF-8 as Java's String.getBytes writes it: a lone surrogate becomes `?`. */
function javaUtf8(text: string): Buffer {
  return Buffer.from(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "?"), "utf8");
}

// ---------------------------------------------------------------------------------------------
// JSONPath: the subset templates use. `$`, `.name`, `['name']`, `[0]` (negative from the end),
// `[*]` / `.*`, `[0,2]`, `['a','b']`, `[1:3]`, `..name`. A path without `$` is relative to it
// (`name` = `$.name`), as in Jayway JsonPath. Filters `[?()]` are not supported.

type JsonPathStep =
  | { kind: "names"; names: string[] }
  | { kind: "indexes"; indexes: number[] }
  | { kind: "wildcard" }
  | { kind: "slice"; start?: number; end?: number; step: number }
  | { kind: "scan"; step: JsonPathStep };

interface CompiledJsonPath {
  steps: JsonPathStep[];
  /** One value or none (no wildcard, scan, slice or union): the result is that value, not a list. */
  definite: boolean;
}

const jsonPathCache = new Map<string, CompiledJsonPath>();

function compiledJsonPath(path: string): CompiledJsonPath {
  let compiled = jsonPathCache.get(path);
  if (compiled === undefined) {
    compiled = compileJsonPath(path);
    remember(jsonPathCache, path, compiled);
  }
  return compiled;
}

function compileJsonPath(original: string): CompiledJsonPath {
  const fail = (why: string): never => {
    throw new MappingTemplateError(`Invalid JSONPath ${JSON.stringify(original)}: ${why}`);
  };
  let path = original.trim();
  if (path === "") path = "$";
  if (!path.startsWith("$")) path = `$.${path}`;
  const steps: JsonPathStep[] = [];
  let i = 1;

  const readBracket = (): JsonPathStep => {
    i++; // [
    const skipSpaces = () => {
      while (path[i] === " ") i++;
    };
    skipSpaces();
    if (path[i] === "?" || path[i] === "(") fail("filters and script expressions are not supported");
    if (path[i] === "*") {
      i++;
      skipSpaces();
      if (path[i] !== "]") fail("expected ]");
      i++;
      return { kind: "wildcard" };
    }
    if (path[i] === "'" || path[i] === '"') {
      const names: string[] = [];
      for (;;) {
        const quote = path[i];
        if (quote !== "'" && quote !== '"') fail("expected a quoted name");
        let name = "";
        i++;
        while (i < path.length && path[i] !== quote) {
          if (path[i] === "\\") i++;
          name += path[i] ?? "";
          i++;
        }
        if (i >= path.length) fail("unterminated quoted name");
        i++;
        names.push(name);
        skipSpaces();
        if (path[i] === ",") {
          i++;
          skipSpaces();
          continue;
        }
        if (path[i] !== "]") fail("expected ]");
        i++;
        return { kind: "names", names };
      }
    }
    const close = path.indexOf("]", i);
    if (close < 0) fail("expected ]");
    const inside = path.slice(i, close).replace(/\s+/g, "");
    i = close + 1;
    if (inside.includes(":")) {
      const parts = inside.split(":");
      if (parts.length > 3 || parts.some((p) => p !== "" && !/^-?\d+$/.test(p))) fail(`bad slice [${inside}]`);
      const [start, end, step] = parts.map((p) => (p === "" ? undefined : Number(p)));
      if (step === 0) fail("slice step cannot be 0");
      return { kind: "slice", start, end, step: step ?? 1 };
    }
    const indexes = inside.split(",");
    if (indexes.some((p) => !/^-?\d+$/.test(p))) fail(`bad index [${inside}]`);
    return { kind: "indexes", indexes: indexes.map(Number) };
  };

  const readDotted = (): JsonPathStep => {
    if (path[i] === "*") {
      i++;
      return { kind: "wildcard" };
    }
    if (path[i] === "[") return readBracket();
    let name = "";
    while (i < path.length && path[i] !== "." && path[i] !== "[") name += path[i++];
    name = name.trim();
    if (name === "") fail("empty property name");
    if (name.endsWith(")")) fail("functions are not supported");
    return { kind: "names", names: [name] };
  };

  while (i < path.length) {
    if (path[i] === "." && path[i + 1] === ".") {
      i += 2;
      steps.push({ kind: "scan", step: readDotted() });
    } else if (path[i] === ".") {
      i++;
      steps.push(readDotted());
    } else if (path[i] === "[") {
      steps.push(readBracket());
    } else {
      fail(`unexpected ${JSON.stringify(path[i])} at ${i}`);
    }
  }
  const definite = steps.every((s) => (s.kind === "names" && s.names.length === 1) || (s.kind === "indexes" && s.indexes.length === 1));
  return { steps, definite };
}

function evaluateJsonPath(path: CompiledJsonPath, document: unknown): unknown {
  let nodes: unknown[] = [document];
  for (const step of path.steps) nodes = applyJsonPathStep(step, nodes);
  if (path.definite) return nodes.length > 0 ? nodes[0] : undefined;
  return tagJsonList(nodes);
}

function applyJsonPathStep(step: JsonPathStep, nodes: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const node of nodes) {
    switch (step.kind) {
      case "names":
        if (isJavaMap(node)) for (const name of step.names) if (Object.prototype.hasOwnProperty.call(node, name)) out.push(node[name]);
        break;
      case "indexes":
        if (Array.isArray(node)) {
          for (const index of step.indexes) {
            const i = index < 0 ? node.length + index : index;
            if (i >= 0 && i < node.length) out.push(node[i]);
          }
        }
        break;
      case "wildcard":
        if (Array.isArray(node)) pushAll(out, node);
        else if (isJavaMap(node)) pushAll(out, Object.values(node));
        break;
      case "slice":
        if (Array.isArray(node)) pushAll(out, sliceList(node, step));
        break;
      case "scan":
        pushAll(out, applyJsonPathStep(step.step, descendants(node)));
        break;
    }
  }
  return out;
}

function sliceList(list: unknown[], { start, end, step }: { start?: number; end?: number; step: number }): unknown[] {
  const len = list.length;
  const clamp = (n: number) => Math.min(Math.max(n < 0 ? len + n : n, step > 0 ? 0 : -1), step > 0 ? len : len - 1);
  const from = start === undefined ? (step > 0 ? 0 : len - 1) : clamp(start);
  const to = end === undefined ? (step > 0 ? len : -1) : clamp(end);
  const out: unknown[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) out.push(list[i]);
  return out;
}

/** The node and everything under it, in document order. */
function descendants(node: unknown): unknown[] {
  const out: unknown[] = [];
  const pending: unknown[] = [node];
  while (pending.length > 0) {
    const next = pending.pop();
    out.push(next);
    const children = Array.isArray(next) ? next : isJavaMap(next) ? Object.values(next) : [];
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
  }
  return out;
}

/** push(...items) without the argument-count limit a 100,000-item JSON list would hit. */
function pushAll(target: unknown[], items: unknown[]): void {
  for (const item of items) target.push(item);
}

// ---------------------------------------------------------------------------------------------
// The compiler: velocityjs's Compile with Java Velocity's semantics where they differ

/** The velocityjs internals the compiler overrides or uses (velocityjs declares them loosely or not at all). */
interface VelocityInternals {
  asts: unknown[];
  context: Record<string, unknown>;
  local: Record<string, Record<string, unknown> | undefined>;
  conditions: string[];
  contextId: string;
  defines: Record<string, unknown>;
  macrosStore: Record<string, unknown>;
  runState: { stop: boolean; break: boolean };
  render(context: Record<string, unknown>, macros: Record<string, unknown>, silence: boolean): string;
  renderAstList(asts?: unknown[], contextId?: string): string;
  getReferences(ast: ReferenceAst, isVal?: boolean): unknown;
  getAttributes(property: AttributeAst, baseRef: unknown, ast: ReferenceAst): unknown;
  getLiteral(ast: unknown): unknown;
  getExpression(ast: ExpressionAst): unknown;
  getArray(literal: ArrayAst): unknown[];
  getLocal(ast: ReferenceAst): { isLocal: boolean; value: unknown };
  getBlock(block: unknown[]): string;
  getBlockIf(block: unknown[]): string;
  getBlockEach(block: unknown[]): string;
  getMacro(ast: MacroCallAst, bodyContent?: string): string;
  setValue(ast: unknown): void;
}

interface ReferenceAst {
  type: "references";
  id: string;
  leader: string;
  path?: AttributeAst[];
  args?: unknown[];
}
/** velocityjs gives a method without arguments `args: false`. */
type AttributeAst = { type: "property"; id: string } | { type: "method"; id: string; args?: unknown[] | false } | { type: "index"; id: unknown };
interface ExpressionAst {
  type: string;
  operator?: string;
  expression?: ExpressionAst[];
}
interface ArrayAst {
  type: "array";
  value: unknown[];
  isRange?: boolean;
}
interface MacroCallAst {
  type: "macro_call";
  id: string;
}
interface ForeachAst {
  type: "foreach";
  from: object;
  to: string;
  pos?: unknown;
}
interface ConditionAst {
  type: string;
  condition?: ExpressionAst;
}

const VelocityCompile = Compile as unknown as new (asts: unknown[], config: object) => VelocityInternals;

const COMPILE_CONFIG = {
  // `#set($a = $missing)` makes $a null (which prints empty), as in API Gateway [recorded].
  valueMapper: (value: unknown) => (value === undefined ? null : value),
  // Every method call goes through Java's rules, never velocityjs's JavaScript fallbacks.
  customMethodHandlers: [
    {
      uid: "apigw: java methods",
      match: () => true,
      resolve: ({ property, params, context }: { property: string; params: unknown[]; context: unknown }) => callJavaMethod(context, property, params),
    },
  ],
};

let scopeCounter = 0;

class AwsTemplateCompiler extends VelocityCompile {
  constructor(asts: unknown[]) {
    super(asts, COMPILE_CONFIG);
  }

  /**
   * A reference's value, or as printed (isVal). Null prints empty when the reference's root is
   * known — `$context.nope`, `$input.path('$.missing')`, a variable set to null [recorded] — and as
   * the template's own text when the root itself is unknown (`$nope`), as Velocity does.
   */
  getReferences(ast: ReferenceAst, isVal?: boolean): unknown {
    const value = super.getReferences(ast, false);
    if (!isVal) return value;
    if (value !== null && value !== undefined) return javaString(value);
    return ast.leader === "$!" || this.isKnownRoot(ast) ? "" : Helper.getRefText(ast as never);
  }

  private isKnownRoot(ast: ReferenceAst): boolean {
    return Object.prototype.hasOwnProperty.call(this.context, ast.id) || this.getLocal(ast).isLocal || Array.isArray(this.defines[ast.id]);
  }

  getAttributes(property: AttributeAst, baseRef: unknown, _ast: ReferenceAst): unknown {
    if (baseRef === null || baseRef === undefined) return undefined;
    switch (property.type) {
      case "method":
        return callJavaMethod(baseRef, property.id, (property.args || []).map((arg) => this.getLiteral(arg)));
      case "property":
        return propertyOf(baseRef, property.id);
      default: {
        const key = property.id as { type: string; value?: unknown };
        return indexOf(baseRef, key.type === "references" ? this.getReferences(key as ReferenceAst) : this.getLiteral(key));
      }
    }
  }

  getExpression(ast: ExpressionAst): unknown {
    if (ast.type !== "math" || !ast.expression) return this.getLiteral(ast);
    const [left, right] = ast.expression;
    switch (ast.operator) {
      case "==":
        return javaEquals(this.getExpression(left), this.getExpression(right));
      case "!=":
        return !javaEquals(this.getExpression(left), this.getExpression(right));
      case "&&":
        return truthy(this.getExpression(left)) && truthy(this.getExpression(right));
      case "||":
        return truthy(this.getExpression(left)) || truthy(this.getExpression(right));
      case "not":
        return !truthy(this.getExpression(left));
      case "minus": {
        const value = this.getExpression(left);
        return typeof value === "number" ? -value : null;
      }
      case "+":
      case "-":
      case "*":
      case "/":
      case "%":
        return arithmetic(ast.operator, this.getExpression(left), this.getExpression(right));
      default:
        return super.getExpression(ast);
    }
  }

  getArray(literal: ArrayAst): unknown[] {
    if (literal.isRange) {
      const [from, to] = literal.value.map((end) =>
        typeof end === "string" ? parseInt(end, 10) : typeof end === "number" ? end : this.getReferences(end as ReferenceAst),
      );
      if (typeof from === "number" && typeof to === "number" && Math.abs(to - from) >= RANGE_LIMIT) {
        throw new MappingTemplateError(`Range [${from}..${to}] has more than ${RANGE_LIMIT} elements`);
      }
    }
    return super.getArray(literal);
  }

  /** Velocity's #if: only null and false are false. */
  getBlockIf(block: unknown[]): string {
    const chosen: unknown[] = [];
    let taken = false;
    for (const node of block) {
      const type = typeof node === "object" && node !== null ? (node as ConditionAst).type : undefined;
      if (type === "if" || type === "elseif" || type === "else") {
        if (taken) break;
        taken = type === "else" || truthy(this.getExpression((node as ConditionAst).condition as ExpressionAst));
      } else if (taken) {
        chosen.push(node);
      }
    }
    return this.renderAstList(chosen, this.contextId);
  }

  /** Velocity's #foreach, stopped at AWS's 1,000 iterations; lists, and a map's values, iterate. */
  getBlockEach(block: unknown[]): string {
    const ast = block[0] as ForeachAst;
    const from = this.getLiteral({ ...ast.from, pos: ast.pos });
    const items = Array.isArray(from) ? [...from] : isJavaMap(from) ? Object.values(from) : [];
    if (items.length === 0) return "";
    const body = block.slice(1);
    const scopeId = `foreach:apigw:${scopeCounter++}`;
    const scope: Record<string, unknown> = {};
    this.local[scopeId] = scope;
    let out = "";
    try {
      for (let i = 0; i < items.length && !this.runState.break && !this.runState.stop; i++) {
        if (i === FOREACH_ITERATION_LIMIT) {
          throw new MappingTemplateError(`#foreach over ${items.length} items: API Gateway stops a loop at ${FOREACH_ITERATION_LIMIT} iterations`);
        }
        scope[ast.to] = items[i];
        scope.foreach = { count: i + 1, index: i, hasNext: i + 1 < items.length, first: i === 0, last: i + 1 === items.length };
        scope.velocityCount = i + 1;
        out += this.renderAstList(body, scopeId);
      }
    } finally {
      this.runState.break = false;
      delete this.local[scopeId];
      this.conditions = this.conditions.filter((id) => id !== scopeId);
      this.contextId = this.conditions[0] ?? "";
    }
    return out;
  }

  /** As velocityjs's, but `#break` stops the rest of the block at once, as in Velocity. */
  renderAstList(asts: unknown[] = this.asts, contextId?: string): string {
    if (contextId) {
      if (contextId !== this.contextId && !this.conditions.includes(contextId)) this.conditions.unshift(contextId);
      this.contextId = contextId;
    } else {
      this.contextId = "";
    }
    let out = "";
    for (const ast of asts) {
      if (this.runState.stop || this.runState.break) break;
      if (typeof ast === "string") {
        out += ast;
        continue;
      }
      const node = ast as { type?: string; value?: string };
      switch (node.type) {
        case "references":
          out += this.getReferences(ast as ReferenceAst, true) as string;
          break;
        case "set":
          this.setValue(ast);
          break;
        case "break":
          this.runState.break = true;
          break;
        case "macro_call":
          out += this.getMacro(ast as MacroCallAst);
          break;
        case "comment":
          break;
        case "raw":
          out += node.value ?? "";
          break;
        default:
          out += this.getBlock(ast as unknown[]);
      }
    }
    return out;
  }

  /**
   * A call of an unknown macro (`#nope()`, and `#include` / `#parse` / `#evaluate`, which need
   * resources API Gateway has none of) prints as written, as Velocity does.
   */
  getMacro(ast: MacroCallAst, bodyContent?: string): string {
    if (ast.id === "stop" || Object.prototype.hasOwnProperty.call(this.macrosStore, ast.id)) return super.getMacro(ast, bodyContent);
    return Helper.getRefText(ast as never);
  }
}
