import type { HeaderPair } from "../../../local/restGateway/integrations/integrationTypes";

/**
 * The request headers of LocalStack's TestApiGatewayHeaderRemapping.invoke_api, in its order:
 * the caller's side of the header remapping recordings (against AWS, 11-12-2024), which the
 * header rules and the HTTP integration specs replay.
 */
export const REMAPPING_TEST_REQUEST: readonly HeaderPair[] = [
  ["Accept", "application/json"],
  ["Accept-Charset", "UTF-8"],
  ["Accept-Encoding", "br"],
  ["Age", "request_Age"],
  ["Authorization", "Unauthorized"],
  ["Connection", "close"],
  ["Content-Encoding", "deflate"],
  ["Content-MD5", "request_Content-MD5"],
  ["Content-Type", "application/json"],
  ["Date", "request_Date"],
  ["Expect", "100-continue"],
  ["Max-Forwards", "2"],
  ["Pragma", "cache"],
  ["Proxy-Authenticate", "Basic"],
  ["Range", "bytes=500-999"],
  ["Referer", "https://example.com/"],
  ["Server", "https://example.com/"],
  ["TE", "deflate"],
  ["Trailer", "Expires"],
  ["Transfer-Encoding", "chunked"],
  ["Upgrade", "HTTP/2.0"],
  ["User-Agent", "localStack/0.0"],
  ["Via", "p.example.net"],
  ["Warn", "299 localStack/0.0"],
  ["WWW-Authenticate", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"],
];
