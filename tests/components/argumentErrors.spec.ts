/**
 * Every component refuses bad arguments the same way: before it creates any child, with a
 * `pulumi.ResourceError` that carries the component (so `pulumi up` reports the refusal against
 * its URN) and a message naming the argument path.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  ApiCache,
  ApiMonitoring,
  CognitoAuth,
  HandlerFunction,
  HttpApi,
  PrivateApiNetwork,
  RestApi,
  TokenAuthorizer,
  UsageTiers,
  WebAcl,
  WebSocketApi,
} from "../../components";
import { ProgramError, runProgram } from "../../local/controlPlane";

type ComponentClass = abstract new (...args: never[]) => pulumi.ComponentResource;

interface Refusal {
  component: ComponentClass;
  type: string;
  /** Builds the component with one bad argument. */
  build: () => void;
  /** The message, naming the argument. */
  message: string | RegExp;
}

const RETENTIONS = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653";

const stageOf = () => {
  const api = new aws.apigateway.RestApi("api", { name: "api" });
  const deployment = new aws.apigateway.Deployment("api-deployment", { restApi: api.id });
  return { api, stage: new aws.apigateway.Stage("api-stage", { restApi: api.id, deployment: deployment.id, stageName: "dev" }) };
};

const REFUSALS: Refusal[] = [
  {
    component: ApiCache,
    type: "ApiCache",
    build: () => {
      const { api, stage } = stageOf();
      new ApiCache("cache", { restApi: api, stage, flushFunction: { logRetentionDays: 2 } });
    },
    message: `ApiCache: flushFunction.logRetentionDays must be one of ${RETENTIONS} (got 2)`,
  },
  {
    component: ApiMonitoring,
    type: "ApiMonitoring",
    build: () => new ApiMonitoring("mon", { apiName: " ", stageName: "dev" }),
    message: "mon: apiName must not be empty",
  },
  {
    component: CognitoAuth,
    type: "CognitoAuth",
    build: () => new CognitoAuth("auth", { mfa: "SOMETIMES" as never }),
    message: /^mfa /,
  },
  {
    component: HandlerFunction,
    type: "HandlerFunction",
    build: () => new HandlerFunction("fn", { handlerFactory: () => async () => ({}), logRetentionDays: 2 }),
    message: `fn: logRetentionDays must be one of ${RETENTIONS} (got 2)`,
  },
  {
    component: HttpApi,
    type: "HttpApi",
    build: () => new HttpApi("http", { routes: [{ method: "GET", path: "/x", function: {} as never }], stage: { accessLogRetentionDays: 2 } }),
    message: `stage.accessLogRetentionDays must be one of ${RETENTIONS} (got 2)`,
  },
  {
    component: PrivateApiNetwork,
    type: "PrivateApiNetwork",
    build: () => new PrivateApiNetwork("net", { existing: { vpcId: "vpc-1", subnetIds: ["subnet-1"], cidrBlock: "10.0.0.0/16" }, availabilityZones: 3 }),
    message: /availabilityZones/,
  },
  {
    component: RestApi,
    type: "RestApi",
    build: () => new RestApi("rest", { routes: [{ method: "GET", path: "/", integration: { type: "MOCK", responses: [{ statusCode: "200" }] } }], stage: { name: "dev", accessLogRetentionDays: 2 } }),
    message: `stage.accessLogRetentionDays must be one of ${RETENTIONS} (got 2)`,
  },
  {
    component: TokenAuthorizer,
    type: "TokenAuthorizer",
    build: () => new TokenAuthorizer("hmac", { clients: [{ id: "partner" }], memorySize: 64 }),
    message: "hmac: memorySize must be an integer from 128 to 10240 MB (got 64)",
  },
  {
    component: UsageTiers,
    type: "UsageTiers",
    build: () => new UsageTiers("tiers", { stage: stageOf().stage, tiers: [{ name: "basic", throttle: { rateLimit: 5, burstLimit: 0 } }] }),
    message: "tiers[0] (basic).throttle.burstLimit must be >= 1 when rateLimit > 0: a bucket of 0 admits nothing",
  },
  {
    component: WebAcl,
    type: "WebAcl",
    build: () => new WebAcl("waf", { stageArn: "arn:aws:apigateway:us-east-1::/restapis/a/stages/dev", rateLimitPer5Minutes: 5 }),
    message: "rateLimitPer5Minutes must be an integer from 100 to 2000000000 (got 5)",
  },
  {
    component: WebSocketApi,
    type: "WebSocketApi",
    build: () => new WebSocketApi("ws", { stage: { throttle: { rateLimit: -1, burstLimit: 1 } } }),
    message: "stage.throttle.rateLimit must be a number >= 0 (got -1)",
  },
];

describe("argument errors of every component", function () {
  this.timeout(20_000);

  for (const refusal of REFUSALS) {
    it(`${refusal.type}: a pulumi.ResourceError carrying the component, naming the argument, before any child`, async () => {
      let error: unknown;
      try {
        await runProgram({ stack: "dev", define: () => (refusal.build(), {}) });
      } catch (err) {
        error = err;
      }
      expect(error, "the program should fail").to.be.instanceOf(ProgramError);
      const cause = (error as ProgramError).cause;
      expect(cause).to.be.instanceOf(pulumi.ResourceError);
      expect((cause as pulumi.ResourceError).resource).to.be.instanceOf(refusal.component);
      if (typeof refusal.message === "string") expect(cause.message).to.equal(refusal.message);
      else expect(cause.message).to.match(refusal.message);

      const graph = (error as ProgramError).graph;
      const component = graph.resources.filter((r) => r.type === `apigw-kit:index:${refusal.type}`);
      expect(component, "the component is registered, to carry the error").to.have.length(1);
      expect(graph.resources.filter((r) => r.parent === component[0].urn), "children").to.deep.equal([]);
    });
  }
});
