/**
 * The API's authorizers: their type, function or user pools, and their identity source and
 * result TTL with API Gateway's defaults applied.
 */
import { AUTHORIZER_RESULT_TTL_SECONDS, DEFAULT_IDENTITY_SOURCE, authorizerTtlProblem } from "../apigateway";
import { refuse } from "../argumentErrors";
import type { AuthorizerArgs } from "./args";
import type { AuthorizerSpec } from "./spec";

const AUTHORIZER_TYPES = ["COGNITO_USER_POOLS", "TOKEN", "REQUEST"];

/**
 * Checks the authorizers, naming the field that is wrong; returns them with their defaults, in
 * the order given.
 *
 * @param authorizers - The authorizers by name. @default {}
 */
export function validateAuthorizers(authorizers: Record<string, AuthorizerArgs> = {}): Record<string, AuthorizerSpec> {
  const validated: Record<string, AuthorizerSpec> = {};
  for (const [authName, auth] of Object.entries(authorizers)) {
    validated[authName] = validateAuthorizer(auth, `authorizers.${authName}`);
  }
  return validated;
}

function validateAuthorizer(auth: AuthorizerArgs, field: string): AuthorizerSpec {
  if (!AUTHORIZER_TYPES.includes(auth?.type)) {
    throw new Error(`${field}.type must be COGNITO_USER_POOLS, TOKEN or REQUEST (got ${JSON.stringify(auth?.type)})`);
  }
  if (auth.type !== "COGNITO_USER_POOLS" && !auth.function) {
    throw new Error(`${field}.function is required for a ${auth.type} authorizer`);
  }
  const resultTtlSeconds = auth.resultTtlSeconds ?? AUTHORIZER_RESULT_TTL_SECONDS.default;
  refuse(authorizerTtlProblem(resultTtlSeconds, `${field}.resultTtlSeconds`));
  const common = {
    identitySource: auth.identitySource ?? DEFAULT_IDENTITY_SOURCE,
    resultTtlSeconds,
    declared: { identitySource: auth.identitySource, resultTtlSeconds: auth.resultTtlSeconds },
  };
  if (auth.type === "COGNITO_USER_POOLS") {
    if (!auth.providerArns || auth.providerArns.length === 0) {
      throw new Error(`${field}.providerArns must name at least one user pool ARN`);
    }
    return { ...common, type: auth.type, providerArns: auth.providerArns };
  }
  return { ...common, type: auth.type, function: auth.function, identityValidationExpression: auth.identityValidationExpression };
}
