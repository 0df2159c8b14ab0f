/**
 * Whole answers of repeated `load` requests, so a result-cache hit skips normalization, access
 * policies, rollup matching, leases and compilation. Keyed like the compile cache (model version,
 * "now" to the second, security context, query after the security hook), so an entry lives at
 * most one second of wall clock; within it, it is served only while everything else the answer
 * was read under is unchanged:
 * - the pre-aggregation generation (no rollup table swapped in or dropped, rollups not toggled);
 * - the result cache's epoch (not cleared);
 * - the refresh-key values of each part answered by the source.
 * Answers that must not be cached (a lambda's live tail) are never stored.
 */
import type { LoadResponse } from './engine-types.ts';

/** One part of the answer read from the source, and the refresh-key values it was cached under. */
export interface SourceCheck<C> {
  readonly check: C;
  readonly values: string;
}

export interface MemoEntry<C> {
  readonly response: LoadResponse;
  readonly generation: number;
  readonly epoch: number;
  readonly sourceChecks: readonly SourceCheck<C>[];
}

export class AnswerMemo<C> {
  private readonly entries = new Map<string, MemoEntry<C>>();

  constructor(private readonly capacity: number) {}

  /** The memoized answer when still valid; `refreshKeys` recomputes a source part's current values. */
  get(key: string, generation: number, epoch: number, refreshKeys: (check: C) => string): LoadResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== generation || entry.epoch !== epoch || entry.sourceChecks.some((s) => refreshKeys(s.check) !== s.values)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.response;
  }

  set(key: string, entry: MemoEntry<C>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
