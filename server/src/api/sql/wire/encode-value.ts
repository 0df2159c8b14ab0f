/**
 * Encoders for result values in text and binary format, by type OID.
 * Input values follow the engine's conventions (driver-types.ts): numbers, booleans, strings;
 * int64/decimals as strings; timestamps as ISO local strings without zone.
 * Binary formats: https://github.com/postgres/postgres/tree/master/src/backend/utils/adt (*_send).
 */
import { OID } from './pg-types.ts';

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;

/** Encodes one value; null/undefined → SQL NULL. */
export function encodeValue(value: unknown, oid: number, format: number): Buffer | null {
  if (value === null || value === undefined) return null;
  return format === 1 ? encodeBinary(value, oid) : Buffer.from(encodeText(value, oid), 'utf8');
}

export function encodeText(value: unknown, oid: number): string {
  switch (oid) {
    case OID.bool:
      return toBool(value) ? 't' : 'f';
    case OID.float4:
    case OID.float8:
      return formatFloat(Number(value));
    case OID.int2:
    case OID.int4:
    case OID.int8:
      return typeof value === 'number' ? String(Math.trunc(value)) : String(value);
    case OID.date:
      return toIso(value).slice(0, 10);
    case OID.timestamp:
      return formatTimestamp(toIso(value));
    case OID.timestamptz: {
      // Text already printed in the session's zone (session-clock.ts) keeps its offset.
      const zoned = withOffset(value);
      return zoned ? `${formatTimestamp(zoned.local)}${zoned.offset}` : `${formatTimestamp(toIso(value))}+00`;
    }
    default:
      return value instanceof Date ? value.toISOString() : String(value);
  }
}

function encodeBinary(value: unknown, oid: number): Buffer {
  switch (oid) {
    case OID.bool:
      return Buffer.from([toBool(value) ? 1 : 0]);
    case OID.int2: {
      const b = Buffer.allocUnsafe(2);
      b.writeInt16BE(Number(value));
      return b;
    }
    case OID.int4:
    case OID.oid: {
      const b = Buffer.allocUnsafe(4);
      if (oid === OID.oid) b.writeUInt32BE(Number(value));
      else b.writeInt32BE(Number(value));
      return b;
    }
    case OID.int8: {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(BigInt(typeof value === 'number' ? Math.trunc(value) : String(value)));
      return b;
    }
    case OID.float4: {
      const b = Buffer.allocUnsafe(4);
      b.writeFloatBE(Number(value));
      return b;
    }
    case OID.float8: {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(Number(value));
      return b;
    }
    case OID.numeric:
      return encodeNumericBinary(String(value));
    case OID.date: {
      const b = Buffer.allocUnsafe(4);
      b.writeInt32BE(Math.round((Date.parse(`${toIso(value).slice(0, 10)}T00:00:00Z`) - PG_EPOCH_MS) / DAY_MS));
      return b;
    }
    case OID.timestamp:
    case OID.timestamptz: {
      const b = Buffer.allocUnsafe(8);
      const zoned = oid === OID.timestamptz ? withOffset(value) : undefined;
      b.writeBigInt64BE(zoned ? isoToPgMicros(zoned.local) - BigInt(zoned.offsetSeconds) * 1_000_000n : isoToPgMicros(toIso(value)));
      return b;
    }
    default:
      return Buffer.from(encodeText(value, oid), 'utf8');
  }
}

export function toBool(value: unknown): boolean {
  if (typeof value === 'string') return value === 't' || value === 'true' || value === '1';
  return Boolean(value);
}

/** ISO local string of a value that is a Date, an ISO string or a 'YYYY-MM-DD HH:MM:SS' string. */
function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 23);
  const s = String(value).replace(' ', 'T');
  return s.endsWith('Z') ? s.slice(0, -1) : s;
}

/** A timestamp text ending in a UTC offset ('2024-05-13 07:00:00.5-03', '…+05:30'): its local ISO part and offset. */
function withOffset(value: unknown): { local: string; offset: string; offsetSeconds: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?)([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/.exec(value);
  if (!m) return undefined;
  const seconds = Number(m[3]) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0);
  return { local: m[1]!.replace(' ', 'T'), offset: value.slice(m[1]!.length), offsetSeconds: m[2] === '-' ? -seconds : seconds };
}

/** '2024-05-13T10:00:00.120' → '2024-05-13 10:00:00.12' (Postgres trims trailing zeros). */
function formatTimestamp(iso: string): string {
  if (iso.length === 23 && iso.endsWith('.000')) return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const [date, time = '00:00:00'] = iso.split('T');
  const [hms, frac = ''] = time.split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${date} ${hms}${trimmed ? `.${trimmed}` : ''}`;
}

function isoToPgMicros(iso: string): bigint {
  const [datePart, timePart = '00:00:00'] = iso.split('T');
  const [hms, frac = ''] = timePart.split('.');
  const ms = Date.parse(`${datePart}T${hms}Z`);
  const micros = BigInt(Number((frac + '000000').slice(0, 6)));
  return BigInt(ms - PG_EPOCH_MS) * 1000n + micros;
}

function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** numeric_send: ndigits, weight, sign, dscale, then base-10000 digits. */
function encodeNumericBinary(text: string): Buffer {
  let s = text.trim();
  if (s === 'NaN') return Buffer.from([0, 0, 0, 0, 0xc0, 0, 0, 0]);
  if (/e/i.test(s)) s = expandExponent(s);
  const negative = s.startsWith('-');
  if (negative || s.startsWith('+')) s = s.slice(1);
  const [intPartRaw = '0', fracPart = ''] = s.split('.');
  const intPart = intPartRaw.replace(/^0+/, '');
  const dscale = fracPart.length;
  const intPadded = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  const fracPadded = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  const intGroups = groups.length;
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intGroups - 1;
  while (groups.length > 0 && groups[0] === 0) {
    groups.shift();
    weight--;
  }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  if (groups.length === 0) weight = 0;
  const b = Buffer.allocUnsafe(8 + 2 * groups.length);
  b.writeInt16BE(groups.length, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(negative && groups.length > 0 ? 0x4000 : 0, 4);
  b.writeInt16BE(dscale, 6);
  groups.forEach((g, i) => b.writeInt16BE(g, 8 + 2 * i));
  return b;
}

function expandExponent(s: string): string {
  const n = Number(s);
  return Number.isInteger(n) ? BigInt(n).toString() : n.toFixed(20).replace(/0+$/, '');
}
