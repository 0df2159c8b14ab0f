/**
 * The gold query suite's cases: queries over the repository's gold model (model/ plus test-only
 * extras) with the hand-written SQL that answers each one on the gold fixture. Shared by
 * gold-queries.test.ts (engine vs hand-written SQL) and the pre-aggregation suite (the same
 * answers with rollups enabled and disabled).
 */
import { expect } from 'vitest';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { INTERNAL_CONTEXT } from './gold-fixture.ts';

export const ctx = { securityContext: INTERNAL_CONTEXT, requestId: 'gold', api: 'internal' as const };
export const NOW = new Date('2024-06-15T12:00:00Z');
/** "Pedido válido" as METRICS.md defines it, written out by hand. */
export const VALID = `(NOT coalesce(f.is_cancelado, false) AND coalesce(f.status_pedido, '') <> 'test')`;
export const F = 'gold.fato_vendas f';

export interface GoldCase {
  readonly name: string;
  readonly query: CubeQuery;
  /** Hand-written SQL; columns aliased with the result keys, rows in the expected order. */
  readonly sql: string;
  /** Compare rows ignoring order (queries whose order has ties). */
  readonly unordered?: boolean;
  readonly approx?: readonly string[];
}

const byMonth = (td: string, range: [string, string]) => ({ dimension: td, granularity: 'month', dateRange: range });

export const CASES: GoldCase[] = [
  // --- measure types -------------------------------------------------------------------------
  { name: 'sum with measure filters (vendas_brutas)', query: { measures: ['fato_vendas.vendas_brutas'] }, sql: `SELECT sum(CASE WHEN ${VALID} THEN valor_bruto END) "fato_vendas.vendas_brutas" FROM ${F}` },
  { name: 'count_distinct (pedidos) by origem', query: { measures: ['fato_vendas.pedidos'], dimensions: ['fato_vendas.origem'], order: { 'fato_vendas.origem': 'asc' } },
    sql: `SELECT origem "fato_vendas.origem", count(DISTINCT CASE WHEN ${VALID} THEN pedido_id END) "fato_vendas.pedidos" FROM ${F} GROUP BY 1 ORDER BY 1` },
  { name: 'count (linhas) by status, default order = measure desc', query: { measures: ['fato_vendas.count'], dimensions: ['fato_vendas.status_pedido'] },
    sql: `SELECT status_pedido "fato_vendas.status_pedido", count(*) "fato_vendas.count" FROM ${F} GROUP BY 1 ORDER BY 2 DESC`, unordered: true },
  { name: 'number measure composed of others (ticket_medio) by canal', query: { measures: ['fato_vendas.ticket_medio'], dimensions: ['dim_canal.nome'], order: { 'dim_canal.nome': 'asc' } },
    sql: `SELECT c.nome "dim_canal.nome", (sum(CASE WHEN ${VALID} THEN valor_bruto END) - sum(CASE WHEN ${VALID} THEN desconto_total END)) / NULLIF(count(DISTINCT CASE WHEN ${VALID} THEN pedido_id END), 0) "fato_vendas.ticket_medio"
          FROM ${F} LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk GROUP BY 1 ORDER BY 1` },
  { name: 'avg, min, max by categoria', query: { measures: ['vendas_teste.preco_medio', 'vendas_teste.preco_min', 'vendas_teste.preco_max'], dimensions: ['dim_produto.categoria'], order: { 'dim_produto.categoria': 'asc' } },
    sql: `SELECT p.categoria "dim_produto.categoria", avg(preco_unitario) "vendas_teste.preco_medio", min(preco_unitario) "vendas_teste.preco_min", max(preco_unitario) "vendas_teste.preco_max"
          FROM ${F} LEFT JOIN gold.dim_produto p ON f.produto_sk = p.produto_sk GROUP BY 1 ORDER BY 1` },
  { name: 'count_distinct_approx close to the exact distinct count', query: { measures: ['vendas_teste.pedidos_aprox'] }, sql: `SELECT count(DISTINCT pedido_id) "vendas_teste.pedidos_aprox" FROM ${F}`, approx: ['vendas_teste.pedidos_aprox'] },
  { name: 'count_distinct over a joined member (clientes_distintos) by mes', query: { measures: ['fato_vendas.clientes_distintos'], timeDimensions: [byMonth('fato_vendas.data_venda', ['2024-01-01', '2024-03-31'])] },
    sql: `SELECT date_trunc('month', f.data_venda) "fato_vendas.data_venda.month", date_trunc('month', f.data_venda) "fato_vendas.data_venda", count(DISTINCT CASE WHEN ${VALID} AND f.cliente_sk <> 0 THEN cl.cliente_id END) "fato_vendas.clientes_distintos"
          FROM ${F} LEFT JOIN gold.dim_cliente cl ON f.cliente_sk = cl.cliente_sk WHERE f.data_venda BETWEEN TIMESTAMP '2024-01-01' AND TIMESTAMP '2024-03-31 23:59:59.999' GROUP BY 1, 2 ORDER BY 1` },
  { name: 'running_total over months (buckets without facts keep the running sum)', query: { measures: ['vendas_teste.unidades_acumuladas'], timeDimensions: [byMonth('vendas_teste.data_venda', ['2024-11-01', '2025-02-28'])] },
    sql: `SELECT s.m "vendas_teste.data_venda.month", s.m "vendas_teste.data_venda", (SELECT sum(quantidade) FROM ${F} WHERE f.data_venda < s.m + INTERVAL 1 MONTH) "vendas_teste.unidades_acumuladas"
          FROM (SELECT unnest(generate_series(TIMESTAMP '2024-11-01', TIMESTAMP '2025-02-01', INTERVAL 1 MONTH)) m) s ORDER BY 1` },
  { name: 'rolling_window trailing 7 day by week', query: { measures: ['vendas_teste.unidades_7d'], timeDimensions: [{ dimension: 'vendas_teste.data_venda', granularity: 'week', dateRange: ['2024-03-04', '2024-03-31'] }] },
    sql: `SELECT s.w "vendas_teste.data_venda.week", s.w "vendas_teste.data_venda", (SELECT sum(quantidade) FROM ${F} WHERE f.data_venda > s.w + INTERVAL 7 DAY - INTERVAL 1 MILLISECOND - INTERVAL 7 DAY AND f.data_venda < s.w + INTERVAL 7 DAY) "vendas_teste.unidades_7d"
          FROM (SELECT unnest(generate_series(TIMESTAMP '2024-03-04', TIMESTAMP '2024-03-25', INTERVAL 7 DAY)) w) s ORDER BY 1` },
  { name: 'rolling_window to_date year by quarter', query: { measures: ['vendas_teste.unidades_ytd'], timeDimensions: [{ dimension: 'vendas_teste.data_venda', granularity: 'quarter', dateRange: ['2024-01-01', '2025-03-31'] }] },
    sql: `SELECT s.q "vendas_teste.data_venda.quarter", s.q "vendas_teste.data_venda", (SELECT sum(quantidade) FROM ${F} WHERE f.data_venda >= date_trunc('year', s.q) AND f.data_venda < s.q + INTERVAL 3 MONTH) "vendas_teste.unidades_ytd"
          FROM (SELECT unnest(generate_series(TIMESTAMP '2024-01-01', TIMESTAMP '2025-01-01', INTERVAL 3 MONTH)) q) s ORDER BY 1` },
  { name: 'rolling_window leading 2 week (unbounded trailing) by month', query: { measures: ['vendas_teste.linhas_proximas_2_semanas'], timeDimensions: [byMonth('vendas_teste.data_venda', ['2024-10-01', '2024-12-31'])] },
    sql: `SELECT s.m "vendas_teste.data_venda.month", s.m "vendas_teste.data_venda", (SELECT NULLIF(count(*), 0) FROM ${F} WHERE f.data_venda <= s.m + INTERVAL 1 MONTH - INTERVAL 1 MILLISECOND + INTERVAL 14 DAY) "vendas_teste.linhas_proximas_2_semanas"
          FROM (SELECT unnest(generate_series(TIMESTAMP '2024-10-01', TIMESTAMP '2024-12-01', INTERVAL 1 MONTH)) m) s ORDER BY 1` },
  // --- granularities --------------------------------------------------------------------------
  ...(['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const).map((g): GoldCase => ({
    name: `granularity ${g}`,
    query: { measures: ['fato_vendas.count'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: g, dateRange: ['2024-02-01', '2024-05-31'] }] },
    // The fact cube also holds one row per refund at its refund time (METRICS.md: returns on the refund date):
    // a bucket with refunds and no sale line shows a count of 0.
    sql: `SELECT date_trunc('${g}', t) "fato_vendas.data_venda.${g}", date_trunc('${g}', t) "fato_vendas.data_venda", count(*) FILTER (WHERE venda) "fato_vendas.count"
          FROM (SELECT data_venda AS t, true AS venda FROM ${F} UNION ALL SELECT data_devolucao, false FROM gold.fato_devolucoes)
          WHERE t >= TIMESTAMP '2024-02-01' AND t <= TIMESTAMP '2024-05-31 23:59:59.999' GROUP BY 1, 2 ORDER BY 1`,
  })),
  { name: 'granularity day in America/Sao_Paulo (UTC source converted)', query: { measures: ['fato_vendas.count'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: ['2024-01-01', '2024-01-10'] }], timezone: 'America/Sao_Paulo' },
    sql: `SELECT date_trunc('day', data_venda - INTERVAL 3 HOUR) "fato_vendas.data_venda.day", date_trunc('day', data_venda - INTERVAL 3 HOUR) "fato_vendas.data_venda", count(*) "fato_vendas.count" FROM ${F}
          WHERE data_venda >= TIMESTAMP '2024-01-01 03:00:00' AND data_venda <= TIMESTAMP '2024-01-11 02:59:59.999' GROUP BY 1, 2 ORDER BY 1` },
  // --- filter operators -----------------------------------------------------------------------
  { name: 'equals with one value', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.origem', operator: 'equals', values: ['pos'] }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE origem = 'pos'` },
  { name: 'equals with several values is IN', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.status_pedido', operator: 'equals', values: ['paid', 'test'] }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE status_pedido IN ('paid', 'test')` },
  { name: 'notEquals keeps NULL rows', query: { measures: ['fato_vendas.count'], filters: [{ member: 'dim_cliente.cidade', operator: 'notEquals', values: ['Recife'] }] },
    sql: `SELECT count(*) "fato_vendas.count" FROM ${F} LEFT JOIN gold.dim_cliente cl ON f.cliente_sk = cl.cliente_sk WHERE cl.cidade <> 'Recife' OR cl.cidade IS NULL` },
  { name: 'contains is case-insensitive and OR-ed over values', query: { dimensions: ['dim_produto.nome'], filters: [{ member: 'dim_produto.nome', operator: 'contains', values: ['AZUL', 'jeans'] }], order: { 'dim_produto.nome': 'asc' } },
    sql: `SELECT nome "dim_produto.nome" FROM gold.dim_produto WHERE nome ILIKE '%azul%' OR nome ILIKE '%jeans%' GROUP BY 1 ORDER BY 1` },
  { name: 'notContains keeps NULL', query: { dimensions: ['dim_produto.marca'], filters: [{ member: 'dim_produto.marca', operator: 'notContains', values: ['a a'] }], order: { 'dim_produto.marca': 'asc' } },
    sql: `SELECT marca "dim_produto.marca" FROM gold.dim_produto WHERE marca NOT ILIKE '%a a%' OR marca IS NULL GROUP BY 1 ORDER BY 1 NULLS LAST` },
  { name: 'startsWith', query: { dimensions: ['dim_produto.nome'], filters: [{ member: 'dim_produto.nome', operator: 'startsWith', values: ['ca'] }], order: { 'dim_produto.nome': 'asc' } },
    sql: `SELECT nome "dim_produto.nome" FROM gold.dim_produto WHERE nome ILIKE 'ca%' GROUP BY 1 ORDER BY 1` },
  { name: 'notStartsWith', query: { dimensions: ['dim_produto.nome'], filters: [{ member: 'dim_produto.nome', operator: 'notStartsWith', values: ['ca', 'N'] }], order: { 'dim_produto.nome': 'asc' } },
    sql: `SELECT nome "dim_produto.nome" FROM gold.dim_produto WHERE NOT (nome ILIKE 'ca%') AND NOT (nome ILIKE 'n%') GROUP BY 1 ORDER BY 1` },
  { name: 'endsWith (a LIKE wildcard in the value matches itself)', query: { dimensions: ['dim_produto.nome'], filters: [{ member: 'dim_produto.nome', operator: 'endsWith', values: ['_urbana', 'algodão'] }], order: { 'dim_produto.nome': 'asc' } },
    sql: `SELECT nome "dim_produto.nome" FROM gold.dim_produto WHERE nome ILIKE '%\\_urbana' ESCAPE '\\' OR nome ILIKE '%algodão' GROUP BY 1 ORDER BY 1` },
  { name: 'notEndsWith', query: { dimensions: ['dim_produto.nome'], filters: [{ member: 'dim_produto.nome', operator: 'notEndsWith', values: ['a'] }], order: { 'dim_produto.nome': 'asc' } },
    sql: `SELECT nome "dim_produto.nome" FROM gold.dim_produto WHERE nome NOT ILIKE '%a' GROUP BY 1 ORDER BY 1` },
  ...(
    [['gt', '>'], ['gte', '>='], ['lt', '<'], ['lte', '<=']] as const
  ).map(([op, sym]): GoldCase => ({
    name: `${op} on a number dimension (string value typed)`,
    query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.preco_unitario', operator: op, values: ['13'] }] },
    sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE preco_unitario ${sym} 13`,
  })),
  { name: 'set', query: { measures: ['fato_vendas.count'], filters: [{ member: 'dim_produto.marca', operator: 'set' }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} LEFT JOIN gold.dim_produto p ON f.produto_sk = p.produto_sk WHERE p.marca IS NOT NULL` },
  { name: 'notSet', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.data_devolucao', operator: 'notSet' }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE data_devolucao IS NULL` },
  { name: 'inDateRange (date-only end covers the day)', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.data_venda', operator: 'inDateRange', values: ['2024-03-01', '2024-03-15'] }] },
    sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE data_venda >= TIMESTAMP '2024-03-01' AND data_venda < TIMESTAMP '2024-03-16'` },
  { name: 'notInDateRange', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.data_venda', operator: 'notInDateRange', values: ['2024-03-01', '2024-12-31'] }] },
    sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE data_venda < TIMESTAMP '2024-03-01' OR data_venda >= TIMESTAMP '2025-01-01'` },
  { name: 'beforeDate', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.data_venda', operator: 'beforeDate', values: ['2024-02-01'] }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE data_venda < TIMESTAMP '2024-02-01'` },
  { name: 'beforeOrOnDate includes the whole day', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.data_venda', operator: 'beforeOrOnDate', values: ['2024-02-01'] }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE data_venda < TIMESTAMP '2024-02-02'` },
  { name: 'afterDate excludes the whole day', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.data_venda', operator: 'afterDate', values: ['2024-12-01'] }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE data_venda >= TIMESTAMP '2024-12-02'` },
  { name: 'afterOrOnDate', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.data_venda', operator: 'afterOrOnDate', values: ['2024-12-01'] }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE data_venda >= TIMESTAMP '2024-12-01'` },
  { name: 'boolean dimension equals "true"', query: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.is_cancelado', operator: 'equals', values: ['true'] }] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE is_cancelado` },
  { name: 'measure filter goes to HAVING', query: { measures: ['fato_vendas.unidades'], dimensions: ['dim_produto.nome'], filters: [{ member: 'fato_vendas.unidades', operator: 'gt', values: ['100'] }], order: { 'dim_produto.nome': 'asc' } },
    sql: `SELECT p.nome "dim_produto.nome", sum(CASE WHEN ${VALID} THEN quantidade END) "fato_vendas.unidades" FROM ${F} LEFT JOIN gold.dim_produto p ON f.produto_sk = p.produto_sk GROUP BY 1 HAVING sum(CASE WHEN ${VALID} THEN quantidade END) > 100 ORDER BY 1` },
  { name: 'nested or/and over dimensions of two cubes', query: { measures: ['fato_vendas.count'], filters: [{ or: [{ member: 'fato_vendas.origem', operator: 'equals', values: ['pos'] }, { and: [{ member: 'dim_canal.canal_id', operator: 'equals', values: ['app'] }, { member: 'fato_vendas.data_devolucao', operator: 'set' }] }] }] },
    sql: `SELECT count(*) "fato_vendas.count" FROM ${F} LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk WHERE f.origem = 'pos' OR (c.canal_id = 'app' AND f.data_devolucao IS NOT NULL)` },
  // --- segments, views, joins -----------------------------------------------------------------
  { name: 'segment online', query: { measures: ['fato_vendas.vendas_liquidas'], segments: ['fato_vendas.online'] }, sql: `SELECT sum(CASE WHEN ${VALID} THEN valor_liquido - coalesce(valor_devolvido, 0) END) "fato_vendas.vendas_liquidas" FROM ${F} WHERE origem = 'erp'` },
  { name: 'two segments AND-ed', query: { measures: ['fato_vendas.count'], segments: ['fato_vendas.loja_fisica', 'fato_vendas.clientes_novos'] }, sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE origem = 'pos' AND tipo_cliente = 'novo'` },
  { name: 'view members over the fact and a dimension', query: { measures: ['vendas.vendas_liquidas', 'vendas.pedidos'], dimensions: ['vendas.canal_nome'], order: { 'vendas.canal_nome': 'asc' } },
    sql: `SELECT c.nome "vendas.canal_nome", sum(CASE WHEN ${VALID} THEN valor_liquido - coalesce(valor_devolvido, 0) END) "vendas.vendas_liquidas", count(DISTINCT CASE WHEN ${VALID} THEN pedido_id END) "vendas.pedidos"
          FROM ${F} LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk GROUP BY 1 ORDER BY 1` },
  { name: 'view segment and view time dimension', query: { measures: ['vendas.unidades'], segments: ['vendas.loja_fisica'], timeDimensions: [{ dimension: 'vendas.data_venda', granularity: 'quarter', dateRange: ['2024-01-01', '2024-12-31'] }] },
    sql: `SELECT date_trunc('quarter', data_venda) "vendas.data_venda.quarter", date_trunc('quarter', data_venda) "vendas.data_venda", sum(CASE WHEN ${VALID} THEN quantidade END) "vendas.unidades"
          FROM ${F} WHERE origem = 'pos' AND data_venda BETWEEN TIMESTAMP '2024-01-01' AND TIMESTAMP '2024-12-31 23:59:59.999' GROUP BY 1, 2 ORDER BY 1` },
  { name: 'one-to-many join does not multiply the one side (no fan-out)', query: { measures: ['clientes_teste.count', 'clientes_teste.soma_sk', 'fato_vendas.count'], dimensions: ['clientes_teste.segmento'], order: { 'clientes_teste.segmento': 'asc' } },
    sql: `SELECT c.segmento "clientes_teste.segmento", c.n "clientes_teste.count", c.s "clientes_teste.soma_sk", v.n "fato_vendas.count"
          FROM (SELECT segmento, count(*) n, sum(cliente_sk) s FROM gold.dim_cliente GROUP BY 1) c
          JOIN (SELECT cl.segmento, count(f.venda_id) n FROM gold.dim_cliente cl LEFT JOIN ${F} ON cl.cliente_sk = f.cliente_sk GROUP BY 1) v ON c.segmento IS NOT DISTINCT FROM v.segmento ORDER BY 1 NULLS LAST` },
  { name: 'multiplied count by a dimension of the many side counts each customer once per group', query: { measures: ['clientes_teste.count'], dimensions: ['fato_vendas.origem'], order: { 'fato_vendas.origem': 'asc' } },
    sql: `SELECT f.origem "fato_vendas.origem", count(DISTINCT cl.cliente_sk) "clientes_teste.count" FROM gold.dim_cliente cl LEFT JOIN ${F} ON cl.cliente_sk = f.cliente_sk GROUP BY 1 ORDER BY 1 NULLS LAST` },
  // --- relative dates (now = 2024-06-15 12:00 UTC) --------------------------------------------
  ...(
    [
      ['today', '2024-06-15', '2024-06-15'], ['yesterday', '2024-06-14', '2024-06-14'], ['last 7 days', '2024-06-08', '2024-06-14'],
      ['this month', '2024-06-01', '2024-06-30'], ['last quarter', '2024-01-01', '2024-03-31'], ['from 3 months ago to now', '2024-03-15', '2024-06-15'],
      ['this year', '2024-01-01', '2024-12-31'], ['last 2 weeks', '2024-05-27', '2024-06-09'],
    ] as const
  ).map(([range, from, to]): GoldCase => ({
    name: `relative date range "${range}"`,
    query: { measures: ['fato_vendas.count'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', dateRange: range }] },
    sql: `SELECT count(*) "fato_vendas.count" FROM ${F} WHERE data_venda >= TIMESTAMP '${from}' AND data_venda < TIMESTAMP '${to}' + INTERVAL 1 DAY`,
  })),
  // --- order, limit, offset, ungrouped ---------------------------------------------------------
  { name: 'order by measure desc, limit and offset', query: { measures: ['fato_vendas.vendas_brutas'], dimensions: ['fato_vendas.pedido_id'], order: [['fato_vendas.vendas_brutas', 'desc'], ['fato_vendas.pedido_id', 'asc']], limit: 5, offset: 3 },
    sql: `SELECT pedido_id "fato_vendas.pedido_id", sum(CASE WHEN ${VALID} THEN valor_bruto END) "fato_vendas.vendas_brutas" FROM ${F} GROUP BY 1 ORDER BY 2 DESC NULLS FIRST, 1 LIMIT 5 OFFSET 3` },
  { name: 'ungrouped returns one row per fact row with raw measure SQL', query: { measures: ['fato_vendas.unidades'], dimensions: ['fato_vendas.pedido_id'], filters: [{ member: 'fato_vendas.pedido_id', operator: 'equals', values: ['P7', 'P9'] }], ungrouped: true, order: [['fato_vendas.pedido_id', 'asc'], ['fato_vendas.unidades', 'asc']] },
    sql: `SELECT pedido_id "fato_vendas.pedido_id", CASE WHEN ${VALID} THEN quantidade END "fato_vendas.unidades" FROM ${F} WHERE pedido_id IN ('P7', 'P9') ORDER BY 1, 2 NULLS LAST` },
];

export function rows(result: { columns: readonly { name: string }[]; data: readonly (readonly unknown[])[]; rowCount: number }): Record<string, unknown>[] {
  return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
}

/** `approx` keys (HyperLogLog estimates) of the expected side match within 10 %. */
export function normalize(list: Record<string, unknown>[], approx: readonly string[] = []): Record<string, unknown>[] {
  return list.map((row) =>
    Object.fromEntries(
      Object.keys(row).sort().map((k) => {
        const v = row[k];
        if (v === null || v === undefined) return [k, null];
        if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) {
          const n = Number(v);
          return [k, approx.includes(k) ? expect.toSatisfy((x: number) => Math.abs(x - n) <= 0.1 * n) : Number(n.toFixed(6))];
        }
        return [k, v];
      }),
    ),
  );
}

