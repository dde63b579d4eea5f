/**
 * Hands each request and WebSocket upgrade on the local cloud's port to the gateway of the API
 * stage it is addressed to (apiAddressing.ts), with the URL that stage serves.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { markDomainRequest } from "../gateway/domainRequests";
import { addressRequest } from "./apiAddressing";
import type { Deployment } from "./deployment";

/**
 * Serves an HTTP request: an API stage's request, or a call to a WebSocket stage's
 * @connections API (`/<stage>/@connections/<id>`, which shares the API's address as on AWS).
 *
 * @param deployment - The deployment serving the request.
 * @param req - The request.
 * @param res - Its response.
 */
export function dispatchRequest(deployment: Deployment, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "/";
  if (isConnectionsCall(url) && servedAsConnectionsCall(deployment, req, res)) return;
  const addressed = addressRequest(deployment.addressBook, url, req.headers.host, "http");
  if (addressed.kind === "answer") return sendJson(res, addressed.status, addressed.body);
  if (addressed.kind === "none") return sendJson(res, 404, { message: "Not Found" });
  const { stage } = addressed;
  if (stage.protocol === "WEBSOCKET") return sendJson(res, 404, { message: "Not Found" });
  req.url = addressed.url;
  if (addressed.domainPath !== undefined) markDomainRequest(req, addressed.domainPath);
  void stage.gateway.handle(req, res);
}

/**
 * Serves a call to a WebSocket stage's @connections API and answers true; answers false,
 * leaving the request as it came, when no WebSocket stage takes it (a REST or HTTP API then
 * answers it as any path of its own).
 */
function servedAsConnectionsCall(deployment: Deployment, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  const addressed = addressRequest(deployment.addressBook, url, req.headers.host, "websocket");
  if (addressed.kind !== "stage") return false;
  const { stage } = addressed;
  if (stage.protocol !== "WEBSOCKET") return false;
  req.url = addressed.url;
  if (stage.gateway.handleManagement(req, res)) return true;
  req.url = url;
  return false;
}

/**
 * Serves a WebSocket upgrade on the WebSocket stage it is addressed to; anything else is
 * refused with the status a missing stage gets.
 *
 * @param deployment - The deployment serving now, if any.
 * @param req - The upgrade request.
 * @param socket - Its socket.
 * @param head - The bytes after its headers.
 */
export function dispatchUpgrade(deployment: Deployment | undefined, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const addressed = deployment ? addressRequest(deployment.addressBook, req.url ?? "/", req.headers.host, "websocket") : undefined;
  const stage = addressed?.kind === "stage" ? addressed.stage : undefined;
  if (stage?.protocol !== "WEBSOCKET" || addressed?.kind !== "stage") {
    const status = !deployment ? "503 Service Unavailable" : addressed?.kind === "answer" && addressed.status === 403 ? "403 Forbidden" : "404 Not Found";
    socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    return;
  }
  req.url = addressed.url;
  stage.gateway.handleUpgrade(req, socket, head);
}

/** Whether a request target is a call to the @connections API. */
function isConnectionsCall(url: string): boolean {
  const q = url.indexOf("?");
  return (q === -1 ? url : url.slice(0, q)).includes("/@connections/");
}

function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
