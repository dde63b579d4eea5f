import { expect } from "chai";
import { GetItemCommand, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { createCreateUserHandler, createGetUserHandler } from "../../functions/users";
import type { CorsPolicy } from "../../functions/proxyResponse";
import type { ProxyEvent } from "../../functions/proxyTypes";
import { startDynamoEmulator, type DynamoEmulator } from "./dynamoEmulator";
import { expectRejection } from "./expectRejection";
import { lambdaContext, proxyEvent, type ProxyEventOverrides } from "./proxyEvent";
import { withEnv } from "./withEnv";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NO_CORS: CorsPolicy = { allowOrigins: [], allowCredentials: false };

function postUser(body: unknown, overrides: ProxyEventOverrides = {}): ProxyEvent {
  return proxyEvent({
    resource: "/users",
    path: "/users",
    httpMethod: "POST",
    headers: { "Content-Type": "application/json", Host: "abc123defg.execute-api.us-east-1.amazonaws.com" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...overrides,
  });
}

function getUser(id: string | undefined, overrides: ProxyEventOverrides = {}): ProxyEvent {
  return proxyEvent({
    resource: "/users/{id}",
    path: `/users/${id ?? ""}`,
    httpMethod: "GET",
    pathParameters: id === undefined ? null : { id },
    ...overrides,
  });
}

describe("functions/users", () => {
  let emulator: DynamoEmulator;
  let createUser: ReturnType<typeof createCreateUserHandler>;
  let getUserById: ReturnType<typeof createGetUserHandler>;

  before(async () => {
    emulator = await startDynamoEmulator();
    // Built the way Lambda builds them: settings from the environment, no overrides.
    const env = { USERS_TABLE: emulator.tableName, CORS_ALLOW_ORIGINS: undefined, CORS_ALLOW_CREDENTIALS: undefined };
    createUser = withEnv(env, () => createCreateUserHandler());
    getUserById = withEnv(env, () => createGetUserHandler());
  });

  after(async () => {
    await emulator?.stop();
  });

  /** The raw item, wire types included (`{ age: { N: "36" } }`), read with our own GetItem. */
  async function storedItem(id: string): Promise<Record<string, AttributeValue> | undefined> {
    const { Item } = await emulator.client.send(
      new GetItemCommand({ TableName: emulator.tableName, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    return Item;
  }

  async function itemCount(): Promise<number> {
    const { Count } = await emulator.client.send(new ScanCommand({ TableName: emulator.tableName, Select: "COUNT" }));
    return Count ?? 0;
  }

  describe("create → get round trip", () => {
    it("stores the user in DynamoDB, answers 201 with a Location, and GET returns the same user", async () => {
      const before = Date.now();
      const created = await createUser(
        postUser({ email: "ada@example.com", name: "Ada Lovelace", age: 36 }),
        lambdaContext(),
      );

      expect(created.statusCode).to.equal(201);
      expect(created.headers?.["Content-Type"]).to.equal("application/json");
      const user = JSON.parse(created.body);
      expect(user).to.have.keys("id", "email", "name", "age", "createdAt");
      expect(user.id).to.match(UUID);
      expect(user).to.include({ email: "ada@example.com", name: "Ada Lovelace", age: 36 });
      expect(new Date(user.createdAt).toISOString()).to.equal(user.createdAt);
      expect(Date.parse(user.createdAt)).to.be.within(before, Date.now());
      expect(created.headers?.Location).to.equal(`/users/${user.id}`);

      // Read it back with our own GetItem: the handler really wrote it, with the right types.
      expect(await storedItem(user.id)).to.deep.equal({
        id: { S: user.id },
        email: { S: "ada@example.com" },
        name: { S: "Ada Lovelace" },
        age: { N: "36" },
        createdAt: { S: user.createdAt },
      });

      const fetched = await getUserById(getUser(user.id), lambdaContext());
      expect(fetched.statusCode).to.equal(200);
      expect(fetched.headers?.["Content-Type"]).to.equal("application/json");
      expect(JSON.parse(fetched.body)).to.deep.equal(user);
    });

    it("stores no age attribute when age is not given, and ignores client-chosen id and createdAt", async () => {
      const created = await createUser(
        postUser({ email: "grace@example.com", name: "Grace", id: "mine", createdAt: "1970-01-01T00:00:00.000Z", admin: true }),
        lambdaContext(),
      );
      expect(created.statusCode).to.equal(201);
      const user = JSON.parse(created.body);
      expect(user.id).to.match(UUID);
      expect(user.createdAt).to.not.equal("1970-01-01T00:00:00.000Z");
      const item = await storedItem(user.id);
      expect(item).to.have.keys("id", "email", "name", "createdAt");
      expect(await storedItem("mine")).to.equal(undefined);
    });

    it("accepts age 0 and 150 (the model's bounds)", async () => {
      for (const age of [0, 150]) {
        const created = await createUser(postUser({ email: "b@example.com", name: "Bounds", age }), lambdaContext());
        expect(created.statusCode, `age ${age}`).to.equal(201);
        expect((await storedItem(JSON.parse(created.body).id))?.age).to.deep.equal({ N: String(age) });
      }
    });

    it("decodes a base64 body", async () => {
      const body = Buffer.from(JSON.stringify({ email: "b64@example.com", name: "Base Sixty-Four" })).toString("base64");
      const created = await createUser(postUser(body, { isBase64Encoded: true }), lambdaContext());
      expect(created.statusCode).to.equal(201);
      expect(JSON.parse(created.body)).to.include({ email: "b64@example.com", name: "Base Sixty-Four" });
    });

    it("records createdBy from the Cognito claims' sub, and only when there is one", async () => {
      const withClaims = await createUser(
        postUser(
          { email: "c@example.com", name: "Claimed" },
          {
            requestContext: {
              authorizer: { claims: { sub: "6f1d2c1e-0000-4000-8000-000000000001", email: "c@example.com", "cognito:username": "c" } },
            },
          },
        ),
        lambdaContext(),
      );
      const claimed = JSON.parse(withClaims.body);
      expect(claimed.createdBy).to.equal("6f1d2c1e-0000-4000-8000-000000000001");
      expect((await storedItem(claimed.id))?.createdBy).to.deep.equal({ S: "6f1d2c1e-0000-4000-8000-000000000001" });

      const lambdaAuthorizer = await createUser(
        postUser({ email: "d@example.com", name: "Principal" }, { requestContext: { authorizer: { principalId: "user-1" } } }),
        lambdaContext(),
      );
      expect(JSON.parse(lambdaAuthorizer.body)).to.not.have.property("createdBy");

      const anonymous = await createUser(postUser({ email: "e@example.com", name: "Anon" }), lambdaContext());
      expect(JSON.parse(anonymous.body)).to.not.have.property("createdBy");
    });
  });

  describe("GET /users/{id}", () => {
    it("answers 404 for an id that is not stored", async () => {
      const result = await getUserById(getUser("00000000-0000-4000-8000-000000000000"), lambdaContext());
      expect(result.statusCode).to.equal(404);
      expect(JSON.parse(result.body)).to.deep.equal({ message: "User not found" });
    });

    it("answers 404 without asking DynamoDB for an id longer than a key can be", async () => {
      const result = await getUserById(getUser("x".repeat(2049)), lambdaContext());
      expect(result.statusCode).to.equal(404);
    });

    for (const [label, id] of [
      ["no path parameters", undefined],
      ["an empty id", ""],
    ] as const) {
      it(`answers 400 for ${label}`, async () => {
        const result = await getUserById(getUser(id), lambdaContext());
        expect(result.statusCode).to.equal(400);
        expect(JSON.parse(result.body)).to.deep.equal({ message: "Missing path parameter id" });
      });
    }
  });

  describe("POST /users rejects what the model would", () => {
    const cases: Array<[string, string | null, string]> = [
      ["malformed JSON", "{\"email\": ", "Invalid request body"],
      ["no body", null, "Invalid request body"],
      ["a JSON array", "[]", "Invalid request body"],
      ["JSON null", "null", "Invalid request body"],
      ["a missing email", JSON.stringify({ name: "N" }), "email is required and must be a string"],
      ["a numeric email", JSON.stringify({ email: 42, name: "N" }), "email is required and must be a string"],
      ["an email without @", JSON.stringify({ email: "not-an-email", name: "N" }), "email must be an email address"],
      ["a missing name", JSON.stringify({ email: "n@example.com" }), "name is required and must be a string of 1 to 100 characters"],
      ["an empty name", JSON.stringify({ email: "n@example.com", name: "" }), "name is required and must be a string of 1 to 100 characters"],
      ["a 101-character name", JSON.stringify({ email: "n@example.com", name: "n".repeat(101) }), "name is required and must be a string of 1 to 100 characters"],
      ["a fractional age", JSON.stringify({ email: "n@example.com", name: "N", age: 1.5 }), "age must be an integer from 0 to 150"],
      ["a negative age", JSON.stringify({ email: "n@example.com", name: "N", age: -1 }), "age must be an integer from 0 to 150"],
      ["an age of 151", JSON.stringify({ email: "n@example.com", name: "N", age: 151 }), "age must be an integer from 0 to 150"],
      ["a string age", JSON.stringify({ email: "n@example.com", name: "N", age: "30" }), "age must be an integer from 0 to 150"],
      ["a null age", JSON.stringify({ email: "n@example.com", name: "N", age: null }), "age must be an integer from 0 to 150"],
    ];
    for (const [label, body, message] of cases) {
      it(`answers 400 for ${label}, storing nothing`, async () => {
        const countBefore = await itemCount();
        const result = await createUser(postUser(body ?? "", { body }), lambdaContext());
        expect(result.statusCode).to.equal(400);
        expect(result.headers?.["Content-Type"]).to.equal("application/json");
        expect(JSON.parse(result.body)).to.deep.equal({ message });
        expect(await itemCount()).to.equal(countBefore);
      });
    }

    it("counts a name's length in code points, as JSON Schema does", async () => {
      // 100 emoji are 200 UTF-16 units but 100 characters for maxLength.
      const result = await createUser(postUser({ email: "emoji@example.com", name: "😀".repeat(100) }), lambdaContext());
      expect(result.statusCode).to.equal(201);
    });
  });

  describe("unexpected DynamoDB errors", () => {
    let logged: unknown[][];
    let originalConsoleError: typeof console.error;
    beforeEach(() => {
      logged = [];
      originalConsoleError = console.error;
      console.error = (...args: unknown[]) => void logged.push(args);
    });
    afterEach(() => {
      console.error = originalConsoleError;
    });

    for (const [label, invoke] of [
      [
        "PutItem",
        (tableName: string) =>
          createCreateUserHandler({ tableName, cors: NO_CORS })(postUser({ email: "x@example.com", name: "X" }), lambdaContext()),
      ],
      ["GetItem", (tableName: string) => createGetUserHandler({ tableName, cors: NO_CORS })(getUser("some-id"), lambdaContext())],
    ] as const) {
      it(`logs and rethrows a ${label} failure so the gateway answers 502`, async () => {
        const error = await expectRejection(invoke("no-such-table"));
        expect(error.name).to.equal("ResourceNotFoundException");
        expect(logged).to.have.length(1);
        const line = JSON.parse(String(logged[0][0]));
        expect(line).to.include({
          level: "error",
          message: `DynamoDB ${label} failed`,
          tableName: "no-such-table",
          errorName: "ResourceNotFoundException",
        });
        expect(line.requestId).to.match(/^c6af9ac6-/);
        expect(line.awsRequestId).to.match(/^8f5d3f2e-/);
      });
    }
  });

  describe("configuration", () => {
    it("refuses to build a handler without USERS_TABLE", () => {
      for (const value of [undefined, "", "  "]) {
        expect(() => withEnv({ USERS_TABLE: value }, () => createCreateUserHandler()), `USERS_TABLE=${value}`).to.throw(
          "USERS_TABLE environment variable is required",
        );
        expect(() => withEnv({ USERS_TABLE: value }, () => createGetUserHandler())).to.throw(
          "USERS_TABLE environment variable is required",
        );
      }
    });

    it("refuses a wildcard CORS origin with credentials at factory time", () => {
      const env = { USERS_TABLE: "t", CORS_ALLOW_ORIGINS: "*", CORS_ALLOW_CREDENTIALS: "true" };
      expect(() => withEnv(env, () => createCreateUserHandler())).to.throw(/cannot be combined with CORS_ALLOW_CREDENTIALS=true/);
    });
  });

  describe("CORS headers", () => {
    const cors: CorsPolicy = { allowOrigins: ["https://app.example.com", "https://admin.example.com"], allowCredentials: true };
    let corsCreate: ReturnType<typeof createCreateUserHandler>;
    let corsGet: ReturnType<typeof createGetUserHandler>;
    before(() => {
      const env = {
        USERS_TABLE: emulator.tableName,
        CORS_ALLOW_ORIGINS: cors.allowOrigins.join(", "),
        CORS_ALLOW_CREDENTIALS: "true",
      };
      corsCreate = withEnv(env, () => createCreateUserHandler());
      corsGet = withEnv(env, () => createGetUserHandler());
    });

    it("echoes an allowed origin with Vary and credentials, on success and on errors", async () => {
      const headers = { "content-type": "application/json", origin: "https://admin.example.com" };
      const created = await corsCreate(postUser({ email: "o@example.com", name: "O" }, { headers }), lambdaContext());
      const invalid = await corsCreate(postUser("nope", { headers }), lambdaContext());
      const missing = await corsGet(getUser("missing", { headers: { Origin: "https://app.example.com" } }), lambdaContext());
      expect([created.statusCode, invalid.statusCode, missing.statusCode]).to.deep.equal([201, 400, 404]);
      for (const [result, origin] of [
        [created, "https://admin.example.com"],
        [invalid, "https://admin.example.com"],
        [missing, "https://app.example.com"],
      ] as const) {
        expect(result.headers).to.include({
          "Access-Control-Allow-Origin": origin,
          "Access-Control-Allow-Credentials": "true",
          Vary: "Origin",
        });
      }
    });

    it("sends no Allow-Origin to an origin that is not listed", async () => {
      const result = await corsCreate(
        postUser({ email: "evil@example.com", name: "E" }, { headers: { Origin: "https://evil.example.net" } }),
        lambdaContext(),
      );
      expect(result.statusCode).to.equal(201);
      expect(result.headers).to.not.have.property("Access-Control-Allow-Origin");
      expect(result.headers).to.not.have.property("Access-Control-Allow-Credentials");
    });

    it("sends no CORS headers at all when no origins are configured", async () => {
      const result = await getUserById(getUser("missing", { headers: { Origin: "https://app.example.com" } }), lambdaContext());
      expect(Object.keys(result.headers ?? {})).to.deep.equal(["Content-Type"]);
    });
  });
});
