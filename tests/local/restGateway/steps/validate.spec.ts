import { expect } from "chai";
import type { MethodModel } from "../../../../local/restGateway/restApiModel";
import { validateRequest } from "../../../../local/restGateway/steps/validate";
import { gatewayErrorOf, harness, method, request, type RequestSpec } from "./stepHarness";

const USER = JSON.stringify({ type: "object", required: ["name"], properties: { name: { type: "string" }, age: { type: "integer" } } });
const VENDOR = JSON.stringify({ type: "object", required: ["sku"], properties: { sku: { type: "string" } } });

const REQUIRED: MethodModel["requestParameters"] = {
  "method.request.querystring.page": true,
  "method.request.header.X-Tenant": true,
  "method.request.path.id": true,
  "method.request.header.Accept-Language": true,
  "method.request.querystring.optional": false,
};
const MODELS = { "application/json": "User", "application/vnd.acme+json": "Vendor" };
const BOTH = { validateRequestBody: true, validateRequestParameters: true };

function setup() {
  const h = harness({
    methods: [
      method("POST", "/both/{id}", { validator: BOTH, requestParameters: REQUIRED, requestModels: MODELS }),
      method("POST", "/params/{id}", { validator: { validateRequestBody: false, validateRequestParameters: true }, requestParameters: REQUIRED, requestModels: MODELS }),
      method("POST", "/body/{id}", { validator: { validateRequestBody: true, validateRequestParameters: false }, requestParameters: REQUIRED, requestModels: MODELS }),
      method("POST", "/none/{id}", { requestParameters: REQUIRED, requestModels: MODELS }),
      method("POST", "/nomodel/{id}", { validator: BOTH, requestModels: { "text/plain": "User" } }),
    ],
    model: {
      models: [
        { name: "User", contentType: "application/json", schema: USER },
        { name: "Vendor", contentType: "application/vnd.acme+json", schema: VENDOR },
      ],
    },
  });
  /** A routed POST to `/<resource>/1`. */
  const post = (resource: string, spec: RequestSpec = {}) => h.invocation(`POST /${resource}/{id}`, request({ httpMethod: "POST", path: `/${resource}/1`, ...spec }));
  return { ...h, post };
}

const ALL_PARAMETERS: RequestSpec = { query: "page=2", headers: [["x-tenant", "acme"], ["Accept-Language", "en"]] };

describe("REST gateway steps: validate", () => {
  // The step changes nothing in the stage: one (models compiled once) serves every test.
  let shared: ReturnType<typeof setup>;
  before(() => {
    shared = setup();
  });
  it("lets a request with every required parameter and a valid body through, unchanged", () => {
    const h = shared;
    const inv = h.post("both", { ...ALL_PARAMETERS, body: '{"name":"Ada","age":36}' });
    validateRequest(inv, h.stage);
    expect(inv.answer).to.equal(undefined);
  });

  it("lists missing parameters headers first, then path, then query string, in message and validationErrorString", async () => {
    const h = shared;
    const error = await gatewayErrorOf(() => validateRequest(h.post("both", { body: '{"name":"Ada"}' }), h.stage));
    const expected = "Missing required request parameters: [Accept-Language, X-Tenant, page]";
    expect(error.type).to.equal("BAD_REQUEST_PARAMETERS");
    expect(error.options.message).to.equal(expected);
    expect(error.options.validationErrorString).to.equal(expected);
  });

  it("counts a blank value as missing, and does not require optional parameters", async () => {
    const h = shared;
    const error = await gatewayErrorOf(() => validateRequest(h.post("both", { query: "page=%20", headers: [["X-Tenant", "acme"], ["Accept-Language", "  "]] }), h.stage));
    expect(error.options.message).to.equal("Missing required request parameters: [Accept-Language, page]");
  });

  it("checks parameters before the body", async () => {
    const h = shared;
    const error = await gatewayErrorOf(() => validateRequest(h.post("both", { query: "page=1", body: "not json" }), h.stage));
    expect(error.type).to.equal("BAD_REQUEST_PARAMETERS");
  });

  it("refuses a body failing the model with BAD_REQUEST_BODY, the violations in validationErrorString", async () => {
    const h = shared;
    const error = await gatewayErrorOf(() => validateRequest(h.post("both", { ...ALL_PARAMETERS, body: '{"name":"Ada","age":"old"}' }), h.stage));
    expect(error.type).to.equal("BAD_REQUEST_BODY");
    expect(error.options.message).to.equal(undefined);
    expect(error.options.validationErrorString).to.equal('[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]');
  });

  it("reports the object's own violation without descending into its members (fge, no deep check)", async () => {
    const h = shared;
    const error = await gatewayErrorOf(() => validateRequest(h.post("both", { ...ALL_PARAMETERS, body: '{"age":"old"}' }), h.stage));
    expect(error.options.validationErrorString).to.equal('[object has missing required properties (["name"])]');
  });

  it("refuses a body that is not JSON with BAD_REQUEST_BODY", async () => {
    const h = shared;
    const error = await gatewayErrorOf(() => validateRequest(h.post("both", { ...ALL_PARAMETERS, body: "{nope" }), h.stage));
    expect(error.type).to.equal("BAD_REQUEST_BODY");
    expect(error.options.validationErrorString).to.match(/^\[Invalid JSON: /);
  });

  it("validates an empty body as {} (a model with required properties refuses it)", async () => {
    const h = shared;
    const error = await gatewayErrorOf(() => validateRequest(h.post("both", ALL_PARAMETERS), h.stage));
    expect(error.type).to.equal("BAD_REQUEST_BODY");
    expect(error.options.validationErrorString).to.equal('[object has missing required properties (["name"])]');
  });

  it("picks the model by Content-Type (parameters ignored, case-insensitive media type)", async () => {
    const h = shared;
    const vendor = (body: string) => h.post("both", { ...ALL_PARAMETERS, headers: [...ALL_PARAMETERS.headers!, ["Content-Type", "Application/Vnd.Acme+JSON; charset=utf-8"]], body });
    // Valid for Vendor, not for User.
    expect(() => validateRequest(vendor('{"sku":"x-1"}'), h.stage)).to.not.throw();
    const error = await gatewayErrorOf(() => validateRequest(vendor('{"name":"Ada"}'), h.stage));
    expect(error.options.validationErrorString).to.equal('[object has missing required properties (["sku"])]');
  });

  it("uses the application/json model without a Content-Type, and for a type without a model", async () => {
    const h = shared;
    expect(() => validateRequest(h.post("both", { ...ALL_PARAMETERS, body: '{"name":"Ada"}' }), h.stage)).to.not.throw();
    const other = h.post("both", { ...ALL_PARAMETERS, headers: [...ALL_PARAMETERS.headers!, ["Content-Type", "text/csv"]], body: '{"sku":"x"}' });
    const error = await gatewayErrorOf(() => validateRequest(other, h.stage));
    expect(error.type).to.equal("BAD_REQUEST_BODY");
    expect(error.options.validationErrorString).to.equal('[object has missing required properties (["name"])]');
  });

  it("does not validate the body when no model applies to the Content-Type", () => {
    const h = shared;
    expect(() => validateRequest(h.post("nomodel", { headers: [["Content-Type", "application/json"]], body: "{nope" }), h.stage)).to.not.throw();
  });

  it("with a parameters-only validator, lets an invalid body through", async () => {
    const h = shared;
    expect(() => validateRequest(h.post("params", { ...ALL_PARAMETERS, body: "{nope" }), h.stage)).to.not.throw();
    const error = await gatewayErrorOf(() => validateRequest(h.post("params", { body: "{nope" }), h.stage));
    expect(error.type).to.equal("BAD_REQUEST_PARAMETERS");
  });

  it("with a body-only validator, lets missing parameters through", async () => {
    const h = shared;
    expect(() => validateRequest(h.post("body", { body: '{"name":"Ada"}' }), h.stage)).to.not.throw();
    const error = await gatewayErrorOf(() => validateRequest(h.post("body", { body: "{}" }), h.stage));
    expect(error.type).to.equal("BAD_REQUEST_BODY");
  });

  it("without a validator, checks nothing", () => {
    const h = shared;
    const inv = h.post("none", { body: "{nope" });
    expect(() => validateRequest(inv, h.stage)).to.not.throw();
    expect(inv.answer).to.equal(undefined);
  });
});
