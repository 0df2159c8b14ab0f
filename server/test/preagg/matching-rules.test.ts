/**
 * Each of Cube's matching rules, with queries that must and must not be served from a rollup.
 * A served query's answer is checked against hand-written SQL on the source, so "served" also
 * means "served right".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { ctx, loadRows, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

let fx: PreaggFixture;

beforeAll(async () => {
  fx = await openPreaggFixture();
  const statuses = await fx.preAggregations.refresher.refresh(fx.model, { force: true });
  expect(statuses.filter((s) => s.state !== 'ready')).toEqual([]);
});

afterAll(async () => fx?.close());

const FV = 'gold.fato_vendas';
const TD = (granularity: string | undefined, dateRange?: [string, string]) => ({ dimension: 'rollup_teste.data_venda', ...(granularity ? { granularity } : {}), ...(dateRange ? { dateRange } : {}) });

/** Served-by expectations: [rule, query, rollup or undefined (the source must answer)]. */
const RULES: [string, CubeQuery, string | undefined][] = [
  ['additive measures re-aggregate to a coarser grouping', { measures: ['rollup_teste.linhas', 'rollup_teste.unidades'], dimensions: ['rollup_teste.origem'] }, 'rollup_teste.por_origem_dia'],
  ['min and max re-aggregate', { measures: ['rollup_teste.preco_min', 'rollup_teste.preco_max'], dimensions: ['dim_canal.nome'], order: { 'dim_canal.nome': 'asc' } }, 'rollup_teste.por_origem_dia'],
  ['avg is served from its stored sum and count', { measures: ['rollup_teste.preco_medio'], dimensions: ['rollup_teste.origem'] }, 'rollup_teste.por_origem_dia'],
  ['a number measure over stored additive measures', { measures: ['rollup_teste.unidades_por_linha'], dimensions: ['rollup_teste.status_pedido'] }, 'rollup_teste.por_origem_dia'],
  ['count_distinct when the query groups exactly like the rollup', { measures: ['rollup_teste.pedidos'], dimensions: ['rollup_teste.origem', 'rollup_teste.status_pedido', 'dim_canal.nome'], timeDimensions: [TD('day', ['2024-03-01', '2024-03-31'])] }, 'rollup_teste.por_origem_dia'],
  ['count_distinct is not re-aggregated to a coarser grouping', { measures: ['rollup_teste.pedidos'], dimensions: ['rollup_teste.origem'] }, undefined],
  ['a number measure over a count_distinct needs the exact grouping', { measures: ['rollup_teste.unidades_por_pedido'], dimensions: ['rollup_teste.origem'] }, undefined],
  ['a measure the rollup does not store', { measures: ['rollup_teste.desconto'], dimensions: ['rollup_teste.origem'] }, undefined],
  ['a dimension the rollup does not store', { measures: ['rollup_teste.linhas'], dimensions: ['rollup_teste.tipo_cliente'] }, undefined],
  ['a filter on a rollup dimension', { measures: ['rollup_teste.unidades'], filters: [{ member: 'dim_canal.nome', operator: 'equals', values: ['App'] }] }, 'rollup_teste.por_origem_dia'],
  ['a filter on a dimension outside the rollup', { measures: ['rollup_teste.unidades'], filters: [{ member: 'rollup_teste.tipo_cliente', operator: 'equals', values: ['novo'] }] }, undefined],
  ['a measure filter (HAVING) on a stored measure', { measures: ['rollup_teste.unidades'], dimensions: ['rollup_teste.status_pedido'], filters: [{ member: 'rollup_teste.unidades', operator: 'gt', values: ['50'] }] }, 'rollup_teste.por_origem_dia'],
  ['month, quarter and year are computed from a day rollup', { measures: ['rollup_teste.linhas'], timeDimensions: [TD('quarter', ['2024-01-01', '2024-12-31'])] }, 'rollup_teste.por_origem_dia'],
  ['week is computed from a day rollup', { measures: ['rollup_teste.linhas'], timeDimensions: [TD('week', ['2024-03-04', '2024-03-31'])] }, 'rollup_teste.por_origem_dia'],
  ['hour cannot be computed from a day rollup', { measures: ['rollup_teste.linhas'], timeDimensions: [TD('hour', ['2024-03-01', '2024-03-02'])] }, undefined],
  ['a date range on whole days', { measures: ['rollup_teste.unidades'], timeDimensions: [TD(undefined, ['2024-02-10', '2024-04-20'])] }, 'rollup_teste.por_origem_dia'],
  ['a date range cutting a day is refused without allow_non_strict_date_range_match', { measures: ['rollup_teste.unidades'], timeDimensions: [TD(undefined, ['2024-02-10T12:00:00', '2024-04-20'])] }, undefined],
  ['the rollup whose segments equal the query’s', { measures: ['rollup_teste.unidades'], segments: ['rollup_teste.online'], dimensions: ['rollup_teste.tipo_cliente'] }, 'rollup_teste.online_mes'],
  ['a segment no rollup stores', { measures: ['rollup_teste.unidades'], segments: ['rollup_teste.online'], dimensions: ['rollup_teste.origem'] }, undefined],
  ['a rollup with a segment does not serve queries without it', { measures: ['rollup_teste.unidades'], dimensions: ['rollup_teste.tipo_cliente'] }, undefined],
  ['a rollup built in the query’s time zone', { measures: ['rollup_teste.unidades', 'rollup_teste.desconto'], timeDimensions: [TD('day', ['2024-03-01', '2024-03-31'])], timezone: 'America/Sao_Paulo' }, 'rollup_teste.sao_paulo_hora'],
  ['another time zone than the rollup’s', { measures: ['rollup_teste.linhas'], timeDimensions: [TD('month', ['2024-01-01', '2024-03-31'])], timezone: 'America/Sao_Paulo' }, undefined],
  ['ungrouped queries read rows, not rollups', { measures: ['rollup_teste.unidades'], dimensions: ['rollup_teste.origem'], ungrouped: true, limit: 5 }, undefined],
  ['the smallest covering rollup wins', { measures: ['fato_vendas.vendas_liquidas'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'] }] }, 'fato_vendas.novos_recorrentes_mes'],
  ['a view member maps to the cube’s rollup', { measures: ['vendas.vendas_liquidas'], dimensions: ['vendas.canal_nome'] }, 'fato_vendas.por_canal_dia'],
];

describe('rollup matching rules', () => {
  it.each(RULES)('%s', async (_rule, query, expected) => {
    const served = await loadRows(fx.engine, query);
    const source = await loadRows(fx.plain, query);
    expect(served.rollup).toBe(expected);
    expect(source.rollup).toBeUndefined();
    expect(served.rows.length).toBeGreaterThan(0);
    expect(numeric(served.rows)).toEqual(numeric(source.rows));
  });

  it('allow_non_strict_date_range_match serves a range cutting its buckets with the whole buckets it touches', async () => {
    const { rows, rollup } = await loadRows(fx.engine, {
      measures: ['rollup_teste.desconto'],
      dimensions: ['rollup_teste.tipo_cliente'],
      timeDimensions: [TD('month', ['2024-02-10', '2024-04-20'])],
      order: [['rollup_teste.data_venda', 'asc'], ['rollup_teste.tipo_cliente', 'asc']],
    });
    expect(rollup).toBe('rollup_teste.tipo_mes_nao_estrito');
    const want = await fx.source.query(
      `SELECT strftime(date_trunc('month', data_venda), '%Y-%m-%dT%H:%M:%S.000') m, tipo_cliente, sum(desconto_total) d FROM ${FV}
       WHERE data_venda >= TIMESTAMP '2024-02-01' AND data_venda < TIMESTAMP '2024-05-01' GROUP BY 1, 2 ORDER BY 1, 2`,
      [],
    );
    expect(rows.map((r) => [r['rollup_teste.data_venda.month'], r['rollup_teste.tipo_cliente'], Number(r['rollup_teste.desconto'])])).toEqual(
      Array.from({ length: want.rowCount }, (_, i) => [want.data[0]![i], want.data[1]![i], Number(want.data[2]![i])]),
    );
  });

  it('a rollup built in São Paulo time answers São Paulo days as hand-written SQL does (stored local times read as they are)', async () => {
    const { rows, rollup } = await loadRows(fx.engine, {
      measures: ['rollup_teste.unidades'],
      timeDimensions: [TD('day', ['2024-03-01', '2024-03-31'])],
      timezone: 'America/Sao_Paulo',
      order: [['rollup_teste.data_venda', 'asc']],
    });
    expect(rollup).toBe('rollup_teste.sao_paulo_hora');
    // São Paulo has kept UTC−3 all year since 2019: local day = UTC time − 3 hours.
    const want = await fx.source.query(
      `SELECT strftime(date_trunc('day', data_venda - INTERVAL 3 HOUR), '%Y-%m-%dT%H:%M:%S.000') d, sum(quantidade) u FROM ${FV}
       WHERE data_venda >= TIMESTAMP '2024-03-01 03:00:00' AND data_venda < TIMESTAMP '2024-04-01 03:00:00' GROUP BY 1 ORDER BY 1`,
      [],
    );
    expect(want.rowCount).toBeGreaterThan(10);
    expect(rows.map((r) => [r['rollup_teste.data_venda.day'], Number(r['rollup_teste.unidades'])])).toEqual(
      Array.from({ length: want.rowCount }, (_, i) => [want.data[0]![i], Number(want.data[1]![i])]),
    );
  });

  it('answers a re-aggregated rollup query as hand-written SQL does', async () => {
    const { rows, rollup } = await loadRows(fx.engine, {
      measures: ['rollup_teste.unidades', 'rollup_teste.preco_medio', 'rollup_teste.preco_max'],
      dimensions: ['dim_canal.nome'],
      timeDimensions: [TD('month', ['2024-02-01', '2024-04-30'])],
      order: [['rollup_teste.data_venda', 'asc'], ['dim_canal.nome', 'asc']],
    });
    expect(rollup).toBe('rollup_teste.por_origem_dia');
    const want = await fx.source.query(
      `SELECT strftime(date_trunc('month', f.data_venda), '%Y-%m-%dT%H:%M:%S.000') m, c.nome, sum(quantidade) u, avg(preco_unitario) a, max(preco_unitario) x
       FROM ${FV} f LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk
       WHERE f.data_venda >= TIMESTAMP '2024-02-01' AND f.data_venda < TIMESTAMP '2024-05-01' GROUP BY 1, 2 ORDER BY 1, 2`,
      [],
    );
    expect(rows.map((r) => [r['rollup_teste.data_venda.month'], r['dim_canal.nome'], Number(r['rollup_teste.unidades']), Number(Number(r['rollup_teste.preco_medio']).toFixed(9)), Number(r['rollup_teste.preco_max'])])).toEqual(
      Array.from({ length: want.rowCount }, (_, i) => [want.data[0]![i], want.data[1]![i], Number(want.data[2]![i]), Number(Number(want.data[3]![i]).toFixed(9)), Number(want.data[4]![i])]),
    );
  });

  it('names the rollup in /v1/sql and reads the store, not the gold tables', async () => {
    const [response] = await fx.engine.sql({ measures: ['rollup_teste.linhas'], dimensions: ['rollup_teste.origem'] }, { securityContext: ctx.securityContext, requestId: 's', api: 'internal' });
    expect(response!.preAggregations).toMatchObject([{ preAggregationId: 'rollup_teste.por_origem_dia' }]);
    expect(response!.external).toBe(true);
    expect(response!.sql[0]).toContain('rollups.');
    expect(response!.sql[0]).not.toContain('gold.fato_vendas');
    const [unmatched] = await fx.engine.sql({ measures: ['rollup_teste.desconto'], dimensions: ['rollup_teste.origem'] }, { securityContext: ctx.securityContext, requestId: 's', api: 'internal' });
    expect(unmatched!.preAggregations).toEqual([]);
    expect(unmatched!.sql[0]).toContain('gold.fato_vendas');
  });
});

/** Numbers compared to 9 significant decimals (sums of doubles may differ in the last bits). */
function numeric(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?(e-?\d+)?$/.test(v) ? Number(Number(v).toFixed(9)) : typeof v === 'number' ? Number(v.toFixed(9)) : v])));
}
