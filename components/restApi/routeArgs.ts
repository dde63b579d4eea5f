/**
 * The public arguments of a {@link RestApi} route: the method on a path, and the integration
 * that answers it (Lambda proxy, Lambda with mapping templates, or MOCK).
 */
import type * as aws from "@pulumi/aws";
import type { HttpMethod } from "../apigateway";

/** What API Gateway does with a request whose Content-Type has no request template. */
export type PassthroughBehavior = "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";

/** One integration response of a non-proxy or MOCK integration. */
export interface IntegrationResponseArgs {
  /** The status code answered, e.g. "200". */
  statusCode: string;
  /**
   * A regular expression matched against the Lambda error's `errorMessage` (for MOCK and HTTP
   * integrations, the status code). Exactly one response per integration leaves it out: the
   * default response.
   * @default none (the default response)
   */
  selectionPattern?: string;
  /**
   * Response mapping templates by Content-Type.
   * @default none (the integration's result passes through)
   */
  responseTemplates?: Record<string, string>;
  /**
   * Response header mappings: header name to a mapping expression, e.g. `'no-store'` (a quoted
   * literal) or `integration.response.header.X-Id`.
   * @default {}
   */
  responseHeaders?: Record<string, string>;
}

/** A Lambda proxy integration: the function receives the whole request and answers it. */
export interface LambdaProxyIntegrationArgs {
  /** The kind of integration: API Gateway's AWS_PROXY to a Lambda function. */
  type: "LAMBDA_PROXY";
  /** The function invoked. */
  function: aws.lambda.Function;
  /**
   * Integration timeout in ms (50..29000).
   * @default 29000
   */
  timeoutMilliseconds?: number;
}

/** A Lambda (non-proxy) integration with request/response mapping templates. */
export interface LambdaIntegrationArgs {
  /** The kind of integration: API Gateway's AWS (non-proxy) to a Lambda function. */
  type: "LAMBDA";
  /** The function invoked with the mapped request. */
  function: aws.lambda.Function;
  /**
   * Request mapping templates by Content-Type.
   * @default none
   */
  requestTemplates?: Record<string, string>;
  /**
   * What happens to a request whose Content-Type has no template.
   * @default "WHEN_NO_TEMPLATES"
   */
  passthroughBehavior?: PassthroughBehavior;
  /** Integration responses, chosen by `selectionPattern` against the Lambda error message. */
  responses: IntegrationResponseArgs[];
  /**
   * Integration timeout in ms (50..29000).
   * @default 29000
   */
  timeoutMilliseconds?: number;
}

/** A MOCK integration: API Gateway answers from templates without calling a backend. */
export interface MockIntegrationArgs {
  /** The kind of integration: API Gateway answers itself. */
  type: "MOCK";
  /**
   * Request templates; the one for the request's Content-Type must render `{"statusCode": N}`.
   * @default { "application/json": '{"statusCode": 200}' }
   */
  requestTemplates?: Record<string, string>;
  /** Integration responses, chosen by `selectionPattern` against the status code. */
  responses: IntegrationResponseArgs[];
  /**
   * What happens to a request whose Content-Type has no template.
   * @default "WHEN_NO_MATCH"
   */
  passthroughBehavior?: PassthroughBehavior;
}

/** How a route is answered: one of the integrations, told apart by `type`. */
export type IntegrationArgs = LambdaProxyIntegrationArgs | LambdaIntegrationArgs | MockIntegrationArgs;

/** One method on one path. */
export interface RouteArgs {
  /** The resource path: `/`, `/users`, `/users/{id}`, `/files/{proxy+}`. */
  path: string;
  /** The HTTP method, or `ANY` for every method the path is not otherwise routed for. */
  method: HttpMethod;
  /** What answers the method. */
  integration: IntegrationArgs;
  /**
   * Query-string and header parameters the method declares: `true` = required (checked by a
   * PARAMETERS validator), `false` = optional. Path parameters are declared from the path.
   * @default {}
   * @example { querystring: { category: false }, header: { "Accept-Language": false } }
   */
  requestParameters?: { querystring?: Record<string, boolean>; header?: Record<string, boolean> };
  /**
   * Models for request bodies by Content-Type, naming entries of `models`.
   * @default {}
   */
  requestModels?: Record<string, string>;
  /**
   * The request validator, naming an entry of `validators`.
   * @default none (no validation)
   */
  requestValidator?: string;
  /**
   * Parameters that, with the method and path, form the response cache key:
   * `querystring.<name>`, `header.<name>` or `path.<name>`. They are declared in the method's
   * request parameters (AWS requires it) as optional unless declared already.
   * @default []
   */
  cacheKeyParameters?: string[];
  /**
   * Whether callers must send an API key in a usage plan for this stage.
   * @default false
   */
  apiKeyRequired?: boolean;
  /**
   * The authorizer guarding the route, naming an entry of `authorizers`.
   * @default none (open)
   */
  authorizer?: string;
  /**
   * OAuth scopes for a COGNITO_USER_POOLS authorizer (then access tokens are required).
   * @default none (ID tokens)
   */
  authorizationScopes?: string[];
}
