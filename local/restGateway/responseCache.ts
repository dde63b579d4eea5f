import { performance } from "node:perf_hooks";
import type { CacheClusterSize } from "../../components/apigateway";

/** What identifies a cached response (apigw-behavior.md, Caching). */
export interface CacheKeyParts {
  apiId: string;
  stage: string;
  method: string;
  resourcePath: string;
  /**
   * [name, value] for each cache key parameter of the integration, e.g.
   * ["method.request.querystring.category", "books"]; value undefined when absent
   */
  keyParameters: Array<[string, string | undefined]>;
}

/** A response as the stage cache keeps it. */
export interface CachedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The largest response body API Gateway caches: 1 MB (apigw-behavior.md, Caching). */
export const MAX_CACHED_BODY_BYTES = 1024 * 1024;
/** The largest TTL a method setting may give (apigw-behavior.md, Caching). */
const MAX_TTL_SECONDS = 3600;

const BYTES_PER_GB = 1024 ** 3;
const CLUSTER_SIZES_GB: Record<CacheClusterSize, number> = {
  "0.5": 0.5,
  "1.6": 1.6,
  "6.1": 6.1,
  "13.5": 13.5,
  "28.4": 28.4,
  "58.2": 58.2,
  "118": 118,
  "237": 237,
};

/**
 * The cache key of a request: the method, the resource path and the integration's cache key
 * parameters, within one stage of one API. Only those parameters count: two requests that
 * differ in anything else share the entry, as on AWS.
 *
 * Different parts always give different keys (the key is the JSON of a canonical array, so no
 * separator can be forged), except that header names are case-insensitive and the order of
 * the parameters does not matter. An absent parameter and an empty one are different keys.
 */
export function cacheKey(parts: CacheKeyParts): string {
  const parameters = parts.keyParameters
    .map(([name, value]): [string, string | null] => [canonicalParameterName(name), value ?? null])
    .sort(compareParameters);
  return JSON.stringify([parts.apiId, parts.stage, parts.method, parts.resourcePath, parameters]);
}

function canonicalParameterName(name: string): string {
  const header = /^(method\.request\.(?:multivalue)?header\.)(.*)$/s.exec(name);
  return header ? header[1] + header[2].toLowerCase() : name;
}

function compareParameters([nameA, valueA]: [string, string | null], [nameB, valueB]: [string, string | null]): number {
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  if (valueA === valueB) return 0;
  if (valueA === null) return -1;
  if (valueB === null) return 1;
  return valueA < valueB ? -1 : 1;
}

/** The memory of a stage cache cluster, in bytes (a GB being 2^30 bytes). */
export function capacityBytesForClusterSize(sizeGb: string): number {
  const gb = (CLUSTER_SIZES_GB as Record<string, number | undefined>)[sizeGb];
  if (gb === undefined) {
    const sizes = Object.keys(CLUSTER_SIZES_GB).sort((a, b) => Number(a) - Number(b));
    throw new Error(`cache cluster size must be one of ${sizes.join(", ")} GB (got ${JSON.stringify(sizeGb)})`);
  }
  return Math.round(gb * BYTES_PER_GB);
}

interface Entry {
  response: CachedResponse;
  storedAt: number;
  expiresAt: number;
  bytes: number;
}

export interface ResponseCacheOptions {
  /** The cluster's memory; see {@link capacityBytesForClusterSize}. */
  capacityBytes: number;
  /** Clock in milliseconds. @default performance.now */
  now?: () => number;
}

/**
 * A stage cache: entries expire after their TTL, and when the cluster's memory is full the
 * least recently used entries go first. An entry's size counts its body, headers and key.
 */
export class ResponseCache {
  private readonly capacityBytes: number;
  private readonly now: () => number;
  /** In least- to most-recently-used order (a Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(options: ResponseCacheOptions) {
    if (!Number.isFinite(options.capacityBytes) || options.capacityBytes < 0) {
      throw new RangeError(`capacityBytes must be a finite number >= 0 (got ${options.capacityBytes})`);
    }
    this.capacityBytes = options.capacityBytes;
    this.now = options.now ?? (() => performance.now());
  }

  /** Counters since creation (hits, misses) and the current contents (entries, bytes). */
  get stats(): { hits: number; misses: number; entries: number; bytes: number } {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.bytes };
  }

  /** The live entry for `key` with its age in whole seconds, or undefined (a miss). */
  get(key: string): (CachedResponse & { ageSeconds: number }) | undefined {
    const entry = this.entries.get(key);
    const now = this.now();
    if (!entry || now >= entry.expiresAt) {
      if (entry) this.remove(key, entry);
      this.misses++;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    const { statusCode, headers, body } = entry.response;
    return { statusCode, headers: { ...headers }, body: Buffer.from(body), ageSeconds: Math.max(0, Math.floor((now - entry.storedAt) / 1000)) };
  }

  /**
   * Stores a response for `ttlSeconds` (1..3600), replacing any entry under `key`. Returns
   * false, storing nothing, when the TTL is 0 (caching disabled), the body is over 1 MB (AWS
   * does not cache those) or the entry alone is larger than the cache.
   */
  set(key: string, response: CachedResponse, ttlSeconds: number): boolean {
    if (!Number.isFinite(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS) {
      throw new RangeError(`ttlSeconds must be between 0 and ${MAX_TTL_SECONDS} (got ${ttlSeconds})`);
    }
    if (ttlSeconds === 0 || response.body.length > MAX_CACHED_BODY_BYTES) return false;
    const bytes = entrySize(key, response);
    if (bytes > this.capacityBytes) return false;

    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    const storedAt = this.now();
    // Copies: a caller that reuses its buffer must not change what the cache serves.
    const stored = { statusCode: response.statusCode, headers: { ...response.headers }, body: Buffer.from(response.body) };
    this.entries.set(key, { response: stored, storedAt, expiresAt: storedAt + ttlSeconds * 1000, bytes });
    this.bytes += bytes;
    this.evictOverCapacity(key);
    return true;
  }

  /** Empties the cache (FlushStageCache). The hit and miss counters keep counting. */
  flush(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private evictOverCapacity(keep: string): void {
    if (this.bytes <= this.capacityBytes) return;
    // Expired entries are dead weight: drop them before any live one.
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (key !== keep && now >= entry.expiresAt) this.remove(key, entry);
    }
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.capacityBytes) return;
      if (key !== keep) this.remove(key, entry);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

function entrySize(key: string, response: CachedResponse): number {
  let bytes = Buffer.byteLength(key) + response.body.length;
  for (const [name, value] of Object.entries(response.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}
