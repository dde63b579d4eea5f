import { expect } from "chai";
import { emfLine, emitMetric } from "../../functions/businessMetrics";

/** The lines console.log printed while `fn` ran. */
function logged(fn: () => void): string[] {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    fn();
  } finally {
    console.log = original;
  }
  return lines;
}

describe("businessMetrics (embedded metric format)", () => {
  const savedNamespace = process.env.METRICS_NAMESPACE;
  afterEach(() => {
    if (savedNamespace === undefined) delete process.env.METRICS_NAMESPACE;
    else process.env.METRICS_NAMESPACE = savedNamespace;
  });

  it("writes one JSON line per metric: the _aws directive, the dimensions and the value", () => {
    delete process.env.METRICS_NAMESPACE;
    const before = Date.now();
    const lines = logged(() => emitMetric("UsersCreated", 1, "Count", { Stage: "dev", Tier: "basic" }));
    expect(lines).to.have.length(1);
    const doc = JSON.parse(lines[0]);
    expect(doc._aws.Timestamp).to.be.a("number").within(before, Date.now());
    expect(doc).to.deep.equal({
      _aws: {
        Timestamp: doc._aws.Timestamp,
        CloudWatchMetrics: [{ Namespace: "ApigwKit", Dimensions: [["Stage", "Tier"]], Metrics: [{ Name: "UsersCreated", Unit: "Count" }] }],
      },
      Stage: "dev",
      Tier: "basic",
      UsersCreated: 1,
    });
  });

  it("defaults to Count, no dimensions and the METRICS_NAMESPACE of the function", () => {
    process.env.METRICS_NAMESPACE = "Shop";
    const doc = JSON.parse(logged(() => emitMetric("BroadcastsSent", 3))[0]);
    expect(doc._aws.CloudWatchMetrics).to.deep.equal([{ Namespace: "Shop", Dimensions: [[]], Metrics: [{ Name: "BroadcastsSent", Unit: "Count" }] }]);
    expect(doc.BroadcastsSent).to.equal(3);
    expect(Object.keys(doc)).to.deep.equal(["_aws", "BroadcastsSent"]);
  });

  it("keeps the unit and an explicit namespace", () => {
    const doc = emfLine("RenderTime", 12.5, "Milliseconds", {}, "Web", 1_700_000_000_000);
    expect(doc).to.deep.equal({
      _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: "Web", Dimensions: [[]], Metrics: [{ Name: "RenderTime", Unit: "Milliseconds" }] }] },
      RenderTime: 12.5,
    });
  });

  it("refuses values CloudWatch would drop, and dimension names that clash with the metric", () => {
    expect(() => emfLine("X", Number.NaN)).to.throw("metric X: value must be a finite number (got NaN)");
    expect(() => emfLine("X", 1, "Count", { X: "a" })).to.throw('metric X: dimension name "X" is reserved');
  });
});
