import { domainPrefixOf } from "../../gateway/domainRequests";
import { withEdgeViewerHeaders } from "../../gateway/headers";
import { awsRequestTime } from "../../gateway/incomingRequest";
import { pooledRandom } from "../../randomPool";
import { GatewayError } from "../gatewayError";
import { requestHeader, type GatewayRequest, type RestInvocation } from "../invocation";
import type { MethodModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";
import { headerMaps } from "./parse";

/**
 * Step 2, route: the stage, then the resource and method the request is for (a method missing
 * on the resource falls back to its ANY method). Fills the method, path parameters, `$context`
 * and the template input. An unknown stage, resource or method is MISSING_AUTHENTICATION_TOKEN
 * (AWS answers 403, not 404 or 405).
 *
 * @param inv - The invocation; `request` is set.
 * @param stage - The stage being served.
 */
export function route(inv: RestInvocation, stage: StageRuntime): void {
  const { request } = inv;
  const { model } = stage;
  const paths = stagePaths(request.requestPath, model.stageName);
  if (!paths) throw new GatewayError("MISSING_AUTHENTICATION_TOKEN", `no stage in ${request.requestPath}`);
  request.path = paths.path;
  if (model.endpointType === "EDGE") addEdgeViewerHeaders(request);
  const hasMethod = (resourcePath: string) => model.methods.has(`${request.httpMethod} ${resourcePath}`) || model.methods.has(`ANY ${resourcePath}`);
  const match = stage.router.match(request.path, hasMethod);
  const method = match && (model.methods.get(`${request.httpMethod} ${match.resourcePath}`) ?? model.methods.get(`ANY ${match.resourcePath}`));
  if (!match || !method) throw new GatewayError("MISSING_AUTHENTICATION_TOKEN", `no method for ${request.httpMethod} ${request.path}`);
  inv.method = method;
  inv.route = `${method.httpMethod} ${method.resourcePath}`;
  inv.pathParameters = match.pathParameters;
  inv.settings = stage.settingsFor(method);
  inv.context = requestContext(request, method, stage, request.domainPath ?? paths.contextPath);
  inv.templateInput = {
    body: request.body.toString("utf8"),
    params: { path: match.pathParameters, querystring: request.query, header: request.headers },
    context: inv.context,
    stageVariables: model.stageVariables,
  };
}

/** An EDGE API's requests arrive through CloudFront, with its headers (local/gateway/headers.ts). */
function addEdgeViewerHeaders(request: GatewayRequest): void {
  request.headerPairs = withEdgeViewerHeaders(request.headerPairs, request.client, pooledRandom(40, "base64"));
  Object.assign(request, headerMaps(request.headerPairs));
}

/**
 * The paths of a request to a stage, as AWS reports them (recorded: LocalStack
 * test_apigateway_lambda.py::test_lambda_aws_proxy_integration, 2024-08-02): slashes before
 * the stage are dropped (`//stage/x` is `/stage/x`); `path` (the proxy event's) drops the
 * slashes right after the stage but keeps inner and trailing ones (`/stage//x` -> `/x`,
 * `/stage/a//b/` -> `/a//b/`); `$context.path` keeps the request's own (`/stage//x`).
 * Undefined when the path is not under the stage.
 *
 * @param requestPath - The raw path as requested, query string excluded.
 * @param stageName - The stage served.
 */
export function stagePaths(requestPath: string, stageName: string): { path: string; contextPath: string } | undefined {
  const prefix = `/${stageName}`;
  // The usual `/stage/...` without repeated slashes: both paths at once.
  if (requestPath.startsWith(`${prefix}/`) && requestPath.charCodeAt(prefix.length + 1) !== 47) {
    return { path: requestPath.slice(prefix.length), contextPath: requestPath };
  }
  const fromRoot = requestPath.replace(/^\/+/, "/");
  if (fromRoot !== prefix && !fromRoot.startsWith(`${prefix}/`)) return undefined;
  const afterStage = fromRoot.slice(prefix.length);
  return { path: `/${afterStage.replace(/^\/+/, "")}`, contextPath: `${prefix}${afterStage}` };
}

/**
 * `$context` of a routed request (also the Lambda proxy event's `requestContext`).
 *
 * @param request - The parsed request, path already relative to the stage.
 * @param method - The matched method.
 * @param stage - The stage.
 * @param contextPath - `$context.path`: the stage and the path as requested.
 */
export function requestContext(request: GatewayRequest, method: MethodModel, stage: StageRuntime, contextPath: string): Record<string, unknown> {
  const time = request.startedAt;
  const { model, options } = stage;
  return {
    resourceId: method.resourceId,
    resourcePath: method.resourcePath,
    httpMethod: request.httpMethod,
    extendedRequestId: request.extendedRequestId,
    requestTime: awsRequestTime(time),
    path: contextPath,
    accountId: options.accountId,
    deploymentId: model.deploymentId,
    protocol: "HTTP/1.1",
    stage: model.stageName,
    domainPrefix: request.domainPath === undefined ? model.apiId : domainPrefixOf(requestHeader(request, "host") ?? ""),
    requestTimeEpoch: time.getTime(),
    requestId: request.requestId,
    identity: {
      cognitoIdentityPoolId: null,
      accountId: null,
      cognitoIdentityId: null,
      caller: null,
      sourceIp: request.sourceIp,
      principalOrgId: null,
      accessKey: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: null,
      userAgent: requestHeader(request, "user-agent") ?? "",
      user: null,
    },
    domainName: requestHeader(request, "host") ?? "127.0.0.1",
    apiId: model.apiId,
  };
}
