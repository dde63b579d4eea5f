import { expect } from "chai";
import fc from "fast-check";
import { addressRequest, type AddressBook, type AddressedStage, type DomainMapping } from "../../../local/cloud/apiAddressing";
import { customDomainRoutes, localDomainUrls } from "../../../local/cloud/customDomainRoutes";

const rest = (apiId: string, stageName: string): AddressedStage => ({ apiId, stageName, protocol: "REST" });
const book = (stages: AddressedStage[], domains: Record<string, DomainMapping[]> = {}): AddressBook => ({ stages, domains: new Map(Object.entries(domains)) });

describe("apiAddressing: which stage a request is for", () => {
  const several = book(
    [rest("aaaa111111", "dev"), rest("aaaa111111", "canary"), rest("bbbb222222", "live"), { apiId: "hhhh333333", stageName: "$default", protocol: "HTTP" }, { apiId: "hhhh333333", stageName: "beta", protocol: "HTTP" }, { apiId: "wwww444444", stageName: "prod", protocol: "WEBSOCKET" }],
    { "api.example.com": [{ basePath: "v1", apiId: "aaaa111111", stageName: "dev" }, { basePath: "v1/admin", apiId: "bbbb222222", stageName: "live" }, { basePath: "", apiId: "hhhh333333", stageName: "$default" }, { basePath: "pick", apiId: "aaaa111111" }] },
  );

  it("takes the path form /_aws/execute-api/<apiId>/<stage>/..., query kept", () => {
    expect(addressRequest(several, "/_aws/execute-api/aaaa111111/canary/x?y=1", "127.0.0.1:9", "http")).to.deep.equal({ kind: "stage", stage: rest("aaaa111111", "canary"), url: "/canary/x?y=1" });
  });

  it("takes the Host form, any <apiId>.execute-api.<suffix>, case-insensitively and with or without a port", () => {
    for (const host of ["bbbb222222.execute-api.localhost:4010", "bbbb222222.execute-api.us-east-1.amazonaws.com", "BBBB222222.Execute-Api.localhost"]) {
      const routed = addressRequest(several, "/live/items", host, "http");
      expect(routed, host).to.deep.include({ kind: "stage", url: "/live/items" });
    }
  });

  it("sends an HTTP API's named stage to it and any other path to its $default stage", () => {
    const at = (url: string) => addressRequest(several, `/_aws/execute-api/hhhh333333${url}`, undefined, "http");
    expect(at("/beta/ping")).to.deep.include({ stage: { apiId: "hhhh333333", stageName: "beta", protocol: "HTTP" } });
    expect(at("/ping")).to.deep.include({ stage: { apiId: "hhhh333333", stageName: "$default", protocol: "HTTP" }, url: "/ping" });
  });

  it("sends a REST API's unknown stage to one of its stages (whose gateway answers 403 Missing Authentication Token)", () => {
    expect(addressRequest(several, "/_aws/execute-api/aaaa111111/nope/x", undefined, "http")).to.deep.include({ kind: "stage", url: "/nope/x" });
  });

  it("keeps WebSocket stages for upgrades and REST/HTTP stages for requests", () => {
    expect(addressRequest(several, "/_aws/execute-api/wwww444444/prod", undefined, "websocket")).to.deep.include({ kind: "stage", url: "/prod" });
    const refused = addressRequest(several, "/_aws/execute-api/wwww444444/prod", undefined, "http");
    expect(refused).to.deep.include({ kind: "answer", status: 404 });
  });

  it("routes a custom domain by the longest whole-segment base path, then the root mapping", () => {
    const at = (url: string, host = "api.example.com") => addressRequest(several, url, host, "http");
    expect(at("/v1/orders")).to.deep.include({ url: "/dev/orders", domainPath: "/v1/orders" });
    expect(at("/v1/admin/users")).to.deep.include({ url: "/live/users", domainPath: "/v1/admin/users" });
    expect(at("/v1")).to.deep.include({ url: "/dev/" });
    // `v10` is not under `v1`: the root mapping (an HTTP API's $default stage) takes it.
    expect(at("/v10/x")).to.deep.include({ stage: { apiId: "hhhh333333", stageName: "$default", protocol: "HTTP" }, url: "/v10/x" });
    expect(at("/v1/orders", "api.example.com.localhost:4010")).to.deep.include({ url: "/dev/orders" });
    // A mapping without a stage: the stage follows the base path.
    expect(at("/pick/canary/x?q=1")).to.deep.include({ stage: rest("aaaa111111", "canary"), url: "/canary/x?q=1", domainPath: "/pick/canary/x" });
  });

  it("answers 403 Forbidden when no mapping takes the path (AWS's answer)", () => {
    const domainOnly = book([rest("aaaa111111", "dev")], { "api.example.com": [{ basePath: "v1", apiId: "aaaa111111", stageName: "dev" }], "empty.example.com": [] });
    expect(addressRequest(domainOnly, "/v2/x", "api.example.com", "http")).to.deep.equal({ kind: "answer", status: 403, body: { message: "Forbidden" } });
    expect(addressRequest(domainOnly, "/x", "empty.example.com", "http")).to.deep.equal({ kind: "answer", status: 403, body: { message: "Forbidden" } });
  });

  it("serves a single API at the root of the port too, and names the APIs when there are several", () => {
    const one = book([rest("aaaa111111", "dev"), { apiId: "wwww444444", stageName: "dev", protocol: "WEBSOCKET" }]);
    expect(addressRequest(one, "/dev/x", "127.0.0.1:1", "http")).to.deep.include({ kind: "stage", url: "/dev/x" });
    expect(addressRequest(one, "/dev", "127.0.0.1:1", "websocket")).to.deep.include({ kind: "stage", url: "/dev" });
    const answer = addressRequest(several, "/dev/x", "127.0.0.1:1", "http");
    expect(answer).to.deep.include({ kind: "answer", status: 404 });
    expect(addressRequest(book([]), "/dev/x", undefined, "http")).to.deep.equal({ kind: "none" });
  });

  it("never throws on any target and Host a client may send (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.option(fc.string({ maxLength: 100 }), { nil: undefined }), fc.constantFrom("http" as const, "websocket" as const), (url, host, protocols) => {
        const routed = addressRequest(several, url, host, protocols);
        expect(["stage", "answer", "none"]).to.include(routed.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on odd targets and hosts", () => {
    for (const [url, host] of [["", undefined], ["//", "["], ["/_aws/execute-api/", "::1"], ["/_aws/execute-api", ""], ["http://a/b", "[::1]:80"], ["/%zz", "api.example.com:"]] as const) {
      expect(() => addressRequest(several, url, host, "http"), `${url} ${host}`).not.to.throw();
    }
  });
});

describe("customDomainRoutes: the domains and mappings a program declares", () => {
  const graph = (records: Array<{ type: string; inputs: Record<string, unknown> }>) => ({ ofType: (type: string) => records.filter((r) => r.type === type) as never[] });

  it("reads REST base path mappings and HTTP API mappings, base paths without slashes, (none) as the root", () => {
    const routes = customDomainRoutes(
      graph([
        { type: "aws:apigateway/domainName:DomainName", inputs: { domainName: "API.example.com" } },
        { type: "aws:apigateway/basePathMapping:BasePathMapping", inputs: { domainName: "API.example.com", restApi: "r1", stageName: "dev", basePath: "/v1/" } },
        { type: "aws:apigateway/basePathMapping:BasePathMapping", inputs: { domainName: "API.example.com", restApi: "r2", basePath: "(none)" } },
        { type: "aws:apigatewayv2/domainName:DomainName", inputs: { domainName: "ws.example.com" } },
        { type: "aws:apigatewayv2/apiMapping:ApiMapping", inputs: { domainName: "ws.example.com", apiId: "h1", stage: "$default", apiMappingKey: "v2" } },
        { type: "aws:apigateway/domainName:DomainName", inputs: { domainName: "lonely.example.com" } },
      ]),
    );
    expect(Object.fromEntries(routes)).to.deep.equal({
      "api.example.com": [{ basePath: "v1", apiId: "r1", stageName: "dev" }, { basePath: "", apiId: "r2" }],
      "ws.example.com": [{ basePath: "v2", apiId: "h1", stageName: "$default" }],
      "lonely.example.com": [],
    });
  });

  it("gives https://<domain> URLs in outputs as http://<domain>.localhost:<port>, other values kept", () => {
    const outputs = { url: "https://api.example.com/v1", urls: { "/v1": "https://api.example.com/v1", root: "https://api.example.com" }, other: "https://api.example.community/x", n: 3 };
    expect(localDomainUrls(outputs, ["api.example.com"], 4010)).to.deep.equal({
      url: "http://api.example.com.localhost:4010/v1",
      urls: { "/v1": "http://api.example.com.localhost:4010/v1", root: "http://api.example.com.localhost:4010" },
      other: "https://api.example.community/x",
      n: 3,
    });
  });
});
