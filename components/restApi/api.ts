/** The REST API itself: endpoint, binary media types, API key source, resource policy, tags. */
import * as aws from "@pulumi/aws";
import type { RestApiSpec } from "./spec";
import type { RestApiChildren } from "./transform";

/**
 * Creates the `<name>-api` REST API.
 *
 * @param children - Makes the child through the user's transform.
 * @param name - The component's name.
 * @param spec - The validated spec.
 */
export function createApi(children: RestApiChildren, name: string, spec: RestApiSpec): aws.apigateway.RestApi {
  return new aws.apigateway.RestApi(
    ...children.make("api", `${name}-api`, {
      description: spec.description,
      endpointConfiguration: {
        types: spec.endpointType,
        vpcEndpointIds: spec.vpcEndpointIds,
      },
      binaryMediaTypes: spec.binaryMediaTypes,
      apiKeySource: spec.apiKeySource,
      policy: spec.policy,
      tags: spec.tags,
    }),
  );
}
