import { expect } from "chai";
import fc from "fast-check";
import {
  type CacheKeyParts,
  type CachedResponse,
  MAX_CACHED_BODY_BYTES,
  ResponseCache,
  cacheKey,
  capacityBytesForClusterSize,
} from "../../../local/restGateway/responseCache";

function manualClock(start = 0) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function response(body: string | Buffer, headers: Record<string, string> = {}): CachedResponse {
  return { statusCode: 200, headers, body: typeof body === "string" ? Buffer.from(body) : body };
}

const BOOKS: CacheKeyParts = {
  apiId: "a1b2c3",
  stage: "dev",
  method: "GET",
  resourcePath: "/products",
  keyParameters: [["method.request.querystring.category", "books"]],
};

describe("cacheKey", () => {
  it("separates requests by a keyed parameter's value", () => {
    const music = { ...BOOKS, keyParameters: [["method.request.querystring.category", "music"]] as Array<[string, string]> };
    expect(cacheKey(BOOKS)).to.not.equal(cacheKey(music));
  });

  it("tells an absent parameter from an empty one", () => {
    const absent = cacheKey({ ...BOOKS, keyParameters: [["method.request.querystring.category", undefined]] });
    const empty = cacheKey({ ...BOOKS, keyParameters: [["method.request.querystring.category", ""]] });
    expect(absent).to.not.equal(empty);
  });

  it("ignores the case of header names but not of query-string names or values", () => {
    const lang = (name: string, value = "en") => cacheKey({ ...BOOKS, keyParameters: [[name, value]] });
    expect(lang("method.request.header.Accept-Language")).to.equal(lang("method.request.header.accept-language"));
    expect(lang("method.request.header.Accept-Language", "EN")).to.not.equal(lang("method.request.header.Accept-Language", "en"));
    expect(lang("method.request.querystring.Category")).to.not.equal(lang("method.request.querystring.category"));
  });

  it("ignores the order of the parameters", () => {
    const a: Array<[string, string | undefined]> = [["method.request.querystring.category", "books"], ["method.request.header.Accept-Language", "de"]];
    expect(cacheKey({ ...BOOKS, keyParameters: a })).to.equal(cacheKey({ ...BOOKS, keyParameters: [...a].reverse() }));
  });

  it("cannot be forged by moving separators between fields", () => {
    const one = cacheKey({ ...BOOKS, apiId: "a", stage: "b|c", keyParameters: [] });
    const two = cacheKey({ ...BOOKS, apiId: "a|b", stage: "c", keyParameters: [] });
    expect(one).to.not.equal(two);
    const nameValue = cacheKey({ ...BOOKS, keyParameters: [["method.request.querystring.a", "b=c"]] });
    const nameValue2 = cacheKey({ ...BOOKS, keyParameters: [["method.request.querystring.a=b", "c"]] });
    expect(nameValue).to.not.equal(nameValue2);
  });

  describe("properties", () => {
    // Small alphabets, so that different parts often look alike.
    const text = fc.string({ unit: fc.constantFrom("a", "A", "/", ",", '"', "\\", "[", "]", "|", ":", "=", "&", "\u0000", "\u00e9", "\ud800"), maxLength: 4 });
    const name = fc.oneof(
      fc.constantFrom("method.request.querystring.category", "method.request.querystring.Category", "method.request.path.id"),
      fc.constantFrom("method.request.header.Accept-Language", "method.request.header.accept-language", "method.request.header.ACCEPT-LANGUAGE"),
      text.map((t) => `method.request.header.${t}`),
      text.map((t) => `method.request.querystring.${t}`),
    );
    const parameter = fc.tuple(name, fc.option(text, { nil: undefined }));
    const parts: fc.Arbitrary<CacheKeyParts> = fc.record({
      apiId: text,
      stage: text,
      method: fc.constantFrom("GET", "get", "POST", "A,B"),
      resourcePath: fc.oneof(text, fc.constantFrom("/", "/products", "/products/{id}")),
      keyParameters: fc.array(parameter, { maxLength: 4 }),
    });

    /** What the key must depend on, computed independently of the implementation. */
    function meaning(p: CacheKeyParts): string {
      const params = p.keyParameters
        .map(([n, v]) => JSON.stringify([n.startsWith("method.request.header.") ? n.toLowerCase() : n, v === undefined ? 0 : `=${v}`]))
        .sort();
      return JSON.stringify([p.apiId, p.stage, p.method, p.resourcePath, params]);
    }

    /** The same request, with parameters shuffled and header names re-cased. */
    const lookalike = (p: CacheKeyParts) =>
      fc.shuffledSubarray(p.keyParameters, { minLength: p.keyParameters.length }).chain((shuffled) =>
        fc.array(fc.boolean(), { minLength: shuffled.length, maxLength: shuffled.length }).map((upper) => ({
          ...p,
          keyParameters: shuffled.map(([n, v], i): [string, string | undefined] => [
            n.startsWith("method.request.header.") ? `method.request.header.${upper[i] ? n.slice(22).toUpperCase() : n.slice(22).toLowerCase()}` : n,
            v,
          ]),
        })),
      );

    it("gives the same key for the same request, whatever the parameter order and header-name case", () => {
      fc.assert(fc.property(parts.chain((p) => fc.tuple(fc.constant(p), lookalike(p))), ([p, q]) => {
        expect(cacheKey(q)).to.equal(cacheKey(p));
      }));
    });

    /** Moves k characters across the apiId/stage boundary, or across each parameter's name/value one. */
    function shift(p: CacheKeyParts, k: number, inParameters: boolean): CacheKeyParts {
      const split = (a: string, b: string): [string, string] => {
        const cut = Math.max(0, Math.min(a.length + b.length, a.length + k));
        return [(a + b).slice(0, cut), (a + b).slice(cut)];
      };
      if (!inParameters) {
        const [apiId, stage] = split(p.apiId, p.stage);
        return { ...p, apiId, stage };
      }
      return { ...p, keyParameters: p.keyParameters.map(([n, v]) => (v === undefined ? [n, v] : split(n, v))) };
    }

    it("is injective: different requests never share a key", () => {
      const pairs = fc.oneof(
        fc.tuple(parts, parts),
        // Near misses: one field or one parameter changed.
        parts.chain((p) => fc.tuple(fc.constant(p), parts.map((r) => ({ ...p, stage: r.stage })))),
        parts.chain((p) => fc.tuple(fc.constant(p), fc.array(parameter, { maxLength: 1 }).map((extra) => ({ ...p, keyParameters: [...p.keyParameters.slice(1), ...extra] })))),
        // Separator forgery: text moved across the boundary of two adjacent fields.
        parts.chain((p) => fc.tuple(fc.constant(p), fc.tuple(fc.integer({ min: -4, max: 4 }), fc.boolean()).map(([k, inParameters]) => shift(p, k, inParameters)))),
      );
      fc.assert(fc.property(pairs, ([p, q]) => {
        expect(cacheKey(p) === cacheKey(q)).to.equal(meaning(p) === meaning(q));
      }), { numRuns: 3000 });
    });
  });
});

describe("capacityBytesForClusterSize", () => {
  it("gives each cluster size's memory in bytes", () => {
    expect(capacityBytesForClusterSize("0.5")).to.equal(536_870_912);
    expect(capacityBytesForClusterSize("1.6")).to.equal(Math.round(1.6 * 2 ** 30));
    expect(capacityBytesForClusterSize("237")).to.equal(237 * 2 ** 30);
  });

  it("refuses a size API Gateway does not offer, listing those it does", () => {
    expect(() => capacityBytesForClusterSize("2")).to.throw('cache cluster size must be one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 GB (got "2")');
  });
});

describe("ResponseCache", () => {
  it("serves what was stored until the TTL runs out, with its age", () => {
    const clock = manualClock();
    const cache = new ResponseCache({ capacityBytes: 1_000_000, now: clock.now });
    expect(cache.set("k", response('{"id":1}', { "Content-Type": "application/json" }), 300)).to.equal(true);
    clock.advance(299_999);
    const hit = cache.get("k");
    expect(hit).to.deep.equal({ statusCode: 200, headers: { "Content-Type": "application/json" }, body: Buffer.from('{"id":1}'), ageSeconds: 299 });
    clock.advance(1);
    expect(cache.get("k")).to.equal(undefined);
    expect(cache.stats).to.deep.equal({ hits: 1, misses: 1, entries: 0, bytes: 0 });
  });

  it("counts a miss for a key never stored", () => {
    const cache = new ResponseCache({ capacityBytes: 100 });
    expect(cache.get("nope")).to.equal(undefined);
    expect(cache.stats.misses).to.equal(1);
  });

  it("stores nothing when the TTL is 0 (caching disabled)", () => {
    const cache = new ResponseCache({ capacityBytes: 100 });
    expect(cache.set("k", response("x"), 0)).to.equal(false);
    expect(cache.get("k")).to.equal(undefined);
  });

  it("refuses a TTL outside 0..3600", () => {
    const cache = new ResponseCache({ capacityBytes: 100 });
    expect(() => cache.set("k", response("x"), 3601)).to.throw(RangeError, "ttlSeconds must be between 0 and 3600 (got 3601)");
    expect(() => cache.set("k", response("x"), -1)).to.throw(RangeError, "ttlSeconds must be between 0 and 3600 (got -1)");
    expect(cache.set("k", response("x"), 3600)).to.equal(true);
  });

  it("does not cache a body over 1 MB, and caches one of exactly 1 MB", () => {
    const cache = new ResponseCache({ capacityBytes: 4 * MAX_CACHED_BODY_BYTES });
    expect(cache.set("big", response(Buffer.alloc(MAX_CACHED_BODY_BYTES + 1)), 60)).to.equal(false);
    expect(cache.set("max", response(Buffer.alloc(MAX_CACHED_BODY_BYTES)), 60)).to.equal(true);
    expect(cache.get("big")).to.equal(undefined);
    expect(cache.get("max")?.body.length).to.equal(MAX_CACHED_BODY_BYTES);
  });

  it("does not store an entry larger than the whole cache", () => {
    const cache = new ResponseCache({ capacityBytes: 10 });
    expect(cache.set("k", response("0123456789"), 60)).to.equal(false);
    expect(cache.stats.bytes).to.equal(0);
  });

  it("evicts the least recently used entry when full", () => {
    // Each entry: 1-byte key + 10-byte body.
    const cache = new ResponseCache({ capacityBytes: 22, now: manualClock().now });
    cache.set("a", response("aaaaaaaaaa"), 60);
    cache.set("b", response("bbbbbbbbbb"), 60);
    cache.get("a"); // a is now more recent than b
    cache.set("c", response("cccccccccc"), 60);
    expect(cache.get("b")).to.equal(undefined);
    expect(cache.get("a")?.body.toString()).to.equal("aaaaaaaaaa");
    expect(cache.get("c")?.body.toString()).to.equal("cccccccccc");
    expect(cache.stats).to.include({ entries: 2, bytes: 22 });
  });

  it("drops expired entries before live ones to make room", () => {
    const clock = manualClock();
    const cache = new ResponseCache({ capacityBytes: 22, now: clock.now });
    cache.set("a", response("aaaaaaaaaa"), 60);
    cache.set("b", response("bbbbbbbbbb"), 1);
    clock.advance(1000);
    cache.set("c", response("cccccccccc"), 60);
    expect(cache.get("a")).to.not.equal(undefined);
  });

  it("replaces an entry stored again under the same key", () => {
    const clock = manualClock();
    const cache = new ResponseCache({ capacityBytes: 100, now: clock.now });
    cache.set("k", response("old"), 10);
    clock.advance(5000);
    cache.set("k", response("new!"), 10);
    clock.advance(6000);
    expect(cache.get("k")).to.deep.include({ body: Buffer.from("new!"), ageSeconds: 6 });
    expect(cache.stats).to.include({ entries: 1, bytes: 5 });
  });

  it("keeps its own copy of the response", () => {
    const cache = new ResponseCache({ capacityBytes: 100 });
    const body = Buffer.from("abc");
    const headers = { "X-A": "1" };
    cache.set("k", { statusCode: 200, headers, body }, 60);
    body.write("zzz");
    headers["X-A"] = "2";
    const hit = cache.get("k");
    expect(hit?.body.toString()).to.equal("abc");
    expect(hit?.headers).to.deep.equal({ "X-A": "1" });
    hit?.body.write("yyy");
    expect(cache.get("k")?.body.toString()).to.equal("abc");
  });

  it("empties on flush (FlushStageCache), keeping the hit and miss counters", () => {
    const cache = new ResponseCache({ capacityBytes: 100 });
    cache.set("a", response("1"), 60);
    cache.set("b", response("2"), 60);
    cache.get("a");
    cache.flush();
    expect(cache.get("a")).to.equal(undefined);
    expect(cache.stats).to.deep.equal({ hits: 1, misses: 1, entries: 0, bytes: 0 });
  });

  it("counts headers and the key in an entry's size", () => {
    const cache = new ResponseCache({ capacityBytes: 100 });
    cache.set("key", response("body", { "Content-Type": "text/plain" }), 60);
    expect(cache.stats.bytes).to.equal(3 + 4 + "Content-Type".length + "text/plain".length);
  });

  it("refuses a bad capacity", () => {
    expect(() => new ResponseCache({ capacityBytes: -1 })).to.throw(RangeError, "capacityBytes must be a finite number >= 0 (got -1)");
  });

  describe("properties (injected clock)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 5000 }) }),
      fc.record({
        kind: fc.constant("set" as const),
        key: fc.constantFrom("a", "b", "c", "d"),
        size: fc.integer({ min: 0, max: 60 }),
        ttl: fc.integer({ min: 0, max: 6 }),
      }),
      fc.record({ kind: fc.constant("get" as const), key: fc.constantFrom("a", "b", "c", "d") }),
      fc.constant({ kind: "flush" as const }),
    );

    it("never serves an entry after its TTL, nor anything but the latest stored response", () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
          const clock = manualClock();
          const cache = new ResponseCache({ capacityBytes: 150, now: clock.now });
          const latest = new Map<string, { body: string; expiresAt: number }>();
          let serial = 0;
          for (const o of ops) {
            if (o.kind === "advance") clock.advance(o.ms);
            if (o.kind === "flush") {
              cache.flush();
              latest.clear();
            }
            if (o.kind === "set") {
              const body = `${serial++}:`.padEnd(o.size, "x");
              if (cache.set(o.key, response(body), o.ttl)) latest.set(o.key, { body, expiresAt: clock.now() + o.ttl * 1000 });
            }
            if (o.kind === "get") {
              const hit = cache.get(o.key);
              if (hit) {
                const expected = latest.get(o.key);
                expect(expected, "served a key never stored").to.not.equal(undefined);
                expect(clock.now()).to.be.below(expected!.expiresAt);
                expect(hit.body.toString()).to.equal(expected!.body);
              }
            }
          }
        }),
      );
    });

    it("never holds more bytes than its capacity", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 200 }), fc.array(op, { maxLength: 80 }), (capacityBytes, ops) => {
          const clock = manualClock();
          const cache = new ResponseCache({ capacityBytes, now: clock.now });
          for (const o of ops) {
            if (o.kind === "advance") clock.advance(o.ms);
            if (o.kind === "flush") cache.flush();
            if (o.kind === "set") cache.set(o.key, response("x".repeat(o.size)), o.ttl || 1);
            if (o.kind === "get") cache.get(o.key);
            expect(cache.stats.bytes).to.be.at.most(capacityBytes);
            expect(cache.stats.bytes).to.be.at.least(0);
          }
          // What it reports holding covers what it can still serve.
          let servable = 0;
          for (const key of ["a", "b", "c", "d"]) servable += cache.get(key)?.body.length ?? 0;
          expect(servable).to.be.at.most(capacityBytes);
        }),
      );
    });
  });
});
