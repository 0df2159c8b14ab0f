/**
 * Rebuilds while queries run: clients keep querying rollups while every rollup is rebuilt
 * several times; every answer must be complete and equal to the hand-written SQL's, and the
 * superseded table versions are dropped once no query holds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { loadRows, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

let fx: PreaggFixture;

beforeAll(async () => {
  fx = await openPreaggFixture();
  await fx.preAggregations.refresher.refresh(fx.model, { force: true });
});

afterAll(async () => fx?.close());

const QUERIES: { query: CubeQuery; sql: string }[] = [
  {
    query: { measures: ['rollup_teste.unidades', 'rollup_teste.linhas'], dimensions: ['rollup_teste.origem'], order: { 'rollup_teste.origem': 'asc' }, renewQuery: true },
    sql: `SELECT origem, sum(quantidade), count(*) FROM gold.fato_vendas GROUP BY 1 ORDER BY 1`,
  },
  {
    query: { measures: ['rollup_teste.linhas'], timeDimensions: [{ dimension: 'rollup_teste.data_venda', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }], renewQuery: true },
    sql: `SELECT strftime(date_trunc('month', data_venda), '%Y-%m-%dT%H:%M:%S.000'), count(*) FROM gold.fato_vendas WHERE data_venda < TIMESTAMP '2025-01-01' GROUP BY 1 ORDER BY 1`,
  },
];

describe('rebuilds while queries run', () => {
  it('never gives an error or a partial answer, and drops superseded versions', async () => {
    const expected = await Promise.all(QUERIES.map(async (q) => {
      const r = await fx.source.query(q.sql, []);
      return Array.from({ length: r.rowCount }, (_, i) => r.data.map((col) => Number.isNaN(Number(col[i])) ? col[i] : Number(col[i])));
    }));
    let rebuilding = true;
    let answers = 0;
    const client = async (n: number) => {
      while (rebuilding) {
        const i = (n + answers) % QUERIES.length;
        const { rows, rollup } = await loadRows(fx.engine, QUERIES[i]!.query);
        expect(rollup).toBe('rollup_teste.por_origem_dia');
        expect(rows.map((r) => Object.values(r).filter((_, k) => !(i === 1 && k === 1)).map((v) => (Number.isNaN(Number(v)) ? v : Number(v))))).toEqual(expected[i]);
        answers++;
      }
    };
    const clients = Array.from({ length: 6 }, (_, n) => client(n));
    for (let round = 0; round < 4; round++) {
      const statuses = await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
      expect(statuses.map((s) => s.state)).toEqual(['ready']);
    }
    rebuilding = false;
    await Promise.all(clients);
    expect(answers).toBeGreaterThan(20);
    await new Promise((resolve) => setTimeout(resolve, 100)); // retired tables are dropped asynchronously
    const live = new Set((await fx.preAggregations.store.listTables()));
    const store = fx.preAggregations.store;
    // Each rollup's partitions, plus its consolidated copy of exactly those partitions (one at most).
    const current = store.storeKeys().flatMap((key) => [...store.partitions(key).map((p) => p.table), ...[store.consolidatedTable(key) ?? []].flat()]);
    expect([...live].sort()).toEqual([...current].sort());
  });
});
