/**
 * Security suite (issue 6), what a deployment would create: the program (index.ts) run under
 * the project's Pulumi mocks (local/controlPlane.ts) for every stack — dev, prod, and dev as an
 * HTTP API (`apigw-kit:api {type: http}`, as tests/program/stacks.spec.ts builds it) — checked
 * resource by resource, whatever the resources are named:
 *
 * - IAM: every Lambda runs under a role of the stack that only Lambda may assume; every policy
 *   statement names specific actions and resources (no `*`, no `service:*`, no wildcard ahead
 *   of the resource); no AWS managed policy; API Gateway alone may invoke the functions, from
 *   this stack's APIs only;
 * - secrets: API keys, HMAC client secrets and any other generated credential appear only in
 *   secret outputs, and in resource inputs only where they must be (the Secrets Manager secret
 *   version, sent as a secret) — never in a plain output, an environment variable or a
 *   function's code;
 * - CORS: no `*` origin and no echoed Origin where credentials are allowed; every layer refuses
 *   `*` with credentials;
 * - the stage cache: no method that answers per caller or per origin is cached on a key
 *   without the caller's identity or the Origin, and RestApi refuses the demo routes with a
 *   method override that would cache one.
 *
 * The exact grants of each function are pinned by tests/program/stacks.spec.ts; this file checks
 * the rules every resource must follow, so that a new function, policy or output is covered
 * without being listed.
 */
import * as path from "node:path";
import type * as aws from "@pulumi/aws";
import { expect } from "chai";
import { validateCors } from "../../components/cors";
import { corsPolicyFromEnv } from "../../functions/proxyResponse";
import { validateRestApiArgs } from "../../components/restApi";
import { ProgramError, runProgram, type ProgramRun, type RecordedResource } from "../../local/controlPlane";
import { loadStackConfig } from "../../local/stackConfig";
import { demoMethodSettings, demoRoutes, type DemoHandlers } from "../../program/demoApi";
import { HTTP_OVERRIDES, secretInputsOf, stackRun } from "../program/stackRuns";
import type { JsonDocument } from "../jsonDocument";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
const T = {
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  restApi: "aws:apigateway/restApi:RestApi",
  httpApi: "aws:apigatewayv2/api:Api",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  resource: "aws:apigateway/resource:Resource",
  apiKey: "aws:apigateway/apiKey:ApiKey",
  randomPassword: "random:index/randomPassword:RandomPassword",
  userPoolClient: "aws:cognito/userPoolClient:UserPoolClient",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
} as const;

/**
 * AWS managed policies a role may have attached, with the reason. Empty: every role gets an
 * inline least-privilege policy (HandlerFunction), not CallbackFunction's nine full-access ones.
 */
const MANAGED_POLICY_ALLOW_LIST: Record<string, string> = {};
/**
 * Actions AWS only grants on `Resource: "*"`, with the reason, should a function ever need one
 * (X-Ray's PutTraceSegments / PutTelemetryRecords, for instance, take no resource ARN). Empty:
 * no function traces to X-Ray or calls such an API today.
 */
const STAR_RESOURCE_ALLOW_LIST: Record<string, string> = {};
/** Where a generated credential may be an input: the place that must store it, sent as a secret. */
const SECRET_INPUT_ALLOW_LIST = [{ type: T.secretVersion, path: "secretString" }];

const DEV_CONFIG = loadStackConfig(PROJECT_ROOT, "dev").config;
/** The stacks, with the run keys tests/program/stacks.spec.ts uses for the same runs (one evaluation each per process). */
const STACKS: Array<{ title: string; stack: "dev" | "prod"; key: string; configOverrides?: Record<string, unknown>; flavour: "REST" | "HTTP" }> = [
  { title: "dev", stack: "dev", key: "dev", flavour: "REST" },
  { title: "prod", stack: "prod", key: "prod", flavour: "REST" },
  { title: "dev as an HTTP API", stack: "dev", key: "dev-http", configOverrides: HTTP_OVERRIDES, flavour: "HTTP" },
];

/** Every string leaf of a plain value, with its path. */
function stringLeaves(value: unknown, at = ""): Array<{ path: string; text: string }> {
  if (typeof value === "string") return [{ path: at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, join(at, String(i))));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => stringLeaves(v, join(at, k)));
  }
  return [];
}

const join = (at: string, key: string) => (at === "" ? key : `${at}.${key}`);

/** An IAM policy document's statements, as JSON text or as an object. */
function statementsOf(document: unknown): Array<Record<string, JsonDocument>> {
  const parsed: JsonDocument = typeof document === "string" ? JSON.parse(document) : document;
  const statements = parsed?.Statement;
  return Array.isArray(statements) ? statements : statements ? [statements] : [];
}

/** Why an ARN in a policy's Resource is too broad, or undefined when it names specific resources. */
function broadResource(resource: unknown): string | undefined {
  if (typeof resource !== "string") return `not an ARN string: ${JSON.stringify(resource)}`;
  if (resource === "*") return "the * resource";
  const parts = resource.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return "not an ARN";
  const [, partition, service, region, account] = parts;
  const rest = parts.slice(5).join(":");
  if ([partition, service, region, account].some((p) => p.includes("*"))) return "a wildcard in its partition, service, region or account";
  if (rest === "" || rest.startsWith("*")) return "a wildcard in place of the resource";
  return undefined;
}

describe("security: what the program deploys (issue 6, under the Pulumi mocks)", function () {
  this.timeout(60_000);

  for (const { title, stack, key, configOverrides, flavour } of STACKS) {
    describe(`stack ${title}`, () => {
      let run: ProgramRun;
      let secretInputs: Map<string, string[]>;
      const all = (type: string) => run.graph.ofType(type);
      const policyDocuments = () => [
        ...all(T.rolePolicy).map((r) => ({ where: `${r.name} (inline)`, document: r.inputs.policy })),
        ...all(T.policy).map((r) => ({ where: `${r.name} (managed by this stack)`, document: r.inputs.policy })),
        ...all(T.role).flatMap((r) => (r.inputs.inlinePolicies ?? []).map((p: { name: string; policy: string }) => ({ where: `${r.name}.inlinePolicies.${p.name}`, document: p.policy }))),
      ];

      before(async () => {
        run = await stackRun(stack, key, configOverrides);
        secretInputs = secretInputsOf(run);
        expect(run.outputs.apiType.value).to.equal(flavour);
      });

      describe("IAM", () => {
        it("every Lambda function runs under a role of this stack that only Lambda may assume, one role per function", () => {
          const functions = all(T.fn);
          expect(functions.length, "functions").to.be.at.least(flavour === "REST" ? 15 : 10);
          const roles = new Set<string>();
          for (const fn of functions) {
            const role = all(T.role).find((r) => r.state.arn === fn.inputs.role);
            expect(role, `${fn.name}'s role ${fn.inputs.role} is one of the stack's`).to.not.equal(undefined);
            const trust = statementsOf(role!.inputs.assumeRolePolicy);
            expect(trust, role!.name).to.deep.equal([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
            roles.add(role!.urn);
          }
          expect(roles.size, "a role per function").to.equal(functions.length);
        });

        it("no role has an AWS managed policy (managedPolicyArns or an attachment) outside the allow-list", () => {
          expect(all(T.role).length).to.be.at.least(all(T.fn).length);
          const stackPolicyArns = new Set(all(T.policy).map((p) => p.state.arn));
          const managed = [
            ...all(T.role).flatMap((role) => (role.inputs.managedPolicyArns ?? []).map((arn: string) => `${role.name}: ${arn}`)),
            // A policy of this stack is checked statement by statement below; any other needs a reason.
            ...[...all(T.rolePolicyAttachment), ...all(T.policyAttachment)].filter((a) => !stackPolicyArns.has(a.inputs.policyArn)).map((a) => `${a.name}: ${a.inputs.policyArn}`),
          ];
          expect(managed.filter((entry) => !(entry.split(": ")[1] in MANAGED_POLICY_ALLOW_LIST))).to.deep.equal([]);
        });

        it("every policy statement names specific actions and specific resources: no *, no service:*, no wildcard ahead of the resource, no NotAction / NotResource", () => {
          const documents = policyDocuments();
          // Every function has its policy (and ApiCache's InvalidateCache policy on REST stacks with a cache).
          expect(documents.length, "policy documents").to.be.at.least(all(T.fn).length);
          let statements = 0;
          for (const { where, document } of documents) {
            for (const statement of statementsOf(document)) {
              statements += 1;
              const at = `${where}: ${JSON.stringify(statement)}`;
              expect(statement, at).not.to.have.any.keys("NotAction", "NotResource", "NotPrincipal");
              expect(statement.Effect, at).to.be.oneOf(["Allow", "Deny"]);
              const actions = [statement.Action].flat();
              expect(actions.length, at).to.be.at.least(1);
              for (const action of actions) expect(action, at).to.be.a("string").and.match(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
              for (const resource of [statement.Resource].flat()) {
                const broad = broadResource(resource);
                if (broad === undefined) continue;
                // Allowed only for statements whose every action is on the allow-list.
                for (const action of actions) expect(STAR_RESOURCE_ALLOW_LIST, `${at}: ${broad}`).to.have.property(action);
              }
            }
          }
          expect(statements).to.be.greaterThan(documents.length);
        });

        it("API Gateway alone may invoke the functions, and only from this stack's APIs (a sourceArn on each)", () => {
          const apis = [...all(T.restApi), ...all(T.httpApi)].map((api) => api.state.executionArn as string);
          expect(apis.length).to.be.at.least(2); // the API and the WebSocket API
          const permissions = all(T.permission);
          expect(permissions.length).to.be.at.least(flavour === "REST" ? 8 : 6);
          for (const permission of permissions) {
            const at = `${permission.name}: ${JSON.stringify(permission.inputs)}`;
            expect(permission.inputs.action, at).to.equal("lambda:InvokeFunction");
            expect(permission.inputs.principal, at).to.equal("apigateway.amazonaws.com");
            expect(permission.inputs.sourceArn, at).to.be.a("string");
            expect(apis.some((api) => (permission.inputs.sourceArn as string).startsWith(`${api}/`)), at).to.equal(true);
          }
        });
      });

      describe("secrets", () => {
        /** Every generated credential of the stack: API key values, random passwords, client secrets, stored secret strings. */
        const credentials = (): string[] => {
          const values = [
            ...all(T.apiKey).map((k) => k.state.value),
            ...all(T.randomPassword).map((p) => p.state.result),
            ...all(T.userPoolClient).map((c) => c.state.clientSecret),
          ].filter((v): v is string => typeof v === "string" && v !== "");
          for (const value of values) expect(value.length, "a credential long enough to search for").to.be.at.least(16);
          return values;
        };
        const containsCredential = (text: string) => credentials().some((c) => text.includes(c));

        if (flavour === "REST") {
          it("API keys and HMAC client secrets exist, and each is in a secret output (apiKeys, tokenClients)", () => {
            expect(all(T.apiKey).length).to.be.at.least(2);
            expect(all(T.randomPassword).length).to.be.at.least(1);
            const secretText = Object.values(run.outputs).filter((o) => o.secret).map((o) => JSON.stringify(o.value)).join("\n");
            for (const credential of credentials()) expect(secretText.includes(credential), "in a secret output").to.equal(true);
            expect(run.outputs.apiKeys.secret).to.equal(true);
            expect(run.outputs.tokenClients.secret).to.equal(true);
          });
        } else {
          it("holds no generated credential at all (no API keys, passwords, client secrets or stored secrets)", () => {
            expect(credentials()).to.deep.equal([]);
            expect(all(T.secretVersion)).to.deep.equal([]);
          });
        }

        it("no plain output contains a credential, and every output named like a key, secret, token or password is secret", () => {
          for (const [name, output] of Object.entries(run.outputs)) {
            if (output.secret) continue;
            expect(containsCredential(JSON.stringify(output.value) ?? ""), `plain output ${name}`).to.equal(false);
            expect(name, "a plain output named like a credential").not.to.match(/key|secret|token|password|credential/i);
          }
        });

        it("no resource input carries a credential in cleartext: only the Secrets Manager secret version holds them, sent as a secret", () => {
          const found: string[] = [];
          for (const resource of run.graph.resources) {
            const secret = secretInputs.get(`${resource.type}::${resource.name}`) ?? [];
            for (const leaf of stringLeaves(resource.inputs)) {
              if (!containsCredential(leaf.text)) continue;
              const wrapped = secret.some((p) => leaf.path === p || leaf.path.startsWith(`${p}.`));
              const allowed = SECRET_INPUT_ALLOW_LIST.some((a) => a.type === resource.type && (leaf.path === a.path || leaf.path.startsWith(`${a.path}.`)));
              found.push(`${resource.type} ${resource.name} ${leaf.path}${wrapped ? " (secret)" : ""}`);
              expect(wrapped && allowed, `${resource.type} ${resource.name}: input ${leaf.path} holds a credential${wrapped ? "" : " in cleartext"}`).to.equal(true);
            }
          }
          // The check saw the one place that must hold them (REST: the HMAC clients' secret).
          if (flavour === "REST") expect(found.some((f) => f.startsWith(`${T.secretVersion} `) && f.endsWith("(secret)")), found.join("; ")).to.equal(true);
        });

        it("no function's code (the serialized archive) or environment contains a credential", async () => {
          for (const fn of all(T.fn)) {
            const assets = await fn.inputs.code.assets;
            const code: string = await assets["__index.js"].text;
            expect(code.length, fn.name).to.be.greaterThan(100);
            expect(containsCredential(code), `${fn.name}'s code`).to.equal(false);
            expect(containsCredential(JSON.stringify(fn.inputs.environment ?? {})), `${fn.name}'s environment`).to.equal(false);
          }
        });
      });

      describe("CORS", () => {
        it("credentials are allowed, so no Access-Control-Allow-Origin is * or copied from the request: only fixed origins, or the Origin after an equality check", () => {
          const sources = corsSources(run.graph.resources);
          expect(sources.credentials, "this stack allows credentials (the case where * is dangerous)").to.equal(true);
          expect(sources.origins.length, "allowed origins found").to.be.at.least(1);
          for (const origin of sources.origins) expect(origin, "an allowed origin").to.match(/^https?:\/\/[^*\s/]+$/);
          for (const mapping of sources.mappedFromRequest) expect.fail(`Access-Control-Allow-Origin copied from the request: ${mapping}`);
          expect(sources.unchecked, "templates setting Access-Control-Allow-Origin outside an origin check").to.deep.equal([]);
        });
      });

      if (flavour === "REST") {
        describe("stage cache", () => {
          it("no cached method answers per caller (behind an authorizer) or per origin (several CORS origins) on a key without the caller's identity or the Origin", () => {
            const settings = new Map(all(T.methodSettings).map((s) => [s.inputs.methodPath as string, s.inputs.settings]));
            const apiResources = new Map(all(T.resource).map((r) => [r.id, r.state.path as string]));
            const severalOrigins = new Set(corsSources(run.graph.resources).origins).size > 1;
            let cachedMethods = 0;
            for (const method of all(T.method).filter((m) => m.inputs.httpMethod !== "OPTIONS")) {
              const resourcePath = apiResources.get(method.inputs.resourceId) ?? "/";
              const own = settings.get(`${resourcePath.replace(/\//g, "~1")}/${method.inputs.httpMethod}`);
              const cached = Boolean((own ?? settings.get("*/*"))?.cachingEnabled) && (method.inputs.httpMethod === "GET" || Boolean(own?.cachingEnabled));
              if (!cached) continue;
              cachedMethods += 1;
              const integration = all(T.integration).find((i) => i.inputs.resourceId === method.inputs.resourceId && i.inputs.httpMethod === method.inputs.httpMethod)!;
              const keys: string[] = (integration.inputs.cacheKeyParameters ?? []).map((k: string) => k.toLowerCase());
              const at = `${method.inputs.httpMethod} ${resourcePath} (cache key: ${keys.join(", ") || "method and path"})`;
              if (method.inputs.authorization !== "NONE") {
                const authorizer = all(T.authorizer).find((a) => a.id === method.inputs.authorizerId);
                const identity = String(authorizer?.inputs.identitySource ?? "method.request.header.Authorization").split(",").map((s) => s.trim().toLowerCase());
                expect(identity.every((p) => keys.includes(p)), `${at} answers per caller`).to.equal(true);
              }
              if (severalOrigins) expect(keys, `${at} answers per Origin`).to.include("method.request.header.origin");
            }
            if (stack === "dev" || stack === "prod") expect(cachedMethods, "GET /data is cached").to.be.at.least(1);
          });
        });
      }
    });
  }

  describe("refusals: configuration that would open a hole fails before deploying", () => {
    /** The program's error for these config overrides on dev; fails when the program runs. */
    async function refusal(configOverrides: Record<string, unknown>): Promise<ProgramError> {
      try {
        await runProgram({ stack: "dev", configOverrides });
      } catch (err) {
        expect(err).to.be.instanceOf(ProgramError);
        return err as ProgramError;
      }
      throw new Error(`expected the program to refuse ${JSON.stringify(configOverrides)}`);
    }

    /**
     * What RestApi says of the demo routes with the dev stack's settings and these method
     * overrides (the program hands demoMethodSettings to RestApi, which refuses a cache that would
     * mix callers or origins): undefined when accepted. Pure: no program run.
     */
    function demoRefusal(methodOverrides: Record<string, unknown>): string | undefined {
      const placeholder = {} as aws.lambda.Function;
      const handlers = new Proxy({} as DemoHandlers, { get: () => placeholder });
      const stage = JSON.parse(DEV_CONFIG["apigw-kit:stage"]);
      const cache = JSON.parse(DEV_CONFIG["apigw-kit:cache"]);
      try {
        validateRestApiArgs({
          authorizers: {
            cognito: { type: "COGNITO_USER_POOLS", providerArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool"] },
            hmac: { type: "TOKEN", function: placeholder, identitySource: "method.request.header.Authorization" },
          },
          models: { User: { schema: { type: "object" } } },
          validators: { body: "BODY", params: "PARAMETERS", all: "BODY_AND_PARAMETERS" },
          cors: JSON.parse(DEV_CONFIG["apigw-kit:cors"]),
          stage: { name: "dev", cacheClusterSize: cache.clusterSize },
          methodSettings: demoMethodSettings({ stage: { ...stage, metricsEnabled: true }, cache: { ...cache, invalidatorRoleNames: [] }, methodOverrides: methodOverrides as never }),
          routes: demoRoutes(handlers),
        });
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    }

    it("the demo routes with the dev stack's cache are accepted as they are (the control)", () => {
      expect(demoRefusal(JSON.parse(DEV_CONFIG["apigw-kit:methodOverrides"]))).to.equal(undefined);
    });

    it("an override caching GET /users/{id} or GET /partner/status is refused: one caller's answer would reach another", () => {
      expect(demoRefusal({ "users/{id}/GET": { caching: { enabled: true } } })).to.equal(
        'routes (GET /users/{id}): the stage cache would serve one caller\'s response to another; disable caching for "users/{id}/GET" in methodSettings or add header.Authorization to its cacheKeyParameters',
      );
      // Subtler: an override that only throttles inherits the stage's caching.
      expect(demoRefusal({ "users/{id}/GET": { throttle: { rateLimit: 5, burstLimit: 10 } } })).to.match(/^routes \(GET \/users\/\{id\}\): the stage cache would serve one caller's response to another/);
      expect(demoRefusal({ "partner/status/GET": { caching: { enabled: true, ttlSeconds: 60 } } })).to.match(/^routes \(GET \/partner\/status\): the stage cache would serve one caller's response to another/);
    });

    it("an override caching GET /health (MOCK, answered per Origin) is refused while several CORS origins are allowed", () => {
      expect(demoRefusal({ "health/GET": { caching: { enabled: true } } })).to.equal(
        'routes (GET /health): with several CORS origins the stage cache would serve one origin\'s Access-Control-Allow-Origin to the others; disable caching for "health/GET" in methodSettings (a MOCK integration cannot key its cache by header.Origin)',
      );
    });

    it("`*` with credentials is refused by every layer that takes a CORS policy: the stack config, RestApi and HttpApi, and the functions' environment", async () => {
      const error = await refusal({ "apigw-kit:cors": { allowOrigins: ["*"], allowCredentials: true } });
      expect(error.message).to.equal('apigw-kit:cors.allowOrigins may not contain "*" when apigw-kit:cors.allowCredentials is true');
      expect(error.graph.resources, "refused before any resource").to.deep.equal([]);
      // RestApi and HttpApi check their `cors` argument with validateCors (pinned by
      // restApiValidation.spec.ts and HttpApi.spec.ts).
      expect(() => validateCors({ allowOrigins: ["*"], allowCredentials: true }, "cors")).to.throw('cors.allowOrigins may not contain "*" when cors.allowCredentials is true');
      expect(() => corsPolicyFromEnv({ CORS_ALLOW_ORIGINS: "*", CORS_ALLOW_CREDENTIALS: "true" })).to.throw(/cannot be combined with CORS_ALLOW_CREDENTIALS=true/);
    });
  });
});

/** Where the stack's CORS answers come from: allowed origins, whether credentials are allowed, and anything unsafe. */
function corsSources(resources: RecordedResource[]): { origins: string[]; credentials: boolean; mappedFromRequest: string[]; unchecked: string[] } {
  const origins: string[] = [];
  const mappedFromRequest: string[] = [];
  const unchecked: string[] = [];
  let credentials = false;
  for (const resource of resources) {
    const where = `${resource.type} ${resource.name}`;
    for (const { path: at, text } of stringLeaves(resource.inputs)) {
      const key = at.split(".").pop() ?? "";
      if (/Access-Control-Allow-Credentials$/.test(key) && /true/.test(text)) credentials = true;
      if (key === "CORS_ALLOW_CREDENTIALS" && text === "true") credentials = true;
      if (key === "CORS_ALLOW_ORIGINS") origins.push(...text.split(",").filter((o) => o !== ""));
      if (/Access-Control-Allow-Origin$/.test(key)) {
        // A header mapping: a quoted literal ('https://...') or a request value (method.request.header.Origin).
        if (/^'.*'$/.test(text)) origins.push(text.slice(1, -1));
        else mappedFromRequest.push(`${where} ${at} = ${text}`);
      }
      // Templates: `#if($origin == "a" || ...)#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end`.
      for (const line of text.split("\n").filter((l) => l.includes("responseOverride.header.Access-Control-Allow-Origin"))) {
        const checked = /^#if\((\$origin == "[^"]+"( \|\| )?)+\)#set\(\$context\.responseOverride\.header\.Access-Control-Allow-Origin = \$origin\)#end$/.exec(line);
        if (!checked) unchecked.push(`${where} ${at}: ${line}`);
        else origins.push(...[...line.matchAll(/\$origin == "([^"]+)"/g)].map((m) => m[1]));
      }
    }
    // The HTTP API's own CORS configuration.
    const cors = resource.type === "aws:apigatewayv2/api:Api" ? resource.inputs.corsConfiguration : undefined;
    if (cors) {
      origins.push(...(cors.allowOrigins ?? []));
      if (cors.allowCredentials) credentials = true;
    }
  }
  return { origins, credentials, mappedFromRequest, unchecked };
}
