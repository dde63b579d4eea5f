"use strict";
/**
 * `node -r ./local/registerTypeScript.js` (and mocha's `require`): ts-node in transpile-only
 * mode with the on-disk transpile cache of ./typescriptCache.js.
 */
require("ts-node").register({ transpileOnly: true, transpiler: require.resolve("./typescriptCache.js") });
