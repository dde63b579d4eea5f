import { generateKeyPairSync, sign as rsaSign } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { builtinModules } from "node:module";
import { types } from "node:util";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { expect } from "chai";
import { ProgramRun, RecordedResource, runProgram } from "../../local/controlPlane";
import { archiveFiles } from "./archiveFiles";
import type { TransformEvent } from "../../functions/transform";
import { lambdaContext, proxyEvent } from "../functions/proxyEvent";
import { withEnv } from "../functions/withEnv";
import { recordedRoute, selects } from "./apiRoutes";
import { HTTP_OVERRIDES } from "./stackRuns";
import type { JsonDocument } from "../jsonDocument";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
/** The customers API's functions (CustomersApi, one per family of routes). */
const CUSTOMER_FUNCTIONS = ["customers-onboard", "customers-read", "customers-tier", "customers-rotate", "customers-state", "customers-remove"];
/**
 * The dev stack's functions: the six route handlers, the HMAC TOKEN authorizer, the customers
 * API's six, the stage cache's flush function (ApiCache) and the WebSocket API's seven (one per
 * route and the $connect authorizer).
 */
const FUNCTIONS = [
  "create-user", "get-user", "data", "transform", "upload-file", "partner-status", "partner-tokens",
  ...CUSTOMER_FUNCTIONS,
  "cache-flush",
  "realtime-connect", "realtime-disconnect", "realtime-default", "realtime-broadcast", "realtime-direct", "realtime-whoami", "realtime-authorizer",
];
/**
 * The packages each function bundles (its HandlerFunction `packages`): the Cognito-guarded users
 * and customers handlers verify tokens with aws-jwt-verify; every other function bundles none.
 */
const SHIPPED_PACKAGES: Record<string, string[]> = {
  "create-user": ["aws-jwt-verify"],
  "get-user": ["aws-jwt-verify"],
  ...Object.fromEntries(CUSTOMER_FUNCTIONS.map((name) => [name, ["aws-jwt-verify"]])),
  "realtime-authorizer": ["aws-jwt-verify"],
};
/** @aws-sdk/* clients a function takes from the Lambda runtime rather than its archive. */
const RUNTIME_SDK_CLIENTS: Record<string, string[]> = {
  "create-user": ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"],
  "get-user": ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"],
  "partner-tokens": ["@aws-sdk/client-secrets-manager"],
  "cache-flush": ["@aws-sdk/client-api-gateway"],
  ...Object.fromEntries(CUSTOMER_FUNCTIONS.map((name) => [name, ["@aws-sdk/client-api-gateway"]])),
  "realtime-connect": ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"],
  "realtime-disconnect": ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"],
  "realtime-broadcast": ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-apigatewaymanagementapi"],
  "realtime-direct": ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-apigatewaymanagementapi"],
  "realtime-default": ["@aws-sdk/client-apigatewaymanagementapi"],
  "realtime-whoami": ["@aws-sdk/client-apigatewaymanagementapi"],
};
/** What the Lambda runtime sets in every function's environment, besides the function's own. */
const RUNTIME_ENVIRONMENT = { AWS_REGION: "us-east-1" };
const MAX_ZIPPED_BYTES = 200 * 1024;
/**
 * Packages that must never ship in a function: test and build tools, the Pulumi SDK (deploy
 * time only), and the local cloud's own dependencies.
 */
const FORBIDDEN_PACKAGES = [
  "mocha", "chai", "ts-node", "typescript", "@types", "fast-check", "autocannon",
  "@pulumi", "dynalite", "ajv", "ajv-draft-04", "velocityjs", "js-yaml", "ws",
];
// Where the archives are unpacked and their handlers loaded from: inside the project, so that
// `@aws-sdk/*` resolves from its node_modules as it would from the Lambda runtime's (a bundled
// package is in __index.js itself: nothing else of the project is required). Per process, so
// concurrent test runs do not trip over each other.
const LOAD_DIR = path.join(PROJECT_ROOT, ".local", "test-archives", String(process.pid));

/** One function's archive, flattened to files, zipped, and its handler loaded. */
interface Shipped {
  fn: RecordedResource;
  files: Map<string, Buffer>;
  zip: Buffer;
  /** Where the archive was unpacked. */
  dir: string;
  handler: (event: unknown, context: unknown) => Promise<JsonDocument>;
}

/** Unpacks an archive's files under `dir`. */
function unpack(files: Map<string, Buffer>, dir: string): void {
  for (const [file, content] of files) {
    const to = path.join(dir, ...file.split("/"));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, content);
  }
}

/** Loads an unpacked archive's handler as the runtime does: the factory runs at load, reading the environment. */
function loadHandler(dir: string, environment: Record<string, string | undefined>): Shipped["handler"] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an unpacked archive's handler, loaded while its environment is set (its factory reads it at load)
  return (withEnv(environment, () => require(path.join(dir, "__index.js"))) as { handler: Shipped["handler"] }).handler;
}

describe("Lambda archives of the dev stack", () => {
  let run: ProgramRun;
  const shipped = new Map<string, Shipped>();
  const ship = (name: string) => shipped.get(name)!;

  before(async () => {
    run = await runProgram({ stack: "dev" });
    for (const fn of run.graph.ofType("aws:lambda/function:Function")) {
      const files = await archiveFiles(fn.inputs.code);
      const dir = path.join(LOAD_DIR, fn.name);
      unpack(files, dir);
      // The handler factory runs at load (cold start) and reads the function's environment,
      // with what the runtime adds (the users handlers need AWS_REGION for the pool's issuer).
      const handler = loadHandler(dir, { ...RUNTIME_ENVIRONMENT, ...(fn.inputs.environment?.variables ?? {}) });
      shipped.set(fn.name, { fn, files, zip: zipOf(files), dir, handler });
    }
  });

  after(() => {
    for (const key of Object.keys(require.cache)) if (key.startsWith(LOAD_DIR + path.sep)) delete require.cache[key];
    fs.rmSync(LOAD_DIR, { recursive: true, force: true });
    const parent = path.dirname(LOAD_DIR);
    if (fs.existsSync(parent) && fs.readdirSync(parent).length === 0) fs.rmdirSync(parent);

    const rows = [...shipped.values()].sort((a, b) => b.zip.length - a.zip.length).map((s) => [
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

  it("are the twenty-one functions' archives (six handlers, the partner-tokens authorizer, the six customers functions, cache-flush and the seven realtime functions)", () => {
    expect([...shipped.keys()].sort()).to.deep.equal([...FUNCTIONS].sort());
  });

  it(`are each at most ${MAX_ZIPPED_BYTES / 1024} KB zipped`, () => {
    const tooBig = [...shipped.values()].filter((s) => s.zip.length > MAX_ZIPPED_BYTES).map((s) => `${s.fn.name}: ${s.zip.length} bytes`);
    expect(tooBig).to.deep.equal([]);
  });

  for (const name of FUNCTIONS) {
    const packages = SHIPPED_PACKAGES[name] ?? [];
    const sdkClients = RUNTIME_SDK_CLIENTS[name] ?? [];
    describe(name, () => {
      const requires = () => {
        const source = ship(name).files.get("__index.js")!.toString("utf8");
        const specifiers = [...source.matchAll(/\brequire\(\s*(["'])([^"']+)\1\s*\)/g)].map((m) => m[2]);
        // Every require call takes a literal, so the list is complete.
        expect(specifiers.length).to.equal((source.match(/\brequire\s*\(/g) ?? []).length);
        return specifiers;
      };
      const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

      it(`is one bundled file, __index.js${packages.length ? " (and the licences of what it bundles)" : ""}, with no node_modules`, () => {
        const { files } = ship(name);
        expect([...files.keys()].sort()).to.deep.equal(packages.length ? ["__index.js", "__index.js.LEGAL.txt"] : ["__index.js"]);
        expect([...files.keys()].flatMap(packagesIn)).to.deep.equal([]);
        // Minified: the closure's comments and indentation are gone.
        expect(files.get("__index.js")!.toString("utf8").split("\n").length).to.be.at.most(3);
      });

      it(`bundles exactly the packages it lists: ${packages.join(", ") || "none"}; no test, build, deploy-time or local-cloud package`, () => {
        const legal = ship(name).files.get("__index.js.LEGAL.txt")?.toString("utf8") ?? "";
        const bundled = [...legal.matchAll(/^((?:@[^/\s]+\/)?[^@\s]+)@\S+ \(/gm)].map((m) => m[1]);
        expect(bundled.sort()).to.deep.equal([...packages].sort());
        expect(bundled.filter(isForbidden)).to.deep.equal([]);
      });

      it("requires only node builtins and @aws-sdk/* (in the Lambda runtime): every other import is bundled in", () => {
        const disallowed = requires().filter((s) => !s.startsWith("@aws-sdk/") && !builtinModules.includes(s.replace(/^node:/, "")));
        expect(disallowed).to.deep.equal([]);
      });

      if (sdkClients.length > 0) {
        it(`takes ${sdkClients.join(", ")} from the runtime: required, not shipped`, () => {
          expect(requires().filter((s) => s.startsWith("@aws-sdk/")).map(packageOf)).to.include.members(sdkClients);
          expect([...ship(name).files.keys()].filter((f) => f.includes("node_modules/@aws-sdk/"))).to.deep.equal([]);
        });
      }

      it(`zips (DEFLATE) to at most ${MAX_ZIPPED_BYTES / 1024} KB, and the zip reads back`, () => {
        const { files, zip } = ship(name);
        expect(zip.length).to.be.at.most(MAX_ZIPPED_BYTES);
        expect(unzip(zip)).to.deep.equal(files);
      });

      it("loads as the Lambda runtime would, exporting the handler", () => {
        expect(ship(name).handler).to.be.a("function");
      });

      // nodejs24.x has no callback-style handlers: its runtime interface client refuses at INIT
      // any handler declaring 3 or more parameters (Runtime.CallbackHandlerDeprecated, even an
      // async one), and every invocation fails. What the factory returns: async (event, context).
      it("exports an async handler taking at most (event, context): no callback style, which nodejs24.x refuses", () => {
        const { handler } = ship(name);
        expect(types.isAsyncFunction(handler), "async").to.equal(true);
        expect(handler.length).to.be.at.most(2);
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

  describe("the serialized GET /partner/status handler", () => {
    it("answers who the HMAC authorizer said the caller is, to an allowed origin", async () => {
      const event = proxyEvent({
        resource: "/partner/status",
        path: "/partner/status",
        headers: { Origin: "http://localhost:3000" },
        requestContext: { stage: "dev", authorizer: { principalId: "partner-demo", clientId: "partner-demo", expiresAt: 1_700_000_300 } },
      });
      const result = await ship("partner-status").handler(event, lambdaContext());
      expect(result.statusCode).to.equal(200);
      expect(result.headers).to.include({ "Access-Control-Allow-Origin": "http://localhost:3000", "Access-Control-Allow-Credentials": "true" });
      expect(JSON.parse(result.body)).to.deep.equal({
        status: "ok",
        principalId: "partner-demo",
        context: { clientId: "partner-demo", expiresAt: 1_700_000_300 },
        requestId: event.requestContext.requestId,
      });
    });
  });

  describe("the serialized Cognito-guarded users handlers", () => {
    const UNAUTHORIZED = { message: "Unauthorized" };
    const usersEvent = (method: "POST" | "GET", headers: Record<string, string>, body?: string) =>
      proxyEvent({
        resource: method === "POST" ? "/users" : "/users/{id}",
        path: method === "POST" ? "/users" : "/users/abc",
        httpMethod: method,
        headers: { Origin: "http://127.0.0.1:3000", "Content-Type": "application/json", ...headers },
        pathParameters: method === "GET" ? { id: "abc" } : null,
        body: body ?? null,
        requestContext: { stage: "dev" },
      });
    const quietly = async <T>(fn: () => Promise<T>): Promise<T> => {
      const warn = console.warn;
      console.warn = () => undefined;
      try {
        return await fn();
      } finally {
        console.warn = warn;
      }
    };

    for (const name of ["create-user", "get-user"]) {
      it(`${name} refuses a request without a token with 401, before touching DynamoDB (pool settings from USER_POOL_ID and AWS_REGION)`, async () => {
        const result = await quietly(() => ship(name).handler(usersEvent(name === "create-user" ? "POST" : "GET", {}), lambdaContext()));
        expect(result.statusCode).to.equal(401);
        expect(JSON.parse(result.body)).to.deep.equal(UNAUTHORIZED);
        expect(result.headers["Access-Control-Allow-Origin"]).to.equal("http://127.0.0.1:3000");
      });

      it(`${name} refuses a malformed bearer token with 401`, async () => {
        const result = await quietly(() =>
          ship(name).handler(usersEvent(name === "create-user" ? "POST" : "GET", { Authorization: "Bearer not.a.jwt" }), lambdaContext()),
        );
        expect(result.statusCode).to.equal(401);
      });
    }

    describe("against a user pool's signing keys (served on 127.0.0.1)", () => {
      const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
      let server: http.Server;
      let issuer: string;
      let createUser: Shipped["handler"];
      let clientId: string;
      const sign = (claims: Record<string, unknown>) => {
        const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
        const input = `${b64({ alg: "RS256", kid: "k1", typ: "JWT" })}.${b64(claims)}`;
        return `${input}.${rsaSign("sha256", Buffer.from(input), keys.privateKey).toString("base64url")}`;
      };
      const idToken = (overrides: Record<string, unknown> = {}) => {
        const now = Math.floor(Date.now() / 1000);
        return sign({ sub: "0f3a2b1c-aaaa-4bbb-8ccc-123456789abc", iss: issuer, aud: clientId, token_use: "id", iat: now, exp: now + 600, ...overrides });
      };

      before(async () => {
        const fn = ship("create-user").fn;
        const variables = fn.inputs.environment.variables as Record<string, string>;
        clientId = variables.USER_POOL_CLIENT_ID;
        const jwk = { ...keys.publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" };
        server = http.createServer((req, res) => {
          if (req.url === `/${variables.USER_POOL_ID}/.well-known/jwks.json`) res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
          else res.writeHead(404).end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${variables.USER_POOL_ID}`;
        // A second copy of the archive, loaded with the local cloud's issuer override.
        const dir = path.join(LOAD_DIR, "create-user-local-issuer");
        unpack(ship("create-user").files, dir);
        createUser = loadHandler(dir, { ...RUNTIME_ENVIRONMENT, ...variables, COGNITO_ISSUER: issuer, COGNITO_JWKS_URI: `${issuer}/.well-known/jwks.json` });
      });

      after(() => new Promise<void>((resolve) => server.close(() => resolve())));

      it("create-user lets an ID token of the stack's app client through, to its own validation (400 for a body without email)", async () => {
        const result = await createUser(usersEvent("POST", { Authorization: `Bearer ${idToken()}` }, JSON.stringify({ name: "Ada" })), lambdaContext());
        expect(result.statusCode).to.equal(400);
        expect(JSON.parse(result.body)).to.deep.equal({ message: "email is required and must be a string" });
      });

      it("create-user refuses a token issued to another app client, or expired, with 401", async () => {
        for (const overrides of [{ aud: "another-client" }, { exp: Math.floor(Date.now() / 1000) - 60 }]) {
          const result = await quietly(() => createUser(usersEvent("POST", { Authorization: idToken(overrides) }, "{}"), lambdaContext()));
          expect(result.statusCode, JSON.stringify(overrides)).to.equal(401);
        }
      });
    });
  });
});

describe("Lambda archive of the HTTP flavour's own function (health)", () => {
  it("is one bundled file whose handler is async (event, context) at most, and answers", async () => {
    const run = await runProgram({ stack: "dev", configOverrides: HTTP_OVERRIDES });
    const files = await archiveFiles(run.graph.get("aws:lambda/function:Function", "health").inputs.code);
    expect([...files.keys()]).to.deep.equal(["__index.js"]);
    const dir = path.join(LOAD_DIR, "health");
    unpack(files, dir);
    try {
      const handler = loadHandler(dir, RUNTIME_ENVIRONMENT);
      expect(types.isAsyncFunction(handler), "async").to.equal(true);
      expect(handler.length).to.be.at.most(2);
      expect(await handler({}, lambdaContext())).to.deep.include({ statusCode: 200, body: '{"status":"ok"}' });
    } finally {
      delete require.cache[path.join(dir, "__index.js")];
      fs.rmSync(dir, { recursive: true, force: true });
      for (const emptied of [LOAD_DIR, path.dirname(LOAD_DIR)]) if (fs.existsSync(emptied) && fs.readdirSync(emptied).length === 0) fs.rmdirSync(emptied);
    }
  });
});

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
