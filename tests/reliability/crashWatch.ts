/**
 * Nothing in the local cloud's process handles an uncaught exception or an unhandled
 * rejection: under `npm start` either ends the process, and every API with it. Under mocha
 * the runner catches them and fails whichever test happens to run. While a fuzz property
 * runs, a CrashWatch takes them instead (mocha's listeners are put back afterwards), so that
 * the property itself fails on the request that caused one, and fast-check can report and
 * shrink that request.
 */
type Event = "uncaughtException" | "unhandledRejection";
const EVENTS: Event[] = ["uncaughtException", "unhandledRejection"];

export class CrashWatch {
  /** What would have ended the process, in order. */
  readonly crashes: Error[] = [];
  private saved?: Map<Event, Array<NodeJS.UncaughtExceptionListener | NodeJS.UnhandledRejectionListener>>;
  private readonly waiters = new Set<(crash: Error) => void>();
  private readonly record = (reason: unknown) => {
    const crash = reason instanceof Error ? reason : new Error(`non-error thrown: ${String(reason)}`);
    this.crashes.push(crash);
    for (const waiter of this.waiters) waiter(crash);
  };

  start(): void {
    if (this.saved) return;
    this.saved = new Map();
    for (const event of EVENTS) {
      this.saved.set(event, event === "uncaughtException" ? process.listeners(event) : process.listeners(event));
      process.removeAllListeners(event);
      process.on(event, this.record);
    }
  }

  stop(): void {
    if (!this.saved) return;
    for (const event of EVENTS) {
      process.removeListener(event, this.record);
      for (const listener of this.saved.get(event) ?? []) process.on(event, listener);
    }
    this.saved = undefined;
  }

  /**
   * Settles as `work` does, or rejects at the next crash: the request that caused one is
   * never answered, and waiting for its timeout would only slow the report down.
   */
  race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = (crash: Error) => reject(new Error(`the process met an uncaught error: ${crash.stack ?? crash.message}`));
      this.waiters.add(waiter);
      work.then(resolve, reject).finally(() => this.waiters.delete(waiter));
    });
  }

  /** Crashes since `mark` (a previous `crashes.length`), as text for an assertion message. */
  since(mark: number): string[] {
    return this.crashes.slice(mark).map((e) => e.stack ?? e.message);
  }
}
