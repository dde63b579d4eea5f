import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_ACCESS_LOG_RETENTION_DAYS, INTEGRATION_TIMEOUT_MS, logRetentionProblem, stageNameProblem, throttleProblem } from "./apigateway";
import { checkedArgs, refuse } from "./argumentErrors";
import {
  DEFAULT_BROADCAST_CONCURRENCY,
  MAX_BROADCAST_CONCURRENCY,
  createBroadcastHandler,
  createConnectAuthorizer,
  createConnectHandler,
  createDefaultHandler,
  createDirectHandler,
  createDisconnectHandler,
  createWhoamiHandler,
} from "../functions/webSocket";
import { HandlerFunction, type HandlerFunctionArgs, type PolicyStatementArgs } from "./HandlerFunction";
import { DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime } from "./lambdaRuntime";
import { functionSettingsProblem } from "./lambdaSizing";
import type { ThrottleArgs } from "./apigateway";
import { type ComponentTags, type Transform, transformed } from "./transform";

/** The Cognito pool whose ID tokens `$connect` accepts (from the `token` query parameter). */
export interface WebSocketCognitoArgs {
  /** @example pool.id */
  userPoolId: pulumi.Input<string>;
  /** The app client the ID tokens must be issued to (`aud`). */
  clientId: pulumi.Input<string>;
  /**
   * The token issuer.
   * @default `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`
   */
  issuer?: pulumi.Input<string>;
}

/** The API's stage. */
export interface WebSocketStageArgs {
  /**
   * The stage name: the last segment of the `wss://` URL and of the @connections endpoint.
   * @default "ws"
   */
  name?: string;
  /**
   * The token bucket of every route (messages and connects per second).
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  throttle?: ThrottleArgs;
  /** Days access-log events are kept. @default 30 */
  accessLogRetentionDays?: number;
}

export interface WebSocketApiArgs {
  /** @default none */
  description?: string;
  /**
   * Guards `$connect` with a REQUEST Lambda authorizer checking a Cognito ID token passed as
   * `?token=` (browsers cannot set headers on the upgrade; WebSocket APIs have no Cognito or
   * JWT authorizer type). The identity (`sub`, `email`) is stored with the connection.
   * @default none (anyone may connect)
   */
  cognito?: WebSocketCognitoArgs;
  /** @default { name: "ws", throttle: { rateLimit: 500, burstLimit: 1000 }, accessLogRetentionDays: 30 } */
  stage?: WebSocketStageArgs;
  /**
   * PostToConnection calls a broadcast keeps in flight at once, 1 to 100. A broadcast sends
   * about this many messages per round trip to the @connections endpoint, and those calls
   * count against the account's API Gateway throttle (10,000 requests/s in the Region, shared
   * by all its APIs): 100 at 10 ms round trips would take all of it. See
   * `DEFAULT_BROADCAST_CONCURRENCY` in functions/webSocket.ts.
   * @default 50
   */
  broadcastConcurrency?: number;
  /** Days the functions' log events are kept. @default 14 */
  logRetentionDays?: number;
  /** The Lambda runtime of every function of the API (`nodejs24.x` or `nodejs22.x`). @default "nodejs24.x" */
  runtime?: LambdaRuntime;
  /**
   * Tags for every taggable child: the API, its stage, the access-log group, the connections
   * table, and each function's role, function and log group (passed to the
   * {@link HandlerFunction}s), merged over the AWS provider's `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "chat", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes a child's args or options before it is created, per kind of child: args merged
   * over the component's, or a function changing them in place (given the child's name, so
   * one route among the six can be picked out). Applied last, so it can override anything the
   * component set; a merged `tags` replaces the component's tags on that child. The functions
   * are {@link HandlerFunction} components: `routeHandler` and `authorizerHandler` are their
   * own `transform`, reaching the role, function, log group and policy of each.
   * @default none
   * @example
   * transform: {
   *   connectionsTable: { pointInTimeRecovery: { enabled: true } },
   *   routeHandler: { function: { tracingConfig: { mode: "Active" } } },
   *   integration: (args, opts, name) => {
   *     if (name.endsWith("-integration-broadcast")) args.timeoutMilliseconds = 10000;
   *   },
   *   stage: (args, opts) => {
   *     opts.protect = true;
   *   },
   * }
   */
  transform?: WebSocketApiTransform;
}

/** A {@link WebSocketApi}'s children, each adjustable before it is created. */
export interface WebSocketApiTransform {
  /** The WebSocket API. */
  api?: Transform<aws.apigatewayv2.ApiArgs>;
  /** The connections table. */
  connectionsTable?: Transform<aws.dynamodb.TableArgs>;
  /** The stage's access-log group. */
  logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  /** The auto-deployed, throttled stage. */
  stage?: Transform<aws.apigatewayv2.StageArgs>;
  /** The REQUEST authorizer of `$connect` (only with `cognito`). */
  authorizer?: Transform<aws.apigatewayv2.AuthorizerArgs>;
  /** Each AWS_PROXY integration (one per route). */
  integration?: Transform<aws.apigatewayv2.IntegrationArgs>;
  /** Each route (`$connect`, `$disconnect`, `$default`, `broadcast`, `direct`, `whoami`). */
  route?: Transform<aws.apigatewayv2.RouteArgs>;
  /** Each invoke permission granted to API Gateway (one per route, and the authorizer's). */
  permission?: Transform<aws.lambda.PermissionArgs>;
  /**
   * The children of each route's function (six {@link HandlerFunction}s, named
   * `{name}-connect`, `{name}-disconnect`, `{name}-default`, `{name}-broadcast`,
   * `{name}-direct`, `{name}-whoami`).
   */
  routeHandler?: HandlerFunctionArgs["transform"];
  /** The children of the function checking the Cognito token on `$connect` (only with `cognito`). */
  authorizerHandler?: HandlerFunctionArgs["transform"];
}

/** The routes this API has; each has its own function and least-privilege role. */
export const WEBSOCKET_ROUTE_KEYS = ["$connect", "$disconnect", "$default", "broadcast", "direct", "whoami"] as const;
export type WebSocketRouteKey = (typeof WEBSOCKET_ROUTE_KEYS)[number];

/** The stage's access-log line: one JSON object per connect, message and disconnect. */
export const WEBSOCKET_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  connectionId: "$context.connectionId",
  eventType: "$context.eventType",
  routeKey: "$context.routeKey",
  status: "$context.status",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  integrationLatency: "$context.integrationLatency",
  error: "$context.error.message",
  authorizerError: "$context.authorizer.error",
});

const DEFAULT_THROTTLE: ThrottleArgs = { rateLimit: 500, burstLimit: 1000 };

interface ValidatedWebSocketSpec {
  stage: { name: string; throttle: ThrottleArgs; accessLogRetentionDays: number };
  broadcastConcurrency: number;
  runtime: LambdaRuntime;
}

/**
 * A WebSocket API (API Gateway v2) for fan-out: routes picked by `$request.body.action`
 * (`broadcast`, `direct`, `whoami`, and `$default` answering unknown actions), a connections
 * table with TTL, one least-privilege function per route, an optional Cognito check on
 * `$connect`, and a throttled stage with JSON access logs.
 */
export class WebSocketApi extends pulumi.ComponentResource {
  public readonly api: aws.apigatewayv2.Api;
  public readonly stage: aws.apigatewayv2.Stage;
  public readonly accessLogGroup: aws.cloudwatch.LogGroup;
  /** Connections by `connectionId`, with `ttl` as DynamoDB TTL attribute. */
  public readonly connectionsTable: aws.dynamodb.Table;
  /** The function of each route, by route key. */
  public readonly handlers: Record<WebSocketRouteKey, HandlerFunction>;
  public readonly routes: Record<WebSocketRouteKey, aws.apigatewayv2.Route>;
  /** The `$connect` authorizer and its function, when `cognito` is set. */
  public readonly authorizer?: { authorizer: aws.apigatewayv2.Authorizer; handler: HandlerFunction };
  /** `wss://{apiId}.execute-api.{region}.amazonaws.com/{stage}` */
  public readonly websocketUrl: pulumi.Output<string>;
  /** `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`: where @connections calls go. */
  public readonly managementEndpoint: pulumi.Output<string>;
  public readonly connectionsTableName: pulumi.Output<string>;
  public readonly apiId: pulumi.Output<string>;
  public readonly executionArn: pulumi.Output<string>;

  constructor(name: string, args: WebSocketApiArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:WebSocketApi", name, {}, opts);
    const spec = checkedArgs(this, () => validateWebSocketApiArgs(args));
    const transform = args.transform ?? {};

    this.api = new aws.apigatewayv2.Api(
      ...transformed(
        transform.api,
        `${name}-api`,
        { protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action", description: args.description, tags: args.tags },
        { parent: this },
      ),
    );
    this.connectionsTable = createConnectionsTable(this, name, args);
    this.handlers = createHandlers(this, name, this.api, this.connectionsTable, spec, args);
    this.authorizer = args.cognito ? createAuthorizer(this, name, this.api, args.cognito, spec.runtime, args) : undefined;
    this.routes = createRoutes(this, name, this.api, this.handlers, this.authorizer?.authorizer, transform);
    this.accessLogGroup = new aws.cloudwatch.LogGroup(
      ...transformed(
        transform.logGroup,
        `${name}-access-logs`,
        {
          name: pulumi.interpolate`/aws/apigateway/${this.api.name}/${spec.stage.name}/access`,
          retentionInDays: spec.stage.accessLogRetentionDays,
          tags: args.tags,
        },
        { parent: this },
      ),
    );
    this.stage = new aws.apigatewayv2.Stage(
      ...transformed(
        transform.stage,
        `${name}-stage`,
        {
          apiId: this.api.id,
          name: spec.stage.name,
          autoDeploy: true,
          defaultRouteSettings: { throttlingRateLimit: spec.stage.throttle.rateLimit, throttlingBurstLimit: spec.stage.throttle.burstLimit },
          accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: WEBSOCKET_ACCESS_LOG_FORMAT },
          tags: args.tags,
        },
        { parent: this, dependsOn: Object.values(this.routes) },
      ),
    );

    this.websocketUrl = this.stage.invokeUrl.apply((u) => u.replace(/\/+$/, ""));
    // The management API is the same host and stage over HTTPS (ws:// -> http:// locally).
    this.managementEndpoint = this.websocketUrl.apply((u) => u.replace(/^ws(s?):/, "http$1:"));
    this.connectionsTableName = this.connectionsTable.name;
    this.apiId = this.api.id;
    this.executionArn = this.api.executionArn;
    this.registerOutputs({
      websocketUrl: this.websocketUrl,
      managementEndpoint: this.managementEndpoint,
      connectionsTableName: this.connectionsTableName,
      apiId: this.apiId,
    });
  }
}

/** Checks the arguments before any resource exists; throws naming the field. */
export function validateWebSocketApiArgs(args: WebSocketApiArgs): ValidatedWebSocketSpec {
  const stage = args.stage ?? {};
  const stageName = stage.name ?? "ws";
  refuse(stageNameProblem(stageName, "stage.name"));
  const throttle = stage.throttle ?? DEFAULT_THROTTLE;
  refuse(throttleProblem(throttle, "stage.throttle"));
  const retention = stage.accessLogRetentionDays ?? DEFAULT_ACCESS_LOG_RETENTION_DAYS;
  refuse(logRetentionProblem(retention, "stage.accessLogRetentionDays"));
  const concurrency = args.broadcastConcurrency ?? DEFAULT_BROADCAST_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_BROADCAST_CONCURRENCY) {
    throw new Error(`broadcastConcurrency must be an integer from 1 to ${MAX_BROADCAST_CONCURRENCY} (got ${concurrency})`);
  }
  if (args.cognito !== undefined) {
    if (!args.cognito.userPoolId) throw new Error("cognito.userPoolId is required when cognito is set");
    if (!args.cognito.clientId) throw new Error("cognito.clientId is required when cognito is set");
  }
  const runtime = args.runtime ?? DEFAULT_LAMBDA_RUNTIME;
  refuse(functionSettingsProblem({ runtime, logRetentionDays: args.logRetentionDays }, ""));
  return { stage: { name: stageName, throttle, accessLogRetentionDays: retention }, broadcastConcurrency: concurrency, runtime };
}

// ---------------------------------------------------------------------------------------------
// Resource creation steps.

function createConnectionsTable(parent: pulumi.Resource, name: string, args: WebSocketApiArgs): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
    ...transformed(
      args.transform?.connectionsTable,
      `${name}-connections`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: "connectionId",
        attributes: [{ name: "connectionId", type: "S" }],
        // Records whose $disconnect never came (API Gateway sends it best effort) expire.
        ttl: { attributeName: "ttl", enabled: true },
        tags: args.tags,
      },
      { parent },
    ),
  );
}

function createHandlers(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  table: aws.dynamodb.Table,
  spec: ValidatedWebSocketSpec,
  args: WebSocketApiArgs,
): Record<WebSocketRouteKey, HandlerFunction> {
  const tableActions = (...actions: string[]): PolicyStatementArgs => ({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.arn] });
  // PostToConnection only, on this API's stage: the handlers never GET or DELETE connections.
  const postToConnections: PolicyStatementArgs = {
    actions: ["execute-api:ManageConnections"],
    resources: [pulumi.interpolate`${api.executionArn}/${spec.stage.name}/POST/@connections/*`],
  };
  const environment = { CONNECTIONS_TABLE: table.name };
  const handler = (slug: string, description: string, fn: Pick<HandlerFunctionArgs, "handlerFactory" | "policyStatements" | "environment">) =>
    new HandlerFunction(
      `${name}-${slug}`,
      {
        description: `${name}: ${description}`,
        runtime: spec.runtime,
        memorySize: 256,
        timeoutSeconds: 29,
        logRetentionDays: args.logRetentionDays,
        tags: args.tags,
        transform: args.transform?.routeHandler,
        ...fn,
      },
      { parent },
    );

  return {
    $connect: handler("connect", "stores a connection", {
      handlerFactory: createConnectHandler,
      environment,
      policyStatements: [tableActions("PutItem")],
    }),
    $disconnect: handler("disconnect", "forgets a connection", {
      handlerFactory: createDisconnectHandler,
      environment,
      policyStatements: [tableActions("DeleteItem")],
    }),
    $default: handler("default", "answers unknown actions", {
      handlerFactory: createDefaultHandler,
      policyStatements: [postToConnections],
    }),
    broadcast: handler("broadcast", "sends a message to every other connection", {
      handlerFactory: createBroadcastHandler,
      environment: { ...environment, BROADCAST_CONCURRENCY: String(spec.broadcastConcurrency) },
      policyStatements: [tableActions("Scan", "DeleteItem"), postToConnections],
    }),
    direct: handler("direct", "sends a message to one connection", {
      handlerFactory: createDirectHandler,
      environment,
      policyStatements: [tableActions("DeleteItem"), postToConnections],
    }),
    whoami: handler("whoami", "answers the caller's connection id", {
      handlerFactory: createWhoamiHandler,
      policyStatements: [postToConnections],
    }),
  };
}

function createAuthorizer(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  cognito: WebSocketCognitoArgs,
  runtime: LambdaRuntime,
  args: WebSocketApiArgs,
): { authorizer: aws.apigatewayv2.Authorizer; handler: HandlerFunction } {
  const handler = new HandlerFunction(
    `${name}-authorizer`,
    {
      description: `${name}: checks the Cognito ID token of $connect`,
      handlerFactory: createConnectAuthorizer,
      environment: {
        USER_POOL_ID: cognito.userPoolId,
        USER_POOL_CLIENT_ID: cognito.clientId,
        ...(cognito.issuer ? { COGNITO_ISSUER: cognito.issuer } : {}),
      },
      packages: ["aws-jwt-verify"],
      runtime,
      memorySize: 256,
      timeoutSeconds: 10,
      logRetentionDays: args.logRetentionDays,
      tags: args.tags,
      transform: args.transform?.authorizerHandler,
    },
    { parent },
  );
  const authorizer = new aws.apigatewayv2.Authorizer(
    ...transformed(
      args.transform?.authorizer,
      `${name}-authorizer`,
      {
        apiId: api.id,
        name: `${name}-cognito`,
        authorizerType: "REQUEST",
        authorizerUri: handler.function.invokeArn,
        // A missing token is refused with 401 by API Gateway, without invoking the function.
        identitySources: ["route.request.querystring.token"],
      },
      { parent },
    ),
  );
  new aws.lambda.Permission(
    ...transformed(
      args.transform?.permission,
      `${name}-invoke-authorizer`,
      {
        action: "lambda:InvokeFunction",
        function: handler.function.name,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${authorizer.id}`,
      },
      { parent },
    ),
  );
  return { authorizer, handler };
}

function createRoutes(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  handlers: Record<WebSocketRouteKey, HandlerFunction>,
  authorizer: aws.apigatewayv2.Authorizer | undefined,
  transform: WebSocketApiTransform,
): Record<WebSocketRouteKey, aws.apigatewayv2.Route> {
  const routes = {} as Record<WebSocketRouteKey, aws.apigatewayv2.Route>;
  for (const routeKey of WEBSOCKET_ROUTE_KEYS) {
    const fn = handlers[routeKey].function;
    const slug = routeKey.replace(/^\$/, "");
    const integration = new aws.apigatewayv2.Integration(
      ...transformed(
        transform.integration,
        `${name}-integration-${slug}`,
        {
          apiId: api.id,
          integrationType: "AWS_PROXY",
          integrationMethod: "POST",
          integrationUri: fn.invokeArn,
          // WebSocket integrations allow 50..29,000 ms.
          timeoutMilliseconds: INTEGRATION_TIMEOUT_MS.default,
        },
        { parent },
      ),
    );
    const guarded = routeKey === "$connect" && authorizer !== undefined;
    routes[routeKey] = new aws.apigatewayv2.Route(
      ...transformed(
        transform.route,
        `${name}-route-${slug}`,
        {
          apiId: api.id,
          routeKey,
          target: pulumi.interpolate`integrations/${integration.id}`,
          // Only $connect can carry an authorizer on a WebSocket API.
          authorizationType: guarded ? "CUSTOM" : "NONE",
          authorizerId: guarded ? authorizer!.id : undefined,
        },
        { parent },
      ),
    );
    new aws.lambda.Permission(
      ...transformed(
        transform.permission,
        `${name}-invoke-${slug}`,
        {
          action: "lambda:InvokeFunction",
          function: fn.name,
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/${routeKey}`,
        },
        { parent },
      ),
    );
  }
  return routes;
}
