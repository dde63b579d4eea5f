/**
 * Which API stage a request on the local cloud's port is for. Every REST, HTTP and WebSocket
 * API stage of the program is served on the one port, addressed three ways:
 *
 * - **Path form**, what the stack outputs give (it needs no name resolution, so it works for
 *   curl, the SDKs and browsers alike): `http://127.0.0.1:<port>/_aws/execute-api/<apiId>/<stage>/<path>`.
 *   LocalStack's alternative URL format has the same predefined base path
 *   (docs.localstack.cloud, API Gateway, "Alternative URL format").
 * - **Host form**, AWS's own shape: `http://<apiId>.execute-api.localhost:<port>/<stage>/<path>`
 *   (curl and browsers resolve `*.localhost` to the loopback address, RFC 6761 §6.3; Node.js's
 *   resolver does not on every system, hence the path form in the outputs). Any Host of the
 *   form `<apiId>.execute-api.<anything>` is taken, so an AWS URL with its Host header sent to
 *   the local port also works.
 * - **Custom domain**: a Host that is a domain name the program declares (with or without the
 *   port), or `<domain>.localhost`, routed by the domain's base path mappings as AWS routes them
 *   (see {@link routeByBasePath}).
 *
 * A program with a single REST or HTTP API (and a single WebSocket API) is also served at the
 * root, `http://127.0.0.1:<port>/<stage>/<path>`, as the local cloud always did.
 */

/** One API stage the local cloud serves. */
export interface AddressedStage {
  apiId: string;
  protocol: "REST" | "HTTP" | "WEBSOCKET";
  stageName: string;
}

/** One base path mapping of a custom domain to an API stage. */
export interface DomainMapping {
  /** The base path without slashes, `""` for the root (AWS's `(none)`); may hold inner slashes (`v1/orders`). */
  basePath: string;
  apiId: string;
  /**
   * The stage; undefined when the mapping names none, and callers put the stage after the base
   * path (`/v1/<stage>/<path>`, AWS::ApiGateway::BasePathMapping `Stage`).
   */
  stageName?: string;
}

/** Where a request goes; `stage` is the address book's own entry. */
export type AddressedRequest<S extends AddressedStage = AddressedStage> =
  | {
      kind: "stage";
      stage: S;
      /** The URL to hand the stage's gateway: `/<stage>/<path>?<query>` (`/<path>` for `$default`). */
      url: string;
      /**
       * Through a custom domain: the path as requested, base path included, which AWS reports as
       * the proxy event's `path` and `$context.path` (GREsau's gist of proxy events through a
       * custom domain; see local/gateway/domainRequests.ts).
       */
      domainPath?: string;
    }
  | { kind: "answer"; status: number; body: Record<string, unknown> }
  /** Not addressed to an API (the local endpoints under `/_local/` take it, or nothing does). */
  | { kind: "none" };

/** What the routing reads: the stages served and the custom domains' mappings. */
export interface AddressBook<S extends AddressedStage = AddressedStage> {
  stages: readonly S[];
  /** Mappings by lower-case domain name. */
  domains: ReadonlyMap<string, readonly DomainMapping[]>;
}

/** The predefined base path of the path form. */
export const PATH_FORM_PREFIX = "/_aws/execute-api/";

const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\./i;

/**
 * Where an HTTP request or WebSocket upgrade goes.
 *
 * @param book - The stages and domains served.
 * @param url - The request target as received (`req.url`).
 * @param host - The Host header. @default none
 * @param protocols - Which kinds of stage may take it: WebSocket upgrades and @connections calls go to WebSocket stages, other requests to REST and HTTP stages.
 */
export function addressRequest<S extends AddressedStage>(book: AddressBook<S>, url: string, host: string | undefined, protocols: "http" | "websocket"): AddressedRequest<S> {
  const { path, query } = splitTarget(url);
  if (path.startsWith(PATH_FORM_PREFIX)) {
    const rest = path.slice(PATH_FORM_PREFIX.length);
    const slash = rest.indexOf("/");
    const apiId = slash === -1 ? rest : rest.slice(0, slash);
    return addressInApi(book, apiId, slash === -1 ? "/" : rest.slice(slash), query, protocols);
  }
  const hostname = hostnameOf(host);
  const apiHost = hostname ? EXECUTE_API_HOST.exec(hostname) : null;
  if (apiHost) return addressInApi(book, apiHost[1], path, query, protocols);
  const mappings = hostname ? domainMappingsOf(book, hostname) : undefined;
  if (mappings) return routeByBasePath(book, mappings, path, query);
  return addressAtRoot(book, path, query, protocols);
}

/** The path and the query string (with its `?`) of a request target. */
function splitTarget(url: string): { path: string; query: string } {
  const q = url.indexOf("?");
  return q === -1 ? { path: url, query: "" } : { path: url.slice(0, q), query: url.slice(q) };
}

/** A Host header's name, lower case, without the port. */
function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "");
  return name.toLowerCase();
}

/** A custom domain's mappings, by its name or `<name>.localhost`. */
function domainMappingsOf(book: AddressBook, hostname: string): readonly DomainMapping[] | undefined {
  return book.domains.get(hostname) ?? (hostname.endsWith(".localhost") ? book.domains.get(hostname.slice(0, -".localhost".length)) : undefined);
}

/**
 * A request for one API (path or Host form): its first path segment names the stage. A REST
 * API's unknown stage goes to one of its stages, whose gateway answers AWS's 403 Missing
 * Authentication Token; an HTTP API's goes to its `$default` stage, or answers 404 Not Found.
 */
function addressInApi<S extends AddressedStage>(book: AddressBook<S>, apiId: string, path: string, query: string, protocols: "http" | "websocket"): AddressedRequest<S> {
  const stages = book.stages.filter((s) => s.apiId === apiId && (protocols === "websocket") === (s.protocol === "WEBSOCKET"));
  if (stages.length === 0) return unknownApi(book, apiId, protocols);
  const segment = firstSegment(path);
  const named = stages.find((s) => s.stageName !== "$default" && s.stageName === segment);
  const stage = named ?? stages.find((s) => s.stageName === "$default") ?? stages[0];
  return { kind: "stage", stage, url: `${path}${query}` };
}

/** The first segment of a path (`/dev/x` -> `dev`), leading slashes ignored. */
function firstSegment(path: string): string {
  const trimmed = path.replace(/^\/+/, "");
  const slash = trimmed.indexOf("/");
  return slash === -1 ? trimmed : trimmed.slice(0, slash);
}

function unknownApi(book: AddressBook, apiId: string, protocols: "http" | "websocket"): AddressedRequest<never> {
  const known = [...new Set(book.stages.filter((s) => (protocols === "websocket") === (s.protocol === "WEBSOCKET")).map((s) => s.apiId))];
  return { kind: "answer", status: 404, body: { message: `No ${protocols === "websocket" ? "WebSocket" : "REST or HTTP"} API with id ${JSON.stringify(apiId)} in this local cloud (APIs: ${known.join(", ") || "none"})` } };
}

/**
 * A request through a custom domain: the longest base path that is a whole-segment prefix of
 * the path takes it, else the root mapping (`(none)`); the stage sees the path after the base
 * path. Nothing mapped answers 403 `{"message":"Forbidden"}`, API Gateway's answer "when it
 * has no place to point an event" (Miserlou/Zappa#1248, 2018-02-25).
 *
 * @param book - For the stages' protocols.
 * @param mappings - The domain's base path mappings.
 * @param path - The path as requested.
 * @param query - The query string, with its `?`, or `""`.
 */
export function routeByBasePath<S extends AddressedStage>(book: AddressBook<S>, mappings: readonly DomainMapping[], path: string, query: string): AddressedRequest<S> {
  const segments = path.replace(/^\/+/, "");
  let best: DomainMapping | undefined;
  for (const mapping of mappings) {
    const base = mapping.basePath;
    const matches = base === "" || segments === base || segments.startsWith(`${base}/`);
    if (matches && (!best || base.length > best.basePath.length)) best = mapping;
  }
  if (!best) return FORBIDDEN;
  const after = best.basePath === "" ? segments : segments.slice(best.basePath.length).replace(/^\//, "");
  if (best.stageName === undefined) {
    const routed = addressInApi(book, best.apiId, `/${after}`, query, "http");
    return routed.kind === "stage" ? { ...routed, domainPath: path } : FORBIDDEN;
  }
  const stage = book.stages.find((s) => s.apiId === best.apiId && s.stageName === best.stageName && s.protocol !== "WEBSOCKET");
  if (!stage) return FORBIDDEN;
  const stagePrefix = stage.stageName === "$default" ? "" : `/${stage.stageName}`;
  return { kind: "stage", stage, url: `${stagePrefix}/${after}${query}`, domainPath: path };
}

const FORBIDDEN: AddressedRequest<never> = { kind: "answer", status: 403, body: { message: "Forbidden" } };

/**
 * A request at the root of the port: served when the program has one API of the kind asked
 * (the address the local cloud gave before it served several), else answered 404 with the
 * addresses to use.
 */
function addressAtRoot<S extends AddressedStage>(book: AddressBook<S>, path: string, query: string, protocols: "http" | "websocket"): AddressedRequest<S> {
  const candidates = book.stages.filter((s) => (protocols === "websocket") === (s.protocol === "WEBSOCKET"));
  const apiIds = new Set(candidates.map((s) => s.apiId));
  if (apiIds.size === 1) return addressInApi(book, candidates[0].apiId, path, query, protocols);
  if (apiIds.size === 0) return { kind: "none" };
  return {
    kind: "answer",
    status: 404,
    body: {
      message: `This local cloud serves ${apiIds.size} APIs: address one as ${PATH_FORM_PREFIX}<apiId>/<stage>/<path>, or with the Host <apiId>.execute-api.localhost`,
      apis: [...apiIds],
    },
  };
}
