/**
 * HMAC client tokens: `clientId.unixSeconds.hex(HMAC-SHA256(secret, "clientId.unixSeconds"))`.
 *
 * A client holding its secret mints a token per request (or per few minutes); the authorizer
 * holding every client's secret checks the signature and that the token was issued within
 * the window either side of its own clock. Shared by the Lambda authorizer and `npm run token`:
 * run-time code, so no `@pulumi/*` import.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The whole token, anchored; also the authorizer's `identityValidationExpression`, so API
 * Gateway refuses a malformed token (401) without invoking the function. Plain enough to mean
 * the same in JavaScript and in Java, API Gateway's regex dialect.
 */
export const HMAC_TOKEN_PATTERN = "^[A-Za-z0-9_-]{1,64}\\.[0-9]{10}\\.[0-9a-f]{64}$";

/** What a client id may be: it is the token's first field and the authorizer's principalId. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** How far a token's time may be from the verifier's clock, either way. */
export const DEFAULT_WINDOW_SECONDS = 300;

const TOKEN = new RegExp(HMAC_TOKEN_PATTERN);
// The token's time field has exactly 10 digits: 2001-09-09 to 2286-11-20.
const MIN_SECONDS = 1_000_000_000;
const MAX_SECONDS = 9_999_999_999;

export type HmacTokenRejection = "malformed" | "unknown-client" | "stale" | "future" | "bad-signature";

export type HmacTokenVerification =
  | {
      ok: true;
      clientId: string;
      /** The token's unix time, in seconds. */
      issuedAt: number;
      /** The last second (unix time) the token is accepted: `issuedAt + windowSeconds`. */
      expiresAt: number;
    }
  | { ok: false; reason: HmacTokenRejection };

/** The hex HMAC-SHA256 of `clientId.issuedAt` under the client's secret. */
export function hmacTokenSignature(clientId: string, issuedAt: number, secret: string): string {
  return createHmac("sha256", secret).update(`${clientId}.${issuedAt}`).digest("hex");
}

/**
 * A fresh token for a client. Throws for a client id the authorizer could never accept, an
 * empty secret, or a time outside the token's 10-digit field.
 */
export function createHmacToken(clientId: string, secret: string, nowSeconds: number = Math.floor(Date.now() / 1000)): string {
  if (!CLIENT_ID_PATTERN.test(clientId)) {
    throw new Error(`clientId must match ${CLIENT_ID_PATTERN.source} (got ${JSON.stringify(clientId)})`);
  }
  if (typeof secret !== "string" || secret === "") throw new Error("secret must be a non-empty string");
  const issuedAt = Math.floor(nowSeconds);
  if (!Number.isFinite(nowSeconds) || issuedAt < MIN_SECONDS || issuedAt > MAX_SECONDS) {
    throw new Error(`nowSeconds must be a unix time in seconds with 10 digits (got ${nowSeconds})`);
  }
  return `${clientId}.${issuedAt}.${hmacTokenSignature(clientId, issuedAt, secret)}`;
}

/**
 * Checks a token against the clients' secrets and the clock. The signature is checked before
 * the time, so "stale" and "future" are only ever said of tokens the client really signed.
 *
 * @param secrets - client id -> secret
 * @param nowSeconds - the verifier's unix time, in seconds
 * @param windowSeconds - accepted distance between the token's time and `nowSeconds`
 */
export function verifyHmacToken(
  token: unknown,
  secrets: Readonly<Record<string, string>>,
  nowSeconds: number,
  windowSeconds: number = DEFAULT_WINDOW_SECONDS,
): HmacTokenVerification {
  if (typeof token !== "string" || !TOKEN.test(token)) return { ok: false, reason: "malformed" };
  const [clientId, time, signature] = token.split(".");
  // hasOwn: a client named "constructor" or "__proto__" must not find Object.prototype's.
  const secret = Object.hasOwn(secrets, clientId) ? secrets[clientId] : undefined;
  if (typeof secret !== "string" || secret === "") return { ok: false, reason: "unknown-client" };

  const issuedAt = Number(time);
  const expected = Buffer.from(hmacTokenSignature(clientId, issuedAt, secret), "hex");
  const given = Buffer.from(signature, "hex");
  // The pattern makes both 32 bytes; timingSafeEqual throws on unequal lengths, so say it.
  // Compared in constant time: `===` would stop at the first differing byte, and the time it
  // takes would tell an attacker how much of a forged signature is right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad-signature" };

  const now = Math.floor(nowSeconds);
  if (now - issuedAt > windowSeconds) return { ok: false, reason: "stale" };
  if (issuedAt - now > windowSeconds) return { ok: false, reason: "future" };
  return { ok: true, clientId, issuedAt, expiresAt: issuedAt + windowSeconds };
}
