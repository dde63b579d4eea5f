import { expect } from "chai";
import {
    ApiRequirements,
    chooseApiType,
    HTTP_PRICE_PER_MILLION,
    monthlyRequestCost,
    REST_PRICE_PER_MILLION,
    validateApiRequirements,
} from "../../components/chooseApiType";

const KNOWN = "cost_sensitive, latency_critical, api_keys, transformation, waf_required, caching, auth_type";
/** Returns what `fn` throws; fails the test if it does not throw. */
function thrownBy(fn: () => unknown): Error {
    try {
        fn();
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected the call to throw");
}

const TIE_ZERO = "tie: REST API 0, HTTP API 0; REST API chosen because it has the broader, safer feature set";

describe("chooseApiType", () => {
    describe("scores each requirement on its own", () => {
        const cases: {
            requirements: ApiRequirements;
            side: "REST" | "HTTP";
            points: number;
            reason: string;
        }[] = [
            {
                requirements: { cost_sensitive: true },
                side: "HTTP",
                points: 3,
                reason: "cost_sensitive: HTTP API +3 (HTTP APIs are ~71 % cheaper per request)",
            },
            {
                requirements: { latency_critical: true },
                side: "HTTP",
                points: 2,
                reason: "latency_critical: HTTP API +2 (HTTP APIs have lower latency)",
            },
            {
                requirements: { auth_type: "jwt" },
                side: "HTTP",
                points: 2,
                reason: "auth_type=jwt: HTTP API +2 (JWT authorizers are native to HTTP APIs)",
            },
            {
                requirements: { api_keys: true },
                side: "REST",
                points: 3,
                reason: "api_keys: REST API +3 (usage plans and API keys exist only on REST APIs)",
            },
            {
                requirements: { transformation: true },
                side: "REST",
                points: 2,
                reason: "transformation: REST API +2 (mapping templates exist only on REST APIs)",
            },
            {
                requirements: { waf_required: true },
                side: "REST",
                points: 3,
                reason: "waf_required: REST API +3 (AWS WAF web ACLs associate with REST API stages only)",
            },
            {
                requirements: { caching: true },
                side: "REST",
                points: 2,
                reason: "caching: REST API +2 (response caching exists only on REST APIs)",
            },
            {
                requirements: { auth_type: "cognito" },
                side: "REST",
                points: 2,
                reason: "auth_type=cognito: REST API +2 (Cognito user-pool authorizers are native to REST APIs)",
            },
            {
                requirements: { auth_type: "iam" },
                side: "REST",
                points: 2,
                reason: "auth_type=iam: REST API +2 (IAM authorizers are native to REST APIs)",
            },
        ];

        for (const { requirements, side, points, reason } of cases) {
            it(`${JSON.stringify(requirements)} gives ${side} API +${points}`, () => {
                expect(chooseApiType(requirements)).to.deep.equal({
                    recommendation: side,
                    http_api_score: side === "HTTP" ? points : 0,
                    rest_api_score: side === "REST" ? points : 0,
                    reasons: [reason],
                });
            });
        }

        const neutral: ApiRequirements[] = [
            { auth_type: "none" },
            {
                cost_sensitive: false,
                latency_critical: false,
                api_keys: false,
                transformation: false,
                waf_required: false,
                caching: false,
            },
        ];
        for (const requirements of neutral) {
            it(`${JSON.stringify(requirements)} scores nothing`, () => {
                const d = chooseApiType(requirements);
                expect(d.http_api_score).to.equal(0);
                expect(d.rest_api_score).to.equal(0);
                expect(d.reasons).to.deep.equal([TIE_ZERO]);
            });
        }
    });

    describe("ties", () => {
        it("go to REST with a reason saying so", () => {
            // HTTP: cost 3 + latency 2 = 5; REST: api_keys 3 + caching 2 = 5.
            const d = chooseApiType({ cost_sensitive: true, latency_critical: true, api_keys: true, caching: true });
            expect(d.recommendation).to.equal("REST");
            expect(d.http_api_score).to.equal(5);
            expect(d.rest_api_score).to.equal(5);
            expect(d.reasons).to.have.length(5);
            expect(d.reasons[4]).to.equal(
                "tie: REST API 5, HTTP API 5; REST API chosen because it has the broader, safer feature set",
            );
        });

        it("include the empty requirements (0 to 0)", () => {
            expect(chooseApiType({})).to.deep.equal({
                recommendation: "REST",
                http_api_score: 0,
                rest_api_score: 0,
                reasons: [TIE_ZERO],
            });
        });

        it("are not reported when one side wins by a point", () => {
            // HTTP 3 vs REST 2.
            const d = chooseApiType({ cost_sensitive: true, caching: true });
            expect(d.recommendation).to.equal("HTTP");
            expect(d.reasons.some((r) => r.startsWith("tie:"))).to.equal(false);
        });
    });

    it("recommends HTTP for a cost-, latency- and JWT-driven API", () => {
        expect(chooseApiType({ cost_sensitive: true, latency_critical: true, auth_type: "jwt" })).to.deep.equal({
            recommendation: "HTTP",
            http_api_score: 7,
            rest_api_score: 0,
            reasons: [
                "cost_sensitive: HTTP API +3 (HTTP APIs are ~71 % cheaper per request)",
                "latency_critical: HTTP API +2 (HTTP APIs have lower latency)",
                "auth_type=jwt: HTTP API +2 (JWT authorizers are native to HTTP APIs)",
            ],
        });
    });

    it("recommends REST for a typical enterprise API even when cost-sensitive", () => {
        const d = chooseApiType({
            cost_sensitive: true,
            api_keys: true,
            waf_required: true,
            transformation: true,
            auth_type: "iam",
        });
        expect(d.recommendation).to.equal("REST");
        expect(d.rest_api_score).to.equal(10);
        expect(d.http_api_score).to.equal(3);
    });

    it("lists reasons in requirement-field order, one per scoring requirement", () => {
        const d = chooseApiType({
            auth_type: "cognito",
            caching: true,
            waf_required: true,
            transformation: true,
            api_keys: true,
            latency_critical: true,
            cost_sensitive: true,
        });
        expect(d.reasons.map((r) => r.split(":")[0])).to.deep.equal([
            "cost_sensitive",
            "latency_critical",
            "api_keys",
            "transformation",
            "waf_required",
            "caching",
            "auth_type=cognito",
        ]);
        expect(d.rest_api_score).to.equal(12);
        expect(d.http_api_score).to.equal(5);
        for (const r of d.reasons) {
            expect(r).to.match(/^[a-z_=]+: (REST|HTTP) API \+\d \(.+\)$/);
        }
    });

    it("counts only literal true flags from unvalidated input", () => {
        const sloppy = { caching: "false", api_keys: 1 } as unknown as ApiRequirements;
        expect(chooseApiType(sloppy).rest_api_score).to.equal(0);
    });
});

describe("validateApiRequirements", () => {
    it("returns the requirements, dropping undefined keys", () => {
        const input = { cost_sensitive: true, caching: false, auth_type: "jwt", api_keys: undefined };
        const out = validateApiRequirements(input);
        expect(out).to.deep.equal({ cost_sensitive: true, caching: false, auth_type: "jwt" });
        expect(out).to.not.equal(input);
        expect(Object.keys(out)).to.not.include("api_keys");
    });

    it("accepts an empty object and every auth type", () => {
        expect(validateApiRequirements({})).to.deep.equal({});
        for (const auth_type of ["jwt", "cognito", "iam", "none"]) {
            expect(validateApiRequirements({ auth_type })).to.deep.equal({ auth_type });
        }
    });

    const errors: [string, unknown, string][] = [
        ["null", null, "api.requirements must be an object (got null)"],
        ["undefined", undefined, "api.requirements must be an object (got undefined)"],
        ["an array", [], "api.requirements must be an object (got array)"],
        ["a string", "cheap", 'api.requirements must be an object (got "cheap")'],
        ["a number", 3, "api.requirements must be an object (got 3)"],
        [
            "an unknown key",
            { foo: true },
            `api.requirements.foo is not a known requirement (known: ${KNOWN})`,
        ],
        [
            "a misspelt key",
            { cachng: true },
            `api.requirements.cachng is not a known requirement (known: ${KNOWN})`,
        ],
        ["a string flag", { caching: "yes" }, 'api.requirements.caching must be a boolean (got "yes")'],
        ['a "true" flag', { api_keys: "true" }, 'api.requirements.api_keys must be a boolean (got "true")'],
        ["a numeric flag", { waf_required: 1 }, "api.requirements.waf_required must be a boolean (got 1)"],
        ["a null flag", { cost_sensitive: null }, "api.requirements.cost_sensitive must be a boolean (got null)"],
        [
            "an unknown auth type",
            { auth_type: "oauth" },
            'api.requirements.auth_type must be one of jwt, cognito, iam, none (got "oauth")',
        ],
        [
            "a wrongly-cased auth type",
            { auth_type: "JWT" },
            'api.requirements.auth_type must be one of jwt, cognito, iam, none (got "JWT")',
        ],
        [
            "a boolean auth type",
            { auth_type: true },
            "api.requirements.auth_type must be one of jwt, cognito, iam, none (got true)",
        ],
    ];

    for (const [what, value, message] of errors) {
        it(`rejects ${what}`, () => {
            // Compared with equal rather than to.throw(string), which only
            // checks for a substring.
            const err = thrownBy(() => validateApiRequirements(value));
            expect(err).to.be.instanceOf(Error);
            expect(err.message).to.equal(message);
        });
    }

    it("names a custom field in its messages", () => {
        expect(() => validateApiRequirements({ caching: "no" }, "stacks.prod.api")).to.throw(
            'stacks.prod.api.caching must be a boolean (got "no")',
        );
        expect(() => validateApiRequirements(null, "cfg")).to.throw("cfg must be an object (got null)");
    });
});

describe("monthlyRequestCost", () => {
    it("uses $3.50 (REST) and $1.00 (HTTP) per million", () => {
        expect(REST_PRICE_PER_MILLION).to.equal(3.5);
        expect(HTTP_PRICE_PER_MILLION).to.equal(1.0);
        expect(monthlyRequestCost(1_000_000)).to.deep.equal({ rest: 3.5, http: 1 });
    });

    const figures: [number, number, number][] = [
        [0, 0, 0],
        [10_000_000, 35, 10],
        [1_234_567, 4.32, 1.23],
        [1_000_000_000, 3500, 1000],
        [1, 0, 0],
        [1_430, 0.01, 0], // 0.005005 rounds up, 0.00143 rounds down
        [5_000, 0.02, 0.01], // 0.0175 -> 0.02, 0.005 -> 0.01
    ];
    for (const [requests, rest, http] of figures) {
        it(`${requests} requests cost REST $${rest}, HTTP $${http}`, () => {
            expect(monthlyRequestCost(requests)).to.deep.equal({ rest, http });
        });
    }

    it("rejects negative and non-finite request counts", () => {
        expect(() => monthlyRequestCost(-1)).to.throw(RangeError);
        expect(() => monthlyRequestCost(Number.NaN)).to.throw(RangeError);
        expect(() => monthlyRequestCost(Number.POSITIVE_INFINITY)).to.throw(RangeError);
    });
});
