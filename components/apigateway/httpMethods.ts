/**
 * The HTTP methods API Gateway knows (REST `Method.httpMethod`, HTTP API route keys, usage
 * plan and method-settings paths), and what `ANY` stands for.
 */

/** The methods a route or method may declare, `ANY` included. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;

/** A method a route or method may declare. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The methods a browser may name in a CORS preflight (`ANY` is API Gateway's, not HTTP's). */
export const REQUEST_METHODS = HTTP_METHODS.filter((m): m is Exclude<HttpMethod, "ANY"> => m !== "ANY");

/**
 * The methods an `ANY` method answers when the API also answers CORS preflights: every
 * request method but OPTIONS, which the preflight owns.
 */
export const ANY_METHOD_ANSWERS = REQUEST_METHODS.filter((m) => m !== "OPTIONS");

/**
 * Whether a value is one of {@link HTTP_METHODS} (exact case: API Gateway's methods are
 * upper case).
 *
 * @param value - Anything read from arguments or config.
 */
export function isHttpMethod(value: unknown): value is HttpMethod {
  return typeof value === "string" && (HTTP_METHODS as readonly string[]).includes(value);
}

/**
 * The request methods a declared method answers: `ANY` stands for {@link ANY_METHOD_ANSWERS}.
 *
 * @param method - The declared method.
 */
export function methodsAnswered(method: HttpMethod): string[] {
  return method === "ANY" ? [...ANY_METHOD_ANSWERS] : [method];
}
