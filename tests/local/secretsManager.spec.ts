import { expect } from "chai";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { LOCAL_CREDENTIALS } from "../../local/emulators";
import { startSecretsManager, type LocalSecretsManager } from "../../local/secretsManager";
import { expectRejection } from "../functions/expectRejection";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const ARN = new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:([A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}$`);

describe("local/secretsManager (through the real AWS SDK client)", () => {
  let local: LocalSecretsManager;
  let client: SecretsManagerClient;

  before(async () => {
    local = await startSecretsManager({ region: REGION, accountId: ACCOUNT });
    client = new SecretsManagerClient({ endpoint: local.url, region: REGION, credentials: LOCAL_CREDENTIALS });
  });

  after(async () => {
    client?.destroy();
    await local?.stop();
  });

  it("listens on 127.0.0.1 on a port of its own", () => {
    expect(local.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(local.url).not.to.match(/:0$/);
  });

  it("creates a secret and reads it back by name and by ARN", async () => {
    const created = await client.send(new CreateSecretCommand({ Name: "app/db", SecretString: '{"password":"hunter2"}', Description: "the db" }));
    expect(created.ARN).to.match(ARN);
    expect(ARN.exec(created.ARN!)![1]).to.equal("app/db");
    for (const id of ["app/db", created.ARN!]) {
      const value = await client.send(new GetSecretValueCommand({ SecretId: id }));
      expect(value.SecretString, id).to.equal('{"password":"hunter2"}');
      expect(value.ARN).to.equal(created.ARN);
      expect(value.Name).to.equal("app/db");
      expect(value.VersionId).to.equal(created.VersionId);
      expect(value.VersionStages).to.deep.equal(["AWSCURRENT"]);
      expect(value.CreatedDate).to.be.instanceOf(Date);
    }
  });

  it("moves AWSCURRENT to a put value and keeps the old one as AWSPREVIOUS", async () => {
    const first = await client.send(new CreateSecretCommand({ Name: "rotating", SecretString: "v1" }));
    const second = await client.send(new PutSecretValueCommand({ SecretId: first.ARN, SecretString: "v2" }));
    expect(second.VersionStages).to.deep.equal(["AWSCURRENT"]);
    expect((await client.send(new GetSecretValueCommand({ SecretId: "rotating" }))).SecretString).to.equal("v2");
    expect((await client.send(new GetSecretValueCommand({ SecretId: "rotating", VersionStage: "AWSPREVIOUS" }))).SecretString).to.equal("v1");
    expect((await client.send(new GetSecretValueCommand({ SecretId: "rotating", VersionId: first.VersionId }))).SecretString).to.equal("v1");
    const described = await client.send(new DescribeSecretCommand({ SecretId: "rotating" }));
    expect(described.VersionIdsToStages).to.deep.equal({ [first.VersionId!]: ["AWSPREVIOUS"], [second.VersionId!]: ["AWSCURRENT"] });
    expect(described.LastChangedDate).to.be.instanceOf(Date);
  });

  it("answers ResourceNotFoundException, in AWS's shape, for an unknown secret or a secret without a value", async () => {
    const unknown = await expectRejection(client.send(new GetSecretValueCommand({ SecretId: "no-such-secret" })));
    expect(unknown).to.be.instanceOf(ResourceNotFoundException);
    expect(unknown.name).to.equal("ResourceNotFoundException");
    expect(unknown.message).to.equal("Secrets Manager can't find the specified secret.");
    expect((unknown as ResourceNotFoundException).$metadata.httpStatusCode).to.equal(400);

    await client.send(new CreateSecretCommand({ Name: "empty" }));
    const empty = await expectRejection(client.send(new GetSecretValueCommand({ SecretId: "empty" })));
    expect(empty).to.be.instanceOf(ResourceNotFoundException);
    expect(empty.message).to.equal("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");

    const describe = await expectRejection(client.send(new DescribeSecretCommand({ SecretId: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:nope-AbCdEf` })));
    expect(describe).to.be.instanceOf(ResourceNotFoundException);
  });

  it("refuses a second secret of the same name", async () => {
    await client.send(new CreateSecretCommand({ Name: "once", SecretString: "x" }));
    const error = await expectRejection(client.send(new CreateSecretCommand({ Name: "once", SecretString: "y" })));
    expect(error).to.be.instanceOf(ResourceExistsException);
    expect(error.message).to.equal("The operation failed because the secret once already exists.");
  });

  it("answers an unknown operation with a JSON error and x-amzn-ErrorType", async () => {
    const response = await fetch(local.url, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.DeleteEverything" },
      body: "{}",
    });
    expect(response.status).to.equal(400);
    expect(response.headers.get("x-amzn-errortype")).to.equal("UnknownOperationException");
    expect(((await response.json()) as { __type: string }).__type).to.equal("UnknownOperationException");
  });

  it("putSecret stores a value the SDK reads through AWS_ENDPOINT_URL_SECRETS_MANAGER, as a function does", async () => {
    const { arn } = local.putSecret("token-clients", '{"alice":"s3cr3t"}');
    local.putSecret(arn, '{"alice":"rotated"}');
    // Built and used the way a Lambda does: no endpoint option; the variable points here.
    const env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: local.url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };
    const value = await withEnvAsync(env, async () => {
      const fromEnv = new SecretsManagerClient({});
      try {
        return await fromEnv.send(new GetSecretValueCommand({ SecretId: arn }));
      } finally {
        fromEnv.destroy();
      }
    });
    expect(value.SecretString).to.equal('{"alice":"rotated"}');
    expect(() => local.putSecret(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:missing-AbCdEf`, "x")).to.throw("no secret");
  });

  describe("createFromResource (the control plane's hook)", () => {
    it("registers a Secret under the computed name and ARN, and answers id = ARN", async () => {
      const computedArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:clients-1234567-QwErTy`;
      const answer = local.createFromResource(
        "aws:secretsmanager/secret:Secret",
        { description: "token clients" },
        { name: "clients-1234567", arn: computedArn },
      );
      expect(answer).to.deep.equal({ id: computedArn, arn: computedArn, name: "clients-1234567" });
      const described = await client.send(new DescribeSecretCommand({ SecretId: computedArn }));
      expect(described.Name).to.equal("clients-1234567");
      expect(described.Description).to.equal("token clients");
    });

    it("names a Secret itself when nothing was computed, and stores a SecretVersion's string for its secretId", async () => {
      const secret = local.createFromResource("aws:secretsmanager/secret:Secret", {}, {}, "auth-clients")!;
      expect(secret.name).to.match(/^auth-clients-[0-9a-f]{7}$/);
      expect(secret.id).to.match(ARN);
      const version = local.createFromResource(
        "aws:secretsmanager/secretVersion:SecretVersion",
        { secretId: secret.id, secretString: '{"alice":"s3cr3t"}' },
        { versionId: "v-1" },
      );
      expect(version).to.deep.equal({ id: `${secret.id}|v-1`, arn: secret.id, versionId: "v-1", versionStages: ["AWSCURRENT"] });
      const value = await client.send(new GetSecretValueCommand({ SecretId: secret.id }));
      expect(value.SecretString).to.equal('{"alice":"s3cr3t"}');
      expect(value.VersionId).to.equal("v-1");
    });

    it("unwraps a secretString that reaches the mocks still marked secret", async () => {
      const secret = local.createFromResource("aws:secretsmanager/secret:Secret", {}, {}, "wrapped")!;
      const wrapped = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: '{"bob":"pw"}' };
      local.createFromResource("aws:secretsmanager/secretVersion:SecretVersion", { secretId: secret.id, secretString: wrapped }, {});
      expect((await client.send(new GetSecretValueCommand({ SecretId: secret.id }))).SecretString).to.equal('{"bob":"pw"}');
    });

    it("refuses a SecretVersion of an unknown secret, and ignores other types", () => {
      expect(() => local.createFromResource("aws:secretsmanager/secretVersion:SecretVersion", { secretId: "ghost", secretString: "x" }, {}, "v")).to.throw(
        "SecretVersion v: no secret ghost in the local Secrets Manager",
      );
      expect(local.createFromResource("aws:dynamodb/table:Table", {}, {})).to.equal(undefined);
    });
  });
});

/** withEnv for an async call: the SDK reads endpoint variables when a request is sent. */
async function withEnvAsync<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
