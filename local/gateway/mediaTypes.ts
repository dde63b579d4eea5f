/**
 * The media type of a Content-Type or Accept value: `application/json; charset=utf-8` ->
 * `application/json`.
 *
 * @param contentType - The header value, if any.
 */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * Whether a media type matches one of the API's binary media types. Only the configured
 * types carry wildcards, and only on the right: `image/*` covers `image/png`; `*\/*` covers
 * every type ("set your API's binary media types to *\/*", developer guide, "Binary media
 * types for REST APIs in API Gateway"); a left wildcard such as `*\/test` covers nothing
 * (recorded: LocalStack tests/aws/services/apigateway/test_apigateway_lambda.py,
 * test_aws_proxy_binary_response: "wildcard on the left is not supported"
 * — `random/test` is not binary with `*\/test` configured). A wildcard in the request's own
 * Accept value is taken literally (`image/*` is not binary with `image/png` configured).
 *
 * @param contentType - A Content-Type or Accept value (its first media type counts).
 * @param binaryMediaTypes - The API's binaryMediaTypes.
 */
export function matchesBinaryMediaType(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
  const type = mediaType(contentType?.split(",")[0]);
  if (!type) return false;
  const [major, minor] = type.split("/");
  if (minor === undefined) return false;
  return binaryMediaTypes.some((configured) => {
    const pattern = mediaType(configured);
    if (pattern === "*/*") return true;
    const [pMajor, pMinor] = (pattern ?? "").split("/");
    // A left wildcard covers nothing, not even an Accept that spells it (`*/test`) [recorded].
    if (pMajor === "*") return false;
    return pMajor === major && (pMinor === "*" || pMinor === minor);
  });
}
