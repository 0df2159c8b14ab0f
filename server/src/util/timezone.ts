/**
 * Time zone arithmetic without a date library: converts a wall-clock time in an IANA zone to
 * the UTC instant it denotes, using Intl to read the zone's offset at that moment.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Offset of `timeZone` from UTC at the instant `utcMillis`, in milliseconds. */
export function zoneOffsetMillis(timeZone: string, utcMillis: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(utcMillis))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(utcMillis / 1000) * 1000;
}

/** '2024-05-13T00:00:00.000' in 'America/Sao_Paulo' → '2024-05-13T03:00:00.000Z'. */
export function localIsoToUtcIso(localIso: string, timeZone: string): string {
  const wallClock = Date.parse(localIso.endsWith('Z') ? localIso : `${localIso}Z`);
  if (Number.isNaN(wallClock)) return localIso;
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return new Date(wallClock).toISOString();
  // Two passes settle the offset around DST transitions.
  let utc = wallClock - zoneOffsetMillis(timeZone, wallClock);
  utc = wallClock - zoneOffsetMillis(timeZone, utc);
  return new Date(utc).toISOString();
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}
