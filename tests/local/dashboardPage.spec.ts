import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { alarmDefinitions, dashboardWidgets } from "../../components/ApiMonitoring";
import { emfLine } from "../../functions/businessMetrics";
import { LocalDashboardOptions, LocalMetricsResponse, dashboardHtml, handleLocalRequest } from "../../local/dashboardPage";
import { MetricsStore } from "../../local/metricsStore";
import type { Browser, Request } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SCREENSHOT = path.resolve(__dirname, "../../.local/dashboard-test.png");

const TARGET = { apiName: "shop", stageName: "dev", webSocket: { apiId: "ws123", stageName: "live" } };
const OPTIONS: LocalDashboardOptions = { widgets: dashboardWidgets(TARGET), alarms: alarmDefinitions({ serverErrorsPer5Min: 10 }, TARGET) };

describe("local dashboard (/_local/metrics and /_local/dashboard)", () => {
  /** Shifts the store's clock: requests can be fed into earlier periods. */
  let offsetMs = 0;
  // The store's clock starts in the middle of a 5-minute period, so that no period boundary
  // falls within the test's few seconds (the alarm reads the last two periods: a boundary
  // between feeding them and the page's next poll would shift them).
  const startedAt = Date.now();
  const midPeriod = Math.floor(startedAt / 300_000) * 300_000 + 150_000;
  const clock = () => midPeriod + (Date.now() - startedAt) + offsetMs;
  let store: MetricsStore;
  let server: http.Server;
  let base: string;

  before(async () => {
    store = new MetricsStore({ clock });
    server = http.createServer((req, res) => {
      if (handleLocalRequest(req, res, store, OPTIONS)) return;
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("gateway");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let i = 0; i < 20; i++) {
      store.recordGatewayRequest({ apiName: "shop", stage: "dev", route: "GET /data", status: i % 10 === 0 ? 404 : 200, latencyMs: 20 + i, integrationLatencyMs: 10 + i, cache: i % 2 ? "hit" : "miss" });
    }
    store.recordEmf(JSON.stringify(emfLine("UsersCreated", 1, "Count", {}, "ApigwKit", clock())));
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers GET /_local/metrics with the widgets' series, the alarms and the raw series", async () => {
    const res = await fetch(`${base}/_local/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/json");
    const body = (await res.json()) as LocalMetricsResponse;
    expect(body).to.include.keys("now", "since", "bucketSeconds", "periodSeconds", "series", "widgets", "alarms");
    expect(body.widgets.map((w) => w.title)).to.deep.equal(OPTIONS.widgets.map((w) => w.title));
    const requests = body.widgets.find((w) => w.title === "Requests")!.metrics[0];
    expect(requests).to.deep.include({ label: "Count", metricName: "Count", stat: "Sum", dimensions: { ApiName: "shop", Stage: "dev" } });
    expect(requests.datapoints.reduce((a, p) => a + p.value, 0)).to.equal(20);
    const business = body.widgets.find((w) => w.title === "Business metrics")!.metrics.find((m) => m.metricName === "UsersCreated")!;
    expect(business.datapoints.map((p) => p.value)).to.deep.equal([1]);
    expect(body.alarms.map((a) => [a.name, a.state])).to.deep.equal([
      ["shop-dev-4xx-errors", "OK"],
      ["shop-dev-5xx-errors", "OK"],
      ["shop-dev-latency", "OK"],
    ]);
    expect(body.series.some((s) => s.metricName === "Latency" && s.datapoints[0].sampleCount === 20)).to.equal(true);
  });

  it("serves the page, and leaves other paths and methods to the caller or refuses them", async () => {
    const page = await fetch(`${base}/_local/dashboard`);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).to.equal(dashboardHtml());
    // Self-contained: no script, style or image from elsewhere.
    expect(html).to.not.match(/\b(src|href)=["']?(https?:)?\/\//);
    expect((await fetch(`${base}/data`)).status).to.equal(404);
    expect(await (await fetch(`${base}/_local/other`)).text()).to.equal("gateway");
    expect((await fetch(`${base}/_local/metrics`, { method: "POST" })).status).to.equal(405);
  });

  describe("in headless Chromium", function () {
    this.timeout(60_000);
    let browser: Browser | undefined;

    before(async function () {
      if (!fs.existsSync(CHROMIUM)) {
        console.warn(`skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
        this.skip();
      }
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });

    after(async () => {
      await browser?.close();
    });

    it("draws every widget with data, and shows the 5XX alarm firing after errors in two periods", async () => {
      const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on("pageerror", (err: Error) => problems.push(err.message));
      page.on("requestfailed", (r: Request) => problems.push(`failed ${r.url()}`));
      await page.goto(`${base}/_local/dashboard`);

      await page.waitForFunction(`(document.querySelector('[data-label="Count"]') || {}).textContent === "20"`, undefined, { timeout: 10_000 });
      const titles = await page.locator("[data-widget] h2").allTextContents();
      expect(titles).to.deep.equal(OPTIONS.widgets.map((w) => w.title));
      expect(await page.locator("[data-widget] svg").count()).to.equal(OPTIONS.widgets.length);
      expect(await page.locator('[data-label="CacheHitCount"]').textContent()).to.equal("10");
      expect(await page.locator('[data-label="UsersCreated"]').textContent()).to.equal("1");
      expect(await page.locator('[data-alarm="shop-dev-5xx-errors"] .state').textContent()).to.equal("OK");

      // 11 errors in the previous 5-minute period and 12 in this one: both over 10.
      offsetMs = -300_000;
      for (let i = 0; i < 11; i++) store.recordGatewayRequest({ apiName: "shop", stage: "dev", route: "GET /data", status: 500, latencyMs: 40 });
      offsetMs = 0;
      for (let i = 0; i < 12; i++) store.recordGatewayRequest({ apiName: "shop", stage: "dev", route: "GET /data", status: 502, latencyMs: 40 });

      // The page polls every 2 s: the alarm shows without a reload.
      await page.waitForFunction(`(document.querySelector('[data-alarm="shop-dev-5xx-errors"] .state') || {}).textContent === "ALARM"`, undefined, { timeout: 10_000 });
      expect(await page.locator('[data-alarm="shop-dev-4xx-errors"] .state').textContent()).to.equal("OK");
      expect(await page.locator('[data-label="5XXError"]').textContent()).to.equal("12");

      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(problems).to.deep.equal([]);
    });
  });
});
