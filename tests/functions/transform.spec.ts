import { expect } from "chai";
import { createTransformHandler, type TransformEvent } from "../../functions/transform";
import { expectRejection } from "./expectRejection";

// The integration responses' selection patterns: a Java regex matched against the whole
// errorMessage, where "." does not cross a line break.
const BAD_REQUEST_SELECTION = /^\[BadRequest\].*$/;

function transformEvent(body: unknown): TransformEvent {
  return {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "User-Agent": "curl/8.5.0" },
    query: {},
    pathParameters: {},
    context: {
      accountId: "123456789012",
      apiId: "abc123defg",
      requestId: "7e0b5f5c-2d9a-4c7e-9a51-4f0d6a1b2c3d",
      requestTime: "25/Nov/2025:13:36:00 +0000",
      sourceIp: "203.0.113.10",
      userAgent: "curl/8.5.0",
    },
  };
}

describe("functions/transform", () => {
  const transform = createTransformHandler();

  describe("operations", () => {
    const cases: Array<[string, string, string | number, number]> = [
      ["uppercase", "Hello, World", "HELLO, WORLD", 12],
      ["lowercase", "Hello, World", "hello, world", 12],
      ["uppercase", "straße", "STRASSE", 7],
      ["reverse", "stressed", "desserts", 8],
      // Grapheme clusters stay whole: an astral emoji, a flag and a combining accent. The
      // length counts code points: the flag is two regional indicators, é is e + U+0301.
      ["reverse", "a😀b🇨🇭e\u0301", "e\u0301🇨🇭b😀a", 7],
      ["reverse", "", "", 0],
      ["wordcount", "  the quick\tbrown\nfox  ", 4, 4],
      ["wordcount", "one", 1, 1],
      ["wordcount", "   ", 0, 0],
    ];
    for (const [operation, text, output, length] of cases) {
      it(`${operation} ${JSON.stringify(text)} → ${JSON.stringify(output)} (length ${length})`, async () => {
        const result = await transform(transformEvent({ text, operation }));
        expect(result).to.deep.equal({
          operation,
          input: text,
          output,
          length,
          requestedBy: { sourceIp: "203.0.113.10", userAgent: "curl/8.5.0" },
          requestId: "7e0b5f5c-2d9a-4c7e-9a51-4f0d6a1b2c3d",
        });
      });
    }

    it("accepts exactly 10,000 characters, counted in code points", async () => {
      expect((await transform(transformEvent({ text: "a".repeat(10_000), operation: "reverse" }))).length).to.equal(10_000);
      // 20,000 UTF-16 units, 10,000 characters.
      expect((await transform(transformEvent({ text: "😀".repeat(10_000), operation: "uppercase" }))).length).to.equal(10_000);
    });

    it("ignores extra body fields", async () => {
      const result = await transform(transformEvent({ text: "x", operation: "uppercase", extra: true }));
      expect(result.output).to.equal("X");
    });
  });

  describe("client errors throw [BadRequest] messages (→ 400)", () => {
    const cases: Array<[string, unknown, string]> = [
      ["a null body", null, "[BadRequest] Missing request body"],
      ["an undefined body", undefined, "[BadRequest] Missing request body"],
      ["a string body", "text=hi", "[BadRequest] Request body must be a JSON object"],
      ["an array body", [{ text: "hi", operation: "uppercase" }], "[BadRequest] Request body must be a JSON object"],
      ["an empty body (the template renders {})", {}, "[BadRequest] text must be a string"],
      ["a numeric text", { text: 42, operation: "uppercase" }, "[BadRequest] text must be a string"],
      ["a null text", { text: null, operation: "uppercase" }, "[BadRequest] text must be a string"],
      [
        "no operation",
        { text: "hi" },
        "[BadRequest] Unknown operation none; allowed: uppercase, lowercase, reverse, wordcount",
      ],
      [
        "an unknown operation",
        { text: "hi", operation: "shout" },
        '[BadRequest] Unknown operation "shout"; allowed: uppercase, lowercase, reverse, wordcount',
      ],
      [
        "a wrongly-cased operation",
        { text: "hi", operation: "UPPERCASE" },
        '[BadRequest] Unknown operation "UPPERCASE"; allowed: uppercase, lowercase, reverse, wordcount',
      ],
      [
        "an operation with a line break",
        { text: "hi", operation: "up\ncase" },
        '[BadRequest] Unknown operation "up\\ncase"; allowed: uppercase, lowercase, reverse, wordcount',
      ],
      [
        "text over 10,000 characters",
        { text: "a".repeat(10_001), operation: "uppercase" },
        "[BadRequest] text must be at most 10000 characters (got 10001)",
      ],
    ];
    for (const [label, body, message] of cases) {
      it(`for ${label}`, async () => {
        const error = await expectRejection(transform(transformEvent(body)));
        expect(error.message).to.equal(message);
        expect(error.message).to.match(BAD_REQUEST_SELECTION);
      });
    }
  });

  describe("unexpected errors throw plain messages (→ 500)", () => {
    const cases: Array<[string, unknown]> = [
      ["a null event", null],
      ["an event without context (no mapping template)", { text: "hi", operation: "uppercase" }],
      ["an event whose context is null", { ...transformEvent({ text: "hi", operation: "uppercase" }), context: null }],
    ];
    for (const [label, event] of cases) {
      it(`for ${label}`, async () => {
        const error = await expectRejection(transform(event as TransformEvent));
        expect(error.message).to.not.match(/^\[BadRequest\]/);
        expect(error.message).to.match(/^Malformed integration event/);
      });
    }
  });
});
