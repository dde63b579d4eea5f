import type { ProviderProperties, RecordedResource, ResourceGraph } from "../controlPlane";
import { accessLogFormatOf, functionArnFromUri } from "../restGateway/restApiModel";
import { DEFAULT_HTTP_API_IDENTITY_SOURCE, HTTP_API_INTEGRATION_TIMEOUT_MS } from "../../components/apigateway";
import { apiStages, childrenOfApi } from "../gateway/apiStages";

/** A Lambda proxy integration of an HTTP API. */
export interface HttpIntegrationModel {
  id: string;
  /** `AWS_PROXY` for Lambda; the gateway refuses the others. */
  type: string;
  /** The function's ARN, read from the integration URI (an invoke ARN or the ARN itself). */
  functionArn?: string;
  payloadFormatVersion: "1.0" | "2.0";
  /** @default 30000, AWS's default (and maximum) for HTTP APIs */
  timeoutMs: number;
}

/** One route: `METHOD /path` (method may be ANY) or `$default`. */
export interface HttpRouteModel {
  routeKey: string;
  /** `GET`, ..., `ANY`; `$default` for the default route. */
  method: string;
  /** The path with parameters; undefined for `$default`. */
  path?: string;
  integration?: HttpIntegrationModel;
  authorizationType: "NONE" | "JWT" | "AWS_IAM" | "CUSTOM";
  authorizerId?: string;
  /** Scopes one of which the token must carry; empty = none required. */
  authorizationScopes: string[];
}

export interface JwtAuthorizerModel {
  id: string;
  name: string;
  issuer: string;
  audiences: string[];
  /** `$request.header.<name>` or `$request.querystring.<name>`. */
  identitySource: string;
}

/** The API's corsConfiguration, with AWS's empty defaults. */
export interface HttpCorsModel {
  allowOrigins: string[];
  allowHeaders: string[];
  allowMethods: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAgeSeconds?: number;
}

/** A token bucket's limits; a limit left out is not enforced. */
export interface HttpThrottleModel {
  rateLimit?: number;
  burstLimit?: number;
}

/** An HTTP API and one of its stages, as deployed: what the local HTTP gateway serves. */
export interface HttpApiModel {
  apiId: string;
  name: string;
  /** `$default` (served at the root) or a name (the first path segment). */
  stageName: string;
  stageVariables: Record<string, string>;
  /** Routes by route key, `$default` included. */
  routes: Map<string, HttpRouteModel>;
  /** JWT authorizers by id. */
  authorizers: Map<string, JwtAuthorizerModel>;
  cors?: HttpCorsModel;
  /** The stage's defaultRouteSettings throttle (each route has its own bucket). */
  defaultThrottle: HttpThrottleModel;
  /** The stage's routeSettings throttles by route key, over the default. */
  routeThrottles: Record<string, HttpThrottleModel>;
  /**
   * The stage's `accessLogSettings.format`: the `$context` variables of one access-log line.
   * @default none: the stage declares no access log (the local cloud then writes the console's CLF)
   */
  accessLogFormat?: string;
}

const T = {
  api: "aws:apigatewayv2/api:Api",
  stage: "aws:apigatewayv2/stage:Stage",
  route: "aws:apigatewayv2/route:Route",
  integration: "aws:apigatewayv2/integration:Integration",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
};

/** Reads every HTTP API stage out of the recorded resources (WebSocket APIs are left out). */
export function httpApiModels(graph: ResourceGraph): HttpApiModel[] {
  return apiStages(graph, { api: T.api, stage: T.stage, apiInput: "apiId" }, (api) => (api.inputs.protocolType ?? "HTTP") === "HTTP").map(({ api, stage }) =>
    buildModel(graph, api, stage),
  );
}

function buildModel(graph: ResourceGraph, api: RecordedResource, stage: RecordedResource): HttpApiModel {
  const apiId = api.id as string;
  const ofApi = (type: string) => childrenOfApi(graph, apiId, type, "apiId");

  const integrations = new Map<string, HttpIntegrationModel>(
    ofApi(T.integration).map((i) => [
      i.id as string,
      {
        id: i.id as string,
        type: i.inputs.integrationType,
        functionArn: typeof i.inputs.integrationUri === "string" ? lambdaArnFromUri(i.inputs.integrationUri) : undefined,
        // The provider's default, as for any integration created without one.
        payloadFormatVersion: i.inputs.payloadFormatVersion === "2.0" ? "2.0" : "1.0",
        timeoutMs: i.inputs.timeoutMilliseconds ?? HTTP_API_INTEGRATION_TIMEOUT_MS.default,
      },
    ]),
  );

  const routes = new Map<string, HttpRouteModel>();
  for (const route of ofApi(T.route)) {
    const routeKey = route.inputs.routeKey as string;
    const target = route.inputs.target as string | undefined;
    let integration: HttpIntegrationModel | undefined;
    if (target) {
      const integrationId = /^integrations\/(.+)$/.exec(target)?.[1];
      integration = integrationId ? integrations.get(integrationId) : undefined;
      if (!integration) throw new Error(`route ${routeKey} of API ${apiId}: target "${target}" is not an integration of the API`);
    }
    const [method, path] = routeKey === "$default" ? ["$default", undefined] : splitRouteKey(routeKey, apiId);
    routes.set(routeKey, {
      routeKey,
      method,
      path,
      integration,
      authorizationType: route.inputs.authorizationType ?? "NONE",
      authorizerId: route.inputs.authorizerId,
      authorizationScopes: route.inputs.authorizationScopes ?? [],
    });
  }

  const authorizers = new Map<string, JwtAuthorizerModel>(
    ofApi(T.authorizer)
      .filter((a) => a.inputs.authorizerType === "JWT")
      .map((a) => [
        a.id as string,
        {
          id: a.id as string,
          name: a.inputs.name ?? a.name,
          issuer: a.inputs.jwtConfiguration?.issuer ?? "",
          audiences: a.inputs.jwtConfiguration?.audiences ?? [],
          identitySource: a.inputs.identitySources?.[0] ?? DEFAULT_HTTP_API_IDENTITY_SOURCE,
        },
      ]),
  );

  const cors = api.inputs.corsConfiguration as ProviderProperties | undefined;
  const defaults = stage.inputs.defaultRouteSettings ?? {};
  const routeThrottles: Record<string, HttpThrottleModel> = {};
  for (const setting of stage.inputs.routeSettings ?? []) {
    routeThrottles[setting.routeKey] = { rateLimit: setting.throttlingRateLimit, burstLimit: setting.throttlingBurstLimit };
  }

  return {
    apiId,
    name: api.state.name ?? api.name,
    stageName: stage.inputs.name ?? "$default",
    stageVariables: stage.inputs.stageVariables ?? {},
    routes,
    authorizers,
    cors: cors
      ? {
          allowOrigins: cors.allowOrigins ?? [],
          allowHeaders: cors.allowHeaders ?? [],
          allowMethods: cors.allowMethods ?? [],
          exposeHeaders: cors.exposeHeaders ?? [],
          allowCredentials: cors.allowCredentials ?? false,
          maxAgeSeconds: cors.maxAge,
        }
      : undefined,
    defaultThrottle: { rateLimit: defaults.throttlingRateLimit, burstLimit: defaults.throttlingBurstLimit },
    routeThrottles,
    accessLogFormat: accessLogFormatOf(stage),
  };
}

/** `GET /users/{id}` -> ["GET", "/users/{id}"] */
function splitRouteKey(routeKey: string, apiId: string): [string, string] {
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  if (!match) throw new Error(`route key "${routeKey}" of API ${apiId} is not "METHOD /path" or "$default"`);
  return [match[1], match[2]];
}

/** HTTP API Lambda integrations take the function ARN or its invoke ARN. */
export function lambdaArnFromUri(uri: string): string | undefined {
  if (/^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:[^/]+$/.test(uri)) return uri;
  return functionArnFromUri(uri);
}
