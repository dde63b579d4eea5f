/**
 * The stage's `accessLogSettings.format` as the local cloud records it: our components' formats
 * reach the REST and HTTP API models, and a stage without access logs has none.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { HttpApi } from "../../../components/httpApi";
import { HTTP_ACCESS_LOG_FORMAT } from "../../../components/httpApi/stage";
import { RestApi } from "../../../components/restApi";
import { ACCESS_LOG_FORMAT } from "../../../components/restApi/stage";
import { type ProgramRun, runProgram } from "../../../local/controlPlane";
import { httpApiModels } from "../../../local/httpGateway/httpApiModel";
import { restApiModels } from "../../../local/restGateway/restApiModel";

const MOCK_ROUTE = {
  path: "/health",
  method: "GET" as const,
  integration: { type: "MOCK" as const, responses: [{ statusCode: "200", responseTemplates: { "application/json": '{"ok": true}' } }] },
};

/** Our two API components, and a plain REST API and HTTP API whose stages declare no access log. */
function deploy(): Promise<ProgramRun> {
  return runProgram({
    stack: "dev",
    define: () => {
      new RestApi("ours", { stage: { name: "dev" }, routes: [MOCK_ROUTE] });
      const fn = new aws.lambda.Function("fn", {
        name: "fn",
        role: "arn:aws:iam::123456789012:role/fn",
        runtime: "nodejs24.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 'ok';") }),
      });
      new HttpApi("oursHttp", { routes: [{ method: "GET", path: "/users", function: fn }] });

      const plain = new aws.apigateway.RestApi("plain", { name: "plain" });
      const method = new aws.apigateway.Method("plain-get", { restApi: plain.id, resourceId: plain.rootResourceId, httpMethod: "GET", authorization: "NONE" });
      const integration = new aws.apigateway.Integration("plain-mock", { restApi: plain.id, resourceId: plain.rootResourceId, httpMethod: "GET", type: "MOCK" }, { dependsOn: [method] });
      const deployment = new aws.apigateway.Deployment("plain-deployment", { restApi: plain.id }, { dependsOn: [integration] });
      new aws.apigateway.Stage("plain-stage", { restApi: plain.id, deployment: deployment.id, stageName: "v1" });
      const plainHttp = new aws.apigatewayv2.Api("plain-http", { protocolType: "HTTP" });
      new aws.apigatewayv2.Stage("plain-http-stage", { apiId: plainHttp.id, name: "$default" });
      return {};
    },
  });
}

describe("the stage's access-log format in the local cloud's models", () => {
  let run: ProgramRun;

  before(async () => {
    run = await deploy();
  });

  it("records a REST stage's accessLogSettings.format (our RestApi's JSON); none without it", () => {
    const models = restApiModels(run.graph);
    expect(models.map((m) => [m.stageName, m.accessLogFormat])).to.have.deep.members([
      ["dev", ACCESS_LOG_FORMAT],
      ["v1", undefined],
    ]);
  });

  it("records an HTTP API stage's accessLogSettings.format (our HttpApi's JSON); none without it", () => {
    const formats = httpApiModels(run.graph).map((m) => m.accessLogFormat);
    expect(formats).to.have.deep.members([HTTP_ACCESS_LOG_FORMAT, undefined]);
  });
});
