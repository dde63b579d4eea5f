/**
 * Schemas -> models, and an operation's request body and parameters -> its method's request
 * models and request parameters. API Gateway keeps one model per schema of `components.schemas`
 * (OAS 3) or `definitions` (Swagger 2), content type `application/json`, and rewrites each `$ref`
 * to the model's URL, `https://apigateway.amazonaws.com/restapis/<id>/models/<name>` (AWS docs,
 * "Data models for REST APIs":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html).
 *
 * @module
 */
import { BodyImportError, isObject, objectAt, resolveRef, schemaDefinitions, schemaRefPrefix, type ImportedDocument, type JsonObject } from "./document";

const JSON_TYPE = "application/json";

/** A model the body defines: Model inputs without restApi. */
export interface ImportedModel {
  name: string;
  contentType: string;
  schema: string;
}

/**
 * The models of the document's schemas.
 *
 * @param doc - The document.
 * @param apiId - The API's id, for the model URLs.
 */
export function importModels(doc: ImportedDocument, apiId: string): ImportedModel[] {
  return Object.entries(schemaDefinitions(doc)).map(([name, schema]) => ({ name, contentType: JSON_TYPE, schema: JSON.stringify(modelUrls(doc, schema, apiId)) }));
}

/**
 * An operation's request models by content type: the model its `$ref` names, or a model of its
 * own for an inline schema (added to `models`, named `<operation>Body`).
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param doc - The document.
 * @param operation - The operation.
 * @param operationName - A name for an inline schema's model (letters and digits).
 * @param models - The API's models; inline ones are appended.
 * @param apiId - The API's id, for the model URLs.
 */
export function requestModels(apiName: string, doc: ImportedDocument, operation: JsonObject, operationName: string, models: ImportedModel[], apiId: string): Record<string, string> {
  const schemas = requestSchemas(doc, operation);
  const result: Record<string, string> = {};
  for (const [contentType, schema] of Object.entries(schemas)) {
    const ref = isObject(schema) && typeof schema.$ref === "string" ? schema.$ref : undefined;
    if (ref !== undefined) {
      const name = ref.startsWith(schemaRefPrefix(doc)) ? ref.slice(schemaRefPrefix(doc).length) : undefined;
      if (!name || !(name in schemaDefinitions(doc))) throw new BodyImportError(apiName, `request body $ref ${ref} of ${operationName} names no schema`);
      result[contentType] = name;
    } else if (isObject(schema)) {
      const name = `${operationName}Body`;
      if (!models.some((m) => m.name === name)) models.push({ name, contentType, schema: JSON.stringify(modelUrls(doc, schema, apiId)) });
      result[contentType] = name;
    }
  }
  return result;
}

/**
 * The request body's schema by content type, in either dialect.
 *
 * @param doc - The document.
 * @param operation - The operation.
 */
function requestSchemas(doc: ImportedDocument, operation: JsonObject): Record<string, unknown> {
  if (doc.dialect === "oas3") {
    const body = resolveRef(doc, operation.requestBody);
    const content = isObject(body) ? objectAt(body, "content") : {};
    return Object.fromEntries(Object.entries(content).map(([type, media]) => [type, isObject(media) ? media.schema : undefined]));
  }
  // Swagger 2: the `in: body` parameter, for each type the operation consumes.
  const bodyParameter = (Array.isArray(operation.parameters) ? operation.parameters : []).map((p) => resolveRef(doc, p)).find((p) => isObject(p) && p.in === "body") as JsonObject | undefined;
  if (!bodyParameter) return {};
  const consumes = Array.isArray(operation.consumes) ? operation.consumes : Array.isArray(doc.root.consumes) ? doc.root.consumes : [JSON_TYPE];
  return Object.fromEntries(consumes.map((type) => [String(type), bodyParameter.schema]));
}

/**
 * The method's request parameters, `method.request.{path,querystring,header}.<name>` ->
 * required, from the path item's and the operation's parameters (the operation's win). Path
 * parameters are always required.
 *
 * @param doc - The document.
 * @param pathItem - The path item.
 * @param operation - The operation.
 */
export function requestParameters(doc: ImportedDocument, pathItem: JsonObject, operation: JsonObject): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  const parameters = [...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []), ...(Array.isArray(operation.parameters) ? operation.parameters : [])];
  for (const parameter of parameters.map((p) => resolveRef(doc, p))) {
    if (!isObject(parameter) || typeof parameter.name !== "string") continue;
    const location = { path: "path", query: "querystring", header: "header" }[String(parameter.in)];
    if (location) result[`method.request.${location}.${parameter.name}`] = location === "path" || parameter.required === true;
  }
  return result;
}

/**
 * The method responses: status code -> `method.response.header.<name>` -> false, as imported
 * (`default` responses have no method response).
 *
 * @param doc - The document.
 * @param operation - The operation.
 */
export function methodResponses(doc: ImportedDocument, operation: JsonObject): Record<string, Record<string, boolean>> {
  const result: Record<string, Record<string, boolean>> = {};
  for (const [status, response] of Object.entries(objectAt(operation, "responses"))) {
    if (!/^\d{3}$/.test(status)) continue;
    const resolved = resolveRef(doc, response);
    const headers = isObject(resolved) ? Object.keys(objectAt(resolved, "headers")) : [];
    result[status] = Object.fromEntries(headers.map((name) => [`method.response.header.${name}`, false]));
  }
  return result;
}

/**
 * The schema with every `$ref` to a document schema pointing at that model's URL.
 *
 * @param doc - The document.
 * @param schema - The schema.
 * @param apiId - The API's id.
 */
function modelUrls(doc: ImportedDocument, schema: unknown, apiId: string): unknown {
  const prefix = schemaRefPrefix(doc);
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!isObject(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === "$ref" && typeof inner === "string" && inner.startsWith(prefix) ? `https://apigateway.amazonaws.com/restapis/${apiId}/models/${inner.slice(prefix.length)}` : rewrite(inner),
      ]),
    );
  };
  return rewrite(schema);
}
