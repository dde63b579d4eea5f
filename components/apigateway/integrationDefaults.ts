/**
 * Integration and authorizer limits and defaults (API Gateway developer guide, "Amazon API
 * Gateway quotas": integration timeout 50 ms to 29 s; authorizer result TTL up to 3600 s,
 * 300 by default; the default identity source of TOKEN and Cognito authorizers).
 */
import { shown } from "./shownValue";

/** An integration's timeout in ms: 50 to 29,000, the maximum when not set. */
export const INTEGRATION_TIMEOUT_MS = { min: 50, max: 29_000, default: 29_000 } as const;

/** An authorizer's result cache TTL in s: 0 (off) to 3600, 300 when not set. */
export const AUTHORIZER_RESULT_TTL_SECONDS = { min: 0, max: 3600, default: 300 } as const;

/** Where TOKEN and Cognito authorizers read the token when no identity source is given. */
export const DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization";

/**
 * Why a value is not an integration timeout, naming it `at`; undefined when it is one.
 *
 * @param value - The value read.
 * @param at - The argument path, e.g. `routes[0].integration.timeoutMilliseconds`.
 */
export function integrationTimeoutProblem(value: unknown, at: string): string | undefined {
  const { min, max } = INTEGRATION_TIMEOUT_MS;
  if (Number.isInteger(value) && (value as number) >= min && (value as number) <= max) return undefined;
  return `${at} must be an integer from ${min} to ${max} (got ${shown(value)})`;
}

/**
 * Why a value is not an authorizer result TTL, naming it `at`; undefined when it is one.
 *
 * @param value - The value read.
 * @param at - The argument path, e.g. `authorizers.jwt.resultTtlSeconds`.
 */
export function authorizerTtlProblem(value: unknown, at: string): string | undefined {
  const { min, max } = AUTHORIZER_RESULT_TTL_SECONDS;
  if (Number.isInteger(value) && (value as number) >= min && (value as number) <= max) return undefined;
  return `${at} must be an integer from ${min} to ${max} (got ${shown(value)})`;
}

/**
 * An HTTP API integration's timeout in ms: 50 to 30,000, the maximum when not set (API Gateway
 * developer guide, "Quotas for configuring and running an HTTP API").
 */
export const HTTP_API_INTEGRATION_TIMEOUT_MS = { min: 50, max: 30_000, default: 30_000 } as const;

/** Where an HTTP API JWT authorizer reads the token when no identity source is given. */
export const DEFAULT_HTTP_API_IDENTITY_SOURCE = "$request.header.Authorization";
