import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkedArgs } from "./argumentErrors";
import { ComponentTags, Transform, transformed } from "./transform";

/** Alarm thresholds of the API stage. */
export interface MonitoringThresholds {
  /** 4XX responses (Sum) per 5 minutes above which the alarm fires; a number >= 0. @default 100 */
  clientErrorsPer5Min?: number;
  /** 5XX responses (Sum) per 5 minutes above which the alarm fires; a number >= 0. @default 10 */
  serverErrorsPer5Min?: number;
  /** Average Latency, in ms, above which the alarm fires; a number > 0. @default 1000 */
  latencyAverageMs?: number;
}

export interface ApiMonitoringArgs {
  /** The REST API's name: the `ApiName` dimension of the AWS/ApiGateway metrics. */
  apiName: pulumi.Input<string>;
  /** The stage's name: the `Stage` dimension. */
  stageName: pulumi.Input<string>;
  /**
   * A WebSocket API to chart (ConnectCount, MessageCount); its metrics use the `ApiId` and
   * `Stage` dimensions.
   * @default none (no WebSocket widget)
   */
  webSocket?: { apiId: pulumi.Input<string>; stageName: pulumi.Input<string> };
  /** @default { clientErrorsPer5Min: 100, serverErrorsPer5Min: 10, latencyAverageMs: 1000 } */
  thresholds?: MonitoringThresholds;
  /**
   * An e-mail address subscribed to the alarm topic. AWS sends it a confirmation mail; the
   * subscription stays pending until the link in it is followed.
   * @default none (the topic has no subscriber)
   * @example "oncall@example.com"
   */
  alarmEmail?: string;
  /**
   * The CloudWatch namespace of the handlers' business metrics (their `METRICS_NAMESPACE`).
   * @default "ApigwKit"
   */
  businessNamespace?: string;
  /**
   * Tags for every taggable child (the topic and the alarms), merged over the AWS provider's
   * `defaultTags`.
   * @default none (the provider's default tags only)
   * @example { team: "payments", costCenter: "1234" }
   */
  tags?: ComponentTags;
  /**
   * Changes to the children's args and options, per kind of child, applied just before it is
   * created (after everything the component set, `tags` included).
   * @default none
   * @example
   * transform: {
   *   // Merged over the topic's args.
   *   topic: { kmsMasterKeyId: "alias/aws/sns" },
   *   // Called for each of the three alarms.
   *   alarm: (args, opts, name) => {
   *     args.evaluationPeriods = 3;
   *     if (name.endsWith("-latency")) args.alarmActions = [];
   *   },
   * }
   */
  transform?: ApiMonitoringTransform;
}

/** Per-child transforms of {@link ApiMonitoring}: see {@link Transform}. */
export interface ApiMonitoringTransform {
  /** The SNS topic the alarms notify. */
  topic?: Transform<aws.sns.TopicArgs>;
  /** The topic's e-mail subscription (only with `alarmEmail`). */
  subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
  /** Each of the 4XX, 5XX and Latency alarms (called once per alarm; the name tells them apart). */
  alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  /** The CloudWatch dashboard. */
  dashboard?: Transform<aws.cloudwatch.DashboardArgs>;
}

/** The statistics the dashboard and the alarms use. */
export type MetricStat = "Sum" | "Average" | "p99" | "SampleCount" | "Maximum";

/** One line of a widget: a metric, its dimensions and the statistic drawn. */
export interface WidgetMetric {
  namespace: string;
  metricName: string;
  /** Exactly the metric's dimensions: CloudWatch matches the whole set. */
  dimensions: Record<string, string>;
  stat: MetricStat;
  label: string;
}

/** One time-series widget, as data: drawn by CloudWatch and by the local dashboard page. */
export interface DashboardWidget {
  title: string;
  metrics: WidgetMetric[];
  /** CloudWatch's aggregation period of the widget. */
  periodSeconds: number;
}

/** One alarm, as data: created in CloudWatch and evaluated by the local cloud. */
export interface AlarmDefinition {
  name: string;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: "Sum" | "Average" | "SampleCount" | "Maximum";
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparisonOperator: "GreaterThanThreshold";
  treatMissingData: "notBreaching" | "breaching" | "missing" | "ignore";
}

/** Plain values of what the widgets and alarms chart. */
export interface MonitoringTarget {
  apiName: string;
  stageName: string;
  webSocket?: { apiId: string; stageName: string };
  /** @default "ApigwKit" */
  businessNamespace?: string;
}

export const DEFAULT_THRESHOLDS: Required<MonitoringThresholds> = { clientErrorsPer5Min: 100, serverErrorsPer5Min: 10, latencyAverageMs: 1000 };
export const DEFAULT_BUSINESS_NAMESPACE = "ApigwKit";
/** The business metrics the handlers emit (functions/businessMetrics.ts), without dimensions. */
export const BUSINESS_METRICS = ["UsersCreated", "BroadcastsSent"] as const;

const GATEWAY = "AWS/ApiGateway";
const PERIOD = 300;

export class ApiMonitoring extends pulumi.ComponentResource {
  /** The CloudWatch dashboard's name. */
  public readonly dashboardName: pulumi.Output<string>;
  /** The SNS topic the alarms notify (on ALARM and back to OK). */
  public readonly topicArn: pulumi.Output<string>;
  /** The names of the 4XX, 5XX and Latency alarms. */
  public readonly alarmNames: pulumi.Output<string[]>;
  public readonly dashboard: aws.cloudwatch.Dashboard;
  public readonly topic: aws.sns.Topic;
  public readonly alarms: aws.cloudwatch.MetricAlarm[];
  public readonly subscription?: aws.sns.TopicSubscription;

  constructor(name: string, args: ApiMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:ApiMonitoring", name, {}, opts);
    checkedArgs(this, () => validateApiMonitoringArgs(`${name}: `, args));
    const thresholds = { ...DEFAULT_THRESHOLDS, ...args.thresholds };
    const target = resolveTarget(args);

    const children = { tags: args.tags, transform: args.transform ?? {} };

    this.topic = new aws.sns.Topic(...transformed(children.transform.topic, `${name}-alarms`, { tags: children.tags }, { parent: this }));
    if (args.alarmEmail) this.subscription = subscribeEmail(this, name, this.topic, args.alarmEmail, children);
    this.alarms = createAlarms(this, name, target, thresholds, this.topic, children);
    this.dashboard = createDashboard(this, name, target, this.alarms, children);

    this.dashboardName = this.dashboard.dashboardName;
    this.topicArn = this.topic.arn;
    this.alarmNames = pulumi.all(this.alarms.map((a) => a.name));
    this.registerOutputs({ dashboardName: this.dashboardName, topicArn: this.topicArn, alarmNames: this.alarmNames });
  }
}

/** Throws, naming the field, on arguments AWS would refuse or that make no sense. */
export function validateApiMonitoringArgs(field: string, args: ApiMonitoringArgs): void {
  const nonEmpty = (key: string, value: unknown) => {
    if (typeof value === "string" && value.trim() === "") throw new Error(`${field}${key} must not be empty`);
  };
  nonEmpty("apiName", args.apiName);
  nonEmpty("stageName", args.stageName);
  if (args.webSocket) {
    nonEmpty("webSocket.apiId", args.webSocket.apiId);
    nonEmpty("webSocket.stageName", args.webSocket.stageName);
  }
  const t = args.thresholds ?? {};
  for (const key of ["clientErrorsPer5Min", "serverErrorsPer5Min"] as const) {
    const v = t[key];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) {
      throw new Error(`${field}thresholds.${key} must be a number >= 0 (got ${v})`);
    }
  }
  const latency = t.latencyAverageMs;
  if (latency !== undefined && !(typeof latency === "number" && Number.isFinite(latency) && latency > 0)) {
    throw new Error(`${field}thresholds.latencyAverageMs must be a number > 0 (got ${latency})`);
  }
  if (args.alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(args.alarmEmail)) {
    throw new Error(`${field}alarmEmail must be an e-mail address (got "${args.alarmEmail}")`);
  }
  const ns = args.businessNamespace;
  if (ns !== undefined) {
    // CloudWatch's PutMetricData rules for a namespace.
    if (!/^[A-Za-z0-9.\-_/#: ]{1,255}$/.test(ns)) {
      throw new Error(`${field}businessNamespace must be 1-255 letters, digits or . - _ / # : and spaces (got "${ns}")`);
    }
    if (ns.startsWith("AWS/")) throw new Error(`${field}businessNamespace must not start with "AWS/", reserved for AWS services (got "${ns}")`);
  }
}

/** The dashboard's time-series widgets, as data shared with the local dashboard page. */
export function dashboardWidgets(target: MonitoringTarget): DashboardWidget[] {
  const stage = { ApiName: target.apiName, Stage: target.stageName };
  const gw = (metricName: string, stat: MetricStat, label: string): WidgetMetric => ({ namespace: GATEWAY, metricName, dimensions: stage, stat, label });
  const widgets: DashboardWidget[] = [
    { title: "Requests", periodSeconds: PERIOD, metrics: [gw("Count", "Sum", "Count")] },
    { title: "4XX errors", periodSeconds: PERIOD, metrics: [gw("4XXError", "Sum", "4XXError")] },
    { title: "5XX errors", periodSeconds: PERIOD, metrics: [gw("5XXError", "Sum", "5XXError")] },
    { title: "Latency (ms)", periodSeconds: PERIOD, metrics: [gw("Latency", "Average", "Latency average"), gw("Latency", "p99", "Latency p99")] },
    {
      title: "Integration latency (ms)",
      periodSeconds: PERIOD,
      metrics: [gw("IntegrationLatency", "Average", "IntegrationLatency average"), gw("IntegrationLatency", "p99", "IntegrationLatency p99")],
    },
    { title: "Cache hits and misses", periodSeconds: PERIOD, metrics: [gw("CacheHitCount", "Sum", "CacheHitCount"), gw("CacheMissCount", "Sum", "CacheMissCount")] },
  ];
  if (target.webSocket) {
    // WebSocket (and HTTP) APIs are measured by ApiId, not ApiName.
    const ws = { ApiId: target.webSocket.apiId, Stage: target.webSocket.stageName };
    widgets.push({
      title: "WebSocket connections and messages",
      periodSeconds: PERIOD,
      metrics: [
        { namespace: GATEWAY, metricName: "ConnectCount", dimensions: ws, stat: "Sum", label: "ConnectCount" },
        { namespace: GATEWAY, metricName: "MessageCount", dimensions: ws, stat: "Sum", label: "MessageCount" },
      ],
    });
  }
  const ns = target.businessNamespace ?? DEFAULT_BUSINESS_NAMESPACE;
  widgets.push({
    title: "Business metrics",
    periodSeconds: PERIOD,
    metrics: BUSINESS_METRICS.map((metricName) => ({ namespace: ns, metricName, dimensions: {}, stat: "Sum" as const, label: metricName })),
  });
  return widgets;
}

/** The 4XX, 5XX and Latency alarms of a stage, as data shared with the local cloud. */
export function alarmDefinitions(thresholds: MonitoringThresholds = {}, target: Pick<MonitoringTarget, "apiName" | "stageName">): AlarmDefinition[] {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const dimensions = { ApiName: target.apiName, Stage: target.stageName };
  const prefix = `${target.apiName}-${target.stageName}`;
  // Two periods in a row: one bad 5-minute window (a deploy, a cold start burst) does not page.
  const common = { namespace: GATEWAY, dimensions, periodSeconds: PERIOD, evaluationPeriods: 2, comparisonOperator: "GreaterThanThreshold" as const, treatMissingData: "notBreaching" as const };
  return [
    { ...common, name: `${prefix}-4xx-errors`, description: `More than ${t.clientErrorsPer5Min} 4XX responses per 5 minutes`, metricName: "4XXError", statistic: "Sum", threshold: t.clientErrorsPer5Min },
    { ...common, name: `${prefix}-5xx-errors`, description: `More than ${t.serverErrorsPer5Min} 5XX responses per 5 minutes`, metricName: "5XXError", statistic: "Sum", threshold: t.serverErrorsPer5Min },
    { ...common, name: `${prefix}-latency`, description: `Average latency above ${t.latencyAverageMs} ms`, metricName: "Latency", statistic: "Average", threshold: t.latencyAverageMs },
  ];
}

/** The CloudWatch dashboard body (JSON) of the widgets, with an alarm status widget. */
export function dashboardBody(widgets: DashboardWidget[], region: string, alarmArns: string[] = []): string {
  const width = 12;
  const height = 6;
  const cells: unknown[] = widgets.map((w, i) => ({
    type: "metric",
    x: (i % 2) * width,
    y: Math.floor(i / 2) * height,
    width,
    height,
    properties: {
      title: w.title,
      region,
      view: "timeSeries",
      stacked: false,
      period: w.periodSeconds,
      metrics: w.metrics.map((m) => [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), { stat: m.stat, label: m.label }]),
    },
  }));
  if (alarmArns.length > 0) {
    cells.push({ type: "alarm", x: 0, y: Math.ceil(widgets.length / 2) * height, width: 24, height: 3, properties: { title: "Alarms", alarms: alarmArns } });
  }
  return JSON.stringify({ widgets: cells });
}

function resolveTarget(args: ApiMonitoringArgs): pulumi.Output<MonitoringTarget> {
  return pulumi
    .all([args.apiName, args.stageName, args.webSocket?.apiId, args.webSocket?.stageName])
    .apply(([apiName, stageName, wsApiId, wsStage]) => ({
      apiName,
      stageName,
      webSocket: wsApiId !== undefined && wsStage !== undefined ? { apiId: wsApiId, stageName: wsStage } : undefined,
      businessNamespace: args.businessNamespace ?? DEFAULT_BUSINESS_NAMESPACE,
    }));
}

/** What every child creation takes from the component's args: its tags and the user's transforms. */
interface ChildSettings {
  tags: ComponentTags | undefined;
  transform: ApiMonitoringTransform;
}

function subscribeEmail(parent: pulumi.Resource, name: string, topic: aws.sns.Topic, email: string, children: ChildSettings): aws.sns.TopicSubscription {
  return new aws.sns.TopicSubscription(
    ...transformed(children.transform.subscription, `${name}-alarm-email`, { topic: topic.arn, protocol: "email", endpoint: email }, { parent }),
  );
}

const ALARM_SUFFIXES = ["4xx-errors", "5xx-errors", "latency"];

function createAlarms(
  parent: pulumi.Resource,
  name: string,
  target: pulumi.Output<MonitoringTarget>,
  thresholds: Required<MonitoringThresholds>,
  topic: aws.sns.Topic,
  children: ChildSettings,
): aws.cloudwatch.MetricAlarm[] {
  return ALARM_SUFFIXES.map((suffix, i) => {
    const def = target.apply((t) => alarmDefinitions(thresholds, t)[i]);
    const alarmArgs: aws.cloudwatch.MetricAlarmArgs = {
      name: def.name,
      alarmDescription: def.description,
      namespace: def.namespace,
      metricName: def.metricName,
      dimensions: def.dimensions,
      statistic: def.statistic,
      period: def.periodSeconds,
      evaluationPeriods: def.evaluationPeriods,
      threshold: def.threshold,
      comparisonOperator: def.comparisonOperator,
      treatMissingData: def.treatMissingData,
      alarmActions: [topic.arn],
      okActions: [topic.arn],
      tags: children.tags,
    };
    return new aws.cloudwatch.MetricAlarm(...transformed(children.transform.alarm, `${name}-${suffix}`, alarmArgs, { parent }));
  });
}

/** The dashboard; CloudWatch dashboards take no tags. */
function createDashboard(
  parent: pulumi.Resource,
  name: string,
  target: pulumi.Output<MonitoringTarget>,
  alarms: aws.cloudwatch.MetricAlarm[],
  children: ChildSettings,
): aws.cloudwatch.Dashboard {
  const region = aws.config.region ?? "us-east-1";
  const dashboardArgs: aws.cloudwatch.DashboardArgs = {
    // Dashboard names allow letters, digits, - and _ only.
    dashboardName: target.apply((t) => `${t.apiName}-${t.stageName}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 255)),
    dashboardBody: pulumi.all([target, pulumi.all(alarms.map((a) => a.arn))]).apply(([t, arns]) => dashboardBody(dashboardWidgets(t), region, arns)),
  };
  return new aws.cloudwatch.Dashboard(...transformed(children.transform.dashboard, `${name}-dashboard`, dashboardArgs, { parent }));
}
