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
import type { PreAggregationMatch, PreAggregationMatcher } from '../engine/engine-types.ts';
import type { PreAggregationStore } from './preagg-store.ts';
import { assessRollups, matchRollups, sortBySize, type MissReason, type RollupAssessment, type RollupMatch, type RollupRejection } from './match-rollup.ts';
import type { ExplainServedBy, PreAggregationExplanation, PreAggregationKind } from '../engine/engine-types.ts';
import { oldestBuiltAt, type PartitionInfo } from './preagg-store.ts';
import { suggestRollup } from './suggest-rollup.ts';
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
  /**
   * The one decision about a rollup the rules accept: the match to read (its lease held), or why
   * the store's state refuses it. `match` serves the first accepted candidate; `explain` asks the
   * same question of each and lets the lease go.
   */
  const serve = (query: NormalizedQuery, model: SemanticModel, candidate: RollupMatch): PreAggregationMatch | MissReason => {
    if (candidate.lambda) {
      if (!options.runSourceQuery) return { code: 'LAMBDA_NOT_SERVABLE', message: 'this server cannot query the source for a lambda\'s fresh rows' };
      if (!options.store.isBuilt(rollupStoreKey(candidate.cube, candidate.lambda.batch))) {
        return { code: 'NOT_BUILT_YET', message: `its batch rollup ${candidate.cube.name}.${candidate.lambda.batch.name} is not built yet: the source answers (never cached)` };
      }
      const match = matchLambda({ query, model, candidate, lambda: candidate.lambda, store: options.store, dialect: options.dialect, runSourceQuery: options.runSourceQuery });
      return match ?? { code: 'LAMBDA_NOT_SERVABLE', message: `batch ${candidate.cube.name}.${candidate.lambda.batch.name} was built without the source's change stamp (or has no standard granularity): rebuild it` };
    }
    const rollup = candidate.preAggregation;
    const key = rollupStoreKey(candidate.cube, rollup);
    if (!options.store.isBuilt(key)) return { code: 'NOT_BUILT_YET', message: 'not built yet (never refreshed, or its first build is running or failed): the source answers' };
    const widened = widenToBuckets(query, rollup);
    if (rollup.buildRangeStart || rollup.buildRangeEnd) {
      const covered = options.store.buildRange(key);
      if (!covered) return { code: 'NOT_BUILT_YET', message: 'its build range is not known since the server started: used again after the next refresh' };
      if (!coversQuery(widened, rollup, covered)) {
        return { code: 'OUTSIDE_BUILD_RANGE', message: `the query's date range reaches outside the range the rollup is built for (${covered[0] ?? '-∞'} … ${covered[1] ?? '+∞'})` };
      }
    }
    const keep = partitionFilter(widened, rollup);
    const missing = options.store.missingPartitions(key).filter((p) => !keep || keep({ partition: p } as PartitionInfo));
    if (missing.length > 0) {
      const listed = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length})` : '');
      return { code: 'PARTITION_NOT_BUILT', message: `partition(s) ${listed} of the query's range are not built (a refresh is running or failed: see GET /v1/pre-aggregations)` };
    }
    // Only the partitions the query's date range touches (lambdas above lease every partition:
    // their boundary is taken over the whole batch).
    const lease = options.store.lease(key, keep);
    if (!lease) return { code: 'NOT_BUILT_YET', message: 'not built yet: the source answers' };
    const { virtual, model: virtualModel } = virtualFor(model, candidate.cube, rollup, key, lease.tables);
    return {
      name: `${candidate.cube.name}.${rollup.name}`,
      targetTableName: lease.tables.join(','),
      refreshKeyValues: lease.partitions.map((p) => p.refreshKeyValue),
      partitions: lease.partitions.map((p) => p.partition),
      builtAt: oldestBuiltAt(lease.partitions),
      model: virtualModel,
      query: rewriteForRollup(widened, virtual),
      driver: options.store.storeDriver,
      dialect: options.dialect,
      dataSource: ROLLUP_DATA_SOURCE,
      release: lease.release,
    };
  };
  const isServed = (outcome: PreAggregationMatch | MissReason): outcome is PreAggregationMatch => 'release' in outcome;
  const enabled = (): boolean => !options.enabled || options.enabled();

  const match = (query: NormalizedQuery, model: SemanticModel): PreAggregationMatch | undefined => {
    if (!enabled()) return undefined;
    for (const candidate of matchRollups(query, model)) {
      const outcome = serve(query, model, candidate);
      if (isServed(outcome)) return outcome;
    }
    return undefined;
  };

  const explain = (query: NormalizedQuery, model: SemanticModel): PreAggregationExplanation => {
    const assessed = assessRollups(query, model, { every: true });
    const verdicts = new Map<string, readonly MissReason[]>();
    let servedBy: ExplainServedBy | null = null;
    // The order `match` tries candidates in, so the first one served here is the one /load reads.
    for (const candidate of sortBySize(assessed.flatMap((a) => (a.match ? [a.match] : [])))) {
      const id = `${candidate.cube.name}.${(candidate.lambda?.lambda ?? candidate.preAggregation).name}`;
      if (!enabled()) {
        verdicts.set(id, [{ code: 'ROLLUPS_DISABLED', message: 'pre-aggregations are switched off: the source answers every query' }]);
        continue;
      }
      if (servedBy) {
        verdicts.set(id, [{ code: 'ANOTHER_ROLLUP_SERVES', message: `${servedBy.preAggregation} serves the query (smaller rollups are tried first)` }]);
        continue;
      }
      const outcome = serve(query, model, candidate);
      if (!isServed(outcome)) {
        verdicts.set(id, [outcome]);
        continue;
      }
      outcome.release();
      verdicts.set(id, []);
      servedBy = {
        preAggregation: outcome.name,
        type: candidate.lambda ? 'rollupLambda' : 'rollup',
        tableName: outcome.targetTableName,
        ...(outcome.partitions ? { partitions: outcome.partitions } : {}),
      };
    }
    const served = servedBy?.preAggregation;
    const candidates = assessed
      .map((a) => ({ preAggregation: a.id, type: KIND[a.declared.type], served: a.id === served, reasons: verdicts.get(a.id) ?? a.reasons, rank: rank(a, served) }))
      .sort((x, y) => x.rank - y.rank)
      .map(({ rank: _rank, ...candidate }) => candidate);
    if (servedBy) return { servedBy, candidates };
    const suggested = suggestRollup(query, model);
    return { servedBy: null, candidates, ...('suggestion' in suggested ? { suggestion: suggested.suggestion } : { noSuggestion: suggested.reason }) };
  };

  // A live lambda that covers the query but is not built yet leaves it to the source, whose answer
  // must then be as fresh as the lambda's (never cached): asked only when `match` found nothing.
  const coversLive = (query: NormalizedQuery, model: SemanticModel): boolean =>
    enabled() && matchRollups(query, model).some((c) => c.lambda?.lambda.unionWithSourceData === true);
  // Answers read from leased tables stay valid while no table changed and rollups stay on/off.
  return Object.assign(match, { generation: () => (enabled() ? options.store.generation : -1), coversLive, explain });
}

const KIND: Record<PreAggregation['type'], PreAggregationKind> = { rollup: 'rollup', rollup_lambda: 'rollupLambda', original_sql: 'originalSql', rollup_join: 'rollupJoin' };

/** Explain's order: the served one, the other matches, the query's cube's misses, then other cubes'. */
function rank(a: RollupAssessment, served: string | undefined): number {
  if (a.id === served) return 0;
  if (a.match) return 1;
  return a.reasons.some((r) => r.code === 'DIFFERENT_CUBE') ? 3 : 2;
}

/** Why no rollup (or which one) would answer the query: for tests and `/v1/sql` debugging. */
export function explainMatch(query: NormalizedQuery, model: SemanticModel): { candidates: string[]; rejections: RollupRejection[] } {
  const rejections: RollupRejection[] = [];
  const candidates = matchRollups(query, model, rejections).map((c) => `${c.cube.name}.${c.preAggregation.name}`);
  return { candidates, rejections };
}
