/** The HTTP API itself, with the CORS configuration API Gateway answers for it. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CorsPolicy } from "../cors";
import { transformed } from "../transform";
import type { HttpApiTransform } from "./args";
import type { ValidatedHttpApiSpec, ValidatedHttpRoute } from "./spec";

/**
 * Creates the API (`{name}-api`), tagged, with CORS when the spec has it.
 *
 * @param parent - The component.
 * @param name - The component's name.
 * @param spec - The validated arguments.
 * @param transform - The user's transforms. @default none
 */
export function createApi(parent: pulumi.Resource, name: string, spec: ValidatedHttpApiSpec, transform: HttpApiTransform = {}): aws.apigatewayv2.Api {
  return new aws.apigatewayv2.Api(
    ...transformed(
      transform.api,
      `${name}-api`,
      {
        protocolType: "HTTP",
        description: spec.description,
        corsConfiguration: spec.cors ? httpCorsConfiguration(spec.cors, spec.routes) : undefined,
        tags: spec.tags,
      },
      { parent },
    ),
  );
}

/**
 * The API's corsConfiguration; without `allowMethods`, the routes' methods (`*` with ANY or $default).
 *
 * @param cors - The validated CORS policy.
 * @param routes - The validated routes.
 */
export function httpCorsConfiguration(cors: CorsPolicy, routes: ValidatedHttpRoute[]): aws.types.input.apigatewayv2.ApiCorsConfiguration {
  const catchAll = routes.some((r) => r.method === "ANY" || r.method === "$default");
  const methods = cors.allowMethods ?? (catchAll ? ["*"] : [...new Set([...routes.map((r) => r.method), "OPTIONS"])]);
  return {
    allowOrigins: cors.allowOrigins,
    allowHeaders: cors.allowHeaders,
    allowMethods: methods,
    exposeHeaders: cors.exposeHeaders.length > 0 ? cors.exposeHeaders : undefined,
    allowCredentials: cors.allowCredentials,
    maxAge: cors.maxAgeSeconds,
  };
}
