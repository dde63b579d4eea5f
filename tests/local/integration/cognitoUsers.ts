/**
 * Users of the local cloud's user pool, signed in the way an operator and an app would against
 * AWS: the real Cognito SDK client pointed at cognito-local (`endpoints.cognito`), AdminCreateUser
 * (no invitation message), a permanent password, groups, then USER_PASSWORD_AUTH for the tokens.
 * Plus the token surgery the authorizer specs need (tampered and re-signed tokens).
 */
import { createSign, randomBytes, randomUUID } from "node:crypto";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { JsonDocument } from "../../jsonDocument";
import cognitoLocalKey from "cognito-local/lib/keys/cognitoLocal.private.json";

/** A signed-in user of the pool. */
export interface SignedInUser {
  email: string;
  password: string;
  /** The `sub` claim: what the users table records as `createdBy`. */
  sub: string;
  idToken: string;
  accessToken: string;
}

/** The pool of a running local cloud (its `userPoolId` / `userPoolClientId` outputs). */
export class LocalUserPool {
  readonly client: CognitoIdentityProviderClient;

  constructor(
    endpoint: string,
    readonly userPoolId: string,
    readonly appClientId: string,
  ) {
    this.client = new CognitoIdentityProviderClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  }

  /** A pool from a cloud's endpoints and outputs. */
  static of(cloud: { endpoints: Record<string, string>; outputs: Record<string, unknown> }): LocalUserPool {
    const poolId = cloud.outputs.userPoolId;
    const clientId = cloud.outputs.userPoolClientId;
    if (typeof poolId !== "string" || typeof clientId !== "string") {
      throw new Error(`the stack has no userPoolId / userPoolClientId outputs (got ${JSON.stringify({ poolId, clientId })})`);
    }
    return new LocalUserPool(cloud.endpoints.cognito, poolId, clientId);
  }

  /** Creates a user (email as user name), in `groups`, and signs it in through the app client. */
  async signUp(label: string, groups: string[] = []): Promise<SignedInUser> {
    const email = `${label}-${randomUUID()}@example.com`;
    // Meets the pool's policy: 12+ characters with upper and lower case, digits and symbols.
    const password = `Pw-${randomBytes(6).toString("hex")}-Aa1!`;
    await this.client.send(
      new AdminCreateUserCommand({
        UserPoolId: this.userPoolId,
        Username: email,
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
        ],
        MessageAction: "SUPPRESS",
      }),
    );
    await this.client.send(new AdminSetUserPasswordCommand({ UserPoolId: this.userPoolId, Username: email, Password: password, Permanent: true }));
    for (const group of groups) {
      await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: email, GroupName: group }));
    }
    return this.signIn(email, password);
  }

  /** USER_PASSWORD_AUTH through an app client (the stack's by default). */
  async signIn(email: string, password: string, appClientId: string = this.appClientId): Promise<SignedInUser> {
    const auth = await this.client.send(
      new InitiateAuthCommand({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: appClientId, AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    const idToken = auth.AuthenticationResult?.IdToken;
    const accessToken = auth.AuthenticationResult?.AccessToken;
    if (!idToken || !accessToken) throw new Error(`InitiateAuth answered no tokens for ${email}: ${JSON.stringify(auth)}`);
    const sub = decodeJwt(idToken).payload.sub;
    if (typeof sub !== "string" || sub === "") throw new Error(`the ID token of ${email} has no sub`);
    return { email, password, sub, idToken, accessToken };
  }

  /** Another app client of the same pool, unknown to the stack (its tokens carry another `aud`). */
  async createAppClient(name: string): Promise<string> {
    const created = await this.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: this.userPoolId,
        ClientName: name,
        GenerateSecret: false,
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    const id = created.UserPoolClient?.ClientId;
    if (!id) throw new Error(`CreateUserPoolClient answered no client id: ${JSON.stringify(created)}`);
    return id;
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** The header and payload of a JWT, unverified. */
export function decodeJwt(token: string): { header: Record<string, JsonDocument>; payload: Record<string, JsonDocument> } {
  const [header, payload] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")),
    payload: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")),
  };
}

/** The token with its payload changed and the original signature kept: no longer what was signed. */
export function tamperedToken(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), ...changes };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

/**
 * The token with its payload changed and signed again, with the RS256 key cognito-local signs
 * every token with (it ships in the package, kid "CognitoLocal"): a token the pool could have
 * issued, e.g. one that has expired.
 */
export function resignedToken(token: string, changes: Record<string, unknown>): string {
  const key = cognitoLocalKey;
  const [header, payload] = token.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), ...changes };
  const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  const signature = createSign("RSA-SHA256").update(signingInput).sign(key.pem).toString("base64url");
  return `${signingInput}.${signature}`;
}
