/**
 * API keys through the local API Gateway endpoint, driven by the real SDK: what each
 * operation answers (shapes and errors as AWS's, LocalStack's recordings of AWS where they
 * exist) and what the gateway does with the key from the next request on.
 */
import {
  CreateApiKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  type GetApiKeysCommandInput,
  GetTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiKeyCommand,
} from "@aws-sdk/client-api-gateway";
import { expect } from "chai";
import { ACME, awsError, keyValue, PLAN, rawCall, startControlPlane, WEDNESDAY_NOON, type ControlPlaneHarness } from "./controlPlaneHarness";

const KEY_ID = /^[a-z0-9]{10}$/;
const GENERATED_VALUE = /^[A-Za-z0-9]{40}$/;

describe("local API Gateway endpoint: API keys", () => {
  let h: ControlPlaneHarness;

  beforeEach(async () => (h = await startControlPlane()));
  afterEach(async () => h?.stop());

  describe("CreateApiKey", () => {
    it("creates a disabled key with a generated 40-character value, no name and no stage keys (AWS's defaults), dated now", async () => {
      const key = await h.client.send(new CreateApiKeyCommand({}));
      expect(key.$metadata.httpStatusCode).to.equal(201);
      expect(key.id).to.match(KEY_ID);
      expect(key.value).to.match(GENERATED_VALUE);
      expect(key).to.include({ enabled: false });
      expect(key).not.to.have.property("name");
      expect(key).not.to.have.property("tags");
      expect(key.stageKeys).to.deep.equal([]);
      expect(key.createdDate?.getTime()).to.equal(WEDNESDAY_NOON);
      expect(key.lastUpdatedDate?.getTime()).to.equal(WEDNESDAY_NOON);
    });

    it("keeps the name, description, value, customer id and tags given; an empty name or value is as none", async () => {
      const value = keyValue("given");
      const key = await h.client.send(new CreateApiKeyCommand({ name: "cust-1", description: "first", value, enabled: true, customerId: "cust-1", tags: { customer: "cust-1" } }));
      expect(key).to.deep.include({ name: "cust-1", description: "first", value, enabled: true, customerId: "cust-1", tags: { customer: "cust-1" } });
      const empty = await h.client.send(new CreateApiKeyCommand({ name: "", value: "" }));
      expect(empty).not.to.have.property("name");
      expect(empty.value).to.match(GENERATED_VALUE);
    });

    it("refuses a value under 20 or over 128 characters, a name over 1,024, a description over 125,000 (AWS's messages)", async () => {
      const refusals = await Promise.all([
        awsError(h.client.send(new CreateApiKeyCommand({ value: "short" }))),
        awsError(h.client.send(new CreateApiKeyCommand({ value: "a".repeat(129) }))),
        awsError(h.client.send(new CreateApiKeyCommand({ name: "a".repeat(1025) }))),
        awsError(h.client.send(new CreateApiKeyCommand({ description: "a".repeat(125_001) }))),
      ]);
      expect(refusals).to.deep.equal([
        { name: "BadRequestException", status: 400, message: "API Key value should be at least 20 characters" },
        { name: "BadRequestException", status: 400, message: "API Key value exceeds maximum size of 128 characters" },
        { name: "BadRequestException", status: 400, message: "Invalid API Key name, can be at most 1024 characters." },
        { name: "BadRequestException", status: 400, message: "Invalid API Key description specified." },
      ]);
      expect((await h.client.send(new GetApiKeysCommand({}))).items?.map((k) => k.id)).to.deep.equal([ACME.id]);
    });

    it("refuses a value another key has, the program's too (409 API Key already exists)", async () => {
      const value = keyValue("twice");
      await h.client.send(new CreateApiKeyCommand({ value }));
      for (const taken of [value, ACME.value]) {
        expect(await awsError(h.client.send(new CreateApiKeyCommand({ value: taken })))).to.deep.equal({ name: "ConflictException", status: 409, message: "API Key already exists" });
      }
    });

    it("answers a body that is no JSON object with BadRequestException", async () => {
      for (const body of ["{not json", "[1]", "null"]) {
        const answer = await rawCall(`${h.endpoint.url}/apikeys`, { method: "POST", body, headers: { "Content-Type": "application/json" } });
        expect(answer, body).to.deep.equal({ status: 400, errorType: "BadRequestException", body: { message: "Could not parse request body into json: expected a JSON object" } });
      }
      const wrongType = await rawCall(`${h.endpoint.url}/apikeys`, { method: "POST", body: JSON.stringify({ name: 5 }) });
      expect(wrongType).to.deep.equal({ status: 400, errorType: "BadRequestException", body: { message: "Invalid name specified: expected a string" } });
    });
  });

  describe("GetApiKey and GetApiKeys", () => {
    it("shows the program's keys with their description, and the value only when asked", async () => {
      const key = await h.client.send(new GetApiKeyCommand({ apiKey: ACME.id }));
      expect(key).to.deep.include({ id: ACME.id, name: "usage-acme", description: "API key of acme", enabled: true, stageKeys: [], tags: {} });
      expect(key).not.to.have.property("value");
      expect((await h.client.send(new GetApiKeyCommand({ apiKey: ACME.id, includeValue: true }))).value).to.equal(ACME.value);
    });

    it("answers NotFoundException for an unknown key (AWS's message)", async () => {
      expect(await awsError(h.client.send(new GetApiKeyCommand({ apiKey: "nosuchkey0" })))).to.deep.equal({
        name: "NotFoundException",
        status: 404,
        message: "Invalid API Key identifier specified",
      });
    });

    it("lists newest first, filters by a case-sensitive name prefix and by customer id, and pages with limit and position", async () => {
      const first = await h.client.send(new CreateApiKeyCommand({ name: "test-key-one", customerId: "c1" }));
      const second = await h.client.send(new CreateApiKeyCommand({ name: "test-key-two", customerId: "c2" }));
      const ids = async (input: GetApiKeysCommandInput) => (await h.client.send(new GetApiKeysCommand(input))).items?.map((k) => k.id);
      expect(await ids({})).to.deep.equal([second.id, first.id, ACME.id]);
      expect(await ids({ nameQuery: "test-key" })).to.deep.equal([second.id, first.id]);
      expect(await ids({ nameQuery: "TEST-key" })).to.deep.equal([]);
      expect(await ids({ nameQuery: "key-one" })).to.deep.equal([]);
      expect(await ids({ customerId: "c1" })).to.deep.equal([first.id]);

      const page1 = await h.client.send(new GetApiKeysCommand({ limit: 2 }));
      expect(page1.items?.map((k) => k.id)).to.deep.equal([second.id, first.id]);
      expect(page1.position).to.be.a("string");
      const page2 = await h.client.send(new GetApiKeysCommand({ limit: 2, position: page1.position }));
      expect(page2.items?.map((k) => k.id)).to.deep.equal([ACME.id]);
      expect(page2).not.to.have.property("position");
      // A limit outside 1-500 is ignored, as AWS does.
      expect(await ids({ limit: -1 })).to.have.length(3);
      expect(await awsError(h.client.send(new GetApiKeysCommand({ position: "not-a-position" })))).to.include({ name: "BadRequestException", status: 400 });
    });

    it("lists values only with includeValues; puts the list under `item` on the wire, as AWS does", async () => {
      const without = await h.client.send(new GetApiKeysCommand({}));
      expect(without.items?.[0]).not.to.have.property("value");
      const withValues = await h.client.send(new GetApiKeysCommand({ includeValues: true }));
      expect(withValues.items?.[0].value).to.equal(ACME.value);
      const raw = await rawCall(`${h.endpoint.url}/apikeys`);
      expect(raw.body).to.have.property("item").that.is.an("array").with.length(1);
    });
  });

  describe("UpdateApiKey", () => {
    it("replaces enabled, name, description and customer id; the answer has no value and always tags", async () => {
      const key = await h.client.send(new CreateApiKeyCommand({ name: "before", enabled: true }));
      h.clock.set(WEDNESDAY_NOON + 60_000);
      const updated = await h.client.send(
        new UpdateApiKeyCommand({
          apiKey: key.id,
          patchOperations: [
            { op: "replace", path: "/name", value: "after" },
            { op: "replace", path: "/description", value: "described" },
            { op: "replace", path: "/customerId", value: "cust-9" },
            { op: "replace", path: "/enabled", value: "false" },
          ],
        }),
      );
      expect(updated).to.deep.include({ id: key.id, name: "after", description: "described", customerId: "cust-9", enabled: false, tags: {} });
      expect(updated).not.to.have.property("value");
      expect(updated.lastUpdatedDate?.getTime()).to.equal(WEDNESDAY_NOON + 60_000);
      expect(updated.createdDate?.getTime()).to.equal(WEDNESDAY_NOON);
    });

    it("reads any /enabled value but `true` as false, as AWS does", async () => {
      const updated = await h.client.send(new UpdateApiKeyCommand({ apiKey: ACME.id, patchOperations: [{ op: "replace", path: "/enabled", value: "not-a-boolean" }] }));
      expect(updated.enabled).to.equal(false);
      const again = await h.client.send(new UpdateApiKeyCommand({ apiKey: ACME.id, patchOperations: [{ op: "replace", path: "/enabled", value: "TRUE" }] }));
      expect(again.enabled).to.equal(true);
    });

    it("refuses an op outside JSON Patch's, a path other than the four, other ops, and stage keys (AWS's messages)", async () => {
      const update = (patchOperations: Array<{ op: string; path: string; value?: string }>) =>
        awsError(h.client.send(new UpdateApiKeyCommand({ apiKey: ACME.id, patchOperations: patchOperations as never })));
      expect(await update([{ op: "wrong", path: "/name" }, { op: "replace", path: "/name", value: "x" }, { op: "bad", path: "/name" }])).to.deep.equal({
        name: "BadRequestException",
        status: 400,
        message:
          "2 validation errors detected: Value 'wrong' at 'updateApiKeyInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]; " +
          "Value 'bad' at 'updateApiKeyInput.patchOperations.3.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
      });
      expect((await update([{ op: "replace", path: "/id", value: "new-id" }])).message).to.equal(
        "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]",
      );
      expect((await update([{ op: "add", path: "/name", value: "x" }])).message).to.equal("Invalid patch path  '/name' specified for op 'add'. Please choose supported operations");
      expect((await update([{ op: "add", path: "/stages", value: "a1b2c3d4e5/dev" }])).message).to.match(/^Stage keys are not supported by the local cloud/);
      expect((await update([{ op: "replace", path: "/description", value: "a".repeat(125_001) }])).message).to.equal("Invalid API Key description specified.");
      // Nothing was half-applied.
      expect(await h.client.send(new GetApiKeyCommand({ apiKey: ACME.id }))).to.deep.include({ name: "usage-acme", enabled: true });
    });

    it("checks the patch before the key: an unknown key with a good patch is NotFoundException", async () => {
      expect(await awsError(h.client.send(new UpdateApiKeyCommand({ apiKey: "nosuchkey0", patchOperations: [{ op: "replace", path: "/name", value: "x" }] })))).to.deep.equal({
        name: "NotFoundException",
        status: 404,
        message: "Invalid API Key identifier specified",
      });
    });
  });

  describe("DeleteApiKey", () => {
    it("deletes a key (202) of the program or of run time; it leaves its plans, and is unknown afterwards", async () => {
      const created = await h.client.send(new CreateApiKeyCommand({ name: "gone" }));
      for (const id of [created.id!, ACME.id]) {
        const deleted = await h.client.send(new DeleteApiKeyCommand({ apiKey: id }));
        expect(deleted.$metadata.httpStatusCode).to.equal(202);
        expect((await awsError(h.client.send(new GetApiKeyCommand({ apiKey: id })))).name).to.equal("NotFoundException");
        expect((await awsError(h.client.send(new DeleteApiKeyCommand({ apiKey: id })))).message).to.equal("Invalid API Key identifier specified");
      }
      expect((await h.client.send(new GetApiKeysCommand({}))).items).to.deep.equal([]);
      expect(h.gateway(ACME.value), "the program's key no longer opens the gateway").to.equal("INVALID_API_KEY");
    });
  });

  describe("the gateway, from the next request on", () => {
    it("refuses a disabled program key and admits it again once enabled", async () => {
      expect(h.gateway(ACME.value)).to.equal(`ok ${PLAN.basic}`);
      await h.client.send(new UpdateApiKeyCommand({ apiKey: ACME.id, patchOperations: [{ op: "replace", path: "/enabled", value: "false" }] }));
      expect(h.gateway(ACME.value)).to.equal("INVALID_API_KEY");
      await h.client.send(new UpdateApiKeyCommand({ apiKey: ACME.id, patchOperations: [{ op: "replace", path: "/enabled", value: "true" }] }));
      expect(h.gateway(ACME.value)).to.equal(`ok ${PLAN.basic}`);
    });
  });

  describe("tags (GetTags, TagResource, UntagResource)", () => {
    const arnOf = (id: string) => `arn:aws:apigateway:us-east-1::/apikeys/${id}`;

    it("adds, replaces and removes a key's tags; GetApiKey shows them", async () => {
      const key = await h.client.send(new CreateApiKeyCommand({ tags: { customer: "c1" } }));
      const tagged = await h.client.send(new TagResourceCommand({ resourceArn: arnOf(key.id!), tags: { tier: "basic", customer: "c2" } }));
      expect(tagged.$metadata.httpStatusCode).to.equal(204);
      expect((await h.client.send(new GetTagsCommand({ resourceArn: arnOf(key.id!) }))).tags).to.deep.equal({ customer: "c2", tier: "basic" });
      await h.client.send(new UntagResourceCommand({ resourceArn: arnOf(key.id!), tagKeys: ["tier", "absent"] }));
      expect((await h.client.send(new GetApiKeyCommand({ apiKey: key.id }))).tags).to.deep.equal({ customer: "c2" });
      await h.client.send(new TagResourceCommand({ resourceArn: arnOf(ACME.id), tags: { customer: "acme" } }));
      expect((await h.client.send(new GetApiKeyCommand({ apiKey: ACME.id }))).tags).to.deep.equal({ customer: "acme" });
    });

    it("reads a usage plan's tags from the program, and changes them", async () => {
      const arn = `arn:aws:apigateway:us-east-1::/usageplans/${PLAN.basic}`;
      expect((await h.client.send(new GetTagsCommand({ resourceArn: arn }))).tags).to.deep.equal({ tier: "basic" });
      await h.client.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: "billing" } }));
      expect((await h.client.send(new GetTagsCommand({ resourceArn: arn }))).tags).to.deep.equal({ tier: "basic", owner: "billing" });
    });

    it("answers a malformed ARN, an untaggable resource and an unknown key with AWS's errors", async () => {
      expect(await awsError(h.client.send(new GetTagsCommand({ resourceArn: "not-an-arn" })))).to.deep.equal({ name: "BadRequestException", status: 400, message: "Invalid ARN specified in the request" });
      expect((await awsError(h.client.send(new GetTagsCommand({ resourceArn: `arn:aws:apigateway:us-east-1::/restapis/${"x".repeat(10)}` })))).name).to.equal("BadRequestException");
      expect(await awsError(h.client.send(new TagResourceCommand({ resourceArn: arnOf("nosuchkey0"), tags: { a: "b" } })))).to.deep.equal({
        name: "NotFoundException",
        status: 404,
        message: "Invalid API Key identifier specified",
      });
    });
  });
});
