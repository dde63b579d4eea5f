import { expect } from "chai";
import fc from "fast-check";
import { validateCors, originCheckTemplate } from "../../../components/cors";
import {
  FOREACH_ITERATION_LIMIT,
  MappingTemplateError,
  renderMappingTemplate,
  type TemplateInput,
  type TemplateResult,
} from "../../../local/restGateway/mappingTemplate";
import {
  TRANSFORM_ERROR_TEMPLATE,
  TRANSFORM_FAILURE_TEMPLATE,
  TRANSFORM_REQUEST_TEMPLATE,
  TRANSFORM_SUCCESS_TEMPLATE,
} from "../../../program/transformTemplates";

const NO_PARAMS: TemplateInput["params"] = { path: {}, querystring: {}, header: {} };

function render(template: string, input: Partial<TemplateInput> = {}): TemplateResult {
  return renderMappingTemplate(template, { body: "", params: NO_PARAMS, context: {}, ...input });
}

function output(template: string, input: Partial<TemplateInput> = {}): string {
  return render(template, input).output;
}

function query(values: Record<string, string>): Partial<TemplateInput> {
  return { params: { path: {}, querystring: values, header: {} } };
}

function expectTemplateError(template: string, input: Partial<TemplateInput>, message: RegExp): void {
  expect(() => render(template, input)).to.throw(MappingTemplateError, message);
}

/** The JSON an HTTP echo integration answers (the recordings' `{"json": <request body>, ...}`). */
function echoed(requestBody: unknown): Partial<TemplateInput> {
  return { body: JSON.stringify({ args: {}, data: JSON.stringify(requestBody), headers: { Host: "echo" }, json: requestBody }) };
}

describe("renderMappingTemplate", () => {
  describe("recorded against AWS (aws-recorded/apigateway-responses.json)", () => {
    // 12-mapping-$input.path, test_input_path_template_formatting: an HTTP integration echoes the
    // request body under "json"; the integration response template formats $input.path of it.
    const SET_RESULT = `#set($result = $input.path("$.json"))`;
    const PROBE = `{"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}`;
    const inputPathVectors: { name: string; template: string; requestBody: unknown; expected: string }[] = [
      { name: "dict-response", template: `${SET_RESULT}$result`, requestBody: { foo: "bar" }, expected: "{foo=bar}" },
      { name: "json-list", template: `${SET_RESULT}$result`, requestBody: [{ foo: "bar" }], expected: `[{"foo":"bar"}]` },
      { name: "nested-dict", template: `${SET_RESULT}$result.nested`, requestBody: { nested: { foo: "bar" } }, expected: "{foo=bar}" },
      { name: "nested-list", template: `${SET_RESULT}$result.nested`, requestBody: { nested: [{ foo: "bar" }] }, expected: `[{"foo":"bar"}]` },
      { name: "dict-in-list", template: `${SET_RESULT}$result[0]`, requestBody: [{ foo: "bar" }], expected: "{foo=bar}" },
      { name: "list-with-nested-list", template: `${SET_RESULT}$result[0]`, requestBody: [[{ foo: "bar" }]], expected: `[{"foo":"bar"}]` },
      { name: "dict-with-nested-list", template: `${SET_RESULT}$result`, requestBody: { foo: [{ nested: "bar" }] }, expected: `{foo=[{"nested":"bar"}]}` },
      {
        name: "bigger-dict",
        template: `${SET_RESULT}$result`,
        requestBody: { bigger: "dict", to: "test", with: "separators" },
        expected: "{bigger=dict, to=test, with=separators}",
      },
      { name: "to-string", template: `${SET_RESULT}$result.toString()`, requestBody: { foo: "bar" }, expected: "{foo=bar}" },
      { name: "list-to-string", template: `${SET_RESULT}$result.toString()`, requestBody: { list: [{ foo: "bar" }] }, expected: `{list=[{"foo":"bar"}]}` },
      {
        name: "empty-body",
        template: `#set($result = $input.path("$.nonExisting"))${PROBE}`,
        requestBody: null,
        expected: `{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}`,
      },
      {
        name: "nested-empty-list",
        template: `#set($result = $input.path("$.json.listValue"))${PROBE}`,
        requestBody: { listValue: [] },
        expected: `{"body": [], "nested": , "isNull": "false", "isEmptyString": "false"}`,
      },
      {
        name: "nested-null-list",
        template: `#set($result = $input.path("$.json.listValue"))${PROBE}`,
        requestBody: { listValue: null },
        expected: `{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}`,
      },
    ];
    for (const { name, template, requestBody, expected } of inputPathVectors) {
      it(`$input.path formatting [${name}]`, () => {
        expect(output(template, echoed(requestBody))).to.equal(expected);
      });
    }

    // 12-mapping-$input.body, test_input_body_formatting: an HTTP integration to a Lambda URL that
    // echoes the body it receives; three requests with Content-Type application/json.
    const REQUEST_BODIES = { "empty-body": "", "json-body": `{"some": "value"}`, "str-body": "some raw data" };
    /** Request template (or raw), the echo, then response template (or raw). */
    function roundTrip(requestBody: string, requestTemplate?: string, responseTemplate?: string): string {
      const sent = requestTemplate === undefined ? requestBody : output(requestTemplate, { body: requestBody });
      return responseTemplate === undefined ? sent : output(responseTemplate, { body: sent });
    }
    const bodyVectors: { name: string; request?: string; response?: string; expected: Record<keyof typeof REQUEST_BODIES, string> }[] = [
      {
        name: "response-raw-body",
        request: "#set($result = $input.body)$result",
        response: "#set($result = $input.body)$result",
        expected: { "empty-body": "{}", "json-body": `{"some": "value"}`, "str-body": "some raw data" },
      },
      {
        name: "response-str-body-input",
        request: "Action=SendMessage&MessageBody=$input.body",
        expected: {
          "empty-body": "Action=SendMessage&MessageBody={}",
          "json-body": `Action=SendMessage&MessageBody={"some": "value"}`,
          "str-body": "Action=SendMessage&MessageBody=some raw data",
        },
      },
      {
        name: "response-str-body-output",
        response: "Action=SendMessage&MessageBody=$input.body",
        expected: {
          "empty-body": "Action=SendMessage&MessageBody={}",
          "json-body": `Action=SendMessage&MessageBody={"some": "value"}`,
          "str-body": "Action=SendMessage&MessageBody=some raw data",
        },
      },
      {
        name: "response-str-body-all",
        request: "Action=SendMessage&MessageBody=$input.body",
        response: "Action=SendMessage&MessageBody=$input.body",
        expected: {
          "empty-body": "Action=SendMessage&MessageBody=Action=SendMessage&MessageBody={}",
          "json-body": `Action=SendMessage&MessageBody=Action=SendMessage&MessageBody={"some": "value"}`,
          "str-body": "Action=SendMessage&MessageBody=Action=SendMessage&MessageBody=some raw data",
        },
      },
      {
        name: "response-url-encode",
        request: "EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)",
        expected: {
          "empty-body": "EncodedBody=%7B%7D&EncodedBodyAccess=",
          "json-body": "EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=",
          "str-body": "EncodedBody=some+raw+data&EncodedBodyAccess=",
        },
      },
    ];
    for (const { name, request, response, expected } of bodyVectors) {
      for (const [bodyName, requestBody] of Object.entries(REQUEST_BODIES)) {
        it(`$input.body [${name}] with ${bodyName}`, () => {
          expect(roundTrip(requestBody, request, response)).to.equal(expected[bodyName as keyof typeof REQUEST_BODIES]);
        });
      }
    }

    it("$input.body [response-body-attr-access]: a property of the body string renders empty", () => {
      // Recorded: the client got `{}` for all three bodies. The template rendered nothing (a
      // literal `$result` would have been echoed back); the echo Lambda answers `{}` for an empty body.
      for (const requestBody of Object.values(REQUEST_BODIES)) {
        expect(output("#set($result = $input.body.testAccess)$result", { body: requestBody })).to.equal("");
      }
    });

    // 11-gateway-response-default: every default gateway response has this template; the
    // recorded error bodies are what it renders with $context.error.messageString.
    const GATEWAY_RESPONSE_TEMPLATE = `{"message":$context.error.messageString}`;
    const gatewayBodies: [string, string][] = [
      ["1-unknown-resource / 1-unknown-method", "Missing Authentication Token"],
      ["6-invalid-body", "Invalid request body"],
      ["8-integration-failure", "Internal server error"],
    ];
    for (const [scenario, message] of gatewayBodies) {
      it(`default gateway response template [${scenario}]`, () => {
        const rendered = output(GATEWAY_RESPONSE_TEMPLATE, { context: { error: { message, messageString: JSON.stringify(message) } } });
        expect(JSON.parse(rendered)).to.deep.equal({ message });
      });
    }

    // 12-mapping-context-overrides (test_apigateway_integrations.py). The recording names what
    // the templates use — request/response overrides, $util.base64Decode / parseJson, map put and
    // assignment — and keeps AWS's output; the templates below are rebuilt from that description.
    const PICK_PATH_REQUEST = `#set($context.requestOverride.path.selected = $util.base64Encode($input.params('choice')))\n{"statusCode": 200}`;
    const PICK_PATH_RESPONSE = [
      `#set($selected = $util.base64Decode($context.requestOverride.path.selected))`,
      `#if($selected == "path1")`,
      `{"response": "path was path one"}`,
      `#elseif($selected == "path2")`,
      `{"response": "path was path two"}`,
      `#else`,
      `{"response": "this is the else clause"}`,
      `#end`,
    ].join("\n");
    const overrideVectors: [string, string, unknown][] = [
      ["invoke-path1", "path1", { response: "path was path one" }],
      ["invoke-path2", "path2", { response: "path was path two" }],
      ["invoke-path-else", "other", { response: "this is the else clause" }],
    ];
    for (const [name, choice, expected] of overrideVectors) {
      it(`request overrides read by the response template [${name}]`, () => {
        const request = render(PICK_PATH_REQUEST, query({ choice }));
        const response = render(PICK_PATH_RESPONSE, {
          ...query({ choice }),
          context: { requestOverride: { header: request.requestOverride.headers, querystring: request.requestOverride.querystring, path: request.requestOverride.path } },
        });
        expect(JSON.parse(response.output)).to.deep.equal(expected);
      });
    }

    const STATUS_OVERRIDE_REQUEST = [
      `#set($context.responseOverride.status = 444)`,
      `#set($context.responseOverride.header.foo = "bar")`,
      `#set($context.responseOverride.header.custom = "is also passed around")`,
      `{"statusCode": 200}`,
    ].join("\n");
    const STATUS_OVERRIDE_RESPONSE = `{"statusOverride": "$context.responseOverride.status", "fooHeader": "$context.responseOverride.header.foo", "custom": "$context.responseOverride.header.custom"}`;

    it("a response override set by the request template reaches the response template [response override True]", () => {
      const request = render(STATUS_OVERRIDE_REQUEST);
      expect(request.responseOverride).to.deep.equal({ status: 444, headers: { foo: "bar", custom: "is also passed around" } });
      const response = render(STATUS_OVERRIDE_RESPONSE, {
        context: { responseOverride: { status: request.responseOverride.status, header: request.responseOverride.headers } },
      });
      expect(JSON.parse(response.output)).to.deep.equal({ custom: "is also passed around", fooHeader: "bar", statusOverride: "444" });
      expect(response.responseOverride.status).to.equal(444);
    });

    it("a status override from the request template stands without a response template [response override False]", () => {
      expect(render(STATUS_OVERRIDE_REQUEST).responseOverride.status).to.equal(444);
    });

    it("map assignment: #set on paths, put(), parseJson objects [vtl map assignation]", () => {
      const template = [
        `#set($body = $util.parseJson('{"foo": "bar", "nested": {"foo": "original"}}'))`,
        `#set($result = {})`,
        `#set($result.value = $body.foo)`,
        `#set($ignored = $result.put("value2", "putBar"))`,
        `#set($body.nested.foo = "nestedFoo")`,
        `#set($result.value3 = $body.nested.foo)`,
        `{"value": "$result.value", "value2": "$result.value2", "value3": "$result.value3"}`,
      ].join("\n");
      expect(JSON.parse(output(template))).to.deep.equal({ value: "bar", value2: "putBar", value3: "nestedFoo" });
    });

    it("MOCK integration answering with a path parameter [7-passthrough-behavior, /test/42]", () => {
      // Rebuilt template; the recorded body is {"id":42,"statusCode":200} for every passthrough behaviour.
      const rendered = output(`{"id": $input.params('id'), "statusCode": 200}`, { params: { path: { id: "42" }, querystring: {}, header: {} } });
      expect(JSON.parse(rendered)).to.deep.equal({ id: 42, statusCode: 200 });
    });
  });

  describe("$input", () => {
    const BODY = JSON.stringify({ a: { b: "deep" }, list: [{ x: 1 }, { x: 2 }, { x: 3 }], "odd key": true, n: null });

    it("$input.body is the raw text, whitespace and all", () => {
      expect(output("$input.body", { body: ' { "a" : 1 } ' })).to.equal(' { "a" : 1 } ');
    });

    it("$input.json returns compact JSON text of a JSONPath's result", () => {
      const body = { body: BODY };
      expect(output("$input.json('$.a')", body)).to.equal(`{"b":"deep"}`);
      expect(output("$input.json('$.a.b')", body)).to.equal(`"deep"`);
      expect(output("$input.json('$.list[0]')", body)).to.equal(`{"x":1}`);
      expect(output("$input.json('$.list[-1].x')", body)).to.equal("3");
      expect(output(`$input.json("$['odd key']")`, body)).to.equal("true");
      expect(output("$input.json('$.list[*].x')", body)).to.equal("[1,2,3]");
      expect(output("$input.json('$.list[0:2].x')", body)).to.equal("[1,2]");
      expect(output("$input.json('$..x')", body)).to.equal("[1,2,3]");
      expect(output("$input.json('$.list[0,2].x')", body)).to.equal("[1,3]");
      expect(output("$input.json('$.n')", body)).to.equal("null");
      expect(output("$input.json('$')", { body: '{ "spaced" : [ 1, 2 ] }' })).to.equal(`{"spaced":[1,2]}`);
    });

    it("$input.json('$') keeps the client's numbers and key order exactly (64-bit ids survive)", () => {
      expect(output("$input.json('$')", { body: `{ "id": 12345678901234567890, "b": 1.0, "2": "x" }` })).to.equal(`{"id":12345678901234567890,"b":1.0,"2":"x"}`);
      expect(output("$input.json('$')", { body: `{"s": "a \\" b", "t": " spaced  string "}` })).to.equal(`{"s":"a \\" b","t":" spaced  string "}`);
    });

    it("each $input.path call answers a fresh value: #set on one result does not show in the next", () => {
      expect(output("#set($doc = $input.path('$'))#set($doc.b = 2)$doc.b [$input.path('$').b] $input.json('$')", { body: `{"a":1}` })).to.equal(`2 [] {"a":1}`);
    });

    it("a JSONPath without `$` is relative to the root, as in Jayway JsonPath", () => {
      expect(output("$input.json('a.b')", { body: BODY })).to.equal(`"deep"`);
    });

    it("$input.json of a missing path renders empty; of a wildcard without matches, []", () => {
      expect(output("[$input.json('$.missing.deeper')]", { body: BODY })).to.equal("[]");
      expect(output("$input.json('$.a[*].nothing')", { body: BODY })).to.equal("[]");
    });

    it("an empty body is `{}` to $input.json and $input.path", () => {
      expect(output("$input.json('$')")).to.equal("{}");
      expect(output("$input.path('$').size()")).to.equal("0");
    });

    it("a body that is not JSON: $input.json('$') is it as a JSON string, $input.path('$') the text", () => {
      expect(output("$input.json('$')", { body: `some "raw" data` })).to.equal(`"some \\"raw\\" data"`);
      expect(output("$input.path('$')", { body: "some raw data" })).to.equal("some raw data");
      expect(output("[$input.path('$.a')]", { body: "some raw data" })).to.equal("[]");
    });

    it("$input.path returns objects: size(), get(), properties, keySet(), #foreach", () => {
      const body = { body: BODY };
      expect(output("$input.path('$.list').size()", body)).to.equal("3");
      expect(output("$input.path('$.list').get(1).x", body)).to.equal("2");
      expect(output("$input.path('$').a.b", body)).to.equal("deep");
      expect(output("#foreach($k in $input.path('$').keySet())$k;#end", body)).to.equal("a;list;odd key;n;");
      expect(output("#foreach($item in $input.path('$.list'))$item.x#if($foreach.hasNext),#end#end", body)).to.equal("1,2,3");
      expect(output("#if($input.path('$.list').get(0).x == 1)one#end", body)).to.equal("one");
    });

    it("$input.path prints strings, numbers and booleans plainly", () => {
      const body = { body: JSON.stringify({ s: "text", i: 42, f: 1.5, t: true }) };
      expect(output("$input.path('$.s')|$input.path('$.i')|$input.path('$.f')|$input.path('$.t')", body)).to.equal("text|42|1.5|true");
    });

    it("a JSONPath filter is refused rather than silently matching nothing", () => {
      expectTemplateError("$input.json('$.list[?(@.x > 1)]')", { body: BODY }, /filters .* not supported/);
    });

    it("$input.params() is a map of path, querystring and header maps", () => {
      const params = { path: { id: "7" }, querystring: { q: "x", page: "2" }, header: { Accept: "application/json" } };
      expect(output("$input.params()", { params })).to.equal("{path={id=7}, querystring={q=x, page=2}, header={Accept=application/json}}");
      expect(output("$input.params().querystring.keySet().size() $input.params().header.get('Accept') $input.params().path.id", { params })).to.equal(
        "2 application/json 7",
      );
      expect(output("#foreach($type in $input.params().keySet())$type:$input.params().get($type).size() #end", { params })).to.equal(
        "path:1 querystring:2 header:1 ",
      );
    });

    it("$input.params(name) looks in path, then querystring, then header", () => {
      const params = { path: { id: "from-path" }, querystring: { id: "from-query", q: "from-query" }, header: { id: "h", q: "h", "X-Only": "header" } };
      expect(output("$input.params('id') $input.params('q') $input.params('X-Only')", { params })).to.equal("from-path from-query header");
    });

    it("$input.params(name) finds a header by any case; the header map's get() is exact", () => {
      const params = { path: {}, querystring: {}, header: { "X-Api-Key": "k" } };
      expect(output("$input.params('x-api-key')", { params })).to.equal("k");
      expect(output("[$input.params().header.get('x-api-key')]", { params })).to.equal("[]");
    });

    it("a missing parameter renders empty and is false to #if", () => {
      expect(output(`"$input.params('nope')" #if($input.params('nope'))set#{else}unset#end`)).to.equal(`"" unset`);
    });

    it("never changes the caller's params", () => {
      const params = { path: {}, querystring: { a: "1" }, header: {} };
      output("$input.params().querystring.put('b', '2')", { params });
      expect(params.querystring).to.deep.equal({ a: "1" });
    });
  });

  describe("$util", () => {
    it("escapeJavaScript escapes quotes, backslash, slash, control and non-ASCII characters as Commons Lang does", () => {
      const s = `it's "q" \\ / tab\there\nnew\u0001 é 😀 \u007f`;
      expect(output("$util.escapeJavaScript($input.params('s'))", query({ s }))).to.equal(
        String.raw`it\'s \"q\" \\ \/ tab\there\nnew\u0001 \u00E9 \uD83D\uDE00 ` + "\u007f",
      );
    });

    it("escapeJavaScript's \\' is not JSON; the documented replaceAll undoes it", () => {
      const s = "it's";
      expect(() => JSON.parse(`"${output("$util.escapeJavaScript($input.params('s'))", query({ s }))}"`)).to.throw(SyntaxError);
      const fixed = output(String.raw`$util.escapeJavaScript($input.params('s')).replaceAll("\\'","'")`, query({ s }));
      expect(JSON.parse(`"${fixed}"`)).to.equal(s);
    });

    it("escapeJavaScript of null renders empty", () => {
      expect(output("[$util.escapeJavaScript($input.params('missing'))]")).to.equal("[]");
    });

    it("parseJson returns an object to navigate", () => {
      const template = `#set($o = $util.parseJson($input.params('json')))$o.user.name $o.tags.size() $o.tags[1] $o.tags`;
      expect(output(template, query({ json: `{"user":{"name":"ann"},"tags":["a","b"]}` }))).to.equal(`ann 2 b ["a","b"]`);
      expect(output(`$util.parseJson('"text"').length() $util.parseJson('12').intValue()`)).to.equal("4 12");
    });

    it("parseJson of text that is not JSON fails the template", () => {
      expectTemplateError("$util.parseJson('{nope')", {}, /parseJson: invalid JSON/);
    });

    it("urlEncode is application/x-www-form-urlencoded: spaces as +, UTF-8 bytes upper-case", () => {
      expect(output("$util.urlEncode($input.params('s'))", query({ s: "a b&c=d/é~*._-" }))).to.equal("a+b%26c%3Dd%2F%C3%A9%7E*._-");
    });

    it("urlDecode reads + as a space and %XX as UTF-8; a malformed escape fails the template", () => {
      expect(output("$util.urlDecode('a+b%26%C3%A9%2b')")).to.equal("a b&é+");
      expectTemplateError("$util.urlDecode('100%')", {}, /urlDecode: illegal escape/);
    });

    it("base64Encode and base64Decode use UTF-8; text that is not base64 fails the template", () => {
      expect(output("$util.base64Encode('héllo')")).to.equal(Buffer.from("héllo").toString("base64"));
      expect(output("$util.base64Decode('aMOpbGxv')")).to.equal("héllo");
      expect(output("$util.base64Decode('aGk')")).to.equal("hi");
      expectTemplateError("$util.base64Decode('not base64!')", {}, /base64Decode: not base64/);
    });
  });

  describe("$context and $stageVariables", () => {
    const context = {
      accountId: "123456789012",
      requestTimeEpoch: 1428582896000,
      identity: { sourceIp: "203.0.113.7", userAgent: "curl/8.5.0" },
      authorizer: { principalId: "user-1", claims: { email: "a@example.com" }, tier: "gold" },
    };

    it("reads nested values", () => {
      expect(output("$context.accountId $context.identity.sourceIp $context.authorizer.claims.email $context.authorizer.tier", { context })).to.equal(
        "123456789012 203.0.113.7 a@example.com gold",
      );
      expect(output("$context.requestTimeEpoch.toString().length()", { context })).to.equal("13");
    });

    it("a missing context value renders empty, not as the reference", () => {
      expect(output(`"$context.authorizer.principalId" "$context.identity.apiKey"`, { context: {} })).to.equal(`"" ""`);
    });

    it("stage variables, and none", () => {
      expect(output("$stageVariables.url|$stageVariables.nope", { stageVariables: { url: "https://backend" } })).to.equal("https://backend|");
      expect(output("[$stageVariables.url]")).to.equal("[]");
    });

    it("never changes the caller's context, and a render sees nothing of the one before", () => {
      const callerContext = { stage: "dev", responseOverride: { header: { A: "1" } } };
      output("#set($context.stage = 'prod')#set($context.responseOverride.header.B = '2')#set($leaked = 'yes')", { context: callerContext });
      expect(callerContext).to.deep.equal({ stage: "dev", responseOverride: { header: { A: "1" } } });
      expect(output("$context.stage $leaked", { context: callerContext })).to.equal("dev $leaked");
    });
  });

  describe("overrides", () => {
    it("sets the response status and headers, header names with dashes included", () => {
      const result = render(
        `#set($context.responseOverride.status = 400)#set($context.responseOverride.header.X-Request-Id = $context.requestId)#set($context.responseOverride.header.Access-Control-Allow-Origin = "https://app.example.com")`,
        { context: { requestId: "r-1" } },
      );
      expect(result.responseOverride).to.deep.equal({ status: 400, headers: { "X-Request-Id": "r-1", "Access-Control-Allow-Origin": "https://app.example.com" } });
      expect(result.output).to.equal("");
    });

    it("a status given as a string counts; one that is not a status fails the template", () => {
      expect(render(`#set($context.responseOverride.status = "201")`).responseOverride.status).to.equal(201);
      expectTemplateError(`#set($context.responseOverride.status = "teapot")`, {}, /responseOverride.status must be an HTTP status code \(got teapot\)/);
      expectTemplateError(`#set($context.responseOverride.status = 99)`, {}, /got 99/);
    });

    it("without overrides, no status and no headers", () => {
      expect(render("x").responseOverride).to.deep.equal({ headers: {} });
      expect(render("x").requestOverride).to.deep.equal({ headers: {}, querystring: {}, path: {} });
    });

    it("sets request headers, query string and path parameters; a list of values joins with commas", () => {
      const result = render(
        `#set($context.requestOverride.header.X-Tenant = "t1")#set($context.requestOverride.header.multi = ["a", "b"])#set($context.requestOverride.querystring.page = 2)#set($context.requestOverride.path.objectKey = $context.requestId)`,
        { context: { requestId: "req-9" } },
      );
      expect(result.requestOverride).to.deep.equal({ headers: { "X-Tenant": "t1", multi: "a,b" }, querystring: { page: "2" }, path: { objectKey: "req-9" } });
    });

    it("reads back what it set, and starts from the overrides it is given", () => {
      const result = render("#set($context.requestOverride.path.next = 'n')$context.requestOverride.path.given/$context.requestOverride.path.next", {
        context: { requestOverride: { path: { given: "g" } } },
      });
      expect(result.output).to.equal("g/n");
      expect(result.requestOverride.path).to.deep.equal({ given: "g", next: "n" });
    });
  });

  describe("references", () => {
    it("an unknown reference renders as written, $! silences it", () => {
      expect(output("$nope|$!nope|$nope.deeper|${nope}|$!{nope}")).to.equal("$nope||$nope.deeper|${nope}|");
    });

    it("a variable set to a missing value renders empty and equals both $null and the empty string", () => {
      const template = `#set($v = $input.path('$.missing'))[$v][$v.child]#if($v == $null)null#end #if($v == "")empty#end #if("" == $v)empty#end`;
      expect(output(template, { body: "{}" })).to.equal("[][]null empty empty");
    });

    it("#if is Velocity's: only null and false are false; empty strings, 0 and empty lists are true", () => {
      expect(output("#if('')a#end#if(0)b#end#if([])c#end#if(false)X#end#if($null)Y#end#if(!$null)d#end#if(!false && true)e#end")).to.equal("abcde");
    });

    it("== compares numbers by value and other types by their text, as Velocity 1.x", () => {
      expect(output("#if(1 == 1.0)a#end#if(1 == '1')b#end#if(true == 'true')c#end#if('a' != 'b')d#end#set($l = [1, 'x'])#set($m = [1, 'x'])#if($l == $m)e#end")).to.equal("abcde");
    });

    it("integer arithmetic divides as Java integers; + concatenates strings", () => {
      expect(output("#set($a = 7 / 2)$a #set($b = 7 % 3)$b #set($c = 'n' + 1)$c #set($d = 2 * 3 - 1)$d")).to.equal("3 1 n1 5");
    });

    it("unknown macros, #include and #parse render as written", () => {
      expect(output("#nope('x') #include('file')")).to.equal("#nope('x') #include('file')");
    });

    it("macros and #define work", () => {
      expect(output("#macro(greet $who)hi $who#end#greet('ann')|#define($block)[$x]#end#set($x = 1)$block")).to.equal("hi ann|[1]");
    });

    it("a Velocity list literal prints the Java way, a map literal too", () => {
      expect(output(`#set($l = [1, "a", {"k": "v"}])$l $l.size()`)).to.equal("[1, a, {k=v}] 3");
    });
  });

  describe("#foreach", () => {
    it("exposes $foreach.index, .count, .hasNext, .first, .last and $velocityCount", () => {
      expect(output("#foreach($x in ['a', 'b', 'c'])$foreach.index$foreach.count$velocityCount$x$foreach.first$foreach.last$foreach.hasNext;#end")).to.equal(
        "011atruefalsetrue;122bfalsefalsetrue;233cfalsetruefalse;",
      );
    });

    it("iterates a map's values; nested loops keep their own $foreach", () => {
      expect(output("#foreach($v in $input.path('$'))$v#end", { body: `{"a":1,"b":2}` })).to.equal("12");
      expect(output("#foreach($i in [1..2])#foreach($j in [1..2])$i$j$foreach.hasNext #end$foreach.hasNext|#end")).to.equal(
        "11true 12false true|21true 22false false|",
      );
    });

    it("#break leaves the loop at once", () => {
      expect(output("#foreach($i in [1..5])#if($i == 3)#break#end$i,#end after")).to.equal("1,2, after");
    });

    it(`runs ${FOREACH_ITERATION_LIMIT} iterations and fails the template at the next`, () => {
      expect(output(`#set($n = 0)#foreach($i in [1..${FOREACH_ITERATION_LIMIT}])#set($n = $n + 1)#end$n`)).to.equal(String(FOREACH_ITERATION_LIMIT));
      expectTemplateError(`#foreach($i in [0..${FOREACH_ITERATION_LIMIT}])#end`, {}, /stops a loop at 1000 iterations/);
    });
  });

  describe("Java methods", () => {
    it("on strings", () => {
      const template = [
        "$s.length()",
        "$s.contains('b,')",
        "$s.toUpperCase()",
        "$s.substring(2)",
        "$s.substring(0, 1)",
        "$s.indexOf(',')",
        "$s.replace(',', ';')",
        "$s.replaceAll('([a-z])', '<$1>')",
        "$s.replaceFirst('[a-z]', '_')",
        "$s.split(',').size()",
        "$s.matches('[a-c,]+')",
        "$s.startsWith('a,')",
        "$s.equals('a,b,c,,')",
        "$s.isEmpty()",
        "$t.trim().length()",
      ].join("|");
      const rendered = output(`#set($s = 'a,b,c,,')#set($t = '  t ')${template}`);
      expect(rendered.split("|")).to.deep.equal([
        "7",
        "true",
        "A,B,C,,",
        "b,c,,",
        "a",
        "1",
        "a;b;c;;",
        "<a>,<b>,<c>,,",
        "_,b,c,,",
        "3",
        "true",
        "true",
        "true",
        "false",
        "1",
      ]);
    });

    it("a call Java would throw on fails the template", () => {
      expectTemplateError("#set($s = 'abc')$s.substring(5)", {}, /substring\(5, 3\): index out of range \(size 3\)/);
      expectTemplateError("#set($l = [1])$l.get(3)", {}, /index out of range/);
      expectTemplateError("#set($s = 'abc')$s.replaceAll('(', 'x')", {}, /Invalid regular expression/);
    });

    it("on lists and maps", () => {
      const template = `#set($l = [3, 1])#set($ok = $l.add(2))$l $l.contains(1) $l.indexOf(2) #set($m = {"a": 1})#set($old = $m.put("b", 2))$m.containsKey("b") $m.keySet() $m.values() $m.size() $m.isEmpty() [$old]`;
      expect(output(template)).to.equal("[3, 1, 2] true 2 true [a, b] [1, 2] 2 false []");
      expect(output("#set($l = [])#set($m = {})$l.empty $m.isEmpty() $input.path('$.a').empty", { body: `{"a":[1]}` })).to.equal("true true false");
    });

    it("a method strings do not have in Java (only in JavaScript) does not run", () => {
      expect(output("#set($s = 'abc')[$s.at(0)][$s.padStart(5)]")).to.equal("[][]");
    });

    it("arguments that fit no Java signature find no method: the reference renders empty", () => {
      expect(output("#set($s = 'abc')#set($l = [1])[$s.substring('x')][$l.get('0')][$s.contains(1)][$s.length(2)]")).to.equal("[][][][]");
    });
  });

  describe("errors and caching", () => {
    it("a template that does not parse throws MappingTemplateError", () => {
      expectTemplateError("#if(", {}, /^Mapping template does not parse: Parse error on line 1/);
      expectTemplateError("#set($x = )", {}, /Parse error/);
    });

    it("refuses blocks without #end, an #end closing nothing, and #else outside #if, as Java Velocity does", () => {
      // velocityjs would render "xx", "a" and throw a TypeError.
      expectTemplateError("#if(true)x", {}, /needs its #end/);
      expectTemplateError("#foreach($i in [1])#if(true)x#end", {}, /needs its #end/);
      expectTemplateError("a#end b", {}, /needs its #end/);
      expectTemplateError("a #else b", {}, /#else or #elseif outside #if/);
      expectTemplateError("#foreach($i in [1])#elseif(true)#end", {}, /outside #if/);
      expect(output("## a comment at the very end, without newline")).to.equal("");
    });

    it("parses each template once, broken ones included", () => {
      // The engine calls velocityjs's parse through the module object, so counting calls there works.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, whose export is replaced (an `import *` may be a copy of it)
      const velocityjs = require("velocityjs") as { parse: (...args: unknown[]) => unknown };
      const realParse = velocityjs.parse;
      let parses = 0;
      velocityjs.parse = (...args: unknown[]) => {
        parses++;
        return realParse(...args);
      };
      try {
        const nonce = `${Date.now()}-${Math.random()}`;
        expect(output(`cached ${nonce} $context.n`, { context: { n: 0 } })).to.equal(`cached ${nonce} 0`);
        const afterFirst = parses;
        expect(afterFirst).to.be.greaterThan(0);
        for (let i = 1; i < 4; i++) expect(output(`cached ${nonce} $context.n`, { context: { n: i } })).to.equal(`cached ${nonce} ${i}`);
        expect(parses).to.equal(afterFirst);
        expect(() => output(`#if( ${nonce}`)).to.throw(MappingTemplateError);
        const afterBroken = parses;
        for (let i = 0; i < 3; i++) expect(() => output(`#if( ${nonce}`)).to.throw(MappingTemplateError);
        expect(parses).to.equal(afterBroken);
      } finally {
        velocityjs.parse = realParse;
      }
    });
  });

  describe("the program's templates", () => {
    const context = {
      httpMethod: "POST",
      accountId: "123456789012",
      apiId: "a1b2c3",
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      requestTime: "09/Apr/2015:12:34:56 +0000",
      identity: { sourceIp: "203.0.113.7", userAgent: `Mozilla/5.0 "quoted" \\ é` },
    };

    it("TRANSFORM_REQUEST_TEMPLATE renders valid JSON: the TransformEvent", () => {
      const params = {
        path: { stage: "v1" },
        querystring: { q: "a b", lang: "fr-é" },
        header: { "Content-Type": "application/json", "X-Quote": `say "hi" \\ </script>` },
      };
      const rendered = output(TRANSFORM_REQUEST_TEMPLATE, { body: `{"text": "héllo\\n", "operation": "uppercase", "n": [1, 2.5]}`, params, context });
      expect(JSON.parse(rendered)).to.deep.equal({
        method: "POST",
        body: { text: "héllo\n", operation: "uppercase", n: [1, 2.5] },
        headers: params.header,
        query: params.querystring,
        pathParameters: params.path,
        context: {
          accountId: context.accountId,
          apiId: context.apiId,
          requestId: context.requestId,
          requestTime: context.requestTime,
          sourceIp: context.identity.sourceIp,
          userAgent: context.identity.userAgent,
        },
      });
    });

    it("TRANSFORM_REQUEST_TEMPLATE with no body, parameters or user agent", () => {
      const event = JSON.parse(output(TRANSFORM_REQUEST_TEMPLATE, { context: { ...context, identity: { sourceIp: "203.0.113.7" } } }));
      expect(event.body).to.deep.equal({});
      expect([event.headers, event.query, event.pathParameters]).to.deep.equal([{}, {}, {}]);
      expect(event.context.userAgent).to.equal("");
    });

    it("TRANSFORM_REQUEST_TEMPLATE hands a body that is not JSON on as a string", () => {
      expect(JSON.parse(output(TRANSFORM_REQUEST_TEMPLATE, { body: "plain text", context })).body).to.equal("plain text");
    });

    it("TRANSFORM_SUCCESS_TEMPLATE wraps the function's result", () => {
      const result = { operation: "uppercase", output: "HÉ", length: 2 };
      expect(JSON.parse(output(TRANSFORM_SUCCESS_TEMPLATE, { body: JSON.stringify(result), context }))).to.deep.equal({
        success: true,
        data: result,
        metadata: { timestamp: context.requestTime, requestId: context.requestId },
      });
    });

    it("TRANSFORM_ERROR_TEMPLATE drops the [BadRequest] prefix and keeps the message JSON-safe", () => {
      const lambdaError = { errorType: "Error", errorMessage: `[BadRequest] Unknown operation "shout"; allowed: uppercase, lowercase`, trace: [] };
      expect(JSON.parse(output(TRANSFORM_ERROR_TEMPLATE, { body: JSON.stringify(lambdaError), context }))).to.deep.equal({
        success: false,
        error: { message: `Unknown operation "shout"; allowed: uppercase, lowercase`, type: "BadRequest", requestId: context.requestId },
      });
    });

    it("TRANSFORM_FAILURE_TEMPLATE hides the function's message", () => {
      const rendered = output(TRANSFORM_FAILURE_TEMPLATE, { body: JSON.stringify({ errorMessage: "secret internals" }), context });
      expect(JSON.parse(rendered)).to.deep.equal({ success: false, error: { message: "Internal error", type: "InternalError", requestId: context.requestId } });
    });

    describe("originCheckTemplate with two allowed origins", () => {
      const policy = validateCors({ allowOrigins: ["https://app.example.com", "http://localhost:3000"] }, "cors");
      const template = `${originCheckTemplate(policy)}$input.json('$')`;
      const respond = (header: Record<string, string>) =>
        render(template, { body: `{"ok": true}`, params: { path: {}, querystring: {}, header }, context });

      it("echoes a listed Origin in Access-Control-Allow-Origin, and renders the body", () => {
        const result = respond({ Origin: "https://app.example.com" });
        expect(result.responseOverride).to.deep.equal({ headers: { "Access-Control-Allow-Origin": "https://app.example.com" } });
        expect(result.output).to.equal(`{"ok":true}`);
      });

      it("finds the header sent in lower case (HTTP/2 clients)", () => {
        expect(respond({ origin: "http://localhost:3000" }).responseOverride.headers).to.deep.equal({ "Access-Control-Allow-Origin": "http://localhost:3000" });
      });

      it("sets nothing for an unlisted origin, a look-alike, or none", () => {
        const headers: Record<string, string>[] = [{ Origin: "https://evil.example.com" }, { Origin: "https://app.example.com.evil.com" }, {}];
        for (const header of headers) {
          expect(respond(header).responseOverride).to.deep.equal({ headers: {} });
        }
      });

      it("is empty with a single origin (a static header does the job)", () => {
        expect(originCheckTemplate(validateCors({ allowOrigins: ["https://app.example.com"] }, "cors"))).to.equal("");
      });
    });
  });

  describe("properties", () => {
    /** Any UTF-16 string, lone surrogates and control characters included. */
    const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });

    it("escapeJavaScript output in a JSON string literal parses back to the input (strings without ')", () => {
      fc.assert(
        fc.property(
          utf16.filter((s) => !s.includes("'")),
          (s) => {
            const escaped = output("$util.escapeJavaScript($input.params('s'))", query({ s }));
            expect(JSON.parse(`"${escaped}"`)).to.equal(s);
          },
        ),
        { numRuns: 300 },
      );
    });

    it("with the documented .replaceAll(\"\\\\'\",\"'\"), any string parses back", () => {
      fc.assert(
        fc.property(fc.oneof(utf16, fc.constantFrom("'", "\\'", "'\\", "a'b'c")), (s) => {
          const escaped = output(String.raw`$util.escapeJavaScript($input.params('s')).replaceAll("\\'","'")`, query({ s }));
          expect(JSON.parse(`"${escaped}"`)).to.equal(s);
        }),
        { numRuns: 300 },
      );
    });

    it("urlEncode is the form encoding, and urlDecode reverses it", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
          const encoded = output("$util.urlEncode($input.params('s'))", query({ s }));
          expect(encoded).to.equal(new URLSearchParams({ s }).toString().slice(2));
          expect(output("$util.urlDecode($input.params('e'))", query({ e: encoded }))).to.equal(s);
        }),
        { numRuns: 300 },
      );
    });

    it("base64Decode reverses base64Encode", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
          const encoded = output("$util.base64Encode($input.params('s'))", query({ s }));
          expect(encoded).to.equal(Buffer.from(s, "utf8").toString("base64"));
          expect(output("$util.base64Decode($input.params('e'))", query({ e: encoded }))).to.equal(s);
        }),
        { numRuns: 300 },
      );
    });

    it("$input.json of a path to any value of a JSON document is that value's JSON", () => {
      const documentAndPath = fc.jsonValue({ maxDepth: 4 }).chain((document) => {
        const targets: { path: string; value: unknown }[] = [];
        const walk = (value: unknown, path: string) => {
          targets.push({ path, value });
          if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`));
          else if (typeof value === "object" && value !== null) {
            for (const [key, child] of Object.entries(value)) {
              if (key.includes("'")) continue; // the path sits in a single-quoted VTL string
              walk(child, /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}["${key.replace(/[\\"]/g, "\\$&")}"]`);
            }
          }
        };
        walk(document, "$");
        return fc.record({ document: fc.constant(document), target: fc.constantFrom(...targets) });
      });
      fc.assert(
        fc.property(documentAndPath, ({ document, target }) => {
          expect(output(`$input.json('${target.path}')`, { body: JSON.stringify(document) })).to.equal(JSON.stringify(target.value));
        }),
        { numRuns: 300 },
      );
    });

    it("rendering throws nothing but MappingTemplateError, whatever the template and body", () => {
      const tokens = [
        "#set(", "$x", "$y", " = ", ")", "(", "#if(", "#elseif(", "#else", "#end", "#foreach(", " in ", "#break", "#stop",
        "#macro(", "#define(", "$foreach.hasNext", "$velocityCount", "$input.json('$')", "$input.json('$.a[*]')", "$input.path('$.a')",
        "$input.path('$')", "$input.params()", "$input.params('a')", "$input.body", ".keySet()", ".size()", ".get(0)", ".get('a')",
        ".substring(1)", ".split(',')", ".replaceAll('a', '$1')", ".toString()", "$util.escapeJavaScript(", "$util.parseJson(",
        "$util.base64Decode(", "$util.base64Encode(", "$util.urlDecode(", "$util.urlEncode(", "$context.responseOverride.status",
        "$context.responseOverride.header.X-A", "$context.requestOverride.path.p", "$context", "$stageVariables", "$null", "$!",
        "${", "}", "{", "[", "]", "[1..3]", ",", "'", '"', "'a'", '"$x"', "==", "!=", "&&", "||", "!", "+", "-", "*", "/", "%",
        "0", "1", "-1", "2.5", "true", "false", "null", "#*", "*#", "##", "\n", " ", "\\", "$", "#", ".",
      ];
      const template = fc.oneof(
        fc.string({ unit: "binary", maxLength: 60 }),
        fc.array(fc.constantFrom(...tokens), { maxLength: 40 }).map((parts) => parts.join("")),
      );
      const body = fc.oneof(fc.constant(""), fc.json({ maxDepth: 3 }), fc.string({ maxLength: 30 }));
      fc.assert(
        fc.property(template, body, (t, b) => {
          let result: TemplateResult | undefined;
          try {
            result = renderMappingTemplate(t, { body: b, params: { path: { p: "1" }, querystring: { a: "x,y" }, header: { A: "h" } }, context: { requestId: "r" } });
          } catch (error) {
            expect(error).to.be.instanceOf(MappingTemplateError);
            return;
          }
          expect(result.output).to.be.a("string");
        }),
        { numRuns: 1500 },
      );
    });
  });
});
