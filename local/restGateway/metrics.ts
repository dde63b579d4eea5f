/**
 * The gateway's CloudWatch metrics (namespace AWS/ApiGateway), kept in memory per route:
 * Count, 4XXError, 5XXError, Latency, IntegrationLatency, CacheHitCount, CacheMissCount.
 */
export interface RequestMetric {
  /** `METHOD /resource/path`, or `-` when no route matched. */
  route: string;
  status: number;
  latencyMs: number;
  integrationLatencyMs?: number;
  cache?: "hit" | "miss";
}

export interface RouteMetrics {
  Count: number;
  "4XXError": number;
  "5XXError": number;
  CacheHitCount: number;
  CacheMissCount: number;
  Latency: LatencySummary;
  IntegrationLatency: LatencySummary;
}

export interface LatencySummary {
  count: number;
  average: number;
  p50: number;
  p99: number;
  max: number;
}

/** Latency samples kept per route for percentiles (the newest ones). */
const MAX_SAMPLES = 10_000;

interface RouteState {
  count: number;
  clientErrors: number;
  serverErrors: number;
  cacheHits: number;
  cacheMisses: number;
  latency: Samples;
  integrationLatency: Samples;
}

export class GatewayMetrics {
  private readonly routes = new Map<string, RouteState>();

  record(metric: RequestMetric): void {
    let state = this.routes.get(metric.route);
    if (!state) {
      state = { count: 0, clientErrors: 0, serverErrors: 0, cacheHits: 0, cacheMisses: 0, latency: { values: [], next: 0 }, integrationLatency: { values: [], next: 0 } };
      this.routes.set(metric.route, state);
    }
    state.count++;
    if (metric.status >= 400 && metric.status < 500) state.clientErrors++;
    if (metric.status >= 500) state.serverErrors++;
    if (metric.cache === "hit") state.cacheHits++;
    if (metric.cache === "miss") state.cacheMisses++;
    push(state.latency, metric.latencyMs);
    if (metric.integrationLatencyMs !== undefined) push(state.integrationLatency, metric.integrationLatencyMs);
  }

  /** Metrics by route. */
  snapshot(): Record<string, RouteMetrics> {
    const out: Record<string, RouteMetrics> = {};
    for (const [route, s] of this.routes) {
      out[route] = {
        Count: s.count,
        "4XXError": s.clientErrors,
        "5XXError": s.serverErrors,
        CacheHitCount: s.cacheHits,
        CacheMissCount: s.cacheMisses,
        Latency: summarize(s.latency.values),
        IntegrationLatency: summarize(s.integrationLatency.values),
      };
    }
    return out;
  }
}

/** The newest MAX_SAMPLES values, kept as a ring: once full, each value replaces the oldest. */
interface Samples {
  values: number[];
  /** Where the next value goes once the ring is full. */
  next: number;
}

function push(samples: Samples, value: number): void {
  if (samples.values.length < MAX_SAMPLES) {
    samples.values.push(value);
    return;
  }
  samples.values[samples.next] = value;
  samples.next = (samples.next + 1) % MAX_SAMPLES;
}

function summarize(samples: number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, average: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    count: samples.length,
    average: samples.reduce((a, b) => a + b, 0) / samples.length,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1],
  };
}
