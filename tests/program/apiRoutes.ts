import { RecordedResource, ResourceGraph } from "../../local/controlPlane";

/** The recorded resources that together make one method of the REST API. */
export interface RecordedRoute {
  method: RecordedResource;
  integration: RecordedResource;
  /** By status code. */
  methodResponses: Record<string, RecordedResource>;
  /** By status code. */
  integrationResponses: Record<string, RecordedResource>;
}

/**
 * The resource path (`/users/{id}`) of an API Gateway resource id, as the mock computed it
 * from the parents' path parts; `/` for the API's root resource.
 */
export function resourcePath(graph: ResourceGraph, resourceId: string): string {
  const resource = graph.findById(resourceId);
  if (resource?.type === "aws:apigateway/resource:Resource") return resource.state.path as string;
  if (graph.ofType("aws:apigateway/restApi:RestApi").some((api) => api.state.rootResourceId === resourceId)) return "/";
  throw new Error(`no API Gateway resource has the id ${resourceId}`);
}

/** Every method of the API as `METHOD /path`, OPTIONS included. */
export function methodKeys(graph: ResourceGraph): string[] {
  return graph
    .ofType("aws:apigateway/method:Method")
    .map((m) => `${m.inputs.httpMethod} ${resourcePath(graph, m.inputs.resourceId)}`)
    .sort();
}

/**
 * Looks a method up by what a client calls (`GET`, `/users/{id}`) rather than by logical
 * name, so the specs pin the API's shape, not how the component names its children.
 */
export function recordedRoute(graph: ResourceGraph, httpMethod: string, path: string): RecordedRoute {
  const matches = (r: RecordedResource) => r.inputs.httpMethod === httpMethod && resourcePath(graph, r.inputs.resourceId) === path;
  const methods = graph.ofType("aws:apigateway/method:Method").filter(matches);
  const integrations = graph.ofType("aws:apigateway/integration:Integration").filter(matches);
  if (methods.length !== 1 || integrations.length !== 1) {
    throw new Error(`${httpMethod} ${path}: expected one method and one integration, found ${methods.length} and ${integrations.length}`);
  }
  const byStatus = (type: string) =>
    Object.fromEntries(graph.ofType(type).filter(matches).map((r) => [r.inputs.statusCode as string, r]));
  return {
    method: methods[0],
    integration: integrations[0],
    methodResponses: byStatus("aws:apigateway/methodResponse:MethodResponse"),
    integrationResponses: byStatus("aws:apigateway/integrationResponse:IntegrationResponse"),
  };
}

/**
 * Whether an integration response's selectionPattern selects an error message. API Gateway
 * matches the whole message (a Java regex), hence the anchors.
 */
export function selects(selectionPattern: string, errorMessage: string): boolean {
  return new RegExp(`^(?:${selectionPattern})$`).test(errorMessage);
}
