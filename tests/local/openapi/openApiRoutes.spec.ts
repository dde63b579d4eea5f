import Ajv from "ajv-draft-04";
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { runProgram, type ProgramRun } from "../../../local/controlPlane";
import { exportOpenApi, restApiToExport, type OpenApiDocument } from "../../../local/openapi/exportOpenApi";
import { OpenApiRouteError, answerRoute, handleOpenApiRequest, openApiRoute, type OpenApiIndexEntry } from "../../../local/openapi/openApiRoutes";
import { readAsset, swaggerUiFolder } from "../../../local/openapi/referencePage";
import type { RestApiModel } from "../../../local/restGateway/restApiModel";
import { openApiProblems } from "./openApiDocument";

/** A GET (or another method) with the path sent as written: fetch() would resolve `..` and `\` first. */
function rawRequest(base: string, rawPath: string, method = "GET", headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = http.request({ hostname, port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("local cloud OpenAPI endpoints (/_local/openapi)", function () {
  this.timeout(60_000);
  let server: http.Server;
  let base: string;
  let run: ProgramRun;
  let model: RestApiModel;
  /** What the handler serves: the run, nothing (not deployed yet), or a source that fails. */
  let source: () => ProgramRun | undefined = () => run;

  before(async () => {
    server = http.createServer((req, res) => {
      if (handleOpenApiRequest(req, res, () => source())) return;
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("gateway");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Invoke URLs as the local cloud records them: the stage on this server.
    run = await runProgram({ stack: "dev", cloud: { invokeUrl: (_apiId, stage, protocol) => `${protocol === "wss" ? base.replace("http", "ws") : base}/${stage}` } });
    model = restApiToExport(run.graph);
  });

  afterEach(() => {
    source = () => run;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("lists the REST APIs with their links as JSON, and as an HTML table for a browser", async () => {
    const res = await fetch(`${base}/_local/openapi`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/json");
    const body = (await res.json()) as { apis: OpenApiIndexEntry[] };
    expect(body.apis).to.deep.equal([
      { id: model.apiId, name: model.name, stage: "dev", stageUrl: `${base}/dev`, openapi: `/_local/openapi/${model.apiId}.json`, reference: `/_local/openapi/${model.apiId}` },
    ]);
    expect(model.name).to.match(/^demo-api-/);

    const page = await fetch(`${base}/_local/openapi/`, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(page.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).to.contain(`<a href="/_local/openapi/${model.apiId}">${model.name}</a>`).and.contain(`<a href="/_local/openapi/${model.apiId}.json">JSON</a>`);
  });

  it("serves the export as GetExport writes it: valid OpenAPI 3.0, no extensions, the local stage as server", async () => {
    const res = await fetch(`${base}/_local/openapi/${model.apiId}.json`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/json");
    const document = (await res.json()) as OpenApiDocument;
    expect(document).to.deep.equal(exportOpenApi(run.graph, model, "none"));
    expect(openApiProblems(document as unknown as Record<string, unknown>)).to.deep.equal([]);
    // The models are JSON Schema draft 4, as API Gateway declares them: each compiles.
    const ajv = new Ajv({ strict: false, logger: false });
    for (const [name, schema] of Object.entries(document.components.schemas ?? {})) {
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    }
    for (const name of Object.keys(document.components.schemas ?? {})) expect(ajv.getSchema(`#/components/schemas/${name}`), name).to.be.a("function");
    expect(document.servers).to.deep.equal([{ url: `${base}/{basePath}`, variables: { basePath: { default: "dev" } } }]);
    expect(document.paths["/users/{id}"].get.parameters).to.deep.equal([{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
    expect(JSON.stringify(document)).to.not.contain("x-amazon-apigateway");
  });

  it("adds the x-amazon-apigateway extensions with ?extensions=apigateway, and refuses another kind", async () => {
    const document = (await (await fetch(`${base}/_local/openapi/${model.apiId}.json?extensions=apigateway`)).json()) as OpenApiDocument;
    expect(document).to.deep.equal(exportOpenApi(run.graph, model, "apigateway"));
    expect(document.paths["/users"].post).to.have.property("x-amazon-apigateway-integration");
    expect(document["x-amazon-apigateway-api-key-source"]).to.equal("HEADER");
    expect(await (await fetch(`${base}/_local/openapi/${model.apiId}.json?extensions=none`)).json()).to.deep.equal(exportOpenApi(run.graph, model, "none"));

    const bad = await fetch(`${base}/_local/openapi/${model.apiId}.json?extensions=postman`);
    expect(bad.status).to.equal(400);
    expect(await bad.json()).to.deep.equal({ message: 'extensions must be apigateway or none (got "postman")' });
  });

  it("answers 404 naming the APIs it serves for an unknown id, and the stages for an unknown stage", async () => {
    for (const url of [`${base}/_local/openapi/nope123.json`, `${base}/_local/openapi/nope123`]) {
      const res = await fetch(url);
      expect(res.status, url).to.equal(404);
      expect(res.headers.get("content-type")).to.equal("application/json");
      expect(await res.json()).to.deep.equal({ message: `no REST API "nope123"; the local cloud serves ${model.apiId} (${model.name})` });
    }
    const stage = await fetch(`${base}/_local/openapi/${model.apiId}.json?stage=prod`);
    expect(stage.status).to.equal(404);
    expect(await stage.json()).to.deep.equal({ message: `REST API ${model.apiId} has no stage "prod"; its stages: dev` });
    expect((await fetch(`${base}/_local/openapi/${model.apiId}.json?stage=dev`)).status).to.equal(200);
  });

  it("serves the reference page, pointing at the export with the same query", async () => {
    const res = await fetch(`${base}/_local/openapi/${model.apiId}?extensions=apigateway`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).to.contain("script-src 'self'");
    const html = await res.text();
    expect(html).to.contain(`data-spec-url="/_local/openapi/${model.apiId}.json?extensions=apigateway"`);
    expect(html).to.contain('<script src="/_local/openapi/assets/swagger-ui-bundle.js"></script>');
    // Nothing from another origin.
    expect(html).to.not.match(/\b(src|href)=["']?(https?:)?\/\//);
  });

  it("lists the operations on a plain page when Swagger UI is not installed", async () => {
    const reply = await answerRoute({ kind: "page", apiId: model.apiId }, { query: new URLSearchParams(), accept: "", source: () => run, swaggerUi: undefined });
    expect(reply.status).to.equal(200);
    const html = String(reply.body);
    expect(html).to.contain('<code class="method">GET</code> <code class="path">/users/{id}</code> — id (path, required)');
    expect(html).to.contain(`<h1>${model.name} — API reference</h1>`).and.not.contain("<script");
    expect(swaggerUiFolder(() => { throw new Error("Cannot find module"); })).to.equal(undefined);
  });

  it("serves the page's assets from swagger-ui-dist with their content types", async () => {
    const folder = swaggerUiFolder()!;
    for (const [name, type] of [
      ["swagger-ui.css", "text/css; charset=utf-8"],
      ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
      ["favicon-32x32.png", "image/png"],
    ]) {
      const res = await fetch(`${base}/_local/openapi/assets/${name}`);
      expect(res.status, name).to.equal(200);
      expect(res.headers.get("content-type"), name).to.equal(type);
      expect(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(folder, name))), name).to.equal(true);
    }
    const script = await fetch(`${base}/_local/openapi/assets/reference.js`);
    expect(script.headers.get("content-type")).to.equal("text/javascript; charset=utf-8");
    expect(await script.text()).to.contain("validatorUrl: null");
  });

  describe("never serving a file outside swagger-ui-dist's folder", () => {
    const attempts = [
      "/_local/openapi/assets/../../../package.json",
      "/_local/openapi/assets/..%2f..%2f..%2fpackage.json",
      "/_local/openapi/assets/%2e%2e/%2e%2e/%2e%2e/package.json",
      "/_local/openapi/assets/..\\..\\..\\package.json",
      "/_local/openapi/assets/%2Fetc%2Fpasswd",
      "/_local/openapi/assets//etc/passwd",
      "/_local/openapi/assets/%00swagger-ui.css",
      "/_local/openapi/assets/swagger-ui.css/..",
      "/_local/openapi/assets/swagger-ui.css%00.png",
      "/_local/openapi/assets/%E0%A4%A",
      "/_local/openapi/assets/package.json",
      "/_local/openapi/assets/index.html",
      "/_local/openapi/assets/absolute-path.js",
      "/_local/openapi/assets/node_modules",
      "/_local/openapi/assets/__proto__",
      "/_local/openapi/assets/constructor",
      "/_local/openapi/%2e%2e%2f%2e%2e%2fpackage.json",
      "/_local/openapi/..",
      "/_local/openapi//etc/passwd",
    ];
    for (const attempt of attempts) {
      it(`refuses ${attempt}`, async () => {
        const res = await rawRequest(base, attempt);
        expect(res.status).to.be.oneOf([400, 404]);
        expect(res.headers["content-type"]).to.equal("application/json");
        expect(JSON.parse(res.body)).to.have.all.keys("message");
      });
    }

    it("reads only the allowed files, whatever the name", async () => {
      const folder = swaggerUiFolder()!;
      for (const name of ["../package.json", "..", "/etc/passwd", "index.html", "swagger-ui.css/../package.json", "hasOwnProperty"]) {
        expect(await readAsset(name, folder), name).to.equal(undefined);
      }
      expect((await readAsset("swagger-ui.css", folder))?.contentType).to.equal("text/css; charset=utf-8");
    });

    it("(property) routes any path under /_local/openapi or refuses it with a route error; an asset name never has a separator or dot segment", () => {
      const segment = fc.oneof(
        fc.constantFrom("..", ".", "%2e%2e", "%2f", "%5c", "%00", "assets", "swagger-ui.css", "x.json", "", "%", "%zz", "\\"),
        fc.string({ unit: "binary", maxLength: 8 }).map((s) => encodeURIComponent(s)),
        fc.string({ maxLength: 8 }),
      );
      fc.assert(
        fc.property(fc.array(segment, { maxLength: 5 }), (segments) => {
          const rawPath = `/_local/openapi/${segments.join("/")}`;
          try {
            const route = openApiRoute(rawPath);
            if (route.kind === "asset") {
              expect(route.name).to.not.match(/[/\\\0]/);
              expect(route.name).to.not.be.oneOf([".", ".."]);
            }
          } catch (err) {
            expect(err).to.be.instanceOf(OpenApiRouteError);
            expect((err as OpenApiRouteError).status).to.be.oneOf([400, 404]);
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  it("answers HEAD without a body, refuses other methods with 405, and leaves other paths to the caller", async () => {
    const head = await fetch(`${base}/_local/openapi/${model.apiId}.json`, { method: "HEAD" });
    expect(head.status).to.equal(200);
    expect(Number(head.headers.get("content-length"))).to.be.greaterThan(1000);
    expect(await head.text()).to.equal("");
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const res = await fetch(`${base}/_local/openapi/${model.apiId}.json`, { method });
      expect(res.status, method).to.equal(405);
      expect(res.headers.get("allow")).to.equal("GET, HEAD");
      expect(await res.json()).to.deep.equal({ message: `${method} not allowed on /_local/openapi/${model.apiId}.json` });
    }
    expect((await rawRequest(base, "/_local/openapi/assets/x", "PATCH")).status).to.equal(405);
    for (const other of ["/_local/openapix", "/_local/open", "/_local/dashboard", "/dev/health", "*"]) {
      const res = await rawRequest(base, other);
      expect(res.body, other).to.equal("gateway");
    }
  });

  it("answers 503 before a program is deployed and 500 when the run cannot be read, and keeps serving", async () => {
    source = () => undefined;
    const notYet = await fetch(`${base}/_local/openapi`);
    expect(notYet.status).to.equal(503);
    expect(notYet.headers.get("retry-after")).to.equal("1");
    expect(await notYet.json()).to.deep.equal({ message: "no program is deployed yet" });
    // The assets do not need a program.
    expect((await fetch(`${base}/_local/openapi/assets/reference.js`)).status).to.equal(200);

    source = () => {
      throw new Error("deployment half-way");
    };
    const failing = await fetch(`${base}/_local/openapi/${model.apiId}.json`);
    expect(failing.status).to.equal(500);
    expect(await failing.json()).to.deep.equal({ message: "the program run could not be read: deployment half-way" });

    source = () => run;
    expect((await fetch(`${base}/_local/openapi/${model.apiId}.json`)).status).to.equal(200);
  });
});
