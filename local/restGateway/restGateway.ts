import { randomUUID } from "node:crypto";
import { pooledRandom } from "../randomPool";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { InvokeResult } from "../lambda/lambdaRuntime";
import { GatewayResponseType, gatewayResponse, mappingValue } from "./gatewayResponses";
import { MappingTemplateError, renderMappingTemplate, type TemplateInput } from "./mappingTemplate";
import { LambdaAuthorizers, executeApiMethodArn, type AuthorizerOutcome } from "./lambdaAuthorizers";
import { GatewayMetrics, type RequestMetric } from "./metrics";
import { ModelValidator, missingParametersMessage, missingRequiredParameters, selectRequestModel } from "./requestValidation";
import { ResponseCache, cacheKey, capacityBytesForClusterSize, type CachedResponse } from "./responseCache";
import type { IntegrationModel, MethodModel, MethodSettingModel, RestApiModel } from "./restApiModel";
import { ResourceRouter } from "./router";
import { ThrottleChain, TokenBucket } from "./tokenBucket";
import type { UsagePlanEnforcer } from "./usagePlans";

/** What the gateway needs of the Lambda runtime. */
export interface LambdaInvoker {
  invoke(nameOrArn: string, event: unknown, options?: { timeoutMs?: number }): Promise<InvokeResult>;
}

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
  /** Told of every request served, after its metrics are recorded (the local metrics store). @default none */
  onRequest?: (metric: RequestMetric) => void;
}

/** What the gateway needs to check a Cognito token for a COGNITO_USER_POOLS authorizer. */
export interface CognitoTokenChecker {
  authorize(
    authorizer: import("./restApiModel").AuthorizerModel,
    token: string | undefined,
    scopes: string[] | undefined,
  ): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false }>;
}

/** REST API payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** The account-level limit every request also draws on (AWS's default quota). */
const DEFAULT_ACCOUNT_THROTTLE = { rate: 10_000, burst: 5_000 };
/** Proxy results may only carry these keys; any other makes the result malformed (502). */
const PROXY_RESULT_KEYS = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"]);

/** A request as the gateway sees it after parsing. */
interface GatewayRequest {
  requestId: string;
  extendedRequestId: string;
  startedAt: Date;
  httpMethod: string;
  /** The path after the stage, e.g. `/users/42`. */
  path: string;
  /** The path as requested, stage included (`$context.path` when no method matched). */
  requestPath: string;
  /** The raw query string without `?`. */
  rawQuery: string;
  headers: Record<string, string>;
  /** `headers` by lower-case name, for the gateway's own lookups (names are case-insensitive). */
  headersByLowerName: Map<string, string>;
  multiValueHeaders: Record<string, string[]>;
  query: Record<string, string>;
  multiValueQuery: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
}

/** A response ready to be written. */
interface GatewayAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
}

/**
 * The local REST API data plane: serves one deployed stage of a REST API from its recorded
 * resources, as API Gateway does (apigw-behavior.md): routing, throttling, request
 * validation, caching, Lambda proxy / Lambda / MOCK integrations with mapping templates,
 * binary media types, gateway responses and metrics.
 */
export class RestGateway {
  readonly metrics = new GatewayMetrics();
  readonly cache?: ResponseCache;
  private readonly model: RestApiModel;
  private readonly router: ResourceRouter;
  private readonly validator: ModelValidator;
  private readonly buckets = new Map<string, TokenBucket>();
  /** Each method's merged settings; the model does not change while the gateway serves it. */
  private readonly methodSettings = new Map<MethodModel, MethodSettingModel>();
  private readonly accountBucket: TokenBucket;
  private readonly now: () => number;
  /** TOKEN and REQUEST authorizers, with their result caches. */
  readonly lambdaAuthorizers: LambdaAuthorizers;

  constructor(private readonly options: RestGatewayOptions) {
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
    for (const [key, method] of this.model.methods) {
      // Better to refuse to start than to serve a protected method open.
      if (!["NONE", "CUSTOM", ...(options.cognito ? ["COGNITO_USER_POOLS"] : [])].includes(method.authorization)) {
        throw new Error(`local REST gateway: ${key} uses ${method.authorization} authorization, which this gateway cannot enforce`);
      }
    }
  }

  /** FlushStageCache. */
  flushCache(): void {
    this.cache?.flush();
  }

  /** Serves one HTTP request. Never throws: failures become gateway responses. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let route = "-";
    let integrationLatencyMs: number | undefined;
    let cacheResult: "hit" | "miss" | undefined;
    let answer: GatewayAnswer;
    let request: GatewayRequest | undefined;
    try {
      request = await readRequest(req);
      if (request.body.length > MAX_BODY_BYTES) {
        answer = this.errorAnswer("REQUEST_TOO_LARGE", request);
      } else {
        const outcome = await this.serve(request);
        answer = outcome.answer;
        route = outcome.route ?? "-";
        integrationLatencyMs = outcome.integrationLatencyMs;
        cacheResult = outcome.cache;
      }
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        answer = this.errorAnswer("REQUEST_TOO_LARGE", request);
      } else {
        process.stderr.write(`[rest-gateway] ${(err as Error).stack ?? err}\n`);
        answer = this.errorAnswer("API_CONFIGURATION_ERROR", request);
      }
    }
    const requestId = request?.requestId ?? randomUUID();
    const headers: Record<string, string | string[]> = { ...answer.headers, "x-amzn-RequestId": requestId, "x-amz-apigw-id": request?.extendedRequestId ?? extendedId() };
    const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
    headers["Content-Length"] = String(body.length);
    res.writeHead(answer.status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
    const metric: RequestMetric = { route, status: answer.status, latencyMs: performance.now() - started, integrationLatencyMs, cache: cacheResult };
    this.metrics.record(metric);
    this.options.onRequest?.(metric);
  }

  private async serve(request: GatewayRequest): Promise<{ answer: GatewayAnswer; route?: string; integrationLatencyMs?: number; cache?: "hit" | "miss" }> {
    // The stage is the first path segment; an unknown stage is an unknown route.
    const stagePrefix = `/${this.model.stageName}`;
    if (request.path !== stagePrefix && !request.path.startsWith(`${stagePrefix}/`)) {
      return { answer: this.errorAnswer("MISSING_AUTHENTICATION_TOKEN", request) };
    }
    request.path = request.path.slice(stagePrefix.length) || "/";
    const match = this.router.match(request.path);
    const method = match && (this.model.methods.get(`${request.httpMethod} ${match.resourcePath}`) ?? this.model.methods.get(`ANY ${match.resourcePath}`));
    if (!match || !method) return { answer: this.errorAnswer("MISSING_AUTHENTICATION_TOKEN", request) };
    const route = `${method.httpMethod} ${method.resourcePath}`;
    const context = this.requestContext(request, method);
    const templateInput: TemplateInput = {
      body: request.body.toString("utf8"),
      params: { path: match.pathParameters, querystring: request.query, header: request.headers },
      context,
      stageVariables: this.model.stageVariables,
    };
    const settings = this.settingsFor(method);

    // Authorization first: a Lambda authorizer (TOKEN / REQUEST) or a Cognito user pool.
    let authorized: Extract<AuthorizerOutcome, { kind: "allow" }> | undefined;
    if (method.authorization === "CUSTOM" || method.authorization === "COGNITO_USER_POOLS") {
      const authorizer = method.authorizerId ? this.model.authorizers.get(method.authorizerId) : undefined;
      if (!authorizer) return { route, answer: this.errorAnswer("API_CONFIGURATION_ERROR", request, templateInput) };
      if (method.authorization === "COGNITO_USER_POOLS") {
        const source = authorizer.identitySource.replace(/^method\.request\.header\./, "");
        const result = await this.options.cognito!.authorize(authorizer, requestHeader(request, source), method.authorizationScopes);
        if (!result.ok) return { route, answer: this.errorAnswer("UNAUTHORIZED", request, templateInput) };
        // Claims reach integrations as strings.
        context.authorizer = { claims: Object.fromEntries(Object.entries(result.claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)])) };
      } else {
        const outcome = await this.lambdaAuthorizers.authorize(authorizer, {
          methodArn: executeApiMethodArn({ region: this.options.region, accountId: this.options.accountId, apiId: this.model.apiId, stage: this.model.stageName, httpMethod: request.httpMethod, path: request.path }),
          headers: request.headers,
          multiValueHeaders: request.multiValueHeaders,
          queryStringParameters: request.query,
          multiValueQueryStringParameters: request.multiValueQuery,
          pathParameters: match.pathParameters,
          stageVariables: this.model.stageVariables,
          requestContext: context,
          resource: method.resourcePath,
          path: request.path,
          httpMethod: request.httpMethod,
        });
        if (outcome.kind === "unauthorized") return { route, answer: this.errorAnswer("UNAUTHORIZED", request, templateInput) };
        if (outcome.kind === "denied") return { route, answer: this.errorAnswer("ACCESS_DENIED", request, templateInput) };
        if (outcome.kind === "denied-explicit") {
          return { route, answer: this.errorAnswer("ACCESS_DENIED", request, templateInput, "User is not authorized to access this resource with an explicit deny") };
        }
        if (outcome.kind === "error") {
          process.stderr.write(`[rest-gateway] authorizer ${authorizer.name}: ${outcome.detail}\n`);
          return { route, answer: this.errorAnswer("AUTHORIZER_CONFIGURATION_ERROR", request, templateInput) };
        }
        authorized = outcome;
        // $context.authorizer.* in templates, requestContext.authorizer for proxies.
        context.authorizer = { principalId: outcome.principalId, ...outcome.context };
      }
    }

    // API key and usage plan (per-method plan limit, plan limit, quota), then the method's
    // stage limit and the account's: AWS's order; tokens are taken only if all admit.
    if (method.apiKeyRequired) {
      const key = this.model.apiKeySource === "AUTHORIZER" ? authorized?.usageIdentifierKey : requestHeader(request, "x-api-key");
      const check = this.options.usagePlans?.check(this.model.apiId, this.model.stageName, method.resourcePath, method.httpMethod, key, {
        alsoThrottle: this.throttleBuckets(method, settings),
      }) ?? { ok: false as const, response: "INVALID_API_KEY" as const };
      if (!check.ok) return { route, answer: this.errorAnswer(check.response, request, templateInput) };
      const identity = context.identity as Record<string, unknown>;
      identity.apiKey = key;
      identity.apiKeyId = check.keyId;
    } else if (!ThrottleChain.tryAll(this.throttleBuckets(method, settings))) {
      return { route, answer: this.errorAnswer("THROTTLED", request, templateInput) };
    }

    // Request validation: parameters, then the body against the model for its Content-Type.
    if (method.validator?.validateRequestParameters) {
      const missing = missingRequiredParameters(method.requestParameters, {
        headers: request.headers,
        pathParameters: match.pathParameters,
        queryStringParameters: request.query,
      });
      if (missing.length > 0) {
        const message = missingParametersMessage(missing);
        return { route, answer: this.errorAnswer("BAD_REQUEST_PARAMETERS", request, withError(templateInput, message, message), message) };
      }
    }
    if (method.validator?.validateRequestBody) {
      const modelName = selectRequestModel(method.requestModels, requestHeader(request, "content-type"));
      if (modelName) {
        const result = this.validator.validate(modelName, request.body.toString("utf8"));
        if (!result.valid) {
          return { route, answer: this.errorAnswer("BAD_REQUEST_BODY", request, withError(templateInput, "Invalid request body", result.validationErrorString)) };
        }
      }
    }

    // The stage cache, for the methods it applies to.
    const caching = this.cachingFor(method, settings);
    let key: string | undefined;
    if (caching && this.cache) {
      key = cacheKey({
        apiId: this.model.apiId,
        stage: this.model.stageName,
        method: method.httpMethod,
        resourcePath: method.resourcePath,
        keyParameters: (method.integration?.cacheKeyParameters ?? []).map((p) => [p, requestParameter(p, templateInput)]),
      });
      const wantsFresh = /(^|,)\s*max-age\s*=\s*0\s*(,|$)/i.test(requestHeader(request, "cache-control") ?? "");
      // When authorization is required, only callers allowed execute-api:InvalidateCache on
      // this method may refresh (ApiCache's invalidator roles).
      const mayRefresh =
        wantsFresh &&
        (!settings.requireAuthorizationForCacheControl ||
          (this.options.mayInvalidateCache?.(
            context.authorizer as Record<string, unknown> | undefined,
            executeApiMethodArn({ region: this.options.region, accountId: this.options.accountId, apiId: this.model.apiId, stage: this.model.stageName, httpMethod: request.httpMethod, path: request.path }),
          ) ?? false));
      if (wantsFresh && !mayRefresh && settings.unauthorizedCacheControlHeaderStrategy === "FAIL_WITH_403") {
        return { route, answer: this.errorAnswer("ACCESS_DENIED", request, templateInput) };
      }
      if (!mayRefresh) {
        const hit = this.cache.get(key);
        if (hit) return { route, cache: "hit", answer: { status: hit.statusCode, headers: hit.headers, body: hit.body } };
      }
    }

    if (!method.integration) return { route, answer: this.errorAnswer("API_CONFIGURATION_ERROR", request, templateInput) };
    const integrationStarted = performance.now();
    const answer = await this.integrate(method, method.integration, request, templateInput);
    const integrationLatencyMs = performance.now() - integrationStarted;
    if (key && this.cache && caching && answer.status >= 200 && answer.status < 300) {
      const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
      this.cache.set(key, { statusCode: answer.status, headers: flattenHeaders(answer.headers), body }, caching.ttlSeconds);
    }
    return { route, answer, integrationLatencyMs, cache: caching && this.cache ? "miss" : undefined };
  }

  private async integrate(method: MethodModel, integration: IntegrationModel, request: GatewayRequest, input: TemplateInput): Promise<GatewayAnswer> {
    switch (integration.type) {
      case "AWS_PROXY":
        return this.lambdaProxy(method, integration, request, input);
      case "AWS":
        return this.lambdaNonProxy(integration, request, input);
      case "MOCK":
        return this.mock(integration, request, input);
      default:
        return this.errorAnswer("API_CONFIGURATION_ERROR", request, input);
    }
  }

  /**
   * A result too large for Invoke is a function error, so a 502 like any other ("If the function
   * runs but returns an error ... API Gateway returns a 502", Lambda developer guide, "Handling
   * Lambda errors with an API Gateway API"); an event too large is answered 413 (see
   * lambdaRequestTooLarge below).
   */
  private async lambdaProxy(method: MethodModel, integration: IntegrationModel, request: GatewayRequest, input: TemplateInput): Promise<GatewayAnswer> {
    const binary = matchesBinaryMediaType(requestHeader(request, "content-type"), this.model.binaryMediaTypes);
    const event = {
      resource: method.resourcePath,
      path: request.path,
      httpMethod: request.httpMethod,
      headers: nullIfEmpty(request.headers),
      multiValueHeaders: nullIfEmpty(request.multiValueHeaders),
      queryStringParameters: nullIfEmpty(request.query),
      multiValueQueryStringParameters: nullIfEmpty(request.multiValueQuery),
      pathParameters: nullIfEmpty(input.params.path),
      stageVariables: nullIfEmpty(this.model.stageVariables),
      requestContext: input.context,
      body: request.body.length === 0 ? null : binary ? request.body.toString("base64") : request.body.toString("utf8"),
      isBase64Encoded: binary && request.body.length > 0,
    };
    const result = await this.options.lambda.invoke(integration.functionArn ?? "", event, { timeoutMs: integration.timeoutMs });
    if (result.kind === "timeout") return this.errorAnswer("INTEGRATION_TIMEOUT", request, input);
    if (result.kind === "rejected") return lambdaRequestTooLarge();
    if (result.kind !== "ok") return this.errorAnswer("INTEGRATION_FAILURE", request, input);
    const parsed = parseProxyResult(result.value);
    if (!parsed) return this.errorAnswer("INTEGRATION_FAILURE", request, input);
    let body: Buffer | string = parsed.body;
    const accept = requestHeader(request, "accept")?.split(",")[0]?.trim();
    if (parsed.isBase64Encoded && matchesBinaryMediaType(accept, this.model.binaryMediaTypes)) body = Buffer.from(parsed.body, "base64");
    if (!Object.keys(parsed.headers).some((h) => h.toLowerCase() === "content-type")) parsed.headers["Content-Type"] = "application/json";
    return { status: parsed.statusCode, headers: parsed.headers, body };
  }

  private async lambdaNonProxy(integration: IntegrationModel, request: GatewayRequest, input: TemplateInput): Promise<GatewayAnswer> {
    const mapped = this.mapRequest(integration, request, input);
    if ("unsupported" in mapped) return this.errorAnswer("UNSUPPORTED_MEDIA_TYPE", request, input);
    let event: unknown;
    try {
      event = mapped.payload.trim() === "" ? {} : JSON.parse(mapped.payload);
    } catch {
      // Lambda only takes JSON: a template or passthrough body that is not JSON fails.
      return this.errorAnswer("API_CONFIGURATION_ERROR", request, input);
    }
    const result = await this.options.lambda.invoke(integration.functionArn ?? "", event, { timeoutMs: integration.timeoutMs });
    if (result.kind === "timeout") return this.errorAnswer("INTEGRATION_TIMEOUT", request, input);
    if (result.kind === "rejected") return lambdaRequestTooLarge();
    if (result.kind === "throttled") return this.errorAnswer("API_CONFIGURATION_ERROR", request, input);
    if (result.kind === "error") {
      const errorBody = JSON.stringify({ errorMessage: result.errorMessage, errorType: result.errorType, requestId: input.context.requestId, stackTrace: result.trace });
      const response = selectResponse(integration, result.errorMessage) ?? defaultResponse(integration);
      return this.mapResponse(response, errorBody, request, input);
    }
    // The function's result is a JSON payload: a returned string arrives quoted (`"Pass"`) [recorded].
    const body = JSON.stringify(result.value ?? null);
    return this.mapResponse(defaultResponse(integration), body, request, input);
  }

  private mock(integration: IntegrationModel, request: GatewayRequest, input: TemplateInput): GatewayAnswer {
    const mapped = this.mapRequest(integration, request, input);
    if ("unsupported" in mapped) return this.errorAnswer("UNSUPPORTED_MEDIA_TYPE", request, input);
    let statusCode = 200;
    if (mapped.templated) {
      try {
        const parsed = JSON.parse(mapped.payload) as { statusCode?: unknown };
        statusCode = Number(parsed.statusCode ?? 200);
      } catch {
        return this.errorAnswer("API_CONFIGURATION_ERROR", request, input);
      }
    }
    const response = selectResponse(integration, String(statusCode)) ?? defaultResponse(integration);
    return this.mapResponse(response, "", request, input);
  }

  /** Applies the request template for the Content-Type, or the passthrough behaviour. */
  private mapRequest(integration: IntegrationModel, request: GatewayRequest, input: TemplateInput): { payload: string; templated: boolean } | { unsupported: true } {
    // No Content-Type means application/json.
    const contentType = mediaType(requestHeader(request, "content-type")) ?? "application/json";
    const template = integration.requestTemplates[contentType];
    if (template !== undefined) return { payload: renderMappingTemplate(template, input).output, templated: true };
    const hasTemplates = Object.keys(integration.requestTemplates).length > 0;
    const passes =
      integration.passthroughBehavior === "WHEN_NO_MATCH" || (integration.passthroughBehavior === "WHEN_NO_TEMPLATES" && !hasTemplates);
    return passes ? { payload: request.body.toString("utf8"), templated: false } : { unsupported: true };
  }

  /** Renders an integration response: status, header mappings, template and overrides. */
  private mapResponse(response: IntegrationModel["responses"][number] | undefined, body: string, request: GatewayRequest, input: TemplateInput): GatewayAnswer {
    if (!response) return { status: 200, headers: { "Content-Type": "application/json" }, body };
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    for (const [key, expression] of Object.entries(response.responseParameters)) {
      const value = mappingValue(expression, input);
      if (value !== undefined) headers[key.replace(/^method\.response\.header\./, "")] = value;
    }
    let status = Number(response.statusCode);
    let out = body;
    const accept = mediaType(requestHeader(request, "accept")?.split(",")[0]);
    const templateType = accept && response.responseTemplates[accept] !== undefined ? accept : Object.keys(response.responseTemplates)[0];
    if (templateType !== undefined) {
      const rendered = renderMappingTemplate(response.responseTemplates[templateType], { ...input, body });
      out = rendered.output;
      headers["Content-Type"] = templateType;
      if (rendered.responseOverride.status !== undefined) status = rendered.responseOverride.status;
      Object.assign(headers, rendered.responseOverride.headers);
    }
    return { status, headers, body: out };
  }

  private requestContext(request: GatewayRequest, method: MethodModel): Record<string, unknown> {
    const time = request.startedAt;
    return {
      resourceId: method.resourceId,
      resourcePath: method.resourcePath,
      httpMethod: request.httpMethod,
      extendedRequestId: request.extendedRequestId,
      requestTime: awsRequestTime(time),
      path: `/${this.model.stageName}${request.path}`,
      accountId: this.options.accountId,
      protocol: "HTTP/1.1",
      stage: this.model.stageName,
      domainPrefix: this.model.apiId,
      requestTimeEpoch: time.getTime(),
      requestId: request.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: request.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: requestHeader(request, "user-agent") ?? "",
        user: null,
      },
      domainName: requestHeader(request, "host") ?? "127.0.0.1",
      apiId: this.model.apiId,
    };
  }

  /** The method's settings: its own MethodSettings merged over the stage's `*\/*` (computed once per method). */
  private settingsFor(method: MethodModel): MethodSettingModel {
    let settings = this.methodSettings.get(method);
    if (!settings) {
      settings = { ...this.model.methodSettings["*/*"], ...this.model.methodSettings[methodSettingsPath(method)] };
      this.methodSettings.set(method, settings);
    }
    return settings;
  }

  /** Caching applies to GET by default, to other methods only when their own setting says so. */
  private cachingFor(method: MethodModel, settings: MethodSettingModel): { ttlSeconds: number } | undefined {
    if (!settings.cachingEnabled) return undefined;
    const own = this.model.methodSettings[methodSettingsPath(method)];
    if (method.httpMethod !== "GET" && !own?.cachingEnabled) return undefined;
    const ttlSeconds = settings.cacheTtlInSeconds ?? 300;
    return ttlSeconds > 0 ? { ttlSeconds } : undefined;
  }

  /** The stage limit of the method (its own bucket: AWS applies stage limits per method) and the account's. */
  private throttleBuckets(method: MethodModel, settings: MethodSettingModel): TokenBucket[] {
    const buckets = [this.accountBucket];
    if (settings.throttlingRateLimit !== undefined && settings.throttlingBurstLimit !== undefined && settings.throttlingRateLimit >= 0) {
      const key = `${method.httpMethod} ${method.resourcePath}`;
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = new TokenBucket(settings.throttlingRateLimit, settings.throttlingBurstLimit, this.now);
        this.buckets.set(key, bucket);
      }
      buckets.unshift(bucket);
    }
    return buckets;
  }

  private errorAnswer(type: GatewayResponseType, request?: GatewayRequest, input?: TemplateInput, message?: string): GatewayAnswer {
    const templateInput: TemplateInput = input ?? {
      body: request?.body.toString("utf8") ?? "",
      params: { path: {}, querystring: request?.query ?? {}, header: request?.headers ?? {} },
      context: { requestId: request?.requestId, stage: this.model.stageName, apiId: this.model.apiId, path: request?.requestPath, httpMethod: request?.httpMethod },
      stageVariables: this.model.stageVariables,
    };
    try {
      const response = gatewayResponse(type, this.model.gatewayResponses, templateInput, message !== undefined ? { message } : {});
      return { status: response.status, headers: response.headers, body: response.body };
    } catch (err) {
      if (!(err instanceof MappingTemplateError)) throw err;
      return { status: 500, headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "InternalServerErrorException" }, body: `{"message": "Internal server error"}` };
    }
  }
}

/**
 * An event the Invoke API refused as too large (6,291,456 bytes or more): 413
 * `{"message": "Request Too Long"}` with `x-amzn-ErrorType: BadRequestException`, as recorded
 * from a REST API in front of Lambda (koki-develop/lgtm-generator#10, 2021-09-12; the
 * developer guide's general "If the Lambda API rejects the invocation request, API Gateway
 * returns a 500" does not hold for this case). The recorder found that the REQUEST_TOO_LARGE
 * gateway response does not change it, so customisations do not apply here.
 */
function lambdaRequestTooLarge(): GatewayAnswer {
  return { status: 413, headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "BadRequestException" }, body: `{"message": "Request Too Long"}` };
}

class BodyTooLarge extends Error {}

async function readRequest(req: IncomingMessage): Promise<GatewayRequest> {
  const body = await readBody(req);
  const url = req.url ?? "/";
  const queryAt = url.indexOf("?");
  const rawPath = queryAt >= 0 ? url.slice(0, queryAt) : url;
  const rawQuery = queryAt >= 0 ? url.slice(queryAt + 1) : "";
  // Null-prototype maps: names such as `constructor` or `__proto__` are ordinary names here.
  const headers: Record<string, string> = Object.create(null);
  const headersByLowerName = new Map<string, string>();
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  // API Gateway keeps the client's header case (the first spelling seen); the last value wins
  // in `headers`.
  const spelling = new Map<string, string>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const value = req.rawHeaders[i + 1];
    const lower = req.rawHeaders[i].toLowerCase();
    const name = spelling.get(lower) ?? req.rawHeaders[i];
    spelling.set(lower, name);
    headers[name] = value;
    headersByLowerName.set(lower, value);
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = Object.create(null);
  const multiValueQuery: Record<string, string[]> = Object.create(null);
  if (rawQuery !== "") {
    for (const [name, value] of new URLSearchParams(rawQuery)) {
      query[name] = value;
      (multiValueQuery[name] ??= []).push(value);
    }
  }
  return {
    requestId: randomUUID(),
    extendedRequestId: extendedId(),
    startedAt: new Date(),
    httpMethod: (req.method ?? "GET").toUpperCase(),
    path: rawPath,
    requestPath: rawPath,
    rawQuery,
    headers,
    headersByLowerName,
    multiValueHeaders,
    query,
    multiValueQuery,
    body,
    sourceIp: normalizeIp(req.socket.remoteAddress),
  };
}

const EMPTY_BODY = Buffer.alloc(0);

/**
 * The request body, read to the end. Past the payload limit it keeps reading (so the client
 * sees the answer) but stops keeping, and throws BodyTooLarge at the end.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  // HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding has no body. Most
  // requests (GETs) take this path, without a stream read per request.
  const declaredLength = req.headers["content-length"];
  if (req.headers["transfer-encoding"] === undefined && (declaredLength === undefined || declaredLength === "0")) {
    req.resume();
    return Promise.resolve(EMPTY_BODY);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES + 1) chunks.push(chunk);
    });
    req.once("end", () => (size > MAX_BODY_BYTES ? reject(new BodyTooLarge()) : resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
    req.once("error", reject);
    // A client that goes away mid-body: nothing to answer.
    req.once("close", () => {
      if (!req.complete) reject(new Error("the client closed the connection before the end of the body"));
    });
  });
}

/** A request header by name, case-insensitively (the last value when repeated). */
function requestHeader(request: GatewayRequest, name: string): string | undefined {
  return request.headersByLowerName.get(name.toLowerCase());
}

/** The key of a method's own MethodSettings: `~1users~1{id}/GET`. */
function methodSettingsPath(method: MethodModel): string {
  return `${method.resourcePath.replace(/\//g, "~1")}/${method.httpMethod}`;
}

/** Validates a Lambda proxy result the way API Gateway does; undefined when malformed. */
export function parseProxyResult(value: unknown): { statusCode: number; headers: Record<string, string | string[]>; body: string; isBase64Encoded: boolean } | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const result = value as Record<string, unknown>;
  if (Object.keys(result).some((k) => !PROXY_RESULT_KEYS.has(k))) return undefined;
  let statusCode = 200;
  if (result.statusCode !== undefined) {
    const numeric = typeof result.statusCode === "number" ? result.statusCode : typeof result.statusCode === "string" && /^\d+$/.test(result.statusCode) ? Number(result.statusCode) : NaN;
    if (!Number.isInteger(numeric) || numeric < 100 || numeric > 599) return undefined;
    statusCode = numeric;
  }
  const headers: Record<string, string | string[]> = {};
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (typeof result.multiValueHeaders !== "object") return undefined;
    for (const [name, values] of Object.entries(result.multiValueHeaders as Record<string, unknown>)) {
      if (!Array.isArray(values)) return undefined;
      headers[name] = values.map(String);
    }
  }
  if (result.headers !== undefined && result.headers !== null) {
    if (typeof result.headers !== "object") return undefined;
    for (const [name, v] of Object.entries(result.headers as Record<string, unknown>)) {
      const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
      // Both given: AWS answers "multi, solo" [recorded].
      if (existing) headers[existing] = [...(headers[existing] as string[]), String(v)].join(", ");
      else headers[name] = String(v);
    }
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== "string") return undefined;
  return { statusCode, headers, body: (result.body as string | undefined) ?? "", isBase64Encoded: result.isBase64Encoded === true };
}

/** The integration response whose selectionPattern matches the whole text (Java `matches`). */
function selectResponse(integration: IntegrationModel, text: string) {
  return integration.responses.find((r) => {
    if (!r.selectionPattern) return false;
    try {
      return new RegExp(`^(?:${r.selectionPattern})$`).test(text);
    } catch {
      return false;
    }
  });
}

function defaultResponse(integration: IntegrationModel) {
  return integration.responses.find((r) => !r.selectionPattern);
}

/** `method.request.querystring.category` -> the request's value. */
function requestParameter(parameter: string, input: TemplateInput): string | undefined {
  const m = /^method\.request\.(querystring|header|path)\.(.+)$/.exec(parameter);
  if (!m) return undefined;
  if (m[1] === "header") return headerValue(input.params.header, m[2]);
  return input.params[m[1] as "querystring" | "path"][m[2]];
}

function withError(input: TemplateInput, message: string, validationErrorString: string): TemplateInput {
  return { ...input, context: { ...input.context, error: { message, validationErrorString } } };
}

export function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}

/** `application/json; charset=utf-8` -> `application/json` */
function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** Whether a media type matches one of the API's binary media types (wildcards allowed). */
export function matchesBinaryMediaType(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
  const type = mediaType(contentType);
  if (!type) return false;
  const [major, minor] = type.split("/");
  return binaryMediaTypes.some((pattern) => {
    const [pMajor, pMinor] = pattern.toLowerCase().split("/");
    return (pMajor === "*" || pMajor === major) && (pMinor === "*" || pMinor === minor);
  });
}

function flattenHeaders(headers: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]));
}

function nullIfEmpty<T extends object>(value: T): T | null {
  return Object.keys(value).length === 0 ? null : value;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `dd/MMM/yyyy:HH:mm:ss +0000`, as `$context.requestTime` is formatted. */
export function awsRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** `$context.extendedRequestId`: 16 characters of random base64url, as AWS's `x-amz-apigw-id`. */
function extendedId(): string {
  return pooledRandom(12, "base64url");
}

function normalizeIp(address: string | undefined): string {
  return (address ?? "127.0.0.1").replace(/^::ffff:/, "");
}

export type { CachedResponse };
