/**
 * The OpenAPI 3.0 document API Gateway's GetExport (`exportType oas30`, optionally with
 * `parameters: {extensions: "apigateway"}`) gives for a REST API stage, built from a program run
 * under the control plane: `npm run openapi` writes it.
 *
 * Sources: AWS's recorded answers to GetExport [LocalStack
 * tests/aws/services/apigateway/test_apigateway_extended.snapshot.json, test_export_oas30_openapi,
 * recorded 06-05-2025], LocalStack's exporter (localstack-core/.../apigateway/exporter.py), and the
 * AWS docs "Export a REST API from API Gateway" and "OpenAPI extensions for API Gateway".
 *
 * @module
 */
import { withImportedBodies } from "./import/servedGraph";
import type { ResourceGraph } from "../controlPlane";
import { restApiModels, type RestApiModel } from "../restGateway/restApiModel";
import type { ExportExtensions, OpenApiDocument } from "./document";
import { apiExtensions, requestValidatorNames } from "./apiExtensions";
import { openApiPaths } from "./paths";
import { modelSchemas } from "./schemas";
import { securitySchemes } from "./securitySchemes";

export type { ExportExtensions, OpenApiDocument } from "./document";

const STAGE = "aws:apigateway/stage:Stage";
const REST_API = "aws:apigateway/restApi:RestApi";

/**
 * The export of one REST API stage.
 *
 * @param graph - The program run's recorded resources.
 * @param model - The REST API and stage to export (one of `restApiModels(graph)`).
 * @param extensions - `apigateway` adds the `x-amazon-apigateway-*` extensions. @default "none"
 */
export function exportOpenApi(recorded: ResourceGraph, model: RestApiModel, extensions: ExportExtensions = "none"): OpenApiDocument {
  // An API built from an OpenAPI body is exported as served: its records imported from the body.
  const graph = withImportedBodies(recorded);
  const api = graph.findById(model.apiId);
  const description = api?.inputs.description;
  const validatorNames = requestValidatorNames(graph, model.apiId);
  const schemas = modelSchemas(model.models);
  const schemes = securitySchemes(graph, model, extensions);
  const document: OpenApiDocument = {
    openapi: "3.0.1",
    info: { title: model.name, ...(typeof description === "string" && description !== "" ? { description } : {}), version: apiVersion(graph, model) },
    servers: [{ url: serverUrl(graph, model), variables: { basePath: { default: model.stageName } } }],
    paths: openApiPaths(graph, model, validatorNames, extensions),
    // AWS writes `components` even when it is empty [recorded: test_export_oas30_openapi[TEST_IMPORT_PETS]].
    components: { ...(schemas ? { schemas } : {}), ...(schemes ? { securitySchemes: schemes } : {}) },
  };
  return extensions === "apigateway" ? { ...document, ...apiExtensions(graph, model, validatorNames) } : document;
}

/**
 * The REST API of a program run to export: the one named `apiName`, or the only one.
 * @throws Error when there is none, when the name matches none, or when there are several and no name, listing them.
 */
export function restApiToExport(graph: ResourceGraph, apiName?: string): RestApiModel {
  const models = restApiModels(graph);
  const names = () => models.map((m) => `${m.name} (stage ${m.stageName})`).join(", ");
  if (models.length === 0) throw new Error("the program declares no REST API with a stage");
  if (apiName === undefined) {
    if (models.length > 1) throw new Error(`the program declares ${models.length} REST API stages; pick one with --api: ${names()}`);
    return models[0];
  }
  const named = models.filter((m) => m.name === apiName || graph.findById(m.apiId)?.name === apiName);
  if (named.length === 0) throw new Error(`no REST API named ${JSON.stringify(apiName)}; the program declares: ${names()}`);
  return named[0];
}

/**
 * `info.version`: the API's `version` when it has one [recorded: test_export_oas30_openapi[TEST_IMPORT_PETS],
 * "1.0.0"], else a date: the snapshots mask it as "date". It is written here as the creation time
 * of the deployment the stage serves, `yyyy-MM-ddTHH:mm:ssZ`, falling back to the API's, which
 * is what LocalStack's exporter writes (`createdDate` in TIMESTAMP_FORMAT_TZ).
 */
function apiVersion(graph: ResourceGraph, model: RestApiModel): string {
  const api = graph.findById(model.apiId);
  if (typeof api?.inputs.version === "string" && api.inputs.version !== "") return api.inputs.version;
  const deployment = model.deploymentId ? graph.findById(model.deploymentId) : undefined;
  const createdDate = [deployment?.state.createdDate, api?.state.createdDate].find((date): date is string => typeof date === "string");
  return new Date(createdDate ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The server URL: the stage's invoke URL with the stage as the `{basePath}` variable, as AWS
 * writes it (`https://<id>.execute-api.<region>.amazonaws.com/{basePath}`).
 */
function serverUrl(graph: ResourceGraph, model: RestApiModel): string {
  const stage = graph.ofType(STAGE).find((s) => s.inputs.restApi === model.apiId && s.inputs.stageName === model.stageName);
  const invokeUrl = typeof stage?.state.invokeUrl === "string" ? stage.state.invokeUrl : undefined;
  const region = graph.ofType(REST_API).find((a) => a.id === model.apiId)?.state.arn?.split(":")[3] ?? "us-east-1";
  const base = invokeUrl ? invokeUrl.replace(/\/[^/]*\/?$/, "") : `https://${model.apiId}.execute-api.${region}.amazonaws.com`;
  return `${base}/{basePath}`;
}
