/**
 * A RestApi's OpenAPI `body` -> the resources API Gateway's PutRestApi would create in the API:
 * resources, methods, integrations, responses, models, validators, authorizers and gateway
 * responses, recorded in the provider's shapes so that the REST gateway's model reads them as it
 * reads declared ones (AWS docs, "Develop REST APIs using OpenAPI in API Gateway":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ProviderProperties, RecordedResource } from "../../controlPlane";
import { apiSettings, importGatewayResponses, importValidators, operationValidator } from "./apiSettings";
import { pathPrefix } from "./basePath";
import { isObject, objectAt, parseBody, type ImportedDocument, type JsonObject } from "./document";
import { checkExtensions } from "./extensionCheck";
import { importIntegration } from "./integration";
import { importModels, methodResponses, requestModels, requestParameters, type ImportedModel } from "./models";
import { DEFINITION_TYPES as T, bodyRecord } from "./records";
import { importSecuritySchemes, methodAuthorization, type ImportedSchemes } from "./security";

/** The operations of a path item, by key, with the HTTP method each stands for. */
const OPERATION_KEYS: Record<string, string> = {
  get: "GET",
  put: "PUT",
  post: "POST",
  delete: "DELETE",
  options: "OPTIONS",
  head: "HEAD",
  patch: "PATCH",
  // AWS docs, "x-amazon-apigateway-any-method object": the catch-all ANY method.
  "x-amazon-apigateway-any-method": "ANY",
};

/** What a body gives its API. */
export interface ImportedApi {
  /** The resources the body defines, as recorded resources of the provider's types. */
  records: RecordedResource[];
  /** RestApi inputs the body sets where the program's arguments did not (apiKeySource, binaryMediaTypes). */
  apiInputs: ProviderProperties;
}

/** What the steps of one import share. */
interface ImportContext {
  api: RecordedResource;
  apiId: string;
  doc: ImportedDocument;
  records: RecordedResource[];
}

/**
 * Imports a RestApi's body.
 *
 * @param api - The recorded RestApi (its id and rootResourceId answered).
 * @param body - Its `body` input, an OpenAPI 3.0 or Swagger 2.0 document in JSON or YAML.
 * @throws BodyImportError for a document that is not one, or that uses what the local cloud does not emulate.
 */
export function importBody(api: RecordedResource, body: string): ImportedApi {
  const doc = parseBody(api.name, body);
  checkExtensions(api.name, doc.root);
  const context: ImportContext = { api, apiId: api.id as string, doc, records: [] };
  const schemes = importSecuritySchemes(api.name, doc);
  const authorizerIds = addAuthorizers(context, schemes);
  const validators = importValidators(doc.root);
  const validatorIds = addRecords(context, T.validator, "validator", validators);
  const models = importModels(doc, context.apiId);
  addPaths(context, { schemes, authorizerIds, validators, validatorIds, models });
  addRecords(context, T.model, "model", new Map(models.map((m) => [m.name, { ...m }])));
  for (const response of importGatewayResponses(api.name, doc.root)) {
    context.records.push(bodyRecord(api, T.gatewayResponse, `response ${response.responseType}`, idFor(context, "response", response.responseType), { restApiId: context.apiId, ...response }));
  }
  return { records: context.records, apiInputs: apiSettings(doc.root, api.inputs) };
}

/**
 * Records the authorizers of the security schemes.
 *
 * @param context - The import under way.
 * @param schemes - The imported schemes.
 * @returns The authorizer ids by scheme name.
 */
function addAuthorizers(context: ImportContext, schemes: ImportedSchemes): Map<string, string> {
  return addRecords(context, T.authorizer, "authorizer", schemes.authorizers);
}

/**
 * Records one resource per named definition.
 *
 * @param context - The import under way.
 * @param type - The resource type.
 * @param kind - What they are (`validator`, `model`), for their names and ids.
 * @param byName - Their inputs (without restApi) by name.
 * @returns Their ids by name.
 */
function addRecords(context: ImportContext, type: string, kind: string, byName: Map<string, ProviderProperties>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [name, inputs] of byName) {
    const id = idFor(context, kind, name);
    context.records.push(bodyRecord(context.api, type, `${kind} ${name}`, id, { restApi: context.apiId, ...inputs }));
    ids.set(name, id);
  }
  return ids;
}

interface Definitions {
  schemes: ImportedSchemes;
  authorizerIds: Map<string, string>;
  validators: Map<string, ProviderProperties>;
  validatorIds: Map<string, string>;
  models: ImportedModel[];
}

/**
 * Every path: its resources (and their parents), then one method per operation.
 *
 * @param context - The import under way.
 * @param definitions - The document-level definitions the operations refer to.
 */
function addPaths(context: ImportContext, definitions: Definitions): void {
  const resourceIds = new Map<string, string>([["/", context.api.state.rootResourceId as string]]);
  const prefix = pathPrefix(context.api.name, context.doc, context.api.inputs.parameters);
  for (const [path, pathItem] of Object.entries(objectAt(context.doc.root, "paths"))) {
    if (!isObject(pathItem)) continue;
    const resourceId = addResource(context, resourceIds, `${prefix}${path}`);
    for (const [key, operation] of Object.entries(pathItem)) {
      const httpMethod = OPERATION_KEYS[key];
      if (httpMethod && isObject(operation)) addOperation(context, definitions, { path, pathItem, key, httpMethod, operation, resourceId });
    }
  }
}

/**
 * The resource of a path, creating it and its missing ancestors.
 *
 * @param context - The import under way.
 * @param resourceIds - The resources made so far, by path (`/` is the API's root resource).
 * @param path - The path (`/pets/{id}`).
 * @returns The resource's id.
 */
function addResource(context: ImportContext, resourceIds: Map<string, string>, path: string): string {
  const parts = path.split("/").filter(Boolean);
  let parentId = resourceIds.get("/") as string;
  let current = "";
  for (const part of parts) {
    current += `/${part}`;
    let id = resourceIds.get(current);
    if (!id) {
      id = idFor(context, "resource", current);
      context.records.push(bodyRecord(context.api, T.resource, `resource ${current}`, id, { restApi: context.apiId, parentId, pathPart: part }, { path: current }));
      resourceIds.set(current, id);
    }
    parentId = id;
  }
  return parentId;
}

interface Operation {
  path: string;
  pathItem: JsonObject;
  key: string;
  httpMethod: string;
  operation: JsonObject;
  resourceId: string;
}

/**
 * One method: the Method, its Integration, MethodResponses and IntegrationResponses.
 *
 * @param context - The import under way.
 * @param definitions - The document-level definitions the operation refers to.
 * @param op - The operation and where it stands.
 */
function addOperation(context: ImportContext, definitions: Definitions, op: Operation): void {
  const { api, apiId, doc } = context;
  const where = ["paths", op.path, op.key];
  const name = operationName(op);
  const security = op.operation.security ?? doc.root.security;
  const auth = methodAuthorization(api.name, security, definitions.schemes, where);
  const validator = operationValidator(api.name, doc.root, op.operation, definitions.validators, where);
  const methodKey = { restApi: apiId, resourceId: op.resourceId, httpMethod: op.httpMethod };
  const label = `${op.httpMethod} ${op.path}`;
  const methodInputs: ProviderProperties = {
    ...methodKey,
    authorization: auth.authorization,
    ...(auth.authorizerScheme ? { authorizerId: definitions.authorizerIds.get(auth.authorizerScheme) } : {}),
    ...(auth.authorizationScopes ? { authorizationScopes: auth.authorizationScopes } : {}),
    apiKeyRequired: auth.apiKeyRequired,
    requestParameters: requestParameters(doc, op.pathItem, op.operation),
    requestModels: requestModels(api.name, doc, op.operation, name, definitions.models, apiId),
    ...(validator ? { requestValidatorId: definitions.validatorIds.get(validator) } : {}),
    ...(typeof op.operation.operationId === "string" ? { operationName: op.operation.operationId } : {}),
  };
  const methodId = `agm-${apiId}-${op.resourceId}-${op.httpMethod}`;
  context.records.push(bodyRecord(api, T.method, `method ${label}`, methodId, methodInputs));
  for (const [statusCode, responseParameters] of Object.entries(methodResponses(doc, op.operation))) {
    context.records.push(bodyRecord(api, T.methodResponse, `method response ${label} ${statusCode}`, `${methodId}-${statusCode}`, { ...methodKey, statusCode, responseParameters }));
  }
  const extension = op.operation["x-amazon-apigateway-integration"];
  if (extension === undefined) return;
  const { integration, responses } = importIntegration(api.name, extension, where);
  context.records.push(bodyRecord(api, T.integration, `integration ${label}`, `agi-${apiId}-${op.resourceId}-${op.httpMethod}`, { ...methodKey, ...integration }));
  for (const response of responses) {
    const key = `${response.statusCode} ${response.selectionPattern ?? "default"}`;
    context.records.push(bodyRecord(api, T.integrationResponse, `integration response ${label} ${key}`, `agir-${apiId}-${op.resourceId}-${op.httpMethod}-${key}`, { ...methodKey, ...response }));
  }
}

/**
 * A name for the operation made of letters and digits: its operationId, else method and path (`GetPetsPetId`).
 *
 * @param op - The operation.
 */
function operationName(op: Operation): string {
  const source = typeof op.operation.operationId === "string" ? op.operation.operationId : `${op.httpMethod.toLowerCase()} ${op.path}`;
  return source
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join("");
}

/**
 * A stable 10-character id, as API Gateway's ids look, for one definition of the API.
 *
 * @param context - The import under way (its API's id).
 * @param kind - What the definition is (`resource`, `authorizer`).
 * @param key - Which one (a path, a name).
 */
function idFor(context: ImportContext, kind: string, key: string): string {
  return createHash("sha256").update(`${context.apiId} ${kind} ${key}`).digest("hex").slice(0, 10);
}
