/**
 * Requests that came through a custom domain. The local cloud hands a stage's gateway the URL
 * the stage serves (`/<stage>/<path after the base path>`), and marks the request here with the
 * path as the caller sent it: through a custom domain, AWS reports that path, base path
 * included, as the proxy event's `path` and as `$context.path` (the stage and resource are the
 * mapping's). Recorded in GREsau's gist "API Gateway proxy events through custom domains"
 * (`https://example.com/echo/foo/bar/` with base path `echo`: `path` and
 * `requestContext.path` both `/echo/foo/bar/`, `resource` `/{proxy+}`).
 */
import type { IncomingMessage } from "node:http";

const domainPaths = new WeakMap<IncomingMessage, string>();

/**
 * Marks a request as received through a custom domain.
 *
 * @param req - The request, before its gateway reads it.
 * @param path - The path as requested, base path included.
 */
export function markDomainRequest(req: IncomingMessage, path: string): void {
  domainPaths.set(req, path);
}

/**
 * The path a custom-domain request was sent to; undefined for any other request.
 *
 * @param req - The request.
 */
export function domainRequestPath(req: IncomingMessage): string | undefined {
  return domainPaths.get(req);
}

/**
 * `$context.domainPrefix` of a request through a custom domain: the first label of the domain
 * name (`api` for `api.example.com`, as recorded in aws-powertools/powertools-lambda-python#579,
 * 2021-08-18: `"domainPrefix": "api", "domainName": "api.serverlessa.dev"`).
 *
 * @param host - The Host header's value, port included or not.
 */
export function domainPrefixOf(host: string): string {
  return host.replace(/:\d*$/, "").split(".")[0];
}
