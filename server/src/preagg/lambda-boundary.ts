/**
 * Where a lambda query splits between the stored batch and the source, taken from the partition
 * versions the query leased (never from the catalog at a later moment, which a concurrent build
 * may have moved):
 *
 * - watermark W = the latest bucket any leased partition holds; buckets after W come from the
 *   source (Cube's rule: the speed layer only covers data newer than the batch);
 * - stamp S = the oldest change stamp of the leased partitions, when the source declares one;
 *   every bucket holding a row stamped at or after S may have been rewritten since its partition
 *   was built, so it is read from the source too and its stored rows are left out.
 *
 * Why S is sound: a partition's stamp is read from the source *before* its build query runs. A
 * bucket rewritten after that read carries a later stamp, so it lands in the tail; a bucket
 * rewritten before it is already in the build. Taking the oldest stamp over the lease only moves
 * more buckets to the source. The source must rewrite whole buckets (all rows of a bucket get the
 * new stamp), as the campaign micro-batch does with whole minutes; otherwise the unchanged rows of
 * a rewritten bucket would be missing from the tail.
 *
 * Without a declared stamp the lambda assumes an append-only source (Cube's semantics): only
 * buckets after W come from the source.
 */
import type { Cube, Granularity, PreAggregation } from '../model/model-types.ts';
import type { CubeQuery, Filter } from '../query/query-types.ts';
import type { PartitionInfo } from './preagg-store.ts';
import { isStandardGranularity, nextBucket } from './granularity-math.ts';
import { rollupBuildQuery } from './rollup-build-query.ts';

export interface LambdaBoundary {
  /** Latest stored bucket ('' when the batch holds no rows: everything comes from the source). */
  readonly watermark: string;
  /** First bucket the source answers in full (the bucket after the watermark); '' = from the start. */
  readonly tailStart: string;
  /** Buckets stamped at or after this come from the source ('' = no stamp declared). */
  readonly changedSince: string;
}

/** The boundary of a lease, or undefined when a partition lacks the stamp the source declares. */
export function lambdaBoundary(batch: PreAggregation, partitions: readonly PartitionInfo[], stamped: boolean): LambdaBoundary | undefined {
  const granularity = batch.timeDimensions[0]!.granularity;
  if (!isStandardGranularity(granularity)) return undefined;
  let watermark = '';
  for (const p of partitions) if (p.watermark > watermark) watermark = p.watermark;
  let changedSince = '';
  if (stamped) {
    // A partition built without a stamp cannot tell which of its buckets changed: no lambda.
    if (partitions.some((p) => p.changeStamp === '')) return undefined;
    changedSince = partitions.map((p) => p.changeStamp).sort()[0]!;
  }
  return { watermark, tailStart: watermark ? afterBucket(watermark, granularity) : '', changedSince };
}

/**
 * The Cube query for the tail: the batch's build query (same grouping and stored columns) over
 * the buckets from `tailStart` on, plus, with a stamp, every row stamped at or after
 * `changedSince`. One query, so the source answers from one snapshot.
 */
export function lambdaTailQuery(cube: Cube, batch: PreAggregation, boundary: LambdaBoundary, stampPath: string | undefined): CubeQuery {
  const base = rollupBuildQuery(cube, batch);
  const time = batch.timeDimensions[0]!.dimension;
  const parts: Filter[] = [];
  if (boundary.tailStart) parts.push({ member: time, operator: 'afterOrOnDate', values: [boundary.tailStart] });
  if (stampPath && boundary.changedSince) parts.push({ member: stampPath, operator: 'afterOrOnDate', values: [boundary.changedSince] });
  // No watermark means nothing stored: the whole source is the tail.
  if (!boundary.tailStart) return base;
  return { ...base, filters: [parts.length === 1 ? parts[0]! : { or: parts }] };
}

function afterBucket(bucket: string, granularity: Granularity): string {
  const next = nextBucket(Date.parse(`${bucket.slice(0, 23)}Z`), granularity);
  return new Date(next).toISOString().slice(0, 23);
}
