/**
 * What validation returns: a {@link RestApi}'s complete spec, every argument checked and every
 * default applied (once, here). The children are made from the spec alone; nothing reads the
 * arguments after validation.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CacheClusterSize, HttpMethod } from "../apigateway";
import type { CorsPolicy } from "../cors";
import type { ResolvedMethodSetting } from "../methodSettings";
import type { ComponentTags } from "../transform";
import type { EndpointType, GatewayResponseArgs, ValidatorKind } from "./args";
import type { PassthroughBehavior, RouteArgs } from "./routeArgs";

/** A model with its `$schema` and `title` set and its content type defaulted. */
export interface ModelSpec {
  /** The JSON Schema, with the draft-04 `$schema` and a `title` (the model's name) unless given. */
  schema: Record<string, unknown>;
  /** The request Content-Type the model applies to. */
  contentType: string;
  /** What the model describes. */
  description?: string;
}

/** What every authorizer has, its defaults applied. */
interface AuthorizerSpecBase {
  /** Where the token or identity is read. */
  identitySource: string;
  /** Result cache TTL in seconds. */
  resultTtlSeconds: number;
  /**
   * The two values as the caller wrote them (undefined when left out): the redeployment
   * trigger has always hashed these rather than the defaulted ones, and a changed trigger
   * would redeploy every stage on upgrade.
   */
  declared: { identitySource?: string; resultTtlSeconds?: number };
}

/** A Cognito user pool authorizer. */
export interface CognitoAuthorizerSpec extends AuthorizerSpecBase {
  /** The kind of authorizer. */
  type: "COGNITO_USER_POOLS";
  /** ARNs of the user pools whose tokens are accepted. */
  providerArns: pulumi.Input<string>[];
}

/** A Lambda (TOKEN or REQUEST) authorizer. */
export interface LambdaAuthorizerSpec extends AuthorizerSpecBase {
  /** The kind of authorizer. */
  type: "TOKEN" | "REQUEST";
  /** The authorizer function. */
  function: aws.lambda.Function;
  /** A regex a TOKEN must match before the function is called. */
  identityValidationExpression?: string;
}

/** An authorizer, its defaults applied. */
export type AuthorizerSpec = CognitoAuthorizerSpec | LambdaAuthorizerSpec;

/** How a method names its authorization: Lambda authorizers (TOKEN and REQUEST alike) are CUSTOM. */
export type MethodAuthorization = "NONE" | "CUSTOM" | "COGNITO_USER_POOLS";

/** One integration response, its headers defaulted. */
export interface IntegrationResponseSpec {
  /** The status code answered. */
  statusCode: string;
  /** What selects the response; undefined (or empty) for the default response. */
  selectionPattern?: string;
  /** Response mapping templates by Content-Type. */
  responseTemplates?: Record<string, string>;
  /** Response header mappings: header name to a mapping expression. */
  responseHeaders: Record<string, string>;
}

/** A Lambda proxy integration, its timeout defaulted. */
export interface LambdaProxyIntegrationSpec {
  /** The kind of integration. */
  type: "LAMBDA_PROXY";
  /** The function invoked. */
  function: aws.lambda.Function;
  /** Integration timeout in ms. */
  timeoutMilliseconds: number;
}

/** A Lambda (non-proxy) integration, its timeout and passthrough behaviour defaulted. */
export interface LambdaIntegrationSpec {
  /** The kind of integration. */
  type: "LAMBDA";
  /** The function invoked with the mapped request. */
  function: aws.lambda.Function;
  /** Request mapping templates by Content-Type. */
  requestTemplates?: Record<string, string>;
  /** What happens to a request whose Content-Type has no template. */
  passthroughBehavior: PassthroughBehavior;
  /** The integration responses. */
  responses: IntegrationResponseSpec[];
  /** Integration timeout in ms. */
  timeoutMilliseconds: number;
}

/** A MOCK integration, its request templates and passthrough behaviour defaulted. */
export interface MockIntegrationSpec {
  /** The kind of integration. */
  type: "MOCK";
  /** Request templates rendering `{"statusCode": N}`. */
  requestTemplates: Record<string, string>;
  /** What happens to a request whose Content-Type has no template. */
  passthroughBehavior: PassthroughBehavior;
  /** The integration responses. */
  responses: IntegrationResponseSpec[];
}

/** An integration, its defaults applied. */
export type IntegrationSpec = LambdaProxyIntegrationSpec | LambdaIntegrationSpec | MockIntegrationSpec;

/** The kinds of integration. */
export type IntegrationType = IntegrationSpec["type"];

/** A route with its parameters fully declared, as the resources need them. */
export interface ValidatedRoute {
  /** The resource path. */
  path: string;
  /** The method. */
  method: HttpMethod;
  /** What answers the method. */
  integration: IntegrationSpec;
  /** The authorizer's name; none (or empty) for an open route. */
  authorizer?: string;
  /** The method's `authorization`, from the authorizer's type. */
  authorization: MethodAuthorization;
  /** OAuth scopes for a COGNITO_USER_POOLS authorizer. */
  authorizationScopes?: string[];
  /** Whether callers must send an API key. */
  apiKeyRequired: boolean;
  /** Models for request bodies by Content-Type. */
  requestModels?: Record<string, string>;
  /** The request validator's name. */
  requestValidator?: string;
  /** `method.request.<location>.<name>` -> required */
  methodRequestParameters: Record<string, boolean>;
  /** `method.request.<location>.<name>` */
  cacheKeys: string[];
  /**
   * The route as the caller wrote it: the redeployment trigger has always hashed it (with the
   * function's ARN for the function and the two fields above), and a changed trigger would
   * redeploy every stage on upgrade. Nothing else reads it.
   */
  declared: RouteArgs;
}

/** The stage, its defaults applied. */
export interface StageSpec {
  /** The stage name. */
  name: string;
  /** Days access-log events are kept. */
  accessLogRetentionDays: number;
  /** X-Ray tracing of requests. */
  tracingEnabled: boolean;
  /** The cache cluster size; undefined for none. */
  cacheClusterSize: CacheClusterSize | undefined;
  /** Stage variables. */
  variables: Record<string, string> | undefined;
}

/** Everything a RestApi makes its children from. */
export interface RestApiSpec {
  /** A description of the API. */
  description?: string;
  /** Where the API is reachable. */
  endpointType: EndpointType;
  /** The VPC endpoints of a PRIVATE API; undefined otherwise. */
  vpcEndpointIds?: pulumi.Input<string>[];
  /** The resource policy. */
  policy?: pulumi.Input<string>;
  /** Where API keys come from. */
  apiKeySource: "HEADER" | "AUTHORIZER";
  /** Content-Types treated as binary. */
  binaryMediaTypes: string[];
  /** Models by name. */
  models: Record<string, ModelSpec>;
  /** Request validators by name. */
  validators: Record<string, ValidatorKind>;
  /** Authorizers by name, in the order given. */
  authorizers: Record<string, AuthorizerSpec>;
  /** The routes, in the order given. */
  routes: ValidatedRoute[];
  /** The CORS policy; undefined for no CORS. */
  cors?: CorsPolicy;
  /** The stage. */
  stage: StageSpec;
  /** One complete setting per method path, `*\/*` first. */
  methodSettings: ResolvedMethodSetting[];
  /** Customised gateway responses by type (without CORS's headers, added when they are made). */
  gatewayResponses: Record<string, GatewayResponseArgs>;
  /** Tags for every taggable child. */
  tags?: ComponentTags;
}
