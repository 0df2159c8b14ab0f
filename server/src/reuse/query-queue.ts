/**
 * A query queue per data source (our counterpart of Cube's QueryQueue): at most `concurrency`
 * queries run at once, waiting ones start by priority (higher first, then arrival), each has a
 * timeout, and identical queries (same key) are coalesced into one execution.
 *
 * A caller that gives up (its AbortSignal fires) stops waiting; the execution itself is cancelled
 * only when nobody waits for it any more, so one impatient client cannot fail the others.
 */
import { UserError } from '../errors/user-error.ts';

export interface QueueOptions {
  readonly concurrency: number;
  /** Time a query may run before it is cancelled (ms). */
  readonly executionTimeoutMs: number;
  /** Queries waiting beyond this are refused, protecting the source from a pile-up. */
  readonly maxQueued?: number;
}

export interface RunOptions {
  readonly priority?: number;
  readonly signal?: AbortSignal;
}

export interface QueueStats {
  readonly running: number;
  readonly queued: number;
  readonly coalesced: number;
  readonly executed: number;
}

interface Job<T> {
  readonly key: string;
  readonly priority: number;
  readonly seq: number;
  readonly task: (signal: AbortSignal) => Promise<T>;
  readonly controller: AbortController;
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  waiters: number;
  started: boolean;
}

export class QueryQueue {
  private readonly options: QueueOptions;
  private readonly jobs = new Map<string, Job<unknown>>();
  private readonly waiting: Job<unknown>[] = [];
  private running = 0;
  private seq = 0;
  private coalesced = 0;
  private executed = 0;

  constructor(options: QueueOptions) {
    this.options = options;
  }

  /** Runs `task` under the queue's rules; a second call with the same key joins the first. */
  run<T>(key: string, task: (signal: AbortSignal) => Promise<T>, options: RunOptions = {}): Promise<T> {
    let job = this.jobs.get(key) as Job<T> | undefined;
    if (job) {
      this.coalesced++;
    } else {
      if (this.options.maxQueued !== undefined && this.waiting.length >= this.options.maxQueued) {
        return Promise.reject(new UserError('RATE_LIMITED', `Too many queries waiting (${this.waiting.length}); try again shortly`));
      }
      job = this.createJob(key, task, options.priority ?? 0);
      this.jobs.set(key, job as Job<unknown>);
      this.enqueue(job as Job<unknown>);
    }
    return this.wait(job, options.signal);
  }

  stats(): QueueStats {
    return { running: this.running, queued: this.waiting.length, coalesced: this.coalesced, executed: this.executed };
  }

  private createJob<T>(key: string, task: (signal: AbortSignal) => Promise<T>, priority: number): Job<T> {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined); // waiters observe it; avoid an unhandled rejection when all left
    return { key, priority, seq: this.seq++, task, controller: new AbortController(), promise, resolve, reject, waiters: 0, started: false };
  }

  private enqueue(job: Job<unknown>): void {
    const index = this.waiting.findIndex((other) => other.priority < job.priority);
    if (index < 0) this.waiting.push(job);
    else this.waiting.splice(index, 0, job);
    this.drain();
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      if (job.controller.signal.aborted) continue;
      this.start(job);
    }
  }

  private start(job: Job<unknown>): void {
    job.started = true;
    this.running++;
    this.executed++;
    const timer = setTimeout(() => {
      job.controller.abort(new UserError('QUERY_TIMEOUT', `Query timed out after ${this.options.executionTimeoutMs} ms`));
    }, this.options.executionTimeoutMs);
    timer.unref?.();
    const aborted = new Promise<never>((_, reject) => {
      job.controller.signal.addEventListener('abort', () => reject(job.controller.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    Promise.race([job.task(job.controller.signal), aborted])
      .then(job.resolve, job.reject)
      .finally(() => {
        clearTimeout(timer);
        this.running--;
        this.jobs.delete(job.key);
        this.drain();
      });
  }

  private wait<T>(job: Job<T>, signal?: AbortSignal): Promise<T> {
    job.waiters++;
    if (!signal) return job.promise.finally(() => job.waiters--);
    if (signal.aborted) {
      this.leave(job);
      return Promise.reject(new UserError('QUERY_CANCELLED', 'Query cancelled'));
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () =>
        settle(() => {
          this.leave(job);
          reject(new UserError('QUERY_CANCELLED', 'Query cancelled'));
        });
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (value) => settle(() => { job.waiters--; resolve(value); }),
        (error) => settle(() => { job.waiters--; reject(error); }),
      );
    });
  }

  /** A waiter left: when it was the last one, cancel the execution (or drop it from the queue). */
  private leave(job: Job<unknown>): void {
    job.waiters--;
    if (job.waiters > 0) return;
    job.controller.abort(new UserError('QUERY_CANCELLED', 'Query cancelled'));
    if (!job.started) {
      const index = this.waiting.indexOf(job);
      if (index >= 0) this.waiting.splice(index, 1);
      this.jobs.delete(job.key);
      job.reject(new UserError('QUERY_CANCELLED', 'Query cancelled'));
    }
  }
}
