import type { ValidateFunction } from "ajv";
import Ajv from "ajv-draft-04";

// ---------------------------------------------------------------------------------------------
// Required parameters
// ---------------------------------------------------------------------------------------------

/**
 * AWS lists missing parameters headers first, then path, then query string — not in declaration
 * order [recorded: `[x-header-param, issuer, qs1]`]. Within a location, by name (LocalStack's
 * parity implementation sorts; AWS's order there is not recorded). The multi-value locations
 * rank with their single-value ones (not confirmed).
 */
const LOCATION_RANK: Record<string, number> = { header: 0, multivalueheader: 0, path: 1, querystring: 2, multivaluequerystring: 2 };

/**
 * Required method request parameters (from the method's requestParameters map,
 * `method.request.<location>.<name>: true`) missing or blank in the request, in AWS's order:
 * headers, then path, then querystring. Header matching is case-insensitive.
 *
 * "Blank" is empty or whitespace only: AWS's guide says required parameters must be
 * "included and not blank"; no recorded response pins down whitespace, so this follows the
 * usual (Java `isBlank`) meaning.
 */
export function missingRequiredParameters(
  requestParameters: Record<string, boolean>,
  request: {
    headers: Record<string, string | undefined>;
    pathParameters: Record<string, string>;
    queryStringParameters: Record<string, string | undefined>;
  },
): string[] {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers)) {
    // Two spellings of one header: either one being filled in is enough.
    if (value !== undefined && !isBlank(value)) headers.set(name.toLowerCase(), value);
  }
  const missing: Array<{ rank: number; name: string }> = [];
  for (const [key, required] of Object.entries(requestParameters)) {
    if (required !== true) continue;
    const match = /^method\.request\.(header|multivalueheader|path|querystring|multivaluequerystring)\.(.+)$/s.exec(key);
    if (!match) continue;
    const [, location, name] = match;
    const value = location.endsWith("header")
      ? headers.get(name.toLowerCase())
      : location === "path"
        ? ownValue(request.pathParameters, name)
        : ownValue(request.queryStringParameters, name);
    if (value === undefined || isBlank(value)) missing.push({ rank: LOCATION_RANK[location], name });
  }
  missing.sort((a, b) => a.rank - b.rank || compareCodeUnits(a.name, b.name));
  return missing.map((m) => m.name);
}

/** The message AWS answers with: body `{"message": "Missing required request parameters: [a, b]"}`. */
export function missingParametersMessage(names: string[]): string {
  return `Missing required request parameters: [${names.join(", ")}]`;
}

function isBlank(value: string): boolean {
  return value.trim() === "";
}

// ---------------------------------------------------------------------------------------------
// Choosing the model
// ---------------------------------------------------------------------------------------------

/**
 * The model a body is validated against: the one mapped to the request's media type
 * (`application/json; charset=utf-8` → `application/json`, case-insensitive); else the
 * `application/json` model, which AWS applies when there is no Content-Type [recorded] and,
 * as taken here (not recorded), to a media type without a model of its own; else a `$default`
 * one. Undefined when the method maps none of these: the body is then not validated (AWS may
 * apply its Empty model instead; not recorded).
 */
export function selectRequestModel(requestModels: Record<string, string>, contentType: string | undefined): string | undefined {
  const byType = new Map(Object.entries(requestModels).map(([type, model]) => [type.toLowerCase(), model]));
  const media = contentType?.split(";")[0].trim().toLowerCase();
  return (media ? byType.get(media) : undefined) ?? byType.get("application/json") ?? byType.get("$default");
}

// ---------------------------------------------------------------------------------------------
// Body validation
// ---------------------------------------------------------------------------------------------

/** Where model schemas live for `$ref`s between models. */
const MODEL_BASE_URI = "https://apigateway.amazonaws.com/restapis/local/models/";
/** How a model refers to another: `https://apigateway.amazonaws.com/restapis/{id}/models/{name}`. */
const AWS_MODEL_REF = /^https?:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/#?]+)(#.*)?$/;
const DRAFT_04 = /^https?:\/\/json-schema\.org\/draft-04\/schema#?$/;
/** Decimal places to which a quotient must be whole for multipleOf (ajv's option, mirrored below). */
const MULTIPLE_OF_PRECISION = 9;

/** A model as the Model resource stores it. */
export interface ModelDefinition {
  name: string;
  contentType: string;
  /** JSON text of a JSON Schema draft 4. */
  schema: string;
}

export type BodyValidation = { valid: true } | { valid: false; validationErrorString: string };

/**
 * Validates request bodies against an API's models (JSON Schema draft 4, as API Gateway).
 * Models are compiled once, when the validator is made; models may `$ref` one another by
 * their API Gateway URL.
 *
 * The verdict comes from ajv. `validationErrorString` imitates API Gateway's, which comes from
 * the Java json-schema-validator (com.github.fge): see {@link describeViolations}.
 */
export class ModelValidator {
  // multipleOfPrecision: Java divides decimals exactly (0.3 is a multiple of 0.1 there); plain
  // float division would say no.
  private readonly ajv = new Ajv({ strict: false, logger: false, multipleOfPrecision: MULTIPLE_OF_PRECISION });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly schemas = new Map<string, unknown>();

  /** @throws Error naming the model whose schema is not JSON or does not compile. */
  constructor(models: ModelDefinition[]) {
    for (const [name, format] of Object.entries(FORMATS)) this.ajv.addFormat(name, { type: "string", validate: format.test });
    for (const model of models) {
      if (this.schemas.has(modelUri(model.name))) throw new Error(`model "${model.name}" is defined twice`);
      const schema = parseModelSchema(model);
      this.schemas.set(modelUri(model.name), schema);
      try {
        this.ajv.addSchema(schema, modelUri(model.name));
      } catch (err) {
        throw new Error(`model "${model.name}": schema does not compile: ${(err as Error).message}`);
      }
    }
    // Compiled after all are added, so that references between models resolve.
    for (const model of models) {
      try {
        this.validators.set(model.name, this.ajv.getSchema(modelUri(model.name)) as ValidateFunction);
      } catch (err) {
        throw new Error(`model "${model.name}": schema does not compile: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Validates a body against the named model. An empty body is validated as `{}` (so a model
   * with required properties refuses it, as AWS does [recorded]); a body that is not JSON is
   * invalid.
   */
  validate(modelName: string, body: string): BodyValidation {
    const validator = this.validators.get(modelName);
    if (!validator) throw new Error(`unknown model "${modelName}" (known: ${[...this.validators.keys()].join(", ") || "none"})`);
    let instance: unknown;
    try {
      instance = body === "" ? {} : JSON.parse(body);
    } catch (err) {
      // Not confirmed: AWS's text here would come from its JSON parser (Jackson).
      return { valid: false, validationErrorString: `[Invalid JSON: ${(err as Error).message}]` };
    }
    try {
      if (validator(instance)) return { valid: true };
      const violations = describeViolations(this.schemas, modelUri(modelName), instance);
      // The two validators should agree; if ajv alone objects, say what it found.
      const messages = violations.length > 0 ? violations : (validator.errors ?? []).map((e) => `${e.instancePath || "instance"} ${e.message}`);
      return { valid: false, validationErrorString: `[${messages.join(", ")}]` };
    } catch (err) {
      // A body nested deeper than the stack (against a recursive model) is refused, not a crash.
      if (err instanceof RangeError) return { valid: false, validationErrorString: "[instance is nested too deeply]" };
      throw err;
    }
  }
}

function modelUri(name: string): string {
  return MODEL_BASE_URI + encodeURIComponent(name);
}

function parseModelSchema(model: ModelDefinition): Record<string, unknown> {
  let schema: unknown;
  try {
    schema = JSON.parse(model.schema);
  } catch (err) {
    throw new Error(`model "${model.name}": schema is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(schema)) throw new Error(`model "${model.name}": schema must be a JSON object`);
  // Draft 4 is what API Gateway implements; the validator knows it without the declaration.
  if (typeof schema.$schema === "string" && DRAFT_04.test(schema.$schema)) delete schema.$schema;
  rewriteModelRefs(schema);
  return schema;
}

/** Points references to other models at where this validator keeps them. */
function rewriteModelRefs(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteModelRefs(item);
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      const ref = key === "$ref" && typeof value === "string" ? AWS_MODEL_REF.exec(value) : null;
      if (ref) node[key] = modelUri(decodeURIComponent(ref[1])) + (ref[2] ?? "");
      else rewriteModelRefs(value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// AWS-style violation messages
// ---------------------------------------------------------------------------------------------

/**
 * The violations of a schema by an instance, worded and ordered as the Java
 * json-schema-validator (com.github.fge, 2.2) that API Gateway uses reports them; API Gateway
 * puts them, comma-separated, in brackets in `$context.error.validationErrorString`
 * (`[object has missing required properties (["email"])]`).
 *
 * As that validator does, at each instance node the keywords are checked in alphabetical order
 * (then `format`); an object's members are visited in name order, an array's items in index
 * order; once any violation is reported the validator no longer descends into children (it
 * runs without "deep check"), so sibling leaves are still reported but nested objects are not;
 * allOf / anyOf / oneOf / not give one summary message, not their branches' violations.
 * Message texts are fge's validation.properties. Not confirmed against AWS: the exact join
 * (taken to be Java's `List.toString`, ", "), and that warnings (unknown formats) are left out.
 * Known gaps: a JSON number written with a fraction (`1.0`) is "number" to Jackson but an
 * integer here; formats other than email, date-time, uri and ipv4 are ignored.
 */
function describeViolations(schemas: Map<string, unknown>, rootUri: string, instance: unknown): string[] {
  const report: string[] = [];
  new ViolationWalker(schemas).check({ uri: rootUri, node: schemas.get(rootUri) }, instance, report);
  return report;
}

type NodeType = "array" | "boolean" | "integer" | "null" | "number" | "object" | "string";
/** fge's NodeType order, used when it lists types. */
const NODE_TYPES: NodeType[] = ["array", "boolean", "integer", "null", "number", "object", "string"];
type Json = Record<string, unknown>;

interface SchemaAt {
  /** The model document the schema belongs to, for `#...` references. */
  uri: string;
  node: unknown;
}

/** Keywords by the instance types they apply to, in the (alphabetical) order fge checks them. */
const KEYWORDS: Array<[string, NodeType[] | "any"]> = (
  [
    ["additionalItems", ["array"]],
    ["additionalProperties", ["object"]],
    ["allOf", "any"],
    ["anyOf", "any"],
    ["dependencies", ["object"]],
    ["enum", "any"],
    ["maxItems", ["array"]],
    ["maxLength", ["string"]],
    ["maxProperties", ["object"]],
    ["maximum", ["integer", "number"]],
    ["minItems", ["array"]],
    ["minLength", ["string"]],
    ["minProperties", ["object"]],
    ["minimum", ["integer", "number"]],
    ["multipleOf", ["integer", "number"]],
    ["not", "any"],
    ["oneOf", "any"],
    ["pattern", ["string"]],
    ["required", ["object"]],
    ["type", "any"],
    ["uniqueItems", ["array"]],
  ] as Array<[string, NodeType[] | "any"]>
).sort(([a], [b]) => compareCodeUnits(a, b));

class ViolationWalker {
  constructor(private readonly schemas: Map<string, unknown>) {}

  check(at: SchemaAt, instance: unknown, report: string[]): void {
    const resolved = this.resolve(at);
    if (!resolved || !isObject(resolved.node)) return;
    const schema = resolved.node;
    const type = nodeType(instance);
    for (const [keyword, types] of KEYWORDS) {
      if (!Object.hasOwn(schema, keyword) || (types !== "any" && !types.includes(type))) continue;
      this.checkKeyword(keyword, schema, resolved.uri, instance, report);
    }
    if (typeof schema.format === "string" && typeof instance === "string" && Object.hasOwn(FORMATS, schema.format)) {
      const format = FORMATS[schema.format];
      if (!format.test(instance)) report.push(format.message(instance));
    }
    if (report.length > 0) return;
    if (Array.isArray(instance)) this.checkItems(schema, resolved.uri, instance, report);
    else if (isObject(instance)) this.checkMembers(schema, resolved.uri, instance, report);
  }

  private checkKeyword(keyword: string, schema: Json, uri: string, instance: unknown, report: string[]): void {
    const value = schema[keyword];
    const sub = (node: unknown): SchemaAt => ({ uri, node });
    const matches = (node: unknown) => {
      const subReport: string[] = [];
      this.check(sub(node), instance, subReport);
      return subReport.length === 0;
    };
    switch (keyword) {
      case "additionalItems": {
        const items = schema.items;
        if (value === false && Array.isArray(items) && (instance as unknown[]).length > items.length) {
          report.push(`schema only allows ${items.length} elements in array but instance has ${(instance as unknown[]).length} elements`);
        }
        return;
      }
      case "additionalProperties": {
        if (value !== false) return;
        const unwanted = Object.keys(instance as Json)
          .filter((name) => !isDeclared(schema, name))
          .sort(compareCodeUnits);
        if (unwanted.length > 0) report.push(`object instance has properties which are not allowed by the schema: ${jacksonJson(unwanted)}`);
        return;
      }
      case "allOf":
      case "anyOf":
      case "oneOf": {
        if (!Array.isArray(value)) return;
        const matched = value.filter(matches).length;
        if (keyword === "allOf" && matched < value.length) report.push(`instance failed to match all required schemas (matched only ${matched} out of ${value.length})`);
        if (keyword === "anyOf" && matched === 0) report.push(`instance failed to match at least one required schema among ${value.length}`);
        if (keyword === "oneOf" && matched !== 1) report.push(`instance failed to match exactly one schema (matched ${matched} out of ${value.length})`);
        return;
      }
      case "not":
        if (matches(value)) report.push("instance matched a schema which it should not have");
        return;
      case "dependencies": {
        if (!isObject(value)) return;
        const object = instance as Json;
        for (const name of Object.keys(value).sort(compareCodeUnits)) {
          if (!Object.hasOwn(object, name)) continue;
          const dependency = value[name];
          if (Array.isArray(dependency)) {
            const missing = dependency.filter((d) => typeof d === "string" && !Object.hasOwn(object, d));
            if (missing.length > 0) {
              report.push(`property "${name}" of object has missing property dependencies (schema requires ${jacksonJson(dependency)}; missing: ${jacksonJson(missing)})`);
            }
          } else {
            this.check(sub(dependency), instance, report);
          }
        }
        return;
      }
      case "enum":
        if (Array.isArray(value) && !value.some((candidate) => jsonEqual(candidate, instance))) {
          report.push(`instance value (${jacksonJson(instance)}) not found in enum (possible values: ${jacksonJson(value)})`);
        }
        return;
      case "maxItems":
        if (typeof value === "number" && (instance as unknown[]).length > value) {
          report.push(`array is too long: must have at most ${value} elements but instance has ${(instance as unknown[]).length} elements`);
        }
        return;
      case "minItems":
        if (typeof value === "number" && (instance as unknown[]).length < value) {
          report.push(`array is too short: must have at least ${value} elements but instance has ${(instance as unknown[]).length} elements`);
        }
        return;
      case "maxLength": {
        // fge counts code points, not UTF-16 units.
        const length = [...(instance as string)].length;
        if (typeof value === "number" && length > value) report.push(`string "${instance}" is too long (length: ${length}, maximum allowed: ${value})`);
        return;
      }
      case "minLength": {
        const length = [...(instance as string)].length;
        if (typeof value === "number" && length < value) report.push(`string "${instance}" is too short (length: ${length}, required minimum: ${value})`);
        return;
      }
      case "maxProperties": {
        const count = Object.keys(instance as Json).length;
        if (typeof value === "number" && count > value) report.push(`object has too many properties (found ${count} but schema requires at most ${value})`);
        return;
      }
      case "minProperties": {
        const count = Object.keys(instance as Json).length;
        if (typeof value === "number" && count < value) report.push(`object has too few properties (found ${count} but schema requires at least ${value})`);
        return;
      }
      case "maximum": {
        if (typeof value !== "number") return;
        const n = instance as number;
        if (n > value) report.push(`numeric instance is greater than the required maximum (maximum: ${javaNumber(value)}, found: ${javaNumber(n)})`);
        else if (n === value && schema.exclusiveMaximum === true) report.push(`numeric instance is not strictly lower than the required maximum ${javaNumber(value)}`);
        return;
      }
      case "minimum": {
        if (typeof value !== "number") return;
        const n = instance as number;
        if (n < value) report.push(`numeric instance is lower than the required minimum (minimum: ${javaNumber(value)}, found: ${javaNumber(n)})`);
        else if (n === value && schema.exclusiveMinimum === true) report.push(`numeric instance is not strictly greater than the required minimum ${javaNumber(value)}`);
        return;
      }
      case "multipleOf":
        if (typeof value === "number" && value > 0 && !isMultipleOf(instance as number, value)) {
          report.push(`remainder of division is not zero (${javaNumber(instance as number)} / ${javaNumber(value)})`);
        }
        return;
      case "pattern":
        if (typeof value === "string" && !safeRegExp(value)?.test(instance as string)) {
          report.push(`ECMA 262 regex "${value}" does not match input string "${instance}"`);
        }
        return;
      case "required": {
        if (!Array.isArray(value)) return;
        const missing = [...new Set(value)].filter((name) => typeof name === "string" && !Object.hasOwn(instance as Json, name));
        if (missing.length > 0) report.push(`object has missing required properties (${jacksonJson(missing)})`);
        return;
      }
      case "type": {
        const allowed = new Set((Array.isArray(value) ? value : [value]).filter((t): t is NodeType => NODE_TYPES.includes(t as NodeType)));
        if (allowed.size === 0) return;
        if (allowed.has("number")) allowed.add("integer");
        if (!allowed.has(nodeType(instance))) {
          const listed = NODE_TYPES.filter((t) => allowed.has(t));
          report.push(`instance type (${nodeType(instance)}) does not match any allowed primitive type (allowed: ${jacksonJson(listed)})`);
        }
        return;
      }
      case "uniqueItems": {
        const items = instance as unknown[];
        if (value === true && items.some((item, i) => items.slice(i + 1).some((other) => jsonEqual(item, other)))) {
          report.push("array must not contain duplicate elements");
        }
        return;
      }
    }
  }

  private checkItems(schema: Json, uri: string, items: unknown[], report: string[]): void {
    items.forEach((item, i) => {
      const { items: itemSchema, additionalItems } = schema;
      let selected: unknown;
      if (isObject(itemSchema)) selected = itemSchema;
      else if (Array.isArray(itemSchema)) selected = i < itemSchema.length ? itemSchema[i] : isObject(additionalItems) ? additionalItems : undefined;
      if (selected !== undefined) this.check({ uri, node: selected }, item, report);
    });
  }

  private checkMembers(schema: Json, uri: string, object: Json, report: string[]): void {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const patterns = isObject(schema.patternProperties) ? schema.patternProperties : {};
    for (const name of Object.keys(object).sort(compareCodeUnits)) {
      const selected: unknown[] = [];
      if (Object.hasOwn(properties, name)) selected.push(properties[name]);
      for (const [pattern, patternSchema] of Object.entries(patterns)) {
        if (safeRegExp(pattern)?.test(name)) selected.push(patternSchema);
      }
      if (selected.length === 0 && isObject(schema.additionalProperties)) selected.push(schema.additionalProperties);
      for (const node of selected) this.check({ uri, node }, object[name], report);
    }
  }

  /** Follows `$ref`s (fge replaces a schema by its target, ignoring keywords beside `$ref`). */
  private resolve(at: SchemaAt): SchemaAt | undefined {
    const seen = new Set<string>();
    let current = at;
    while (isObject(current.node) && typeof current.node.$ref === "string") {
      const ref = current.node.$ref;
      const hash = ref.indexOf("#");
      const base = hash === -1 ? ref : ref.slice(0, hash);
      const fragment = hash === -1 ? "" : ref.slice(hash + 1);
      const uri = base === "" ? current.uri : base;
      if (seen.has(`${uri}#${fragment}`) || !this.schemas.has(uri)) return undefined;
      seen.add(`${uri}#${fragment}`);
      current = { uri, node: resolvePointer(this.schemas.get(uri), fragment) };
    }
    return current;
  }
}

function isDeclared(schema: Json, name: string): boolean {
  if (isObject(schema.properties) && Object.hasOwn(schema.properties, name)) return true;
  return isObject(schema.patternProperties) && Object.keys(schema.patternProperties).some((p) => safeRegExp(p)?.test(name));
}

function resolvePointer(document: unknown, fragment: string): unknown {
  if (fragment === "") return document;
  if (!fragment.startsWith("/")) return undefined;
  let node = document;
  for (const raw of fragment.slice(1).split("/")) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (Array.isArray(node) && /^\d+$/.test(token)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

function nodeType(value: unknown): NodeType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "boolean" || typeof value === "string") return typeof value as NodeType;
  return "object";
}

/** A JSON value as Jackson prints it (fge puts JsonNodes in messages). */
function jacksonJson(value: unknown): string {
  if (typeof value === "number") return javaNumber(value);
  if (Array.isArray(value)) return `[${value.map(jacksonJson).join(",")}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jacksonJson(v)}`).join(",")}}`;
  return JSON.stringify(value);
}

/**
 * A number as Jackson prints it: integers in full; other numbers are doubles, printed by Java's
 * `Double.toString` (scientific notation below 10^-3 and from 10^7). Whole numbers from 10^21 up
 * are taken to have been written with an exponent, which makes them doubles to Jackson.
 */
function javaNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  const magnitude = Math.abs(n);
  if (magnitude >= 1e-3 && magnitude < 1e7) return String(n);
  const [mantissa, exponent] = n.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exponent.replace("+", "")}`;
}

function isMultipleOf(value: number, divisor: number): boolean {
  const quotient = value / divisor;
  return Math.abs(Math.round(quotient) - quotient) <= Number(`1e-${MULTIPLE_OF_PRECISION}`);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

const regExps = new Map<string, RegExp | undefined>();
/** The pattern compiled as ajv compiles it (Unicode mode); undefined if it does not compile. */
function safeRegExp(pattern: string): RegExp | undefined {
  if (!regExps.has(pattern)) {
    let compiled: RegExp | undefined;
    try {
      compiled = new RegExp(pattern, "u");
    } catch {
      compiled = undefined;
    }
    regExps.set(pattern, compiled);
  }
  return regExps.get(pattern);
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------------------

/**
 * RFC 5322 addr-spec without comments or folding: a dot-atom or quoted local part, and a
 * domain of dot-separated labels or a [literal]. A one-label domain (`a@b`) is valid, as in
 * fge's validator (javax.mail `InternetAddress`, strict).
 */
const EMAIL =
  /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*|"(?:[^"\\\r\n]|\\.)*")@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[^[\]\\\r\n]*\])$/;

/** fge's (Joda) date-time parser: seconds required, 1–12 fraction digits, Z or ±hh[:]mm. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})t(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,12})?(?:z|[+-](\d{2}):?(\d{2}))$/i;
const DATE_TIME_FORMATS = "[yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]";

function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  const offsetOk = m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
  return daysInMonth !== undefined && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetOk;
}

/** Characters of a URI part: unreserved, sub-delims, `extra`, `%XX` escapes, non-ASCII letters. */
function uriPart(extra: string): RegExp {
  return new RegExp(String.raw`^(?:[A-Za-z0-9\-._~!$&'()*+,;=${extra}]|%[0-9A-Fa-f]{2}|[^\x00-\x7F\p{Cc}\p{Z}])*$`, "u");
}
const URI_PATH = uriPart(":@/");
const URI_QUERY = uriPart(String.raw`:@/?[\]`);
const URI_USERINFO = uriPart(":");
const URI_HOST = uriPart("");

/**
 * What `java.net.URI` (fge's check) accepts, approximately: any URI reference, relative ones
 * included; a scheme must be well-formed and followed by something; brackets only around an
 * IPv6 host and in the query or fragment; one `#`.
 */
function isUri(value: string): boolean {
  const [beforeFragment, ...fragments] = value.split("#");
  if (fragments.length > 1 || (fragments.length === 1 && !URI_QUERY.test(fragments[0]))) return false;
  const queryAt = beforeFragment.indexOf("?");
  if (queryAt !== -1 && !URI_QUERY.test(beforeFragment.slice(queryAt + 1))) return false;
  let rest = queryAt === -1 ? beforeFragment : beforeFragment.slice(0, queryAt);
  const scheme = /^([^/]*?):/.exec(rest);
  if (scheme) {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme[1]) || value.length === scheme[0].length) return false;
    rest = rest.slice(scheme[0].length);
  }
  if (rest.startsWith("//")) {
    const pathAt = rest.indexOf("/", 2);
    const authority = rest.slice(2, pathAt === -1 ? undefined : pathAt);
    rest = pathAt === -1 ? "" : rest.slice(pathAt);
    const at = authority.lastIndexOf("@");
    if (at !== -1 && !URI_USERINFO.test(authority.slice(0, at))) return false;
    const hostPort = /^(\[[0-9A-Fa-f:.]+\]|[^[\]]*?)(?::[0-9]*)?$/.exec(authority.slice(at + 1));
    if (!hostPort || (!hostPort[1].startsWith("[") && !URI_HOST.test(hostPort[1]))) return false;
  }
  return URI_PATH.test(rest);
}

/** Four decimal octets, no leading zeros (Guava `InetAddresses`, which fge uses). */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The formats checked, with fge's messages. Any other format is ignored, as API Gateway does
 * (fge only warns about formats it does not know).
 */
const FORMATS: Record<string, { test: (value: string) => boolean; message: (value: string) => string }> = {
  email: { test: (v) => EMAIL.test(v), message: (v) => `string "${v}" is not a valid email address` },
  "date-time": { test: isDateTime, message: (v) => `string "${v}" is invalid against requested date format(s) ${DATE_TIME_FORMATS}` },
  uri: { test: isUri, message: (v) => `string "${v}" is not a valid URI` },
  ipv4: { test: (v) => IPV4.test(v), message: (v) => `string "${v}" is not a valid IPv4 address` },
};
