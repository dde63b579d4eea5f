import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkedArgs, refuse } from "./argumentErrors";
import { functionSettingsProblem } from "./lambdaSizing";
import * as random from "@pulumi/random";
import { createHmacAuthorizer } from "../functions/hmacAuthorizer";
import { CLIENT_ID_PATTERN, DEFAULT_WINDOW_SECONDS, HMAC_TOKEN_PATTERN } from "../functions/hmacToken";
import { HandlerFunction, type HandlerFunctionTransform } from "./HandlerFunction";
import { DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime } from "./lambdaRuntime";
import type { AuthorizerArgs } from "./restApi";
import { type ComponentTags, type Transform, transformed } from "./transform";

/** One client allowed to mint tokens. */
export interface TokenClientArgs {
  /** The client id: the token's first field and the request's principalId (`[A-Za-z0-9_-]{1,64}`). */
  id: string;
  /**
   * The client's API key value, answered as `usageIdentifierKey` so a REST API whose
   * `apiKeySource` is AUTHORIZER meters the client's usage plan without an `x-api-key` header.
   * @default none
   */
  apiKey?: pulumi.Input<string>;
}

/** The `authorizers` entry of a RestApi for this authorizer. */
export type TokenAuthorizerArgsForRestApi = Extract<AuthorizerArgs, { type: "TOKEN" | "REQUEST" }> & { type: "TOKEN" };

export interface TokenAuthorizerArgs {
  /**
   * The clients, each given its own secret (48 random alphanumerics, kept across deployments).
   * @example [{ id: "mobile-app" }, { id: "partner-acme", apiKey: tiers.apiKeys.apply((k) => k["acme"]) }]
   */
  clients: TokenClientArgs[];
  /**
   * How long API Gateway caches the authorizer's policy per token; 0 disables caching. Less than
   * the 300 s a token is valid: a token is accepted only while at least this long is left of its
   * window, so that no cached answer outlives it (a token is first accepted up to 300 - TTL s
   * after it was issued).
   * @default 60
   */
  resultTtlSeconds?: number;
  /**
   * Days a deleted clients secret can be restored; 0 deletes it at once (AWS otherwise allows 7..30).
   * @default 30
   */
  recoveryWindowInDays?: number;
  /** @default 128 */
  memorySize?: number;
  /** @default 5 */
  timeoutSeconds?: number;
  /** Days the function's log events are kept. @default 14 */
  logRetentionDays?: number;
  /** The authorizer function's Lambda runtime (`nodejs24.x` or `nodejs22.x`). @default "nodejs24.x" */
  runtime?: LambdaRuntime;
  /**
   * Tags for the clients secret and the authorizer function's role, function and log group
   * (the taggable children), merged over the AWS provider's `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "partners", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes a child's args or options before it is created, per kind of child: args merged
   * over the component's, or a function changing them in place. `function` reaches the
   * authorizer function's own children (see {@link HandlerFunctionTransform}).
   * @default none
   * @example
   * transform: {
   *   secret: { kmsKeyId: key.arn },
   *   password: (args) => {
   *     args.length = 64;
   *   },
   *   function: { function: { reservedConcurrentExecutions: 20 }, logGroup: { retentionInDays: 90 } },
   * }
   */
  transform?: TokenAuthorizerTransform;
}

/**
 * A {@link TokenAuthorizer}'s children, each adjustable before it is created. The API Gateway
 * authorizer and its invoke permission are not among them: `authorizer()` returns the RestApi's
 * `authorizers` entry, and the RestApi creates them.
 */
export interface TokenAuthorizerTransform {
  /** The Secrets Manager secret holding every client's secret. */
  secret?: Transform<aws.secretsmanager.SecretArgs>;
  /** The secret's value (the clients JSON). */
  secretVersion?: Transform<aws.secretsmanager.SecretVersionArgs>;
  /** Each client's random secret (once per client). */
  password?: Transform<random.RandomPasswordArgs>;
  /** The authorizer function's children: its role, function, log group and role policy. */
  function?: HandlerFunctionTransform;
}

/** The default result TTL: a token is accepted up to 240 s old, and served from the cache until it is 300 s old at most. */
export const DEFAULT_RESULT_TTL_SECONDS = 60;
const SECRET_LENGTH = 48;

/**
 * A TOKEN Lambda authorizer of HMAC client tokens (`clientId.unixSeconds.hmac`, see
 * `functions/hmacToken.ts`): one random secret per client, kept in one Secrets Manager
 * secret that only the authorizer function may read, and the `authorizers` entry for a
 * RestApi — with the token pattern as identityValidationExpression, so malformed tokens are
 * refused by API Gateway without invoking the function.
 *
 * @example
 * const tokens = new TokenAuthorizer("tokens", { clients: [{ id: "mobile-app" }] });
 * new RestApi("api", { authorizers: { hmac: tokens.authorizer() }, routes: [{ ..., authorizer: "hmac" }], ... });
 * export const tokenClients = tokens.tokenClients; // secret output
 */
export class TokenAuthorizer extends pulumi.ComponentResource {
  /** The authorizer function. */
  public readonly function: aws.lambda.Function;
  /** The function with its role, policy and log group. */
  public readonly handler: HandlerFunction;
  /** The secret holding every client's secret (and API key) as JSON. */
  public readonly clientsSecret: aws.secretsmanager.Secret;
  public readonly clientsSecretVersion: aws.secretsmanager.SecretVersion;
  /** The generated secrets by client id. */
  public readonly clientSecrets: Record<string, random.RandomPassword>;
  /** Client id -> secret, for minting tokens (`npm run token`); a secret output. */
  public readonly tokenClients: pulumi.Output<Record<string, string>>;
  public readonly resultTtlSeconds: number;

  constructor(name: string, args: TokenAuthorizerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:TokenAuthorizer", name, {}, opts);
    checkedArgs(this, () => validateTokenAuthorizerArgs(`${name}: `, args));
    this.resultTtlSeconds = args.resultTtlSeconds ?? DEFAULT_RESULT_TTL_SECONDS;

    const transform = args.transform ?? {};

    this.clientSecrets = createClientSecrets(this, name, args.clients, transform.password);
    this.clientsSecret = new aws.secretsmanager.Secret(
      ...transformed(
        transform.secret,
        `${name}-clients`,
        {
          description: `HMAC token clients of ${name}: client id -> secret or { secret, apiKey }`,
          recoveryWindowInDays: args.recoveryWindowInDays,
          tags: args.tags,
        },
        { parent: this },
      ),
    );
    this.clientsSecretVersion = new aws.secretsmanager.SecretVersion(
      ...transformed(
        transform.secretVersion,
        `${name}-clients-version`,
        { secretId: this.clientsSecret.id, secretString: pulumi.secret(clientsSecretString(args.clients, this.clientSecrets)) },
        { parent: this },
      ),
    );
    this.handler = new HandlerFunction(
      name,
      {
        description: `${name}: TOKEN authorizer of HMAC client tokens`,
        handlerFactory: createHmacAuthorizer,
        // The function refuses tokens that a cached answer would outlive: it must know the TTL.
        environment: { TOKEN_CLIENTS_SECRET_ID: this.clientsSecret.arn, TOKEN_RESULT_TTL_SECONDS: String(this.resultTtlSeconds) },
        // The secret is encrypted with the account's aws/secretsmanager key, whose key policy
        // lets Secrets Manager decrypt for any caller allowed GetSecretValue: no kms:Decrypt.
        policyStatements: [{ actions: ["secretsmanager:GetSecretValue"], resources: [this.clientsSecret.arn] }],
        memorySize: args.memorySize ?? 128,
        timeoutSeconds: args.timeoutSeconds ?? 5,
        logRetentionDays: args.logRetentionDays,
        runtime: args.runtime ?? DEFAULT_LAMBDA_RUNTIME,
        tags: args.tags,
        transform: transform.function,
      },
      // The function must not run before its secret has a value.
      { parent: this, dependsOn: [this.clientsSecretVersion] },
    );
    this.function = this.handler.function;
    this.tokenClients = pulumi.secret(
      pulumi.all(Object.fromEntries(Object.entries(this.clientSecrets).map(([id, password]) => [id, password.result]))),
    );
    this.registerOutputs({ functionName: this.function.name, clientsSecretArn: this.clientsSecret.arn, tokenClients: this.tokenClients });
  }

  /** The RestApi `authorizers` entry: `authorizers: { hmac: tokens.authorizer() }`. */
  authorizer(): TokenAuthorizerArgsForRestApi {
    return {
      type: "TOKEN",
      function: this.function,
      identitySource: "method.request.header.Authorization",
      identityValidationExpression: HMAC_TOKEN_PATTERN,
      resultTtlSeconds: this.resultTtlSeconds,
    };
  }
}

/**
 * Checks the arguments before anything exists. `field` prefixes each message: the component's
 * name (`tokens: `) or, from a config reader, the config key (`apigw-kit:tokenAuthorizer.`).
 */
export function validateTokenAuthorizerArgs(
  field: string,
  args: Pick<TokenAuthorizerArgs, "clients" | "resultTtlSeconds" | "recoveryWindowInDays" | "runtime" | "memorySize" | "timeoutSeconds" | "logRetentionDays">,
): void {
  const name = field;
  if (!Array.isArray(args.clients) || args.clients.length === 0) {
    throw new Error(`${name}clients must list at least one client`);
  }
  const seen = new Map<string, number>();
  args.clients.forEach((client, i) => {
    if (typeof client?.id !== "string" || !CLIENT_ID_PATTERN.test(client.id)) {
      throw new Error(`${name}clients[${i}].id must match ${CLIENT_ID_PATTERN.source} (got ${JSON.stringify(client?.id)})`);
    }
    const first = seen.get(client.id);
    if (first !== undefined) throw new Error(`${name}clients[${i}].id "${client.id}" is already clients[${first}].id; ids must be unique`);
    seen.set(client.id, i);
  });
  const ttl = args.resultTtlSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 0 || ttl >= DEFAULT_WINDOW_SECONDS)) {
    throw new Error(
      `${name}resultTtlSeconds must be an integer from 0 to ${DEFAULT_WINDOW_SECONDS - 1}, less than the ${DEFAULT_WINDOW_SECONDS} s a token is valid, so that a cached answer never outlives its token (got ${ttl})`,
    );
  }
  const window = args.recoveryWindowInDays;
  if (window !== undefined && !(window === 0 || (Number.isInteger(window) && window >= 7 && window <= 30))) {
    throw new Error(`${name}recoveryWindowInDays must be 0 or an integer from 7 to 30 (got ${window})`);
  }
  refuse(functionSettingsProblem(args, name));
}

/**
 * One RandomPassword per client. It keeps its value for as long as its inputs stay the same,
 * so deployments do not rotate secrets; replacing one (`pulumi up --replace`) rotates it.
 */
function createClientSecrets(
  parent: pulumi.Resource,
  name: string,
  clients: TokenClientArgs[],
  transform: Transform<random.RandomPasswordArgs> | undefined,
): Record<string, random.RandomPassword> {
  return Object.fromEntries(
    clients.map((client) => [
      client.id,
      // Alphanumerics only: the secret is pasted into shells and config files.
      new random.RandomPassword(...transformed(transform, `${name}-secret-${client.id}`, { length: SECRET_LENGTH, special: false }, { parent })),
    ]),
  );
}

/** The secret's JSON: a client with an API key maps to `{ secret, apiKey }`, others to the secret. */
function clientsSecretString(clients: TokenClientArgs[], secrets: Record<string, random.RandomPassword>): pulumi.Output<string> {
  return pulumi
    .all(clients.map((client) => pulumi.all([secrets[client.id].result, client.apiKey])))
    .apply((values) =>
      JSON.stringify(
        Object.fromEntries(clients.map((client, i) => {
          const [secret, apiKey] = values[i];
          return [client.id, apiKey === undefined ? secret : { secret, apiKey }];
        })),
      ),
    );
}
