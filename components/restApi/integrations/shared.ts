/** What the renderers share: invoking Lambda, mapping cache keys through, mapped responses. */
import type { CorsPolicy } from "../../cors";
import { corsResponseMapping } from "../cors";
import { type RouteResponse, headerMappings } from "../responses";
import type { IntegrationResponseSpec, LambdaIntegrationSpec, LambdaProxyIntegrationSpec } from "../spec";
import type { IntegrationRequest } from "./types";

/**
 * How API Gateway calls a Lambda function: always with POST, whatever the client's method.
 *
 * @param integration - A Lambda (proxy or not) integration.
 */
export function lambdaInvocation(integration: LambdaProxyIntegrationSpec | LambdaIntegrationSpec): Pick<IntegrationRequest, "integrationHttpMethod" | "uri" | "timeoutMilliseconds"> {
  return { integrationHttpMethod: "POST", uri: integration.function.invokeArn, timeoutMilliseconds: integration.timeoutMilliseconds };
}

/**
 * The cache key parameters mapped into the integration request: a non-proxy integration request
 * sees them only when mapped through.
 *
 * @param cacheKeys - `method.request.*` parameters. @returns undefined when there are none.
 */
export function mappedCacheKeys(cacheKeys: string[]): Record<string, string> | undefined {
  if (cacheKeys.length === 0) return undefined;
  return Object.fromEntries(cacheKeys.map((k) => [k.replace("method.request.", "integration.request."), k]));
}

/**
 * The responses of a mapped (non-proxy or MOCK) integration: per integration response, a method
 * response declaring its headers and the integration response mapping them, CORS included.
 *
 * @param responses - The validated integration responses.
 * @param cors - The API's CORS policy, if any.
 */
export function mappedResponses(responses: IntegrationResponseSpec[], cors: CorsPolicy | undefined): RouteResponse[] {
  return responses.map((response) => {
    const mapping = corsResponseMapping(response, cors);
    return {
      statusCode: response.statusCode,
      headers: mapping.declared,
      integrationResponse: {
        selectionPattern: response.selectionPattern,
        responseTemplates: mapping.templates,
        responseParameters: headerMappings(mapping.headers),
      },
    };
  });
}
