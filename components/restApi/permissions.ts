/** Lambda permissions letting API Gateway invoke the functions behind routes and authorizers. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { RestApiChildren } from "./transform";

/**
 * Creates the permission `name` letting API Gateway invoke `fn` from `sourceArn` only.
 *
 * @param children - Makes the child through the user's transform.
 * @param name - The permission's name.
 * @param fn - The function invoked.
 * @param sourceArn - The execute-api ARN (pattern) allowed to invoke it.
 */
export function allowInvoke(children: RestApiChildren, name: string, fn: aws.lambda.Function, sourceArn: pulumi.Input<string>): aws.lambda.Permission {
  return new aws.lambda.Permission(
    ...children.make("permission", name, {
      action: "lambda:InvokeFunction",
      function: fn.name,
      principal: "apigateway.amazonaws.com",
      sourceArn,
    }),
  );
}
