/**
 * Requests sent exactly as given, for the fuzz properties: the request target is written as is
 * (dot segments, malformed percent-escapes and absolute-form targets included, which a `URL`
 * would normalise or refuse), headers go out in order with their spelling and repeats, and
 * every request has a deadline, so that a gateway that never answers fails the property
 * instead of the suite's timeout.
 */
import * as http from "node:http";
import { reply, type Reply } from "../local/integration/httpClient";

export interface ExactRequest {
  method: string;
  /** The request-target of the request line: `/dev/a%2Fb?x=1`, `http://host/dev/x`, ... */
  target: string;
  /** Name / value pairs, sent in this order; Host and, with a body, Content-Length are added. */
  headers?: Array<[string, string]>;
  body?: Buffer;
  /** @default 10000 */
  timeoutMs?: number;
}

/**
 * Sends requests to one origin over keep-alive connections. No limit on connections: a request
 * the server never answers keeps its own until its deadline, and must not hold up the next.
 */
export class ExactClient {
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly host: string;
  private readonly port: number;

  /** `origin`: `http://127.0.0.1:PORT` (anything after the port is ignored). */
  constructor(origin: string) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  async send(request: ExactRequest): Promise<Reply> {
    try {
      return await this.attempt(request);
    } catch (error) {
      // A keep-alive connection the server closed just before it was reused: Node's documented
      // remedy is to send again once. Any other failure is the answer.
      const failure = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
      if (failure.reusedSocket && (failure.code === "ECONNRESET" || failure.message === "socket hang up")) return this.attempt(request);
      throw error;
    }
  }

  destroy(): void {
    this.agent.destroy();
  }

  private attempt({ method, target, headers = [], body, timeoutMs = 10_000 }: ExactRequest): Promise<Reply> {
    const raw: string[] = ["Host", `${this.host}:${this.port}`];
    for (const [name, value] of headers) raw.push(name, value);
    if (body !== undefined) raw.push("Content-Length", String(body.length));
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path: target, headers: raw, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve(reply(res.statusCode ?? 0, headers, Buffer.concat(chunks)));
        });
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer to ${method} ${target.slice(0, 200)} within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on("error", (error) => {
        clearTimeout(timer);
        reject(Object.assign(error, { reusedSocket: req.reusedSocket }));
      });
      req.end(body);
    });
  }
}
