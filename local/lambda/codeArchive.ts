/**
 * A function's deployment package, as Lambda receives it: the files of the `code` archive an
 * `aws.lambda.Function` declares, read the way the Pulumi engine reads them before zipping
 * them for CreateFunction.
 *
 * - `AssetArchive`: each entry is a file (StringAsset, FileAsset) or, for a nested archive, a
 *   folder of its files (CallbackFunction puts `node_modules/<package>` FileArchives there).
 * - `FileArchive` of a folder: every file below it; of a `.zip` or `.jar`: its entries.
 * - Remote assets and archives are refused: the local cloud has no network.
 *
 * Files are not read into memory here: an entry names where its bytes are (a file on disk, an
 * entry of a zip, or text), so that the default CallbackFunction archive (the program's whole
 * dependency tree, megabytes per function) costs a link per file, not a copy (see taskRoots.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { unzipSync } from "fflate";

/** Where one file's bytes come from. */
export type FileSource = { kind: "file"; path: string } | { kind: "bytes"; bytes: Uint8Array };

/** The archive's files by their path inside it (`/`-separated, no leading `/`). */
export type ArchiveFiles = Map<string, FileSource>;

/** A deployment package the local cloud cannot read; the message names the function and the part. */
export class CodeArchiveError extends Error {
  constructor(
    functionName: string,
    /** What is wrong, without the function's name. */
    readonly problem: string,
  ) {
    super(`function ${functionName}: ${problem}`);
    this.name = "CodeArchiveError";
  }
}

// The Pulumi SDK's asset and archive classes carry these markers (sdk/nodejs/asset); the
// control plane records the program's own objects, whose fields are promises.
interface PulumiAssetLike {
  __pulumiAsset?: boolean;
  __pulumiArchive?: boolean;
  text?: Promise<string>;
  path?: Promise<string>;
  uri?: Promise<string>;
  assets?: Promise<Record<string, unknown>>;
}

/** A deployment package of one module, e.g. `moduleArchive("exports.handler = ...")` for handler `__index.handler`. */
export function moduleArchive(code: string, fileName = "__index.js"): ArchiveFiles {
  return new Map([[fileName, { kind: "bytes", bytes: Buffer.from(code, "utf8") }]]);
}

/** Lists the files of a function's `code` input. */
export async function readCodeArchive(functionName: string, code: unknown): Promise<ArchiveFiles> {
  const files: ArchiveFiles = new Map();
  if (!isArchive(code)) throw new CodeArchiveError(functionName, "code must be a Pulumi archive (AssetArchive or FileArchive); got none");
  await addArchive(functionName, code, "", files);
  return files;
}

function isArchive(value: unknown): value is PulumiAssetLike {
  return typeof value === "object" && value !== null && (value as PulumiAssetLike).__pulumiArchive === true;
}

function isAsset(value: unknown): value is PulumiAssetLike {
  return typeof value === "object" && value !== null && (value as PulumiAssetLike).__pulumiAsset === true;
}

async function addArchive(functionName: string, archive: PulumiAssetLike, prefix: string, files: ArchiveFiles): Promise<void> {
  if (archive.assets) {
    const entries = await archive.assets;
    for (const [name, value] of Object.entries(entries)) {
      const at = joinArchivePath(functionName, prefix, name);
      if (isArchive(value)) await addArchive(functionName, value, at, files);
      else if (isAsset(value)) await addAsset(functionName, value, at, files);
      else throw new CodeArchiveError(functionName, `code entry "${at}" is neither an asset nor an archive`);
    }
    return;
  }
  if (archive.path) {
    const location = await archive.path;
    const stat = fs.statSync(location, { throwIfNoEntry: false });
    if (!stat) throw new CodeArchiveError(functionName, `code: FileArchive path ${location} does not exist`);
    if (stat.isDirectory()) return addFolder(location, prefix, files);
    if (/\.(zip|jar)$/i.test(location)) return addZip(functionName, location, prefix, files);
    throw new CodeArchiveError(functionName, `code: FileArchive ${location} is neither a folder nor a .zip or .jar file (the local cloud reads those)`);
  }
  if (archive.uri) throw new CodeArchiveError(functionName, `code: RemoteArchive ${await archive.uri} cannot be fetched (the local cloud has no network)`);
  throw new CodeArchiveError(functionName, "code: an archive of an unknown kind");
}

async function addAsset(functionName: string, asset: PulumiAssetLike, at: string, files: ArchiveFiles): Promise<void> {
  if (asset.text !== undefined) {
    files.set(at, { kind: "bytes", bytes: Buffer.from(await asset.text, "utf8") });
    return;
  }
  if (asset.path !== undefined) {
    const location = await asset.path;
    if (!fs.statSync(location, { throwIfNoEntry: false })?.isFile()) throw new CodeArchiveError(functionName, `code entry "${at}": FileAsset path ${location} is not a file`);
    files.set(at, { kind: "file", path: path.resolve(location) });
    return;
  }
  if (asset.uri !== undefined) throw new CodeArchiveError(functionName, `code entry "${at}": RemoteAsset ${await asset.uri} cannot be fetched (the local cloud has no network)`);
  throw new CodeArchiveError(functionName, `code entry "${at}": an asset of an unknown kind`);
}

/** Every file below a folder; symbolic links are followed, as the Pulumi engine's archiver does. */
function addFolder(folder: string, prefix: string, files: ArchiveFiles): void {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const location = path.join(folder, entry.name);
    const at = joinArchivePath("", prefix, entry.name);
    const stat = entry.isSymbolicLink() ? fs.statSync(location, { throwIfNoEntry: false }) : entry;
    if (!stat) continue; // a dangling link holds nothing
    if (stat.isDirectory()) addFolder(location, at, files);
    else if (stat.isFile()) files.set(at, { kind: "file", path: location });
  }
}

function addZip(functionName: string, zipFile: string, prefix: string, files: ArchiveFiles): void {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(fs.readFileSync(zipFile));
  } catch (error) {
    throw new CodeArchiveError(functionName, `code: ${zipFile} is not a readable zip file (${(error as Error).message})`);
  }
  for (const [name, bytes] of Object.entries(entries)) {
    if (name.endsWith("/")) continue; // a folder entry
    files.set(joinArchivePath(functionName, prefix, name), { kind: "bytes", bytes });
  }
}

/**
 * `prefix/name` with `/` separators. A name that would leave the archive's root (`../x`, an
 * absolute path) is refused, as a zip-slip would be.
 */
function joinArchivePath(functionName: string, prefix: string, name: string): string {
  const joined = path.posix.normalize([prefix, name.replace(/\\/g, "/")].filter(Boolean).join("/"));
  if (joined === ".." || joined.startsWith("../") || path.posix.isAbsolute(joined)) {
    throw new CodeArchiveError(functionName, `code entry "${name}" points outside the archive`);
  }
  return joined.replace(/\/$/, "");
}
