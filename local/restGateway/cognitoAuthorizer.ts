import { JwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { decomposeUnverifiedJwt } from "aws-jwt-verify/jwt";
import type { JwtHeader, JwtPayload } from "aws-jwt-verify/jwt-model";
import type { JwtVerifierSingleIssuer } from "aws-jwt-verify/jwt-verifier";
import { apiGatewayClaims, bearerToken, checkCognitoFields, jwksFetcher, type ApiGatewayClaims } from "../../functions/cognitoAuth";
import type { AuthorizerModel } from "./restApiModel";

export interface CognitoUserPoolAuthorizerOptions {
  /** Where a pool's tokens come from (its `iss`) and its keys; undefined for an unknown pool. */
  issuerFor(userPoolArn: string): { issuer: string; jwksUri: string } | undefined;
  /** The pool's app clients: an ID token's `aud` (an access token's `client_id`) must be one. */
  clientIdsFor(userPoolArn: string): string[];
}

/** The authorizer's verdict: the claims for `requestContext.authorizer.claims`, or a 401. */
export type CognitoAuthorization = { ok: true; claims: ApiGatewayClaims } | { ok: false; reason: string };

/** A verifier of one pool's tokens; the audience and scope are given per verification. */
type PoolVerifier = JwtVerifierSingleIssuer<{ issuer: string; jwksUri: string; audience: null }>;

/**
 * The REST gateway's COGNITO_USER_POOLS authorizer [apigw-behavior.md, Cognito user pool
 * authorizer]. Without OAuth scopes on the method the token must be an ID token whose `aud` is
 * one of the pool's app clients; with scopes, an access token whose `scope` holds one of them.
 * Either way the RS256 signature is checked against the pool's JWKS, and `iss`, `exp`, `nbf`
 * and `token_use`. With several pools on one authorizer, the token's `iss` picks the pool.
 *
 * The token may come with or without `Bearer ` (AWS accepts both). One verifier per pool, each
 * fetching its JWKS once and keeping it (again only for an unknown key id).
 */

export class CognitoUserPoolAuthorizer {
  private readonly verifiers = new Map<string, PoolVerifier>();
  private readonly jwksCache = new SimpleJwksCache({ fetcher: jwksFetcher() });

  constructor(private readonly options: CognitoUserPoolAuthorizerOptions) {}

  async authorize(authorizer: AuthorizerModel, token: string | undefined, scopes: string[] | undefined): Promise<CognitoAuthorization> {
    const jwt = bearerToken(token);
    if (jwt === undefined) return { ok: false, reason: "MissingToken" };
    let claimedIssuer: unknown;
    try {
      claimedIssuer = decomposeUnverifiedJwt(jwt).payload.iss;
    } catch (error) {
      return { ok: false, reason: kind(error) };
    }
    // Which of the authorizer's pools the token says it is from; verified below.
    const pool = authorizer.providerArns
      .map((arn) => ({ arn, source: this.options.issuerFor(arn) }))
      .find((p) => p.source !== undefined && p.source.issuer === claimedIssuer);
    if (!pool?.source) return { ok: false, reason: "UnknownIssuer" };

    const clientIds = this.options.clientIdsFor(pool.arn);
    const tokenUse = scopes && scopes.length > 0 ? "access" : "id";
    try {
      const payload = await this.verifierFor(pool.source).verify(jwt, {
        audience: tokenUse === "id" ? clientIds : null,
        ...(tokenUse === "access" ? { scope: scopes } : {}),
        customJwtCheck: ({ header, payload }: { header: JwtHeader; payload: JwtPayload }) => checkCognitoFields(header, payload, tokenUse, clientIds),
      });
      return { ok: true, claims: apiGatewayClaims(payload) };
    } catch (error) {
      return { ok: false, reason: kind(error) };
    }
  }

  private verifierFor(source: { issuer: string; jwksUri: string }): PoolVerifier {
    const key = `${source.issuer} ${source.jwksUri}`;
    let verifier = this.verifiers.get(key);
    if (!verifier) {
      // The audience and scope differ per method; they are given per verification.
      verifier = JwtVerifier.create({ issuer: source.issuer, jwksUri: source.jwksUri, audience: null }, { jwksCache: this.jwksCache });
      this.verifiers.set(key, verifier);
    }
    return verifier;
  }
}

/** aws-jwt-verify's errors keep the name "Error"; their class says what failed. */
function kind(error: unknown): string {
  if (!(error instanceof Error)) return "InvalidToken";
  return error.name !== "Error" ? error.name : error.constructor?.name ?? "Error";
}
