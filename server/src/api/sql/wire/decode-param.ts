/**
 * Decodes Bind parameter values into JS values by their type OID and format, so the SQL
 * translator can use them as literals. Text params stay strings unless the type is numeric/bool.
 */
import { OID } from './pg-types.ts';

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

export type ParamValue = string | number | boolean | null;

export function decodeParam(raw: Buffer | null, oid: number, format: number): ParamValue {
  if (raw === null) return null;
  if (format === 1) return decodeBinary(raw, oid);
  const text = raw.toString('utf8');
  switch (oid) {
    case OID.int2:
    case OID.int4:
    case OID.float4:
    case OID.float8:
    case OID.oid:
      return Number(text);
    case OID.bool:
      return text === 't' || text === 'true' || text === '1' || text === 'on';
    default:
      return text;
  }
}

function decodeBinary(raw: Buffer, oid: number): ParamValue {
  switch (oid) {
    case OID.bool:
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
      return decodeNumeric(raw);
    case OID.date:
      return new Date(PG_EPOCH_MS + raw.readInt32BE(0) * 86_400_000).toISOString().slice(0, 10);
    case OID.timestamp:
    case OID.timestamptz: {
      const micros = raw.readBigInt64BE(0);
      const ms = Number(micros / 1000n);
      return new Date(PG_EPOCH_MS + ms).toISOString().replace('T', ' ').replace('Z', '');
    }
    default:
      return raw.toString('utf8');
  }
}

function decodeNumeric(raw: Buffer): string {
  const ndigits = raw.readInt16BE(0);
  const weight = raw.readInt16BE(2);
  const sign = raw.readUInt16BE(4);
  const dscale = raw.readInt16BE(6);
  if (sign === 0xc000) return 'NaN';
  let intPart = '';
  let fracPart = '';
  for (let i = 0; i < ndigits; i++) {
    const d = String(raw.readInt16BE(8 + 2 * i)).padStart(4, '0');
    if (i <= weight) intPart += d;
    else fracPart += d;
  }
  if (weight >= ndigits) intPart += '0000'.repeat(weight - ndigits + 1);
  if (weight < -1) fracPart = '0000'.repeat(-weight - 1) + fracPart;
  intPart = intPart.replace(/^0+/, '') || '0';
  fracPart = fracPart.padEnd(dscale, '0').slice(0, dscale);
  return `${sign === 0x4000 ? '-' : ''}${intPart}${dscale > 0 ? `.${fracPart}` : ''}`;
}
