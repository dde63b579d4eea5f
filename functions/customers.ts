/**
 * The customers API (Lambda proxy handlers): onboard a customer into a tier, list the
 * customers, read one's usage, change its tier, rotate, disable, enable or remove its key —
 * through API Gateway's own management API, so what the gateway enforces and what this API
 * reports are the same state. Callers must be admins: wrap the handler with
 * `withCognitoAuth({ groups: ["admins"] }, ...)` (functions/cognitoAuth.ts).
 *
 * One handler serves the routes it is given, so that each function (and its IAM role) can
 * serve only a family of routes.
 */
import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { type CognitoAuthOptions, withCognitoAuth } from "./cognitoAuth";
import { type ApiGatewayCallError, customerDirectories, isApiGatewayCallError } from "./customerDirectory";
import {
  type CustomerAnswer,
  type CustomerRequest,
  changeTier,
  customerError,
  customerIdOf,
  customerUsage,
  isCustomerError,
  listCustomers,
  onboardCustomer,
  removeCustomer,
  rotateKey,
  setCustomerEnabled,
} from "./customerOperations";
import { corsPolicyFromEnv, jsonResponse, type CorsPolicy } from "./proxyResponse";
import type { LambdaContext, ProxyEvent, ProxyResult } from "./proxyTypes";
import { parseJsonBody } from "./jsonBody";

/** The routes of the customers API, as `METHOD resource`. */
export const CUSTOMER_ROUTES = [
  "POST /customers",
  "GET /customers",
  "GET /customers/{id}/usage",
  "PUT /customers/{id}/tier",
  "POST /customers/{id}/rotate",
  "POST /customers/{id}/disable",
  "POST /customers/{id}/enable",
  "DELETE /customers/{id}",
] as const;

/** One route of the customers API. */
export type CustomerRoute = (typeof CUSTOMER_ROUTES)[number];

/** The environment variable holding the tiers' names, a JSON array (`["basic","premium"]`). */
export const CUSTOMER_TIERS_ENV = "CUSTOMER_TIERS";

/**
 * The environment variable holding the routes a function serves, a JSON array of route keys
 * (`["PUT /customers/{id}/tier"]`): the six functions share one handler factory (serialized
 * once at deploy time) and differ by this value and by their roles.
 */
export const CUSTOMER_FUNCTION_ROUTES_ENV = "CUSTOMER_FUNCTION_ROUTES";

export interface CustomersHandlerOptions {
  /** The tiers a customer may be in, in the order they are listed. @default the JSON array in `CUSTOMER_TIERS` (required when not given) */
  tiers?: string[];
  /** @default an APIGatewayClient created once per container (AWS_ENDPOINT_URL_API_GATEWAY locally) */
  client?: APIGatewayClient;
  /** @default read from `CORS_ALLOW_ORIGINS` / `CORS_ALLOW_CREDENTIALS` */
  cors?: CorsPolicy;
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number;
  /**
   * Where a failed API Gateway call is logged (one JSON line).
   * @default console.error (CloudWatch Logs)
   */
  log?: (line: string) => void;
}

type Operation = (request: CustomerRequest, event: ProxyEvent) => Promise<CustomerAnswer>;

const OPERATIONS: Record<CustomerRoute, Operation> = {
  "POST /customers": (request, event) => onboardCustomer(request, bodyOf(event)),
  "GET /customers": (request) => listCustomers(request),
  "GET /customers/{id}/usage": (request, event) => customerUsage(request, idOf(event), usageQueryOf(event)),
  "PUT /customers/{id}/tier": (request, event) => changeTier(request, idOf(event), bodyOf(event)),
  "POST /customers/{id}/rotate": (request, event) => rotateKey(request, idOf(event)),
  "POST /customers/{id}/disable": (request, event) => setCustomerEnabled(request, idOf(event), false),
  "POST /customers/{id}/enable": (request, event) => setCustomerEnabled(request, idOf(event), true),
  "DELETE /customers/{id}": (request, event) => removeCustomer(request, idOf(event)),
};

// A new key's value is in some answers, and every answer is one admin's view of live state:
// no cache (browser, proxy) may keep any of them.
const NO_STORE = { "Cache-Control": "no-store" };

/**
 * The handler of `routes` (Lambda proxy). The stage whose customers it manages is the one the
 * request came through (`requestContext.apiId` and `stage`). Answers JSON: the operation's, or
 * `{"message"}` with 400 (bad input), 404 (no such customer), 409 (exists already, or a
 * deploy-time customer), 502 (an API Gateway call failed, saying what state it left) or 503
 * (API Gateway throttled the call).
 *
 * Reads `CUSTOMER_TIERS`, `CORS_ALLOW_ORIGINS`, `CORS_ALLOW_CREDENTIALS`.
 *
 * @param routes - The routes this function serves; any other answers 500 (a wiring mistake).
 * @param options - Overrides of what is read from the environment.
 */
export function createCustomersHandler(routes: readonly CustomerRoute[], options: CustomersHandlerOptions = {}) {
  const tiers = options.tiers ?? customerTiersFromEnv();
  const directoryOf = customerDirectories(options.client ?? new APIGatewayClient({}));
  const cors = options.cors ?? corsPolicyFromEnv();
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.error(line));
  const served = new Set<string>(routes);

  return async (event: ProxyEvent, _context?: LambdaContext): Promise<ProxyResult> => {
    const route = `${event.httpMethod} ${event.resource}`;
    if (!served.has(route)) return jsonResponse(500, { message: `this function does not serve ${route}` }, event, cors, NO_STORE);
    const request: CustomerRequest = {
      directory: directoryOf({ restApiId: event.requestContext.apiId, stageName: event.requestContext.stage }),
      tiers,
      now: now(),
    };
    try {
      const answer = await OPERATIONS[route as CustomerRoute](request, event);
      return jsonResponse(answer.status, answer.body, event, cors, { ...NO_STORE, ...answer.headers });
    } catch (err) {
      if (isCustomerError(err)) return jsonResponse(err.status, { message: err.message }, event, cors, NO_STORE);
      if (!isApiGatewayCallError(err)) throw err;
      log(JSON.stringify({ level: "error", message: "API Gateway call failed", route, error: err.message, requestId: event.requestContext.requestId }));
      return jsonResponse(callFailureStatus(err), { message: `API Gateway refused ${err.message}` }, event, cors, NO_STORE);
    }
  };
}

/** Options of {@link createAdminCustomersHandler}: the handler's, and who may call it. */
export interface AdminCustomersHandlerOptions extends CustomersHandlerOptions {
  /** The groups whose members may call the routes; anyone else gets 403. @default ["admins"] */
  groups?: string[];
  /** The rest of the token check. @default read from the environment (see withCognitoAuth) */
  auth?: Omit<CognitoAuthOptions, "groups" | "cors">;
}

/**
 * The handler as each function of the customers API runs it: {@link createCustomersHandler}
 * behind `withCognitoAuth`, so only members of `groups` reach it (others: 403
 * `{"error":"Insufficient permissions"}`, no token: 401), whatever the gateway in front did.
 *
 * Reads what createCustomersHandler and withCognitoAuth read.
 *
 * @param routes - The routes this function serves.
 * @param options - The groups, and overrides of what is read from the environment.
 */
export function createAdminCustomersHandler(routes: readonly CustomerRoute[], options: AdminCustomersHandlerOptions = {}) {
  const { groups = ["admins"], auth = {}, ...handlerOptions } = options;
  return withCognitoAuth({ ...auth, groups, cors: handlerOptions.cors }, createCustomersHandler(routes, handlerOptions));
}

/** The tiers from `CUSTOMER_TIERS` (a JSON array of names); throws at cold start when it is not one. */
export function customerTiersFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return stringListFromEnv(env, CUSTOMER_TIERS_ENV, (t) => t !== "", `the tiers' names, like ["basic","premium"]`);
}

/**
 * The routes from `CUSTOMER_FUNCTION_ROUTES` (a JSON array of customer route keys); throws at
 * cold start when it is not one, naming the routes there are.
 *
 * @param env - The environment. @default process.env
 */
export function customerRoutesFromEnv(env: Record<string, string | undefined> = process.env): CustomerRoute[] {
  const known: readonly string[] = CUSTOMER_ROUTES;
  return stringListFromEnv(env, CUSTOMER_FUNCTION_ROUTES_ENV, (r) => known.includes(r), `routes among ${CUSTOMER_ROUTES.join(", ")}`) as CustomerRoute[];
}

/**
 * A non-empty JSON array of strings from an environment variable, each accepted by `accepts`;
 * throws `<name> must be a JSON array of <expected> (got <the value>)` otherwise.
 *
 * @param env - The environment.
 * @param name - The variable.
 * @param accepts - Whether one element is allowed.
 * @param expected - What the elements are, for the error.
 */
function stringListFromEnv(env: Record<string, string | undefined>, name: string, accepts: (element: string) => boolean, expected: string): string[] {
  const text = env[name];
  let list: unknown;
  try {
    list = text === undefined ? undefined : JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || list.length === 0 || list.some((e) => typeof e !== "string" || !accepts(e))) {
    throw new Error(`${name} must be a JSON array of ${expected} (got ${JSON.stringify(text)})`);
  }
  return list as string[];
}

/** 503 when API Gateway throttled the call (worth retrying), 502 for any other failure. */
function callFailureStatus(err: ApiGatewayCallError): number {
  return err.errorName === "TooManyRequestsException" || err.errorName === "LimitExceededException" ? 503 : 502;
}

function bodyOf(event: ProxyEvent): unknown {
  const parsed = parseJsonBody(event);
  if (!parsed.ok) throw customerError(400, "the body must be JSON");
  return parsed.value;
}

function idOf(event: ProxyEvent): string {
  return customerIdOf(event.pathParameters?.id);
}

function usageQueryOf(event: ProxyEvent): { startDate?: string; endDate?: string } {
  const query = event.queryStringParameters ?? {};
  return { startDate: query.startDate, endDate: query.endDate };
}
