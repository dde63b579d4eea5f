/**
 * A local Secrets Manager endpoint: the part of the service the functions use, over AWS's
 * JSON 1.1 protocol (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`), so the real
 * `@aws-sdk/client-secrets-manager` talks to it through `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 *
 * Operations: CreateSecret, PutSecretValue, GetSecretValue (by name, full ARN or partial ARN;
 * by VersionId or VersionStage), DescribeSecret. Versions move AWSCURRENT / AWSPREVIOUS as
 * the service does. Errors are AWS's: status 400, `x-amzn-ErrorType`, and a JSON body
 * `{"__type": "...", "Message": "..."}`. Credentials are not checked. Secrets live in memory,
 * or in a JSON file (`dataFile`) rewritten after every change, so that they survive a restart.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { serveOnLoopback } from "./emulators";
import type { ProviderProperties } from "./controlPlane";
import { writeFileAtomically } from "./state/atomicFile";

/** Options of {@link startSecretsManager}. */
export interface SecretsManagerOptions {
  /** Region in the ARNs of secrets created here. */
  region: string;
  /** Account in the ARNs of secrets created here. */
  accountId: string;
  /**
   * A JSON file holding every secret and version, read at start (when it exists) and written
   * again after every change (atomically, mode 0600: it holds the secrets' values). Values
   * that functions write at run time (PutSecretValue, a rotation) survive a restart this way.
   * @default none: in memory, gone at stop
   */
  dataFile?: string;
}

/** A running local Secrets Manager. */
export interface LocalSecretsManager {
  /** The endpoint, for `AWS_ENDPOINT_URL_SECRETS_MANAGER` or a client's `endpoint`. */
  url: string;
  stop(): Promise<void>;
  /**
   * Stores a value as the secret's new AWSCURRENT version; creates the secret (by name) when
   * there is none. Throws for an ARN naming no secret.
   */
  putSecret(nameOrArn: string, value: string): { arn: string; name: string; versionId: string };
  /**
   * The control plane's hook (`runProgram`'s `onCreate`): creates what an
   * `aws:secretsmanager/secret:Secret` or `.../secretVersion:SecretVersion` registration
   * describes, and answers the attributes to record (`id` included). Answers undefined for
   * any other type. A new secret takes the name and ARN the control plane computed, if any.
   *
   * Idempotent, as a `pulumi up` of an unchanged program is (a restart on a data file, a
   * reload in watch mode): a secret of the same name is kept, with its ARN and versions; a
   * SecretVersion whose value is the one the program stored last time, or the current one, is
   * a no-op (so a value rotated since stays current, as on AWS, where the provider's state
   * still holds its own version); a different value becomes the new AWSCURRENT version.
   */
  createFromResource(
    type: string,
    inputs: ProviderProperties,
    computed: ProviderProperties,
    logicalName?: string,
  ): (Record<string, unknown> & { id: string }) | undefined;
}

interface SecretVersion {
  versionId: string;
  secretString?: string;
  /** Base64, as the JSON protocol carries blobs. */
  secretBinary?: string;
  createdDate: number;
  stages: Set<string>;
}

interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  createdDate: number;
  lastChangedDate: number;
  versions: Map<string, SecretVersion>;
  /** The version each SecretVersion resource of the program stored last, by its logical name. */
  deployed: Map<string, string>;
}

/** The data file's content. */
interface SecretsFile {
  version: 1;
  secrets: Array<Omit<StoredSecret, "versions" | "deployed"> & { versions: Array<Omit<SecretVersion, "stages"> & { stages: string[] }>; deployed: Record<string, string> }>;
}

/** An AWS error answer: the exception's name is the `__type` and `x-amzn-ErrorType`. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ARN_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const TARGET_PREFIX = "secretsmanager.";
const CURRENT = "AWSCURRENT";
const PREVIOUS = "AWSPREVIOUS";

/**
 * Starts the endpoint on 127.0.0.1, on a free port, with the secrets of `options.dataFile`
 * when it exists.
 *
 * @throws Error naming the data file when it cannot be read or is not one, suggesting --fresh
 */
export async function startSecretsManager(options: SecretsManagerOptions): Promise<LocalSecretsManager> {
  const store = new SecretStore(options);
  const server = http.createServer((req, res) => void serve(store, req, res));
  return {
    ...(await serveOnLoopback(server)),
    putSecret: (nameOrArn, value) => store.putSecret(nameOrArn, value),
    createFromResource: (type, inputs, computed, logicalName) => store.createFromResource(type, inputs, computed, logicalName),
  };
}

class SecretStore {
  private readonly byName = new Map<string, StoredSecret>();

  constructor(private readonly options: SecretsManagerOptions) {
    if (options.dataFile !== undefined) this.load(options.dataFile);
  }

  putSecret(nameOrArn: string, value: string): { arn: string; name: string; versionId: string } {
    let secret = this.find(nameOrArn);
    if (!secret) {
      if (nameOrArn.startsWith("arn:")) throw new Error(`no secret ${nameOrArn} to put a value in`);
      secret = this.create(nameOrArn);
    }
    const version = this.addVersion(secret, { secretString: value });
    return { arn: secret.arn, name: secret.name, versionId: version.versionId };
  }

  createFromResource(type: string, inputs: ProviderProperties, computed: ProviderProperties, logicalName?: string) {
    if (type === "aws:secretsmanager/secret:Secret") {
      const secret = this.secretFromResource(inputs, computed, logicalName);
      return { id: secret.arn, arn: secret.arn, name: secret.name };
    }
    if (type === "aws:secretsmanager/secretVersion:SecretVersion") {
      const secretId = String(inputs.secretId);
      const secret = this.find(secretId);
      if (!secret) throw new Error(`SecretVersion${logicalName ? ` ${logicalName}` : ""}: no secret ${secretId} in the local Secrets Manager`);
      const version = this.versionFromResource(secret, inputs, computed, logicalName ?? "");
      return { id: `${secret.arn}|${version.versionId}`, arn: secret.arn, versionId: version.versionId, versionStages: [...version.stages] };
    }
    return undefined;
  }

  /** A Secret resource's secret: the one of its name if any (its description updated), else a new one. */
  private secretFromResource(inputs: ProviderProperties, computed: ProviderProperties, logicalName?: string): StoredSecret {
    const name =
      (inputs.name as string | undefined) ??
      (computed.name as string | undefined) ??
      (inputs.namePrefix ? `${inputs.namePrefix}${randomUUID().replace(/-/g, "").slice(0, 26)}` : undefined) ??
      `${logicalName ?? "secret"}-${randomBytes(4).toString("hex").slice(0, 7)}`;
    const existing = this.byName.get(name);
    if (!existing) return this.create(name, inputs.description, typeof computed.arn === "string" && computed.arn.includes(":secret:") ? computed.arn : undefined);
    if (existing.description !== inputs.description) {
      existing.description = inputs.description;
      this.save();
    }
    return existing;
  }

  /**
   * A SecretVersion resource's version: the one it stored last time, or the current one, when
   * either holds its value; else a new AWSCURRENT version, under the computed version id unless
   * that id is taken already (a seeded control plane computes the same id on every run).
   */
  private versionFromResource(secret: StoredSecret, inputs: ProviderProperties, computed: ProviderProperties, resourceName: string): SecretVersion {
    const value = { secretString: unwrapSecret(inputs.secretString), secretBinary: unwrapSecret(inputs.secretBinary) };
    const holdsValue = (version: SecretVersion | undefined): version is SecretVersion =>
      version !== undefined && version.secretString === value.secretString && version.secretBinary === value.secretBinary;
    const storedLast = secret.versions.get(secret.deployed.get(resourceName) ?? "");
    const current = [...secret.versions.values()].find((v) => v.stages.has(CURRENT));
    let version = holdsValue(storedLast) ? storedLast : holdsValue(current) ? current : undefined;
    if (!version) {
      const computedId = typeof computed.versionId === "string" && !secret.versions.has(computed.versionId) ? computed.versionId : undefined;
      version = this.addVersion(secret, { ...value, versionId: computedId });
    }
    if (secret.deployed.get(resourceName) !== version.versionId) {
      secret.deployed.set(resourceName, version.versionId);
      this.save();
    }
    return version;
  }

  /** By name, full ARN, or partial ARN (the ARN without the 6-character suffix). */
  find(id: string): StoredSecret | undefined {
    const byName = this.byName.get(id);
    if (byName) return byName;
    for (const secret of this.byName.values()) {
      if (secret.arn === id || secret.arn.slice(0, -7) === id) return secret;
    }
    return undefined;
  }

  get(id: unknown): StoredSecret {
    if (typeof id !== "string" || id === "") {
      throw new ServiceError("ValidationException", "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null");
    }
    const secret = this.find(id);
    if (!secret) throw new ServiceError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    return secret;
  }

  create(name: string, description?: string, arn?: string): StoredSecret {
    if (!NAME.test(name)) throw new ServiceError("ValidationException", `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!`);
    if (this.byName.has(name)) throw new ServiceError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`);
    const now = Date.now() / 1000;
    const suffix = Array.from(randomBytes(6), (b) => ARN_SUFFIX_ALPHABET[b % ARN_SUFFIX_ALPHABET.length]).join("");
    const secret: StoredSecret = {
      arn: arn ?? `arn:aws:secretsmanager:${this.options.region}:${this.options.accountId}:secret:${name}-${suffix}`,
      name,
      description,
      createdDate: now,
      lastChangedDate: now,
      versions: new Map(),
      deployed: new Map(),
    };
    this.byName.set(name, secret);
    this.save();
    return secret;
  }

  addVersion(secret: StoredSecret, value: { secretString?: string; secretBinary?: string; versionId?: string }): SecretVersion {
    if ((value.secretString === undefined) === (value.secretBinary === undefined)) {
      throw new ServiceError("InvalidParameterException", "You must provide either SecretString or SecretBinary.");
    }
    const versionId = value.versionId ?? randomUUID();
    const existing = secret.versions.get(versionId);
    if (existing) {
      // ClientRequestToken is idempotent: the same token with the same value is a no-op.
      if (existing.secretString === value.secretString && existing.secretBinary === value.secretBinary) return existing;
      throw new ServiceError("ResourceExistsException", `You can't modify an existing version, you can only create a new version.`);
    }
    for (const version of secret.versions.values()) {
      version.stages.delete(PREVIOUS);
      if (version.stages.delete(CURRENT)) version.stages.add(PREVIOUS);
    }
    const now = Date.now() / 1000;
    const version: SecretVersion = { versionId, secretString: value.secretString, secretBinary: value.secretBinary, createdDate: now, stages: new Set([CURRENT]) };
    secret.versions.set(versionId, version);
    secret.lastChangedDate = now;
    this.save();
    return version;
  }

  /** Writes every secret to the data file, if there is one. */
  private save(): void {
    if (this.options.dataFile === undefined) return;
    const content: SecretsFile = {
      version: 1,
      secrets: [...this.byName.values()].map((secret) => ({
        ...secret,
        versions: [...secret.versions.values()].map((version) => ({ ...version, stages: [...version.stages] })),
        deployed: Object.fromEntries(secret.deployed),
      })),
    };
    writeFileAtomically(this.options.dataFile, `${JSON.stringify(content, null, 2)}\n`, 0o600);
  }

  /** Reads the data file, when it exists. */
  private load(file: string): void {
    let content: SecretsFile;
    try {
      content = JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new Error(`the local Secrets Manager cannot read ${file} (${(err as Error).message}): delete it, or start with --fresh to begin with an empty state`);
    }
    if (content?.version !== 1 || !Array.isArray(content.secrets)) {
      throw new Error(`${file} is not a local Secrets Manager data file (version 1): delete it, or start with --fresh to begin with an empty state`);
    }
    for (const secret of content.secrets) {
      this.byName.set(secret.name, {
        ...secret,
        versions: new Map(secret.versions.map((version) => [version.versionId, { ...version, stages: new Set(version.stages) }])),
        deployed: new Map(Object.entries(secret.deployed ?? {})),
      });
    }
  }

  version(secret: StoredSecret, versionId: unknown, stage: unknown): SecretVersion {
    if (typeof versionId === "string") {
      const version = secret.versions.get(versionId);
      if (!version || (typeof stage === "string" && !version.stages.has(stage))) {
        throw new ServiceError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
      }
      return version;
    }
    const label = typeof stage === "string" ? stage : CURRENT;
    for (const version of secret.versions.values()) if (version.stages.has(label)) return version;
    throw new ServiceError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for staging label: ${label}`);
  }
}

/**
 * The request members the operations read: unknown where an operation checks them (SecretStore's
 * get and version validate ids), as the API documents them otherwise.
 */
interface SecretsManagerRequest {
  Name?: unknown;
  Description?: string;
  SecretString?: string;
  SecretBinary?: string;
  ClientRequestToken?: string;
  SecretId?: unknown;
  VersionId?: unknown;
  VersionStage?: unknown;
}

type Operation = (store: SecretStore, input: SecretsManagerRequest) => Record<string, unknown>;

const OPERATIONS: Record<string, Operation> = {
  CreateSecret(store, input) {
    if (typeof input.Name !== "string") {
      throw new ServiceError("ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
    }
    const secret = store.create(input.Name, input.Description);
    const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
    const version = hasValue
      ? store.addVersion(secret, { secretString: input.SecretString, secretBinary: input.SecretBinary, versionId: input.ClientRequestToken })
      : undefined;
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.versionId } : {}) };
  },
  PutSecretValue(store, input) {
    const secret = store.get(input.SecretId);
    const version = store.addVersion(secret, { secretString: input.SecretString, secretBinary: input.SecretBinary, versionId: input.ClientRequestToken });
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  },
  GetSecretValue(store, input) {
    const secret = store.get(input.SecretId);
    const version = store.version(secret, input.VersionId, input.VersionStage);
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
      VersionStages: [...version.stages],
      CreatedDate: version.createdDate,
    };
  },
  DescribeSecret(store, input) {
    const secret = store.get(input.SecretId);
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      CreatedDate: secret.createdDate,
      LastChangedDate: secret.lastChangedDate,
      VersionIdsToStages: Object.fromEntries([...secret.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.versionId, [...v.stages]])),
    };
  },
};

async function serve(store: SecretStore, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const answer = (status: number, body: Record<string, unknown>, errorType?: string) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/x-amz-json-1.1",
      "Content-Length": Buffer.byteLength(text),
      "x-amzn-RequestId": requestId,
      ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
    });
    res.end(text);
  };
  const fail = (error: ServiceError) => answer(400, { __type: error.type, Message: error.message }, error.type);

  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
    // hasOwn: a target such as "secretsmanager.constructor" must not find Object.prototype's.
    if (req.method !== "POST" || !Object.hasOwn(OPERATIONS, name)) {
      return fail(new ServiceError("UnknownOperationException", `The operation ${JSON.stringify(target)} is not supported by the local Secrets Manager`));
    }
    const operation = OPERATIONS[name];
    let input: unknown;
    try {
      const text = Buffer.concat(chunks).toString("utf8");
      input = text === "" ? {} : JSON.parse(text);
    } catch {
      return fail(new ServiceError("SerializationException", "Start of structure or map found where not expected."));
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return fail(new ServiceError("SerializationException", "Start of structure or map found where not expected."));
    }
    answer(200, operation(store, input as SecretsManagerRequest));
  } catch (err) {
    if (err instanceof ServiceError) return fail(err);
    process.stderr.write(`[secrets-manager] ${(err as Error).stack ?? err}\n`);
    answer(500, { __type: "InternalServiceError", Message: "An error occurred on the server side." }, "InternalServiceError");
  }
}

/** Secret inputs may reach the mocks' `newResource` still wrapped (`{4dabf18193072939515e22adb298388d: "1b47...", value}`). */
function unwrapSecret(value: unknown): string | undefined {
  if (value && typeof value === "object" && "value" in value) return unwrapSecret((value as { value: unknown }).value);
  return typeof value === "string" ? value : undefined;
}
