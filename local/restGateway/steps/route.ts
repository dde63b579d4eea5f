import { awsRequestTime } from "../../gateway/incomingRequest";
import { GatewayError } from "../gatewayError";
import { requestHeader, type GatewayRequest, type RestInvocation } from "../invocation";
import type { MethodModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";

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
  const stagePrefix = `/${model.stageName}`;
  if (request.path !== stagePrefix && !request.path.startsWith(`${stagePrefix}/`)) {
    throw new GatewayError("MISSING_AUTHENTICATION_TOKEN", `no stage ${request.path.split("/")[1] ?? ""}`);
  }
  request.path = request.path.slice(stagePrefix.length) || "/";
  const match = stage.router.match(request.path);
  const method = match && (model.methods.get(`${request.httpMethod} ${match.resourcePath}`) ?? model.methods.get(`ANY ${match.resourcePath}`));
  if (!match || !method) throw new GatewayError("MISSING_AUTHENTICATION_TOKEN", `no method for ${request.httpMethod} ${request.path}`);
  inv.method = method;
  inv.route = `${method.httpMethod} ${method.resourcePath}`;
  inv.pathParameters = match.pathParameters;
  inv.settings = stage.settingsFor(method);
  inv.context = requestContext(request, method, stage);
  inv.templateInput = {
    body: request.body.toString("utf8"),
    params: { path: match.pathParameters, querystring: request.query, header: request.headers },
    context: inv.context,
    stageVariables: model.stageVariables,
  };
}

/**
 * `$context` of a routed request (also the Lambda proxy event's `requestContext`).
 *
 * @param request - The parsed request, path already relative to the stage.
 * @param method - The matched method.
 * @param stage - The stage.
 */
export function requestContext(request: GatewayRequest, method: MethodModel, stage: StageRuntime): Record<string, unknown> {
  const time = request.startedAt;
  const { model, options } = stage;
  return {
    resourceId: method.resourceId,
    resourcePath: method.resourcePath,
    httpMethod: request.httpMethod,
    extendedRequestId: request.extendedRequestId,
    requestTime: awsRequestTime(time),
    path: `/${model.stageName}${request.path}`,
    accountId: options.accountId,
    protocol: "HTTP/1.1",
    stage: model.stageName,
    domainPrefix: model.apiId,
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
