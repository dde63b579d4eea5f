/**
 * Which `x-amazon-apigateway-*` extensions a body may use, where: the local cloud serves a body
 * only when it can honour every API Gateway extension in it, and refuses the others naming the
 * extension and its JSON path, rather than serve an API that AWS would serve differently.
 * Extensions of other vendors (`x-` without `amazon-apigateway-`) are ignored, as AWS ignores
 * them (AWS docs, "OpenAPI extensions for API Gateway":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html).
 *
 * @module
 */
import { BodyImportError, isObject, type JsonObject } from "./document";

const PREFIX = "x-amazon-apigateway-";

/**
 * The extensions honoured, by where they may appear. `documentation` is accepted because
 * documentation parts change no answer. Refused, among others: `-policy` (resource policies are
 * not emulated), `-endpoint-configuration` (`disableExecuteApiEndpoint`, VPC endpoints),
 * `-minimum-compression-size` (responses are not compressed), `-cors` and `-importexport-version`
 * (HTTP APIs only), `-auth` (IAM authorization is not emulated).
 */
const HONOURED = {
  document: ["api-key-source", "binary-media-types", "documentation", "gateway-responses", "request-validator", "request-validators"],
  pathItem: ["any-method"],
  operation: ["integration", "request-validator"],
  securityScheme: ["authorizer", "authtype"],
} as const;

type Location = keyof typeof HONOURED;

/** Every extension honoured somewhere, for the refusal's list. */
export const HONOURED_EXTENSIONS = [...new Set(Object.values(HONOURED).flat())].sort().map((name) => `${PREFIX}${name}`);

/**
 * Throws for the first API Gateway extension the local cloud does not honour where it stands.
 *
 * @param apiName - The RestApi's logical name, for the refusal.
 * @param root - The parsed document.
 * @throws BodyImportError naming the extension and its JSON path.
 */
export function checkExtensions(apiName: string, root: JsonObject): void {
  visit(root, []);

  /** Checks the extensions of `node` (at `path`) and below, skipping other vendors' extensions. */
  function visit(node: unknown, path: string[]): void {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, [...path, String(i)]));
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith(PREFIX)) {
        const location = locationOf(path);
        if (!location || !(HONOURED[location] as readonly string[]).includes(key.slice(PREFIX.length))) throw unsupported(apiName, key, path);
      } else if (!key.startsWith("x-")) {
        visit(value, [...path, key]);
      }
    }
  }
}

/**
 * The refusal of one extension (or one field of it), at a JSON path.
 *
 * @param apiName - The RestApi's logical name.
 * @param what - The extension, with the field and value when only those are refused (`x-amazon-apigateway-integration.connectionType VPC_LINK`).
 * @param path - The JSON path of the object holding it.
 */
export function unsupported(apiName: string, what: string, path: string[]): BodyImportError {
  return new BodyImportError(apiName, `${what} at ${jsonPath(path)} is not emulated by the local cloud (it serves ${HONOURED_EXTENSIONS.join(", ")})`);
}

/**
 * A JSON path in the dotted spelling of the refusals: `paths./pets.get`, or `the document root`.
 *
 * @param path - The keys from the root.
 */
export function jsonPath(path: string[]): string {
  return path.length === 0 ? "the document root" : path.join(".");
}

/**
 * Where in the document a JSON path stands, as far as extensions go.
 *
 * @param path - The keys from the root to the object holding the extension.
 * @returns undefined where no API Gateway extension is honoured.
 */
function locationOf(path: string[]): Location | undefined {
  if (path.length === 0) return "document";
  if (path[0] === "paths" && path.length === 2) return "pathItem";
  if (path[0] === "paths" && path.length === 3) return "operation";
  if (path.length === 3 && path[0] === "components" && path[1] === "securitySchemes") return "securityScheme";
  if (path.length === 2 && path[0] === "securityDefinitions") return "securityScheme";
  return undefined;
}
