/**
 * Lambda archive sizes (issue 6): the zipped size of every function's archive as the dev stack
 * builds it (HandlerFunction: the serialized closure and only the packages it lists), against
 * the same handler packaged the way `aws.lambda.CallbackFunction` does by default. Goal: every
 * archive at most 200 KB (204,800 bytes) zipped.
 *
 *   npx ts-node --transpile-only bench/archives.ts
 *
 * The archives are those the program records under the local control plane (Pulumi mocks),
 * read as the spec tests/program/lambdaArchives.spec.ts reads them.
 *
 * The default packaging is what CallbackFunction does without `codePathOptions`
 * (@pulumi/aws lambda/lambdaMixins.js, computeCodePaths): `__index.js`, plus
 * `pulumi.runtime.computeCodePaths({ extraExcludePackages: ["aws-sdk"] })`, which walks
 * package.json's `dependencies` transitively through the installed tree (arborist) and leaves
 * out `aws-sdk` (v2) and `@pulumi/*` deployment-time packages with what only they depend on
 * (@pulumi/pulumi runtime/closure/codePaths.js). That package set depends on package.json and
 * node_modules alone, not on the function: it is sized once and each function adds its own
 * `__index.js`.
 *
 * Zipped sizes are computed, not written: the size of a zip holding each file DEFLATEd by
 * Node's zlib at its default level (6), with the 30-byte local header and 46-byte central
 * directory entry per file and the 22-byte end record (PKWARE APPNOTE), exactly the zip the
 * archive spec builds. The Pulumi engine zips with Go's DEFLATE at its default level, so its
 * bytes differ slightly; the ratio does not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../local/controlPlane";
import { archiveFiles } from "../tests/program/archiveFiles";
import { PROJECT_ROOT, formatCount, markdownTable, passOrFail } from "./benchSupport";

const MAX_ZIPPED_BYTES = 200 * 1024;
const ZIP_LOCAL_HEADER = 30;
const ZIP_CENTRAL_ENTRY = 46;
const ZIP_END_RECORD = 22;
/** The archive's handler module, as CallbackFunction names it. */
const HANDLER_FILE = "__index.js";

export interface ArchiveSize {
  /** The function's logical name in the program. */
  name: string;
  zippedBytes: number;
  files: number;
  /** Top-level packages under node_modules/. */
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
  // Pulumi and HandlerFunction both find package.json, and name archive paths, from the
  // working directory, as `pulumi up` run in the project would.
  const workingDir = process.cwd();
  process.chdir(PROJECT_ROOT);
  try {
    const run = await runProgram({ stack: "dev" });
    const defaultPackages = await sizeDefaultPackages();
    const functions: ArchiveSize[] = [];
    for (const fn of run.graph.ofType("aws:lambda/function:Function")) {
      const files = await archiveFiles(fn.inputs.code);
      const handler = files.get(HANDLER_FILE);
      if (!handler) throw new Error(`${fn.name}: the archive has no ${HANDLER_FILE}`);
      const zippedBytes = zipEntriesBytes(files) + ZIP_END_RECORD;
      functions.push({
        name: fn.name,
        zippedBytes,
        files: files.size,
        packages: [...new Set([...files.keys()].flatMap((file) => topLevelPackageOf(file) ?? []))].sort(),
        defaultZippedBytes: defaultPackages.entriesBytes + zipEntriesBytes(new Map([[HANDLER_FILE, handler]])) + ZIP_END_RECORD,
        pass: zippedBytes <= MAX_ZIPPED_BYTES,
      });
    }
    functions.sort((a, b) => b.zippedBytes - a.zippedBytes);
    const result: ArchivesResult = {
      functions,
      defaultPackaging: {
        packageFolders: defaultPackages.packageFolders,
        files: defaultPackages.files,
        bytes: defaultPackages.bytes,
        zippedBytes: defaultPackages.entriesBytes + ZIP_END_RECORD,
      },
      pass: functions.every((f) => f.pass),
    };
    printTable(result, defaultPackages.largest);
    return result;
  } finally {
    process.chdir(workingDir);
  }
}

/** The zip entries of CallbackFunction's default package set, without `__index.js` and the end record. */
async function sizeDefaultPackages(): Promise<{
  packageFolders: number;
  files: number;
  bytes: number;
  entriesBytes: number;
  largest: Array<{ folder: string; zippedBytes: number }>;
}> {
  const codePaths = await pulumi.runtime.computeCodePaths({ extraExcludePackages: ["aws-sdk"] });
  let files = 0;
  let bytes = 0;
  let entriesBytes = 0;
  const byFolder: Array<{ folder: string; zippedBytes: number }> = [];
  for (const [codePath, entry] of codePaths) {
    let folderBytes = 0;
    // One file at a time: the set is tens of MB, and only the compressed length is kept.
    for (const file of entry instanceof pulumi.asset.FileArchive ? filesUnder(codePath) : [codePath]) {
      const content = fs.readFileSync(file);
      files += 1;
      bytes += content.length;
      folderBytes += zipEntryBytes(file.split(path.sep).join("/"), content);
    }
    entriesBytes += folderBytes;
    byFolder.push({ folder: codePath, zippedBytes: folderBytes });
  }
  byFolder.sort((a, b) => b.zippedBytes - a.zippedBytes);
  return { packageFolders: codePaths.size, files, bytes, entriesBytes, largest: byFolder.slice(0, 5) };
}

/** Every file under a folder (a symlink to a file counts as its target), by its path from the working directory. */
function filesUnder(folder: string): string[] {
  return (fs.readdirSync(folder, { recursive: true }) as string[])
    .map((file) => path.join(folder, file))
    .filter((file) => fs.statSync(file).isFile());
}

function zipEntriesBytes(files: Map<string, Buffer>): number {
  let total = 0;
  for (const [name, content] of files) total += zipEntryBytes(name, content);
  return total;
}

/** What one DEFLATEd file adds to a zip: local header, name, data, and its central directory entry with the name again. */
function zipEntryBytes(name: string, content: Buffer): number {
  const nameBytes = Buffer.byteLength(name, "utf8");
  return ZIP_LOCAL_HEADER + nameBytes + zlib.deflateRawSync(content).length + ZIP_CENTRAL_ENTRY + nameBytes;
}

/** `node_modules/@scope/pkg/lib/x.js` -> `@scope/pkg`; undefined outside node_modules. */
function topLevelPackageOf(file: string): string | undefined {
  return /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
}

function printTable(result: ArchivesResult, largest: Array<{ folder: string; zippedBytes: number }>): void {
  const d = result.defaultPackaging;
  console.log(`\nLambda archive sizes (dev stack): as built vs CallbackFunction's default packaging (goal: <= ${formatCount(MAX_ZIPPED_BYTES)} bytes zipped)`);
  console.log(markdownTable(
    ["function", "archive bytes zipped", "files", "packages", "default-packaging bytes zipped", "default / archive", "goal"],
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
    `\nDefault packaging, computed once (the same for every function but its ${HANDLER_FILE}): ${d.packageFolders} package folders, ` +
      `${formatCount(d.files)} files, ${formatCount(d.bytes)} bytes, ${formatCount(d.zippedBytes)} bytes zipped. ` +
      `Largest zipped: ${largest.map((l) => `${l.folder.replace(/^node_modules\//, "")} ${formatCount(l.zippedBytes)}`).join(", ")}.`,
  );
}

if (require.main === module) {
  benchArchives().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
