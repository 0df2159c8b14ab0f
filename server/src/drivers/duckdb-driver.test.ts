import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDbDriver } from './duckdb-driver.ts';

let dir: string;
let driver: DuckDbDriver;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duckdb-driver-'));
  driver = await DuckDbDriver.open(path.join(dir, 'test.duckdb'));
});

afterAll(async () => {
  await driver.close();
  await rm(dir, { recursive: true, force: true });
});

describe('DuckDbDriver', () => {
  it('returns columns with values formatted as the contract says', async () => {
    const r = await driver.query(
      "SELECT 1::INTEGER i, 9007199254740993::BIGINT b, 1.50::DECIMAL(10,2) d, 0.25::DOUBLE f, true t, DATE '2024-05-13' dt, TIMESTAMP '2024-05-13 10:11:12.5' ts, NULL::VARCHAR n, 'x' s",
      [],
    );
    expect(r.columns.map((c) => c.type)).toEqual(['integer', 'integer', 'decimal', 'number', 'boolean', 'date', 'time', 'string', 'string']);
    expect(r.data.map((c) => c[0])).toEqual([1, '9007199254740993', '1.50', 0.25, true, '2024-05-13T00:00:00.000', '2024-05-13T10:11:12.500', null, 'x']);
  });

  it('binds $n parameters instead of splicing them', async () => {
    const r = await driver.query('SELECT $1 AS v, $2 + 1 AS n', ["o'brien; DROP TABLE x", 41]);
    expect(r.data).toEqual([["o'brien; DROP TABLE x"], [42]]);
  });

  it('returns empty columns for an empty result', async () => {
    const r = await driver.query('SELECT 1 AS a WHERE false', []);
    expect(r).toMatchObject({ rowCount: 0, data: [[]] });
  });

  it('wraps database errors as SOURCE_ERROR with the SQL attached', async () => {
    await expect(driver.query('SELECT * FROM missing_table', [])).rejects.toMatchObject({ code: 'SOURCE_ERROR', message: expect.stringContaining('missing_table') });
  });

  it('runs in UTC regardless of the machine time zone', async () => {
    const r = await driver.query("SELECT CAST(CAST(TIMESTAMP '2024-01-01 00:00:00' AS TIMESTAMPTZ) AS VARCHAR) v", []);
    expect(String(r.data[0]![0])).toMatch(/^2024-01-01 00:00:00\+00/);
  });
});
