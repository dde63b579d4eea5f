/**
 * Real HTTP clients for the local-cloud integration specs: global fetch for ordinary requests,
 * `node:http` where the exact headers matter (no Content-Type at all, header case, repeated
 * headers) or the body is large.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { expect } from "chai";
import type { JsonDocument } from "../../jsonDocument";

export const PROJECT_ROOT = path.resolve(__dirname, "../../..");
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A response read to the end. Header names are lower case. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  json<T = JsonDocument>(): T;
}

/** A response read to the end, as a Reply. */
export function reply(status: number, headers: Record<string, string>, body: Buffer): Reply {
  const text = body.toString("utf8");
  return {
    status,
    headers,
    body,
    text,
    json<T>(): T {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Error(`expected a JSON body, got ${status} ${JSON.stringify(text.slice(0, 300))}`);
      }
    },
  };
}

/** fetch, read to the end. */
export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const body = Buffer.from(await res.arrayBuffer());
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  return reply(res.status, headers, body);
}

/**
 * A request with exactly these headers (node:http adds only Host, Connection and, for a body,
 * Content-Length). An array value sends the header once per element.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
        }
        resolve(reply(res.statusCode ?? 0, headers, Buffer.concat(chunks)));
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Every API Gateway response carries a request id (a UUID) and an extended request id. */
export function expectRequestIds(r: Reply): void {
  expect(r.headers["x-amzn-requestid"], "x-amzn-RequestId").to.match(UUID);
  expect(r.headers["x-amz-apigw-id"], "x-amz-apigw-id").to.be.a("string").and.match(/^[A-Za-z0-9+/=_-]{8,}$/);
}

/** A gateway error response: status, exact body, Content-Type, error type and request ids. */
export function expectGatewayError(r: Reply, status: number, body: string, errorType?: string): void {
  expect({ status: r.status, body: r.text }).to.deep.equal({ status, body });
  expect(r.headers["content-type"]).to.equal("application/json");
  if (errorType === undefined) expect(r.headers, "x-amzn-ErrorType").not.to.have.property("x-amzn-errortype");
  else expect(r.headers["x-amzn-errortype"]).to.equal(errorType);
  expectRequestIds(r);
}

/** A state directory (outputs.json) for one cloud of this process. */
export function stateDirFor(name: string): string {
  return path.join(PROJECT_ROOT, ".local", `test-${process.pid}-${name}`);
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts of each status. */
export function statusCounts(replies: Reply[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of replies) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}
