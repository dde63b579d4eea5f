/** Shared by the HTTP gateway specs: a hand-built model, a fake Lambda, a real server. */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpApiModel, HttpRouteModel, JwtAuthorizerModel } from "../../../local/httpGateway/httpApiModel";
import { HttpGateway, type HttpGatewayOptions } from "../../../local/httpGateway/httpGateway";
import type { InvokeResult } from "../../../local/lambda/lambdaRuntime";
import type { LambdaInvoker } from "../../../local/gateway/lambdaInvoker";
import type { JsonDocument } from "../../jsonDocument";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const API_ID = "a1b2c3d4e5";

export function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

export function ok(value: unknown): InvokeResult {
  return { kind: "ok", value, durationMs: 1, coldStart: false };
}

/** A Lambda runtime stand-in: answers per function, records every invocation. */
export class FakeLambda implements LambdaInvoker {
  readonly calls: Array<{ arn: string; event: JsonDocument; timeoutMs?: number }> = [];
  private readonly handlers = new Map<string, (event: JsonDocument) => InvokeResult | Promise<InvokeResult>>();

  /** The function returns `answer(event)` (its result value). */
  returns(name: string, answer: (event: JsonDocument) => unknown): this {
    this.handlers.set(functionArn(name), (event) => ok(answer(event)));
    return this;
  }

  /** The invocation ends as `result` (an error, a timeout, ...). */
  ends(name: string, result: InvokeResult): this {
    this.handlers.set(functionArn(name), () => result);
    return this;
  }

  async invoke(arn: string, event: unknown, options?: { timeoutMs?: number }): Promise<InvokeResult> {
    // Events cross as JSON, as through the Invoke API.
    const copy = JSON.parse(JSON.stringify(event));
    this.calls.push({ arn, event: copy, timeoutMs: options?.timeoutMs });
    const handler = this.handlers.get(arn);
    if (!handler) return { kind: "error", errorType: "ResourceNotFoundException", errorMessage: `no function ${arn}`, trace: [], durationMs: 0 };
    return handler(copy);
  }

  /** The event of the only invocation so far. */
  lastEvent(): JsonDocument {
    if (this.calls.length === 0) throw new Error("the function was not invoked");
    return this.calls[this.calls.length - 1].event;
  }
}

/** A route of a Lambda proxy integration (payload 2.0) answered by the function `fn`. */
export function route(routeKey: string, fn: string, extra: Partial<HttpRouteModel> = {}): HttpRouteModel {
  const [method, path] = routeKey === "$default" ? ["$default", undefined] : routeKey.split(" ");
  return {
    routeKey,
    method,
    path,
    integration: { id: `int-${fn}`, type: "AWS_PROXY", functionArn: functionArn(fn), payloadFormatVersion: "2.0", timeoutMs: 30000 },
    authorizationType: "NONE",
    authorizationScopes: [],
    ...extra,
  };
}

export function jwtAuthorizer(id: string, extra: Partial<JwtAuthorizerModel> = {}): JwtAuthorizerModel {
  return { id, name: id, issuer: "https://issuer.example.com", audiences: ["client-1"], identitySource: "$request.header.Authorization", ...extra };
}

/** A model by hand: the routes, and anything else replaced. */
export function httpModel(routes: HttpRouteModel[], extra: Partial<HttpApiModel> = {}): HttpApiModel {
  return {
    apiId: API_ID,
    name: "test-api",
    stageName: "$default",
    stageVariables: {},
    routes: new Map(routes.map((r) => [r.routeKey, r])),
    authorizers: new Map(),
    defaultThrottle: {},
    routeThrottles: {},
    ...extra,
  };
}

export interface ServedGateway {
  gateway: HttpGateway;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** Serves a gateway on 127.0.0.1 (a free port) with a real http.Server. */
export async function serveGateway(options: Omit<HttpGatewayOptions, "accountId" | "region">): Promise<ServedGateway> {
  const gateway = new HttpGateway({ accountId: ACCOUNT, region: REGION, ...options });
  const server = http.createServer((req, res) => void gateway.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    gateway,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The JSON body of a response. */
export async function json(response: Response): Promise<unknown> {
  return JSON.parse(await response.text());
}
