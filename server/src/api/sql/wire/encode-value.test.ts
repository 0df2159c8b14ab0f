import { describe, expect, it } from 'vitest';
import { encodeValue } from './encode-value.ts';
import { decodeParam } from './decode-param.ts';
import { encodeRows } from './encode-rows.ts';
import { readDataRow, splitBackendMessages } from './frontend-builders.ts';
import { OID } from './pg-types.ts';

describe('value encoders', () => {
  it('writes numeric in base-10000 digit groups as numeric_send does', () => {
    const b = encodeValue('12345.678', OID.numeric, 1)!;
    // ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780
    expect([b.readInt16BE(0), b.readInt16BE(2), b.readUInt16BE(4), b.readInt16BE(6), b.readInt16BE(8), b.readInt16BE(10), b.readInt16BE(12)]).toEqual([3, 1, 0, 3, 1, 2345, 6780]);
    const neg = encodeValue('-0.05', OID.numeric, 1)!;
    expect([neg.readInt16BE(0), neg.readInt16BE(2), neg.readUInt16BE(4), neg.readInt16BE(6), neg.readInt16BE(8)]).toEqual([1, -1, 0x4000, 2, 500]);
  });

  it('round-trips numeric, int8, float8, date and timestamp through the binary decoder', () => {
    for (const [value, oid, back] of [
      ['86.35200', OID.numeric, '86.35200'],
      ['0', OID.numeric, '0'],
      ['9007199254740993', OID.int8, '9007199254740993'],
      [2.5, OID.float8, 2.5],
      ['2024-02-29', OID.date, '2024-02-29'],
      ['2020-01-23T10:11:12.345', OID.timestamp, '2020-01-23 10:11:12.345'],
    ] as const) {
      expect(decodeParam(encodeValue(value, oid, 1), oid, 1)).toEqual(back);
    }
  });

  it('writes timestamps in binary as microseconds since 2000-01-01', () => {
    const b = encodeValue('2000-01-02T00:00:00.000', OID.timestamp, 1)!;
    expect(b.readBigInt64BE(0)).toBe(86_400_000_000n);
  });

  it('writes text the way Postgres prints it', () => {
    expect(encodeValue('2020-05-13T00:00:00.000', OID.timestamp, 0)!.toString()).toBe('2020-05-13 00:00:00');
    expect(encodeValue('2020-05-13T00:00:00.120', OID.timestamp, 0)!.toString()).toBe('2020-05-13 00:00:00.12');
    expect(encodeValue(true, OID.bool, 0)!.toString()).toBe('t');
    expect(encodeValue(Number.NaN, OID.float8, 0)!.toString()).toBe('NaN');
    expect(encodeValue(null, OID.text, 0)).toBeNull();
  });

  it('packs rows into DataRow messages with per-column formats', () => {
    const rows = splitBackendMessages(Buffer.concat(encodeRows([['a', null, 'ção'], [1, 2, 3]], [OID.text, OID.int4], [0, 1], 3).range(0, 3))).map((f) => f.raw);
    expect(rows.map((r) => r[0])).toEqual([0x44, 0x44, 0x44]);
    const values = rows.map((r) => readDataRow(r.subarray(5)));
    expect(values.map((v) => [v[0]?.toString() ?? null, v[1]!.readInt32BE(0)])).toEqual([
      ['a', 1],
      [null, 2],
      ['ção', 3],
    ]);
  });
});
