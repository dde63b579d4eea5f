/**
 * Matches request paths against an API's resource tree as API Gateway does: literal segments
 * win over `{param}`, which wins over a greedy `{proxy+}` (which must match at least one
 * segment); a resource that lacks the request's method does not match, so the search goes on
 * to a parameter or greedy sibling that has it (as LocalStack's AWS-validated router matches
 * on path and method together: a POST to a literal `/pets` with only GET reaches a sibling
 * `/{proxy+}` with ANY). Path parameters are passed raw, not URL-decoded, and a greedy
 * parameter keeps repeated slashes (recorded: LocalStack test_apigateway_lambda.py::
 * test_lambda_aws_proxy_integration, 2024-08-02: `proxy-value//double-slash`,
 * `test%2Balias@gmail.com`).
 */
export interface RouteMatch {
  /** The resource path, e.g. `/users/{id}`. */
  resourcePath: string;
  /** Path parameters, raw (as they appear in the request path). */
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

  /**
   * The resource a request path (without the stage) addresses, or undefined.
   *
   * @param requestPath - The path after the stage, raw; a trailing slash is ignored.
   * @param hasMethod - Whether a resource path has a method for this request (its own or ANY).
   *   @default every resource matches
   */
  match(requestPath: string, hasMethod: (resourcePath: string) => boolean = () => true): RouteMatch | undefined {
    const trimmed = requestPath.replace(/^\/+/, "").replace(/\/+$/, "");
    // Inner empty segments are kept: only a greedy parameter takes `a//b`.
    const segments = trimmed === "" ? [] : trimmed.split("/");
    // Literal resources match the decoded segment; a malformed escape (`%zz`) matches nothing.
    const decoded: string[] = [];
    for (const segment of segments) {
      const value = decodedOrUndefined(segment);
      if (value === undefined) return undefined;
      decoded.push(value);
    }
    return this.walk(this.root, segments, decoded, 0, {}, hasMethod);
  }

  /**
   * @param segments - The raw segments (path parameter values).
   * @param decoded - The same, URL-decoded (literal matching).
   */
  private walk(node: Node, segments: string[], decoded: string[], index: number, params: Record<string, string>, hasMethod: (resourcePath: string) => boolean): RouteMatch | undefined {
    if (index === segments.length) return node.path && hasMethod(node.path) ? { resourcePath: node.path, pathParameters: params } : undefined;
    const segment = segments[index];
    const literal = node.literal.get(decoded[index]);
    if (literal) {
      const found = this.walk(literal, segments, decoded, index + 1, params, hasMethod);
      if (found) return found;
    }
    if (node.param && segment !== "") {
      const found = this.walk(node.param.node, segments, decoded, index + 1, { ...params, [node.param.name]: segment }, hasMethod);
      if (found) return found;
    }
    if (node.greedy && hasMethod(node.greedy.path)) {
      return { resourcePath: node.greedy.path, pathParameters: { ...params, [node.greedy.name]: segments.slice(index).join("/") } };
    }
    return undefined;
  }
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/** A segment URL-decoded; undefined when its escapes are malformed. */
function decodedOrUndefined(segment: string): string | undefined {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
