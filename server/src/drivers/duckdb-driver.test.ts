import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckDBConnection } from '@duckdb/node-api';
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

  it('answers a repeated read from the table as it is now: replaced (new columns), dropped, created again', async () => {
    const sql = 'SELECT * FROM kept_read WHERE a >= $1 ORDER BY a';
    await driver.query('CREATE TABLE kept_read AS SELECT 1 AS a', []);
    expect((await driver.query(sql, [0])).data).toEqual([[1]]);
    await driver.query("CREATE OR REPLACE TABLE kept_read AS SELECT * FROM (VALUES (2, 'b'), (3, 'c')) t(a, b)", []);
    const replaced = await driver.query(sql, [0]);
    expect(replaced.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(replaced.data).toEqual([[2, 3], ['b', 'c']]);
    await driver.query('DROP TABLE kept_read', []);
    await expect(driver.query(sql, [0])).rejects.toMatchObject({ code: 'SOURCE_ERROR', message: expect.stringContaining('kept_read') });
    await driver.query('CREATE TABLE kept_read AS SELECT 7 AS a', []);
    expect((await driver.query(sql, [5])).data).toEqual([[7]]);
  });

  it('answers a repeated read from the rows as they are now, although they outgrow the statistics of the first run', async () => {
    // A statement prepared once and run again would keep a plan sized by the first run's statistics
    // (a perfect-hash aggregate over the values seen then, strings compressed to their length then).
    const sql = 'SELECT s, sum(n) AS n FROM grown GROUP BY s ORDER BY s';
    await driver.query("CREATE TABLE grown AS SELECT * FROM (VALUES ('a', 1), ('b', 2)) t(s, n)", []);
    expect((await driver.query(sql, [])).data).toEqual([['a', 'b'], ['1', '2']]);
    await driver.query("INSERT INTO grown VALUES ('a longer campaign name', 3), ('zz', 300000)", []);
    expect((await driver.query(sql, [])).data).toEqual([['a', 'a longer campaign name', 'b', 'zz'], ['1', '3', '2', '300000']]);
  });

  it('binds integer-valued numbers past the safe integers as doubles (not an int64 overflow)', async () => {
    for (const big of [2 ** 63, 1e300, -(2 ** 70)]) {
      const r = await driver.query('SELECT count(*) AS n FROM range(3) HAVING count(*) < $1', [big]);
      expect(r.data[0], String(big)).toEqual(big > 0 ? ['3'] : []);
    }
    const streamed = [];
    for await (const chunk of driver.stream!('SELECT x FROM range(3) t(x) WHERE x > $1 AND x < $2', [1, 2 ** 64])) streamed.push(...chunk.data[0]!);
    expect(streamed).toEqual(['2']);
  });

  it('writes every timestamp type as DuckDB itself formats it, before 1970 and at the edges too', async () => {
    // Scattered instants (a hash of the row number, so every run reads the same ones) over years
    // 0001–9999, plus edge values, each cast to the five timestamp types; DuckDB's own strftime
    // (milliseconds cut, not rounded) is the expected text.
    const values = `SELECT t FROM (
        SELECT make_timestamp(CAST(hash(i) % 315537897600000000 AS BIGINT) - 62135596800000000) AS t FROM range(4000) r(i)
        UNION ALL SELECT * FROM (VALUES (TIMESTAMP '1969-12-31 23:59:59.9985'), (TIMESTAMP '1970-01-01 00:00:00'), (TIMESTAMP '0001-01-01 00:00:00'),
          (TIMESTAMP '9999-12-31 23:59:59.999999'), (TIMESTAMP '1900-02-28 12:34:56.789'), (TIMESTAMP '2024-02-29 23:59:59.001'))
      )`;
    const types = ['TIMESTAMP', 'TIMESTAMPTZ', 'TIMESTAMP_MS', 'TIMESTAMP_S', 'TIMESTAMP_NS'];
    for (const type of types) {
      // TIMESTAMP_NS only reaches 1677–2262.
      const range = type === 'TIMESTAMP_NS' ? "WHERE t BETWEEN TIMESTAMP '1678-01-01' AND TIMESTAMP '2261-12-31'" : '';
      const r = await driver.query(
        `SELECT CAST(t AS ${type}) AS v, strftime(CAST(CAST(t AS ${type}) AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g') AS expected FROM (${values}) ${range}`,
        [],
      );
      expect(r.rowCount, type).toBeGreaterThan(100);
      expect(r.columns[0]!.type, type).toBe('time');
      expect(r.data[0], type).toEqual(r.data[1]);
    }
    const infinite = await driver.query("SELECT 'infinity'::TIMESTAMP AS a, '-infinity'::TIMESTAMP AS b", []);
    expect(infinite.data).toEqual([['infinity'], ['-infinity']]);
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

  describe('kept plans (reusePlan, for tables never written after they are built)', () => {
    it('prepares a statement once and answers each new parameter set', async () => {
      await driver.query('CREATE TABLE kept_plan AS SELECT range AS a, range % 7 AS g FROM range(1000)', []);
      const prepare = vi.spyOn(DuckDBConnection.prototype, 'prepare');
      try {
        const sql = 'SELECT g, count(*) AS n, sum(a) AS s FROM kept_plan WHERE a >= $1 AND a < $2 GROUP BY g ORDER BY g';
        for (const [from, to] of [[0, 1000], [10, 20], [500, 501], [990, 2000], [0, 1000]] as const) {
          const rows = Array.from({ length: 1000 }, (_, a) => a).filter((a) => a >= from && a < to);
          const groups = [...new Set(rows.map((a) => a % 7))].sort((x, y) => x - y);
          const r = await driver.query(sql, [from, to], { reusePlan: true });
          expect(r.data).toEqual([
            groups.map(String),
            groups.map((g) => String(rows.filter((a) => a % 7 === g).length)),
            groups.map((g) => String(rows.filter((a) => a % 7 === g).reduce((x, y) => x + y, 0))),
          ]);
        }
        // One connection served these one after another: its statement was prepared once.
        expect(prepare.mock.calls.filter(([text]) => text === sql)).toHaveLength(1);
      } finally {
        prepare.mockRestore();
      }
    });

    it('forgets kept plans when told a table went, and reads the table created again under that name', async () => {
      const sql = 'SELECT count(*) AS n, max(a) AS m FROM kept_gone WHERE a >= $1';
      await driver.query('CREATE TABLE kept_gone AS SELECT range AS a FROM range(10)', []);
      expect((await driver.query(sql, [0], { reusePlan: true })).data).toEqual([['10'], ['9']]);
      await driver.query('DROP TABLE kept_gone', []);
      driver.forgetPlans();
      await expect(driver.query(sql, [0], { reusePlan: true })).rejects.toMatchObject({ code: 'SOURCE_ERROR', message: expect.stringContaining('kept_gone') });
      await driver.query("CREATE TABLE kept_gone AS SELECT 'longer text ' || range AS b, range * 100 AS a FROM range(3)", []);
      expect((await driver.query(sql, [100], { reusePlan: true })).data).toEqual([['2'], ['200']]);
    });
  });
});
