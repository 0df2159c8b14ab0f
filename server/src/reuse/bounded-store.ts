/**
 * The one store every reuse layer keeps its entries in: least-recently-used eviction beyond
 * `maxEntries` and, when `ttlMs` is set, expiry that long after an entry was stored (reading it
 * does not extend its life). Built on `lru-cache`, so no layer hand-writes its own LRU.
 *
 * A leaf: it imports nothing from the server, so the model's parse cache (model/ sits below
 * reuse/) may use it too.
 */
import { LRUCache } from 'lru-cache';

export interface BoundedStoreOptions {
  /** Entries kept at most; 0 keeps none (the layer is switched off). */
  readonly maxEntries: number;
  /** Lifetime of an entry from when it was stored (ms); absent: entries live until evicted. */
  readonly ttlMs?: number;
  /** Injectable clock (ms), for tests of the TTL. */
  readonly now?: () => number;
}

/** Entries read, hit or missed, since the store was made. */
export interface StoreStats {
  readonly entries: number;
  readonly hits: number;
  readonly misses: number;
}

export class BoundedStore<V extends NonNullable<unknown>> {
  private readonly entries: LRUCache<string, V>;
  private readonly keeps: boolean;
  private hits = 0;
  private misses = 0;

  constructor(options: BoundedStoreOptions) {
    const clock = options.now;
    this.keeps = options.maxEntries > 0;
    this.entries = new LRUCache<string, V>({
      max: Math.max(1, options.maxEntries),
      ...(options.ttlMs !== undefined ? { ttl: options.ttlMs, updateAgeOnGet: false, allowStale: false } : {}),
      ...(clock ? { perf: { now: clock }, ttlResolution: 0 } : {}),
    });
  }

  /** The live entry under `key` (now the most recently used), or undefined; counted as a hit or a miss. */
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used one beyond the bound. */
  set(key: string, value: V): void {
    if (this.keeps) this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  stats(): StoreStats {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses };
  }
}
