import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { emitMetric } from "./businessMetrics";
import { isCallerAllowedToRead } from "./cognitoAuth";
import { parseJsonBody } from "./jsonBody";
import { corsPolicyFromEnv, jsonResponse, type CorsPolicy } from "./proxyResponse";
import type { LambdaContext, ProxyEvent, ProxyResult } from "./proxyTypes";

export { parseJsonBody };

/** A user as stored in the users table and returned by the API. */
export interface User {
  id: string;
  email: string;
  name: string;
  age?: number;
  /** ISO 8601 time of creation. */
  createdAt: string;
  /** The `sub` claim of the Cognito token that created the user, when the method had an authorizer. */
  createdBy?: string;
}

export interface UsersHandlerOptions {
  /** @default the `USERS_TABLE` environment variable (required when not given) */
  tableName?: string;
  /** @default read from `CORS_ALLOW_ORIGINS` / `CORS_ALLOW_CREDENTIALS` */
  cors?: CorsPolicy;
  /** @default a DynamoDBDocumentClient created once per container */
  client?: DynamoDBDocumentClient;
}

// DynamoDB's limit for a partition key value; a longer id can name no item, and sending it
// would come back as a ValidationException (a 502) instead of a 404.
const MAX_KEY_BYTES = 2048;
const MAX_EMAIL_LENGTH = 254;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

/**
 * POST /users (Lambda proxy). The gateway validates the model first; this re-checks the
 * fields it relies on, stores the user with a fresh id and answers 201 with a Location.
 *
 * Reads `USERS_TABLE`, `CORS_ALLOW_ORIGINS`, `CORS_ALLOW_CREDENTIALS`.
 */
export function createCreateUserHandler(options: UsersHandlerOptions = {}) {
  const tableName = options.tableName ?? usersTableFromEnv();
  const cors = options.cors ?? corsPolicyFromEnv();
  const client = options.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));

  return async (event: ProxyEvent, context: LambdaContext): Promise<ProxyResult> => {
    const parsed = parseJsonBody(event);
    if (!parsed.ok) return jsonResponse(400, { message: "Invalid request body" }, event, cors);
    const input = validateNewUser(parsed.value);
    if ("error" in input) return jsonResponse(400, { message: input.error }, event, cors);

    const user: User = {
      id: randomUUID(),
      email: input.email,
      name: input.name,
      ...(input.age !== undefined ? { age: input.age } : {}),
      createdAt: new Date().toISOString(),
    };
    const sub = event.requestContext.authorizer?.claims?.sub;
    if (typeof sub === "string" && sub !== "") user.createdBy = sub;

    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: user,
          // A UUID collision is as good as impossible, but never overwrite someone else.
          ConditionExpression: "attribute_not_exists(id)",
        }),
      );
    } catch (error) {
      logDynamoError("PutItem", tableName, event, context, error);
      throw error;
    }
    // A business metric for the dashboard, as an embedded-metric-format log line.
    emitMetric("UsersCreated", 1);
    return jsonResponse(201, user, event, cors, { Location: `/users/${user.id}` });
  };
}

/**
 * GET /users/{id} (Lambda proxy): 200 with the user, 404 when there is none.
 *
 * Reads `USERS_TABLE`, `CORS_ALLOW_ORIGINS`, `CORS_ALLOW_CREDENTIALS`.
 */
export function createGetUserHandler(options: UsersHandlerOptions = {}) {
  const tableName = options.tableName ?? usersTableFromEnv();
  const cors = options.cors ?? corsPolicyFromEnv();
  const client = options.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));

  return async (event: ProxyEvent, context: LambdaContext): Promise<ProxyResult> => {
    const id = event.pathParameters?.id;
    if (id === undefined || id === "") {
      return jsonResponse(400, { message: "Missing path parameter id" }, event, cors);
    }
    if (Buffer.byteLength(id, "utf8") > MAX_KEY_BYTES) {
      return jsonResponse(404, { message: "User not found" }, event, cors);
    }

    let item: Record<string, unknown> | undefined;
    try {
      const result = await client.send(
        // Strongly consistent: a client following the Location of a fresh POST must find it.
        new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
      );
      item = result.Item;
    } catch (error) {
      logDynamoError("GetItem", tableName, event, context, error);
      throw error;
    }
    if (item === undefined) return jsonResponse(404, { message: "User not found" }, event, cors);
    // Behind the Cognito authorizer, a record created by someone else needs the admins group.
    const claims = event.requestContext.authorizer?.claims;
    if (claims && !isCallerAllowedToRead(claims, item.createdBy as string | undefined)) {
      return jsonResponse(403, { error: "Insufficient permissions" }, event, cors);
    }
    return jsonResponse(200, item, event, cors);
  };
}

/** The users table name from `USERS_TABLE`; throws at cold start when it is not set. */
export function usersTableFromEnv(env: Record<string, string | undefined> = process.env): string {
  const tableName = env.USERS_TABLE;
  if (tableName === undefined || tableName.trim() === "") {
    throw new Error("USERS_TABLE environment variable is required (the DynamoDB table holding users)");
  }
  return tableName;
}

/**
 * Defends the fields the handler relies on, even though the gateway's model validates them:
 * the model can be detached from the method, or the function invoked directly.
 */
export function validateNewUser(
  value: unknown,
): { email: string; name: string; age?: number } | { error: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: "Invalid request body" };
  }
  const body = value as Record<string, unknown>;
  const { email, name, age } = body;
  if (typeof email !== "string" || email === "") {
    return { error: "email is required and must be a string" };
  }
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) {
    return { error: "email must be an email address" };
  }
  // JSON Schema's maxLength counts code points, not UTF-16 units.
  const nameLength = typeof name === "string" ? Array.from(name).length : 0;
  if (typeof name !== "string" || nameLength < 1 || nameLength > 100) {
    return { error: "name is required and must be a string of 1 to 100 characters" };
  }
  if (age !== undefined && (typeof age !== "number" || !Number.isInteger(age) || age < 0 || age > 150)) {
    return { error: "age must be an integer from 0 to 150" };
  }
  return age === undefined ? { email, name } : { email, name, age };
}

/** One structured log line for CloudWatch; the error itself is rethrown by the caller. */
export function logDynamoError(
  operation: string,
  tableName: string,
  event: ProxyEvent,
  context: LambdaContext | undefined,
  error: unknown,
): void {
  const err = error instanceof Error ? error : new Error(String(error));
  console.error(
    JSON.stringify({
      level: "error",
      message: `DynamoDB ${operation} failed`,
      tableName,
      requestId: event.requestContext.requestId,
      awsRequestId: context?.awsRequestId,
      errorName: err.name,
      errorMessage: err.message,
    }),
  );
}
