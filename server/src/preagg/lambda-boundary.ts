/**
 * Where a lambda query splits between the stored batch and the source, taken from the partition
 * versions the query leased (never from the catalog at a later moment, which a concurrent build
 * may have moved):
 *
 * - watermark W = the latest bucket any leased partition holds; buckets after W come from the
 *   source (Cube's rule: the speed layer only covers data newer than the batch);
 * - stamps, when the source declares one: the partitions, in time order, are grouped into a few
 *   consecutive time ranges, each with S = the oldest change stamp of its partitions; a bucket of
 *   a range holding a row stamped at or after its S may have been rewritten since its partition
 *   was built, so it is read from the source too and its stored rows are left out.
 *
 * Why S is sound: a partition's stamp is read from the source *before* its build query runs. A
 * bucket rewritten after that read carries a later stamp, so it lands in the tail; a bucket
 * rewritten before it is already in the build. Taking the oldest stamp over a range only moves
 * more buckets to the source. The source must rewrite whole buckets (all rows of a bucket get the
 * new stamp), as the campaign micro-batch does with whole minutes; otherwise the unchanged rows of
 * a rewritten bucket would be missing from the tail. The ranges tile the whole timeline (the first
 * has no start, each ends where the next starts), so a bucket no partition holds is covered too.
 *
 * Why ranges and not one S for the lease: partitions outside the update window are never rebuilt,
 * so their stamps stay as old as the server; one S would send every bucket written since then to
 * the source and the tail would grow for as long as the server runs. Per range, old partitions
 * only send the (rare) late rewrites of their own hours.
 *
 * Without a declared stamp the lambda assumes an append-only source (Cube's semantics): only
 * buckets after W come from the source.
 */
import type { Cube, Granularity, PreAggregation } from '../model/model-types.ts';
import type { CubeQuery, Filter } from '../query/query-types.ts';
import type { PartitionInfo } from './preagg-store.ts';
import { isStandardGranularity, nextBucket, parseLocal } from './granularity-math.ts';
import { rollupBuildQuery } from './rollup-build-query.ts';

export interface LambdaBoundary {
  /** Latest stored bucket ('' when the batch holds no rows: everything comes from the source). */
  readonly watermark: string;
  /** First bucket the source answers in full (the bucket after the watermark); '' = from the start. */
  readonly tailStart: string;
  /** Per time range, buckets stamped at or after its stamp come from the source (empty = no stamp declared). */
  readonly changedSince: readonly StampRange[];
}

/** Buckets from `from` ('' = the start of time) up to the next range's `from`, and the stamp that marks them changed. */
export interface StampRange {
  readonly from: string;
  readonly stamp: string;
}

/**
 * A bound on the OR the tail query carries. Cheap merging keeps one range per stretch of
 * partitions left behind together (≈ one per update window of uptime), far below this.
 */
const MAX_STAMP_RANGES = 96;

/** The boundary of a lease, or undefined when a partition lacks the stamp the source declares. */
export function lambdaBoundary(batch: PreAggregation, partitions: readonly PartitionInfo[], stamped: boolean): LambdaBoundary | undefined {
  const granularity = batch.timeDimensions[0]!.granularity;
  if (!isStandardGranularity(granularity)) return undefined;
  let watermark = '';
  for (const p of partitions) if (p.watermark > watermark) watermark = p.watermark;
  let changedSince: StampRange[] = [];
  if (stamped) {
    // A partition built without a stamp cannot tell which of its buckets changed: no lambda.
    if (partitions.some((p) => p.changeStamp === '')) return undefined;
    changedSince = stampRanges(partitions);
  }
  return { watermark, tailStart: watermark ? afterBucket(watermark, granularity) : '', changedSince };
}

/**
 * The partitions, in time order, as consecutive ranges, each with the oldest stamp of its
 * partitions. Partitions merge when that costs no untouched rows; only past MAX_STAMP_RANGES do
 * ranges merge at a cost (stamps within a tolerance that grows until they fit).
 */
export function stampRanges(partitions: readonly PartitionInfo[]): StampRange[] {
  const sorted = [...partitions].sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
  const millis = sorted.map((p) => parseLocal(p.changeStamp));
  if (millis.some((m) => Number.isNaN(m))) return [{ from: '', stamp: sorted.map((p) => p.changeStamp).sort()[0]! }];
  const cheap = mergeWhileFree(sorted, millis);
  return cheap.length <= MAX_STAMP_RANGES ? cheap : mergeWithinTolerance(sorted, millis);
}

/**
 * A partition joins the range before it when the range's stamp S (the oldest) stays sound and
 * cheap for every member: a member whose own stamp is newer than S sends its rows stamped since S,
 * which are only rewrites when S was read after the member's last bucket began (its rows written
 * in the normal course are stamped before S). So the history built at start-up is one range, and
 * hours left behind by the update window join it as soon as a stamp old enough covers them.
 */
function mergeWhileFree(sorted: readonly PartitionInfo[], millis: readonly number[]): StampRange[] {
  const ranges: { from: string; stamp: string; min: number; lastBucket: number }[] = [];
  sorted.forEach((p, i) => {
    const m = millis[i]!;
    const lastBucket = p.watermark ? parseLocal(p.watermark) : Number.NEGATIVE_INFINITY;
    const range = ranges.at(-1);
    // Joining keeps S when m ≥ S (the newcomer must be covered by S), else S becomes m (every member must be).
    const joins = range !== undefined && (m >= range.min ? m === range.min || range.min >= lastBucket : m >= range.lastBucket);
    if (!joins) {
      ranges.push({ from: ranges.length === 0 ? '' : p.partition, stamp: p.changeStamp, min: m, lastBucket });
      return;
    }
    if (m < range.min) [range.min, range.stamp] = [m, p.changeStamp];
    range.lastBucket = Math.max(range.lastBucket, lastBucket);
  });
  return ranges.map(({ from, stamp }) => ({ from, stamp }));
}

function mergeWithinTolerance(sorted: readonly PartitionInfo[], millis: readonly number[]): StampRange[] {
  for (let tolerance = 1000; ; tolerance *= 4) {
    const ranges: { from: string; stamp: string; min: number; max: number }[] = [];
    sorted.forEach((p, i) => {
      const m = millis[i]!;
      const last = ranges.at(-1);
      if (last && Math.max(last.max, m) - Math.min(last.min, m) <= tolerance) {
        if (m < last.min) [last.min, last.stamp] = [m, p.changeStamp];
        last.max = Math.max(last.max, m);
      } else {
        ranges.push({ from: ranges.length === 0 ? '' : p.partition, stamp: p.changeStamp, min: m, max: m });
      }
    });
    if (ranges.length <= MAX_STAMP_RANGES) return ranges.map(({ from, stamp }) => ({ from, stamp }));
  }
}


/**
 * The Cube query for the tail: the batch's build query (same grouping and stored columns) over
 * the buckets from `tailStart` on, plus, with a stamp, every row of a range stamped at or after
 * that range's stamp. One query, so the source answers from one snapshot.
 */
export function lambdaTailQuery(cube: Cube, batch: PreAggregation, boundary: LambdaBoundary, stampPath: string | undefined): CubeQuery {
  const base = rollupBuildQuery(cube, batch);
  const time = batch.timeDimensions[0]!.dimension;
  const parts: Filter[] = [];
  if (boundary.tailStart) parts.push({ member: time, operator: 'afterOrOnDate', values: [boundary.tailStart] });
  if (stampPath) {
    boundary.changedSince.forEach((range, i) => {
      const next = boundary.changedSince[i + 1]?.from;
      const conditions: Filter[] = [{ member: stampPath, operator: 'afterOrOnDate', values: [range.stamp] }];
      if (range.from) conditions.push({ member: time, operator: 'afterOrOnDate', values: [range.from] });
      if (next) conditions.push({ member: time, operator: 'beforeDate', values: [next] });
      parts.push(conditions.length === 1 ? conditions[0]! : { and: conditions });
    });
  }
  // No watermark means nothing stored: the whole source is the tail.
  if (!boundary.tailStart) return base;
  return { ...base, filters: [parts.length === 1 ? parts[0]! : { or: parts }] };
}

function afterBucket(bucket: string, granularity: Granularity): string {
  const next = nextBucket(Date.parse(`${bucket.slice(0, 23)}Z`), granularity);
  return new Date(next).toISOString().slice(0, 23);
}
