import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { StateLockedError, lockStateDir } from "../../../local/state/stateLock";

describe("state/stateLock: one local cloud per state folder", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "state-lock-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses a second lock of the folder, naming the holder's pid and URL, until it is released", () => {
    const lock = lockStateDir(dir);
    lock.describe("http://127.0.0.1:4010");
    expect(() => lockStateDir(dir)).to.throw(StateLockedError, `pid ${process.pid}, serving http://127.0.0.1:4010`);
    lock.release();
    expect(fs.existsSync(lock.file)).to.equal(false);
    lockStateDir(dir).release();
  });

  it("takes over a lock whose process has exited, and one that cannot be read", () => {
    const exited = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    fs.writeFileSync(path.join(dir, "lock"), JSON.stringify({ pid: Number(exited.stdout), since: "2026-01-01T00:00:00.000Z" }));
    lockStateDir(dir).release();
    fs.writeFileSync(path.join(dir, "lock"), "{half");
    const lock = lockStateDir(dir);
    expect(JSON.parse(fs.readFileSync(lock.file, "utf8")).pid).to.equal(process.pid);
    lock.release();
  });

  it("refuses a lock held by another running process", () => {
    fs.writeFileSync(path.join(dir, "lock"), JSON.stringify({ pid: process.ppid, url: "http://127.0.0.1:9", since: "2026-01-01T00:00:00.000Z" }));
    expect(() => lockStateDir(dir)).to.throw(StateLockedError, `pid ${process.ppid}`);
  });
});
