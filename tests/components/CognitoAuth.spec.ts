import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { CognitoAuth, CognitoAuthArgs } from "../../components/CognitoAuth";
import { RestApi } from "../../components/restApi";
import { ProgramError, ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:CognitoAuth",
  pool: "aws:cognito/userPool:UserPool",
  client: "aws:cognito/userPoolClient:UserPoolClient",
  group: "aws:cognito/userGroup:UserGroup",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  method: "aws:apigateway/method:Method",
};

function only(run: ProgramRun, type: string): RecordedResource {
  const found = run.graph.ofType(type);
  expect(found, type).to.have.length(1);
  return found[0];
}

/** Runs one CognitoAuth named "auth" with `args` under the mock control plane. */
function deploy(args: CognitoAuthArgs): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    define: () => {
      const auth = new CognitoAuth("auth", args);
      return { userPoolId: auth.userPoolId, userPoolArn: auth.userPoolArn, userPoolClientId: auth.userPoolClientId, issuer: auth.issuer };
    },
  });
}

/** The message CognitoAuth refuses `args` with, after checking nothing was created. */
async function refusal(args: CognitoAuthArgs): Promise<string> {
  try {
    await deploy(args);
  } catch (err) {
    expect(err).to.be.instanceOf(ProgramError);
    const graph = (err as ProgramError).graph;
    for (const type of [T.pool, T.client, T.group]) expect(graph.ofType(type), type).to.have.length(0);
    return (err as ProgramError).message;
  }
  throw new Error("expected CognitoAuth to refuse the arguments");
}

describe("CognitoAuth (under the mock control plane)", () => {
  describe("with the defaults", () => {
    let run: ProgramRun;
    before(async () => {
      run = await deploy({});
    });

    it("makes a pool where the email address is the user name, verified automatically, case-insensitive", () => {
      expect(only(run, T.pool).inputs).to.deep.include({
        usernameAttributes: ["email"],
        autoVerifiedAttributes: ["email"],
        usernameConfiguration: { caseSensitive: false },
        accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
      });
    });

    it("asks for 12-character passwords with every character class, MFA off, no deletion protection, admin-created users", () => {
      const pool = only(run, T.pool).inputs;
      expect(pool.passwordPolicy).to.deep.equal({
        minimumLength: 12,
        requireUppercase: true,
        requireLowercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 7,
      });
      expect(pool.mfaConfiguration).to.equal("OFF");
      expect(pool).not.to.have.property("softwareTokenMfaConfiguration");
      expect(pool.deletionProtection).to.equal("INACTIVE");
      expect(pool.adminCreateUserConfig).to.deep.equal({ allowAdminCreateUserOnly: true });
    });

    it("makes an app client of the pool without secret, with the three sign-in flows and hour-long tokens", () => {
      const client = only(run, T.client).inputs;
      expect(client).to.deep.include({
        userPoolId: only(run, T.pool).id,
        name: "auth-app",
        generateSecret: false,
        explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
        idTokenValidity: 60,
        accessTokenValidity: 60,
        refreshTokenValidity: 30,
        tokenValidityUnits: { idToken: "minutes", accessToken: "minutes", refreshToken: "days" },
      });
    });

    it("makes no groups, and parents the pool and client to the component", () => {
      expect(run.graph.ofType(T.group)).to.have.length(0);
      const component = only(run, T.component);
      expect(only(run, T.pool).parent).to.equal(component.urn);
      expect(only(run, T.client).parent).to.equal(component.urn);
    });

    it("outputs the pool id and ARN, the client id and the pool's AWS issuer", () => {
      const pool = only(run, T.pool);
      expect(run.outputs.userPoolId.value).to.equal(pool.id);
      expect(run.outputs.userPoolArn.value).to.equal(pool.state.arn);
      expect(run.outputs.userPoolClientId.value).to.equal(only(run, T.client).id);
      expect(run.outputs.issuer.value).to.equal(`https://cognito-idp.us-east-1.amazonaws.com/${pool.id}`);
    });
  });

  it("takes the password policy from its arguments", async () => {
    const run = await deploy({
      passwordPolicy: { minimumLength: 8, requireSymbols: false, requireUppercase: false, temporaryPasswordValidityDays: 1 },
    });
    expect(only(run, T.pool).inputs.passwordPolicy).to.deep.equal({
      minimumLength: 8,
      requireUppercase: false,
      requireLowercase: true,
      requireNumbers: true,
      requireSymbols: false,
      temporaryPasswordValidityDays: 1,
    });
  });

  for (const mfa of ["OPTIONAL", "ON"] as const) {
    it(`turns MFA ${mfa} with software tokens`, async () => {
      const pool = only(await deploy({ mfa }), T.pool).inputs;
      expect(pool.mfaConfiguration).to.equal(mfa);
      expect(pool.softwareTokenMfaConfiguration).to.deep.equal({ enabled: true });
    });
  }

  it("protects the pool from deletion and allows self sign-up when asked", async () => {
    const pool = only(await deploy({ deletionProtection: true, selfSignUp: true }), T.pool).inputs;
    expect(pool.deletionProtection).to.equal("ACTIVE");
    expect(pool.adminCreateUserConfig).to.deep.equal({ allowAdminCreateUserOnly: false });
  });

  it("makes one group per entry, in the pool, with precedence and description when given", async () => {
    const run = await deploy({ groups: ["admins", { name: "users", precedence: 10, description: "Everyone signed up" }] });
    const pool = only(run, T.pool);
    const groups = run.graph.ofType(T.group);
    expect(groups.map((g) => g.name)).to.deep.equal(["auth-group-admins", "auth-group-users"]);
    expect(groups[0].inputs).to.deep.equal({ userPoolId: pool.id, name: "admins" });
    expect(groups[1].inputs).to.deep.equal({ userPoolId: pool.id, name: "users", precedence: 10, description: "Everyone signed up" });
    for (const group of groups) expect(group.parent).to.equal(only(run, T.component).urn);
  });

  it("sets the token lifetimes and the client name from its arguments", async () => {
    const run = await deploy({ tokenValidity: { idTokenMinutes: 5, accessTokenMinutes: 1440, refreshTokenDays: 3650 }, clientName: "web" });
    expect(only(run, T.client).inputs).to.deep.include({ name: "web", idTokenValidity: 5, accessTokenValidity: 1440, refreshTokenValidity: 3650 });
  });

  it("lets overrides replace the children's inputs", async () => {
    const run = await deploy({
      userPoolOverrides: { name: "customers", mfaConfiguration: "OPTIONAL", softwareTokenMfaConfiguration: { enabled: true } },
      userPoolClientOverrides: { callbackUrls: ["https://app.example.com/callback"], explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] },
    });
    expect(only(run, T.pool).inputs).to.deep.include({ name: "customers", mfaConfiguration: "OPTIONAL" });
    expect(only(run, T.client).inputs).to.deep.include({
      callbackUrls: ["https://app.example.com/callback"],
      explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
  });

  it("gives a RestApi a COGNITO_USER_POOLS authorizer over its pool", async () => {
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const auth = new CognitoAuth("auth", {});
        const fn = new aws.lambda.Function("fn", { role: "arn:aws:iam::123456789012:role/fn", runtime: "nodejs24.x", handler: "index.handler" });
        const api = new RestApi("api", {
          authorizers: { cognito: auth.authorizer(), cached: auth.authorizer({ identitySource: "method.request.header.X-Token", resultTtlSeconds: 0 }) },
          routes: [
            { path: "/me", method: "GET", integration: { type: "LAMBDA_PROXY", function: fn }, authorizer: "cognito" },
            { path: "/other", method: "GET", integration: { type: "LAMBDA_PROXY", function: fn }, authorizer: "cached" },
          ],
          stage: { name: "dev" },
        });
        return { url: api.url };
      },
    });
    const arn = only(run, T.pool).state.arn;
    const authorizers = run.graph.ofType(T.authorizer);
    expect(authorizers).to.have.length(2);
    const byName = Object.fromEntries(authorizers.map((a) => [a.inputs.name, a.inputs]));
    expect(byName.cognito).to.deep.include({ type: "COGNITO_USER_POOLS", providerArns: [arn], identitySource: "method.request.header.Authorization", authorizerResultTtlInSeconds: 300 });
    expect(byName.cached).to.deep.include({ type: "COGNITO_USER_POOLS", providerArns: [arn], identitySource: "method.request.header.X-Token", authorizerResultTtlInSeconds: 0 });
    const me = run.graph.ofType(T.method).find((m) => m.inputs.authorization === "COGNITO_USER_POOLS" && m.inputs.authorizerId === authorizers.find((a) => a.inputs.name === "cognito")!.id);
    expect(me, "GET /me uses the cognito authorizer").to.not.equal(undefined);
  });

  describe("refuses bad arguments before creating anything", () => {
    it("a password minimum length outside 6..99", async () => {
      expect(await refusal({ passwordPolicy: { minimumLength: 5 } })).to.equal("passwordPolicy.minimumLength must be an integer from 6 to 99 (got 5)");
      expect(await refusal({ passwordPolicy: { minimumLength: 100 } })).to.equal("passwordPolicy.minimumLength must be an integer from 6 to 99 (got 100)");
      expect(await refusal({ passwordPolicy: { minimumLength: 8.5 } })).to.equal("passwordPolicy.minimumLength must be an integer from 6 to 99 (got 8.5)");
    });

    it("a temporary password validity outside 0..365 and a non-boolean requirement", async () => {
      expect(await refusal({ passwordPolicy: { temporaryPasswordValidityDays: 366 } })).to.equal(
        "passwordPolicy.temporaryPasswordValidityDays must be an integer from 0 to 365 (got 366)",
      );
      expect(await refusal({ passwordPolicy: { requireSymbols: "yes" as never } })).to.equal('passwordPolicy.requireSymbols must be true or false (got "yes")');
    });

    it("an unknown MFA mode", async () => {
      expect(await refusal({ mfa: "on" as never })).to.equal('mfa must be OFF, OPTIONAL or ON (got "on")');
      expect(await refusal({ mfa: "REQUIRED" as never })).to.equal('mfa must be OFF, OPTIONAL or ON (got "REQUIRED")');
    });

    it("a group name with whitespace, empty or over 128 characters", async () => {
      expect(await refusal({ groups: ["admins", "two words"] })).to.equal(
        'groups[1].name must be 1-128 letters, marks, symbols, digits or punctuation, without spaces (got "two words")',
      );
      expect(await refusal({ groups: [""] })).to.equal('groups[0].name must be 1-128 letters, marks, symbols, digits or punctuation, without spaces (got "")');
      const long = "g".repeat(129);
      expect(await refusal({ groups: [{ name: long }] })).to.equal(
        `groups[0].name must be 1-128 letters, marks, symbols, digits or punctuation, without spaces (got "${long}")`,
      );
    });

    it("accepts any letters, marks, symbols, digits and punctuation in a group name, up to 128 characters", async () => {
      const names = ["Ädmins_ü", "admins@example.com", "€-team", "日本語グループ", "a".repeat(128)];
      const run = await deploy({ groups: names });
      expect(run.graph.ofType(T.group).map((g) => g.inputs.name)).to.deep.equal(names);
    });

    it("a group listed twice", async () => {
      expect(await refusal({ groups: ["admins", "users", { name: "admins", precedence: 1 }] })).to.equal(
        'groups[2].name "admins" repeats groups[0]; group names are unique in a user pool',
      );
    });

    it("a negative or fractional precedence, a long description", async () => {
      expect(await refusal({ groups: [{ name: "admins", precedence: -1 }] })).to.equal("groups[0].precedence must be an integer from 0 to 2147483647 (got -1)");
      expect(await refusal({ groups: [{ name: "admins", precedence: 1.5 }] })).to.equal("groups[0].precedence must be an integer from 0 to 2147483647 (got 1.5)");
      expect(await refusal({ groups: [{ name: "admins", description: "x".repeat(2049) }] })).to.equal(
        "groups[0].description must be a string of at most 2048 characters (got 2049 characters)",
      );
    });

    it("token lifetimes outside AWS's ranges", async () => {
      expect(await refusal({ tokenValidity: { idTokenMinutes: 4 } })).to.equal("tokenValidity.idTokenMinutes must be an integer from 5 to 1440 (got 4)");
      expect(await refusal({ tokenValidity: { accessTokenMinutes: 1441 } })).to.equal("tokenValidity.accessTokenMinutes must be an integer from 5 to 1440 (got 1441)");
      expect(await refusal({ tokenValidity: { refreshTokenDays: 0 } })).to.equal("tokenValidity.refreshTokenDays must be an integer from 1 to 3650 (got 0)");
    });

    it("a non-boolean deletionProtection", async () => {
      expect(await refusal({ deletionProtection: "ACTIVE" as never })).to.equal('deletionProtection must be true or false (got "ACTIVE")');
    });
  });
});

describe("CognitoAuth tags and transform", () => {
  const TAGS = { team: "payments", costCenter: "1234" };

  it("tags the user pool", async () => {
    const run = await deploy({ tags: TAGS, groups: ["admins"] });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.map((r) => r.type)).to.deep.equal([T.pool]);
  });

  it("keeps the pool's own tags (from userPoolOverrides) over the component's", async () => {
    const run = await deploy({ tags: TAGS, userPoolOverrides: { name: "customers", tags: { Name: "customers", team: "identity" } } });
    expect(only(run, T.pool).inputs).to.deep.include({ name: "customers", tags: { team: "identity", costCenter: "1234", Name: "customers" } });
  });

  it("merges transform objects over the children's args, after the overrides", async () => {
    const run = await deploy({
      groups: ["admins"],
      userPoolClientOverrides: { name: "from-overrides", callbackUrls: ["https://old.example.com/callback"] },
      transform: {
        userPool: { deletionProtection: "ACTIVE", emailConfiguration: { emailSendingAccount: "COGNITO_DEFAULT" } },
        userPoolClient: { name: "from-transform" },
        userGroup: { description: "set by the transform" },
      },
    });
    expect(only(run, T.pool).inputs).to.deep.include({
      deletionProtection: "ACTIVE",
      emailConfiguration: { emailSendingAccount: "COGNITO_DEFAULT" },
      usernameAttributes: ["email"],
    });
    expect(only(run, T.client).inputs).to.deep.include({ name: "from-transform", callbackUrls: ["https://old.example.com/callback"], generateSecret: false });
    expect(only(run, T.group).inputs).to.deep.include({ name: "admins", description: "set by the transform" });
  });

  it("lets a transform function change each child's args and options, told the child's name", async () => {
    const names: string[] = [];
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const marker = new aws.sns.Topic("marker");
        new CognitoAuth("auth", {
          groups: ["admins", "users"],
          transform: {
            userPool: (args, opts, name) => {
              names.push(name);
              args.mfaConfiguration = "OPTIONAL";
              args.softwareTokenMfaConfiguration = { enabled: true };
              // The mocks record no resource options but dependsOn (as dependencies): it shows the options reach the child.
              opts.dependsOn = [marker];
            },
            userPoolClient: (args, _opts, name) => {
              names.push(name);
              args.logoutUrls = ["https://app.example.com/bye"];
            },
            userGroup: (args, _opts, name) => {
              names.push(name);
              if (name.endsWith("-admins")) args.precedence = 0;
            },
          },
        });
        return {};
      },
    });
    expect(names).to.deep.equal(["auth-pool", "auth-client", "auth-group-admins", "auth-group-users"]);
    const pool = only(run, T.pool);
    expect(pool.inputs).to.deep.include({ mfaConfiguration: "OPTIONAL", softwareTokenMfaConfiguration: { enabled: true } });
    expect(pool.dependencies).to.include(only(run, "aws:sns/topic:Topic").urn);
    expect(only(run, T.client).inputs.logoutUrls).to.deep.equal(["https://app.example.com/bye"]);
    const precedence = Object.fromEntries(run.graph.ofType(T.group).map((g) => [g.inputs.name, g.inputs.precedence]));
    expect(precedence).to.deep.equal({ admins: 0, users: undefined });
  });
});
