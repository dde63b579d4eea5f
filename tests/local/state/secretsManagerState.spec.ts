import * as fs from "node:fs";
import * as path from "node:path";
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { expect } from "chai";
import { LOCAL_CREDENTIALS } from "../../../local/emulators";
import { startSecretsManager, type LocalSecretsManager } from "../../../local/secretsManager";
import { expectRejection } from "../../functions/expectRejection";
import { modeOf, temporaryStateDir } from "./stateFolder";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

describe("local state: Secrets Manager secrets and versions", () => {
  let state: ReturnType<typeof temporaryStateDir>;
  let dataFile: string;
  let local: LocalSecretsManager | undefined;
  let client: SecretsManagerClient | undefined;

  /** Starts (again) on the data file; `null`: in memory. */
  const start = async (file: string | null = dataFile) => {
    client?.destroy();
    await local?.stop();
    local = await startSecretsManager({ region: REGION, accountId: ACCOUNT, dataFile: file ?? undefined });
    client = new SecretsManagerClient({ endpoint: local.url, region: REGION, credentials: LOCAL_CREDENTIALS });
    return local;
  };
  const current = async (id: string) => (await client!.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  /** The program's Secret and SecretVersion, as the control plane registers them (computed ids vary per run without a seed). */
  const deploy = (value: string, run: number) => {
    const secret = local!.createFromResource(SECRET, { description: "partner tokens" }, { name: "tokens-abc1234", arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:tokens-abc1234-Run00${run}` }, "tokens")!;
    const version = local!.createFromResource(VERSION, { secretId: secret.id, secretString: value }, { versionId: `program-version-${run}` }, "tokens-value")!;
    return { secret, version };
  };

  beforeEach(() => {
    state = temporaryStateDir("secrets");
    dataFile = path.join(state.dir, "state", "secrets.json");
  });

  afterEach(async () => {
    client?.destroy();
    await local?.stop();
    client = local = undefined;
    state.remove();
  });

  it("keeps secrets and their versions across a stop and a start on the same data file, written with mode 0600", async () => {
    await start();
    const created = await client!.send(new CreateSecretCommand({ Name: "app/db", SecretString: "first", Description: "the db" }));
    const put = await client!.send(new PutSecretValueCommand({ SecretId: "app/db", SecretString: "second" }));
    expect(modeOf(dataFile)).to.equal(0o600);
    // Atomic writes leave no temporary file behind.
    expect(fs.readdirSync(path.dirname(dataFile))).to.deep.equal(["secrets.json"]);

    await start();
    expect(await current("app/db")).to.equal("second");
    const previous = await client!.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionStage: "AWSPREVIOUS" }));
    expect(previous.SecretString).to.equal("first");
    const described = await client!.send(new DescribeSecretCommand({ SecretId: "app/db" }));
    expect(described).to.deep.include({ ARN: created.ARN, Description: "the db" });
    expect(described.VersionIdsToStages).to.deep.equal({ [created.VersionId!]: ["AWSPREVIOUS"], [put.VersionId!]: ["AWSCURRENT"] });
  });

  it("starts empty without a data file, as before", async () => {
    await start(null);
    await client!.send(new CreateSecretCommand({ Name: "app/db", SecretString: "first" }));
    await start(null);
    const error = await expectRejection(current("app/db"));
    expect(error.name).to.equal("ResourceNotFoundException");
  });

  it("keeps a Secret's ARN and a SecretVersion of an unchanged value when the program runs again, in the same process or after a restart", async () => {
    await start();
    const first = deploy("v1", 1);
    const again = deploy("v1", 2);
    expect(again).to.deep.equal(first);
    await start();
    expect(deploy("v1", 3)).to.deep.equal(first);
    expect(first.version.versionStages).to.deep.equal(["AWSCURRENT"]);
    const described = await client!.send(new DescribeSecretCommand({ SecretId: first.secret.id }));
    expect(Object.keys(described.VersionIdsToStages!)).to.deep.equal(["program-version-1"]);
  });

  it("makes a changed SecretVersion value the new AWSCURRENT version, as a Pulumi update does", async () => {
    await start();
    const first = deploy("v1", 1);
    const changed = deploy("v2", 2);
    expect(changed.secret).to.deep.equal(first.secret);
    expect(changed.version).to.deep.include({ versionId: "program-version-2", versionStages: ["AWSCURRENT"] });
    expect(await current(first.secret.id)).to.equal("v2");
    const previous = await client!.send(new GetSecretValueCommand({ SecretId: first.secret.id, VersionStage: "AWSPREVIOUS" }));
    expect(previous.SecretString).to.equal("v1");
  });

  it("mints a new version id when a seeded control plane computes the same one for a changed value", async () => {
    await start();
    const secret = local!.createFromResource(SECRET, {}, { name: "seeded-1234567" }, "seeded")!;
    const v1 = local!.createFromResource(VERSION, { secretId: secret.id, secretString: "v1" }, { versionId: "same-every-run" }, "seeded-value")!;
    const v2 = local!.createFromResource(VERSION, { secretId: secret.id, secretString: "v2" }, { versionId: "same-every-run" }, "seeded-value")!;
    expect(v1.versionId).to.equal("same-every-run");
    expect(v2.versionId).to.be.a("string").and.not.equal("same-every-run");
    expect(await current(secret.id)).to.equal("v2");
  });

  it("keeps a value a function rotated at run time, across a restart and the program's next run", async () => {
    await start();
    const { secret } = deploy("v1", 1);
    // What a rotation function does: a new AWSCURRENT version through the SDK.
    await client!.send(new PutSecretValueCommand({ SecretId: secret.id, SecretString: "rotated" }));
    await start();
    deploy("v1", 2);
    expect(await current(secret.id), "the program's unchanged value does not undo the rotation").to.equal("rotated");
    deploy("v3", 3);
    expect(await current(secret.id), "a changed value in the program is deployed").to.equal("v3");
  });

  it("refuses a data file that is not one, naming it and suggesting --fresh", async () => {
    fs.mkdirSync(path.dirname(dataFile), { recursive: true });
    fs.writeFileSync(dataFile, "{ not json");
    const broken = await expectRejection(start());
    expect(broken.message).to.match(/^the local Secrets Manager cannot read .*secrets\.json \(.*\): delete it, or start with --fresh/);
    expect(broken.message).to.include(dataFile);
    fs.writeFileSync(dataFile, JSON.stringify({ version: 2 }));
    expect((await expectRejection(start())).message).to.equal(
      `${dataFile} is not a local Secrets Manager data file (version 1): delete it, or start with --fresh to begin with an empty state`,
    );
  });
});
