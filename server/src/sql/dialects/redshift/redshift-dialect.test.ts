import { describe, expect, it } from 'vitest';
import { expr } from '../../expression-node.ts';
import { selectQuery } from '../../select-query-node.ts';
import { createRedshiftDialect, redshiftTypeNames } from './redshift-dialect.ts';

const dialect = createRedshiftDialect();
const compile = (columns: Parameters<typeof selectQuery>[0]['columns'], more: Partial<Parameters<typeof selectQuery>[0]> = {}) =>
  dialect.compile(selectQuery({ columns, from: { kind: 'table', sql: expr.raw(['gold.fato_vendas']), alias: 'f' }, ...more }));
const ts = expr.column('f', 'data_venda');

describe('Redshift dialect', () => {
  it('numbered parameters; timestamps bound without the ISO T', () => {
    const { sql, params } = compile([{ expr: expr.literal(1), alias: 'one' }], { where: expr.binary(ts, '>=', expr.cast(expr.param('2024-01-01T00:00:00.000'), 'timestamp')) });
    expect(sql).toContain('"f"."data_venda" >= CAST($1 AS TIMESTAMP)');
    expect(params).toEqual(['2024-01-01 00:00:00.000']);
  });

  it('local time, calendar steps, approximate distinct counts in Redshift spelling', () => {
    const { sql } = compile([
      { expr: expr.timeTrunc('week', expr.toLocalTime(ts, 'America/Sao_Paulo')), alias: 'w' },
      { expr: expr.intervalAdd(ts, -1, 'quarter'), alias: 'back' },
      { expr: expr.approxCountDistinct(expr.column('f', 'pedido_id')), alias: 'n' },
    ]);
    expect(sql).toContain(`date_trunc('week', CONVERT_TIMEZONE('UTC', 'America/Sao_Paulo', "f"."data_venda")) "w"`);
    expect(sql).toContain('DATEADD(month, -3, "f"."data_venda") "back"');
    expect(sql).toContain('APPROXIMATE COUNT(DISTINCT "f"."pedido_id") "n"');
  });

  it('custom buckets through epoch seconds and DATEADD', () => {
    const { sql } = compile([{ expr: expr.customTrunc(ts, '2024-02-01T00:00:00.000', { months: 2, seconds: 0, nominalSeconds: 5_184_000 }), alias: 'b' }]);
    expect(sql).toContain(`DATEADD(second, CAST(0 * floor((EXTRACT(EPOCH FROM "f"."data_venda") - EXTRACT(EPOCH FROM TIMESTAMP '2024-02-01 00:00:00.000')) / 5184000) AS INTEGER), DATEADD(month, CAST(2 * floor(`);
  });

  it('types Redshift has: FLOAT8, VARCHAR(65535); avg over FLOAT8 (AVG of an integer would be a BIGINT)', () => {
    const { sql } = compile([
      { expr: expr.cast(expr.column('f', 'quantidade'), 'double'), alias: 'd' },
      { expr: expr.cast(expr.column('f', 'pedido_id'), 'string'), alias: 's' },
      { expr: expr.func('avg', [expr.column('f', 'quantidade')]), alias: 'a' },
    ]);
    expect(sql).toContain('CAST("f"."quantidade" AS FLOAT8) "d"');
    expect(sql).toContain('CAST("f"."pedido_id" AS VARCHAR(65535)) "s"');
    expect(sql).toContain('avg(CAST("f"."quantidade" AS FLOAT8)) "a"');
  });

  it('no VALUES in FROM and no IS NOT DISTINCT FROM: UNION ALL rows and a spelled-out null-safe equality', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => [expr.param(`2024-0${i + 1}-01T00:00:00.000`), expr.literal(i)]);
    const two = dialect.compile(selectQuery({ columns: [{ expr: expr.star() }], from: { kind: 'values', rows: rows(2), columns: ['t', 'i'], alias: 's' } }));
    expect(two.sql).toContain('FROM (SELECT $1 AS "t", 0 AS "i" UNION ALL SELECT $2, 1) AS "s"');
    const none = dialect.compile(selectQuery({ columns: [{ expr: expr.star() }], from: { kind: 'values', rows: [], columns: ['t'], alias: 's' } }));
    expect(none.sql).toContain('FROM (SELECT NULL AS "t" WHERE 1 = 0) AS "s"');
    const { sql } = compile([{ expr: expr.literal(1) }], { where: expr.binary(expr.column('a', 'k'), 'IS NOT DISTINCT FROM', expr.column('b', 'k')) });
    expect(sql).toContain('("a"."k" = "b"."k" OR ("a"."k" IS NULL AND "b"."k" IS NULL))');
    expect(sql).not.toContain('DISTINCT FROM');
  });

  it("model SQL's CAST(x AS DOUBLE) and x::DOUBLE name FLOAT8 (Redshift has no DOUBLE); quoted text and DOUBLE PRECISION untouched", () => {
    expect(redshiftTypeNames('CAST({a} - {b} AS DOUBLE) / NULLIF({c}, 0)')).toBe('CAST({a} - {b} AS FLOAT8) / NULLIF({c}, 0)');
    expect(redshiftTypeNames('x::double + y::DOUBLE PRECISION')).toBe('x::FLOAT8 + y::DOUBLE PRECISION');
    expect(redshiftTypeNames(`'CAST(1 AS DOUBLE)' || "AS DOUBLE)"`)).toBe(`'CAST(1 AS DOUBLE)' || "AS DOUBLE)"`);
    expect(redshiftTypeNames('SELECT doubled AS double_total')).toBe('SELECT doubled AS double_total');
    const { sql } = compile([{ expr: expr.raw(['CAST(', expr.column('f', 'q'), ' AS DOUBLE) / 2']), alias: 'r' }]);
    expect(sql).toContain('CAST("f"."q" AS FLOAT8) / 2 "r"');
  });
});
