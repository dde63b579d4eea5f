"use strict";
/**
 * One Lambda execution environment of the local cloud, run by local/lambda/lambdaRuntime.ts
 * either in a worker thread (when the function's Node.js major is the host's) or in a child
 * process of the Node.js binary of its runtime. Plain JavaScript so that a cold start costs a
 * thread or a process and the function's own module, not a TypeScript compiler.
 *
 * It follows the Node.js runtime interface client (RIC) of the managed runtimes,
 * github.com/aws/aws-lambda-nodejs-runtime-interface-client: version 3 (src/UserFunction.js,
 * Runtime.js, CallbackContext.js, BeforeExitListener.js, Errors.js) up to nodejs22.x, and what
 * version 4 changed for nodejs24.x (src/function/module-loader.ts, handler-resolver.ts,
 * callback-deprecation.ts, runtime/buffered-invoke-processor.ts):
 * - INIT loads the handler as UserFunction.load does: `<path>/<module>.<export[.nested]>` relative
 *   to the task root (no `..`), tried extensionless, then `.js` (CommonJS unless the nearest
 *   package.json says `"type": "module"`), `.mjs` (imported), `.cjs`, then as a package; a
 *   failure is reported as the RIC wraps it (Runtime.MalformedHandlerName, ImportModuleError,
 *   UserCodeSyntaxError, HandlerNotFound, or the module's own error) and the environment is not
 *   reused;
 * - invocations run one at a time, with `(event, context, callback)`; a returned promise
 *   settles the invocation, otherwise the callback does, and a callback result waits for an
 *   empty event loop unless `context.callbackWaitsForEmptyEventLoop` is false;
 * - a handler that never settles is answered when the event loop empties: null for a plain
 *   function, Runtime.NodeJsExit for an async one;
 * - errors are reported as `{errorType: err.name, errorMessage: err.message, trace: stack
 *   lines}`, other thrown values as `{errorType: typeof value, errorMessage: String(value)}`;
 * - an uncaught exception or unhandled rejection fails the invocation and ends the
 *   environment (exit codes 129 / 128, as the RIC does).
 * On nodejs24.x (RIC 4): every candidate file is loaded with `import()` (`""`, `.js`, `.mjs`,
 * `.cjs`; Node decides CommonJS or ESM), the export is also looked up in `default`; a handler
 * declaring 3 or more parameters fails INIT with Runtime.CallbackHandlerDeprecated; handlers get
 * `(event, context)` and a context without succeed/fail/done/callbackWaitsForEmptyEventLoop;
 * the RIC installs no process handlers, so an uncaught exception ends the runtime as Node does
 * (exit status 1) and a handler that never settles lets it exit without a reason.
 * Packages the runtime provides (the AWS SDK v3) are found through NODE_PATH, as on Lambda;
 * ES modules, which ignore NODE_PATH, fall back to the same folders (see resolveFromNodePath).
 *
 * Protocol with the parent (worker_threads messages, or IPC messages of a child process):
 *   parent -> worker  {type: "invoke", requestId, payload: JSON text, deadline: epoch ms, arn, traceId}
 *   worker -> parent  {type: "ready"} | {type: "init-error", error}
 *                     {type: "result", requestId, ok: true, payload: JSON text}
 *                     {type: "result", requestId, ok: false, error, fatal?: true}
 *                     {type: "exiting"}
 * `fatal` and `exiting` say the environment is about to exit and must not be given more work.
 * With the setting `reportMemory`, "ready", "init-error" and "result" also carry `memoryMb`, the
 * memory the environment uses (see memoryMeter).
 * The settings (task root, handler, runtime[, reportMemory]) come as workerData, or as the
 * child's argv[2].
 */
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const url = require("node:url");
const util = require("node:util");
const workerThreads = require("node:worker_threads");

const settings = workerThreads.parentPort ? workerThreads.workerData : JSON.parse(process.argv[2]);
const { taskRoot, handlerName, runtime } = settings;
/** Measures the memory in use for the REPORT line's Max Memory Used; null when nobody reads it. */
const memoryInUseMb = settings.reportMemory ? memoryMeter() : null;
// The managed runtimes from nodejs24.x on run RIC 4.
const RIC_4 = Number(/^nodejs(\d+)/.exec(runtime)?.[1] ?? 0) >= 24;
const channel = workerThreads.parentPort ? threadChannel(workerThreads.parentPort) : processChannel();

/** The invocation in progress, or null between invocations. */
let current = null;
/** Runs when the event loop empties during an invocation (the RIC's BeforeExitListener). */
let beforeExitListener = null;
/** Whether the handler wrote to stdout/stderr since the last flush. */
let wroteOutput = false;

process.on("beforeExit", () => {
  const listener = beforeExitListener;
  beforeExitListener = null;
  if (listener) listener();
});

const originalWrites = new Map();
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write;
  originalWrites.set(stream, write);
  stream.write = function (...args) {
    wroteOutput = true;
    return write.apply(this, args);
  };
}

if (RIC_4) {
  // RIC 4 installs no handlers: Node prints the error and the runtime exits with status 1.
  const exitAsNodeDoes = (error) => {
    console.error(error);
    flushOutput().then(() => process.exit(1));
  };
  process.on("uncaughtException", exitAsNodeDoes);
  process.on("unhandledRejection", exitAsNodeDoes);
} else {
  process.on("uncaughtException", (error) => {
    console.error("Uncaught Exception", toFormatted(error));
    crash(error, 129);
  });
  process.on("unhandledRejection", (reason) => {
    const error = runtimeError("Runtime.UnhandledPromiseRejection", reason == null ? String(reason) : safeString(reason));
    console.error("Unhandled Promise Rejection", toFormatted(error));
    crash(error, 128);
  });
}

resolveFromNodePath();
init().then((handler) => {
  if (handler) channel.onMessage((message) => {
    if (message.type === "invoke") (RIC_4 ? invokeAsync : invoke)(handler, message);
  });
});

/** worker_threads' parent port. */
function threadChannel(port) {
  return {
    post: (message) => port.postMessage(message),
    onMessage: (listener) => port.on("message", listener),
    ref: () => port.ref(),
    unref: () => port.unref(),
  };
}

/** The IPC channel of a child process. */
function processChannel() {
  return {
    post: (message) => process.send(message),
    onMessage: (listener) => process.on("message", listener),
    ref: () => process.channel && process.channel.ref(),
    unref: () => process.channel && process.channel.unref(),
  };
}

/**
 * Lambda's Node.js runtimes find the packages they provide (the AWS SDK) through NODE_PATH,
 * also from ES modules, which Node itself resolves without NODE_PATH: a bare specifier that
 * is not found from the importing module is looked up in the NODE_PATH folders.
 */
function resolveFromNodePath() {
  const folders = (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean);
  if (folders.length === 0 || typeof Module.registerHooks !== "function") return;
  const parents = folders.map((folder) => url.pathToFileURL(path.join(folder, "..", "__node_path__.js")).href);
  Module.registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (error.code !== "ERR_MODULE_NOT_FOUND" || !isBareSpecifier(specifier)) throw error;
        for (const parentURL of parents) {
          try {
            return nextResolve(specifier, { ...context, parentURL });
          } catch {
            // not in this folder
          }
        }
        throw error;
      }
    },
  });
}

function isBareSpecifier(specifier) {
  return !/^(\.{1,2}\/|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

/** INIT: loads the handler; reports ready, or the error, and then answers undefined. */
async function init() {
  try {
    const handler = await loadHandler(taskRoot, handlerName);
    if (RIC_4 && handler.length >= 3 && !isStreaming(handler)) {
      // callback-deprecation.ts of RIC 4 (src/context/constants.ts for the message).
      throw runtimeError(
        "Runtime.CallbackHandlerDeprecated",
        "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.",
      );
    }
    channel.post(withMemory({ type: "ready" }));
    return handler;
  } catch (error) {
    const response = toRapidResponse(error);
    console.error("Init Error", toFormatted(error));
    await flushOutput();
    channel.post(withMemory({ type: "init-error", error: response }));
    return undefined;
  }
}

/** UserFunction.load of the RIC. */
async function loadHandler(appRoot, fullHandlerString) {
  if (fullHandlerString.includes("..")) {
    throw runtimeError("Runtime.MalformedHandlerName", `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const handlerString = path.basename(fullHandlerString);
  const moduleRoot = fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) throw runtimeError("Runtime.MalformedHandlerName", "Bad handler");
  const [, moduleName, handlerPath] = match;

  let userApp;
  try {
    userApp = await (RIC_4 ? importModule : tryRequire)(appRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) {
      const wrapped = runtimeError("Runtime.UserCodeSyntaxError", String(error));
      wrapped.stack = error.stack;
      throw wrapped;
    }
    // Only CommonJS's MODULE_NOT_FOUND is wrapped; an ES module's ERR_MODULE_NOT_FOUND is reported as it is.
    if (error && error.code === "MODULE_NOT_FOUND") throw runtimeError("Runtime.ImportModuleError", String(error));
    throw error;
  }
  const handler = RIC_4 ? findHandler4(userApp, handlerPath) : handlerPath.split(".").reduce((nested, key) => nested && nested[key], userApp);
  if (!handler) throw runtimeError("Runtime.HandlerNotFound", `${fullHandlerString} is undefined or not exported`);
  if (typeof handler !== "function") throw runtimeError("Runtime.HandlerNotFound", `${fullHandlerString} is not a function`);
  return handler;
}

/** `_tryRequire` of the RIC: extensionless, .js (CommonJS or, by package.json, ESM), .mjs, .cjs, then a package. */
async function tryRequire(appRoot, moduleRoot, moduleName) {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, moduleName);
  const extensionless = tryRequireFile(lambdaStylePath);
  if (extensionless) return extensionless;
  const typeModule = fs.existsSync(`${lambdaStylePath}.js`) && folderIsTypeModule(path.dirname(`${lambdaStylePath}.js`));
  if (!typeModule) {
    const loaded = tryRequireFile(lambdaStylePath, ".js");
    if (loaded) return loaded;
  }
  const loaded =
    (typeModule && (await tryImport(lambdaStylePath, ".js"))) ||
    (await tryImport(lambdaStylePath, ".mjs")) ||
    tryRequireFile(lambdaStylePath, ".cjs");
  if (loaded) return loaded;
  return require(require.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
}

/** module-loader.ts of RIC 4: every candidate through `import()`, then a package. */
async function importModule(appRoot, moduleRoot, moduleName) {
  const fullPathWithoutExtension = path.resolve(appRoot, moduleRoot, moduleName);
  for (const extension of ["", ".js", ".mjs", ".cjs"]) {
    const loaded = await tryImport(fullPathWithoutExtension, extension);
    if (loaded) return loaded;
  }
  return require(require.resolve(moduleName, { paths: [appRoot, path.join(appRoot, moduleRoot)] }));
}

/** handler-resolver.ts of RIC 4: a nested name through objects only, then the same in `default`. */
function findHandler4(userApp, handlerPath) {
  const findIn = (from) => handlerPath.split(".").reduce((nested, key) => (nested && typeof nested === "object" ? nested[key] : undefined), from);
  let handler = findIn(userApp);
  if (!handler && typeof userApp === "object" && userApp !== null && "default" in userApp) handler = findIn(userApp.default);
  return handler;
}

function isStreaming(handler) {
  return Boolean(handler[Symbol.for("aws.lambda.runtime.handler.streaming")]);
}

function tryRequireFile(file, extension = "") {
  return fs.existsSync(file + extension) ? require(file + extension) : undefined;
}

async function tryImport(file, extension = "") {
  return fs.existsSync(file + extension) ? import(url.pathToFileURL(file + extension).href) : undefined;
}

/** `_hasFolderPackageJsonTypeModule` of the RIC: the nearest package.json up to a node_modules folder or `/`. */
function folderIsTypeModule(folder) {
  if (folder.endsWith(`${path.sep}node_modules`)) return false;
  const packageJson = path.join(folder, "package.json");
  if (fs.existsSync(packageJson)) {
    try {
      return JSON.parse(fs.readFileSync(packageJson, "utf8")).type === "module";
    } catch (error) {
      console.warn(`${packageJson} cannot be read, it will be ignored for ES module detection purposes.`, error);
      return false;
    }
  }
  const parent = path.dirname(folder);
  return parent === folder ? false : folderIsTypeModule(parent);
}

function invoke(handler, { requestId, payload, deadline, arn, traceId }) {
  const invocation = { requestId, reported: false };
  process.env._X_AMZN_TRACE_ID = traceId;
  current = invocation;
  // The loop may now run dry: that is how a callback result waiting for an empty event loop,
  // or a handler that never settles, gets its answer (see beforeExit above).
  channel.unref();

  let waitForEmptyEventLoop = true;
  let completeInvoked = false;
  const complete = (result) => {
    if (completeInvoked) {
      console.error("Invocation has already been reported as done. Cannot call complete more than once per invocation.");
      return;
    }
    completeInvoked = true;
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch {
      throw new Error("Unable to stringify response body");
    }
    report(invocation, { ok: true, payload: body });
  };
  const postError = (error) => {
    console.error("Invoke Error", toFormatted(error));
    report(invocation, { ok: false, error: toRapidResponse(error) });
  };
  const done = (error, result) => {
    beforeExitListener = null;
    if (error !== undefined && error !== null) postError(error);
    else complete(result);
  };
  const callback = (error, result) => {
    beforeExitListener = null;
    if (error !== undefined && error !== null) postError(error);
    else if (!waitForEmptyEventLoop) complete(result);
    else beforeExitListener = () => setImmediate(() => complete(result));
  };

  // Only the first of callback / succeed / fail / done counts.
  let finished = false;
  const once = (fn) => (...args) => {
    if (finished) return;
    fn(...args);
    finished = true;
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: once((result) => done(null, result)),
    fail: once((error) => done(error === undefined || error === null ? "handled" : error, null)),
    done: once(done),
    ...invokeContext(requestId, deadline, arn),
  };
  const wrappedCallback = once(callback);

  const isAsync = handler.constructor && handler.constructor.name === "AsyncFunction";
  beforeExitListener = () => {
    completeInvoked = true;
    if (isAsync) {
      postError(
        runtimeError(
          "Runtime.NodeJsExit",
          "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes",
        ),
      );
    } else {
      report(invocation, { ok: true, payload: "null" });
    }
  };

  try {
    const result = handler(JSON.parse(payload), context, wrappedCallback);
    if (result && typeof result.then === "function") {
      result.then(context.succeed, context.fail).catch(context.fail);
    }
  } catch (error) {
    wrappedCallback(error);
  }
}

/** What both RICs' contexts hold: the function's settings, the invocation's ids and clock. */
function invokeContext(requestId, deadline, arn) {
  return {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: undefined,
    identity: undefined,
    invokedFunctionArn: arn,
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/** buffered-invoke-processor.ts of RIC 4: `await handler(event, context)`, nothing else. */
async function invokeAsync(handler, { requestId, payload, deadline, arn, traceId }) {
  const invocation = { requestId, reported: false };
  // moveXRayHeaderToEnv of RIC 4: the only variable that changes per invocation.
  process.env._X_AMZN_TRACE_ID = traceId;
  current = invocation;
  // A handler that never settles lets the event loop run dry, and the runtime exit.
  channel.unref();
  const context = invokeContext(requestId, deadline, arn);
  try {
    const result = await handler(JSON.parse(payload), context);
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch {
      throw runtimeError("Runtime.JSONStringifyError", "Unable to stringify response body");
    }
    await report(invocation, { ok: true, payload: body });
  } catch (error) {
    console.error("Invoke Error", toFormatted(error));
    await report(invocation, { ok: false, error: toRapidResponse(error) });
  }
}

/** Sends an invocation's outcome once, after the output it wrote has reached the parent. */
function report(invocation, outcome, fatal) {
  if (invocation.reported) return;
  invocation.reported = true;
  if (current === invocation) current = null;
  beforeExitListener = null;
  channel.ref();
  return flushOutput().then(() =>
    channel.post(withMemory({ type: "result", requestId: invocation.requestId, ...outcome, ...(fatal ? { fatal: true } : {}) })),
  );
}

/** A message with the memory in use, when it is reported. */
function withMemory(message) {
  if (memoryInUseMb) message.memoryMb = memoryInUseMb();
  return message;
}

/**
 * What Lambda's "Max Memory Used" measures, the execution environment's memory, as far as this
 * environment can tell it:
 * - in a child process, its resident set, what Lambda measures of its sandbox (read at each
 *   report; the runtime keeps the peak). Not `resourceUsage().maxRSS`: Linux keeps a
 *   process's peak across fork and execve (getrusage(2)), so a child would report the peak of
 *   the local cloud that spawned it;
 * - in a worker thread, which shares its process with the local cloud, only its own V8 isolate
 *   can be told apart: its heap and the external memory (buffers) it holds. That leaves out
 *   Node itself (some 40 MB of what Lambda counts), so the figure is lower than AWS's; the
 *   runtime keeps the peak of these readings.
 */
function memoryMeter() {
  if (workerThreads.parentPort) {
    const v8 = require("node:v8");
    return () => {
      const heap = v8.getHeapStatistics();
      return (heap.total_heap_size + heap.external_memory) / (1024 * 1024);
    };
  }
  return () => process.memoryUsage.rss() / (1024 * 1024);
}

function crash(error, exitCode) {
  const invocation = current;
  const reported = invocation
    ? report(invocation, { ok: false, error: toRapidResponse(error) }, true)
    : flushOutput().then(() => channel.post({ type: "exiting" }));
  Promise.resolve(reported).then(
    () => process.exit(exitCode),
    () => process.exit(exitCode),
  );
}

/**
 * Resolves once everything written to stdout/stderr has been handed to the parent: a
 * worker's stdio write calls back when the parent's stream has taken the chunk (a child's
 * pipe, when the kernel has), so the parent sees an invocation's log lines before its result.
 */
function flushOutput() {
  if (!wroteOutput) return Promise.resolve();
  wroteOutput = false;
  return Promise.all([...originalWrites].map(([stream, write]) => new Promise((resolve) => write.call(stream, "", () => resolve()))));
}

function runtimeError(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

function isErrorLike(value) {
  return Boolean(value && value.name && value.message && value.stack && typeof value.name === "string" && typeof value.message === "string" && typeof value.stack === "string");
}

/** Errors.toRapidResponse of RIC 3; RIC 4's formatError words other values with String(). */
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split("\n") };
    }
    return { errorType: typeof error, errorMessage: RIC_4 ? String(error) : error.toString(), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
      trace: [],
    };
  }
}

/** Errors.toFormatted of the RIC: the error's fields as one line of JSON after a tab. */
function toFormatted(error) {
  try {
    return "\t" + JSON.stringify(error, (_key, value) => {
      if (!(value instanceof Error)) return value;
      const fields = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
      if (typeof value.stack === "string") fields.stack = value.stack.split("\n");
      return fields;
    });
  } catch {
    return "\t" + JSON.stringify(toRapidResponse(error));
  }
}

function safeString(value) {
  try {
    return value.toString();
  } catch {
    return Object.prototype.toString.call(value);
  }
}
