import * as fs from "node:fs";
import * as net from "node:net";
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
import { CognitoAuth } from "../../../components/CognitoAuth";
import { createCognitoTokenVerifier } from "../../../functions/cognitoAuth";
import { COGNITO_TYPES, startCognitoEmulator, type CognitoEmulator } from "../../../local/cognitoEmulator";
import { runProgram, type ProgramRun } from "../../../local/controlPlane";
import { expectRejection } from "../../functions/expectRejection";
import { temporaryStateDir } from "./stateFolder";

const PASSWORD = "Correct-Horse-9-Battery";
const EMAIL = "grace@example.com";
const SEED = "cognito-state-spec-seed";

/** The CognitoAuth component "deployed" into `cognito`, named from the seed as the local cloud does. */
function deploy(cognito: CognitoEmulator): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    cloud: { randomSeed: SEED },
    onCreate: (type, _name, inputs, computed) => cognito.createFromResource(type, inputs, computed),
    define: () => {
      const auth = new CognitoAuth("auth", { groups: ["admins"] });
      return { userPoolId: auth.userPoolId, userPoolClientId: auth.userPoolClientId };
    },
  });
}

/** What a token's validity depends on: the pool, its app client and groups. */
function idsOf(run: ProgramRun) {
  return {
    pool: run.outputs.userPoolId.value as string,
    client: run.outputs.userPoolClientId.value as string,
    groups: run.graph.ofType(COGNITO_TYPES.userGroup).map((g) => g.id),
  };
}

async function signIn(cognito: CognitoEmulator, clientId: string): Promise<string> {
  const auth = await cognito.client.send(
    new InitiateAuthCommand({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: clientId, AuthParameters: { USERNAME: EMAIL, PASSWORD } }),
  );
  return auth.AuthenticationResult!.IdToken!;
}

/** Verifies an ID token as a function guarded by withCognitoAuth does, against this emulator's JWKS (fetched afresh). */
function verifyIdToken(cognito: CognitoEmulator, ids: { pool: string; client: string }, token: string) {
  const verify = createCognitoTokenVerifier(
    { userPoolId: ids.pool, clientId: ids.client, issuer: cognito.issuerFor(ids.pool), jwksUri: cognito.jwksUriFor(ids.pool) },
    "id",
  );
  return verify(token);
}

describe("local state: Cognito pools, users and their tokens", function () {
  // Three to four starts of cognito-local, about a second each.
  this.timeout(120_000);
  let state: ReturnType<typeof temporaryStateDir>;
  let dataDir: string;
  let cognito: CognitoEmulator | undefined;
  const lines: string[] = [];
  let first: ReturnType<typeof idsOf>;
  let firstPort: number;
  let idToken: string;

  const start = async () => {
    await cognito?.stop();
    cognito = await startCognitoEmulator({ dataDir, log: (line) => lines.push(line) });
    return cognito;
  };

  before(async () => {
    state = temporaryStateDir("cognito");
    dataDir = path.join(state.dir, "cognito");
    const emulator = await start();
    firstPort = emulator.port;
    first = idsOf(await deploy(emulator));
    await emulator.client.send(
      new AdminCreateUserCommand({
        UserPoolId: first.pool,
        Username: EMAIL,
        UserAttributes: [{ Name: "email", Value: EMAIL }, { Name: "email_verified", Value: "true" }],
        MessageAction: "SUPPRESS",
      }),
    );
    await emulator.client.send(new AdminSetUserPasswordCommand({ UserPoolId: first.pool, Username: EMAIL, Password: PASSWORD, Permanent: true }));
    await emulator.client.send(new AdminAddUserToGroupCommand({ UserPoolId: first.pool, Username: EMAIL, GroupName: "admins" }));
    idToken = await signIn(emulator, first.client);
  });

  after(async () => {
    await cognito?.stop();
    state?.remove();
  });

  // Mocha runs a describe's own tests before its nested ones: each stage of the story is a describe.
  describe("running", () => {
    it("answers the same pool, app client and groups when the program runs again in the same process", async () => {
      const again = idsOf(await deploy(cognito!));
      expect(again).to.deep.equal(first);
      expect(cognito!.clientIdsForPoolArn(`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${first.pool}`)).to.deep.equal([first.client]);
      expect((await verifyIdToken(cognito!, first, idToken)).email).to.equal(EMAIL);
      expect(await signIn(cognito!, first.client)).to.be.a("string");
    });

    it("keeps its data in the data folder, not in a temporary one", () => {
      expect(cognito!.workDir).to.equal(dataDir);
      expect(fs.readdirSync(path.join(dataDir, ".cognito", "db"))).to.include(`${first.pool}.json`);
    });
  });

  describe("stopped and started on the same data folder", () => {
    let keptAtStop: boolean;

    before(async () => {
      await cognito!.stop();
      keptAtStop = fs.existsSync(path.join(dataDir, ".cognito", "db", `${first.pool}.json`));
      await start();
    });

    it("left its data folder in place at stop", () => {
      expect(keptAtStop).to.equal(true);
    });

    it("listens on the same port, so the issuer of its tokens is unchanged", () => {
      expect(cognito!.port).to.equal(firstPort);
      expect(cognito!.issuerFor(first.pool)).to.equal(`http://127.0.0.1:${firstPort}/${first.pool}`);
      expect(lines.join("\n")).not.to.include("are refused now");
    });

    it("answers the pool, app client and groups of before when the program runs again", async () => {
      expect(idsOf(await deploy(cognito!))).to.deep.equal(first);
    });

    it("still accepts an ID token issued before the restart (same issuer, same signing key)", async () => {
      const payload = await verifyIdToken(cognito!, first, idToken);
      expect(payload).to.include({ email: EMAIL, aud: first.client, iss: cognito!.issuerFor(first.pool) });
      expect(payload["cognito:groups"]).to.deep.equal(["admins"]);
    });

    it("signs the user in again with the same password", async () => {
      const token = await signIn(cognito!, first.client);
      expect((await verifyIdToken(cognito!, first, token)).email).to.equal(EMAIL);
    });
  });

  describe("started again while another process holds its port", () => {
    let blocker: net.Server;

    before(async () => {
      await cognito!.stop();
      blocker = net.createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => blocker.listen(firstPort, "127.0.0.1", resolve));
      lines.length = 0;
      await start();
    });

    after(async () => {
      await new Promise((resolve) => blocker.close(resolve));
    });

    it("takes another port and says that tokens issued before are refused now", () => {
      expect(cognito!.port).to.not.equal(firstPort);
      expect(lines).to.include(
        `listening on port ${cognito!.port}, not ${firstPort} as before: tokens issued before this start name issuer http://127.0.0.1:${firstPort} and are refused now; sign in again`,
      );
    });

    it("refuses the old token (its issuer names the old port), keeps the user, and remembers the new port", async () => {
      const again = idsOf(await deploy(cognito!));
      expect(again).to.deep.equal(first);
      const error = await expectRejection(verifyIdToken(cognito!, first, idToken));
      expect(error.message).to.include(`Issuer not allowed: http://127.0.0.1:${firstPort}/${first.pool}`);
      expect((await verifyIdToken(cognito!, first, await signIn(cognito!, first.client))).email).to.equal(EMAIL);
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, "endpoint.json"), "utf8")).port).to.equal(cognito!.port);
    });
  });
});

describe("local state: Cognito without a data folder (watch mode's reloads)", () => {
  let cognito: CognitoEmulator;

  before(async () => {
    cognito = await startCognitoEmulator();
  });

  after(async () => {
    await cognito?.stop();
  });

  it("answers the same ids when createFromResource is called again for the same resources, applying changed settings", async () => {
    const create = (type: string, inputs: Record<string, unknown>, computed: Record<string, unknown> = {}) => cognito.createFromResource(type, inputs, computed);
    const pool = await create(COGNITO_TYPES.userPool, { name: "reloaded", passwordPolicy: { minimumLength: 8 } });
    const client = await create(COGNITO_TYPES.userPoolClient, { userPoolId: pool!.id, name: "web", idTokenValidity: 1 });
    const group = await create(COGNITO_TYPES.userGroup, { userPoolId: pool!.id, name: "admins", precedence: 1 });

    const poolAgain = await create(COGNITO_TYPES.userPool, { name: "reloaded", passwordPolicy: { minimumLength: 12 } });
    const clientAgain = await create(COGNITO_TYPES.userPoolClient, { userPoolId: pool!.id, name: "web", idTokenValidity: 2 });
    const groupAgain = await create(COGNITO_TYPES.userGroup, { userPoolId: pool!.id, name: "admins", precedence: 2 });
    expect([poolAgain!.id, clientAgain!.id, groupAgain!.id]).to.deep.equal([pool!.id, client!.id, group!.id]);
    expect(cognito.clientIdsForPoolArn(poolAgain!.arn as string)).to.deep.equal([client!.id]);

    const described = await cognito.client.send(new DescribeUserPoolCommand({ UserPoolId: pool!.id }));
    expect(described.UserPool?.Policies?.PasswordPolicy?.MinimumLength).to.equal(12);
    const app = await cognito.client.send(new DescribeUserPoolClientCommand({ UserPoolId: pool!.id, ClientId: client!.id }));
    expect(app.UserPoolClient?.IdTokenValidity).to.equal(2);
    expect((await cognito.client.send(new GetGroupCommand({ UserPoolId: pool!.id, GroupName: "admins" }))).Group?.Precedence).to.equal(2);

    const other = await create(COGNITO_TYPES.userPool, { name: "another" });
    expect(other!.id).to.not.equal(pool!.id);
  });
});
