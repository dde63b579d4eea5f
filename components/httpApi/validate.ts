/**
 * The checks of an {@link HttpApi}'s arguments, run before any resource exists. Each refusal
 * names the argument path that is wrong; the result is the complete {@link ValidatedHttpApiSpec}.
 */
import { DEFAULT_ACCESS_LOG_RETENTION_DAYS, HTTP_METHODS, isHttpMethod, logRetentionProblem, stageNameProblem, throttleProblem, toRouteKey } from "../apigateway";
import { refuse } from "../argumentErrors";
import { validateCors } from "../cors";
import { pathParameters } from "../resourcePaths";
import type { HttpApiArgs, HttpDefaultRouteArgs, HttpRouteArgs, HttpStageArgs, JwtAuthorizerArgs } from "./args";
import { DEFAULT_HTTP_STAGE_NAME, DEFAULT_JWT_IDENTITY_SOURCE, type ValidatedHttpApiSpec, type ValidatedHttpRoute, type ValidatedHttpStage } from "./spec";

const AUTHORIZER_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const ISSUER_URL = /^https?:\/\/[^\s]+[^/\s]$/;
const IDENTITY_SOURCE = /^\$request\.(header|querystring)\.[A-Za-z0-9_.-]+$/;

/**
 * Checks every argument, naming the field that is wrong; returns the spec with defaults.
 *
 * @param args - The component's arguments.
 * @returns Everything the resources need: nothing after this reads `args` but its `transform`.
 */
export function validateHttpApiArgs(args: HttpApiArgs): ValidatedHttpApiSpec {
  if (args.description !== undefined && (typeof args.description !== "string" || args.description.length > 1024)) {
    throw new Error("description must be a string of at most 1024 characters");
  }
  const authorizers = validateAuthorizers(args.jwtAuthorizers ?? {});
  const routes = validateRoutes(args, Object.keys(authorizers));
  const cors = args.cors ? validateCors(args.cors, "cors") : undefined;
  const stage = validateStage(args.stage ?? {});
  return { description: args.description, routes, authorizers, cors, stage, tags: args.tags };
}

/** Checks the JWT authorizers; returns them with their identity sources. */
function validateAuthorizers(jwtAuthorizers: Record<string, JwtAuthorizerArgs>): ValidatedHttpApiSpec["authorizers"] {
  const authorizers: ValidatedHttpApiSpec["authorizers"] = {};
  for (const [authName, auth] of Object.entries(jwtAuthorizers)) {
    authorizers[authName] = validateAuthorizer(authName, auth, `jwtAuthorizers.${authName}`);
  }
  return authorizers;
}

function validateAuthorizer(authName: string, auth: JwtAuthorizerArgs, field: string): Required<JwtAuthorizerArgs> {
  if (!AUTHORIZER_NAME.test(authName)) {
    throw new Error(`${field}: authorizer names must be 1-128 letters, digits, '-' or '_'`);
  }
  if (auth?.issuer === undefined || auth.issuer === null || auth.issuer === "") {
    throw new Error(`${field}.issuer is required: the URL the tokens' iss claim names`);
  }
  // An issuer known only at deploy time (an Output) is not checked.
  if (typeof auth.issuer === "string" && !ISSUER_URL.test(auth.issuer)) {
    throw new Error(`${field}.issuer must be a URL like https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC, without a trailing slash (got ${JSON.stringify(auth.issuer)})`);
  }
  if (!Array.isArray(auth.audience) || auth.audience.length === 0) {
    throw new Error(`${field}.audience must list at least one accepted audience (client id)`);
  }
  auth.audience.forEach((audience, i) => {
    if (audience === "" || audience === undefined || audience === null) {
      throw new Error(`${field}.audience[${i}] must be a non-empty string`);
    }
  });
  const identitySource = auth.identitySource ?? DEFAULT_JWT_IDENTITY_SOURCE;
  if (typeof identitySource !== "string" || !IDENTITY_SOURCE.test(identitySource)) {
    throw new Error(`${field}.identitySource must be $request.header.<name> or $request.querystring.<name> (got ${JSON.stringify(auth.identitySource)})`);
  }
  return { issuer: auth.issuer, audience: auth.audience, identitySource };
}

/** Checks the routes and the default route; returns them in order, `$default` last. */
function validateRoutes(args: Pick<HttpApiArgs, "routes" | "defaultRoute">, authorizerNames: string[]): ValidatedHttpRoute[] {
  if (!Array.isArray(args.routes)) throw new Error("routes must be a list of routes");
  if (args.routes.length === 0 && !args.defaultRoute) {
    throw new Error("routes must list at least one route, or set defaultRoute");
  }
  const seen = new Set<string>();
  const routes = args.routes.map((route, i) => validateRoute(route, `routes[${i}]`, authorizerNames, seen));
  if (args.defaultRoute) {
    routes.push({ ...validateRouteTarget(args.defaultRoute, "defaultRoute", authorizerNames), routeKey: "$default", method: "$default" });
  }
  return routes;
}

function validateRoute(route: HttpRouteArgs, field: string, authorizerNames: string[], seen: Set<string>): ValidatedHttpRoute {
  const method: unknown = route?.method;
  if (!isHttpMethod(method)) {
    throw new Error(`${field}.method must be one of ${HTTP_METHODS.join(", ")} (got ${JSON.stringify(method)})`);
  }
  if (typeof route.path !== "string" || !route.path.startsWith("/")) {
    throw new Error(`${field}.path must start with "/" (got ${JSON.stringify(route.path)})`);
  }
  const routeKey = toRouteKey({ method, path: route.path });
  const where = `${field} (${routeKey})`;
  pathParameters(route.path, where);
  if (seen.has(routeKey)) throw new Error(`${where}: the route is declared twice`);
  seen.add(routeKey);
  return { ...validateRouteTarget(route, field, authorizerNames), routeKey, method, path: route.path };
}

/** Checks what a route (or the default route) points at: its function, authorizer, scopes and throttle. */
function validateRouteTarget(route: HttpDefaultRouteArgs, field: string, authorizerNames: string[]): Omit<ValidatedHttpRoute, "routeKey" | "method" | "path"> {
  if (!route || !route.function) throw new Error(`${field}.function is required: the Lambda function answering the route`);
  if (route.authorizer !== undefined && !authorizerNames.includes(route.authorizer)) {
    throw new Error(`${field}.authorizer: "${route.authorizer}" is not one of the jwtAuthorizers (known: ${authorizerNames.join(", ") || "none"})`);
  }
  if (route.authorizationScopes !== undefined) validateScopes(route.authorizationScopes, route.authorizer, field);
  if (route.throttle !== undefined) refuse(throttleProblem(route.throttle, `${field}.throttle`));
  return { function: route.function, authorizer: route.authorizer, authorizationScopes: route.authorizationScopes, throttle: route.throttle };
}

function validateScopes(scopes: string[], authorizer: string | undefined, field: string): void {
  if (authorizer === undefined) {
    throw new Error(`${field}.authorizationScopes need an authorizer: only a JWT authorizer checks scopes`);
  }
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new Error(`${field}.authorizationScopes must list at least one scope (leave it out to accept any valid token)`);
  }
  scopes.forEach((scope, i) => {
    if (typeof scope !== "string" || !/^\S+$/.test(scope)) {
      throw new Error(`${field}.authorizationScopes[${i}] must be a scope without spaces, like "orders/read" (got ${JSON.stringify(scope)})`);
    }
  });
}

/** Checks the stage; returns it with its name and log retention defaulted. */
function validateStage(stage: HttpStageArgs): ValidatedHttpStage {
  const name = stage.name ?? DEFAULT_HTTP_STAGE_NAME;
  refuse(stageNameProblem(name, "stage.name", { allowDefault: true }));
  const retention = stage.accessLogRetentionDays ?? DEFAULT_ACCESS_LOG_RETENTION_DAYS;
  refuse(logRetentionProblem(retention, "stage.accessLogRetentionDays"));
  if (stage.throttle !== undefined) refuse(throttleProblem(stage.throttle, "stage.throttle"));
  return { name, throttle: stage.throttle, accessLogRetentionDays: retention };
}
