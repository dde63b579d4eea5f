/**
 * The JWT check of an HTTP API JWT authorizer ("Controlling access to HTTP APIs with JWT
 * authorizers"): the token's `kid` in the issuer's JWKS, an RSA signature, `iss` equal to the
 * issuer, `aud` (or `client_id` when there is no `aud`) among the audiences, `exp` in the
 * future, `nbf` and `iat` in the past. Scopes are the gateway's business (they depend on the
 * route), not the verifier's.
 */
import { JwtVerifier as AwsJwtVerifierFactory } from "aws-jwt-verify";
import {
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { JwtAuthorizerModel } from "./httpApiModel";

export type JwtVerification = { ok: true; claims: Record<string, unknown> } | { ok: false; error: string };

/** What the gateway needs to check a token for one authorizer. */
export interface JwtVerifier {
  verify(authorizer: JwtAuthorizerModel, token: string): Promise<JwtVerification>;
}

export interface AwsJwtVerifierOptions {
  /**
   * Where an issuer's JWKS is. AWS reads `jwks_uri` from the issuer's OpenID discovery
   * document; Cognito (and the local Cognito emulator) serve it here.
   * @default issuer => `${issuer}/.well-known/jwks.json`
   */
  jwksUri?: (issuer: string) => string;
}

type Verifier = { verify(token: string): Promise<Record<string, unknown>> };

/**
 * The default verifier, on aws-jwt-verify. Its JWKS cache keeps each issuer's keys until a
 * token names an unknown `kid` (AWS caches them up to 2 hours).
 */
export class AwsJwtVerifier implements JwtVerifier {
  private readonly verifiers = new Map<string, Verifier>();
  private readonly jwksCache = new SimpleJwksCache({ fetcher: new HttpFetcher() });
  private readonly jwksUri: (issuer: string) => string;

  constructor(options: AwsJwtVerifierOptions = {}) {
    this.jwksUri = options.jwksUri ?? ((issuer) => `${issuer}/.well-known/jwks.json`);
  }

  async verify(authorizer: JwtAuthorizerModel, token: string): Promise<JwtVerification> {
    try {
      const claims = await this.verifierFor(authorizer).verify(token);
      return { ok: true, claims };
    } catch (err) {
      return { ok: false, error: describeFailure(err as Error) };
    }
  }

  private verifierFor(authorizer: JwtAuthorizerModel): Verifier {
    const key = JSON.stringify([authorizer.issuer, authorizer.audiences]);
    let verifier = this.verifiers.get(key);
    if (!verifier) {
      verifier = AwsJwtVerifierFactory.create(
        {
          issuer: authorizer.issuer,
          jwksUri: this.jwksUri(authorizer.issuer),
          // aws-jwt-verify reads only `aud`; AWS falls back to `client_id` (Cognito access
          // tokens have no `aud`), so the audience is checked below.
          audience: null,
          customJwtCheck: ({ header, payload }) => checkAlgorithmAndClaims(header.alg, payload, authorizer.audiences),
        },
        { jwksCache: this.jwksCache },
      ) as unknown as Verifier;
      this.verifiers.set(key, verifier);
    }
    return verifier;
  }
}

class ClaimError extends Error {}

function checkAlgorithmAndClaims(alg: unknown, payload: Record<string, unknown>, audiences: string[]): void {
  // "API Gateway supports only RSA-based algorithms"; the message is the one AWS answers.
  if (typeof alg !== "string" || !/^RS(256|384|512)$/.test(alg)) throw new ClaimError(`signing method ${alg} is invalid`);
  const aud = payload.aud;
  const candidates = aud !== undefined ? (Array.isArray(aud) ? aud : [aud]) : payload.client_id !== undefined ? [payload.client_id] : [];
  if (!candidates.some((a) => typeof a === "string" && audiences.includes(a))) {
    throw new ClaimError("the token does not have a valid audience");
  }
  // aws-jwt-verify accepts tokens without exp, and does not look at iat; AWS requires both right.
  if (typeof payload.exp !== "number") throw new ClaimError("the token has no exp claim");
  if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000) throw new ClaimError("the token was issued in the future");
}

/** aws-jwt-verify's errors as `error_description`s (AWS's wording where known). */
function describeFailure(err: Error): string {
  if (err instanceof ClaimError) return err.message;
  if (err instanceof JwtExpiredError) return "the token has expired";
  if (err instanceof JwtNotBeforeError) return "the token is not valid yet";
  if (err instanceof JwtInvalidIssuerError) return "the token does not have a valid issuer";
  if (err instanceof JwtInvalidSignatureError) return "the token signature is invalid";
  if (err instanceof JwtInvalidSignatureAlgorithmError) return "the token's signing method does not match the key";
  if (err instanceof JwtParseError) return "the token is not a valid JWT";
  // After a kid misses, the JWKS is fetched again at most every 10 s (aws-jwt-verify's penalty box).
  if (err instanceof KidNotFoundInJwksError || err instanceof JwtWithoutValidKidError || err instanceof WaitPeriodNotYetEndedJwkError) return "the token's kid is not in the issuer's JWKS";
  return err?.message ?? String(err);
}

/**
 * aws-jwt-verify's own fetcher speaks HTTPS only; local issuers (the Cognito emulator, test
 * JWKS servers) are plain HTTP on 127.0.0.1.
 */
class HttpFetcher implements Fetcher {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, { signal: AbortSignal.timeout(5000) });
    if (response.status !== 200) throw new Error(`JWKS ${uri}: status code is ${response.status}, expected 200`);
    return response.arrayBuffer();
  }
}
