/**
 * Rollup reads keep their DuckDB plans (QueryOptions.reusePlan): the same text runs again with new
 * parameters without being planned again. That is right only because a stored table never
 * changes after it is built. These check the answers stay the hand SQL's when the kept plan is
 * reused with other parameters, and after a rebuild over source rows that outgrow everything the
 * first tables held (longer and more `origem` values: a plan sized by the old table's statistics
 * would misread them, which is why only rollup tables are read this way).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { loadRows, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

let fx: PreaggFixture;

beforeAll(async () => {
  fx = await openPreaggFixture();
  await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
});

afterAll(async () => fx?.close());

const byOrigin = (from: string, to: string): CubeQuery => ({
  measures: ['rollup_teste.linhas', 'rollup_teste.unidades'],
  dimensions: ['rollup_teste.origem'],
  timeDimensions: [{ dimension: 'rollup_teste.data_venda', dateRange: [from, to] }],
  order: { 'rollup_teste.origem': 'asc' },
  renewQuery: true,
});

async function handSql(from: string, to: string): Promise<unknown[][]> {
  const r = await fx.source.query(
    `SELECT origem, count(*) AS linhas, sum(quantidade) AS unidades FROM gold.fato_vendas
     WHERE data_venda >= CAST($1 AS TIMESTAMP) AND data_venda < CAST($2 AS TIMESTAMP) + INTERVAL 1 DAY GROUP BY 1 ORDER BY 1`,
    [from, to],
  );
  return Array.from({ length: r.rowCount }, (_, i) => r.data.map((col) => String(col[i])));
}

async function served(from: string, to: string): Promise<unknown[][]> {
  const { rows, rollup } = await loadRows(fx.engine, byOrigin(from, to));
  expect(rollup).toBe('rollup_teste.por_origem_dia');
  return rows.map((r) => [r['rollup_teste.origem'], r['rollup_teste.linhas'], r['rollup_teste.unidades']].map(String));
}

const RANGES: [string, string][] = [['2024-01-01', '2024-03-31'], ['2024-04-01', '2024-04-30'], ['2024-02-10', '2024-11-20'], ['2023-01-01', '2025-12-31']];

describe('rollup reads with kept plans', () => {
  it('answer each date range as the source does, the same statement run again with new parameters', async () => {
    for (let round = 0; round < 3; round++) {
      for (const [from, to] of RANGES) expect(await served(from, to)).toEqual(await handSql(from, to));
    }
  });

  it('answer the rebuilt rollup after the source outgrew the first tables (longer, more group values)', async () => {
    for (const [from, to] of RANGES) expect(await served(from, to)).toEqual(await handSql(from, to));
    await fx.source.query(
      `INSERT INTO gold.fato_vendas SELECT * EXCLUDE (n) REPLACE (venda_id || '-kept-' || n AS venda_id, 'marketplace parceiro de canal muito longo ' || (n % 37) AS origem)
       FROM (SELECT *, row_number() OVER () AS n FROM gold.fato_vendas)`,
      [],
    );
    const statuses = await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
    expect(statuses.map((s) => s.state)).toEqual(['ready']);
    for (const [from, to] of RANGES) {
      const expected = await handSql(from, to);
      expect(expected.length).toBeGreaterThan(3);
      expect(await served(from, to)).toEqual(expected);
    }
  });
});
