import { GatewayError } from "../gatewayError";
import { requestHeader, type RestInvocation } from "../invocation";
import type { AuthorizerModel, MethodModel } from "../restApiModel";
import type { StageRuntime } from "../stageRuntime";

/**
 * Step 3, authorize: a Lambda authorizer (TOKEN / REQUEST) or a Cognito user pool, for the
 * methods that have one. Fills `$context.authorizer` (and `inv.authorized` for a Lambda
 * authorizer's Allow, whose usage identifier key may be the API key).
 *
 * @param inv - The invocation; routed.
 * @param stage - The stage being served.
 */
export function authorize(inv: RestInvocation, stage: StageRuntime): Promise<void> | void {
  const method = inv.method!;
  // Most methods have no authorizer: no promise for them (every request passes here).
  if (method.authorization !== "CUSTOM" && method.authorization !== "COGNITO_USER_POOLS") return;
  const authorizer = method.authorizerId ? stage.model.authorizers.get(method.authorizerId) : undefined;
  if (!authorizer) throw new GatewayError("API_CONFIGURATION_ERROR", `${inv.route}: authorizer ${method.authorizerId} is not part of the API`);
  if (method.authorization === "COGNITO_USER_POOLS") return authorizeWithCognito(inv, stage, method, authorizer);
  return authorizeWithLambda(inv, stage, authorizer);
}

async function authorizeWithCognito(inv: RestInvocation, stage: StageRuntime, method: MethodModel, authorizer: AuthorizerModel): Promise<void> {
  const source = authorizer.identitySource.replace(/^method\.request\.header\./, "");
  // The gateway refuses to start when a method needs Cognito and no checker was given.
  const result = await stage.options.cognito!.authorize(authorizer, requestHeader(inv.request, source), method.authorizationScopes);
  if (!result.ok) throw new GatewayError("UNAUTHORIZED", `${authorizer.name}: token refused`);
  // Claims reach integrations as strings.
  inv.context.authorizer = { claims: Object.fromEntries(Object.entries(result.claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)])) };
}

async function authorizeWithLambda(inv: RestInvocation, stage: StageRuntime, authorizer: AuthorizerModel): Promise<void> {
  const { request } = inv;
  const outcome = await stage.lambdaAuthorizers.authorize(authorizer, {
    methodArn: stage.methodArn(request.httpMethod, request.path),
    headers: request.headers,
    multiValueHeaders: request.multiValueHeaders,
    queryStringParameters: request.query,
    multiValueQueryStringParameters: request.multiValueQuery,
    pathParameters: inv.pathParameters,
    stageVariables: stage.model.stageVariables,
    requestContext: inv.context,
    resource: inv.method!.resourcePath,
    path: request.domainPath ?? request.path,
    httpMethod: request.httpMethod,
  });
  switch (outcome.kind) {
    case "unauthorized":
      throw new GatewayError("UNAUTHORIZED", `${authorizer.name}: Unauthorized`);
    case "denied":
      throw new GatewayError("ACCESS_DENIED", `${authorizer.name}: no Allow for the method`);
    case "denied-explicit":
      throw new GatewayError("ACCESS_DENIED", `${authorizer.name}: explicit Deny`, { message: "User is not authorized to access this resource with an explicit deny" });
    case "error":
      throw new GatewayError("AUTHORIZER_CONFIGURATION_ERROR", `authorizer ${authorizer.name}: ${outcome.detail}`);
    default:
      inv.authorized = outcome;
      // $context.authorizer.* in templates, requestContext.authorizer for proxies. The policy's
      // principalId wins over a context key of that name: a context cannot impersonate.
      inv.context.authorizer = { ...outcome.context, principalId: outcome.principalId };
  }
}
