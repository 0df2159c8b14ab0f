/**
 * The engine's `matchPreAggregation`: picks the smallest rollup that covers the query (Cube's
 * rules, match-rollup.ts) and is built, leases its current tables, and rewrites the query for a
 * virtual cube over them. A rollup not built yet (or being rebuilt for the first time) is
 * skipped: the source answers until it is ready.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { NormalizedQuery } from '../query/query-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { Cube, PreAggregation } from '../model/model-types.ts';
import type { PreAggregationMatch, PreAggregationMatcher } from '../engine/create-engine.ts';
import type { PreAggregationStore } from './preagg-store.ts';
import { matchRollups, type RollupRejection } from './match-rollup.ts';
import { buildRollupCube, rewriteForRollup, rollupModel, ROLLUP_DATA_SOURCE, widenToBuckets } from './rollup-cube.ts';
import { rollupStoreKey } from './rollup-signature.ts';
import type { RunSourceQuery } from './refresh-rollups.ts';
import { matchLambda } from './lambda-match.ts';
import { coversQuery, partitionFilter } from './partition-pruning.ts';

export interface RollupMatcherOptions {
  readonly store: PreAggregationStore;
  readonly dialect: Dialect;
  /** Turned off (e.g. `rollups disabled` in a comparison) the source answers everything. */
  readonly enabled?: () => boolean;
  /** Runs a lambda's tail on the source (at dashboard priority); without it lambdas are not served. */
  readonly runSourceQuery?: RunSourceQuery;
}

export type MatchPreAggregation = PreAggregationMatcher;

/** Virtual cubes kept per model: one per leased set of tables (a rebuild or another pruning gives a new one). */
const VIRTUAL_CACHE_SIZE = 256;

export function createRollupMatcher(options: RollupMatcherOptions): MatchPreAggregation {
  // The virtual cube and its model depend only on the source model and the tables read: built
  // once per set of tables rather than on every query.
  const virtuals = new WeakMap<SemanticModel, Map<string, { virtual: Cube; model: SemanticModel }>>();
  const virtualFor = (model: SemanticModel, cube: Cube, rollup: PreAggregation, storeKey: string, tables: readonly string[]) => {
    let perModel = virtuals.get(model);
    if (!perModel) {
      perModel = new Map();
      virtuals.set(model, perModel);
    }
    const key = `${storeKey}\n${tables.join(',')}`;
    let entry = perModel.get(key);
    if (!entry) {
      const virtual = buildRollupCube(model, cube, rollup, tables);
      entry = { virtual, model: rollupModel(virtual, model) };
      perModel.set(key, entry);
      if (perModel.size > VIRTUAL_CACHE_SIZE) perModel.delete(perModel.keys().next().value!);
    }
    return entry;
  };
  const match = (query: NormalizedQuery, model: SemanticModel): PreAggregationMatch | undefined => {
    if (options.enabled && !options.enabled()) return undefined;
    for (const candidate of matchRollups(query, model)) {
      if (candidate.lambda) {
        const match = options.runSourceQuery && matchLambda({ query, model, candidate, lambda: candidate.lambda, store: options.store, dialect: options.dialect, runSourceQuery: options.runSourceQuery });
        if (match) return match;
        continue;
      }
      const key = rollupStoreKey(candidate.cube, candidate.preAggregation);
      const widened = widenToBuckets(query, candidate.preAggregation);
      if (candidate.preAggregation.buildRangeStart || candidate.preAggregation.buildRangeEnd) {
        const covered = options.store.buildRange(key);
        if (!covered || !coversQuery(widened, candidate.preAggregation, covered)) continue;
      }
      // Only the partitions the query's date range touches (lambdas above lease every partition:
      // their boundary is taken over the whole batch).
      const lease = options.store.lease(key, partitionFilter(widened, candidate.preAggregation));
      if (!lease) continue;
      const { virtual, model: virtualModel } = virtualFor(model, candidate.cube, candidate.preAggregation, key, lease.tables);
      return {
        name: `${candidate.cube.name}.${candidate.preAggregation.name}`,
        targetTableName: lease.tables.join(','),
        refreshKeyValues: lease.partitions.map((p) => p.refreshKeyValue),
        model: virtualModel,
        query: rewriteForRollup(widened, virtual),
        driver: options.store.storeDriver,
        dialect: options.dialect,
        dataSource: ROLLUP_DATA_SOURCE,
        release: lease.release,
      };
    }
    return undefined;
  };
  // A live lambda that covers the query but is not built yet leaves it to the source, whose answer
  // must then be as fresh as the lambda's (never cached): asked only when `match` found nothing.
  const coversLive = (query: NormalizedQuery, model: SemanticModel): boolean =>
    (!options.enabled || options.enabled()) && matchRollups(query, model).some((c) => c.lambda?.lambda.unionWithSourceData === true);
  // Answers read from leased tables stay valid while no table changed and rollups stay on/off.
  return Object.assign(match, { generation: () => (options.enabled && !options.enabled() ? -1 : options.store.generation), coversLive });
}

/** Why no rollup (or which one) would answer the query: for tests and `/v1/sql` debugging. */
export function explainMatch(query: NormalizedQuery, model: SemanticModel): { candidates: string[]; rejections: RollupRejection[] } {
  const rejections: RollupRejection[] = [];
  const candidates = matchRollups(query, model, rejections).map((c) => `${c.cube.name}.${c.preAggregation.name}`);
  return { candidates, rejections };
}
