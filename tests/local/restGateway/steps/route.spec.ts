import { expect } from "chai";
import type { RestInvocation } from "../../../../local/restGateway/invocation";
import { route, stagePaths } from "../../../../local/restGateway/steps/route";
import { ACCOUNT, API_ID, STAGE, gatewayErrorOf, harness, method, request, type HarnessOptions, type RequestSpec } from "./stepHarness";

/** A routed invocation of `spec`, with the raw requested path (stage included) set to `requestPath` when given. */
function routed(h: ReturnType<typeof harness>, spec: RequestSpec & { requestPath?: string } = {}): RestInvocation {
  const req = request(spec);
  if (spec.requestPath !== undefined) req.requestPath = spec.requestPath;
  const inv: RestInvocation = { request: req, route: "-", pathParameters: {}, context: undefined!, templateInput: undefined!, settings: {} };
  route(inv, h.stage);
  return inv;
}

/** A routing failure: the gateway error's type. */
async function refused(h: ReturnType<typeof harness>, spec: RequestSpec & { requestPath?: string }): Promise<string> {
  return (await gatewayErrorOf(() => routed(h, spec))).type;
}

const PETS = [
  method("GET", "/"),
  method("GET", "/pets"),
  method("GET", "/pets/mine"),
  method("GET", "/pets/{id}"),
  method("GET", "/pets/{id}/toys"),
  method("ANY", "/{proxy+}"),
  method("GET", "/files/{path+}"),
  method("ANY", "/things"),
  method("GET", "/things"),
  method("GET", "/users/{email}"),
];

function pets(options: Partial<HarnessOptions> = {}) {
  return harness({ methods: PETS, ...options });
}

describe("REST gateway steps: route", () => {
  describe("stagePaths", () => {
    it("splits /stage/x into the event path and $context.path", () => {
      expect(stagePaths("/dev/pets/1", "dev")).to.deep.equal({ path: "/pets/1", contextPath: "/dev/pets/1" });
    });

    it("drops slashes before the stage: //stage/x is /stage/x", () => {
      expect(stagePaths("//dev/x", "dev")).to.deep.equal({ path: "/x", contextPath: "/dev/x" });
      expect(stagePaths("///dev/x", "dev")).to.deep.equal({ path: "/x", contextPath: "/dev/x" });
    });

    it("drops the slashes right after the stage from the event path only: /stage//x", () => {
      expect(stagePaths("/dev//x", "dev")).to.deep.equal({ path: "/x", contextPath: "/dev//x" });
    });

    it("keeps inner and trailing slashes: /stage/a//b/", () => {
      expect(stagePaths("/dev/a//b/", "dev")).to.deep.equal({ path: "/a//b/", contextPath: "/dev/a//b/" });
    });

    it("reads /stage alone and /stage/ as the root", () => {
      expect(stagePaths("/dev", "dev")).to.deep.equal({ path: "/", contextPath: "/dev" });
      expect(stagePaths("/dev/", "dev")).to.deep.equal({ path: "/", contextPath: "/dev/" });
    });

    it("is undefined for another stage, a longer name sharing the prefix, or no stage", () => {
      expect(stagePaths("/prod/x", "dev")).to.equal(undefined);
      expect(stagePaths("/devx/y", "dev")).to.equal(undefined);
      expect(stagePaths("/dev2", "dev")).to.equal(undefined);
      expect(stagePaths("/", "dev")).to.equal(undefined);
      expect(stagePaths("/x/dev/y", "dev")).to.equal(undefined);
    });
  });

  describe("stage prefix on a routed request", () => {
    it("routes //stage/pets to GET /pets with $context.path /dev/pets", () => {
      const inv = routed(pets(), { requestPath: "//dev/pets" });
      expect(inv.route).to.equal("GET /pets");
      expect(inv.request.path).to.equal("/pets");
      expect(inv.context.path).to.equal("/dev/pets");
    });

    it("routes /stage//pets to GET /pets: event path /pets, $context.path /dev//pets", () => {
      const inv = routed(pets(), { requestPath: "/dev//pets" });
      expect(inv.route).to.equal("GET /pets");
      expect(inv.request.path).to.equal("/pets");
      expect(inv.context.path).to.equal("/dev//pets");
    });

    it("routes a trailing slash to the resource without it, keeping the slash in both paths", () => {
      const inv = routed(pets(), { path: "/pets/" });
      expect(inv.route).to.equal("GET /pets");
      expect(inv.request.path).to.equal("/pets/");
      expect(inv.context.path).to.equal("/dev/pets/");
    });

    it("routes /stage alone to the root resource", () => {
      const inv = routed(pets(), { requestPath: "/dev" });
      expect(inv.route).to.equal("GET /");
      expect(inv.request.path).to.equal("/");
      expect(inv.context.path).to.equal("/dev");
      expect(inv.context.resourcePath).to.equal("/");
    });

    it("answers another stage with MISSING_AUTHENTICATION_TOKEN", async () => {
      expect(await refused(pets(), { requestPath: "/prod/pets" })).to.equal("MISSING_AUTHENTICATION_TOKEN");
      expect(await refused(pets(), { requestPath: "/" })).to.equal("MISSING_AUTHENTICATION_TOKEN");
    });
  });

  describe("resources and methods", () => {
    it("passes path parameters raw, not URL-decoded", () => {
      const inv = routed(pets(), { path: "/users/test%2Balias@gmail.com" });
      expect(inv.route).to.equal("GET /users/{email}");
      expect(inv.pathParameters).to.deep.equal({ email: "test%2Balias@gmail.com" });
      expect(inv.templateInput.params.path).to.deep.equal({ email: "test%2Balias@gmail.com" });
    });

    it("gives a greedy {path+} the rest of the path, repeated slashes kept", () => {
      const inv = routed(pets(), { path: "/files/proxy-value//double-slash/x%20y" });
      expect(inv.route).to.equal("GET /files/{path+}");
      expect(inv.pathParameters).to.deep.equal({ path: "proxy-value//double-slash/x%20y" });
      expect(inv.request.path).to.equal("/files/proxy-value//double-slash/x%20y");
    });

    it("prefers a literal resource over a parameter, and a parameter over a greedy one", () => {
      const h = pets();
      expect(routed(h, { path: "/pets/mine" }).route).to.equal("GET /pets/mine");
      const param = routed(h, { path: "/pets/7" });
      expect(param.route).to.equal("GET /pets/{id}");
      expect(param.pathParameters).to.deep.equal({ id: "7" });
      const nested = routed(h, { path: "/pets/7/toys" });
      expect(nested.route).to.equal("GET /pets/{id}/toys");
      expect(nested.pathParameters).to.deep.equal({ id: "7" });
      const greedy = routed(h, { path: "/pets/7/food" });
      expect(greedy.route).to.equal("ANY /{proxy+}");
      expect(greedy.pathParameters).to.deep.equal({ proxy: "pets/7/food" });
    });

    it("matches a literal resource on the decoded segment, but hands parameters the raw one", () => {
      const h = pets();
      expect(routed(h, { path: "/pets/m%69ne" }).route).to.equal("GET /pets/mine");
      expect(routed(h, { path: "/pets/a%2Fb" }).pathParameters).to.deep.equal({ id: "a%2Fb" });
    });

    it("falls back to a sibling {proxy+} with ANY when the literal resource lacks the method", () => {
      const inv = routed(pets(), { httpMethod: "POST", path: "/pets" });
      expect(inv.route).to.equal("ANY /{proxy+}");
      expect(inv.pathParameters).to.deep.equal({ proxy: "pets" });
      expect(inv.context.httpMethod).to.equal("POST");
      expect(inv.context.resourcePath).to.equal("/{proxy+}");
    });

    it("answers a method no resource has with MISSING_AUTHENTICATION_TOKEN, when no greedy sibling has it", async () => {
      const h = harness({ methods: [method("GET", "/pets"), method("GET", "/{proxy+}")] });
      expect(await refused(h, { httpMethod: "POST", path: "/pets" })).to.equal("MISSING_AUTHENTICATION_TOKEN");
      expect(await refused(h, { path: "/nowhere/at/all/x", httpMethod: "DELETE" })).to.equal("MISSING_AUTHENTICATION_TOKEN");
      expect(await refused(harness({ methods: [method("GET", "/pets")] }), { path: "/cats" })).to.equal("MISSING_AUTHENTICATION_TOKEN");
    });

    it("uses the resource's own ANY for a method it lacks, its own method when it has it", () => {
      const h = pets();
      const del = routed(h, { httpMethod: "DELETE", path: "/things" });
      expect(del.route).to.equal("ANY /things");
      expect(del.method!.httpMethod).to.equal("ANY");
      expect(del.context.httpMethod).to.equal("DELETE");
      expect(routed(h, { path: "/things" }).route).to.equal("GET /things");
    });

    it("matches nothing for a malformed percent-encoding, even where a parameter or greedy resource would", async () => {
      const h = pets();
      expect(await refused(h, { path: "/pets/%zz" })).to.equal("MISSING_AUTHENTICATION_TOKEN");
      expect(await refused(h, { path: "/anything/%E0%A4%A" })).to.equal("MISSING_AUTHENTICATION_TOKEN");
    });

    it("fills the method, its merged settings and the template input", () => {
      const h = pets({ model: { stageVariables: { env: "test" }, methodSettings: { "*/*": { cachingEnabled: true, cacheTtlInSeconds: 60 }, "~1pets~1{id}/GET": { cacheTtlInSeconds: 5 } } } });
      const inv = routed(h, { path: "/pets/9", query: "a=1&a=2&b=x", headers: [["X-One", "1"]], body: "hello" });
      expect(inv.method).to.equal(h.model.methods.get("GET /pets/{id}"));
      expect(inv.settings).to.deep.equal({ cachingEnabled: true, cacheTtlInSeconds: 5 });
      expect(inv.templateInput.body).to.equal("hello");
      expect({ ...inv.templateInput.params.querystring }).to.deep.equal({ a: "2", b: "x" });
      expect({ ...inv.templateInput.params.header }).to.deep.equal({ "X-One": "1" });
      expect(inv.templateInput.stageVariables).to.deep.equal({ env: "test" });
      expect(inv.templateInput.context).to.equal(inv.context);
    });
  });

  describe("CloudFront headers", () => {
    const EDGE_HEADERS = [
      "CloudFront-Forwarded-Proto",
      "CloudFront-Is-Desktop-Viewer",
      "CloudFront-Is-Mobile-Viewer",
      "CloudFront-Is-SmartTV-Viewer",
      "CloudFront-Is-Tablet-Viewer",
      "CloudFront-Viewer-ASN",
      "CloudFront-Viewer-Country",
      "Via",
      "X-Amz-Cf-Id",
    ];

    it("adds CloudFront's headers with non-empty values to an EDGE API's request, replacing the caller's copies", () => {
      const h = pets({ model: { endpointType: "EDGE" } });
      const inv = routed(h, { path: "/pets", headers: [["Host", "h.example"], ["cloudfront-viewer-country", "US"]] });
      for (const name of EDGE_HEADERS) {
        expect(inv.request.headers[name], name).to.be.a("string").and.not.equal("");
        expect(inv.request.multiValueHeaders[name], name).to.have.length(1);
        expect(inv.request.headersByLowerName.get(name.toLowerCase()), name).to.equal(inv.request.headers[name]);
      }
      expect(inv.request.headers["CloudFront-Forwarded-Proto"]).to.equal("https");
      expect(inv.request.headers["CloudFront-Viewer-Country"]).to.equal("ZZ");
      expect(inv.request.headerPairs.filter(([n]) => n.toLowerCase() === "cloudfront-viewer-country")).to.deep.equal([["CloudFront-Viewer-Country", "ZZ"]]);
      expect(inv.request.headers.Via).to.match(/^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
      expect(inv.request.headers.Host).to.equal("h.example");
      // Template input sees them too.
      expect(inv.templateInput.params.header["X-Amz-Cf-Id"]).to.equal(inv.request.headers["X-Amz-Cf-Id"]);
    });

    it("gives each EDGE request its own X-Amz-Cf-Id", () => {
      const h = pets({ model: { endpointType: "EDGE" } });
      expect(routed(h, { path: "/pets" }).request.headers["X-Amz-Cf-Id"]).to.not.equal(routed(h, { path: "/pets" }).request.headers["X-Amz-Cf-Id"]);
    });

    it("adds none to a REGIONAL API's request", () => {
      const inv = routed(pets(), { path: "/pets", headers: [["Host", "h.example"]] });
      expect(Object.keys(inv.request.headers)).to.deep.equal(["Host"]);
      expect(inv.request.headerPairs).to.deep.equal([["Host", "h.example"]]);
    });
  });

  describe("$context", () => {
    it("holds the routed request's fields", () => {
      const h = pets({ model: { deploymentId: "dep-42" } });
      const inv = routed(h, { path: "/pets/5", headers: [["Host", "api.example.com"], ["User-Agent", "agent/1"]], sourceIp: "::ffff:10.1.2.3" });
      const { request: req, context } = inv;
      expect(context).to.deep.include({
        resourceId: "res-/pets/{id}",
        resourcePath: "/pets/{id}",
        httpMethod: "GET",
        path: "/dev/pets/5",
        accountId: ACCOUNT,
        deploymentId: "dep-42",
        protocol: "HTTP/1.1",
        stage: STAGE,
        domainPrefix: API_ID,
        domainName: "api.example.com",
        apiId: API_ID,
        requestId: req.requestId,
        extendedRequestId: req.extendedRequestId,
        requestTimeEpoch: req.startedAt.getTime(),
      });
      expect(context.requestTime).to.match(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
      const identity = context.identity as Record<string, unknown>;
      expect(identity.sourceIp).to.equal("10.1.2.3");
      expect(identity.userAgent).to.equal("agent/1");
      expect(identity.user).to.equal(null);
      expect(identity.caller).to.equal(null);
    });

    it("falls back to 127.0.0.1 for domainName and '' for userAgent without Host or User-Agent", () => {
      const inv = routed(pets(), { path: "/pets" });
      expect(inv.context.domainName).to.equal("127.0.0.1");
      expect((inv.context.identity as Record<string, unknown>).userAgent).to.equal("");
    });

    it("formats requestTime from the request's arrival in UTC", () => {
      const req = request({ path: "/pets" });
      req.startedAt = new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 789));
      const inv: RestInvocation = { request: req, route: "-", pathParameters: {}, context: undefined!, templateInput: undefined!, settings: {} };
      route(inv, pets().stage);
      expect(inv.context.requestTime).to.equal("03/Feb/2024:04:05:06 +0000");
      expect(inv.context.requestTimeEpoch).to.equal(Date.UTC(2024, 1, 3, 4, 5, 6, 789));
    });
  });
});
