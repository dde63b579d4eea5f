/**
 * GET /health on an HTTP API, which has no MOCK integrations: a function that answers
 * `{"status":"ok"}` (the REST flavour answers it from a MOCK integration instead).
 */
export function createHealthHandler() {
  return async (): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => ({
    statusCode: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ status: "ok" }),
  });
}
