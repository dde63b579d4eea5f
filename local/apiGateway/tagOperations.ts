/**
 * Tags of API keys and usage plans: GetTags, TagResource, UntagResource (`/tags/{resourceArn}`,
 * API_TagResource.html and siblings), the ARN being API Gateway's
 * `arn:aws:apigateway:{region}::/apikeys/{id}` or `...::/usageplans/{id}`.
 */
import { existingKey } from "./apiKeyOperations";
import { badRequest, MESSAGES } from "./apiGatewayErrors";
import type { ApiGatewayResources } from "./apiGatewayResources";
import { tagsField, type Operation } from "./operation";
import { existingPlan } from "./usagePlanOperations";

/** A resource that carries tags locally. */
type Tagged = { kind: "apikeys"; id: string } | { kind: "usageplans"; id: string };

const APIGATEWAY_ARN = /^arn:[a-z-]+:apigateway:[a-z0-9-]*::(\/.*)$/;
const TAGGED_PATH = /^\/(apikeys|usageplans)\/([^/]+)$/;

/**
 * The resource an ARN names.
 *
 * @throws ApiGatewayError BadRequestException for no API Gateway ARN, or one of a resource
 * the local cloud keeps no tags for
 */
export function taggedResourceOf(arn: string): Tagged {
  const path = APIGATEWAY_ARN.exec(arn)?.[1];
  if (path === undefined) throw badRequest(MESSAGES.invalidArn);
  const match = TAGGED_PATH.exec(path);
  if (!match) throw badRequest(MESSAGES.untaggable(arn));
  return { kind: match[1] as Tagged["kind"], id: match[2] };
}

/** GetTags (`GET /tags/{resourceArn}`). */
export const getTags: Operation = ({ resources }, { params }) => {
  return { status: 200, body: { tags: tagsOf(resources, taggedResourceOf(params.resourceArn)) } };
};

/** TagResource (`PUT /tags/{resourceArn}`, 204): adds the tags, replacing values of keys it names. */
export const tagResource: Operation = ({ resources }, { params, body }) => {
  const resource = taggedResourceOf(params.resourceArn);
  const added = tagsField(body, "tags");
  if (!added) throw badRequest(MESSAGES.invalidTags);
  setTags(resources, resource, { ...tagsOf(resources, resource), ...added });
  return { status: 204 };
};

/** UntagResource (`DELETE /tags/{resourceArn}?tagKeys=...`, 204): removes the keys named; others are ignored. */
export const untagResource: Operation = ({ resources }, { params, query }) => {
  const resource = taggedResourceOf(params.resourceArn);
  const removed = new Set(query.getAll("tagKeys"));
  setTags(resources, resource, Object.fromEntries(Object.entries(tagsOf(resources, resource)).filter(([key]) => !removed.has(key))));
  return { status: 204 };
};

function tagsOf(resources: ApiGatewayResources, resource: Tagged): Record<string, string> {
  return resource.kind === "apikeys" ? existingKey(resources.apiKey(resource.id)).tags : existingPlan(resources.usagePlan(resource.id)).tags;
}

function setTags(resources: ApiGatewayResources, resource: Tagged, tags: Record<string, string>): void {
  if (resource.kind === "apikeys") resources.changes.editKey(resource.id, { tags });
  else resources.changes.tagPlan(resource.id, tags);
}
