/**
 * A RestApi body imported into the model the REST gateway serves: each extension's translation,
 * in OpenAPI 3.0 and Swagger 2.0, JSON and YAML (local/openapi/import).
 */
import { expect } from "chai";
import { dump } from "js-yaml";
import { withImportedBodies } from "../../../local/openapi/import/servedGraph";
import { restApiModels, type RestApiModel } from "../../../local/restGateway/restApiModel";
import { API_ID, FUNCTION_ARN, LAMBDA_URI, graphWith, petsOas3, petsSwagger2 } from "./importFixtures";

function served(body: string, apiInputs: Record<string, unknown> = {}): RestApiModel {
  const models = restApiModels(graphWith({ body, ...apiInputs }));
  expect(models).to.have.length(1);
  return models[0];
}

/** The model without its generated ids, for comparing two imports. */
function comparable(model: RestApiModel): unknown {
  return JSON.parse(JSON.stringify({ ...model, methods: Object.fromEntries(model.methods), authorizers: [...model.authorizers.values()].map(({ id: _id, ...a }) => a) }));
}

describe("OpenAPI body import", () => {
  const documents = {
    "OpenAPI 3.0 JSON": JSON.stringify(petsOas3()),
    "OpenAPI 3.0 YAML": dump(petsOas3()),
    "Swagger 2.0 JSON": JSON.stringify(petsSwagger2()),
    "Swagger 2.0 YAML": dump(petsSwagger2()),
  };

  for (const [dialect, body] of Object.entries(documents)) {
    describe(dialect, () => {
      let model: RestApiModel;
      before(() => (model = served(body)));

      it("creates a resource per path and its ancestors, and a method per operation (x-amazon-apigateway-any-method is ANY)", () => {
        expect(model.resourcePaths).to.deep.equal(["/", "/pets", "/pets/{id}"]);
        expect([...model.methods.keys()]).to.deep.equal(["GET /pets", "POST /pets", "ANY /pets/{id}"]);
      });

      it("translates x-amazon-apigateway-integration: MOCK with templates, passthrough and responses", () => {
        const get = model.methods.get("GET /pets")!;
        expect(get.integration).to.deep.include({
          type: "MOCK",
          requestTemplates: { "application/json": '{"statusCode": 200}' },
          passthroughBehavior: "WHEN_NO_TEMPLATES",
          timeoutMs: 29_000,
          responses: [{ statusCode: "200", selectionPattern: undefined, responseTemplates: { "application/json": '[{"id":1},{"id":2}]' }, responseParameters: { "method.response.header.x-count": "'2'" }, contentHandling: undefined }],
        });
        expect(get.methodResponses).to.deep.equal({ "200": { "method.response.header.x-count": false } });
      });

      it("translates an AWS_PROXY integration: uri, httpMethod, timeoutInMillis, contentHandling", () => {
        expect(model.methods.get("POST /pets")!.integration).to.deep.include({
          type: "AWS_PROXY",
          uri: LAMBDA_URI,
          integrationHttpMethod: "POST",
          functionArn: FUNCTION_ARN,
          timeoutMs: 5000,
          contentHandling: "CONVERT_TO_TEXT",
        });
      });

      it("translates an HTTP integration: requestParameters, cacheKeyParameters, responses keyed by selection pattern", () => {
        const integration = model.methods.get("ANY /pets/{id}")!.integration!;
        expect(integration).to.deep.include({ type: "HTTP", uri: "http://127.0.0.1:9/pets/{id}", integrationHttpMethod: "GET", requestParameters: { "integration.request.path.id": "method.request.path.id" }, cacheKeyParameters: ["method.request.path.id"] });
        expect(integration.responses.map((r) => [r.selectionPattern, r.statusCode])).to.deep.equal([["5\\d{2}", "502"], [undefined, "200"]]);
      });

      it("reads request parameters from the path item and the operation (path parameters required)", () => {
        expect(model.methods.get("GET /pets")!.requestParameters).to.deep.equal({ "method.request.querystring.type": true });
        expect(model.methods.get("ANY /pets/{id}")!.requestParameters).to.deep.equal({ "method.request.path.id": true });
      });

      it("applies the document's default request validator, and an operation's own", () => {
        expect(model.methods.get("GET /pets")!.validator).to.deep.equal({ validateRequestBody: false, validateRequestParameters: true });
        expect(model.methods.get("POST /pets")!.validator).to.deep.equal({ validateRequestBody: true, validateRequestParameters: true });
      });

      it("makes a model of each schema, $refs pointing at the models' URLs, and the request body's $ref the method's request model", () => {
        expect(model.models.map((m) => m.name)).to.deep.equal(["NewPet", "Tag"]);
        expect(JSON.parse(model.models[0].schema).properties.tag).to.deep.equal({ $ref: `https://apigateway.amazonaws.com/restapis/${API_ID}/models/Tag` });
        expect(model.models[0].contentType).to.equal("application/json");
        expect(model.methods.get("POST /pets")!.requestModels).to.deep.equal({ "application/json": "NewPet" });
      });

      it("turns the api_key scheme into apiKeyRequired, and authorizer schemes into authorizers named after them", () => {
        expect(model.methods.get("GET /pets")).to.deep.include({ authorization: "NONE", apiKeyRequired: true });
        const byName = Object.fromEntries([...model.authorizers.values()].map((a) => [a.name, a]));
        expect(byName.token).to.deep.include({ type: "TOKEN", identitySource: "method.request.header.Authorization", identityValidationExpression: "^Bearer .+$", resultTtlSeconds: 60, functionArn: FUNCTION_ARN });
        expect(byName.request).to.deep.include({ type: "REQUEST", identitySource: "method.request.header.Auth, method.request.querystring.name", resultTtlSeconds: 0 });
        expect(byName.cognito).to.deep.include({ type: "COGNITO_USER_POOLS", providerArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"] });
        expect(model.methods.get("ANY /pets/{id}")).to.deep.include({ authorization: "CUSTOM", authorizerId: byName.token.id });
        expect(model.methods.get("POST /pets")).to.deep.include({ authorization: "COGNITO_USER_POOLS", authorizerId: byName.cognito.id, authorizationScopes: ["pets/write"] });
      });

      it("takes the API key source, binary media types and gateway responses from the document", () => {
        expect(model.apiKeySource).to.equal("HEADER");
        expect(model.binaryMediaTypes).to.deep.equal(["image/png"]);
        expect(model.gatewayResponses).to.deep.equal({
          MISSING_AUTHENTICATION_TOKEN: { statusCode: "404", responseParameters: { "gatewayresponse.header.x-where": "'body'" }, responseTemplates: { "application/json": '{"message":"no such route"}' } },
        });
      });
    });
  }

  it("serves the same API from all four spellings", () => {
    const [first, ...others] = Object.values(documents).map((body) => comparable(served(body)));
    for (const other of others) expect(other).to.deep.equal(first);
  });

  it("lets the RestApi's apiKeySource and binaryMediaTypes arguments override the document's", () => {
    const model = served(JSON.stringify(petsOas3()), { apiKeySource: "AUTHORIZER", binaryMediaTypes: ["application/octet-stream"] });
    expect({ apiKeySource: model.apiKeySource, binaryMediaTypes: model.binaryMediaTypes }).to.deep.equal({ apiKeySource: "AUTHORIZER", binaryMediaTypes: ["application/octet-stream"] });
  });

  it("takes the API's description from info.description unless the program gives one", () => {
    const doc = { ...petsOas3(), info: { title: "pets", version: "1", description: "Pets, imported" } };
    const described = (inputs: Record<string, unknown>) => withImportedBodies(graphWith({ body: JSON.stringify(doc), ...inputs })).findById(API_ID)!.inputs.description;
    expect(described({})).to.equal("Pets, imported");
    expect(described({ description: "declared" })).to.equal("declared");
  });

  describe("the base path (the RestApi's parameters.basepath)", () => {
    const oas3 = { ...petsOas3(), servers: [{ url: "https://example.com/{basePath}", variables: { basePath: { default: "/v1/pets-api" } } }] };
    const swagger2 = { ...petsSwagger2(), basePath: "/v1/pets-api" };
    const paths = (doc: object, basepath?: string) => served(JSON.stringify(doc), basepath ? { parameters: { basepath } } : {}).resourcePaths;
    for (const [dialect, doc] of [["OpenAPI 3.0", oas3], ["Swagger 2.0", swagger2]] as const) {
      it(`${dialect}: ignored by default and with ignore, prepended with prepend, prepended without its first part with split`, () => {
        expect(paths(doc)).to.deep.equal(["/", "/pets", "/pets/{id}"]);
        expect(paths(doc, "ignore")).to.deep.equal(["/", "/pets", "/pets/{id}"]);
        expect(paths(doc, "prepend")).to.deep.equal(["/", "/v1", "/v1/pets-api", "/v1/pets-api/pets", "/v1/pets-api/pets/{id}"]);
        expect(paths(doc, "split")).to.deep.equal(["/", "/pets-api", "/pets-api/pets", "/pets-api/pets/{id}"]);
      });
    }

    it("OpenAPI 3.0 without a basePath variable: the first server URL's path", () => {
      expect(paths({ ...petsOas3(), servers: [{ url: "https://example.com/api" }] }, "prepend")).to.deep.equal(["/", "/api", "/api/pets", "/api/pets/{id}"]);
    });

    it("refuses another basepath mode", () => {
      expect(() => paths(oas3, "strip")).to.throw(`RestApi "pets" body: parameters.basepath must be ignore, prepend or split (got "strip")`);
    });
  });

  it("gives an inline request schema a model of its own, named after the operation", () => {
    const doc = petsOas3() as { paths: Record<string, Record<string, Record<string, unknown>>> };
    doc.paths["/pets"].post.requestBody = { content: { "application/json": { schema: { type: "object", required: ["id"] } } } };
    doc.paths["/pets"].post.operationId = "add-pet";
    const model = served(JSON.stringify(doc));
    expect(model.methods.get("POST /pets")!.requestModels).to.deep.equal({ "application/json": "AddPetBody" });
    expect(model.models.find((m) => m.name === "AddPetBody")).to.deep.equal({ name: "AddPetBody", contentType: "application/json", schema: '{"type":"object","required":["id"]}' });
  });

  it("applies the document's security to operations without their own, and security: [] turns it off", () => {
    const doc = petsOas3() as { security?: unknown; paths: Record<string, Record<string, Record<string, unknown>>> };
    doc.security = [{ api_key: [] }];
    delete doc.paths["/pets"].post.security;
    doc.paths["/pets"].get.security = [];
    const model = served(JSON.stringify(doc));
    expect(model.methods.get("POST /pets")).to.deep.include({ authorization: "NONE", apiKeyRequired: true });
    expect(model.methods.get("GET /pets")).to.deep.include({ authorization: "NONE", apiKeyRequired: false });
  });

  it("ignores other vendors' extensions, even holding API Gateway keys", () => {
    const doc = petsOas3();
    expect(doc["x-vendor-thing"]).to.have.property("x-amazon-apigateway-policy");
    expect(served(JSON.stringify(doc)).methods.size).to.equal(3);
  });

  it("leaves an API without a body as it was", () => {
    const graph = graphWith({});
    expect(restApiModels(graph)[0].methods.size).to.equal(0);
  });
});
