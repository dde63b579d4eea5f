/**
 * Local types for API Gateway REST (v1) Lambda proxy integrations, so that the code shipped
 * in Lambda archives needs no @types/aws-lambda. Shapes follow the AWS developer guide
 * ("Input format of a Lambda function for proxy integration").
 */

/** Header, query and path maps: API Gateway sends `null` (not `{}`) when there are none. */
export type StringMap = Record<string, string | undefined>;
export type MultiValueStringMap = Record<string, string[] | undefined>;

export interface ProxyRequestIdentity {
  sourceIp: string;
  userAgent: string | null;
  /** Present when the method requires an API key. */
  apiKey?: string | null;
  apiKeyId?: string | null;
  accountId?: string | null;
  caller?: string | null;
  user?: string | null;
  userArn?: string | null;
  cognitoIdentityId?: string | null;
  cognitoIdentityPoolId?: string | null;
  cognitoAuthenticationType?: string | null;
  cognitoAuthenticationProvider?: string | null;
  principalOrgId?: string | null;
  accessKey?: string | null;
  clientCert?: unknown;
}

/**
 * `requestContext.authorizer`: Cognito user pool authorizers put the token's claims under
 * `claims`; Lambda authorizers put `principalId` plus their `context` keys at the top level.
 */
export interface ProxyAuthorizerContext {
  claims?: Record<string, string>;
  principalId?: string;
  [key: string]: unknown;
}

export interface ProxyRequestContext {
  accountId: string;
  apiId: string;
  resourceId: string;
  requestId: string;
  extendedRequestId?: string;
  stage: string;
  path: string;
  resourcePath: string;
  httpMethod: string;
  protocol: string;
  domainName?: string;
  domainPrefix?: string;
  /** `dd/MMM/yyyy:HH:mm:ss +0000` */
  requestTime: string;
  requestTimeEpoch: number;
  identity: ProxyRequestIdentity;
  authorizer?: ProxyAuthorizerContext | null;
}

export interface ProxyEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: StringMap | null;
  multiValueHeaders: MultiValueStringMap | null;
  queryStringParameters: StringMap | null;
  multiValueQueryStringParameters: MultiValueStringMap | null;
  pathParameters: StringMap | null;
  stageVariables: StringMap | null;
  requestContext: ProxyRequestContext;
  body: string | null;
  /** True when the body is base64: binary media types, see the API's `binaryMediaTypes`. */
  isBase64Encoded: boolean;
}

export interface ProxyResult {
  /** API Gateway also accepts a numeric string; handlers here always return a number. */
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  body: string;
  isBase64Encoded?: boolean;
}

/** The part of the Lambda context object these handlers use. */
export interface LambdaContext {
  awsRequestId: string;
  getRemainingTimeInMillis?: () => number;
  functionName?: string;
}
