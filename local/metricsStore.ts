/**
 * The local cloud's CloudWatch metrics: datapoints from the gateways (AWS/ApiGateway), from the
 * functions' embedded-metric-format log lines and from PutMetricData, kept in time buckets,
 * queried by statistic and period, and evaluated against the stack's alarms.
 */
import type { AlarmDefinition, MetricStat } from "../components/ApiMonitoring";

export interface GatewayRequest {
  apiName: string;
  stage: string;
  /** `METHOD /resource/path`; kept for the detailed (per-method) series. */
  route: string;
  status: number;
  latencyMs: number;
  integrationLatencyMs?: number;
  cache?: "hit" | "miss";
}

/** One PutMetricData `MetricData` member (the shapes the functions send). */
export interface MetricDatum {
  MetricName: string;
  Value?: number;
  Values?: number[];
  Counts?: number[];
  Unit?: string;
  Timestamp?: Date | string | number;
  Dimensions?: Array<{ Name: string; Value: string }>;
}

export interface MetricQuery {
  namespace: string;
  metricName: string;
  /** The whole dimension set of the series (CloudWatch matches it exactly). @default {} */
  dimensions?: Record<string, string>;
  stat: MetricStat;
  /** A multiple of the store's bucket size. */
  periodSeconds: number;
  /** Epoch ms; periods starting before it are left out. @default one hour ago */
  since?: number;
}

export interface Datapoint {
  /** Start of the period, epoch ms. */
  timestamp: number;
  value: number;
}

export interface AlarmState {
  name: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  /** The newest evaluated period's value; null when it had no data. */
  value: number | null;
  threshold: number;
  reason: string;
}

export interface MetricsStoreOptions {
  /** @default Date.now */
  clock?: () => number;
  /** Bucket size in seconds. @default 60 (CloudWatch's standard resolution) */
  bucketSeconds?: number;
  /** How long buckets are kept, in seconds. @default 3 hours */
  retentionSeconds?: number;
}

interface Series {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Bucket start (epoch ms) -> the raw values of the bucket. */
  buckets: Map<number, number[]>;
}

/** Raw values kept per bucket for percentiles; beyond it, new values replace random old ones. */
const MAX_VALUES_PER_BUCKET = 5_000;

export class MetricsStore {
  private readonly series = new Map<string, Series>();
  /** apiName + stage -> metric name -> series key, for recordGatewayRequest. */
  private readonly gatewaySeriesKeys = new Map<string, Map<string, string>>();
  private readonly clock: () => number;
  readonly bucketMs: number;
  private readonly retentionMs: number;

  constructor(options: MetricsStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.bucketMs = (options.bucketSeconds ?? 60) * 1000;
    this.retentionMs = (options.retentionSeconds ?? 3 * 3600) * 1000;
  }

  /** One request through a REST stage: Count, 4XXError, 5XXError, Latency, IntegrationLatency, cache counts. */
  recordGatewayRequest(req: GatewayRequest): void {
    const at = this.clock();
    const dims = { ApiName: req.apiName, Stage: req.stage };
    // Seven datapoints a request: the series keys of a stage are built once, not per datapoint.
    const stageKey = `${req.apiName}\n${req.stage}`;
    let keys = this.gatewaySeriesKeys.get(stageKey);
    if (!keys) {
      keys = new Map();
      this.gatewaySeriesKeys.set(stageKey, keys);
    }
    const put = (metricName: string, value: number) => {
      let key = keys.get(metricName);
      if (key === undefined) {
        key = seriesKey("AWS/ApiGateway", metricName, dims);
        keys.set(metricName, key);
      }
      this.add("AWS/ApiGateway", metricName, dims, value, at, key);
    };
    // API Gateway emits the error metrics as 0 or 1 per request: Sum counts, Average is a rate.
    put("Count", 1);
    put("4XXError", req.status >= 400 && req.status < 500 ? 1 : 0);
    put("5XXError", req.status >= 500 ? 1 : 0);
    put("Latency", req.latencyMs);
    if (req.integrationLatencyMs !== undefined) put("IntegrationLatency", req.integrationLatencyMs);
    if (req.cache) {
      put("CacheHitCount", req.cache === "hit" ? 1 : 0);
      put("CacheMissCount", req.cache === "miss" ? 1 : 0);
    }
  }

  /**
   * One line of a function's output: recorded when it is an embedded-metric-format document,
   * ignored otherwise. A Lambda text-format prefix (`time\trequestId\tINFO\t`) is allowed.
   * @returns how many values were recorded
   */
  recordEmf(line: string): number {
    const start = line.indexOf("{");
    if (start < 0) return 0;
    // Parsed, not yet checked: every member below is tested before it is used.
    let doc: EmfDocument | null;
    try {
      doc = JSON.parse(line.slice(start));
    } catch {
      return 0;
    }
    const aws = doc?._aws;
    if (!aws || typeof aws !== "object" || !Array.isArray(aws.CloudWatchMetrics)) return 0;
    const at = typeof aws.Timestamp === "number" && Number.isFinite(aws.Timestamp) ? aws.Timestamp : this.clock();
    let recorded = 0;
    for (const directive of aws.CloudWatchMetrics as Array<EmfDirective | null>) {
      if (typeof directive?.Namespace !== "string" || !Array.isArray(directive.Metrics)) continue;
      const sets: unknown[] = Array.isArray(directive.Dimensions) && directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
      for (const set of sets) {
        if (!Array.isArray(set)) continue;
        const dims: Record<string, string> = {};
        const members = doc as EmfDocument;
        // A dimension whose member is missing or not a string invalidates the set, as in CloudWatch.
        if (!set.every((key) => typeof key === "string" && typeof members[key] === "string" && ((dims[key] = members[key]), true))) continue;
        for (const metric of directive.Metrics as Array<{ Name?: unknown } | null>) {
          const values = numbers(members[metric?.Name as string]);
          for (const v of values) this.add(directive.Namespace, metric!.Name as string, dims, v, at);
          recorded += values.length;
        }
      }
    }
    return recorded;
  }

  /** PutMetricData: `Value`, or `Values` with optional `Counts`. */
  putMetricData(namespace: string, data: MetricDatum[]): void {
    for (const d of data) {
      const dims = Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name, x.Value]));
      const at = d.Timestamp === undefined ? this.clock() : new Date(d.Timestamp).getTime();
      if (d.Values) {
        d.Values.forEach((v, i) => {
          for (let n = 0; n < (d.Counts?.[i] ?? 1); n++) this.add(namespace, d.MetricName, dims, v, at);
        });
      } else if (d.Value !== undefined) {
        this.add(namespace, d.MetricName, dims, d.Value, at);
      }
    }
  }

  /** The statistic of a series per period, oldest first; periods without data are left out. */
  query(q: MetricQuery): Datapoint[] {
    const periodMs = q.periodSeconds * 1000;
    if (!(periodMs > 0) || periodMs % this.bucketMs !== 0) {
      throw new Error(`periodSeconds must be a positive multiple of ${this.bucketMs / 1000} (got ${q.periodSeconds})`);
    }
    const s = this.series.get(seriesKey(q.namespace, q.metricName, q.dimensions ?? {}));
    if (!s) return [];
    const since = q.since ?? this.clock() - 3600_000;
    const periods = new Map<number, number[]>();
    for (const [bucket, values] of s.buckets) {
      const period = Math.floor(bucket / periodMs) * periodMs;
      if (period < Math.floor(since / periodMs) * periodMs) continue;
      const into = periods.get(period) ?? [];
      for (const v of values) into.push(v);
      periods.set(period, into);
    }
    return [...periods.entries()].sort(([a], [b]) => a - b).map(([timestamp, values]) => ({ timestamp, value: statistic(q.stat, values) }));
  }

  /**
   * Alarm states now. The newest `evaluationPeriods` periods are evaluated, the current one
   * included: CloudWatch waits for a period to close, the local cloud does not, so an alarm
   * fires while the developer is causing it. ALARM needs every evaluated period to breach.
   */
  evaluateAlarms(definitions: AlarmDefinition[]): AlarmState[] {
    const now = this.clock();
    return definitions.map((def) => {
      const periodMs = def.periodSeconds * 1000;
      const current = Math.floor(now / periodMs) * periodMs;
      const first = current - (def.evaluationPeriods - 1) * periodMs;
      const points = new Map(this.query({ ...def, stat: def.statistic, since: first }).map((p) => [p.timestamp, p.value]));
      const breaches: Array<boolean | undefined> = [];
      for (let p = first; p <= current; p += periodMs) {
        const value = points.get(p);
        if (value !== undefined) breaches.push(value > def.threshold);
        else if (def.treatMissingData === "breaching") breaches.push(true);
        else if (def.treatMissingData === "notBreaching") breaches.push(false);
        else breaches.push(undefined);
      }
      const value = points.get(current) ?? null;
      const known = breaches.filter((b): b is boolean => b !== undefined);
      const state: AlarmState["state"] = known.length === 0 ? "INSUFFICIENT_DATA" : breaches.every((b) => b === true) ? "ALARM" : "OK";
      const shown = [...points.values()].map((v) => round(v)).join(", ") || "no data";
      const reason = `${def.statistic} of ${def.metricName} over the last ${def.evaluationPeriods} periods of ${def.periodSeconds} s: [${shown}] vs threshold ${def.threshold}`;
      return { name: def.name, state, value, threshold: def.threshold, reason };
    });
  }

  /** Every series with its buckets' aggregates, for `GET /_local/metrics`. */
  snapshot(): MetricsSnapshot {
    this.prune();
    return {
      now: this.clock(),
      bucketSeconds: this.bucketMs / 1000,
      series: [...this.series.values()].map((s) => ({
        namespace: s.namespace,
        metricName: s.metricName,
        dimensions: s.dimensions,
        datapoints: [...s.buckets.entries()]
          .sort(([a], [b]) => a - b)
          .map(([timestamp, values]) => ({
            timestamp,
            sampleCount: values.length,
            sum: values.reduce((a, b) => a + b, 0),
            minimum: Math.min(...values),
            maximum: Math.max(...values),
          })),
      })),
    };
  }

  private add(namespace: string, metricName: string, dimensions: Record<string, string>, value: number, at: number, key = seriesKey(namespace, metricName, dimensions)): void {
    if (!Number.isFinite(value)) return;
    let s = this.series.get(key);
    if (!s) {
      s = { namespace, metricName, dimensions: { ...dimensions }, buckets: new Map() };
      this.series.set(key, s);
    }
    const bucket = Math.floor(at / this.bucketMs) * this.bucketMs;
    const values = s.buckets.get(bucket);
    if (!values) {
      s.buckets.set(bucket, [value]);
      if (s.buckets.size % 64 === 0) this.prune();
    } else if (values.length < MAX_VALUES_PER_BUCKET) {
      values.push(value);
    } else {
      // Reservoir sampling would need the count; a random replacement keeps memory bounded and
      // percentiles roughly right under load. Sums then undercount: acceptable for a local cloud.
      values[Math.floor(Math.random() * values.length)] = value;
    }
  }

  private prune(): void {
    const oldest = this.clock() - this.retentionMs;
    for (const s of this.series.values()) {
      for (const bucket of s.buckets.keys()) if (bucket < oldest) s.buckets.delete(bucket);
    }
  }
}

export interface MetricsSnapshot {
  now: number;
  bucketSeconds: number;
  series: Array<{
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    datapoints: Array<{ timestamp: number; sampleCount: number; sum: number; minimum: number; maximum: number }>;
  }>;
}

function seriesKey(namespace: string, metricName: string, dimensions: Record<string, string>): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((k) => [k, dimensions[k]]);
  return JSON.stringify([namespace, metricName, dims]);
}

/** An embedded-metric-format document as parsed (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html). */
interface EmfDocument {
  _aws?: { Timestamp?: unknown; CloudWatchMetrics?: unknown };
  /** Dimension values and metric values, by name. */
  [member: string]: unknown;
}

/** One of `_aws.CloudWatchMetrics`. */
interface EmfDirective {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

function numbers(value: unknown): number[] {
  if (typeof value === "number" && Number.isFinite(value)) return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  return [];
}

/** A statistic over a period's values; p99 as CloudWatch's nearest-rank percentile. */
export function statistic(stat: MetricStat, values: number[]): number {
  switch (stat) {
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "Average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "SampleCount":
      return values.length;
    case "Maximum":
      return Math.max(...values);
    case "p99": {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.99 * sorted.length) - 1))];
    }
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
