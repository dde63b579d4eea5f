/**
 * Content type conversions of non-proxy integrations (local/restGateway/contentHandling.ts): the
 * developer guide's tables ("Content type conversions in API Gateway"), pinned with the bodies
 * AWS was recorded converting — LocalStack tests/aws/services/apigateway/test_apigateway_s3.py::
 * TestApiGatewayS3BinarySupport, AWS-validated 17-03-2025 ([s3: <test> <snapshot key>] below):
 * a gzip body that is not UTF-8 (RAW), its base64 (ENCODED) and a UTF-8 sentence (TEXT), sent to
 * or answered by an S3 integration under binaryMediaTypes `image/png`.
 */
import { expect } from "chai";
import { decodeBase64, integrationRequestPayload, isBinaryRequest, methodResponsePayload, templateText } from "../../../local/restGateway/contentHandling";
import { GatewayError } from "../../../local/restGateway/gatewayError";
import type { EndpointResponse } from "../../../local/restGateway/integrations/integrationTypes";
import type { RestInvocation } from "../../../local/restGateway/invocation";
import type { ContentHandling, IntegrationModel, IntegrationResponseModel } from "../../../local/restGateway/restApiModel";
import { buildIntegrationRequest } from "../../../local/restGateway/steps/integrationRequest";
import { mapIntegrationResponse } from "../../../local/restGateway/steps/integrationResponse";
import { FUNCTION_ARN, gatewayErrorOf, harness, integration, method, request, type RequestSpec } from "./steps/stepHarness";

/** gzip.compress(b"compressed data, should be invalid UTF-8 string", mtime=1676569620), as the recordings. */
const ENCODED = "H4sIABRs7mMC/0vOzy0oSi0uTk1RSEksSdRRKM7IL81JUUhKVcjMK0vMyUxRCA1x07VQKC4pysxLBwC4ORBXLwAAAA==";
const RAW = Buffer.from(ENCODED, "base64");
const TEXT = "this is a UTF8 text typed object";
/** RAW read as UTF-8, each invalid sequence replaced by U+FFFD [s3: request[None] get-obj-text-type-binary-raw]. */
const RAW_AS_TEXT = Buffer.from("H++/vQgAFGzvv71jAu+/vUvvv73vv70tKEotLk5NUUhJLEnvv71RKO+/ve+/vS/vv71JUUhKVe+/ve+/vStL77+977+9TFEIDXHTtVAoLinvv73vv71LBwDvv705EFcvAAAA", "base64");
/** ENCODED base64-encoded once more [s3: request[CONVERT_TO_TEXT] get-obj-binary-type-binary-encoded]. */
const ENCODED_TWICE = Buffer.from(ENCODED).toString("base64");
/** TEXT base64-encoded [s3: request[CONVERT_TO_TEXT] get-obj-binary-type-text]. */
const TEXT_ENCODED = "dGhpcyBpcyBhIFVURjggdGV4dCB0eXBlZCBvYmplY3Q=";

/** A payload as bytes, to compare text and binary payloads alike. */
const bytes = (payload: string | Buffer): Buffer => (typeof payload === "string" ? Buffer.from(payload) : payload);

/** The method request body `body`, as the integration request carries it. */
function requestPayload(body: Buffer | string, binary: boolean, handling?: ContentHandling): Buffer {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return bytes(integrationRequestPayload({ body: raw, text: raw.toString("utf8") }, binary, handling));
}

function responsePayload(body: Buffer | string, binaryPayload: boolean, binaryAccept: boolean, handling?: ContentHandling): Buffer {
  return bytes(methodResponsePayload(Buffer.isBuffer(body) ? body : Buffer.from(body), binaryPayload, binaryAccept, handling));
}

/** The GatewayError `run` threw. */
function errorOf(run: () => unknown): GatewayError {
  try {
    run();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected a GatewayError, got none");
}

describe("content type conversions (contentHandling)", () => {
  describe("which request payloads are binary", () => {
    it("is the Content-Type matched against binaryMediaTypes", () => {
      expect(isBinaryRequest("image/png", ["image/png"])).to.equal(true);
      expect(isBinaryRequest("image/png; charset=x", ["image/*"])).to.equal(true);
      expect(isBinaryRequest("text/plain", ["image/png"])).to.equal(false);
      expect(isBinaryRequest("image/png", [])).to.equal(false);
    });

    it("takes a request without Content-Type as binary under */* only (the CORS preflight failures of aws/serverless-application-model#553)", () => {
      expect(isBinaryRequest(undefined, ["*/*"])).to.equal(true);
      expect(isBinaryRequest(undefined, ["application/*", "image/png"])).to.equal(false);
      expect(isBinaryRequest(undefined, [])).to.equal(false);
    });
  });

  describe("request: method request -> integration request", () => {
    it("passes a binary payload through unchanged without contentHandling or with CONVERT_TO_BINARY [s3: request[None], request_convert_to_binary get-obj-binary-media-*]", () => {
      for (const handling of [undefined, "CONVERT_TO_BINARY"] as const) {
        expect(requestPayload(RAW, true, handling).equals(RAW)).to.equal(true);
        expect(requestPayload(ENCODED, true, handling).toString()).to.equal(ENCODED);
        expect(requestPayload(TEXT, true, handling).toString()).to.equal(TEXT);
      }
    });

    it("base64-encodes a binary payload with CONVERT_TO_TEXT [s3: request[CONVERT_TO_TEXT] get-obj-binary-type-*]", () => {
      expect(requestPayload(RAW, true, "CONVERT_TO_TEXT").toString()).to.equal(ENCODED);
      expect(requestPayload(ENCODED, true, "CONVERT_TO_TEXT").toString()).to.equal(ENCODED_TWICE);
      expect(requestPayload(TEXT, true, "CONVERT_TO_TEXT").toString()).to.equal(TEXT_ENCODED);
    });

    it("reads a text payload as UTF-8 without contentHandling or with CONVERT_TO_TEXT, replacing what is not UTF-8 [s3: request[*] get-obj-text-type-*]", () => {
      for (const handling of [undefined, "CONVERT_TO_TEXT"] as const) {
        expect(requestPayload(RAW, false, handling).equals(RAW_AS_TEXT)).to.equal(true);
        expect(requestPayload(ENCODED, false, handling).toString()).to.equal(ENCODED);
        expect(requestPayload(TEXT, false, handling).toString()).to.equal(TEXT);
      }
    });

    it("keeps the route step's decoded text for a text payload (a template reads the same string)", () => {
      const text = "the route step's string";
      expect(integrationRequestPayload({ body: Buffer.from(text), text }, false, undefined)).to.equal(text);
    });

    it("base64-decodes a text payload with CONVERT_TO_BINARY [s3: request_convert_to_binary get-obj-text-type-binary-encoded, get-obj-no-binary-media-binary-encoded]", () => {
      expect(requestPayload(ENCODED, false, "CONVERT_TO_BINARY").equals(RAW)).to.equal(true);
    });

    it("answers a text payload that is not base64 with CONVERT_TO_BINARY with API_CONFIGURATION_ERROR (500) [s3: request_convert_to_binary, raw and text answered 500]", () => {
      expect(errorOf(() => requestPayload(RAW, false, "CONVERT_TO_BINARY")).type).to.equal("API_CONFIGURATION_ERROR");
      expect(errorOf(() => requestPayload(TEXT, false, "CONVERT_TO_BINARY")).type).to.equal("API_CONFIGURATION_ERROR");
    });
  });

  describe("response: endpoint response -> method response", () => {
    describe("without contentHandling [s3: response_no_content_handling]", () => {
      it("reads a text payload as UTF-8 for a text Accept (text-no-media, raw-no-media, *-payload-text-accept-text)", () => {
        expect(responsePayload(TEXT, false, false).toString()).to.equal(TEXT);
        expect(responsePayload(RAW, false, false).equals(RAW_AS_TEXT)).to.equal(true);
        expect(responsePayload(ENCODED, false, false).toString()).to.equal(ENCODED);
      });

      it("base64-decodes a text payload for a binary Accept, 500 when it is not base64 (encoded-payload-text-accept-binary; raw and text 500)", () => {
        expect(responsePayload(ENCODED, false, true).equals(RAW)).to.equal(true);
        expect(errorOf(() => responsePayload(RAW, false, true)).type).to.equal("API_CONFIGURATION_ERROR");
        expect(errorOf(() => responsePayload(TEXT, false, true)).type).to.equal("API_CONFIGURATION_ERROR");
      });

      it("passes a binary payload through for a binary Accept (*-payload-binary-accept-binary)", () => {
        expect(responsePayload(RAW, true, true).equals(RAW)).to.equal(true);
        expect(responsePayload(ENCODED, true, true).toString()).to.equal(ENCODED);
        expect(responsePayload(TEXT, true, true).toString()).to.equal(TEXT);
      });

      it("base64-encodes a binary payload for a text Accept (*-payload-binary-accept-text)", () => {
        expect(responsePayload(RAW, true, false).toString()).to.equal(ENCODED);
        expect(responsePayload(ENCODED, true, false).toString()).to.equal(ENCODED_TWICE);
        expect(responsePayload(TEXT, true, false).toString()).to.equal(TEXT_ENCODED);
      });
    });

    it("CONVERT_TO_TEXT: base64 for a binary payload, UTF-8 for a text one, whatever the Accept [s3: response_convert_to_text]", () => {
      for (const accept of [true, false]) {
        expect(responsePayload(RAW, true, accept, "CONVERT_TO_TEXT").toString()).to.equal(ENCODED);
        expect(responsePayload(TEXT, true, accept, "CONVERT_TO_TEXT").toString()).to.equal(TEXT_ENCODED);
        expect(responsePayload(RAW, false, accept, "CONVERT_TO_TEXT").equals(RAW_AS_TEXT)).to.equal(true);
        expect(responsePayload(ENCODED, false, accept, "CONVERT_TO_TEXT").toString()).to.equal(ENCODED);
      }
    });

    it("CONVERT_TO_BINARY: a binary payload unchanged, a text one base64-decoded or 500, whatever the Accept [s3: response_convert_to_binary]", () => {
      for (const accept of [true, false]) {
        expect(responsePayload(RAW, true, accept, "CONVERT_TO_BINARY").equals(RAW)).to.equal(true);
        expect(responsePayload(TEXT, true, accept, "CONVERT_TO_BINARY").toString()).to.equal(TEXT);
        expect(responsePayload(ENCODED, false, accept, "CONVERT_TO_BINARY").equals(RAW)).to.equal(true);
        expect(errorOf(() => responsePayload(RAW, false, accept, "CONVERT_TO_BINARY")).type).to.equal("API_CONFIGURATION_ERROR");
        expect(errorOf(() => responsePayload(TEXT, false, accept, "CONVERT_TO_BINARY")).type).to.equal("API_CONFIGURATION_ERROR");
      }
    });
  });

  describe("templates read text only", () => {
    it("hands a text payload to the template and refuses a binary one with API_CONFIGURATION_ERROR", () => {
      expect(templateText("abc", "request")).to.equal("abc");
      expect(errorOf(() => templateText(RAW, "request")).type).to.equal("API_CONFIGURATION_ERROR");
      expect(errorOf(() => templateText(Buffer.alloc(0), "response")).type).to.equal("API_CONFIGURATION_ERROR");
    });
  });

  describe("base64 decoding", () => {
    it("decodes base64, skipping characters outside the alphabet (line breaks)", () => {
      expect(decodeBase64(ENCODED)!.equals(RAW)).to.equal(true);
      expect(decodeBase64(`${ENCODED.slice(0, 20)}\r\n${ENCODED.slice(20)}`)!.equals(RAW)).to.equal(true);
      expect(decodeBase64("")!.length).to.equal(0);
    });

    it("refuses what is not whole quanta or has padding inside, never throwing", () => {
      expect(decodeBase64(TEXT)).to.equal(undefined);
      expect(decodeBase64(RAW)).to.equal(undefined);
      expect(decodeBase64("ab=c")).to.equal(undefined);
      expect(decodeBase64("abc")).to.equal(undefined);
      expect(decodeBase64("èé+à)(")).to.equal(undefined);
    });
  });

  describe("in the integration request step", () => {
    const PNG_TYPES = { binaryMediaTypes: ["image/png"] };

    /** `POST /upload` with `integrationOverrides`, routed for `spec`, then the step run. */
    function built(integrationOverrides: Partial<IntegrationModel>, spec: RequestSpec, model: { binaryMediaTypes: string[] } = PNG_TYPES): RestInvocation {
      const h = harness({ methods: [method(spec.httpMethod ?? "POST", "/upload", { integration: integration(integrationOverrides) })], model });
      const inv = h.invocation(`${spec.httpMethod ?? "POST"} /upload`, request({ httpMethod: "POST", path: "/upload", ...spec }));
      buildIntegrationRequest(inv, h.stage);
      return inv;
    }
    const HTTP: Partial<IntegrationModel> = { type: "HTTP", integrationHttpMethod: "POST", uri: "http://backend.example/upload" };
    const png = (body: Buffer | string): RequestSpec => ({ headers: [["Content-Type", "image/png"]], body });

    it("passes a binary body through to an HTTP integration byte for byte", () => {
      expect(built(HTTP, png(RAW)).integrationRequest!.body.equals(RAW)).to.equal(true);
    });

    it("gives a template the base64 of a binary body with CONVERT_TO_TEXT", () => {
      const inv = built({ ...HTTP, contentHandling: "CONVERT_TO_TEXT", requestTemplates: { "image/png": `{"image": "$input.body"}` } }, png(RAW));
      expect(inv.integrationRequest!.body.toString()).to.equal(`{"image": "${ENCODED}"}`);
    });

    it("refuses a template over a binary body without CONVERT_TO_TEXT: API_CONFIGURATION_ERROR, 'Unable to transform request'", async () => {
      const error = await gatewayErrorOf(() => built({ ...HTTP, requestTemplates: { "image/png": `{"image": "$input.body"}` } }, png(TEXT)));
      expect(error.type).to.equal("API_CONFIGURATION_ERROR");
      expect(error.message).to.match(/^Unable to transform request/);
    });

    it("sends a text body base64-decoded with CONVERT_TO_BINARY, and refuses a decoded body to a template [s3: request_convert_to_binary_with_request_template]", async () => {
      const spec: RequestSpec = { headers: [["Content-Type", "text/plain"]], body: ENCODED };
      expect(built({ ...HTTP, contentHandling: "CONVERT_TO_BINARY" }, spec).integrationRequest!.body.equals(RAW)).to.equal(true);
      const json: RequestSpec = { headers: [["Content-Type", "application/json"]], body: ENCODED };
      const error = await gatewayErrorOf(() => built({ ...HTTP, contentHandling: "CONVERT_TO_BINARY", requestTemplates: { "application/json": `{"data": "$input.body"}` } }, json));
      expect(error.type).to.equal("API_CONFIGURATION_ERROR");
    });

    it("fails a body that is not base64 under CONVERT_TO_BINARY with API_CONFIGURATION_ERROR, before any request leaves", async () => {
      const error = await gatewayErrorOf(() => built({ ...HTTP, contentHandling: "CONVERT_TO_BINARY" }, { headers: [["Content-Type", "text/plain"]], body: TEXT }));
      expect(error.type).to.equal("API_CONFIGURATION_ERROR");
    });

    it("still sends a text body as UTF-8 when the API has no binary media types (the body AWS records for invalid UTF-8)", () => {
      expect(built(HTTP, png(RAW), { binaryMediaTypes: [] }).integrationRequest!.body.equals(RAW_AS_TEXT)).to.equal(true);
    });

    it("fails a MOCK preflight under */* unless the integration converts to text (aws/serverless-application-model#553)", async () => {
      const preflight: Partial<IntegrationModel> = { requestTemplates: { "application/json": `{"statusCode": 200}` } };
      const options: RequestSpec = { httpMethod: "OPTIONS" };
      const error = await gatewayErrorOf(() => built(preflight, options, { binaryMediaTypes: ["*/*"] }));
      expect(error.type).to.equal("API_CONFIGURATION_ERROR");
      const converted = built({ ...preflight, contentHandling: "CONVERT_TO_TEXT" }, options, { binaryMediaTypes: ["*/*"] });
      expect(converted.integrationRequest!.body.toString()).to.equal(`{"statusCode": 200}`);
    });
  });

  describe("in the integration response step", () => {
    const AWS_LAMBDA: Partial<IntegrationModel> = {
      type: "AWS",
      integrationHttpMethod: "POST",
      functionArn: FUNCTION_ARN,
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`,
      awsTarget: { kind: "lambda", region: "us-east-1", functionArn: FUNCTION_ARN },
    };
    const HTTP: Partial<IntegrationModel> = { type: "HTTP", integrationHttpMethod: "GET", uri: "http://backend.example/image" };

    /** `GET /image` answered `endpoint`, with one default integration response `ir`. */
    function mapped(integrationOverrides: Partial<IntegrationModel>, ir: Partial<IntegrationResponseModel>, endpoint: Partial<EndpointResponse>, accept: string | undefined, binaryMediaTypes = ["image/png"]): RestInvocation {
      const responses = [{ statusCode: "200", responseTemplates: {}, responseParameters: {}, ...ir }];
      const h = harness({ methods: [method("GET", "/image", { integration: integration({ ...integrationOverrides, responses }) })], model: { binaryMediaTypes } });
      const inv = h.invocation("GET /image", request({ path: "/image", headers: accept === undefined ? [] : [["Accept", accept]] }));
      buildIntegrationRequest(inv, h.stage);
      inv.endpointResponse = { statusCode: 200, headers: [], body: Buffer.alloc(0), ...endpoint };
      mapIntegrationResponse(inv, h.stage);
      return inv;
    }
    const pngAnswer: Partial<EndpointResponse> = { headers: [["Content-Type", "image/png"]], body: RAW };

    it("answers a binary endpoint payload as bytes to a binary Accept, as base64 to a text one", () => {
      expect(bytes(mapped(HTTP, {}, pngAnswer, "image/png").answer!.body).equals(RAW)).to.equal(true);
      expect(mapped(HTTP, {}, pngAnswer, "application/json").answer!.body.toString()).to.equal(ENCODED);
      expect(mapped(HTTP, {}, pngAnswer, undefined).answer!.body.toString()).to.equal(ENCODED);
    });

    it("gives a response template the base64 of a binary payload with CONVERT_TO_TEXT [s3: response_convert_to_binary_with_request_template]", () => {
      const inv = mapped(HTTP, { contentHandling: "CONVERT_TO_TEXT", responseTemplates: { "application/json": `{"data": "$input.body"}` } }, pngAnswer, "image/png");
      expect(inv.answer!.body.toString()).to.equal(`{"data": "${ENCODED}"}`);
    });

    it("refuses a response template over a decoded payload: CONVERT_TO_BINARY with a template is 500 [s3: same test, after the update]", async () => {
      const textAnswer: Partial<EndpointResponse> = { headers: [["Content-Type", "binary/octet-stream"]], body: Buffer.from(ENCODED) };
      const error = await gatewayErrorOf(() => mapped(HTTP, { contentHandling: "CONVERT_TO_BINARY", responseTemplates: { "application/json": `{"data": "$input.body"}` } }, textAnswer, "image/png"));
      expect(error.type).to.equal("API_CONFIGURATION_ERROR");
    });

    it("takes a non-proxy Lambda's result as application/json: base64 for a text Accept under application/*", () => {
      const inv = mapped(AWS_LAMBDA, {}, { body: Buffer.from(`{"ok":true}`) }, "text/plain", ["application/*"]);
      expect(inv.answer!.body.toString()).to.equal(Buffer.from(`{"ok":true}`).toString("base64"));
    });

    it("leaves the answer as before when the API has no binary media types and the response no contentHandling", () => {
      expect(mapped(HTTP, {}, pngAnswer, "image/png", []).answer!.body).to.equal(RAW.toString("utf8"));
    });
  });
});
