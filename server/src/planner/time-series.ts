/**
 * Intervals, custom granularities and the date series rolling windows are computed over (Cube
 * builds the series of the query's granularity inside the date range; buckets without facts
 * still appear, with null measures).
 */
import type { CustomGranularity, Dimension } from '../model/model-types.ts';
import { GRANULARITIES } from '../model/model-types.ts';
import { addUnits, formatLocal, parseLocal, startOf, type CalendarUnit } from '../time/local-time.ts';
import { readInterval, type IntervalPart } from '../time/interval.ts';
import { UserError } from '../errors/user-error.ts';

export type { IntervalPart };

/** Parses Cube interval text (`where` names the member in the error); `unbounded` is returned as such. */
export function parseInterval(text: string, where: string): readonly IntervalPart[] | 'unbounded' {
  const parts = readInterval(text);
  if (parts === undefined) throw new UserError('MODEL_INVALID', `${where}: cannot parse interval "${text}"`);
  return parts;
}

/** A custom granularity as months + seconds from an origin (local time). */
export interface CustomBucket {
  readonly origin: string;
  readonly months: number;
  readonly seconds: number;
  readonly nominalSeconds: number;
  readonly parts: readonly IntervalPart[];
}

/** Resolves a custom granularity of `dimension` (interval + origin/offset). */
export function customBucket(dimension: Dimension, name: string): CustomBucket | undefined {
  const g: CustomGranularity | undefined = dimension.granularities.find((x) => x.name === name);
  if (!g) return undefined;
  if (!g.interval) throw new UserError('UNSUPPORTED', `Granularity ${name} of ${dimension.path} has no interval (SQL-defined granularities are not supported yet)`);
  const parts = parseInterval(g.interval, `${dimension.path}.${name}`);
  if (parts === 'unbounded') throw new UserError('MODEL_INVALID', `Granularity ${name} of ${dimension.path} cannot be unbounded`);
  let months = 0;
  let seconds = 0;
  let nominalSeconds = 0;
  for (const p of parts) {
    if (p.unit === 'year' || p.unit === 'quarter' || p.unit === 'month') {
      months += p.amount * (p.unit === 'year' ? 12 : p.unit === 'quarter' ? 3 : 1);
      nominalSeconds += p.amount * (p.unit === 'year' ? 365.25 * 86400 : (p.unit === 'quarter' ? 90 : 30) * 86400);
    } else {
      const s = p.amount * ({ second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 } as Record<string, number>)[p.unit]!;
      seconds += s;
      nominalSeconds += s;
    }
  }
  let origin = '1970-01-01T00:00:00.000';
  if (g.origin) {
    const parsed = parseLocal(g.origin);
    if (!parsed) throw new UserError('MODEL_INVALID', `Granularity ${name} of ${dimension.path}: origin "${g.origin}" is not a timestamp`);
    origin = formatLocal(parsed.date);
  } else if (g.offset) {
    const offset = parseInterval(g.offset, `${dimension.path}.${name}.offset`);
    if (offset !== 'unbounded') origin = formatLocal(addParts(new Date(Date.parse(`${origin}Z`)), offset, 1));
  }
  return { origin, months, seconds, nominalSeconds, parts };
}

export function addParts(d: Date, parts: readonly IntervalPart[], sign: 1 | -1): Date {
  return parts.reduce((acc, p) => addUnits(acc, sign * p.amount, p.unit), d);
}

const MAX_BUCKETS = 100_000;

/**
 * Buckets `[label, from, to]` (inclusive, local) of `granularity` covering `range`. For standard
 * granularities the label is the bucket start. For custom ones Cube labels buckets aligned on the
 * origin but steps the windows from the range start (observed in Cube's corpus); we do the same.
 */
export function dateSeries(range: readonly [string, string], granularity: string | undefined, dimension: Dimension): [string, string, string][] {
  const aligned = alignedSeries(range, granularity, dimension);
  if (!granularity || (GRANULARITIES as readonly string[]).includes(granularity)) return aligned.map(([from, to]) => [from, from, to]);
  const bucket = customBucket(dimension, granularity)!;
  let from = new Date(Date.parse(`${range[0]}Z`));
  return aligned.map(([label]) => {
    const next = addParts(from, bucket.parts, 1);
    const row: [string, string, string] = [label, formatLocal(from), formatLocal(new Date(next.getTime() - 1))];
    from = next;
    return row;
  });
}

function alignedSeries(range: readonly [string, string], granularity: string | undefined, dimension: Dimension): [string, string][] {
  const start = new Date(Date.parse(`${range[0]}Z`));
  const end = new Date(Date.parse(`${range[1]}Z`));
  if (!granularity) return [[range[0], range[1]]];
  let next: (d: Date) => Date;
  let first: Date;
  if ((GRANULARITIES as readonly string[]).includes(granularity)) {
    const unit = granularity as CalendarUnit;
    next = (d) => addUnits(d, 1, unit);
    first = startOf(start, unit);
  } else {
    const bucket = customBucket(dimension, granularity)!;
    next = (d) => addParts(d, bucket.parts, 1);
    first = new Date(Date.parse(`${bucket.origin}Z`));
    let guard = 0;
    while (first.getTime() > start.getTime() && guard++ < MAX_BUCKETS) first = addParts(first, bucket.parts, -1);
    while (next(first).getTime() <= start.getTime() && guard++ < MAX_BUCKETS) first = next(first);
  }
  const buckets: [string, string][] = [];
  for (let d = first; d.getTime() <= end.getTime(); d = next(d)) {
    if (buckets.length >= MAX_BUCKETS) throw new UserError('QUERY_INVALID', `The date range of ${dimension.path} holds more than ${MAX_BUCKETS} ${granularity} buckets`);
    buckets.push([formatLocal(d), formatLocal(new Date(next(d).getTime() - 1))]);
  }
  return buckets;
}
