/**
 * Matches requests against an HTTP API's route keys as API Gateway does ("Routing API
 * requests" in the HTTP API guide): literal segments win over `{param}`, which wins over a
 * greedy `{proxy+}` (which must match at least one segment); on the path chosen, a route for
 * the request's method wins over `ANY`. A path without a route for the method is skipped, so
 * `GET /users/me` falls through to `GET /users/{id}` when only `POST /users/me` exists.
 * `$default` is the caller's fallback, not matched here.
 */
export interface RouteKeyMatch {
  routeKey: string;
  /** Path parameters, URL-decoded; a greedy parameter holds the rest of the path. */
  pathParameters: Record<string, string>;
}

interface Node {
  literal: Map<string, Node>;
  param?: { name: string; node: Node };
  greedy?: { name: string; methods: Map<string, string> };
  /** Route keys ending here, by method (`ANY` included). */
  methods: Map<string, string>;
}

export class RouteMatcher {
  private readonly root: Node = newNode();

  /** @param routeKeys `METHOD /path` keys; `$default` is ignored. */
  constructor(routeKeys: Iterable<string>) {
    for (const key of routeKeys) {
      if (key === "$default") continue;
      const space = key.indexOf(" ");
      this.add(key.slice(0, space), key.slice(space + 1), key);
    }
  }

  private add(method: string, path: string, routeKey: string): void {
    let node = this.root;
    for (const segment of splitPath(path)) {
      const greedy = /^\{(.+)\+\}$/.exec(segment);
      if (greedy) {
        node.greedy ??= { name: greedy[1], methods: new Map() };
        node.greedy.methods.set(method, routeKey);
        return;
      }
      const param = /^\{(.+)\}$/.exec(segment);
      if (param) {
        node.param ??= { name: param[1], node: newNode() };
        node = node.param.node;
      } else {
        if (!node.literal.has(segment)) node.literal.set(segment, newNode());
        node = node.literal.get(segment)!;
      }
    }
    node.methods.set(method, routeKey);
  }

  /** The route a request (path without the stage) addresses, or undefined. */
  match(method: string, requestPath: string): RouteKeyMatch | undefined {
    let segments: string[];
    try {
      segments = splitPath(requestPath).map((s) => decodeURIComponent(s));
    } catch {
      return undefined;
    }
    return this.walk(this.root, method.toUpperCase(), segments, 0, {});
  }

  private walk(node: Node, method: string, segments: string[], index: number, params: Record<string, string>): RouteKeyMatch | undefined {
    if (index === segments.length) {
      const routeKey = node.methods.get(method) ?? node.methods.get("ANY");
      return routeKey ? { routeKey, pathParameters: params } : undefined;
    }
    const literal = node.literal.get(segments[index]);
    if (literal) {
      const found = this.walk(literal, method, segments, index + 1, params);
      if (found) return found;
    }
    if (node.param) {
      const found = this.walk(node.param.node, method, segments, index + 1, { ...params, [node.param.name]: segments[index] });
      if (found) return found;
    }
    if (node.greedy) {
      const routeKey = node.greedy.methods.get(method) ?? node.greedy.methods.get("ANY");
      if (routeKey) return { routeKey, pathParameters: { ...params, [node.greedy.name]: segments.slice(index).join("/") } };
    }
    return undefined;
  }
}

function newNode(): Node {
  return { literal: new Map(), methods: new Map() };
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}
