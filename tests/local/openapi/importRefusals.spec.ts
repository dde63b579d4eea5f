/**
 * What a RestApi body may not hold: the refusals, with their exact messages, naming the
 * extension (or its field) and its JSON path (local/openapi/import/extensionCheck.ts).
 */
import { expect } from "chai";
import { restApiModels } from "../../../local/restGateway/restApiModel";
import { GATEWAY_RESPONSE_TYPES } from "../../../components/restApi/args";
import { HONOURED_EXTENSIONS } from "../../../local/openapi/import/extensionCheck";
import { graphWith, petsOas3, petsSwagger2 } from "./importFixtures";

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- documents are edited freely below

const SERVES = `(it serves ${HONOURED_EXTENSIONS.join(", ")})`;

function refusal(doc: Doc | string, apiInputs: Record<string, unknown> = {}): string {
  try {
    restApiModels(graphWith({ body: typeof doc === "string" ? doc : JSON.stringify(doc), ...apiInputs }));
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the body was served");
}

function edited(edit: (doc: Doc) => void, base: () => Doc = petsOas3): Doc {
  const doc = base();
  edit(doc);
  return doc;
}

describe("OpenAPI body import: refusals", () => {
  it("lists the extensions it honours", () => {
    expect(HONOURED_EXTENSIONS).to.deep.equal([
      "x-amazon-apigateway-any-method",
      "x-amazon-apigateway-api-key-source",
      "x-amazon-apigateway-authorizer",
      "x-amazon-apigateway-authtype",
      "x-amazon-apigateway-binary-media-types",
      "x-amazon-apigateway-documentation",
      "x-amazon-apigateway-gateway-responses",
      "x-amazon-apigateway-integration",
      "x-amazon-apigateway-request-validator",
      "x-amazon-apigateway-request-validators",
    ]);
  });

  const cases: Array<[string, Doc, string]> = [
    ["a resource policy", edited((d) => (d["x-amazon-apigateway-policy"] = { Version: "2012-10-17", Statement: [] })), `x-amazon-apigateway-policy at the document root is not emulated by the local cloud ${SERVES}`],
    ["an endpoint configuration", edited((d) => (d["x-amazon-apigateway-endpoint-configuration"] = { disableExecuteApiEndpoint: true })), `x-amazon-apigateway-endpoint-configuration at the document root is not emulated by the local cloud ${SERVES}`],
    ["a minimum compression size", edited((d) => (d["x-amazon-apigateway-minimum-compression-size"] = 0)), `x-amazon-apigateway-minimum-compression-size at the document root is not emulated by the local cloud ${SERVES}`],
    ["HTTP API CORS", edited((d) => (d["x-amazon-apigateway-cors"] = { allowOrigins: ["*"] })), `x-amazon-apigateway-cors at the document root is not emulated by the local cloud ${SERVES}`],
    ["IAM auth on an operation", edited((d) => (d.paths["/pets"].get["x-amazon-apigateway-auth"] = { type: "AWS_IAM" })), `x-amazon-apigateway-auth at paths./pets.get is not emulated by the local cloud ${SERVES}`],
    ["an integration extension in the wrong place", edited((d) => (d.paths["/pets"]["x-amazon-apigateway-integration"] = { type: "mock" })), `x-amazon-apigateway-integration at paths./pets is not emulated by the local cloud ${SERVES}`],
    ["a VPC link", edited((d) => Object.assign(d.paths["/pets"].get["x-amazon-apigateway-integration"], { connectionType: "VPC_LINK", connectionId: "abc" })), `x-amazon-apigateway-integration.connectionType VPC_LINK at paths./pets.get is not emulated by the local cloud ${SERVES}`],
    ["backend TLS settings", edited((d) => (d.paths["/pets"].get["x-amazon-apigateway-integration"].tlsConfig = { insecureSkipVerification: true })), `x-amazon-apigateway-integration.tlsConfig at paths./pets.get is not emulated by the local cloud ${SERVES}`],
    ["an HTTP API payload format", edited((d) => (d.paths["/pets"].post["x-amazon-apigateway-integration"].payloadFormatVersion = "2.0")), `x-amazon-apigateway-integration.payloadFormatVersion 2.0 at paths./pets.post is not emulated by the local cloud ${SERVES}`],
    ["an unknown integration type", edited((d) => (d.paths["/pets"].get["x-amazon-apigateway-integration"].type = "lambda")), `x-amazon-apigateway-integration.type "lambda" at paths./pets.get is not emulated by the local cloud ${SERVES}`],
    ["a JWT authorizer", edited((d) => (d.components.securitySchemes.token["x-amazon-apigateway-authorizer"].type = "jwt")), `x-amazon-apigateway-authorizer.type "jwt" at components.securitySchemes.token is not emulated by the local cloud ${SERVES}`],
    ["IAM (awsSigv4) in Swagger 2", edited((d) => (d.securityDefinitions.sigv4 = { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "awsSigv4" }), petsSwagger2), `x-amazon-apigateway-authtype awsSigv4 (IAM authorization) at securityDefinitions.sigv4 is not emulated by the local cloud ${SERVES}`],
  ];
  for (const [what, doc, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(refusal(doc)).to.equal(`RestApi "pets" body: ${message}`);
    });
  }

  it("refuses a validator name the document does not define, at the operation or the document", () => {
    expect(refusal(edited((d) => (d.paths["/pets"].post["x-amazon-apigateway-request-validator"] = "none")))).to.equal(
      `RestApi "pets" body: x-amazon-apigateway-request-validator "none" at paths./pets.post names no validator of x-amazon-apigateway-request-validators (all, params)`,
    );
    expect(refusal(edited((d) => (d["x-amazon-apigateway-request-validator"] = "missing")))).to.equal(
      `RestApi "pets" body: x-amazon-apigateway-request-validator "missing" at the document root names no validator of x-amazon-apigateway-request-validators (all, params)`,
    );
  });

  it("refuses two authorizers on one operation", () => {
    expect(refusal(edited((d) => (d.paths["/pets"].get.security = [{ token: [] }, { cognito: [] }])))).to.equal(`RestApi "pets" body: security at paths./pets.get names two authorizers (token, cognito); a method has one`);
  });

  it("refuses a gateway response of no known type", () => {
    expect(refusal(edited((d) => (d["x-amazon-apigateway-gateway-responses"].MISSING_TOKEN = { statusCode: 404 })))).to.equal(
      `RestApi "pets" body: x-amazon-apigateway-gateway-responses.MISSING_TOKEN at the document root is not a gateway response type (known: ${GATEWAY_RESPONSE_TYPES.join(", ")})`,
    );
  });

  it("refuses a security requirement naming no scheme", () => {
    expect(refusal(edited((d) => (d.paths["/pets"].get.security = [{ oauth: [] }])))).to.equal(`RestApi "pets" body: security at paths./pets.get names oauth, which no security scheme defines`);
  });

  it("refuses a request body $ref to no schema", () => {
    expect(refusal(edited((d) => (d.paths["/pets"].post.requestBody.content["application/json"].schema.$ref = "#/components/schemas/Cat")))).to.equal(
      `RestApi "pets" body: request body $ref #/components/schemas/Cat of PostPets names no schema`,
    );
  });

  it("refuses an integration response without a status code", () => {
    expect(refusal(edited((d) => delete d.paths["/pets"].get["x-amazon-apigateway-integration"].responses.default.statusCode))).to.equal(
      `RestApi "pets" body: paths./pets.get.x-amazon-apigateway-integration.responses.default has no statusCode`,
    );
  });

  it("refuses what is not an OpenAPI 3.0 or Swagger 2.0 document, in JSON or YAML", () => {
    expect(refusal("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")).to.equal(`RestApi "pets" body: is not an OpenAPI 3.0 or Swagger 2.0 document (openapi "3.1.0")`);
    expect(refusal(`{"info": {"title": "t"}}`)).to.equal(`RestApi "pets" body: is not an OpenAPI 3.0 or Swagger 2.0 document (no openapi or swagger field)`);
    expect(refusal("[1, 2]")).to.equal(`RestApi "pets" body: is not an OpenAPI document (not an object)`);
    expect(refusal("paths: {a: [")).to.match(/^RestApi "pets" body: is neither JSON nor YAML \(unexpected end of the stream/);
  });

  it("refuses a putRestApiMode other than merge or overwrite", () => {
    expect(refusal(petsOas3(), { putRestApiMode: "replace" })).to.equal(`RestApi "pets" body: putRestApiMode must be merge or overwrite (got "replace")`);
  });
});
