import { createHash } from "node:crypto";
import { expect } from "chai";
import { createUploadFileHandler } from "../../functions/files";
import { lambdaContext, proxyEvent } from "./proxyEvent";
import { withEnv } from "./withEnv";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

function upload(body: string | null, isBase64Encoded: boolean, headers: Record<string, string> | null) {
  return proxyEvent({ resource: "/files", httpMethod: "POST", body, isBase64Encoded, headers });
}

describe("functions/files", () => {
  const handler = withEnv({ CORS_ALLOW_ORIGINS: undefined, CORS_ALLOW_CREDENTIALS: undefined }, () =>
    createUploadFileHandler(),
  );

  it("hashes exactly the bytes of a base64 binary body (all 256 byte values)", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const result = await handler(
      upload(bytes.toString("base64"), true, { "content-type": "image/png" }),
      lambdaContext(),
    );
    expect(result.statusCode).to.equal(200);
    expect(result.headers?.["Content-Type"]).to.equal("application/json");
    expect(JSON.parse(result.body)).to.deep.equal({
      bytes: 256,
      sha256: sha256(bytes),
      contentType: "image/png",
    });
    // Hashing the UTF-8 re-encoding of the same bytes would differ: the test can tell.
    expect(sha256(bytes)).to.not.equal(sha256(Buffer.from(bytes.toString("latin1"), "utf8")));
  });

  it("takes a non-base64 body as its UTF-8 bytes", async () => {
    const text = "héllo wörld ✓";
    const result = await handler(upload(text, false, { "Content-Type": "text/plain; charset=utf-8" }), lambdaContext());
    expect(JSON.parse(result.body)).to.deep.equal({
      bytes: Buffer.byteLength(text, "utf8"),
      sha256: sha256(Buffer.from(text, "utf8")),
      contentType: "text/plain; charset=utf-8",
    });
    expect(Buffer.byteLength(text, "utf8")).to.be.greaterThan(text.length);
  });

  it("defaults the content type to application/octet-stream", async () => {
    const result = await handler(upload(Buffer.from([1, 2, 3]).toString("base64"), true, null), lambdaContext());
    expect(JSON.parse(result.body)).to.include({ bytes: 3, contentType: "application/octet-stream" });
  });

  for (const [label, body, isBase64Encoded] of [
    ["no body", null, false],
    ["an empty text body", "", false],
    ["an empty base64 body", "", true],
  ] as const) {
    it(`answers 400 for ${label}`, async () => {
      const result = await handler(upload(body, isBase64Encoded, { "Content-Type": "application/pdf" }), lambdaContext());
      expect(result.statusCode).to.equal(400);
      expect(JSON.parse(result.body)).to.deep.equal({ message: "Empty file" });
    });
  }

  it("adds CORS headers for a listed origin", async () => {
    const corsHandler = withEnv({ CORS_ALLOW_ORIGINS: "https://app.example.com", CORS_ALLOW_CREDENTIALS: "false" }, () =>
      createUploadFileHandler(),
    );
    const result = await corsHandler(
      upload("x", false, { Origin: "https://app.example.com", "Content-Type": "text/plain" }),
      lambdaContext(),
    );
    expect(result.headers).to.include({ "Access-Control-Allow-Origin": "https://app.example.com", Vary: "Origin" });
  });
});
