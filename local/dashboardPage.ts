/**
 * The local cloud's CloudWatch console: `GET /_local/metrics` (the widgets' series and the
 * alarms' states, as JSON) and `GET /_local/dashboard` (a self-contained page drawing them).
 * The widgets and alarms are the ones ApiMonitoring creates in AWS (`dashboardWidgets`,
 * `alarmDefinitions`), so the page shows what the deployed dashboard would.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AlarmDefinition, DashboardWidget } from "../components/ApiMonitoring";
import type { AlarmState, Datapoint, MetricsSnapshot, MetricsStore } from "./metricsStore";
import { DASHBOARD_SCRIPT } from "./dashboard/dashboardScript";

export interface LocalDashboardOptions {
  widgets: DashboardWidget[];
  alarms: AlarmDefinition[];
  /**
   * The period the page aggregates by. CloudWatch's widgets use 5 minutes; locally a minute
   * shows a test run's traffic sooner.
   * @default 60
   */
  periodSeconds?: number;
  /** How far back the page charts, in minutes. @default 30 */
  windowMinutes?: number;
  /** @default "Local dashboard" */
  title?: string;
}

/** The body of `GET /_local/metrics`. */
export interface LocalMetricsResponse extends MetricsSnapshot {
  periodSeconds: number;
  since: number;
  widgets: Array<{
    title: string;
    metrics: Array<{ label: string; namespace: string; metricName: string; stat: string; dimensions: Record<string, string>; datapoints: Datapoint[] }>;
  }>;
  alarms: AlarmState[];
}

function localMetrics(store: MetricsStore, options: LocalDashboardOptions): LocalMetricsResponse {
  const snapshot = store.snapshot();
  const periodSeconds = options.periodSeconds ?? 60;
  const since = snapshot.now - (options.windowMinutes ?? 30) * 60_000;
  return {
    ...snapshot,
    periodSeconds,
    since,
    widgets: options.widgets.map((w) => ({
      title: w.title,
      metrics: w.metrics.map((m) => ({
        label: m.label,
        namespace: m.namespace,
        metricName: m.metricName,
        stat: m.stat,
        dimensions: m.dimensions,
        datapoints: store.query({ namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat, periodSeconds, since }),
      })),
    })),
    alarms: store.evaluateAlarms(options.alarms),
  };
}

/**
 * Answers `GET /_local/metrics` and `GET /_local/dashboard`; returns false, touching nothing,
 * for any other request so the caller can hand it to the gateway.
 */
export function handleLocalRequest(req: IncomingMessage, res: ServerResponse, store: MetricsStore, options: LocalDashboardOptions): boolean {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== "/_local/metrics" && path !== "/_local/dashboard") return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "application/json" });
    res.end(JSON.stringify({ message: `${req.method} not allowed on ${path}` }));
    return true;
  }
  const [type, body] =
    path === "/_local/metrics" ? ["application/json", JSON.stringify(localMetrics(store, options))] : ["text/html; charset=utf-8", dashboardHtml(options.title)];
  res.writeHead(200, { "content-type": type, "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}

/** The dashboard page: no external resources; inline SVG charts refreshed every 2 s. */
export function dashboardHtml(title = "Local dashboard"): string {
  const safeTitle = title.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${safeTitle}</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 16px; background: #f4f5f7; color: #16191f; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  #status { color: #687078; margin-bottom: 12px; }
  #alarms { background: #fff; border: 1px solid #d5dbdb; padding: 8px 12px; margin-bottom: 12px; }
  #alarms h2, .widget h2 { font-size: 15px; margin: 0 0 6px; }
  .alarm { display: inline-block; margin: 2px 12px 2px 0; }
  .state { font-weight: bold; padding: 1px 6px; border-radius: 3px; color: #fff; }
  .state.OK { background: #1d8102; } .state.ALARM { background: #d13212; } .state.INSUFFICIENT_DATA { background: #687078; }
  #widgets { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px; }
  .widget { background: #fff; border: 1px solid #d5dbdb; padding: 8px 12px; }
  .legend { margin-top: 4px; } .legend span.item { margin-right: 14px; white-space: nowrap; }
  .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
  .latest { font-weight: bold; }
  svg text { font-size: 10px; fill: #687078; }
</style>
</head>
<body>
<h1>${safeTitle}</h1>
<div id="status">loading /_local/metrics ...</div>
<section id="alarms"><h2>Alarms</h2><div id="alarm-list"></div></section>
<section id="widgets"></section>
<script>
${DASHBOARD_SCRIPT}
</script>
</body>
</html>
`;
}
