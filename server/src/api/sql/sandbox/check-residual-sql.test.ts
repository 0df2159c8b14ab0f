import { DuckDBInstance } from '@duckdb/node-api';
import { loadModule } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../errors/error-codes.ts';
import { isAllowedFunction } from './allowed-functions.ts';
import { checkResidualSql } from './check-residual-sql.ts';

const TABLES = new Set(['__scan_0', '__scan_1']);

beforeAll(async () => {
  await loadModule();
});

function sqlStateOf(sql: string): string | undefined {
  try {
    checkResidualSql(sql, TABLES);
    return undefined;
  } catch (error) {
    const code = (error as { code?: keyof typeof ERROR_CODES }).code;
    return code ? ERROR_CODES[code].sqlState : 'not a UserError';
  }
}

describe('checkResidualSql', () => {
  it('lets through the SQL BI tools put over semantic results', () => {
    const ordinary = [
      `SELECT "rows"."canal_nome", sum("rows"."pedidos") AS "a0" FROM (SELECT "_"."canal_nome", "_"."pedidos" FROM __scan_0 "_" WHERE "_"."data_venda" >= TIMESTAMP '2025-11-01 00:00:00') "rows" GROUP BY "canal_nome" LIMIT 1000001`,
      `SELECT CASE WHEN x > 10 THEN 'big' ELSE 'small' END, round(x * 1.5, 2), coalesce(y, 'none'), nullif(y, ''), greatest(x, 1) FROM __scan_0`,
      `SELECT date_trunc('month', t), EXTRACT(year FROM t), date_part('dow', t), t AT TIME ZONE 'UTC', CAST(t AS date), t::date, to_char(t, 'YYYY') FROM __scan_0`,
      `SELECT lower(a), upper(a), substring(a FROM 1 FOR 2), trim(BOTH ' ' FROM a), position('x' IN a), a || 'x', length(a), a LIKE 'x%', a ILIKE 'x%', a SIMILAR TO 'x' FROM __scan_0`,
      `SELECT a, row_number() OVER (PARTITION BY b ORDER BY c DESC), sum(c) OVER (), rank() OVER w FROM __scan_0 WINDOW w AS (ORDER BY c)`,
      `SELECT count(DISTINCT a), count(*) FILTER (WHERE b > 0), avg(c), stddev(c), percentile_cont(0.5) WITHIN GROUP (ORDER BY c) FROM __scan_0`,
      `WITH top AS (SELECT a FROM __scan_1 ORDER BY b DESC LIMIT 5) SELECT s.a, s.b FROM __scan_0 s JOIN top ON top.a = s.a`,
      `WITH x AS (SELECT 1 AS n), y AS (SELECT n FROM x) SELECT * FROM y, __scan_0`,
      `SELECT a FROM __scan_0 WHERE a IN (SELECT a FROM __scan_1) AND EXISTS (SELECT 1 FROM __scan_1 WHERE __scan_1.a = __scan_0.a) UNION ALL SELECT a FROM __scan_1`,
      `SELECT a, sum(b) FROM __scan_0 GROUP BY ROLLUP(a) ORDER BY 1 NULLS FIRST OFFSET 0 ROWS FETCH FIRST 100 ROWS ONLY`,
      `SELECT pg_catalog.lower(a), current_date, current_timestamp, now() FROM __scan_0`,
    ];
    for (const sql of ordinary) expect(sqlStateOf(sql), sql).toBeUndefined();
  });

  it('refuses table functions and functions that read files, settings or the catalog with 42501', () => {
    const refused = [
      `SELECT * FROM __scan_0, read_text('/etc/passwd')`,
      `SELECT * FROM __scan_0, LATERAL (SELECT * FROM glob('/etc/*')) g`,
      `SELECT * FROM __scan_0 WHERE a IN (SELECT content FROM read_text('.env'))`,
      `SELECT (SELECT count(*) FROM range(2000000000)) FROM __scan_0`,
      `SELECT * FROM ROWS FROM (generate_series(1, 10))`,
      `SELECT current_setting('memory_limit') FROM __scan_0`,
      `SELECT "READ_TEXT"('x') FROM __scan_0`,
      `SELECT main.lower(a) FROM __scan_0`,
      `SELECT getenv('HOME'), version() FROM __scan_0`,
      `SELECT current_user, a FROM __scan_0`,
      `SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS x int)`,
      `SELECT * FROM pg_settings`,
      `SELECT * FROM information_schema.tables`,
      `SELECT * FROM main.__scan_0`,
      `SELECT * FROM duckdb_tables`,
      // A CTE's name is visible only inside its own statement: outside, DuckDB would read its system view.
      `SELECT (WITH pg_settings AS (SELECT 1) SELECT 1), (SELECT count(*) FROM pg_settings) FROM __scan_0`,
      // A CTE sees only the CTEs defined before it.
      `WITH a AS (SELECT * FROM pg_settings), pg_settings AS (SELECT 1) SELECT * FROM a`,
    ];
    for (const sql of refused) expect(sqlStateOf(sql), sql).toBe('42501');
  });

  it('refuses unknown functions with 42883, recursive CTEs and non-SELECT text with 0A000', () => {
    expect(sqlStateOf('SELECT foo(a) FROM __scan_0')).toBe('42883');
    expect(sqlStateOf('WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t')).toBe('0A000');
    expect(sqlStateOf('SELECT * FROM (WITH RECURSIVE t(n) AS (SELECT 1) SELECT n FROM t) x, __scan_0')).toBe('0A000');
    expect(sqlStateOf('SELECT a FROM __scan_0; SELECT 1')).toBe('0A000');
    expect(sqlStateOf("COPY __scan_0 TO '/tmp/x.csv'")).toBe('0A000');
    expect(sqlStateOf('SELECT a INTO t2 FROM __scan_0')).toBe('0A000');
    expect(sqlStateOf("ATTACH '/tmp/x.db'")).toBe('0A000');
  });
});

describe('strings past the memory limit', () => {
  it('refuses repeat/lpad/rpad asking for more than a million characters, nested ones by their product, and printf/format widths that large, with 54000', () => {
    const refused = [
      `SELECT a, length(repeat('x', 1500000000)) FROM __scan_0 GROUP BY 1`,
      `SELECT repeat(a, CAST(2000000 AS bigint)) FROM __scan_0`,
      `SELECT repeat(a, '2000000'::int) FROM __scan_0`,
      `SELECT lpad(a, 1000001, ' '), rpad(a, 3) FROM __scan_0`,
      `SELECT rpad(a, 50000000) FROM __scan_0`,
      `SELECT repeat(repeat('x', 40000), 40000) FROM __scan_0`,
      `SELECT length(repeat(concat(a, repeat('y', 2000)), 1000)) FROM __scan_0`,
      `SELECT printf('%1000000000s', a) FROM __scan_0`,
      `SELECT format('{:>1000000000}', a) FROM __scan_0`,
    ];
    for (const sql of refused) expect(sqlStateOf(sql), sql).toBe('54000');
  });

  it('lets through the padding and repeats BI tools use, and digits that are not widths', () => {
    const ordinary = [
      `SELECT lpad(CAST(month(t) AS varchar), 2, '0'), rpad(a, 10), repeat('*', 20) FROM __scan_0`,
      `SELECT repeat(a, b) FROM __scan_0`,
      `SELECT repeat(repeat('ab', 1000), 1000) FROM __scan_0`,
      `SELECT printf('%-08d|%s 2024123456', b, a), format('{} of {:>10} #123456789', a, b) FROM __scan_0`,
    ];
    for (const sql of ordinary) expect(sqlStateOf(sql), sql).toBeUndefined();
  });
});

describe('the allow-list', () => {
  it("holds none of DuckDB's table functions, table macros or pragmas", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro', 'pragma')")).getRowsJson();
      const names = rows.map((r) => String(r[0]));
      expect(names).toContain('read_text');
      // repeat is also DuckDB's scalar string function; as a table function (in FROM) it is refused.
      expect(names.filter((n) => isAllowedFunction(n) && n !== 'repeat')).toEqual([]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('holds no function that reads settings, the session or the environment', () => {
    for (const name of ['current_setting', 'getenv', 'getvariable', 'current_user', 'current_database', 'current_query', 'version', 'duckdb_settings', 'pg_read_file', 'nextval', 'sleep_ms', 'json_serialize_sql']) {
      expect(isAllowedFunction(name), name).toBe(false);
    }
  });
});
