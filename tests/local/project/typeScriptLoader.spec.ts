import * as fs from "node:fs";
import Module from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { registerTypeScriptLoader } from "../../../local/project/typeScriptLoader";

type Extensions = Record<string, unknown>;
const TS_NODE_INSTANCE = Symbol.for("ts-node.register.instance");

describe("registerTypeScriptLoader (a user's .ts program without ts-node)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-kit-tsloader-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("leaves ts-node in charge when it is registered (the repository's own commands and specs)", () => {
    expect((process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE], "mocha runs under ts-node").to.not.equal(undefined);
    expect(registerTypeScriptLoader(dir)).to.equal(false);
  });

  it("compiles with esbuild what Node's type stripping cannot run: enums, parameter properties, extensionless imports, the project's tsconfig", () => {
    fs.writeFileSync(path.join(dir, "tsconfig.json"), '{ // comments are fine\n "compilerOptions": { "experimentalDecorators": true } }\n');
    fs.writeFileSync(path.join(dir, "shape.ts"), "export enum Shape { Circle = 'circle' }\nexport class Box { constructor(public readonly side: number) {} }\n");
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      [
        `import { Box, Shape } from "./shape";`,
        // A legacy (experimentalDecorators) decorator: given the prototype, not the method as TC39's are.
        `function logged(target: { decorated?: string }, key: string) { target.decorated = key; }`,
        `class Api { @logged route(): string { return "ok"; } }`,
        `const decorated = (Api.prototype as { decorated?: string }).decorated;`,
        `export const result = { shape: Shape.Circle, side: new Box(3).side, route: new Api().route(), decorated };`,
      ].join("\n"),
    );
    // As the published bin runs: no ts-node in the process.
    const extensions = (Module as unknown as { _extensions: Extensions })._extensions;
    const saved = { ...extensions };
    const marker = (process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE];
    delete (process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE];
    try {
      expect(registerTypeScriptLoader(dir)).to.equal(true);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module written by the test, loaded through the hook
      const loaded = require(path.join(dir, "index")) as { result: unknown };
      expect(loaded.result).to.deep.equal({ shape: "circle", side: 3, route: "ok", decorated: "route" });
    } finally {
      (process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE] = marker;
      for (const key of Object.keys(extensions)) if (!(key in saved)) delete extensions[key];
      Object.assign(extensions, saved);
      for (const key of Object.keys(require.cache)) if (key.startsWith(dir)) delete require.cache[key];
    }
  });
});
