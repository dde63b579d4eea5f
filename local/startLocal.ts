import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { ProgramRun, runProgram } from "./controlPlane";
import { LOCAL_CREDENTIALS, RunningEmulator, createTableFromInputs, startDynamoDb } from "./emulators";
import { LambdaRuntime } from "./lambda/lambdaRuntime";
import { programFunctions } from "./lambda/programFunctions";
import { createWorkDir } from "./lambda/taskRoots";
import { startSecretsManager } from "./secretsManager";
import { CacheInvalidationPolicy, invalidationPrincipalsOf, startApiGatewayManagement } from "./apiGatewayManagement";
import { MetricsStore } from "./metricsStore";
import { WebSocketGateway, webSocketApiModels } from "./webSocketGateway";
import { handleLocalRequest, type LocalDashboardOptions } from "./dashboardPage";
import { alarmDefinitions, dashboardWidgets } from "../components/ApiMonitoring";
import { startCognitoEmulator } from "./cognitoEmulator";
import { CognitoUserPoolAuthorizer } from "./restGateway/cognitoAuthorizer";
import { RestGateway } from "./restGateway/restGateway";
import { HttpGateway } from "./httpGateway/httpGateway";
import { httpApiModels, type JwtAuthorizerModel } from "./httpGateway/httpApiModel";
import { AwsJwtVerifier } from "./httpGateway/jwtVerifier";
import { restApiModels } from "./restGateway/restApiModel";
import { UsagePlanEnforcer, usagePlanModels } from "./restGateway/usagePlans";

export interface StartLocalOptions {
  /** @default "dev" */
  stack?: string;
  /** Port of the API on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** @default the repository root */
  projectDir?: string;
  /** The program module. @default "<projectDir>/index.ts" */
  program?: string;
  /** Config values replacing the stack file's (`namespace:key` -> value). @default {} */
  configOverrides?: Record<string, unknown>;
  /**
   * Where outputs.json goes (tests use their own, so a running `npm start` keeps its files).
   * Function archives are unpacked outside the project (LambdaRuntimeOptions.workDir).
   * @default "<projectDir>/.local/<stack>"
   */
  stateDir?: string;
  /** Progress lines (what is being created, counts, times). @default none */
  log?: (line: string) => void;
  /** Where function output goes. @default process.stderr, prefixed with the function name */
  functionLog?: (functionName: string, line: string) => void;
  /** The gateways' account-level throttle. @default AWS's 10,000 rps, burst 5,000 */
  accountThrottle?: { rate: number; burst: number };
  /**
   * Where functions of the host's Node.js major run (LambdaRuntimeOptions.hostMajorIn).
   * @default "threads"
   */
  hostMajorIn?: "threads" | "processes";
}

/** A running local cloud. */
export interface LocalCloud {
  stack: string;
  /** Every stack output, secrets revealed. */
  outputs: Record<string, unknown>;
  /** Which outputs are secret. */
  secretOutputs: string[];
  /** Base URLs of the local services. */
  endpoints: Record<string, string>;
  /** The REST gateway (metrics, cache) for tests and the dashboard. */
  gateway?: RestGateway;
  /** The HTTP API gateway, when the program builds an HTTP API. */
  httpGateway?: HttpGateway;
  /** The control plane's record of the deployment. */
  run: ProgramRun;
  /** The local CloudWatch: gateway metrics and the functions' embedded-metric-format lines. */
  metricsStore: MetricsStore;
  lambda: LambdaRuntime;
  /** Where outputs.json was written. */
  outputsFile: string;
  stop(): Promise<void>;
}

const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * "Deploys" a stack into the local cloud and serves it: starts the service emulators, runs
 * the program under the control plane (tables created in the DynamoDB emulator, URLs pointing
 * here), loads every function into the Lambda runtime, serves the REST API on 127.0.0.1, and
 * writes `.local/<stack>/outputs.json` last. On any failure, everything started is stopped.
 */
export async function startLocal(options: StartLocalOptions = {}): Promise<LocalCloud> {
  const stack = options.stack ?? "dev";
  const projectDir = options.projectDir ?? PROJECT_ROOT;
  const log = options.log ?? (() => undefined);
  const stateDir = path.resolve(options.stateDir ?? path.join(projectDir, ".local", stack));
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };

  try {
    let t = Date.now();
    const dynamodb: RunningEmulator = await startDynamoDb();
    cleanups.push(dynamodb.stop);
    log(`DynamoDB emulator (dynalite) at ${dynamodb.url} (${Date.now() - t} ms)`);

    t = Date.now();
    const cognito = await startCognitoEmulator({ log: (line) => log(`  cognito-local: ${line}`) });
    cleanups.push(() => cognito.stop());
    log(`Cognito emulator (cognito-local) at ${cognito.url} (${Date.now() - t} ms)`);

    const secretsManager = await startSecretsManager({ region: "us-east-1", accountId: "123456789012" });
    cleanups.push(secretsManager.stop);
    log(`Secrets Manager endpoint at ${secretsManager.url}`);

    // The API's port must be known before the program runs: its invoke URL is an output.
    let gateway: RestGateway | undefined;
    let httpGateway: HttpGateway | undefined;
    let wsGateway: WebSocketGateway | undefined;
    const metricsStore = new MetricsStore();
    let dashboard: LocalDashboardOptions = { widgets: [], alarms: [] };
    const server = http.createServer((req, res) => {
      // The @connections API of the WebSocket stage shares the port, as its endpoint does on AWS.
      if (wsGateway?.handleManagement(req, res)) return;
      // The local CloudWatch (/_local/metrics, /_local/dashboard) shares the API's port.
      if (handleLocalRequest(req, res, metricsStore, dashboard)) return;
      const serving = gateway ?? httpGateway;
      if (serving) void serving.handle(req, res);
      else {
        res.writeHead(503, { "Content-Type": "application/json" });
        res.end(`{"message":"the local cloud is still starting"}`);
      }
    });
    server.keepAliveTimeout = 5_000;
    server.on("upgrade", (req, socket, head) => {
      if (wsGateway) wsGateway.handleUpgrade(req, socket, head);
      else socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    cleanups.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // The API Gateway control plane's FlushStageCache, for the flush function and CLI.
    let served: { apiId: string; stage: string } | undefined;
    const apiGatewayManagement = await startApiGatewayManagement({
      flush: (apiId, stage) => {
        if (!gateway || served?.apiId !== apiId || served.stage !== stage) return false;
        gateway.flushCache();
        return true;
      },
    });
    cleanups.push(apiGatewayManagement.stop);
    log(`API Gateway management endpoint at ${apiGatewayManagement.url}`);

    t = Date.now();
    log(`Running index.ts for stack ${stack} under the local control plane...`);
    let region = "us-east-1";
    const run = await runProgram({
      stack,
      projectDir,
      program: options.program,
      configOverrides: options.configOverrides,
      cloud: { invokeUrl: (_apiId, stage, protocol) => `${protocol === "wss" ? "ws" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}/${stage}` },
      onCreate: async (type, name, inputs, computed) => {
        if (type === "aws:dynamodb/table:Table") {
          await createTableFromInputs(dynamodb.url, region, computed.name, inputs);
          log(`  table ${computed.name} created in the DynamoDB emulator`);
          return;
        }
        const userPoolResource = await cognito.createFromResource(type, inputs, computed);
        if (userPoolResource) return userPoolResource;
        return secretsManager.createFromResource(type, inputs, computed, name) ?? undefined;
      },
    });
    region = run.config.config["aws:region"] ?? region;
    log(`Program evaluated: ${run.graph.resources.length} resources in ${Date.now() - t} ms`);

    t = Date.now();
    // Every function the program declares, read before anything runs: a function the local
    // cloud cannot run stops the start here, naming it.
    const functions = await programFunctions(run.graph.resources);
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
      log: (functionName, line) => {
        // Business metrics arrive as embedded-metric-format log lines, as in CloudWatch Logs.
        metricsStore.recordEmf(line);
        if (options.functionLog) options.functionLog(functionName, line);
        else process.stderr.write(`[${functionName}] ${line}\n`);
      },
    });
    // Stopping the runtime removes its task roots too.
    cleanups.push(() => lambda.stop());
    const wsModels = webSocketApiModels(run.graph);
    if (wsModels.length > 1) throw new Error(`the local cloud serves one WebSocket API stage; the program has ${wsModels.length}`);
    // Functions reach the @connections API of the local stage through this endpoint.
    const wsEnvironment: Record<string, string> = wsModels[0] ? { WEBSOCKET_MANAGEMENT_ENDPOINT: `${apiBase}/${wsModels[0].stageName}` } : {};
    for (const fn of functions) {
      // Functions checking Cognito tokens are told where the local pool's issuer is.
      await lambda.deploy({ ...fn, environment: { ...fn.environment, ...wsEnvironment, ...cognito.functionEnvironment(fn.environment) } });
    }
    log(`Lambda runtime: ${functions.length} functions loaded (${Date.now() - t} ms)`);
    if (wsModels[0]) {
      const wsDimensions = { ApiId: wsModels[0].apiId, Stage: wsModels[0].stageName };
      wsGateway = new WebSocketGateway({
        model: wsModels[0],
        lambda,
        accountId: "123456789012",
        region,
        // WebSocket metrics go to the local CloudWatch under AWS/ApiGateway, by ApiId and Stage.
        onMetric: (name) => metricsStore.putMetricData("AWS/ApiGateway", [{ MetricName: name, Value: 1, Unit: "Count", Dimensions: Object.entries(wsDimensions).map(([Name, Value]) => ({ Name, Value })) }]),
      });
      const ws = wsGateway;
      cleanups.push(async () => ws.close());
      log(`WebSocket API stage ${wsModels[0].stageName} at ${apiBase.replace("http", "ws")}/${wsModels[0].stageName}`);
    }

    const models = restApiModels(run.graph);
    const httpModels = httpApiModels(run.graph);
    if (models.length + httpModels.length > 1) {
      throw new Error(`the local cloud serves one API stage; the program has ${models.length} REST and ${httpModels.length} HTTP API stages`);
    }
    if (models[0]) {
      // One enforcer for the whole cloud: a key's limits are summed over its plan's stages.
      const usagePlans = new UsagePlanEnforcer(usagePlanModels(run.graph));
      const cognitoAuthorizer = new CognitoUserPoolAuthorizer({
        issuerFor: (arn) => cognito.issuerForPoolArn(arn),
        clientIdsFor: (arn) => cognito.clientIdsForPoolArn(arn),
      });
      const target = {
        apiName: models[0].name,
        stageName: models[0].stageName,
        ...(wsModels[0] ? { webSocket: { apiId: wsModels[0].apiId, stageName: wsModels[0].stageName } } : {}),
      };
      // The dashboard draws the ApiMonitoring widgets and evaluates its alarms with the
      // thresholds the program recorded.
      const thresholds = Object.fromEntries(
        run.graph.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.inputs.metricName as string, a.inputs.threshold as number]),
      );
      dashboard = {
        widgets: dashboardWidgets(target),
        alarms: alarmDefinitions({ clientErrorsPer5Min: thresholds["4XXError"], serverErrorsPer5Min: thresholds["5XXError"], latencyAverageMs: thresholds.Latency }, target),
      };
      const invalidation = new CacheInvalidationPolicy(run.graph);
      gateway = new RestGateway({
        model: models[0],
        lambda,
        accountId: "123456789012",
        region,
        accountThrottle: options.accountThrottle,
        usagePlans,
        cognito: cognitoAuthorizer,
        dynamoDbEndpoint: dynamodb.url,
        mayInvalidateCache: (authorizer, methodArn) => invalidationPrincipalsOf(authorizer).some((p) => invalidation.allows(p, methodArn)),
        onRequest: (metric) => metricsStore.recordGatewayRequest({ apiName: target.apiName, stage: target.stageName, ...metric }),
      });
      served = { apiId: models[0].apiId, stage: models[0].stageName };
      log(`REST API ${models[0].name} stage ${models[0].stageName}: ${models[0].methods.size} methods at ${apiBase}/${models[0].stageName}`);
    }

    if (httpModels[0]) {
      const model = httpModels[0];
      // Tokens from the local user pool carry the emulator's issuer; an authorizer configured
      // with the AWS Cognito issuer of that pool accepts them, as it would the real ones.
      const verifier = new AwsJwtVerifier();
      const jwt = {
        verify: (authorizer: JwtAuthorizerModel, token: string) => {
          const poolId = /^https:\/\/cognito-idp\.[^.]+\.amazonaws\.com\/(.+)$/.exec(authorizer.issuer)?.[1];
          const local = poolId ? cognito.issuerForPoolArn(`arn:aws:cognito-idp:${region}:123456789012:userpool/${poolId}`) : undefined;
          return verifier.verify(local ? { ...authorizer, issuer: local.issuer } : authorizer, token);
        },
      };
      httpGateway = new HttpGateway({ model, lambda, accountId: "123456789012", region, jwt, accountThrottle: options.accountThrottle });
      log(`HTTP API ${model.name} stage ${model.stageName}: ${model.routes.size} routes at ${model.stageName === "$default" ? apiBase : `${apiBase}/${model.stageName}`}`);
    }

    const outputs = Object.fromEntries(Object.entries(run.outputs).map(([k, o]) => [k, o.value]));
    const secretOutputs = Object.entries(run.outputs).filter(([, o]) => o.secret).map(([k]) => k);
    const endpoints: Record<string, string> = {
      dynamodb: dynamodb.url,
      cognito: cognito.url,
      secretsManager: secretsManager.url,
      apiGateway: apiGatewayManagement.url,
      ...(wsModels[0] ? { webSocket: `${apiBase.replace("http", "ws")}/${wsModels[0].stageName}`, webSocketManagement: `${apiBase}/${wsModels[0].stageName}` } : {}),
      metrics: `${apiBase}/_local/metrics`,
      dashboard: `${apiBase}/_local/dashboard`,
    };
    if (models[0]) endpoints.restApi = `${apiBase}/${models[0].stageName}`;
    if (httpModels[0]) endpoints.httpApi = httpModels[0].stageName === "$default" ? apiBase : `${apiBase}/${httpModels[0].stageName}`;
    const outputsFile = path.join(stateDir, "outputs.json");
    const restApi = models[0] ? { id: models[0].apiId, stage: models[0].stageName, region } : undefined;
    writeFileAtomically(outputsFile, JSON.stringify({ stack, outputs, endpoints, ...(restApi ? { restApi } : {}) }, null, 2) + "\n");
    cleanups.push(async () => fs.rmSync(outputsFile, { force: true }));

    return { stack, outputs, secretOutputs, endpoints, gateway, httpGateway, run, metricsStore, lambda, outputsFile, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Writes a file so that readers see the old content or the new, never a half. */
function writeFileAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}
