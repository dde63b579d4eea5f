/**
 * The handlers' business metrics (UsersCreated, BroadcastsSent, ...) in CloudWatch's embedded
 * metric format (EMF): one JSON log line per metric set, which CloudWatch Logs turns into
 * metrics when it ingests the function's log stream.
 *
 * Why a log line and not PutMetricData: no per-request API call, so no added latency on the
 * request path, no throttled or failed call to handle, no `cloudwatch:PutMetricData`
 * permission on the function's role, and CloudWatch Logs already batches the lines.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** CloudWatch's metric units (the ones the handlers use; the rest are accepted as strings). */
export type MetricUnit = "Count" | "Milliseconds" | "Seconds" | "Bytes" | "Percent" | "None" | (string & {});

/** The EMF envelope of one metric set, as written on one log line. */
export interface EmfLine {
  _aws: {
    /** Milliseconds since the epoch. */
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      /** One dimension set: the names of the dimension members of the line. */
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [member: string]: unknown;
}

// With Lambda's JSON log format, console.log wraps the line in a JSON record of its own and
// CloudWatch no longer sees the EMF document: write the raw line to stdout instead, as
// aws-embedded-metrics does (awslabs/aws-embedded-metrics-node#158).
// (A module-level Console would be captured by Pulumi's closure serialization, which cannot
// serialize its native methods: write to process.stdout directly instead.)

/** The EMF document of one metric value; exported for tests and for callers that log elsewhere. */
export function emfLine(
  name: string,
  value: number,
  unit: MetricUnit = "Count",
  dimensions: Record<string, string> = {},
  namespace: string = process.env.METRICS_NAMESPACE ?? "ApigwKit",
  timestamp: number = Date.now(),
): EmfLine {
  if (!name) throw new Error("metric name must not be empty");
  if (!Number.isFinite(value)) throw new Error(`metric ${name}: value must be a finite number (got ${value})`);
  for (const key of Object.keys(dimensions)) {
    // A dimension member sharing the metric's name would overwrite its value on the line.
    if (key === name || key === "_aws") throw new Error(`metric ${name}: dimension name "${key}" is reserved`);
  }
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }],
    },
    ...dimensions,
    [name]: value,
  };
}

/**
 * Emits one business metric as an EMF log line.
 * @example emitMetric("UsersCreated", 1, "Count", { Stage: "dev" })
 */
export function emitMetric(
  name: string,
  value: number,
  unit: MetricUnit = "Count",
  dimensions: Record<string, string> = {},
  namespace: string = process.env.METRICS_NAMESPACE ?? "ApigwKit",
): void {
  const line = JSON.stringify(emfLine(name, value, unit, dimensions, namespace));
  if (process.env.AWS_LAMBDA_LOG_FORMAT === "JSON") process.stdout.write(`${line}\n`);
  else console.log(line);
}
