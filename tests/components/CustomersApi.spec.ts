import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { CognitoAuth } from "../../components/CognitoAuth";
import { CUSTOMER_FAMILIES, type CustomerFamily, type CustomerPlans, CustomersApi, type CustomersApiArgs, customerPlansOf } from "../../components/CustomersApi";
import { RestApi } from "../../components/restApi";
import { UsageTiers } from "../../components/UsageTiers";
import { ProgramError, type ProgramRun, type RecordedResource, runProgram } from "../../local/controlPlane";
import { recordedRoute } from "../program/apiRoutes";
import { type Statement, checkCustomersPolicy } from "./customersPolicy";

const T = {
  component: "apigw-kit:index:CustomersApi",
  handler: "apigw-kit:index:HandlerFunction",
  fn: "aws:lambda/function:Function",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  model: "aws:apigateway/model:Model",
  validator: "aws:apigateway/requestValidator:RequestValidator",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  usagePlan: "aws:apigateway/usagePlan:UsagePlan",
  stage: "aws:apigateway/stage:Stage",
  restApi: "aws:apigateway/restApi:RestApi",
};
const TIERS = ["basic", "premium", "enterprise"];

/**
 * The customers API on a REST API with a Cognito authorizer, a cached stage and the usage tiers,
 * composed as a program does: the plans reach the functions' policies through a deferred output.
 */
function runCustomersApi(args: Partial<CustomersApiArgs> = {}): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    define: () => {
      const auth = new CognitoAuth("users", { groups: ["admins", "users"] });
      const [plans, resolvePlans] = pulumi.deferredOutput<CustomerPlans>();
      const customers = new CustomersApi("customers", { tiers: TIERS, plans, cognito: { userPoolId: auth.userPoolId, userPoolClientId: auth.userPoolClientId }, ...args });
      const api = new RestApi("api", {
        stage: { name: "dev", cacheClusterSize: "0.5" },
        authorizers: { cognito: auth.authorizer() },
        validators: { body: "BODY" },
        models: customers.models,
        routes: customers.routes,
        methodSettings: { "*/*": { caching: { enabled: true, ttlSeconds: 60 } }, ...customers.methodSettings },
      });
      const usage = new UsageTiers("usage", { stage: api.stage });
      resolvePlans(customerPlansOf(api.stage, usage));
      // Exported so that a policy that cannot be made fails the run, as it fails `pulumi up`.
      return { plans: customerPlansOf(api.stage, usage), readPolicy: customers.functions.read.policy.policy };
    },
  });
}

describe("CustomersApi (under the mock control plane)", () => {
  let run: ProgramRun;
  let plans: CustomerPlans;
  const all = (type: string) => run.graph.ofType(type);
  const fnOf = (family: CustomerFamily) => run.graph.get(T.fn, `customers-${family}`);
  const policyOf = (family: CustomerFamily) => run.graph.get(T.rolePolicy, `customers-${family}-policy`);

  before(async () => {
    run = await runCustomersApi();
    plans = run.outputs.plans.value as CustomerPlans;
  });

  it("makes one function per family of routes, parented on the component", () => {
    const component = run.graph.get(T.component, "customers");
    const handlers = all(T.handler).filter((h) => h.parent === component.urn).map((h) => h.name).sort();
    expect(handlers).to.deep.equal(Object.keys(CUSTOMER_FAMILIES).map((f) => `customers-${f}`).sort());
  });

  it("tells each function the tiers, the user pool (its handler checks the token and the admins group again) and its own routes", () => {
    const pool = run.graph.get("aws:cognito/userPool:UserPool", "users-pool");
    const client = run.graph.get("aws:cognito/userPoolClient:UserPoolClient", "users-client");
    for (const family of Object.keys(CUSTOMER_FAMILIES) as CustomerFamily[]) {
      expect(fnOf(family).inputs.environment.variables, family).to.deep.equal({
        CUSTOMER_TIERS: JSON.stringify(TIERS),
        USER_POOL_ID: pool.id,
        USER_POOL_CLIENT_ID: client.id,
        CUSTOMER_FUNCTION_ROUTES: JSON.stringify(CUSTOMER_FAMILIES[family]),
      });
      expect(fnOf(family).inputs.runtime).to.equal("nodejs24.x");
    }
  });

  it("serializes the six functions' shared handler factory once: one archive for all, each function serving its own routes", async () => {
    const archives = new Set((Object.keys(CUSTOMER_FAMILIES) as CustomerFamily[]).map((family) => JSON.stringify(fnOf(family).inputs.code)));
    expect(archives.size).to.equal(1);
  });

  it("adds the eight routes, each behind the Cognito authorizer and invoking its family's function", () => {
    const authorizer = all(T.authorizer)[0];
    for (const [family, routes] of Object.entries(CUSTOMER_FAMILIES)) {
      for (const route of routes) {
        const [method, path] = route.split(" ");
        const { method: recorded, integration } = recordedRoute(run.graph, method, path);
        expect(recorded.inputs, route).to.include({ authorization: "COGNITO_USER_POOLS", authorizerId: authorizer.id, apiKeyRequired: false });
        expect(integration.inputs, route).to.include({ type: "AWS_PROXY", uri: fnOf(family as CustomerFamily).state.invokeArn });
      }
    }
  });

  it("validates the bodies of POST /customers and PUT /customers/{id}/tier against their models (BODY validator)", () => {
    const validator = all(T.validator)[0];
    expect(validator.inputs).to.include({ validateRequestBody: true, validateRequestParameters: false });
    const models = Object.fromEntries(all(T.model).map((m) => [m.inputs.name, JSON.parse(m.inputs.schema)]));
    expect(models.NewCustomer).to.deep.include({ type: "object", required: ["id", "tier"], additionalProperties: false });
    expect(models.CustomerTier).to.deep.include({ type: "object", required: ["tier"], additionalProperties: false });
    for (const [route, model] of [["POST /customers", "NewCustomer"], ["PUT /customers/{id}/tier", "CustomerTier"]]) {
      const [method, path] = route.split(" ");
      const { inputs } = recordedRoute(run.graph, method, path).method;
      expect(inputs, route).to.deep.include({ requestModels: { "application/json": model }, requestValidatorId: validator.id });
    }
    expect(recordedRoute(run.graph, "GET", "/customers/{id}/usage").method.inputs.requestParameters).to.deep.include({
      "method.request.querystring.startDate": false,
      "method.request.querystring.endDate": false,
    });
  });

  it("never caches its GETs on a cached stage", () => {
    const settings = Object.fromEntries(all(T.methodSettings).map((s) => [s.inputs.methodPath, s.inputs.settings]));
    expect(settings["~1customers/GET"]).to.include({ cachingEnabled: false });
    expect(settings["~1customers~1{id}~1usage/GET"]).to.include({ cachingEnabled: false });
  });

  it("scopes each role's policy to the stage's keys and the tiers' plans: no wildcard action, no * resource", () => {
    expect(plans).to.deep.equal({
      region: "us-east-1",
      restApiId: all(T.restApi)[0].id,
      stageName: "dev",
      planIds: Object.fromEntries(TIERS.map((t) => [t, run.graph.get(T.usagePlan, `usage-${t}`).id])),
    });
    const grants = Object.fromEntries((Object.keys(CUSTOMER_FAMILIES) as CustomerFamily[]).map((f) => [f, checkCustomersPolicy(policyOf(f).inputs.policy, plans)]));
    const read = ["GET /apikeys", "GET /usageplans"];
    expect(grants).to.deep.equal({
      onboard: [...read, "DELETE /apikeys/*", "POST /apikeys", "POST /usageplans/{plan}/keys", `PUT /tags/${encodeURIComponent("arn:aws:apigateway:us-east-1::/apikeys/")}*`].sort(),
      read: [...read, "GET /usageplans/{plan}/keys", "GET /usageplans/{plan}/usage"].sort(),
      tier: [...read, "DELETE /usageplans/{plan}/keys/*", "GET /usageplans/{plan}/keys", "POST /usageplans/{plan}/keys"].sort(),
      rotate: [...read, "DELETE /apikeys/*", "DELETE /usageplans/{plan}/keys/*", "GET /usageplans/{plan}/keys", "POST /apikeys", "POST /usageplans/{plan}/keys", `PUT /tags/${encodeURIComponent("arn:aws:apigateway:us-east-1::/apikeys/")}*`].sort(),
      state: ["GET /apikeys", "PATCH /apikeys/*"],
      remove: [...read, "DELETE /apikeys/*", "DELETE /usageplans/{plan}/keys/*", "GET /usageplans/{plan}/keys"].sort(),
    });
  });

  it("names every tier's plan, and only those, wherever a plan is named", () => {
    for (const family of ["read", "tier", "remove"] as CustomerFamily[]) {
      const statements = JSON.parse(policyOf(family).inputs.policy).Statement as Statement[];
      const named = new Set(statements.flatMap((s) => s.Resource).flatMap((r) => /\/usageplans\/([^/]+)\//.exec(r)?.[1] ?? []));
      expect([...named].sort(), family).to.deep.equal(Object.values(plans.planIds).sort());
    }
  });

  it("creates keys only with this stage's customer tags, and deletes only keys it made (origin api); switches any key of the stage", () => {
    const stageTag = `${plans.restApiId}/dev`;
    const statements = JSON.parse(policyOf("rotate").inputs.policy).Statement as Statement[];
    const create = statements.find((s) => s.Action[0] === "apigateway:POST" && s.Resource[0].endsWith("::/apikeys"))!;
    expect(create.Condition).to.deep.equal({
      StringEquals: { "aws:RequestTag/apigw-kit:stage": stageTag, "aws:RequestTag/apigw-kit:origin": "api" },
      Null: { "aws:RequestTag/customer": "false" },
      "ForAllValues:StringEquals": { "aws:TagKeys": ["customer", "apigw-kit:stage", "apigw-kit:origin"] },
    });
    const remove = statements.find((s) => s.Action[0] === "apigateway:DELETE" && s.Resource[0].endsWith("::/apikeys/*"))!;
    expect(remove.Condition).to.deep.equal({ StringEquals: { "aws:ResourceTag/apigw-kit:stage": stageTag, "aws:ResourceTag/apigw-kit:origin": "api" } });
    const patch = (JSON.parse(policyOf("state").inputs.policy).Statement as Statement[]).find((s) => s.Action[0] === "apigateway:PATCH")!;
    expect(patch.Condition).to.deep.equal({ StringEquals: { "aws:ResourceTag/apigw-kit:stage": stageTag } });
  });

  it("the policy check refuses what a lax policy would grant: apigateway:*, *, another plan, untagged keys", () => {
    const document = (statement: Partial<Statement>) => JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["apigateway:GET"], Resource: ["arn:aws:apigateway:us-east-1::/apikeys"], ...statement }] });
    expect(() => checkCustomersPolicy(document({ Action: ["apigateway:*"] }), plans)).to.throw("apigateway:* is not one specific action");
    expect(() => checkCustomersPolicy(document({ Action: ["*"] }), plans)).to.throw("* is not one specific action");
    expect(() => checkCustomersPolicy(document({ Resource: ["*"] }), plans)).to.throw("* is not a specific ARN");
    expect(() => checkCustomersPolicy(document({ Resource: ["arn:aws:apigateway:us-east-1::/usageplans/other/keys"] }), plans)).to.throw("names a plan that is not a tier's");
    expect(() => checkCustomersPolicy(document({ Action: ["apigateway:DELETE"], Resource: ["arn:aws:apigateway:us-east-1::/apikeys/*"] }), plans)).to.throw("needs a condition on the stage's tag");
    expect(() => checkCustomersPolicy(document({ Resource: ["arn:aws:apigateway:us-east-1::/restapis/*"] }), plans)).to.throw("wider than the customers' keys and plans");
    expect(checkCustomersPolicy(document({}), plans)).to.deep.equal(["GET /apikeys"]);
  });

  it("creates the policies only once the plans exist (they wait for the deferred plans), the functions before the stage", () => {
    const stage = all(T.stage)[0];
    const planUrns = all(T.usagePlan).map((p) => p.urn);
    for (const family of Object.keys(CUSTOMER_FAMILIES) as CustomerFamily[]) {
      if (family !== "state") expect(policyOf(family).dependencies, family).to.include.members(planUrns);
      expect(fnOf(family).dependencies, family).not.to.include(stage.urn);
    }
  });
});

describe("CustomersApi refusals", () => {
  async function refusal(args: Partial<CustomersApiArgs>): Promise<{ message: string; registered: RecordedResource[] }> {
    try {
      await runCustomersApi(args);
    } catch (err) {
      expect(err).to.be.instanceOf(ProgramError);
      return { message: (err as ProgramError).message, registered: (err as ProgramError).graph.resources };
    }
    throw new Error("expected the CustomersApi to be refused");
  }

  it("refuses bad arguments before any function exists, naming the field", async () => {
    const cases: Array<[Partial<CustomersApiArgs>, string]> = [
      [{ tiers: [] }, "CustomersApi: tiers must list at least one tier name"],
      [{ tiers: ["basic", "basic"] }, 'CustomersApi: tiers[1]: "basic" is listed twice'],
      [{ tiers: ["basic", ""] }, 'CustomersApi: tiers[1] must be a tier name (got "")'],
      [{ adminGroups: [] }, "CustomersApi: adminGroups must list at least one Cognito group name (got [])"],
      [{ memorySize: 64 }, "CustomersApi: memorySize must be an integer from 128 to 10240 MB (got 64)"],
    ];
    for (const [args, message] of cases) {
      const refused = await refusal(args);
      expect(refused.message, message).to.equal(message);
      expect(refused.registered.filter((r) => r.type === T.fn), message).to.deep.equal([]);
    }
  });

  it("fails the deployment naming a tier that has no plan", async () => {
    const refused = await refusal({ tiers: ["basic", "gold"] });
    expect(refused.message).to.contain('CustomersApi: plans.planIds has no usage plan for "gold"');
  });
});
