/**
 * The custom domains a program declares and their base path mappings, read from the recorded
 * resources (REST APIs' `aws.apigateway.DomainName` + `BasePathMapping`, HTTP and WebSocket
 * APIs' `aws.apigatewayv2.DomainName` + `ApiMapping`), for the local cloud to route requests
 * by Host (apiAddressing.ts) and to give the domain outputs as local URLs.
 */
import type { ResourceGraph } from "../controlPlane";
import type { DomainMapping } from "./apiAddressing";

const T = {
  domainName: "aws:apigateway/domainName:DomainName",
  basePathMapping: "aws:apigateway/basePathMapping:BasePathMapping",
  domainNameV2: "aws:apigatewayv2/domainName:DomainName",
  apiMapping: "aws:apigatewayv2/apiMapping:ApiMapping",
} as const;

/**
 * Every declared custom domain (lower case) with its mappings; a domain with no mapping yet is
 * listed with none (its requests are answered 403 Forbidden, as AWS answers them).
 *
 * @param graph - The program run's resources.
 */
export function customDomainRoutes(graph: Pick<ResourceGraph, "ofType">): Map<string, DomainMapping[]> {
  const domains = new Map<string, DomainMapping[]>();
  const mappingsOf = (name: unknown) => {
    const key = String(name ?? "").toLowerCase();
    let list = domains.get(key);
    if (!list) domains.set(key, (list = []));
    return list;
  };
  for (const domain of [...graph.ofType(T.domainName), ...graph.ofType(T.domainNameV2)]) mappingsOf(domain.inputs.domainName);
  for (const mapping of graph.ofType(T.basePathMapping)) {
    mappingsOf(mapping.inputs.domainName).push({
      basePath: trimSlashes(mapping.inputs.basePath),
      apiId: String(mapping.inputs.restApi),
      ...(mapping.inputs.stageName ? { stageName: String(mapping.inputs.stageName) } : {}),
    });
  }
  for (const mapping of graph.ofType(T.apiMapping)) {
    mappingsOf(mapping.inputs.domainName).push({ basePath: trimSlashes(mapping.inputs.apiMappingKey), apiId: String(mapping.inputs.apiId), stageName: String(mapping.inputs.stage) });
  }
  domains.delete("");
  return domains;
}

/** A base path as routing compares it: no leading or trailing slash; AWS's `(none)` is the root. */
function trimSlashes(basePath: unknown): string {
  const text = typeof basePath === "string" ? basePath : "";
  return text === "(none)" ? "" : text.replace(/^\/+|\/+$/g, "");
}

/**
 * Stack outputs with every `https://<custom domain>` URL given as the local address that
 * serves it, `http://<domain>.localhost:<port>` (apiAddressing.ts): what a program builds from
 * its domain name points at the local cloud, as its execute-api URLs do. Other values are kept.
 *
 * @param value - An output value (strings, lists and objects are walked).
 * @param domains - The declared domain names, lower case.
 * @param port - The local cloud's port.
 */
export function localDomainUrls(value: unknown, domains: readonly string[], port: number): unknown {
  if (domains.length === 0) return value;
  if (typeof value === "string") {
    let text = value;
    for (const domain of domains) text = text.replace(new RegExp(`https://${escapeRegExp(domain)}(?=[/:?#]|$)`, "gi"), `http://${domain}.localhost:${port}`);
    return text;
  }
  if (Array.isArray(value)) return value.map((v) => localDomainUrls(v, domains, port));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localDomainUrls(v, domains, port)]));
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
