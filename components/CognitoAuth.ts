import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkedArgs } from "./argumentErrors";
import type { AuthorizerArgs } from "./restApi";
import { type ComponentTags, type Transform, childTags, transformed } from "./transform";

export type MfaMode = "OFF" | "OPTIONAL" | "ON";

/** The passwords the pool accepts. */
export interface PasswordPolicyArgs {
  /**
   * Minimum length, 6..99.
   * @default 12
   */
  minimumLength?: number;
  /** @default true */
  requireUppercase?: boolean;
  /** @default true */
  requireLowercase?: boolean;
  /** @default true */
  requireNumbers?: boolean;
  /** @default true */
  requireSymbols?: boolean;
  /**
   * Days a temporary password (from AdminCreateUser) may be used for, 0..365.
   * @default 7
   */
  temporaryPasswordValidityDays?: number;
}

/** A group of users; its name reaches tokens in the `cognito:groups` claim. */
export interface UserGroupSpec {
  /** 1..128 letters, marks, symbols, digits or punctuation (no whitespace); unique in the pool. */
  name: string;
  /**
   * Which group's IAM role wins when a user is in several (lower wins), >= 0.
   * @default none
   */
  precedence?: number;
  /** At most 2048 characters. @default none */
  description?: string;
}

/** How long the app client's tokens live. */
export interface TokenValidityArgs {
  /** ID token lifetime in minutes, 5..1440. @default 60 */
  idTokenMinutes?: number;
  /** Access token lifetime in minutes, 5..1440. @default 60 */
  accessTokenMinutes?: number;
  /** Refresh token lifetime in days, 1..3650. @default 30 */
  refreshTokenDays?: number;
}

export interface CognitoAuthArgs {
  /**
   * The password policy.
   * @default 12 characters with upper case, lower case, numbers and symbols
   */
  passwordPolicy?: PasswordPolicyArgs;
  /**
   * Multi-factor authentication: OFF, OPTIONAL (users may enrol) or ON (every user must).
   * OPTIONAL and ON use software tokens (TOTP apps), so no SMS configuration is needed.
   * @default "OFF"
   */
  mfa?: MfaMode;
  /**
   * Refuse deleting the pool (and its users) until this is turned off again. Turn it on for
   * production stacks.
   * @default false
   */
  deletionProtection?: boolean;
  /**
   * Let anyone sign up through the app client; otherwise only administrators create users.
   * @default false
   */
  selfSignUp?: boolean;
  /**
   * The pool's groups, by name or with precedence and description.
   * @default [] (no groups)
   * @example ["admins", { name: "users", precedence: 10, description: "Everyone signed up" }]
   */
  groups?: Array<string | UserGroupSpec>;
  /**
   * Token lifetimes of the app client.
   * @default ID and access tokens 60 minutes, refresh tokens 30 days
   */
  tokenValidity?: TokenValidityArgs;
  /**
   * The app client's name.
   * @default "<component name>-app"
   */
  clientName?: string;
  /**
   * Inputs of the user pool that replace the component's (for what the arguments do not cover).
   * Its `tags` are the pool's own: merged over `tags` rather than replacing them.
   * `transform.userPool` is applied after these.
   * @default {}
   */
  userPoolOverrides?: Partial<aws.cognito.UserPoolArgs>;
  /**
   * Inputs of the app client that replace the component's. `transform.userPoolClient` is
   * applied after these.
   * @default {}
   */
  userPoolClientOverrides?: Partial<Omit<aws.cognito.UserPoolClientArgs, "userPoolId">>;
  /**
   * Tags for the user pool (the only taggable child: app clients and groups take no tags),
   * merged over the AWS provider's `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "identity", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes a child's args or options before it is created, per kind of child: args merged
   * over the component's, or a function changing them in place (called once per group for
   * `userGroup`). Applied last, after `userPoolOverrides` and `userPoolClientOverrides`.
   * @default none
   * @example
   * transform: {
   *   userPool: { emailConfiguration: { emailSendingAccount: "DEVELOPER", sourceArn: sesIdentity.arn } },
   *   userPoolClient: (args) => {
   *     args.callbackUrls = ["https://app.example.com/callback"];
   *   },
   *   userGroup: (args, opts, name) => {
   *     if (name.endsWith("-admins")) args.roleArn = adminRole.arn;
   *   },
   * }
   */
  transform?: CognitoAuthTransform;
}

/**
 * A {@link CognitoAuth}'s children, each adjustable before it is created. The authorizer is not
 * among them: `authorizer()` returns the RestApi's `authorizers` entry, and the RestApi creates it.
 */
export interface CognitoAuthTransform {
  /** The user pool. */
  userPool?: Transform<aws.cognito.UserPoolArgs>;
  /** The app client. */
  userPoolClient?: Transform<aws.cognito.UserPoolClientArgs>;
  /** Each group of `groups`. */
  userGroup?: Transform<aws.cognito.UserGroupArgs>;
}

/** Options of {@link CognitoAuth.authorizer}. */
export interface CognitoAuthorizerOptions {
  /** @default "method.request.header.Authorization" */
  identitySource?: string;
  /** @default 300 */
  resultTtlSeconds?: number;
}

/**
 * A Cognito user pool for an API's users: email addresses as user names (verified
 * automatically), a password policy, optional TOTP MFA, an app client without a secret for
 * browser and mobile sign-in, and groups. `authorizer()` is the `COGNITO_USER_POOLS`
 * authorizer of a {@link RestApi} accepting the pool's tokens.
 */
export class CognitoAuth extends pulumi.ComponentResource {
  public readonly userPool: aws.cognito.UserPool;
  public readonly userPoolClient: aws.cognito.UserPoolClient;
  /** Groups by name. */
  public readonly groups: Record<string, aws.cognito.UserGroup>;
  public readonly userPoolId: pulumi.Output<string>;
  public readonly userPoolArn: pulumi.Output<string>;
  /** The app client id: the `aud` of ID tokens, the `client_id` of access tokens. */
  public readonly userPoolClientId: pulumi.Output<string>;
  /** The `iss` of the pool's tokens: `https://cognito-idp.{region}.amazonaws.com/{poolId}`. */
  public readonly issuer: pulumi.Output<string>;

  constructor(name: string, args: CognitoAuthArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:CognitoAuth", name, {}, opts);
    const spec = checkedArgs(this, () => validateCognitoAuthArgs(args));

    const transform = args.transform ?? {};

    this.userPool = createUserPool(this, name, spec, args.tags, args.userPoolOverrides, transform.userPool);
    this.userPoolClient = createAppClient(this, name, this.userPool, spec, args.clientName, args.userPoolClientOverrides, transform.userPoolClient);
    this.groups = createGroups(this, name, this.userPool, spec.groups, transform.userGroup);

    this.userPoolId = this.userPool.id;
    this.userPoolArn = this.userPool.arn;
    this.userPoolClientId = this.userPoolClient.id;
    // The region is the ARN's (arn:aws:cognito-idp:{region}:{account}:userpool/{id}): no
    // provider call needed, and right even when the pool's provider has its own region.
    this.issuer = pulumi
      .all([this.userPool.arn, this.userPool.id])
      .apply(([arn, id]) => `https://cognito-idp.${arn.split(":")[3]}.amazonaws.com/${id}`);
    this.registerOutputs({
      userPoolId: this.userPoolId,
      userPoolArn: this.userPoolArn,
      userPoolClientId: this.userPoolClientId,
      issuer: this.issuer,
    });
  }

  /**
   * The RestApi authorizer accepting this pool's tokens: ID tokens on methods without
   * `authorizationScopes`, access tokens carrying one of them on methods with.
   * @example new RestApi("api", { authorizers: { cognito: auth.authorizer() }, routes: [{ ..., authorizer: "cognito" }] })
   */
  authorizer(options: CognitoAuthorizerOptions = {}): AuthorizerArgs {
    return {
      type: "COGNITO_USER_POOLS",
      providerArns: [this.userPoolArn],
      ...(options.identitySource !== undefined ? { identitySource: options.identitySource } : {}),
      ...(options.resultTtlSeconds !== undefined ? { resultTtlSeconds: options.resultTtlSeconds } : {}),
    };
  }
}

/** The arguments with every default applied. */
export interface CognitoAuthSpec {
  passwordPolicy: Required<PasswordPolicyArgs>;
  mfa: MfaMode;
  deletionProtection: boolean;
  selfSignUp: boolean;
  groups: UserGroupSpec[];
  tokenValidity: Required<TokenValidityArgs>;
}

const MFA_MODES: MfaMode[] = ["OFF", "OPTIONAL", "ON"];
// Cognito's pattern for group names (CreateGroup's GroupName).
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const EXPLICIT_AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];

/** Checks every argument, naming the field that is wrong; returns them with defaults. */
export function validateCognitoAuthArgs(args: CognitoAuthArgs): CognitoAuthSpec {
  const policy = args.passwordPolicy ?? {};
  const passwordPolicy: Required<PasswordPolicyArgs> = {
    minimumLength: integerIn(policy.minimumLength ?? 12, 6, 99, "passwordPolicy.minimumLength", policy.minimumLength),
    requireUppercase: booleanAt(policy.requireUppercase ?? true, "passwordPolicy.requireUppercase"),
    requireLowercase: booleanAt(policy.requireLowercase ?? true, "passwordPolicy.requireLowercase"),
    requireNumbers: booleanAt(policy.requireNumbers ?? true, "passwordPolicy.requireNumbers"),
    requireSymbols: booleanAt(policy.requireSymbols ?? true, "passwordPolicy.requireSymbols"),
    temporaryPasswordValidityDays: integerIn(
      policy.temporaryPasswordValidityDays ?? 7, 0, 365, "passwordPolicy.temporaryPasswordValidityDays", policy.temporaryPasswordValidityDays,
    ),
  };

  const mfa = args.mfa ?? "OFF";
  if (!MFA_MODES.includes(mfa)) {
    throw new Error(`mfa must be OFF, OPTIONAL or ON (got ${JSON.stringify(args.mfa)})`);
  }

  if (args.groups !== undefined && !Array.isArray(args.groups)) {
    throw new Error(`groups must be a list of group names or { name, precedence?, description? } (got ${JSON.stringify(args.groups)})`);
  }
  const seen = new Map<string, number>();
  const groups = (args.groups ?? []).map((entry, i): UserGroupSpec => {
    const group = typeof entry === "string" ? { name: entry } : entry;
    const field = `groups[${i}]`;
    if (typeof group !== "object" || group === null || typeof group.name !== "string") {
      throw new Error(`${field} must be a group name or { name, precedence?, description? } (got ${JSON.stringify(entry)})`);
    }
    const length = Array.from(group.name).length;
    if (length < 1 || length > 128 || !GROUP_NAME.test(group.name)) {
      throw new Error(`${field}.name must be 1-128 letters, marks, symbols, digits or punctuation, without spaces (got ${JSON.stringify(group.name)})`);
    }
    const first = seen.get(group.name);
    if (first !== undefined) {
      throw new Error(`${field}.name ${JSON.stringify(group.name)} repeats groups[${first}]; group names are unique in a user pool`);
    }
    seen.set(group.name, i);
    if (group.precedence !== undefined) integerIn(group.precedence, 0, 2 ** 31 - 1, `${field}.precedence`, group.precedence);
    if (group.description !== undefined && (typeof group.description !== "string" || group.description.length > 2048)) {
      throw new Error(`${field}.description must be a string of at most 2048 characters (got ${typeof group.description === "string" ? `${group.description.length} characters` : JSON.stringify(group.description)})`);
    }
    return { name: group.name, precedence: group.precedence, description: group.description };
  });

  const validity = args.tokenValidity ?? {};
  const tokenValidity: Required<TokenValidityArgs> = {
    idTokenMinutes: integerIn(validity.idTokenMinutes ?? 60, 5, 1440, "tokenValidity.idTokenMinutes", validity.idTokenMinutes),
    accessTokenMinutes: integerIn(validity.accessTokenMinutes ?? 60, 5, 1440, "tokenValidity.accessTokenMinutes", validity.accessTokenMinutes),
    refreshTokenDays: integerIn(validity.refreshTokenDays ?? 30, 1, 3650, "tokenValidity.refreshTokenDays", validity.refreshTokenDays),
  };

  return {
    passwordPolicy,
    mfa,
    deletionProtection: booleanAt(args.deletionProtection ?? false, "deletionProtection"),
    selfSignUp: booleanAt(args.selfSignUp ?? false, "selfSignUp"),
    groups,
    tokenValidity,
  };
}

function integerIn(value: unknown, min: number, max: number, field: string, given: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${field} must be an integer from ${min} to ${max} (got ${JSON.stringify(given)})`);
  }
  return value;
}

function booleanAt(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") throw new Error(`${field} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

function createUserPool(
  parent: CognitoAuth,
  name: string,
  spec: CognitoAuthSpec,
  tags: ComponentTags | undefined,
  overrides: Partial<aws.cognito.UserPoolArgs> = {},
  transform: Transform<aws.cognito.UserPoolArgs> | undefined,
): aws.cognito.UserPool {
  const { tags: ownTags, ...otherOverrides } = overrides;
  const poolArgs: aws.cognito.UserPoolArgs = {
    usernameAttributes: ["email"],
    autoVerifiedAttributes: ["email"],
    // Ada@Example.com and ada@example.com are one person.
    usernameConfiguration: { caseSensitive: false },
    passwordPolicy: spec.passwordPolicy,
    mfaConfiguration: spec.mfa,
    // AWS refuses the software token block together with MFA OFF (it must be left out).
    ...(spec.mfa === "OFF" ? {} : { softwareTokenMfaConfiguration: { enabled: true } }),
    deletionProtection: spec.deletionProtection ? "ACTIVE" : "INACTIVE",
    adminCreateUserConfig: { allowAdminCreateUserOnly: !spec.selfSignUp },
    accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
    // A changed email stays unverified (and the old one in use) until the code is confirmed.
    userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
    ...otherOverrides,
    // The overrides' tags are the pool's own: the component's tags go under them.
    tags: ownTags === undefined ? tags : pulumi.output(ownTags).apply((own) => pulumi.output(childTags(tags, own))),
  };
  return new aws.cognito.UserPool(...transformed(transform, `${name}-pool`, poolArgs, { parent }));
}

function createAppClient(
  parent: CognitoAuth,
  name: string,
  pool: aws.cognito.UserPool,
  spec: CognitoAuthSpec,
  clientName: string | undefined,
  overrides: Partial<Omit<aws.cognito.UserPoolClientArgs, "userPoolId">> = {},
  transform: Transform<aws.cognito.UserPoolClientArgs> | undefined,
): aws.cognito.UserPoolClient {
  const clientArgs: aws.cognito.UserPoolClientArgs = {
    userPoolId: pool.id,
    name: clientName ?? `${name}-app`,
    // Browsers and mobile apps cannot keep a secret.
    generateSecret: false,
    explicitAuthFlows: EXPLICIT_AUTH_FLOWS,
    // Sign-in and reset answers do not tell whether an email address has an account.
    preventUserExistenceErrors: "ENABLED",
    enableTokenRevocation: true,
    idTokenValidity: spec.tokenValidity.idTokenMinutes,
    accessTokenValidity: spec.tokenValidity.accessTokenMinutes,
    refreshTokenValidity: spec.tokenValidity.refreshTokenDays,
    tokenValidityUnits: { idToken: "minutes", accessToken: "minutes", refreshToken: "days" },
    ...overrides,
  };
  return new aws.cognito.UserPoolClient(...transformed(transform, `${name}-client`, clientArgs, { parent }));
}

function createGroups(
  parent: CognitoAuth,
  name: string,
  pool: aws.cognito.UserPool,
  groups: UserGroupSpec[],
  transform: Transform<aws.cognito.UserGroupArgs> | undefined,
): Record<string, aws.cognito.UserGroup> {
  return Object.fromEntries(
    groups.map((group) => [
      group.name,
      new aws.cognito.UserGroup(
        ...transformed(
          transform,
          `${name}-group-${group.name}`,
          { userPoolId: pool.id, name: group.name, precedence: group.precedence, description: group.description },
          { parent },
        ),
      ),
    ]),
  );
}
