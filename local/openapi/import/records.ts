import type { ProviderProperties, RecordedResource } from "../../controlPlane";

/** The resource types a body defines, as the provider records them. */
export const DEFINITION_TYPES = {
  resource: "aws:apigateway/resource:Resource",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  integrationResponse: "aws:apigateway/integrationResponse:IntegrationResponse",
  methodResponse: "aws:apigateway/methodResponse:MethodResponse",
  model: "aws:apigateway/model:Model",
  validator: "aws:apigateway/requestValidator:RequestValidator",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  gatewayResponse: "aws:apigateway/response:Response",
} as const;

/**
 * The input by which each definition type names its API (gateway responses: `restApiId`).
 *
 * @param type - The resource type.
 */
export function apiInputOf(type: string): "restApi" | "restApiId" {
  return type === DEFINITION_TYPES.gatewayResponse ? "restApiId" : "restApi";
}

/**
 * One resource the body defines, recorded as if the program had declared it with the provider's
 * inputs: what the REST gateway's model reads. Its name and URN say where it came from.
 *
 * @param api - The RestApi whose body defines it.
 * @param type - The resource type (one of {@link DEFINITION_TYPES}).
 * @param key - What it is in the body (`GET /pets`, `validator all`), unique per type.
 * @param id - The id answered for it.
 * @param inputs - The provider inputs.
 * @param state - Computed attributes beside the inputs (a Resource's `path`). @default none
 */
export function bodyRecord(api: RecordedResource, type: string, key: string, id: string, inputs: ProviderProperties, state: ProviderProperties = {}): RecordedResource {
  const name = `${api.name} body ${key}`;
  return {
    urn: `${api.urn}$${type}::${name}`,
    type,
    name,
    parent: api.urn,
    dependencies: [api.urn],
    provider: api.provider,
    custom: true,
    inputs,
    id,
    state: { ...inputs, ...state },
  };
}

/**
 * The object without its undefined fields, as the provider leaves unset inputs out.
 *
 * @param object - The inputs.
 */
export function definedOnly(object: ProviderProperties): ProviderProperties {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
