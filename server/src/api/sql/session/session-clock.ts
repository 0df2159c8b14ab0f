/**
 * The session's time zone and the statement's clock: the one owner of what `SET TIME ZONE` changes.
 * Postgres reads the TimeZone setting for now()/current_timestamp (printed with the zone's
 * offset), current_date and localtimestamp (the zone's wall clock), the special inputs 'now',
 * 'today', 'tomorrow', 'yesterday', and the text of every timestamptz it prints; a statement sees
 * one instant throughout (now() is the transaction's start, constant within a statement).
 * https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-DATETIME-SPECIAL-VALUES
 * https://www.postgresql.org/docs/current/functions-datetime.html#FUNCTIONS-DATETIME-CURRENT
 */
import { formatLocal, isValidTimeZone, localNow } from '../../../time/local-time.ts';
import { SqlStateError } from './sql-state-error.ts';

/** The TimeZone a SET value names (Postgres spelling kept), or a 22023 error as Postgres gives. */
export function checkTimeZoneSetting(value: string): string {
  const zone = value.trim();
  if (/^(local|default)$/i.test(zone)) return 'UTC';
  const iana = ianaZone(zone);
  // Postgres shows a zone name as its catalog spells it ('america/sao_paulo' → 'America/Sao_Paulo').
  if (iana) return iana.startsWith('Etc/GMT') ? zone : new Intl.DateTimeFormat('en-US', { timeZone: iana }).resolvedOptions().timeZone;
  throw new SqlStateError('22023', `invalid value for parameter "TimeZone": "${value}"`);
}

/**
 * The IANA zone of a TimeZone setting: a zone Intl knows ('America/Sao_Paulo', 'UTC'), or a whole
 * number of hours (`SET TIME ZONE -3`: three hours west of UTC, as Postgres reads a number).
 */
function ianaZone(setting: string): string | undefined {
  if (/^[+-]?\d{1,2}$/.test(setting)) {
    const hours = Number(setting);
    return hours === 0 ? 'UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
  }
  return isValidTimeZone(setting) ? setting : undefined;
}

/** The clock of one statement: its instant, read in the session's time zone. */
export class StatementClock {
  /** Set once anything read the clock: an answer that depends on it must not be reused later. */
  used = false;

  constructor(
    readonly timeZone: string,
    private readonly instant: Date = new Date(),
  ) {}

  /** The session's clock for a statement starting now (an unknown TimeZone reads as UTC). */
  static of(settings: ReadonlyMap<string, string>, instant = new Date()): StatementClock {
    return new StatementClock(ianaZone(settings.get('timezone') ?? 'UTC') ?? 'UTC', instant);
  }

  /** The session's zone, for an answer that depends on it (a cast to timestamptz). */
  zone(): string {
    this.used = true;
    return this.timeZone;
  }

  /** The wall clock now: 'YYYY-MM-DDTHH:MM:SS.mmm' (localtimestamp, and now() compared with timestamps). */
  localNow(): string {
    this.used = true;
    return formatLocal(localNow(this.instant, this.timeZone));
  }

  /** The instant as UTC text with offset, '2026-12-07 00:45:32.302+00' (now() as a timestamptz). */
  utcNow(): string {
    this.used = true;
    return `${this.instant.toISOString().slice(0, 23).replace('T', ' ')}+00`;
  }

  /** current_date: the day of the wall clock, 'YYYY-MM-DD'. */
  today(): string {
    return this.localNow().slice(0, 10);
  }

  /**
   * A special date/time input ('now', 'today', 'tomorrow', 'yesterday', any case, spaces around)
   * as a wall-clock 'YYYY-MM-DDTHH:MM:SS.mmm', or undefined for any other text.
   */
  specialValue(text: string): string | undefined {
    const word = text.trim().toLowerCase();
    if (word === 'now') return this.localNow();
    const shift = ({ today: 0, tomorrow: 1, yesterday: -1 } as Record<string, number>)[word];
    if (shift === undefined) return undefined;
    const day = new Date(`${this.today()}T00:00:00.000Z`);
    day.setUTCDate(day.getUTCDate() + shift);
    return formatLocal(day);
  }

  /**
   * A timestamptz (text with an offset, as DuckDB writes it: '2026-12-07 00:45:32.302741+00')
   * as Postgres prints it in this zone: '2026-12-06 21:45:32.302741-03'. Other text is returned as is.
   */
  printTimestamptz(text: string): string {
    const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(text.trim());
    if (!m) return text;
    const sign = m[4]!.startsWith('-') ? -1 : 1;
    const offsetMs = sign * (Math.abs(Number(m[4])) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0)) * 1000;
    const instant = new Date(Date.parse(`${m[1]}T${m[2]}Z`) - offsetMs);
    if (Number.isNaN(instant.getTime())) return text;
    const wall = localNow(instant, this.timeZone);
    const zoneMinutes = Math.round((wall.getTime() - instant.getTime()) / 60_000);
    const fraction = (m[3] ?? '').replace(/0+$/, '');
    return `${formatLocal(wall).slice(0, 19).replace('T', ' ')}${fraction === '.' ? '' : fraction}${formatOffset(zoneMinutes)}`;
  }
}

/** Postgres's offset text: '+00', '-03', '+05:30'. */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = abs % 60;
  return `${sign}${hh}${mm ? `:${String(mm).padStart(2, '0')}` : ''}`;
}
