/**
 * The files of a function's code archive as recorded under the mocks, for the archive spec and
 * the archive-size benchmark.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** Every file of a function's code archive by its path in the archive. */
export async function archiveFiles(archive: pulumi.asset.Archive, prefix = ""): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  if (!(archive instanceof pulumi.asset.AssetArchive)) throw new Error(`unexpected code archive ${archive?.constructor?.name}`);
  for (const [name, entry] of Object.entries(await archive.assets)) {
    const at = prefix + name;
    if (entry instanceof pulumi.asset.StringAsset) {
      files.set(at, Buffer.from(await entry.text, "utf8"));
    } else if (entry instanceof pulumi.asset.FileAsset) {
      files.set(at, fs.readFileSync(await entry.path));
    } else if (entry instanceof pulumi.asset.FileArchive) {
      const root = await entry.path;
      if (!fs.statSync(root).isDirectory()) throw new Error(`${at}: only folder archives are expected (got ${root})`);
      for (const file of fs.readdirSync(root, { recursive: true }) as string[]) {
        const full = path.join(root, file);
        if (fs.statSync(full).isFile()) files.set(`${at}/${file.split(path.sep).join("/")}`, fs.readFileSync(full));
      }
    } else if (entry instanceof pulumi.asset.AssetArchive) {
      for (const [file, content] of await archiveFiles(entry, `${at}/`)) files.set(file, content);
    } else {
      throw new Error(`${at}: unexpected archive entry ${entry?.constructor?.name}`);
    }
  }
  return files;
}

