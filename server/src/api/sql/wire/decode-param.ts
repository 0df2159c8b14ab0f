/**
 * Decodes Bind parameter values into JS values by their type OID and format, so the SQL
 * translator can use them as literals. Text params stay strings unless the type is numeric/bool.
 * Values that do not fit their type are refused as Postgres's type input/receive functions
 * refuse them: wrong binary size or layout 22P03, bad text 22P02, out of range 22003/22008,
 * invalid UTF-8 22021 — never a RangeError.
 */
import { isUtf8 } from 'node:buffer';
import { OID } from './pg-types.ts';
import { WireError } from './wire-error.ts';

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
/** JavaScript dates reach ±8.64e15 ms from 1970. */
const MAX_JS_MS = 8.64e15;

export type ParamValue = string | number | boolean | null;

/** `position` (1-based) names the parameter in errors. */
export function decodeParam(raw: Buffer | null, oid: number, format: number, position = 1): ParamValue {
  if (raw === null) return null;
  if (format === 1) return decodeBinary(raw, oid, position);
  if (!isUtf8(raw)) throw new WireError('22021', `invalid byte sequence for encoding "UTF8" in bind parameter ${position}`);
  const text = raw.toString('utf8');
  switch (oid) {
    case OID.int2:
      return integerText(text, -32_768, 32_767, 'smallint');
    case OID.int4:
      return integerText(text, -2_147_483_648, 2_147_483_647, 'integer');
    case OID.oid:
      return integerText(text, -2_147_483_648, 4_294_967_295, 'oid');
    case OID.int8:
      checkText(text, /^\s*[+-]?\d+\s*$/, 'bigint');
      return text;
    case OID.numeric:
      checkText(text, NUMERIC_TEXT, 'numeric');
      return text;
    case OID.float4:
    case OID.float8:
      return floatText(text, oid === OID.float4 ? 'real' : 'double precision');
    case OID.bool:
      return boolText(text);
    default:
      return text;
  }
}

const NUMERIC_TEXT = /^\s*(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]?Infinity)\s*$/i;

function invalidText(type: string, text: string): WireError {
  return new WireError('22P02', `invalid input syntax for type ${type}: ${JSON.stringify(text.slice(0, 100))}`);
}

function checkText(text: string, pattern: RegExp, type: string): void {
  if (!pattern.test(text)) throw invalidText(type, text);
}

function integerText(text: string, min: number, max: number, type: string): number {
  checkText(text, /^\s*[+-]?\d+\s*$/, type);
  const n = Number(text);
  if (n < min || n > max) throw new WireError('22003', `value ${JSON.stringify(text.trim())} is out of range for type ${type}`);
  return n;
}

function floatText(text: string, type: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  if (t === '-infinity' || t === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(t)) throw invalidText(type, text);
  return Number(t);
}

const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', 'off', '0']);

function boolText(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  throw invalidText('boolean', text);
}

/** Binary sizes of the fixed-width types (int*, float*, bool, oid, date, timestamp*). */
const BINARY_SIZES: Readonly<Record<number, number>> = {
  [OID.bool]: 1,
  [OID.int2]: 2,
  [OID.int4]: 4,
  [OID.oid]: 4,
  [OID.int8]: 8,
  [OID.float4]: 4,
  [OID.float8]: 8,
  [OID.date]: 4,
  [OID.timestamp]: 8,
  [OID.timestamptz]: 8,
};

function badBinary(position: number, why: string): WireError {
  return new WireError('22P03', `incorrect binary data format in bind parameter ${position}: ${why}`);
}

/** Array types clients send in binary (Npgsql sends every parameter so), by OID. */
const ARRAY_OIDS = new Set([1000, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1115, 1182, 1185, 1231]);

/**
 * A one-dimensional array in array_send's binary form (ndim, has-null flag, element OID, then
 * length and lower bound per dimension, then each element as length + bytes, -1 for NULL) as
 * Postgres's array text, `{"a","b",NULL}`: the form a text-format array parameter arrives in.
 * https://github.com/postgres/postgres/blob/master/src/backend/utils/adt/arrayfuncs.c (array_send)
 */
function decodeBinaryArray(raw: Buffer, position: number): string {
  if (raw.length < 12) throw badBinary(position, 'an array shorter than its header');
  const ndim = raw.readInt32BE(0);
  const elementOid = raw.readUInt32BE(8);
  if (ndim === 0) return '{}';
  if (ndim !== 1) throw new WireError('0A000', `arrays of ${ndim} dimensions are not supported as parameters (bind parameter ${position})`);
  if (raw.length < 20) throw badBinary(position, 'an array shorter than its header');
  const count = raw.readInt32BE(12);
  const items: string[] = [];
  let at = 20;
  for (let i = 0; i < count; i++) {
    if (at + 4 > raw.length) throw badBinary(position, 'an array shorter than its elements');
    const length = raw.readInt32BE(at);
    at += 4;
    if (length === -1) {
      items.push('NULL');
      continue;
    }
    if (length < 0 || at + length > raw.length) throw badBinary(position, 'an array element past its end');
    const value = decodeBinary(raw.subarray(at, at + length), elementOid, position);
    at += length;
    items.push(`"${String(value).replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  }
  return `{${items.join(',')}}`;
}

function decodeBinary(raw: Buffer, oid: number, position: number): ParamValue {
  if (ARRAY_OIDS.has(oid)) return decodeBinaryArray(raw, position);
  const size = BINARY_SIZES[oid];
  if (size !== undefined && raw.length !== size) throw badBinary(position, `${raw.length} bytes where the type takes ${size}`);
  switch (oid) {
    case OID.bool:
      if (raw[0]! > 1) throw badBinary(position, `boolean byte ${raw[0]}`);
      return raw[0] === 1;
    case OID.int2:
      return raw.readInt16BE(0);
    case OID.int4:
      return raw.readInt32BE(0);
    case OID.oid:
      return raw.readUInt32BE(0);
    case OID.int8: {
      const v = raw.readBigInt64BE(0);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    }
    case OID.float4:
      return raw.readFloatBE(0);
    case OID.float8:
      return raw.readDoubleBE(0);
    case OID.numeric:
      return decodeNumeric(raw, position);
    case OID.date:
      return decodeDate(raw.readInt32BE(0), position);
    case OID.timestamp:
    case OID.timestamptz:
      return decodeTimestamp(raw.readBigInt64BE(0), position);
    default:
      if (!isUtf8(raw)) throw new WireError('22021', `invalid byte sequence for encoding "UTF8" in bind parameter ${position}`);
      return raw.toString('utf8');
  }
}

function decodeDate(days: number, position: number): string {
  // date_send writes ±infinity as the extreme int32 values.
  if (days === 0x7fffffff) return 'infinity';
  if (days === -0x80000000) return '-infinity';
  const ms = PG_EPOCH_MS + days * 86_400_000;
  if (Math.abs(ms) > MAX_JS_MS) throw new WireError('22008', `date out of range in bind parameter ${position}`);
  return new Date(ms).toISOString().slice(0, 10);
}

function decodeTimestamp(micros: bigint, position: number): string {
  if (micros === 0x7fffffffffffffffn) return 'infinity';
  if (micros === -0x8000000000000000n) return '-infinity';
  const ms = PG_EPOCH_MS + Number(micros / 1000n);
  if (Math.abs(ms) > MAX_JS_MS) throw new WireError('22008', `timestamp out of range in bind parameter ${position}`);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

/** numeric_recv's layout: ndigits, weight, sign, dscale (Int16 each), then ndigits base-10000 digits. */
function decodeNumeric(raw: Buffer, position: number): string {
  if (raw.length < 8) throw badBinary(position, `numeric needs at least 8 bytes, got ${raw.length}`);
  const ndigits = raw.readInt16BE(0);
  const weight = raw.readInt16BE(2);
  const sign = raw.readUInt16BE(4);
  const dscale = raw.readInt16BE(6);
  if (ndigits < 0 || raw.length !== 8 + 2 * ndigits) throw badBinary(position, `numeric with ${ndigits} digits in ${raw.length} bytes`);
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) throw new WireError('22P03', `invalid sign in external "numeric" value in bind parameter ${position}`);
  if (dscale < 0 || dscale > 1000) throw new WireError('22P03', `invalid scale in external "numeric" value in bind parameter ${position}`);
  let intPart = '';
  let fracPart = '';
  for (let i = 0; i < ndigits; i++) {
    const digit = raw.readInt16BE(8 + 2 * i);
    if (digit < 0 || digit > 9999) throw new WireError('22P03', `invalid digit in external "numeric" value in bind parameter ${position}`);
    const d = String(digit).padStart(4, '0');
    if (i <= weight) intPart += d;
    else fracPart += d;
  }
  if (weight >= ndigits) intPart += '0000'.repeat(weight - ndigits + 1);
  if (weight < -1) fracPart = '0000'.repeat(-weight - 1) + fracPart;
  intPart = intPart.replace(/^0+/, '') || '0';
  fracPart = fracPart.padEnd(dscale, '0').slice(0, dscale);
  return `${sign === NUMERIC_NEG ? '-' : ''}${intPart}${dscale > 0 ? `.${fracPart}` : ''}`;
}
