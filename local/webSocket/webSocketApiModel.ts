import type { RecordedResource, ResourceGraph } from "../controlPlane";
import { lambdaArnFromUri } from "../httpGateway/httpApiModel";
import { INTEGRATION_TIMEOUT_MS } from "../../components/apigateway";
import { apiStages, childrenOfApi } from "../gateway/apiStages";

/** One route of a WebSocket API: `$connect`, `$disconnect`, `$default` or a custom key. */
export interface WebSocketRouteModel {
  routeKey: string;
  /** The function of its AWS_PROXY integration; undefined for a route without one. */
  functionArn?: string;
  /** @default 29000, AWS's maximum for WebSocket integrations */
  timeoutMs: number;
  /** `CUSTOM` (a REQUEST Lambda authorizer) is only allowed on `$connect`. */
  authorizationType: "NONE" | "CUSTOM" | "AWS_IAM";
  authorizerId?: string;
  /** When set (`$default`), the integration's result body is sent back to the caller. */
  routeResponseSelectionExpression?: string;
}

/** A REQUEST Lambda authorizer of the `$connect` route. */
export interface WebSocketAuthorizerModel {
  id: string;
  name: string;
  functionArn?: string;
  /** `route.request.querystring.<name>` / `route.request.header.<name>`; every one must be present. */
  identitySources: string[];
}

/** A WebSocket API and one of its stages, as deployed: what the local WebSocket gateway serves. */
export interface WebSocketApiModel {
  apiId: string;
  name: string;
  stageName: string;
  /** @example "$request.body.action" */
  routeSelectionExpression: string;
  /** Routes by route key. */
  routes: Map<string, WebSocketRouteModel>;
  /** Authorizers by id. */
  authorizers: Map<string, WebSocketAuthorizerModel>;
  /** The stage's defaultRouteSettings throttle. */
  throttle: { rateLimit?: number; burstLimit?: number };
}

const T = {
  api: "aws:apigatewayv2/api:Api",
  stage: "aws:apigatewayv2/stage:Stage",
  route: "aws:apigatewayv2/route:Route",
  integration: "aws:apigatewayv2/integration:Integration",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
};

/** Reads every WebSocket API stage out of the recorded resources (HTTP APIs are left out). */
export function webSocketApiModels(graph: ResourceGraph): WebSocketApiModel[] {
  return apiStages(graph, { api: T.api, stage: T.stage, apiInput: "apiId" }, (api) => api.inputs.protocolType === "WEBSOCKET").map(({ api, stage }) =>
    buildModel(graph, api, stage),
  );
}

function buildModel(graph: ResourceGraph, api: RecordedResource, stage: RecordedResource): WebSocketApiModel {
  const apiId = api.id as string;
  const ofApi = (type: string) => childrenOfApi(graph, apiId, type, "apiId");
  const integrations = new Map(ofApi(T.integration).map((i) => [i.id as string, i]));

  const routes = new Map<string, WebSocketRouteModel>();
  for (const route of ofApi(T.route)) {
    const routeKey = route.inputs.routeKey as string;
    const target = route.inputs.target as string | undefined;
    let functionArn: string | undefined;
    let timeoutMs: number = INTEGRATION_TIMEOUT_MS.default;
    if (target) {
      const integration = integrations.get(/^integrations\/(.+)$/.exec(target)?.[1] ?? "");
      if (!integration) throw new Error(`route ${routeKey} of WebSocket API ${apiId}: target "${target}" is not an integration of the API`);
      if (integration.inputs.integrationType !== "AWS_PROXY") {
        throw new Error(`route ${routeKey} of WebSocket API ${apiId}: the local gateway serves AWS_PROXY integrations only (got ${integration.inputs.integrationType})`);
      }
      functionArn = typeof integration.inputs.integrationUri === "string" ? lambdaArnFromUri(integration.inputs.integrationUri) : undefined;
      timeoutMs = integration.inputs.timeoutMilliseconds ?? INTEGRATION_TIMEOUT_MS.default;
    }
    routes.set(routeKey, {
      routeKey,
      functionArn,
      timeoutMs,
      authorizationType: route.inputs.authorizationType ?? "NONE",
      authorizerId: route.inputs.authorizerId,
      routeResponseSelectionExpression: route.inputs.routeResponseSelectionExpression,
    });
  }

  const authorizers = new Map<string, WebSocketAuthorizerModel>(
    ofApi(T.authorizer)
      .filter((a) => a.inputs.authorizerType === "REQUEST")
      .map((a) => [
        a.id as string,
        {
          id: a.id as string,
          name: a.inputs.name ?? a.name,
          functionArn: typeof a.inputs.authorizerUri === "string" ? lambdaArnFromUri(a.inputs.authorizerUri) : undefined,
          identitySources: a.inputs.identitySources ?? [],
        },
      ]),
  );

  const defaults = stage.inputs.defaultRouteSettings ?? {};
  return {
    apiId,
    name: api.state.name ?? api.name,
    stageName: stage.inputs.name,
    routeSelectionExpression: api.inputs.routeSelectionExpression ?? "$request.body.action",
    routes,
    authorizers,
    throttle: { rateLimit: defaults.throttlingRateLimit, burstLimit: defaults.throttlingBurstLimit },
  };
}
