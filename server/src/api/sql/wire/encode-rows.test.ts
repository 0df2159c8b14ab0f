import { describe, expect, it } from 'vitest';
import { dataRow } from './backend-messages.ts';
import { encodeRows } from './encode-rows.ts';
import { encodeValue } from './encode-value.ts';
import { splitBackendMessages } from './frontend-builders.ts';
import { OID } from './pg-types.ts';

/** Values of the shapes the engine and the outer evaluation produce, per column type. */
const SAMPLES: Record<number, unknown[]> = {
  [OID.text]: ['', 'a', 'Sao Paulo', 'ção', '日本語', 'x'.repeat(200), 'é'.repeat(60), 12, true],
  [OID.bool]: [true, false, 't', 'f', 'true', 1, 0],
  [OID.int2]: [0, 1, -1, 32767, -32768],
  [OID.int4]: [0, 7, -7, 2147483647, -2147483648, 12.9],
  [OID.int8]: [0, 42, -42, 2147483648, -9007199254740991, 9007199254740991, '9007199254740993', '-12', '123456789012345', 3.7],
  [OID.float4]: [0, 1.5, -2.25, Number.NaN, Infinity],
  [OID.float8]: [
    0, -0, 1, -1, 792.5, 0.1, 0.07, 0.29, -0.5, -0.01, 123.45, 1234567.89, 1099511627775.99, 1099511627776.5, 5e-324, 1e21, 1e-7,
    123456789012.125, 2147483648, -2147483649, 999999999999999, 1e15, 2 ** 53, Number.NaN, Infinity, -Infinity,
    ...Array.from({ length: 2000 }, (_, i) => Math.round((i * 37.3 - 20_000) * 100) / 100),
    ...Array.from({ length: 500 }, (_, i) => (i * 7919.123) / 1000),
    ...['12.50', '-0.05', '1234567.891', '1e-7', '', '.5', '1e21', 'abc', '9007199254740993', '0.000001'],
  ],
  [OID.numeric]: ['0', '0.00', '12345.678', '-0.05', '86.35200', '1000000', '-123456789.123456789', '.5', '1e3', '1.5E-2', 'NaN', 42, 2.5],
  [OID.date]: ['2024-02-29', '2024-02-29T00:00:00.000', '1999-12-31', '2000-01-01', '1900-03-01', '0099-05-01'],
  [OID.timestamp]: [
    '2024-01-11T02:00:00.000',
    '2020-05-13T00:00:00.120',
    '2020-05-13 10:11:12',
    '2020-05-13T10:11:12.123456',
    '2000-01-01T00:00:00.000',
    '1999-12-31T23:59:59.999',
    '1969-07-20T20:17:40.000',
    '2300-01-01T00:00:00.000',
    '1650-06-15T12:00:00.5',
    '2024-01-11T02:00:00.000Z',
    '2024-01-11',
  ],
  [OID.timestamptz]: ['2024-01-11T02:00:00.000', '2020-05-13T00:00:00.120', '2024-01-11T02:00:00Z'],
  [OID.json]: ['{"a":1}'],
  [OID.interval]: ['1 day'],
  [OID.oid]: [0, 1259, 4294967295],
};

describe('encodeRows', () => {
  for (const format of [0, 1]) {
    it(`writes each value as encodeValue does (${format === 0 ? 'text' : 'binary'})`, () => {
      for (const [oidText, values] of Object.entries(SAMPLES)) {
        const oid = Number(oidText);
        // One column with every sample and a NULL, next to a text column that varies the offsets.
        const column = [...values, null];
        const other = column.map((_, i) => (i % 2 ? null : `r${i}`));
        const rows = encodeRows([other, column], [OID.text, oid], [format, format], column.length);
        const got = splitBackendMessages(Buffer.concat(rows.range(0, rows.count))).map((f) => f.raw);
        const want = column.map((v, i) => dataRow([encodeValue(other[i], OID.text, format), encodeValue(v, oid, format)]));
        expect(got.map((b) => b.toString('hex')), `oid ${oid}`).toEqual(want.map((b) => b.toString('hex')));
      }
    });
  }

  it('spreads many rows over chunks and hands out any range of them', () => {
    const n = 20_000;
    const ids = Array.from({ length: n }, (_, i) => i);
    const names = ids.map((i) => (i % 7 === 0 ? null : `name-${i}-${'z'.repeat(i % 50)}`));
    const rows = encodeRows([ids, names], [OID.int4, OID.text], [1, 0], n);
    const all = Buffer.concat(rows.range(0, n));
    expect(rows.range(0, n).length).toBeGreaterThan(5);
    const messages = splitBackendMessages(all).map((f) => f.raw);
    expect(messages).toHaveLength(n);
    for (const [from, to] of [[0, 1], [3, 4000], [1234, 1235], [n - 10, n], [0, n], [5000, 17_000]] as const) {
      const part = splitBackendMessages(Buffer.concat(rows.range(from, to))).map((f) => f.raw);
      expect(part.length).toBe(to - from);
      expect(Buffer.concat(part).equals(Buffer.concat(messages.slice(from, to)))).toBe(true);
    }
    expect(rows.range(n, n + 5)).toEqual([]);
    expect(messages[7]!.equals(dataRow([encodeValue(7, OID.int4, 1), null]))).toBe(true);
    expect(messages[8]!.equals(dataRow([encodeValue(8, OID.int4, 1), encodeValue(names[8], OID.text, 0)]))).toBe(true);
  });

  it('gives a row larger than a chunk a chunk of its own', () => {
    const big = 'b'.repeat(100_000);
    const rows = encodeRows([['a', big, 'c']], [OID.text], [0], 3);
    const messages = splitBackendMessages(Buffer.concat(rows.range(0, 3))).map((f) => f.raw);
    expect(messages.map((m) => m.length)).toEqual([12, 100_011, 12]);
    expect(Buffer.concat(rows.range(1, 2)).equals(dataRow([Buffer.from(big)]))).toBe(true);
  });

  it('encodes an empty result and rows without columns', () => {
    expect(encodeRows([], [], [], 0).range(0, 0)).toEqual([]);
    const rows = encodeRows([], [], [], 2);
    expect(Buffer.concat(rows.range(0, 2)).equals(Buffer.concat([dataRow([]), dataRow([])]))).toBe(true);
  });
});
