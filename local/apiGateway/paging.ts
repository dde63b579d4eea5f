/**
 * The `limit` / `position` paging of API Gateway's GET collections: at most `limit` items
 * (default 25, at most 500: API_GetApiKeys.html, API_GetUsage.html), and a `position` to pass
 * for the next page while there is one.
 */
import { badRequest, MESSAGES } from "./apiGatewayErrors";

/** API Gateway's page size bounds. */
export const PAGE_SIZE = { default: 25, max: 500 };

/** One page of a collection. */
export interface Page<T> {
  items: T[];
  /** For the next page; none on the last. */
  position?: string;
}

/**
 * The page of `items` the query's `limit` and `position` ask for. A `limit` outside 1-500 is
 * ignored (AWS answers `limit=-1` with a page: test_apigateway_extended.snapshot.json,
 * test_negative_get_usage_plan_api_keys).
 *
 * @throws ApiGatewayError BadRequestException for a position no page gave
 */
export function pageOf<T>(items: T[], query: URLSearchParams): Page<T> {
  const start = offsetOf(query.get("position"), items.length);
  const end = start + limitOf(query.get("limit"));
  return { items: items.slice(start, end), ...(end < items.length ? { position: positionOf(end) } : {}) };
}

/** A page as AWS's JSON: the items under `item` (the API model's jsonName for `items`), and `position` while more follow. */
export function pageJson<T>(page: Page<T>, render: (item: T) => unknown): Record<string, unknown> {
  return { item: page.items.map(render), ...(page.position === undefined ? {} : { position: page.position }) };
}

function limitOf(raw: string | null): number {
  const limit = raw === null ? NaN : Number(raw);
  return Number.isInteger(limit) && limit >= 1 && limit <= PAGE_SIZE.max ? limit : PAGE_SIZE.default;
}

/** A position is opaque to clients; locally, the offset of the page's first item. */
function positionOf(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function offsetOf(position: string | null, length: number): number {
  if (position === null || position === "") return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(position, "base64url").toString("utf8"));
  const offset = match ? Number(match[1]) : NaN;
  // A page may shrink between two calls; an offset past the end reads an empty page.
  if (!Number.isSafeInteger(offset)) throw badRequest(MESSAGES.invalidPosition(position));
  return Math.min(offset, length);
}
