/**
 * What a reload changed, told the way `pulumi preview` tells it: one line per resource
 * created (`+`), updated (`~`, naming the properties) or deleted (`-`), resources keyed by
 * type and logical name as Pulumi keys them by URN.
 */
import { createHash } from "node:crypto";
import type { ProviderProperties, RecordedResource, ResourceGraph } from "../controlPlane";

/** A resource's identity and a digest per input property, enough to diff two deployments. */
export interface ResourceDigest {
  type: string;
  name: string;
  /** Property name to a hash of its value. */
  properties: Record<string, string>;
}

/** One line of the change summary. */
export interface ResourceChange {
  op: "create" | "update" | "delete";
  type: string;
  name: string;
  /** For an update: the properties that changed, sorted. */
  properties: string[];
}

/**
 * Digests every resource of a program run.
 *
 * @param graph - The run's resources.
 * @param codeOf - A function's archive fingerprint by the resource (its `code` input holds
 *   assets whose contents the recorded inputs do not show). @default none
 */
export function digestGraph(graph: ResourceGraph, codeOf: (resource: RecordedResource) => string | undefined = () => undefined): Map<string, ResourceDigest> {
  const digests = new Map<string, ResourceDigest>();
  for (const resource of graph.resources) {
    const properties = digestProperties(resource.inputs);
    const code = codeOf(resource);
    if (code !== undefined) properties.code = code;
    digests.set(`${resource.type}::${resource.name}`, { type: resource.type, name: resource.name, properties });
  }
  return digests;
}

/**
 * The changes from one deployment to the next, in the order of the new deployment's
 * resources (creates and updates) followed by deletes.
 *
 * @param before - The deployment being replaced.
 * @param after - The new one.
 */
export function diffDeployments(before: ReadonlyMap<string, ResourceDigest>, after: ReadonlyMap<string, ResourceDigest>): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const [key, next] of after) {
    const previous = before.get(key);
    if (!previous) {
      changes.push({ op: "create", type: next.type, name: next.name, properties: [] });
      continue;
    }
    const names = new Set([...Object.keys(previous.properties), ...Object.keys(next.properties)]);
    const changed = [...names].filter((p) => previous.properties[p] !== next.properties[p]).sort();
    if (changed.length > 0) changes.push({ op: "update", type: next.type, name: next.name, properties: changed });
  }
  for (const [key, previous] of before) {
    if (!after.has(key)) changes.push({ op: "delete", type: previous.type, name: previous.name, properties: [] });
  }
  return changes;
}

/**
 * A change as a line of `pulumi preview`'s shape: `+ <type> <name> created`,
 * `~ <type> <name>: <properties> changed`, `- <type> <name> deleted`.
 *
 * @param change - One change.
 */
export function formatChange(change: ResourceChange): string {
  switch (change.op) {
    case "create":
      return `+ ${change.type} ${change.name} created`;
    case "delete":
      return `- ${change.type} ${change.name} deleted`;
    case "update":
      return `~ ${change.type} ${change.name}: ${change.properties.join(", ")} changed`;
  }
}

function digestProperties(inputs: ProviderProperties): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(inputs)) properties[key] = digestValue(value);
  return properties;
}

/**
 * A hash of a provider value: equal for equal values, whatever the order of their keys.
 *
 * @param value - Inputs or attributes, as the control plane records them.
 */
export function digestValue(value: unknown): string {
  return createHash("sha256").update(stableJson(value)).digest("base64url");
}

/** JSON with sorted keys; promises and functions (asset internals) left out. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "function" || v instanceof Promise) return undefined;
    if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  }) ?? "undefined";
}
