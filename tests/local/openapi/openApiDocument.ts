/**
 * Structural checks of an OpenAPI 3.0 document: the fields the specification requires, every
 * `$ref` resolving, path parameters required, security naming declared schemes. No
 * OpenAPI validator package is installed; these are the checks the export must pass.
 */
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** The problems found, as `<json path>: <problem>`; none for a valid document. */
export function openApiProblems(document: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const doc = document as {
    openapi?: unknown;
    info?: { title?: unknown; version?: unknown };
    servers?: Array<{ url?: unknown; variables?: Record<string, { default?: unknown }> }>;
    paths?: Record<string, Record<string, Record<string, unknown>>>;
    components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, { type?: unknown; name?: unknown; in?: unknown }> };
  };
  if (typeof doc.openapi !== "string" || !/^3\.0\.\d+$/.test(doc.openapi)) problems.push(`openapi: not 3.0.x (${String(doc.openapi)})`);
  if (typeof doc.info?.title !== "string") problems.push("info.title: missing");
  if (typeof doc.info?.version !== "string") problems.push("info.version: missing");
  for (const [i, server] of (doc.servers ?? []).entries()) {
    if (typeof server.url !== "string") problems.push(`servers[${i}].url: missing`);
    for (const variable of String(server.url).match(/\{([^}]+)\}/g) ?? []) {
      if (typeof server.variables?.[variable.slice(1, -1)]?.default !== "string") problems.push(`servers[${i}]: variable ${variable} has no default`);
    }
  }
  if (typeof doc.paths !== "object" || doc.paths === null) problems.push("paths: missing");
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith("/")) problems.push(`paths.${path}: does not start with /`);
    for (const [method, operation] of Object.entries(item)) {
      const at = `paths.${path}.${method}`;
      if (!METHODS.has(method) && !method.startsWith("x-")) problems.push(`${at}: not an HTTP method`);
      const responses = operation.responses as Record<string, { description?: unknown }> | undefined;
      if (typeof responses !== "object" || Object.keys(responses).length === 0) problems.push(`${at}.responses: none`);
      for (const [code, response] of Object.entries(responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) problems.push(`${at}.responses.${code}: not a status code`);
        if (typeof response.description !== "string") problems.push(`${at}.responses.${code}.description: missing`);
      }
      const parameters = (operation.parameters ?? []) as Array<{ name?: unknown; in?: unknown; required?: unknown; schema?: unknown }>;
      for (const parameter of parameters) {
        if (typeof parameter.name !== "string" || !["path", "query", "header", "cookie"].includes(String(parameter.in))) problems.push(`${at}.parameters: bad ${JSON.stringify(parameter)}`);
        if (parameter.in === "path" && parameter.required !== true) problems.push(`${at}.parameters.${String(parameter.name)}: a path parameter must be required`);
        if (parameter.schema === undefined) problems.push(`${at}.parameters.${String(parameter.name)}: no schema`);
      }
      for (const security of (operation.security ?? []) as Array<Record<string, unknown>>) {
        for (const name of Object.keys(security)) if (!doc.components?.securitySchemes?.[name]) problems.push(`${at}.security: no scheme ${name}`);
      }
    }
  }
  for (const [name, scheme] of Object.entries(doc.components?.securitySchemes ?? {})) {
    if (scheme.type === "apiKey" && (typeof scheme.name !== "string" || !["header", "query", "cookie"].includes(String(scheme.in)))) problems.push(`components.securitySchemes.${name}: bad apiKey scheme`);
  }
  for (const ref of refsIn(document)) {
    const target = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
    if (target === undefined || !doc.components?.schemas?.[target]) problems.push(`$ref ${ref}: does not resolve`);
  }
  return problems;
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === "$ref" && typeof inner === "string" ? [inner] : refsIn(inner)));
}
