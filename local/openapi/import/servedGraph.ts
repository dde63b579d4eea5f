/**
 * The resource graph the REST gateway serves, with each RestApi `body` imported: the hook
 * between the recorded program and `restApiModels`.
 *
 * How the body meets the resources the program declares on the same API follows the RestApi's
 * `putRestApiMode` (@pulumi/aws RestApiArgs, from Terraform's aws_api_gateway_rest_api
 * `put_rest_api_mode`): "If not configured, defaults to `overwrite`", and "When importing Open
 * API Specifications with the `body` argument, by default the API Gateway REST API will be
 * replaced with the Open API Specification thus removing any existing methods, resources,
 * integrations, or endpoints ... use the `putRestApiMode` attribute and set it to `merge`".
 * - `overwrite`: the body is the API's definition; declared resources, methods, integrations,
 *   models, validators, authorizers and gateway responses of the API are not served. On AWS a
 *   first `pulumi up` creates the declared ones after the PutRestApi, and they survive it (the
 *   `body` argument's documentation: it "will replace all REST API configuration except ...
 *   other resource updates applied after this resource but before any aws.apigateway.Deployment
 *   creation"), until the next change of the body overwrites them without the provider noticing;
 *   the local cloud serves what every deployment after such a change holds, so that the loss
 *   shows locally before it happens in the account.
 * - `merge`: both. What both define once only AWS refuses (CreateResource, PutMethod and
 *   CreateModel answer ConflictException, e.g. "Method already exists for this resource",
 *   aws/aws-cli#3992), and so does the local cloud; a declared gateway response replaces the
 *   body's of its type (PutGatewayResponse puts).
 *
 * @module
 */
import { ResourceGraph, type RecordedResource } from "../../controlPlane";
import { BodyImportError } from "./document";
import { importBody } from "./importBody";
import { DEFINITION_TYPES as T, apiInputOf } from "./records";

const REST_API = "aws:apigateway/restApi:RestApi";
const DEFINITION_TYPE_SET = new Set<string>(Object.values(T));

/**
 * The graph with every body imported; the graph itself when no RestApi has a body.
 *
 * @param graph - The recorded program.
 * @throws BodyImportError for a body the local cloud cannot serve, or a conflict under `merge`.
 */
export function withImportedBodies(graph: ResourceGraph): ResourceGraph {
  const bodyApis = graph.ofType(REST_API).filter((api) => typeof api.inputs.body === "string" && api.inputs.body !== "" && typeof api.id === "string");
  if (bodyApis.length === 0) return graph;
  const served = new ResourceGraph();
  const imported = new Map(bodyApis.map((api) => [api.id as string, { api, ...importBody(api, api.inputs.body) }]));
  for (const resource of graph.resources) {
    const ofApi = imported.get(resource.id as string);
    if (resource.type === REST_API && ofApi) {
      served.add({ ...resource, inputs: { ...resource.inputs, ...ofApi.apiInputs }, state: { ...resource.state, ...ofApi.apiInputs } });
      continue;
    }
    const owner = DEFINITION_TYPE_SET.has(resource.type) ? imported.get(resource.inputs[apiInputOf(resource.type)]) : undefined;
    if (owner && putMode(owner.api) === "overwrite") continue;
    served.add(resource);
  }
  for (const { api, records } of imported.values()) {
    const declared = graph.resources.filter((r) => DEFINITION_TYPE_SET.has(r.type) && r.inputs[apiInputOf(r.type)] === api.id);
    const kept = putMode(api) === "merge" ? mergeable(api, records, declared) : records;
    for (const record of kept) served.add(record);
  }
  return served;
}

/**
 * The API's put mode, lower-cased as the provider compares it.
 *
 * @param api - The recorded RestApi.
 * @throws BodyImportError for a value other than merge or overwrite.
 */
export function putMode(api: RecordedResource): "merge" | "overwrite" {
  const mode = String(api.inputs.putRestApiMode ?? "overwrite").toLowerCase();
  if (mode !== "merge" && mode !== "overwrite") throw new BodyImportError(api.name, `putRestApiMode must be merge or overwrite (got ${JSON.stringify(api.inputs.putRestApiMode)})`);
  return mode;
}

/**
 * The body's records under `merge`, refusing what the program declares again, and leaving out
 * the body's gateway responses the program replaces.
 *
 * @param api - The RestApi.
 * @param records - What its body defines.
 * @param declared - What the program declares on it.
 */
function mergeable(api: RecordedResource, records: RecordedResource[], declared: RecordedResource[]): RecordedResource[] {
  const clash = (what: string, r: RecordedResource) =>
    new BodyImportError(api.name, `${declaredName(r)} declares ${what}, which the body defines too (putRestApiMode merge); AWS answers the second with ConflictException`);
  const bodyPaths = new Set(records.filter((r) => r.type === T.resource).map((r) => r.state.path as string));
  const bodyMethods = new Set(records.filter((r) => r.type === T.method).map((r) => `${r.inputs.resourceId} ${r.inputs.httpMethod}`));
  const bodyModels = new Set(records.filter((r) => r.type === T.model).map((r) => r.inputs.name as string));
  for (const r of declared) {
    if (r.type === T.resource && bodyPaths.has(r.state.path)) throw clash(`resource ${r.state.path}`, r);
    if (r.type === T.method && bodyMethods.has(`${r.inputs.resourceId} ${r.inputs.httpMethod}`)) throw clash(`method ${r.inputs.httpMethod} on the root resource`, r);
    if (r.type === T.model && bodyModels.has(r.inputs.name)) throw clash(`model ${r.inputs.name}`, r);
  }
  const replacedResponses = new Set(declared.filter((r) => r.type === T.gatewayResponse).map((r) => r.inputs.responseType));
  return records.filter((r) => !(r.type === T.gatewayResponse && replacedResponses.has(r.inputs.responseType)));
}

/** `aws.apigateway.Method "name"`: a declared resource as the program spells it. */
function declaredName(r: RecordedResource): string {
  return `aws.apigateway.${r.type.split(":").pop()} ${JSON.stringify(r.name)}`;
}
