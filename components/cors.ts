/**
 * CORS for a REST API: the policy, its validation, and the API Gateway mapping pieces that answer
 * it (static header values when one origin is allowed, a VTL origin check when several are).
 */

/** Cross-origin resource sharing for browser clients. */
export interface CorsArgs {
  /**
   * Origins allowed to call the API, exactly as browsers send them (`https://app.example.com`).
   * `["*"]` allows any origin, and is refused together with `allowCredentials`.
   * @example ["https://app.example.com", "http://localhost:3000"]
   */
  allowOrigins: string[];
  /**
   * Request headers a browser may send.
   * @default ["Content-Type", "Authorization", "X-Amz-Date", "X-Api-Key", "X-Amz-Security-Token"]
   */
  allowHeaders?: string[];
  /**
   * Methods announced in preflight answers.
   * @default the methods the resource has, plus OPTIONS
   */
  allowMethods?: string[];
  /**
   * Response headers a browser script may read.
   * @default []
   */
  exposeHeaders?: string[];
  /**
   * Whether browsers may send cookies and Authorization with cross-origin requests.
   * @default false
   */
  allowCredentials?: boolean;
  /**
   * How long browsers may cache a preflight answer, in seconds (0..86400).
   * @default 600
   */
  maxAgeSeconds?: number;
}

/** A CORS policy with every default applied. */
export interface CorsPolicy {
  allowOrigins: string[];
  allowHeaders: string[];
  allowMethods?: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAgeSeconds: number;
}

export const DEFAULT_CORS_ALLOW_HEADERS = ["Content-Type", "Authorization", "X-Amz-Date", "X-Api-Key", "X-Amz-Security-Token"];

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** Checks a CORS policy, naming the field that is wrong; applies the defaults. */
export function validateCors(cors: CorsArgs, field: string): CorsPolicy {
  if (!Array.isArray(cors.allowOrigins) || cors.allowOrigins.length === 0) {
    throw new Error(`${field}.allowOrigins must list at least one origin`);
  }
  cors.allowOrigins.forEach((origin, i) => {
    if (origin === "*") return;
    if (typeof origin !== "string" || !/^https?:\/\/[^/\s*]+$/.test(origin)) {
      throw new Error(
        `${field}.allowOrigins[${i}] must be "*" or an origin like https://app.example.com, with no path or trailing slash (got ${JSON.stringify(origin)})`,
      );
    }
  });
  const allowCredentials = cors.allowCredentials ?? false;
  if (cors.allowOrigins.includes("*")) {
    if (allowCredentials) {
      // Browsers reject the pair, and echoing any origin instead would hand every site the
      // user's credentials.
      throw new Error(`${field}.allowOrigins may not contain "*" when ${field}.allowCredentials is true`);
    }
    if (cors.allowOrigins.length > 1) {
      throw new Error(`${field}.allowOrigins: "*" already allows every origin; list it alone`);
    }
  }
  const maxAgeSeconds = cors.maxAgeSeconds ?? 600;
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0 || maxAgeSeconds > 86400) {
    throw new Error(`${field}.maxAgeSeconds must be an integer from 0 to 86400 (got ${cors.maxAgeSeconds})`);
  }
  for (const method of cors.allowMethods ?? []) {
    if (!HTTP_METHODS.includes(method)) {
      throw new Error(`${field}.allowMethods: "${method}" is not one of ${HTTP_METHODS.join(", ")}`);
    }
  }
  return {
    allowOrigins: [...cors.allowOrigins],
    allowHeaders: cors.allowHeaders ?? DEFAULT_CORS_ALLOW_HEADERS,
    allowMethods: cors.allowMethods,
    exposeHeaders: cors.exposeHeaders ?? [],
    allowCredentials,
    maxAgeSeconds,
  };
}

/** Whether the allowed origin can be a static header value (one origin, or `*`). */
export function hasSingleOrigin(policy: CorsPolicy): boolean {
  return policy.allowOrigins.length === 1;
}

/**
 * Static response headers (API Gateway `responseParameters` values, quoted literals) that every
 * CORS answer carries. Allow-Origin is among them only when one origin is allowed; with several,
 * {@link originCheckTemplate} sets it per request.
 */
export function staticCorsHeaders(policy: CorsPolicy): Record<string, string> {
  const headers: Record<string, string> = {};
  if (hasSingleOrigin(policy)) headers["Access-Control-Allow-Origin"] = quote(policy.allowOrigins[0]);
  if (policy.allowOrigins[0] !== "*") headers["Vary"] = quote("Origin");
  if (policy.allowCredentials) headers["Access-Control-Allow-Credentials"] = quote("true");
  if (policy.exposeHeaders.length > 0) headers["Access-Control-Expose-Headers"] = quote(policy.exposeHeaders.join(","));
  return headers;
}

/** The headers of a preflight (OPTIONS) answer for a resource with the given methods. */
export function preflightHeaders(policy: CorsPolicy, resourceMethods: string[]): Record<string, string> {
  const methods = policy.allowMethods ?? [...new Set([...resourceMethods, "OPTIONS"])];
  return {
    ...staticCorsHeaders(policy),
    "Access-Control-Allow-Methods": quote(methods.join(",")),
    "Access-Control-Allow-Headers": quote(policy.allowHeaders.join(",")),
    "Access-Control-Max-Age": quote(String(policy.maxAgeSeconds)),
  };
}

/**
 * A VTL fragment for integration response templates: when several origins are allowed, it
 * echoes the request's Origin only if it is one of them (AWS reads `$context.responseOverride`
 * after the template runs). Empty when a static header does the job.
 */
export function originCheckTemplate(policy: CorsPolicy): string {
  if (hasSingleOrigin(policy)) return "";
  const condition = policy.allowOrigins.map((o) => `$origin == "${o}"`).join(" || ");
  return [
    `#set($origin = $input.params().header.get("Origin"))`,
    `#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end`,
    `#if(${condition})#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end`,
    "",
  ].join("\n");
}

/**
 * The origin gateway responses (DEFAULT_4XX / DEFAULT_5XX) announce. Gateway responses cannot
 * run an origin check, and echoing the caller's Origin would allow every site; so with several
 * allowed origins the first one is used (browsers on the others cannot read error bodies).
 */
export function gatewayResponseOrigin(policy: CorsPolicy): string {
  return policy.allowOrigins[0];
}

function quote(value: string): string {
  return `'${value}'`;
}
