/**
 * Security schemes -> authorizers, and an operation's `security` -> its method's authorization
 * and API key requirement (AWS docs, "x-amazon-apigateway-authorizer object":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html,
 * "x-amazon-apigateway-authtype property":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authtype.html,
 * and "Configure a method to use API keys with an OpenAPI definition" for the `api_key` scheme:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-usage-plan-oas.html).
 *
 * @module
 */
import type { ProviderProperties } from "../../controlPlane";
import { definedOnly } from "./records";
import { BodyImportError, isObject, securitySchemeDefinitions, type ImportedDocument, type JsonObject } from "./document";
import { unsupported } from "./extensionCheck";

const AUTHORIZER = "x-amazon-apigateway-authorizer";
const AUTHTYPE = "x-amazon-apigateway-authtype";
/** The body's authorizer types and the API's spelling (`jwt` is an HTTP API authorizer). */
const AUTHORIZER_TYPES: Record<string, string> = { token: "TOKEN", request: "REQUEST", cognito_user_pools: "COGNITO_USER_POOLS" };

/** What the document's security schemes define. */
export interface ImportedSchemes {
  /** Authorizer inputs (without restApi) by scheme name. */
  authorizers: Map<string, ProviderProperties>;
  /** The schemes that stand for the API key (`x-api-key` header, no authorizer). */
  apiKeySchemes: Set<string>;
  /** Every scheme the document defines, imported as something or nothing. */
  defined: Set<string>;
}

/** A method's authorization, as Method inputs. */
export interface MethodAuthorization {
  authorization: string;
  /** The scheme whose authorizer the method uses. */
  authorizerScheme?: string;
  authorizationScopes?: string[];
  apiKeyRequired: boolean;
}

/**
 * Reads every security scheme. A scheme with an authorizer extension becomes an authorizer named
 * after the scheme; an `apiKey` scheme in the `x-api-key` header without one is the API key (the
 * docs' `api_key` example); any other scheme (OAuth 2, HTTP bearer without an authorizer) gives
 * the method no authorization, there being no API Gateway setting to translate it into.
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param doc - The document.
 * @throws BodyImportError for IAM (`awsSigv4`) and HTTP API (`jwt`) authorization.
 */
export function importSecuritySchemes(apiName: string, doc: ImportedDocument): ImportedSchemes {
  const { schemes, path } = securitySchemeDefinitions(doc);
  const imported: ImportedSchemes = { authorizers: new Map(), apiKeySchemes: new Set(), defined: new Set(Object.keys(schemes)) };
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme)) continue;
    const where = [...path.split("."), name];
    const authtype = typeof scheme[AUTHTYPE] === "string" ? (scheme[AUTHTYPE] as string) : undefined;
    if (authtype?.toLowerCase() === "awssigv4") throw unsupported(apiName, `${AUTHTYPE} ${authtype} (IAM authorization)`, where);
    if (scheme[AUTHORIZER] !== undefined) {
      imported.authorizers.set(name, authorizerInputs(apiName, name, scheme, where));
    } else if (scheme.type === "apiKey" && scheme.in === "header" && String(scheme.name).toLowerCase() === "x-api-key") {
      imported.apiKeySchemes.add(name);
    }
  }
  return imported;
}

/**
 * The Authorizer inputs of a scheme's authorizer extension. A TOKEN or Cognito authorizer
 * without `identitySource` reads the header the scheme names (the docs' token example has none).
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param name - The scheme's name: the authorizer's.
 * @param scheme - The security scheme.
 * @param where - The scheme's JSON path.
 */
function authorizerInputs(apiName: string, name: string, scheme: JsonObject, where: string[]): ProviderProperties {
  const extension = scheme[AUTHORIZER];
  if (!isObject(extension)) throw new BodyImportError(apiName, `${AUTHORIZER} at ${where.join(".")} is not an object`);
  const type = AUTHORIZER_TYPES[String(extension.type).toLowerCase()];
  if (!type) throw unsupported(apiName, `${AUTHORIZER}.type ${JSON.stringify(extension.type)}`, where);
  const header = typeof scheme.name === "string" && scheme.in === "header" ? `method.request.header.${scheme.name}` : undefined;
  const identitySource = typeof extension.identitySource === "string" ? extension.identitySource : type === "REQUEST" ? undefined : header;
  if (type === "REQUEST" && !identitySource) {
    // Without an identity source a REQUEST authorizer cannot cache; the local model requires one.
    throw new BodyImportError(apiName, `${AUTHORIZER} at ${where.join(".")} is a request authorizer without identitySource`);
  }
  return definedOnly({
    name,
    type,
    authorizerUri: typeof extension.authorizerUri === "string" ? extension.authorizerUri : undefined,
    authorizerCredentials: typeof extension.authorizerCredentials === "string" ? extension.authorizerCredentials : undefined,
    identitySource,
    identityValidationExpression: typeof extension.identityValidationExpression === "string" ? extension.identityValidationExpression : undefined,
    authorizerResultTtlInSeconds: typeof extension.authorizerResultTtlInSeconds === "number" ? extension.authorizerResultTtlInSeconds : undefined,
    providerArns: Array.isArray(extension.providerARNs) ? extension.providerARNs.map(String) : undefined,
  });
}

/**
 * An operation's authorization from its `security` requirements (the document's `security` when
 * the operation has none; `security: []` turns it off). Every scheme listed takes part: one
 * authorizer at most, plus the API key.
 *
 * @param apiName - The RestApi's logical name, for refusals.
 * @param security - The requirements that apply.
 * @param schemes - The imported schemes.
 * @param path - The operation's JSON path.
 */
export function methodAuthorization(apiName: string, security: unknown, schemes: ImportedSchemes, path: string[]): MethodAuthorization {
  const result: MethodAuthorization = { authorization: "NONE", apiKeyRequired: false };
  if (!Array.isArray(security)) return result;
  for (const requirement of security.filter(isObject)) {
    for (const [name, scopes] of Object.entries(requirement)) {
      if (schemes.apiKeySchemes.has(name)) {
        result.apiKeyRequired = true;
        continue;
      }
      const authorizer = schemes.authorizers.get(name);
      if (!authorizer) {
        if (!schemes.defined.has(name)) throw new BodyImportError(apiName, `security at ${path.join(".")} names ${name}, which no security scheme defines`);
        continue;
      }
      if (result.authorizerScheme && result.authorizerScheme !== name) {
        throw new BodyImportError(apiName, `security at ${path.join(".")} names two authorizers (${result.authorizerScheme}, ${name}); a method has one`);
      }
      result.authorizerScheme = name;
      result.authorization = authorizer.type === "COGNITO_USER_POOLS" ? "COGNITO_USER_POOLS" : "CUSTOM";
      if (authorizer.type === "COGNITO_USER_POOLS" && Array.isArray(scopes) && scopes.length > 0) result.authorizationScopes = scopes.map(String);
    }
  }
  return result;
}
