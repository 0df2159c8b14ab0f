/**
 * A small LRU of compiled queries. The key holds everything compilation depends on: the model
 * version, the (rewritten) query JSON, the security context (it feeds SQL parameters) and "now"
 * to the second (relative date ranges snap to whole seconds or coarser units).
 */
import type { CompiledQuery } from './compile-query.ts';

/** What one cache entry holds: the compiled queries of one request and whether it compared ranges. */
export interface CachedCompilation {
  readonly compiled: readonly CompiledQuery[];
  readonly compare: boolean;
}

export class CompileCache {
  private readonly entries = new Map<string, CachedCompilation>();

  constructor(private readonly capacity = 1000) {}

  static key(modelVersion: string, query: unknown, securityContext: unknown, now: Date): string {
    return `${modelVersion}\n${Math.floor(now.getTime() / 1000)}\n${JSON.stringify(securityContext)}\n${JSON.stringify(query)}`;
  }

  get(key: string): CachedCompilation | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: CachedCompilation): void {
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
