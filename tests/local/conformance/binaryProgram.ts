/**
 * Conformance program "binary" (stage `test2`): the second deployment of LocalStack's
 * test_apigateway_lambda.py::test_aws_proxy_binary_response, whose API has binaryMediaTypes
 * `image/png` and `*\/test` (a wildcard on the left, which AWS does not honour), with
 * `ANY /{proxy+}` AWS_PROXY to a function answering the request body parsed as JSON
 * (binary-media-types.json). The third deployment's media types are the "auth" program's.
 */
import { ApiBuilder, RESPONSE_FROM_BODY_SOURCE, inlineFunction, serviceRole } from "./programKit";

const fn = inlineFunction("conf-binary-from-body", serviceRole("conf-binary-lambda", "lambda"), RESPONSE_FROM_BODY_SOURCE);
const b = new ApiBuilder("conf-binary", { endpointConfiguration: { types: "REGIONAL" }, binaryMediaTypes: ["image/png", "*/test"] });
b.method("/{proxy+}", { httpMethod: "ANY", integration: { type: "AWS_PROXY", integrationHttpMethod: "POST", uri: fn.invokeArn } });

export const url = b.deploy("test2").invokeUrl;
