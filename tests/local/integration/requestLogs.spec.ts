/**
 * The local cloud's logs, as `npm start` writes them under `<state-dir>/logs/`: a line per
 * request in the stage's access-log format, whose request id is the one the caller got in
 * `x-amzn-RequestId`; function output in CloudWatch's shape, with Lambda's START, END and
 * REPORT lines around each invocation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { startLocal, type LocalCloud } from "../../../local/startLocal";
import { call, removeDir, stateDirFor } from "./httpClient";

describe("local cloud: request and function logs", function () {
  this.timeout(60_000);
  const stateDir = stateDirFor("request-logs");
  const accessLines: string[] = [];
  let cloud: LocalCloud;

  before(async function () {
    this.timeout(120_000);
    cloud = await startLocal({ stack: "dev", port: 0, stateDir, logFiles: true, accessLog: (line) => accessLines.push(line), functionLog: () => undefined });
  });

  after(async function () {
    this.timeout(30_000);
    await cloud?.stop();
    removeDir(stateDir);
  });

  it("prints and appends one access-log line per request, in the stage's format, with the answer's request id", async () => {
    const apiKey = (cloud.outputs.apiKeys as Record<string, string>).globex;
    const ok = await call(`${cloud.endpoints.restApi}/data?category=logs`, { headers: { "x-api-key": apiKey } });
    const refused = await call(`${cloud.endpoints.restApi}/data?category=logs`);
    expect([ok.status, refused.status]).to.deep.equal([200, 403]);
    // The stage's format is JSON (components/apigateway/accessLogFields.ts): each line parses.
    const lines = accessLines.map((line) => JSON.parse(line) as Record<string, string>);
    const okLine = lines.find((l) => l.requestId === ok.headers["x-amzn-requestid"]);
    const refusedLine = lines.find((l) => l.requestId === refused.headers["x-amzn-requestid"]);
    expect(okLine, JSON.stringify(lines)).to.include({ httpMethod: "GET", resourcePath: "/data", status: "200", ip: "127.0.0.1" });
    expect(refusedLine, JSON.stringify(lines)).to.include({ status: "403" });
    await cloud.stop();
    const file = fs.readFileSync(path.join(stateDir, "logs", "access.log"), "utf8").trim().split("\n");
    expect(file).to.deep.equal(accessLines);
    cloud = await startLocal({ stack: "dev", port: 0, stateDir, logFiles: true, functionLog: () => undefined });
  });

  it("writes each function's output and its START / END / REPORT lines to <state-dir>/logs/<function>.log", async () => {
    const apiKey = (cloud.outputs.apiKeys as Record<string, string>).globex;
    const r = await call(`${cloud.endpoints.restApi}/data?category=report`, { headers: { "x-api-key": apiKey } });
    expect(r.status).to.equal(200);
    const dataFunction = cloud.run.graph.ofType("aws:lambda/function:Function").find((f) => f.name === "data")!.state.name as string;
    const file = path.join(stateDir, "logs", `${dataFunction}.log`);
    await cloud.stop(); // flushes the log streams
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    const start = lines.findIndex((line) => /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/.test(line));
    expect(start, lines.join("\n")).to.be.at.least(0);
    const invocation = /^START RequestId: (\S+)/.exec(lines[start])![1];
    expect(lines).to.include(`END RequestId: ${invocation}`);
    const report = lines.find((line) => line.startsWith(`REPORT RequestId: ${invocation}`));
    expect(report).to.match(/\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d{2} ms/);
    cloud = await startLocal({ stack: "dev", port: 0, stateDir, functionLog: () => undefined });
  });
});
