import { UsageError, readCommandLine, type Output, splitFlag } from "./localCloudFiles";

export { UsageError };
/**
 * CLI for {@link chooseApiType}: recommends a REST API or an HTTP API and
 * shows what the requests would cost per month.
 *
 *     npm run choose -- --api-keys --caching --auth-type cognito
 *     npm run choose -- --cost-sensitive --auth-type jwt --json
 *
 * Exit codes: 0 on success (and for --help), 2 for a usage error.
 *
 * @module
 */

import {
    ApiRequirements,
    AUTH_TYPES,
    AuthType,
    chooseApiType,
    monthlyRequestCost,
} from "../components/chooseApiType";

/** Default for --requests-per-month: a modest production API. */
export const DEFAULT_REQUESTS_PER_MONTH = 10_000_000;

/** Usage lines, printed on --help and after every usage error. */
export const USAGE = [
    "usage: npm run choose -- [--cost-sensitive] [--latency-critical] [--api-keys]",
    "                         [--transformation] [--waf-required] [--caching]",
    "                         [--auth-type jwt|cognito|iam|none] [--requests-per-month N] [--json]",
    "       npm run choose -- --help",
].join("\n");

const HELP = `${USAGE}

Recommends an API Gateway REST API or HTTP API for the given requirements.

Options:
  --cost-sensitive          the per-request price matters most (HTTP +3)
  --latency-critical        gateway latency matters (HTTP +2)
  --api-keys                API keys and usage plans are needed (REST +3)
  --transformation          request/response mapping templates are needed (REST +2)
  --waf-required            an AWS WAF web ACL must front the API (REST +3)
  --caching                 gateway response caching is needed (REST +2)
  --auth-type TYPE          jwt (HTTP +2), cognito or iam (REST +2), none (default)
  --requests-per-month N    requests for the cost estimate, digits only (default ${DEFAULT_REQUESTS_PER_MONTH})
  --json                    print one JSON object instead of text
  -h, --help                show this help

A tie goes to REST API, the broader feature set.`;

/** The parsed command line. */
export interface ChooseOptions {
    /** --help or -h was given; everything else should be ignored. */
    help: boolean;
    /** Print JSON instead of text. */
    json: boolean;
    /** Requests per month for the cost estimate. */
    requestsPerMonth: number;
    /** The requirements to score. */
    requirements: ApiRequirements;
}

// Boolean flags map one-to-one onto requirement fields.
const BOOLEAN_FLAGS: Readonly<Record<string, Exclude<keyof ApiRequirements, "auth_type">>> = {
    "--cost-sensitive": "cost_sensitive",
    "--latency-critical": "latency_critical",
    "--api-keys": "api_keys",
    "--transformation": "transformation",
    "--waf-required": "waf_required",
    "--caching": "caching",
};

/**
 * Parses CLI arguments (without the node and script paths).
 *
 * Hand-rolled rather than `util.parseArgs` so every error message can say
 * exactly what was wrong in this tool's own terms. Both `--flag value` and
 * `--flag=value` are accepted for the options that take a value. A value
 * that starts with `--` is treated as a missing value, so
 * `--auth-type --json` is an error rather than an auth type of "--json".
 *
 * @throws UsageError describing the first problem found.
 */
export function parseChooseArgs(argv: readonly string[]): ChooseOptions {
    const options: ChooseOptions = {
        help: false,
        json: false,
        requestsPerMonth: DEFAULT_REQUESTS_PER_MONTH,
        requirements: {},
    };

    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const { name, inline } = splitFlag(arg);

        // Takes the option's value from `--name=value` or from the next argument.
        const value = (): string => {
            if (inline !== undefined) return inline;
            const next = argv[i + 1];
            if (next === undefined || next.startsWith("--")) {
                throw new UsageError(`${name} needs a value`);
            }
            i++;
            return next;
        };

        if (name === "--help" || name === "-h") {
            if (inline !== undefined) throw new UsageError(`${name} does not take a value`);
            // Help wins over anything else on the line, like most CLIs.
            options.help = true;
            return options;
        } else if (name === "--json") {
            if (inline !== undefined) throw new UsageError(`--json does not take a value`);
            options.json = true;
        } else if (Object.hasOwn(BOOLEAN_FLAGS, name)) {
            // hasOwn, not `in`: an argument such as "constructor" must not match Object.prototype.
            if (inline !== undefined) throw new UsageError(`${name} does not take a value`);
            options.requirements[BOOLEAN_FLAGS[name]] = true;
        } else if (name === "--auth-type") {
            const v = value();
            if (!(AUTH_TYPES as readonly string[]).includes(v)) {
                throw new UsageError(`--auth-type must be one of ${AUTH_TYPES.join(", ")} (got ${JSON.stringify(v)})`);
            }
            options.requirements.auth_type = v as AuthType;
        } else if (name === "--requests-per-month") {
            const v = value();
            // Digits only: no sign, exponent, decimal point or separators, so
            // "1e6" or "10,000" fail loudly instead of being half-understood.
            const n = Number(v);
            if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n)) {
                throw new UsageError(
                    `--requests-per-month must be a non-negative integer written in digits (got ${JSON.stringify(v)})`,
                );
            }
            options.requestsPerMonth = n;
        } else if (arg.startsWith("-")) {
            throw new UsageError(`unknown flag ${name}`);
        } else {
            throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
        }
    }

    return options;
}

/** Formats an integer with thousands separators, independent of the locale. */
function withCommas(n: number): string {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Minimal writable sink, so tests can capture output without a child process. */
/**
 * Runs the CLI and returns the exit code.
 *
 * @param argv - Arguments without the node and script paths.
 * @param stdout - Where results and --help go.
 * @param stderr - Where usage errors go.
 */
export function main(
    argv: readonly string[],
    stdout: Output = process.stdout,
    stderr: Output = process.stderr,
): number {
    const options = readCommandLine(parseChooseArgs, argv, { usage: USAGE, help: HELP }, stdout, stderr);
    if (typeof options === "number") return options;

    const decision = chooseApiType(options.requirements);
    const cost = monthlyRequestCost(options.requestsPerMonth);

    if (options.json) {
        const out = {
            recommendation: decision.recommendation,
            http_api_score: decision.http_api_score,
            rest_api_score: decision.rest_api_score,
            reasons: decision.reasons,
            monthly_cost: { rest: cost.rest, http: cost.http },
        };
        stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return 0;
    }

    const lines = [
        `Recommendation: ${decision.recommendation} API`,
        `Scores: REST API ${decision.rest_api_score}, HTTP API ${decision.http_api_score}`,
        "Reasons:",
        ...decision.reasons.map((r) => `- ${r}`),
        `Monthly request cost for ${withCommas(options.requestsPerMonth)} requests:`,
        `  REST API: $${cost.rest.toFixed(2)}`,
        `  HTTP API: $${cost.http.toFixed(2)}`,
    ];
    stdout.write(`${lines.join("\n")}\n`);
    return 0;
}

if (require.main === module) {
    // exitCode rather than process.exit() so buffered stdout is flushed
    // when output is piped.
    process.exitCode = main(process.argv.slice(2));
}
