/**
 * Partition pruning: a query whose date range covers one month of a monthly-partitioned rollup
 * reads that month's table, not all of them.
 *
 * Sound only when every range on the partitioned time dimension falls on whole buckets of the
 * rollup's granularity (matching guarantees it, or `widenToBuckets` made it so): then a stored
 * row (bucket b, built from source rows in partition P) is selected iff b lies in the range, iff
 * its whole bucket does, so a partition that does not overlap the range holds no selected row.
 * Partition keys and query ranges are both local times of the rollup's time zone (matching
 * requires the query's time zone to be the rollup's).
 */
import type { PreAggregation } from '../model/model-types.ts';
import type { NormalizedQuery } from '../query/query-types.ts';
import { isAlignedRange, isStandardGranularity, nextBucket, parseLocal } from './granularity-math.ts';
import type { BuildRange, PartitionInfo } from './preagg-store.ts';

/** The partitions the query can read, as a filter; undefined when all of them (nothing to prune). */
export function partitionFilter(query: NormalizedQuery, rollup: PreAggregation): ((partition: PartitionInfo) => boolean) | undefined {
  const partitionGranularity = rollup.partitionGranularity;
  if (!partitionGranularity || !isStandardGranularity(partitionGranularity)) return undefined;
  const range = requestedRange(query, rollup);
  // A range cutting a stored bucket could select a row built in a partition outside it: no pruning.
  if (!range || !range.aligned || Number.isNaN(range.from) || Number.isNaN(range.to)) return undefined;
  return (partition) => {
    if (partition.partition === '') return true;
    const start = Date.parse(`${partition.partition}Z`);
    if (Number.isNaN(start)) return true;
    return start <= range.to && nextBucket(start, partitionGranularity) > range.from;
  };
}

/**
 * Whether a rollup built for a limited range (`build_range_start/end`, `covered` as the store
 * recorded it) holds every row the query can select: the query's date range on the partitioned
 * time dimension must lie inside it. Otherwise the source answers — a rollup would silently drop
 * the rows outside its build range (Cube serves them incomplete).
 */
export function coversQuery(query: NormalizedQuery, rollup: PreAggregation, covered: BuildRange): boolean {
  if (!rollup.timeDimensions[0]) return true;
  const range = requestedRange(query, rollup);
  const from = covered[0] === undefined ? -Infinity : parseLocal(covered[0]);
  const to = covered[1] === undefined ? Infinity : parseLocal(covered[1]);
  return (range?.from ?? -Infinity) >= from && (range?.to ?? Infinity) <= to;
}

/**
 * The date range the query asks of the rollup's (first, partitioned) time dimension, every range
 * on it intersected, and whether each falls on whole stored buckets; undefined when it has none.
 */
function requestedRange(query: NormalizedQuery, rollup: PreAggregation): { from: number; to: number; aligned: boolean } | undefined {
  const partitioned = rollup.timeDimensions[0];
  if (!partitioned) return undefined;
  let range: { from: number; to: number; aligned: boolean } | undefined;
  for (const td of query.timeDimensions) {
    if (td.target.member.path !== partitioned.dimension || !td.dateRange) continue;
    range = {
      from: Math.max(range?.from ?? -Infinity, parseLocal(td.dateRange[0])),
      to: Math.min(range?.to ?? Infinity, parseLocal(td.dateRange[1])),
      aligned: (range?.aligned ?? true) && isAlignedRange(td.dateRange, partitioned.granularity),
    };
  }
  return range;
}
