import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { HttpMethod } from "../apigateway";
import { checkedArgs } from "../argumentErrors";
import { arnPath } from "../resourcePaths";
import { createApi } from "./api";
import type { RestApiArgs } from "./args";
import { createAuthorizers } from "./authorizers";
import { createPreflights } from "./cors";
import { createDeployment } from "./deployment";
import { createGatewayResponses } from "./gatewayResponses";
import { createModels, createValidators } from "./models";
import { createResourceTree } from "./resourceTree";
import { createRoutes } from "./routes";
import { createAccessLogGroup, createMethodSettings, createStage } from "./stage";
import { RestApiChildren } from "./transform";
import { validateRestApiArgs } from "./validate";

/**
 * A REST API with a stage ready for production: endpoint type, binary media types, models and
 * validators, Lambda proxy / Lambda / MOCK routes, CORS, access logs and tracing, method
 * settings (throttling, caching) and gateway responses, redeployed whenever any of it changes.
 */
export class RestApi extends pulumi.ComponentResource {
  /** The underlying API. */
  public readonly restApi: aws.apigateway.RestApi;
  /** The deployment the stage serves. */
  public readonly deployment: aws.apigateway.Deployment;
  /** The stage. */
  public readonly stage: aws.apigateway.Stage;
  /** The access-log group of the stage. */
  public readonly accessLogGroup: aws.cloudwatch.LogGroup;
  /** The invoke URL with the stage, without a trailing slash. */
  public readonly url: pulumi.Output<string>;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}`, for IAM policies. */
  public readonly stageExecutionArn: pulumi.Output<string>;
  /** API Gateway resources by path ("/" is the root). */
  public readonly resources: Record<string, pulumi.Input<string>>;
  /** Methods by "METHOD /path". */
  public readonly methods: Record<string, aws.apigateway.Method>;
  /** Authorizers by name. */
  public readonly authorizers: Record<string, aws.apigateway.Authorizer>;

  /**
   * @param name - The component's name; every child's name starts with it.
   * @param args - The API (see {@link RestApiArgs}); checked before any child is created.
   * @param opts - The component's options.
   * @throws pulumi.ResourceError carrying the component, naming the argument that is wrong.
   */
  constructor(name: string, args: RestApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:RestApi", name, {}, opts);
    const spec = checkedArgs(this, () => validateRestApiArgs(args));
    // Every child is created through `children.make`, which applies the user's transform.
    const children = new RestApiChildren(this, args.transform);

    this.restApi = createApi(children, name, spec);
    this.resources = createResourceTree(children, name, this.restApi, spec.routes);
    const models = createModels(children, name, this.restApi, spec.models);
    const validators = createValidators(children, name, this.restApi, spec.validators);
    const authorizers = createAuthorizers(children, name, this.restApi, spec.authorizers);
    this.authorizers = authorizers.authorizers;
    const routes = createRoutes(children, name, spec.routes, {
      api: this.restApi,
      resources: this.resources,
      models,
      validators,
      authorizers: this.authorizers,
      cors: spec.cors,
    });
    this.methods = routes.methods;
    const preflights = spec.cors ? createPreflights(children, name, this.restApi, this.resources, spec.routes, spec.cors) : [];
    const gatewayResponses = createGatewayResponses(children, name, this.restApi, spec.gatewayResponses, spec.cors);

    this.deployment = createDeployment(children, name, this.restApi, spec, [
      ...routes.all,
      ...preflights,
      ...gatewayResponses,
      ...Object.values(models),
      ...Object.values(validators),
      ...authorizers.permissions,
    ]);
    this.accessLogGroup = createAccessLogGroup(children, name, this.restApi, spec);
    this.stage = createStage(children, name, { api: this.restApi, deployment: this.deployment, accessLogGroup: this.accessLogGroup }, spec);
    createMethodSettings(children, name, this.restApi, this.stage, spec.methodSettings);

    this.url = this.stage.invokeUrl.apply((u) => u.replace(/\/+$/, ""));
    this.stageExecutionArn = this.stage.executionArn;
    this.registerOutputs({ url: this.url, restApiId: this.restApi.id, stageName: this.stage.stageName });
  }

  /**
   * The execute-api ARN of one method on this stage (for IAM and authorizer policies);
   * path parameters become `*`.
   *
   * @param method - The method, or `*` for any.
   * @param path - The resource path, e.g. `/users/{id}`.
   */
  methodArn(method: HttpMethod | "*", path: string): pulumi.Output<string> {
    return pulumi.interpolate`${this.stage.executionArn}/${method}${arnPath(path)}`;
  }
}
