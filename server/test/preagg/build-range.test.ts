/**
 * `build_range_start` / `build_range_end`: a partitioned rollup is built only for the partitions
 * touching the range its SQL returns, and partitions left outside when the range moves are
 * dropped. Expected months come from SQL on the source; answers inside the range equal the
 * source's, and a query reaching outside it is answered by the source. A bound whose SQL returns no date fails the build with a message naming the rollup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupStoreKey } from '../../src/preagg/rollup-signature.ts';
import { loadRows, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

const EXTRA = `
cubes:
  - name: vendas_faixa
    sql_table: gold.fato_vendas
    dimensions:
      - { name: venda_id, sql: venda_id, type: string, primary_key: true }
      - { name: origem, sql: origem, type: string }
      - { name: data_venda, sql: data_venda, type: time }
    measures:
      - { name: linhas, type: count }
      - { name: unidades, type: sum, sql: quantidade }
    pre_aggregations:
      - name: mensal_faixa
        measures: [linhas, unidades]
        dimensions: [origem]
        time_dimension: data_venda
        granularity: day
        partition_granularity: month
        build_range_start: { sql: "SELECT start_at FROM build_range_teste" }
        build_range_end: { sql: "SELECT end_at FROM build_range_teste" }
`;
const ROLLUP = 'vendas_faixa.mensal_faixa';

let fx: PreaggFixture;
let months: string[];

beforeAll(async () => {
  fx = await openPreaggFixture({ extraModel: EXTRA });
  const result = await fx.source.query(`SELECT DISTINCT strftime(data_venda, '%Y-%m') FROM gold.fato_vendas WHERE data_venda IS NOT NULL ORDER BY 1`, []);
  months = (result.data[0] ?? []).map(String);
  expect(months.length).toBeGreaterThanOrEqual(4);
});
afterAll(async () => fx?.close());

async function setRange(start: string, end: string): Promise<void> {
  await fx.source.query('CREATE OR REPLACE TABLE build_range_teste AS SELECT $1::TIMESTAMP AS start_at, $2::TIMESTAMP AS end_at', [start, end]);
}

function builtMonths(): string[] {
  const cube = fx.model.cubes.vendas_faixa!;
  return fx.preAggregations.store.partitions(rollupStoreKey(cube, cube.preAggregations.mensal_faixa!)).map((p) => p.partition.slice(0, 7)).sort();
}

async function refresh(): Promise<{ state: string; lastError?: string }> {
  const [status] = await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: [ROLLUP] });
  return status!;
}

describe('build_range_start / build_range_end', () => {
  it('builds only the months with data that touch the range, and answers like the source inside it', async () => {
    // From the middle of the second month with data to the first day of the fourth.
    await setRange(`${months[1]}-15 12:00:00`, `${months[3]}-01 00:00:00`);
    expect((await refresh()).state).toBe('ready');
    expect(builtMonths()).toEqual(months.slice(1, 4));
    const query = {
      measures: ['vendas_faixa.linhas', 'vendas_faixa.unidades'],
      dimensions: ['vendas_faixa.origem'],
      timeDimensions: [{ dimension: 'vendas_faixa.data_venda', granularity: 'month', dateRange: [`${months[2]}-01`, `${months[2]}-28`] as [string, string] }],
      order: [['vendas_faixa.origem', 'asc']] as [string, 'asc'][],
    };
    const rolled = await loadRows(fx.engine, query);
    const source = await loadRows(fx.plain, query);
    expect(rolled.rollup).toBe(ROLLUP);
    expect(rolled.rows).toEqual(source.rows);
    expect(rolled.rows.length).toBeGreaterThan(0);
  });

  it('leaves to the source a query reaching past the build range, or without a date range', async () => {
    // A total order, so both answers list their rows alike.
    const base = { measures: ['vendas_faixa.linhas'], dimensions: ['vendas_faixa.origem'], order: [['vendas_faixa.data_venda', 'asc'], ['vendas_faixa.origem', 'asc']] as [string, 'asc'][] };
    const queries = [
      { ...base, timeDimensions: [{ dimension: 'vendas_faixa.data_venda', granularity: 'month', dateRange: [`${months[0]}-01`, `${months[2]}-28`] as [string, string] }] },
      { ...base, timeDimensions: [{ dimension: 'vendas_faixa.data_venda', granularity: 'month' }] },
    ];
    for (const query of queries) {
      const answered = await loadRows(fx.engine, query);
      expect(answered.rollup).toBeUndefined();
      expect(answered.rows).toEqual((await loadRows(fx.plain, query)).rows);
    }
  });

  it('drops the partitions a moved range leaves out', async () => {
    await setRange(`${months[2]}-01 00:00:00`, `${months[2]}-02 00:00:00`);
    expect((await refresh()).state).toBe('ready');
    expect(builtMonths()).toEqual([months[2]]);
  });

  it('fails the build, naming the rollup, when a bound is not a date; the built partitions stay', async () => {
    await fx.source.query("CREATE OR REPLACE TABLE build_range_teste AS SELECT 'soon' AS start_at, 'later' AS end_at", []);
    const status = await refresh();
    expect(status.state).toBe('failed');
    expect(status.lastError).toMatch(/build_range_start of vendas_faixa\.mensal_faixa must return one date or timestamp/);
    expect(builtMonths()).toEqual([months[2]]);
  });
});
