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
import { syncFunctions, type FunctionFingerprint } from "./functionSync";
import type { LocalServices } from "./localServices";

const ACCOUNT_ID = "123456789012";

/** What the API's port serves, from one run of the program. */
export interface Deployment {
  /** The control plane's record of the run. */
  run: ProgramRun;
  region: string;
  /** Every stack output, secrets revealed. */
  outputs: Record<string, unknown>;
  /** Which outputs are secret. */
  secretOutputs: string[];
  /** Base URLs of the local services and the API stages. */
  endpoints: Record<string, string>;
  gateway?: RestGateway;
  httpGateway?: HttpGateway;
  webSocket?: WebSocketGateway;
  /** The REST stage's usage plans: quota counts, carried from deployment to deployment. */
  usagePlans?: UsagePlanEnforcer;
  /** The ApiMonitoring widgets and alarms the dashboard draws. */
  dashboard: LocalDashboardOptions;
  /** The REST API stage served, for FlushStageCache. */
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
  const stages = servedStages(run);
  const functions = await programFunctions(run.graph.resources);

  // Gateways first: one the local cloud cannot build (an authorization it cannot enforce)
  // refuses the deployment before any function is loaded again.
  const rest = stages.rest ? restGatewayFor(services, run, stages.rest, region, stages.webSocket, previous, options) : undefined;
  const httpGateway = stages.http ? httpGatewayFor(services, stages.http, region, options) : undefined;

  const t = Date.now();
  // Functions reach the @connections API of the local stage through this endpoint.
  const wsEnvironment: Record<string, string> = stages.webSocket ? { WEBSOCKET_MANAGEMENT_ENDPOINT: `${services.apiBase}/${stages.webSocket.stageName}` } : {};
  // Functions checking Cognito tokens are told where the local pool's issuer is.
  const specs = functions.map((fn) => ({ ...fn, environment: { ...fn.environment, ...wsEnvironment, ...services.cognito.functionEnvironment(fn.environment) } }));
  const synced = await syncFunctions(services.lambda, specs, previous?.functions);
  if (!previous) log(`Lambda runtime: ${functions.length} functions loaded (${Date.now() - t} ms)`);
  else if (synced.deployed.length > 0) log(`Lambda runtime: ${synced.deployed.length} of ${functions.length} functions loaded again (${Date.now() - t} ms)`);
  const webSocket = stages.webSocket ? webSocketGatewayFor(services, stages.webSocket, region, previous?.webSocket) : undefined;

  const deployment: Deployment = {
    run,
    region,
    outputs: Object.fromEntries(Object.entries(run.outputs).map(([k, o]) => [k, o.value])),
    secretOutputs: Object.entries(run.outputs).filter(([, o]) => o.secret).map(([k]) => k),
    endpoints: endpointsOf(services, stages),
    gateway: rest?.gateway,
    httpGateway,
    webSocket,
    usagePlans: rest?.usagePlans,
    dashboard: rest?.dashboard ?? { widgets: [], alarms: [] },
    served: stages.rest ? { apiId: stages.rest.apiId, stage: stages.rest.stageName } : undefined,
    functions: synced.fingerprints,
  };
  if (!previous) logStages(log, services.apiBase, stages);
  return { deployment, deployedFunctions: synced.deployed };
}

/**
 * Ends what the replaced deployment held alone: its WebSocket gateway, unless the new
 * deployment kept it (its connections close as a deleted API's would).
 *
 * @param previous - The deployment replaced.
 * @param next - The deployment now serving. @default none (the cloud stops)
 */
export async function retireDeployment(previous: Deployment, next?: Deployment): Promise<void> {
  if (previous.webSocket && previous.webSocket !== next?.webSocket) await previous.webSocket.close();
}

/** The API stages a run declares: at most one REST or HTTP API stage, and one WebSocket stage. */
interface ServedStages {
  rest?: RestApiModel;
  http?: HttpApiModel;
  webSocket?: WebSocketApiModel;
}

function servedStages(run: ProgramRun): ServedStages {
  const wsModels = webSocketApiModels(run.graph);
  if (wsModels.length > 1) throw new Error(`the local cloud serves one WebSocket API stage; the program has ${wsModels.length}`);
  const models = restApiModels(run.graph);
  const httpModels = httpApiModels(run.graph);
  if (models.length + httpModels.length > 1) {
    throw new Error(`the local cloud serves one API stage; the program has ${models.length} REST and ${httpModels.length} HTTP API stages`);
  }
  return { rest: models[0], http: httpModels[0], webSocket: wsModels[0] };
}

function webSocketGatewayFor(services: LocalServices, model: WebSocketApiModel, region: string, previous: WebSocketGateway | undefined): WebSocketGateway {
  if (previous && previous.model.apiId === model.apiId && previous.model.stageName === model.stageName) {
    previous.replaceModel(model);
    return previous;
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

function restGatewayFor(
  services: LocalServices,
  run: ProgramRun,
  model: RestApiModel,
  region: string,
  webSocketModel: WebSocketApiModel | undefined,
  previous: Deployment | undefined,
  options: BuildDeploymentOptions,
): { gateway: RestGateway; usagePlans: UsagePlanEnforcer; dashboard: LocalDashboardOptions } {
  // One enforcer for the whole cloud: a key's limits are summed over its plan's stages. It
  // reads the program's keys through the changes made at run time, as they are made.
  const usagePlans = new UsagePlanEnforcer(usagePlanModels(run.graph), { overlay: services.apiKeyChanges });
  const counters = previous?.usagePlans?.snapshot() ?? options.usageCounters;
  if (counters) usagePlans.restore(counters);
  const cognito = new CognitoUserPoolAuthorizer({
    issuerFor: (arn) => services.cognito.issuerForPoolArn(arn),
    clientIdsFor: (arn) => services.cognito.clientIdsForPoolArn(arn),
  });
  const target = {
    apiName: model.name,
    stageName: model.stageName,
    ...(webSocketModel ? { webSocket: { apiId: webSocketModel.apiId, stageName: webSocketModel.stageName } } : {}),
  };
  // The dashboard draws the ApiMonitoring widgets and evaluates its alarms with the
  // thresholds the program recorded.
  const thresholds = Object.fromEntries(run.graph.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.inputs.metricName as string, a.inputs.threshold as number]));
  const dashboard = {
    widgets: dashboardWidgets(target),
    alarms: alarmDefinitions({ clientErrorsPer5Min: thresholds["4XXError"], serverErrorsPer5Min: thresholds["5XXError"], latencyAverageMs: thresholds.Latency }, target),
  };
  const invalidation = new CacheInvalidationPolicy(run.graph);
  const gateway = new RestGateway({
    model,
    lambda: services.lambda,
    accountId: ACCOUNT_ID,
    region,
    accountThrottle: options.accountThrottle,
    usagePlans,
    cognito,
    dynamoDbEndpoint: services.dynamodb.url,
    mayInvalidateCache: (authorizer, methodArn) => invalidationPrincipalsOf(authorizer).some((p) => invalidation.allows(p, methodArn)),
    onRequest: (metric) => services.metricsStore.recordGatewayRequest({ apiName: target.apiName, stage: target.stageName, ...metric }),
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
  });
  return { gateway, usagePlans, dashboard };
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

function logStages(log: (line: string) => void, apiBase: string, stages: ServedStages): void {
  if (stages.webSocket) log(`WebSocket API stage ${stages.webSocket.stageName} at ${apiBase.replace("http", "ws")}/${stages.webSocket.stageName}`);
  if (stages.rest) log(`REST API ${stages.rest.name} stage ${stages.rest.stageName}: ${stages.rest.methods.size} methods at ${apiBase}/${stages.rest.stageName}`);
  if (stages.http) {
    const url = stages.http.stageName === "$default" ? apiBase : `${apiBase}/${stages.http.stageName}`;
    log(`HTTP API ${stages.http.name} stage ${stages.http.stageName}: ${stages.http.routes.size} routes at ${url}`);
  }
}

function endpointsOf(services: LocalServices, stages: ServedStages): Record<string, string> {
  const { apiBase } = services;
  const endpoints: Record<string, string> = {
    dynamodb: services.dynamodb.url,
    cognito: services.cognito.url,
    secretsManager: services.secretsManager.url,
    apiGateway: services.apiGatewayManagement.url,
    ...(stages.webSocket ? { webSocket: `${apiBase.replace("http", "ws")}/${stages.webSocket.stageName}`, webSocketManagement: `${apiBase}/${stages.webSocket.stageName}` } : {}),
    metrics: `${apiBase}/_local/metrics`,
    dashboard: `${apiBase}/_local/dashboard`,
  };
  if (stages.rest) endpoints.restApi = `${apiBase}/${stages.rest.stageName}`;
  if (stages.http) endpoints.httpApi = stages.http.stageName === "$default" ? apiBase : `${apiBase}/${stages.http.stageName}`;
  return endpoints;
}
