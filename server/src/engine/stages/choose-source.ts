/**
 * Stage 5, choose source: for each authorized query, the rollup that answers it (the matcher of
 * preagg/, which leases the rollup's tables until `release()`), or the raw source. A query a live
 * lambda covers but cannot serve yet is answered raw and marked `live`: that answer is never kept.
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { PreAggregationMatch, PreAggregationMatcher } from '../engine-types.ts';
import type { AuthorizedQuery } from './authorize-queries.ts';

/** An authorized query and where it is answered: `match` (a rollup) or the source. */
export interface SourcedQuery extends AuthorizedQuery {
  readonly match?: PreAggregationMatch;
  /** Answered by the source in place of a live lambda not built yet: never cached. */
  readonly live?: boolean;
}

export function chooseSource(model: SemanticModel, queries: readonly AuthorizedQuery[], matcher: PreAggregationMatcher): SourcedQuery[] {
  const sourced: SourcedQuery[] = [];
  try {
    for (const q of queries) {
      const match = matcher(q.query, model);
      if (match) sourced.push({ ...q, match });
      else sourced.push(matcher.coversLive?.(q.query, model) ? { ...q, live: true } : q);
    }
    return sourced;
  } catch (error) {
    releaseSources(sourced);
    throw error;
  }
}

/** Lets go of every rollup lease taken (once the answer is read, or on failure). */
export function releaseSources(queries: readonly SourcedQuery[]): void {
  for (const q of queries) q.match?.release();
}

/** May this query's answer be kept (result cache, answer memo)? */
export function isCacheable(q: SourcedQuery): boolean {
  return q.match ? (q.match.cacheable ?? true) : !q.live;
}
