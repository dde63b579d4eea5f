/**
 * The JWTs an attacker can make against the local user pool, built from real tokens of the
 * pool (InitiateAuth through cognito-local) and from what is public or shipped:
 * - the pool's JWKS (public keys: what "HS256 signed with the RSA public key" needs);
 * - cognito-local's fixed RSA signing key (kid "CognitoLocal", in its package): with it a test
 *   can mint tokens the pool could have issued — expired, not yet valid, for another pool, for
 *   another audience — so that exactly one claim is wrong and the signature is right.
 * Signing is plain node:crypto: base64url(header).base64url(payload), then RS256 or HS256.
 */
import { createHmac, createPublicKey, generateKeyPairSync, sign as rsaSign, type KeyObject } from "node:crypto";
import { decodeJwt, resignedToken, tamperedToken, type SignedInUser } from "../local/integration/cognitoUsers";

/** What the forgeries are made from. */
export interface ForgeryMaterial {
  /** A signed-in user of the stack's pool and app client: its real ID and access tokens. */
  user: SignedInUser;
  /** Another signed-in user: the tampered token claims to be them. */
  victim: SignedInUser;
  /** A real ID token of the same pool, issued to another app client (wrong `aud`). */
  otherClientIdToken: string;
  /** The issuer of another user pool of the same Cognito emulator (cognito-local signs every pool with one key). */
  otherPoolIssuer: string;
  /** The pool's JWKS, as anyone can fetch it from `<issuer>/.well-known/jwks.json`. */
  jwks: { keys: Array<Record<string, unknown>> };
}

/** One refused-token case: what is wrong with it, and the token. */
export interface ForgedToken {
  name: string;
  token: string;
}

/** The case names, known before the tokens exist (mocha needs the titles when it loads the file). */
export const FORGED_TOKEN_CASES = [
  "alg none, unsigned",
  "alg none, the original signature kept",
  "HS256 keyed with the pool's RSA public key (SPKI PEM from the JWKS)",
  "HS256 keyed with the pool's RSA public key (PKCS#1 PEM)",
  "signed with a stranger's RSA key under an unknown kid",
  "signed with a stranger's RSA key under the pool's kid",
  "expired (exp an hour ago, signed with the pool's key)",
  "not yet valid (nbf in 10 minutes, signed with the pool's key)",
  "without exp (would never expire; signed with the pool's key)",
  "wrong issuer (another pool of the same emulator, signed with the pool's key)",
  "wrong audience (a real ID token of another app client of the pool)",
  "an access token where an ID token is required (real, from InitiateAuth)",
  "tampered payload (sub and groups changed, signature kept)",
] as const;
export type ForgedTokenCase = (typeof FORGED_TOKEN_CASES)[number];

/** Every forged token of {@link FORGED_TOKEN_CASES}, in that order. */
export function forgeTokens(material: ForgeryMaterial): ForgedToken[] {
  const { user, victim } = material;
  const real = decodeJwt(user.idToken);
  const claims = real.payload;
  const kid = real.header.kid as string;
  const now = Math.floor(Date.now() / 1000);
  const jwk = material.jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`the pool's JWKS has no key ${kid}: ${JSON.stringify(material.jwks)}`);
  const publicKey = createPublicKey({ key: jwk as never, format: "jwk" });
  const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

  const tokens: Record<ForgedTokenCase, string> = {
    "alg none, unsigned": unsigned({ alg: "none", kid, typ: "JWT" }, claims),
    "alg none, the original signature kept": `${unsigned({ alg: "none", kid, typ: "JWT" }, claims)}${user.idToken.split(".")[2]}`,
    "HS256 keyed with the pool's RSA public key (SPKI PEM from the JWKS)": hs256({ alg: "HS256", kid, typ: "JWT" }, claims, publicKey.export({ type: "spki", format: "pem" }) as string),
    "HS256 keyed with the pool's RSA public key (PKCS#1 PEM)": hs256({ alg: "HS256", kid, typ: "JWT" }, claims, publicKey.export({ type: "pkcs1", format: "pem" }) as string),
    "signed with a stranger's RSA key under an unknown kid": rs256({ alg: "RS256", kid: "not-in-the-jwks", typ: "JWT" }, claims, stranger),
    "signed with a stranger's RSA key under the pool's kid": rs256({ alg: "RS256", kid, typ: "JWT" }, claims, stranger),
    "expired (exp an hour ago, signed with the pool's key)": resignedToken(user.idToken, { auth_time: now - 7200, iat: now - 7200, exp: now - 3600 }),
    "not yet valid (nbf in 10 minutes, signed with the pool's key)": resignedToken(user.idToken, { nbf: now + 600, exp: now + 3600 }),
    "without exp (would never expire; signed with the pool's key)": resignedToken(user.idToken, { exp: undefined }),
    "wrong issuer (another pool of the same emulator, signed with the pool's key)": resignedToken(user.idToken, { iss: material.otherPoolIssuer }),
    "wrong audience (a real ID token of another app client of the pool)": material.otherClientIdToken,
    "an access token where an ID token is required (real, from InitiateAuth)": user.accessToken,
    "tampered payload (sub and groups changed, signature kept)": tamperedToken(user.idToken, { sub: victim.sub, email: victim.email, "cognito:groups": ["admins"] }),
  };
  return FORGED_TOKEN_CASES.map((name) => ({ name, token: tokens[name] }));
}

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** `header.payload.` — no signature at all. */
function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return `${segment(header)}.${segment(payload)}.`;
}

function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

function rs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${rsaSign("sha256", Buffer.from(input), key).toString("base64url")}`;
}
