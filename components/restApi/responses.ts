/**
 * Method responses and the integration responses answering them: declared the same way for
 * every route and for the CORS preflights.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { RestApiChildren } from "./transform";

/** The method a response belongs to. */
export interface MethodTarget {
  /** The REST API's id. */
  restApi: pulumi.Input<string>;
  /** The resource's id. */
  resourceId: pulumi.Input<string>;
  /** The method's HTTP method (the Method's output, so that responses follow it). */
  httpMethod: pulumi.Input<string>;
}

/** An integration response's mapping, in API Gateway's terms (`method.response.header.*` keys). */
export type IntegrationResponseMapping = Pick<aws.apigateway.IntegrationResponseArgs, "selectionPattern" | "responseTemplates" | "responseParameters">;

/** One method response, with the integration response answering it. */
export interface RouteResponse {
  /** The status code. */
  statusCode: string;
  /** The header names the method response declares; undefined: it declares none. */
  headers?: string[];
  /** The integration response's mapping; undefined: none (a proxy integration answers itself). */
  integrationResponse?: IntegrationResponseMapping;
}

/**
 * `method.response.header.<name>` -> value, for integration response `responseParameters`.
 *
 * @param headers - Header name to a mapping expression or a quoted literal.
 */
export function headerMappings(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([h, v]) => [`method.response.header.${h}`, v]));
}

/**
 * Creates a method's responses: `<baseName>-response-<status>`, and for each one with an
 * integration response, `<baseName>-integration-response-<status>` after it and the integration.
 *
 * @param children - Makes each child through the user's transform.
 * @param baseName - The method's name prefix (`<api>-GET-users`).
 * @param target - The method the responses belong to.
 * @param resources - The method and its integration, which the responses wait for.
 * @param responses - What to declare.
 * @returns The responses, each method response followed by its integration response.
 */
export function createResponses(
  children: RestApiChildren,
  baseName: string,
  target: MethodTarget,
  resources: { method: aws.apigateway.Method; integration: aws.apigateway.Integration },
  responses: RouteResponse[],
): pulumi.Resource[] {
  const created: pulumi.Resource[] = [];
  for (const response of responses) {
    const methodResponse = new aws.apigateway.MethodResponse(
      ...children.make("methodResponse", `${baseName}-response-${response.statusCode}`, methodResponseArgs(target, response), { dependsOn: [resources.method] }),
    );
    created.push(methodResponse);
    if (response.integrationResponse === undefined) continue;
    created.push(
      new aws.apigateway.IntegrationResponse(
        ...children.make(
          "integrationResponse",
          `${baseName}-integration-response-${response.statusCode}`,
          { ...target, statusCode: response.statusCode, ...response.integrationResponse },
          { dependsOn: [methodResponse, resources.integration] },
        ),
      ),
    );
  }
  return created;
}

/** A method response's args; `responseParameters` only when it declares headers (a proxy's declares none). */
function methodResponseArgs(target: MethodTarget, response: RouteResponse): aws.apigateway.MethodResponseArgs {
  const args: aws.apigateway.MethodResponseArgs = { ...target, statusCode: response.statusCode };
  if (response.headers === undefined) return args;
  return { ...args, responseParameters: Object.fromEntries(response.headers.map((h) => [`method.response.header.${h}`, false])) };
}
