/**
 * The local cloud's browsable API reference: an HTML page that renders a REST API's OpenAPI
 * export with Swagger UI (`swagger-ui-dist`, served from node_modules: no CDN, nothing fetched
 * from outside 127.0.0.1), and the page's static assets.
 *
 * `swagger-ui-dist` is an optional peer of the package: without it the page is a plain list of
 * the operations, rendered here, with a link to the JSON.
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { OpenApiDocument } from "./document";

/** Where the reference pages, the exports and the assets are served. */
export const OPENAPI_PATH = "/_local/openapi";
export const ASSETS_PATH = `${OPENAPI_PATH}/assets`;

/** The script that starts Swagger UI on the page; served as an asset so the page needs no inline script. */
export const REFERENCE_SCRIPT_NAME = "reference.js";

/**
 * The files of `swagger-ui-dist` the page loads, and nothing else: an asset name is looked up
 * here, never joined to a path as given, so no request can reach another file.
 */
const SWAGGER_UI_ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui.css.map": "application/json",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-bundle.js.map": "application/json",
  "favicon-16x16.png": "image/png",
  "favicon-32x32.png": "image/png",
};

/**
 * Starts Swagger UI on `#swagger-ui` with the export its `data-spec-url` names.
 * `validatorUrl: null`: Swagger UI otherwise shows a badge fetched from validator.swagger.io;
 * the base layout leaves out the standalone top bar, whose URL box would load any document.
 */
const REFERENCE_SCRIPT = `"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,
    docExpansion: "list",
    defaultModelsExpandDepth: 1
  });
})();
`;

/**
 * The page's content security policy: scripts, styles and data only from this origin (Swagger UI
 * sets inline styles and draws inline SVG images). "Try it out" may call the API's stage, which
 * the local cloud serves on 127.0.0.1.
 */
export const REFERENCE_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self' http://127.0.0.1:* http://localhost:*; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** An asset to send. */
export interface Asset {
  contentType: string;
  body: Buffer;
}

/**
 * The folder of the installed `swagger-ui-dist`, or undefined when it is not installed.
 * @param resolve - Module resolution, replaceable in tests. @default require.resolve
 */
export function swaggerUiFolder(resolve: (request: string) => string = require.resolve): string | undefined {
  try {
    return path.dirname(resolve("swagger-ui-dist/package.json"));
  } catch {
    return undefined;
  }
}

/**
 * Whether `name` is an asset of the page: the start script, or one of the allowed files of
 * Swagger UI when its folder is known.
 */
export function isAssetName(name: string, swaggerUi: string | undefined): boolean {
  return name === REFERENCE_SCRIPT_NAME || (swaggerUi !== undefined && Object.hasOwn(SWAGGER_UI_ASSETS, name));
}

/**
 * Reads an asset of the page; undefined when `name` is none (see {@link isAssetName}) or its file
 * is missing. Reads are cached: the installed package does not change while the cloud runs.
 *
 * @param name - The file name after `/_local/openapi/assets/`, as requested (not decoded).
 * @param swaggerUi - The `swagger-ui-dist` folder, from {@link swaggerUiFolder}.
 */
export async function readAsset(name: string, swaggerUi: string | undefined): Promise<Asset | undefined> {
  if (name === REFERENCE_SCRIPT_NAME) return { contentType: "text/javascript; charset=utf-8", body: Buffer.from(REFERENCE_SCRIPT) };
  if (swaggerUi === undefined || !Object.hasOwn(SWAGGER_UI_ASSETS, name)) return undefined;
  const file = path.resolve(swaggerUi, name);
  // The allowlist holds plain file names; this states the guarantee rather than relying on it.
  if (path.dirname(file) !== path.resolve(swaggerUi)) return undefined;
  let reading = assetCache.get(file);
  if (!reading) {
    reading = fs.promises.readFile(file).catch(() => undefined);
    assetCache.set(file, reading);
  }
  const body = await reading;
  return body === undefined ? undefined : { contentType: SWAGGER_UI_ASSETS[name], body };
}

const assetCache = new Map<string, Promise<Buffer | undefined>>();

/** The page's links: where its export is, and the index. */
export interface ReferencePageLinks {
  /** The export the page renders, e.g. `/_local/openapi/abc123.json?extensions=apigateway`. */
  specUrl: string;
  /** @default "/_local/openapi" */
  indexUrl?: string;
}

/**
 * The reference page of one API.
 *
 * @param document - The export the page renders: its title heads the page, and without Swagger UI
 *   its operations are listed.
 * @param links - Where the export and the index are.
 * @param swaggerUi - The `swagger-ui-dist` folder; undefined renders the plain page.
 */
export function referencePageHtml(document: OpenApiDocument, links: ReferencePageLinks, swaggerUi: string | undefined): string {
  const title = `${escapeHtml(document.info.title)} — API reference`;
  const indexUrl = escapeHtml(links.indexUrl ?? OPENAPI_PATH);
  const specUrl = escapeHtml(links.specUrl);
  if (swaggerUi === undefined) return plainReferenceHtml(document, title, specUrl, indexUrl);
  return `${pageHead(title)}<link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" sizes="32x32" href="${ASSETS_PATH}/favicon-32x32.png">
<link rel="icon" type="image/png" sizes="16x16" href="${ASSETS_PATH}/favicon-16x16.png">
<style>body { margin: 0; } nav.local { font: 14px system-ui, sans-serif; padding: 8px 20px; background: #1b1b1b; } nav.local a { color: #fff; margin-right: 16px; }</style>
</head>
<body>
<nav class="local" aria-label="Local cloud"><a href="${indexUrl}">All APIs</a><a href="${specUrl}">OpenAPI JSON</a></nav>
<main>
<noscript><p>This page needs JavaScript to render; the OpenAPI document is at <a href="${specUrl}">${specUrl}</a>.</p></noscript>
<div id="swagger-ui" data-spec-url="${specUrl}"></div>
</main>
<script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="${ASSETS_PATH}/${REFERENCE_SCRIPT_NAME}"></script>
</body>
</html>
`;
}

/** Without Swagger UI: the operations as a list, each method and path, with their parameters. */
function plainReferenceHtml(document: OpenApiDocument, title: string, specUrl: string, indexUrl: string): string {
  const operations = Object.entries(document.paths).flatMap(([resourcePath, item]) =>
    Object.entries(item).map(([method, operation]) => {
      const verb = method === "x-amazon-apigateway-any-method" ? "ANY" : method.toUpperCase();
      const parameters = (operation.parameters ?? []).map((p) => `${escapeHtml(p.name)} (${p.in}${p.required ? ", required" : ""})`).join(", ");
      return `<li><code class="method">${verb}</code> <code class="path">${escapeHtml(resourcePath)}</code>${parameters ? ` — ${parameters}` : ""}</li>`;
    }),
  );
  return `${pageHead(title)}<style>body { font: 14px system-ui, sans-serif; margin: 16px; } code.method { font-weight: bold; display: inline-block; min-width: 5em; }</style>
</head>
<body>
<nav aria-label="Local cloud"><a href="${indexUrl}">All APIs</a></nav>
<main>
<h1>${title}</h1>
<p>Install <code>swagger-ui-dist</code> for the interactive reference. The OpenAPI document is at <a href="${specUrl}">${specUrl}</a>.</p>
<ul>
${operations.join("\n")}
</ul>
</main>
</body>
</html>
`;
}

/**
 * The start of both pages, up to the head's own links and styles.
 *
 * @param title - The page title, already escaped.
 */
function pageHead(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}
