import * as pulumi from "@pulumi/pulumi";
import { ApiRequirements, ApiTypeDecision, chooseApiType, validateApiRequirements } from "../components/chooseApiType";
import { CorsArgs, validateCors } from "../components/cors";
import { validateCognitoAuthArgs } from "../components/CognitoAuth";
import { DEFAULT_RESULT_TTL_SECONDS, validateTokenAuthorizerArgs } from "../components/TokenAuthorizer";
import { validateWebAclArgs } from "../components/WebAcl";
import { type CustomDomainEndpointType, type CustomDomainIpAddressType, type ValidatedCustomDomain, validateCustomDomainArgs } from "../components/CustomDomain";
import { validateApiMonitoringArgs } from "../components/ApiMonitoring";
import { MethodSettingArgs, ThrottleArgs, UnauthorizedCacheControlStrategy, resolveMethodSettings } from "../components/methodSettings";
import { type CacheClusterSize, type EndpointType, HttpApi } from "../components";
import {
  CACHE_TTL_SECONDS,
  DEFAULT_ACCESS_LOG_RETENTION_DAYS,
  DEFAULT_FUNCTION_LOG_RETENTION_DAYS,
  DEFAULT_UNAUTHORIZED_CACHE_CONTROL_STRATEGY,
  UNAUTHORIZED_CACHE_CONTROL_STRATEGIES,
  cacheClusterSizeProblem,
  cacheTtlProblem,
  logRetentionProblem,
  parseThrottlePath,
  stageNameProblem,
  throttleProblem,
  toRouteKey,
  toThrottlePath,
  type HttpMethod,
} from "../components/apigateway";
import { memorySizeProblem, timeoutProblem } from "../components/lambdaSizing";
import { CustomerArgs, DEFAULT_TIERS, TierArgs, validateUsageTiersArgs } from "../components/UsageTiers";
import { DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime, lambdaRuntimeProblem } from "../components/lambdaRuntime";
import { CUSTOMER_METHOD_SETTINGS } from "../components/CustomersApi";
import { PROGRAM_ROUTE_KEYS, demoMethodSettings } from "./demoApi";

/**
 * The program's typed stack configuration (namespace `apigw-kit`), read and checked before any
 * resource exists. Every error names the config key, as `pulumi config set --path` spells it.
 */
export interface StackSettings {
  stack: string;
  api: {
    /** The configured type. */
    type: "rest" | "http" | "auto";
    /** The type built: the configured one, or chooseApiType's pick for `auto`. */
    resolved: "REST" | "HTTP";
    /** chooseApiType's verdict on `api.requirements` (also shown when the type was forced). */
    decision: ApiTypeDecision;
    endpointType: EndpointType;
    vpcEndpointIds: string[];
    binaryMediaTypes?: string[];
  };
  stage: {
    name: string;
    accessLogRetentionDays: number;
    tracingEnabled: boolean;
    metricsEnabled: boolean;
    loggingLevel: "OFF" | "ERROR" | "INFO";
    dataTraceEnabled: boolean;
    throttle: ThrottleArgs;
  };
  cache?: {
    clusterSize: CacheClusterSize;
    ttlSeconds: number;
    encrypted: boolean;
    requireAuthorizationForCacheControl: boolean;
    unauthorizedCacheControlHeaderStrategy: UnauthorizedCacheControlStrategy;
    /** IAM roles allowed `execute-api:InvalidateCache` (to send `Cache-Control: max-age=0`). */
    invalidatorRoleNames: string[];
  };
  /** Per-method overrides keyed `resource path/METHOD`. */
  methodOverrides: Record<string, MethodSettingArgs>;
  cors?: CorsArgs;
  /** Every function's sizing, log retention and runtime (`apigw-kit:lambda`). */
  lambda: { runtime: LambdaRuntime; memorySize: number; timeoutSeconds: number; logRetentionDays: number };
  /** Usage plans by tier (`apigw-kit:tiers`, default basic / premium / enterprise). */
  tiers: TierArgs[];
  /** Customers with an API key each, in their tier's plan (`apigw-kit:customers`). */
  customers: CustomerArgs[];
  /** A WAF web ACL on the REST stage (`apigw-kit:waf`); absent: none. */
  waf?: { rateLimitPer5Minutes: number; commonRuleSetCountOnly: string[] };
  /**
   * The custom domain the REST API is served at (`apigw-kit:customDomain`), whose URL is then
   * the `apiUrl` output; absent: the execute-api URL.
   */
  customDomain?: CustomDomainSettings;
  /** Alarm thresholds and the alarm e-mail (`apigw-kit:monitoring`). */
  monitoring: { thresholds: { clientErrorsPer5Min?: number; serverErrorsPer5Min?: number; latencyAverageMs?: number }; alarmEmail?: string };
  /** The user pool (`apigw-kit:cognito`). */
  cognito: { mfa: "OFF" | "OPTIONAL" | "ON"; groups: string[]; passwordMinimumLength: number };
  /** The HMAC token authorizer: its clients and result cache TTL (`apigw-kit:tokenAuthorizer`). */
  tokenAuthorizer: { clients: Array<{ id: string }>; resultTtlSeconds: number };
}

/** `apigw-kit:customDomain`: the domain, its hosted zone, and the base path of the stage. */
export interface CustomDomainSettings {
  domainName: string;
  hostedZoneId: string;
  /** The stage's base path on the domain, e.g. `/v1`. @default "" (the root) */
  basePath: string;
  /** @default "REGIONAL" */
  endpointType: CustomDomainEndpointType;
  /** @default "dualstack" */
  ipAddressType: CustomDomainIpAddressType;
  /** An existing certificate instead of a new one. @default none */
  certificateArn?: string;
}

const NAMESPACE = "apigw-kit";

/** Reads the stack's `apigw-kit:*` config, validating every field. */
export function readStackSettings(): StackSettings {
  const config = new pulumi.Config(NAMESPACE);
  const stack = pulumi.getStack();
  const api = objectAt(config, "api");
  const stage = objectAt(config, "stage");
  const cache = config.getObject<Record<string, unknown>>("cache");
  const lambda = objectAt(config, "lambda");
  const tokenAuthorizer = objectAt(config, "tokenAuthorizer");
  const cognito = objectAt(config, "cognito");
  const waf = config.getObject<Record<string, unknown>>("waf");
  const monitoring = objectAt(config, "monitoring");
  const customDomain = config.getObject<Record<string, unknown>>("customDomain");

  const type = oneOf(api.type ?? "auto", ["rest", "http", "auto"] as const, "api.type");
  const requirements: ApiRequirements = validateApiRequirements(api.requirements ?? {}, `${NAMESPACE}:api.requirements`);
  const decision = chooseApiType(requirements);
  const resolved = type === "auto" ? decision.recommendation : type === "rest" ? "REST" : "HTTP";

  const vpcEndpointIds = optionalArray(api.vpcEndpointIds, "api.vpcEndpointIds") ?? [];
  vpcEndpointIds.forEach((id, i) => {
    if (typeof id !== "string" || !/^vpce-[0-9a-f]{8,17}$/.test(id)) {
      throw new Error(`${NAMESPACE}:api.vpcEndpointIds[${i}] must be a VPC endpoint id like vpce-0123456789abcdef0 (got ${JSON.stringify(id)})`);
    }
  });

  const endpointType = oneOf(api.endpointType ?? "REGIONAL", ["EDGE", "REGIONAL", "PRIVATE"] as const, "api.endpointType");
  if (endpointType !== "PRIVATE" && vpcEndpointIds.length > 0) {
    throw new Error(`${NAMESPACE}:api.vpcEndpointIds only apply when ${NAMESPACE}:api.endpointType is PRIVATE (it is ${endpointType})`);
  }
  if (resolved === "HTTP") {
    // Fail before anything exists: these only exist on REST APIs.
    const overrides = (config.getObject<Record<string, { caching?: unknown }>>("methodOverrides") ?? {}) as Record<string, { caching?: unknown }>;
    const caching = cache !== undefined || requirements.caching === true || Object.values(overrides).some((o) => o?.caching !== undefined);
    HttpApi.refuseRestOnlyFeatures(
      {
        apiKeys: requirements.api_keys === true || config.getObject("customers") !== undefined,
        usagePlans: config.getObject("tiers") !== undefined,
        caching,
        waf: requirements.waf_required === true || config.getObject("waf") !== undefined,
        mappingTemplates: requirements.transformation === true,
      },
      {
        apiKeys: `${NAMESPACE}:customers / ${NAMESPACE}:api.requirements.api_keys`,
        usagePlans: `${NAMESPACE}:tiers`,
        caching: `${NAMESPACE}:cache / ${NAMESPACE}:api.requirements.caching / the caching of ${NAMESPACE}:methodOverrides`,
        waf: `${NAMESPACE}:waf / ${NAMESPACE}:api.requirements.waf_required`,
        mappingTemplates: `${NAMESPACE}:api.requirements.transformation`,
      },
    );
  }
  const cors = config.getObject<CorsArgs>("cors");
  if (cors !== undefined) validateCors(cors, `${NAMESPACE}:cors`);

  const settings: StackSettings = {
    stack,
    api: {
      type,
      resolved,
      decision,
      endpointType,
      vpcEndpointIds: vpcEndpointIds as string[],
      binaryMediaTypes: optionalArray(api.binaryMediaTypes, "api.binaryMediaTypes") as string[] | undefined,
    },
    stage: {
      // The same name serves REST and HTTP stages: HTTP's "$default" has no REST equivalent.
      name: checkedAt(stage.name ?? stack, "stage.name", stageNameProblem),
      accessLogRetentionDays: checkedAt(stage.accessLogRetentionDays ?? DEFAULT_ACCESS_LOG_RETENTION_DAYS, "stage.accessLogRetentionDays", logRetentionProblem),
      tracingEnabled: booleanAt(stage.tracingEnabled ?? true, "stage.tracingEnabled"),
      metricsEnabled: booleanAt(stage.metricsEnabled ?? true, "stage.metricsEnabled"),
      loggingLevel: oneOf(stage.loggingLevel ?? "INFO", ["OFF", "ERROR", "INFO"] as const, "stage.loggingLevel"),
      dataTraceEnabled: booleanAt(stage.dataTraceEnabled ?? false, "stage.dataTraceEnabled"),
      throttle: checkedAt(stage.throttle ?? { rateLimit: 100, burstLimit: 200 }, "stage.throttle", throttleProblem),
    },
    cache: cache === undefined ? undefined : cacheSettings(cache),
    methodOverrides: objectAt(config, "methodOverrides") as Record<string, MethodSettingArgs>,
    cors,
    waf:
      waf === undefined
        ? undefined
        : {
            rateLimitPer5Minutes: validateWebAclArgs(waf as { rateLimitPer5Minutes?: number }, `${NAMESPACE}:waf.`),
            commonRuleSetCountOnly: (optionalArray(waf.commonRuleSetCountOnly, "waf.commonRuleSetCountOnly") as string[] | undefined) ?? [],
          },
    customDomain: customDomain === undefined ? undefined : customDomainSettings(customDomain, resolved),
    monitoring: {
      thresholds: (monitoring.thresholds ?? {}) as StackSettings["monitoring"]["thresholds"],
      alarmEmail: monitoring.alarmEmail as string | undefined,
    },
    cognito: {
      mfa: oneOf(cognito.mfa ?? "OFF", ["OFF", "OPTIONAL", "ON"] as const, "cognito.mfa"),
      groups: (optionalArray(cognito.groups, "cognito.groups") as string[] | undefined) ?? ["admins", "users"],
      passwordMinimumLength: integerAt(cognito.passwordMinimumLength ?? 12, "cognito.passwordMinimumLength", 6, 99),
    },
    tokenAuthorizer: {
      clients: (optionalArray(tokenAuthorizer.clients, "tokenAuthorizer.clients") as Array<{ id: string }> | undefined) ?? [{ id: "partner-demo" }],
      // Checked with the clients below (validateTokenAuthorizerArgs): less than the token window.
      resultTtlSeconds: (tokenAuthorizer.resultTtlSeconds ?? DEFAULT_RESULT_TTL_SECONDS) as number,
    },
    tiers: (optionalArray(config.getObject("tiers"), "tiers") as TierArgs[] | undefined) ?? DEFAULT_TIERS,
    customers: (optionalArray(config.getObject("customers"), "customers") as CustomerArgs[] | undefined) ?? [],
    lambda: {
      runtime: runtimeAt(lambda.runtime ?? DEFAULT_LAMBDA_RUNTIME, "lambda.runtime"),
      memorySize: checkedAt(lambda.memorySize ?? 256, "lambda.memorySize", memorySizeProblem),
      timeoutSeconds: checkedAt(lambda.timeoutSeconds ?? 10, "lambda.timeoutSeconds", timeoutProblem),
      logRetentionDays: checkedAt(lambda.logRetentionDays ?? DEFAULT_FUNCTION_LOG_RETENTION_DAYS, "lambda.logRetentionDays", logRetentionProblem),
    },
  };
  // The components check these again; checking them here fails before any resource exists
  // and names the config key.
  try {
    validateCognitoAuthArgs({ groups: settings.cognito.groups });
  } catch (err) {
    throw new Error(`${NAMESPACE}:cognito.${(err as Error).message}`);
  }
  validateTokenAuthorizerArgs(`${NAMESPACE}:tokenAuthorizer.`, settings.tokenAuthorizer);
  validateApiMonitoringArgs(`${NAMESPACE}:monitoring.`, { apiName: "planned", stageName: settings.stage.name, ...settings.monitoring });
  try {
    validateUsageTiersArgs({ apiId: "planned", stageName: settings.stage.name, tiers: settings.tiers, customers: settings.customers });
  } catch (err) {
    throw new Error(`${NAMESPACE}:${(err as Error).message}`);
  }
  checkTierMethodThrottles(settings.tiers, PROGRAM_ROUTE_KEYS);
  // Overrides name routes of the API: check them against its route table now, before any
  // resource exists, rather than when the RestApi is built.
  resolveMethodSettings(demoMethodSettings(settings, CUSTOMER_METHOD_SETTINGS), {
    routes: PROGRAM_ROUTE_KEYS,
    cacheClusterSize: settings.cache?.clusterSize,
    field: `${NAMESPACE}:methodOverrides`,
  });
  return settings;
}

/**
 * `apigw-kit:customDomain`, checked by the CustomDomain component's own rules (with a stand-in
 * API id and the stage name) before any resource exists, errors naming the config key.
 */
function customDomainSettings(value: Record<string, unknown>, apiType: "REST" | "HTTP"): CustomDomainSettings {
  if (apiType === "HTTP") {
    throw new Error(`${NAMESPACE}:customDomain maps REST API stages (base path mappings); this stack's API is an HTTP API (${NAMESPACE}:api.type)`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${NAMESPACE}:customDomain must be an object (YAML mapping) (got ${JSON.stringify(value)})`);
  const known = ["domainName", "hostedZoneId", "basePath", "endpointType", "ipAddressType", "certificateArn"];
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${NAMESPACE}:customDomain has unknown key(s) ${unknown.join(", ")} (known: ${known.join(", ")})`);
  const args = {
    domainName: value.domainName as string,
    hostedZoneId: value.hostedZoneId as string,
    endpointType: value.endpointType as CustomDomainEndpointType | undefined,
    ipAddressType: value.ipAddressType as CustomDomainIpAddressType | undefined,
    certificateArn: value.certificateArn as string | undefined,
    mappings: [{ basePath: value.basePath as string | undefined, restApiId: "planned", stageName: "planned" }],
  };
  let checked: ValidatedCustomDomain;
  try {
    checked = validateCustomDomainArgs(args);
  } catch (err) {
    throw new Error(`${NAMESPACE}:customDomain.${(err as Error).message.replace(/^mappings\[0\]\./, "")}`);
  }
  return {
    domainName: checked.domainName,
    hostedZoneId: args.hostedZoneId,
    basePath: checked.mappings[0].basePath,
    endpointType: checked.endpointType,
    ipAddressType: checked.ipAddressType,
    ...(args.certificateArn !== undefined ? { certificateArn: args.certificateArn } : {}),
  };
}

function cacheSettings(cache: Record<string, unknown>): NonNullable<StackSettings["cache"]> {
  // YAML reads `clusterSize: 0.5` as a number; AWS's sizes are strings.
  const clusterSize = checkedAt<CacheClusterSize>(String(cache.clusterSize ?? "0.5"), "cache.clusterSize", cacheClusterSizeProblem);
  return {
    clusterSize,
    ttlSeconds: checkedAt(cache.ttlSeconds ?? CACHE_TTL_SECONDS.default, "cache.ttlSeconds", cacheTtlProblem),
    encrypted: booleanAt(cache.encrypted ?? false, "cache.encrypted"),
    requireAuthorizationForCacheControl: booleanAt(cache.requireAuthorizationForCacheControl ?? true, "cache.requireAuthorizationForCacheControl"),
    unauthorizedCacheControlHeaderStrategy: oneOf(
      cache.unauthorizedCacheControlHeaderStrategy ?? DEFAULT_UNAUTHORIZED_CACHE_CONTROL_STRATEGY,
      UNAUTHORIZED_CACHE_CONTROL_STRATEGIES,
      "cache.unauthorizedCacheControlHeaderStrategy",
    ),
    invalidatorRoleNames: (optionalArray(cache.invalidatorRoleNames, "cache.invalidatorRoleNames") as string[] | undefined) ?? [],
  };
}

function objectAt(config: pulumi.Config, key: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = config.getObject(key);
  } catch {
    throw new Error(`${NAMESPACE}:${key} must be an object (YAML mapping)`);
  }
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${NAMESPACE}:${key} must be an object (YAML mapping) (got ${JSON.stringify(value)})`);
  }
  return value as Record<string, unknown>;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], key: string): T {
  if (!allowed.includes(value as T)) {
    throw new Error(`${NAMESPACE}:${key} must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

function booleanAt(value: unknown, key: string): boolean {
  if (typeof value !== "boolean") throw new Error(`${NAMESPACE}:${key} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

function integerAt(value: unknown, key: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new Error(`${NAMESPACE}:${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return value as number;
}

/** A runtime AWS Lambda still lets functions be created and updated on (components/lambdaRuntime.ts). */
function runtimeAt(value: unknown, key: string): LambdaRuntime {
  const problem = lambdaRuntimeProblem(value);
  if (problem) throw new Error(`${NAMESPACE}:${key} ${problem}`);
  return value as LambdaRuntime;
}

function optionalArray(value: unknown, key: string): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new Error(`${NAMESPACE}:${key} must be a list (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * A value a rule of components/apigateway (or lambdaSizing) accepts; the rule's message names
 * the `apigw-kit:` key otherwise.
 */
function checkedAt<T>(value: unknown, key: string, problem: (value: unknown, at: string) => string | undefined): T {
  const found = problem(value, `${NAMESPACE}:${key}`);
  if (found !== undefined) throw new Error(found);
  return value as T;
}

/**
 * Usage plan method throttles must name methods of the API (AWS refuses a plan whose throttle
 * path names no method); the keys' form and limits are checked by validateUsageTiersArgs.
 */
function checkTierMethodThrottles(tiers: TierArgs[], routes: { method: string; path: string }[]): void {
  const known = routes.map((r) => toThrottlePath({ path: r.path, method: r.method as HttpMethod }));
  tiers.forEach((tier, i) => {
    for (const throttlePath of Object.keys(tier.methodThrottles ?? {})) {
      const method = parseThrottlePath(throttlePath);
      if (method && !known.includes(toThrottlePath(method))) {
        throw new Error(
          `${NAMESPACE}:tiers[${i}] (${tier.name}).methodThrottles["${throttlePath}"]: there is no route ${toRouteKey(method)} (routes: ${known.join(", ")})`,
        );
      }
    }
  });
}
