import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain JavaScript module without declarations (allowJs is off), typed here
const { create } = require("../../local/typescriptCache.js") as {
  create(options: object): { transpile(input: string, options: { fileName: string }): { outputText: string; sourceMapText?: string; diagnostics?: ts.Diagnostic[] } };
};

const COMPILER_OPTIONS: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, sourceMap: true, esModuleInterop: true };
const SOURCE = `import * as path from "node:path";\nexport const joined: string = path.join("a", "b");\n`;

describe("local/typescriptCache (ts-node transpiler with an on-disk cache)", () => {
  let cacheDir: string;
  let previous: string | undefined;
  const transpiler = () => create({ service: { config: { options: COMPILER_OPTIONS }, projectLocalResolveHelper: (name: string) => require.resolve(name) } });
  const entries = () => fs.readdirSync(cacheDir).filter((f) => f.endsWith(".json"));

  beforeEach(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-cache-"));
    previous = process.env.APIGW_KIT_TS_CACHE_DIR;
    process.env.APIGW_KIT_TS_CACHE_DIR = cacheDir;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env.APIGW_KIT_TS_CACHE_DIR;
    else process.env.APIGW_KIT_TS_CACHE_DIR = previous;
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it("answers exactly what TypeScript's transpileModule answers, compiled or read back", () => {
    const expected = ts.transpileModule(SOURCE, { fileName: "/x/a.ts", compilerOptions: COMPILER_OPTIONS });
    const first = transpiler().transpile(SOURCE, { fileName: "/x/a.ts" });
    const second = transpiler().transpile(SOURCE, { fileName: "/x/a.ts" });
    for (const out of [first, second]) {
      expect(out.outputText).to.equal(expected.outputText);
      expect(out.sourceMapText).to.equal(expected.sourceMapText);
    }
    expect(entries()).to.have.length(1);
  });

  it("reads a file back from the cache rather than compiling it again", () => {
    transpiler().transpile(SOURCE, { fileName: "/x/a.ts" });
    const [entry] = entries();
    // Mark the entry: only a read of the cache can answer the mark.
    fs.writeFileSync(path.join(cacheDir, entry), JSON.stringify({ outputText: "/* from the cache */", sourceMapText: "{}" }));
    expect(transpiler().transpile(SOURCE, { fileName: "/x/a.ts" }).outputText).to.equal("/* from the cache */");
  });

  it("keys entries on the text, the file name and the options: a change is compiled afresh", () => {
    const t = transpiler();
    t.transpile(SOURCE, { fileName: "/x/a.ts" });
    t.transpile(SOURCE + "export const more = 1;\n", { fileName: "/x/a.ts" });
    t.transpile(SOURCE, { fileName: "/x/b.ts" });
    create({ service: { config: { options: { ...COMPILER_OPTIONS, target: ts.ScriptTarget.ES2020 } }, projectLocalResolveHelper: (name: string) => require.resolve(name) } }).transpile(SOURCE, {
      fileName: "/x/a.ts",
    });
    expect(entries()).to.have.length(4);
  });

  it("never caches a file with syntax errors: the error is reported on every run", () => {
    const broken = "export const = ;\n";
    const out = transpiler().transpile(broken, { fileName: "/x/broken.ts" });
    expect(out.diagnostics?.length).to.be.greaterThan(0);
    expect(entries()).to.have.length(0);
    expect(transpiler().transpile(broken, { fileName: "/x/broken.ts" }).diagnostics?.length).to.be.greaterThan(0);
  });

  it("still compiles when the cache cannot be written", () => {
    // A folder inside a file cannot be made, whoever runs the test.
    const blocker = path.join(cacheDir, "a-file");
    fs.writeFileSync(blocker, "");
    process.env.APIGW_KIT_TS_CACHE_DIR = path.join(blocker, "cache");
    const out = transpiler().transpile(SOURCE, { fileName: "/x/a.ts" });
    expect(out.outputText).to.contain("exports.joined");
    expect(entries()).to.have.length(0);
  });
});
