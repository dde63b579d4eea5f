/**
 * Small builders over plain `@pulumi/aws` resources for the conformance programs: a resource
 * path, and one method with its integration, method responses and integration responses. They
 * only save repetition; every resource created is an ordinary aws.apigateway.* resource, as a
 * team without apigw-kit's components would declare it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface MethodSpec {
  httpMethod: string;
  method?: Partial<aws.apigateway.MethodArgs>;
  integration: Omit<aws.apigateway.IntegrationArgs, "restApi" | "resourceId" | "httpMethod">;
  /** Method responses: status code -> responseParameters. */
  methodResponses?: Record<string, Record<string, boolean>>;
  integrationResponses?: Array<Omit<aws.apigateway.IntegrationResponseArgs, "restApi" | "resourceId" | "httpMethod">>;
}

/** One REST API under construction: tracks what the Deployment must wait for. */
export class ApiBuilder {
  readonly api: aws.apigateway.RestApi;
  readonly deps: pulumi.Resource[] = [];
  private readonly resources = new Map<string, aws.apigateway.Resource>();

  constructor(
    readonly name: string,
    args: aws.apigateway.RestApiArgs = {},
  ) {
    this.api = new aws.apigateway.RestApi(name, args);
  }

  /** The resource at `path` (`/a/{b}`), creating its parents as needed. */
  resource(path: string): pulumi.Input<string> {
    if (path === "/") return this.api.rootResourceId;
    const parts = path.split("/").filter(Boolean);
    let parentId: pulumi.Input<string> = this.api.rootResourceId;
    let current = "";
    for (const part of parts) {
      current += `/${part}`;
      let resource = this.resources.get(current);
      if (!resource) {
        resource = new aws.apigateway.Resource(`${this.name}${slug(current)}`, { restApi: this.api.id, parentId, pathPart: part });
        this.resources.set(current, resource);
      }
      parentId = resource.id;
    }
    return parentId;
  }

  /** A method with its integration and responses. */
  method(path: string, spec: MethodSpec): void {
    const resourceId = this.resource(path);
    const name = `${this.name}${slug(path)}-${spec.httpMethod.toLowerCase()}`;
    const method = new aws.apigateway.Method(name, { restApi: this.api.id, resourceId, httpMethod: spec.httpMethod, authorization: "NONE", ...spec.method });
    const integration = new aws.apigateway.Integration(name, { restApi: this.api.id, resourceId, httpMethod: method.httpMethod, ...spec.integration });
    this.deps.push(method, integration);
    const methodResponses = new Map<string, aws.apigateway.MethodResponse>();
    for (const [statusCode, responseParameters] of Object.entries(spec.methodResponses ?? {})) {
      const response = new aws.apigateway.MethodResponse(`${name}-${statusCode}`, { restApi: this.api.id, resourceId, httpMethod: method.httpMethod, statusCode, responseParameters });
      methodResponses.set(statusCode, response);
      this.deps.push(response);
    }
    for (const response of spec.integrationResponses ?? []) {
      const dependsOn = [integration, ...(methodResponses.has(String(response.statusCode)) ? [methodResponses.get(String(response.statusCode))!] : [])];
      this.deps.push(
        new aws.apigateway.IntegrationResponse(`${name}-ir-${response.statusCode}`, { restApi: this.api.id, resourceId, httpMethod: method.httpMethod, ...response }, { dependsOn }),
      );
    }
  }

  /** Deploys the API to `stageName`; returns the stage. */
  deploy(stageName: string, variables?: Record<string, pulumi.Input<string>>): aws.apigateway.Stage {
    const deployment = new aws.apigateway.Deployment(this.name, { restApi: this.api.id }, { dependsOn: this.deps });
    return new aws.apigateway.Stage(this.name, { restApi: this.api.id, deployment: deployment.id, stageName, variables });
  }
}

/** A role API Gateway or Lambda may assume. */
export function serviceRole(name: string, service: "lambda" | "apigateway"): aws.iam.Role {
  return new aws.iam.Role(name, {
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: `${service}.amazonaws.com` }, Action: "sts:AssumeRole" }] }),
  });
}

/** A nodejs24.x function whose `index.js` is `source`. */
export function inlineFunction(name: string, role: aws.iam.Role, source: string): aws.lambda.Function {
  return new aws.lambda.Function(name, {
    role: role.arn,
    runtime: "nodejs24.x",
    handler: "index.handler",
    timeout: 10,
    code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(source) }),
  });
}

/** A Lambda function answering its proxy event as the JSON body (the recordings' lambda_aws_proxy). */
export const ECHO_EVENT_SOURCE = `exports.handler = async (event) => ({ statusCode: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify(event) });`;

function slug(path: string): string {
  return path.replace(/[{}+]/g, "").replace(/[^A-Za-z0-9-]+/g, "-").replace(/-+$/, "");
}

/**
 * The headers of LocalStack's TestApiGatewayHeaderRemapping (test_apigateway_integrations.py),
 * and its integration request parameter mappings, for the remapping routes.
 */
export const REMAP_HEADERS = [
  "Accept", "Accept-Charset", "Accept-Encoding", "Age", "Authorization", "Connection", "Content-Encoding", "Content-Length", "Content-MD5", "Content-Type", "Date", "Expect", "Host",
  "Max-Forwards", "Pragma", "Proxy-Authenticate", "Range", "Referer", "Server", "TE", "Transfer-Encoding", "Trailer", "Upgrade", "User-Agent", "Via", "Warn", "WWW-Authenticate",
];
export const REMAP_REQUEST_PARAMETERS: Record<string, string> = {
  "integration.request.header.Accept": "'text/html'",
  "integration.request.header.Accept-Charset": "'UTF-16'",
  "integration.request.header.Accept-Encoding": "'zstd'",
  "integration.request.header.Age": "'request_params_age'",
  "integration.request.header.Authorization": "'request_params_authorization'",
  "integration.request.header.Content-Encoding": "'compress'",
  "integration.request.header.Content-Length": "'0'",
  "integration.request.header.Content-MD5": "'request_params_Content-MD5'",
  "integration.request.header.Content-Type": "'application/json'",
  "integration.request.header.Date": "'request_params_Date'",
  "integration.request.header.Expect": "'200-ok'",
  "integration.request.header.Host": "method.request.header.Host",
  "integration.request.header.Max-Forwards": "'2'",
  "integration.request.header.Pragma": "'no-cache'",
  "integration.request.header.Range": "'bytes=0-499'",
  "integration.request.header.Referer": "'https://example.com/page'",
  "integration.request.header.Server": "'https://example.com/page'",
  "integration.request.header.Trailer": "'user-agent'",
  "integration.request.header.Transfer-Encoding": "'deflate'",
  "integration.request.header.Upgrade": "'HTTP/2.0'",
  "integration.request.header.User-Agent": "'Override-Agent'",
  "integration.request.header.Warn": `'110 anderson/1.3.37 "Response is stale"'`,
  "integration.request.header.WWW-Authenticate": "'Basic YWxhZGRpbjpvcGVuc2VzYW1l'",
  "integration.request.header.Connection": "'keep-alive'",
  "integration.request.header.Proxy-Authenticate": `'Basic realm="Access to the internal site"'`,
  "integration.request.header.TE": "'gzip'",
  "integration.request.header.Via": "'othersite.net'",
};

/**
 * The header-remapping routes of one integration type under `prefix`: `no-param`, `full` (every
 * header mapped in and out, except the special cases) and one route per special case mapping
 * only that header.
 */
export function remapRoutes(b: ApiBuilder, prefix: string, integration: MethodSpec["integration"], specialCases: string[], proxy: boolean): void {
  const full = { ...REMAP_REQUEST_PARAMETERS };
  const special: Record<string, string> = {};
  for (const header of specialCases) {
    const key = `integration.request.header.${header}`;
    special[header] = full[key] ?? "''";
    delete full[key];
  }
  const methodArgs = { requestParameters: Object.fromEntries(REMAP_HEADERS.map((h) => [`method.request.header.${h}`, false])) };
  const methodResponses = { "200": Object.fromEntries(REMAP_HEADERS.map((h) => [`method.response.header.${h}`, true])) };
  const plain = proxy ? undefined : [{ statusCode: "200" }];
  b.method(`${prefix}/no-param`, { httpMethod: "GET", method: methodArgs, integration, methodResponses, integrationResponses: plain });
  b.method(`${prefix}/full`, {
    httpMethod: "GET",
    method: methodArgs,
    integration: {
      ...integration,
      requestParameters: full,
      requestTemplates: { "application/json": `{${REMAP_HEADERS.map((h) => `"${h}": "$input.params('${h}')"`).join(",")}}` },
    },
    methodResponses,
    integrationResponses: proxy ? undefined : [{ statusCode: "200", responseParameters: Object.fromEntries(REMAP_HEADERS.map((h) => [`method.response.header.${h}`, `'response_param_${h}'`])) }],
  });
  for (const header of specialCases) {
    b.method(`${prefix}/${header.toLowerCase()}`, {
      httpMethod: "GET",
      method: methodArgs,
      integration: { ...integration, requestParameters: { [`integration.request.header.${header}`]: special[header] } },
      methodResponses,
      integrationResponses: plain,
    });
  }
}

/**
 * test_apigateway_lambda.py's LAMBDA_RESPONSE_FROM_BODY: the proxy result is the request body
 * parsed as JSON (base64-decoded first when the event says it is base64).
 */
export const RESPONSE_FROM_BODY_SOURCE = `exports.handler = async (event) => {
  let body = event.body;
  if (event.isBase64Encoded) body = Buffer.from(body, "base64").toString("utf8");
  return JSON.parse(body);
};`;
