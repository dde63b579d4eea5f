/**
 * The parts of the local cloud that outlive a deployment: the service emulators (DynamoDB,
 * Cognito, Secrets Manager, the API Gateway management endpoint with the API keys changed
 * through it), the Lambda runtime and the API's HTTP server. A deployment (deployment.ts) is
 * built from one run of the program and served through them; a reload swaps the deployment
 * and keeps these, with their data.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { startApiGatewayManagement, type LocalApiGatewayManagement } from "../apiGatewayManagement";
import type { ApiKeyChanges } from "../apiGateway/apiKeyChanges";
import { ApiGatewayResources } from "../apiGateway/apiGatewayResources";
import { deployedUsagePlans } from "../apiGateway/deployedUsagePlans";
import { startCognitoEmulator, type CognitoEmulator } from "../cognitoEmulator";
import { handleLocalRequest, type LocalDashboardOptions } from "../dashboardPage";
import { LOCAL_CREDENTIALS, startDynamoDb, type RunningDynamoDb } from "../emulators";
import { LambdaRuntime, type FunctionLogOrigin } from "../lambda/lambdaRuntime";
import { createWorkDir } from "../lambda/taskRoots";
import { MetricsStore } from "../metricsStore";
import { startSecretsManager, type LocalSecretsManager } from "../secretsManager";
import { openApiKeyChanges } from "../state/apiKeyChangesFile";
import { localStateLayout } from "../state/stateLayout";
import { handleOpenApiRequest } from "../openapi/openApiRoutes";
import { dispatchRequest, dispatchUpgrade } from "./apiDispatch";
import type { Deployment } from "./deployment";

/** Options of {@link startLocalServices}. */
export interface LocalServicesOptions {
  /** Port of the API on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** The stack's region, in the functions' environment. @default "us-east-1" */
  region?: string;
  /** Progress lines. @default none */
  log?: (line: string) => void;
  /** Where function output goes (with its stream and request id). @default process.stderr, prefixed with the function name */
  functionLog?: (functionName: string, line: string, origin: FunctionLogOrigin) => void;
  /**
   * The state folder whose data the emulators keep (local/state/stateLayout.ts); none keeps
   * everything in memory.
   * @default none
   */
  dataDir?: string;
  /** Where Lambda's START/END/REPORT lines go. @default none (not produced) */
  lifecycleLog?: (functionName: string, line: string) => void;
  /** Where functions of the host's Node.js major run (LambdaRuntimeOptions.hostMajorIn). @default "threads" */
  hostMajorIn?: "threads" | "processes";
}

/** The running services; `deployment` is what the API's port serves now. */
export interface LocalServices {
  dynamodb: RunningDynamoDb;
  cognito: CognitoEmulator;
  secretsManager: LocalSecretsManager;
  apiGatewayManagement: LocalApiGatewayManagement;
  /**
   * The API keys and plan keys changed through the API Gateway endpoint at run time: every
   * deployment's REST gateway enforces the program's keys through them.
   */
  apiKeyChanges: ApiKeyChanges;
  lambda: LambdaRuntime;
  metricsStore: MetricsStore;
  /** `http://127.0.0.1:<port>` of the API's server. */
  apiBase: string;
  /** The deployment requests go to; a request keeps the one it started on. */
  deployment: Deployment | undefined;
}

const NO_DASHBOARD: LocalDashboardOptions = { widgets: [], alarms: [] };

/**
 * Starts every service, registering each one's stop in `cleanups` as soon as it runs (the
 * caller stops them in reverse order, also when a later start fails).
 *
 * @param options - Port, region, logs and where functions run.
 * @param cleanups - Receives the stop of each service started.
 */
export async function startLocalServices(options: LocalServicesOptions, cleanups: Array<() => Promise<void>>): Promise<LocalServices> {
  const log = options.log ?? (() => undefined);
  const region = options.region ?? "us-east-1";
  const layout = options.dataDir ? localStateLayout(options.dataDir) : undefined;

  let t = Date.now();
  const dynamodb = await startDynamoDb({ dataDir: layout?.dynamodb });
  cleanups.push(dynamodb.stop);
  log(`DynamoDB emulator (dynalite) at ${dynamodb.url} (${Date.now() - t} ms)`);

  t = Date.now();
  const cognito = await startCognitoEmulator({ dataDir: layout?.cognito, log: (line) => log(`  cognito-local: ${line}`) });
  cleanups.push(() => cognito.stop());
  log(`Cognito emulator (cognito-local) at ${cognito.url} (${Date.now() - t} ms)`);

  const secretsManager = await startSecretsManager({ region, accountId: "123456789012", dataFile: layout?.secrets });
  cleanups.push(secretsManager.stop);
  log(`Secrets Manager endpoint at ${secretsManager.url}`);

  const metricsStore = new MetricsStore();
  const services = { dynamodb, cognito, secretsManager, metricsStore, deployment: undefined } as Partial<LocalServices> & { deployment: Deployment | undefined };
  const server = http.createServer((req, res) => {
    // The deployment of this request, whatever a reload swaps in while it runs.
    const deployment = services.deployment;
    // The local CloudWatch (/_local/metrics, /_local/dashboard) shares the API's port.
    if (handleLocalRequest(req, res, metricsStore, deployment?.dashboard ?? NO_DASHBOARD)) return;
    // Each REST API's OpenAPI export and its reference page (/_local/openapi/<apiId>).
    if (handleOpenApiRequest(req, res, () => deployment?.run)) return;
    if (deployment) dispatchRequest(deployment, req, res);
    else {
      res.writeHead(503, { "Content-Type": "application/json" });
      res.end(`{"message":"the local cloud is still starting"}`);
    }
  });
  server.keepAliveTimeout = 5_000;
  server.on("upgrade", (req, socket, head) => dispatchUpgrade(services.deployment, req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The API Gateway control plane: FlushStageCache for the flush function and CLI; API keys,
  // plan keys and GetUsage over the keys and counts of the deployment serving.
  const apiKeyChanges = openApiKeyChanges(layout?.apiKeys);
  const apiGatewayManagement = await startApiGatewayManagement({
    flush: (apiId, stage) => {
      const served = services.deployment?.stages.find((s) => s.protocol === "REST" && s.apiId === apiId && s.stageName === stage);
      if (served?.protocol !== "REST") return false;
      served.gateway.flushCache();
      return true;
    },
    resources: new ApiGatewayResources({
      changes: apiKeyChanges,
      deployed: () => deployedUsagePlans(services.deployment?.run.graph),
      usage: () => services.deployment?.usagePlans,
      region,
    }),
  });
  cleanups.push(apiGatewayManagement.stop);
  log(`API Gateway management endpoint at ${apiGatewayManagement.url}`);

  const lambda = new LambdaRuntime({
    // Outside the project, so that a function resolves only what its archive holds.
    workDir: createWorkDir(),
    hostMajorIn: options.hostMajorIn,
    baseEnvironment: {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      AWS_ENDPOINT_URL_API_GATEWAY: apiGatewayManagement.url,
    },
    lifecycleLog: options.lifecycleLog,
    log: (functionName, line, origin) => {
      // Business metrics arrive as embedded-metric-format log lines, as in CloudWatch Logs.
      metricsStore.recordEmf(line);
      if (options.functionLog) options.functionLog(functionName, line, origin);
      else process.stderr.write(`[${functionName}] ${line}\n`);
    },
  });
  // Stopping the runtime removes its task roots too.
  cleanups.push(() => lambda.stop());

  return Object.assign(services, { apiGatewayManagement, apiKeyChanges, lambda, apiBase }) as LocalServices;
}
