/**
 * Mapping templates (VTL) of POST /transform, a Lambda non-proxy integration: the request
 * template hands the function a documented event instead of the raw request, and the response
 * templates wrap its result (or its error) in one envelope.
 */

/**
 * `$util.escapeJavaScript` escapes `'` as `\'`, which is not valid JSON; AWS's documented fix
 * is to undo that one escape.
 */
function jsonString(reference: string): string {
  return `$util.escapeJavaScript(${reference}).replaceAll("\\\\'","'")`;
}

/** Renders a `$input.params()` section (header, querystring or path) as a JSON object. */
function paramsObject(section: "header" | "querystring" | "path"): string {
  return [
    `{`,
    `#foreach($name in $params.${section}.keySet())`,
    `    "${jsonString("$name")}": "${jsonString(`$params.${section}.get($name)`)}"#if($foreach.hasNext),#end`,
    `#end`,
    `  }`,
  ].join("\n");
}

/** The event the transform function receives. */
export const TRANSFORM_REQUEST_TEMPLATE = [
  `#set($params = $input.params())`,
  `{`,
  `  "method": "$context.httpMethod",`,
  `  "body": $input.json('$'),`,
  `  "headers": ${paramsObject("header")},`,
  `  "query": ${paramsObject("querystring")},`,
  `  "pathParameters": ${paramsObject("path")},`,
  `  "context": {`,
  `    "accountId": "$context.accountId",`,
  `    "apiId": "$context.apiId",`,
  `    "requestId": "$context.requestId",`,
  `    "requestTime": "$context.requestTime",`,
  `    "sourceIp": "$context.identity.sourceIp",`,
  `    "userAgent": "${jsonString("$context.identity.userAgent")}"`,
  `  }`,
  `}`,
].join("\n");

/** Success: the function's result under `data`. */
export const TRANSFORM_SUCCESS_TEMPLATE =
  `{"success":true,"data":$input.json('$'),"metadata":{"timestamp":"$context.requestTime","requestId":"$context.requestId"}}`;

/** A `[BadRequest] ...` error from the function: 400 with its message, prefix removed. */
export const TRANSFORM_ERROR_TEMPLATE = [
  `#set($message = $input.path('$.errorMessage'))`,
  `{"success":false,"error":{"message":"${jsonString("$message.replace('[BadRequest] ', '')")}","type":"BadRequest","requestId":"$context.requestId"}}`,
].join("\n");

/**
 * Any other error: 500. The function's message may carry internals, so the client gets a
 * generic one and the request id to quote; the message is in the function's logs.
 */
export const TRANSFORM_FAILURE_TEMPLATE =
  `{"success":false,"error":{"message":"Internal error","type":"InternalError","requestId":"$context.requestId"}}`;
