/**
 * Cube's date ranges → an absolute inclusive local range in the query time zone.
 * Relative forms follow Cube's date parser: "last N days" ends yesterday, "this month" covers the
 * whole month, "from X to Y" snaps to whole days unless the text names hours/minutes/seconds.
 * https://cube.dev/docs/product/apis-integrations/rest-api/query-format#relative-date-range
 */
import { UserError } from '../errors/user-error.ts';
import { addUnits, endOf, formatLocal, localNow, parseLocal, startOf, type CalendarUnit } from './local-time.ts';

const UNITS = 'second|minute|hour|day|week|month|quarter|year';
const LAST_N = new RegExp(`^last\\s+(\\d+)\\s+(${UNITS})s?$`);
const NEXT_N = new RegExp(`^next\\s+(\\d+)\\s+(${UNITS})s?$`);
const RELATIVE_ONE = new RegExp(`^(this|last|next)\\s+(${UNITS})$`);
const AGO = new RegExp(`^(\\d+)\\s+(${UNITS})s?\\s+ago$`);
const FROM_NOW = new RegExp(`^(\\d+)\\s+(${UNITS})s?\\s+from\\s+now$`);

type Range = readonly [string, string];

/** Resolves a Cube `dateRange` (string or pair) at instant `now` in `timeZone`. */
export function parseDateRange(range: unknown, timeZone: string, now: Date, member: string): Range {
  const fail = (): never => {
    throw new UserError('INVALID_DATE_RANGE', `Can't parse date range ${JSON.stringify(range)} of ${member}`, {
      hint: "Use ['2024-01-01', '2024-01-31'], 'last 7 days', 'this month', 'from 3 months ago to now' …",
    });
  };
  if (Array.isArray(range)) {
    if (range.length !== 2 || typeof range[0] !== 'string' || typeof range[1] !== 'string') return fail();
    const from = parseLocal(range[0]);
    const to = parseLocal(range[1]);
    if (!from || !to) return fail();
    const end = to.dateOnly ? endOf(to.date, 'day') : to.date;
    if (end.getTime() < from.date.getTime()) return fail();
    return [formatLocal(from.date), formatLocal(end)];
  }
  if (typeof range !== 'string') return fail();
  return parseRelative(range.trim().toLowerCase(), localNow(now, timeZone)) ?? fail();
}

function parseRelative(text: string, now: Date): Range | undefined {
  const span = (from: Date, to: Date): Range => [formatLocal(from), formatLocal(to)];
  const day = (d: Date): Range => span(startOf(d, 'day'), endOf(d, 'day'));
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
    const from = parsePoint(fromTo[1]!, now);
    const to = parsePoint(fromTo[2]!, now);
    if (!from || !to) return undefined;
    const exact = (['second', 'minute', 'hour'] as const).find((g) => text.includes(g)) ?? 'day';
    const start = from.dateOnly || exact !== 'day' || !from.exact ? startOf(from.date, exact) : from.date;
    const end = to.dateOnly || !to.exact ? endOf(to.date, exact) : to.date;
    return end.getTime() < start.getTime() ? undefined : span(start, end);
  }
  const single = parseLocal(text);
  if (single) return single.dateOnly ? day(single.date) : span(single.date, single.date);
  return undefined;
}

/** One side of "from X to Y": a date, a timestamp, now/today/yesterday/tomorrow, "N units ago", "N units from now". */
function parsePoint(text: string, now: Date): { date: Date; dateOnly: boolean; exact: boolean } | undefined {
  if (text === 'now') return { date: now, dateOnly: false, exact: false };
  if (text === 'today') return { date: now, dateOnly: true, exact: false };
  if (text === 'yesterday') return { date: addUnits(now, -1, 'day'), dateOnly: true, exact: false };
  if (text === 'tomorrow') return { date: addUnits(now, 1, 'day'), dateOnly: true, exact: false };
  let m = AGO.exec(text);
  if (m) return { date: addUnits(now, -Number(m[1]), m[2] as CalendarUnit), dateOnly: false, exact: false };
  m = FROM_NOW.exec(text);
  if (m) return { date: addUnits(now, Number(m[1]), m[2] as CalendarUnit), dateOnly: false, exact: false };
  const local = parseLocal(text);
  return local ? { ...local, exact: true } : undefined;
}
