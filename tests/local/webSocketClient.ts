/** Test clients for the WebSocket gateways: a `ws` client that keeps what it receives. */
import { WebSocket } from "ws";
import type { JsonDocument } from "../jsonDocument";

/** A `ws` client that keeps every message (parsed when JSON) and its close. */
export class Client {
  readonly messages: JsonDocument[] = [];
  closed?: { code: number; reason: string };
  private waiters: Array<() => void> = [];
  private read = 0;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      let value: unknown = text;
      try {
        value = JSON.parse(text);
      } catch {
        /* keep the text */
      }
      this.messages.push(value);
      this.waiters.splice(0).forEach((w) => w());
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.waiters.splice(0).forEach((w) => w());
    });
    ws.on("error", () => undefined);
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<Client> {
    const ws = new WebSocket(url, { headers });
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      ws.once("error", reject);
    });
    return client;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === "string" ? value : JSON.stringify(value));
  }

  /**
   * Waits until `predicate` holds over the messages (or the close), at most `ms`: the wait may
   * cover Lambda cold starts and SDK retries on a loaded machine, and costs nothing when the
   * message comes sooner.
   */
  async until<T>(predicate: () => T | undefined, what: string, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = predicate();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** The next message not read yet, in arrival order. */
  async next(what = "a message"): Promise<JsonDocument> {
    const index = this.read++;
    return (await this.until(() => (this.messages.length > index ? { m: this.messages[index] } : undefined), what)).m;
  }

  /** Messages not read yet. */
  get unread(): JsonDocument[] {
    return this.messages.slice(this.read);
  }
}

/** The status an upgrade is refused with (fails if the upgrade is accepted). */
export function refusal(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      ws.terminate();
      reject(new Error(`the upgrade of ${url} was accepted`));
    });
    ws.on("error", reject);
  });
}
