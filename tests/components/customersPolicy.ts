/**
 * The check every customers function's IAM policy must pass, shared by the component's and the
 * program's specs: written so that a lax policy (`apigateway:*`, `*`, another plan, untagged
 * keys) fails it (tests/components/CustomersApi.spec.ts shows each).
 */
import type { CustomerPlans } from "../../components/CustomersApi";

/** An IAM statement as a role policy holds it. */
export interface Statement {
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Checks a customers function's policy: every action one specific API Gateway (or its own log)
 * action, never `*`, `apigateway:*` or a wildcard in an action; every resource a specific ARN:
 * its log group, the `/apikeys` and `/usageplans` collections, the tiers' plans by id, and
 * `/apikeys/*` (or the tags of API keys) only under a tag condition naming this stage.
 * Throws naming the statement otherwise.
 *
 * @returns The API Gateway grants as `METHOD path` (the plan ids as `{plan}`), sorted.
 */
export function checkCustomersPolicy(document: string, plans: CustomerPlans): string[] {
  const statements = JSON.parse(document).Statement as Statement[];
  const planIds = new Set(Object.values(plans.planIds));
  const prefix = `arn:aws:apigateway:${plans.region}::`;
  const stageTag = `${plans.restApiId}/${plans.stageName}`;
  const grants: string[] = [];
  for (const statement of statements) {
    const at = JSON.stringify(statement);
    if (statement.Effect !== "Allow") throw new Error(`not an Allow: ${at}`);
    for (const action of statement.Action) {
      if (!/^(apigateway:(GET|POST|PUT|PATCH|DELETE)|logs:(CreateLogStream|PutLogEvents))$/.test(action)) throw new Error(`${action} is not one specific action: ${at}`);
    }
    for (const resource of statement.Resource) {
      if (resource === "*" || !resource.startsWith("arn:aws:")) throw new Error(`${resource} is not a specific ARN: ${at}`);
      if (resource.startsWith("arn:aws:logs:")) {
        if (!/^arn:aws:logs:us-east-1:\d{12}:log-group:\/aws\/lambda\/customers-[a-z]+-[0-9a-f]+:\*$/.test(resource)) throw new Error(`${resource} is not the function's own log group`);
        continue;
      }
      if (!resource.startsWith(prefix)) throw new Error(`${resource} is not an API Gateway ARN of ${plans.region}: ${at}`);
      const path = resource.slice(prefix.length);
      const plan = /^\/usageplans\/([^/*]+)(\/.*)?$/.exec(path);
      if (plan && !planIds.has(plan[1])) throw new Error(`${resource} names a plan that is not a tier's: ${at}`);
      const byTag = path === "/apikeys/*" || path.startsWith("/tags/");
      const tagged = Object.values(statement.Condition?.StringEquals ?? {}).includes(stageTag);
      if (byTag && !tagged) throw new Error(`${resource} needs a condition on the stage's tag: ${at}`);
      if (!plan && !byTag && path !== "/apikeys" && path !== "/usageplans") throw new Error(`${resource} is wider than the customers' keys and plans: ${at}`);
      for (const action of statement.Action) grants.push(`${action.replace("apigateway:", "")} ${plan ? path.replace(plan[1], "{plan}") : path}`);
    }
  }
  return [...new Set(grants)].sort();
}
