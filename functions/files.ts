import { createHash } from "node:crypto";
import { corsPolicyFromEnv, headerValue, jsonResponse, type CorsPolicy } from "./proxyResponse";
import type { LambdaContext, ProxyEvent, ProxyResult } from "./proxyTypes";

export interface UploadFileHandlerOptions {
  /** @default read from `CORS_ALLOW_ORIGINS` / `CORS_ALLOW_CREDENTIALS` */
  cors?: CorsPolicy;
}

export interface UploadReceipt {
  bytes: number;
  /** Lowercase hex SHA-256 of the bytes received. */
  sha256: string;
  contentType: string;
}

const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/**
 * POST /files (Lambda proxy, API with binary media types): answers the size and SHA-256 of
 * exactly the bytes that arrived, so a client can check that nothing was re-encoded.
 * Request bodies whose Content-Type matches `binaryMediaTypes` arrive base64-encoded with
 * `isBase64Encoded: true`; other bodies arrive as the UTF-8 text API Gateway received.
 *
 * Reads `CORS_ALLOW_ORIGINS`, `CORS_ALLOW_CREDENTIALS`.
 */
export function createUploadFileHandler(options: UploadFileHandlerOptions = {}) {
  const cors = options.cors ?? corsPolicyFromEnv();

  return async (event: ProxyEvent, _context: LambdaContext): Promise<ProxyResult> => {
    const content = requestBodyBytes(event);
    if (content.length === 0) return jsonResponse(400, { message: "Empty file" }, event, cors);

    const receipt: UploadReceipt = {
      bytes: content.length,
      sha256: createHash("sha256").update(content).digest("hex"),
      contentType: headerValue(event, "Content-Type") ?? DEFAULT_CONTENT_TYPE,
    };
    return jsonResponse(200, receipt, event, cors);
  };
}

/** The raw request bytes of a proxy event: base64-decoded when flagged, else UTF-8. */
export function requestBodyBytes(event: Pick<ProxyEvent, "body" | "isBase64Encoded">): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body, "utf8");
}
