/**
 * A copy of this repository's Pulumi project (the demo program) that a spec or benchmark may
 * edit as a developer would, without touching the checkout's own sources. It lies in a dot
 * folder of the checkout, so that its modules resolve this checkout's node_modules.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "./httpClient";

/** What a Pulumi project of ours is made of. */
const PROJECT_ENTRIES = ["index.ts", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "tsconfig.json", "package.json", "program", "components", "functions"];

/** A project copy, and helpers to edit it. */
export interface ProjectCopy {
  dir: string;
  /** The file's text (path relative to the project). */
  read(file: string): string;
  /**
   * Saves the file as an editor does (write a temporary file, rename it over the old one), so
   * a watcher never sees a half-written file.
   */
  write(file: string, text: string): void;
  /** Replaces `from` (which must occur) by `to` in the file, and saves it. */
  edit(file: string, from: string, to: string): void;
  remove(): void;
}

/**
 * Copies the demo project to `.local/<name>-<pid>/project`.
 *
 * @param name - Names the copy's folder.
 */
export function copyDemoProject(name: string): ProjectCopy {
  const dir = path.join(PROJECT_ROOT, ".local", `${name}-${process.pid}`, "project");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of PROJECT_ENTRIES) fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  const copy: ProjectCopy = {
    dir,
    read: (file) => fs.readFileSync(path.join(dir, file), "utf8"),
    write(file, text) {
      const target = path.join(dir, file);
      const temporary = `${path.dirname(target)}/.${path.basename(target)}.saving`;
      fs.writeFileSync(temporary, text);
      fs.renameSync(temporary, target);
    },
    edit(file, from, to) {
      const text = copy.read(file);
      if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)} to edit`);
      copy.write(file, text.replace(from, to));
    },
    remove: () => fs.rmSync(path.dirname(dir), { recursive: true, force: true }),
  };
  return copy;
}
