/**
 * The HTTP backend of the conformance program "http", standing in for the echo servers of
 * LocalStack's tests (an httpbin-like `/post`, a Lambda URL answering its body, a status
 * server). Started by the spec on 127.0.0.1, port 0.
 *
 * - `/post` (any method): `{"args", "data", "headers", "json", "method", "origin", "url"}`, httpbin's
 *   shape, `headers` as httpbin.org (the recordings' endpoint on AWS) shows them: names
 *   title-cased (werkzeug's `EnvironHeaders`: `x-amzn-apigateway-api-id` reads
 *   `X-Amzn-Apigateway-Api-Id`), without Connection (LocalStack's local echo pops it) and
 *   without the proxy headers httpbin hides (`get_headers(hide_env=True)`: X-Forwarded-For,
 *   -Port, -Proto, X-Real-Ip, ...), so what the vectors recorded is what the echo can show.
 * - `/raw`: the request body verbatim, `Content-Type: application/json`.
 * - `/status/<code>`: status `<code>`, body `{"message": "", "status_code": <code>}`.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface EchoServer {
  url: string;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://echo");
      const status = /^\/status\/(\d{3})$/.exec(url.pathname);
      if (status) {
        const code = Number(status[1]);
        return send(res, code, JSON.stringify({ message: "", status_code: code }));
      }
      if (url.pathname === "/raw") return send(res, 200, body);
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = titleCase(req.rawHeaders[i]);
        if (!HIDDEN_BY_HTTPBIN.has(name.toLowerCase())) headers[name] = req.rawHeaders[i + 1];
      }
      let json: unknown = null;
      try {
        json = body === "" ? null : JSON.parse(body);
      } catch {
        json = null;
      }
      send(res, 200, JSON.stringify({ args: Object.fromEntries(url.searchParams), data: body, headers, json, method: req.method, origin: req.socket.remoteAddress, url: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** Headers httpbin.org's echo leaves out: its `ENV_HEADERS`, and Connection. */
const HIDDEN_BY_HTTPBIN = new Set(
  ["Connection", "X-Varnish", "X-Request-Start", "X-Heroku-Queue-Depth", "X-Real-Ip", "X-Forwarded-Proto", "X-Forwarded-Protocol", "X-Forwarded-Ssl", "X-Heroku-Queue-Wait-Time", "X-Forwarded-For", "X-Heroku-Dynos-In-Use", "X-Forwarded-Port", "Runscope-Service"].map((name) => name.toLowerCase()),
);

/** A header name as Python's `str.title()` spells it (werkzeug): each run of letters capitalised. */
function titleCase(name: string): string {
  return name.replace(/[A-Za-z]+/g, (word) => word[0].toUpperCase() + word.slice(1).toLowerCase());
}
