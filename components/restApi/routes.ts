/**
 * The routes: per route a method, its integration (what it is comes from the renderer of the
 * integration's type), the Lambda permission when a function is invoked, and the responses.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toRouteKey } from "../apigateway";
import type { CorsPolicy } from "../cors";
import { arnPath, pathSlug } from "../resourcePaths";
import { rendererOf } from "./integrations";
import { allowInvoke } from "./permissions";
import { type MethodTarget, createResponses } from "./responses";
import type { ValidatedRoute } from "./spec";
import type { RestApiChildren } from "./transform";

/** What routes are made on and reference. */
export interface RouteTargets {
  /** The REST API. */
  api: aws.apigateway.RestApi;
  /** The resource ids by path. */
  resources: Record<string, pulumi.Input<string>>;
  /** The models by name. */
  models: Record<string, aws.apigateway.Model>;
  /** The request validators by name. */
  validators: Record<string, aws.apigateway.RequestValidator>;
  /** The authorizers by name. */
  authorizers: Record<string, aws.apigateway.Authorizer>;
  /** The API's CORS policy, if any. */
  cors?: CorsPolicy;
}

/** The routes' methods by route key, and every resource the deployment must wait for. */
export interface CreatedRoutes {
  /** Methods by "METHOD /path". */
  methods: Record<string, aws.apigateway.Method>;
  /** Every resource made for the routes, in creation order. */
  all: pulumi.Resource[];
}

/**
 * Creates the method, integration, invoke permission and responses of every route.
 *
 * @param children - Makes each child through the user's transform.
 * @param name - The component's name.
 * @param routes - The validated routes.
 * @param targets - What the routes are made on and reference.
 */
export function createRoutes(children: RestApiChildren, name: string, routes: ValidatedRoute[], targets: RouteTargets): CreatedRoutes {
  const methods: Record<string, aws.apigateway.Method> = {};
  const all: pulumi.Resource[] = [];
  for (const route of routes) {
    const created = createRoute(children, `${name}-${route.method}-${pathSlug(route.path)}`, route, targets);
    methods[toRouteKey(route)] = created.method;
    all.push(...created.all);
  }
  return { methods, all };
}

function createRoute(children: RestApiChildren, routeName: string, route: ValidatedRoute, targets: RouteTargets): { method: aws.apigateway.Method; all: pulumi.Resource[] } {
  const method = createMethod(children, routeName, route, targets);
  const target: MethodTarget = { restApi: targets.api.id, resourceId: targets.resources[route.path], httpMethod: method.httpMethod };
  const renderer = rendererOf(route.integration);
  const request = renderer.request(route.integration, route.cacheKeys);
  const integration = new aws.apigateway.Integration(
    ...children.make(
      "integration",
      `${routeName}-integration`,
      // Every field spelled out, in this order: what a transform changes is hashed in the order
      // of these keys (see RestApiChildren.changes).
      {
        ...target,
        type: request.type,
        integrationHttpMethod: request.integrationHttpMethod,
        uri: request.uri,
        timeoutMilliseconds: request.timeoutMilliseconds,
        requestTemplates: request.requestTemplates,
        passthroughBehavior: request.passthroughBehavior,
        cacheKeyParameters: route.cacheKeys.length > 0 ? route.cacheKeys : undefined,
        requestParameters: request.requestParameters,
      },
      { dependsOn: [method] },
    ),
  );
  const all: pulumi.Resource[] = [method, integration];
  const invoked = renderer.invokedFunction(route.integration);
  if (invoked) {
    // Only this API, any stage, this method and path may invoke it.
    const sourceArn = pulumi.interpolate`${targets.api.executionArn}/*/${route.method === "ANY" ? "*" : route.method}${arnPath(route.path)}`;
    all.push(allowInvoke(children, `${routeName}-invoke`, invoked, sourceArn));
  }
  all.push(...createResponses(children, routeName, target, { method, integration }, renderer.responses(route.integration, targets.cors)));
  return { method, all };
}

function createMethod(children: RestApiChildren, routeName: string, route: ValidatedRoute, targets: RouteTargets): aws.apigateway.Method {
  return new aws.apigateway.Method(
    ...children.make(
      "method",
      `${routeName}-method`,
      {
        restApi: targets.api.id,
        resourceId: targets.resources[route.path],
        httpMethod: route.method,
        authorization: route.authorization,
        authorizerId: route.authorizer ? targets.authorizers[route.authorizer].id : undefined,
        authorizationScopes: route.authorizationScopes,
        apiKeyRequired: route.apiKeyRequired,
        requestParameters: route.methodRequestParameters,
        requestModels: route.requestModels,
        requestValidatorId: route.requestValidator ? targets.validators[route.requestValidator].id : undefined,
      },
      { dependsOn: route.requestModels ? Object.values(route.requestModels).map((m) => targets.models[m]) : [] },
    ),
  );
}
