/**
 * Lambda archive sizes (issue 6): the zipped size of every function's archive as the dev stack
 * builds it (HandlerFunction: the serialized closure and the packages it lists, bundled into
 * one minified file), against the same handler packaged the way `aws.lambda.CallbackFunction`
 * does by default (its closure beside every package of `dependencies`). Goal: every archive at
 * most 200 KB (204,800 bytes) zipped.
 *
 *   npx ts-node --transpile-only bench/archives.ts
 *
 * How the functions, their closures and the default packaging are obtained, and how zipped
 * sizes are computed: bench/lambdaPackagings.ts.
 */
import * as fs from "node:fs";
import { BUNDLE_FILE } from "../components/lambdaBundle";
import { formatCount, markdownTable, passOrFail, runWhenMain } from "./benchSupport";
import { ZIP_END_RECORD, defaultPackageFiles, demoFunctions, topLevelPackageOf, zipEntriesBytes, zipEntryBytes } from "./lambdaPackagings";

const MAX_ZIPPED_BYTES = 200 * 1024;

export interface ArchiveSize {
  /** The function's logical name in the program. */
  name: string;
  zippedBytes: number;
  files: number;
  /** The packages bundled into it. */
  packages: string[];
  defaultZippedBytes: number;
  pass: boolean;
}

export interface ArchivesResult {
  functions: ArchiveSize[];
  /** The default packaging's package folders and files besides `__index.js`, the same for every function. */
  defaultPackaging: { packageFolders: number; files: number; bytes: number; zippedBytes: number };
  pass: boolean;
}

export async function benchArchives(): Promise<ArchivesResult> {
  const functions = await demoFunctions("dev");
  const defaultPackages = sizeDefaultPackages(await defaultPackageFiles());
  const sizes: ArchiveSize[] = functions.map((fn) => {
    const zippedBytes = zipEntriesBytes(fn.bundled) + ZIP_END_RECORD;
    return {
      name: fn.name,
      zippedBytes,
      files: fn.bundled.size,
      packages: fn.packages,
      // The default packaging ships the closure itself, not the bundle.
      defaultZippedBytes: defaultPackages.entriesBytes + zipEntryBytes(BUNDLE_FILE, Buffer.from(fn.closure, "utf8")) + ZIP_END_RECORD,
      pass: zippedBytes <= MAX_ZIPPED_BYTES,
    };
  });
  sizes.sort((a, b) => b.zippedBytes - a.zippedBytes);
  const result: ArchivesResult = {
    functions: sizes,
    defaultPackaging: {
      packageFolders: defaultPackages.packageFolders,
      files: defaultPackages.files,
      bytes: defaultPackages.bytes,
      zippedBytes: defaultPackages.entriesBytes + ZIP_END_RECORD,
    },
    pass: sizes.every((f) => f.pass),
  };
  printTable(result, defaultPackages.largest);
  return result;
}

/** The zip entries of CallbackFunction's default package set, without `__index.js` and the end record. */
function sizeDefaultPackages(files: Map<string, string>): {
  packageFolders: number;
  files: number;
  bytes: number;
  entriesBytes: number;
  largest: Array<{ folder: string; zippedBytes: number }>;
} {
  let bytes = 0;
  let entriesBytes = 0;
  const byFolder = new Map<string, number>();
  // One file at a time: the set is tens of MB, and only the compressed length is kept.
  for (const [inArchive, source] of files) {
    const content = fs.readFileSync(source);
    const entryBytes = zipEntryBytes(inArchive, content);
    bytes += content.length;
    entriesBytes += entryBytes;
    const folder = topLevelPackageOf(inArchive) ?? inArchive;
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + entryBytes);
  }
  const largest = [...byFolder].map(([folder, zippedBytes]) => ({ folder, zippedBytes })).sort((a, b) => b.zippedBytes - a.zippedBytes);
  return { packageFolders: byFolder.size, files: files.size, bytes, entriesBytes, largest: largest.slice(0, 5) };
}

function printTable(result: ArchivesResult, largest: Array<{ folder: string; zippedBytes: number }>): void {
  const d = result.defaultPackaging;
  console.log(`\nLambda archive sizes (dev stack): as built vs CallbackFunction's default packaging (goal: <= ${formatCount(MAX_ZIPPED_BYTES)} bytes zipped)`);
  console.log(markdownTable(
    ["function", "archive bytes zipped", "files", "bundled packages", "default-packaging bytes zipped", "default / archive", "goal"],
    result.functions.map((f) => [
      f.name,
      formatCount(f.zippedBytes),
      String(f.files),
      f.packages.join(", ") || "none",
      formatCount(f.defaultZippedBytes),
      `${formatCount(f.defaultZippedBytes / f.zippedBytes)}x`,
      passOrFail(f.pass),
    ]),
    [1, 2, 4, 5],
  ));
  console.log(
    `\nDefault packaging, computed once (the same for every function but its ${BUNDLE_FILE}, the closure): ${d.packageFolders} packages, ` +
      `${formatCount(d.files)} files, ${formatCount(d.bytes)} bytes, ${formatCount(d.zippedBytes)} bytes zipped. ` +
      `Largest zipped: ${largest.map((l) => `${l.folder} ${formatCount(l.zippedBytes)}`).join(", ")}.`,
  );
}

runWhenMain(module, benchArchives);
