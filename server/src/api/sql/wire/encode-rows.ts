/**
 * Encodes a columnar result into DataRow messages written back to back into 64 KB chunks, straight
 * from the columns: no Buffer, string or object per cell for the common value shapes (strings,
 * numbers, booleans, ISO timestamps and dates, decimal strings), in text and binary formats.
 * Anything else falls back to `encode-value.ts`, which stays the reference for what each
 * (type, format) pair looks like on the wire.
 *
 * Each row is first given an upper bound of its size (so a row never straddles two chunks and no
 * cell needs a capacity check), then written; lengths are patched in after each value is written.
 * `EncodedRows.range` hands out any run of rows as views into the chunks, so Execute with a row
 * limit still works, and a whole result goes to the socket as a few large writes.
 */
import { encodeValue, toBool } from './encode-value.ts';
import { OID } from './pg-types.ts';

const CHUNK_BYTES = 64 * 1024;

/** DataRow messages of a result: a list of messages, or rows encoded into chunks. */
export type ResultRows = readonly Buffer[] | EncodedRows;

export function rowCountOf(rows: ResultRows): number {
  return Array.isArray(rows) ? rows.length : (rows as EncodedRows).count;
}

/** DataRow messages of rows [from, to) as few buffers as possible. */
export function rowRange(rows: ResultRows, from: number, to: number): readonly Buffer[] {
  return Array.isArray(rows) ? rows.slice(from, to) : (rows as EncodedRows).range(from, to);
}

export class EncodedRows {
  constructor(
    /** Chunks trimmed to the bytes written. */
    private readonly chunks: readonly Buffer[],
    /** Index of the first row of each chunk. */
    private readonly firstRows: readonly number[],
    /** Offset of each row in its chunk. */
    private readonly starts: Int32Array,
    readonly count: number,
  ) {}

  range(from: number, to: number): Buffer[] {
    from = Math.max(0, from);
    to = Math.min(this.count, to);
    if (from >= to) return [];
    if (from === 0 && to === this.count) return this.chunks.slice();
    // Last chunk whose first row is <= from.
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstRows[mid]! <= from) lo = mid;
      else hi = mid - 1;
    }
    const out: Buffer[] = [];
    for (let k = lo; k < this.chunks.length && this.firstRows[k]! < to; k++) {
      const chunk = this.chunks[k]!;
      const next = k + 1 < this.chunks.length ? this.firstRows[k + 1]! : this.count;
      const a = Math.max(from, this.firstRows[k]!);
      const b = Math.min(to, next);
      out.push(chunk.subarray(this.starts[a]!, b < next ? this.starts[b]! : chunk.length));
    }
    return out;
  }
}

// How a column's values are written; GENERIC goes through encodeValue for every cell.
const enum Kind {
  GENERIC,
  TEXT, // text-like types, either format: the UTF-8 of the string
  T_BOOL,
  T_FLOAT,
  T_INT,
  T_NUMERIC,
  T_DATE,
  T_TIMESTAMP,
  T_TIMESTAMPTZ,
  B_BOOL,
  B_INT2,
  B_INT4,
  B_INT8,
  B_FLOAT4,
  B_FLOAT8,
  B_NUMERIC,
  B_DATE,
  B_TIMESTAMP,
}

/** OIDs whose text form is the value's string as is (encodeText's default case). */
function isTextLike(oid: number): boolean {
  return (
    oid !== OID.bool &&
    oid !== OID.float4 &&
    oid !== OID.float8 &&
    oid !== OID.int2 &&
    oid !== OID.int4 &&
    oid !== OID.int8 &&
    oid !== OID.date &&
    oid !== OID.timestamp &&
    oid !== OID.timestamptz
  );
}

function kindOf(oid: number, format: number): Kind {
  if (format === 1) {
    switch (oid) {
      case OID.bool:
        return Kind.B_BOOL;
      case OID.int2:
        return Kind.B_INT2;
      case OID.int4:
        return Kind.B_INT4;
      case OID.int8:
        return Kind.B_INT8;
      case OID.float4:
        return Kind.B_FLOAT4;
      case OID.float8:
        return Kind.B_FLOAT8;
      case OID.numeric:
        return Kind.B_NUMERIC;
      case OID.date:
        return Kind.B_DATE;
      case OID.timestamp:
      case OID.timestamptz:
        return Kind.B_TIMESTAMP;
      case OID.oid:
        return Kind.GENERIC;
      default:
        return isTextLike(oid) ? Kind.TEXT : Kind.GENERIC;
    }
  }
  switch (oid) {
    case OID.bool:
      return Kind.T_BOOL;
    case OID.float4:
    case OID.float8:
      return Kind.T_FLOAT;
    case OID.int2:
    case OID.int4:
    case OID.int8:
      return Kind.T_INT;
    case OID.numeric:
      return Kind.T_NUMERIC;
    case OID.date:
      return Kind.T_DATE;
    case OID.timestamp:
      return Kind.T_TIMESTAMP;
    case OID.timestamptz:
      return Kind.T_TIMESTAMPTZ;
    default:
      return Kind.TEXT;
  }
}

/**
 * Bytes a non-null value can take (4-byte length included) when written by the fast writers or
 * by their fallback to encodeValue; undefined when only encoding it tells (then it is encoded
 * ahead, in the sizing pass).
 */
function boundOf(kind: Kind, v: unknown): number | undefined {
  if (kind === Kind.GENERIC) return undefined;
  // numeric_send of a plain decimal: 8 bytes of header and 2 per 4 digits, at most 12 + length.
  if (kind === Kind.B_NUMERIC) return typeof v === 'string' && isPlainDecimal(v) ? 4 + 12 + v.length : undefined;
  // Every text form of a string is at most its UTF-8 plus a few characters (a timestamp
  // completed with a time, '+00'), or a number's shortest form (at most 25 characters); binary
  // forms of fixed-size types are at most 8 bytes.
  if (typeof v === 'string') return 4 + 3 * v.length + 32;
  if (typeof v === 'number') return 4 + 32;
  if (typeof v === 'boolean') return 4 + 8;
  return undefined;
}

/** Encodes `rowCount` rows of `data` (one array per column) with per-column OIDs and formats. */
export function encodeRows(data: readonly (readonly unknown[])[], oids: readonly number[], formats: readonly number[], rowCount: number): EncodedRows {
  const columns = oids.length;
  const kinds = oids.map((oid, c) => kindOf(oid, formats[c] ?? 0));
  const cols = oids.map((_, c) => data[c] ?? []);
  const ahead: (Buffer | undefined)[] = new Array(columns).fill(undefined);
  const chunks: Buffer[] = [];
  const firstRows: number[] = [];
  const starts = new Int32Array(rowCount);
  let buf = Buffer.allocUnsafe(rowCount === 0 ? 0 : CHUNK_BYTES);
  let o = 0;
  let chunkFirstRow = 0;
  for (let r = 0; r < rowCount; r++) {
    // Sizing pass: an upper bound of the row's bytes.
    let bound = 7;
    for (let c = 0; c < columns; c++) {
      const v = cols[c]![r];
      if (v === null || v === undefined) {
        bound += 4;
        continue;
      }
      const b = boundOf(kinds[c]!, v);
      if (b !== undefined) bound += b;
      else {
        const e = encodeValue(v, oids[c]!, formats[c] ?? 0)!;
        ahead[c] = e;
        bound += 4 + e.length;
      }
    }
    if (o + bound > buf.length) {
      if (o > 0) {
        chunks.push(buf.subarray(0, o));
        firstRows.push(chunkFirstRow);
      }
      buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bound));
      o = 0;
      chunkFirstRow = r;
    }
    const start = o;
    starts[r] = start;
    buf[o] = 0x44; // 'D'
    buf[o + 5] = columns >> 8;
    buf[o + 6] = columns & 0xff;
    o += 7;
    for (let c = 0; c < columns; c++) {
      const v = cols[c]![r];
      if (v === null || v === undefined) {
        buf[o] = buf[o + 1] = buf[o + 2] = buf[o + 3] = 0xff;
        o += 4;
        continue;
      }
      const at = o + 4;
      let end: number;
      const pre = ahead[c];
      if (pre !== undefined) {
        end = at + pre.copy(buf, at);
        ahead[c] = undefined;
      } else {
        end = writeValue(kinds[c]!, v, buf, at);
        if (end < 0) {
          const e = encodeValue(v, oids[c]!, formats[c] ?? 0)!;
          end = at + e.copy(buf, at);
        }
      }
      writeInt32(buf, o, end - at);
      o = end;
    }
    writeInt32(buf, start + 1, o - start - 1);
  }
  if (o > 0) {
    chunks.push(buf.subarray(0, o));
    firstRows.push(chunkFirstRow);
  }
  return new EncodedRows(chunks, firstRows, starts, rowCount);
}

function writeInt32(buf: Buffer, o: number, n: number): void {
  buf[o] = n >>> 24;
  buf[o + 1] = (n >>> 16) & 0xff;
  buf[o + 2] = (n >>> 8) & 0xff;
  buf[o + 3] = n & 0xff;
}

/** Writes one non-null value at `o`; returns the end offset, or -1 when encodeValue must do it. */
function writeValue(kind: Kind, v: unknown, buf: Buffer, o: number): number {
  switch (kind) {
    case Kind.TEXT:
    case Kind.T_NUMERIC:
      if (typeof v === 'string') return writeString(buf, o, v);
      if (typeof v === 'number' && kind === Kind.T_NUMERIC) return writeNumberText(buf, o, v);
      return -1;
    case Kind.T_FLOAT:
      // Measures arrive as decimal strings (as Cube's drivers return them).
      return typeof v === 'number' || typeof v === 'string' ? writeNumberText(buf, o, Number(v)) : -1;
    case Kind.T_INT:
      if (typeof v === 'number') return writeNumberText(buf, o, Math.trunc(v));
      return typeof v === 'string' ? writeString(buf, o, v) : -1;
    case Kind.T_BOOL:
      buf[o] = toBool(v) ? 0x74 : 0x66; // 't' / 'f'
      return o + 1;
    case Kind.T_DATE:
      return typeof v === 'string' ? writeDateText(buf, o, v) : -1;
    case Kind.T_TIMESTAMP:
      return typeof v === 'string' ? writeTimestampText(buf, o, v) : -1;
    case Kind.T_TIMESTAMPTZ: {
      if (typeof v !== 'string') return -1;
      const end = writeTimestampText(buf, o, v);
      if (end < 0) return -1;
      buf[end] = 0x2b; // '+'
      buf[end + 1] = buf[end + 2] = 0x30;
      return end + 3;
    }
    case Kind.B_BOOL:
      buf[o] = toBool(v) ? 1 : 0;
      return o + 1;
    case Kind.B_INT2:
      return buf.writeInt16BE(Number(v), o);
    case Kind.B_INT4:
      return buf.writeInt32BE(Number(v), o);
    case Kind.B_INT8: {
      const n = typeof v === 'number' ? Math.trunc(v) : typeof v === 'string' && isShortInteger(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n)) return -1;
      const hi = Math.floor(n / 4294967296);
      buf.writeInt32BE(hi, o);
      buf.writeUInt32BE(n - hi * 4294967296, o + 4);
      return o + 8;
    }
    case Kind.B_FLOAT4:
      return buf.writeFloatBE(Number(v), o);
    case Kind.B_FLOAT8:
      return buf.writeDoubleBE(Number(v), o);
    case Kind.B_NUMERIC:
      return typeof v === 'string' ? writeNumericBinary(buf, o, v) : -1;
    case Kind.B_DATE: {
      if (typeof v !== 'string') return -1;
      const days = isoDays(v);
      return days === undefined ? -1 : buf.writeInt32BE(days - PG_EPOCH_DAYS, o);
    }
    case Kind.B_TIMESTAMP:
      return typeof v === 'string' ? writeTimestampBinary(buf, o, v) : -1;
    default:
      return -1;
  }
}

/** UTF-8 of a string; short ASCII strings byte by byte (cheaper than a call into the encoder). */
function writeString(buf: Buffer, o: number, s: string): number {
  const n = s.length;
  if (n <= 48) {
    let i = 0;
    for (; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch >= 0x80) break;
      buf[o + i] = ch;
    }
    if (i === n) return o + n;
  }
  return o + buf.write(s, o, 'utf8');
}

function writeAscii(buf: Buffer, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[o + i] = s.charCodeAt(i);
  return o + s.length;
}

/** A number as encodeText prints it (String(n), NaN/Infinity spelled as Postgres does). */
function writeNumberText(buf: Buffer, o: number, n: number): number {
  if (Number.isInteger(n) && n > -1e15 && n < 1e15) return writeInteger(buf, o, n);
  // Amounts with at most two decimals (most money) without String(n): within ±2^40 a double
  // is far closer to that decimal than to any other with two decimals, so the decimal is also
  // the shortest round-trip form String(n) prints.
  const cents = n * 100;
  if (Number.isInteger(cents) && cents / 100 === n && n > -1_099_511_627_776 && n < 1_099_511_627_776) {
    let a = cents;
    if (a < 0) {
      buf[o++] = 0x2d;
      a = -a;
    }
    const whole = Math.floor(a / 100);
    const frac = a - whole * 100;
    o = writeInteger(buf, o, whole);
    buf[o++] = 0x2e;
    buf[o++] = 0x30 + Math.floor(frac / 10);
    if (frac % 10 !== 0) buf[o++] = 0x30 + (frac % 10);
    return o;
  }
  if (Number.isNaN(n)) return writeAscii(buf, o, 'NaN');
  if (n === Infinity) return writeAscii(buf, o, 'Infinity');
  if (n === -Infinity) return writeAscii(buf, o, '-Infinity');
  return writeAscii(buf, o, String(n));
}

/** Decimal digits of an integer below 1e15 in magnitude (-0 prints as 0, as String does). */
function writeInteger(buf: Buffer, o: number, n: number): number {
  if (n < 0) {
    buf[o++] = 0x2d;
    n = -n;
  }
  if (n < 2147483648) {
    let digits = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
    for (let i = o + digits - 1; i >= o; i--) {
      buf[i] = 0x30 + (n % 10);
      n = (n / 10) | 0;
    }
    return o + digits;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let i = o + digits - 1; i >= o; i--) {
    buf[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return o + digits;
}

const isDigit = (ch: number): boolean => ch >= 0x30 && ch <= 0x39;

/** '-?' and at most 15 digits: exactly representable as a number. */
function isShortInteger(s: string): boolean {
  const n = s.length;
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
  if (n === i || n - i > 15) return false;
  for (; i < n; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** True for 'YYYY-MM-DD' at the start of s (4-digit year). */
function hasIsoDate(s: string): boolean {
  return s.length >= 10 && s.charCodeAt(4) === 0x2d && s.charCodeAt(7) === 0x2d;
}

/** 'YYYY-MM-DD…' → 'YYYY-MM-DD'. */
function writeDateText(buf: Buffer, o: number, s: string): number {
  if (!hasIsoDate(s)) return -1;
  for (let i = 0; i < 10; i++) buf[o + i] = s.charCodeAt(i);
  return o + 10;
}

/**
 * 'YYYY-MM-DD[T ]HH:MM:SS[.fff…]' → 'YYYY-MM-DD HH:MM:SS[.fff]' with the fraction's trailing zeros
 * trimmed, as Postgres prints it; anything else (zones, other year widths) → -1.
 */
function writeTimestampText(buf: Buffer, o: number, s: string): number {
  const n = s.length;
  if (n < 19 || !hasIsoDate(s) || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return -1;
  const sep = s.charCodeAt(10);
  if (sep !== 0x54 && sep !== 0x20) return -1;
  let end = 19;
  if (n > 19) {
    if (s.charCodeAt(19) !== 0x2e) return -1;
    for (let i = 20; i < n; i++) if (!isDigit(s.charCodeAt(i))) return -1;
    end = n;
    while (end > 20 && s.charCodeAt(end - 1) === 0x30) end--;
    if (end === 20) end = 19;
  }
  for (let i = 0; i < end; i++) buf[o + i] = s.charCodeAt(i);
  buf[o + 10] = 0x20;
  return o + end;
}

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const ch = s.charCodeAt(i);
    if (!isDigit(ch)) return NaN;
    v = v * 10 + (ch - 0x30);
  }
  return v;
}

const PG_EPOCH_DAYS = 10_957; // 2000-01-01 in days since 1970-01-01

/** Days since 1970-01-01 of a proleptic Gregorian date (civil-from-days inverted). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Days since 1970 of 'YYYY-MM-DD…', undefined when it is not that shape or out of range. */
function isoDays(s: string): number | undefined {
  if (!hasIsoDate(s)) return undefined;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31)) return undefined; // also rejects NaN
  return y >= 0 ? daysFromCivil(y, m, d) : undefined;
}

/** Microseconds since 2000-01-01 as int64, from the same shapes writeTimestampText accepts. */
function writeTimestampBinary(buf: Buffer, o: number, s: string): number {
  const n = s.length;
  if (n < 19 || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return -1;
  const sep = s.charCodeAt(10);
  if (sep !== 0x54 && sep !== 0x20) return -1;
  const days = isoDays(s);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (days === undefined || !(h < 24 && mi < 60 && sec < 60)) return -1;
  let micros = 0;
  if (n > 19) {
    if (s.charCodeAt(19) !== 0x2e) return -1;
    for (let i = 20; i < n; i++) if (!isDigit(s.charCodeAt(i))) return -1;
    for (let i = 20; i < 26; i++) micros = micros * 10 + (i < n ? s.charCodeAt(i) - 0x30 : 0);
  }
  const seconds = (days - PG_EPOCH_DAYS) * 86_400 + h * 3600 + mi * 60 + sec;
  // Exact in a double within ±285 years of 2000; beyond, BigInt.
  if (Math.abs(seconds) < 9e9) {
    const total = seconds * 1_000_000 + micros;
    const hi = Math.floor(total / 4294967296);
    buf.writeInt32BE(hi, o);
    buf.writeUInt32BE(total - hi * 4294967296, o + 4);
    return o + 8;
  }
  return buf.writeBigInt64BE(BigInt(seconds) * 1_000_000n + BigInt(micros), o);
}

/** '-?digits[.digits]' (at least one digit): what writeNumericBinary handles. */
function isPlainDecimal(s: string): boolean {
  const n = s.length;
  let i = s.charCodeAt(0) === 0x2d || s.charCodeAt(0) === 0x2b ? 1 : 0;
  let seen = 0;
  let dot = false;
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (isDigit(ch)) seen++;
    else if (ch === 0x2e && !dot) dot = true;
    else return false;
  }
  return seen > 0;
}

const groups: number[] = [];

/** numeric_send of a plain decimal string: ndigits, weight, sign, dscale, base-10000 digits. */
function writeNumericBinary(buf: Buffer, o: number, s: string): number {
  if (!isPlainDecimal(s)) return -1;
  const n = s.length;
  const negative = s.charCodeAt(0) === 0x2d;
  let i = negative || s.charCodeAt(0) === 0x2b ? 1 : 0;
  while (i < n && s.charCodeAt(i) === 0x30) i++; // leading zeros
  let dotAt = s.indexOf('.', i);
  if (dotAt < 0) dotAt = n;
  const intDigits = dotAt - i;
  const dscale = dotAt < n ? n - dotAt - 1 : 0;
  const intGroups = Math.ceil(intDigits / 4);
  const fracGroups = Math.ceil(dscale / 4);
  groups.length = 0;
  // Integer part, left-padded to a multiple of 4 digits.
  let g = 0;
  let inGroup = (4 - (intDigits % 4)) % 4;
  for (let k = i; k < dotAt; k++) {
    g = g * 10 + (s.charCodeAt(k) - 0x30);
    if (++inGroup === 4) {
      groups.push(g);
      g = 0;
      inGroup = 0;
    }
  }
  // Fraction, right-padded.
  for (let k = 0; k < fracGroups * 4; k++) {
    const at = dotAt + 1 + k;
    g = g * 10 + (at < n ? s.charCodeAt(at) - 0x30 : 0);
    if (k % 4 === 3) {
      groups.push(g);
      g = 0;
    }
  }
  let first = 0;
  let weight = intGroups - 1;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  const count = last - first;
  if (count === 0) weight = 0;
  buf.writeInt16BE(count, o);
  buf.writeInt16BE(weight, o + 2);
  buf.writeUInt16BE(negative && count > 0 ? 0x4000 : 0, o + 4);
  buf.writeInt16BE(dscale, o + 6);
  let p = o + 8;
  for (let k = first; k < last; k++) p = buf.writeInt16BE(groups[k]!, p);
  return p;
}
