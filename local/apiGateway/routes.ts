/**
 * The operations the local API Gateway control plane answers, by method and path as the API
 * model binds them (what `@aws-sdk/client-api-gateway` and the AWS CLI send), and the
 * matching of a request to one of them.
 */
import { createApiKey, deleteApiKey, getApiKey, getApiKeys, updateApiKey } from "./apiKeyOperations";
import { badRequest, MESSAGES, notFound, unknownOperation } from "./apiGatewayErrors";
import type { Operation } from "./operation";
import { getTags, tagResource, untagResource } from "./tagOperations";
import { getUsage } from "./usageOperations";
import { createUsagePlanKey, deleteUsagePlanKey, getUsagePlanKey, getUsagePlanKeys } from "./usagePlanKeyOperations";
import { getUsagePlan, getUsagePlans } from "./usagePlanOperations";

/**
 * FlushStageCache (`DELETE /restapis/{restApiId}/stages/{stageName}/cache/data`, 202, an
 * empty body); AWS answers an unknown API as it does an unknown stage.
 */
const flushStageCache: Operation = (control, { params }) => {
  if (!control.flush(params.restApiId, params.stageName)) throw notFound(MESSAGES.invalidStage);
  return { status: 202 };
};

/** One operation's binding; `{name+}` takes the rest of the path (an ARN with its slashes, if sent unencoded). */
interface Route {
  name: string;
  method: string;
  path: string;
  operation: Operation;
}

/** Every operation answered, by method and path (the API model's bindings). */
export const ROUTES: Route[] = [
  { name: "FlushStageCache", method: "DELETE", path: "/restapis/{restApiId}/stages/{stageName}/cache/data", operation: flushStageCache },
  { name: "CreateApiKey", method: "POST", path: "/apikeys", operation: createApiKey },
  { name: "GetApiKeys", method: "GET", path: "/apikeys", operation: getApiKeys },
  { name: "GetApiKey", method: "GET", path: "/apikeys/{apiKey}", operation: getApiKey },
  { name: "UpdateApiKey", method: "PATCH", path: "/apikeys/{apiKey}", operation: updateApiKey },
  { name: "DeleteApiKey", method: "DELETE", path: "/apikeys/{apiKey}", operation: deleteApiKey },
  { name: "GetUsagePlans", method: "GET", path: "/usageplans", operation: getUsagePlans },
  { name: "GetUsagePlan", method: "GET", path: "/usageplans/{usagePlanId}", operation: getUsagePlan },
  { name: "CreateUsagePlanKey", method: "POST", path: "/usageplans/{usagePlanId}/keys", operation: createUsagePlanKey },
  { name: "GetUsagePlanKeys", method: "GET", path: "/usageplans/{usagePlanId}/keys", operation: getUsagePlanKeys },
  { name: "GetUsagePlanKey", method: "GET", path: "/usageplans/{usagePlanId}/keys/{keyId}", operation: getUsagePlanKey },
  { name: "DeleteUsagePlanKey", method: "DELETE", path: "/usageplans/{usagePlanId}/keys/{keyId}", operation: deleteUsagePlanKey },
  { name: "GetUsage", method: "GET", path: "/usageplans/{usagePlanId}/usage", operation: getUsage },
  { name: "GetTags", method: "GET", path: "/tags/{resourceArn+}", operation: getTags },
  { name: "TagResource", method: "PUT", path: "/tags/{resourceArn+}", operation: tagResource },
  { name: "UntagResource", method: "DELETE", path: "/tags/{resourceArn+}", operation: untagResource },
];

/** A request matched to its operation, with the path's parameters decoded. */
export interface MatchedRoute {
  name: string;
  operation: Operation;
  params: Record<string, string>;
}

/**
 * The operation a request names. One trailing `/` is allowed. ImportApiKeys
 * (`POST /apikeys?mode=import`) is no operation here.
 *
 * @param method - The HTTP method.
 * @param rawPath - The path as sent, still %-encoded.
 * @param query - The query, for the operations told apart by it.
 * @throws ApiGatewayError UnknownOperationException for no operation, BadRequestException for
 * a parameter whose %-encoding does not decode
 */
export function routeOf(method: string, rawPath: string, query: URLSearchParams): MatchedRoute {
  const segments = rawPath.replace(/(.)\/$/, "$1").split("/").slice(1);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const params = paramsOf(route.path.split("/").slice(1), segments);
    if (!params) continue;
    if (route.name === "CreateApiKey" && query.get("mode") === "import") break;
    return { name: route.name, operation: route.operation, params: decoded(params) };
  }
  throw unknownOperation();
}

/** The raw parameters of a path matching the pattern; undefined when it does not match. */
function paramsOf(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const name = /^\{(\w+)(\+?)\}$/.exec(part);
    if (name?.[2] === "+") {
      if (segments.length <= i || segments.slice(i).join("/") === "") return undefined;
      params[name[1]] = segments.slice(i).join("/");
      return params;
    }
    if (i >= segments.length) return undefined;
    if (name) {
      if (segments[i] === "") return undefined;
      params[name[1]] = segments[i];
    } else if (part !== segments[i]) return undefined;
  }
  return segments.length === pattern.length ? params : undefined;
}

function decoded(params: Record<string, string>): Record<string, string> {
  try {
    return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, decodeURIComponent(value)]));
  } catch {
    throw badRequest(MESSAGES.invalidPathEncoding);
  }
}
