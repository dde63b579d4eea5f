/**
 * A Cognito user pool's token issuer for handler specs: an RSA key pair, its JWKS served on
 * 127.0.0.1 (requests counted), and a signer of ID and access tokens as Cognito issues them.
 */
import { generateKeyPairSync, sign as rsaSign, type KeyObject } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { CognitoVerifierSettings } from "../../functions/cognitoAuth";

export const POOL_ID = "us-east-1_TestPool1";
export const CLIENT_ID = "4lsd6n8gh1ovsbkv8u7ov6hq1a";
export const KID = "test-key-1";

/** An RSA key pair, its JWKS served on 127.0.0.1 (requests counted), and a token signer. */
export class TestIssuer {
  readonly keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  jwksRequests = 0;
  private server?: http.Server;
  issuer = "";
  jwksUri = "";

  async start(): Promise<void> {
    const jwk = { ...this.keys.publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" };
    this.server = http.createServer((req, res) => {
      if (req.url === `/${POOL_ID}/.well-known/jwks.json`) {
        this.jwksRequests += 1;
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${POOL_ID}`;
    this.jwksUri = `${this.issuer}/.well-known/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  get settings(): CognitoVerifierSettings {
    return { userPoolId: POOL_ID, clientId: CLIENT_ID, issuer: this.issuer, jwksUri: this.jwksUri };
  }

  /** An ID token's claims as Cognito issues them, valid for an hour. */
  idClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: "0f3a2b1c-aaaa-4bbb-8ccc-123456789abc",
      "cognito:groups": ["users"],
      email_verified: true,
      iss: this.issuer,
      "cognito:username": "0f3a2b1c-aaaa-4bbb-8ccc-123456789abc",
      aud: CLIENT_ID,
      event_id: "9d30c3d7-f8cf-4fce-b655-183b3fa84e39",
      token_use: "id",
      auth_time: now,
      exp: now + 3600,
      iat: now,
      jti: "406aa689-9455-4f33-b517-8096060d4092",
      email: "ada@example.com",
      ...overrides,
    };
  }

  /** An access token's claims: no `aud`, the app client in `client_id`. */
  accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: "0f3a2b1c-aaaa-4bbb-8ccc-123456789abc",
      "cognito:groups": ["users"],
      iss: this.issuer,
      client_id: CLIENT_ID,
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      auth_time: now,
      exp: now + 3600,
      iat: now,
      username: "ada",
      ...overrides,
    };
  }

  /** A JWT built by hand: base64url header and payload, RS256 over them. */
  sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}, key: KeyObject = this.keys.privateKey): string {
    const signingInput = `${b64url(JSON.stringify({ alg: "RS256", kid: KID, typ: "JWT", ...header }))}.${b64url(JSON.stringify(payload))}`;
    return `${signingInput}.${rsaSign("sha256", Buffer.from(signingInput), key).toString("base64url")}`;
  }
}

export function b64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}
