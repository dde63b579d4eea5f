import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { ApiMonitoring, ApiMonitoringArgs, alarmDefinitions, dashboardWidgets, validateApiMonitoringArgs } from "../../components/ApiMonitoring";
import { ProgramError, ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { descendantsOf, expectTagsOnEveryTaggableChild } from "./tagging";
import type { JsonDocument } from "../jsonDocument";

const T = {
  component: "apigw-kit:index:ApiMonitoring",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
};

function monitor(args: Partial<ApiMonitoringArgs> = {}): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    define: () => {
      const m = new ApiMonitoring("mon", { apiName: "shop", stageName: "dev", ...args });
      return { dashboardName: m.dashboardName, topicArn: m.topicArn, alarmNames: m.alarmNames };
    },
  });
}

function alarm(run: ProgramRun, metricName: string): RecordedResource {
  const found = run.graph.ofType(T.alarm).filter((a) => a.inputs.metricName === metricName);
  expect(found, `alarms on ${metricName}`).to.have.length(1);
  return found[0];
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the call to throw");
}

describe("ApiMonitoring (under the mock control plane)", () => {
  describe("a REST stage with a WebSocket API, custom thresholds and an e-mail", () => {
    let run: ProgramRun;
    let body: JsonDocument;
    before(async () => {
      run = await monitor({
        webSocket: { apiId: "ws123", stageName: "live" },
        thresholds: { serverErrorsPer5Min: 5 },
        alarmEmail: "oncall@example.com",
        businessNamespace: "Shop",
      });
      body = JSON.parse(run.graph.ofType(T.dashboard)[0].inputs.dashboardBody);
    });

    it("creates the dashboard, topic, subscription and three alarms under the component", () => {
      const component = run.graph.ofType(T.component)[0];
      for (const type of [T.dashboard, T.topic, T.subscription]) {
        const found = run.graph.ofType(type);
        expect(found, type).to.have.length(1);
        expect(found[0].parent).to.equal(component.urn);
      }
      expect(run.graph.ofType(T.alarm).map((a) => a.parent)).to.deep.equal([component.urn, component.urn, component.urn]);
    });

    it("names the dashboard after the API and stage, and outputs it", () => {
      expect(run.graph.ofType(T.dashboard)[0].inputs.dashboardName).to.equal("shop-dev");
      expect(run.outputs.dashboardName.value).to.equal("shop-dev");
      expect(run.outputs.alarmNames.value).to.deep.equal(["shop-dev-4xx-errors", "shop-dev-5xx-errors", "shop-dev-latency"]);
      expect(run.outputs.topicArn.value).to.equal(run.graph.ofType(T.topic)[0].state.arn);
    });

    it("charts the AWS/ApiGateway metrics by ApiName and Stage", () => {
      const metrics = body.widgets.filter((w: JsonDocument) => w.type === "metric").flatMap((w: JsonDocument) => w.properties.metrics);
      const line = (name: string, stat: string) => metrics.find((m: JsonDocument[]) => m[1] === name && m[m.length - 1].stat === stat);
      for (const [name, stat] of [["Count", "Sum"], ["4XXError", "Sum"], ["5XXError", "Sum"], ["Latency", "Average"], ["Latency", "p99"], ["IntegrationLatency", "Average"], ["CacheHitCount", "Sum"], ["CacheMissCount", "Sum"]]) {
        const m = line(name, stat);
        expect(m, `${name} ${stat}`).to.not.equal(undefined);
        expect(m.slice(0, 6)).to.deep.equal(["AWS/ApiGateway", name, "ApiName", "shop", "Stage", "dev"]);
      }
      expect(line("ConnectCount", "Sum").slice(0, 6)).to.deep.equal(["AWS/ApiGateway", "ConnectCount", "ApiId", "ws123", "Stage", "live"]);
      expect(line("MessageCount", "Sum").slice(0, 6)).to.deep.equal(["AWS/ApiGateway", "MessageCount", "ApiId", "ws123", "Stage", "live"]);
      expect(line("UsersCreated", "Sum").slice(0, 2)).to.deep.equal(["Shop", "UsersCreated"]);
      expect(line("BroadcastsSent", "Sum").slice(0, 2)).to.deep.equal(["Shop", "BroadcastsSent"]);
    });

    it("gives every metric widget a region, a 5-minute period and a place on the grid, and shows the alarms", () => {
      const metricWidgets = body.widgets.filter((w: JsonDocument) => w.type === "metric");
      expect(metricWidgets.map((w: JsonDocument) => w.properties.title)).to.deep.equal(dashboardWidgets({ apiName: "shop", stageName: "dev", webSocket: { apiId: "ws123", stageName: "live" } }).map((w) => w.title));
      for (const w of metricWidgets) {
        expect(w.properties.region).to.equal("us-east-1");
        expect(w.properties.period).to.equal(300);
        expect(w).to.include.keys("x", "y", "width", "height");
      }
      const alarms = body.widgets.find((w: JsonDocument) => w.type === "alarm");
      expect(alarms.properties.alarms).to.deep.equal(run.graph.ofType(T.alarm).map((a) => a.state.arn));
    });

    it("alarms on 4XX and 5XX sums per 5 minutes and average latency, over 2 periods, notifying the topic", () => {
      const topicArn = run.graph.ofType(T.topic)[0].state.arn;
      const common = { namespace: "AWS/ApiGateway", dimensions: { ApiName: "shop", Stage: "dev" }, period: 300, evaluationPeriods: 2, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching", alarmActions: [topicArn], okActions: [topicArn] };
      expect(alarm(run, "4XXError").inputs).to.deep.include({ ...common, name: "shop-dev-4xx-errors", statistic: "Sum", threshold: 100 });
      expect(alarm(run, "5XXError").inputs).to.deep.include({ ...common, name: "shop-dev-5xx-errors", statistic: "Sum", threshold: 5 });
      expect(alarm(run, "Latency").inputs).to.deep.include({ ...common, name: "shop-dev-latency", statistic: "Average", threshold: 1000 });
    });

    it("subscribes the e-mail to the topic", () => {
      const sub = run.graph.ofType(T.subscription)[0];
      expect(sub.inputs).to.deep.include({ protocol: "email", endpoint: "oncall@example.com", topic: run.graph.ofType(T.topic)[0].state.arn });
    });
  });

  it("without webSocket or alarmEmail: no WebSocket widget, no subscription, default business namespace", async () => {
    const run = await monitor();
    expect(run.graph.ofType(T.subscription)).to.have.length(0);
    const body = JSON.parse(run.graph.ofType(T.dashboard)[0].inputs.dashboardBody);
    const metrics = body.widgets.filter((w: JsonDocument) => w.type === "metric").flatMap((w: JsonDocument) => w.properties.metrics);
    expect(metrics.some((m: JsonDocument[]) => m[1] === "ConnectCount")).to.equal(false);
    expect(metrics.find((m: JsonDocument[]) => m[1] === "UsersCreated")[0]).to.equal("ApigwKit");
  });

  it("alarmDefinitions mirror the created alarms, with the default thresholds", () => {
    const defs = alarmDefinitions({}, { apiName: "shop", stageName: "dev" });
    expect(defs.map((d) => [d.name, d.metricName, d.statistic, d.threshold, d.evaluationPeriods, d.periodSeconds])).to.deep.equal([
      ["shop-dev-4xx-errors", "4XXError", "Sum", 100, 2, 300],
      ["shop-dev-5xx-errors", "5XXError", "Sum", 10, 2, 300],
      ["shop-dev-latency", "Latency", "Average", 1000, 2, 300],
    ]);
  });

  describe("validation, before any resource", () => {
    const refused = (args: Partial<ApiMonitoringArgs>) => messageOf(() => validateApiMonitoringArgs("mon: ", { apiName: "shop", stageName: "dev", ...args }));

    it("names the field and the value", () => {
      expect(refused({ alarmEmail: "oncall" })).to.equal('mon: alarmEmail must be an e-mail address (got "oncall")');
      expect(refused({ thresholds: { serverErrorsPer5Min: -1 } })).to.equal("mon: thresholds.serverErrorsPer5Min must be a number >= 0 (got -1)");
      expect(refused({ thresholds: { clientErrorsPer5Min: NaN } })).to.equal("mon: thresholds.clientErrorsPer5Min must be a number >= 0 (got NaN)");
      expect(refused({ thresholds: { latencyAverageMs: 0 } })).to.equal("mon: thresholds.latencyAverageMs must be a number > 0 (got 0)");
      expect(refused({ apiName: " " })).to.equal("mon: apiName must not be empty");
      expect(refused({ webSocket: { apiId: "", stageName: "live" } })).to.equal("mon: webSocket.apiId must not be empty");
      expect(refused({ businessNamespace: "AWS/Shop" })).to.equal('mon: businessNamespace must not start with "AWS/", reserved for AWS services (got "AWS/Shop")');
      expect(refused({ businessNamespace: "Shop!" })).to.equal('mon: businessNamespace must be 1-255 letters, digits or . - _ / # : and spaces (got "Shop!")');
    });

    it("fails the program with no resource created", async () => {
      let error: unknown;
      try {
        await runProgram({
          stack: "dev",
          define: () => {
            new ApiMonitoring("mon", { apiName: "shop", stageName: "dev", alarmEmail: "nope" });
            return {};
          },
        });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ProgramError);
      expect((error as ProgramError).message).to.contain('mon: alarmEmail must be an e-mail address (got "nope")');
      const created = (error as ProgramError).graph.resources.filter((r) => r.custom);
      expect(created.map((r) => r.type)).to.deep.equal([]);
    });
  });
});

describe("ApiMonitoring tags and transforms", () => {
  const TAGS = { team: "payments", costCenter: "1234" };

  it("puts the tags on every taggable child: the topic and the three alarms", async () => {
    const run = await monitor({ alarmEmail: "oncall@example.com", tags: TAGS });
    const tagged = expectTagsOnEveryTaggableChild(run, T.component, TAGS);
    expect(tagged.map((r) => r.type).sort()).to.deep.equal([T.alarm, T.alarm, T.alarm, T.topic]);
  });

  it("without tags, gives the children none (the provider's default tags alone apply)", async () => {
    const run = await monitor({ alarmEmail: "oncall@example.com" });
    for (const child of descendantsOf(run, T.component)) expect(child.inputs.tags, `${child.type} ${child.name}`).to.equal(undefined);
  });

  it("merges transform objects over the topic's and the dashboard's args, keeping the rest", async () => {
    const run = await monitor({
      tags: TAGS,
      transform: { topic: { displayName: "Shop alarms" }, dashboard: { dashboardName: "shop-overview" } },
    });
    expect(run.graph.ofType(T.topic)[0].inputs).to.deep.equal({ displayName: "Shop alarms", tags: TAGS });
    const [dashboard] = run.graph.ofType(T.dashboard);
    expect(dashboard.inputs.dashboardName).to.equal("shop-overview");
    expect(JSON.parse(dashboard.inputs.dashboardBody).widgets, "the component's body is kept").to.have.length.greaterThan(0);
  });

  it("lets a transform function change the subscription's args and options", async () => {
    // The mocks record a resource's inputs and dependencies, not its other options (protect,
    // ignoreChanges...): the function's change to the options is seen through dependsOn.
    const run = await runProgram({
      stack: "dev",
      define: () => {
        const gate = new aws.sns.Topic("gate", {});
        const m = new ApiMonitoring("mon", {
          apiName: "shop",
          stageName: "dev",
          alarmEmail: "oncall@example.com",
          transform: {
            subscription: (args, opts) => {
              args.protocol = "email-json";
              opts.dependsOn = [gate];
            },
          },
        });
        return { topicArn: m.topicArn };
      },
    });
    const [subscription] = run.graph.ofType(T.subscription);
    expect(subscription.inputs).to.include({ protocol: "email-json", endpoint: "oncall@example.com" });
    const gate = run.graph.resources.find((r) => r.name === "gate")!;
    expect(subscription.dependencies).to.include(gate.urn);
  });

  it("calls the alarm transform once per alarm, with its name, and each alarm gets the change", async () => {
    const seen: string[] = [];
    const run = await monitor({
      tags: TAGS,
      transform: {
        alarm: (args, _opts, name) => {
          seen.push(name);
          args.evaluationPeriods = 3;
          if (name.endsWith("-latency")) args.treatMissingData = "breaching";
        },
      },
    });
    expect(seen).to.deep.equal(["mon-4xx-errors", "mon-5xx-errors", "mon-latency"]);
    // By name: resources are recorded as their inputs resolve, not in creation order.
    const alarms = Object.fromEntries(run.graph.ofType(T.alarm).map((a) => [a.name, a.inputs]));
    expect(Object.keys(alarms).sort()).to.deep.equal(seen);
    expect(seen.map((name) => alarms[name].evaluationPeriods)).to.deep.equal([3, 3, 3]);
    expect(seen.map((name) => alarms[name].treatMissingData)).to.deep.equal(["notBreaching", "notBreaching", "breaching"]);
    for (const name of seen) expect(alarms[name].tags, "the component's tags are kept").to.deep.equal(TAGS);
  });
});
