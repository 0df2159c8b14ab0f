/**
 * The one path every data query takes to a database (our counterpart of Cube's query
 * orchestrator), for every API and for rollup builds: the result cache first (a `BoundedStore`:
 * LRU + TTL), then the queue of the query's data source, which coalesces identical concurrent
 * queries and bounds concurrency, priority and run time. Both are keyed by the answer key
 * (answer-key.ts), computed once per query: the SQL and its parameters, the security context, the
 * current refresh-key values (freshness.ts) or rollup table versions, and the model version — so
 * a changed refresh key or a rebuilt rollup simply stops hitting old entries.
 */
import { QueryQueue, type QueueOptions, type QueueStats } from './query-queue.ts';
import { BoundedStore } from './bounded-store.ts';
import { answerKey } from './answer-key.ts';

/** What a query's answer depends on (see answer-key.ts). */
export interface CacheKeyParts {
  /** The SQL and its parameters (and anything else that changes the rows). */
  readonly query: unknown;
  /** `query` as key text when the caller keeps it (answer-key.ts `keptJson`), so it is not serialized again. */
  readonly queryText?: string;
  readonly securityContext: unknown;
  /** Refresh-key values of the source (freshness.ts) or the rollup partitions' versions. */
  readonly refreshKeyValues: readonly unknown[];
  readonly modelVersion: string;
}

export interface OrchestratorOptions {
  /** Queue settings of every data source unless `perDataSource` overrides them. */
  readonly queue: QueueOptions;
  readonly perDataSource?: Readonly<Record<string, Partial<QueueOptions>>>;
  readonly cache: { readonly maxEntries: number; readonly ttlMs: number };
  readonly now?: () => number;
}

export interface ExecuteRequest {
  readonly dataSource: string;
  readonly cacheKey: CacheKeyParts;
  /** Higher runs first; dashboards use 0, background builds below. */
  readonly priority?: number;
  readonly signal?: AbortSignal;
  /** Cube's `renewQuery`: skip the cached answer (the fresh one replaces it). */
  readonly renew?: boolean;
  /** False for queries whose answer must not be kept (rollup builds). */
  readonly cacheable?: boolean;
}

export interface OrchestratorStats {
  readonly cache: { readonly entries: number; readonly hits: number; readonly misses: number };
  readonly queues: Readonly<Record<string, QueueStats>>;
}

export class QueryOrchestrator {
  private readonly options: OrchestratorOptions;
  private readonly cache: BoundedStore<{ readonly value: unknown }>;
  private readonly queues = new Map<string, QueryQueue>();
  private cleared = 0;
  private answeredAbove = 0;

  constructor(options: OrchestratorOptions) {
    this.options = options;
    this.cache = new BoundedStore({ maxEntries: options.cache.maxEntries, ttlMs: options.cache.ttlMs, now: options.now });
  }

  /** The cached answer, or the task's (run once for all identical concurrent requests). */
  async execute<T>(request: ExecuteRequest, task: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; fromCache: boolean }> {
    const cacheable = request.cacheable ?? true;
    const parts = request.cacheKey;
    const key = answerKey({ modelVersion: parts.modelVersion, securityContext: parts.securityContext, freshness: parts.refreshKeyValues.map(String), query: parts.query, queryText: parts.queryText });
    if (cacheable && !request.renew) {
      const hit = this.cache.get(key);
      if (hit) return { value: hit.value as T, fromCache: true };
    }
    const value = await this.queue(request.dataSource).run(
      cacheable ? key : `nocache:${key}`,
      async (signal) => {
        const result = await task(signal);
        if (cacheable) this.cache.set(key, { value: result });
        return result;
      },
      { priority: request.priority, signal: request.signal },
    );
    return { value, fromCache: false };
  }

  stats(): OrchestratorStats {
    const cache = this.cache.stats();
    return { cache: { ...cache, hits: cache.hits + this.answeredAbove }, queues: Object.fromEntries([...this.queues].map(([name, queue]) => [name, queue.stats()])) };
  }

  /** A cached answer served before reaching the cache (the engine's memo of whole answers): counted as a hit. */
  countHit(): void {
    this.answeredAbove++;
  }

  clearCache(): void {
    this.cache.clear();
    this.cleared++;
  }

  /** Changes when the cache is cleared: answers memoized from it (the engine's) stop being served. */
  get epoch(): number {
    return this.cleared;
  }

  private queue(dataSource: string): QueryQueue {
    let queue = this.queues.get(dataSource);
    if (!queue) {
      queue = new QueryQueue({ ...this.options.queue, ...this.options.perDataSource?.[dataSource] });
      this.queues.set(dataSource, queue);
    }
    return queue;
  }
}
