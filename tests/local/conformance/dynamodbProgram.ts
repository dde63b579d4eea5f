/**
 * Conformance program "dynamodb" (stage `dev`): test_rest_api_to_dynamodb_integration's API,
 * one POST route per action (PutItem, Query, Scan), each an AWS integration
 * `arn:aws:apigateway:<region>:dynamodb:action/<Action>` with its own table, so that PutItem's
 * write cannot change what Scan answers. The spec puts the recording's items (test, test2,
 * "test 3") into every table before the requests, as the test did.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiBuilder, serviceRole } from "./programKit";

const role = serviceRole("conf-dynamodb", "apigateway");
new aws.iam.RolePolicy("conf-dynamodb", { role: role.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }] }) });
// The recordings name the region in the URI; the local cloud reads the action from it.
const region = aws.config.region ?? "us-east-1";
const b = new ApiBuilder("conf-dynamodb", { endpointConfiguration: { types: "REGIONAL" } });

export const tables: Record<string, pulumi.Output<string>> = {};
for (const [route, action] of [["put-item", "PutItem"], ["query", "Query"], ["scan", "Scan"]] as const) {
  const table = new aws.dynamodb.Table(`conf-${route}`, { name: `conformance-${route}`, billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }] });
  tables[route] = table.name;
  const template = table.name.apply((TableName) =>
    JSON.stringify(
      action === "PutItem"
        ? { TableName, Item: { id: { S: "$input.params('id')" } } }
        : action === "Query"
          ? { TableName, KeyConditionExpression: "id = :id", ExpressionAttributeValues: { ":id": { S: "$input.params('id')" } } }
          : { TableName },
    ),
  );
  b.method(`/${route}`, {
    httpMethod: "POST",
    integration: { type: "AWS", integrationHttpMethod: "POST", uri: pulumi.interpolate`arn:aws:apigateway:${region}:dynamodb:action/${action}`, credentials: role.arn, requestTemplates: { "application/json": template } },
    methodResponses: { "200": {} },
    integrationResponses: [{ statusCode: "200", responseTemplates: { "application/json": "$input.json('$')" } }],
  });
}

export const url = b.deploy("dev").invokeUrl;
