import { expect } from "chai";
import fc from "fast-check";
import { ThrottleChain, TokenBucket } from "../../../local/restGateway/tokenBucket";

/** A clock the test moves by hand, in ms. */
function manualClock(start = 0) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const FLOAT_SLACK = 1e-6;

describe("TokenBucket", () => {
  it("starts full: burst requests pass at once, the next is refused", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, 3, clock.now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).to.deep.equal([true, true, true, false]);
  });

  it("with rate 0 admits burst requests and then nothing, ever", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(0, 2, clock.now);
    expect(bucket.tryTake()).to.equal(true);
    expect(bucket.tryTake()).to.equal(true);
    clock.advance(3_600_000);
    expect(bucket.tryTake()).to.equal(false);
    expect(bucket.available()).to.equal(0);
    expect(bucket.msUntilAvailable()).to.equal(Infinity);
  });

  it("refills continuously at the rate, fractions included", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(2, 4, clock.now);
    for (let i = 0; i < 4; i++) bucket.tryTake();
    clock.advance(250);
    expect(bucket.available()).to.equal(0.5);
    expect(bucket.tryTake()).to.equal(false);
    clock.advance(250);
    expect(bucket.tryTake()).to.equal(true);
    expect(bucket.available()).to.equal(0);
  });

  it("never refills past the burst", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(100, 5, clock.now);
    bucket.tryTake();
    clock.advance(60_000);
    expect(bucket.available()).to.equal(5);
  });

  it("takes several tokens at once, or none when they are not all there", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, 5, clock.now);
    expect(bucket.tryTake(3)).to.equal(true);
    expect(bucket.tryTake(3)).to.equal(false);
    expect(bucket.available()).to.equal(2);
    expect(bucket.tryTake(2)).to.equal(true);
    expect(bucket.available()).to.equal(0);
  });

  it("has a whole token after exactly one token's worth of refill at awkward rates", () => {
    // 3 rps: one token every 333.33… ms, which no float represents exactly.
    const clock = manualClock(0.1);
    const bucket = new TokenBucket(3, 1, clock.now);
    expect(bucket.tryTake()).to.equal(true);
    clock.advance(1000 / 3);
    expect(bucket.available()).to.equal(1);
    expect(bucket.tryTake()).to.equal(true);
  });

  it("says how long until tokens are available", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(4, 2, clock.now);
    expect(bucket.msUntilAvailable()).to.equal(0);
    bucket.tryTake(2);
    expect(bucket.msUntilAvailable()).to.equal(250);
    expect(bucket.msUntilAvailable(2)).to.equal(500);
    expect(bucket.msUntilAvailable(3)).to.equal(Infinity);
  });

  it("neither refills nor drains when the clock steps back", () => {
    const clock = manualClock(1000);
    const bucket = new TokenBucket(10, 2, clock.now);
    bucket.tryTake(2);
    clock.advance(-500);
    expect(bucket.available()).to.equal(0);
    clock.advance(600); // 100 ms past the last reading: one token
    expect(bucket.available()).to.equal(1);
  });

  it("uses a real clock when none is given", () => {
    const bucket = new TokenBucket(0, 1);
    expect(bucket.tryTake()).to.equal(true);
    expect(bucket.tryTake()).to.equal(false);
  });

  it("refuses bad limits and counts, naming them", () => {
    expect(() => new TokenBucket(-1, 1)).to.throw(RangeError, "ratePerSecond must be a finite number >= 0 (got -1)");
    expect(() => new TokenBucket(NaN, 1)).to.throw(RangeError, "ratePerSecond must be a finite number >= 0 (got NaN)");
    expect(() => new TokenBucket(1, -2)).to.throw(RangeError, "burst must be a finite number >= 0 (got -2)");
    expect(() => new TokenBucket(1, Infinity)).to.throw(RangeError, "burst must be a finite number >= 0 (got Infinity)");
    expect(() => new TokenBucket(1, 1).tryTake(-1)).to.throw(RangeError, "count must be a finite number >= 0 (got -1)");
  });

  describe("properties (injected clock)", () => {
    const limits = fc.record({
      rate: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.01, max: 1000, noNaN: true })),
      burst: fc.integer({ min: 0, max: 50 }),
    });
    const steps = fc.array(
      fc.record({ dt: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.double({ min: 0, max: 2000, noNaN: true })), tries: fc.integer({ min: 0, max: 8 }) }),
      { maxLength: 60 },
    );

    it("admits at most burst + rate × T over any window [0, T]", () => {
      fc.assert(
        fc.property(limits, steps, ({ rate, burst }, plan) => {
          const clock = manualClock();
          const bucket = new TokenBucket(rate, burst, clock.now);
          let admitted = 0;
          let elapsedMs = 0;
          for (const { dt, tries } of plan) {
            clock.advance(dt);
            elapsedMs += dt;
            for (let i = 0; i < tries; i++) if (bucket.tryTake()) admitted++;
            expect(admitted).to.be.at.most(burst + (rate * elapsedMs) / 1000 + FLOAT_SLACK);
          }
        }),
      );
    });

    it("admits at most burst + rate × (t2 − t1) in any window [t1, t2], not only from the start", () => {
      fc.assert(
        fc.property(limits, steps, ({ rate, burst }, plan) => {
          const clock = manualClock();
          const bucket = new TokenBucket(rate, burst, clock.now);
          const admittedAt: number[] = [];
          for (const { dt, tries } of plan) {
            clock.advance(dt);
            for (let i = 0; i < tries; i++) if (bucket.tryTake()) admittedAt.push(clock.now());
          }
          for (let i = 0; i < admittedAt.length; i++) {
            for (let j = i; j < admittedAt.length; j++) {
              expect(j - i + 1).to.be.at.most(burst + (rate * (admittedAt[j] - admittedAt[i])) / 1000 + FLOAT_SLACK);
            }
          }
        }),
      );
    });

    it("admits at least burst + rate × T − 1 when offered requests continuously above the rate", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 500 }),
          fc.integer({ min: 2, max: 50 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 }),
          (rate, burst, fractions) => {
            // Steps short enough that the bucket never reaches its cap between them: no
            // refill is lost, so a greedy client gets everything the limit allows.
            const maxStepMs = ((burst - 1) * 1000) / rate;
            const clock = manualClock();
            const bucket = new TokenBucket(rate, burst, clock.now);
            let admitted = 0;
            let elapsedMs = 0;
            const drain = () => {
              while (bucket.tryTake()) admitted++;
            };
            drain();
            for (const f of fractions) {
              clock.advance(f * maxStepMs);
              elapsedMs += f * maxStepMs;
              drain();
              expect(admitted).to.be.at.least(burst + (rate * elapsedMs) / 1000 - 1 - FLOAT_SLACK);
            }
          },
        ),
      );
    });

    it("never holds more than burst nor fewer than 0 tokens", () => {
      fc.assert(
        fc.property(limits, steps, ({ rate, burst }, plan) => {
          const clock = manualClock();
          const bucket = new TokenBucket(rate, burst, clock.now);
          for (const { dt, tries } of plan) {
            clock.advance(dt);
            for (let i = 0; i < tries; i++) bucket.tryTake();
            const tokens = bucket.available();
            expect(tokens).to.be.at.least(0);
            expect(tokens).to.be.at.most(burst);
          }
        }),
      );
    });

    it("has the tokens after msUntilAvailable, and not 1 ms before", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1000 }),
          fc.integer({ min: 1, max: 20 }),
          fc.integer({ min: 1, max: 20 }),
          fc.double({ min: 0, max: 5000, noNaN: true }),
          (rate, burst, wanted, dt) => {
            const clock = manualClock();
            const bucket = new TokenBucket(rate, burst, clock.now);
            bucket.tryTake(burst);
            clock.advance(dt);
            const count = Math.min(wanted, burst);
            const wait = bucket.msUntilAvailable(count);
            expect(wait).to.be.finite;
            if (wait > 1) {
              clock.advance(wait - 1);
              expect(bucket.tryTake(count)).to.equal(false);
              clock.advance(1);
            } else {
              clock.advance(wait);
            }
            expect(bucket.tryTake(count)).to.equal(true);
          },
        ),
      );
    });
  });
});

describe("ThrottleChain", () => {
  it("admits only when every bucket has a token, and then takes one from each", () => {
    const clock = manualClock();
    const method = new TokenBucket(0, 2, clock.now);
    const stage = new TokenBucket(0, 1, clock.now);
    expect(ThrottleChain.tryAll([method, stage])).to.equal(true);
    expect([method.available(), stage.available()]).to.deep.equal([1, 0]);
  });

  it("takes nothing from any bucket when one refuses", () => {
    const clock = manualClock();
    const method = new TokenBucket(0, 5, clock.now);
    const stage = new TokenBucket(0, 0, clock.now);
    const account = new TokenBucket(0, 5, clock.now);
    expect(ThrottleChain.tryAll([method, stage, account])).to.equal(false);
    expect([method.available(), account.available()]).to.deep.equal([5, 5]);
  });

  it("counts a bucket listed twice twice", () => {
    const bucket = new TokenBucket(0, 1, manualClock().now);
    expect(ThrottleChain.tryAll([bucket, bucket])).to.equal(false);
    expect(bucket.available()).to.equal(1);
  });

  it("admits everything with no buckets, and works as an instance over its buckets", () => {
    expect(ThrottleChain.tryAll([])).to.equal(true);
    const chain = new ThrottleChain([new TokenBucket(0, 1, manualClock().now)]);
    expect([chain.tryTake(), chain.tryTake()]).to.deep.equal([true, false]);
  });

  it("is atomic for any bucket states (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }), (fills) => {
        const clock = manualClock();
        const buckets = fills.map((tokens) => new TokenBucket(0, tokens, clock.now));
        const before = buckets.map((b) => b.available());
        const admitted = ThrottleChain.tryAll(buckets);
        expect(admitted).to.equal(before.every((tokens) => tokens >= 1));
        expect(buckets.map((b) => b.available())).to.deep.equal(before.map((tokens) => (admitted ? tokens - 1 : tokens)));
      }),
    );
  });
});
