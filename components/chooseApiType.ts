/**
 * Decision helper for picking between the two API Gateway flavours:
 * REST APIs (API Gateway v1) and HTTP APIs (API Gateway v2).
 *
 * This module is deliberately pure logic with no Pulumi imports, so the
 * CLI (`bin/choose.ts`) and tests can load it without pulling in the
 * Pulumi runtime, and a stack can call it at preview time to explain its
 * choice.
 *
 * @module
 */

/**
 * How callers of the API are authenticated.
 *
 * - `jwt`: any OIDC/JWT issuer, validated by API Gateway.
 * - `cognito`: an Amazon Cognito user pool.
 * - `iam`: SigV4-signed requests checked against IAM.
 * - `none`: no gateway-level authentication.
 */
export type AuthType = "jwt" | "cognito" | "iam" | "none";

/** Every valid {@link AuthType}, in the order used in error messages. */
export const AUTH_TYPES: readonly AuthType[] = ["jwt", "cognito", "iam", "none"];

/**
 * What the API needs. Every field is optional so that a stack config only
 * has to mention the requirements that apply; anything left out counts as
 * "not needed".
 */
export interface ApiRequirements {
    /**
     * The per-request price matters more than gateway features.
     * @default false
     */
    cost_sensitive?: boolean;
    /**
     * Every millisecond of gateway overhead counts.
     * @default false
     */
    latency_critical?: boolean;
    /**
     * Clients are identified and throttled with API keys and usage plans.
     * @default false
     */
    api_keys?: boolean;
    /**
     * Requests or responses must be reshaped by the gateway (mapping templates).
     * @default false
     */
    transformation?: boolean;
    /**
     * An AWS WAF web ACL must sit in front of the API.
     * @default false
     */
    waf_required?: boolean;
    /**
     * The gateway itself must cache responses.
     * @default false
     */
    caching?: boolean;
    /**
     * How callers authenticate.
     * @default "none"
     */
    auth_type?: AuthType;
}

/** The outcome of {@link chooseApiType}. */
export interface ApiTypeDecision {
    /** The API flavour to build. */
    recommendation: "REST" | "HTTP";
    /** Points scored by requirements that favour an HTTP API. */
    http_api_score: number;
    /** Points scored by requirements that favour a REST API. */
    rest_api_score: number;
    /**
     * One line per requirement that scored, in the order of the fields of
     * {@link ApiRequirements}, plus a final line explaining a tie if there
     * was one.
     */
    reasons: string[];
}

/** REST API price in USD per million requests (first pricing tier, us-east-1). */
export const REST_PRICE_PER_MILLION = 3.5;

/** HTTP API price in USD per million requests (first pricing tier, us-east-1). */
export const HTTP_PRICE_PER_MILLION = 1.0;

/** The requirement keys accepted by {@link validateApiRequirements}, in display order. */
export const REQUIREMENT_KEYS: readonly (keyof ApiRequirements)[] = [
    "cost_sensitive",
    "latency_critical",
    "api_keys",
    "transformation",
    "waf_required",
    "caching",
    "auth_type",
];

type Side = "REST" | "HTTP";

/** One scoring rule: when `applies` holds, `side` gets `points`. */
interface Rule {
    /** How the requirement is named in the reason, e.g. `api_keys` or `auth_type=jwt`. */
    label: string;
    side: Side;
    points: number;
    why: string;
    applies(requirements: ApiRequirements): boolean;
}

// Derived from the price constants so the reason text can never drift from them.
const HTTP_SAVING_PERCENT = Math.round((1 - HTTP_PRICE_PER_MILLION / REST_PRICE_PER_MILLION) * 100);

// Flags are tested with `=== true` rather than truthiness so that a stray
// string such as "false" from an unvalidated config cannot tip the score.
const flag = (key: Exclude<keyof ApiRequirements, "auth_type">) => (r: ApiRequirements) => r[key] === true;
const auth = (type: AuthType) => (r: ApiRequirements) => r.auth_type === type;

// Kept in the field order of ApiRequirements so reasons read in a stable,
// predictable order regardless of which side they favour.
const RULES: readonly Rule[] = [
    {
        label: "cost_sensitive",
        side: "HTTP",
        points: 3,
        why: `HTTP APIs are ~${HTTP_SAVING_PERCENT} % cheaper per request`,
        applies: flag("cost_sensitive"),
    },
    {
        label: "latency_critical",
        side: "HTTP",
        points: 2,
        why: "HTTP APIs have lower latency",
        applies: flag("latency_critical"),
    },
    {
        label: "api_keys",
        side: "REST",
        points: 3,
        why: "usage plans and API keys exist only on REST APIs",
        applies: flag("api_keys"),
    },
    {
        label: "transformation",
        side: "REST",
        points: 2,
        why: "mapping templates exist only on REST APIs",
        applies: flag("transformation"),
    },
    {
        label: "waf_required",
        side: "REST",
        points: 3,
        why: "AWS WAF web ACLs associate with REST API stages only",
        applies: flag("waf_required"),
    },
    {
        label: "caching",
        side: "REST",
        points: 2,
        why: "response caching exists only on REST APIs",
        applies: flag("caching"),
    },
    {
        label: "auth_type=jwt",
        side: "HTTP",
        points: 2,
        why: "JWT authorizers are native to HTTP APIs",
        applies: auth("jwt"),
    },
    {
        label: "auth_type=cognito",
        side: "REST",
        points: 2,
        why: "Cognito user-pool authorizers are native to REST APIs",
        applies: auth("cognito"),
    },
    {
        label: "auth_type=iam",
        side: "REST",
        points: 2,
        why: "IAM authorizers are native to REST APIs",
        applies: auth("iam"),
    },
];

/**
 * Recommends a REST API or an HTTP API for the given requirements.
 *
 * Each requirement adds points to the side that serves it better; the
 * higher score wins. A tie (including the all-defaults case of 0 to 0)
 * goes to REST, because a REST API can do everything an HTTP API can for
 * these requirements while the reverse is not true, so it is the choice
 * least likely to need a migration later.
 *
 * The input is trusted to be well-typed; run untrusted config through
 * {@link validateApiRequirements} first.
 *
 * @example
 * chooseApiType({ api_keys: true, auth_type: "cognito" }).recommendation; // "REST"
 */
export function chooseApiType(requirements: ApiRequirements): ApiTypeDecision {
    let http = 0;
    let rest = 0;
    const reasons: string[] = [];

    for (const rule of RULES) {
        if (!rule.applies(requirements)) continue;
        if (rule.side === "HTTP") http += rule.points;
        else rest += rule.points;
        reasons.push(`${rule.label}: ${rule.side} API +${rule.points} (${rule.why})`);
    }

    if (http === rest) {
        reasons.push(
            `tie: REST API ${rest}, HTTP API ${http}; REST API chosen because it has the broader, safer feature set`,
        );
    }

    return {
        recommendation: http > rest ? "HTTP" : "REST",
        http_api_score: http,
        rest_api_score: rest,
        reasons,
    };
}

/** Renders a value for an error message: strings quoted, arrays and null named. */
function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (value === undefined) return "undefined";
    if (typeof value === "function") return "function";
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "symbol") return value.toString();
    // JSON.stringify quotes strings, which makes "true" vs true visible.
    return typeof value === "object" ? "object" : JSON.stringify(value);
}

/**
 * Checks untrusted input (e.g. parsed stack config) and returns it as
 * {@link ApiRequirements}.
 *
 * Unknown keys are rejected rather than ignored, because a typo such as
 * `cachng: true` would otherwise silently change the recommendation.
 * Keys whose value is `undefined` are treated as absent.
 *
 * @param value - The candidate requirements object.
 * @param field - The config path used in error messages.
 * @returns A new object holding only the keys that were set.
 * @throws Error naming the offending field when the input is not valid.
 */
export function validateApiRequirements(value: unknown, field = "api.requirements"): ApiRequirements {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error(`${field} must be an object (got ${describe(value)})`);
    }

    const input = value as Record<string, unknown>;
    const result: ApiRequirements = {};

    for (const key of Object.keys(input)) {
        if (!(REQUIREMENT_KEYS as readonly string[]).includes(key)) {
            throw new Error(`${field}.${key} is not a known requirement (known: ${REQUIREMENT_KEYS.join(", ")})`);
        }
        const v = input[key];
        if (v === undefined) continue;

        if (key === "auth_type") {
            if (typeof v !== "string" || !(AUTH_TYPES as readonly string[]).includes(v)) {
                throw new Error(`${field}.auth_type must be one of ${AUTH_TYPES.join(", ")} (got ${describe(v)})`);
            }
            result.auth_type = v as AuthType;
        } else {
            if (typeof v !== "boolean") {
                throw new Error(`${field}.${key} must be a boolean (got ${describe(v)})`);
            }
            result[key as Exclude<keyof ApiRequirements, "auth_type">] = v;
        }
    }

    return result;
}

/**
 * Request charges per month for both API flavours, in USD rounded to cents.
 *
 * Only the per-request charge is modelled (first pricing tier); data
 * transfer, caching and WAF are billed separately.
 *
 * @param requestsPerMonth - A non-negative number of requests.
 * @throws RangeError if `requestsPerMonth` is negative or not finite.
 */
export function monthlyRequestCost(requestsPerMonth: number): { rest: number; http: number } {
    if (!Number.isFinite(requestsPerMonth) || requestsPerMonth < 0) {
        throw new RangeError(`requestsPerMonth must be a non-negative finite number (got ${requestsPerMonth})`);
    }
    // Work in whole cents per million so the rounding happens once, on an
    // exact-ish product, instead of on an already-rounded dollar float
    // (which is how 1.005-style values end up rounding the wrong way).
    const cents = (pricePerMillion: number) =>
        Math.round((requestsPerMonth * Math.round(pricePerMillion * 100)) / 1_000_000) / 100;
    return { rest: cents(REST_PRICE_PER_MILLION), http: cents(HTTP_PRICE_PER_MILLION) };
}
