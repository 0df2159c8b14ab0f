/**
 * Cube's interval text ("1 hour", "3 month 3 days 3 hours", "-1 day", "unbounded"): one reader for
 * the model's checks, the planner's rolling windows, time shifts and custom granularities, and the
 * refresh schedule's `every`.
 * Reference: https://cube.dev/docs/reference/data-model/dimensions#granularities
 */
import { UserError } from '../errors/user-error.ts';
import type { CalendarUnit } from './local-time.ts';

/** One part of an interval such as "3 month 3 days 3 hours". */
export interface IntervalPart {
  readonly amount: number;
  readonly unit: CalendarUnit;
}

const PART = /(-?)\s*(\d+)\s*(second|minute|hour|day|week|month|quarter|year)s?/g;

/** The parts of `text`, `'unbounded'`, or undefined when `text` is not an interval. */
export function readInterval(text: string): readonly IntervalPart[] | 'unbounded' | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'unbounded') return 'unbounded';
  const parts = [...trimmed.matchAll(PART)].map((m) => ({ amount: Number(`${m[1]}${m[2]}`), unit: m[3] as CalendarUnit }));
  if (parts.length === 0 || trimmed.replace(PART, '').trim() !== '') return undefined;
  return parts;
}

/** True for a bounded interval such as "2 month" or "1 year 2 days". */
export function isInterval(text: string): boolean {
  const parts = readInterval(text);
  return parts !== undefined && parts !== 'unbounded';
}

// Nominal lengths, for schedules only (a refresh `every: 1 month` is 30 days): calendar math on
// dates uses addUnits, which knows month lengths.
const NOMINAL_MS: Record<CalendarUnit, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  quarter: 90 * 86_400_000,
  year: 365 * 86_400_000,
};

/** The nominal length of `parts` in milliseconds. */
export function nominalMillis(parts: readonly IntervalPart[]): number {
  return parts.reduce((total, part) => total + part.amount * NOMINAL_MS[part.unit], 0);
}

/** '1 hour', '30 seconds', '2 days' → milliseconds (nominal); a UserError for anything else. */
export function intervalMillis(text: string): number {
  const parts = readInterval(text);
  const ms = parts === undefined || parts === 'unbounded' ? 0 : nominalMillis(parts);
  if (!(ms > 0)) throw new UserError('QUERY_INVALID', `Cannot read the interval "${text}"; expected e.g. "1 hour" or "30 seconds"`);
  return ms;
}

/**
 * Which `every`-long bucket of the epoch `now` falls in: the value of a refresh key `every`
 * (rollups and the source result cache alike), which changes once per interval.
 */
export function intervalBucket(every: string, now: number): string {
  return String(Math.floor(now / intervalMillis(every)));
}
