import { performance } from "node:perf_hooks";
import type { LambdaInvoker } from "../gateway/lambdaInvoker";
import { LambdaAuthorizers, executeApiMethodArn } from "./lambdaAuthorizers";
import type { RequestMetric } from "./metrics";
import { ModelValidator } from "./requestValidation";
import { ResponseCache, capacityBytesForClusterSize } from "./responseCache";
import type { AuthorizerModel, MethodModel, MethodSettingModel, RestApiModel } from "./restApiModel";
import { ResourceRouter } from "./router";
import { TokenBucket } from "./tokenBucket";
import type { UsagePlanEnforcer } from "./usagePlans";
import { ALL_METHODS_KEY, type HttpMethod, toMethodPath } from "../../components/apigateway";

export interface RestGatewayOptions {
  model: RestApiModel;
  lambda: LambdaInvoker;
  accountId: string;
  region: string;
  /** Clock for token buckets and the cache, in ms. @default performance.now */
  now?: () => number;
  /**
   * The account-level limit every request also draws on.
   * @default AWS's default quota: 10,000 requests/second, burst 5,000
   */
  accountThrottle?: { rate: number; burst: number };
  /**
   * API keys and usage plans; shared by every gateway of the cloud, since a key's limits
   * are summed over all stages of its plan.
   * @default none: methods requiring an API key refuse every request (no key is valid)
   */
  usagePlans?: UsagePlanEnforcer;
  /**
   * Checks COGNITO_USER_POOLS tokens; without it, methods using such an authorizer make the
   * gateway refuse to start.
   * @default none
   */
  cognito?: CognitoTokenChecker;
  /**
   * Whether a caller may refresh a cached entry with `Cache-Control: max-age=0` when the
   * method settings require authorization (IAM `execute-api:InvalidateCache` on the method
   * ARN), given what its authorizer put in `$context.authorizer`.
   * @default nobody may
   */
  mayInvalidateCache?: (authorizer: Record<string, unknown> | undefined, methodArn: string) => boolean;
  /**
   * The DynamoDB emulator's URL, which serves DynamoDB service integrations
   * (`arn:aws:apigateway:<region>:dynamodb:action/<Action>`).
   * @default none: such integrations answer 500
   */
  dynamoDbEndpoint?: string;
  /** Told of every request served, after its metrics are recorded (the local metrics store). @default none */
  onRequest?: (metric: RequestMetric) => void;
  /**
   * Receives each request's access-log line once its answer is sent: the stage's
   * `accessLogSettings.format` (or, without one, the console's CLF) with the request's
   * `$context` filled (local/logs/accessLogFormat.ts). Its `$context.requestId` is the answer's
   * `x-amzn-RequestId`, gateway responses included.
   * @default none: no line is rendered
   */
  accessLog?: (line: string) => void;
}

/** What the gateway needs to check a Cognito token for a COGNITO_USER_POOLS authorizer. */
export interface CognitoTokenChecker {
  authorize(authorizer: AuthorizerModel, token: string | undefined, scopes: string[] | undefined): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false }>;
}

/** The account-level limit every request also draws on (AWS's default quota). */
const DEFAULT_ACCOUNT_THROTTLE = { rate: 10_000, burst: 5_000 };

/**
 * One deployed stage of a REST API as the chain's steps use it: its model and what lives as
 * long as the stage (router, model validator, token buckets, cache, authorizer result caches).
 */
export class StageRuntime {
  readonly model: RestApiModel;
  readonly router: ResourceRouter;
  readonly validator: ModelValidator;
  readonly cache?: ResponseCache;
  /** TOKEN and REQUEST authorizers, with their result caches. */
  readonly lambdaAuthorizers: LambdaAuthorizers;
  readonly accountBucket: TokenBucket;
  readonly now: () => number;
  /** Each method's buckets (its own stage limit, then the account's), made once. */
  private readonly buckets = new Map<MethodModel, TokenBucket[]>();
  /** Each method's own settings and them merged over `*\/*`; the model does not change while the gateway serves it. */
  private readonly methodSettings = new Map<MethodModel, { own?: MethodSettingModel; merged: MethodSettingModel }>();

  /** @param options - The gateway's options. */
  constructor(readonly options: RestGatewayOptions) {
    this.model = options.model;
    this.now = options.now ?? (() => performance.now());
    this.router = new ResourceRouter(this.model.resourcePaths);
    this.validator = new ModelValidator(this.model.models);
    const account = options.accountThrottle ?? DEFAULT_ACCOUNT_THROTTLE;
    this.accountBucket = new TokenBucket(account.rate, account.burst, this.now);
    if (this.model.cacheClusterSize) {
      this.cache = new ResponseCache({ capacityBytes: capacityBytesForClusterSize(this.model.cacheClusterSize), now: () => this.now() });
    }
    this.lambdaAuthorizers = new LambdaAuthorizers({ lambda: options.lambda, now: this.now });
  }

  /**
   * The method's settings: its own MethodSettings merged over the stage's `*\/*` (computed once per method).
   *
   * @param method - The matched method.
   */
  settingsFor(method: MethodModel): MethodSettingModel {
    return this.resolvedSettings(method).merged;
  }

  /**
   * The method's own MethodSettings, without the stage's `*\/*`; undefined when it has none.
   *
   * @param method - The matched method.
   */
  ownSettingsFor(method: MethodModel): MethodSettingModel | undefined {
    return this.resolvedSettings(method).own;
  }

  private resolvedSettings(method: MethodModel): { own?: MethodSettingModel; merged: MethodSettingModel } {
    let settings = this.methodSettings.get(method);
    if (!settings) {
      const own = this.model.methodSettings[methodSettingsPath(method)];
      settings = { own, merged: { ...this.model.methodSettings[ALL_METHODS_KEY], ...own } };
      this.methodSettings.set(method, settings);
    }
    return settings;
  }

  /**
   * The method's own stage limit (AWS applies stage limits per method) before the account's.
   *
   * @param method - The matched method.
   * @param settings - Its merged settings.
   */
  throttleBuckets(method: MethodModel, settings: MethodSettingModel): TokenBucket[] {
    let buckets = this.buckets.get(method);
    if (!buckets) {
      buckets = [this.accountBucket];
      if (settings.throttlingRateLimit !== undefined && settings.throttlingBurstLimit !== undefined && settings.throttlingRateLimit >= 0) {
        buckets.unshift(new TokenBucket(settings.throttlingRateLimit, settings.throttlingBurstLimit, this.now));
      }
      this.buckets.set(method, buckets);
    }
    return buckets;
  }

  /**
   * The execute-api ARN of a request: what authorizer policies and InvalidateCache are about.
   *
   * @param httpMethod - The request's method.
   * @param path - The path after the stage.
   */
  methodArn(httpMethod: string, path: string): string {
    const { region, accountId } = this.options;
    return executeApiMethodArn({ region, accountId, apiId: this.model.apiId, stage: this.model.stageName, httpMethod, path });
  }
}

/**
 * The key of a method's own MethodSettings: `~1users~1{id}/GET`.
 *
 * @param method - The method.
 */
export function methodSettingsPath(method: MethodModel): string {
  return toMethodPath({ path: method.resourcePath, method: method.httpMethod as HttpMethod });
}
