import { expect } from "chai";
import { WebSocketApi, WebSocketApiArgs, validateWebSocketApiArgs } from "../../components/WebSocketApi";
import { ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { descendantsOf, expectTagsOnEveryTaggableChild } from "./tagging";

const T = {
  component: "apigw-kit:index:WebSocketApi",
  api: "aws:apigatewayv2/api:Api",
  integration: "aws:apigatewayv2/integration:Integration",
  route: "aws:apigatewayv2/route:Route",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
  stage: "aws:apigatewayv2/stage:Stage",
  table: "aws:dynamodb/table:Table",
  function: "aws:lambda/function:Function",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  permission: "aws:lambda/permission:Permission",
};

function runApi(args: WebSocketApiArgs): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    define: () => {
      const api = new WebSocketApi("chat", args);
      return { websocketUrl: api.websocketUrl, connectionsTableName: api.connectionsTableName, managementEndpoint: api.managementEndpoint };
    },
  });
}

/** The policy statements (besides logs) of the function whose logical name is `chat-<slug>`. */
function statementsOf(run: ProgramRun, slug: string): Array<{ Action: string[]; Resource: string[] }> {
  const policy = run.graph.get(T.rolePolicy, `chat-${slug}-policy`);
  return JSON.parse(policy.inputs.policy).Statement.slice(1);
}

describe("components/WebSocketApi", function () {
  describe("with defaults", () => {
    let run: ProgramRun;
    let api: RecordedResource;
    before(async () => {
      run = await runApi({});
      api = run.graph.ofType(T.api)[0];
    });

    it("is a WEBSOCKET API routing on $request.body.action", () => {
      expect(run.graph.ofType(T.api)).to.have.length(1);
      expect(api.inputs).to.include({ protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" });
      expect(run.graph.ofType(T.component)).to.have.length(1);
    });

    it("runs its six functions on nodejs24.x", () => {
      const functions = run.graph.ofType(T.function);
      expect(functions).to.have.length(6);
      expect(functions.map((f) => f.inputs.runtime)).to.deep.equal(functions.map(() => "nodejs24.x"));
    });

    it("has a connections table: hash key connectionId, TTL on ttl, PAY_PER_REQUEST", () => {
      const [table] = run.graph.ofType(T.table);
      expect(table.inputs).to.deep.include({ hashKey: "connectionId", billingMode: "PAY_PER_REQUEST", ttl: { attributeName: "ttl", enabled: true } });
      expect(run.outputs.connectionsTableName.value).to.equal(table.state.name);
    });

    it("has the six routes, each on its own AWS_PROXY integration and function, none authorized", () => {
      const routes = run.graph.ofType(T.route);
      expect(routes.map((r) => r.inputs.routeKey).sort()).to.deep.equal(["$connect", "$default", "$disconnect", "broadcast", "direct", "whoami"]);
      const integrations = run.graph.ofType(T.integration);
      for (const route of routes) {
        const integration = integrations.find((i) => `integrations/${i.id}` === route.inputs.target)!;
        expect(integration.inputs).to.include({ integrationType: "AWS_PROXY", integrationMethod: "POST" });
        expect(route.inputs.authorizationType).to.equal("NONE");
      }
      expect(new Set(integrations.map((i) => i.inputs.integrationUri)).size).to.equal(6);
      expect(run.graph.ofType(T.authorizer)).to.have.length(0);
    });

    it("gives each function only what it uses", () => {
      const table = run.graph.ofType(T.table)[0].state.arn;
      const post = `${api.state.executionArn}/ws/POST/@connections/*`;
      expect(statementsOf(run, "connect")).to.deep.equal([{ Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [table] }]);
      expect(statementsOf(run, "disconnect")).to.deep.equal([{ Effect: "Allow", Action: ["dynamodb:DeleteItem"], Resource: [table] }]);
      expect(statementsOf(run, "broadcast")).to.deep.equal([
        { Effect: "Allow", Action: ["dynamodb:Scan", "dynamodb:DeleteItem"], Resource: [table] },
        { Effect: "Allow", Action: ["execute-api:ManageConnections"], Resource: [post] },
      ]);
      expect(statementsOf(run, "direct")).to.deep.equal([
        { Effect: "Allow", Action: ["dynamodb:DeleteItem"], Resource: [table] },
        { Effect: "Allow", Action: ["execute-api:ManageConnections"], Resource: [post] },
      ]);
      expect(statementsOf(run, "whoami")).to.deep.equal([{ Effect: "Allow", Action: ["execute-api:ManageConnections"], Resource: [post] }]);
      expect(statementsOf(run, "default")).to.deep.equal([{ Effect: "Allow", Action: ["execute-api:ManageConnections"], Resource: [post] }]);
    });

    it("lets API Gateway invoke each function for its own route only", () => {
      const sources = run.graph.ofType(T.permission).map((p) => p.inputs.sourceArn).sort();
      expect(sources).to.deep.equal(["$connect", "$default", "$disconnect", "broadcast", "direct", "whoami"].map((k) => `${api.state.executionArn}/*/${k}`).sort());
    });

    it("has an auto-deployed stage ws, throttled 500/1000, with JSON access logs; websocketUrl is wss://.../ws", () => {
      const [stage] = run.graph.ofType(T.stage);
      expect(stage.inputs).to.include({ name: "ws", autoDeploy: true });
      expect(stage.inputs.defaultRouteSettings).to.include({ throttlingRateLimit: 500, throttlingBurstLimit: 1000 });
      expect(JSON.parse(stage.inputs.accessLogSettings.format)).to.include({ connectionId: "$context.connectionId", eventType: "$context.eventType" });
      expect(run.outputs.websocketUrl.value).to.equal(`wss://${api.id}.execute-api.us-east-1.amazonaws.com/ws`);
      expect(run.outputs.managementEndpoint.value).to.equal(`https://${api.id}.execute-api.us-east-1.amazonaws.com/ws`);
    });
  });

  describe("with cognito", () => {
    it("guards $connect only with a REQUEST authorizer reading ?token, run by a function told the pool", async () => {
      const run = await runApi({ cognito: { userPoolId: "us-east-1_AbC", clientId: "client123" }, stage: { name: "live", throttle: { rateLimit: 5, burstLimit: 10 } } });
      const [authorizer] = run.graph.ofType(T.authorizer);
      expect(authorizer.inputs).to.deep.include({ authorizerType: "REQUEST", identitySources: ["route.request.querystring.token"] });
      const routes = run.graph.ofType(T.route);
      const connect = routes.find((r) => r.inputs.routeKey === "$connect")!;
      expect(connect.inputs).to.include({ authorizationType: "CUSTOM", authorizerId: authorizer.id });
      expect(routes.filter((r) => r.inputs.authorizationType === "CUSTOM")).to.have.length(1);
      const fn = run.graph.get(T.function, "chat-authorizer");
      expect(fn.inputs.environment.variables).to.deep.equal({ USER_POOL_ID: "us-east-1_AbC", USER_POOL_CLIENT_ID: "client123" });
      expect(authorizer.inputs.authorizerUri).to.equal(fn.state.invokeArn);
      expect(statementsOf(run, "authorizer")).to.deep.equal([]);
      expect(run.graph.ofType(T.stage)[0].inputs.defaultRouteSettings).to.include({ throttlingRateLimit: 5, throttlingBurstLimit: 10 });
    });

    it("runs every function, the authorizer's too, on the runtime it is given (nodejs24.x by default)", async () => {
      const run = await runApi({ cognito: { userPoolId: "us-east-1_AbC", clientId: "client123" }, runtime: "nodejs22.x" });
      const functions = run.graph.ofType(T.function);
      expect(functions.map((f) => f.name).sort()).to.deep.equal(
        ["authorizer", "broadcast", "connect", "default", "direct", "disconnect", "whoami"].map((slug) => `chat-${slug}`),
      );
      expect(functions.map((f) => f.inputs.runtime)).to.deep.equal(functions.map(() => "nodejs22.x"));
    });
  });

  describe("validation", () => {
    const cases: Array<[WebSocketApiArgs, string]> = [
      [{ stage: { name: "bad name" } }, `stage.name must be 1-128 letters, digits, '-' or '_' (got "bad name")`],
      [{ stage: { throttle: { rateLimit: -1, burstLimit: 1 } } }, "stage.throttle.rateLimit must be a number >= 0 (got -1)"],
      [{ stage: { throttle: { rateLimit: 1, burstLimit: 1.5 } } }, "stage.throttle.burstLimit must be an integer >= 0 (got 1.5)"],
      [{ stage: { accessLogRetentionDays: 0 } }, "stage.accessLogRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 0)"],
      [{ stage: { accessLogRetentionDays: 2 } }, "stage.accessLogRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 2)"],
      [{ logRetentionDays: 2 }, "logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 2)"],
      [{ stage: { throttle: { rateLimit: 5, burstLimit: 0 } } }, "stage.throttle.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing"],
      [{ broadcastConcurrency: 0 }, "broadcastConcurrency must be an integer from 1 to 100 (got 0)"],
      [{ cognito: { userPoolId: "", clientId: "c" } }, "cognito.userPoolId is required when cognito is set"],
      [{ cognito: { userPoolId: "p", clientId: "" } }, "cognito.clientId is required when cognito is set"],
      [{ runtime: "nodejs20.x" as never }, `runtime must be one of nodejs24.x, nodejs22.x (got "nodejs20.x", which AWS Lambda deprecated on 2026-04-30: creating functions on it is blocked from 2026-08-31, updating them from 2026-09-30)`],
      [{ runtime: "python3.12" as never }, 'runtime must be one of nodejs24.x, nodejs22.x (got "python3.12", which is not a Node.js runtime AWS Lambda offers)'],
    ];
    for (const [args, message] of cases) {
      it(`refuses: ${message}`, () => expect(() => validateWebSocketApiArgs(args)).to.throw(message));
    }

    it("accepts broadcastConcurrency 1 and 100, the bounds", () => {
      expect(validateWebSocketApiArgs({ broadcastConcurrency: 1 }).broadcastConcurrency).to.equal(1);
      expect(validateWebSocketApiArgs({ broadcastConcurrency: 100 }).broadcastConcurrency).to.equal(100);
    });

    it("fails the program before any resource exists", async () => {
      let error: Error | undefined;
      await runApi({ broadcastConcurrency: 101 }).catch((e: Error) => (error = e));
      expect(error?.message).to.contain("broadcastConcurrency must be an integer from 1 to 100 (got 101)");
    });
  });
});

describe("components/WebSocketApi tags and transform", function () {
  const cognito = { userPoolId: "us-east-1_AbC", clientId: "client123" };
  const logGroup = "aws:cloudwatch/logGroup:LogGroup";
  const role = "aws:iam/role:Role";

  describe("tags", () => {
    const tags = { team: "chat", costCenter: "1234" };
    let run: ProgramRun;
    before(async () => {
      run = await runApi({
        cognito,
        tags,
        // A tag of the table's own, added beside the component's.
        transform: { connectionsTable: (args) => void (args.tags = { ...(args.tags as Record<string, string>), data: "connections" }) },
      });
    });

    it("reach every taggable child, the seven functions' roles, functions and log groups included", () => {
      const tagged = expectTagsOnEveryTaggableChild(run, T.component, tags);
      const count = (type: string) => tagged.filter((r) => r.type === type).length;
      expect([T.api, T.stage, T.table, logGroup, role, T.function].map(count)).to.deep.equal([1, 1, 1, 8, 7, 7]);
    });

    it("keep a child's own tags beside the component's", () => {
      expect(run.graph.ofType(T.table)[0].inputs.tags).to.deep.equal({ ...tags, data: "connections" });
      expect(run.graph.ofType(T.api)[0].inputs.tags).to.deep.equal(tags);
    });
  });

  describe("transform", () => {
    let run: ProgramRun;
    const seen: Record<string, string[]> = { route: [], authorizer: [] };
    before(async () => {
      run = await runApi({
        cognito,
        transform: {
          api: { description: "from the transform" },
          connectionsTable: { pointInTimeRecovery: { enabled: true } },
          logGroup: { retentionInDays: 90 },
          stage: { description: "live" },
          integration: { description: "lambda proxy" },
          permission: { statementId: "AllowApiGateway" },
          // Options are not recorded by the mocks (a RecordedResource has no options), so the
          // specs assert on the args the functions changed; transform.spec.ts covers options.
          authorizer: (args, opts, name) => {
            seen.authorizer.push(name);
            args.identitySources = ["route.request.querystring.token", "route.request.header.Origin"];
            opts.protect = true;
          },
          route: (args, opts, name) => {
            seen.route.push(name);
            args.operationName = name;
            opts.deleteBeforeReplace = true;
          },
          routeHandler: { function: { memorySize: 1024 } },
          authorizerHandler: { function: (args) => void (args.timeout = 5) },
        },
      });
    });

    it("merges a transform object over a child's args, keeping the rest", () => {
      const [table] = run.graph.ofType(T.table);
      expect(table.inputs).to.deep.include({ pointInTimeRecovery: { enabled: true }, hashKey: "connectionId", ttl: { attributeName: "ttl", enabled: true } });
      expect(run.graph.ofType(T.api)[0].inputs).to.include({ description: "from the transform", protocolType: "WEBSOCKET" });
      expect(run.graph.ofType(T.stage)[0].inputs).to.include({ description: "live", name: "ws", autoDeploy: true });
      expect(run.graph.get(logGroup, "chat-access-logs").inputs).to.include({ retentionInDays: 90 });
    });

    it("lets a transform function change a child's args, given the child's name", () => {
      expect(seen.authorizer).to.deep.equal(["chat-authorizer"]);
      expect(run.graph.ofType(T.authorizer)[0].inputs).to.deep.include({
        authorizerType: "REQUEST",
        identitySources: ["route.request.querystring.token", "route.request.header.Origin"],
      });
    });

    it("transforms every route, integration and permission, each once", () => {
      const routes = run.graph.ofType(T.route);
      expect(routes).to.have.length(6);
      expect(seen.route.slice().sort()).to.deep.equal(routes.map((r) => r.name).sort());
      for (const route of routes) expect(route.inputs.operationName, route.name).to.equal(route.name);
      expect(run.graph.ofType(T.integration).map((i) => i.inputs.description)).to.deep.equal(Array(6).fill("lambda proxy"));
      // Six routes' permissions and the authorizer's.
      expect(run.graph.ofType(T.permission).map((p) => p.inputs.statementId)).to.deep.equal(Array(7).fill("AllowApiGateway"));
    });

    it("hands routeHandler to the six route functions and authorizerHandler to the authorizer's", () => {
      const functions = run.graph.ofType(T.function);
      const bySlug = (slug: string) => functions.find((f) => f.name === `chat-${slug}`)!.inputs;
      for (const slug of ["connect", "disconnect", "default", "broadcast", "direct", "whoami"]) {
        expect(bySlug(slug), slug).to.include({ memorySize: 1024, timeout: 29 });
      }
      expect(bySlug("authorizer")).to.include({ memorySize: 256, timeout: 5 });
    });

    it("leaves children untagged without tags", () => {
      for (const child of descendantsOf(run, T.component)) expect(child.inputs.tags, `${child.type} ${child.name}`).to.equal(undefined);
    });
  });
});
