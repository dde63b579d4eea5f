"use strict";
/**
 * A ts-node transpiler (`ts-node --transpiler ./local/typescriptCache.js`) that is TypeScript's
 * own `transpileModule` — what `ts-node --transpile-only` runs — with its output kept on disk,
 * keyed by everything the output depends on: the TypeScript version, the compiler options, the
 * file's path and its text. A file that has not changed since the last run is read back instead
 * of compiled again, which is most of what `npm start`, `npm test` and the program's
 * evaluation under the mocks otherwise spend before doing anything (about 1 s per process).
 *
 * Plain JavaScript: ts-node loads it before it can compile anything. The cache lives in
 * node_modules/.cache/apigw-kit-typescript (APIGW_KIT_TS_CACHE_DIR overrides it); deleting it
 * is always safe. Entries are written whole (a temporary file, then a rename), so processes
 * running side by side never read half an entry.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const DEFAULT_CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "apigw-kit-typescript");

/** @param {{ service: { config: { options: object }, projectLocalResolveHelper: (name: string, relative: boolean) => string } }} createOptions */
function create(createOptions) {
  const ts = require(createOptions.service.projectLocalResolveHelper("typescript", true));
  const compilerOptions = createOptions.service.config.options;
  const cacheDir = process.env.APIGW_KIT_TS_CACHE_DIR || DEFAULT_CACHE_DIR;
  const optionsKey = JSON.stringify([ts.version, compilerOptions]);
  let cacheUsable = true;

  return {
    transpile(input, { fileName }) {
      const key = crypto.createHash("sha256").update(optionsKey).update("\0").update(fileName).update("\0").update(input).digest("hex");
      const file = path.join(cacheDir, `${key}.json`);
      if (cacheUsable) {
        try {
          return JSON.parse(fs.readFileSync(file, "utf8"));
        } catch {
          // Not cached yet (or unreadable): compile.
        }
      }
      const { outputText, sourceMapText, diagnostics } = ts.transpileModule(input, { fileName, compilerOptions, reportDiagnostics: true });
      // Syntax errors are reported by ts-node and must reach the developer every time: not cached.
      if (cacheUsable && (!diagnostics || diagnostics.length === 0)) {
        try {
          fs.mkdirSync(cacheDir, { recursive: true });
          const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
          fs.writeFileSync(partial, JSON.stringify({ outputText, sourceMapText }));
          fs.renameSync(partial, file);
        } catch {
          // A read-only tree still runs, compiling every time.
          cacheUsable = false;
        }
      }
      return { outputText, sourceMapText, diagnostics };
    },
  };
}

module.exports = { create };
