/**
 * The shape of the OpenAPI 3.0 document API Gateway's GetExport (`exportType oas30`) writes, as far
 * as the export uses it. Field order follows AWS's output [recorded: LocalStack
 * tests/aws/services/apigateway/test_apigateway_extended.snapshot.json,
 * test_export_oas30_openapi, 06-05-2025].
 */

/** A JSON Schema (draft 4, as a model declares it) or a `$ref` to one. */
export type Schema = Record<string, unknown>;

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header";
  /** Written only when true: AWS leaves optional parameters without the field. */
  required?: true;
  schema: { type: "string" };
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { schema: { type: "string" } }>;
  /** Always written, `{}` when the method response has no models, as AWS does. */
  content: Record<string, { schema: Schema }>;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  operationId?: string;
  requestBody?: { content: Record<string, { schema: Schema }>; required: true };
  responses: Record<string, OpenApiResponse>;
  security?: Array<Record<string, string[]>>;
  [extension: `x-${string}`]: unknown;
}

export interface SecurityScheme {
  type: "apiKey";
  name: string;
  in: "header" | "query";
  [extension: `x-${string}`]: unknown;
}

export interface OpenApiDocument {
  openapi: "3.0.1";
  info: { title: string; description?: string; version: string };
  servers: Array<{ url: string; variables: { basePath: { default: string } } }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, SecurityScheme> };
  [extension: `x-${string}`]: unknown;
}

/** `--extensions apigateway` adds API Gateway's `x-amazon-apigateway-*` fields; `none` leaves them out. */
export type ExportExtensions = "apigateway" | "none";

/**
 * The object without its unset fields: AWS leaves unset fields out of an export rather than
 * writing nulls, and the provider records some unset strings as "".
 */
export function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== ""));
}
