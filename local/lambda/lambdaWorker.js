"use strict";
/**
 * One Lambda execution environment of the local cloud, run in a worker thread by
 * local/lambda/lambdaRuntime.ts. Plain JavaScript so that a cold start costs a thread and the
 * function's own module, not a TypeScript compiler.
 *
 * It follows the Node.js runtime interface client (RIC) of the `nodejs20.x` runtime,
 * github.com/aws/aws-lambda-nodejs-runtime-interface-client (src/Runtime.js,
 * CallbackContext.js, UserFunction.js, Errors.js):
 * - the module is required once (INIT); a failure is reported as the RIC wraps it
 *   (Runtime.ImportModuleError, Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound, or the
 *   module's own error) and the environment is not reused;
 * - invocations run one at a time, with `(event, context, callback)`; a returned promise
 *   settles the invocation, otherwise the callback does, and a callback result waits for an
 *   empty event loop unless `context.callbackWaitsForEmptyEventLoop` is false;
 * - a handler that never settles is answered when the event loop empties: null for a plain
 *   function, Runtime.NodeJsExit for an async one;
 * - errors are reported as `{errorType: err.name, errorMessage: err.message, trace: stack
 *   lines}`, other thrown values as `{errorType: typeof value, errorMessage: String(value)}`;
 * - an uncaught exception or unhandled rejection fails the invocation and ends the
 *   environment (exit codes 129 / 128, as the RIC does).
 *
 * Protocol with the parent (worker_threads messages):
 *   parent -> worker  {type: "invoke", requestId, payload: JSON text, deadline: epoch ms, arn}
 *   worker -> parent  {type: "ready"} | {type: "init-error", error}
 *                     {type: "result", requestId, ok: true, payload: JSON text}
 *                     {type: "result", requestId, ok: false, error, fatal?: true}
 *                     {type: "exiting"}
 * `fatal` and `exiting` say the environment is about to exit and must not be given more work.
 */
const { parentPort, workerData } = require("node:worker_threads");
const util = require("node:util");

const { file, handlerName } = workerData;

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

process.on("uncaughtException", (error) => {
  console.error("Uncaught Exception", toFormatted(error));
  crash(error, 129);
});

process.on("unhandledRejection", (reason) => {
  const error = runtimeError("Runtime.UnhandledPromiseRejection", reason == null ? String(reason) : safeString(reason));
  console.error("Unhandled Promise Rejection", toFormatted(error));
  crash(error, 128);
});

const handler = init();
if (handler) parentPort.on("message", (message) => {
  if (message.type === "invoke") invoke(handler, message);
});

function init() {
  let userModule;
  try {
    userModule = require(file);
  } catch (error) {
    if (error instanceof SyntaxError) {
      const wrapped = runtimeError("Runtime.UserCodeSyntaxError", String(error));
      wrapped.stack = error.stack;
      return initFailed(wrapped);
    }
    if (error && error.code === "MODULE_NOT_FOUND") return initFailed(runtimeError("Runtime.ImportModuleError", String(error)));
    return initFailed(error);
  }
  const [, exportName] = handlerName.split(".");
  const handler = userModule == null ? undefined : userModule[exportName];
  if (!handler) return initFailed(runtimeError("Runtime.HandlerNotFound", `${handlerName} is undefined or not exported`));
  if (typeof handler !== "function") return initFailed(runtimeError("Runtime.HandlerNotFound", `${handlerName} is not a function`));
  parentPort.postMessage({ type: "ready" });
  return handler;
}

function initFailed(error) {
  const response = toRapidResponse(error);
  console.error("Init Error", toFormatted(error));
  flushOutput().then(() => parentPort.postMessage({ type: "init-error", error: response }));
  return undefined;
}

function invoke(handler, { requestId, payload, deadline, arn }) {
  const invocation = { requestId, reported: false };
  current = invocation;
  // The loop may now run dry: that is how a callback result waiting for an empty event loop,
  // or a handler that never settles, gets its answer (see beforeExit above).
  parentPort.unref();

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
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: undefined,
    identity: undefined,
    invokedFunctionArn: arn,
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  const wrappedCallback = once(callback);

  const isAsync = handler.constructor && handler.constructor.name === "AsyncFunction";
  beforeExitListener = () => {
    completeInvoked = true;
    if (isAsync) {
      postError(
        runtimeError(
          "Runtime.NodeJsExit",
          "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.",
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

/** Sends an invocation's outcome once, after the output it wrote has reached the parent. */
function report(invocation, outcome, fatal) {
  if (invocation.reported) return;
  invocation.reported = true;
  if (current === invocation) current = null;
  beforeExitListener = null;
  parentPort.ref();
  return flushOutput().then(() =>
    parentPort.postMessage({ type: "result", requestId: invocation.requestId, ...outcome, ...(fatal ? { fatal: true } : {}) }),
  );
}

function crash(error, exitCode) {
  const invocation = current;
  const reported = invocation
    ? report(invocation, { ok: false, error: toRapidResponse(error) }, true)
    : flushOutput().then(() => parentPort.postMessage({ type: "exiting" }));
  Promise.resolve(reported).then(
    () => process.exit(exitCode),
    () => process.exit(exitCode),
  );
}

/**
 * Resolves once everything written to stdout/stderr has been handed to the parent: a
 * worker's stdio write calls back when the parent's stream has taken the chunk, so the
 * parent sees an invocation's log lines before its result.
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

/** Errors.toRapidResponse of the RIC. */
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split("\n") };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
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
