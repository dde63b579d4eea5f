/**
 * The local cloud's OpenAPI endpoints, beside the dashboard under `/_local/`:
 *
 *     GET /_local/openapi                   the REST APIs with their links (JSON; an HTML index for a browser)
 *     GET /_local/openapi/<apiId>.json      the API's export, as GetExport (oas30) writes it
 *     GET /_local/openapi/<apiId>           the API reference page (Swagger UI) rendering it
 *     GET /_local/openapi/assets/<file>     the page's scripts and styles
 *
 * The export and the page take `?extensions=apigateway` (default none, as GetExport) and
 * `?stage=<name>` (default the API's first stage). The export's `servers` URL is the stage's
 * invoke URL as the program run recorded it: the local stage URL in the local cloud.
 *
 * A request is answered in three steps — {@link openApiRoute} (which endpoint), {@link answerRoute}
 * (the reply), {@link sendReply} — and every refusal is an {@link OpenApiRouteError} rendered as
 * `{"message": ...}` in one place. The handler never throws.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProgramRun } from "../controlPlane";
import { restApiModels, type RestApiModel } from "../restGateway/restApiModel";
import { exportOpenApi, type ExportExtensions } from "./exportOpenApi";
import { OPENAPI_PATH, REFERENCE_PAGE_CSP, escapeHtml, readAsset, referencePageHtml, swaggerUiFolder } from "./referencePage";

export { OPENAPI_PATH } from "./referencePage";

const STAGE = "aws:apigateway/stage:Stage";

export interface OpenApiRoutesOptions {
  /**
   * The `swagger-ui-dist` folder the page's assets are served from; `null` renders the plain
   * page (a list of the operations) instead of Swagger UI.
   * @default the installed `swagger-ui-dist`, or the plain page when it is not installed
   */
  swaggerUi?: string | null;
}

/** Which endpoint a request path names. */
export type OpenApiRoute = { kind: "index" } | { kind: "export"; apiId: string } | { kind: "page"; apiId: string } | { kind: "asset"; name: string };

/** A refusal: its status, and a message naming what was wrong. */
export class OpenApiRouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What is sent back. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** One entry of `GET /_local/openapi`. */
export interface OpenApiIndexEntry {
  id: string;
  name: string;
  stage: string;
  /** The stage's invoke URL as recorded, when the program run has one. */
  stageUrl?: string;
  /** The export's URL, e.g. `/_local/openapi/abc123.json`. */
  openapi: string;
  /** The reference page's URL. */
  reference: string;
}

/**
 * Answers the requests under `/_local/openapi`; returns false, touching nothing, for any other
 * path so the caller can hand the request on. Never throws.
 *
 * @param source - The program run whose REST APIs are served, read on each request; undefined
 *   while none is deployed (answered 503).
 * @param options - Where Swagger UI is.
 */
export function handleOpenApiRequest(req: IncomingMessage, res: ServerResponse, source: () => ProgramRun | undefined, options: OpenApiRoutesOptions = {}): boolean {
  let rawPath: string;
  let query: URLSearchParams;
  try {
    const url = req.url ?? "/";
    const mark = url.indexOf("?");
    rawPath = mark === -1 ? url : url.slice(0, mark);
    if (!isOpenApiPath(rawPath)) return false;
    query = new URLSearchParams(mark === -1 ? "" : url.slice(mark + 1));
  } catch {
    return false;
  }
  const swaggerUi = options.swaggerUi === undefined ? defaultSwaggerUi() : (options.swaggerUi ?? undefined);
  void answerRequest(req, rawPath, query, source, swaggerUi).then(
    (reply) => sendReply(res, req.method, reply),
    () => sendReply(res, req.method, errorReply(new OpenApiRouteError(500, "the request could not be answered"))),
  );
  return true;
}

/** Whether a raw request path (before `?`) is one this module answers. */
export function isOpenApiPath(rawPath: string): boolean {
  return rawPath === OPENAPI_PATH || rawPath.startsWith(`${OPENAPI_PATH}/`);
}

/**
 * The endpoint a raw path under `/_local/openapi` names. Each segment is percent-decoded once;
 * a segment that is `.` or `..`, or decodes to a `/`, `\` or NUL, is refused rather than
 * resolved, so no path can name anything outside the four endpoints.
 *
 * @throws OpenApiRouteError 400 for such a segment or bad percent-encoding, 404 for a path naming no endpoint.
 */
export function openApiRoute(rawPath: string): OpenApiRoute {
  const rest = rawPath.slice(OPENAPI_PATH.length);
  if (rest === "" || rest === "/") return { kind: "index" };
  const segments = rest.slice(1).split("/").map(decodeSegment);
  if (segments.length === 2 && segments[0] === "assets" && segments[1] !== "") return { kind: "asset", name: segments[1] };
  if (segments.length === 1 && segments[0].endsWith(".json") && segments[0].length > ".json".length) return { kind: "export", apiId: segments[0].slice(0, -".json".length) };
  if (segments.length === 1 && segments[0] !== "assets") return { kind: "page", apiId: segments[0] };
  throw new OpenApiRouteError(404, `no such path ${rawPath}; try ${OPENAPI_PATH}`);
}

function decodeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new OpenApiRouteError(400, `bad percent-encoding in path segment ${JSON.stringify(segment)}`);
  }
  if (decoded === "." || decoded === ".." || /[/\\\0]/.test(decoded)) throw new OpenApiRouteError(400, `path segment ${JSON.stringify(segment)} is not allowed`);
  return decoded;
}

/** `?extensions=`: GetExport's `parameters.extensions`, of which the exporter knows two. */
export function exportExtensions(query: URLSearchParams): ExportExtensions {
  const kind = query.get("extensions");
  if (kind === null || kind === "none") return "none";
  if (kind === "apigateway") return "apigateway";
  throw new OpenApiRouteError(400, `extensions must be apigateway or none (got ${JSON.stringify(kind)})`);
}

async function answerRequest(req: IncomingMessage, rawPath: string, query: URLSearchParams, source: () => ProgramRun | undefined, swaggerUi: string | undefined): Promise<Reply> {
  try {
    if (req.method !== "GET" && req.method !== "HEAD") throw new OpenApiRouteError(405, `${req.method} not allowed on ${rawPath}`, { allow: "GET, HEAD" });
    return await answerRoute(openApiRoute(rawPath), { query, accept: req.headers.accept ?? "", source, swaggerUi });
  } catch (err) {
    return errorReply(err instanceof OpenApiRouteError ? err : new OpenApiRouteError(500, `cannot answer ${rawPath}: ${(err as Error)?.message ?? String(err)}`));
  }
}

/** What a route's answer depends on besides the route. */
export interface RouteContext {
  query: URLSearchParams;
  /** The request's Accept header: the index is HTML for a browser. */
  accept: string;
  source: () => ProgramRun | undefined;
  swaggerUi: string | undefined;
}

/**
 * The reply to a route.
 * @throws OpenApiRouteError when there is no program run (503), no such API, stage or asset (404), or a bad query (400).
 */
export async function answerRoute(route: OpenApiRoute, context: RouteContext): Promise<Reply> {
  if (route.kind === "asset") {
    const asset = await readAsset(route.name, context.swaggerUi);
    if (!asset) throw new OpenApiRouteError(404, `no asset ${route.name}`);
    return { status: 200, headers: { "content-type": asset.contentType, "cache-control": "public, max-age=3600" }, body: asset.body };
  }
  const run = deployedRun(context.source);
  const models = restApiModels(run.graph);
  if (route.kind === "index") {
    const entries = indexEntries(run, models);
    return /\btext\/html\b/.test(context.accept)
      ? { status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", vary: "accept" }, body: indexHtml(entries) }
      : { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store", vary: "accept" }, body: JSON.stringify({ apis: entries }) };
  }
  const model = modelToServe(models, route.apiId, context.query.get("stage"));
  const extensions = exportExtensions(context.query);
  const document = exportOpenApi(run.graph, model, extensions);
  if (route.kind === "export") {
    return { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store" }, body: JSON.stringify(document, null, 2) };
  }
  const specUrl = apiUrls(model.apiId, { stage: context.query.get("stage") ?? undefined, extensions: extensions === "none" ? undefined : extensions }).openapi;
  return {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": REFERENCE_PAGE_CSP },
    body: referencePageHtml(document, { specUrl }, context.swaggerUi),
  };
}

function deployedRun(source: () => ProgramRun | undefined): ProgramRun {
  let run: ProgramRun | undefined;
  try {
    run = source();
  } catch (err) {
    throw new OpenApiRouteError(500, `the program run could not be read: ${(err as Error)?.message ?? String(err)}`);
  }
  if (!run) throw new OpenApiRouteError(503, "no program is deployed yet", { "retry-after": "1" });
  return run;
}

/**
 * The API and stage a request names: `?stage=` or the API's first stage.
 * @throws OpenApiRouteError 404 naming the APIs served, or the API's stages.
 */
export function modelToServe(models: RestApiModel[], apiId: string, stage: string | null): RestApiModel {
  const ofApi = models.filter((m) => m.apiId === apiId);
  if (ofApi.length === 0) {
    const known = [...new Map(models.map((m) => [m.apiId, `${m.apiId} (${m.name})`])).values()];
    throw new OpenApiRouteError(404, `no REST API ${JSON.stringify(apiId)}; the local cloud serves ${known.length === 0 ? "none" : known.join(", ")}`);
  }
  if (stage === null) return ofApi[0];
  const model = ofApi.find((m) => m.stageName === stage);
  if (!model) throw new OpenApiRouteError(404, `REST API ${apiId} has no stage ${JSON.stringify(stage)}; its stages: ${ofApi.map((m) => m.stageName).join(", ")}`);
  return model;
}

/** The URLs of an API's export and reference page; `stage` and `extensions` are written only when given. */
export function apiUrls(apiId: string, query: { stage?: string; extensions?: ExportExtensions } = {}): { openapi: string; reference: string } {
  const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
  const base = `${OPENAPI_PATH}/${encodeURIComponent(apiId)}`;
  return { openapi: `${base}.json${search ? `?${search}` : ""}`, reference: `${base}${search ? `?${search}` : ""}` };
}

function indexEntries(run: ProgramRun, models: RestApiModel[]): OpenApiIndexEntry[] {
  const stageCount = new Map<string, number>();
  for (const m of models) stageCount.set(m.apiId, (stageCount.get(m.apiId) ?? 0) + 1);
  return models.map((m) => {
    // The stage is named in the links only when the API has several: the default is its first.
    const urls = apiUrls(m.apiId, { stage: (stageCount.get(m.apiId) ?? 0) > 1 ? m.stageName : undefined });
    const invokeUrl = run.graph.ofType(STAGE).find((s) => s.inputs.restApi === m.apiId && s.inputs.stageName === m.stageName)?.state.invokeUrl;
    return {
      id: m.apiId,
      name: m.name,
      stage: m.stageName,
      ...(typeof invokeUrl === "string" ? { stageUrl: invokeUrl } : {}),
      ...urls,
    };
  });
}

function indexHtml(entries: OpenApiIndexEntry[]): string {
  const rows = entries.map(
    (e) =>
      `<tr><td><a href="${escapeHtml(e.reference)}">${escapeHtml(e.name)}</a></td><td>${escapeHtml(e.stage)}</td><td><code>${escapeHtml(e.id)}</code></td>` +
      `<td><a href="${escapeHtml(e.openapi)}">JSON</a></td><td>${e.stageUrl ? escapeHtml(e.stageUrl) : ""}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>REST APIs — local cloud</title>
<style>body { font: 14px system-ui, sans-serif; margin: 16px; } table { border-collapse: collapse; } th, td { text-align: left; padding: 4px 12px 4px 0; }</style>
</head>
<body>
<main>
<h1>REST APIs</h1>
${entries.length === 0 ? "<p>The program declares no REST API with a stage.</p>" : `<table>
<thead><tr><th scope="col">API reference</th><th scope="col">Stage</th><th scope="col">Id</th><th scope="col">OpenAPI</th><th scope="col">Stage URL</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`}
</main>
</body>
</html>
`;
}

function errorReply(err: OpenApiRouteError): Reply {
  return { status: err.status, headers: { "content-type": "application/json", ...err.headers }, body: JSON.stringify({ message: err.message }) };
}

/** Writes a reply: no body for HEAD; a response already started or closed is left alone. */
export function sendReply(res: ServerResponse, method: string | undefined, reply: Reply): void {
  try {
    if (res.headersSent || res.destroyed) return;
    const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
    res.writeHead(reply.status, { "x-content-type-options": "nosniff", ...reply.headers, "content-length": body.length });
    res.end(method === "HEAD" ? undefined : body);
  } catch {
    res.destroy();
  }
}

let installedSwaggerUi: { folder: string | undefined } | undefined;

function defaultSwaggerUi(): string | undefined {
  installedSwaggerUi ??= { folder: swaggerUiFolder() };
  return installedSwaggerUi.folder;
}
