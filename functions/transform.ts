/**
 * POST /transform: a Lambda NON-proxy integration. The gateway's request mapping template
 * builds the event, and integration responses map errors by `selectionPattern` on the
 * thrown error's message: `\[BadRequest\].*` → 400, `.+` → 500.
 */

/** The object the request mapping template renders. */
export interface TransformEvent {
  method: string;
  /** The parsed JSON body (`$input.json('$')`); an empty body renders as `{}`. */
  body: unknown;
  headers: Record<string, string>;
  query: Record<string, string>;
  pathParameters: Record<string, string>;
  context: {
    accountId: string;
    apiId: string;
    requestId: string;
    requestTime: string;
    sourceIp: string;
    userAgent: string;
  };
}

export const TRANSFORM_OPERATIONS = ["uppercase", "lowercase", "reverse", "wordcount"] as const;
export type TransformOperation = (typeof TRANSFORM_OPERATIONS)[number];

/** Longest accepted `text`, in Unicode code points. */
export const MAX_TEXT_LENGTH = 10_000;

/** The prefix the integration response's selection pattern matches for a 400. */
export const BAD_REQUEST_PREFIX = "[BadRequest]";

export interface TransformResult {
  operation: TransformOperation;
  input: string;
  /** The transformed text, or the number of words for `wordcount`. */
  output: string | number;
  /** Code points of `output`, or the word count for `wordcount`. */
  length: number;
  requestedBy: { sourceIp: string; userAgent: string };
  requestId: string;
}

/**
 * Transforms `{text, operation}`. Client mistakes throw `[BadRequest] ...` (→ 400); anything
 * else, such as an event the mapping template should never produce, throws a plain Error (→ 500).
 * Reads no environment variables.
 */
export function createTransformHandler() {
  return async (event: TransformEvent, _context?: unknown): Promise<TransformResult> => {
    if (typeof event !== "object" || event === null || typeof event.context !== "object" || event.context === null) {
      // Not the client's fault: the request mapping template is missing or wrong.
      throw new Error("Malformed integration event: no context object (check the request mapping template)");
    }
    const { body } = event;
    if (body === null || body === undefined) {
      throw new Error(`${BAD_REQUEST_PREFIX} Missing request body`);
    }
    if (typeof body !== "object" || Array.isArray(body)) {
      throw new Error(`${BAD_REQUEST_PREFIX} Request body must be a JSON object`);
    }
    const { text, operation } = body as Record<string, unknown>;
    if (typeof text !== "string") {
      throw new Error(`${BAD_REQUEST_PREFIX} text must be a string`);
    }
    if (typeof operation !== "string" || !(TRANSFORM_OPERATIONS as readonly string[]).includes(operation)) {
      const got = operation === undefined ? "none" : JSON.stringify(operation);
      throw new Error(
        `${BAD_REQUEST_PREFIX} Unknown operation ${got}; allowed: ${TRANSFORM_OPERATIONS.join(", ")}`,
      );
    }
    const textLength = Array.from(text).length;
    if (textLength > MAX_TEXT_LENGTH) {
      throw new Error(
        `${BAD_REQUEST_PREFIX} text must be at most ${MAX_TEXT_LENGTH} characters (got ${textLength})`,
      );
    }

    const op = operation as TransformOperation;
    const output = applyTransform(op, text);
    return {
      operation: op,
      input: text,
      output,
      length: typeof output === "number" ? output : Array.from(output).length,
      requestedBy: { sourceIp: event.context.sourceIp, userAgent: event.context.userAgent },
      requestId: event.context.requestId,
    };
  };
}

/** Applies one operation; `wordcount` answers a number, the others a string. */
export function applyTransform(operation: TransformOperation, text: string): string | number {
  switch (operation) {
    case "uppercase":
      return text.toUpperCase();
    case "lowercase":
      return text.toLowerCase();
    case "reverse":
      return reverseGraphemes(text);
    case "wordcount":
      return text.split(/\s+/).filter((word) => word !== "").length;
    default:
      // Unreachable when the caller checked the operation; a plain Error maps to 500.
      throw new Error(`Unhandled operation ${String(operation)}`);
  }
}

/**
 * Reverses by grapheme cluster, so surrogate pairs, combining accents ("e\u0301") and
 * emoji sequences survive; a naive `split("")` would tear them apart.
 */
export function reverseGraphemes(text: string): string {
  const segments = Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text), (s) => s.segment);
  return segments.reverse().join("");
}
