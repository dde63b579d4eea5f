/**
 * The API Gateway rules module: method-key spellings and their conversions, the throttle and
 * quota rule, CloudWatch retention, caching. Components, the config reader and the local cloud
 * use these functions; their own specs show each caller names its argument or key.
 */
import { expect } from "chai";
import {
  HTTP_METHODS,
  LOG_RETENTION_DAYS,
  type MethodKey,
  cacheClusterSizeProblem,
  isMethodCached,
  logRetentionProblem,
  methodsAnswered,
  parseMethodPath,
  parseRouteKey,
  parseSettingsKey,
  parseThrottlePath,
  quotaProblem,
  throttlePathsOf,
  throttleProblem,
  toMethodPath,
  toRouteKey,
  toSettingsKey,
  toThrottlePath,
} from "../../../components/apigateway";

const KEYS: Array<[MethodKey, { settings: string; methodPath: string; throttle: string; route: string }]> = [
  [{ path: "/", method: "GET" }, { settings: "/GET", methodPath: "~1/GET", throttle: "//GET", route: "GET /" }],
  [{ path: "/data", method: "GET" }, { settings: "data/GET", methodPath: "~1data/GET", throttle: "/data/GET", route: "GET /data" }],
  [
    { path: "/users/{id}", method: "DELETE" },
    { settings: "users/{id}/DELETE", methodPath: "~1users~1{id}/DELETE", throttle: "/users/{id}/DELETE", route: "DELETE /users/{id}" },
  ],
  [
    { path: "/files/{proxy+}", method: "ANY" },
    { settings: "files/{proxy+}/ANY", methodPath: "~1files~1{proxy+}/ANY", throttle: "/files/{proxy+}/ANY", route: "ANY /files/{proxy+}" },
  ],
];

describe("components/apigateway", () => {
  describe("method keys", () => {
    for (const [key, spelled] of KEYS) {
      it(`${key.method} ${key.path}: writes and reads back every spelling`, () => {
        expect(toSettingsKey(key)).to.equal(spelled.settings);
        expect(toMethodPath(key)).to.equal(spelled.methodPath);
        expect(toThrottlePath(key)).to.equal(spelled.throttle);
        expect(toRouteKey(key)).to.equal(spelled.route);
        expect(parseSettingsKey(spelled.settings)).to.deep.equal(key);
        expect(parseMethodPath(spelled.methodPath)).to.deep.equal(key);
        expect(parseThrottlePath(spelled.throttle)).to.deep.equal(key);
        expect(parseRouteKey(spelled.route)).to.deep.equal(key);
      });
    }

    it("reads a MethodSettings methodPath in Terraform's unescaped spelling too", () => {
      expect(parseMethodPath("users/{id}/GET")).to.deep.equal({ path: "/users/{id}", method: "GET" });
      expect(parseMethodPath("*/*")).to.equal(undefined);
      expect(parseMethodPath("~1data/FETCH")).to.equal(undefined);
    });

    it("says why a settings key is not one", () => {
      expect(parseSettingsKey("/data/GET")).to.deep.equal({ problem: 'write the resource path without its leading slash ("data/GET")' });
      for (const bad of ["data/get", "GET /data", "data", "data/FETCH"]) {
        expect(parseSettingsKey(bad), bad).to.have.property("problem").that.matches(/^keys are "\*\/\*" or/);
      }
    });

    it("refuses throttle paths in other spellings", () => {
      for (const bad of ["data/GET", "/data/get", "/data", "*/*", "/data//GET", "~1data/GET"]) expect(parseThrottlePath(bad), bad).to.equal(undefined);
    });

    it("looks a root method's usage plan throttle up under //GET, then /GET", () => {
      expect(throttlePathsOf({ path: "/", method: "GET" })).to.deep.equal(["//GET", "/GET"]);
      expect(throttlePathsOf({ path: "/data", method: "GET" })).to.deep.equal(["/data/GET"]);
    });

    it("expands ANY to every request method but OPTIONS, which the CORS preflight owns", () => {
      expect(HTTP_METHODS).to.include("ANY");
      expect(methodsAnswered("ANY")).to.deep.equal(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]);
      expect(methodsAnswered("PUT")).to.deep.equal(["PUT"]);
    });
  });

  describe("throttle rule", () => {
    it("accepts AWS's range: rate a number >= 0, burst an integer >= 0", () => {
      for (const ok of [{ rateLimit: 0, burstLimit: 0 }, { rateLimit: 0.5, burstLimit: 1 }, { rateLimit: 10, burstLimit: 2 }, { rateLimit: 0, burstLimit: 5 }]) {
        expect(throttleProblem(ok, "t"), JSON.stringify(ok)).to.equal(undefined);
      }
    });

    it("names the field `at` in each refusal", () => {
      expect(throttleProblem(null, "routes[0].throttle")).to.equal("routes[0].throttle must be { rateLimit, burstLimit }");
      expect(throttleProblem({ rateLimit: NaN, burstLimit: 1 }, "t")).to.equal("t.rateLimit must be a number >= 0 (got NaN)");
      expect(throttleProblem({ rateLimit: 1, burstLimit: "2" }, "t")).to.equal('t.burstLimit must be an integer >= 0 (got "2")');
      expect(throttleProblem({ rateLimit: 1, burstLimit: 0 }, "t")).to.equal("t.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing");
    });

    it("checks quotas: a positive limit, DAY/WEEK/MONTH, an offset below the limit", () => {
      expect(quotaProblem({ limit: 10, period: "WEEK", offset: 9 }, "q")).to.equal(undefined);
      expect(quotaProblem({ limit: 10, period: "YEAR" }, "q")).to.equal('q.period must be DAY, WEEK or MONTH (got "YEAR")');
      expect(quotaProblem({ limit: 10, period: "DAY", offset: 10 }, "q")).to.equal("q.offset must be an integer from 0 to 9 (limit - 1) (got 10)");
    });
  });

  describe("CloudWatch retention", () => {
    it("accepts exactly PutRetentionPolicy's values", () => {
      for (const days of LOG_RETENTION_DAYS) expect(logRetentionProblem(days, "r")).to.equal(undefined);
      for (const days of [0, 2, 4, 10, 29, 3652, 3654, 14.5, "14"]) expect(logRetentionProblem(days, "r"), String(days)).to.match(/^r must be one of 1, 3, 5/);
    });
  });

  describe("caching", () => {
    it("caches GET when the effective setting enables caching; another method only by its own setting", () => {
      expect(isMethodCached("GET", true, undefined)).to.equal(true);
      expect(isMethodCached("POST", true, undefined)).to.equal(false);
      expect(isMethodCached("POST", true, true)).to.equal(true);
      expect(isMethodCached("GET", false, undefined)).to.equal(false);
    });

    it("knows the cluster sizes", () => {
      expect(cacheClusterSizeProblem("0.5", "c")).to.equal(undefined);
      expect(cacheClusterSizeProblem(0.5, "c")).to.equal("c must be one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 GB (got 0.5)");
    });
  });
});
