/**
 * The gold query suite (server/test/engine/gold-queries.test.ts, whose REST-side answers are
 * checked there against hand-written SQL) written as GraphQL by hand: each GraphQL document must
 * return exactly the rows the same query returns through REST `/load`, from one real HTTP server.
 * The REST rows are reshaped into GraphQL's nesting here, by the rules of Cube's GraphQL API
 * (cube field → member, time dimensions as `{ value, <granularity> }` UTC instants).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLD_EXTRA_FILES, startStack, type Stack } from '../support/stack.ts';
import { loadRest, postGraphql } from '../support/api-requests.ts';
import { fetchTimeMembers, normalizeRows, restRowsAsGraphql, sortRows, type RestQuery } from './support/rest-as-graphql.ts';

interface EquivalenceCase {
  readonly name: string;
  /** The GraphQL document (variables in `variables`). */
  readonly graphql: string;
  readonly variables?: Record<string, unknown>;
  /** The same query in Cube's REST JSON, written independently. */
  readonly rest: RestQuery;
  /** Compare ignoring row order (default order with ties). */
  readonly unordered?: boolean;
}

const VENDAS_DATE = 'fato_vendas.data_venda';
const count = (where: string) => `{ cube(where: ${where}) { fato_vendas { count } } }`;
const byGranularity = (g: string): EquivalenceCase => ({
  name: `granularity ${g}`,
  graphql: `{ cube(where: { fato_vendas: { data_venda: { inDateRange: ["2024-02-01", "2024-05-31"] } } }) { fato_vendas { count data_venda { ${g} } } } }`,
  rest: { measures: ['fato_vendas.count'], timeDimensions: [{ dimension: VENDAS_DATE, granularity: g, dateRange: ['2024-02-01', '2024-05-31'] }] },
});
const stringFilter = (op: string, restOp: string, values: string[], graphqlValue: string): EquivalenceCase => ({
  name: `string filter ${op}`,
  graphql: `{ cube(orderBy: { dim_produto: { nome: asc } }) { dim_produto(where: { nome: { ${op}: ${graphqlValue} } }) { nome } } }`,
  rest: { dimensions: ['dim_produto.nome'], filters: [{ member: 'dim_produto.nome', operator: restOp, values }], order: [['dim_produto.nome', 'asc']] },
});
const numberFilter = (op: string): EquivalenceCase => ({
  name: `number filter ${op}`,
  graphql: count(`{ fato_vendas: { preco_unitario: { ${op}: 13 } } }`),
  rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.preco_unitario', operator: op, values: ['13'] }] },
});
const dateFilter = (op: string, value: string, values: string[]): EquivalenceCase => ({
  name: `time filter ${op}`,
  graphql: count(`{ fato_vendas: { data_venda: { ${op}: ${value} } } }`),
  rest: { measures: ['fato_vendas.count'], filters: [{ member: VENDAS_DATE, operator: op, values }] },
});

const CASES: EquivalenceCase[] = [
  // --- measure types ---------------------------------------------------------------------------
  { name: 'sum with measure filters', graphql: '{ cube { fato_vendas { vendas_brutas } } }', rest: { measures: ['fato_vendas.vendas_brutas'] } },
  { name: 'count_distinct by a dimension, ordered', graphql: '{ cube(orderBy: { fato_vendas: { origem: asc } }) { fato_vendas { pedidos origem } } }',
    rest: { measures: ['fato_vendas.pedidos'], dimensions: ['fato_vendas.origem'], order: [['fato_vendas.origem', 'asc']] } },
  { name: 'count by status with the default order', graphql: '{ cube { fato_vendas { count status_pedido } } }',
    rest: { measures: ['fato_vendas.count'], dimensions: ['fato_vendas.status_pedido'] }, unordered: true },
  { name: 'number measure by a joined cube dimension', graphql: '{ cube(orderBy: { dim_canal: { nome: asc } }) { fato_vendas { ticket_medio } dim_canal { nome } } }',
    rest: { measures: ['fato_vendas.ticket_medio'], dimensions: ['dim_canal.nome'], order: [['dim_canal.nome', 'asc']] } },
  { name: 'avg, min, max', graphql: '{ cube(orderBy: { dim_produto: { categoria: asc } }) { vendas_teste { preco_medio preco_min preco_max } dim_produto { categoria } } }',
    rest: { measures: ['vendas_teste.preco_medio', 'vendas_teste.preco_min', 'vendas_teste.preco_max'], dimensions: ['dim_produto.categoria'], order: [['dim_produto.categoria', 'asc']] } },
  { name: 'count_distinct_approx', graphql: '{ cube { vendas_teste { pedidos_aprox } } }', rest: { measures: ['vendas_teste.pedidos_aprox'] } },
  { name: 'count_distinct over a joined member by month (inDateRange becomes the dateRange)',
    graphql: '{ cube(where: { fato_vendas: { data_venda: { inDateRange: ["2024-01-01", "2024-03-31"] } } }) { fato_vendas { clientes_distintos data_venda { month } } } }',
    rest: { measures: ['fato_vendas.clientes_distintos'], timeDimensions: [{ dimension: VENDAS_DATE, granularity: 'month', dateRange: ['2024-01-01', '2024-03-31'] }] } },
  { name: 'running_total by month', graphql: '{ cube { vendas_teste(where: { data_venda: { inDateRange: ["2024-11-01", "2025-02-28"] } }) { unidades_acumuladas data_venda { month } } } }',
    rest: { measures: ['vendas_teste.unidades_acumuladas'], timeDimensions: [{ dimension: 'vendas_teste.data_venda', granularity: 'month', dateRange: ['2024-11-01', '2025-02-28'] }] } },
  { name: 'rolling_window trailing 7 day by week', graphql: '{ cube { vendas_teste(where: { data_venda: { inDateRange: ["2024-03-04", "2024-03-31"] } }) { unidades_7d data_venda { week } } } }',
    rest: { measures: ['vendas_teste.unidades_7d'], timeDimensions: [{ dimension: 'vendas_teste.data_venda', granularity: 'week', dateRange: ['2024-03-04', '2024-03-31'] }] } },
  { name: 'rolling_window to_date by quarter', graphql: '{ cube { vendas_teste(where: { data_venda: { inDateRange: ["2024-01-01", "2025-03-31"] } }) { unidades_ytd data_venda { quarter } } } }',
    rest: { measures: ['vendas_teste.unidades_ytd'], timeDimensions: [{ dimension: 'vendas_teste.data_venda', granularity: 'quarter', dateRange: ['2024-01-01', '2025-03-31'] }] } },
  { name: 'rolling_window leading 2 week by month', graphql: '{ cube { vendas_teste(where: { data_venda: { inDateRange: ["2024-10-01", "2024-12-31"] } }) { linhas_proximas_2_semanas data_venda { month } } } }',
    rest: { measures: ['vendas_teste.linhas_proximas_2_semanas'], timeDimensions: [{ dimension: 'vendas_teste.data_venda', granularity: 'month', dateRange: ['2024-10-01', '2024-12-31'] }] } },
  // --- granularities and timezone ------------------------------------------------------------------
  ...['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'].map(byGranularity),
  { name: 'day in America/Sao_Paulo, returned as UTC instants',
    graphql: '{ cube(timezone: "America/Sao_Paulo", where: { fato_vendas: { data_venda: { inDateRange: ["2024-01-01", "2024-01-10"] } } }) { fato_vendas { count data_venda { day } } } }',
    rest: { measures: ['fato_vendas.count'], timeDimensions: [{ dimension: VENDAS_DATE, granularity: 'day', dateRange: ['2024-01-01', '2024-01-10'] }], timezone: 'America/Sao_Paulo' } },
  { name: 'time dimension value and a granularity together',
    graphql: '{ cube(limit: 20, where: { fato_vendas: { data_venda: { inDateRange: ["2024-01-01", "2024-01-31"] } } }, orderBy: { fato_vendas: { data_venda: asc } }) { fato_vendas { count data_venda { value day } } } }',
    rest: { measures: ['fato_vendas.count'], dimensions: [VENDAS_DATE], timeDimensions: [{ dimension: VENDAS_DATE, granularity: 'day', dateRange: ['2024-01-01', '2024-01-31'] }], order: [[VENDAS_DATE, 'asc']], limit: 20 } },
  { name: 'time dimension value alone is a plain dimension',
    graphql: '{ cube(limit: 10, orderBy: { fato_vendas: { data_devolucao: asc } }) { fato_vendas { data_devolucao { value } } } }',
    rest: { dimensions: ['fato_vendas.data_devolucao'], order: [['fato_vendas.data_devolucao', 'asc']], limit: 10 } },
  // --- every filter operator -------------------------------------------------------------------
  { name: 'equals', graphql: count('{ fato_vendas: { origem: { equals: "pos" } } }'), rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.origem', operator: 'equals', values: ['pos'] }] } },
  { name: 'in is equals with several values', graphql: count('{ fato_vendas: { status_pedido: { in: ["paid", "test"] } } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.status_pedido', operator: 'equals', values: ['paid', 'test'] }] } },
  { name: 'notEquals on a joined cube', graphql: count('{ dim_cliente: { cidade: { notEquals: "Recife" } } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ member: 'dim_cliente.cidade', operator: 'notEquals', values: ['Recife'] }] } },
  { name: 'notIn is notEquals with several values', graphql: count('{ dim_cliente: { cidade: { notIn: ["Recife", "Olinda"] } } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ member: 'dim_cliente.cidade', operator: 'notEquals', values: ['Recife', 'Olinda'] }] } },
  stringFilter('contains', 'contains', ['AZUL', 'jeans'], '["AZUL", "jeans"]'),
  stringFilter('notContains', 'notContains', ['a a'], '["a a"]'),
  stringFilter('startsWith', 'startsWith', ['ca'], '["ca"]'),
  stringFilter('notStartsWith', 'notStartsWith', ['ca', 'N'], '["ca", "N"]'),
  stringFilter('endsWith', 'endsWith', ['_urbana', 'algodão'], '["_urbana", "algodão"]'),
  stringFilter('notEndsWith', 'notEndsWith', ['a'], '["a"]'),
  ...['gt', 'gte', 'lt', 'lte'].map(numberFilter),
  { name: 'number filter equals', graphql: count('{ fato_vendas: { preco_unitario: { equals: 12 } } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.preco_unitario', operator: 'equals', values: ['12'] }] } },
  { name: 'number filter in, notIn and notEquals', graphql: count('{ fato_vendas: { preco_unitario: { in: [10, 12, 13, 15], notIn: [13], notEquals: 10 } } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.preco_unitario', operator: 'equals', values: ['10', '12', '13', '15'] },
      { member: 'fato_vendas.preco_unitario', operator: 'notEquals', values: ['13'] }, { member: 'fato_vendas.preco_unitario', operator: 'notEquals', values: ['10'] }] } },
  { name: 'set: true', graphql: count('{ dim_produto: { marca: { set: true } } }'), rest: { measures: ['fato_vendas.count'], filters: [{ member: 'dim_produto.marca', operator: 'set' }] } },
  { name: 'set: false is notSet', graphql: count('{ fato_vendas: { data_devolucao: { set: false } } }'), rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.data_devolucao', operator: 'notSet' }] } },
  { name: 'inDateRange on a time dimension not selected', graphql: count('{ fato_vendas: { data_venda: { inDateRange: ["2024-03-01", "2024-03-15"] } } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ member: VENDAS_DATE, operator: 'inDateRange', values: ['2024-03-01', '2024-03-15'] }] } },
  dateFilter('notInDateRange', '["2024-03-01", "2024-12-31"]', ['2024-03-01', '2024-12-31']),
  dateFilter('beforeDate', '"2024-02-01"', ['2024-02-01']),
  dateFilter('beforeOrOnDate', '"2024-02-01"', ['2024-02-01']),
  dateFilter('afterDate', '"2024-12-01"', ['2024-12-01']),
  dateFilter('afterOrOnDate', '"2024-12-01"', ['2024-12-01']),
  { name: 'relative inDateRange', graphql: count('{ fato_vendas: { data_venda: { inDateRange: ["from 20 years ago to now"] } } }'),
    rest: { measures: ['fato_vendas.count'], timeDimensions: [{ dimension: VENDAS_DATE, dateRange: 'from 20 years ago to now' }] } },
  { name: 'boolean dimension filtered as a string, as Cube types it', graphql: count('{ fato_vendas: { is_cancelado: { equals: "true" } } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.is_cancelado', operator: 'equals', values: ['true'] }] } },
  { name: 'measure filter', graphql: '{ cube(orderBy: { dim_produto: { nome: asc } }) { fato_vendas(where: { unidades: { gt: 100 } }) { unidades } dim_produto { nome } } }',
    rest: { measures: ['fato_vendas.unidades'], dimensions: ['dim_produto.nome'], filters: [{ member: 'fato_vendas.unidades', operator: 'gt', values: ['100'] }], order: [['dim_produto.nome', 'asc']] } },
  // --- AND / OR ----------------------------------------------------------------------------------
  { name: 'root OR with a nested AND over two cubes',
    graphql: count('{ OR: [{ fato_vendas: { origem: { equals: "pos" } } }, { AND: [{ dim_canal: { canal_id: { equals: "app" } } }, { fato_vendas: { data_devolucao: { set: true } } }] }] }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ or: [{ member: 'fato_vendas.origem', operator: 'equals', values: ['pos'] }, { and: [{ member: 'dim_canal.canal_id', operator: 'equals', values: ['app'] }, { member: 'fato_vendas.data_devolucao', operator: 'set' }] }] }] } },
  { name: 'an OR item with two members means both (AND inside OR)',
    graphql: count('{ fato_vendas: { OR: [{ origem: { equals: "pos" }, is_cancelado: { equals: "true" } }, { status_pedido: { equals: "test" } }] } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ or: [{ and: [{ member: 'fato_vendas.origem', operator: 'equals', values: ['pos'] }, { member: 'fato_vendas.is_cancelado', operator: 'equals', values: ['true'] }] }, { member: 'fato_vendas.status_pedido', operator: 'equals', values: ['test'] }] }] } },
  { name: 'two operators on one member are AND-ed', graphql: count('{ fato_vendas: { preco_unitario: { gte: 11, lt: 14 } } }'),
    rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.preco_unitario', operator: 'gte', values: ['11'] }, { member: 'fato_vendas.preco_unitario', operator: 'lt', values: ['14'] }] } },
  { name: 'cube where and root where together', graphql: '{ cube(where: { dim_canal: { canal_id: { in: ["site", "app"] } } }) { fato_vendas(where: { origem: { equals: "erp" } }) { count } } }',
    rest: { measures: ['fato_vendas.count'], filters: [{ member: 'fato_vendas.origem', operator: 'equals', values: ['erp'] }, { member: 'dim_canal.canal_id', operator: 'equals', values: ['site', 'app'] }] } },
  // --- segments, views, joins --------------------------------------------------------------------
  { name: 'segment', graphql: '{ cube { fato_vendas(segments: [online]) { vendas_liquidas } } }', rest: { measures: ['fato_vendas.vendas_liquidas'], segments: ['fato_vendas.online'] } },
  { name: 'two segments', graphql: '{ cube { fato_vendas(segments: [loja_fisica, clientes_novos]) { count } } }', rest: { measures: ['fato_vendas.count'], segments: ['fato_vendas.loja_fisica', 'fato_vendas.clientes_novos'] } },
  { name: 'view members', graphql: '{ cube(orderBy: { vendas: { canal_nome: asc } }) { vendas { vendas_liquidas pedidos canal_nome } } }',
    rest: { measures: ['vendas.vendas_liquidas', 'vendas.pedidos'], dimensions: ['vendas.canal_nome'], order: [['vendas.canal_nome', 'asc']] } },
  { name: 'view segment and view time dimension', graphql: '{ cube { vendas(segments: [loja_fisica], where: { data_venda: { inDateRange: ["2024-01-01", "2024-12-31"] } }) { unidades data_venda { quarter } } } }',
    rest: { measures: ['vendas.unidades'], segments: ['vendas.loja_fisica'], timeDimensions: [{ dimension: 'vendas.data_venda', granularity: 'quarter', dateRange: ['2024-01-01', '2024-12-31'] }] } },
  { name: 'one-to-many join without fan-out', graphql: '{ cube(orderBy: { clientes_teste: { segmento: asc } }) { clientes_teste { count soma_sk segmento } fato_vendas { count } } }',
    rest: { measures: ['clientes_teste.count', 'clientes_teste.soma_sk', 'fato_vendas.count'], dimensions: ['clientes_teste.segmento'], order: [['clientes_teste.segmento', 'asc']] } },
  { name: 'count of the one side by a many-side dimension', graphql: '{ cube(orderBy: { fato_vendas: { origem: asc } }) { clientes_teste { count } fato_vendas { origem } } }',
    rest: { measures: ['clientes_teste.count'], dimensions: ['fato_vendas.origem'], order: [['fato_vendas.origem', 'asc']] } },
  // --- order, limit, offset, ungrouped, variables ------------------------------------------------
  { name: 'order by measure desc, limit and offset', graphql: '{ cube(limit: 5, offset: 3, orderBy: { fato_vendas: { vendas_brutas: desc, pedido_id: asc } }) { fato_vendas { vendas_brutas pedido_id } } }',
    rest: { measures: ['fato_vendas.vendas_brutas'], dimensions: ['fato_vendas.pedido_id'], order: [['fato_vendas.vendas_brutas', 'desc'], ['fato_vendas.pedido_id', 'asc']], limit: 5, offset: 3 } },
  { name: 'orderBy keys keep the written order (not the schema order)', graphql: '{ cube(limit: 6, orderBy: { fato_vendas: { origem: desc, vendas_brutas: asc } }) { fato_vendas { vendas_brutas origem } } }',
    rest: { measures: ['fato_vendas.vendas_brutas'], dimensions: ['fato_vendas.origem'], order: [['fato_vendas.origem', 'desc'], ['fato_vendas.vendas_brutas', 'asc']], limit: 6 } },
  { name: 'root orderBy then cube orderBy', graphql: '{ cube(limit: 8, orderBy: { dim_canal: { nome: desc } }) { fato_vendas(orderBy: { origem: asc }) { count origem } dim_canal { nome } } }',
    rest: { measures: ['fato_vendas.count'], dimensions: ['fato_vendas.origem', 'dim_canal.nome'], order: [['dim_canal.nome', 'desc'], ['fato_vendas.origem', 'asc']], limit: 8 } },
  { name: 'ungrouped', graphql: '{ cube(ungrouped: true, where: { fato_vendas: { pedido_id: { in: ["P7", "P9"] } } }, orderBy: { fato_vendas: { pedido_id: asc, unidades: asc } }) { fato_vendas { unidades pedido_id } } }',
    rest: { measures: ['fato_vendas.unidades'], dimensions: ['fato_vendas.pedido_id'], filters: [{ member: 'fato_vendas.pedido_id', operator: 'equals', values: ['P7', 'P9'] }], ungrouped: true, order: [['fato_vendas.pedido_id', 'asc'], ['fato_vendas.unidades', 'asc']] } },
  { name: 'variables for where, orderBy (written order) and limit',
    graphql: 'query Q($w: FatoVendasWhereInput, $o: RootOrderByInput, $n: Int) { cube(orderBy: $o, limit: $n) { fato_vendas(where: $w) { count origem status_pedido } } }',
    variables: { w: { data_venda: { inDateRange: ['2024-02-01', '2024-06-30'] }, origem: { notEquals: 'x' } }, o: { fato_vendas: { status_pedido: 'asc', origem: 'desc' } }, n: 7 },
    rest: { measures: ['fato_vendas.count'], dimensions: ['fato_vendas.origem', 'fato_vendas.status_pedido'], filters: [{ member: 'fato_vendas.origem', operator: 'notEquals', values: ['x'] }],
      timeDimensions: [{ dimension: VENDAS_DATE, dateRange: ['2024-02-01', '2024-06-30'] }], order: [['fato_vendas.status_pedido', 'asc'], ['fato_vendas.origem', 'desc']], limit: 7 } },
  { name: 'fragments, aliases and @include', graphql: 'query Q($yes: Boolean!) { cube(orderBy: { fato_vendas: { origem: asc } }) { fato_vendas { ...F total: count, unidades @include(if: $yes), pedidos @skip(if: $yes) } } } fragment F on FatoVendasMembers { origem }',
    variables: { yes: true }, rest: { measures: ['fato_vendas.count', 'fato_vendas.unidades'], dimensions: ['fato_vendas.origem'], order: [['fato_vendas.origem', 'asc']] } },
];

let stack: Stack;
let timeMembers: Set<string>;

beforeAll(async () => {
  stack = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, serve: { http: true } });
  timeMembers = await fetchTimeMembers(stack.url);
});
afterAll(async () => stack?.close());

describe('GraphQL answers equal REST answers for the gold query suite', () => {
  it('has at least 40 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const [graphql, rest] = await Promise.all([postGraphql(stack.url, { query: c.graphql, variables: c.variables }), loadRest(stack.url, c.rest)]);
    expect(graphql.body.errors, JSON.stringify(graphql.body.errors)).toBeUndefined();
    expect(graphql.status).toBe(200);
    expect(rest.length).toBeGreaterThan(0);
    const got = (graphql.body.data as { cube: Record<string, unknown>[] }).cube;
    const want = restRowsAsGraphql(rest, c.rest, timeMembers, aliasesOf(c));
    if (c.unordered) expect(sortRows(got)).toEqual(sortRows(want));
    else expect(normalizeRows(got)).toEqual(want);
  });
});

/** The one case that renames a member selects `total: count`. */
function aliasesOf(c: EquivalenceCase): Record<string, string> {
  return c.graphql.includes('total: count') ? { 'fato_vendas.count': 'total' } : {};
}

describe('compareDateRange through cubeCompare', () => {
  it('answers one result set per range, each equal to REST’s compareDateRange result', async () => {
    const ranges = [['2024-01-01', '2024-01-31'], ['2024-03-01', '2024-03-31']];
    const graphql = await postGraphql(stack.url, {
      query: `{ cubeCompare(dimension: "fato_vendas.data_venda", dateRanges: ${JSON.stringify(ranges)}) { dateRange data { fato_vendas { count data_venda { week } } } } }`,
    });
    expect(graphql.body.errors).toBeUndefined();
    const rest = { measures: ['fato_vendas.count'], timeDimensions: [{ dimension: VENDAS_DATE, granularity: 'week', compareDateRange: ranges }] };
    const res = await fetch(`${stack.url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: rest, queryType: 'multi' }) });
    const body = (await res.json()) as { results: { data: Record<string, unknown>[] }[] };
    expect(body.results).toHaveLength(2);
    const got = (graphql.body.data as { cubeCompare: { dateRange: string[]; data: Record<string, unknown>[] }[] }).cubeCompare;
    expect(got.map((r) => r.dateRange)).toEqual(ranges);
    got.forEach((result, i) => {
      expect(body.results[i]!.data.length).toBeGreaterThan(0);
      // REST adds a `compareDateRange` key to each row; GraphQL has no field for it.
      const restRows = body.results[i]!.data.map(({ compareDateRange: _range, ...row }) => row);
      expect(normalizeRows(result.data)).toEqual(restRowsAsGraphql(restRows, rest, timeMembers));
    });
  });
});
