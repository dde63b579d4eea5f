/**
 * A deployment of the local cloud: what one run of the program declares, served through the
 * long-lived services (localServices.ts). It is built beside the deployment it replaces and
 * swapped in whole, so a request is served by one deployment from start to end:
 * - the REST and HTTP API gateways are new (a redeployed stage starts with an empty cache and
 *   fresh throttle buckets, as on AWS), while API keys' quota counts carry over, and the keys
 *   and plan keys changed at run time (services.apiKeyChanges) apply to the new one too;
 * - the WebSocket gateway is kept when the new run declares the same API stage, so open
 *   connections stay open and use the new routes (as a redeployed stage keeps them);
 * - only functions whose archive or configuration changed are loaded again (functionSync.ts).
 */
import { alarmDefinitions, dashboardWidgets } from "../../components/ApiMonitoring";
import { CacheInvalidationPolicy, invalidationPrincipalsOf } from "../apiGatewayManagement";
import type { ProgramRun } from "../controlPlane";
import type { LocalDashboardOptions } from "../dashboardPage";
import { programFunctions } from "../lambda/programFunctions";
import { HttpGateway } from "../httpGateway/httpGateway";
import { httpApiModels, type HttpApiModel, type JwtAuthorizerModel } from "../httpGateway/httpApiModel";
import { AwsJwtVerifier } from "../httpGateway/jwtVerifier";
import { CognitoUserPoolAuthorizer } from "../restGateway/cognitoAuthorizer";
import { RestGateway } from "../restGateway/restGateway";
import { restApiModels, type RestApiModel } from "../restGateway/restApiModel";
import { UsagePlanEnforcer, usagePlanModels, type UsageCounterSnapshot } from "../restGateway/usagePlans";
import { WebSocketGateway, webSocketApiModels, type WebSocketApiModel } from "../webSocketGateway";
import { PATH_FORM_PREFIX, type AddressBook, type DomainMapping } from "./apiAddressing";
import { customDomainRoutes, localDomainUrls } from "./customDomainRoutes";
import { syncFunctions, type FunctionFingerprint } from "./functionSync";
import type { LocalServices } from "./localServices";

const ACCOUNT_ID = "123456789012";

/** One API stage served, with its gateway. */
export type ServedStage =
  | { protocol: "REST"; apiId: string; stageName: string; name: string; model: RestApiModel; gateway: RestGateway }
  | { protocol: "HTTP"; apiId: string; stageName: string; name: string; model: HttpApiModel; gateway: HttpGateway }
  | { protocol: "WEBSOCKET"; apiId: string; stageName: string; name: string; model: WebSocketApiModel; gateway: WebSocketGateway };

/** What the API's port serves, from one run of the program. */
export interface Deployment {
  /** The control plane's record of the run. */
  run: ProgramRun;
  region: string;
  /** Every stack output, secrets revealed (custom domain URLs given as their local addresses). */
  outputs: Record<string, unknown>;
  /** Which outputs are secret. */
  secretOutputs: string[];
  /** Base URLs of the local services and the API stages. */
  endpoints: Record<string, string>;
  /** Every API stage the program declares, REST, HTTP and WebSocket, in declaration order. */
  stages: ServedStage[];
  /** What requests are routed by: the stages and the custom domains' base path mappings. */
  addressBook: AddressBook<ServedStage>;
  /** The first REST API stage's gateway. */
  gateway?: RestGateway;
  /** The first HTTP API stage's gateway. */
  httpGateway?: HttpGateway;
  /** The first WebSocket API stage's gateway. */
  webSocket?: WebSocketGateway;
  /** The usage plans of every REST stage: quota counts, carried from deployment to deployment. */
  usagePlans?: UsagePlanEnforcer;
  /** The ApiMonitoring widgets and alarms the dashboard draws, for every REST stage. */
  dashboard: LocalDashboardOptions;
  /** The first REST API stage. */
  served?: { apiId: string; stage: string };
  /** The fingerprint of every function, by name. */
  functions: Map<string, FunctionFingerprint>;
}

/** Options of {@link buildDeployment}. */
export interface BuildDeploymentOptions {
  /** The gateways' account-level throttle. @default AWS's 10,000 rps, burst 5,000 */
  accountThrottle?: { rate: number; burst: number };
  /** Receives each request's access-log line. @default none */
  accessLog?: (line: string) => void;
  /** Quota counts to start from when there is no previous deployment (a restart). @default none */
  usageCounters?: UsageCounterSnapshot;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

/** A new deployment, and which functions it loaded again. */
export interface BuiltDeployment {
  deployment: Deployment;
  /** Functions loaded again, with what changed. */
  deployedFunctions: Array<{ name: string; change: string }>;
}

/**
 * Builds the deployment of a program run beside `previous` (still serving). The gateway
 * models are read before any function is loaded, so a program the local cloud cannot serve
 * leaves the running functions alone.
 *
 * @param services - The long-lived services.
 * @param run - The program run to serve.
 * @param previous - The deployment serving now. @default none (the first deployment)
 * @param options - Throttle, access log, restored counts, progress lines.
 */
export async function buildDeployment(services: LocalServices, run: ProgramRun, previous: Deployment | undefined, options: BuildDeploymentOptions = {}): Promise<BuiltDeployment> {
  const log = options.log ?? (() => undefined);
  const region = run.config.config["aws:region"] ?? "us-east-1";
  const models = declaredStages(run);
  const functions = await programFunctions(run.graph.resources);

  // Gateways first: one the local cloud cannot build (an authorization it cannot enforce)
  // refuses the deployment before any function is loaded again.
  const rest = models.rest.length > 0 ? restStagesFor(services, run, models, region, previous, options) : undefined;
  const httpStages = models.http.map((model): ServedStage => ({ protocol: "HTTP", ...identity(model), model, gateway: httpGatewayFor(services, model, region, options) }));

  const t = Date.now();
  const managementEndpoint = webSocketEndpoints(services, models.webSocket, run);
  const specs = functions.map((fn) => {
    const endpoint = managementEndpoint(fn.arn);
    return { ...fn, environment: { ...fn.environment, ...(endpoint ? { WEBSOCKET_MANAGEMENT_ENDPOINT: endpoint } : {}), ...services.cognito.functionEnvironment(fn.environment) } };
  });
  const synced = await syncFunctions(services.lambda, specs, previous?.functions);
  if (!previous) log(`Lambda runtime: ${functions.length} functions loaded (${Date.now() - t} ms)`);
  else if (synced.deployed.length > 0) log(`Lambda runtime: ${synced.deployed.length} of ${functions.length} functions loaded again (${Date.now() - t} ms)`);
  const previousWebSockets = previous?.stages.filter((s) => s.protocol === "WEBSOCKET").map((s) => s.gateway as WebSocketGateway) ?? [];
  const webSocketStages = models.webSocket.map((model): ServedStage => ({ protocol: "WEBSOCKET", ...identity(model), model, gateway: webSocketGatewayFor(services, model, region, previousWebSockets) }));

  const stages = [...(rest?.stages ?? []), ...httpStages, ...webSocketStages];
  const domains = customDomainRoutes(run.graph);
  const port = Number(new URL(services.apiBase).port);
  const localUrls = (value: unknown) => localDomainUrls(value, [...domains.keys()], port);
  const first = <P extends ServedStage["protocol"]>(protocol: P) => stages.find((s): s is Extract<ServedStage, { protocol: P }> => s.protocol === protocol);
  const firstRest = first("REST");
  const deployment: Deployment = {
    run,
    region,
    outputs: Object.fromEntries(Object.entries(run.outputs).map(([k, o]) => [k, localUrls(o.value)])),
    secretOutputs: Object.entries(run.outputs).filter(([, o]) => o.secret).map(([k]) => k),
    endpoints: endpointsOf(services, stages),
    stages,
    addressBook: { stages, domains },
    gateway: firstRest?.gateway,
    httpGateway: first("HTTP")?.gateway,
    webSocket: first("WEBSOCKET")?.gateway,
    usagePlans: rest?.usagePlans,
    dashboard: rest?.dashboard ?? { widgets: [], alarms: [] },
    served: firstRest ? { apiId: firstRest.apiId, stage: firstRest.stageName } : undefined,
    functions: synced.fingerprints,
  };
  if (!previous) logStages(log, services.apiBase, stages, domains);
  return { deployment, deployedFunctions: synced.deployed };
}

/**
 * Ends what the replaced deployment held alone: its WebSocket gateways, unless the new
 * deployment kept them (their connections close as a deleted API's would).
 *
 * @param previous - The deployment replaced.
 * @param next - The deployment now serving. @default none (the cloud stops)
 */
export async function retireDeployment(previous: Deployment, next?: Deployment): Promise<void> {
  const kept = new Set(next?.stages.map((s) => s.gateway));
  for (const stage of previous.stages) if (stage.protocol === "WEBSOCKET" && !kept.has(stage.gateway)) await stage.gateway.close();
}

/** The API stages a run declares, by protocol. */
interface DeclaredStages {
  rest: RestApiModel[];
  http: HttpApiModel[];
  webSocket: WebSocketApiModel[];
}

function declaredStages(run: ProgramRun): DeclaredStages {
  return { rest: restApiModels(run.graph), http: httpApiModels(run.graph), webSocket: webSocketApiModels(run.graph) };
}

/** The fields every served stage has. */
function identity(model: { apiId: string; stageName: string; name?: string }): { apiId: string; stageName: string; name: string } {
  return { apiId: model.apiId, stageName: model.stageName, name: model.name ?? model.apiId };
}

/**
 * `WEBSOCKET_MANAGEMENT_ENDPOINT` by function: the @connections endpoint of the WebSocket stage
 * whose routes integrate the function, or of the program's only WebSocket stage (a function that
 * posts to connections without being a route's, as the demo's broadcaster does). The handlers
 * build `https://{domainName}/{stage}` otherwise, which is not the local cloud's address.
 *
 * @param services - For the local address.
 * @param stages - The WebSocket stages.
 * @param run - The run, for the routes' integrations.
 * @returns The endpoint for a function's ARN, or undefined.
 */
function webSocketEndpoints(services: LocalServices, stages: WebSocketApiModel[], run: ProgramRun): (functionArn: string) => string | undefined {
  if (stages.length === 0) return () => undefined;
  const integrations = run.graph.ofType("aws:apigatewayv2/integration:Integration");
  const only = stages.length === 1 ? stages[0] : undefined;
  return (functionArn) => {
    const integrated = stages.find((stage) => integrations.some((i) => i.inputs.apiId === stage.apiId && String(i.inputs.integrationUri ?? "").includes(functionArn)));
    const stage = integrated ?? only;
    return stage ? stageUrl(services.apiBase, stage.apiId, stage.stageName) : undefined;
  };
}

/** A stage's address in the path form (apiAddressing.ts); `$default` is the API's root. */
export function stageUrl(apiBase: string, apiId: string, stageName: string): string {
  return `${apiBase}${PATH_FORM_PREFIX}${apiId}${stageName === "$default" ? "" : `/${stageName}`}`;
}

function webSocketGatewayFor(services: LocalServices, model: WebSocketApiModel, region: string, previous: WebSocketGateway[]): WebSocketGateway {
  const kept = previous.find((gateway) => gateway.model.apiId === model.apiId && gateway.model.stageName === model.stageName);
  if (kept) {
    kept.replaceModel(model);
    return kept;
  }
  const dimensions = [
    { Name: "ApiId", Value: model.apiId },
    { Name: "Stage", Value: model.stageName },
  ];
  return new WebSocketGateway({
    model,
    lambda: services.lambda,
    accountId: ACCOUNT_ID,
    region,
    // WebSocket metrics go to the local CloudWatch under AWS/ApiGateway, by ApiId and Stage.
    onMetric: (name) => services.metricsStore.putMetricData("AWS/ApiGateway", [{ MetricName: name, Value: 1, Unit: "Count", Dimensions: dimensions }]),
  });
}

/**
 * A gateway for each REST API stage, sharing one usage plan enforcer (a key's limits are
 * summed over its plan's stages) that reads the program's keys through the changes made at
 * run time, as they are made; and the dashboard of their metrics.
 */
function restStagesFor(
  services: LocalServices,
  run: ProgramRun,
  models: DeclaredStages,
  region: string,
  previous: Deployment | undefined,
  options: BuildDeploymentOptions,
): { stages: ServedStage[]; usagePlans: UsagePlanEnforcer; dashboard: LocalDashboardOptions } {
  const usagePlans = new UsagePlanEnforcer(usagePlanModels(run.graph), { overlay: services.apiKeyChanges });
  const counters = previous?.usagePlans?.snapshot() ?? options.usageCounters;
  if (counters) usagePlans.restore(counters);
  const cognito = new CognitoUserPoolAuthorizer({
    issuerFor: (arn) => services.cognito.issuerForPoolArn(arn),
    clientIdsFor: (arn) => services.cognito.clientIdsForPoolArn(arn),
  });
  const invalidation = new CacheInvalidationPolicy(run.graph);
  const mayInvalidateCache = (authorizer: Record<string, unknown> | undefined, methodArn: string) => invalidationPrincipalsOf(authorizer).some((p) => invalidation.allows(p, methodArn));
  const stages = models.rest.map(
    (model): ServedStage => ({
      protocol: "REST",
      ...identity(model),
      model,
      gateway: new RestGateway({
        model,
        lambda: services.lambda,
        accountId: ACCOUNT_ID,
        region,
        accountThrottle: options.accountThrottle,
        usagePlans,
        cognito,
        dynamoDbEndpoint: services.dynamodb.url,
        mayInvalidateCache,
        onRequest: (metric) => services.metricsStore.recordGatewayRequest({ apiName: model.name, stage: model.stageName, ...metric }),
        ...(options.accessLog ? { accessLog: options.accessLog } : {}),
      }),
    }),
  );
  return { stages, usagePlans, dashboard: dashboardOf(run, models) };
}

/**
 * The dashboard: the ApiMonitoring widgets and alarms of every REST stage (titles name the
 * stage when there are several), alarms evaluated with the thresholds the program recorded for
 * that API (or for any, when an alarm names no API).
 */
function dashboardOf(run: ProgramRun, models: DeclaredStages): LocalDashboardOptions {
  const alarms = run.graph.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
  const several = models.rest.length > 1;
  const dashboard: LocalDashboardOptions = { widgets: [], alarms: [] };
  models.rest.forEach((model, i) => {
    const webSocket = i === 0 && models.webSocket[0] ? { webSocket: { apiId: models.webSocket[0].apiId, stageName: models.webSocket[0].stageName } } : {};
    const target = { apiName: model.name, stageName: model.stageName, ...webSocket };
    const threshold = (metricName: string) =>
      (alarms.find((a) => a.inputs.metricName === metricName && a.inputs.dimensions?.ApiName === model.name) ?? alarms.find((a) => a.inputs.metricName === metricName && !a.inputs.dimensions?.ApiName))?.inputs.threshold as number | undefined;
    const widgets = dashboardWidgets(target);
    dashboard.widgets.push(...(several ? widgets.map((w) => ({ ...w, title: `${model.name} ${model.stageName}: ${w.title}` })) : widgets));
    dashboard.alarms.push(...alarmDefinitions({ clientErrorsPer5Min: threshold("4XXError"), serverErrorsPer5Min: threshold("5XXError"), latencyAverageMs: threshold("Latency") }, target));
  });
  return dashboard;
}

function httpGatewayFor(services: LocalServices, model: HttpApiModel, region: string, options: BuildDeploymentOptions): HttpGateway {
  // Tokens from the local user pool carry the emulator's issuer; an authorizer configured
  // with the AWS Cognito issuer of that pool accepts them, as it would the real ones.
  const verifier = new AwsJwtVerifier();
  const jwt = {
    verify: (authorizer: JwtAuthorizerModel, token: string) => {
      const poolId = /^https:\/\/cognito-idp\.[^.]+\.amazonaws\.com\/(.+)$/.exec(authorizer.issuer)?.[1];
      const local = poolId ? services.cognito.issuerForPoolArn(`arn:aws:cognito-idp:${region}:${ACCOUNT_ID}:userpool/${poolId}`) : undefined;
      return verifier.verify(local ? { ...authorizer, issuer: local.issuer } : authorizer, token);
    },
  };
  return new HttpGateway({
    model,
    lambda: services.lambda,
    accountId: ACCOUNT_ID,
    region,
    jwt,
    accountThrottle: options.accountThrottle,
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
  });
}

function logStages(log: (line: string) => void, apiBase: string, stages: ServedStage[], domains: Map<string, DomainMapping[]>): void {
  for (const stage of stages) {
    const url = stageUrl(apiBase, stage.apiId, stage.stageName);
    if (stage.protocol === "WEBSOCKET") log(`WebSocket API ${stage.name} stage ${stage.stageName} at ${url.replace("http", "ws")}`);
    else if (stage.protocol === "REST") log(`REST API ${stage.name} stage ${stage.stageName}: ${stage.model.methods.size} methods at ${url}`);
    else log(`HTTP API ${stage.name} stage ${stage.stageName}: ${stage.model.routes.size} routes at ${url}`);
  }
  const port = new URL(apiBase).port;
  for (const [domain, mappings] of domains) {
    log(`Custom domain ${domain} at http://${domain}.localhost:${port}: ${mappings.map((m) => `/${m.basePath} -> ${m.apiId}/${m.stageName ?? "<stage>"}`).join(", ") || "no mappings"}`);
  }
}

/**
 * The local services' URLs and each kind's first API stage (`restApi`, `httpApi`, `webSocket`,
 * `webSocketManagement`), plus `<protocol>:<apiId>:<stage>` for every stage.
 */
function endpointsOf(services: LocalServices, stages: ServedStage[]): Record<string, string> {
  const { apiBase } = services;
  const endpoints: Record<string, string> = {
    dynamodb: services.dynamodb.url,
    cognito: services.cognito.url,
    secretsManager: services.secretsManager.url,
    apiGateway: services.apiGatewayManagement.url,
    metrics: `${apiBase}/_local/metrics`,
    dashboard: `${apiBase}/_local/dashboard`,
    openapi: `${apiBase}/_local/openapi`,
  };
  for (const stage of [...stages].reverse()) {
    const url = stageUrl(apiBase, stage.apiId, stage.stageName);
    if (stage.protocol === "REST") endpoints.restApi = url;
    else if (stage.protocol === "HTTP") endpoints.httpApi = url;
    else Object.assign(endpoints, { webSocket: url.replace("http", "ws"), webSocketManagement: url });
  }
  for (const stage of stages) endpoints[`${stage.protocol.toLowerCase()}:${stage.apiId}:${stage.stageName}`] = stageUrl(apiBase, stage.apiId, stage.stageName);
  return endpoints;
}
