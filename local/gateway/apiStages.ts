import type { RecordedResource, ResourceGraph } from "../controlPlane";

/** How one kind of API and its stages are recorded. */
export interface ApiStageShape {
  /** The API's resource type, e.g. `aws:apigateway/restApi:RestApi`. */
  api: string;
  /** The stage's resource type. */
  stage: string;
  /** The input by which a stage (and the API's other children) name their API: `restApi`, `apiId`. */
  apiInput: string;
}

/**
 * Every (API, stage) pair of one kind in the recorded resources, in recording order: what each
 * local gateway serves one model of.
 *
 * @param graph - The recorded resources.
 * @param shape - The API kind.
 * @param accepts - Keeps only some APIs (HTTP vs WebSocket share a type). @default every API
 */
export function apiStages(graph: ResourceGraph, shape: ApiStageShape, accepts: (api: RecordedResource) => boolean = () => true): Array<{ api: RecordedResource; stage: RecordedResource }> {
  return graph
    .ofType(shape.api)
    .filter(accepts)
    .flatMap((api) =>
      graph
        .ofType(shape.stage)
        .filter((stage) => stage.inputs[shape.apiInput] === api.id)
        .map((stage) => ({ api, stage })),
    );
}

/**
 * The API's recorded children of one type: those whose `apiInput` names it.
 *
 * @param graph - The recorded resources.
 * @param apiId - The API's id.
 * @param type - The children's type.
 * @param apiInput - The input naming the API (`restApi`, `restApiId`, `apiId`).
 */
export function childrenOfApi(graph: ResourceGraph, apiId: string, type: string, apiInput: string): RecordedResource[] {
  return graph.ofType(type).filter((r) => r.inputs[apiInput] === apiId);
}
