/**
 * Cube's "Continue wait" protocol, for every API that answers over HTTP (REST and GraphQL): a
 * request that outlives the wait time keeps running while the client is told "Continue wait"
 * (REST: `200 {"error": "Continue wait"}`; GraphQL: an error with that message); the client
 * repeats the same request and picks up the same run. Identical requests of the same caller
 * (same key: API, query, security context — `continueWaitKey`) arriving meanwhile join the run
 * instead of starting another. A finished run whose client was told to come back waits for its
 * pick-up for `keepMs`. The SQL API has no such answer: it simply waits, its statements joining
 * identical running queries in the data source's queue (query-queue.ts).
 */
import { keptJson, securityKey } from './answer-key.ts';

/** The message Cube answers a request still running after the wait time with. */
export const CONTINUE_WAIT = 'Continue wait';

/**
 * What an API that answers by throwing (GraphQL's resolvers) throws when the wait time passed:
 * the answer is "Continue wait", not a failure.
 */
export class StillRunning extends Error {
  constructor() {
    super(CONTINUE_WAIT);
    this.name = 'StillRunning';
  }
}

/** Either the value, or "still running" when the wait time passed first. */
export type WaitOutcome<T> = { readonly done: true; readonly value: T } | { readonly done: false };

interface Run<T> {
  readonly promise: Promise<T>;
  settled: boolean;
  /** A caller was told to come back: keep the outcome for its pick-up. */
  awaitsPickUp: boolean;
  timer?: NodeJS.Timeout;
}

/** Options of the registry: how long a finished result waits for its client. */
export interface ContinueWaitOptions {
  readonly keepMs?: number;
}

/** The key of one caller's request on one API: the query as sent and the security context. */
export function continueWaitKey(api: string, query: unknown, securityContext: unknown): string {
  const text = query !== null && typeof query === 'object' ? keptJson(query) : JSON.stringify(query);
  return `${api}\u0000${securityKey(securityContext)}\u0000${text}`;
}

export class ContinueWait {
  private readonly runs = new Map<string, Run<unknown>>();
  private readonly keepMs: number;

  constructor(options: ContinueWaitOptions = {}) {
    this.keepMs = options.keepMs ?? 60_000;
  }

  /** Runs not yet collected (running, or finished and waiting for their client). */
  get size(): number {
    return this.runs.size;
  }

  /**
   * Joins the run under `key` or starts one with `start`, then waits at most `waitMs`.
   * The returned promise rejects with the run's error if it failed within the wait.
   */
  async run<T>(key: string, start: () => Promise<T>, waitMs: number): Promise<WaitOutcome<T>> {
    const run = (this.runs.get(key) as Run<T> | undefined) ?? this.startRun(key, start);
    try {
      const outcome = await raceWithTimeout(run.promise, waitMs);
      if (outcome.done || run.settled) this.forget(key, run);
      else this.keepForPickUp(key, run);
      return outcome;
    } catch (error) {
      // The failure reached this caller: a retry starts afresh.
      this.forget(key, run);
      throw error;
    }
  }

  /** Drops every run (server shutdown); running queries finish but nobody collects them. */
  clear(): void {
    for (const run of this.runs.values()) clearTimeout(run.timer);
    this.runs.clear();
  }

  private startRun<T>(key: string, start: () => Promise<T>): Run<T> {
    const run: Run<T> = { promise: Promise.resolve().then(start), settled: false, awaitsPickUp: false };
    this.runs.set(key, run as Run<unknown>);
    const onSettled = (): void => {
      run.settled = true;
      if (run.awaitsPickUp) this.armPickUpTimer(key, run as Run<unknown>);
    };
    run.promise.then(onSettled, onSettled);
    return run;
  }

  private keepForPickUp(key: string, run: Run<unknown>): void {
    if (run.awaitsPickUp) return;
    run.awaitsPickUp = true;
    if (run.settled) this.armPickUpTimer(key, run);
  }

  /** Nobody came back for it: free the memory after the pick-up window. */
  private armPickUpTimer(key: string, run: Run<unknown>): void {
    if (run.timer || this.runs.get(key) !== run) return;
    run.timer = setTimeout(() => this.forget(key, run), this.keepMs);
    run.timer.unref();
  }

  private forget(key: string, run: Run<unknown>): void {
    if (this.runs.get(key) !== run) return;
    clearTimeout(run.timer);
    this.runs.delete(key);
  }
}

/** The run's outcome, or "still running" once `waitMs` passed; one promise and one timer per wait. */
function raceWithTimeout<T>(promise: Promise<T>, waitMs: number): Promise<WaitOutcome<T>> {
  return new Promise<WaitOutcome<T>>((resolve, reject) => {
    const timer = setTimeout(() => resolve({ done: false }), waitMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ done: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
