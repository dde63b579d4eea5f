import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { openApiKeyChanges, readApiKeyChanges, writeApiKeyChanges } from "../../../local/state/apiKeyChangesFile";
import { modeOf, temporaryStateDir } from "./stateFolder";

const T = Date.UTC(2024, 0, 10, 12);
const KEY = { id: "newco00001", value: "N".repeat(40), name: "newco", enabled: true, tags: { customer: "newco" }, createdDate: T, lastUpdatedDate: T };

describe("local state: API key changes (apikeys.json)", () => {
  let state: ReturnType<typeof temporaryStateDir>;
  let file: string;

  beforeEach(() => {
    state = temporaryStateDir("apikeys");
    file = path.join(state.dir, "stack", "apikeys.json");
  });

  afterEach(() => state.remove());

  it("is saved after every change (atomically, mode 0600: it holds key values) and read back at the next open", () => {
    expect(readApiKeyChanges(file)).to.equal(undefined);
    const changes = openApiKeyChanges(file);
    changes.createKey(KEY);
    changes.attach({ planId: "basic", keyId: KEY.id });
    expect(modeOf(file)).to.equal(0o600);
    expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["apikeys.json"]);
    const reopened = openApiKeyChanges(file);
    expect(reopened.snapshot()).to.deep.equal(changes.snapshot());
    expect(reopened.snapshot().created).to.deep.equal([KEY]);
    reopened.detach({ planId: "basic", keyId: KEY.id });
    expect(readApiKeyChanges(file)?.attached).to.deep.equal([]);
  });

  it("keeps changes in memory only without a file", () => {
    const changes = openApiKeyChanges();
    changes.createKey(KEY);
    expect(changes.snapshot().created).to.have.length(1);
    expect(fs.readdirSync(state.dir)).to.deep.equal([]);
  });

  it("refuses a file that holds no changes, naming it and suggesting --fresh", () => {
    const empty = { version: 1, created: [], edited: [], deleted: [], attached: [], detached: [], planTags: [] };
    const refusal = (content: unknown) => {
      writeApiKeyChanges(file, content as never);
      return () => readApiKeyChanges(file);
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "{ half");
    expect(() => readApiKeyChanges(file)).to.throw(Error, /apikeys\.json does not hold API key changes \(.*\): delete it, or start with --fresh/);
    expect(refusal({ ...empty, version: 2 })).to.throw("(version 2, expected 1)");
    expect(refusal({ ...empty, planTags: undefined })).to.throw("(planTags must be an array)");
    expect(refusal({ ...empty, created: [{ ...KEY, value: 5 }] })).to.throw("(created[0] is not { id, value, enabled, tags, createdDate, lastUpdatedDate })");
    expect(refusal({ ...empty, attached: [{ planId: "p" }] })).to.throw("(attached[0] is not { planId, keyId })");
    expect(refusal({ ...empty, edited: [{ keyId: "k" }] })).to.throw("(edited[0] is not { keyId, edit })");
    expect(refusal({ ...empty, deleted: [1] })).to.throw("(deleted must list key ids)");
    expect(refusal(empty)()).to.deep.equal(empty);
  });
});
