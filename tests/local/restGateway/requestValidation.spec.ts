import { expect } from "chai";
import fc from "fast-check";
import {
  ModelValidator,
  type ModelDefinition,
  missingParametersMessage,
  missingRequiredParameters,
  selectRequestModel,
} from "../../../local/restGateway/requestValidation";
import { USER_MODEL } from "../../../program/models";

const DRAFT_4 = "http://json-schema.org/draft-04/schema#";

/** A model as the RestApi component creates it (draft 4, titled), stored as JSON text. */
function model(name: string, schema: Record<string, unknown>): ModelDefinition {
  return { name, contentType: "application/json", schema: JSON.stringify({ $schema: DRAFT_4, title: name, ...schema }) };
}

function request(parts: { headers?: Record<string, string | undefined>; path?: Record<string, string>; query?: Record<string, string | undefined> } = {}) {
  return { headers: parts.headers ?? {}, pathParameters: parts.path ?? {}, queryStringParameters: parts.query ?? {} };
}

/** What `fn` throws; fails the test when it does not throw. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the call to throw");
}

describe("missingRequiredParameters", () => {
  // Recorded against AWS (aws-recorded/apigateway-responses.json, scenario 6-missing-params,
  // LocalStack test_api_gateway_request_validator): resource /nested/{test}, POST requires
  // header x-header-param, path issuer (not in the resource path) and querystring qs1.
  const POST_PARAMETERS = {
    "method.request.querystring.qs1": true,
    "method.request.path.issuer": true,
    "method.request.header.x-header-param": true,
  };
  const GET_PARAMETERS = {
    "method.request.path.test": true,
    "method.request.querystring.qs1": true,
    "method.request.header.x-header-param": true,
  };

  it("lists headers, then path, then querystring, whatever the declaration order [recorded]", () => {
    const missing = missingRequiredParameters(POST_PARAMETERS, request({ path: { test: "value" } }));
    expect(missing).to.deep.equal(["x-header-param", "issuer", "qs1"]);
    expect(JSON.stringify({ message: missingParametersMessage(missing) })).to.equal(
      JSON.stringify({ message: "Missing required request parameters: [x-header-param, issuer, qs1]" }),
    );
  });

  it("reports only the missing header when the query string is there [recorded]", () => {
    const missing = missingRequiredParameters(GET_PARAMETERS, request({ path: { test: "value" }, query: { qs1: "test" } }));
    expect(missingParametersMessage(missing)).to.equal("Missing required request parameters: [x-header-param]");
  });

  it("reports only the missing query string when the header is there [recorded]", () => {
    const missing = missingRequiredParameters(GET_PARAMETERS, request({ path: { test: "value" }, headers: { "x-header-param": "test" } }));
    expect(missingParametersMessage(missing)).to.equal("Missing required request parameters: [qs1]");
  });

  it("reports nothing when every required parameter is there", () => {
    const all = request({ path: { test: "value" }, headers: { "x-header-param": "test" }, query: { qs1: "test" } });
    expect(missingRequiredParameters(GET_PARAMETERS, all)).to.deep.equal([]);
  });

  it("matches header names case-insensitively, both ways", () => {
    expect(missingRequiredParameters({ "method.request.header.X-Header-Param": true }, request({ headers: { "x-header-param": "v" } }))).to.deep.equal([]);
    expect(missingRequiredParameters({ "method.request.header.x-header-param": true }, request({ headers: { "X-HEADER-PARAM": "v" } }))).to.deep.equal([]);
  });

  it("reports a header under its declared spelling", () => {
    expect(missingRequiredParameters({ "method.request.header.X-Api-Version": true }, request())).to.deep.equal(["X-Api-Version"]);
  });

  it("matches query-string and path names case-sensitively", () => {
    expect(missingRequiredParameters({ "method.request.querystring.qs1": true }, request({ query: { QS1: "v" } }))).to.deep.equal(["qs1"]);
    expect(missingRequiredParameters({ "method.request.path.id": true }, request({ path: { ID: "v" } }))).to.deep.equal(["id"]);
  });

  it("counts empty and whitespace-only values as missing", () => {
    const parameters = { "method.request.header.h": true, "method.request.path.p": true, "method.request.querystring.q": true };
    expect(missingRequiredParameters(parameters, request({ headers: { h: "" }, path: { p: "" }, query: { q: "" } }))).to.deep.equal(["h", "p", "q"]);
    expect(missingRequiredParameters(parameters, request({ headers: { h: "  " }, path: { p: "\t" }, query: { q: " " } }))).to.deep.equal(["h", "p", "q"]);
    expect(missingRequiredParameters(parameters, request({ headers: { h: " x " }, path: { p: "0" }, query: { q: "false" } }))).to.deep.equal([]);
  });

  it("counts an undefined value as missing", () => {
    const parameters = { "method.request.header.h": true, "method.request.querystring.q": true };
    expect(missingRequiredParameters(parameters, request({ headers: { h: undefined }, query: { q: undefined } }))).to.deep.equal(["h", "q"]);
  });

  it("is satisfied by any spelling of a header sent twice", () => {
    expect(missingRequiredParameters({ "method.request.header.h": true }, request({ headers: { H: "", h: "v" } }))).to.deep.equal([]);
    expect(missingRequiredParameters({ "method.request.header.h": true }, request({ headers: { H: "v", h: "" } }))).to.deep.equal([]);
  });

  it("ignores optional parameters and keys that are not method request parameters", () => {
    const parameters = { "method.request.querystring.category": false, "method.request.body.x": true, "integration.request.header.y": true, junk: true };
    expect(missingRequiredParameters(parameters, request())).to.deep.equal([]);
  });

  it("does not take inherited object properties for parameters", () => {
    const parameters = { "method.request.querystring.constructor": true, "method.request.path.toString": true, "method.request.querystring.__proto__": true };
    expect(missingRequiredParameters(parameters, request())).to.deep.equal(["toString", "__proto__", "constructor"]);
  });

  it("orders names within a location by name", () => {
    const parameters = { "method.request.querystring.b": true, "method.request.querystring.a": true, "method.request.header.z": true, "method.request.header.y": true };
    expect(missingRequiredParameters(parameters, request())).to.deep.equal(["y", "z", "a", "b"]);
  });

  it("treats multi-value locations as their single-value ones", () => {
    const parameters = { "method.request.multivaluequerystring.tag": true, "method.request.multivalueheader.x-tag": true, "method.request.path.id": true };
    expect(missingRequiredParameters(parameters, request())).to.deep.equal(["x-tag", "id", "tag"]);
    expect(missingRequiredParameters(parameters, request({ headers: { "X-Tag": "a" }, path: { id: "1" }, query: { tag: "b" } }))).to.deep.equal([]);
  });

  it("does not depend on the order of the requestParameters map (property)", () => {
    const location = fc.constantFrom("header", "path", "querystring");
    const declared = fc.uniqueArray(fc.tuple(location, fc.constantFrom("a", "b", "C", "d-e"), fc.boolean(), fc.constantFrom(undefined, "", " ", "v")), {
      selector: ([loc, name]) => `${loc}.${name}`,
      maxLength: 8,
    });
    fc.assert(
      fc.property(declared.chain((d) => fc.tuple(fc.constant(d), fc.shuffledSubarray(d, { minLength: d.length }))), ([declaredParams, shuffled]) => {
        const toMap = (list: typeof declaredParams) => Object.fromEntries(list.map(([loc, name, required]) => [`method.request.${loc}.${name}`, required]));
        const req = request();
        for (const [loc, name, , value] of declaredParams) {
          if (value === undefined) continue;
          if (loc === "header") req.headers[name] = value;
          if (loc === "path") req.pathParameters[name] = value;
          if (loc === "querystring") req.queryStringParameters[name] = value;
        }
        const missing = missingRequiredParameters(toMap(declaredParams), req);
        expect(missingRequiredParameters(toMap(shuffled), req)).to.deep.equal(missing);
        // Exactly the required ones without a value, headers first, then path, then query string.
        const rank = { header: 0, path: 1, querystring: 2 };
        const expected = declaredParams
          .filter(([, , required, value]) => required && (value === undefined || value.trim() === ""))
          .sort(([la, na], [lb, nb]) => rank[la] - rank[lb] || (na < nb ? -1 : na > nb ? 1 : 0))
          .map(([, name]) => name);
        expect(missing).to.deep.equal(expected);
      }),
    );
  });
});

describe("missingParametersMessage", () => {
  it("is AWS's message, bare names in brackets, comma-space separated", () => {
    expect(missingParametersMessage(["a", "b"])).to.equal("Missing required request parameters: [a, b]");
    expect(missingParametersMessage([])).to.equal("Missing required request parameters: []");
  });
});

describe("selectRequestModel", () => {
  const models = { "application/json": "User", "application/xml": "UserXml" };

  it("uses the model of the request's media type, ignoring parameters and case", () => {
    expect(selectRequestModel(models, "application/json; charset=utf-8")).to.equal("User");
    expect(selectRequestModel(models, "Application/XML")).to.equal("UserXml");
  });

  it("falls back to the application/json model for another or no Content-Type [recorded]", () => {
    expect(selectRequestModel(models, "text/plain")).to.equal("User");
    expect(selectRequestModel(models, undefined)).to.equal("User");
    expect(selectRequestModel(models, "")).to.equal("User");
  });

  it("falls back to a $default model when there is no application/json one", () => {
    expect(selectRequestModel({ $default: "Anything", "text/csv": "Csv" }, "text/plain")).to.equal("Anything");
  });

  it("gives no model when none applies", () => {
    expect(selectRequestModel({ "text/csv": "Csv" }, "application/json")).to.equal(undefined);
    expect(selectRequestModel({}, "application/json")).to.equal(undefined);
  });
});

describe("ModelValidator", () => {
  let user: ModelValidator;
  before(() => {
    user = new ModelValidator([model("User", USER_MODEL.schema)]);
  });
  const validUser = { email: "ada@example.com", name: "Ada", age: 36 };
  const check = (body: unknown) => user.validate("User", typeof body === "string" ? body : JSON.stringify(body));

  describe("the User model (program/models.ts)", () => {
    it("accepts a valid user, with or without age", () => {
      expect(check(validUser)).to.deep.equal({ valid: true });
      expect(check({ email: "ada@example.com", name: "Ada" })).to.deep.equal({ valid: true });
    });

    it("refuses a missing email", () => {
      expect(check({ name: "Ada" })).to.deep.equal({ valid: false, validationErrorString: '[object has missing required properties (["email"])]' });
    });

    it("refuses a bad email", () => {
      expect(check({ ...validUser, email: "not-an-email" })).to.deep.equal({ valid: false, validationErrorString: '[string "not-an-email" is not a valid email address]' });
    });

    it("refuses a name too long or empty", () => {
      const long = "x".repeat(101);
      expect(check({ ...validUser, name: long })).to.deep.equal({ valid: false, validationErrorString: `[string "${long}" is too long (length: 101, maximum allowed: 100)]` });
      expect(check({ ...validUser, name: "" })).to.deep.equal({ valid: false, validationErrorString: '[string "" is too short (length: 0, required minimum: 1)]' });
    });

    it("counts a name's length in characters, not UTF-16 units", () => {
      expect(check({ ...validUser, name: "😀".repeat(100) })).to.deep.equal({ valid: true });
      const long = "😀".repeat(101);
      expect(check({ ...validUser, name: long })).to.deep.equal({ valid: false, validationErrorString: `[string "${long}" is too long (length: 101, maximum allowed: 100)]` });
    });

    it("refuses age 151, and age -1", () => {
      expect(check({ ...validUser, age: 151 })).to.deep.equal({ valid: false, validationErrorString: "[numeric instance is greater than the required maximum (maximum: 150, found: 151)]" });
      expect(check({ ...validUser, age: -1 })).to.deep.equal({ valid: false, validationErrorString: "[numeric instance is lower than the required minimum (minimum: 0, found: -1)]" });
    });

    it("refuses age 1.5, and age as a string", () => {
      expect(check({ ...validUser, age: 1.5 })).to.deep.equal({ valid: false, validationErrorString: '[instance type (number) does not match any allowed primitive type (allowed: ["integer"])]' });
      expect(check({ ...validUser, age: "36" })).to.deep.equal({ valid: false, validationErrorString: '[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]' });
    });

    it("refuses a body that is not JSON", () => {
      for (const body of ["hello", "{", '{"email": "a@b.c",}', " "]) {
        const result = check(body);
        expect(result.valid, body).to.equal(false);
        expect(!result.valid && result.validationErrorString).to.match(/^\[Invalid JSON: .*\]$/s);
      }
    });

    it("validates an empty body as {} [recorded: no body fails a model with required properties]", () => {
      expect(check("")).to.deep.equal({ valid: false, validationErrorString: '[object has missing required properties (["email","name"])]' });
    });

    it("refuses JSON that is not an object", () => {
      expect(check("[]")).to.deep.equal({ valid: false, validationErrorString: '[instance type (array) does not match any allowed primitive type (allowed: ["object"])]' });
      expect(check("null")).to.deep.equal({ valid: false, validationErrorString: '[instance type (null) does not match any allowed primitive type (allowed: ["object"])]' });
    });

    it("lists several violations comma-separated, members in name order", () => {
      expect(check({ name: "", email: "bad", age: "x" })).to.deep.equal({
        valid: false,
        validationErrorString:
          '[instance type (string) does not match any allowed primitive type (allowed: ["integer"]), string "bad" is not a valid email address, string "" is too short (length: 0, required minimum: 1)]',
      });
    });

    it("stops at the object's own violations, as AWS's validator does without deep check", () => {
      // The missing email is reported; the bad name and age below it are not looked at.
      expect(check({ name: "", age: 200 })).to.deep.equal({ valid: false, validationErrorString: '[object has missing required properties (["email"])]' });
    });
  });

  describe("recorded request-validator scenarios (6-invalid-body)", () => {
    const testSchema = model("testSchema", { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] });
    let validator: ModelValidator;
    before(() => {
      validator = new ModelValidator([
        testSchema,
        model("testSchemaList", { type: "array", items: { $ref: "https://apigateway.amazonaws.com/restapis/a1b2c3/models/testSchema" } }),
        model("StatusModel", { type: "object", properties: { Status: { type: "string" } }, required: ["Status"] }),
        model("TestModel", {
          type: "object",
          properties: { status: { oneOf: [{ type: "null" }, { $ref: "https://apigateway.amazonaws.com/restapis/a1b2c3/models/StatusModel" }] } },
          required: ["status"],
        }),
      ]);
    });

    it('refuses {"test":"test"} against a model requiring numbers a and b, and accepts {"a":1,"b":2}', () => {
      expect(validator.validate("testSchema", '{"test":"test"}')).to.deep.equal({ valid: false, validationErrorString: '[object has missing required properties (["a","b"])]' });
      expect(validator.validate("testSchema", '{"a":1,"b":2}')).to.deep.equal({ valid: true });
    });

    it("refuses a GET with no body against that model", () => {
      expect(validator.validate("testSchema", "").valid).to.equal(false);
    });

    it("refuses no body against an array of $ref models, and checks the referenced model in items", () => {
      expect(validator.validate("testSchemaList", "")).to.deep.equal({ valid: false, validationErrorString: '[instance type (object) does not match any allowed primitive type (allowed: ["array"])]' });
      expect(validator.validate("testSchemaList", '[{"a":1,"b":2}]')).to.deep.equal({ valid: true });
      expect(validator.validate("testSchemaList", '[{"a":1,"b":2},{"a":1}]')).to.deep.equal({ valid: false, validationErrorString: '[object has missing required properties (["b"])]' });
    });

    it("refuses no body and a body without status against oneOf [null, $ref]", () => {
      expect(validator.validate("TestModel", "")).to.deep.equal({ valid: false, validationErrorString: '[object has missing required properties (["status"])]' });
      expect(validator.validate("TestModel", '{"badFormat":"bla"}')).to.deep.equal({ valid: false, validationErrorString: '[object has missing required properties (["status"])]' });
      expect(validator.validate("TestModel", '{"status":null}')).to.deep.equal({ valid: true });
      expect(validator.validate("TestModel", '{"status":{"Status":"ok"}}')).to.deep.equal({ valid: true });
      expect(validator.validate("TestModel", '{"status":{}}')).to.deep.equal({ valid: false, validationErrorString: "[instance failed to match exactly one schema (matched 0 out of 2)]" });
    });
  });

  describe("error strings per keyword", () => {
    let kitchen: ModelValidator;
    before(() => {
      kitchen = new ModelValidator([
        model("Kitchen", {
          type: "object",
          properties: {
            color: { enum: ["red", 1, null] },
            code: { type: "string", pattern: "^[A-Z]{3}$" },
            count: { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true, multipleOf: 0.5 },
            tags: { type: "array", minItems: 1, maxItems: 2, uniqueItems: true },
            pair: { type: "array", items: [{ type: "string" }, { type: "integer" }], additionalItems: false },
            one: { oneOf: [{ type: "string" }, { maxLength: 3 }] },
            any: { anyOf: [{ type: "string" }, { type: "boolean" }] },
            all: { allOf: [{ type: "string" }, { minLength: 2 }, { maxLength: 3 }] },
            never: { not: { type: "string" } },
            numberish: { type: ["number", "null"] },
            card: { type: "object", dependencies: { card: ["cvc", "expiry"] } },
            few: { type: "object", minProperties: 2, maxProperties: 3 },
            closed: { type: "object", properties: { a: {} }, patternProperties: { "^x-": {} }, additionalProperties: false },
            when: { type: "string", format: "date-time" },
            link: { type: "string", format: "uri" },
            ip: { type: "string", format: "ipv4" },
            host: { type: "string", format: "hostname" },
            weird: { type: "string", format: "no-such-format" },
          },
        }),
      ]);
    });
    const fails = (field: string, value: unknown) => {
      const result = kitchen.validate("Kitchen", JSON.stringify({ [field]: value }));
      return result.valid ? "valid" : result.validationErrorString;
    };

    it("enum", () => {
      expect(fails("color", "blue")).to.equal('[instance value ("blue") not found in enum (possible values: ["red",1,null])]');
      expect(fails("color", null)).to.equal("valid");
    });

    it("pattern", () => {
      expect(fails("code", "abc")).to.equal('[ECMA 262 regex "^[A-Z]{3}$" does not match input string "abc"]');
    });

    it("minimum, maximum (exclusive), multipleOf", () => {
      expect(fails("count", 0)).to.equal("[numeric instance is not strictly greater than the required minimum 0]");
      expect(fails("count", 10)).to.equal("[numeric instance is not strictly lower than the required maximum 10]");
      expect(fails("count", 12)).to.equal("[numeric instance is greater than the required maximum (maximum: 10, found: 12)]");
      expect(fails("count", 0.25)).to.equal("[remainder of division is not zero (0.25 / 0.5)]");
      expect(fails("count", -0.0001)).to.equal("[numeric instance is lower than the required minimum (minimum: 0, found: -1.0E-4), remainder of division is not zero (-1.0E-4 / 0.5)]");
    });

    it("minItems, maxItems, uniqueItems, additionalItems", () => {
      expect(fails("tags", [])).to.equal("[array is too short: must have at least 1 elements but instance has 0 elements]");
      expect(fails("tags", [1, 2, 3])).to.equal("[array is too long: must have at most 2 elements but instance has 3 elements]");
      expect(fails("tags", [{ a: 1 }, { a: 1 }])).to.equal("[array must not contain duplicate elements]");
      expect(fails("pair", ["a", 1, true])).to.equal("[schema only allows 2 elements in array but instance has 3 elements]");
      expect(fails("pair", [1, 1])).to.equal('[instance type (integer) does not match any allowed primitive type (allowed: ["string"])]');
    });

    it("oneOf, anyOf, allOf, not: one summary each", () => {
      expect(fails("one", "ab")).to.equal("[instance failed to match exactly one schema (matched 2 out of 2)]");
      expect(fails("one", "abcd")).to.equal("valid");
      expect(fails("any", 1)).to.equal("[instance failed to match at least one required schema among 2]");
      expect(fails("all", "abcd")).to.equal("[instance failed to match all required schemas (matched only 2 out of 3)]");
      expect(fails("never", "s")).to.equal("[instance matched a schema which it should not have]");
    });

    it("type: number admits integers, and allowed types are listed in a fixed order", () => {
      expect(fails("numberish", 3)).to.equal("valid");
      expect(fails("numberish", "3")).to.equal('[instance type (string) does not match any allowed primitive type (allowed: ["integer","null","number"])]');
    });

    it("dependencies, minProperties, maxProperties", () => {
      expect(fails("card", { card: "4111", expiry: "12/30" })).to.equal('[property "card" of object has missing property dependencies (schema requires ["cvc","expiry"]; missing: ["cvc"])]');
      expect(fails("few", { a: 1 })).to.equal("[object has too few properties (found 1 but schema requires at least 2)]");
      expect(fails("few", { a: 1, b: 2, c: 3, d: 4 })).to.equal("[object has too many properties (found 4 but schema requires at most 3)]");
    });

    it("checks a node's keywords in alphabetical order, then format, whatever the schema's order", () => {
      const validator = new ModelValidator([model("Code", { type: "string", pattern: "^[a-z]+$", minLength: 5, format: "email" })]);
      expect(validator.validate("Code", '"AB"')).to.deep.equal({
        valid: false,
        validationErrorString: '[string "AB" is too short (length: 2, required minimum: 5), ECMA 262 regex "^[a-z]+$" does not match input string "AB", string "AB" is not a valid email address]',
      });
    });

    it("additionalProperties: every unwanted name, sorted", () => {
      expect(fails("closed", { z: 1, a: 1, "x-ok": 1, b: 2 })).to.equal('[object instance has properties which are not allowed by the schema: ["b","z"]]');
    });

    it("formats: date-time, uri, ipv4; unknown formats are ignored", () => {
      expect(fails("when", "2024-02-30T00:00:00Z")).to.equal(
        `[string "2024-02-30T00:00:00Z" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]]`,
      );
      expect(fails("link", "a b")).to.equal('[string "a b" is not a valid URI]');
      expect(fails("ip", "1.2.3")).to.equal('[string "1.2.3" is not a valid IPv4 address]');
      expect(fails("host", "!!not a host!!")).to.equal("valid");
      expect(fails("weird", "anything")).to.equal("valid");
    });
  });

  describe("formats", () => {
    let formats: ModelValidator;
    before(() => {
      formats = new ModelValidator([
        model("Formats", {
          type: "object",
          properties: { email: { format: "email" }, "date-time": { format: "date-time" }, uri: { format: "uri" }, ipv4: { format: "ipv4" } },
        }),
      ]);
    });
    const accepts = (format: string, value: string) => formats.validate("Formats", JSON.stringify({ [format]: value })).valid;
    const table: Record<string, { valid: string[]; invalid: string[] }> = {
      email: {
        valid: ["a@b", "ada@example.com", "first.last+tag@mail.example.co.uk", '"quoted local"@example.com', "user@[192.168.0.1]", "o'brien@example.ie"],
        invalid: ["plain", "a@", "@b.c", "a b@c.d", "a@b..c", "a@-b.c", ".a@b.c", "a.@b.c", "a@b@c", ""],
      },
      "date-time": {
        valid: ["2024-02-29T12:00:00Z", "2024-01-01T00:00:00.123456789012+01:00", "2024-01-01T00:00:00-0530", "2024-01-01t00:00:00z", "2000-02-29T23:59:59Z"],
        invalid: ["2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:60Z", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01", "2024-01-01T00:00Z", "2024-01-01T00:00:00+24:00"],
      },
      uri: {
        valid: ["http://example.com/a?b=c#d", "relative/path", "", "mailto:a@b.c", "http://[::1]:8080/", "urn:isbn:0451450523", "https://example.com/%20", "http://example.com/?q=[1]", "/caf\u00e9"],
        invalid: ["a b", "http://ex ample.com", ":nope", "1http://x", "http://x/#a#b", "http://x/%zz", "mailto:", "http://x/[y]", "http://x/<y>", "http://x/\\"],
      },
      ipv4: {
        valid: ["0.0.0.0", "255.255.255.255", "192.168.0.1"],
        invalid: ["256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "a.b.c.d", " 1.2.3.4", "1.2.3.4 "],
      },
    };
    for (const [format, { valid, invalid }] of Object.entries(table)) {
      it(`${format}: accepts ${valid.length} forms and refuses ${invalid.length}`, () => {
        for (const value of valid) expect(accepts(format, value), `${format} should accept ${JSON.stringify(value)}`).to.equal(true);
        for (const value of invalid) expect(accepts(format, value), `${format} should refuse ${JSON.stringify(value)}`).to.equal(false);
      });
    }
  });

  describe("models", () => {
    it("accepts $schema draft 4 with or without the trailing #", () => {
      const validator = new ModelValidator([{ name: "M", contentType: "application/json", schema: '{"$schema":"http://json-schema.org/draft-04/schema","type":"string"}' }]);
      expect(validator.validate("M", '"x"')).to.deep.equal({ valid: true });
    });

    it("names the model whose schema is not JSON", () => {
      expect(messageOf(() => new ModelValidator([{ name: "Broken", contentType: "application/json", schema: "{nope" }]))).to.match(/^model "Broken": schema is not valid JSON \(/);
    });

    it("names the model whose schema is not an object", () => {
      expect(messageOf(() => new ModelValidator([{ name: "Listy", contentType: "application/json", schema: "[]" }]))).to.equal('model "Listy": schema must be a JSON object');
    });

    it("names the model whose schema does not compile", () => {
      expect(messageOf(() => new ModelValidator([model("Ok", { type: "string" }), model("Typo", { type: "strin" })]))).to.match(/^model "Typo": schema does not compile: /);
      expect(messageOf(() => new ModelValidator([model("Regex", { pattern: "(" })]))).to.match(/^model "Regex": schema does not compile: /);
    });

    it("names the model that refers to a model that does not exist", () => {
      const dangling = model("Dangling", { $ref: "https://apigateway.amazonaws.com/restapis/x/models/Nowhere" });
      expect(messageOf(() => new ModelValidator([dangling]))).to.match(/^model "Dangling": schema does not compile: .*Nowhere/);
    });

    it("refuses two models with one name", () => {
      expect(messageOf(() => new ModelValidator([model("Twice", {}), model("Twice", {})]))).to.equal('model "Twice" is defined twice');
    });

    it("refuses to validate against an unknown model, listing the known ones", () => {
      expect(messageOf(() => new ModelValidator([model("A", {}), model("B", {})]).validate("C", "{}"))).to.equal('unknown model "C" (known: A, B)');
    });

    it("follows local $refs into definitions", () => {
      const validator = new ModelValidator([
        model("Order", { type: "object", definitions: { line: { type: "object", required: ["sku"] } }, properties: { lines: { type: "array", items: { $ref: "#/definitions/line" } } } }),
      ]);
      expect(validator.validate("Order", '{"lines":[{"sku":"a"},{}]}')).to.deep.equal({ valid: false, validationErrorString: '[object has missing required properties (["sku"])]' });
    });

    it("refuses a body nested deeper than a recursive model can follow, without throwing", () => {
      const validator = new ModelValidator([model("Tree", { type: "array", items: { $ref: "#" } })]);
      const depth = 200_000;
      expect(validator.validate("Tree", "[".repeat(depth) + "]".repeat(depth))).to.deep.equal({ valid: false, validationErrorString: "[instance is nested too deeply]" });
      expect(validator.validate("Tree", "[[[]]]")).to.deep.equal({ valid: true });
    });
  });

  describe("properties", () => {
    const models = [
      model("User", USER_MODEL.schema),
      model("Tree", { type: "object", properties: { children: { type: "array", items: { $ref: "#" } }, name: { type: "string", minLength: 1 } }, required: ["name"] }),
      model("Mixed", { oneOf: [{ type: "integer", multipleOf: 3 }, { type: "string", format: "date-time" }, { type: "object", additionalProperties: { type: "boolean" } }] }),
    ];
    let validator: ModelValidator;
    before(() => {
      validator = new ModelValidator(models);
    });

    it("never throws for any body, and always answers in AWS's bracketed form", () => {
      const bodies = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)));
      fc.assert(
        fc.property(fc.constantFrom(...models.map((m) => m.name)), bodies, (name, body) => {
          const result = validator.validate(name, body);
          if (!result.valid) expect(result.validationErrorString).to.match(/^\[.*\]$/s);
        }),
        { numRuns: 300 },
      );
    });

    it("explains every refusal in AWS's words, never falling back to ajv's", () => {
      const user = fc.record(
        { email: fc.oneof(fc.emailAddress(), fc.string()), name: fc.string({ maxLength: 102 }), age: fc.oneof(fc.integer({ min: -5, max: 155 }), fc.double(), fc.string()) },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(fc.oneof(user, fc.jsonValue()), fc.constantFrom(...models.map((m) => m.name)), (body, name) => {
          const result = validator.validate(name, JSON.stringify(body) ?? "");
          // ajv's messages start "must ..." after the instance path; fge's never do.
          if (!result.valid) expect(result.validationErrorString).to.not.match(/(^\[|, )(instance|\/\S*) must /);
        }),
        { numRuns: 300 },
      );
    });
  });
});
