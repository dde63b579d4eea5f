/**
 * Writing the local cloud's state files so that a crash or a Ctrl-C mid-write never leaves
 * half a file behind: the next start reads either the old content or the new one.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Writes `text` to `file` atomically: to a temporary file beside it (same folder, so the same
 * file system), flushed, then renamed over `file` (rename(2) replaces atomically). Creates
 * the folder when missing.
 *
 * @param file - The file to write.
 * @param text - Its new content (UTF-8).
 * @param mode - Permissions of the file. @default 0o600: state files can hold secrets and API keys
 */
export function writeFileAtomically(file: string, text: string, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    // `mode` applies to a file that open() creates, and the temporary file is always new.
    const fd = fs.openSync(temporary, "wx", mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // The process umask may have taken bits away; a looser umask never adds any.
    fs.chmodSync(temporary, mode);
    fs.renameSync(temporary, file);
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw err;
  }
}
