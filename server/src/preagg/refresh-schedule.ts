/**
 * Time arithmetic of refresh keys and partitions: `every: 1 hour` intervals, `update_window`,
 * and the partitions a build range splits into.
 * https://cube.dev/docs/reference/data-model/pre-aggregations#refresh_key
 */
import type { Granularity } from '../model/model-types.ts';
import { UserError } from '../errors/user-error.ts';
import { intervalMillis } from '../time/interval.ts';
import { nextBucket, truncate } from './granularity-math.ts';

/** Partition start keys (ISO dates, UTC) covering [from, to] at `granularity`. */
export function partitionsBetween(from: number, to: number, granularity: Granularity, maxPartitions = 10_000): string[] {
  const keys: string[] = [];
  for (let start = truncate(from, granularity); start <= to; start = nextBucket(start, granularity)) {
    keys.push(new Date(start).toISOString().slice(0, 19));
    if (keys.length > maxPartitions) throw new UserError('QUERY_INVALID', `More than ${maxPartitions} partitions between the build range bounds`);
  }
  return keys;
}

/** Inclusive local-time range of one partition, as a Cube dateRange. */
export function partitionRange(key: string, granularity: Granularity): [string, string] {
  const start = Date.parse(`${key}Z`);
  const end = nextBucket(start, granularity) - 1;
  return [new Date(start).toISOString().slice(0, 23), new Date(end).toISOString().slice(0, 23)];
}

/** Partitions touched by the update window ending now: the only ones an incremental refresh rebuilds. */
export function partitionsInUpdateWindow(keys: readonly string[], granularity: Granularity, updateWindow: string, now: number): string[] {
  const windowStart = truncate(now - intervalMillis(updateWindow), granularity);
  return keys.filter((key) => Date.parse(`${key}Z`) >= windowStart);
}
