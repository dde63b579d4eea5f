import { expect } from "chai";
import type { GatewayAnswer, RestInvocation } from "../../../../local/restGateway/invocation";
import type { MethodSettingModel } from "../../../../local/restGateway/restApiModel";
import { lookUpCache, storeInCache } from "../../../../local/restGateway/steps/cache";
import { ACCOUNT, API_ID, REGION, STAGE, gatewayErrorOf, harness, integration, method, request, type RequestSpec } from "./stepHarness";

const KEYED = ["method.request.querystring.category", "method.request.header.X-Lang"];

function setup(options: { cluster?: boolean; settings?: Record<string, MethodSettingModel> } = {}) {
  const invalidators: Array<{ authorizer: Record<string, unknown> | undefined; methodArn: string }> = [];
  const h = harness({
    methods: [
      method("GET", "/items"),
      method("PUT", "/items"),
      method("POST", "/items"),
      method("GET", "/nocache"),
      method("GET", "/keyed", { integration: integration({ cacheKeyParameters: KEYED }) }),
      method("GET", "/strict"),
      method("GET", "/lenient"),
      method("ANY", "/any"),
    ],
    // Admins may invalidate: the caller's authorizer principal decides.
    mayInvalidateCache: (authorizer, methodArn) => {
      invalidators.push({ authorizer, methodArn });
      return authorizer?.principalId === "admin";
    },
    model: {
      cacheClusterSize: options.cluster === false ? undefined : "0.5",
      methodSettings: options.settings ?? {
        "*/*": { cachingEnabled: true, cacheTtlInSeconds: 60 },
        "~1items/POST": { cachingEnabled: true },
        "~1nocache/GET": { cacheTtlInSeconds: 0 },
        "~1strict/GET": { requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: "FAIL_WITH_403" },
        "~1lenient/GET": { requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITHOUT_RESPONSE_HEADER" },
      },
    },
  });
  const inv = (httpMethod: string, path: string, spec: RequestSpec = {}, principalId?: string): RestInvocation => {
    const routed = h.invocation(`${httpMethod} ${path.split("?")[0]}`, request({ httpMethod, path, ...spec }));
    if (principalId !== undefined) routed.context.authorizer = { principalId };
    return routed;
  };
  /**
   * The chain around the integration: cache lookup; on a miss, the integration's `answer`,
   * then the cache store. What the caller got.
   */
  const serve = (invocation: RestInvocation, answer: GatewayAnswer): RestInvocation => {
    lookUpCache(invocation, h.stage);
    if (!invocation.answer) invocation.answer = answer;
    storeInCache(invocation, h.stage);
    return invocation;
  };
  return { ...h, inv, serve, invalidators };
}

const answer = (body: string, status = 200): GatewayAnswer => ({ status, headers: { "Content-Type": "application/json", "X-Multi": ["a", "b"] }, body });
const bodyOf = (inv: RestInvocation) => inv.answer!.body.toString();

/** A request to the ANY method of /any. */
const anyInv = (h: ReturnType<typeof setup>, httpMethod: string) => h.invocation("ANY /any", request({ httpMethod, path: "/any" }));

describe("REST gateway steps: cache lookup and store", () => {
  it("keys an ANY method's entries by the request's method: a DELETE never gets a GET's answer", () => {
    const h = setup({ settings: { "*/*": { cachingEnabled: true, cacheTtlInSeconds: 60 }, "~1any/ANY": { cachingEnabled: true } } });
    expect(bodyOf(h.serve(anyInv(h, "GET"), answer("get")))).to.equal("get");
    const del = h.serve(anyInv(h, "DELETE"), answer("delete"));
    expect(del.cache?.result).to.equal("miss");
    expect(bodyOf(del)).to.equal("delete");
    expect(bodyOf(h.serve(anyInv(h, "GET"), answer("other")))).to.equal("get");
  });

  it("caches an ANY method's GETs under the stage-wide setting alone, not its other methods", () => {
    const h = setup({ settings: { "*/*": { cachingEnabled: true, cacheTtlInSeconds: 60 } } });
    h.serve(anyInv(h, "GET"), answer("get"));
    expect(h.serve(anyInv(h, "GET"), answer("other")).cache?.result).to.equal("hit");
    expect(h.serve(anyInv(h, "POST"), answer("post")).cache).to.equal(undefined);
  });

  it("caches a GET: a miss stores the 2XX answer, the next request is a hit with that answer", () => {
    const h = setup();
    const first = h.serve(h.inv("GET", "/items"), answer("v1"));
    expect(first.cache).to.include({ ttlSeconds: 60, result: "miss" });
    const second = h.inv("GET", "/items");
    lookUpCache(second, h.stage);
    expect(second.cache).to.deep.equal({ key: first.cache!.key, ttlSeconds: 60, result: "hit" });
    expect(second.answer!.status).to.equal(200);
    expect(second.answer!.headers).to.deep.equal({ "Content-Type": "application/json", "X-Multi": "a, b" });
    expect(second.answer!.body.toString()).to.equal("v1");
  });

  it("leaves a miss unanswered, marked as a miss", () => {
    const h = setup();
    const inv = h.inv("GET", "/items");
    lookUpCache(inv, h.stage);
    expect(inv.answer).to.equal(undefined);
    expect(inv.cache!.result).to.equal("miss");
  });

  it("expires an entry after its TTL", () => {
    const h = setup();
    h.serve(h.inv("GET", "/items"), answer("v1"));
    h.clock.advance(59_999);
    expect(bodyOf(h.serve(h.inv("GET", "/items"), answer("v2")))).to.equal("v1");
    h.clock.advance(1);
    const later = h.serve(h.inv("GET", "/items"), answer("v2"));
    expect(later.cache!.result).to.equal("miss");
    expect(bodyOf(later)).to.equal("v2");
  });

  it("uses AWS's default TTL of 300 s when caching is on without a TTL", () => {
    const h = setup({ settings: { "*/*": { cachingEnabled: true } } });
    expect(h.serve(h.inv("GET", "/items"), answer("v1")).cache!.ttlSeconds).to.equal(300);
  });

  it("caches nothing without a cache cluster, or with caching off", () => {
    const noCluster = setup({ cluster: false });
    const a = noCluster.serve(noCluster.inv("GET", "/items"), answer("v1"));
    expect(a.cache).to.equal(undefined);
    const off = setup({ settings: { "*/*": { cachingEnabled: false, cacheTtlInSeconds: 60 } } });
    off.serve(off.inv("GET", "/items"), answer("v1"));
    const b = off.serve(off.inv("GET", "/items"), answer("v2"));
    expect(b.cache).to.equal(undefined);
    expect(bodyOf(b)).to.equal("v2");
  });

  it("does not cache a non-GET method on the stage-wide setting alone", () => {
    const h = setup();
    h.serve(h.inv("PUT", "/items"), answer("v1"));
    const second = h.serve(h.inv("PUT", "/items"), answer("v2"));
    expect(second.cache).to.equal(undefined);
    expect(bodyOf(second)).to.equal("v2");
  });

  it("caches a non-GET method whose own setting enables caching, apart from the GET", () => {
    const h = setup();
    h.serve(h.inv("POST", "/items"), answer("post-1"));
    const again = h.serve(h.inv("POST", "/items"), answer("post-2"));
    expect(again.cache!.result).to.equal("hit");
    expect(bodyOf(again)).to.equal("post-1");
    expect(again.cache!.ttlSeconds).to.equal(60);
    const get = h.serve(h.inv("GET", "/items"), answer("get-1"));
    expect(get.cache!.result).to.equal("miss");
    expect(get.cache!.key).to.not.equal(again.cache!.key);
  });

  it("treats a TTL of 0 as caching off", () => {
    const h = setup();
    h.serve(h.inv("GET", "/nocache"), answer("v1"));
    const second = h.serve(h.inv("GET", "/nocache"), answer("v2"));
    expect(second.cache).to.equal(undefined);
    expect(bodyOf(second)).to.equal("v2");
  });

  it("keeps separate entries per cache key parameter value, and ignores other parameters", () => {
    const h = setup();
    h.serve(h.inv("GET", "/keyed", { query: "category=books&page=1", headers: [["X-Lang", "en"]] }), answer("books-en"));
    h.serve(h.inv("GET", "/keyed", { query: "category=music", headers: [["X-Lang", "en"]] }), answer("music-en"));
    h.serve(h.inv("GET", "/keyed", { query: "category=books", headers: [["X-Lang", "de"]] }), answer("books-de"));
    const look = (spec: RequestSpec) => {
      const inv = h.inv("GET", "/keyed", spec);
      lookUpCache(inv, h.stage);
      return inv.answer ? bodyOf(inv) : "miss";
    };
    expect(look({ query: "page=9&category=books", headers: [["x-lang", "en"], ["X-Other", "1"]] })).to.equal("books-en");
    expect(look({ query: "category=music", headers: [["X-Lang", "en"]] })).to.equal("music-en");
    expect(look({ query: "category=books", headers: [["X-Lang", "de"]] })).to.equal("books-de");
    expect(look({ query: "category=books" })).to.equal("miss");
    expect(look({ query: "category=", headers: [["X-Lang", "en"]] })).to.equal("miss");
  });

  it("stores only 2XX answers", () => {
    const h = setup();
    for (const status of [199, 302, 404, 500, 504]) {
      h.serve(h.inv("GET", "/items"), answer(`status ${status}`, status));
      const next = h.inv("GET", "/items");
      lookUpCache(next, h.stage);
      expect(next.answer, `after a ${status}`).to.equal(undefined);
    }
    h.serve(h.inv("GET", "/items"), answer("", 204));
    const next = h.inv("GET", "/items");
    lookUpCache(next, h.stage);
    expect(next.answer!.status).to.equal(204);
  });

  it("stores nothing for an invocation the lookup did not mark as cached", () => {
    const h = setup();
    const inv = h.inv("GET", "/items");
    inv.answer = answer("v1");
    storeInCache(inv, h.stage);
    expect(h.stage.cache!.stats.entries).to.equal(0);
  });

  describe("Cache-Control: max-age=0", () => {
    it("from a caller allowed to (no authorization required) skips the lookup, and the store refreshes the entry", () => {
      const h = setup();
      h.serve(h.inv("GET", "/items"), answer("old"));
      const fresh = h.serve(h.inv("GET", "/items", { headers: [["Cache-Control", "no-cache, MAX-AGE = 0"]] }), answer("new"));
      expect(fresh.cache!.result).to.equal("miss");
      expect(bodyOf(fresh)).to.equal("new");
      expect(bodyOf(h.serve(h.inv("GET", "/items"), answer("newer")))).to.equal("new");
      expect(h.invalidators).to.have.length(0);
    });

    it("other max-age values do not skip the lookup", () => {
      const h = setup();
      h.serve(h.inv("GET", "/items"), answer("old"));
      expect(bodyOf(h.serve(h.inv("GET", "/items", { headers: [["Cache-Control", "max-age=10"]] }), answer("new")))).to.equal("old");
    });

    it("when authorization is required, asks mayInvalidateCache with the method ARN; an allowed caller skips the lookup", () => {
      const h = setup();
      h.serve(h.inv("GET", "/strict"), answer("old"));
      const fresh = h.serve(h.inv("GET", "/strict", { headers: [["Cache-Control", "max-age=0"]] }, "admin"), answer("new"));
      expect(bodyOf(fresh)).to.equal("new");
      expect(h.invalidators).to.deep.equal([{ authorizer: { principalId: "admin" }, methodArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/${STAGE}/GET/strict` }]);
    });

    it("from a caller not allowed, FAIL_WITH_403: ACCESS_DENIED", async () => {
      const h = setup();
      h.serve(h.inv("GET", "/strict"), answer("old"));
      const inv = h.inv("GET", "/strict", { headers: [["Cache-Control", "max-age=0"]] }, "someone");
      const error = await gatewayErrorOf(() => lookUpCache(inv, h.stage));
      expect(error.type).to.equal("ACCESS_DENIED");
      expect(error.options.message).to.equal(undefined);
      expect(inv.answer).to.equal(undefined);
    });

    it("from a caller not allowed, SUCCEED_WITHOUT_RESPONSE_HEADER: ignored, served from the cache", () => {
      const h = setup();
      h.serve(h.inv("GET", "/lenient"), answer("old"));
      const inv = h.serve(h.inv("GET", "/lenient", { headers: [["Cache-Control", "max-age=0"]] }), answer("new"));
      expect(inv.cache!.result).to.equal("hit");
      expect(bodyOf(inv)).to.equal("old");
      expect(h.invalidators).to.have.length(1);
      expect(h.invalidators[0].authorizer).to.equal(undefined);
    });
  });
});
