import { expect } from "chai";
import { CreatedResources } from "../../../local/cloud/programInCloud";

describe("cloud/programInCloud: CreatedResources", () => {
  it("answers a resource created from the same inputs as before without creating it again, and creates it again when they change", async () => {
    const created = new CreatedResources();
    let calls = 0;
    const create = (id: string) => async () => {
      calls += 1;
      return { id };
    };
    expect(await created.answer("aws:cognito/userPool:UserPool::pool", { inputs: { name: "p", mfa: "OFF" } }, create("a"))).to.deep.equal({ id: "a" });
    expect(await created.answer("aws:cognito/userPool:UserPool::pool", { inputs: { mfa: "OFF", name: "p" } }, create("b"))).to.deep.equal({ id: "a" });
    expect(calls).to.equal(1);
    expect(await created.answer("aws:cognito/userPool:UserPool::pool", { inputs: { name: "p", mfa: "ON" } }, create("c"))).to.deep.equal({ id: "c" });
    expect(await created.answer("aws:cognito/userPool:UserPool::other", { inputs: { name: "p", mfa: "ON" } }, create("d"))).to.deep.equal({ id: "d" });
    expect(calls).to.equal(3);
  });

  it("keeps nothing from a creation that failed", async () => {
    const created = new CreatedResources();
    const failing = async () => {
      throw new Error("emulator down");
    };
    await created.answer("t::x", { inputs: {} }, failing).then(
      () => expect.fail("should fail"),
      (err: Error) => expect(err.message).to.equal("emulator down"),
    );
    expect(await created.answer("t::x", { inputs: {} }, async () => ({ id: "ok" }))).to.deep.equal({ id: "ok" });
  });
});
