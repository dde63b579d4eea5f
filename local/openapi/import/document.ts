/**
 * Reading an OpenAPI body as API Gateway's ImportRestApi / PutRestApi does: JSON or YAML, OpenAPI
 * 3.0 or Swagger 2.0, and the few places where the two dialects differ (AWS docs, "Develop REST
 * APIs using OpenAPI in API Gateway":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html).
 *
 * @module
 */
import { load } from "js-yaml";

/** A JSON object of the document. */
export type JsonObject = Record<string, unknown>;

/** The parsed body and its dialect. */
export interface ImportedDocument {
  /** `oas3` for `openapi: 3.0.x`, `swagger2` for `swagger: "2.0"`. */
  dialect: "oas3" | "swagger2";
  root: JsonObject;
}

/** What every refusal of a body starts with: the RestApi the program declared. */
export class BodyImportError extends Error {
  /**
   * @param apiName - The RestApi's logical name in the program.
   * @param problem - What is wrong, naming the field and its JSON path.
   */
  constructor(apiName: string, problem: string) {
    super(`RestApi ${JSON.stringify(apiName)} body: ${problem}`);
    this.name = "BodyImportError";
  }
}

/**
 * Parses a RestApi `body`. YAML is a superset of JSON, so one js-yaml load reads both (as API
 * Gateway accepts "OpenAPI definition JSON/YAML files", PutRestApi body).
 *
 * @param apiName - The RestApi's logical name, for the refusals.
 * @param body - The body as the program gave it.
 * @throws BodyImportError when it is not a document of a dialect API Gateway imports.
 */
export function parseBody(apiName: string, body: string): ImportedDocument {
  let root: unknown;
  try {
    root = load(body);
  } catch (err) {
    throw new BodyImportError(apiName, `is neither JSON nor YAML (${(err as Error).message.split("\n")[0]})`);
  }
  if (!isObject(root)) throw new BodyImportError(apiName, "is not an OpenAPI document (not an object)");
  if (typeof root.openapi === "string" && /^3\.0(\.\d+)?$/.test(root.openapi)) return { dialect: "oas3", root };
  if (String(root.swagger) === "2.0") return { dialect: "swagger2", root };
  // API Gateway's REST import reads OpenAPI 2.0 and 3.0 (the import guide above).
  const given = root.openapi !== undefined ? `openapi ${JSON.stringify(root.openapi)}` : root.swagger !== undefined ? `swagger ${JSON.stringify(root.swagger)}` : "no openapi or swagger field";
  throw new BodyImportError(apiName, `is not an OpenAPI 3.0 or Swagger 2.0 document (${given})`);
}

/**
 * Whether a value is a JSON object (not an array, not null).
 *
 * @param value - Any parsed value.
 */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The object at `key`, or an empty one when there is none (or something else).
 *
 * @param value - The object holding it.
 * @param key - The key.
 */
export function objectAt(value: JsonObject, key: string): JsonObject {
  const inner = value[key];
  return isObject(inner) ? inner : {};
}

/**
 * Follows a local `$ref` (`#/components/schemas/Pet`, `#/parameters/id`) to its target; a value
 * without `$ref` is itself.
 *
 * @param doc - The document.
 * @param value - The value that may be a reference.
 */
export function resolveRef(doc: ImportedDocument, value: unknown): unknown {
  let current = value;
  for (let depth = 0; isObject(current) && typeof current.$ref === "string" && depth < 32; depth++) {
    const ref = current.$ref;
    if (!ref.startsWith("#/")) return current;
    current = ref
      .slice(2)
      .split("/")
      .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<unknown>((node, part) => (isObject(node) ? node[part] : undefined), doc.root);
  }
  return current;
}

/**
 * The schemas models are made of: `components.schemas` (OAS 3) or `definitions` (Swagger 2).
 *
 * @param doc - The document.
 */
export function schemaDefinitions(doc: ImportedDocument): JsonObject {
  return doc.dialect === "oas3" ? objectAt(objectAt(doc.root, "components"), "schemas") : objectAt(doc.root, "definitions");
}

/**
 * The security schemes: `components.securitySchemes` (OAS 3) or `securityDefinitions` (Swagger 2), with their JSON path.
 *
 * @param doc - The document.
 */
export function securitySchemeDefinitions(doc: ImportedDocument): { schemes: JsonObject; path: string } {
  return doc.dialect === "oas3"
    ? { schemes: objectAt(objectAt(doc.root, "components"), "securitySchemes"), path: "components.securitySchemes" }
    : { schemes: objectAt(doc.root, "securityDefinitions"), path: "securityDefinitions" };
}

/**
 * The prefix of a `$ref` to a schema in this dialect.
 *
 * @param doc - The document.
 */
export function schemaRefPrefix(doc: ImportedDocument): string {
  return doc.dialect === "oas3" ? "#/components/schemas/" : "#/definitions/";
}
