/**
 * The repository model's dashboard rollups follow gold: when the pipeline rewrites old days (a late
 * refund, a file delivered again, a CRM change) and moves its watermark, or a dimension they store
 * is renamed, the next refresh rebuilds them — every partition, however old — and the rollup-served
 * answer equals the hand SQL over the new gold. (With an update window counted back from today,
 * months-old partitions were never rebuilt: the dashboards kept the old figures for good.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { loadRows, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

let fx: PreaggFixture;
const ROLLUP = 'fato_vendas.por_canal_dia';

beforeAll(async () => {
  fx = await openPreaggFixture();
  const statuses = await fx.preAggregations.refresher.refresh(fx.model, { only: [ROLLUP] });
  expect(statuses.map((s) => s.state)).toEqual(['ready']);
});

afterAll(async () => fx?.close());

/** Units sold by channel in February 2024: months before the fixture's "now", far outside any week-long window. */
const QUERY: CubeQuery = {
  measures: ['fato_vendas.unidades'],
  dimensions: ['dim_canal.nome'],
  timeDimensions: [{ dimension: 'fato_vendas.data_venda', dateRange: ['2024-02-01', '2024-02-29'] }],
  order: { 'dim_canal.nome': 'asc' },
  renewQuery: true,
};

/** The measure's own definition (model/cubes/fato_vendas.yml: unidades), by hand. */
async function handSql(): Promise<string[][]> {
  const r = await fx.source.query(
    `SELECT c.nome, sum(v.quantidade) FROM gold.fato_vendas v JOIN gold.dim_canal c ON c.canal_sk = v.canal_sk
     WHERE v.data_venda >= TIMESTAMP '2024-02-01' AND v.data_venda < TIMESTAMP '2024-03-01'
       AND NOT coalesce(v.is_cancelado, false) AND coalesce(v.status_pedido, '') <> 'test'
     GROUP BY 1 HAVING sum(v.quantidade) IS NOT NULL ORDER BY 1`,
    [],
  );
  return Array.from({ length: r.rowCount }, (_, i) => r.data.map((col) => String(col[i])));
}

async function served(): Promise<string[][]> {
  const { rows, rollup } = await loadRows(fx.engine, QUERY);
  expect(rollup).toBe(ROLLUP);
  return rows.map((r) => [String(r['dim_canal.nome']), String(r['fato_vendas.unidades'])]);
}

describe("the dashboards' rollups after gold changed", () => {
  it('are rebuilt, old months included, once the pipeline moved its watermark', async () => {
    const before = await handSql();
    expect(await served()).toEqual(before);
    // What a late delivery does to gold: old sale lines change and the pipeline's watermark moves.
    await fx.source.query(`UPDATE gold.fato_vendas SET quantidade = quantidade + 5 WHERE data_venda >= TIMESTAMP '2024-02-01' AND data_venda < TIMESTAMP '2024-03-01'`, []);
    await fx.source.query(`UPDATE gold._watermarks SET watermark = TIMESTAMP '2025-01-01 04:00:00' WHERE table_name = 'fato_vendas'`, []);
    const statuses = await fx.preAggregations.refresher.refresh(fx.model, { only: [ROLLUP] });
    expect(statuses.map((s) => s.state)).toEqual(['ready']);
    const after = await handSql();
    expect(after).not.toEqual(before);
    expect(await served()).toEqual(after);
  });

  it('are rebuilt when a dimension they store is renamed', async () => {
    await fx.source.query(`UPDATE gold.dim_canal SET nome = 'Loja física (renomeada)' WHERE canal_id = 'loja_fisica'`, []);
    await fx.preAggregations.refresher.refresh(fx.model, { only: [ROLLUP] });
    const names = (await served()).map(([name]) => name);
    expect(names).toContain('Loja física (renomeada)');
    expect(await served()).toEqual(await handSql());
  });
});
