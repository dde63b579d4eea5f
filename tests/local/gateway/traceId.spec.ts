import { expect } from "chai";
import { callerTrace, newTraceId, newTraceRoot, parseTraceHeader, requestTrace } from "../../../local/gateway/traceId";

const ROOT = "1-3152b799-8954dae64eda91bc9a23a7e8";
// The caller trace of LocalStack's test_invocation_trace_id (recorded against AWS 07-08-2024).
const FULL = `Root=${ROOT};Parent=7fa8c0f79203be72;Sampled=1`;

describe("gateway trace header", () => {
  describe("newTraceRoot / newTraceId", () => {
    it("is 1-<epoch seconds in 8 hex>-<24 hex>", () => {
      const at = Date.UTC(2024, 10, 11, 11, 35, 24);
      const root = newTraceRoot(at);
      expect(root).to.match(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(parseInt(root.slice(2, 10), 16)).to.equal(at / 1000);
    });

    it("draws a new id each time", () => {
      expect(newTraceRoot()).to.not.equal(newTraceRoot());
    });

    it("newTraceId is the runtime's full header with Sampled=0", () => {
      expect(newTraceId()).to.match(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    });
  });

  describe("parseTraceHeader", () => {
    it("reads Root, Parent, Sampled", () => {
      expect(parseTraceHeader(FULL)).to.deep.equal({ root: ROOT, parent: "7fa8c0f79203be72", sampled: "1" });
    });

    it("reads keys in any case and ignores other fields", () => {
      expect(parseTraceHeader(`root=${ROOT};SAMPLED=?;Lineage=a87bd80c:0;Self=1-67891233-abcdef`)).to.deep.equal({ root: ROOT, sampled: "?" });
    });

    it("has no trace without a valid Root", () => {
      for (const value of [undefined, "", "Root=", "Root=1-xyz-abc", "Parent=7fa8c0f79203be72", `Root=2-${ROOT.slice(2)}`, "garbage"]) {
        expect(parseTraceHeader(value), String(value)).to.equal(undefined);
      }
    });

    it("leaves out an invalid Parent or Sampled", () => {
      expect(parseTraceHeader(`Root=${ROOT};Parent=nothex;Sampled=yes`)).to.deep.equal({ root: ROOT });
    });

    it("keeps the first of repeated fields", () => {
      expect(parseTraceHeader(`Root=${ROOT};Root=1-00000000-000000000000000000000000`)?.root).to.equal(ROOT);
    });

    it("callerTrace takes the first valid one of repeated headers", () => {
      expect(callerTrace(["junk", `Root=${ROOT}`])?.root).to.equal(ROOT);
      expect(callerTrace(undefined)).to.equal(undefined);
    });
  });

  describe("requestTrace", () => {
    it("without a caller trace: Root= alone to the integration, a new Parent and Sampled=0 in the answer", () => {
      const trace = requestTrace(undefined);
      expect(trace.integration).to.equal(`Root=${trace.root}`);
      expect(trace.response).to.match(new RegExp(`^Root=${trace.root};Parent=[0-9a-f]{16};Sampled=0$`));
    });

    it("continues a full caller trace: the answer contains it, its Parent second (recorded 07-08-2024)", () => {
      const trace = requestTrace(FULL);
      expect(trace.root).to.equal(ROOT);
      expect(trace.integration).to.equal(FULL);
      expect(trace.response).to.contain(FULL);
      expect(trace.response.split(";")[1]).to.equal("Parent=7fa8c0f79203be72");
    });

    it("continues a Root-only caller trace with a new Parent (recorded 07-08-2024)", () => {
      const trace = requestTrace(`Root=${ROOT}`);
      expect(trace.integration).to.equal(`Root=${ROOT}`);
      expect(trace.response).to.contain(`Root=${ROOT}`);
      expect(trace.response.split(";")[1]).to.match(/^Parent=[0-9a-f]{16}$/);
      expect(trace.response.endsWith(";Sampled=0")).to.equal(true);
    });

    it("a caller Parent without Sampled answers Sampled=1 (LocalStack populate_trace_id)", () => {
      expect(requestTrace(`Root=${ROOT};Parent=7fa8c0f79203be72`).response).to.equal(`Root=${ROOT};Parent=7fa8c0f79203be72;Sampled=1`);
    });

    it("starts a new trace when the caller's is invalid", () => {
      const trace = requestTrace("Root=not-a-trace", Date.UTC(2025, 0, 1));
      expect(trace.root).to.match(/^1-67748580-[0-9a-f]{24}$/);
    });
  });
});
