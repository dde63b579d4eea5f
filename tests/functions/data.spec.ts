import { expect } from "chai";
import { createDataHandler, nonNegativeIntegerFromEnv, preferredLanguage } from "../../functions/data";
import { lambdaContext, proxyEvent } from "./proxyEvent";
import { withEnv } from "./withEnv";

const NO_ENV = {
  CACHE_TTL_SECONDS: undefined,
  DATA_WORK_MS: undefined,
  CORS_ALLOW_ORIGINS: undefined,
  CORS_ALLOW_CREDENTIALS: undefined,
};

function dataRequest(query: Record<string, string> | null, headers: Record<string, string> = {}) {
  return proxyEvent({
    resource: "/data",
    httpMethod: "GET",
    queryStringParameters: query,
    headers: { Host: "abc123defg.execute-api.us-east-1.amazonaws.com", ...headers },
  });
}

describe("functions/data", () => {
  describe("preferredLanguage", () => {
    const cases: Array<[string | undefined, string]> = [
      ["fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr-CH"],
      ["fr-CH, fr;q=0.9", "fr-CH"],
      ["en-US", "en-US"],
      ["de;q=0.7", "de"],
      ["  es-419 ,en", "es-419"],
      ["zh-Hant-TW;q=1.0", "zh-Hant-TW"],
      // The first tag wins even when a later one has a higher q: the brief asks for the first.
      ["da;q=0.5, en-GB;q=0.9", "da"],
      ["*", "en"],
      ["*;q=0.5, fr", "en"],
      ["", "en"],
      [" , fr", "en"],
      ["<script>alert(1)</script>", "en"],
      ["toolonglanguage", "en"],
      [undefined, "en"],
    ];
    for (const [header, expected] of cases) {
      it(`${JSON.stringify(header)} → ${expected}`, () => {
        expect(preferredLanguage(header)).to.equal(expected);
      });
    }
  });

  describe("createDataHandler", () => {
    it("answers category, language, generatedAt and the gateway's requestId", async () => {
      const handler = withEnv(NO_ENV, () => createDataHandler());
      const event = dataRequest({ category: "books" }, { "accept-language": "fr-CH, fr;q=0.9" });
      const before = Date.now();
      const result = await handler(event, lambdaContext());
      expect(result.statusCode).to.equal(200);
      expect(result.headers).to.include({ "Content-Type": "application/json", "Cache-Control": "max-age=300" });
      const body = JSON.parse(result.body);
      expect(body).to.have.keys("category", "language", "generatedAt", "requestId");
      expect(body).to.include({ category: "books", language: "fr-CH", requestId: event.requestContext.requestId });
      expect(new Date(body.generatedAt).toISOString()).to.equal(body.generatedAt);
      expect(Date.parse(body.generatedAt)).to.be.within(before, Date.now());
    });

    for (const [label, query] of [
      ["no query string", null],
      ["an empty category", { category: "" }],
      ["other parameters only", { page: "2" }],
    ] as const) {
      it(`defaults to category "all" and language "en" for ${label}`, async () => {
        const handler = withEnv(NO_ENV, () => createDataHandler());
        const body = JSON.parse((await handler(dataRequest(query), lambdaContext())).body);
        expect(body).to.include({ category: "all", language: "en" });
      });
    }

    it("gives each request its own requestId and generatedAt", async () => {
      const handler = withEnv(NO_ENV, () => createDataHandler());
      const first = dataRequest(null);
      const second = dataRequest(null);
      expect(first.requestContext.requestId).to.not.equal(second.requestContext.requestId);
      expect(JSON.parse((await handler(first, lambdaContext())).body).requestId).to.equal(first.requestContext.requestId);
      expect(JSON.parse((await handler(second, lambdaContext())).body).requestId).to.equal(second.requestContext.requestId);
    });

    it("takes the Cache-Control max-age from CACHE_TTL_SECONDS", async () => {
      const handler = withEnv({ ...NO_ENV, CACHE_TTL_SECONDS: "60" }, () => createDataHandler());
      expect((await handler(dataRequest(null), lambdaContext())).headers?.["Cache-Control"]).to.equal("max-age=60");
    });

    it("waits DATA_WORK_MS before answering", async () => {
      const slow = withEnv({ ...NO_ENV, DATA_WORK_MS: "80" }, () => createDataHandler());
      const started = Date.now();
      await slow(dataRequest(null), lambdaContext());
      // Timers may fire a millisecond early; allow for it.
      expect(Date.now() - started).to.be.at.least(75);

      // Without it, no wait: the answer beats a 50 ms timer armed before the request (a check
      // of order, not of the clock, so a GC pause or a busy machine cannot fail it).
      const fast = withEnv(NO_ENV, () => createDataHandler());
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<"waited">((resolve) => (timer = setTimeout(() => resolve("waited"), 50)));
      const first = await Promise.race([fast(dataRequest(null), lambdaContext()).then(() => "answered" as const), budget]);
      clearTimeout(timer);
      expect(first).to.equal("answered");
    });

    it("refuses bad numbers in its environment at factory time, naming the variable", () => {
      expect(() => withEnv({ ...NO_ENV, CACHE_TTL_SECONDS: "5m" }, () => createDataHandler())).to.throw(
        'CACHE_TTL_SECONDS must be a non-negative integer (got "5m")',
      );
      expect(() => withEnv({ ...NO_ENV, DATA_WORK_MS: "-1" }, () => createDataHandler())).to.throw(
        'DATA_WORK_MS must be a non-negative integer (got "-1")',
      );
      expect(nonNegativeIntegerFromEnv("X", 7, { X: " " })).to.equal(7);
      expect(nonNegativeIntegerFromEnv("X", 7, { X: "0" })).to.equal(0);
    });

    it("adds CORS headers for a listed origin and varies on Accept-Language too", async () => {
      const handler = withEnv({ ...NO_ENV, CORS_ALLOW_ORIGINS: "https://app.example.com" }, () => createDataHandler());
      const result = await handler(dataRequest(null, { Origin: "https://app.example.com" }), lambdaContext());
      expect(result.headers).to.include({
        "Access-Control-Allow-Origin": "https://app.example.com",
        Vary: "Origin, Accept-Language",
      });
    });
  });
});
