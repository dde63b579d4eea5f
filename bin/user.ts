/**
 * `npm run user -- --email <address> --password <password> [--group <name>] [--stack dev]`:
 * creates (or reuses) a user in the local cloud's Cognito user pool, confirms its password,
 * adds it to a group, signs it in with the standard InitiateAuth (USER_PASSWORD_AUTH) call and
 * prints its ID token — what a person needs to call the routes behind the Cognito authorizer:
 *
 *     TOKEN=$(npm run -s user -- --email ann@example.com --password 'Correct-Horse-9')
 *     curl -H "Authorization: $TOKEN" http://127.0.0.1:4010/dev/users/<id>
 *
 * Reads the pool, client and Cognito endpoint from `.local/<stack>/outputs.json`. Exit codes:
 * 0 with the token on stdout, 1 when the local cloud or the sign-in fails, 2 for bad flags.
 */
import * as fs from "node:fs";
import { UsageError, outputsFileOf, readCommandLine } from "./localCloudFiles";

export { UsageError };
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  UsernameExistsException,
} from "@aws-sdk/client-cognito-identity-provider";

export const USAGE = "usage: npm run user -- --email <address> --password <password> [--group <name>] [--stack <name>]";


export interface UserOptions {
  email: string;
  password: string;
  group?: string;
  stack: string;
}

export function parseUserArgs(argv: string[]): UserOptions {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (!["--email", "--password", "--group", "--stack"].includes(flag)) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const value = eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "" || (value.startsWith("--") && eq < 0)) throw new UsageError(`${flag} needs a value`);
    values[flag.slice(2)] = value;
  }
  if (!values.email) throw new UsageError("--email is required");
  if (!values.password) throw new UsageError("--password is required");
  if (!/^[^\s@]+@[^\s@]+$/.test(values.email)) throw new UsageError(`--email must be an e-mail address (got ${JSON.stringify(values.email)})`);
  const stack = values.stack ?? "dev";
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack "${stack}" is not a stack name`);
  return { email: values.email, password: values.password, group: values.group, stack };
}

/** What the local cloud wrote for a stack: the pool, its client and the Cognito endpoint. */
export function readLocalCognito(outputsFile: string): { userPoolId: string; userPoolClientId: string; endpoint: string } {
  if (!fs.existsSync(outputsFile)) throw new Error(`${outputsFile} does not exist: start the local cloud first (npm start)`);
  const written = JSON.parse(fs.readFileSync(outputsFile, "utf8")) as { outputs?: Record<string, unknown>; endpoints?: Record<string, string> };
  const userPoolId = written.outputs?.userPoolId;
  const userPoolClientId = written.outputs?.userPoolClientId;
  const endpoint = written.endpoints?.cognito;
  if (typeof userPoolId !== "string" || typeof userPoolClientId !== "string" || !endpoint) {
    throw new Error(`${outputsFile} has no userPoolId, userPoolClientId or Cognito endpoint: the stack has no user pool`);
  }
  return { userPoolId, userPoolClientId, endpoint };
}

/** Creates or reuses the user, sets its password, adds the group, and returns its ID token. */
export async function signInLocalUser(options: UserOptions, cognito: { userPoolId: string; userPoolClientId: string; endpoint: string }): Promise<string> {
  const client = new CognitoIdentityProviderClient({
    endpoint: cognito.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    try {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId: cognito.userPoolId,
          Username: options.email,
          UserAttributes: [
            { Name: "email", Value: options.email },
            { Name: "email_verified", Value: "true" },
          ],
          MessageAction: "SUPPRESS",
        }),
      );
    } catch (err) {
      if (!(err instanceof UsernameExistsException) && (err as Error).name !== "UsernameExistsException") throw err;
    }
    await client.send(new AdminSetUserPasswordCommand({ UserPoolId: cognito.userPoolId, Username: options.email, Password: options.password, Permanent: true }));
    if (options.group) {
      await client.send(new AdminAddUserToGroupCommand({ UserPoolId: cognito.userPoolId, Username: options.email, GroupName: options.group }));
    }
    const result = await client.send(
      new InitiateAuthCommand({
        ClientId: cognito.userPoolClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: options.email, PASSWORD: options.password },
      }),
    );
    const token = result.AuthenticationResult?.IdToken;
    if (!token) throw new Error(`sign-in returned no ID token (challenge: ${result.ChallengeName ?? "none"})`);
    return token;
  } finally {
    client.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const options = readCommandLine(parseUserArgs, argv, { usage: USAGE });
  if (typeof options === "number") return options;
  try {
    const cognito = readLocalCognito(outputsFileOf(options.stack));
    process.stdout.write(`${await signInLocalUser(options, cognito)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
