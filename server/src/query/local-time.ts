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
  return new Date(Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, now.getUTCMilliseconds()));
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
    case 'day': return new Date(Date.UTC(y, m, d.getUTCDate()));
    case 'week': {
      const day = new Date(Date.UTC(y, m, d.getUTCDate()));
      return addUnits(day, -((day.getUTCDay() + 6) % 7), 'day');
    }
    case 'month': return new Date(Date.UTC(y, m, 1));
    case 'quarter': return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'year': return new Date(Date.UTC(y, 0, 1));
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
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
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
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms));
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1) return undefined;
  return { date, dateOnly: h === undefined };
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
  return formatLocal(new Date(utc));
}
