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
 * Whether a media type matches one of the API's binary media types (wildcards allowed).
 *
 * @param contentType - A Content-Type or Accept value.
 * @param binaryMediaTypes - The API's binaryMediaTypes.
 */
export function matchesBinaryMediaType(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
  const type = mediaType(contentType);
  if (!type) return false;
  const [major, minor] = type.split("/");
  return binaryMediaTypes.some((pattern) => {
    const [pMajor, pMinor] = pattern.toLowerCase().split("/");
    return (pMajor === "*" || pMajor === major) && (pMinor === "*" || pMinor === minor);
  });
}
