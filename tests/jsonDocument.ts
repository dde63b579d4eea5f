/**
 * A JSON document a test reads by the shape it expects (a Lambda event a fake function received,
 * a response body, a WebSocket message, a metrics report): the test's assertions check that
 * shape, so no TypeScript type restates it, and reading it needs no casts.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test data read by the shape its assertions check (see above)
export type JsonDocument = any;
