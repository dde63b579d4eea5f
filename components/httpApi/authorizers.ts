/** The API's JWT authorizers: API Gateway checks each token before a route's function runs. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { transformed } from "../transform";
import type { HttpApiTransform } from "./args";
import type { ValidatedHttpApiSpec } from "./spec";

/**
 * Creates one JWT authorizer (`{name}-authorizer-{authName}`) per entry of the spec's authorizers.
 *
 * @param parent - The component.
 * @param name - The component's name.
 * @param api - The API.
 * @param authorizers - The validated authorizers, by name.
 * @param transform - The user's transforms. @default none
 * @returns The authorizers, by name.
 */
export function createAuthorizers(
  parent: pulumi.Resource,
  name: string,
  api: aws.apigatewayv2.Api,
  authorizers: ValidatedHttpApiSpec["authorizers"],
  transform: HttpApiTransform = {},
): Record<string, aws.apigatewayv2.Authorizer> {
  const created: Record<string, aws.apigatewayv2.Authorizer> = {};
  for (const [authName, auth] of Object.entries(authorizers)) {
    created[authName] = new aws.apigatewayv2.Authorizer(
      ...transformed(
        transform.authorizer,
        `${name}-authorizer-${authName}`,
        {
          apiId: api.id,
          name: authName,
          authorizerType: "JWT",
          identitySources: [auth.identitySource],
          jwtConfiguration: { issuer: auth.issuer, audiences: auth.audience },
        },
        { parent },
      ),
    );
  }
  return created;
}
