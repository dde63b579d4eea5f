/**
 * The custom domain rules: what the CustomDomain component checks its arguments with, and what
 * the local cloud's routing by Host will read base paths with.
 */
import { expect } from "chai";
import { basePathProblem, customDomainNameProblem, normalizedBasePath } from "../../../components/apigateway";

describe("custom domain rules", () => {
  it("accepts lowercase DNS names of two labels or more, up to 253 characters", () => {
    for (const name of ["api.example.com", "example.com", "a-b.c0.example.co.uk", "xn--bcher-kva.example", `${"a".repeat(63)}.example.com`]) {
      expect(customDomainNameProblem(name, "domainName"), name).to.equal(undefined);
    }
    const longest = `${Array.from({ length: 3 }, () => "a".repeat(63)).join(".")}.${"b".repeat(61)}`;
    expect(longest).to.have.length(253);
    expect(customDomainNameProblem(longest, "domainName")).to.equal(undefined);
    expect(customDomainNameProblem(`${longest}b`, "domainName")).to.equal("domainName must be at most 253 characters (got 254)");
  });

  it("names the argument it was given in every refusal", () => {
    expect(customDomainNameProblem("192.168.0.1", "prod.domain")).to.equal('prod.domain must be a DNS name, not an IP address (got "192.168.0.1")');
    expect(basePathProblem("a/b", "mappings[3].basePath")).to.match(/^mappings\[3\]\.basePath must be /);
  });

  it("stores the root mapping's base path as empty and others without their slash", () => {
    expect([undefined, "", "/", "v1", "/v1"].map(normalizedBasePath)).to.deep.equal(["", "", "", "v1", "v1"]);
    for (const path of [undefined, "", "/", "v1", "/v1", "orders-2024", "$beta", "(x)"]) expect(basePathProblem(path, "basePath"), String(path)).to.equal(undefined);
    for (const path of ["v1/", "/v1/x", "v 1", "%20", "v1#x", ".", "/.."]) expect(basePathProblem(path, "basePath"), path).to.be.a("string");
  });
});
