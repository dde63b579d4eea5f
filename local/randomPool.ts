/**
 * Random bytes for ids drawn on every request (`x-amz-apigw-id`, X-Ray trace headers), taken
 * from a block drawn at once: one randomBytes call per id costs more than the rest of the id.
 */
import { randomBytes } from "node:crypto";

const POOL_BYTES = 6 * 1024;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

/** `bytes` fresh random bytes, encoded. */
export function pooledRandom(bytes: number, encoding: "hex" | "base64url" | "base64"): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    offset = 0;
  }
  const text = pool.toString(encoding, offset, offset + bytes);
  offset += bytes;
  return text;
}
