import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A fresh folder under the system's temporary folder, and its removal. */
export function temporaryStateDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `apigw-kit-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The permission bits of a file (e.g. 0o600). */
export function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}
