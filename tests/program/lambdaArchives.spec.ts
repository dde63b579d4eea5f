import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import type { TransformEvent } from "../../functions/transform";
import { lambdaContext, proxyEvent } from "../functions/proxyEvent";
import { withEnv } from "../functions/withEnv";
import { recordedRoute, selects } from "./apiRoutes";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
const FUNCTIONS = ["create-user", "get-user", "data", "transform", "upload-file"];
const MAX_ZIPPED_BYTES = 200 * 1024;
/**
 * Packages that must never ship in a function: test and build tools, the Pulumi SDK (deploy
 * time only), and the local cloud's own dependencies.
 */
const FORBIDDEN_PACKAGES = [
  "mocha", "chai", "ts-node", "typescript", "@types", "fast-check", "autocannon",
  "@pulumi", "dynalite", "ajv", "ajv-draft-04", "velocityjs", "js-yaml", "ws",
];
// Where the serialized handlers are loaded from: inside the project, so that `@aws-sdk/*`
// resolves from its node_modules as it would from the Lambda runtime's. Per process, so
// concurrent test runs do not trip over each other.
const LOAD_DIR = path.join(PROJECT_ROOT, ".local", "test-archives", String(process.pid));

/** One function's archive, flattened to files, zipped, and its handler loaded. */
interface Shipped {
  fn: RecordedResource;
  files: Map<string, Buffer>;
  zip: Buffer;
  handler: (event: unknown, context: unknown) => Promise<any>;
}

describe("Lambda archives of the dev stack", () => {
  let run: ProgramRun;
  const shipped = new Map<string, Shipped>();
  const ship = (name: string) => shipped.get(name)!;

  before(async () => {
    run = await runProgram({ stack: "dev" });
    for (const fn of run.graph.ofType("aws:lambda/function:Function")) {
      const files = await archiveFiles(fn.inputs.code);
      const file = path.join(LOAD_DIR, fn.name, "__index.js");
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, files.get("__index.js") ?? "");
      // The handler factory runs at load (cold start) and reads the function's environment.
      const loaded = withEnv(fn.inputs.environment?.variables ?? {}, () => require(file)) as { handler: Shipped["handler"] };
      shipped.set(fn.name, { fn, files, zip: zipOf(files), handler: loaded.handler });
    }
  });

  after(() => {
    for (const key of Object.keys(require.cache)) if (key.startsWith(LOAD_DIR + path.sep)) delete require.cache[key];
    fs.rmSync(LOAD_DIR, { recursive: true, force: true });
    const parent = path.dirname(LOAD_DIR);
    if (fs.existsSync(parent) && fs.readdirSync(parent).length === 0) fs.rmdirSync(parent);

    const rows = [...shipped.values()].map((s) => [
      s.fn.name,
      String(s.files.size),
      String([...s.files.values()].reduce((n, b) => n + b.length, 0)),
      String(s.zip.length),
    ]);
    const table = [["function", "files", "bytes", "zipped bytes"], ...rows];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    console.log("\n      Lambda archive sizes (dev):");
    for (const row of table) console.log("      " + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  });

  it("are the five functions' archives", () => {
    expect([...shipped.keys()].sort()).to.deep.equal([...FUNCTIONS].sort());
  });

  for (const name of FUNCTIONS) {
    describe(name, () => {
      it("holds __index.js and no test, build, deploy-time or local-cloud package", () => {
        const { files } = ship(name);
        expect(files.has("__index.js")).to.equal(true);
        const offending = [...files.keys()].filter((file) => packagesIn(file).some(isForbidden));
        expect(offending).to.deep.equal([]);
      });

      it("requires only @aws-sdk/* (in the Lambda runtime) and node builtins", () => {
        const source = ship(name).files.get("__index.js")!.toString("utf8");
        const specifiers = [...source.matchAll(/\brequire\(\s*(["'])([^"']+)\1\s*\)/g)].map((m) => m[2]);
        // Every require call takes a literal, so the list above is complete.
        expect(specifiers.length).to.equal((source.match(/\brequire\s*\(/g) ?? []).length);
        const disallowed = specifiers.filter((s) => !s.startsWith("@aws-sdk/") && !builtinModules.includes(s.replace(/^node:/, "")));
        expect(disallowed).to.deep.equal([]);
      });

      it(`zips (DEFLATE) to at most ${MAX_ZIPPED_BYTES / 1024} KB, and the zip reads back`, () => {
        const { files, zip } = ship(name);
        expect(zip.length).to.be.at.most(MAX_ZIPPED_BYTES);
        expect(unzip(zip)).to.deep.equal(files);
      });

      it("loads as the Lambda runtime would, exporting the handler", () => {
        expect(ship(name).handler).to.be.a("function");
      });
    });
  }

  describe("the serialized transform handler", () => {
    const event = (body: unknown): TransformEvent => ({
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "User-Agent": "curl/8.5.0" },
      query: { trace: "1" },
      pathParameters: {},
      context: {
        accountId: "123456789012",
        apiId: "abc123defg",
        requestId: "7e0b5f5c-2d9a-4c7e-9a51-4f0d6a1b2c3d",
        requestTime: "25/Nov/2025:13:36:00 +0000",
        sourceIp: "203.0.113.10",
        userAgent: "curl/8.5.0",
      },
    });
    const pattern = (status: string) => recordedRoute(run.graph, "POST", "/transform").integrationResponses[status].inputs.selectionPattern as string;
    const rejection = async (promise: Promise<unknown>): Promise<Error> => {
      try {
        await promise;
      } catch (err) {
        return err as Error;
      }
      throw new Error("expected the handler to throw");
    };

    it("transforms what the request template hands it", async () => {
      const transform = ship("transform").handler;
      expect(await transform(event({ text: "Hello World", operation: "uppercase" }), lambdaContext())).to.deep.equal({
        operation: "uppercase",
        input: "Hello World",
        output: "HELLO WORLD",
        length: 11,
        requestedBy: { sourceIp: "203.0.113.10", userAgent: "curl/8.5.0" },
        requestId: "7e0b5f5c-2d9a-4c7e-9a51-4f0d6a1b2c3d",
      });
      // The helpers it closes over (grapheme reversal, word count) came along.
      expect((await transform(event({ text: "a😀b🇨🇭", operation: "reverse" }), lambdaContext())).output).to.equal("🇨🇭b😀a");
      expect((await transform(event({ text: " one  two\tthree ", operation: "wordcount" }), lambdaContext())).output).to.equal(3);
    });

    it("throws client mistakes with a message the 400 integration response selects", async () => {
      const err = await rejection(ship("transform").handler(event({ text: "hi", operation: "shout" }), lambdaContext()));
      expect(err.message).to.equal('[BadRequest] Unknown operation "shout"; allowed: uppercase, lowercase, reverse, wordcount');
      expect(selects(pattern("400"), err.message)).to.equal(true);
    });

    it("throws a broken event with a message only the 500 integration response selects", async () => {
      const err = await rejection(ship("transform").handler({ body: { text: "hi", operation: "uppercase" } }, lambdaContext()));
      expect(err.message).to.match(/^Malformed integration event/);
      expect(selects(pattern("400"), err.message)).to.equal(false);
      expect(selects(pattern("500"), err.message)).to.equal(true);
    });
  });

  describe("the serialized GET /data handler", () => {
    const request = (origin: string) =>
      proxyEvent({
        resource: "/data",
        path: "/data",
        queryStringParameters: { category: "books" },
        headers: { Accept: "application/json", "Accept-Language": "fr-CH, fr;q=0.9", Origin: origin, "User-Agent": "Mozilla/5.0" },
        requestContext: { stage: "dev" },
      });

    it("answers the category and language, cacheable for the data/GET TTL, to an allowed origin", async () => {
      const event = request("http://127.0.0.1:3000");
      const result = await ship("data").handler(event, lambdaContext());
      expect(result.statusCode).to.equal(200);
      expect(result.headers).to.deep.equal({
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": "http://127.0.0.1:3000",
        "Access-Control-Allow-Credentials": "true",
        "Cache-Control": "max-age=60",
        Vary: "Origin, Accept-Language",
      });
      const body = JSON.parse(result.body);
      expect(body).to.deep.include({ category: "books", language: "fr-CH", requestId: event.requestContext.requestId });
      expect(new Date(body.generatedAt).toISOString()).to.equal(body.generatedAt);
    });

    it("does not let another origin read the answer", async () => {
      const result = await ship("data").handler(request("https://evil.example"), lambdaContext());
      expect(result.statusCode).to.equal(200);
      expect(result.headers).not.to.have.property("Access-Control-Allow-Origin");
      expect(result.headers).not.to.have.property("Access-Control-Allow-Credentials");
    });
  });
});

/** Every file of a function's code archive by its path in the archive. */
async function archiveFiles(archive: pulumi.asset.Archive, prefix = ""): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  if (!(archive instanceof pulumi.asset.AssetArchive)) throw new Error(`unexpected code archive ${archive?.constructor?.name}`);
  for (const [name, entry] of Object.entries(await archive.assets)) {
    const at = prefix + name;
    if (entry instanceof pulumi.asset.StringAsset) {
      files.set(at, Buffer.from(await entry.text, "utf8"));
    } else if (entry instanceof pulumi.asset.FileAsset) {
      files.set(at, fs.readFileSync(await entry.path));
    } else if (entry instanceof pulumi.asset.FileArchive) {
      const root = await entry.path;
      if (!fs.statSync(root).isDirectory()) throw new Error(`${at}: only folder archives are expected (got ${root})`);
      for (const file of fs.readdirSync(root, { recursive: true }) as string[]) {
        const full = path.join(root, file);
        if (fs.statSync(full).isFile()) files.set(`${at}/${file.split(path.sep).join("/")}`, fs.readFileSync(full));
      }
    } else if (entry instanceof pulumi.asset.AssetArchive) {
      for (const [file, content] of await archiveFiles(entry, `${at}/`)) files.set(file, content);
    } else {
      throw new Error(`${at}: unexpected archive entry ${entry?.constructor?.name}`);
    }
  }
  return files;
}

/** The packages a path in an archive lies in: `node_modules/@types/node/x.d.ts` → `@types/node`. */
function packagesIn(file: string): string[] {
  return [...file.matchAll(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((m) => m[1]);
}

function isForbidden(pkg: string): boolean {
  return FORBIDDEN_PACKAGES.some((name) => pkg === name || pkg.startsWith(`${name}/`));
}

// A zip as Lambda receives it (PKWARE APPNOTE 6.3: local headers, central directory, end
// record), DEFLATE at zlib's default level like the Pulumi engine's archiver. Node's zlib has
// everything needed, so no zip package is added for a size check.
const DOS_DATE_1980_01_01 = (1 << 5) | 1;

function zipOf(files: Map<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const nameBytes = Buffer.from(name, "utf8");
    const data = zlib.deflateRawSync(content);
    const crc = zlib.crc32(content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8); // DEFLATE
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    local.copy(central, 6, 4, 30); // version needed .. name length, as in the local header
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.size, 8);
  end.writeUInt16LE(files.size, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Reads a zip back through its central directory, checking each entry's CRC. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.length - 22;
  if (zip.readUInt32LE(end) !== 0x06054b50) throw new Error("no end of central directory record");
  const files = new Map<string, Buffer>();
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`entry ${i}: bad central directory header`);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`${name}: bad local header`);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const content = zlib.inflateRawSync(zip.subarray(dataStart, dataStart + zip.readUInt32LE(at + 20)));
    if (zlib.crc32(content) !== zip.readUInt32LE(at + 16)) throw new Error(`${name}: CRC mismatch`);
    files.set(name, content);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return files;
}
