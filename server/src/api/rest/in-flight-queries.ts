/**
 * Cube's "Continue wait" protocol: a query that outlives the wait time keeps running while the
 * client is told `{"error": "Continue wait"}`; the client repeats the same request and picks up
 * the result. Queries are keyed by endpoint + query + security context, so only the same caller
 * asking the same thing shares a run. A finished result waits for its pick-up for `keepMs`.
 */

/** Either the value, or "still running" when the wait time passed first. */
export type WaitOutcome<T> = { readonly done: true; readonly value: T } | { readonly done: false };

interface Entry<T> {
  readonly promise: Promise<T>;
  settled: boolean;
  timer?: NodeJS.Timeout;
}

/** Options of the registry: how long a finished result waits for its client. */
export interface InFlightOptions {
  readonly keepMs?: number;
}

export class InFlightQueries {
  private readonly entries = new Map<string, Entry<unknown>>();
  private readonly keepMs: number;

  constructor(options: InFlightOptions = {}) {
    this.keepMs = options.keepMs ?? 60_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Joins the run under `key` or starts one with `start`, then waits at most `waitMs`.
   * The returned promise rejects with the query's error if it failed within the wait.
   */
  async run<T>(key: string, start: () => Promise<T>, waitMs: number): Promise<WaitOutcome<T>> {
    const entry = (this.entries.get(key) as Entry<T> | undefined) ?? this.startEntry(key, start);
    try {
      const outcome = await raceWithTimeout(entry.promise, waitMs);
      if (outcome.done || entry.settled) this.forget(key, entry);
      return outcome;
    } catch (error) {
      // The failure reached this caller: a retry starts afresh.
      this.forget(key, entry);
      throw error;
    }
  }

  /** Drops every entry (server shutdown); running queries finish but nobody collects them. */
  clear(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  private startEntry<T>(key: string, start: () => Promise<T>): Entry<T> {
    const entry: Entry<T> = { promise: Promise.resolve().then(start), settled: false };
    this.entries.set(key, entry as Entry<unknown>);
    const onSettled = (): void => {
      entry.settled = true;
      // Nobody came back for it: free the memory after the pick-up window.
      entry.timer = setTimeout(() => this.forget(key, entry as Entry<unknown>), this.keepMs);
      entry.timer.unref();
    };
    entry.promise.then(onSettled, onSettled);
    return entry;
  }

  private forget(key: string, entry: Entry<unknown>): void {
    if (this.entries.get(key) !== entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(key);
  }
}

async function raceWithTimeout<T>(promise: Promise<T>, waitMs: number): Promise<WaitOutcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<WaitOutcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), waitMs);
  });
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
