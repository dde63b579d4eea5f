import { corsPolicyFromEnv, headerValue, jsonResponse, type CorsPolicy } from "./proxyResponse";
import type { LambdaContext, ProxyEvent, ProxyResult } from "./proxyTypes";

export interface DataHandlerOptions {
  /** Value of `Cache-Control: max-age`. @default `CACHE_TTL_SECONDS`, else 300 */
  cacheTtlSeconds?: number;
  /** Simulated work per request, in milliseconds. @default `DATA_WORK_MS`, else 0 */
  workMs?: number;
  /** @default read from `CORS_ALLOW_ORIGINS` / `CORS_ALLOW_CREDENTIALS` */
  cors?: CorsPolicy;
}

export interface DataPayload {
  category: string;
  language: string;
  generatedAt: string;
  requestId: string;
}

const DEFAULT_CACHE_TTL_SECONDS = 300;
const DEFAULT_LANGUAGE = "en";
const DEFAULT_CATEGORY = "all";
// BCP 47 shape (RFC 5646 §2.1, loosely): a 1-8 letter primary subtag, then 1-8 alphanumerics.
const LANGUAGE_TAG_PATTERN = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

/**
 * GET /data?category=... (Lambda proxy): "the heavy endpoint" that the stage cache fronts.
 * Answers `{category, language, generatedAt, requestId}` with `Cache-Control: max-age`.
 *
 * Reads `CACHE_TTL_SECONDS`, `DATA_WORK_MS`, `CORS_ALLOW_ORIGINS`, `CORS_ALLOW_CREDENTIALS`.
 */
export function createDataHandler(options: DataHandlerOptions = {}) {
  const cacheTtlSeconds =
    options.cacheTtlSeconds ?? nonNegativeIntegerFromEnv("CACHE_TTL_SECONDS", DEFAULT_CACHE_TTL_SECONDS);
  const workMs = options.workMs ?? nonNegativeIntegerFromEnv("DATA_WORK_MS", 0);
  const cors = options.cors ?? corsPolicyFromEnv();

  return async (event: ProxyEvent, _context: LambdaContext): Promise<ProxyResult> => {
    if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));

    const category = event.queryStringParameters?.category;
    const payload: DataPayload = {
      category: category === undefined || category === "" ? DEFAULT_CATEGORY : category,
      language: preferredLanguage(headerValue(event, "Accept-Language")),
      generatedAt: new Date().toISOString(),
      requestId: event.requestContext.requestId,
    };
    return jsonResponse(200, payload, event, cors, {
      "Cache-Control": `max-age=${cacheTtlSeconds}`,
      // The body depends on Accept-Language; API Gateway's own cache keys only on the
      // integration's cacheKeyParameters, so add the header there too when caching per language.
      Vary: "Accept-Language",
    });
  };
}

/**
 * The first language tag of an Accept-Language header, q-values stripped, in the order the
 * client wrote them (`"fr-CH, fr;q=0.9"` → `"fr-CH"`). Falls back to `en` for a missing,
 * empty, wildcard or malformed first entry.
 */
export function preferredLanguage(acceptLanguage: string | undefined): string {
  if (acceptLanguage === undefined) return DEFAULT_LANGUAGE;
  const first = acceptLanguage.split(",")[0].split(";")[0].trim();
  return LANGUAGE_TAG_PATTERN.test(first) ? first : DEFAULT_LANGUAGE;
}

/** An integer environment variable >= 0; throws at cold start naming the variable. */
export function nonNegativeIntegerFromEnv(
  name: string,
  fallback: number,
  env: Record<string, string | undefined> = process.env,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer (got "${raw}")`);
  }
  return value;
}
