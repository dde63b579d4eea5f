/**
 * What every control-plane operation takes and gives: a parsed REST-JSON request (path
 * parameters, query, JSON body) in, a status and a JSON body out; a refusal is thrown as an
 * ApiGatewayError.
 */
import type { ApiGatewayResources } from "./apiGatewayResources";
import { badRequest, MESSAGES } from "./apiGatewayErrors";

/** A request, as an operation reads it. */
export interface OperationRequest {
  /** The path's parameters, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body; {} without one. */
  body: Record<string, unknown>;
}

/** An operation's answer: its status and JSON body (none for 202 and 204). */
export interface OperationAnswer {
  status: number;
  body?: unknown;
}

/** What the operations act on. */
export interface ApiGatewayControl {
  resources: ApiGatewayResources;
  /** Empties the cache of a deployed stage; false when there is no such API stage. */
  flush(apiId: string, stage: string): boolean;
}

export type Operation = (control: ApiGatewayControl, request: OperationRequest) => OperationAnswer;

/** A string field of the body, or undefined when absent (null too, as JSON clients send it). */
export function stringField(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badRequest(MESSAGES.invalidField(field, "a string"));
  return value;
}

/** A boolean field of the body, or undefined when absent. */
export function booleanField(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw badRequest(MESSAGES.invalidField(field, "a boolean"));
  return value;
}

/** A map of strings (tags), or undefined when absent. */
export function tagsField(body: Record<string, unknown>, field: string): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) throw badRequest(MESSAGES.invalidTags);
  return value as Record<string, string>;
}

/** A query flag: AWS reads `true` (any case) as true, anything else as false. */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === "true";
}

/** AWS's REST-JSON dates: seconds since the epoch. */
export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
