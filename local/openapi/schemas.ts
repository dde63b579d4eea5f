import type { RestApiModel } from "../restGateway/restApiModel";
import type { Schema } from "./document";

const SCHEMAS = "#/components/schemas/";

/**
 * `components.schemas`: every model of the API, its JSON Schema as written, with each `$ref`
 * pointing at the schema of the model it names. API Gateway models reference each other by URL
 * (`https://apigateway.amazonaws.com/restapis/<id>/models/<name>`); the export rewrites each to
 * `#/components/schemas/<name>` [recorded: LocalStack test_apigateway_extended.snapshot.json,
 * test_export_oas30_openapi: `Pets.items.$ref` is `#/components/schemas/Pet`; LocalStack's
 * exporter.py `_resolve_refs` keeps the last path segment].
 *
 * @param models - The API's models.
 */
export function modelSchemas(models: RestApiModel["models"]): Record<string, Schema> | undefined {
  if (models.length === 0) return undefined;
  return Object.fromEntries(models.map((model) => [model.name, rewriteRefs(parseModelSchema(model))]));
}

/** The `$ref` of a model's schema. */
export function schemaRef(modelName: string): Schema {
  return { $ref: `${SCHEMAS}${modelName}` };
}

function parseModelSchema(model: RestApiModel["models"][number]): Schema {
  try {
    return JSON.parse(model.schema) as Schema;
  } catch (err) {
    throw new Error(`model ${model.name}: its schema is not JSON (${(err as Error).message})`);
  }
}

function rewriteRefs(value: unknown): Schema {
  return rewrite(value) as Schema;
}

function rewrite(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewrite);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, key === "$ref" && typeof inner === "string" ? `${SCHEMAS}${inner.split("/").pop()}` : rewrite(inner)]),
  );
}
