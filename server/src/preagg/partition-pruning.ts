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
import type { PartitionInfo } from './preagg-store.ts';
import { isAlignedRange, isStandardGranularity, nextBucket } from './granularity-math.ts';

/** The partitions the query can read, as a filter; undefined when all of them (nothing to prune). */
export function partitionFilter(query: NormalizedQuery, rollup: PreAggregation): ((partition: PartitionInfo) => boolean) | undefined {
  const partitionGranularity = rollup.partitionGranularity;
  const partitioned = rollup.timeDimensions[0];
  if (!partitionGranularity || !isStandardGranularity(partitionGranularity) || !partitioned) return undefined;
  let from = -Infinity;
  let to = Infinity;
  let bounded = false;
  for (const td of query.timeDimensions) {
    if (td.target.member.path !== partitioned.dimension || !td.dateRange) continue;
    // A range cutting a stored bucket could select a row built in a partition outside it: no pruning.
    if (!isAlignedRange(td.dateRange, partitioned.granularity)) return undefined;
    const start = parseLocal(td.dateRange[0]);
    const end = parseLocal(td.dateRange[1]);
    if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
    from = Math.max(from, start);
    to = Math.min(to, end);
    bounded = true;
  }
  if (!bounded) return undefined;
  return (partition) => {
    if (partition.partition === '') return true;
    const start = Date.parse(`${partition.partition}Z`);
    if (Number.isNaN(start)) return true;
    return start <= to && nextBucket(start, partitionGranularity) > from;
  };
}

/**
 * Whether a rollup built for a limited range (`build_range_start/end`, `covered` as the store
 * recorded it) holds every row the query can select: the query's date range on the partitioned
 * time dimension must lie inside it. Otherwise the source answers — a rollup would silently drop
 * the rows outside its build range (Cube serves them incomplete).
 */
export function coversQuery(query: NormalizedQuery, rollup: PreAggregation, covered: readonly [string | undefined, string | undefined]): boolean {
  const partitioned = rollup.timeDimensions[0];
  if (!partitioned) return true;
  const from = covered[0] === undefined ? -Infinity : parseLocal(covered[0]);
  const to = covered[1] === undefined ? Infinity : parseLocal(covered[1]);
  let start = -Infinity;
  let end = Infinity;
  for (const td of query.timeDimensions) {
    if (td.target.member.path !== partitioned.dimension || !td.dateRange) continue;
    start = Math.max(start, parseLocal(td.dateRange[0]));
    end = Math.min(end, parseLocal(td.dateRange[1]));
  }
  return start >= from && end <= to;
}

/** Local ISO ('2026-03-01', '2026-03-01T00:00:00.000') → milliseconds of the same wall-clock time in UTC. */
function parseLocal(iso: string): number {
  const text = iso.length === 10 ? `${iso}T00:00:00.000` : iso;
  return Date.parse(text.endsWith('Z') ? text : `${text}Z`);
}
