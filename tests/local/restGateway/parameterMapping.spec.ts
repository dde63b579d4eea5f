import { expect } from "chai";
import fc from "fast-check";
import { GatewayError } from "../../../local/restGateway/gatewayError";
import {
  assertHeadersMappable,
  mapIntegrationRequestParameters,
  mapMethodResponseParameters,
  type MappingVariables,
  type MethodRequest,
} from "../../../local/restGateway/integrations/parameterMapping";
import type { EndpointResponse } from "../../../local/restGateway/integrations/integrationTypes";

function methodRequest(overrides: Partial<MethodRequest> = {}): MethodRequest {
  return { httpMethod: "POST", path: {}, query: [], headers: [], body: Buffer.alloc(0), ...overrides };
}

const NO_VARIABLES: MappingVariables = { context: {}, stageVariables: {} };

function endpointResponse(overrides: Partial<EndpointResponse> = {}): EndpointResponse {
  return { statusCode: 200, headers: [], body: Buffer.alloc(0), ...overrides };
}

function gatewayErrorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error("expected a GatewayError");
}

describe("parameter mapping (REST)", () => {
  describe("integration request", () => {
    it("maps the recorded HTTP_PROXY data mappings: path from path and query, query from query, header from header, a missing header mapping nothing", () => {
      // LocalStack test_apigateway_http.py::test_http_proxy_integration_request_data_mappings (AWS-recorded)
      const mapping = mapIntegrationRequestParameters(
        {
          "integration.request.header.headerVar": "method.request.header.foobar",
          "integration.request.path.qsVar": "method.request.querystring.testVar",
          "integration.request.path.pathVar": "method.request.path.pathVariable",
          "integration.request.querystring.queryString": "method.request.querystring.testQueryString",
          "integration.request.querystring.testQs": "method.request.querystring.testQueryString",
          "integration.request.querystring.testEmptyQs": "method.request.header.emptyheader",
        },
        methodRequest({
          path: { pathVariable: "foobar" },
          query: [
            ["testQueryString", "foo"],
            ["testVar", "bar"],
          ],
          headers: [
            ["foobar", "mapped-value"],
            ["headerVar", "request-value"],
          ],
        }),
        NO_VARIABLES,
        "HTTP_PROXY",
      );
      expect(mapping).to.deep.equal({
        header: { headerVar: "mapped-value" },
        querystring: { queryString: ["foo"], testQs: ["foo"] },
        path: { qsVar: "bar", pathVar: "foobar" },
      });
    });

    it("reads literals, stage variables and nested context variables", () => {
      const mapping = mapIntegrationRequestParameters(
        {
          "integration.request.header.X-Static": "'static value'",
          "integration.request.header.X-Stage": "stageVariables.backend",
          "integration.request.header.X-Source-Ip": "context.identity.sourceIp",
          "integration.request.querystring.epoch": "context.requestTimeEpoch",
          "integration.request.header.X-Missing": "stageVariables.nothing",
          "integration.request.header.X-Object": "context.identity",
        },
        methodRequest(),
        { context: { identity: { sourceIp: "10.0.0.1" }, requestTimeEpoch: 1700000000000 }, stageVariables: { backend: "blue" } },
        "HTTP",
      );
      expect(mapping.header).to.deep.equal({ "X-Static": "static value", "X-Stage": "blue", "X-Source-Ip": "10.0.0.1" });
      expect(mapping.querystring).to.deep.equal({ epoch: ["1700000000000"] });
    });

    it("reads a repeated query parameter as its last value, multivaluequerystring as all of them; headers likewise, joined with commas", () => {
      const request = methodRequest({
        query: [
          ["id", "1"],
          ["other", "x"],
          ["id", "2"],
        ],
        headers: [
          ["X-Multi", "a"],
          ["x-multi", "b"],
        ],
      });
      const mapping = mapIntegrationRequestParameters(
        {
          "integration.request.querystring.last": "method.request.querystring.id",
          "integration.request.querystring.all": "method.request.multivaluequerystring.id",
          "integration.request.header.X-Last": "method.request.header.x-MULTI",
          "integration.request.header.X-All": "method.request.multivalueheader.X-Multi",
          "integration.request.header.X-All-Ids": "method.request.multivaluequerystring.id",
        },
        request,
        NO_VARIABLES,
        "HTTP",
      );
      expect(mapping.querystring).to.deep.equal({ last: ["2"], all: ["1", "2"] });
      expect(mapping.header).to.deep.equal({ "X-Last": "b", "X-All": "a,b", "X-All-Ids": "1,2" });
    });

    it("maps the body and JSONPath expressions into it: strings bare, numbers and objects as JSON", () => {
      const body = Buffer.from(' {"user": {"id": 42, "name": "Ana", "tags": ["a", "b"], "none": null}} ');
      const mapping = mapIntegrationRequestParameters(
        {
          "integration.request.header.X-Body": "method.request.body",
          "integration.request.header.X-Name": "method.request.body.user.name",
          "integration.request.querystring.id": "method.request.body.user.id",
          "integration.request.header.X-Tags": "method.request.body.user.tags",
          "integration.request.header.X-First-Tag": "method.request.body.user.tags[0]",
          "integration.request.header.X-None": "method.request.body.user.none",
          "integration.request.header.X-Absent": "method.request.body.user.absent",
        },
        methodRequest({ body }),
        NO_VARIABLES,
        "HTTP",
      );
      expect(mapping.header).to.deep.equal({
        "X-Body": '{"user": {"id": 42, "name": "Ana", "tags": ["a", "b"], "none": null}}',
        "X-Name": "Ana",
        "X-Tags": '["a","b"]',
        "X-First-Tag": "a",
      });
      expect(mapping.querystring).to.deep.equal({ id: ["42"] });
    });

    it("gives a body that does not start like JSON no fields, and refuses one that starts like JSON but is not (400 Invalid JSON in request body)", () => {
      const plain = mapIntegrationRequestParameters(
        { "integration.request.header.X-Field": "method.request.body.a", "integration.request.header.X-Body": "method.request.body" },
        methodRequest({ body: Buffer.from("a=1&b=2") }),
        NO_VARIABLES,
        "HTTP",
      );
      expect(plain.header).to.deep.equal({ "X-Body": "a=1&b=2" });

      const error = gatewayErrorOf(() =>
        mapIntegrationRequestParameters({ "integration.request.header.X-Field": "method.request.body.a" }, methodRequest({ body: Buffer.from("{not json") }), NO_VARIABLES, "HTTP"),
      );
      expect(error.type).to.equal("BAD_REQUEST_BODY");
      expect(error.options.message).to.equal("Invalid JSON in request body");
    });

    it("ignores keys and expressions of other shapes, and sources that are absent or empty", () => {
      const mapping = mapIntegrationRequestParameters(
        {
          "integration.request.body.x": "'a'",
          "integration.request.header.X-Unknown": "method.request.cookie.x",
          "integration.request.header.X-Empty": "''",
          "integration.request.header.X-Blank-Header": "method.request.header.blank",
          "integration.request.path.id": "method.request.path.id",
        },
        methodRequest({ headers: [["blank", ""]] }),
        NO_VARIABLES,
        "HTTP",
      );
      expect(mapping).to.deep.equal({ header: {}, querystring: {}, path: {} });
    });

    describe("restricted headers [recorded: 8-internal-error-header-mapping]", () => {
      for (const type of ["HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY"] as const) {
        for (const header of ["Content-Length", "Transfer-Encoding"]) {
          it(`answers 500 for ${header} mapped on ${type}`, () => {
            const error = gatewayErrorOf(() => mapIntegrationRequestParameters({ [`integration.request.header.${header}`]: "'0'" }, methodRequest(), NO_VARIABLES, type));
            expect(error.type).to.equal("API_CONFIGURATION_ERROR");
          });
        }
      }
      for (const type of ["AWS", "AWS_PROXY"] as const) {
        for (const header of ["Authorization", "Connection", "Expect", "Proxy-Authenticate", "TE"]) {
          it(`answers 500 for ${header} mapped on ${type}`, () => {
            const error = gatewayErrorOf(() => mapIntegrationRequestParameters({ [`integration.request.header.${header}`]: "'x'" }, methodRequest(), NO_VARIABLES, type));
            expect(error.type).to.equal("API_CONFIGURATION_ERROR");
          });
        }
      }

      it("lets HTTP integrations map Authorization, Expect and the like (recorded: the full mapping reached the endpoint)", () => {
        const mapping = mapIntegrationRequestParameters(
          { "integration.request.header.Authorization": "'request_params_authorization'", "integration.request.header.Expect": "'200-ok'", "integration.request.header.TE": "'gzip'" },
          methodRequest(),
          NO_VARIABLES,
          "HTTP",
        );
        expect(mapping.header).to.deep.equal({ Authorization: "request_params_authorization", Expect: "200-ok", TE: "gzip" });
      });

      it("refuses the restricted names in any case, and through assertHeadersMappable (request overrides)", () => {
        expect(() => assertHeadersMappable(["content-LENGTH"], "HTTP")).to.throw(GatewayError);
        expect(() => assertHeadersMappable(["authorization"], "HTTP")).not.to.throw();
        expect(() => assertHeadersMappable(["authorization"], "AWS")).to.throw(GatewayError);
      });

      it("checks only mappings that produced a value (a restricted header mapped from a header the client did not send passes)", () => {
        expect(() => mapIntegrationRequestParameters({ "integration.request.header.Content-Length": "method.request.header.x-len" }, methodRequest(), NO_VARIABLES, "HTTP")).not.to.throw();
      });
    });

    it("never throws anything but GatewayError, whatever the request holds (property)", () => {
      const expressions = fc.constantFrom(
        "method.request.body",
        "method.request.body.a",
        "method.request.body.a[0].b",
        "method.request.header.h",
        "method.request.multivalueheader.h",
        "method.request.querystring.q",
        "method.request.multivaluequerystring.q",
        "method.request.path.p",
        "context.a.b",
        "stageVariables.s",
        "'lit'",
      );
      fc.assert(
        fc.property(fc.string(), fc.string(), fc.string(), expressions, (body, header, query, expression) => {
          try {
            const mapping = mapIntegrationRequestParameters(
              { "integration.request.header.X-Out": expression, "integration.request.querystring.out": expression },
              methodRequest({ body: Buffer.from(body), headers: [["h", header]], query: [["q", query]], path: { p: query } }),
              { context: { a: { b: header } }, stageVariables: { s: query } },
              "HTTP",
            );
            for (const value of Object.values(mapping.header)) expect(value).to.be.a("string").and.not.equal("");
          } catch (error) {
            expect(error).to.be.instanceOf(GatewayError);
          }
        }),
      );
    });
  });

  describe("method response", () => {
    it("maps endpoint headers (last value, or all joined), the body, JSONPath into it, literals, stage and context variables", () => {
      const response = endpointResponse({
        headers: [
          ["X-Request-Id", "r-1"],
          ["Set-Cookie", "a=1"],
          ["set-cookie", "b=2"],
        ],
        body: Buffer.from('{"json": {"id": 7, "name": "x"}}'),
      });
      const headers = mapMethodResponseParameters(
        {
          "method.response.header.X-Id": "integration.response.header.x-request-id",
          "method.response.header.X-Cookie": "integration.response.header.Set-Cookie",
          "method.response.header.X-Cookies": "integration.response.multivalueheader.Set-Cookie",
          "method.response.header.X-Body": "integration.response.body",
          "method.response.header.X-Name": "integration.response.body.json.name",
          "method.response.header.X-Num": "integration.response.body.json.id",
          "method.response.header.Access-Control-Allow-Origin": "'*'",
          "method.response.header.X-Stage": "stageVariables.color",
          "method.response.header.X-Request": "context.requestId",
          "method.response.header.X-Missing": "integration.response.header.X-None",
        },
        response,
        { context: { requestId: "req-1" }, stageVariables: { color: "green" } },
      );
      expect(headers).to.deep.equal({
        "X-Id": "r-1",
        "X-Cookie": "b=2",
        "X-Cookies": "a=1,b=2",
        "X-Body": '{"json": {"id": 7, "name": "x"}}',
        "X-Name": "x",
        "X-Num": "7",
        "Access-Control-Allow-Origin": "*",
        "X-Stage": "green",
        "X-Request": "req-1",
      });
    });

    it("answers 500 when a body mapping meets an endpoint body that starts like JSON but is not; reads no fields of a plain body", () => {
      const broken = endpointResponse({ body: Buffer.from("[1, 2") });
      expect(gatewayErrorOf(() => mapMethodResponseParameters({ "method.response.header.X": "integration.response.body.a" }, broken, NO_VARIABLES)).type).to.equal("API_CONFIGURATION_ERROR");
      expect(mapMethodResponseParameters({ "method.response.header.X": "integration.response.body.a" }, endpointResponse({ body: Buffer.from("plain") }), NO_VARIABLES)).to.deep.equal({});
      // A header mapping does not read the body at all.
      expect(mapMethodResponseParameters({ "method.response.header.X": "'v'" }, broken, NO_VARIABLES)).to.deep.equal({ X: "v" });
    });
  });
});
