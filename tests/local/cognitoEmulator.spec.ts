import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { expect } from "chai";
import { CognitoAuth } from "../../components/CognitoAuth";
import { withCognitoAuth } from "../../functions/cognitoAuth";
import type { ProxyEvent } from "../../functions/proxyTypes";
import { COGNITO_TYPES, CognitoEmulator, startCognitoEmulator } from "../../local/cognitoEmulator";
import { ProgramRun, runProgram } from "../../local/controlPlane";
import { isProcessRunning } from "../../local/processes";
import { expectRejection } from "../functions/expectRejection";
import { lambdaContext, proxyEvent } from "../functions/proxyEvent";
import { withEnv } from "../functions/withEnv";
import type { JsonDocument } from "../jsonDocument";

const PASSWORD = "Correct-Horse-9-Battery";


/** Runs `fn` with TMPDIR pointing at a fresh folder, so that what it leaves there is its own. */
async function inPrivateTmpdir<T>(fn: (dir: string) => Promise<T>): Promise<{ result: T; left: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cognito-emulator-spec-"));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    const result = await fn(dir);
    // Only the emulator's folders count (ts-node keeps a compile cache there too).
    return { result, left: fs.readdirSync(dir).filter((d) => d.startsWith("apigw-kit-cognito-")) };
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function decode(token: string): { header: Record<string, JsonDocument>; payload: Record<string, JsonDocument> } {
  const [header, payload] = token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
  return { header, payload };
}

describe("cognito-local emulator", () => {
  let cognito: CognitoEmulator;
  let run: ProgramRun;
  let startMs: number;
  const lines: string[] = [];

  before(async () => {
    const started = Date.now();
    cognito = await startCognitoEmulator({ log: (line) => lines.push(line) });
    startMs = Date.now() - started;
    // The CognitoAuth component, "deployed" with the emulator creating its resources.
    run = await runProgram({
      stack: "dev",
      onCreate: (type, _name, inputs, computed) => cognito.createFromResource(type, inputs, computed),
      define: () => {
        const auth = new CognitoAuth("auth", { groups: ["admins", { name: "users", precedence: 5, description: "everyone" }] });
        return { userPoolId: auth.userPoolId, userPoolArn: auth.userPoolArn, userPoolClientId: auth.userPoolClientId };
      },
    });
  });

  after(async () => {
    await cognito?.stop();
  });

  const output = (key: string) => run.outputs[key].value as string;

  it("starts cognito-local as a child process on 127.0.0.1, answering within 30 s", () => {
    expect(cognito.url).to.equal(`http://127.0.0.1:${cognito.port}`);
    expect(cognito.pid).to.not.equal(process.pid);
    expect(isProcessRunning(cognito.pid)).to.equal(true);
    expect(startMs).to.be.below(30_000);
    expect(lines.join("\n")).to.include(`Cognito Local running on http://127.0.0.1:${cognito.port}`);
  });

  it("creates the component's pool, client and groups for real and answers their ids", async () => {
    const poolId = output("userPoolId");
    expect(poolId).to.match(/^local_[A-Za-z0-9]+$/);
    expect(output("userPoolArn")).to.equal(`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${poolId}`);
    const pool = run.graph.ofType(COGNITO_TYPES.userPool)[0];
    expect(pool.id).to.equal(poolId);
    expect(pool.state.endpoint).to.equal(`127.0.0.1:${cognito.port}/${poolId}`);

    const described = await cognito.client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    expect(described.UserPool?.Name).to.equal(pool.state.name);
    expect(described.UserPool?.UsernameAttributes).to.deep.equal(["email"]);
    expect(described.UserPool?.Policies?.PasswordPolicy).to.deep.include({ MinimumLength: 12, RequireSymbols: true });

    const client = await cognito.client.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: output("userPoolClientId") }));
    expect(client.UserPoolClient).to.deep.include({
      ClientName: "auth-app",
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      IdTokenValidity: 60,
    });
    expect(client.UserPoolClient?.ClientSecret).to.equal(undefined);

    const users = await cognito.client.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: "users" }));
    expect(users.Group).to.deep.include({ GroupName: "users", Precedence: 5, Description: "everyone" });
    // Registration order of sibling resources is not fixed.
    expect(run.graph.ofType(COGNITO_TYPES.userGroup).map((g) => g.id).sort()).to.deep.equal([`${poolId}/admins`, `${poolId}/users`]);
  });

  it("answers the pool's issuer and app clients by pool ARN, for the gateway's authorizer", () => {
    const poolId = output("userPoolId");
    expect(cognito.issuerForPoolArn(output("userPoolArn"))).to.deep.equal({
      issuer: `http://127.0.0.1:${cognito.port}/${poolId}`,
      jwksUri: `http://127.0.0.1:${cognito.port}/${poolId}/.well-known/jwks.json`,
    });
    expect(cognito.clientIdsForPoolArn(output("userPoolArn"))).to.deep.equal([output("userPoolClientId")]);
    expect(cognito.issuerForPoolArn("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Unknown")).to.equal(undefined);
    expect(cognito.clientIdsForPoolArn("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Unknown")).to.deep.equal([]);
  });

  it("keeps the region and account of the control plane's ARN for a pool", async () => {
    const answered = await cognito.createFromResource(COGNITO_TYPES.userPool, { name: "elsewhere" }, { arn: "arn:aws:cognito-idp:eu-west-1:999999999999:userpool/eu-west-1_mock" });
    expect(answered).to.deep.include({ name: "elsewhere", arn: `arn:aws:cognito-idp:eu-west-1:999999999999:userpool/${answered!.id}` });
    expect(cognito.issuerForPoolArn(answered!.arn as string)?.issuer).to.equal(cognito.issuerFor(answered!.id));
  });

  it("leaves other resource types alone", async () => {
    expect(await cognito.createFromResource("aws:dynamodb/table:Table", { hashKey: "id" }, {})).to.equal(undefined);
  });

  describe("a signed-in user", () => {
    let idToken: string;
    let accessToken: string;
    const email = "ada@example.com";

    before(async () => {
      const UserPoolId = output("userPoolId");
      await cognito.client.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username: email,
          UserAttributes: [{ Name: "email", Value: email }, { Name: "email_verified", Value: "true" }],
          MessageAction: "SUPPRESS",
        }),
      );
      await cognito.client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: email, Password: PASSWORD, Permanent: true }));
      await cognito.client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: email, GroupName: "admins" }));
      const auth = await cognito.client.send(
        new InitiateAuthCommand({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: output("userPoolClientId"), AuthParameters: { USERNAME: email, PASSWORD } }),
      );
      idToken = auth.AuthenticationResult!.IdToken!;
      accessToken = auth.AuthenticationResult!.AccessToken!;
    });

    it("gets an RS256 ID token whose issuer is the emulator's 127.0.0.1 address and pool", () => {
      const { header, payload } = decode(idToken);
      expect(header).to.include({ alg: "RS256", kid: "CognitoLocal" });
      expect(payload).to.include({ iss: cognito.issuerFor(output("userPoolId")), aud: output("userPoolClientId"), token_use: "id", email });
      expect(payload["cognito:groups"]).to.deep.equal(["admins"]);
      expect(payload.exp - payload.iat).to.equal(3600);
      expect(decode(accessToken).payload).to.include({ token_use: "access", client_id: output("userPoolClientId") });
    });

    it("serves the JWKS at the issuer + /.well-known/jwks.json", async () => {
      const response = await fetch(cognito.jwksUriFor(output("userPoolId")));
      expect(response.status).to.equal(200);
      const jwks = (await response.json()) as { keys: Array<Record<string, string>> };
      expect(jwks.keys.map((k) => k.kid)).to.deep.equal(["CognitoLocal"]);
    });

    it("is let through by withCognitoAuth pointed at the emulator through COGNITO_ISSUER / COGNITO_JWKS_URI", async () => {
      const environment = { USER_POOL_ID: output("userPoolId"), USER_POOL_CLIENT_ID: output("userPoolClientId"), AWS_REGION: "us-east-1" };
      const overrides = cognito.functionEnvironment(environment);
      expect(overrides).to.deep.equal({
        COGNITO_ISSUER: cognito.issuerFor(output("userPoolId")),
        COGNITO_JWKS_URI: cognito.jwksUriFor(output("userPoolId")),
      });
      let seen: ProxyEvent | undefined;
      const handler = withEnv({ ...environment, ...overrides }, () =>
        withCognitoAuth({ groups: ["admins"], log: () => undefined }, async (event) => {
          seen = event;
          return { statusCode: 200, body: "" };
        }),
      );
      const event = proxyEvent({ headers: { Authorization: `Bearer ${idToken}` } });
      expect((await handler(event, lambdaContext())).statusCode).to.equal(200);
      expect(seen?.requestContext.authorizer?.claims).to.include({ email, "cognito:groups": "admins" });
      // The access token is refused where an ID token is expected.
      expect((await handler(proxyEvent({ headers: { Authorization: accessToken } }), lambdaContext())).statusCode).to.equal(401);
      // Without the overrides, the function expects AWS's issuer and refuses the local token.
      expect(cognito.functionEnvironment({ USER_POOL_ID: "us-east-1_NotHere" })).to.deep.equal({});
    });
  });

  it("refuses to start on a port in use, leaving no process and no directory behind", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    try {
      const { result: error, left } = await inPrivateTmpdir(() => expectRejection(startCognitoEmulator({ port: (blocker.address() as net.AddressInfo).port })));
      expect(error.message).to.match(/^cognito-local exited \(code 1\) before answering at http:\/\/127\.0\.0\.1:\d+:/);
      expect(error.message).to.include("EADDRINUSE");
      expect(left).to.deep.equal([]);
    } finally {
      blocker.close();
    }
  });

  it("kills cognito-local when the process that started it exits without stop() (a failed run)", async () => {
    const script = `require(${JSON.stringify(path.resolve(__dirname, "../../local/cognitoEmulator"))}).startCognitoEmulator()` +
      `.then((c) => { console.log(JSON.stringify({ pid: c.pid, url: c.url })); process.exit(3); });`;
    const { result: pid, left } = await inPrivateTmpdir(async (tmp) => {
      const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const child = execFile(
          process.execPath,
          ["-r", "ts-node/register/transpile-only", "-e", script],
          { cwd: path.resolve(__dirname, "../.."), env: { ...process.env, TMPDIR: tmp } },
          (error, out) => (error && typeof error.code !== "number" ? reject(error) : resolve({ code: child.exitCode, stdout: out })),
        );
      });
      expect(code).to.equal(3);
      const started = JSON.parse(stdout.trim().split("\n").pop()!) as { pid: number; url: string };
      expect(started.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (let i = 0; i < 40 && isProcessRunning(started.pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      return started.pid;
    });
    expect(isProcessRunning(pid), `cognito-local ${pid} outlived its parent`).to.equal(false);
    expect(left, "its directory is removed too").to.deep.equal([]);
  });

  it("stop() kills the process and removes its data directory (and may be called again)", async () => {
    const second = await startCognitoEmulator();
    expect(isProcessRunning(second.pid)).to.equal(true);
    expect(fs.existsSync(path.join(second.workDir, ".cognito", "config.json"))).to.equal(true);
    await second.stop();
    expect(isProcessRunning(second.pid)).to.equal(false);
    expect(fs.existsSync(second.workDir)).to.equal(false);
    await second.stop();
  });
});
