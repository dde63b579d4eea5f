/**
 * Custom domain names and their base path mappings: what API Gateway (CreateDomainName,
 * CreateBasePathMapping) and the DNS accept, written once for the component and the local
 * cloud's routing by Host.
 */
import { shown } from "./shownValue";

/** One DNS label: 1-63 lowercase letters, digits or hyphens, not starting or ending with one. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** A DNS name is at most 253 characters written without the final dot (RFC 1035's 255 octets). */
const MAX_DOMAIN_NAME_LENGTH = 253;

/**
 * One base path segment: letters, digits and `$-_.+!*'()` (the URL characters that need no
 * escaping, RFC 1738), the set the API Gateway console allows in a mapping's path.
 */
const BASE_PATH_SEGMENT = /^[A-Za-z0-9$\-_.+!*'()]+$/;

/**
 * Why a value is not a custom domain name, naming it `at`; undefined when it is one: a
 * lowercase DNS name of at least two labels (`api.example.com`), at most 253 characters, no
 * IP address, no wildcard and no final dot.
 *
 * @param value - The value read.
 * @param at - The argument path, e.g. `domainName`.
 */
export function customDomainNameProblem(value: unknown, at: string): string | undefined {
  const rule = `a lowercase DNS name like "api.example.com" (labels of a-z, 0-9 and inner '-', at most ${MAX_DOMAIN_NAME_LENGTH} characters)`;
  if (typeof value !== "string" || value === "") return `${at} must be ${rule} (got ${shown(value)})`;
  if (value.length > MAX_DOMAIN_NAME_LENGTH) return `${at} must be at most ${MAX_DOMAIN_NAME_LENGTH} characters (got ${value.length})`;
  if (IPV4.test(value) || value.includes(":")) return `${at} must be a DNS name, not an IP address (got ${shown(value)})`;
  if (value !== value.toLowerCase()) return `${at} must be lowercase (got ${shown(value)}): DNS names are case-insensitive, and API Gateway and ACM keep them in lowercase`;
  const labels = value.split(".");
  if (labels.length < 2) return `${at} must have a parent domain to hold its records, like "api.example.com" (got ${shown(value)})`;
  const bad = labels.find((label) => !DNS_LABEL.test(label));
  if (bad !== undefined) return `${at} must be ${rule}: label ${shown(bad)} is not (got ${shown(value)})`;
  // RFC 3696: a top-level domain is never all digits, which keeps names apart from addresses.
  if (/^\d+$/.test(labels[labels.length - 1])) return `${at} must be a DNS name, not an IP address (got ${shown(value)})`;
  return undefined;
}

/**
 * A base path as API Gateway stores it: the root mapping's is `""` (given as `""`, `"/"` or
 * left out), any other is one segment without slashes (`"/v1"` and `"v1"` are both `"v1"`).
 *
 * @param basePath - The base path given. @default the root
 */
export function normalizedBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === "/") return "";
  return basePath.startsWith("/") ? basePath.slice(1) : basePath;
}

/**
 * Why a value is not a base path of a custom domain name's mapping, naming it `at`; undefined
 * when it is one: the root (`""`, `"/"` or undefined), or one path segment of letters, digits
 * and `$-_.+!*'()`, with or without a leading `/` (`"v1"`, `"/v1"`).
 *
 * @param value - The value read.
 * @param at - The argument path, e.g. `mappings[1].basePath`.
 */
export function basePathProblem(value: unknown, at: string): string | undefined {
  if (value === undefined) return undefined;
  const rule = `"" or "/" for the root, or one path segment of letters, digits and $-_.+!*'() like "v1" or "/v1"`;
  if (typeof value !== "string") return `${at} must be ${rule} (got ${shown(value)})`;
  const path = normalizedBasePath(value);
  if (path === "") return undefined;
  if (path === "(none)") return `${at}: "(none)" is how the AWS API spells the root mapping; give "" or "/" instead`;
  if (path.includes("/")) return `${at} must be ${rule}: multi-level paths are not base paths (got ${shown(value)})`;
  if (path === "." || path === ".." || !BASE_PATH_SEGMENT.test(path)) return `${at} must be ${rule} (got ${shown(value)})`;
  return undefined;
}
