import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { functionLogFileName, functionLogLine, openLocalLogs, type LogTerminal } from "../../../local/logs/localLogs";

const ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
const ISO_TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

describe("local log files", () => {
  let root: string;
  let shown: { out: string[]; err: string[] };
  let terminal: LogTerminal;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-logs-"));
    shown = { out: [], err: [] };
    terminal = { out: (line) => shown.out.push(line), err: (line) => shown.err.push(line) };
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");

  it("creates the folder and appends access lines to access.log, shown on the terminal's out", async () => {
    const dir = path.join(root, "state", "dev", "logs");
    const logs = openLocalLogs({ dir, terminal });
    expect(fs.existsSync(dir)).to.equal(true);
    logs.access('{"requestId":"a"}');
    logs.access('{"requestId":"b"}');
    await logs.close();
    expect(read(dir, "access.log")).to.equal('{"requestId":"a"}\n{"requestId":"b"}\n');
    expect(shown.out).to.deep.equal(['{"requestId":"a"}', '{"requestId":"b"}']);
    expect(shown.err).to.deep.equal([]);
  });

  it("appends to what an earlier run wrote", async () => {
    fs.writeFileSync(path.join(root, "access.log"), "earlier\n");
    const logs = openLocalLogs({ dir: root });
    logs.access("later");
    await logs.close();
    expect(read(root, "access.log")).to.equal("earlier\nlater\n");
  });

  it("writes function output as CloudWatch holds it and Lambda's own lines to the function's file only", async () => {
    const logs = openLocalLogs({ dir: root, terminal });
    logs.function("data-handler", "loading");
    logs.lifecycle("data-handler", `START RequestId: ${ID} Version: $LATEST`);
    logs.function("data-handler", "reading item 42", { stream: "stdout", requestId: ID });
    logs.function("data-handler", "item 42 is missing", { stream: "stderr", requestId: ID });
    logs.lifecycle("data-handler", `END RequestId: ${ID}`);
    await logs.close();
    const lines = read(root, "data-handler.log").split("\n");
    expect(lines).to.have.length(6);
    expect(lines[0]).to.match(new RegExp(`^${ISO_TIME}\\tloading$`));
    expect(lines[1]).to.equal(`START RequestId: ${ID} Version: $LATEST`);
    expect(lines[2]).to.match(new RegExp(`^${ISO_TIME}\\t${ID}\\tINFO\\treading item 42$`));
    expect(lines[3]).to.match(new RegExp(`^${ISO_TIME}\\t${ID}\\tERROR\\titem 42 is missing$`));
    expect(lines[4]).to.equal(`END RequestId: ${ID}`);
    expect(lines[5]).to.equal("");
    expect(shown.err).to.deep.equal(["[data-handler] loading", "[data-handler] reading item 42", "[data-handler] item 42 is missing"]);
    expect(shown.out).to.deep.equal([]);
  });

  it("keeps access lines off the terminal when quiet, function output on it", async () => {
    const logs = openLocalLogs({ dir: root, quiet: true, terminal });
    logs.access("GET /data 200");
    logs.function("fn", "hello");
    await logs.close();
    expect(read(root, "access.log")).to.equal("GET /data 200\n");
    expect(shown).to.deep.equal({ out: [], err: ["[fn] hello"] });
  });

  it("opens a file only when its first line comes, and drops lines after close", async () => {
    const logs = openLocalLogs({ dir: root });
    expect(fs.readdirSync(root)).to.deep.equal([]);
    logs.lifecycle("fn", "START");
    await logs.close();
    logs.access("too late");
    logs.lifecycle("fn", "too late");
    expect(fs.readdirSync(root)).to.deep.equal(["fn.log"]);
    expect(read(root, "fn.log")).to.equal("START\n");
  });

  it("says once, on the terminal's err, that a file cannot be written, and goes on with the others", async () => {
    fs.mkdirSync(path.join(root, "fn.log"));
    const logs = openLocalLogs({ dir: root, terminal });
    logs.lifecycle("fn", "START");
    await new Promise((resolve) => setTimeout(resolve, 50));
    logs.lifecycle("fn", "END");
    logs.access("fine");
    await logs.close();
    expect(shown.err.filter((line) => line.startsWith("[logs] cannot write"))).to.have.length(1);
    expect(read(root, "access.log")).to.equal("fine\n");
  });

  it("names a function's file safely: no separators, no leading dots, never the access log", () => {
    expect(functionLogFileName("orders-api-3f2a1b7")).to.equal("orders-api-3f2a1b7.log");
    expect(functionLogFileName("../../etc/passwd")).to.equal("___.._etc_passwd.log");
    expect(functionLogFileName("..")).to.equal("__.log");
    expect(functionLogFileName("a\\b c")).to.equal("a_b_c.log");
    expect(functionLogFileName("access")).to.equal("_access.log");
    expect(functionLogFileName("")).to.equal("_.log");
    expect(path.basename(functionLogFileName("x/y"))).to.equal(functionLogFileName("x/y"));
  });

  it("formats a function line with time, request id and level", () => {
    const at = new Date("2026-12-06T18:33:01.123Z");
    expect(functionLogLine("hi", { stream: "stdout", requestId: ID }, at)).to.equal(`2026-12-06T18:33:01.123Z\t${ID}\tINFO\thi`);
    expect(functionLogLine("oops", { stream: "stderr", requestId: ID }, at)).to.equal(`2026-12-06T18:33:01.123Z\t${ID}\tERROR\toops`);
    expect(functionLogLine("init", { stream: "stdout" }, at)).to.equal("2026-12-06T18:33:01.123Z\tinit");
    expect(functionLogLine("unknown", undefined, at)).to.equal("2026-12-06T18:33:01.123Z\tunknown");
  });
});
