/**
 * `x-amazon-apigateway-integration` -> the Integration and IntegrationResponse inputs the
 * provider would send (AWS docs, "x-amazon-apigateway-integration object":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html,
 * and "x-amazon-apigateway-integration.responses object":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-responses.html).
 * The body spells enums in lower case (`aws_proxy`, `when_no_match`), the API in upper case.
 *
 * @module
 */
import type { ProviderProperties } from "../../controlPlane";
import { BodyImportError, isObject, type JsonObject } from "./document";
import { unsupported } from "./extensionCheck";
import { definedOnly } from "./records";

const EXTENSION = "x-amazon-apigateway-integration";
const TYPES = ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"];
const PASSTHROUGH = ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"];

/** A method's integration as the body defines it. */
export interface ImportedIntegration {
  /** Integration inputs, without restApi / resourceId / httpMethod. */
  integration: ProviderProperties;
  /** IntegrationResponse inputs, without restApi / resourceId / httpMethod. */
  responses: ProviderProperties[];
}

/**
 * Translates one operation's integration extension.
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param extension - The extension's value.
 * @param path - The operation's JSON path (`["paths", "/pets", "get"]`).
 * @throws BodyImportError for a field the local cloud does not emulate (a VPC link, TLS settings, HTTP API fields).
 */
export function importIntegration(apiName: string, extension: unknown, path: string[]): ImportedIntegration {
  const where = [...path, EXTENSION];
  if (!isObject(extension)) throw new BodyImportError(apiName, `${EXTENSION} at ${path.join(".")} is not an object`);
  refuseUnemulatedFields(apiName, extension, path);
  const type = upper(extension.type);
  if (!type || !TYPES.includes(type)) throw unsupported(apiName, `${EXTENSION}.type ${JSON.stringify(extension.type)}`, path);
  const passthrough = upper(extension.passthroughBehavior);
  if (passthrough !== undefined && !PASSTHROUGH.includes(passthrough)) throw unsupported(apiName, `${EXTENSION}.passthroughBehavior ${JSON.stringify(extension.passthroughBehavior)}`, path);
  const integration = definedOnly({
    type,
    uri: stringOrUndefined(extension.uri),
    integrationHttpMethod: upper(extension.httpMethod),
    requestTemplates: objectOrUndefined(extension.requestTemplates),
    requestParameters: objectOrUndefined(extension.requestParameters),
    passthroughBehavior: passthrough,
    contentHandling: stringOrUndefined(extension.contentHandling),
    timeoutMilliseconds: typeof extension.timeoutInMillis === "number" ? extension.timeoutInMillis : undefined,
    cacheKeyParameters: Array.isArray(extension.cacheKeyParameters) ? extension.cacheKeyParameters.map(String) : undefined,
    cacheNamespace: stringOrUndefined(extension.cacheNamespace),
    credentials: stringOrUndefined(extension.credentials),
  });
  return { integration, responses: integrationResponses(apiName, extension.responses, where) };
}

/**
 * The integration responses, keyed in the body by their selection pattern (`default` for the
 * one without).
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param responses - The extension's `responses`.
 * @param where - The extension's JSON path.
 */
function integrationResponses(apiName: string, responses: unknown, where: string[]): ProviderProperties[] {
  if (!isObject(responses)) return [];
  return Object.entries(responses).map(([pattern, response]) => {
    if (!isObject(response) || response.statusCode === undefined) {
      throw new BodyImportError(apiName, `${where.join(".")}.responses.${pattern} has no statusCode`);
    }
    return definedOnly({
      statusCode: String(response.statusCode),
      selectionPattern: pattern === "default" ? undefined : pattern,
      responseTemplates: objectOrUndefined(response.responseTemplates),
      responseParameters: objectOrUndefined(response.responseParameters),
      contentHandling: stringOrUndefined(response.contentHandling),
    });
  });
}

/**
 * Fields of the extension the REST gateway does not emulate: private integrations (the model
 * refuses VPC links too), TLS settings of the backend, and HTTP API fields
 * (`integrationSubtype`, a `payloadFormatVersion` other than 1.0, "the only supported value for
 * all other integrations" besides HTTP APIs' Lambda proxy).
 */
/**
 * @param apiName - The RestApi's logical name, for refusals.
 * @param extension - The extension's value.
 * @param path - The operation's JSON path.
 */
function refuseUnemulatedFields(apiName: string, extension: JsonObject, path: string[]): void {
  const connectionType = upper(extension.connectionType);
  if (connectionType !== undefined && connectionType !== "INTERNET") throw unsupported(apiName, `${EXTENSION}.connectionType ${extension.connectionType}`, path);
  for (const field of ["connectionId", "tlsConfig", "integrationSubtype"]) {
    if (extension[field] !== undefined) throw unsupported(apiName, `${EXTENSION}.${field}`, path);
  }
  if (extension.payloadFormatVersion !== undefined && String(extension.payloadFormatVersion) !== "1.0") {
    throw unsupported(apiName, `${EXTENSION}.payloadFormatVersion ${extension.payloadFormatVersion}`, path);
  }
}

/** A non-empty string in upper case (the API's enum spelling), else undefined. */
function upper(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value.toUpperCase() : undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function objectOrUndefined(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}
