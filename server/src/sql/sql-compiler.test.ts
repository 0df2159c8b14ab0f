import { describe, expect, it } from 'vitest';
import { expr } from './expression-node.ts';
import { selectQuery } from './select-query-node.ts';
import { createDuckDbDialect } from './dialects/duckdb/duckdb-dialect.ts';
import { createDatabricksDialect } from './dialects/databricks/databricks-dialect.ts';
import { createTrinoDialect } from './dialects/trino/trino-dialect.ts';
import { isOneTerm } from './sql-compiler.ts';

const query = selectQuery({
  columns: [
    { expr: expr.timeTrunc('month', expr.toLocalTime(expr.column('t', 'ts'), 'America/Sao_Paulo')), alias: 'm' },
    { expr: expr.approxCountDistinct(expr.column('t', 'id')), alias: 'n' },
  ],
  from: { kind: 'table', sql: expr.raw(['events']), alias: 't' },
  joins: [],
  where: expr.and([expr.like(expr.column('t', 'name'), [expr.raw(["'%'"]), expr.param("o'brien"), expr.raw(["'%'"])]), expr.binary(expr.column('t', 'ts'), '>=', expr.cast(expr.param('2024-01-01T00:00:00.000'), 'timestamp'))]),
  groupBy: [expr.literal(1)],
  orderBy: [{ expr: expr.column(undefined, 'n'), direction: 'desc' }],
  limit: 10,
  offset: 20,
});

describe('dialect compilers', () => {
  it('DuckDB: $n parameters, double quotes, timezone(), ILIKE', () => {
    const { sql, params } = createDuckDbDialect().compile(query);
    expect(sql).toContain(`date_trunc('month', timezone('America/Sao_Paulo', CAST("t"."ts" AS TIMESTAMPTZ)))`);
    expect(sql).toContain(`"t"."name" ILIKE '%' || $1 || '%'`);
    expect(sql).toContain('approx_count_distinct("t"."id")');
    expect(sql).toMatch(/LIMIT 10\nOFFSET 20$/);
    expect(params).toEqual(["o'brien", '2024-01-01T00:00:00.000']);
  });

  it('Databricks: ? parameters, backticks, from_utc_timestamp', () => {
    const { sql, params } = createDatabricksDialect().compile(query);
    expect(sql).toContain("date_trunc('MONTH', from_utc_timestamp(`t`.`ts`, 'America/Sao_Paulo'))");
    expect(sql).toContain('`t`.`name` ILIKE \'%\' || ? || \'%\'');
    expect(sql).not.toContain("o'brien");
    expect(params).toHaveLength(2);
  });

  it('Trino: AT TIME ZONE, approx_distinct, LOWER LIKE, OFFSET before LIMIT, space-separated timestamps', () => {
    const { sql, params } = createTrinoDialect().compile(query);
    expect(sql).toContain("AT TIME ZONE 'America/Sao_Paulo'");
    expect(sql).toContain('approx_distinct("t"."id")');
    expect(sql).toContain(`LOWER("t"."name") LIKE LOWER('%' || ? || '%')`);
    expect(sql).toMatch(/OFFSET 20\nLIMIT 10$/);
    expect(params).toEqual(["o'brien", '2024-01-01 00:00:00.000']);
  });

  it('quotes identifiers containing quotes safely', () => {
    expect(createDuckDbDialect().quoteIdentifier('a"b')).toBe('"a""b"');
    expect(createDatabricksDialect().quoteIdentifier('a`b')).toBe('`a``b`');
  });

  it('refuses a time zone that is not an identifier-like name', () => {
    const bad = selectQuery({ columns: [{ expr: expr.toLocalTime(expr.column(undefined, 'x'), "UTC'; DROP") }] });
    expect(() => createDuckDbDialect().compile(bad)).toThrow(/unsafe/);
  });

  it('wraps raw model SQL next to AND/OR and operators unless it is one term', () => {
    const orFilter = expr.raw([expr.column(undefined, 'o'), ".status <> 'X' OR NOT ", expr.column(undefined, 'd'), '.is_current']);
    const q = selectQuery({
      columns: [{ expr: expr.star() }],
      where: expr.and([expr.raw(['a = true']), orFilter, expr.isNull(expr.raw(['x OR y']), true), expr.binary(expr.raw(['"t".b']), '=', expr.param(1))]),
    });
    expect(createDuckDbDialect().compile(q).sql).toContain(`WHERE ((a = true) AND ("o".status <> 'X' OR NOT "d".is_current) AND ((x OR y) IS NOT NULL) AND "t".b = $1)`);
  });

  it('tells one term from an expression operators could split', () => {
    for (const t of ['"a".b', '`a`.`b`', 'x', "'it''s'", '$1', '?', '12.5', 'count(x)', "f(')')", '(a OR b)', 'COALESCE(a, b)']) expect(isOneTerm(t)).toBe(true);
    for (const t of ['a OR b', 'count(x) / count(y)', '(a) OR (b)', 'CASE WHEN a THEN 1 END', 'x::int', 'NOT a']) expect(isOneTerm(t)).toBe(false);
  });
});
