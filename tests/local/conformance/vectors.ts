/**
 * Loading and comparing the AWS-recorded vectors of tests/fixtures/aws-recorded/ (format and
 * matching rules in that folder's README.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const VECTOR_DIR = path.join(__dirname, "..", "..", "fixtures", "aws-recorded");

export interface VectorRequest {
  method: string;
  /** Stage included, query string included: sent as-is after the API's origin. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  bodyBase64?: string;
}

export interface VectorResponse {
  status?: number;
  /** Subset: each named header must be present (names case-insensitive) and match. */
  headers?: Record<string, string>;
  /** Headers that must not be present. */
  absentHeaders?: string[];
  /** Text body, compared exactly (placeholders allowed). */
  body?: string;
  /** Binary body, base64 of the exact bytes expected. */
  bodyBase64?: string;
  /** Header name -> regular expression (JavaScript syntax) its value must match. */
  headerMatches?: Record<string, string>;
  /** JSON body, compared structurally with exact key sets. */
  json?: unknown;
  /** JSON body of which only these top-level fields are compared (structurally). */
  jsonFields?: Record<string, unknown>;
  /** Top-level arrays of the JSON body compared without regard to order. */
  unorderedArrays?: string[];
}

export interface Vector {
  id: string;
  source: string;
  recorded: string;
  /** The conformance program serving the request; null for checks without a running cloud. */
  program: string | null;
  request: VectorRequest & Record<string, unknown>;
  response: VectorResponse & Record<string, unknown>;
  check?: string;
  note?: string;
}

export interface VectorFile {
  file: string;
  description: string;
  vectors: Vector[];
}

export function loadVectorFiles(): VectorFile[] {
  return fs
    .readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith(".json") && f !== "known-differences.json")
    .sort()
    .map((file) => ({ file, ...(JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, file), "utf8")) as Omit<VectorFile, "file">) }));
}

/** Vector id -> why the local cloud does not match it yet. */
export function loadKnownDifferences(): Record<string, string> {
  const entries = JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, "known-differences.json"), "utf8")) as { differences: Array<{ id: string; reason: string }> };
  return Object.fromEntries(entries.differences.map((d) => [d.id, d.reason]));
}

const PLACEHOLDER = /<[^<>\s]+>/g;
const WHOLE_PLACEHOLDER = /^<[^<>\s]+>$/;

/**
 * Compares `actual` with `expected`, pushing one line per difference. A string that is wholly
 * a placeholder (`<uuid:1>`) matches any present non-null value; placeholders with a `:n`
 * suffix must take the same value everywhere in one vector (`bindings`). Placeholders inside a
 * string (`AmazonAPIGateway_<apigw-id:1>`) match one or more characters.
 */
export function compareValue(expected: unknown, actual: unknown, at: string, diffs: string[], bindings: Map<string, unknown>): void {
  if (typeof expected === "string" && WHOLE_PLACEHOLDER.test(expected)) {
    if (actual === undefined || actual === null) diffs.push(`${at}: expected a value (${expected}), got ${show(actual)}`);
    else bind(expected, actual, at, diffs, bindings);
    return;
  }
  if (typeof expected === "string" && PLACEHOLDER.test(expected)) {
    PLACEHOLDER.lastIndex = 0;
    const names: string[] = [];
    const pattern = expected.split(PLACEHOLDER).map(escapeRegExp).join("(.+)");
    for (const m of expected.matchAll(PLACEHOLDER)) names.push(m[0]);
    const match = typeof actual === "string" ? new RegExp(`^${pattern}$`, "s").exec(actual) : null;
    if (!match) diffs.push(`${at}: expected ${show(expected)}, got ${show(actual)}`);
    else names.forEach((name, i) => bind(name, match[i + 1], at, diffs, bindings));
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return void diffs.push(`${at}: expected an array ${show(expected)}, got ${show(actual)}`);
    if (actual.length !== expected.length) return void diffs.push(`${at}: expected ${show(expected)}, got ${show(actual)}`);
    expected.forEach((e, i) => compareValue(e, actual[i], `${at}[${i}]`, diffs, bindings));
    return;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return void diffs.push(`${at}: expected an object, got ${show(actual)}`);
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!(key in a)) diffs.push(`${at}.${key}: missing (expected ${show(e[key])})`);
      else compareValue(e[key], a[key], `${at}.${key}`, diffs, bindings);
    }
    for (const key of Object.keys(a)) if (!(key in e)) diffs.push(`${at}.${key}: unexpected (got ${show(a[key])})`);
    return;
  }
  if (expected !== actual) diffs.push(`${at}: expected ${show(expected)}, got ${show(actual)}`);
}

function bind(name: string, value: unknown, at: string, diffs: string[], bindings: Map<string, unknown>): void {
  if (!/:\d+>$/.test(name)) return;
  if (!bindings.has(name)) bindings.set(name, value);
  else if (JSON.stringify(bindings.get(name)) !== JSON.stringify(value)) diffs.push(`${at}: ${name} was ${show(bindings.get(name))} elsewhere, here ${show(value)}`);
}

/** What came back over HTTP. */
export interface Observed {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Every difference between the recorded response and the observed one (empty: they match). */
export function compareResponse(expected: VectorResponse, observed: Observed): string[] {
  const diffs: string[] = [];
  const bindings = new Map<string, unknown>();
  if (expected.status !== undefined && expected.status !== observed.status) diffs.push(`status: expected ${expected.status}, got ${observed.status}`);
  const lower = new Map(Object.entries(observed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const got = lower.get(name.toLowerCase());
    if (got === undefined) diffs.push(`header ${name}: missing (expected ${show(value)})`);
    else compareValue(value, got, `header ${name}`, diffs, bindings);
  }
  for (const [name, pattern] of Object.entries(expected.headerMatches ?? {})) {
    const got = lower.get(name.toLowerCase());
    if (got === undefined) diffs.push(`header ${name}: missing (expected to match /${pattern}/)`);
    else if (!new RegExp(pattern).test(got)) diffs.push(`header ${name}: expected to match /${pattern}/, got ${show(got)}`);
  }
  for (const name of expected.absentHeaders ?? []) {
    if (lower.has(name.toLowerCase())) diffs.push(`header ${name}: expected absent, got ${show(lower.get(name.toLowerCase()))}`);
  }
  if (expected.bodyBase64 !== undefined && !observed.body.equals(Buffer.from(expected.bodyBase64, "base64"))) {
    diffs.push(`body: expected the bytes of base64 ${show(expected.bodyBase64)}, got base64 ${show(observed.body.toString("base64"))}`);
  }
  const text = observed.body.toString("utf8");
  if (expected.body !== undefined) compareValue(expected.body, text, "body", diffs, bindings);
  if (expected.json !== undefined || expected.jsonFields !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      diffs.push(`body: expected JSON, got ${show(text.slice(0, 200))}`);
      return diffs;
    }
    for (const key of expected.unorderedArrays ?? []) sortArray(parsed, key);
    if (expected.json !== undefined) {
      const want = structuredClone(expected.json);
      for (const key of expected.unorderedArrays ?? []) sortArray(want, key);
      compareValue(want, parsed, "body", diffs, bindings);
    }
    for (const [key, value] of Object.entries(expected.jsonFields ?? {})) {
      const got = parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>)[key] : undefined;
      if (got === undefined) diffs.push(`body.${key}: missing (expected ${show(value)})`);
      else compareValue(value, got, `body.${key}`, diffs, bindings);
    }
  }
  return diffs;
}

function sortArray(value: unknown, key: string): void {
  const list = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  if (Array.isArray(list)) list.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function show(value: unknown): string {
  const s = value === undefined ? "undefined" : JSON.stringify(value);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
