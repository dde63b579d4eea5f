/**
 * How `npm run customers` prints the customers API's answers: the JSON itself (`--json`), or
 * a few lines and a table per command. Never prints a key's value but where the API answered
 * one (add, rotate), and says there that it is shown once.
 */
import type { CustomersCommand } from "./customers";

/** What the CLI adds to add, enable, disable, tier and rotate (on stderr). */
export const PROPAGATION_NOTE =
  "Note: on AWS a new or changed key takes effect after a short propagation delay, and usage data lags behind the requests; the local cloud applies both at once.";

/** A customer as the API lists it. */
interface ListedCustomer {
  id: string;
  tier: string | null;
  enabled: boolean;
  keyId: string;
  managedBy: string;
  otherKeys?: Array<{ keyId: string }>;
}

/** The API's usage report. */
interface UsageReport {
  id: string;
  tier: string;
  keyId: string;
  quota: { limit: number; period: string } | null;
  startDate: string;
  endDate: string;
  used: number;
  remaining: number | null;
  days: Array<{ date: string; used: number; remaining: number | null }>;
}

/** A key answered once (add, rotate). */
interface NewKeyAnswer {
  id: string;
  tier: string;
  keyId: string;
  apiKey: string;
  retiredKeyIds?: string[];
  warning?: string;
}

/**
 * The text to print for a command's answer, and, when the API answered 2xx but said part of
 * the change did not happen (a rotation whose old key is left), what failed (exit 1).
 *
 * @param command - The command run.
 * @param answer - The API's status and body.
 * @param json - Print the JSON as it came.
 */
export function formatAnswer(command: CustomersCommand, answer: { status: number; body: unknown }, json: boolean): { text: string; failed?: string } {
  const body = answer.body as Record<string, unknown>;
  const failed = typeof body.warning === "string" ? body.warning : undefined;
  if (json) return { text: `${JSON.stringify(answer.body, null, 2)}\n`, failed };
  return { text: TEXT_OF[command](body), failed };
}

const TEXT_OF: Record<CustomersCommand, (body: Record<string, unknown>) => string> = {
  add: (body) => newKeyText(body as unknown as NewKeyAnswer, `Customer ${body.id} onboarded in tier ${body.tier}`),
  list: (body) => customersTable((body.customers ?? []) as ListedCustomer[]),
  usage: (body) => usageText(body as unknown as UsageReport),
  tier: (body) => (body.changed ? `Customer ${body.id} moved from tier ${body.previousTier ?? "(none)"} to ${body.tier}.\n` : `Customer ${body.id} is in tier ${body.tier} already.\n`),
  rotate: (body) => newKeyText(body as unknown as NewKeyAnswer, `New key for customer ${body.id} (tier ${body.tier}); retired: ${((body.retiredKeyIds ?? []) as string[]).join(", ") || "none"}`),
  disable: (body) => `Customer ${body.id} disabled (keys ${(body.keyIds as string[]).join(", ")}).\n`,
  enable: (body) => `Customer ${body.id} enabled (keys ${(body.keyIds as string[]).join(", ")}).\n`,
  remove: (body) => `Customer ${body.id} removed (keys ${(body.keyIds as string[]).join(", ")} deleted).\n`,
};

function newKeyText(answer: NewKeyAnswer, headline: string): string {
  return `${headline}.\nKey id: ${answer.keyId}\nAPI key (shown this once; store it now): ${answer.apiKey}\n`;
}

function customersTable(customers: ListedCustomer[]): string {
  if (customers.length === 0) return "No customers.\n";
  const rows = customers.map((c) => [c.id, c.tier ?? "(no plan)", c.enabled ? "yes" : "no", c.managedBy, c.keyId + (c.otherKeys?.length ? ` (+${c.otherKeys.length} left over)` : "")]);
  return table(["CUSTOMER", "TIER", "ENABLED", "MANAGED BY", "KEY ID"], rows);
}

function usageText(report: UsageReport): string {
  const quota = report.quota ? `quota ${report.quota.limit} a ${report.quota.period}` : "no quota";
  const remaining = report.remaining === null ? "" : `, remaining ${report.remaining}`;
  const headline = `Customer ${report.id}, tier ${report.tier} (${quota}), key ${report.keyId}: ${report.startDate} to ${report.endDate}, used ${report.used}${remaining}\n`;
  return headline + table(["DATE", "USED", "REMAINING"], report.days.map((d) => [d.date, String(d.used), d.remaining === null ? "-" : String(d.remaining)]));
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ");
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}
