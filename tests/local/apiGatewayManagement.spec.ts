import { expect } from "chai";
import { APIGatewayClient, FlushStageCacheCommand, NotFoundException } from "@aws-sdk/client-api-gateway";
import { CacheInvalidationPolicy, invalidationPrincipalsOf, startApiGatewayManagement, type LocalApiGatewayManagement } from "../../local/apiGatewayManagement";
import type { ProviderProperties, RecordedResource } from "../../local/controlPlane";
import { LOCAL_CREDENTIALS } from "../../local/emulators";
import { expectRejection } from "../functions/expectRejection";

const EXECUTION_ARN = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev";
const GET_USER = `${EXECUTION_ARN}/GET/users/42`;

/** A graph holding just the given records, as the control plane would record them. */
function graphOf(records: Array<Pick<RecordedResource, "type" | "inputs"> & { state?: ProviderProperties; id?: string }>) {
  const resources = records.map((r, i) => ({ urn: `urn:${i}`, name: `r${i}`, dependencies: [], custom: true, state: {}, ...r })) as RecordedResource[];
  return { ofType: (type: string) => resources.filter((r) => r.type === type) };
}

function managedPolicy(arn: string, statements: unknown[]) {
  return { type: "aws:iam/policy:Policy", id: arn, state: { arn }, inputs: { policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) } };
}

function attachment(role: string, policyArn: string) {
  return { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", inputs: { role, policyArn } };
}

const INVALIDATE_DEV = { Effect: "Allow", Action: ["execute-api:InvalidateCache"], Resource: [`${EXECUTION_ARN}/*/*`] };

describe("local API Gateway management endpoint", () => {
  let endpoint: LocalApiGatewayManagement;
  let client: APIGatewayClient;
  const flushed: string[] = [];

  before(async () => {
    endpoint = await startApiGatewayManagement({
      flush: (apiId, stage) => {
        if (apiId !== "a1b2c3d4e5" || stage !== "dev") return false;
        flushed.push(`${apiId}/${stage}`);
        return true;
      },
    });
    client = new APIGatewayClient({ endpoint: endpoint.url, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  });

  after(async () => {
    client?.destroy();
    await endpoint?.stop();
  });

  beforeEach(() => (flushed.length = 0));

  it("flushes a known stage for the real SDK's FlushStageCache (202, empty body, a request id)", async () => {
    const output = await client.send(new FlushStageCacheCommand({ restApiId: "a1b2c3d4e5", stageName: "dev" }));
    expect(output.$metadata.httpStatusCode).to.equal(202);
    expect(output.$metadata.requestId).to.match(/^[0-9a-f-]{36}$/);
    expect(flushed).to.deep.equal(["a1b2c3d4e5/dev"]);
  });

  it("answers NotFoundException, as AWS shapes it, for an unknown stage or API", async () => {
    for (const [restApiId, stageName] of [["a1b2c3d4e5", "prod"], ["zzzzzzzzzz", "dev"]]) {
      const error = await expectRejection(client.send(new FlushStageCacheCommand({ restApiId, stageName })));
      expect(error).to.be.instanceOf(NotFoundException);
      expect(error.message).to.equal("Invalid stage identifier specified");
      expect((error as NotFoundException).$metadata.httpStatusCode).to.equal(404);
    }
    expect(flushed).to.deep.equal([]);

    const raw = await fetch(`${endpoint.url}/restapis/a1b2c3d4e5/stages/prod/cache/data`, { method: "DELETE" });
    expect(raw.status).to.equal(404);
    expect(raw.headers.get("x-amzn-errortype")).to.equal("NotFoundException");
    expect(await raw.json()).to.deep.equal({ message: "Invalid stage identifier specified" });
  });

  it("answers UnknownOperationException for other paths and verbs, flushing nothing", async () => {
    for (const [method, path] of [["GET", "/restapis/a1b2c3d4e5/stages/dev/cache/data"], ["DELETE", "/restapis/a1b2c3d4e5/stages/dev"]]) {
      const raw = await fetch(`${endpoint.url}${path}`, { method });
      expect(raw.status, `${method} ${path}`).to.equal(404);
      expect(raw.headers.get("x-amzn-errortype")).to.equal("UnknownOperationException");
    }
    expect(flushed).to.deep.equal([]);
  });
});

describe("CacheInvalidationPolicy", () => {
  it("allows the roles a managed policy granting execute-api:InvalidateCache is attached to, on the stage's methods only", () => {
    const policyArn = "arn:aws:iam::123456789012:policy/cache-invalidate-cache";
    const policy = new CacheInvalidationPolicy(
      graphOf([managedPolicy(policyArn, [INVALIDATE_DEV]), attachment("support-console", policyArn), attachment("arn:aws:iam::123456789012:role/ops/importer", policyArn)]),
    );
    expect(policy.allows({ roleName: "support-console" }, GET_USER)).to.equal(true);
    expect(policy.allows({ roleName: "importer" }, `${EXECUTION_ARN}/POST/`)).to.equal(true);
    expect(policy.allows({ roleName: "support-console" }, "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/users/42")).to.equal(false);
    expect(policy.allows({ roleName: "someone-else" }, GET_USER)).to.equal(false);
    expect(policy.allows({}, GET_USER)).to.equal(false);
    expect(policy.roleNames()).to.deep.equal(["importer", "support-console"]);
  });

  it("grants nothing for an unattached policy, other actions, or a conditional Allow; an explicit Deny wins", () => {
    const granting = "arn:aws:iam::123456789012:policy/grant";
    const other = "arn:aws:iam::123456789012:policy/invoke";
    const conditional = "arn:aws:iam::123456789012:policy/conditional";
    const policy = new CacheInvalidationPolicy(
      graphOf([
        managedPolicy(granting, [INVALIDATE_DEV]),
        managedPolicy(other, [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }]),
        managedPolicy(conditional, [{ ...INVALIDATE_DEV, Condition: { Bool: { "aws:SecureTransport": "true" } } }]),
        attachment("invoker", other),
        attachment("conditional", conditional),
        attachment("denied", granting),
        { type: "aws:iam/rolePolicy:RolePolicy", inputs: { role: "denied", policy: JSON.stringify({ Statement: { Effect: "Deny", Action: "execute-api:*", Resource: `${EXECUTION_ARN}/GET/*` } }) } },
        { type: "aws:iam/rolePolicy:RolePolicy", inputs: { role: "inline", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "execute-api:invalidatecache", Resource: `${EXECUTION_ARN}/GET/users/*` }] }) } },
      ]),
    );
    expect(policy.allows({ roleName: "invoker" }, GET_USER)).to.equal(false);
    expect(policy.allows({ roleName: "conditional" }, GET_USER)).to.equal(false);
    expect(policy.allows({ roleName: "denied" }, GET_USER)).to.equal(false);
    expect(policy.allows({ roleName: "denied" }, `${EXECUTION_ARN}/POST/users`)).to.equal(true);
    // Action names are case-insensitive in IAM; resources are not.
    expect(policy.allows({ roleName: "inline" }, GET_USER)).to.equal(true);
    expect(policy.allows({ roleName: "inline" }, `${EXECUTION_ARN}/GET/Users/42`)).to.equal(false);
  });
});

describe("invalidationPrincipalsOf", () => {
  it("maps a Cognito caller to its preferred role, else to roles named like its groups; a Lambda authorizer's caller to context.roleName", () => {
    expect(invalidationPrincipalsOf({ claims: { sub: "u1", "cognito:preferred_role": "arn:aws:iam::123456789012:role/support-console", "cognito:groups": "x,y" } })).to.deep.equal([
      { roleName: "support-console" },
    ]);
    expect(invalidationPrincipalsOf({ claims: { sub: "u1", "cognito:groups": "readers, support-console" } })).to.deep.equal([{ roleName: "readers" }, { roleName: "support-console" }]);
    expect(invalidationPrincipalsOf({ claims: { sub: "u1", "cognito:groups": ["ops"] } })).to.deep.equal([{ roleName: "ops" }]);
    expect(invalidationPrincipalsOf({ claims: { sub: "u1" } })).to.deep.equal([]);
    expect(invalidationPrincipalsOf({ principalId: "partner-acme", roleName: "catalog-importer" })).to.deep.equal([{ roleName: "catalog-importer" }]);
    expect(invalidationPrincipalsOf({ principalId: "partner-acme" })).to.deep.equal([]);
    expect(invalidationPrincipalsOf(undefined)).to.deep.equal([]);
  });
});
