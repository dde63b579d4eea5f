import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { ProgramRun, runProgram } from "../../../local/controlPlane";
import { exportOpenApi, restApiToExport, type OpenApiDocument } from "../../../local/openapi/exportOpenApi";
import { integrationExtension } from "../../../local/openapi/integrationExtension";
import { requestParameters } from "../../../local/openapi/paths";
import { modelSchemas } from "../../../local/openapi/schemas";
import { restApiModels, type RestApiModel } from "../../../local/restGateway/restApiModel";
import { openApiProblems } from "./openApiDocument";

/** Every `x-` key anywhere in a value. */
function extensionKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(extensionKeys);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [...(key.startsWith("x-") ? [key] : []), ...extensionKeys(inner)]);
}

describe("OpenAPI export of the demo dev stack's REST API", function () {
  this.timeout(60_000);
  let run: ProgramRun;
  let model: RestApiModel;
  let plain: OpenApiDocument;
  let withExtensions: OpenApiDocument;

  before(async () => {
    run = await runProgram({ stack: "dev" });
    model = restApiToExport(run.graph);
    plain = exportOpenApi(run.graph, model, "none");
    withExtensions = exportOpenApi(run.graph, model, "apigateway");
  });

  it("is a valid OpenAPI 3.0 document, with and without the extensions", () => {
    expect(openApiProblems(plain as unknown as Record<string, unknown>)).to.deep.equal([]);
    expect(openApiProblems(withExtensions as unknown as Record<string, unknown>)).to.deep.equal([]);
  });

  it("(the structural check finds a missing description, an optional path parameter and a dangling $ref)", () => {
    const broken = structuredClone(plain) as unknown as { paths: Record<string, Record<string, { responses: Record<string, { description?: string }>; parameters?: Array<{ required?: boolean }> }>>; components: { schemas?: Record<string, unknown> } };
    delete broken.paths["/health"].get.responses["200"].description;
    delete broken.paths["/users/{id}"].get.parameters![0].required;
    delete broken.components.schemas!.User;
    expect(openApiProblems(broken as unknown as Record<string, unknown>)).to.have.members([
      "paths./health.get.responses.200.description: missing",
      "paths./users/{id}.get.parameters.id: a path parameter must be required",
      "$ref #/components/schemas/User: does not resolve",
    ]);
  });

  it("heads the document as GetExport does: 3.0.1, the API's name, a date version, the stage as basePath", () => {
    expect(plain.openapi).to.equal("3.0.1");
    expect(plain.info.title).to.equal(model.name);
    expect(plain.info.version).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(plain.servers).to.deep.equal([
      { url: `https://${model.apiId}.execute-api.us-east-1.amazonaws.com/{basePath}`, variables: { basePath: { default: "dev" } } },
    ]);
  });

  it("has every deployed method, with its request parameters", () => {
    expect(model.methods.size).to.be.greaterThan(10);
    for (const method of model.methods.values()) {
      const operation = plain.paths[method.resourcePath]?.[method.httpMethod.toLowerCase()];
      expect(operation, `${method.httpMethod} ${method.resourcePath}`).to.be.an("object");
      expect(operation.parameters ?? [], `${method.httpMethod} ${method.resourcePath}`).to.have.length(Object.keys(method.requestParameters).length);
    }
    expect(plain.paths["/data"].get.parameters).to.have.deep.members([
      { name: "Accept-Language", in: "header", schema: { type: "string" } },
      { name: "Origin", in: "header", schema: { type: "string" } },
      { name: "category", in: "query", schema: { type: "string" } },
    ]);
    expect(plain.paths["/users/{id}"].get.parameters).to.deep.equal([{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
  });

  it("writes the models as schemas, with the users POST body referencing User and its required fields", () => {
    expect(Object.keys(plain.components.schemas ?? {})).to.have.members(model.models.map((m) => m.name));
    expect(plain.paths["/users"].post.requestBody).to.deep.equal({ content: { "application/json": { schema: { $ref: "#/components/schemas/User" } } }, required: true });
    expect(plain.components.schemas?.User).to.include({ type: "object" });
    expect(plain.components.schemas?.User.required).to.deep.equal(["email", "name"]);
    expect(plain.paths["/users"].post.parameters).to.deep.equal([{ name: "Content-Type", in: "header", required: true, schema: { type: "string" } }]);
  });

  it("writes method responses with their headers and `content: {}` as AWS does", () => {
    expect(plain.paths["/health"].get.responses["200"]).to.deep.equal({
      description: "200 response",
      headers: Object.fromEntries(["Access-Control-Allow-Credentials", "Access-Control-Allow-Origin", "Vary"].map((h) => [h, { schema: { type: "string" } }])),
      content: {},
    });
  });

  it("declares the API key, the Cognito and the token authorizers as security schemes, and each method's requirement", () => {
    expect(withExtensions.components.securitySchemes?.api_key).to.deep.equal({ type: "apiKey", name: "x-api-key", in: "header" });
    const cognito = withExtensions.components.securitySchemes?.cognito;
    expect(cognito).to.include({ type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "cognito_user_pools" });
    expect(cognito?.["x-amazon-apigateway-authorizer"]).to.deep.equal({ type: "cognito_user_pools", providerARNs: model.authorizers.get([...model.authorizers.values()].find((a) => a.name === "cognito")!.id)!.providerArns });
    const hmac = withExtensions.components.securitySchemes?.hmac;
    expect(hmac).to.include({ type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "custom" });
    expect(hmac?.["x-amazon-apigateway-authorizer"]).to.include({ type: "token", authorizerResultTtlInSeconds: 60 });
    expect((hmac?.["x-amazon-apigateway-authorizer"] as { authorizerUri: string }).authorizerUri).to.match(/^arn:aws:apigateway:us-east-1:lambda:path\/2015-03-31\/functions\/arn:aws:lambda:.*:function:partner-tokens-.*\/invocations$/);
    expect(plain.components.securitySchemes?.hmac).to.deep.equal({ type: "apiKey", name: "Authorization", in: "header" });

    expect(plain.paths["/users"].post.security).to.deep.equal([{ cognito: [] }]);
    expect(plain.paths["/partner/status"].get.security).to.deep.equal([{ hmac: [] }]);
    expect(plain.paths["/data"].get.security).to.deep.equal([{ api_key: [] }]);
    expect(plain.paths["/health"].get.security).to.equal(undefined);
  });

  it("writes the request validators and each method's validator with --extensions apigateway", () => {
    const validators = withExtensions["x-amazon-apigateway-request-validators"] as Record<string, { validateRequestBody: boolean; validateRequestParameters: boolean }>;
    const usersPost = withExtensions.paths["/users"].post["x-amazon-apigateway-request-validator"] as string;
    expect(validators[usersPost]).to.deep.equal({ validateRequestBody: true, validateRequestParameters: true });
    expect(validators[withExtensions.paths["/customers"].post["x-amazon-apigateway-request-validator"] as string]).to.deep.equal({ validateRequestBody: true, validateRequestParameters: false });
    expect(validators[withExtensions.paths["/users/{id}"].get["x-amazon-apigateway-request-validator"] as string]).to.deep.equal({ validateRequestBody: false, validateRequestParameters: true });
    expect(withExtensions.paths["/health"].get).to.not.have.property("x-amazon-apigateway-request-validator");
  });

  it("writes every method's integration with --extensions apigateway, as GetExport spells it", () => {
    for (const method of model.methods.values()) {
      const integration = withExtensions.paths[method.resourcePath][method.httpMethod.toLowerCase()]["x-amazon-apigateway-integration"] as Record<string, unknown>;
      expect(integration, `${method.httpMethod} ${method.resourcePath}`).to.include({ type: method.integration!.type.toLowerCase() });
    }
    const transform = withExtensions.paths["/transform"].post["x-amazon-apigateway-integration"] as { type: string; httpMethod: string; passthroughBehavior: string; timeoutInMillis: number; responses: Record<string, { statusCode: string }> };
    expect(transform).to.include({ type: "aws", httpMethod: "POST", timeoutInMillis: 29_000 });
    expect(transform.passthroughBehavior).to.match(/^(when_no_match|when_no_templates|never)$/);
    expect(transform.responses.default.statusCode).to.equal("200");
    expect(Object.values(transform.responses).map((r) => r.statusCode)).to.have.members(["200", "400", "500"]);
  });

  it("writes the API-level extensions with --extensions apigateway", () => {
    expect(withExtensions["x-amazon-apigateway-api-key-source"]).to.equal("HEADER");
    expect(withExtensions["x-amazon-apigateway-binary-media-types"]).to.deep.equal(model.binaryMediaTypes);
    expect(Object.keys(withExtensions["x-amazon-apigateway-gateway-responses"] as object)).to.have.members(Object.keys(model.gatewayResponses));
  });

  it("writes no extension at all with --extensions none", () => {
    expect(extensionKeys(plain)).to.deep.equal([]);
  });
});

describe("OpenAPI export parts", () => {
  it("maps request parameters, writing required only when true (path parameters always)", () => {
    expect(
      requestParameters({ "method.request.path.id": true, "method.request.querystring.page": false, "method.request.header.X-Trace": true, "method.request.multivaluequerystring.tag": false }),
    ).to.deep.equal([
      { name: "id", in: "path", required: true, schema: { type: "string" } },
      { name: "page", in: "query", schema: { type: "string" } },
      { name: "X-Trace", in: "header", required: true, schema: { type: "string" } },
      { name: "tag", in: "query", schema: { type: "string" } },
    ]);
  });

  it("rewrites model references to #/components/schemas/<name>, keeping the rest as written", () => {
    const schemas = modelSchemas([
      { name: "Pets", contentType: "application/json", schema: JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", type: "array", items: { $ref: "https://apigateway.amazonaws.com/restapis/abc/models/Pet" } }) },
      { name: "Pet", contentType: "application/json", schema: JSON.stringify({ type: "object", properties: { kind: { $ref: "#/definitions/Kind" } } }) },
    ]);
    expect(schemas).to.deep.equal({
      Pets: { $schema: "http://json-schema.org/draft-04/schema#", type: "array", items: { $ref: "#/components/schemas/Pet" } },
      Pet: { type: "object", properties: { kind: { $ref: "#/components/schemas/Kind" } } },
    });
    expect(modelSchemas([])).to.equal(undefined);
    expect(() => modelSchemas([{ name: "Bad", contentType: "application/json", schema: "{" }])).to.throw(/^model Bad: its schema is not JSON/);
  });

  it("keys integration responses by selection pattern, default for the one without", () => {
    const extension = integrationExtension({
      type: "HTTP",
      uri: "https://example.com/{id}",
      integrationHttpMethod: "GET",
      requestParameters: { "integration.request.path.id": "method.request.path.id" },
      connectionType: "INTERNET",
      contentHandling: "CONVERT_TO_TEXT",
      requestTemplates: {},
      passthroughBehavior: "WHEN_NO_TEMPLATES",
      cacheKeyParameters: ["method.request.path.id"],
      timeoutMs: 5000,
      responses: [
        { statusCode: "200", responseTemplates: {}, responseParameters: {} },
        { statusCode: "404", selectionPattern: "404", responseTemplates: { "application/json": "{}" }, responseParameters: {} },
      ],
    });
    expect(extension).to.deep.equal({
      type: "http",
      httpMethod: "GET",
      uri: "https://example.com/{id}",
      responses: { default: { statusCode: "200" }, "404": { statusCode: "404", responseTemplates: { "application/json": "{}" } } },
      requestParameters: { "integration.request.path.id": "method.request.path.id" },
      passthroughBehavior: "when_no_templates",
      contentHandling: "CONVERT_TO_TEXT",
      timeoutInMillis: 5000,
      cacheKeyParameters: ["method.request.path.id"],
    });
  });
});

describe("choosing the REST API to export", function () {
  this.timeout(60_000);
  let run: ProgramRun;

  before(async () => {
    run = await runProgram({
      stack: "dev",
      define: () => {
        for (const name of ["orders", "billing"]) {
          const api = new aws.apigateway.RestApi(name, { name });
          const method = new aws.apigateway.Method(`${name}-get`, { restApi: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorization: "NONE" });
          const integration = new aws.apigateway.Integration(`${name}-mock`, { restApi: api.id, resourceId: api.rootResourceId, httpMethod: "GET", type: "MOCK" }, { dependsOn: [method] });
          const deployment = new aws.apigateway.Deployment(`${name}-deployment`, { restApi: api.id }, { dependsOn: [integration] });
          new aws.apigateway.Stage(`${name}-stage`, { restApi: api.id, deployment: deployment.id, stageName: "v1" });
        }
        return {};
      },
    });
  });

  it("picks an API by name", () => {
    expect(restApiToExport(run.graph, "billing").name).to.equal("billing");
    expect(exportOpenApi(run.graph, restApiToExport(run.graph, "orders")).info.title).to.equal("orders");
  });

  it("refuses to guess among several APIs, and an unknown name, listing them", () => {
    expect(restApiModels(run.graph)).to.have.length(2);
    expect(() => restApiToExport(run.graph)).to.throw("the program declares 2 REST API stages; pick one with --api: orders (stage v1), billing (stage v1)");
    expect(() => restApiToExport(run.graph, "shipping")).to.throw('no REST API named "shipping"; the program declares: orders (stage v1), billing (stage v1)');
  });
});
