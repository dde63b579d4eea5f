/**
 * Matches request paths against an API's resource tree as API Gateway does: literal segments
 * win over `{param}`, which wins over a greedy `{proxy+}` (which must match at least one
 * segment).
 */
export interface RouteMatch {
  /** The resource path, e.g. `/users/{id}`. */
  resourcePath: string;
  /** Path parameters, URL-decoded. */
  pathParameters: Record<string, string>;
}

interface Node {
  literal: Map<string, Node>;
  param?: { name: string; node: Node };
  greedy?: { name: string; path: string };
  /** Set when a resource ends here. */
  path?: string;
}

export class ResourceRouter {
  private readonly root: Node = { literal: new Map() };

  constructor(resourcePaths: string[]) {
    for (const path of resourcePaths) this.add(path);
  }

  private add(path: string): void {
    let node = this.root;
    const segments = splitPath(path);
    if (segments.length === 0) node.path = "/";
    for (const [i, segment] of segments.entries()) {
      const greedy = /^\{(.+)\+\}$/.exec(segment);
      if (greedy) {
        node.greedy = { name: greedy[1], path };
        return;
      }
      const param = /^\{(.+)\}$/.exec(segment);
      let next: Node;
      if (param) {
        node.param ??= { name: param[1], node: { literal: new Map() } };
        next = node.param.node;
      } else {
        next = node.literal.get(segment) ?? { literal: new Map() };
        node.literal.set(segment, next);
      }
      node = next;
      if (i === segments.length - 1) node.path = path;
    }
  }

  /** The resource a request path (without the stage) addresses, or undefined. */
  match(requestPath: string): RouteMatch | undefined {
    const segments = splitPath(requestPath);
    let decoded: string[];
    try {
      decoded = segments.map((s) => decodeURIComponent(s));
    } catch {
      return undefined;
    }
    return this.walk(this.root, decoded, 0, {});
  }

  private walk(node: Node, segments: string[], index: number, params: Record<string, string>): RouteMatch | undefined {
    if (index === segments.length) return node.path ? { resourcePath: node.path, pathParameters: params } : undefined;
    const segment = segments[index];
    const literal = node.literal.get(segment);
    if (literal) {
      const found = this.walk(literal, segments, index + 1, params);
      if (found) return found;
    }
    if (node.param) {
      const found = this.walk(node.param.node, segments, index + 1, { ...params, [node.param.name]: segment });
      if (found) return found;
    }
    if (node.greedy) {
      return { resourcePath: node.greedy.path, pathParameters: { ...params, [node.greedy.name]: segments.slice(index).join("/") } };
    }
    return undefined;
  }
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}
