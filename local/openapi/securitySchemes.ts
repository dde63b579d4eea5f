import type { ResourceGraph } from "../controlPlane";
import type { AuthorizerModel, MethodModel, RestApiModel } from "../restGateway/restApiModel";
import { withoutUndefined, type ExportExtensions, type SecurityScheme } from "./document";

/** The scheme name AWS gives API keys in an export: an `x-api-key` header. */
export const API_KEY_SCHEME = "api_key";
/** The scheme name for IAM (SigV4) authorization. */
export const SIGV4_SCHEME = "sigv4";

/**
 * `components.securitySchemes`: `api_key` when a method requires a key, `sigv4` when one uses
 * IAM, and one scheme per authorizer, named by the authorizer's name. Each is an `apiKey` scheme
 * in the header that carries the identity; with the API Gateway extensions the authorizer's
 * settings ride along as `x-amazon-apigateway-authtype` and `x-amazon-apigateway-authorizer`
 * (AWS docs: "x-amazon-apigateway-authorizer object", "x-amazon-apigateway-authtype property").
 *
 * @param graph - The recorded resources, for what the model leaves out (authorizerUri, credentials).
 * @param model - The REST API.
 * @param extensions - Whether to write the API Gateway extensions.
 */
export function securitySchemes(graph: ResourceGraph, model: RestApiModel, extensions: ExportExtensions): Record<string, SecurityScheme> | undefined {
  const methods = [...model.methods.values()];
  const schemes: Record<string, SecurityScheme> = {};
  if (methods.some((m) => m.apiKeyRequired)) schemes[API_KEY_SCHEME] = { type: "apiKey", name: "x-api-key", in: "header" };
  if (methods.some((m) => m.authorization === "AWS_IAM")) {
    schemes[SIGV4_SCHEME] = { type: "apiKey", name: "Authorization", in: "header", ...(extensions === "apigateway" ? { "x-amazon-apigateway-authtype": "awsSigv4" } : {}) };
  }
  for (const authorizer of model.authorizers.values()) {
    schemes[authorizer.name] = authorizerScheme(authorizer, graph.findById(authorizer.id)?.inputs ?? {}, extensions);
  }
  return Object.keys(schemes).length > 0 ? schemes : undefined;
}

/**
 * A method's `security` requirement: its authorizer (with the Cognito scopes it asks for), IAM,
 * and its API key, all in one requirement object since every one of them must pass.
 *
 * @param method - The method.
 * @param authorizers - The API's authorizers by id.
 */
export function methodSecurity(method: MethodModel, authorizers: RestApiModel["authorizers"]): Array<Record<string, string[]>> | undefined {
  const requirement: Record<string, string[]> = {};
  const authorizer = method.authorizerId ? authorizers.get(method.authorizerId) : undefined;
  if (authorizer && (method.authorization === "CUSTOM" || method.authorization === "COGNITO_USER_POOLS")) {
    requirement[authorizer.name] = authorizer.type === "COGNITO_USER_POOLS" ? method.authorizationScopes ?? [] : [];
  }
  if (method.authorization === "AWS_IAM") requirement[SIGV4_SCHEME] = [];
  if (method.apiKeyRequired) requirement[API_KEY_SCHEME] = [];
  return Object.keys(requirement).length > 0 ? [requirement] : undefined;
}

function authorizerScheme(authorizer: AuthorizerModel, inputs: Record<string, unknown>, extensions: ExportExtensions): SecurityScheme {
  // A TOKEN or Cognito authorizer reads one header; a REQUEST authorizer reads several sources,
  // which an apiKey scheme cannot name: AWS writes "Unused" then (AWS docs, "x-amazon-apigateway-authorizer
  // object", the request authorizer example).
  const header = /^method\.request\.header\.(.+)$/.exec(authorizer.identitySource)?.[1];
  const name = authorizer.type === "REQUEST" ? "Unused" : header ?? "Authorization";
  const scheme: SecurityScheme = { type: "apiKey", name, in: "header" };
  if (extensions !== "apigateway") return scheme;
  scheme["x-amazon-apigateway-authtype"] = authorizer.type === "COGNITO_USER_POOLS" ? "cognito_user_pools" : "custom";
  scheme["x-amazon-apigateway-authorizer"] = authorizerExtension(authorizer, inputs);
  return scheme;
}

function authorizerExtension(authorizer: AuthorizerModel, inputs: Record<string, unknown>): Record<string, unknown> {
  if (authorizer.type === "COGNITO_USER_POOLS") {
    return { type: "cognito_user_pools", providerARNs: authorizer.providerArns };
  }
  return withoutUndefined({
    type: authorizer.type.toLowerCase(),
    authorizerUri: inputs.authorizerUri,
    authorizerCredentials: inputs.authorizerCredentials,
    identitySource: authorizer.type === "REQUEST" ? authorizer.identitySource : undefined,
    identityValidationExpression: authorizer.identityValidationExpression,
    authorizerResultTtlInSeconds: authorizer.resultTtlSeconds,
  });
}
