import * as crypto from "node:crypto";
import { expect } from "chai";
import * as fc from "fast-check";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import {
  createHmacAuthorizer,
  parseTokenClients,
  resultTtlSecondsFromEnv,
  stageWildcard,
  type SecretsReader,
  type TokenAuthorizerEvent,
} from "../../functions/hmacAuthorizer";
import { HMAC_TOKEN_PATTERN, createHmacToken, hmacTokenSignature, verifyHmacToken } from "../../functions/hmacToken";
import { expectRejection } from "./expectRejection";
import { withEnv } from "./withEnv";

const NOW = 1_764_000_000; // 2025-11-24T16:00:00Z
const SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-clients-AbCdEf";
const ALICE = "alice-secret-0123456789abcdefghijklmnopqrstuvwxyzABCD";
const BOB = "bob-secret-9876543210ZYXWVUTSRQPONMLKJIHGFEDCBAzyxw";
const BOB_KEY = "bob-api-key-0123456789abcdefghij";
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/users/42";
const STAGE_WILDCARD = "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/*";

/** A Secrets Manager double counting its GetSecretValue calls. */
class FakeSecrets implements SecretsReader {
  calls: string[] = [];
  failures = 0;
  constructor(public secretString: string | undefined) {}
  async send(command: GetSecretValueCommand): Promise<{ SecretString?: string }> {
    this.calls.push(String(command.input.SecretId));
    if (this.failures > 0) {
      this.failures -= 1;
      throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    }
    return { SecretString: this.secretString };
  }
}

const CLIENTS_JSON = JSON.stringify({ alice: ALICE, bob: { secret: BOB, apiKey: BOB_KEY } });

function tokenEvent(authorizationToken: string | undefined, methodArn = METHOD_ARN): TokenAuthorizerEvent {
  return { type: "TOKEN", authorizationToken, methodArn };
}

/** Captures console output during `fn`, so tests can check what the authorizer logs. */
async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; lines: string[] }> {
  const lines: string[] = [];
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  Object.assign(console, { log: capture, info: capture, warn: capture, error: capture });
  try {
    const [result] = await Promise.allSettled([fn()]);
    return { result, lines };
  } finally {
    Object.assign(console, saved);
  }
}

describe("functions/hmacToken", () => {
  it("makes clientId.unixSeconds.hex(HMAC-SHA256(secret, \"clientId.unixSeconds\"))", () => {
    const expected = crypto.createHmac("sha256", ALICE).update(`alice.${NOW}`).digest("hex");
    expect(createHmacToken("alice", ALICE, NOW)).to.equal(`alice.${NOW}.${expected}`);
    expect(createHmacToken("alice", ALICE, NOW + 0.9)).to.equal(`alice.${NOW}.${expected}`);
  });

  it("verifies a fresh token and says until when it is accepted", () => {
    const token = createHmacToken("alice", ALICE, NOW);
    expect(verifyHmacToken(token, { alice: ALICE }, NOW)).to.deep.equal({ ok: true, clientId: "alice", issuedAt: NOW, expiresAt: NOW + 300 });
  });

  it("accepts tokens up to 300 s old or early, and refuses them one second beyond", () => {
    const token = createHmacToken("alice", ALICE, NOW);
    const at = (now: number) => {
      const result = verifyHmacToken(token, { alice: ALICE }, now);
      return result.ok ? "ok" : result.reason;
    };
    expect([at(NOW + 300), at(NOW + 301), at(NOW - 300), at(NOW - 301)]).to.deep.equal(["ok", "stale", "ok", "future"]);
    expect(verifyHmacToken(token, { alice: ALICE }, NOW + 61, 60)).to.deep.equal({ ok: false, reason: "stale" });
  });

  it("says why a token is refused: malformed, unknown client, bad signature", () => {
    const token = createHmacToken("alice", ALICE, NOW);
    const reason = (t: unknown, secrets: Record<string, string> = { alice: ALICE }) => {
      const result = verifyHmacToken(t, secrets, NOW);
      return result.ok ? "ok" : result.reason;
    };
    expect(reason(`Bearer ${token}`)).to.equal("malformed");
    expect(reason(token.toUpperCase())).to.equal("malformed");
    expect(reason(token.slice(0, -1))).to.equal("malformed");
    expect(reason(undefined)).to.equal("malformed");
    expect(reason(`alice.${NOW}`)).to.equal("malformed");
    expect(reason(token, { bob: BOB })).to.equal("unknown-client");
    // Not Object.prototype's: "constructor" is a valid id but nobody's.
    expect(reason(createHmacToken("constructor", ALICE, NOW), {})).to.equal("unknown-client");
    expect(reason(createHmacToken("alice", BOB, NOW))).to.equal("bad-signature");
    expect(reason(`alice.${NOW + 1}.${token.split(".")[2]}`)).to.equal("bad-signature");
  });

  it("checks the signature before the time, so a forged old token is bad-signature, not stale", () => {
    expect(verifyHmacToken(createHmacToken("alice", BOB, NOW - 3600), { alice: ALICE }, NOW)).to.deep.equal({ ok: false, reason: "bad-signature" });
  });

  it("refuses to mint tokens the authorizer could never accept", () => {
    expect(() => createHmacToken("a.b", ALICE, NOW)).to.throw("clientId must match ^[A-Za-z0-9_-]{1,64}$ (got \"a.b\")");
    expect(() => createHmacToken("alice", "", NOW)).to.throw("secret must be a non-empty string");
    expect(() => createHmacToken("alice", ALICE, 99)).to.throw("nowSeconds must be a unix time in seconds with 10 digits (got 99)");
  });

  it("property: every minted token matches HMAC_TOKEN_PATTERN and verifies; any one changed character does not", () => {
    const pattern = new RegExp(HMAC_TOKEN_PATTERN);
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }),
        fc.nat(),
        (clientId, secret, now, position) => {
          const token = createHmacToken(clientId, secret, now);
          expect(token).to.match(pattern);
          expect(verifyHmacToken(token, { [clientId]: secret }, now).ok).to.equal(true);
          const at = position % token.length;
          const replacement = token[at] === "0" ? "1" : "0";
          const changed = token.slice(0, at) + replacement + token.slice(at + 1);
          expect(verifyHmacToken(changed, { [clientId]: secret }, now).ok).to.equal(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  describe("the signature comparison", () => {
    // Spies on the crypto module's export, which hmacToken calls through at every use. What
    // this proves: the verdict on a well-formed token from a known client is exactly what
    // timingSafeEqual answers, for equal-length buffers, and nothing else compares the
    // signature first (a `===` would make the forced answers below impossible). It does not
    // measure timing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, whose export is replaced (an `import *` is a copy of it)
    const cryptoModule = require("node:crypto") as typeof crypto;
    const original = cryptoModule.timingSafeEqual;
    let calls: Array<[Buffer, Buffer]>;
    let forced: boolean | undefined;
    beforeEach(() => {
      calls = [];
      forced = undefined;
      cryptoModule.timingSafeEqual = ((a: Buffer, b: Buffer) => {
        calls.push([a, b]);
        return forced ?? original(a, b);
      }) as typeof crypto.timingSafeEqual;
    });
    afterEach(() => {
      cryptoModule.timingSafeEqual = original;
    });

    it("goes through crypto.timingSafeEqual with two 32-byte buffers", () => {
      const token = createHmacToken("alice", ALICE, NOW);
      expect(verifyHmacToken(token, { alice: ALICE }, NOW).ok).to.equal(true);
      expect(calls).to.have.length(1);
      expect(calls[0].map((b) => b.length)).to.deep.equal([32, 32]);
      expect(calls[0][0].toString("hex")).to.equal(token.split(".")[2]);
      expect(calls[0][1].toString("hex")).to.equal(hmacTokenSignature("alice", NOW, ALICE));
    });

    it("takes timingSafeEqual's answer as the verdict, both ways", () => {
      const genuine = createHmacToken("alice", ALICE, NOW);
      const tampered = `alice.${NOW}.${"0".repeat(64)}`;
      forced = false;
      expect(verifyHmacToken(genuine, { alice: ALICE }, NOW)).to.deep.equal({ ok: false, reason: "bad-signature" });
      forced = true;
      expect(verifyHmacToken(tampered, { alice: ALICE }, NOW).ok).to.equal(true);
      expect(calls).to.have.length(2);
    });

    it("is not reached for malformed tokens or unknown clients", () => {
      verifyHmacToken("nonsense", { alice: ALICE }, NOW);
      verifyHmacToken(createHmacToken("carol", ALICE, NOW), { alice: ALICE }, NOW);
      expect(calls).to.have.length(0);
    });
  });
});

describe("functions/hmacAuthorizer", () => {
  let secrets: FakeSecrets;
  let now: number;
  let authorize: ReturnType<typeof createHmacAuthorizer>;

  beforeEach(() => {
    secrets = new FakeSecrets(CLIENTS_JSON);
    now = NOW;
    authorize = createHmacAuthorizer({ secretId: SECRET_ID, client: secrets, now: () => now });
  });

  it("allows the whole stage for a valid token, with the client as principal and context", async () => {
    const result = await authorize(tokenEvent(createHmacToken("alice", ALICE, NOW - 10)));
    expect(result).to.deep.equal({
      principalId: "alice",
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: STAGE_WILDCARD }],
      },
      context: { clientId: "alice", expiresAt: NOW - 10 + 300 },
    });
  });

  it("adds usageIdentifierKey for a client mapped to an API key", async () => {
    const result = await authorize(tokenEvent(createHmacToken("bob", BOB, NOW)));
    expect(result.principalId).to.equal("bob");
    expect(result.usageIdentifierKey).to.equal(BOB_KEY);
    const alice = await authorize(tokenEvent(createHmacToken("alice", ALICE, NOW)));
    expect(alice).not.to.have.property("usageIdentifierKey");
  });

  const refusals: Array<[string, () => string | undefined]> = [
    ["a stale token (301 s old)", () => createHmacToken("alice", ALICE, NOW - 301)],
    ["a token from the future (301 s ahead)", () => createHmacToken("alice", ALICE, NOW + 301)],
    ["a malformed token", () => "alice:not-a-token"],
    ["a missing token", () => undefined],
    ["a token of an unknown client", () => createHmacToken("mallory", ALICE, NOW)],
    ["a token signed with another client's secret", () => createHmacToken("alice", BOB, NOW)],
    ["a token with a tampered signature", () => {
      const token = createHmacToken("alice", ALICE, NOW);
      return token.slice(0, -1) + (token.endsWith("a") ? "b" : "a");
    }],
  ];
  for (const [what, token] of refusals) {
    it(`throws "Unauthorized" for ${what}`, async () => {
      const { result, lines } = await captureLogs(() => expectRejection(authorize(tokenEvent(token()))));
      expect(result.status).to.equal("fulfilled");
      expect((result as PromiseFulfilledResult<Error>).value.message).to.equal("Unauthorized");
      expect(lines).to.have.length(1);
    });
  }

  describe("with the result TTL API Gateway caches its answers for", () => {
    const refusal = async (authorizeWith: ReturnType<typeof createHmacAuthorizer>, token: string) => {
      const { result, lines } = await captureLogs(() => expectRejection(authorizeWith(tokenEvent(token))));
      return { message: (result as PromiseFulfilledResult<Error>).value.message, reason: JSON.parse(lines[0]).reason };
    };

    it("admits a token only while the TTL fits in what is left of its window, so that no cached answer outlives it", async () => {
      const cached = createHmacAuthorizer({ secretId: SECRET_ID, client: secrets, now: () => now, resultTtlSeconds: 60 });
      expect((await cached(tokenEvent(createHmacToken("alice", ALICE, NOW - 240)))).context).to.deep.equal({ clientId: "alice", expiresAt: NOW + 60 });
      expect(await refusal(cached, createHmacToken("alice", ALICE, NOW - 241))).to.deep.equal({ message: "Unauthorized", reason: "stale" });
      // Ahead of the clock the whole window is left: the TTL always fits.
      expect((await cached(tokenEvent(createHmacToken("alice", ALICE, NOW + 300)))).principalId).to.equal("alice");
      // Without a TTL, the whole window (the default, as before).
      expect((await authorize(tokenEvent(createHmacToken("alice", ALICE, NOW - 300)))).principalId).to.equal("alice");
    });

    it("takes the TTL from TOKEN_RESULT_TTL_SECONDS (set by the TokenAuthorizer component), 0 when unset", async () => {
      const fromEnv = withEnv({ TOKEN_RESULT_TTL_SECONDS: "100" }, () => createHmacAuthorizer({ secretId: SECRET_ID, client: secrets, now: () => now }));
      expect((await fromEnv(tokenEvent(createHmacToken("alice", ALICE, NOW - 200)))).principalId).to.equal("alice");
      expect(await refusal(fromEnv, createHmacToken("alice", ALICE, NOW - 201))).to.deep.equal({ message: "Unauthorized", reason: "stale" });
      expect(resultTtlSecondsFromEnv({})).to.equal(0);
      expect(() => resultTtlSecondsFromEnv({ TOKEN_RESULT_TTL_SECONDS: "1m" })).to.throw('TOKEN_RESULT_TTL_SECONDS must be a whole number of seconds (got "1m")');
    });

    it("refuses a TTL the window cannot hold at creation", () => {
      for (const ttl of [300, 301, -1, 1.5]) {
        expect(() => createHmacAuthorizer({ secretId: SECRET_ID, client: secrets, resultTtlSeconds: ttl }), String(ttl)).to.throw(
          `the result TTL must be an integer from 0 to 299 s, less than the token window (got ${ttl})`,
        );
      }
    });
  });

  it("reads the secret once for many calls, concurrent first calls included", async () => {
    const tokens = Array.from({ length: 20 }, (_, i) => createHmacToken(i % 2 ? "alice" : "bob", i % 2 ? ALICE : BOB, NOW));
    await Promise.all(tokens.slice(0, 10).map((t) => authorize(tokenEvent(t))));
    for (const t of tokens.slice(10)) await authorize(tokenEvent(t));
    await captureLogs(() => expectRejection(authorize(tokenEvent("bad"))));
    expect(secrets.calls).to.deep.equal([SECRET_ID]);
  });

  it("answers a failed read with a non-Unauthorized error (a 500, not cached) and reads again next call", async () => {
    secrets.failures = 1;
    const token = createHmacToken("alice", ALICE, NOW);
    const { result } = await captureLogs(() => authorize(tokenEvent(token)));
    expect(result.status).to.equal("rejected");
    expect((result as PromiseRejectedResult).reason.message).to.equal("token clients unavailable");
    expect((await authorize(tokenEvent(token))).principalId).to.equal("alice");
    expect(secrets.calls).to.have.length(2);
  });

  it("never logs the token, its signature or a secret", async () => {
    const good = createHmacToken("alice", ALICE, NOW);
    const forged = createHmacToken("alice", BOB, NOW);
    const { lines } = await captureLogs(async () => {
      await authorize(tokenEvent(good));
      await authorize(tokenEvent(forged)).catch(() => undefined);
      await authorize(tokenEvent("garbage-token")).catch(() => undefined);
    });
    expect(lines.length).to.be.greaterThan(0, "refusals are logged");
    const all = lines.join("\n");
    for (const secret of [ALICE, BOB, BOB_KEY, good.split(".")[2], forged.split(".")[2], "garbage-token"]) {
      expect(all).not.to.contain(secret);
    }
    expect(JSON.parse(lines[0])).to.deep.equal({ level: "info", message: "token refused", reason: "bad-signature", clientId: "alice" });
  });

  it("takes its secret id from TOKEN_CLIENTS_SECRET_ID, and refuses to start without it", async () => {
    const fromEnv = withEnv({ TOKEN_CLIENTS_SECRET_ID: "from-env" }, () => createHmacAuthorizer({ client: secrets, now: () => NOW }));
    await fromEnv(tokenEvent(createHmacToken("alice", ALICE, NOW)));
    expect(secrets.calls).to.deep.equal(["from-env"]);
    expect(() => withEnv({ TOKEN_CLIENTS_SECRET_ID: undefined }, () => createHmacAuthorizer({ client: secrets }))).to.throw(
      "TOKEN_CLIENTS_SECRET_ID environment variable is required (the Secrets Manager secret holding the token clients)",
    );
  });

  it("parses both secret shapes and names a bad entry without its value", () => {
    expect([...parseTokenClients(CLIENTS_JSON)]).to.deep.equal([
      ["alice", { secret: ALICE }],
      ["bob", { secret: BOB, apiKey: BOB_KEY }],
    ]);
    expect(() => parseTokenClients("not json")).to.throw("the token clients secret is not JSON");
    expect(() => parseTokenClients("[]")).to.throw("the token clients secret must be a JSON object of client id -> secret");
    expect(() => parseTokenClients(JSON.stringify({ carol: { secret: "" } }))).to.throw("token client carol: must be a non-empty secret string or { secret, apiKey? }");
    expect(() => parseTokenClients(JSON.stringify({ carol: { secret: "s3cr3t", apiKey: 5 } }))).to.throw("token client carol: apiKey must be a string");
    expect(() => parseTokenClients(JSON.stringify({ "a.b": "s3cr3t" }))).to.throw('token client id "a.b" must match ^[A-Za-z0-9_-]{1,64}$');
  });

  it("derives the stage wildcard from the methodArn", () => {
    expect(stageWildcard(METHOD_ARN)).to.equal(STAGE_WILDCARD);
    expect(stageWildcard("arn:aws:execute-api:eu-west-1:123456789012:xyz/prod/POST/")).to.equal("arn:aws:execute-api:eu-west-1:123456789012:xyz/prod/*");
    expect(() => stageWildcard("arn:aws:lambda:us-east-1:123456789012:function:f")).to.throw("is not an execute-api method ARN");
  });
});
