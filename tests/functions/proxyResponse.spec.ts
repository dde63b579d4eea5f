import { expect } from "chai";
import {
  corsHeadersFor,
  corsPolicyFromEnv,
  headerValue,
  jsonResponse,
  type CorsPolicy,
} from "../../functions/proxyResponse";
import { proxyEvent } from "./proxyEvent";

const fromOrigin = (origin: string, headerName = "Origin") => proxyEvent({ headers: { [headerName]: origin } });

describe("functions/proxyResponse", () => {
  describe("corsPolicyFromEnv", () => {
    it("reads comma-separated origins, trimming blanks, and the credentials flag", () => {
      expect(
        corsPolicyFromEnv({
          CORS_ALLOW_ORIGINS: " https://app.example.com ,https://admin.example.com:8443,, ",
          CORS_ALLOW_CREDENTIALS: "true",
        }),
      ).to.deep.equal({
        allowOrigins: ["https://app.example.com", "https://admin.example.com:8443"],
        allowCredentials: true,
      });
    });

    it("defaults to no origins and no credentials", () => {
      expect(corsPolicyFromEnv({})).to.deep.equal({ allowOrigins: [], allowCredentials: false });
      expect(corsPolicyFromEnv({ CORS_ALLOW_ORIGINS: "", CORS_ALLOW_CREDENTIALS: "" })).to.deep.equal({
        allowOrigins: [],
        allowCredentials: false,
      });
    });

    it("accepts a wildcard without credentials", () => {
      expect(corsPolicyFromEnv({ CORS_ALLOW_ORIGINS: "*", CORS_ALLOW_CREDENTIALS: "false" })).to.deep.equal({
        allowOrigins: ["*"],
        allowCredentials: false,
      });
    });

    it("refuses a wildcard with credentials", () => {
      expect(() => corsPolicyFromEnv({ CORS_ALLOW_ORIGINS: "*", CORS_ALLOW_CREDENTIALS: "true" })).to.throw(
        'CORS_ALLOW_ORIGINS="*" cannot be combined with CORS_ALLOW_CREDENTIALS=true',
      );
    });

    it("refuses a wildcard mixed with origins", () => {
      expect(() => corsPolicyFromEnv({ CORS_ALLOW_ORIGINS: "https://app.example.com,*" })).to.throw(
        'CORS_ALLOW_ORIGINS must be either "*" or a list of origins, not both (got "https://app.example.com,*")',
      );
    });

    for (const bad of ["https://app.example.com/", "app.example.com", "https://app.example.com/path", "null"]) {
      it(`refuses the entry "${bad}", which no Origin header can equal`, () => {
        expect(() => corsPolicyFromEnv({ CORS_ALLOW_ORIGINS: bad })).to.throw(`got "${bad}"`);
      });
    }

    it("refuses a credentials flag that is not true or false", () => {
      expect(() => corsPolicyFromEnv({ CORS_ALLOW_CREDENTIALS: "yes" })).to.throw(
        'CORS_ALLOW_CREDENTIALS must be "true" or "false" (got "yes")',
      );
    });
  });

  describe("corsHeadersFor", () => {
    const listed: CorsPolicy = { allowOrigins: ["https://app.example.com"], allowCredentials: true };

    for (const headerName of ["Origin", "origin", "ORIGIN"]) {
      it(`echoes a listed origin with Vary and credentials (header spelt ${headerName})`, () => {
        expect(corsHeadersFor(fromOrigin("https://app.example.com", headerName), listed)).to.deep.equal({
          "Access-Control-Allow-Origin": "https://app.example.com",
          "Access-Control-Allow-Credentials": "true",
          Vary: "Origin",
        });
      });
    }

    it("leaves out Allow-Credentials when credentials are off", () => {
      const policy = { allowOrigins: ["https://app.example.com"], allowCredentials: false };
      expect(corsHeadersFor(fromOrigin("https://app.example.com"), policy)).to.deep.equal({
        "Access-Control-Allow-Origin": "https://app.example.com",
        Vary: "Origin",
      });
    });

    for (const origin of ["https://evil.example.net", "https://app.example.com.evil.net", "http://app.example.com", "*"]) {
      it(`sends no Allow-Origin to ${origin}, only Vary`, () => {
        expect(corsHeadersFor(fromOrigin(origin), listed)).to.deep.equal({ Vary: "Origin" });
      });
    }

    it("sends no Allow-Origin to a request without Origin", () => {
      expect(corsHeadersFor(proxyEvent({ headers: null, multiValueHeaders: null }), listed)).to.deep.equal({ Vary: "Origin" });
    });

    it("answers * for a wildcard policy without credentials", () => {
      const policy = { allowOrigins: ["*"], allowCredentials: false };
      expect(corsHeadersFor(fromOrigin("https://anyone.example.org"), policy)).to.deep.equal({
        "Access-Control-Allow-Origin": "*",
      });
    });

    it("never answers * with credentials, even for a hand-built policy", () => {
      const policy = { allowOrigins: ["*"], allowCredentials: true };
      expect(corsHeadersFor(fromOrigin("https://anyone.example.org"), policy)).to.deep.equal({});
      expect(corsHeadersFor(fromOrigin("*"), policy)).to.deep.equal({});
    });

    it("sends nothing when no origins are allowed", () => {
      expect(corsHeadersFor(fromOrigin("https://app.example.com"), { allowOrigins: [], allowCredentials: false })).to.deep.equal({});
    });
  });

  describe("headerValue", () => {
    it("finds a header whatever its case", () => {
      const event = proxyEvent({ headers: { "X-Custom-Header": "v" } });
      expect(headerValue(event, "x-custom-header")).to.equal("v");
      expect(headerValue(event, "X-CUSTOM-HEADER")).to.equal("v");
      expect(headerValue(event, "X-Other")).to.equal(undefined);
    });

    it("copes with null header maps and falls back to the last multi-value", () => {
      expect(headerValue(proxyEvent({ headers: null, multiValueHeaders: null }), "Origin")).to.equal(undefined);
      const event = proxyEvent({ headers: null, multiValueHeaders: { accept: ["text/html", "application/json"] } });
      expect(headerValue(event, "Accept")).to.equal("application/json");
    });
  });

  describe("jsonResponse", () => {
    it("serialises the body with a JSON content type and no CORS headers without a policy", () => {
      const result = jsonResponse(418, { message: "short and stout" }, fromOrigin("https://app.example.com"));
      expect(result).to.deep.equal({
        statusCode: 418,
        headers: { "Content-Type": "application/json" },
        body: '{"message":"short and stout"}',
      });
    });

    it("adds extra headers and merges Vary with the CORS one", () => {
      const cors = { allowOrigins: ["https://app.example.com"], allowCredentials: false };
      const result = jsonResponse(200, [], fromOrigin("https://app.example.com"), cors, {
        "Cache-Control": "max-age=60",
        Vary: "Accept-Language, Origin",
      });
      expect(result.headers).to.deep.equal({
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": "https://app.example.com",
        "Cache-Control": "max-age=60",
        Vary: "Origin, Accept-Language",
      });
    });
  });
});
