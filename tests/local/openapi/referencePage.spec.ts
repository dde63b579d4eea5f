import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import type { Browser, ConsoleMessage, Request, Route } from "playwright-core";
import { runProgram, type ProgramRun } from "../../../local/controlPlane";
import { handleOpenApiRequest } from "../../../local/openapi/openApiRoutes";
import { restApiToExport } from "../../../local/openapi/exportOpenApi";
import type { RestApiModel } from "../../../local/restGateway/restApiModel";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** The screenshot of the rendered reference page, kept as a test artifact (gitignored). */
export const REFERENCE_SCREENSHOT = path.resolve(__dirname, "../../../test-artifacts/openapi-reference.png");

describe("API reference page (/_local/openapi/<apiId>) in headless Chromium", function () {
  this.timeout(60_000);
  let server: http.Server;
  let base: string;
  let run: ProgramRun;
  let model: RestApiModel;
  let browser: Browser | undefined;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.warn(`skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
      this.skip();
    }
    server = http.createServer((req, res) => {
      if (handleOpenApiRequest(req, res, () => run)) return;
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("gateway");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = await import("playwright-core");
    [run, browser] = await Promise.all([
      runProgram({ stack: "dev", cloud: { invokeUrl: (_apiId, stage, protocol) => `${protocol === "wss" ? base.replace("http", "ws") : base}/${stage}` } }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
    model = restApiToExport(run.graph);
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("renders every operation of the demo API from the export, offline, and opens one", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const outside: string[] = [];
    page.on("pageerror", (err: Error) => problems.push(err.message));
    page.on("requestfailed", (r: Request) => problems.push(`failed ${r.url()}`));
    page.on("console", (m: ConsoleMessage) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    // Everything the page loads comes from the local cloud: any other request is recorded and refused.
    await page.route("**/*", (route: Route) => {
      const url = route.request().url();
      if (url.startsWith(`${base}/`) || url.startsWith("data:")) return route.continue();
      outside.push(url);
      return route.abort();
    });
    await page.goto(`${base}/_local/openapi/${model.apiId}`);

    await page.locator(".opblock").first().waitFor({ timeout: 20_000 });
    const operations = await page.locator(".opblock-summary").evaluateAll((blocks) =>
      blocks.map((b) => `${b.querySelector(".opblock-summary-method")?.textContent} ${b.querySelector(".opblock-summary-path")?.getAttribute("data-path")}`),
    );
    // Every method the stage serves is listed (OpenAPI cannot say ANY; the demo has none).
    const expected = [...model.methods.values()].map((m) => `${m.httpMethod} ${m.resourcePath}`);
    expect(operations).to.have.members(expected);
    expect(operations).to.include.members(["GET /users/{id}", "POST /users", "GET /health", "PUT /customers/{id}/tier"]);
    expect(await page.locator(".info .title").textContent()).to.contain(model.name);
    // The server is the local stage, with the stage as basePath.
    expect(await page.locator(".servers select").textContent()).to.contain(`${base}/{basePath}`);

    // Opening GET /users/{id} shows its required path parameter.
    const usersById = page.locator(".opblock-get", { has: page.locator('.opblock-summary-path[data-path="/users/{id}"]') });
    await usersById.locator(".opblock-summary-control").click();
    const parameter = usersById.locator('tr[data-param-name="id"]');
    await parameter.waitFor({ timeout: 10_000 });
    expect(await parameter.locator(".parameter__name.required").textContent()).to.match(/^id\s*\*/);
    expect(await parameter.locator(".parameter__in").textContent()).to.contain("path");
    expect(await page.locator("#model-User, [id='model-User']").count()).to.equal(1);

    fs.mkdirSync(path.dirname(REFERENCE_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: REFERENCE_SCREENSHOT, fullPage: true });
    expect(fs.statSync(REFERENCE_SCREENSHOT).size).to.be.greaterThan(10_000);
    expect(outside).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
    await page.close();
  });
});
