/**
 * What a `rollup_lambda` pre-aggregation (Cube's lambda architecture) stands for here: the batch
 * rollup it names in `rollups` — built into the store like any rollup — and, with
 * `union_with_source_data: true`, the source rows the batch does not cover yet (the speed layer).
 *
 * Supported shape: one batch rollup of the same cube with a time dimension and a
 * `partition_granularity` (Cube requires both for a union with source data). Several batch
 * rollups (Cube's batch + streaming-rollup layering) are not served: the query goes to the source
 * and the rejection says why.
 *
 * A rollup named by a lambda that unions source data is served only through the lambda: alone it
 * would answer with the batch layer's stale view of the fresh buckets.
 *
 * Change stamp: a source whose buckets are rewritten after they close (the campaign micro-batch
 * rewrites whole minutes when a session ends or an event arrives late) marks one time dimension
 * with `meta: { lambda_change_stamp: true }`: the time each row was last written. A lambda then
 * also reads from the source every bucket stamped after the batch was built (lambda-boundary.ts).
 */
import type { Cube, Dimension, PreAggregation, SemanticModel } from '../model/model-types.ts';

export interface ResolvedLambda {
  readonly lambda: PreAggregation;
  readonly batch: PreAggregation;
  /** Path of the source's change-stamp dimension, when the cube declares one. */
  readonly changeStamp?: string;
}

export const CHANGE_STAMP_META = 'lambda_change_stamp';

/** The lambda's batch rollup, or the reason it cannot be served. */
export function resolveLambda(cube: Cube, lambda: PreAggregation): ResolvedLambda | { reason: string } {
  if (lambda.rollups.length !== 1) return { reason: `lambda ${cube.name}.${lambda.name} unions ${lambda.rollups.length} rollups; only one batch rollup is supported` };
  const [owner, name] = lambda.rollups[0]!.split('.') as [string, string];
  const batch = owner === cube.name ? cube.preAggregations[name] : undefined;
  if (!batch || batch.type !== 'rollup') return { reason: `lambda ${cube.name}.${lambda.name} must name a rollup of ${cube.name} (got ${lambda.rollups[0]})` };
  if (lambda.unionWithSourceData && (batch.timeDimensions.length === 0 || !batch.partitionGranularity)) {
    return { reason: `rollup ${batch.cube}.${batch.name} needs a time dimension and partition_granularity to be unioned with source data` };
  }
  const stamp = changeStampDimension(cube);
  return { lambda, batch, ...(lambda.unionWithSourceData && stamp ? { changeStamp: stamp.path } : {}) };
}

/**
 * The rollup the matcher checks a lambda against: the batch's members under the lambda's name
 * (Cube matches a lambda by the members of its rollups).
 */
export function lambdaAsRollup(resolved: ResolvedLambda): PreAggregation {
  return { ...resolved.batch, name: resolved.lambda.name, type: 'rollup_lambda', rollups: resolved.lambda.rollups, unionWithSourceData: resolved.lambda.unionWithSourceData };
}

/** Is this rollup the batch layer of a lambda that unions source data (so never matched alone)? */
export function isBatchOfSourceLambda(cube: Cube, rollup: PreAggregation): boolean {
  const id = `${cube.name}.${rollup.name}`;
  return Object.values(cube.preAggregations).some((p) => p.type === 'rollup_lambda' && p.unionWithSourceData === true && p.rollups.includes(id));
}

/** The change-stamp dimension a batch rollup's builds must record, if a source lambda uses it. */
export function changeStampForBatch(model: SemanticModel, cube: Cube, rollup: PreAggregation): string | undefined {
  if (!isBatchOfSourceLambda(cube, rollup)) return undefined;
  return changeStampDimension(model.cubes[cube.name] ?? cube)?.path;
}

function changeStampDimension(cube: Cube): Dimension | undefined {
  return Object.values(cube.dimensions).find((d) => d.type === 'time' && d.meta?.[CHANGE_STAMP_META] === true);
}

/**
 * The source model a lambda's own queries (tail, stamp) run on: the change stamp is usually
 * hidden from the API (`public: false`), but these internal queries must be able to name it.
 */
export function modelWithQueryableStamp(model: SemanticModel, cube: Cube, stampPath: string | undefined): SemanticModel {
  if (!stampPath) return model;
  const name = stampPath.slice(stampPath.indexOf('.') + 1);
  const stamp = cube.dimensions[name];
  if (!stamp || stamp.public) return model;
  const opened: Cube = { ...cube, dimensions: { ...cube.dimensions, [name]: { ...stamp, public: true } } };
  return { ...model, cubes: { ...model.cubes, [cube.name]: opened } };
}
