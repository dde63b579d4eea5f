/** The API's authorizers, and the permissions API Gateway needs to call Lambda authorizers. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allowInvoke } from "./permissions";
import type { AuthorizerSpec } from "./spec";
import type { RestApiChildren } from "./transform";

/** The authorizers by name, and the Lambda permissions the stage must wait for. */
export interface CreatedAuthorizers {
  /** The authorizers by name. */
  authorizers: Record<string, aws.apigateway.Authorizer>;
  /** One permission per Lambda authorizer. */
  permissions: aws.lambda.Permission[];
}

/**
 * Creates each authorizer (`<name>-authorizer-<authorizer>`) and, for a Lambda authorizer, the
 * permission to invoke its function (`...-invoke`).
 *
 * @param children - Makes each child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param authorizers - The validated authorizers by name.
 */
export function createAuthorizers(children: RestApiChildren, name: string, api: aws.apigateway.RestApi, authorizers: Record<string, AuthorizerSpec>): CreatedAuthorizers {
  const created: Record<string, aws.apigateway.Authorizer> = {};
  const permissions: aws.lambda.Permission[] = [];
  for (const [authName, auth] of Object.entries(authorizers)) {
    const authorizerName = `${name}-authorizer-${authName}`;
    const common = {
      restApi: api.id,
      name: authName,
      identitySource: auth.identitySource,
      authorizerResultTtlInSeconds: auth.resultTtlSeconds,
    };
    if (auth.type === "COGNITO_USER_POOLS") {
      created[authName] = new aws.apigateway.Authorizer(
        ...children.make("authorizer", authorizerName, { ...common, type: "COGNITO_USER_POOLS", providerArns: auth.providerArns }),
      );
      continue;
    }
    created[authName] = new aws.apigateway.Authorizer(
      ...children.make("authorizer", authorizerName, {
        ...common,
        type: auth.type,
        authorizerUri: auth.function.invokeArn,
        identityValidationExpression: auth.identityValidationExpression,
      }),
    );
    permissions.push(allowInvoke(children, `${authorizerName}-invoke`, auth.function, pulumi.interpolate`${api.executionArn}/authorizers/*`));
  }
  return { authorizers: created, permissions };
}
