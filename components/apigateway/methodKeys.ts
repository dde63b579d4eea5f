import { HTTP_METHODS, type HttpMethod, isHttpMethod } from "./httpMethods";

/**
 * One method of an API, and the spellings AWS and this package use for it:
 *
 * | spelling | example (GET /users/{id}) | root (GET /) | used by |
 * |---|---|---|---|
 * | settings key | `users/{id}/GET` | `/GET` | `methodSettings` arguments, `apigw-kit:methodOverrides` |
 * | method path | `~1users~1{id}/GET` | `~1/GET` | `aws.apigateway.MethodSettings.methodPath` (UpdateStage's patch path, `/` escaped as `~1`) |
 * | throttle path | `/users/{id}/GET` | `//GET` | usage plan `apiStages[].throttles[].path` |
 * | route key | `GET /users/{id}` | `GET /` | HTTP API route keys, this package's method tables |
 *
 * Sources: API Gateway API reference, UpdateStage (patch paths `/{resourcePath}/{httpMethod}/...`
 * with `/` encoded as `~1`) and ThrottleSettings of UsagePlan (`/{resourcePath}/{httpMethod}`).
 */
export interface MethodKey {
  /** The resource path, starting with `/` (`/` for the root). */
  path: string;
  /** The method. */
  method: HttpMethod;
}

/** The stage-wide method-settings key (and method path). */
export const ALL_METHODS_KEY = "*/*";

const METHOD_ALTERNATION = HTTP_METHODS.join("|");
const SETTINGS_KEY = new RegExp(`^(.*)/(${METHOD_ALTERNATION})$`);
const THROTTLE_PATH = new RegExp(`^(/|(?:/[^/\\s]+)+)/(${METHOD_ALTERNATION})$`);
const ROUTE_KEY = new RegExp(`^(${METHOD_ALTERNATION}) (/\\S*)$`);

/**
 * `users/{id}/GET`, the settings key (root: `/GET`).
 *
 * @param key - The method.
 */
export function toSettingsKey(key: MethodKey): string {
  return `${key.path === "/" ? "" : key.path.slice(1)}/${key.method}`;
}

/**
 * Reads a settings key (`users/{id}/GET`, `/GET` for the root); the reason it is not one
 * otherwise.
 *
 * @param text - The key as written.
 */
export function parseSettingsKey(text: string): MethodKey | { problem: string } {
  const match = SETTINGS_KEY.exec(text);
  if (!match) {
    return { problem: `keys are "*/*" or "<resource path>/<METHOD>", like "data/GET", "users/{id}/GET" or "/GET" for the root` };
  }
  if (match[1].startsWith("/")) {
    return { problem: `write the resource path without its leading slash ("${text.slice(1)}")` };
  }
  return { path: "/" + match[1], method: match[2] as HttpMethod };
}

/**
 * `~1users~1{id}/GET`, the MethodSettings method path: every `/` of the resource path, the
 * leading one too, escaped as `~1` (root: `~1/GET`).
 *
 * @param key - The method.
 */
export function toMethodPath(key: MethodKey): string {
  return `${key.path.replace(/\//g, "~1")}/${key.method}`;
}

/**
 * The method a MethodSettings `methodPath` names, read in both spellings programs use:
 * AWS's escaped `~1users~1{id}/GET` and Terraform's documented `users/{id}/GET` (its docs tell
 * users to trim the leading slash). `*\/*` and anything else: undefined.
 *
 * @param methodPath - The method path as the program wrote it.
 */
export function parseMethodPath(methodPath: string): MethodKey | undefined {
  if (methodPath === ALL_METHODS_KEY) return undefined;
  if (methodPath.startsWith("~1")) {
    const cut = methodPath.lastIndexOf("/");
    const method = methodPath.slice(cut + 1);
    if (cut < 0 || !isHttpMethod(method)) return undefined;
    return { path: methodPath.slice(0, cut).replace(/~1/g, "/").replace(/~0/g, "~"), method };
  }
  const key = parseSettingsKey(methodPath);
  return "problem" in key ? undefined : key;
}

/**
 * `/users/{id}/GET`, the usage plan throttle path (root: `//GET`).
 *
 * @param key - The method.
 */
export function toThrottlePath(key: MethodKey): string {
  return `${key.path === "/" ? "/" : key.path}/${key.method}`;
}

/**
 * The throttle paths a usage plan may key a method's limit by: AWS's, and `/GET` for the
 * root, which some tools write.
 *
 * @param key - The method.
 */
export function throttlePathsOf(key: MethodKey): string[] {
  return key.path === "/" ? [`//${key.method}`, `/${key.method}`] : [toThrottlePath(key)];
}

/**
 * Reads a usage plan throttle path (`/data/GET`, `//GET`); undefined when it is not one.
 *
 * @param text - The path as written.
 */
export function parseThrottlePath(text: string): MethodKey | undefined {
  const match = THROTTLE_PATH.exec(text);
  return match ? { path: match[1], method: match[2] as HttpMethod } : undefined;
}

/**
 * `GET /users/{id}`, the route key.
 *
 * @param key - The method.
 */
export function toRouteKey(key: MethodKey): string {
  return `${key.method} ${key.path}`;
}

/**
 * Reads a route key (`GET /users/{id}`); undefined when it is not one (`$default` included).
 *
 * @param text - The key as written.
 */
export function parseRouteKey(text: string): MethodKey | undefined {
  const match = ROUTE_KEY.exec(text);
  return match ? { method: match[1] as HttpMethod, path: match[2] } : undefined;
}
