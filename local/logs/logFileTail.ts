/**
 * Reading a log file as `tail` does: its last lines, then (following) the lines appended to it,
 * for `npm run logs` (bin/logs.ts).
 */
import * as fs from "node:fs";
import { StringDecoder } from "node:string_decoder";

/** How much of the file is read at a time, backwards, looking for its last lines. */
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * The file's last `count` complete lines (and a last line without its newline), and its size
 * when read: where following it starts. Reads from the end, a chunk at a time, so a long log
 * costs what its last lines do.
 *
 * @param file - The file.
 * @param count - How many lines.
 */
export function lastLines(file: string, count: number): { lines: string[]; size: number } {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    if (count <= 0 || size === 0) return { lines: [], size };
    const chunks: Buffer[] = [];
    let start = size;
    let newlines = 0;
    // One newline more than lines wanted (the last line's own, when the file ends with one).
    while (start > 0 && newlines <= count) {
      const length = Math.min(CHUNK_BYTES, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      fs.readSync(fd, chunk, 0, length, start);
      chunks.unshift(chunk);
      for (let i = 0; i < length; i++) if (chunk[i] === NEWLINE) newlines++;
    }
    const lines = Buffer.concat(chunks).toString("utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return { lines: lines.slice(-count), size };
  } finally {
    fs.closeSync(fd);
  }
}

/** A file being followed. */
export interface Following {
  /** Stops following. */
  stop(): void;
}

/**
 * Calls `onLine` with each complete line appended to the file from `offset` on, polling its
 * size every `intervalMs` (the file may not exist yet: it is read once it does). A file that
 * shrinks (wiped by `npm start -- --fresh`) is read again from its start.
 *
 * @param file - The file.
 * @param offset - Where to start reading, in bytes (what {@link lastLines} read up to).
 * @param onLine - Told each line, without its newline.
 * @param intervalMs - How often the file is looked at. @default 200
 */
export function followFile(file: string, offset: number, onLine: (line: string) => void, intervalMs = 200): Following {
  let position = offset;
  let decoder = new StringDecoder("utf8");
  let partial = "";
  const readNew = () => {
    const size = sizeOf(file);
    if (size === undefined) return;
    if (size < position) {
      position = 0;
      partial = "";
      decoder = new StringDecoder("utf8");
    }
    if (size === position) return;
    const chunk = readRange(file, position, size - position);
    position += chunk.length;
    const lines = (partial + decoder.write(chunk)).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  };
  const timer = setInterval(() => {
    try {
      readNew();
    } catch {
      // Gone between a look and a read (wiped): the next look tells.
    }
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}

function sizeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}

function readRange(file: string, position: number, length: number): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    const chunk = Buffer.alloc(length);
    const read = fs.readSync(fd, chunk, 0, length, position);
    return chunk.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}
