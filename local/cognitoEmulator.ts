import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GroupExistsException,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateGroupCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
  type CreateUserPoolClientRequest,
  type CreateUserPoolRequest,
  type UpdateUserPoolRequest,
} from "@aws-sdk/client-cognito-identity-provider";
import { LOCAL_CREDENTIALS, type RunningEmulator } from "./emulators";
import type { ProviderProperties } from "./controlPlane";
import { writeFileAtomically } from "./state/atomicFile";

export interface CognitoEmulatorOptions {
  /**
   * Region in the ARNs of pools made by `createUserPool` (and of the SDK client);
   * `createFromResource` keeps the region and account of the control plane's ARN.
   * @default "us-east-1"
   */
  region?: string;
  /** Account in the ARNs answered for pools. @default "123456789012" */
  accountId?: string;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** cognito-local's output, one line at a time, colours stripped. @default dropped */
  log?: (line: string) => void;
  /** How long to wait for cognito-local to answer. @default 20000 */
  startTimeoutMs?: number;
  /**
   * A folder to keep pools, users, groups and app clients in, so that a stop and a start on
   * the same folder keeps them: cognito-local's working directory (its data under
   * `<dataDir>/.cognito/db/`), plus `<dataDir>/endpoint.json`, the port it last listened on.
   * That port is asked for again (unless `port` says otherwise), since it is part of every
   * token's issuer: tokens issued before the restart stay valid. When another process holds
   * it, a free port is taken and a log line says that those tokens are refused now.
   * @default none: a temporary folder, removed at stop
   */
  dataDir?: string;
}

/** A pool created in the emulator, with the attributes the provider would answer. */
export interface EmulatedUserPool {
  id: string;
  arn: string;
  /** Like AWS's `cognito-idp.{region}.amazonaws.com/{poolId}`: the issuer without its scheme. */
  endpoint: string;
  name: string;
}

/** cognito-local running as a child process, with helpers to create what a program declares. */
export interface CognitoEmulator extends RunningEmulator {
  /** `http://127.0.0.1:<port>`: the Cognito API endpoint (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`). */
  url: string;
  port: number;
  /** The child's process id. */
  pid: number;
  /**
   * cognito-local's working directory (config and data under `.cognito/`): the `dataDir`, or
   * a temporary folder that `stop()` removes.
   */
  workDir: string;
  /** An SDK client for the emulator (dummy credentials). */
  client: CognitoIdentityProviderClient;
  /** Kills the process and removes its data (unless kept in a `dataDir`); safe to call twice. */
  stop(): Promise<void>;
  /**
   * Creates a user pool from an `aws.cognito.UserPool`'s inputs, named `inputs.name`, else
   * `name`; its ARN names `where` (default: the emulator's region and account). A pool of that
   * name already there is kept instead, with its id and users, and its settings updated (as a
   * `pulumi up` of an unchanged program keeps it): a program run again (watch mode, a
   * restart on a `dataDir`) finds its pool, and tokens stay valid. Two pools of one name in a
   * program would be one here.
   */
  createUserPool(inputs: ProviderProperties, name?: string, where?: { region: string; accountId: string }): Promise<EmulatedUserPool>;
  /**
   * Creates an app client from an `aws.cognito.UserPoolClient`'s inputs; one of the same
   * `ClientName` in the pool is kept instead (same client id, so tokens keep their `aud`),
   * its settings updated.
   */
  createUserPoolClient(poolId: string, inputs: ProviderProperties): Promise<{ id: string; clientSecret?: string }>;
  /** Creates a group from an `aws.cognito.UserGroup`'s inputs; one of that name is updated instead. */
  createGroup(poolId: string, inputs: ProviderProperties): Promise<{ id: string; name: string }>;
  /** The `iss` of the pool's tokens: `http://127.0.0.1:<port>/<poolId>`. */
  issuerFor(poolId: string): string;
  /** `<issuer>/.well-known/jwks.json`. */
  jwksUriFor(poolId: string): string;
  /**
   * An `onCreate` for the control plane: creates Cognito resources for real and answers their
   * ids and attributes; undefined for other types. `resolveId` maps an id the program holds
   * to the emulator's (the identity by default: pool ids reach clients and groups as the
   * pool's real id already, since they come from the pool's output).
   */
  createFromResource(
    type: string,
    inputs: ProviderProperties,
    computed: ProviderProperties,
    resolveId?: (id: string) => string | undefined,
  ): Promise<(Record<string, unknown> & { id: string }) | undefined>;
  /** For the REST gateway's Cognito authorizer: where a pool's tokens come from, by pool ARN. */
  issuerForPoolArn(userPoolArn: string): { issuer: string; jwksUri: string } | undefined;
  /** For the REST gateway's Cognito authorizer: the app clients created in a pool, by pool ARN. */
  clientIdsForPoolArn(userPoolArn: string): string[];
  /**
   * The variables that point a function guarded by `withCognitoAuth` at this emulator:
   * `COGNITO_ISSUER` and `COGNITO_JWKS_URI` for the pool its `USER_POOL_ID` names ({} when
   * it names no pool of this emulator).
   */
  functionEnvironment(environment: Record<string, string | undefined>): Record<string, string>;
}

export const COGNITO_TYPES = {
  userPool: "aws:cognito/userPool:UserPool",
  userPoolClient: "aws:cognito/userPoolClient:UserPoolClient",
  userGroup: "aws:cognito/userGroup:UserGroup",
} as const;

const START_SCRIPT = require.resolve("cognito-local/lib/bin/start.js");
const MAX_START_ATTEMPTS = 3;
/** In a `dataDir`: the port the emulator last listened on (see {@link CognitoEmulatorOptions.dataDir}). */
const ENDPOINT_FILE = "endpoint.json";

/**
 * Starts cognito-local as a child process (`node .../cognito-local/lib/bin/start.js`) on
 * 127.0.0.1, in a temporary working directory of its own (it keeps its config and data under
 * `<cwd>/.cognito/`), and resolves once it answers `/health` (about 1 s).
 *
 * The port is picked before the start, because cognito-local writes it into the `iss` of
 * every token (`TokenConfig.IssuerDomain`, which it derives from the PORT / HOST variables,
 * not from `ServerConfig`): with port 0 the issuer would say `:0`. The issuer domain is set
 * to `http://127.0.0.1:<port>` rather than cognito-local's `localhost`, so that the JWKS is
 * fetched from the address it listens on, whatever `localhost` resolves to.
 *
 * Tokens survive a restart on the same `dataDir` as long as the port does: the issuer holds
 * the port, and the signing key never changes. cognito-local signs every token with one key
 * pair shipped in the package (node_modules/cognito-local/lib/keys/cognitoLocal.private.json,
 * kid "CognitoLocal"), the same for every start and every install of the version, so there is
 * no key to keep.
 *
 * No orphans: `stop()` kills the process (SIGTERM, SIGKILL after 2 s); until then, an `exit`
 * handler kills it (and removes its temporary directory) when this process exits (mocha
 * `--exit`, `process.exit`, an uncaught exception). A terminal's Ctrl-C reaches it directly
 * (same process group). Only a signal that kills this process alone (SIGKILL, or SIGTERM
 * without a handler calling `stop()`) leaves it running.
 */
export async function startCognitoEmulator(options: CognitoEmulatorOptions = {}): Promise<CognitoEmulator> {
  const persistent = options.dataDir !== undefined;
  const workDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-cognito-"));
  if (persistent) fs.mkdirSync(workDir, { recursive: true });
  try {
    const previousPort = persistent ? readEndpointPort(workDir) : undefined;
    const emulator = await startOnSomePort(workDir, options, previousPort);
    if (persistent) writeFileAtomically(path.join(workDir, ENDPOINT_FILE), `${JSON.stringify({ port: emulator.port, issuerDomain: emulator.url })}\n`);
    return emulator;
  } catch (err) {
    if (!persistent) fs.rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Starts on `options.port`, else on the port of the last start on this `dataDir` if it is
 * free, else on a free one, saying what a change of port costs. A free port is probed and
 * then given to cognito-local, and another process may take it in between: then it tries
 * again.
 *
 * The last start's port is probed before cognito-local is given it, not only left to fail:
 * whatever holds it might answer the `/health` probe of {@link waitUntilHealthy} in
 * cognito-local's stead.
 */
async function startOnSomePort(workDir: string, options: CognitoEmulatorOptions, previousPort: number | undefined): Promise<CognitoEmulator> {
  let wanted = options.port || (previousPort !== undefined && (await isPortFree(previousPort)) ? previousPort : undefined);
  for (let attempt = 1; ; attempt++) {
    const port = wanted || (await freePort());
    try {
      const emulator = await startOn(port, workDir, options, options.dataDir === undefined);
      if (previousPort !== undefined && emulator.port !== previousPort) {
        options.log?.(
          `listening on port ${emulator.port}, not ${previousPort} as before: tokens issued before this start name issuer http://127.0.0.1:${previousPort} and are refused now; sign in again`,
        );
      }
      return emulator;
    } catch (err) {
      if (options.port || attempt >= MAX_START_ATTEMPTS || !/EADDRINUSE/.test((err as Error).message)) throw err;
      wanted = undefined;
    }
  }
}

/** The port of the last start on a `dataDir`, if it left one. */
function readEndpointPort(dataDir: string): number | undefined {
  try {
    const { port } = JSON.parse(fs.readFileSync(path.join(dataDir, ENDPOINT_FILE), "utf8")) as { port?: unknown };
    return typeof port === "number" && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    // None yet, or unreadable: a new port, and no token to keep valid.
    return undefined;
  }
}

async function startOn(port: number, workDir: string, options: CognitoEmulatorOptions, temporary: boolean): Promise<CognitoEmulator> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "123456789012";
  const url = `http://127.0.0.1:${port}`;
  fs.mkdirSync(path.join(workDir, ".cognito"), { recursive: true });
  fs.writeFileSync(
    path.join(workDir, ".cognito", "config.json"),
    JSON.stringify({ ServerConfig: { port, hostname: "127.0.0.1" }, TokenConfig: { IssuerDomain: url } }, null, 2),
  );

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    // cognito-local uses the AWS SDK v2 for its (unused) Lambda and KMS clients.
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
  };
  // The parent's flags (--inspect, --require ts-node) are not for the emulator.
  delete env.NODE_OPTIONS;
  delete env.DEBUG;
  const child = spawn(process.execPath, [START_SCRIPT], { cwd: workDir, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const onLine = (line: string) => {
    const clean = stripVTControlCharacters(line).trimEnd();
    if (clean === "") return;
    output.push(clean);
    if (output.length > 50) output.shift();
    options.log?.(clean);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (buffered + chunk).split("\n");
      buffered = lines.pop() ?? "";
      lines.forEach(onLine);
    });
  }

  const removeWorkDir = () => {
    if (temporary) fs.rmSync(workDir, { recursive: true, force: true });
  };
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    removeWorkDir();
  };
  process.on("exit", killOnExit);

  let stopped: Promise<void> | undefined;
  const stopProcess = () =>
    (stopped ??= (async () => {
      process.removeListener("exit", killOnExit);
      await killChild(child);
    })());

  try {
    await waitUntilHealthy(url, child, options.startTimeoutMs ?? 20_000, () => output.slice(-10).join("\n"));
  } catch (err) {
    await stopProcess();
    throw err;
  }

  const client = new CognitoIdentityProviderClient({ endpoint: url, region, credentials: LOCAL_CREDENTIALS });
  const pools = new Map<string, EmulatedUserPool>();
  const clientsByPool = new Map<string, string[]>();
  const issuerFor = (poolId: string) => `${url}/${poolId}`;
  const jwksUriFor = (poolId: string) => `${issuerFor(poolId)}/.well-known/jwks.json`;
  const poolIdOfArn = (arn: string) => /:userpool\/(.+)$/.exec(arn)?.[1];

  const createUserPool = async (
    inputs: ProviderProperties,
    name?: string,
    where: { region: string; accountId: string } = { region, accountId },
  ): Promise<EmulatedUserPool> => {
    const poolName = inputs.name ?? name ?? `user-pool-${randomBytes(4).toString("hex")}`;
    const id = await createOrUpdateUserPool(client, poolName, inputs);
    // cognito-local's own ARNs say region and account "local"; answer the stack's, like the
    // other local resources, so that ARNs look alike throughout the graph.
    const pool: EmulatedUserPool = {
      id,
      arn: `arn:aws:cognito-idp:${where.region}:${where.accountId}:userpool/${id}`,
      endpoint: issuerFor(id).replace(/^http:\/\//, ""),
      name: poolName,
    };
    pools.set(id, pool);
    return pool;
  };

  const createUserPoolClient = async (poolId: string, inputs: ProviderProperties) => {
    const { id, clientSecret } = await createOrUpdateUserPoolClient(client, userPoolClientRequest(poolId, inputs));
    const known = clientsByPool.get(poolId) ?? [];
    if (!known.includes(id)) clientsByPool.set(poolId, [...known, id]);
    return clientSecret ? { id, clientSecret } : { id };
  };

  const createGroup = async (poolId: string, inputs: ProviderProperties) => {
    const group = { UserPoolId: poolId, GroupName: inputs.name, Description: inputs.description, Precedence: inputs.precedence, RoleArn: inputs.roleArn };
    try {
      await client.send(new CreateGroupCommand(group));
    } catch (err) {
      // AWS refuses a second group of a name (cognito-local overwrites it): update it instead.
      if (!(err instanceof GroupExistsException)) throw err;
      await client.send(new UpdateGroupCommand(group));
    }
    // The provider's id for a group: "<pool id>/<group name>".
    return { id: `${poolId}/${inputs.name}`, name: inputs.name as string };
  };

  return {
    url,
    port,
    pid: child.pid!,
    workDir,
    client,
    async stop() {
      client.destroy();
      await stopProcess();
      removeWorkDir();
    },
    createUserPool,
    createUserPoolClient,
    createGroup,
    issuerFor,
    jwksUriFor,
    async createFromResource(type, inputs, computed, resolveId = (id) => id) {
      const poolIdOf = (id: string) => resolveId(id) ?? id;
      switch (type) {
        case COGNITO_TYPES.userPool: {
          // The control plane's ARN carries the stack's region and account: keep them.
          const [, , , arnRegion, arnAccount] = typeof computed.arn === "string" ? computed.arn.split(":") : [];
          const pool = await createUserPool(inputs, computed.name, arnRegion && arnAccount ? { region: arnRegion, accountId: arnAccount } : undefined);
          return { ...pool };
        }
        case COGNITO_TYPES.userPoolClient:
          return createUserPoolClient(poolIdOf(inputs.userPoolId), inputs);
        case COGNITO_TYPES.userGroup: {
          const group = await createGroup(poolIdOf(inputs.userPoolId), inputs);
          return { id: group.id };
        }
        default:
          return undefined;
      }
    },
    issuerForPoolArn(userPoolArn) {
      const poolId = poolIdOfArn(userPoolArn);
      return poolId !== undefined && pools.has(poolId) ? { issuer: issuerFor(poolId), jwksUri: jwksUriFor(poolId) } : undefined;
    },
    clientIdsForPoolArn(userPoolArn) {
      const poolId = poolIdOfArn(userPoolArn);
      return poolId === undefined ? [] : [...(clientsByPool.get(poolId) ?? [])];
    },
    functionEnvironment(environment): Record<string, string> {
      const poolId = environment.USER_POOL_ID;
      if (poolId === undefined || !pools.has(poolId)) return {};
      return { COGNITO_ISSUER: issuerFor(poolId), COGNITO_JWKS_URI: jwksUriFor(poolId) };
    },
  };
}

/** The id of the first pool named `poolName`, if any. */
async function findUserPool(client: CognitoIdentityProviderClient, poolName: string): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken }));
    const found = page.UserPools?.find((pool) => pool.Name === poolName);
    if (found?.Id) return found.Id;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

/** The pool named `poolName`, updated from `inputs` when there is one, created otherwise: its id. */
async function createOrUpdateUserPool(client: CognitoIdentityProviderClient, poolName: string, inputs: ProviderProperties): Promise<string> {
  const request = userPoolRequest(poolName, inputs);
  const existing = await findUserPool(client, poolName);
  if (existing) {
    await client.send(new UpdateUserPoolCommand(userPoolUpdate(existing, request)));
    return existing;
  }
  const created = await client.send(new CreateUserPoolCommand(request));
  const id = created.UserPool?.Id;
  if (!id) throw new Error(`cognito-local answered CreateUserPool without an id: ${JSON.stringify(created)}`);
  return id;
}

/**
 * UpdateUserPool's request: what AWS lets an update change. The rest (username attributes,
 * schema) forces a new pool on AWS; locally the pool keeps its first value.
 */
function userPoolUpdate(poolId: string, request: CreateUserPoolRequest): UpdateUserPoolRequest {
  return {
    UserPoolId: poolId,
    Policies: request.Policies,
    AutoVerifiedAttributes: request.AutoVerifiedAttributes,
    MfaConfiguration: request.MfaConfiguration,
    DeletionProtection: request.DeletionProtection,
    AdminCreateUserConfig: request.AdminCreateUserConfig,
    AccountRecoverySetting: request.AccountRecoverySetting,
    UserAttributeUpdateSettings: request.UserAttributeUpdateSettings,
    UserPoolTags: request.UserPoolTags,
  };
}

/** The pool's app client named as in `request`, updated when there is one, created otherwise. */
async function createOrUpdateUserPoolClient(client: CognitoIdentityProviderClient, request: CreateUserPoolClientRequest): Promise<{ id: string; clientSecret?: string }> {
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolClientsCommand({ UserPoolId: request.UserPoolId, MaxResults: 60, NextToken }));
    const found = page.UserPoolClients?.find((c) => c.ClientName === request.ClientName);
    if (found?.ClientId) {
      // A secret is given at creation only (GenerateSecret is not an update).
      const { GenerateSecret: _secretAtCreation, ...update } = request;
      const updated = await client.send(new UpdateUserPoolClientCommand({ ...update, UserPoolId: request.UserPoolId, ClientId: found.ClientId }));
      return { id: found.ClientId, clientSecret: updated.UserPoolClient?.ClientSecret };
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const created = await client.send(new CreateUserPoolClientCommand(request));
  const id = created.UserPoolClient?.ClientId;
  if (!id) throw new Error(`cognito-local answered CreateUserPoolClient without a client id: ${JSON.stringify(created)}`);
  return { id, clientSecret: created.UserPoolClient?.ClientSecret };
}

/** CreateUserPool's request from an `aws.cognito.UserPool`'s inputs (the parts cognito-local keeps). */
function userPoolRequest(poolName: string, inputs: ProviderProperties): CreateUserPoolRequest {
  const policy = inputs.passwordPolicy;
  return {
    PoolName: poolName,
    Policies: policy
      ? {
          PasswordPolicy: {
            MinimumLength: policy.minimumLength,
            RequireUppercase: policy.requireUppercase,
            RequireLowercase: policy.requireLowercase,
            RequireNumbers: policy.requireNumbers,
            RequireSymbols: policy.requireSymbols,
            TemporaryPasswordValidityDays: policy.temporaryPasswordValidityDays,
          },
        }
      : undefined,
    UsernameAttributes: inputs.usernameAttributes,
    AliasAttributes: inputs.aliasAttributes,
    AutoVerifiedAttributes: inputs.autoVerifiedAttributes,
    MfaConfiguration: inputs.mfaConfiguration,
    DeletionProtection: inputs.deletionProtection,
    UsernameConfiguration: inputs.usernameConfiguration ? { CaseSensitive: inputs.usernameConfiguration.caseSensitive } : undefined,
    AdminCreateUserConfig: inputs.adminCreateUserConfig
      ? { AllowAdminCreateUserOnly: inputs.adminCreateUserConfig.allowAdminCreateUserOnly }
      : undefined,
    AccountRecoverySetting: inputs.accountRecoverySetting
      ? {
          RecoveryMechanisms: (inputs.accountRecoverySetting.recoveryMechanisms ?? []).map((m: { name: string; priority: number }) => ({
            Name: m.name as "verified_email",
            Priority: m.priority,
          })),
        }
      : undefined,
    UserAttributeUpdateSettings: inputs.userAttributeUpdateSettings
      ? { AttributesRequireVerificationBeforeUpdate: inputs.userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdates }
      : undefined,
    Schema: inputs.schemas?.map((s: ProviderProperties) => ({
      Name: s.name,
      AttributeDataType: s.attributeDataType,
      DeveloperOnlyAttribute: s.developerOnlyAttribute,
      Mutable: s.mutable,
      Required: s.required,
      StringAttributeConstraints: s.stringAttributeConstraints
        ? { MinLength: s.stringAttributeConstraints.minLength, MaxLength: s.stringAttributeConstraints.maxLength }
        : undefined,
      NumberAttributeConstraints: s.numberAttributeConstraints
        ? { MinValue: s.numberAttributeConstraints.minValue, MaxValue: s.numberAttributeConstraints.maxValue }
        : undefined,
    })),
    UserPoolTags: inputs.tags,
  };
}

/** CreateUserPoolClient's request from an `aws.cognito.UserPoolClient`'s inputs. */
function userPoolClientRequest(poolId: string, inputs: ProviderProperties): CreateUserPoolClientRequest {
  const units = inputs.tokenValidityUnits;
  return {
    UserPoolId: poolId,
    ClientName: inputs.name ?? `client-${randomBytes(4).toString("hex")}`,
    GenerateSecret: inputs.generateSecret,
    ExplicitAuthFlows: inputs.explicitAuthFlows,
    PreventUserExistenceErrors: inputs.preventUserExistenceErrors,
    EnableTokenRevocation: inputs.enableTokenRevocation,
    IdTokenValidity: inputs.idTokenValidity,
    AccessTokenValidity: inputs.accessTokenValidity,
    RefreshTokenValidity: inputs.refreshTokenValidity,
    // cognito-local's defaults differ from AWS's (ID tokens in minutes): always send the units
    // the provider would assume (hours, hours, days).
    TokenValidityUnits: {
      IdToken: units?.idToken ?? "hours",
      AccessToken: units?.accessToken ?? "hours",
      RefreshToken: units?.refreshToken ?? "days",
    },
    AllowedOAuthFlows: inputs.allowedOauthFlows,
    AllowedOAuthFlowsUserPoolClient: inputs.allowedOauthFlowsUserPoolClient,
    AllowedOAuthScopes: inputs.allowedOauthScopes,
    CallbackURLs: inputs.callbackUrls,
    LogoutURLs: inputs.logoutUrls,
    DefaultRedirectURI: inputs.defaultRedirectUri,
    SupportedIdentityProviders: inputs.supportedIdentityProviders,
    ReadAttributes: inputs.readAttributes,
    WriteAttributes: inputs.writeAttributes,
  };
}

/** Whether `port` can be listened on, on 127.0.0.1, right now. */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number, recentOutput: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  // "close", not "exit": by then its output has been read, and the error message holds it.
  child.once("close", (code, signal) => (exited = `exited (${signal ?? `code ${code}`})`));
  child.once("error", (err) => (exited = `could not start: ${err.message}`));
  for (;;) {
    if (exited) throw new Error(`cognito-local ${exited} before answering at ${url}:\n${recentOutput()}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`cognito-local did not answer at ${url} within ${timeoutMs} ms:\n${recentOutput()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
  await exited;
  clearTimeout(timer);
}
