/**
 * `$context` fields that REST and HTTP API access logs share, in the order the stages' formats
 * list them (API Gateway developer guide, "$context variables for access logging"). Spread
 * into each API's format object: the format string each stage deploys stays as it was.
 */
export const ACCESS_LOG_RESPONSE_FIELDS = {
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  integrationStatus: "$context.integrationStatus",
} as const;
