/**
 * Cube's date ranges → an absolute inclusive local range in the query time zone.
 * Relative forms follow Cube's date parser: "last N days" ends yesterday, "this month" covers the
 * whole month, "from X to Y" snaps to whole days unless the text names hours/minutes/seconds.
 * https://cube.dev/docs/product/apis-integrations/rest-api/query-format#relative-date-range
 */
import { UserError } from '../errors/user-error.ts';
import { addUnits, endOf, formatLocal, isSupportedLocalTime, localNow, parseWallClock, startOf, type CalendarUnit } from '../time/local-time.ts';

const UNITS = 'second|minute|hour|day|week|month|quarter|year';
const LAST_N = new RegExp(`^last\\s+(\\d+)\\s+(${UNITS})s?$`);
const NEXT_N = new RegExp(`^next\\s+(\\d+)\\s+(${UNITS})s?$`);
const RELATIVE_ONE = new RegExp(`^(this|last|next)\\s+(${UNITS})$`);
const AGO = new RegExp(`^(\\d+)\\s+(${UNITS})s?\\s+ago$`);
const FROM_NOW = new RegExp(`^(\\d+)\\s+(${UNITS})s?\\s+from\\s+now$`);

type Range = readonly [string, string];
type DateSpan = readonly [Date, Date];

/** Resolves a Cube `dateRange` (string or pair) at instant `now` in `timeZone`. */
export function parseDateRange(range: unknown, timeZone: string, now: Date, member: string): Range {
  const fail = (): never => {
    throw new UserError('INVALID_DATE_RANGE', `Can't parse date range ${JSON.stringify(range)} of ${member}`, {
      hint: "Use ['2024-01-01', '2024-01-31'], 'last 7 days', 'this month', 'from 3 months ago to now' …",
    });
  };
  const span = resolveSpan(range, timeZone, now) ?? fail();
  // "from 10000 years ago to now", "last 99999999 years": the arithmetic leaves the calendar the
  // databases share (years 1 to 9999) or overflows to an invalid Date; either way the caller's range is bad.
  if (!span.every(isSupportedLocalTime)) {
    throw new UserError('INVALID_DATE_RANGE', `Date range ${JSON.stringify(range)} of ${member} reaches outside the years 0001 to 9999`);
  }
  return [formatLocal(span[0]), formatLocal(span[1])];
}

function resolveSpan(range: unknown, timeZone: string, now: Date): DateSpan | undefined {
  if (Array.isArray(range)) {
    // One date is the range of that date alone, as Cube reads `[d]`.
    const [first, last = first] = range as unknown[];
    if (range.length < 1 || range.length > 2 || typeof first !== 'string' || typeof last !== 'string') return undefined;
    const from = parseWallClock(first, timeZone);
    const to = parseWallClock(last, timeZone);
    if (!from || !to) return undefined;
    const end = to.dateOnly ? endOf(to.date, 'day') : to.date;
    if (end.getTime() < from.date.getTime()) {
      throw new UserError('INVALID_DATE_RANGE', `Date range ${JSON.stringify(range)} ends before it starts`, { hint: 'write the earlier date first: [from, to]' });
    }
    return [from.date, end];
  }
  if (typeof range !== 'string') return undefined;
  return parseRelative(range.trim().toLowerCase(), localNow(now, timeZone), timeZone);
}

function parseRelative(text: string, now: Date, timeZone: string): DateSpan | undefined {
  const span = (from: Date, to: Date): DateSpan => [from, to];
  const day = (d: Date): DateSpan => span(startOf(d, 'day'), endOf(d, 'day'));
  if (text === 'today') return day(now);
  if (text === 'yesterday') return day(addUnits(now, -1, 'day'));
  if (text === 'tomorrow') return day(addUnits(now, 1, 'day'));
  let m = LAST_N.exec(text);
  if (m) {
    const [n, unit] = [Number(m[1]), m[2] as CalendarUnit];
    return span(addUnits(startOf(now, unit), -n, unit), endOf(addUnits(now, -1, unit), unit));
  }
  m = NEXT_N.exec(text);
  if (m) {
    const [n, unit] = [Number(m[1]), m[2] as CalendarUnit];
    return span(startOf(addUnits(now, 1, unit), unit), endOf(addUnits(now, n, unit), unit));
  }
  m = RELATIVE_ONE.exec(text);
  if (m) {
    const unit = m[2] as CalendarUnit;
    const shift = m[1] === 'this' ? 0 : m[1] === 'last' ? -1 : 1;
    const anchor = addUnits(now, shift, unit);
    return span(startOf(anchor, unit), endOf(anchor, unit));
  }
  const fromTo = /^from\s+(.+?)\s+to\s+(.+)$/.exec(text);
  if (fromTo) {
    const from = parsePoint(fromTo[1]!, now, timeZone);
    const to = parsePoint(fromTo[2]!, now, timeZone);
    if (!from || !to) return undefined;
    const exact = (['second', 'minute', 'hour'] as const).find((g) => text.includes(g)) ?? 'day';
    const start = from.dateOnly || exact !== 'day' || !from.exact ? startOf(from.date, exact) : from.date;
    const end = to.dateOnly || !to.exact ? endOf(to.date, exact) : to.date;
    return end.getTime() < start.getTime() ? undefined : span(start, end);
  }
  const single = parseWallClock(text, timeZone);
  if (single) return single.dateOnly ? day(single.date) : span(single.date, single.date);
  return undefined;
}

/** One side of "from X to Y": a date, a timestamp, now/today/yesterday/tomorrow, "N units ago", "N units from now". */
function parsePoint(text: string, now: Date, timeZone: string): { date: Date; dateOnly: boolean; exact: boolean } | undefined {
  if (text === 'now') return { date: now, dateOnly: false, exact: false };
  if (text === 'today') return { date: now, dateOnly: true, exact: false };
  if (text === 'yesterday') return { date: addUnits(now, -1, 'day'), dateOnly: true, exact: false };
  if (text === 'tomorrow') return { date: addUnits(now, 1, 'day'), dateOnly: true, exact: false };
  let m = AGO.exec(text);
  if (m) return { date: addUnits(now, -Number(m[1]), m[2] as CalendarUnit), dateOnly: false, exact: false };
  m = FROM_NOW.exec(text);
  if (m) return { date: addUnits(now, Number(m[1]), m[2] as CalendarUnit), dateOnly: false, exact: false };
  const local = parseWallClock(text, timeZone);
  return local ? { ...local, exact: true } : undefined;
}
