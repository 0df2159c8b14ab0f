/**
 * Turns a matched `rollup_lambda` into the engine's pre-aggregation match: a lease on the batch
 * rollup's current tables, the boundary taken from exactly those versions, a virtual cube over
 * a placeholder, and the driver that fills the placeholder with batch ∪ tail when the query runs.
 * A batch never built (or built without the stamp its source declares) leaves the query to the
 * source, which is always correct.
 */
import { createHash } from 'node:crypto';
import type { SemanticModel } from '../model/model-types.ts';
import type { NormalizedQuery } from '../query/query-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { PreAggregationMatch } from '../engine/engine-types.ts';
import { oldestBuiltAt, type PreAggregationStore } from './preagg-store.ts';
import type { RollupMatch } from './match-rollup.ts';
import type { ResolvedLambda } from './lambda-rollup.ts';
import { modelWithQueryableStamp } from './lambda-rollup.ts';
import { lambdaBoundary, lambdaTailQuery } from './lambda-boundary.ts';
import { createLambdaDriver } from './lambda-driver.ts';
import { modelForRollupBuild } from './rollup-build-query.ts';
import { buildRollupCube, dimensionColumn, rewriteForRollup, rollupModel, ROLLUP_DATA_SOURCE, widenToBuckets } from './rollup-cube.ts';
import { rollupStoreKey } from './rollup-signature.ts';
import { storedColumns, type RunSourceQuery } from './refresh-rollups.ts';

export interface LambdaMatchInput {
  readonly query: NormalizedQuery;
  readonly model: SemanticModel;
  readonly candidate: RollupMatch;
  readonly lambda: ResolvedLambda;
  readonly store: PreAggregationStore;
  readonly dialect: Dialect;
  readonly runSourceQuery: RunSourceQuery;
}

export function matchLambda(input: LambdaMatchInput): PreAggregationMatch | undefined {
  const { model, candidate, lambda, store } = input;
  const cube = candidate.cube;
  const lease = store.lease(rollupStoreKey(cube, lambda.batch));
  if (!lease) return undefined;
  const boundary = lambdaBoundary(lambda.batch, lease.partitions, lambda.changeStamp !== undefined);
  if (!boundary) {
    lease.release();
    return undefined;
  }
  const placeholder = `rollups."__lambda_${createHash('sha1').update(lease.tables.join(',')).digest('hex').slice(0, 16)}"`;
  const virtual = buildRollupCube(model, cube, candidate.preAggregation, [placeholder]);
  const td = lambda.batch.timeDimensions[0]!;
  const buildModel = modelForRollupBuild(model, cube, lambda.batch);
  const tailModel = modelWithQueryableStamp(buildModel, buildModel.cubes[cube.name] ?? cube, lambda.changeStamp);
  const tailQuery = lambdaTailQuery(cube, lambda.batch, boundary, lambda.changeStamp);
  const empty = { columns: lease.columns, data: lease.columns.map(() => []), rowCount: 0 };
  return {
    name: `${cube.name}.${lambda.lambda.name}`,
    targetTableName: `${lease.tables.join(',')}${lambda.lambda.unionWithSourceData ? ',source' : ''}`,
    // The boundary is part of what was read; the answer is never cached anyway (see cacheable).
    refreshKeyValues: [...lease.partitions.map((p) => p.refreshKeyValue), boundary.watermark, ...boundary.changedSince.map((r) => `${r.from}>${r.stamp}`)],
    // The batch's build time, as Cube reports a lambda's (the tail it unions is read live).
    builtAt: oldestBuiltAt(lease.partitions),
    model: rollupModel(virtual, model),
    query: rewriteForRollup(widenToBuckets(input.query, candidate.preAggregation), virtual),
    driver: createLambdaDriver({
      store: store.storeDriver,
      placeholder,
      // Without union_with_source_data a lambda over one batch is that batch: nothing to fetch.
      fetchTail: async () => (lambda.lambda.unionWithSourceData ? storedColumns(await input.runSourceQuery(tailModel, tailQuery)) : empty),
      union: { tables: lease.tables, columns: lease.columns, bucketColumn: dimensionColumn(td.dimension, td.granularity), watermark: boundary.watermark },
    }),
    dialect: input.dialect,
    dataSource: ROLLUP_DATA_SOURCE,
    // The tail changes with every micro-batch: a cached answer would hide fresh events.
    cacheable: !lambda.lambda.unionWithSourceData,
    partitions: lease.partitions.map((p) => p.partition),
    release: lease.release,
  };
}
