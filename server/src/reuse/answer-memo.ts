/**
 * Whole answers of repeated `load` requests, so a result-cache hit skips normalization, access
 * policies, rollup matching, leases and compilation. Keyed by the request's answer key (rewrite
 * stage: model version, "now" to the second, security context, rewritten query), so an entry
 * lives at most one second of wall clock; within it, it is served only while everything else
 * the answer was read under is unchanged:
 * - the pre-aggregation generation (no rollup table swapped in or dropped, rollups not toggled);
 * - the result cache's epoch (not cleared);
 * - the refresh-key values of each part answered by the source (freshness.ts).
 * Answers that must not be cached (a lambda's live tail) are never stored. Generic over the
 * answer and the part types, so reuse/ needs nothing from the engine.
 */
import { BoundedStore } from './bounded-store.ts';

/** One part of the answer read from the source, and the refresh-key values it was cached under. */
export interface SourceCheck<C> {
  readonly check: C;
  readonly values: string;
}

export interface MemoEntry<R, C> {
  readonly response: R;
  readonly generation: number;
  readonly epoch: number;
  readonly sourceChecks: readonly SourceCheck<C>[];
}

export class AnswerMemo<R, C> {
  private readonly entries: BoundedStore<MemoEntry<R, C>>;

  constructor(capacity: number) {
    this.entries = new BoundedStore({ maxEntries: capacity });
  }

  /** The memoized answer when still valid; `refreshKeys` recomputes a source part's current values. */
  get(key: string, generation: number, epoch: number, refreshKeys: (check: C) => string): R | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== generation || entry.epoch !== epoch || entry.sourceChecks.some((s) => refreshKeys(s.check) !== s.values)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.response;
  }

  set(key: string, entry: MemoEntry<R, C>): void {
    this.entries.set(key, entry);
  }
}
