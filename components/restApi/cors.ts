/**
 * CORS on a REST API: the preflight (OPTIONS) method of every resource with routes, the CORS
 * headers and origin check of mapped integration responses, and the CORS headers of gateway
 * responses. The policy itself and its header values are in ../cors.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { methodsAnswered } from "../apigateway";
import { type CorsPolicy, gatewayResponseOrigin, originCheckTemplate, preflightHeaders, staticCorsHeaders } from "../cors";
import { pathSlug } from "../resourcePaths";
import type { GatewayResponseArgs } from "./args";
import { createResponses, headerMappings } from "./responses";
import type { IntegrationResponseSpec, ValidatedRoute } from "./spec";
import type { RestApiChildren } from "./transform";
import { MOCK_PASSTHROUGH_BEHAVIOR, MOCK_REQUEST_TEMPLATES } from "./validateIntegration";

const ALLOW_ORIGIN = "Access-Control-Allow-Origin";

/** A mapped integration response's headers and templates, CORS included. */
export interface CorsResponseMapping {
  /** The header names the method response declares. */
  declared: string[];
  /** Header name to the value the integration response maps. */
  headers: Record<string, string>;
  /** The response templates. */
  templates?: Record<string, string>;
}

/**
 * The headers and templates of a non-proxy or MOCK integration response: the static CORS
 * headers under its own, Allow-Origin declared, and the origin check ahead of its templates
 * (or of a JSON passthrough) when several origins are allowed.
 *
 * @param response - The validated integration response.
 * @param cors - The API's CORS policy; undefined: the response as it is.
 */
export function corsResponseMapping(response: IntegrationResponseSpec, cors: CorsPolicy | undefined): CorsResponseMapping {
  if (!cors) return { declared: Object.keys(response.responseHeaders), headers: { ...response.responseHeaders }, templates: response.responseTemplates };
  const headers = { ...staticCorsHeaders(cors), ...response.responseHeaders };
  return { declared: [...new Set([...Object.keys(headers), ALLOW_ORIGIN])], headers, templates: withOriginCheck(response.responseTemplates, cors) };
}

/**
 * Response templates starting with the origin check (empty with one origin); a response without
 * templates gets a JSON passthrough behind the check, when there is one.
 */
function withOriginCheck(templates: Record<string, string> | undefined, cors: CorsPolicy): Record<string, string> | undefined {
  const check = originCheckTemplate(cors);
  if (templates) return Object.fromEntries(Object.entries(templates).map(([contentType, template]) => [contentType, check + template]));
  if (check) return { "application/json": check + "$input.json('$')" };
  return undefined;
}

/**
 * The gateway responses with the CORS headers on DEFAULT_4XX, DEFAULT_5XX and every customised
 * type (a response's own headers win).
 *
 * @param responses - The customised gateway responses by type.
 * @param cors - The API's CORS policy; undefined: the responses as they are.
 */
export function gatewayResponsesWithCors(responses: Record<string, GatewayResponseArgs>, cors: CorsPolicy | undefined): Record<string, GatewayResponseArgs> {
  const all: Record<string, GatewayResponseArgs> = { ...responses };
  if (!cors) return all;
  const corsHeaders: Record<string, string> = {
    ...staticCorsHeaders(cors),
    [ALLOW_ORIGIN]: `'${gatewayResponseOrigin(cors)}'`,
    "Access-Control-Allow-Headers": `'${cors.allowHeaders.join(",")}'`,
  };
  // AWS falls back to DEFAULT_4XX / DEFAULT_5XX only for types not customised, so every
  // customised type needs the headers as well, or browsers cannot read e.g. a custom 401.
  for (const type of new Set(["DEFAULT_4XX", "DEFAULT_5XX", ...Object.keys(responses)])) {
    all[type] = { ...all[type], headers: { ...corsHeaders, ...(all[type]?.headers ?? {}) } };
  }
  return all;
}

/**
 * Creates an OPTIONS method with a MOCK integration on every resource that has routes,
 * answering the preflight with the policy's headers (and the origin check with several origins).
 *
 * @param children - Makes each child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param resources - The resource ids by path.
 * @param routes - The validated routes.
 * @param cors - The API's CORS policy.
 * @returns Every preflight resource, for the deployment to wait for.
 */
export function createPreflights(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  resources: Record<string, pulumi.Input<string>>,
  routes: ValidatedRoute[],
  cors: CorsPolicy,
): pulumi.Resource[] {
  const created: pulumi.Resource[] = [];
  for (const [path, methods] of methodsByPath(routes)) {
    const baseName = `${name}-OPTIONS-${pathSlug(path)}`;
    const resourceId = resources[path];
    const headers = preflightHeaders(cors, methods);
    // Declared even when the origin check sets it (several origins): a header must be declared to be sent.
    if (!(ALLOW_ORIGIN in headers)) headers[ALLOW_ORIGIN] = "''";
    const method = new aws.apigateway.Method(
      ...children.make("method", `${baseName}-method`, { restApi: api.id, resourceId, httpMethod: "OPTIONS", authorization: "NONE", apiKeyRequired: false }),
    );
    const target = { restApi: api.id, resourceId, httpMethod: method.httpMethod };
    const integration = new aws.apigateway.Integration(
      ...children.make(
        "integration",
        `${baseName}-integration`,
        { ...target, type: "MOCK", requestTemplates: { ...MOCK_REQUEST_TEMPLATES }, passthroughBehavior: MOCK_PASSTHROUGH_BEHAVIOR },
        { dependsOn: [method] },
      ),
    );
    const staticHeaders = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== "''"));
    const answer = {
      statusCode: "200",
      headers: Object.keys(headers),
      integrationResponse: { responseParameters: headerMappings(staticHeaders), responseTemplates: { "application/json": originCheckTemplate(cors) } },
    };
    created.push(method, integration, ...createResponses(children, baseName, target, { method, integration }, [answer]));
  }
  return created;
}

/** The request methods routed on each path (`ANY` standing for what it answers), paths in route order. */
function methodsByPath(routes: ValidatedRoute[]): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), ...methodsAnswered(route.method)]);
  return byPath;
}
