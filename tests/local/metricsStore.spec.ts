import { expect } from "chai";
import * as fc from "fast-check";
import { alarmDefinitions } from "../../components/ApiMonitoring";
import { emfLine } from "../../functions/businessMetrics";
import { MetricsStore, type MetricQuery } from "../../local/metricsStore";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0); // on a 5-minute boundary
const STAGE = { ApiName: "shop", Stage: "dev" };

function storeAt(start = T0): { store: MetricsStore; clock: { now: number } } {
  const clock = { now: start };
  return { store: new MetricsStore({ clock: () => clock.now }), clock };
}

const req = (status: number, latencyMs: number, extra: object = {}) => ({ apiName: "shop", stage: "dev", route: "GET /data", status, latencyMs, ...extra });

describe("MetricsStore", () => {
  describe("gateway requests", () => {
    it("sums Count, 4XXError and 5XXError per period", () => {
      const { store, clock } = storeAt();
      for (const status of [200, 200, 404, 500, 503]) store.recordGatewayRequest(req(status, 10));
      clock.now += 60_000; // the next minute, same 5-minute period
      store.recordGatewayRequest(req(429, 10));
      clock.now += 300_000; // the next 5-minute period
      store.recordGatewayRequest(req(200, 10));
      const q = (metricName: string, periodSeconds: number) => store.query({ namespace: "AWS/ApiGateway", metricName, dimensions: STAGE, stat: "Sum", periodSeconds, since: T0 });
      expect(q("Count", 300)).to.deep.equal([{ timestamp: T0, value: 6 }, { timestamp: T0 + 300_000, value: 1 }]);
      expect(q("4XXError", 300)).to.deep.equal([{ timestamp: T0, value: 2 }, { timestamp: T0 + 300_000, value: 0 }]);
      expect(q("5XXError", 300)).to.deep.equal([{ timestamp: T0, value: 2 }, { timestamp: T0 + 300_000, value: 0 }]);
      expect(q("Count", 60)).to.deep.equal([{ timestamp: T0, value: 5 }, { timestamp: T0 + 60_000, value: 1 }, { timestamp: T0 + 360_000, value: 1 }]);
    });

    it("averages latency, takes the nearest-rank p99, the maximum and the sample count", () => {
      const { store } = storeAt();
      for (let i = 1; i <= 200; i++) store.recordGatewayRequest(req(200, i, { integrationLatencyMs: i / 2 }));
      const q = (metricName: string, stat: MetricQuery["stat"]) => store.query({ namespace: "AWS/ApiGateway", metricName, dimensions: STAGE, stat, periodSeconds: 300 })[0].value;
      expect(q("Latency", "Average")).to.equal(100.5);
      expect(q("Latency", "p99")).to.equal(198);
      expect(q("Latency", "Maximum")).to.equal(200);
      expect(q("Latency", "SampleCount")).to.equal(200);
      expect(q("IntegrationLatency", "Average")).to.equal(50.25);
    });

    it("counts cache hits and misses only for cached methods", () => {
      const { store } = storeAt();
      store.recordGatewayRequest(req(200, 1, { cache: "hit" }));
      store.recordGatewayRequest(req(200, 1, { cache: "hit" }));
      store.recordGatewayRequest(req(200, 1, { cache: "miss" }));
      store.recordGatewayRequest(req(200, 1));
      const sum = (metricName: string) => store.query({ namespace: "AWS/ApiGateway", metricName, dimensions: STAGE, stat: "Sum", periodSeconds: 60 })[0].value;
      expect([sum("CacheHitCount"), sum("CacheMissCount"), sum("Count")]).to.deep.equal([2, 1, 4]);
      expect(store.query({ namespace: "AWS/ApiGateway", metricName: "CacheHitCount", dimensions: STAGE, stat: "SampleCount", periodSeconds: 60 })[0].value).to.equal(3);
    });

    it("matches the whole dimension set, as CloudWatch does", () => {
      const { store } = storeAt();
      store.recordGatewayRequest(req(200, 1));
      expect(store.query({ namespace: "AWS/ApiGateway", metricName: "Count", dimensions: { ApiName: "shop" }, stat: "Sum", periodSeconds: 60 })).to.deep.equal([]);
      expect(store.query({ namespace: "AWS/ApiGateway", metricName: "Count", dimensions: { Stage: "dev", ApiName: "shop" }, stat: "Sum", periodSeconds: 60 })).to.have.length(1);
    });

    it("refuses periods that are not a multiple of the bucket", () => {
      const { store } = storeAt();
      expect(() => store.query({ namespace: "N", metricName: "M", stat: "Sum", periodSeconds: 90 })).to.throw("periodSeconds must be a positive multiple of 60 (got 90)");
    });

    it("Sum over any period equals the number of requests (property)", () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3599_000 }), fc.constantFrom(200, 404, 500)), { maxLength: 60 }), fc.constantFrom(60, 300, 3600), (requests, period) => {
          const { store, clock } = storeAt();
          for (const [offset, status] of requests) {
            clock.now = T0 + offset;
            store.recordGatewayRequest(req(status, 1));
          }
          const total = store.query({ namespace: "AWS/ApiGateway", metricName: "Count", dimensions: STAGE, stat: "Sum", periodSeconds: period, since: T0 }).reduce((a, p) => a + p.value, 0);
          const errors = store.query({ namespace: "AWS/ApiGateway", metricName: "5XXError", dimensions: STAGE, stat: "Sum", periodSeconds: period, since: T0 }).reduce((a, p) => a + p.value, 0);
          expect(total).to.equal(requests.length);
          expect(errors).to.equal(requests.filter(([, s]) => s === 500).length);
        }),
      );
    });
  });

  describe("embedded metric format lines", () => {
    it("records the lines businessMetrics writes, with their dimensions and timestamp", () => {
      const { store } = storeAt();
      expect(store.recordEmf(JSON.stringify(emfLine("UsersCreated", 1, "Count", {}, "ApigwKit", T0)))).to.equal(1);
      expect(store.recordEmf(JSON.stringify(emfLine("UsersCreated", 2, "Count", {}, "ApigwKit", T0 + 1000)))).to.equal(1);
      expect(store.recordEmf(JSON.stringify(emfLine("UsersCreated", 5, "Count", { Tier: "gold" }, "ApigwKit", T0)))).to.equal(1);
      expect(store.query({ namespace: "ApigwKit", metricName: "UsersCreated", stat: "Sum", periodSeconds: 60 })).to.deep.equal([{ timestamp: T0, value: 3 }]);
      expect(store.query({ namespace: "ApigwKit", metricName: "UsersCreated", dimensions: { Tier: "gold" }, stat: "Sum", periodSeconds: 60 })).to.deep.equal([{ timestamp: T0, value: 5 }]);
    });

    it("accepts Lambda's text-format prefix, value arrays and several metrics per line", () => {
      const { store } = storeAt();
      const doc = { _aws: { Timestamp: T0, CloudWatchMetrics: [{ Namespace: "Web", Dimensions: [["Page"]], Metrics: [{ Name: "Views" }, { Name: "Time", Unit: "Milliseconds" }] }] }, Page: "home", Views: 1, Time: [10, 30] };
      expect(store.recordEmf(`2025-01-01T12:00:00.000Z\tc0ffee\tINFO\t${JSON.stringify(doc)}`)).to.equal(3);
      expect(store.query({ namespace: "Web", metricName: "Time", dimensions: { Page: "home" }, stat: "Average", periodSeconds: 60 })).to.deep.equal([{ timestamp: T0, value: 20 }]);
    });

    it("ignores other lines: text, JSON without _aws, broken JSON, missing dimension members", () => {
      const { store } = storeAt();
      for (const line of ["START RequestId: abc", '{"message":"hello"}', '{"_aws": {', '{"_aws":{"CloudWatchMetrics":"no"}}', "", '{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["Missing"]],"Metrics":[{"Name":"M"}]}]},"M":1}']) {
        expect(store.recordEmf(line), line).to.equal(0);
      }
      expect(store.snapshot().series).to.deep.equal([]);
    });
  });

  it("takes PutMetricData input: Value, Values with Counts, Dimensions and Timestamp", () => {
    const { store } = storeAt();
    store.putMetricData("Shop", [
      { MetricName: "Orders", Value: 2, Dimensions: [{ Name: "Region", Value: "eu" }] },
      { MetricName: "Orders", Values: [1, 3], Counts: [2, 1], Dimensions: [{ Name: "Region", Value: "eu" }], Timestamp: new Date(T0 + 120_000) },
    ]);
    const q = (stat: MetricQuery["stat"]) => store.query({ namespace: "Shop", metricName: "Orders", dimensions: { Region: "eu" }, stat, periodSeconds: 60 });
    expect(q("Sum")).to.deep.equal([{ timestamp: T0, value: 2 }, { timestamp: T0 + 120_000, value: 5 }]);
    expect(q("SampleCount")).to.deep.equal([{ timestamp: T0, value: 1 }, { timestamp: T0 + 120_000, value: 3 }]);
  });

  describe("alarms (2 evaluation periods of 5 minutes)", () => {
    const defs = alarmDefinitions({ serverErrorsPer5Min: 10 }, { apiName: "shop", stageName: "dev" });
    const state = (store: MetricsStore, name: string) => store.evaluateAlarms(defs).find((a) => a.name === name)!;
    const errors = (store: MetricsStore, n: number) => {
      for (let i = 0; i < n; i++) store.recordGatewayRequest(req(500, 5));
    };

    it("stays OK on no data (notBreaching) and on one breaching period", () => {
      const { store, clock } = storeAt();
      expect(store.evaluateAlarms(defs).map((a) => a.state)).to.deep.equal(["OK", "OK", "OK"]);
      clock.now += 300_000;
      errors(store, 11);
      expect(state(store, "shop-dev-5xx-errors")).to.include({ state: "OK", value: 11, threshold: 10 });
    });

    it("goes to ALARM when both periods breach, and back to OK when one does not", () => {
      const { store, clock } = storeAt();
      errors(store, 11);
      clock.now += 300_000;
      errors(store, 12);
      expect(state(store, "shop-dev-5xx-errors")).to.include({ state: "ALARM", value: 12, threshold: 10 });
      expect(state(store, "shop-dev-4xx-errors").state).to.equal("OK");
      clock.now += 300_000;
      errors(store, 10); // not greater than the threshold
      expect(state(store, "shop-dev-5xx-errors")).to.include({ state: "OK", value: 10 });
    });

    it("evaluates Latency on the average", () => {
      const { store, clock } = storeAt();
      store.recordGatewayRequest(req(200, 1500));
      store.recordGatewayRequest(req(200, 700)); // average 1100
      clock.now += 300_000;
      store.recordGatewayRequest(req(200, 1200));
      expect(state(store, "shop-dev-latency")).to.include({ state: "ALARM", value: 1200, threshold: 1000 });
    });

    it("reports INSUFFICIENT_DATA when missing data is treated as missing", () => {
      const { store } = storeAt();
      const missing = defs.map((d) => ({ ...d, treatMissingData: "missing" as const }));
      expect(store.evaluateAlarms(missing).map((a) => a.state)).to.deep.equal(["INSUFFICIENT_DATA", "INSUFFICIENT_DATA", "INSUFFICIENT_DATA"]);
    });
  });

  it("snapshots every series with per-bucket aggregates, and forgets buckets past retention", () => {
    const clock = { now: T0 };
    const store = new MetricsStore({ clock: () => clock.now, retentionSeconds: 600 });
    store.recordGatewayRequest(req(200, 10));
    store.recordGatewayRequest(req(500, 30));
    const latency = store.snapshot().series.find((s) => s.metricName === "Latency")!;
    expect(latency).to.deep.equal({ namespace: "AWS/ApiGateway", metricName: "Latency", dimensions: STAGE, datapoints: [{ timestamp: T0, sampleCount: 2, sum: 40, minimum: 10, maximum: 30 }] });
    clock.now += 700_000;
    expect(store.snapshot().series.every((s) => s.datapoints.length === 0)).to.equal(true);
  });
});
