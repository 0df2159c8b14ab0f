/**
 * The engine's `matchPreAggregation`: picks the smallest rollup that covers the query (Cube's
 * rules, match-rollup.ts) and is built, leases its current tables, and rewrites the query for a
 * virtual cube over them. A rollup not built yet (or being rebuilt for the first time) is
 * skipped: the source answers until it is ready.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { NormalizedQuery } from '../query/query-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { PreAggregationMatch } from '../engine/create-engine.ts';
import type { PreAggregationStore } from './preagg-store.ts';
import { matchRollups, type RollupRejection } from './match-rollup.ts';
import { buildRollupCube, rewriteForRollup, rollupModel, ROLLUP_DATA_SOURCE, widenToBuckets } from './rollup-cube.ts';
import { rollupStoreKey } from './rollup-signature.ts';
import type { RunSourceQuery } from './refresh-rollups.ts';
import { matchLambda } from './lambda-match.ts';

export interface RollupMatcherOptions {
  readonly store: PreAggregationStore;
  readonly dialect: Dialect;
  /** Turned off (e.g. `rollups disabled` in a comparison) the source answers everything. */
  readonly enabled?: () => boolean;
  /** Runs a lambda's tail on the source (at dashboard priority); without it lambdas are not served. */
  readonly runSourceQuery?: RunSourceQuery;
}

export type MatchPreAggregation = (query: NormalizedQuery, model: SemanticModel) => PreAggregationMatch | undefined;

export function createRollupMatcher(options: RollupMatcherOptions): MatchPreAggregation {
  return (query, model) => {
    if (options.enabled && !options.enabled()) return undefined;
    for (const candidate of matchRollups(query, model)) {
      if (candidate.lambda) {
        const match = options.runSourceQuery && matchLambda({ query, model, candidate, lambda: candidate.lambda, store: options.store, dialect: options.dialect, runSourceQuery: options.runSourceQuery });
        if (match) return match;
        continue;
      }
      const key = rollupStoreKey(candidate.cube, candidate.preAggregation);
      const lease = options.store.lease(key);
      if (!lease) continue;
      const virtual = buildRollupCube(model, candidate.cube, candidate.preAggregation, lease.tables);
      return {
        name: `${candidate.cube.name}.${candidate.preAggregation.name}`,
        targetTableName: lease.tables.join(','),
        refreshKeyValues: lease.partitions.map((p) => p.refreshKeyValue),
        model: rollupModel(virtual, model),
        query: rewriteForRollup(widenToBuckets(query, candidate.preAggregation), virtual),
        driver: options.store.storeDriver,
        dialect: options.dialect,
        dataSource: ROLLUP_DATA_SOURCE,
        release: lease.release,
      };
    }
    return undefined;
  };
}

/** Why no rollup (or which one) would answer the query: for tests and `/v1/sql` debugging. */
export function explainMatch(query: NormalizedQuery, model: SemanticModel): { candidates: string[]; rejections: RollupRejection[] } {
  const rejections: RollupRejection[] = [];
  const candidates = matchRollups(query, model, rejections).map((c) => `${c.cube.name}.${c.preAggregation.name}`);
  return { candidates, rejections };
}
