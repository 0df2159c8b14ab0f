/**
 * Which time granularities can be computed from which: a rollup stored by `day` serves `week`,
 * `month`, `quarter` and `year`; one stored by `week` serves only `week` (weeks straddle months).
 */
import type { Granularity } from '../model/model-types.ts';

const DERIVABLE_FROM: Record<Granularity, readonly Granularity[]> = {
  second: ['second'],
  minute: ['minute', 'second'],
  hour: ['hour', 'minute', 'second'],
  day: ['day', 'hour', 'minute', 'second'],
  week: ['week', 'day', 'hour', 'minute', 'second'],
  month: ['month', 'day', 'hour', 'minute', 'second'],
  quarter: ['quarter', 'month', 'day', 'hour', 'minute', 'second'],
  year: ['year', 'quarter', 'month', 'day', 'hour', 'minute', 'second'],
};

export function isStandardGranularity(value: string): value is Granularity {
  return Object.hasOwn(DERIVABLE_FROM, value);
}

/** Can a query at `wanted` granularity be answered from data stored at `stored`? */
export function isDerivableGranularity(wanted: string, stored: string): boolean {
  if (!isStandardGranularity(wanted) || !isStandardGranularity(stored)) return wanted === stored;
  return DERIVABLE_FROM[wanted].includes(stored);
}

/**
 * Is `[from, to]` (local ISO strings, inclusive, to ending in .999) made of whole buckets of
 * `granularity`? A rollup can only answer date ranges that do not cut one of its buckets.
 */
export function isAlignedRange(range: readonly [string, string], granularity: string): boolean {
  if (!isStandardGranularity(granularity)) return false;
  const start = parseLocal(range[0]);
  const endExclusive = parseLocal(range[1]) + 1;
  return truncate(start, granularity) === start && truncate(endExclusive, granularity) === endExclusive;
}

/**
 * Local ISO time ('2026-03-01', '2026-03-01T00:00:00.000', '2026-03-01 00:00:00') → milliseconds
 * of the same wall-clock time read as UTC, the arithmetic every bucket computation here uses (a
 * zone suffix, when present, is honoured).
 */
export function parseLocal(iso: string): number {
  const text = iso.length === 10 ? `${iso}T00:00:00.000` : iso.trim().replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`);
}

/** Start of the bucket containing `millis` (UTC arithmetic on wall-clock values; ISO weeks start Monday). */
export function truncate(millis: number, granularity: Granularity): number {
  const d = new Date(millis);
  switch (granularity) {
    case 'second':
      return Math.floor(millis / 1000) * 1000;
    case 'minute':
      return Math.floor(millis / 60_000) * 60_000;
    case 'hour':
      return Math.floor(millis / 3_600_000) * 3_600_000;
    case 'day':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'week': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
      return day - weekday * 86_400_000;
    }
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'quarter':
      return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
    case 'year':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
  }
}

/** Start of the next bucket after the one containing `millis`. */
export function nextBucket(millis: number, granularity: Granularity): number {
  const start = new Date(truncate(millis, granularity));
  switch (granularity) {
    case 'second':
      return start.getTime() + 1000;
    case 'minute':
      return start.getTime() + 60_000;
    case 'hour':
      return start.getTime() + 3_600_000;
    case 'day':
      return start.getTime() + 86_400_000;
    case 'week':
      return start.getTime() + 7 * 86_400_000;
    case 'month':
      return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
    case 'quarter':
      return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 3, 1);
    case 'year':
      return Date.UTC(start.getUTCFullYear() + 1, 0, 1);
  }
}
