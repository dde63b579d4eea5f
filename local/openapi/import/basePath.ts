/**
 * The base path of an imported document, and what it adds in front of each path, per the
 * RestApi's `parameters.basepath` (`ignore`, the default, `prepend` or `split`): AWS docs, "Set the
 * OpenAPI basePath property":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html.
 * The provider passes the RestApi's `parameters` to PutRestApi ("Map of customizations for
 * importing the specification in the body argument", @pulumi/aws RestApiArgs).
 *
 * @module
 */
import { BodyImportError, isObject, type ImportedDocument } from "./document";

/**
 * The prefix the paths of the document get: none with `ignore`; the whole base path with
 * `prepend`; the base path without its first part (taken for the stage) with `split`.
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param doc - The document.
 * @param parameters - The RestApi's `parameters` input. @default {} (basepath ignore)
 * @returns `""` or a path like `/b/c`.
 */
export function pathPrefix(apiName: string, doc: ImportedDocument, parameters: unknown = {}): string {
  const mode = isObject(parameters) && typeof parameters.basepath === "string" ? parameters.basepath.toLowerCase() : "ignore";
  if (mode !== "ignore" && mode !== "prepend" && mode !== "split") {
    throw new BodyImportError(apiName, `parameters.basepath must be ignore, prepend or split (got ${JSON.stringify((parameters as Record<string, unknown>).basepath)})`);
  }
  if (mode === "ignore") return "";
  const parts = basePathOf(doc).split("/").filter(Boolean);
  return `/${(mode === "split" ? parts.slice(1) : parts).join("/")}`.replace(/^\/$/, "");
}

/**
 * The document's base path: Swagger 2's `basePath`; in OpenAPI 3 the first `basePath` server
 * variable's default, else the path of the first server URL.
 *
 * @param doc - The document.
 */
export function basePathOf(doc: ImportedDocument): string {
  if (doc.dialect === "swagger2") return typeof doc.root.basePath === "string" ? doc.root.basePath : "/";
  const servers = Array.isArray(doc.root.servers) ? doc.root.servers.filter(isObject) : [];
  for (const server of servers) {
    const variable = isObject(server.variables) ? server.variables.basePath : undefined;
    if (isObject(variable) && typeof variable.default === "string") return `/${variable.default.replace(/^\/+/, "")}`;
  }
  const url = typeof servers[0]?.url === "string" ? servers[0].url : "/";
  const path = /^[a-z]+:\/\/[^/]*(\/.*)?$/i.exec(url)?.[1] ?? (url.startsWith("/") ? url : "/");
  return path.includes("{") ? "/" : path;
}
