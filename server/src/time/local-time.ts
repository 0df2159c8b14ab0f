/**
 * Wall-clock arithmetic in a query's time zone. A local time is held as a `Date` whose UTC fields
 * ARE the local fields (a "naive" timestamp), so calendar math is plain UTC math and no library
 * is needed. Conversion from an instant uses Intl, which knows every IANA zone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (IANA names, 'UTC'). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `timeZone` at instant `now`, as a naive Date. */
export function localNow(now: Date, timeZone: string): Date {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(now)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return utcDate(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, now.getUTCMilliseconds());
}

/** '2024-05-13T00:00:00.000' from a naive Date. */
export function formatLocal(d: Date): string {
  return d.toISOString().slice(0, 23);
}

export type CalendarUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** Start of the unit containing `d` (weeks start on Monday, as ISO weeks and Cube do). */
export function startOf(d: Date, unit: CalendarUnit): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (unit) {
    case 'second': return new Date(Math.floor(d.getTime() / 1000) * 1000);
    case 'minute': return new Date(Math.floor(d.getTime() / 60000) * 60000);
    case 'hour': return new Date(Math.floor(d.getTime() / 3600000) * 3600000);
    case 'day': return utcDate(y, m, d.getUTCDate());
    case 'week': {
      const day = utcDate(y, m, d.getUTCDate());
      return addUnits(day, -((day.getUTCDay() + 6) % 7), 'day');
    }
    case 'month': return utcDate(y, m, 1);
    case 'quarter': return utcDate(y, m - (m % 3), 1);
    case 'year': return utcDate(y, 0, 1);
  }
}

/** Last millisecond of the unit containing `d`. */
export function endOf(d: Date, unit: CalendarUnit): Date {
  return new Date(addUnits(startOf(d, unit), 1, unit).getTime() - 1);
}

/** Adds `n` units; months clamp to the month's last day as calendar libraries do. */
export function addUnits(d: Date, n: number, unit: CalendarUnit): Date {
  const fixed: Partial<Record<CalendarUnit, number>> = { second: 1000, minute: 60000, hour: 3600000, day: 86400000, week: 604800000 };
  const ms = fixed[unit];
  if (ms !== undefined) return new Date(d.getTime() + n * ms);
  const months = unit === 'year' ? n * 12 : unit === 'quarter' ? n * 3 : n;
  const target = new Date(d.getTime());
  const day = d.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const last = utcDate(target.getUTCFullYear(), target.getUTCMonth() + 1, 0).getUTCDate();
  target.setUTCDate(Math.min(day, last));
  return target;
}

const LOCAL_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

/** Parses '2024-05-13', '2024-05-13T10:00', '2024-05-13 10:00:00.5' as a naive local time; undefined if not one. */
export function parseLocal(text: string): { date: Date; dateOnly: boolean } | undefined {
  const m = LOCAL_TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const date = utcDate(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1) return undefined;
  if (!isSupportedLocalTime(date)) return undefined;
  return { date, dateOnly: h === undefined };
}

const ZONED_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A time as the wall clock of `timeZone`: a naive local time as written (parseLocal), or an
 * instant with a zone designator ('2025-03-01T00:00:00.000Z', '…-03:00', as JavaScript's
 * `toISOString` and our GraphQL API write them) converted to that zone's wall clock — Cube reads
 * such values the same way. Undefined if neither.
 */
export function parseWallClock(text: string, timeZone: string): { date: Date; dateOnly: boolean } | undefined {
  // Relative ranges arrive lower-cased ('from 2024-03-01t00:00:00z to now').
  const upper = text.trim().toUpperCase();
  const local = parseLocal(upper);
  if (local) return local;
  const m = ZONED_TIMESTAMP.exec(upper);
  if (!m || !parseLocal(m[1]!)) return undefined;
  const zone = m[2] === 'Z' ? 'Z' : m[2]!.length === 5 ? `${m[2]!.slice(0, 3)}:${m[2]!.slice(3)}` : m[2]!;
  const instant = new Date(`${m[1]!.replace(' ', 'T')}${zone}`);
  if (Number.isNaN(instant.getTime())) return undefined;
  const wall = localNow(instant, timeZone);
  return isSupportedLocalTime(wall) ? { date: wall, dateOnly: false } : undefined;
}

/** `Date.UTC` with the year taken as written: `Date.UTC` itself reads years 0–99 as 1900–1999. */
function utcDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, ms); // overflowing fields roll over, as in Date.UTC
  return date;
}

const FIRST_SUPPORTED = -62135596800000; // 0001-01-01T00:00:00.000 (Date.UTC would read year 1 as 1901)
const LAST_SUPPORTED = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * True for a valid naive Date in years 0001–9999: the range DuckDB, Spark and Trino all accept as
 * `TIMESTAMP 'YYYY-…'`, and the only one `formatLocal`'s fixed-width text can write.
 */
export function isSupportedLocalTime(d: Date): boolean {
  const t = d.getTime();
  return t >= FIRST_SUPPORTED && t <= LAST_SUPPORTED;
}

/**
 * '2024-05-13T00:00:00.000' in 'America/Sao_Paulo' → '2024-05-13T03:00:00.000Z' (GraphQL's
 * DateTime); text that is not a local time is returned unchanged.
 */
export function localToUtcIso(local: string, timeZone: string): string {
  return parseLocal(local) ? `${localToUtc(local, timeZone)}Z` : local;
}

/** The UTC instant (naive, '…T…' without zone) at which wall-clock `local` happens in `timeZone`. */
export function localToUtc(local: string, timeZone: string): string {
  const parsed = parseLocal(local);
  if (!parsed) return local;
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return formatLocal(parsed.date);
  const wall = parsed.date.getTime();
  const offset = (utc: number): number => localNow(new Date(utc), timeZone).getTime() - utc;
  // Two passes settle the offset around DST transitions.
  let utc = wall - offset(wall);
  utc = wall - offset(utc);
  // A bound at the calendar's edge (9999-12-31 in a zone west of UTC) would cross it in UTC:
  // clamp, which compares the same against every storable timestamp.
  return formatLocal(new Date(Math.min(Math.max(utc, FIRST_SUPPORTED), LAST_SUPPORTED)));
}
