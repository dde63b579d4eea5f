/**
 * Content type conversions over real HTTP: the local cloud serving
 * programs/contentHandlingProgram.ts (plain `@pulumi/aws` resources, binaryMediaTypes `image/png`),
 * its HTTP integrations reaching a backend this spec runs on 127.0.0.1, which says what bytes it
 * received and answers fixed bytes. The conversion table itself is contentHandling.spec.ts's.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { rawRequest } from "../integration/httpClient";
import { useLocalCloud } from "../integration/localCloudFixture";

const PROGRAM = require.resolve("./programs/contentHandlingProgram");

/** A 1x1 PNG (the image of LocalStack's test_aws_proxy_binary_response): not UTF-8. */
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/wIAAgkBAyMAlYwAAAAASUVORK5CYII=";
const PNG = Buffer.from(PNG_BASE64, "base64");

/** The backend: `/received` answers what it received, `/answer/<name>` fixed bytes. */
function startBackend(): Promise<{ server: http.Server; url: string }> {
  const answers: Record<string, [string, Buffer]> = {
    "/answer/png": ["image/png", PNG],
    "/answer/base64": ["text/plain", Buffer.from(PNG_BASE64)],
    "/answer/not-base64": ["text/plain", Buffer.from("this is not base64")],
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const [type, body] = req.url === "/received" ? ["application/json", Buffer.from(JSON.stringify({ base64: Buffer.concat(chunks).toString("base64"), contentType: req.headers["content-type"] }))] : (answers[req.url ?? ""] ?? ["text/plain", Buffer.from("no such answer")]);
      res.writeHead(200, { "Content-Type": type, "Content-Length": body.length });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe("local cloud: contentHandling of non-proxy integrations (plain @pulumi/aws program)", function () {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let base = "";

  // Before useLocalCloud's hook: the program reads the backend's URL when it runs.
  before(async () => {
    backend = await startBackend();
    process.env.CONTENT_HANDLING_BACKEND_URL = backend.url;
  });
  const fixture = useLocalCloud("content-handling", { stack: "dev", program: PROGRAM });
  before(() => {
    delete process.env.CONTENT_HANDLING_BACKEND_URL;
    base = fixture.cloud.endpoints.restApi;
  });
  after(async () => {
    if (!backend?.server.listening) return;
    backend.server.closeAllConnections();
    await new Promise((resolve) => backend.server.close(resolve));
  });

  /** What the backend received for a POST of `body` to `/received/<route>`. */
  async function received(route: string, contentType: string, body: Buffer | string): Promise<{ bytes: Buffer; contentType: string }> {
    const r = await rawRequest(`${base}/received/${route}`, { method: "POST", headers: { "Content-Type": contentType, Accept: "application/json" }, body });
    expect(r.status, r.text).to.equal(200);
    const got = r.json<{ base64: string; contentType: string }>();
    return { bytes: Buffer.from(got.base64, "base64"), contentType: got.contentType };
  }

  describe("request: what the integration receives", () => {
    it("a binary body without contentHandling: the bytes, unchanged", async () => {
      const got = await received("passthrough", "image/png", PNG);
      expect(got.bytes.equals(PNG)).to.equal(true);
      expect(got.contentType).to.equal("image/png");
    });

    it("a binary body with CONVERT_TO_TEXT: its base64", async () => {
      expect((await received("to-text", "image/png", PNG)).bytes.toString()).to.equal(PNG_BASE64);
    });

    it("a binary body with CONVERT_TO_TEXT and a template: the template's output, $input.body the base64", async () => {
      expect((await received("to-text-template", "image/png", PNG)).bytes.toString()).to.equal(`{"image": "${PNG_BASE64}"}`);
    });

    it("a text body with CONVERT_TO_BINARY: the base64 decoded", async () => {
      expect((await received("to-binary", "text/plain", PNG_BASE64)).bytes.equals(PNG)).to.equal(true);
    });

    it("a text body that is not base64 with CONVERT_TO_BINARY: 500 Internal server error", async () => {
      const r = await rawRequest(`${base}/received/to-binary`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "this is not base64" });
      expect(r.status).to.equal(500);
      expect(r.json()).to.deep.equal({ message: "Internal server error" });
    });
  });

  describe("response: what the caller receives", () => {
    it("a binary answer: the bytes for a binary Accept, base64 text for another", async () => {
      const binary = await rawRequest(`${base}/answer/png`, { headers: { Accept: "image/png" } });
      expect(binary.status).to.equal(200);
      expect(binary.body.equals(PNG)).to.equal(true);
      expect(binary.headers["content-type"]).to.equal("image/png");
      const text = await rawRequest(`${base}/answer/png`, { headers: { Accept: "application/json" } });
      expect(text.text).to.equal(PNG_BASE64);
    });

    it("a base64 text answer with CONVERT_TO_BINARY: the decoded bytes, whatever the Accept", async () => {
      for (const accept of ["image/png", "text/plain"]) {
        const r = await rawRequest(`${base}/answer/base64`, { headers: { Accept: accept } });
        expect(r.status).to.equal(200);
        expect(r.body.equals(PNG), accept).to.equal(true);
      }
    });

    it("a text answer that is not base64 with CONVERT_TO_BINARY: 500 Internal server error", async () => {
      const r = await rawRequest(`${base}/answer/not-base64`, { headers: { Accept: "image/png" } });
      expect(r.status).to.equal(500);
      expect(r.json()).to.deep.equal({ message: "Internal server error" });
    });
  });
});
