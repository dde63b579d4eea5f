/** The customised gateway responses (with CORS's headers when the API answers CORS). */
import * as aws from "@pulumi/aws";
import type { CorsPolicy } from "../cors";
import type { GatewayResponseArgs } from "./args";
import { gatewayResponsesWithCors } from "./cors";
import type { RestApiChildren } from "./transform";

/**
 * Creates one gateway response per customised type, and DEFAULT_4XX / DEFAULT_5XX with the
 * CORS headers (`<name>-gateway-response-default-4xx`).
 *
 * @param children - Makes each child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param responses - The customised gateway responses by type.
 * @param cors - The API's CORS policy, if any.
 */
export function createGatewayResponses(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  responses: Record<string, GatewayResponseArgs>,
  cors: CorsPolicy | undefined,
): aws.apigateway.Response[] {
  return Object.entries(gatewayResponsesWithCors(responses, cors)).map(
    ([type, response]) =>
      new aws.apigateway.Response(
        ...children.make("gatewayResponse", `${name}-gateway-response-${type.toLowerCase().replace(/_/g, "-")}`, {
          restApiId: api.id,
          responseType: type,
          statusCode: response.statusCode,
          responseParameters: response.headers
            ? Object.fromEntries(Object.entries(response.headers).map(([h, v]) => [`gatewayresponse.header.${h}`, v]))
            : undefined,
          responseTemplates: response.templates,
        }),
      ),
  );
}
