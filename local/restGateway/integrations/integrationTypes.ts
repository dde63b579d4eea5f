/**
 * The two messages every REST integration exchanges, as API Gateway names them: the
 * integration request it sends to the endpoint, and the endpoint response it gets back
 * (LocalStack's next_gen `IntegrationRequest` / `EndpointResponse` are the same split).
 * Headers are ordered name/value pairs, spelled as sent: an endpoint may repeat a header,
 * and API Gateway keeps the backend's spelling.
 */

/** One header as it travels: name as spelled, value. */
export type HeaderPair = [name: string, value: string];

/** The request an integration sends to its endpoint, after request mapping. */
export interface IntegrationRequest {
  /** The integration's HTTP method (`integrationHttpMethod`; the method's own for ANY/proxy passthrough). */
  httpMethod: string;
  /**
   * The endpoint: a URL for HTTP / HTTP_PROXY (path parameters and stage variables already
   * substituted), the `arn:aws:apigateway:...` URI for AWS service integrations.
   */
  uri: string;
  /** Query string parameters to send, each possibly repeated. */
  query: Array<[name: string, value: string]>;
  headers: HeaderPair[];
  body: Buffer;
}

/** What the endpoint answered, before integration response mapping. */
export interface EndpointResponse {
  statusCode: number;
  headers: HeaderPair[];
  body: Buffer;
}
