/**
 * Result cache: answers keyed by (query, security context, refresh-key values, model version).
 * When a refresh key changes (new data, a rebuilt rollup), the key changes and the old entry
 * simply stops being asked for; LRU eviction and a TTL bound memory and staleness.
 */
import { stableHash } from '../util/stable-hash.ts';

export interface CacheKeyParts {
  readonly query: unknown;
  readonly securityContext: unknown;
  readonly refreshKeyValues: readonly unknown[];
  readonly modelVersion: string;
}

export interface ResultCacheOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly now?: () => number;
}

interface Entry<T> {
  readonly value: T;
  readonly storedAt: number;
}

export class ResultCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly options: ResultCacheOptions;
  private hits = 0;
  private misses = 0;

  constructor(options: ResultCacheOptions) {
    this.options = options;
  }

  static key(parts: CacheKeyParts): string {
    return stableHash(parts);
  }

  get(key: string): { value: T; storedAt: number } | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.now() - entry.storedAt > this.options.ttlMs) {
      if (entry) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: this.now() });
    while (this.entries.size > this.options.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  stats(): { entries: number; hits: number; misses: number } {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
