import type {
  LambdaContext,
  MultiValueStringMap,
  ProxyEvent,
  ProxyRequestContext,
  StringMap,
} from "../../functions/proxyTypes";

export interface ProxyEventOverrides extends Partial<Omit<ProxyEvent, "requestContext">> {
  /** Merged over the default request context; `identity` is merged too. */
  requestContext?: Partial<Omit<ProxyRequestContext, "identity">> & {
    identity?: Partial<ProxyRequestContext["identity"]>;
  };
}

let counter = 0;

/**
 * A REST API (v1) Lambda proxy event as API Gateway sends it, GET /data on stage "prod" by
 * default. `headers` / `queryStringParameters` overrides also fill the matching multi-value
 * maps, as the gateway does, unless those are overridden as well.
 */
export function proxyEvent(overrides: ProxyEventOverrides = {}): ProxyEvent {
  counter += 1;
  const requestId = `c6af9ac6-7b61-11e6-9a41-${String(counter).padStart(12, "0")}`;
  const now = new Date();
  const headers: StringMap | null =
    overrides.headers !== undefined
      ? overrides.headers
      : {
          Accept: "application/json",
          "Accept-Encoding": "gzip, deflate, br",
          Host: "abc123defg.execute-api.us-east-1.amazonaws.com",
          "User-Agent": "curl/8.5.0",
          "X-Amzn-Trace-Id": "Root=1-5e66d96f-7491f09xmpl79d18acf3d050",
          "X-Forwarded-For": "203.0.113.10",
          "X-Forwarded-Port": "443",
          "X-Forwarded-Proto": "https",
        };
  const query: StringMap | null =
    overrides.queryStringParameters !== undefined ? overrides.queryStringParameters : null;
  const resource = overrides.resource ?? "/data";
  const httpMethod = overrides.httpMethod ?? "GET";
  const path = overrides.path ?? resource;
  const { identity: identityOverrides, ...contextOverrides } = overrides.requestContext ?? {};

  return {
    resource,
    path,
    httpMethod,
    headers,
    multiValueHeaders:
      overrides.multiValueHeaders !== undefined ? overrides.multiValueHeaders : toMultiValue(headers),
    queryStringParameters: query,
    multiValueQueryStringParameters:
      overrides.multiValueQueryStringParameters !== undefined
        ? overrides.multiValueQueryStringParameters
        : toMultiValue(query),
    pathParameters: overrides.pathParameters !== undefined ? overrides.pathParameters : null,
    stageVariables: overrides.stageVariables !== undefined ? overrides.stageVariables : null,
    body: overrides.body !== undefined ? overrides.body : null,
    isBase64Encoded: overrides.isBase64Encoded ?? false,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123defg",
      resourceId: "a1b2c3",
      requestId,
      extendedRequestId: `Qz${counter}XmplEFbw=`,
      stage: "prod",
      path: `/prod${path}`,
      resourcePath: resource,
      httpMethod,
      protocol: "HTTP/1.1",
      domainName: "abc123defg.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "abc123defg",
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now.getTime(),
      authorizer: null,
      ...contextOverrides,
      identity: {
        sourceIp: "203.0.113.10",
        userAgent: headers?.["User-Agent"] ?? null,
        apiKey: null,
        apiKeyId: null,
        accountId: null,
        caller: null,
        user: null,
        userArn: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        principalOrgId: null,
        accessKey: null,
        ...identityOverrides,
      },
    },
  };
}

/** A Lambda context with a fresh awsRequestId. */
export function lambdaContext(overrides: Partial<LambdaContext> = {}): LambdaContext {
  counter += 1;
  return {
    awsRequestId: `8f5d3f2e-1c1a-4d2b-9e3f-${String(counter).padStart(12, "0")}`,
    functionName: "apigw-kit-test",
    getRemainingTimeInMillis: () => 29_000,
    ...overrides,
  };
}

function toMultiValue(map: StringMap | null): MultiValueStringMap | null {
  if (map === null) return null;
  const result: MultiValueStringMap = {};
  for (const [key, value] of Object.entries(map)) {
    if (value !== undefined) result[key] = [value];
  }
  return result;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `$context.requestTime` format: `dd/MMM/yyyy:HH:mm:ss +0000`. */
function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
