/**
 * One route: its method and path, what it references (models, validator, authorizer), and the
 * request parameters its method declares (from the path, the arguments and the cache keys).
 */
import { HTTP_METHODS, isHttpMethod, toRouteKey } from "../apigateway";
import { pathParameters } from "../resourcePaths";
import type { RouteArgs } from "./routeArgs";
import type { AuthorizerSpec, IntegrationSpec, MethodAuthorization, ValidatedRoute } from "./spec";
import { keysCacheByParameters, validateIntegration } from "./validateIntegration";

/** What a route may reference, and the routes seen before it. */
export interface RouteContext {
  /** The models by name. */
  models: Record<string, unknown>;
  /** The request validators by name. */
  validators: Record<string, unknown>;
  /** The authorizers by name. */
  authorizers: Record<string, AuthorizerSpec>;
  /** Whether the API answers CORS preflights (then OPTIONS routes are refused). */
  cors: boolean;
  /** The route keys (`GET /users`) of the routes before; the route adds its own. */
  seen: Set<string>;
}

/** How methods name each kind of authorizer: Lambda authorizers (TOKEN and REQUEST alike) are CUSTOM. */
const METHOD_AUTHORIZATION: Record<AuthorizerSpec["type"], MethodAuthorization> = {
  COGNITO_USER_POOLS: "COGNITO_USER_POOLS",
  TOKEN: "CUSTOM",
  REQUEST: "CUSTOM",
};

/**
 * Checks a route, naming the field that is wrong; returns it with its parameters declared.
 *
 * @param route - The route as given.
 * @param field - Its argument path, e.g. `routes[2]`.
 * @param known - What it may reference; its `seen` gets the route's key.
 */
export function validateRoute(route: RouteArgs, field: string, known: RouteContext): ValidatedRoute {
  if (!isHttpMethod(route.method)) {
    throw new Error(`${field}.method must be one of ${HTTP_METHODS.join(", ")} (got ${JSON.stringify(route.method)})`);
  }
  const key = toRouteKey(route);
  const where = `${field} (${key})`;
  if (typeof route.path !== "string" || !route.path.startsWith("/")) {
    throw new Error(`${field}.path must start with "/" (got ${JSON.stringify(route.path)})`);
  }
  const pathParams = pathParameters(route.path, where);
  if (known.seen.has(key)) throw new Error(`${where}: the route is declared twice`);
  known.seen.add(key);
  if (route.method === "OPTIONS" && known.cors) {
    throw new Error(`${where}: OPTIONS is answered by the CORS preflight; remove the route or the cors setting`);
  }

  const integration = validateIntegration(route.integration, `${field}.integration`);
  checkReferences(route, field, known);
  const methodRequestParameters = declaredParameters(route, field, pathParams);
  const cacheKeys = cacheKeysOf(route, integration, field, pathParams, methodRequestParameters);
  return {
    path: route.path,
    method: route.method,
    integration,
    authorizer: route.authorizer,
    authorization: route.authorizer ? METHOD_AUTHORIZATION[known.authorizers[route.authorizer].type] : "NONE",
    authorizationScopes: route.authorizationScopes,
    apiKeyRequired: route.apiKeyRequired ?? false,
    requestModels: route.requestModels,
    requestValidator: route.requestValidator,
    methodRequestParameters,
    cacheKeys,
    declared: route,
  };
}

/** Checks that the models, validator and authorizer a route names exist. */
function checkReferences(route: RouteArgs, field: string, known: RouteContext): void {
  for (const [contentType, modelName] of Object.entries(route.requestModels ?? {})) {
    if (!(modelName in known.models)) {
      throw new Error(`${field}.requestModels["${contentType}"]: model "${modelName}" is not one of the models (known: ${Object.keys(known.models).join(", ") || "none"})`);
    }
  }
  if (route.requestValidator !== undefined && !(route.requestValidator in known.validators)) {
    throw new Error(`${field}.requestValidator: "${route.requestValidator}" is not one of the validators (known: ${Object.keys(known.validators).join(", ") || "none"})`);
  }
  const authorizerNames = Object.keys(known.authorizers);
  if (route.authorizer !== undefined && !authorizerNames.includes(route.authorizer)) {
    throw new Error(`${field}.authorizer: "${route.authorizer}" is not one of the authorizers (known: ${authorizerNames.join(", ") || "none"})`);
  }
}

/** `method.request.<location>.<name>` -> required, for the path's parameters and the declared ones. */
function declaredParameters(route: RouteArgs, field: string, pathParams: string[]): Record<string, boolean> {
  const declared: Record<string, boolean> = {};
  for (const param of pathParams) declared[`method.request.path.${param}`] = true;
  for (const location of ["querystring", "header"] as const) {
    for (const [param, required] of Object.entries(route.requestParameters?.[location] ?? {})) {
      if (!/^[A-Za-z0-9_.-]+$/.test(param)) {
        throw new Error(`${field}.requestParameters.${location}: "${param}" is not a valid parameter name`);
      }
      if (typeof required !== "boolean") {
        throw new Error(`${field}.requestParameters.${location}.${param} must be true (required) or false (optional)`);
      }
      declared[`method.request.${location}.${param}`] = required;
    }
  }
  return declared;
}

/**
 * The cache key parameters as `method.request.<location>.<name>`; each one the method does not
 * declare yet is added to `declared` as optional (AWS only uses a cache key parameter the
 * method declares).
 */
function cacheKeysOf(route: RouteArgs, integration: IntegrationSpec, field: string, pathParams: string[], declared: Record<string, boolean>): string[] {
  return (route.cacheKeyParameters ?? []).map((param, i) => {
    const match = /^(querystring|header|path)\.([A-Za-z0-9_.-]+)$/.exec(param);
    if (!match) {
      throw new Error(`${field}.cacheKeyParameters[${i}] must be querystring.<name>, header.<name> or path.<name> (got ${JSON.stringify(param)})`);
    }
    if (match[1] === "path" && !pathParams.includes(match[2])) {
      throw new Error(`${field}.cacheKeyParameters[${i}]: the path has no {${match[2]}} parameter`);
    }
    if (!keysCacheByParameters(integration)) {
      throw new Error(`${field}.cacheKeyParameters: MOCK integrations are not cached by parameter; remove them`);
    }
    const full = `method.request.${param}`;
    if (!(full in declared)) declared[full] = false;
    return full;
  });
}
