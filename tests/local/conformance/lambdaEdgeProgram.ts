/**
 * Conformance program "lambda-edge" (stage `stage`): test_lambda_aws_proxy_integration's API,
 * an EDGE-optimized REST API (the default endpoint type) with `ANY /{proxy+}` and
 * `ANY /hardcoded`, both AWS_PROXY to a function answering its event (lambda-proxy-event.json).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiBuilder, ECHO_EVENT_SOURCE, inlineFunction, serviceRole } from "./programKit";

const fn = inlineFunction("conf-edge-echo", serviceRole("conf-edge-lambda", "lambda"), ECHO_EVENT_SOURCE);
const b = new ApiBuilder("conf-edge", { endpointConfiguration: { types: "EDGE" } });
for (const path of ["/{proxy+}", "/hardcoded"]) {
  b.method(path, { httpMethod: "ANY", integration: { type: "AWS_PROXY", integrationHttpMethod: "POST", uri: fn.invokeArn } });
}
new aws.lambda.Permission("conf-edge", { action: "lambda:InvokeFunction", function: fn.name, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${b.api.executionArn}/*/*` });

export const url = b.deploy("stage").invokeUrl;
