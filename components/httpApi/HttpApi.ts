/** The HttpApi component: its children, created in order from the validated spec. */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkedArgs } from "../argumentErrors";
import { createApi } from "./api";
import type { HttpApiArgs, RestOnlyFeatures } from "./args";
import { createAuthorizers } from "./authorizers";
import { createIntegrations, integrationsByKey } from "./integrations";
import { createPermissions } from "./permissions";
import { refuseRestOnlyFeatures } from "./restOnlyFeatures";
import { createRoutes } from "./routes";
import { createAccessLogGroup, createStage } from "./stage";
import { validateHttpApiArgs } from "./validate";

/**
 * An HTTP API (API Gateway v2) with Lambda proxy routes (payload format 2.0), JWT authorizers,
 * CORS answered by API Gateway, and one auto-deployed stage with route throttling and JSON
 * access logs.
 */
export class HttpApi extends pulumi.ComponentResource {
  /** The underlying API. */
  public readonly api: aws.apigatewayv2.Api;
  /** The auto-deployed stage. */
  public readonly stage: aws.apigatewayv2.Stage;
  /** The access-log group of the stage. */
  public readonly accessLogGroup: aws.cloudwatch.LogGroup;
  /** Routes by route key (`GET /users/{id}`, `$default`). */
  public readonly routes: Record<string, aws.apigatewayv2.Route>;
  /** One Lambda proxy integration per function, by the function's logical name. */
  public readonly integrations: Record<string, aws.apigatewayv2.Integration>;
  /** JWT authorizers by name. */
  public readonly authorizers: Record<string, aws.apigatewayv2.Authorizer>;
  /** The invoke URL without a trailing slash; for the `$default` stage, the API endpoint. */
  public readonly url: pulumi.Output<string>;
  /** The API's id. */
  public readonly apiId: pulumi.Output<string>;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}`, for IAM policies. */
  public readonly executionArn: pulumi.Output<string>;

  /**
   * @param name - The component's name, the prefix of every child's name.
   * @param args - The routes, authorizers, CORS, stage, tags and transforms.
   * @param opts - The component's options. @default none
   */
  constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apigw-kit:index:HttpApi", name, {}, opts);
    const spec = checkedArgs(this, () => validateHttpApiArgs(args));
    const transform = args.transform ?? {};

    this.api = createApi(this, name, spec, transform);
    this.authorizers = createAuthorizers(this, name, this.api, spec.authorizers, transform);
    const integrations = createIntegrations(this, name, this.api, spec.routes, transform);
    this.integrations = integrationsByKey(integrations);
    this.routes = createRoutes(this, name, this.api, spec.routes, integrations, this.authorizers, transform);
    createPermissions(this, name, this.api, spec.routes, integrations, transform);
    this.accessLogGroup = createAccessLogGroup(this, name, this.api, spec, transform);
    this.stage = createStage(this, name, this.api, spec, this.accessLogGroup, Object.values(this.routes), transform);

    this.url = this.stage.invokeUrl.apply((u) => u.replace(/\/+$/, ""));
    this.apiId = this.api.id;
    this.executionArn = this.api.executionArn;
    this.registerOutputs({ url: this.url, apiId: this.apiId, executionArn: this.executionArn });
  }

  /**
   * Refuses, before any resource exists, config that asks an HTTP API for what only REST APIs
   * have. Throws naming every such feature and the config key that asked for it.
   * @param features - The features the config turns on.
   * @param configKeys - The config key of each feature, when the program's differ from
   *   {@link REST_ONLY_CONFIG_KEYS}. @default {} (those keys)
   */
  static refuseRestOnlyFeatures(features: RestOnlyFeatures, configKeys: Partial<Record<keyof RestOnlyFeatures, string>> = {}): void {
    refuseRestOnlyFeatures(features, configKeys);
  }
}
