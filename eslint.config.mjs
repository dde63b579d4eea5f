// ESLint flat config: ESLint's and typescript-eslint's recommended rules over the whole tree.
// A rule is turned off only with a comment saying why.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeGlobals = { require: "readonly", module: "writable", exports: "writable", process: "readonly", __dirname: "readonly", __filename: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setImmediate: "readonly", queueMicrotask: "readonly", URL: "readonly", globalThis: "readonly" };

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".local/", "scratch/", "tools/node-runtimes/node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A parameter a signature requires but the body does not read (a Lambda handler's
      // `context`, an overridden method's argument) is named with a leading `_`; so is a member
      // left out of an object by destructuring it beside a rest element.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: nodeGlobals },
  },
  {
    files: ["**/*.mjs", "tests/local/fixtures/plainLambda/type-module/**/*.js"],
    languageOptions: { sourceType: "module", globals: nodeGlobals },
  },
  {
    files: ["local/lambda/lambdaWorker.js", "local/typescriptCache.js", "local/registerTypeScript.js", "tests/local/fixtures/plainLambda/folder/**/*.js"],
    rules: {
      // CommonJS by design: the TypeScript hooks run before anything can be compiled, the Lambda
      // worker starts without a compiler, and the fixture is a CommonJS handler for the runtime
      // to load as such.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    files: ["tests/**"],
    rules: {
      // chai's property assertions (`expect(x).to.be.true`, `.to.exist`, `.to.be.empty`) assert
      // when the property is read: expressions by design.
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
