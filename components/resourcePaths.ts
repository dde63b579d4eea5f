/**
 * Resource paths as API Gateway spells them (`/users/{id}`, `/files/{proxy+}`): their checks,
 * and the forms they take in resource names and execute-api ARNs. Shared by RestApi and HttpApi.
 */

/** A literal segment, a `{parameter}`, or a greedy `{parameter+}`. */
const SEGMENT = /^([A-Za-z0-9._~:@!$&'()*+,;=-]+|\{[A-Za-z_][A-Za-z0-9_]*\}|\{[A-Za-z_][A-Za-z0-9_]*\+\})$/;

/**
 * Checks a path's segments and returns its parameters' names. `where` starts each message
 * (`routes[2] (GET /users/{id})`). The path must already start with "/".
 */
export function pathParameters(path: string, where: string): string[] {
  const segments = path === "/" ? [] : path.slice(1).split("/");
  const params: string[] = [];
  segments.forEach((segment, i) => {
    if (!SEGMENT.test(segment)) {
      throw new Error(`${where}: path segment "${segment}" must be a literal or a {parameter}`);
    }
    if (segment.endsWith("+}") && i !== segments.length - 1) {
      throw new Error(`${where}: the greedy parameter ${segment} must be the last path segment`);
    }
    if (segment.startsWith("{")) {
      const param = segment.replace(/[{}+]/g, "");
      if (params.includes(param)) throw new Error(`${where}: path parameter {${param}} appears twice`);
      params.push(param);
    }
  });
  return params;
}

/** `/users/{id}` -> `users-id`; `/` -> `root`. Used in child resource names. */
export function pathSlug(path: string): string {
  return path === "/" ? "root" : path.slice(1).replace(/[{}+]/g, "").replace(/[^A-Za-z0-9]+/g, "-");
}

/** `/users/{id}` -> `/users/*`, the path as it appears in execute-api ARNs. */
export function arnPath(path: string): string {
  return path === "/" ? "/" : path.replace(/\{[^}]+\}/g, "*");
}
