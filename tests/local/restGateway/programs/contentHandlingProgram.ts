/**
 * A REST API of plain `@pulumi/aws` resources for contentHandling.http.spec.ts: binaryMediaTypes
 * `image/png`, HTTP integrations to the spec's backend (its URL read from
 * CONTENT_HANDLING_BACKEND_URL when the program runs), one route per conversion:
 *
 * - `POST /received/{passthrough,to-text,to-text-template,to-binary}`: the request body sent to
 *   the backend's `/received`, which answers what it got (base64) as JSON; the integration's
 *   contentHandling unset, CONVERT_TO_TEXT, CONVERT_TO_TEXT with an `image/png` request template,
 *   CONVERT_TO_BINARY.
 * - `GET /answer/{png,base64,not-base64}`: the backend's PNG bytes (`image/png`), the same PNG
 *   base64-encoded and a sentence (`text/plain`); the integration response's contentHandling
 *   unset, CONVERT_TO_BINARY, CONVERT_TO_BINARY. Each method response carries the backend's
 *   Content-Type.
 */
import { ApiBuilder } from "../../conformance/programKit";

const backend = process.env.CONTENT_HANDLING_BACKEND_URL;
if (!backend) throw new Error("the contentHandling program needs CONTENT_HANDLING_BACKEND_URL (the spec's backend server)");

const b = new ApiBuilder("content-handling", { endpointConfiguration: { types: "REGIONAL" }, binaryMediaTypes: ["image/png"] });
const contentType = { "method.response.header.Content-Type": "integration.response.header.Content-Type" };

for (const [route, contentHandling, requestTemplates] of [
  ["passthrough", undefined, undefined],
  ["to-text", "CONVERT_TO_TEXT", undefined],
  ["to-text-template", "CONVERT_TO_TEXT", { "image/png": `{"image": "$input.body"}` }],
  ["to-binary", "CONVERT_TO_BINARY", undefined],
] as const) {
  b.method(`/received/${route}`, {
    httpMethod: "POST",
    integration: { type: "HTTP", integrationHttpMethod: "POST", uri: `${backend}/received`, contentHandling, requestTemplates },
    methodResponses: { "200": {} },
    integrationResponses: [{ statusCode: "200", selectionPattern: "" }],
  });
}

for (const [route, contentHandling] of [
  ["png", undefined],
  ["base64", "CONVERT_TO_BINARY"],
  ["not-base64", "CONVERT_TO_BINARY"],
] as const) {
  b.method(`/answer/${route}`, {
    httpMethod: "GET",
    integration: { type: "HTTP", integrationHttpMethod: "GET", uri: `${backend}/answer/${route}` },
    methodResponses: { "200": { "method.response.header.Content-Type": true } },
    integrationResponses: [{ statusCode: "200", selectionPattern: "", contentHandling, responseParameters: contentType }],
  });
}

export const url = b.deploy("test").invokeUrl;
