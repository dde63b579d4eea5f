/**
 * The document-level extensions: request validators (and the API's default validator), gateway
 * responses, the API key source and binary media types (AWS docs:
 * "x-amazon-apigateway-request-validators object"
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-request-validators.html,
 * "x-amazon-apigateway-request-validator property"
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-request-validator.html,
 * "x-amazon-apigateway-gateway-responses object"
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.html,
 * "x-amazon-apigateway-api-key-source property"
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-api-key-source.html,
 * "x-amazon-apigateway-binary-media-types property"
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-binary-media-types.html).
 *
 * @module
 */
import { GATEWAY_RESPONSE_TYPES } from "../../../components/restApi/args";
import type { ProviderProperties } from "../../controlPlane";
import { BodyImportError, isObject, type JsonObject } from "./document";
import { definedOnly } from "./records";

const VALIDATORS = "x-amazon-apigateway-request-validators";
const VALIDATOR = "x-amazon-apigateway-request-validator";
const GATEWAY_RESPONSES = "x-amazon-apigateway-gateway-responses";
const API_KEY_SOURCE = "x-amazon-apigateway-api-key-source";
const BINARY_MEDIA_TYPES = "x-amazon-apigateway-binary-media-types";

/**
 * The request validators by name: RequestValidator inputs without restApi (each flag false
 * unless the document sets it).
 *
 * @param root - The document.
 */
export function importValidators(root: JsonObject): Map<string, ProviderProperties> {
  const validators = isObject(root[VALIDATORS]) ? root[VALIDATORS] : {};
  return new Map(
    Object.entries(validators).map(([name, v]) => [name, { name, validateRequestBody: isObject(v) && v.validateRequestBody === true, validateRequestParameters: isObject(v) && v.validateRequestParameters === true }]),
  );
}

/**
 * The validator an operation uses: its own `x-amazon-apigateway-request-validator`, else the
 * document's default; `undefined` for none.
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param root - The document.
 * @param operation - The operation.
 * @param validators - The validators by name.
 * @param path - The operation's JSON path.
 * @throws BodyImportError when it names no validator of the document.
 */
export function operationValidator(apiName: string, root: JsonObject, operation: JsonObject, validators: Map<string, ProviderProperties>, path: string[]): string | undefined {
  const own = operation[VALIDATOR];
  const name = own ?? root[VALIDATOR];
  if (name === undefined) return undefined;
  if (typeof name !== "string" || !validators.has(name)) {
    const where = own !== undefined ? path.join(".") : "the document root";
    throw new BodyImportError(apiName, `${VALIDATOR} ${JSON.stringify(name)} at ${where} names no validator of ${VALIDATORS} (${[...validators.keys()].join(", ") || "none"})`);
  }
  return name;
}

/**
 * The gateway responses: Response inputs without restApiId, one per response type.
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param root - The document.
 * @throws BodyImportError for a key that is no gateway response type (PutGatewayResponse refuses it).
 */
export function importGatewayResponses(apiName: string, root: JsonObject): ProviderProperties[] {
  const responses = isObject(root[GATEWAY_RESPONSES]) ? root[GATEWAY_RESPONSES] : {};
  return Object.entries(responses).map(([responseType, response]) => {
    if (!(GATEWAY_RESPONSE_TYPES as readonly string[]).includes(responseType)) {
      throw new BodyImportError(apiName, `${GATEWAY_RESPONSES}.${responseType} at the document root is not a gateway response type (known: ${GATEWAY_RESPONSE_TYPES.join(", ")})`);
    }
    const r = isObject(response) ? response : {};
    return definedOnly({
      responseType,
      statusCode: r.statusCode !== undefined ? String(r.statusCode) : undefined,
      responseParameters: isObject(r.responseParameters) ? r.responseParameters : undefined,
      responseTemplates: isObject(r.responseTemplates) ? r.responseTemplates : undefined,
    });
  });
}

/**
 * The RestApi settings the body carries, under the program's arguments: "If the argument value
 * is provided and is different than the OpenAPI value, the argument value will override the
 * OpenAPI value" (@pulumi/aws RestApiArgs apiKeySource, binaryMediaTypes and description, from
 * Terraform's aws_api_gateway_rest_api). `info.title` would name the API, but the provider
 * always sends a `name` (the program's or an auto-name), which overrides it.
 *
 * @param root - The document.
 * @param inputs - The RestApi's recorded inputs.
 */
export function apiSettings(root: JsonObject, inputs: ProviderProperties): ProviderProperties {
  const settings: ProviderProperties = {};
  const keySource = root[API_KEY_SOURCE];
  if (inputs.apiKeySource === undefined && typeof keySource === "string") settings.apiKeySource = keySource.toUpperCase();
  const binary = root[BINARY_MEDIA_TYPES];
  if (inputs.binaryMediaTypes === undefined && Array.isArray(binary)) settings.binaryMediaTypes = binary.map(String);
  const description = isObject(root.info) ? root.info.description : undefined;
  if (inputs.description === undefined && typeof description === "string") settings.description = description;
  return settings;
}
