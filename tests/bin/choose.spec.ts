import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import {
    ChooseOptions,
    DEFAULT_REQUESTS_PER_MONTH,
    main,
    parseChooseArgs,
    USAGE,
    UsageError,
} from "../../bin/choose";

const ROOT = path.resolve(__dirname, "..", "..");
// ts-node exports its CLI entry point; running it with the current node
// binary avoids depending on PATH or on npm being present.
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");

/** Runs the real CLI the way `npm run choose` does. Each call costs ~1-2 s. */
function runCli(...args: string[]) {
    const result = spawnSync(process.execPath, [TS_NODE_BIN, "--transpile-only", "bin/choose.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Returns the UsageError `fn` throws; fails the test otherwise. */
function usageErrorFrom(fn: () => unknown): UsageError {
    try {
        fn();
    } catch (err) {
        expect(err).to.be.instanceOf(UsageError);
        return err as UsageError;
    }
    throw new Error("expected a UsageError");
}

describe("bin/choose (child process)", () => {
    it("prints a REST recommendation and default costs as text", () => {
        const { status, stdout, stderr } = runCli("--api-keys", "--caching", "--auth-type", "cognito");
        expect(stderr).to.equal("");
        expect(status).to.equal(0);
        expect(stdout.split("\n")).to.deep.equal([
            "Recommendation: REST API",
            "Scores: REST API 7, HTTP API 0",
            "Reasons:",
            "- api_keys: REST API +3 (usage plans and API keys exist only on REST APIs)",
            "- caching: REST API +2 (response caching exists only on REST APIs)",
            "- auth_type=cognito: REST API +2 (Cognito user-pool authorizers are native to REST APIs)",
            "Monthly request cost for 10,000,000 requests:",
            "  REST API: $35.00",
            "  HTTP API: $10.00",
            "",
        ]);
    });

    it("prints an HTTP recommendation with a custom request count", () => {
        const { status, stdout } = runCli("--cost-sensitive", "--latency-critical", "--requests-per-month", "1234567");
        expect(status).to.equal(0);
        const lines = stdout.split("\n");
        expect(lines[0]).to.equal("Recommendation: HTTP API");
        expect(lines[1]).to.equal("Scores: REST API 0, HTTP API 5");
        expect(stdout).to.contain("Monthly request cost for 1,234,567 requests:\n  REST API: $4.32\n  HTTP API: $1.23\n");
    });

    it("prints exactly one JSON object with --json", () => {
        const { status, stdout, stderr } = runCli("--cost-sensitive", "--auth-type", "jwt", "--json");
        expect(stderr).to.equal("");
        expect(status).to.equal(0);
        expect(JSON.parse(stdout)).to.deep.equal({
            recommendation: "HTTP",
            http_api_score: 5,
            rest_api_score: 0,
            reasons: [
                "cost_sensitive: HTTP API +3 (HTTP APIs are ~71 % cheaper per request)",
                "auth_type=jwt: HTTP API +2 (JWT authorizers are native to HTTP APIs)",
            ],
            monthly_cost: { rest: 35, http: 10 },
        });
        // Pretty-printed with two spaces, as documented.
        expect(stdout).to.match(/^\{\n {2}"recommendation": "HTTP",\n/);
    });

    it("exits 2 with the error and usage on stderr for an unknown flag", () => {
        const { status, stdout, stderr } = runCli("--cheap");
        expect(status).to.equal(2);
        expect(stdout).to.equal("");
        expect(stderr).to.equal(`error: unknown flag --cheap\n${USAGE}\n`);
        expect(stderr).to.contain("usage");
    });

    it("exits 2 for a bad --auth-type", () => {
        const { status, stdout, stderr } = runCli("--auth-type", "oauth");
        expect(status).to.equal(2);
        expect(stdout).to.equal("");
        expect(stderr.split("\n")[0]).to.equal(
            'error: --auth-type must be one of jwt, cognito, iam, none (got "oauth")',
        );
        expect(stderr).to.contain("usage:");
    });
});

describe("parseChooseArgs", () => {
    const defaults: ChooseOptions = {
        help: false,
        json: false,
        requestsPerMonth: DEFAULT_REQUESTS_PER_MONTH,
        requirements: {},
    };

    it("defaults to no requirements, text output and 10,000,000 requests", () => {
        expect(DEFAULT_REQUESTS_PER_MONTH).to.equal(10_000_000);
        expect(parseChooseArgs([])).to.deep.equal(defaults);
    });

    it("maps every flag onto its requirement", () => {
        expect(
            parseChooseArgs([
                "--cost-sensitive",
                "--latency-critical",
                "--api-keys",
                "--transformation",
                "--waf-required",
                "--caching",
                "--auth-type",
                "iam",
                "--requests-per-month",
                "42",
                "--json",
            ]),
        ).to.deep.equal({
            help: false,
            json: true,
            requestsPerMonth: 42,
            requirements: {
                cost_sensitive: true,
                latency_critical: true,
                api_keys: true,
                transformation: true,
                waf_required: true,
                caching: true,
                auth_type: "iam",
            },
        });
    });

    it("accepts --name=value and zero requests", () => {
        expect(parseChooseArgs(["--auth-type=none", "--requests-per-month=0"])).to.deep.equal({
            ...defaults,
            requestsPerMonth: 0,
            requirements: { auth_type: "none" },
        });
    });

    it("returns help for --help and -h, ignoring the rest of the line", () => {
        expect(parseChooseArgs(["--help"]).help).to.equal(true);
        expect(parseChooseArgs(["--caching", "-h", "--nonsense"]).help).to.equal(true);
    });

    const errors: [string, string[], string][] = [
        ["an unknown flag", ["--cheap"], "unknown flag --cheap"],
        ["an unknown flag with a value", ["--region=eu-west-1"], "unknown flag --region"],
        ["an unknown short flag", ["-x"], "unknown flag -x"],
        ["a positional argument", ["rest"], 'unexpected argument "rest"'],
        ["a prototype name as argument", ["constructor"], 'unexpected argument "constructor"'],
        ["--auth-type without a value", ["--auth-type"], "--auth-type needs a value"],
        ["--auth-type followed by a flag", ["--auth-type", "--json"], "--auth-type needs a value"],
        [
            "a bad --auth-type",
            ["--auth-type", "oauth"],
            '--auth-type must be one of jwt, cognito, iam, none (got "oauth")',
        ],
        [
            "an empty --auth-type=",
            ["--auth-type="],
            '--auth-type must be one of jwt, cognito, iam, none (got "")',
        ],
        ["--requests-per-month without a value", ["--requests-per-month"], "--requests-per-month needs a value"],
        ...["1e6", "-5", "1.5", "10,000", "1_000", " 12", "abc", "99999999999999999999"].map(
            (v): [string, string[], string] => [
                `--requests-per-month ${JSON.stringify(v)}`,
                ["--requests-per-month", v],
                `--requests-per-month must be a non-negative integer written in digits (got ${JSON.stringify(v)})`,
            ],
        ),
        ["a value on a boolean flag", ["--caching=true"], "--caching does not take a value"],
        ["a value on --json", ["--json=1"], "--json does not take a value"],
        ["a value on --help", ["--help=me"], "--help does not take a value"],
    ];

    for (const [what, argv, message] of errors) {
        it(`rejects ${what}`, () => {
            expect(usageErrorFrom(() => parseChooseArgs(argv)).message).to.equal(message);
        });
    }
});

describe("main (in process)", () => {
    function capture(argv: string[]) {
        let stdout = "";
        let stderr = "";
        const code = main(
            argv,
            { write: (t: string) => (stdout += t) },
            { write: (t: string) => (stderr += t) },
        );
        return { code, stdout, stderr };
    }

    it("prints usage and options to stdout for --help and exits 0", () => {
        const { code, stdout, stderr } = capture(["--help"]);
        expect(code).to.equal(0);
        expect(stderr).to.equal("");
        expect(stdout.startsWith(`${USAGE}\n`)).to.equal(true);
        expect(stdout).to.contain("--requests-per-month N");
    });

    it("reports a tie in text output and still recommends REST", () => {
        const { code, stdout } = capture(["--requests-per-month", "0"]);
        expect(code).to.equal(0);
        expect(stdout).to.equal(
            [
                "Recommendation: REST API",
                "Scores: REST API 0, HTTP API 0",
                "Reasons:",
                "- tie: REST API 0, HTTP API 0; REST API chosen because it has the broader, safer feature set",
                "Monthly request cost for 0 requests:",
                "  REST API: $0.00",
                "  HTTP API: $0.00",
                "",
            ].join("\n"),
        );
    });

    it("returns 2 and writes error plus usage to stderr for a usage error", () => {
        const { code, stdout, stderr } = capture(["--requests-per-month", "1e6"]);
        expect(code).to.equal(2);
        expect(stdout).to.equal("");
        expect(stderr).to.equal(
            `error: --requests-per-month must be a non-negative integer written in digits (got "1e6")\n${USAGE}\n`,
        );
    });
});
