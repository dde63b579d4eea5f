/**
 * Watches a Pulumi project's sources for watch mode: the files at the project's top level
 * (index.ts, Pulumi.yaml, the stack's Pulumi.<stack>.yaml) and every folder below it except
 * those that are not the program's (dependencies, build output, tests, benchmarks, dot
 * folders, the local cloud's state). A burst of events (an editor's save writes, renames and
 * touches) is reported once, after it settles.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Folders at the project's top level that never hold the program's sources. */
const IGNORED_FOLDERS = new Set(["node_modules", "dist", "build", "coverage", "test", "tests", "bench", "docs", "scratch"]);

/** The local cloud's own folder (local/). */
const LOCAL_CLOUD_DIR = path.resolve(__dirname, "..");

/** Files the program may read: code, config, templates, documents. */
const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs|json|ya?ml|vtl|graphql|txt|html)$/i;

/** Options of {@link watchSources}. */
export interface SourceWatcherOptions {
  /** The project folder. */
  projectDir: string;
  /** The stack, whose `Pulumi.<stack>.yaml` is watched (other stacks' files are not). */
  stack: string;
  /** Folders never watched, e.g. the state folder when it lies inside the project. @default [] */
  ignore?: string[];
  /** Called once per burst of changes, with the files changed (project-relative). */
  onChange: (files: string[]) => void;
  /** How long a burst must be quiet before it is reported, in ms (an editor's save is a burst of a few ms). @default 20 */
  debounceMs?: number;
}

/** A running watcher. */
export interface SourceWatcher {
  /** The folders watched (project-relative, `.` for the top level). */
  folders: string[];
  close(): void;
}

/**
 * Starts watching. Folders are watched recursively (inotify on Linux, as Node's `fs.watch`
 * does it), so the set of top-level folders is read once: a top-level folder created later
 * is not watched until the next start.
 *
 * @param options - What to watch and whom to tell.
 */
export function watchSources(options: SourceWatcherOptions): SourceWatcher {
  const projectDir = path.resolve(options.projectDir);
  // The local cloud's own code (local/ here) is not the program's: a change to it needs a restart.
  const ignored = [...(options.ignore ?? []), LOCAL_CLOUD_DIR].map((folder) => path.resolve(folder));
  const changed = new Set<string>();
  const ownOutput = ownOutputFiles();
  let timer: NodeJS.Timeout | undefined;
  const report = (file: string) => {
    if (!isProgramSource(file, options.stack)) return;
    const absolute = path.join(projectDir, file);
    if (ignored.some((skip) => absolute.startsWith(skip + path.sep))) return;
    // `npm start -- --watch > run.txt` in the project: each line written is not a change.
    if (ownOutput.size > 0 && ownOutput.has(fileIdentity(absolute))) return;
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed].sort();
      changed.clear();
      options.onChange(files);
    }, options.debounceMs ?? 20);
  };

  const watchers: fs.FSWatcher[] = [];
  const folders: string[] = [];
  watchers.push(fs.watch(projectDir, { recursive: false }, (_event, name) => name && !name.includes(path.sep) && fs.statSync(path.join(projectDir, name), { throwIfNoEntry: false })?.isDirectory() !== true && report(name)));
  folders.push(".");
  for (const entry of fs.readdirSync(projectDir, { withFileTypes: true })) {
    const folder = path.join(projectDir, entry.name);
    if (!entry.isDirectory() || entry.name.startsWith(".") || IGNORED_FOLDERS.has(entry.name)) continue;
    if (ignored.some((skip) => folder === skip || folder.startsWith(skip + path.sep))) continue;
    watchers.push(fs.watch(folder, { recursive: true }, (_event, name) => name && report(path.join(entry.name, name))));
    folders.push(entry.name);
  }
  return {
    folders,
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/**
 * The files this process's stdout and stderr are redirected to (as `dev:ino`), which a watch
 * must not take for sources: else every line written would reload the program.
 */
function ownOutputFiles(): Set<string> {
  const files = new Set<string>();
  for (const fd of [1, 2]) {
    try {
      const stat = fs.fstatSync(fd);
      if (stat.isFile()) files.add(`${stat.dev}:${stat.ino}`);
    } catch {
      // A closed descriptor is no file of ours.
    }
  }
  return files;
}

/** A file's `dev:ino`, or "" when it is gone. */
function fileIdentity(file: string): string {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.dev}:${stat.ino}` : "";
}

/**
 * Whether a changed file can change the program: a source file, not an editor's backup or
 * swap file, not under a dot folder or node_modules, and of the stack files only Pulumi.yaml
 * and this stack's.
 *
 * @param file - The file, relative to the project.
 * @param stack - The stack being served.
 */
export function isProgramSource(file: string, stack: string): boolean {
  const parts = file.split(/[\\/]/);
  const name = parts[parts.length - 1];
  if (parts.some((part) => part.startsWith(".") || part === "node_modules")) return false;
  if (!SOURCE_FILE.test(name) || name.endsWith("~")) return false;
  if (parts.length === 1 && /^Pulumi\..+\.ya?ml$/.test(name)) return name === `Pulumi.${stack}.yaml` || name === `Pulumi.${stack}.yml`;
  return true;
}
