import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { TokenAuthorizer, TokenAuthorizerArgs } from "../../components/TokenAuthorizer";
import { RestApi } from "../../components/restApi";
import { HMAC_TOKEN_PATTERN, createHmacToken } from "../../functions/hmacToken";
import { ProgramError, ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { startSecretsManager } from "../../local/secretsManager";
import { expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:TokenAuthorizer",
  handler: "apigw-kit:index:HandlerFunction",
  password: "random:index/randomPassword:RandomPassword",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  function: "aws:lambda/function:Function",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  authorizer: "aws:apigateway/authorizer:Authorizer",
};
const PROJECT_ROOT = path.resolve(__dirname, "../..");
const API_KEY = "partner-acme-api-key-0123456789abcdef";

function only(run: ProgramRun, type: string): RecordedResource {
  const found = run.graph.ofType(type);
  expect(found, type).to.have.length(1);
  return found[0];
}

/** The message a TokenAuthorizer refuses `args` with; fails when it is accepted. */
async function refusal(args: Partial<TokenAuthorizerArgs>): Promise<{ message: string; graph: ProgramError["graph"] }> {
  try {
    await runProgram({ stack: "dev", define: () => (new TokenAuthorizer("tokens", { clients: [{ id: "a" }], ...args }), {}) });
  } catch (err) {
    expect(err).to.be.instanceOf(ProgramError);
    return { message: (err as ProgramError).message, graph: (err as ProgramError).graph };
  }
  throw new Error("expected the TokenAuthorizer to be refused");
}

describe("TokenAuthorizer (under the mock control plane)", () => {
  let run: ProgramRun;
  let authorizerArgs: ReturnType<TokenAuthorizer["authorizer"]>;

  before(async () => {
    run = await runProgram({
      stack: "dev",
      define: () => {
        const tokens = new TokenAuthorizer("tokens", {
          clients: [{ id: "mobile-app" }, { id: "partner-acme", apiKey: pulumi.secret(API_KEY) }],
          resultTtlSeconds: 120,
        });
        authorizerArgs = tokens.authorizer();
        return { tokenClients: tokens.tokenClients, functionName: tokens.function.name };
      },
    });
  });

  it("generates one 48-character alphanumeric secret per client", () => {
    const passwords = run.graph.ofType(T.password);
    expect(passwords.map((p) => p.name)).to.deep.equal(["tokens-secret-mobile-app", "tokens-secret-partner-acme"]);
    for (const password of passwords) expect(password.inputs).to.deep.include({ length: 48, special: false });
  });

  it("exports tokenClients as a secret output: client id -> that client's generated secret", () => {
    const results = Object.fromEntries(run.graph.ofType(T.password).map((p) => [p.name.replace("tokens-secret-", ""), p.state.result]));
    expect(run.outputs.tokenClients.secret).to.equal(true);
    expect(run.outputs.tokenClients.value).to.deep.equal(results);
    for (const secret of Object.values(results)) expect(secret).to.match(/^[A-Za-z0-9]{48}$/);
  });

  it("stores every client in one secret version: the secret alone, or { secret, apiKey }", () => {
    const secret = only(run, T.secret);
    const version = only(run, T.secretVersion);
    expect(version.inputs.secretId).to.equal(secret.id);
    const tokenClients = run.outputs.tokenClients.value as Record<string, string>;
    // Depending on the runtime's state the mocks receive a secret input wrapped ({ value }) or plain.
    const secretString = typeof version.inputs.secretString === "string" ? version.inputs.secretString : version.inputs.secretString.value;
    expect(JSON.parse(secretString)).to.deep.equal({
      "mobile-app": tokenClients["mobile-app"],
      "partner-acme": { secret: tokenClients["partner-acme"], apiKey: API_KEY },
    });
  });

  it("gives the function the secret's ARN, the result TTL, and a role that may only read that secret (and write its logs)", () => {
    const secret = only(run, T.secret);
    const fn = only(run, T.function);
    expect(fn.inputs.environment.variables).to.deep.equal({ TOKEN_CLIENTS_SECRET_ID: secret.state.arn, TOKEN_RESULT_TTL_SECONDS: "120" });
    const statements = JSON.parse(only(run, T.rolePolicy).inputs.policy).Statement as Array<{ Action: string[]; Resource: string[] }>;
    expect(statements).to.have.length(2);
    expect(statements[0].Action).to.deep.equal(["logs:CreateLogStream", "logs:PutLogEvents"]);
    expect(statements[1]).to.deep.equal({ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secret.state.arn] });
  });

  it("parents its resources to the component and makes the function wait for the secret's value", () => {
    const component = only(run, T.component);
    for (const type of [T.password, T.secret, T.secretVersion, T.handler]) {
      for (const resource of run.graph.ofType(type)) expect(resource.parent, `${type} ${resource.name}`).to.equal(component.urn);
    }
    expect(only(run, T.handler).dependencies).to.include(only(run, T.secretVersion).urn);
  });

  it("answers the RestApi authorizers entry: TOKEN, Authorization header, the token pattern, the TTL", () => {
    const { function: fn, ...rest } = authorizerArgs;
    expect(rest).to.deep.equal({
      type: "TOKEN",
      identitySource: "method.request.header.Authorization",
      identityValidationExpression: HMAC_TOKEN_PATTERN,
      resultTtlSeconds: 120,
    });
    expect(fn).to.be.instanceOf(pulumi.CustomResource);
  });

  it("serializes a handler that reads the secret through the SDK and allows a token minted from tokenClients", async () => {
    const fn = only(run, T.function);
    const code = await (await fn.inputs.code.assets)["__index.js"].text;
    expect(code).to.match(/require\("@aws-sdk\/client-secrets-manager[/"]/);

    // The secret and its version, created in the local Secrets Manager from the recorded
    // registrations, as the local cloud's control plane does.
    const secretsManager = await startSecretsManager({ region: "us-east-1", accountId: "123456789012" });
    const secret = only(run, T.secret);
    const version = only(run, T.secretVersion);
    secretsManager.createFromResource(secret.type, secret.inputs, secret.state, secret.name);
    secretsManager.createFromResource(version.type, version.inputs, version.state, version.name);

    const dir = path.join(PROJECT_ROOT, ".local", "test-archives", `token-authorizer-${process.pid}`);
    const file = path.join(dir, "__index.js");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, code);
    const env = {
      ...fn.inputs.environment.variables,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundled handler just written, loaded while its environment is set (its factory reads it at load)
      const { handler } = require(file) as { handler: (event: unknown) => Promise<{ principalId: string; usageIdentifierKey?: string; policyDocument: { Statement: Array<{ Resource: string }> } }> };
      const secrets = run.outputs.tokenClients.value as Record<string, string>;
      const methodArn = "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/users";
      const result = await handler({ type: "TOKEN", authorizationToken: createHmacToken("partner-acme", secrets["partner-acme"]), methodArn });
      expect(result.principalId).to.equal("partner-acme");
      expect(result.usageIdentifierKey).to.equal(API_KEY);
      expect(result.policyDocument.Statement[0].Resource).to.equal("arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/*");
      // Told the TTL (120 s), it admits a token only while 120 s of its 300 s window are left:
      // API Gateway would serve the cached answer for that long.
      const now = Math.floor(Date.now() / 1000);
      expect((await handler({ type: "TOKEN", authorizationToken: createHmacToken("partner-acme", secrets["partner-acme"], now - 170), methodArn })).principalId).to.equal("partner-acme");
      const quiet = console.log;
      console.log = () => undefined;
      try {
        const late = await handler({ type: "TOKEN", authorizationToken: createHmacToken("partner-acme", secrets["partner-acme"], now - 190), methodArn }).then(
          () => "admitted",
          (error: Error) => error.message,
        );
        expect(late).to.equal("Unauthorized");
      } finally {
        console.log = quiet;
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      delete require.cache[file];
      fs.rmSync(dir, { recursive: true, force: true });
      if (fs.readdirSync(path.dirname(dir)).length === 0) fs.rmdirSync(path.dirname(dir));
      await secretsManager.stop();
    }
  });

  it("defaults the result TTL to 60 s (tokens admitted up to 240 s old) and the runtime to nodejs24.x, and a RestApi takes the entry as is", async () => {
    const withApi = await runProgram({
      stack: "dev",
      define: () => {
        const tokens = new TokenAuthorizer("tokens", { clients: [{ id: "cli" }] });
        const api = new RestApi("api", {
          authorizers: { hmac: tokens.authorizer() },
          routes: [{ path: "/", method: "GET", authorizer: "hmac", integration: { type: "MOCK", responses: [{ statusCode: "200" }] } }],
          stage: { name: "dev" },
        });
        return { url: api.url };
      },
    });
    const authorizer = only(withApi, T.authorizer);
    expect(authorizer.inputs).to.deep.include({
      type: "TOKEN",
      identitySource: "method.request.header.Authorization",
      identityValidationExpression: HMAC_TOKEN_PATTERN,
      authorizerResultTtlInSeconds: 60,
    });
    expect(authorizer.inputs.authorizerUri).to.equal(only(withApi, T.function).state.invokeArn);
    expect(only(withApi, T.function).inputs.environment.variables.TOKEN_RESULT_TTL_SECONDS).to.equal("60");
    expect(only(withApi, T.function).inputs.runtime).to.equal("nodejs24.x");
    // A token minted from the exported secret matches what the authorizer demands.
    const secret = only(withApi, T.password).state.result as string;
    expect(createHmacToken("cli", secret)).to.match(new RegExp(authorizer.inputs.identityValidationExpression));
  });

  describe("refuses bad arguments before creating anything", () => {
    const cases: Array<[string, Partial<TokenAuthorizerArgs>, string]> = [
      ["no clients", { clients: [] }, "tokens: clients must list at least one client"],
      ["an id with a dot", { clients: [{ id: "ok" }, { id: "a.b" }] }, 'tokens: clients[1].id must match ^[A-Za-z0-9_-]{1,64}$ (got "a.b")'],
      ["an id too long", { clients: [{ id: "x".repeat(65) }] }, `tokens: clients[0].id must match ^[A-Za-z0-9_-]{1,64}$ (got "${"x".repeat(65)}")`],
      ["a duplicate id", { clients: [{ id: "a" }, { id: "b" }, { id: "a" }] }, 'tokens: clients[2].id "a" is already clients[0].id; ids must be unique'],
      [
        "a TTL as long as the token window (a cached answer would outlive its token)",
        { resultTtlSeconds: 300 },
        "tokens: resultTtlSeconds must be an integer from 0 to 299, less than the 300 s a token is valid, so that a cached answer never outlives its token (got 300)",
      ],
      [
        "a fractional TTL",
        { resultTtlSeconds: 1.5 },
        "tokens: resultTtlSeconds must be an integer from 0 to 299, less than the 300 s a token is valid, so that a cached answer never outlives its token (got 1.5)",
      ],
      ["a recovery window of 3 days", { recoveryWindowInDays: 3 }, "tokens: recoveryWindowInDays must be 0 or an integer from 7 to 30 (got 3)"],
      ["the nodejs20.x runtime (AWS blocks it)", { runtime: "nodejs20.x" as never }, `tokens: runtime must be one of nodejs24.x, nodejs22.x (got "nodejs20.x", which AWS Lambda deprecated on 2026-04-30: creating functions on it is blocked from 2026-08-31, updating them from 2026-09-30)`],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const refused = await refusal(args);
        expect(refused.message).to.equal(message);
        expect(refused.graph.ofType(T.password)).to.have.length(0);
        expect(refused.graph.ofType(T.secret)).to.have.length(0);
      });
    }
  });
});

describe("TokenAuthorizer tags and transform", () => {
  const TAGS = { team: "partners", costCenter: "1234" };

  it("tags the secret and, through the nested HandlerFunction, the role, function and log group", async () => {
    const run = await runProgram({ stack: "dev", define: () => (new TokenAuthorizer("tokens", { clients: [{ id: "a" }], tags: TAGS }), {}) });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.map((r) => r.type).sort()).to.deep.equal(
      [T.secret, T.function, "aws:iam/role:Role", "aws:cloudwatch/logGroup:LogGroup"].sort(),
    );
  });

  it("merges transform objects over the children's args, keeping the rest", async () => {
    const run = await runProgram({
      stack: "dev",
      define: () =>
        (new TokenAuthorizer("tokens", {
          clients: [{ id: "a" }],
          recoveryWindowInDays: 7,
          transform: {
            secret: { kmsKeyId: "alias/tokens", name: "tokens/clients" },
            secretVersion: { versionStages: ["AWSCURRENT", "initial"] },
            password: { length: 64 },
          },
        }),
        {}),
    });
    expect(only(run, T.secret).inputs).to.deep.include({ kmsKeyId: "alias/tokens", name: "tokens/clients", recoveryWindowInDays: 7 });
    const version = only(run, T.secretVersion);
    expect(version.inputs.versionStages).to.deep.equal(["AWSCURRENT", "initial"]);
    expect(version.inputs.secretId).to.equal(only(run, T.secret).id);
    expect(only(run, T.password).inputs).to.deep.include({ length: 64, special: false });
  });

  it("lets a transform function change each child's args and options, told the child's name", async () => {
    const names: string[] = [];
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const marker = new aws.sns.Topic("marker");
        new TokenAuthorizer("tokens", {
          clients: [{ id: "a" }, { id: "b" }],
          transform: {
            secret: (args, opts, name) => {
              names.push(name);
              args.description = "changed";
              // The mocks record no resource options but dependsOn (as dependencies): it shows the options reach the child.
              opts.dependsOn = [marker];
            },
            secretVersion: (_args, _opts, name) => {
              names.push(name);
            },
            password: (args, _opts, name) => {
              names.push(name);
              if (name.endsWith("-b")) args.length = 32;
            },
          },
        });
        return {};
      },
    });
    expect(names.sort()).to.deep.equal(["tokens-clients", "tokens-clients-version", "tokens-secret-a", "tokens-secret-b"]);
    const secret = only(run, T.secret);
    expect(secret.inputs.description).to.equal("changed");
    expect(secret.dependencies).to.include(only(run, "aws:sns/topic:Topic").urn);
    const lengths = Object.fromEntries(run.graph.ofType(T.password).map((p) => [p.name, p.inputs.length]));
    expect(lengths).to.deep.equal({ "tokens-secret-a": 48, "tokens-secret-b": 32 });
  });

  it("passes transform.function on to the authorizer function's children", async () => {
    const run = await runProgram({
      stack: "dev",
      define: () =>
        (new TokenAuthorizer("tokens", {
          clients: [{ id: "a" }],
          transform: {
            function: {
              function: { reservedConcurrentExecutions: 20 },
              logGroup: (args) => {
                args.retentionInDays = 90;
              },
            },
          },
        }),
        {}),
    });
    const fn = only(run, T.function);
    expect(fn.inputs).to.deep.include({ reservedConcurrentExecutions: 20, memorySize: 128, timeout: 5 });
    expect(fn.parent).to.equal(only(run, T.handler).urn);
    expect(only(run, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).to.equal(90);
  });
});
