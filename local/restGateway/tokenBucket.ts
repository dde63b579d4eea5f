import { performance } from "node:perf_hooks";

/**
 * How close to a whole number of tokens counts as that number. Refills at fractional
 * millisecond times accumulate float error; without this a bucket refilled for exactly one
 * token's worth of time could hold 0.9999999999 and refuse.
 */
const EPSILON = 1e-9;

/**
 * A token bucket, the limiter behind every API Gateway throttle (apigw-behavior.md,
 * Throttling and quotas): `burst` is the bucket size, `ratePerSecond` its continuous refill,
 * each request takes one token. A new bucket is full.
 *
 * @example
 * const bucket = new TokenBucket(10, 5);   // 10 rps, bursts of 5
 * if (!bucket.tryTake()) return tooManyRequests();
 */
export class TokenBucket {
  /** Tokens × 1000: refills of whole milliseconds at a whole rate stay exact integers. */
  private milliTokens: number;
  private last: number;

  /**
   * @param ratePerSecond refill, in tokens per second; 0 = the bucket never refills.
   * @param burst bucket size, in tokens.
   * @param now clock in milliseconds. @default performance.now
   */
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isFinite(ratePerSecond) || ratePerSecond < 0) {
      throw new RangeError(`ratePerSecond must be a finite number >= 0 (got ${ratePerSecond})`);
    }
    if (!Number.isFinite(burst) || burst < 0) {
      throw new RangeError(`burst must be a finite number >= 0 (got ${burst})`);
    }
    this.milliTokens = burst * 1000;
    this.last = now();
  }

  /** Takes `count` tokens if the bucket holds them; takes nothing otherwise. */
  tryTake(count = 1): boolean {
    checkCount(count);
    if (this.available() < count) return false;
    this.milliTokens = Math.max(0, this.milliTokens - count * 1000);
    return true;
  }

  /** The tokens in the bucket now, after refilling; may be fractional. */
  available(): number {
    this.refill();
    const tokens = this.milliTokens / 1000;
    const whole = Math.round(tokens);
    return Math.abs(tokens - whole) <= EPSILON ? Math.min(this.burst, Math.max(0, whole)) : tokens;
  }

  /**
   * Milliseconds until `count` tokens are available: 0 when they are now, `Infinity` when
   * they never will be (more than the burst, or no refill).
   */
  msUntilAvailable(count = 1): number {
    checkCount(count);
    if (this.available() >= count) return 0;
    if (count > this.burst || this.ratePerSecond === 0) return Infinity;
    return (count * 1000 - this.milliTokens) / this.ratePerSecond;
  }

  private refill(): void {
    const t = this.now();
    // A clock that steps back refills nothing until it passes the last reading again.
    if (!(t > this.last)) return;
    this.milliTokens = Math.min(this.burst * 1000, this.milliTokens + (t - this.last) * this.ratePerSecond);
    this.last = t;
  }
}

/**
 * Limits that apply together: a request passes only if every bucket has a token, and then
 * takes one from each. This is how the usage-plan, stage/method and account limits compose
 * (apigw-behavior.md): a request refused by one limit must not use up the others.
 */
export class ThrottleChain {
  constructor(readonly buckets: TokenBucket[]) {}

  /** {@link ThrottleChain.tryAll} over this chain's buckets. */
  tryTake(count = 1): boolean {
    return ThrottleChain.tryAll(this.buckets, count);
  }

  /**
   * Takes `count` tokens from every bucket if all of them hold that many; takes nothing from
   * any of them otherwise. A bucket listed twice must hold the tokens for both.
   */
  static tryAll(buckets: TokenBucket[], count = 1): boolean {
    checkCount(count);
    const needed = new Map<TokenBucket, number>();
    for (const bucket of buckets) needed.set(bucket, (needed.get(bucket) ?? 0) + count);
    for (const [bucket, tokens] of needed) {
      if (bucket.available() < tokens) return false;
    }
    // Nothing runs between the check and the takes, and a clock only adds tokens: every take
    // succeeds.
    for (const [bucket, tokens] of needed) bucket.tryTake(tokens);
    return true;
  }
}

function checkCount(count: number): void {
  if (!Number.isFinite(count) || count < 0) throw new RangeError(`count must be a finite number >= 0 (got ${count})`);
}
