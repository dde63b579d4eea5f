import type { RecordedResource, ResourceGraph } from "../controlPlane";
import { ALL_METHODS_KEY, AUTHORIZER_RESULT_TTL_SECONDS, DEFAULT_IDENTITY_SOURCE, INTEGRATION_TIMEOUT_MS, parseMethodPath, toMethodPath } from "../../components/apigateway";
import { apiStages, childrenOfApi } from "../gateway/apiStages";
import { withImportedBodies } from "../openapi/import/servedGraph";
import { DEFINITION_TYPES } from "../openapi/import/records";

/** One method of the deployed API, with everything the gateway needs to serve it. */
export interface MethodModel {
  resourceId: string;
  /** The resource path with parameters, e.g. `/users/{id}`. */
  resourcePath: string;
  httpMethod: string;
  authorization: string;
  authorizerId?: string;
  authorizationScopes?: string[];
  apiKeyRequired: boolean;
  /** `method.request.<location>.<name>` -> required */
  requestParameters: Record<string, boolean>;
  /** Content-Type -> model name */
  requestModels: Record<string, string>;
  validator?: { validateRequestBody: boolean; validateRequestParameters: boolean };
  integration?: IntegrationModel;
  /** Status code -> declared response parameters. */
  methodResponses: Record<string, Record<string, boolean>>;
}

export interface IntegrationModel {
  type: "AWS_PROXY" | "AWS" | "MOCK" | "HTTP" | "HTTP_PROXY";
  /**
   * The integration URI as declared: an `http(s)://` URL (HTTP, HTTP_PROXY; may hold `{name}`
   * path placeholders and `${stageVariables.x}`), or an `arn:aws:apigateway:...` URI (AWS,
   * AWS_PROXY). Undefined for MOCK.
   */
  uri?: string;
  /** `integrationHttpMethod`: the method sent to the endpoint (`ANY`: the client's). Undefined for MOCK. */
  integrationHttpMethod?: string;
  /** The Lambda function's ARN, read from the integration URI. */
  functionArn?: string;
  /** For AWS / AWS_PROXY: what the URI targets (Lambda, or a DynamoDB action). */
  awsTarget?: AwsIntegrationTarget;
  /** `integration.request.{header,querystring,path}.<name>` -> mapping expression. */
  requestParameters: Record<string, string>;
  /** INTERNET, or VPC_LINK (never served: a model with a VPC link is refused). */
  connectionType: "INTERNET" | "VPC_LINK";
  /** How the request body is converted before the request template; undefined is passthrough. */
  contentHandling?: ContentHandling;
  requestTemplates: Record<string, string>;
  passthroughBehavior: "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";
  cacheKeyParameters: string[];
  timeoutMs: number;
  responses: IntegrationResponseModel[];
}

export interface IntegrationResponseModel {
  statusCode: string;
  selectionPattern?: string;
  responseTemplates: Record<string, string>;
  /** `method.response.header.<name>` -> mapping expression */
  responseParameters: Record<string, string>;
  /** How the endpoint's body is converted before the response template; undefined is passthrough. */
  contentHandling?: ContentHandling;
}

/** API Gateway's payload conversions ("Content type conversions in API Gateway"). */
export type ContentHandling = "CONVERT_TO_BINARY" | "CONVERT_TO_TEXT";

/**
 * What an AWS / AWS_PROXY integration URI targets. The local cloud emulates Lambda
 * (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<functionArn>/invocations`)
 * and DynamoDB's JSON API by action (`arn:aws:apigateway:<region>:dynamodb:action/<Action>`);
 * a model naming any other service is refused when it is built.
 */
export type AwsIntegrationTarget =
  | { kind: "lambda"; region: string; functionArn: string }
  | { kind: "dynamodb"; region: string; action: string };

export interface AuthorizerModel {
  id: string;
  name: string;
  type: "TOKEN" | "REQUEST" | "COGNITO_USER_POOLS";
  identitySource: string;
  identityValidationExpression?: string;
  resultTtlSeconds: number;
  functionArn?: string;
  providerArns: string[];
}

export interface MethodSettingModel {
  metricsEnabled?: boolean;
  loggingLevel?: string;
  dataTraceEnabled?: boolean;
  throttlingRateLimit?: number;
  throttlingBurstLimit?: number;
  cachingEnabled?: boolean;
  cacheTtlInSeconds?: number;
  cacheDataEncrypted?: boolean;
  requireAuthorizationForCacheControl?: boolean;
  unauthorizedCacheControlHeaderStrategy?: string;
}

export interface GatewayResponseModel {
  statusCode?: string;
  /** `gatewayresponse.header.<name>` -> mapping expression */
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
}

/** A REST API and its stage, as deployed: what the local gateway serves. */
export interface RestApiModel {
  apiId: string;
  name: string;
  binaryMediaTypes: string[];
  apiKeySource: "HEADER" | "AUTHORIZER";
  /** The API's endpoint type: EDGE APIs are reached through CloudFront. @default "EDGE" (AWS's default) */
  endpointType: "EDGE" | "REGIONAL" | "PRIVATE";
  /** The id of the deployment the stage serves (`$context.deploymentId`). */
  deploymentId: string;
  stageName: string;
  stageVariables: Record<string, string>;
  cacheClusterSize?: string;
  /** Method settings by AWS methodPath (`*\/*`, `~1data/GET`). */
  methodSettings: Record<string, MethodSettingModel>;
  /** Methods by `METHOD resourcePath` (`GET /users/{id}`). */
  methods: Map<string, MethodModel>;
  /** Every resource path, for routing. */
  resourcePaths: string[];
  models: Array<{ name: string; contentType: string; schema: string }>;
  authorizers: Map<string, AuthorizerModel>;
  /** Gateway responses by type (`DEFAULT_4XX`, `MISSING_AUTHENTICATION_TOKEN`, ...). */
  gatewayResponses: Record<string, GatewayResponseModel>;
  /**
   * The stage's `accessLogSettings.format`: the `$context` variables of one access-log line.
   * @default none: the stage declares no access log (the local cloud then writes the console's CLF)
   */
  accessLogFormat?: string;
}

const T = {
  restApi: "aws:apigateway/restApi:RestApi",
  // The types an OpenAPI body defines too, spelled once.
  ...DEFINITION_TYPES,
  stage: "aws:apigateway/stage:Stage",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
};

/**
 * Reads every REST API with a stage out of the recorded resources; an API with an OpenAPI `body`
 * is served from it (local/openapi/import).
 */
export function restApiModels(recorded: ResourceGraph): RestApiModel[] {
  const graph = withImportedBodies(recorded);
  return apiStages(graph, { api: T.restApi, stage: T.stage, apiInput: "restApi" }).map(({ api, stage }) => buildModel(graph, api, stage));
}

function buildModel(graph: ResourceGraph, api: RecordedResource, stage: RecordedResource): RestApiModel {
  const apiId = api.id as string;
  const ofApi = (type: string, key = "restApi") => childrenOfApi(graph, apiId, type, key);

  const pathById = new Map<string, string>([[api.state.rootResourceId as string, "/"]]);
  for (const resource of ofApi(T.resource)) pathById.set(resource.id as string, resource.state.path as string);

  const validators = new Map(ofApi(T.validator).map((v) => [v.id as string, { validateRequestBody: !!v.inputs.validateRequestBody, validateRequestParameters: !!v.inputs.validateRequestParameters }]));
  const methodKey = (r: RecordedResource) => `${r.inputs.resourceId} ${r.inputs.httpMethod}`;
  const integrations = new Map(ofApi(T.integration).map((i) => [methodKey(i), i]));
  const integrationResponses = groupBy(ofApi(T.integrationResponse), methodKey);
  const methodResponses = groupBy(ofApi(T.methodResponse), methodKey);

  const methods = new Map<string, MethodModel>();
  for (const method of ofApi(T.method)) {
    const resourcePath = pathById.get(method.inputs.resourceId);
    if (resourcePath === undefined) throw new Error(`method ${method.name}: resource ${method.inputs.resourceId} is not part of API ${apiId}`);
    const integration = integrations.get(methodKey(method));
    methods.set(`${method.inputs.httpMethod} ${resourcePath}`, {
      resourceId: method.inputs.resourceId,
      resourcePath,
      httpMethod: method.inputs.httpMethod,
      authorization: method.inputs.authorization ?? "NONE",
      authorizerId: method.inputs.authorizerId,
      authorizationScopes: method.inputs.authorizationScopes,
      apiKeyRequired: !!method.inputs.apiKeyRequired,
      requestParameters: method.inputs.requestParameters ?? {},
      requestModels: method.inputs.requestModels ?? {},
      validator: method.inputs.requestValidatorId ? validators.get(method.inputs.requestValidatorId) : undefined,
      integration: integration
        ? integrationModel(`${method.inputs.httpMethod} ${resourcePath}`, integration, integrationResponses.get(methodKey(method)) ?? [])
        : undefined,
      methodResponses: Object.fromEntries(
        (methodResponses.get(methodKey(method)) ?? []).map((r) => [String(r.inputs.statusCode), r.inputs.responseParameters ?? {}]),
      ),
    });
  }

  const authorizers = new Map<string, AuthorizerModel>(
    ofApi(T.authorizer).map((a) => [
      a.id as string,
      {
        id: a.id as string,
        name: a.inputs.name,
        type: a.inputs.type ?? "TOKEN",
        identitySource: a.inputs.identitySource ?? DEFAULT_IDENTITY_SOURCE,
        identityValidationExpression: a.inputs.identityValidationExpression,
        resultTtlSeconds: a.inputs.authorizerResultTtlInSeconds ?? AUTHORIZER_RESULT_TTL_SECONDS.default,
        functionArn: a.inputs.authorizerUri ? functionArnFromUri(a.inputs.authorizerUri) : undefined,
        providerArns: a.inputs.providerArns ?? [],
      },
    ]),
  );

  const stageName = stage.inputs.stageName as string;
  const methodSettings: Record<string, MethodSettingModel> = {};
  for (const settings of ofApi(T.methodSettings).filter((s) => s.inputs.stageName === stageName)) {
    methodSettings[normalMethodPath(settings.inputs.methodPath)] = settings.inputs.settings ?? {};
  }
  const gatewayResponses: Record<string, GatewayResponseModel> = {};
  for (const response of ofApi(T.gatewayResponse, "restApiId")) {
    gatewayResponses[response.inputs.responseType] = {
      statusCode: response.inputs.statusCode,
      responseParameters: response.inputs.responseParameters ?? {},
      responseTemplates: response.inputs.responseTemplates ?? {},
    };
  }

  return {
    apiId,
    name: api.state.name ?? api.name,
    binaryMediaTypes: api.inputs.binaryMediaTypes ?? [],
    apiKeySource: api.inputs.apiKeySource ?? "HEADER",
    endpointType: endpointTypeOf(api.inputs.endpointConfiguration?.types),
    deploymentId: typeof stage.inputs.deployment === "string" ? stage.inputs.deployment : "",
    stageName,
    stageVariables: stage.inputs.variables ?? {},
    cacheClusterSize: stage.inputs.cacheClusterEnabled ? stage.inputs.cacheClusterSize ?? "0.5" : undefined,
    methodSettings,
    methods,
    resourcePaths: [...pathById.values()],
    models: ofApi(T.model).map((m) => ({ name: m.inputs.name, contentType: m.inputs.contentType, schema: m.inputs.schema })),
    authorizers,
    gatewayResponses,
    accessLogFormat: accessLogFormatOf(stage),
  };
}

/**
 * A stage's `accessLogSettings.format`, when it is known (a string: under test mocks it may be
 * an unresolved output).
 *
 * @param stage - The recorded stage (`aws:apigateway/stage:Stage` or `aws:apigatewayv2/stage:Stage`).
 */
export function accessLogFormatOf(stage: RecordedResource): string | undefined {
  const format = stage.inputs.accessLogSettings?.format;
  return typeof format === "string" && format !== "" ? format : undefined;
}

/**
 * @param methodName - `GET /things`, to name the method in a refusal.
 * @param integration - The recorded `aws.apigateway.Integration`.
 * @param responses - Its recorded `aws.apigateway.IntegrationResponse`s.
 */
function integrationModel(methodName: string, integration: RecordedResource, responses: RecordedResource[]): IntegrationModel {
  const inputs = integration.inputs;
  const uri = typeof inputs.uri === "string" ? inputs.uri : undefined;
  const connectionType = inputs.connectionType ?? "INTERNET";
  if ((inputs.type === "HTTP" || inputs.type === "HTTP_PROXY") && connectionType === "VPC_LINK") {
    throw new Error(`${methodName}: ${inputs.type} integration through a VPC link (connectionType VPC_LINK) is not emulated by the local cloud`);
  }
  const awsTarget = inputs.type === "AWS" || inputs.type === "AWS_PROXY" ? awsIntegrationTarget(methodName, inputs.type, uri) : undefined;
  return {
    type: inputs.type,
    uri,
    integrationHttpMethod: inputs.integrationHttpMethod,
    functionArn: uri !== undefined ? functionArnFromUri(uri) : undefined,
    awsTarget,
    requestParameters: inputs.requestParameters ?? {},
    connectionType,
    contentHandling: inputs.contentHandling || undefined,
    requestTemplates: inputs.requestTemplates ?? {},
    passthroughBehavior: inputs.passthroughBehavior ?? "WHEN_NO_MATCH",
    cacheKeyParameters: inputs.cacheKeyParameters ?? [],
    timeoutMs: inputs.timeoutMilliseconds ?? INTEGRATION_TIMEOUT_MS.default,
    responses: responses.map((r) => ({
      statusCode: String(r.inputs.statusCode),
      selectionPattern: r.inputs.selectionPattern || undefined,
      responseTemplates: r.inputs.responseTemplates ?? {},
      responseParameters: r.inputs.responseParameters ?? {},
      contentHandling: r.inputs.contentHandling || undefined,
    })),
  };
}

/**
 * Classifies an AWS / AWS_PROXY integration URI, refusing what the local cloud cannot serve
 * rather than serving it as something else. A URI that is not a string yet (an unresolved
 * output under test mocks) stays unclassified, as before.
 *
 * @param methodName - `GET /things`, to name the method in the refusal.
 * @param type - The integration type.
 * @param uri - The integration URI.
 */
function awsIntegrationTarget(methodName: string, type: "AWS" | "AWS_PROXY", uri: string | undefined): AwsIntegrationTarget | undefined {
  if (uri === undefined) return undefined;
  const target = parseAwsIntegrationUri(uri);
  if (target?.service === "lambda") {
    const functionArn = functionArnFromUri(uri);
    if (functionArn !== undefined) return { kind: "lambda", region: target.region, functionArn };
  }
  const service = target?.service ?? "an unrecognised service";
  if (type === "AWS_PROXY") {
    // AWS refuses this at PutIntegration: "Integrations of type 'AWS_PROXY' currently only supports
    // Lambda function and Firehose stream invocations." [recorded: LocalStack
    // test_apigateway_dynamodb.py::test_error_aws_proxy_not_supported, 26-02-2023]
    throw new Error(`${methodName}: AWS_PROXY integration with ${service} (${uri}) is not supported: AWS_PROXY integrations invoke Lambda functions only`);
  }
  if (target?.service === "dynamodb" && target.kind === "action" && /^[A-Za-z]+$/.test(target.path)) {
    return { kind: "dynamodb", region: target.region, action: target.path };
  }
  throw new Error(
    `${methodName}: AWS integration with ${service} (${uri}) is not emulated by the local cloud; ` +
      "it serves Lambda functions and DynamoDB actions (arn:aws:apigateway:<region>:dynamodb:action/<Action>)",
  );
}

/**
 * Splits an AWS integration URI, `arn:aws:apigateway:<region>:<service>:<path|action>/<rest>`
 * ("PutIntegration", API Gateway API reference: uri). The service may carry a subdomain
 * (`<subdomain>.<service>`), which names the service all the same.
 *
 * @param uri - The integration URI.
 * @returns undefined when the URI does not have that shape.
 */
function parseAwsIntegrationUri(uri: string): { region: string; service: string; kind: "path" | "action"; path: string } | undefined {
  const match = /^arn:aws[a-z-]*:apigateway:([^:]*):([^:]+):(path|action)\/(.*)$/s.exec(uri);
  if (!match) return undefined;
  const [, region, service, kind, path] = match;
  return { region, service: service.split(".").pop() as string, kind: kind as "path" | "action", path };
}

/**
 * The API's endpoint type: `endpointConfiguration.types` is one string in @pulumi/aws 7, a list
 * in the API (and older providers).
 *
 * @param types - The declared types. @default EDGE, AWS's default
 */
function endpointTypeOf(types: unknown): RestApiModel["endpointType"] {
  const type = Array.isArray(types) ? types[0] : types;
  return type === "REGIONAL" || type === "PRIVATE" ? type : "EDGE";
}

/** `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations` -> functionArn */
export function functionArnFromUri(uri: string): string | undefined {
  return /:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/**
 * A MethodSettings `methodPath` in AWS's escaped spelling (`~1users~1{id}/GET`), whichever
 * spelling the program used: Terraform's documentation tells users to write `users/{id}/GET`.
 *
 * @param methodPath - The path as the program wrote it.
 */
function normalMethodPath(methodPath: string): string {
  if (methodPath === ALL_METHODS_KEY) return methodPath;
  const method = parseMethodPath(methodPath);
  return method ? toMethodPath(method) : methodPath;
}
