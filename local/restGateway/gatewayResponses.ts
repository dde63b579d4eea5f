import { renderMappingTemplate, type TemplateInput } from "./mappingTemplate";
import type { GatewayResponseModel } from "./restApiModel";

/** A gateway response type and AWS's default answer for it (apigw-behavior.md, error table). */
export interface GatewayResponseDefault {
  status: number;
  /** The body exactly as AWS sends it by default. */
  body: string;
  /** `$context.error.message` for customised templates. */
  message: string | null;
  errorType?: string;
}

export type GatewayResponseType =
  | "MISSING_AUTHENTICATION_TOKEN"
  | "INVALID_API_KEY"
  | "THROTTLED"
  | "QUOTA_EXCEEDED"
  | "UNAUTHORIZED"
  | "ACCESS_DENIED"
  | "AUTHORIZER_CONFIGURATION_ERROR"
  | "AUTHORIZER_FAILURE"
  | "BAD_REQUEST_BODY"
  | "BAD_REQUEST_PARAMETERS"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "INTEGRATION_FAILURE"
  | "API_CONFIGURATION_ERROR"
  | "INTEGRATION_TIMEOUT"
  | "REQUEST_TOO_LARGE"
  | "EXPIRED_TOKEN"
  | "INVALID_SIGNATURE"
  | "RESOURCE_NOT_FOUND"
  | "WAF_FILTERED";

const json = (message: string) => `{"message":${JSON.stringify(message)}}`;
// Some recorded AWS bodies carry a space after the colon; they are reproduced as recorded.
const spaced = (message: string) => `{"message": ${JSON.stringify(message)}}`;

export const GATEWAY_RESPONSE_DEFAULTS: Record<GatewayResponseType, GatewayResponseDefault> = {
  MISSING_AUTHENTICATION_TOKEN: { status: 403, body: json("Missing Authentication Token"), message: "Missing Authentication Token", errorType: "MissingAuthenticationTokenException" },
  INVALID_API_KEY: { status: 403, body: json("Forbidden"), message: "Forbidden", errorType: "ForbiddenException" },
  THROTTLED: { status: 429, body: json("Too Many Requests"), message: "Too Many Requests", errorType: "TooManyRequestsException" },
  QUOTA_EXCEEDED: { status: 429, body: json("Limit Exceeded"), message: "Limit Exceeded", errorType: "LimitExceededException" },
  UNAUTHORIZED: { status: 401, body: json("Unauthorized"), message: "Unauthorized", errorType: "UnauthorizedException" },
  ACCESS_DENIED: {
    status: 403,
    body: `{"Message":"User is not authorized to access this resource"}`,
    message: "User is not authorized to access this resource",
    errorType: "AccessDeniedException",
  },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, body: `{"message":null}`, message: null, errorType: "AuthorizerConfigurationException" },
  AUTHORIZER_FAILURE: { status: 500, body: `{"message":null}`, message: null, errorType: "AuthorizerConfigurationException" },
  BAD_REQUEST_BODY: { status: 400, body: spaced("Invalid request body"), message: "Invalid request body", errorType: "BadRequestException" },
  BAD_REQUEST_PARAMETERS: { status: 400, body: spaced("Missing required request parameters: []"), message: "Missing required request parameters: []", errorType: "BadRequestException" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, body: spaced("Unsupported Media Type"), message: "Unsupported Media Type", errorType: "UnsupportedMediaTypeException" },
  // The type's own default status is 504 [recorded: GetGatewayResponses, tests/fixtures/
  // aws-recorded/gateway-responses.json]; failures raise it with their own status (a Lambda
  // proxy that threw or answered a malformed result: 502, no error type [recorded]), which a
  // customisation with a statusCode replaces.
  INTEGRATION_FAILURE: { status: 504, body: spaced("Internal server error"), message: "Internal server error" },
  API_CONFIGURATION_ERROR: { status: 500, body: spaced("Internal server error"), message: "Internal server error", errorType: "InternalServerErrorException" },
  INTEGRATION_TIMEOUT: { status: 504, body: spaced("Endpoint request timed out"), message: "Endpoint request timed out" },
  REQUEST_TOO_LARGE: { status: 413, body: json("Request Too Long"), message: "Request Too Long" },
  // Types the local gateway never raises (no SigV4, WAF or expiring IAM credentials locally),
  // listed so that their statuses and DEFAULT_4XX inheritance read as AWS's [recorded:
  // GetGatewayResponses]; their messages and error types are not recorded (LocalStack's).
  EXPIRED_TOKEN: { status: 403, body: json("The security token included in the request is expired"), message: "The security token included in the request is expired", errorType: "ExpiredTokenException" },
  INVALID_SIGNATURE: { status: 403, body: json("The request signature we calculated does not match the signature you provided."), message: "The request signature we calculated does not match the signature you provided.", errorType: "InvalidSignatureException" },
  RESOURCE_NOT_FOUND: { status: 404, body: json("Not Found"), message: "Not Found", errorType: "ResourceNotFoundException" },
  WAF_FILTERED: { status: 403, body: json("Forbidden"), message: "Forbidden", errorType: "WAFFilteredException" },
};

/** What the gateway sends for a gateway response. */
export interface GatewayResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Builds a gateway response: AWS's default, or the API's customisation of this type, or of
 * DEFAULT_4XX / DEFAULT_5XX when this type is not customised. Header values are quoted
 * literals or `method.request.{header,querystring,path}.<name>` mappings.
 */
export function gatewayResponse(
  type: GatewayResponseType,
  customised: Record<string, GatewayResponseModel>,
  request: TemplateInput,
  overrides: { message?: string; body?: string; headers?: Record<string, string>; status?: number } = {},
): GatewayResponse {
  const defaults = GATEWAY_RESPONSE_DEFAULTS[type];
  const message = overrides.message ?? defaults.message;
  const custom = customised[type] ?? customised[defaults.status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX"];
  // A type that is not customised inherits DEFAULT_4XX / DEFAULT_5XX whole, status code
  // included (DEFAULT_5XX at 599 makes INTEGRATION_TIMEOUT 599) [recorded].
  const status = custom?.statusCode ? Number(custom.statusCode) : (overrides.status ?? defaults.status);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (defaults.errorType) headers["x-amzn-ErrorType"] = defaults.errorType;
  for (const [key, expression] of Object.entries(custom?.responseParameters ?? {})) {
    const name = key.replace(/^gatewayresponse\.header\./, "");
    const value = mappingValue(expression, request);
    if (value !== undefined) headers[name] = value;
  }
  Object.assign(headers, overrides.headers);

  let body = overrides.body ?? (overrides.message !== undefined ? defaults.body.replace(JSON.stringify(defaults.message), JSON.stringify(message)) : defaults.body);
  const template = custom?.responseTemplates?.["application/json"];
  if (template !== undefined) {
    const context = {
      ...request.context,
      error: {
        ...(request.context.error as object | undefined),
        message,
        messageString: JSON.stringify(message),
        responseType: type,
      },
    };
    body = renderMappingTemplate(template, { ...request, context }).output;
  }
  return { status, headers, body };
}

/** Evaluates a header mapping expression: `'literal'` or `method.request.<location>.<name>`. */
function mappingValue(expression: string, request: Pick<TemplateInput, "params">): string | undefined {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal) return literal[1];
  const parameter = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(expression);
  if (parameter) {
    const [, location, name] = parameter;
    const values = request.params[location as "header" | "querystring" | "path"];
    if (location === "header") {
      const key = Object.keys(values).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? undefined : values[key];
    }
    return values[name];
  }
  return undefined;
}
