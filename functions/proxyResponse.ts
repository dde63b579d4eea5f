import type { ProxyEvent, ProxyResult } from "./proxyTypes";

/**
 * Which browser origins may read the responses of a proxy integration. With a REST API the
 * gateway answers the OPTIONS preflight (MOCK integration), but the real method's response
 * must carry Access-Control-Allow-Origin itself: a proxy integration returns its headers as-is.
 */
export interface CorsPolicy {
  /** Exact origins (`https://app.example.com`), or exactly `["*"]` for any origin. Empty: no CORS. */
  allowOrigins: string[];
  /** Send `Access-Control-Allow-Credentials: true`; never allowed together with `*`. */
  allowCredentials: boolean;
}

/** Environment variables read by {@link corsPolicyFromEnv}. */
export const CORS_ENV = {
  allowOrigins: "CORS_ALLOW_ORIGINS",
  allowCredentials: "CORS_ALLOW_CREDENTIALS",
} as const;

// scheme://host[:port], nothing after: the Origin header never carries a path or a trailing
// slash, so such an entry could never match. "null" (sandboxed frames, file://) is refused
// on purpose: allowing it lets any sandboxed page in.
const ORIGIN_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+$/i;

/**
 * Reads the CORS policy from `CORS_ALLOW_ORIGINS` (comma-separated origins, or `*`) and
 * `CORS_ALLOW_CREDENTIALS` (`true` / `false`, default false). Throws on a policy browsers
 * would reject, so a misconfigured function fails at cold start rather than per request.
 */
export function corsPolicyFromEnv(env: Record<string, string | undefined> = process.env): CorsPolicy {
  const allowOrigins = (env[CORS_ENV.allowOrigins] ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");

  const rawCredentials = (env[CORS_ENV.allowCredentials] ?? "").trim().toLowerCase();
  if (rawCredentials !== "" && rawCredentials !== "true" && rawCredentials !== "false") {
    throw new Error(
      `${CORS_ENV.allowCredentials} must be "true" or "false" (got "${env[CORS_ENV.allowCredentials]}")`,
    );
  }
  const allowCredentials = rawCredentials === "true";

  if (allowOrigins.includes("*")) {
    if (allowOrigins.length > 1) {
      throw new Error(
        `${CORS_ENV.allowOrigins} must be either "*" or a list of origins, not both (got "${env[CORS_ENV.allowOrigins]}")`,
      );
    }
    if (allowCredentials) {
      // Fetch standard: a credentialed response with Allow-Origin "*" is a CORS failure.
      throw new Error(
        `${CORS_ENV.allowOrigins}="*" cannot be combined with ${CORS_ENV.allowCredentials}=true: ` +
          "browsers reject a wildcard origin on credentialed requests; list the allowed origins instead",
      );
    }
  } else {
    for (const origin of allowOrigins) {
      if (!ORIGIN_PATTERN.test(origin)) {
        throw new Error(
          `${CORS_ENV.allowOrigins} entries must be origins like "https://app.example.com" ` +
            `(scheme and host, no path or trailing slash); got "${origin}"`,
        );
      }
    }
  }
  return { allowOrigins, allowCredentials };
}

/**
 * Case-insensitive request header lookup. REST proxy events keep the client's spelling of
 * header names, so `origin`, `Origin` and `ORIGIN` must all be found.
 */
export function headerValue(event: Pick<ProxyEvent, "headers" | "multiValueHeaders">, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  // `headers` holds the last value of a repeated header; fall back the same way.
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values !== undefined && values.length > 0) {
      return values[values.length - 1];
    }
  }
  return undefined;
}

/**
 * The CORS response headers for one request under `cors`:
 * - Origin listed: echo it, with `Vary: Origin` (and `Access-Control-Allow-Credentials: true`
 *   when credentials are allowed);
 * - policy exactly `["*"]` without credentials: `Access-Control-Allow-Origin: *`;
 * - otherwise no Allow-Origin header. `Vary: Origin` is still sent when the policy lists
 *   origins, because the answer depends on the Origin header and a shared cache must not
 *   serve a refused response to an allowed origin.
 * A hand-built policy with `*` and credentials yields no Allow-Origin at all, never `*`.
 */
export function corsHeadersFor(
  event: Pick<ProxyEvent, "headers" | "multiValueHeaders">,
  cors: CorsPolicy,
): Record<string, string> {
  if (cors.allowOrigins.length === 0) return {};
  if (cors.allowOrigins.length === 1 && cors.allowOrigins[0] === "*") {
    return cors.allowCredentials ? {} : { "Access-Control-Allow-Origin": "*" };
  }
  const headers: Record<string, string> = { Vary: "Origin" };
  const origin = headerValue(event, "Origin");
  if (origin !== undefined && origin !== "*" && cors.allowOrigins.includes(origin)) {
    headers["Access-Control-Allow-Origin"] = origin;
    if (cors.allowCredentials) headers["Access-Control-Allow-Credentials"] = "true";
  }
  return headers;
}

/**
 * A Lambda proxy result with a JSON body, `Content-Type: application/json`, the CORS headers
 * for this request (when `cors` is given) and any `extraHeaders`. `Vary` values from both
 * are merged rather than overwritten.
 */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  event: Pick<ProxyEvent, "headers" | "multiValueHeaders">,
  cors?: CorsPolicy,
  extraHeaders: Record<string, string> = {},
): ProxyResult {
  const corsHeaders = cors ? corsHeadersFor(event, cors) : {};
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    ...corsHeaders,
    ...extraHeaders,
  };
  if (corsHeaders.Vary !== undefined && extraHeaders.Vary !== undefined) {
    const names = [...corsHeaders.Vary.split(","), ...extraHeaders.Vary.split(",")].map((n) => n.trim());
    headers.Vary = [...new Set(names)].join(", ");
  }
  return { statusCode, headers, body: JSON.stringify(body) };
}
