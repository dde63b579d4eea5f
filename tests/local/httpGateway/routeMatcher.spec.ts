import { expect } from "chai";
import fc from "fast-check";
import { RouteMatcher } from "../../../local/httpGateway/routeMatcher";

/** Path segments as clients send them: any non-empty text, percent-encoded. */
const segment = fc.string({ minLength: 1, maxLength: 12 });
const encoded = (segments: string[]) => "/" + segments.map(encodeURIComponent).join("/");

describe("RouteMatcher", () => {
  it("binds {param} segments to the decoded request segments", () => {
    const matcher = new RouteMatcher(["GET /{a}/{b}"]);
    fc.assert(
      fc.property(segment, segment, (a, b) => {
        expect(matcher.match("GET", encoded([a, b]))).to.deep.equal({ routeKey: "GET /{a}/{b}", pathParameters: { a, b } });
      }),
    );
  });

  it("gives a greedy parameter every remaining segment, and never none", () => {
    const matcher = new RouteMatcher(["ANY /files/{proxy+}"]);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.constantFrom("GET", "POST", "DELETE"), (rest, method) => {
        expect(matcher.match(method, encoded(["files", ...rest]))).to.deep.equal({ routeKey: "ANY /files/{proxy+}", pathParameters: { proxy: rest.join("/") } });
      }),
    );
    expect(matcher.match("GET", "/files")).to.equal(undefined);
    expect(matcher.match("GET", "/files/")).to.equal(undefined);
  });

  it("prefers a literal over a parameter over a greedy parameter, whatever the declaration order", () => {
    const keys = ["GET /a/{proxy+}", "GET /a/{id}", "GET /a/b"];
    fc.assert(
      fc.property(fc.shuffledSubarray(keys, { minLength: 3, maxLength: 3 }), (order) => {
        const matcher = new RouteMatcher(order);
        expect(matcher.match("GET", "/a/b")?.routeKey).to.equal("GET /a/b");
        expect(matcher.match("GET", "/a/c")?.routeKey).to.equal("GET /a/{id}");
        expect(matcher.match("GET", "/a/b/c")?.routeKey).to.equal("GET /a/{proxy+}");
      }),
    );
  });

  it("prefers the method's own route over ANY, and falls back past paths without the method", () => {
    const matcher = new RouteMatcher(["ANY /x", "PUT /x", "POST /users/me", "GET /users/{id}", "$default"]);
    expect(matcher.match("put", "/x")?.routeKey).to.equal("PUT /x");
    expect(matcher.match("GET", "/x")?.routeKey).to.equal("ANY /x");
    expect(matcher.match("GET", "/users/me")).to.deep.equal({ routeKey: "GET /users/{id}", pathParameters: { id: "me" } });
    expect(matcher.match("DELETE", "/users/me")).to.equal(undefined);
  });

  it("matches nothing for malformed percent-encoding or an unknown path", () => {
    const matcher = new RouteMatcher(["GET /{id}", "GET /"]);
    expect(matcher.match("GET", "/%E0%A4%A")).to.equal(undefined);
    expect(matcher.match("GET", "/a/b")).to.equal(undefined);
    expect(matcher.match("GET", "/")).to.deep.equal({ routeKey: "GET /", pathParameters: {} });
  });
});
