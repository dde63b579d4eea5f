import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { HttpApi } from "../../../components/httpApi";
import { ProgramRun, ResourceGraph, runProgram } from "../../../local/controlPlane";
import { HttpApiModel, httpApiModels, lambdaArnFromUri } from "../../../local/httpGateway/httpApiModel";
import type { JwtVerifier } from "../../../local/httpGateway/jwtVerifier";
import { FakeLambda, ServedGateway, ok, serveGateway } from "./gatewayHarness";

const ISSUER = "https://issuer.example.com";

function lambdaFunction(name: string): aws.lambda.Function {
  return new aws.lambda.Function(name, {
    name,
    role: "arn:aws:iam::123456789012:role/fn",
    runtime: "nodejs20.x",
    handler: "index.handler",
    code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 'ok';") }),
  });
}

/** Runs an inline program with one HttpApi, the way the local cloud deploys one. */
function deploy(stageName?: string): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    // In case the control plane does not answer v2 attributes yet.
    onCreate: async (type, _name, inputs, computed) => {
      if (type === "aws:apigatewayv2/api:Api" && !computed.executionArn) return { executionArn: "arn:aws:execute-api:us-east-1:123456789012:x", apiEndpoint: "https://x" };
      if (type === "aws:apigatewayv2/stage:Stage" && !computed.invokeUrl) return { invokeUrl: `https://x/${inputs.name}` };
      return undefined;
    },
    define: () => {
      const users = lambdaFunction("users");
      const fallback = lambdaFunction("fallback");
      new HttpApi("api", {
        jwtAuthorizers: { pool: { issuer: ISSUER, audience: ["client-1"], identitySource: "$request.header.X-Token" } },
        routes: [
          { method: "GET", path: "/users/{id}", function: users, authorizer: "pool", authorizationScopes: ["users/read"], throttle: { rateLimit: 0, burstLimit: 2 } },
          { method: "POST", path: "/users", function: users },
        ],
        defaultRoute: { function: fallback },
        cors: { allowOrigins: ["https://app.example.com"], maxAgeSeconds: 60 },
        stage: { name: stageName, throttle: { rateLimit: 50, burstLimit: 100 } },
      });
      return {};
    },
  });
}

describe("httpApiModels", () => {
  let run: ProgramRun;
  let model: HttpApiModel;
  const arn = (name: string) => run.graph.ofType("aws:lambda/function:Function").find((f) => f.inputs.name === name)!.state.arn as string;

  before(async () => {
    run = await deploy();
    const models = httpApiModels(run.graph);
    expect(models).to.have.length(1);
    model = models[0];
  });

  it("reads the API, its $default stage and throttles", () => {
    const api = run.graph.ofType("aws:apigatewayv2/api:Api")[0];
    expect(model.apiId).to.equal(api.id);
    expect(model.name).to.equal(api.state.name);
    expect(model.stageName).to.equal("$default");
    expect(model.stageVariables).to.deep.equal({});
    expect(model.defaultThrottle).to.deep.equal({ rateLimit: 50, burstLimit: 100 });
    expect(model.routeThrottles).to.deep.equal({ "GET /users/{id}": { rateLimit: 0, burstLimit: 2 } });
  });

  it("reads routes by route key with their function, authorizer and scopes", () => {
    expect([...model.routes.keys()].sort()).to.deep.equal(["$default", "GET /users/{id}", "POST /users"]);
    const get = model.routes.get("GET /users/{id}")!;
    expect(get).to.deep.include({ method: "GET", path: "/users/{id}", authorizationType: "JWT", authorizationScopes: ["users/read"] });
    expect(get.integration).to.deep.include({ type: "AWS_PROXY", functionArn: arn("users"), payloadFormatVersion: "2.0", timeoutMs: 30000 });
    expect(model.routes.get("POST /users")!).to.deep.include({ authorizationType: "NONE", authorizationScopes: [] });
    expect(model.routes.get("$default")!).to.deep.include({ method: "$default", path: undefined });
    expect(model.routes.get("$default")!.integration!.functionArn).to.equal(arn("fallback"));
    const authorizer = model.authorizers.get(get.authorizerId!)!;
    expect(authorizer).to.deep.include({ name: "pool", issuer: ISSUER, audiences: ["client-1"], identitySource: "$request.header.X-Token" });
  });

  it("reads the CORS configuration", () => {
    expect(model.cors).to.deep.equal({
      allowOrigins: ["https://app.example.com"],
      allowHeaders: ["Content-Type", "Authorization", "X-Amz-Date", "X-Api-Key", "X-Amz-Security-Token"],
      allowMethods: ["*"],
      exposeHeaders: [],
      allowCredentials: false,
      maxAgeSeconds: 60,
    });
  });

  it("reads a named stage", async () => {
    const named = httpApiModels((await deploy("dev")).graph);
    expect(named.map((m) => m.stageName)).to.deep.equal(["dev"]);
  });

  it("reads function ARNs from invoke ARNs and plain ARNs", () => {
    const fn = "arn:aws:lambda:eu-west-1:123456789012:function:my-fn";
    expect(lambdaArnFromUri(`arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${fn}/invocations`)).to.equal(fn);
    expect(lambdaArnFromUri(fn)).to.equal(fn);
    expect(lambdaArnFromUri("https://example.com/backend")).to.equal(undefined);
  });

  it("leaves WebSocket APIs out and refuses a route targeting no integration", () => {
    const graph = new ResourceGraph();
    const record = (type: string, id: string, inputs: Record<string, unknown>) =>
      graph.add({ urn: `urn:${id}`, type, name: id, dependencies: [], custom: true, inputs, id, state: { ...inputs } });
    record("aws:apigatewayv2/api:Api", "ws1", { protocolType: "WEBSOCKET" });
    record("aws:apigatewayv2/stage:Stage", "ws1-dev", { apiId: "ws1", name: "dev" });
    expect(httpApiModels(graph)).to.deep.equal([]);
    record("aws:apigatewayv2/api:Api", "http1", { protocolType: "HTTP" });
    record("aws:apigatewayv2/stage:Stage", "http1-stage", { apiId: "http1", name: "$default" });
    record("aws:apigatewayv2/route:Route", "r1", { apiId: "http1", routeKey: "GET /x", target: "integrations/gone" });
    expect(() => httpApiModels(graph)).to.throw('route GET /x of API http1: target "integrations/gone" is not an integration of the API');
  });

  describe("served by the HTTP gateway", () => {
    let served: ServedGateway;
    let lambda: FakeLambda;
    const jwt: JwtVerifier = {
      verify: async (_authorizer, token) => (token === "reader" ? { ok: true, claims: { sub: "u1", scope: "users/read" } } : { ok: false, error: "the token has expired" }),
    };

    before(async () => {
      lambda = new FakeLambda();
      served = await serveGateway({ model, lambda, jwt });
    });

    after(() => served.close());

    beforeEach(() => {
      // Answers by the function invoked, so the ARNs read from the graph must be right.
      lambda.invoke = async (functionArn, event) => {
        lambda.calls.push({ arn: functionArn, event });
        return ok(functionArn === arn("users") ? { statusCode: 200, body: "user" } : functionArn === arn("fallback") ? "fallback" : undefined);
      };
    });

    it("routes to the functions the program wired, behind the authorizer it configured", async () => {
      const reader = await fetch(`${served.url}/users/7`, { headers: { "x-token": "reader", origin: "https://app.example.com" } });
      expect(reader.status).to.equal(200);
      expect(await reader.text()).to.equal("user");
      expect(reader.headers.get("access-control-allow-origin")).to.equal("https://app.example.com");
      expect((await fetch(`${served.url}/users/7`, { headers: { authorization: "reader" } })).status).to.equal(401);
      expect(await (await fetch(`${served.url}/users`, { method: "POST" })).text()).to.equal("user");
      expect(await (await fetch(`${served.url}/elsewhere`)).text()).to.equal("fallback");
    });

    it("throttles the route by its stage route settings", async () => {
      const fresh = await serveGateway({ model, lambda, jwt });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) statuses.push((await fetch(`${fresh.url}/users/7`, { headers: { "x-token": "reader" } })).status);
        // Burst 2, rate 0; other routes keep the stage default (rate 50, burst 100).
        expect(statuses).to.deep.equal([200, 200, 429]);
        expect((await fetch(`${fresh.url}/users`, { method: "POST" })).status).to.equal(200);
      } finally {
        await fresh.close();
      }
    });
  });
});
