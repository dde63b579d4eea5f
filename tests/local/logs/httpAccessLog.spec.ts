/**
 * The HTTP API gateway's access log: one line per request, in the stage's format, whose request
 * id is the answer's `apigw-requestid`, for the function's answers and the gateway's own.
 */
import { expect } from "chai";
import { HTTP_ACCESS_LOG_FORMAT } from "../../../components/httpApi/stage";
import type { HttpApiModel } from "../../../local/httpGateway/httpApiModel";
import type { JwtVerifier } from "../../../local/httpGateway/jwtVerifier";
import { waitFor } from "../../waitFor";
import { FakeLambda, type ServedGateway, httpModel, jwtAuthorizer, route, serveGateway } from "../httpGateway/gatewayHarness";

/** Accepts the token `good` (subject u-1), refuses any other. */
const VERIFIER: JwtVerifier = {
  verify: async (_authorizer, token) => (token === "good" ? { ok: true, claims: { sub: "u-1", scope: "read" } } : { ok: false, error: "the token is not signed by the issuer" }),
};

describe("HTTP API gateway access log", () => {
  let served: ServedGateway | undefined;
  let lines: string[];
  let lambda: FakeLambda;

  async function start(extra: Partial<HttpApiModel> = {}) {
    lines = [];
    lambda = new FakeLambda().returns("users", () => ({ statusCode: 202, body: "queued" }));
    served = await serveGateway({
      model: httpModel([route("GET /users", "users"), route("GET /me", "users", { authorizationType: "JWT", authorizerId: "jwt" }), route("GET /limited", "users")], {
        authorizers: new Map([["jwt", jwtAuthorizer("jwt")]]),
        routeThrottles: { "GET /limited": { rateLimit: 0, burstLimit: 0 } },
        ...extra,
      }),
      lambda,
      jwt: VERIFIER,
      accessLog: (line) => lines.push(line),
    });
  }

  /** Sends a request; its answer and the line it was logged with. */
  async function send(path: string, init: RequestInit = {}): Promise<{ response: Response; line: string }> {
    const before = lines.length;
    const response = await fetch(`${served!.url}${path}`, init);
    await response.arrayBuffer();
    await waitFor(() => lines.length > before, "the access line");
    expect(lines).to.have.length(before + 1);
    return { response, line: lines[before] };
  }

  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  describe("in the stage's format (our HttpApi's JSON)", () => {
    beforeEach(() => start({ accessLogFormat: HTTP_ACCESS_LOG_FORMAT }));

    it("logs the function's answer with the id of apigw-requestid", async () => {
      const { response, line } = await send("/users", { headers: { "User-Agent": 'agent "007"' } });
      expect(response.status).to.equal(202);
      const entry = JSON.parse(line);
      expect(entry.requestId).to.equal(response.headers.get("apigw-requestid"));
      expect(entry).to.include({
        ip: "127.0.0.1",
        userAgent: 'agent "007"',
        httpMethod: "GET",
        routeKey: "GET /users",
        path: "/users",
        status: "202",
        protocol: "HTTP/1.1",
        responseLength: "6",
        integrationStatus: "200",
        integrationError: "-",
        errorMessage: "-",
      });
      expect(Number(entry.responseLatency)).to.be.at.least(Number(entry.integrationLatency));
    });

    it("logs the gateway's own answers: no route (404), throttled (429), refused token (401)", async () => {
      const notFound = await send("/nowhere");
      expect(notFound.response.status).to.equal(404);
      expect(JSON.parse(notFound.line)).to.include({ requestId: notFound.response.headers.get("apigw-requestid"), status: "404", routeKey: "-", errorMessage: "Not Found", integrationLatency: "-" });

      const throttled = await send("/limited");
      expect(throttled.response.status).to.equal(429);
      expect(JSON.parse(throttled.line)).to.include({ requestId: throttled.response.headers.get("apigw-requestid"), status: "429", routeKey: "GET /limited", errorMessage: "Too Many Requests" });

      const refused = await send("/me", { headers: { Authorization: "Bearer bad" } });
      expect(refused.response.status).to.equal(401);
      expect(JSON.parse(refused.line)).to.include({
        requestId: refused.response.headers.get("apigw-requestid"),
        status: "401",
        errorMessage: "Unauthorized",
        authorizerError: "the token is not signed by the issuer",
      });
      expect(lambda.calls).to.have.length(0);
    });

    it("logs a function error as the integration's error", async () => {
      lambda.ends("users", { kind: "error", errorType: "TypeError", errorMessage: "x is undefined", trace: [], durationMs: 1 });
      const { response, line } = await send("/users");
      expect(response.status).to.equal(500);
      expect(JSON.parse(line)).to.include({ status: "500", integrationStatus: "200", integrationError: "x is undefined", errorMessage: "Internal Server Error" });
    });
  });

  it("fills the JWT claims of an admitted request", async () => {
    await start({ accessLogFormat: "$context.authorizer.claims.sub $context.integration.status $context.requestId" });
    const { response, line } = await send("/me", { headers: { Authorization: "Bearer good" } });
    expect(line).to.equal(`u-1 202 ${response.headers.get("apigw-requestid")}`);
  });

  it("logs the console's CLF when the stage declares no format", async () => {
    await start();
    const { response, line } = await send("/users");
    expect(line).to.match(new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "GET GET /users HTTP/1\\.1" 202 6 ${response.headers.get("apigw-requestid")!.replace(/[+/=]/g, "\\$&")}$`));
  });
});
